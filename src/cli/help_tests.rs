//! The `--help` of every command, walked through the command tree: each keeps its layout
//! and shows examples.

use super::Cli;
use clap::CommandFactory;

/// Every command below `cmd` (itself included), with its full name.
fn commands(cmd: &clap::Command, name: String, out: &mut Vec<(String, clap::Command)>) {
    for sub in cmd.get_subcommands() {
        commands(sub, format!("{name} {}", sub.get_name()), out);
    }
    out.push((name, cmd.clone()));
}

#[test]
fn every_command_help_has_examples() {
    let mut all = Vec::new();
    commands(&Cli::command(), "pactlog".into(), &mut all);
    // The tree is not a fixed list: it grows with the commands.
    assert!(all.len() > 10, "{} commands", all.len());
    for (name, mut cmd) in all {
        let help = cmd.render_long_help().to_string();
        let examples = help
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("`{name} --help` has no Examples section:\n{help}"))
            .1;
        // The first example line is a command, on a line of its own, as written.
        let first = examples.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("  pactlog "),
            "`{name} --help`: {first:?}"
        );
    }
}

/// The one-line summary of each command in `pactlog --help` stays on one line.
#[test]
fn command_summaries_are_one_line() {
    let cmd = Cli::command();
    for sub in cmd.get_subcommands() {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        assert!(
            !about.is_empty() && !about.contains('\n'),
            "{}: {about:?}",
            sub.get_name()
        );
    }
}
