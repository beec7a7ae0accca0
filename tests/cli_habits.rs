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
