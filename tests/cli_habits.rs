//! The habits of a mature command line: help that keeps its layout, shell completions
//! and man pages, progress only on a terminal, `check` before committing event files,
//! `log` filters, and CSV output.

mod common;

use common::TempStore;

/// Standard output of a command that must succeed.
fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().expect("run pactlog");
    assert!(
        out.status.success(),
        "failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn state_help_keeps_the_time_axes_and_examples_on_their_own_lines() {
    let store = TempStore::new();
    let help = stdout_of(store.cmd().args(["state", "--help"]));
    let lines: Vec<&str> = help.lines().collect();
    for axis in ["  --as-of DAY ", "  --known-at DAY ", "  --at-size N "] {
        assert!(
            lines.iter().any(|l| l.starts_with(axis)),
            "no line starts with {axis:?}:\n{help}"
        );
    }
    assert!(
        lines.contains(&"  pactlog state --as-of 2026-03-01 --pair microsoft openai"),
        "{help}"
    );
    assert!(lines.contains(&"Examples:"), "{help}");
}

/// What bash's completion of `words` (the last one being completed) offers, with the
/// script `pactlog completions bash` prints; None when there is no bash to run it.
fn bash_completes(words: &[&str]) -> Option<Vec<String>> {
    let store = TempStore::new();
    let script = stdout_of(store.cmd().args(["completions", "bash"]));
    let file = store.dir.path().join("pactlog.bash");
    std::fs::write(&file, script).expect("write the script");
    let cword = words.len() - 1;
    let prev = if cword > 0 { words[cword - 1] } else { "" };
    let shell = format!(
        "source \"$1\"; COMP_WORDS=({}); COMP_CWORD={cword}; _pactlog pactlog '{}' '{prev}'; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words.join(" "),
        words[cword],
    );
    let out = match std::process::Command::new("bash")
        .args(["-c", &shell, "bash"])
        .arg(&file)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("run bash: {e}"),
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn bash_completion_offers_commands_and_their_flags() {
    let Some(commands) = bash_completes(&["pactlog", "sta"]) else {
        eprintln!("skipped: no bash on this machine");
        return;
    };
    assert_eq!(commands, ["state"]);
    let flags = bash_completes(&["pactlog", "state", "--as"]).expect("bash");
    assert_eq!(flags, ["--as-of"]);
    let shells = bash_completes(&["pactlog", "completions", "p"]).expect("bash");
    assert_eq!(shells, ["powershell"]);
}

#[test]
fn completion_scripts_for_every_shell_name_the_commands() {
    let store = TempStore::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(store.cmd().args(["completions", shell]));
        for word in ["state", "known-at", "completions"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    store.cmd().args(["completions", "tcsh"]).assert().code(1);
}

#[test]
fn man_writes_one_roff_page_per_command_and_replaces_only_its_own() {
    let store = TempStore::new();
    let dir = store.dir.path().join("man/man1");
    stdout_of(store.cmd().arg("man").arg(&dir));
    let state = std::fs::read_to_string(dir.join("pactlog-state.1")).expect("pactlog-state.1");
    assert!(state.contains(".TH pactlog-state 1"), "{state}");
    for option in ["known\\-at", "as\\-of", "at\\-size", "pair"] {
        assert!(state.contains(option), "no {option} in:\n{state}");
    }
    for page in [
        "pactlog.1",
        "pactlog-key-generate.1",
        "pactlog-proof-inclusion.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
    // Our own pages are replaced...
    stdout_of(store.cmd().arg("man").arg(&dir));
    // ...anything else of the same name is not, and nothing is written then.
    std::fs::write(dir.join("pactlog-log.1"), "my notes\n").expect("write");
    std::fs::remove_file(dir.join("pactlog.1")).expect("remove");
    let out = store.cmd().arg("man").arg(&dir).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("refusing to replace"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("pactlog-log.1")).expect("read"),
        "my notes\n"
    );
    assert!(!dir.join("pactlog.1").exists());
}
