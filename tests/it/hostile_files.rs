//! Hostile input files through the `pactlog` binary: special files (FIFOs, devices,
//! pipes), sizes past every bound, symbolic links in folder walks, and the line endings
//! of signed notes, proofs and keys.
//!
//! Every command runs under a time limit, so a regression that hangs (a FIFO opened for
//! reading, a walk that loops) fails instead of stalling the suite.

use crate::support;

use std::path::Path;
use support::hostile::*;
use support::{SMALL_SIZE, TempStore};

// ---------------------------------------------------------------------------------------
// Special files and sizes: one bounded reader (src/input.rs)

#[test]
fn a_fifo_named_toml_in_an_events_folder_is_refused_not_waited_on() {
    let store = TempStore::new();
    let events = events_in(store.dir.path());
    mkfifo(&events.join("x.toml"));
    let out = run(store.cmd().arg("import").arg(&events));
    assert_fails(
        &out,
        1,
        "x.toml:1: a FIFO (named pipe), not a regular file: only regular files are read",
    );
    assert!(!store.path.exists(), "a failed import left a store behind");
}

#[test]
fn a_link_to_dev_zero_is_skipped_in_a_folder_and_refused_when_named() {
    let store = TempStore::new();
    let events = events_in(store.dir.path());
    let zero = events.join("x.toml");
    symlink("/dev/zero", &zero);
    let out = run(store.cmd().arg("import").arg(&events));
    assert_ok(&out);
    assert!(
        stderr(&out).contains("skipped the link") && stderr(&out).contains("/dev/zero"),
        "{}",
        stderr(&out)
    );
    let out = run(store.cmd().arg("import").arg(&zero));
    assert_fails(&out, 1, "a character device, not a regular file");
}

#[test]
fn a_pipe_given_as_an_event_file_is_refused() {
    // `pactlog import <(yes)`: the shell hands over /dev/fd/N, a pipe that never ends.
    let store = TempStore::new();
    let script = format!(
        "exec {} --store {} import <(yes)",
        env!("CARGO_BIN_EXE_pactlog"),
        store.path.display()
    );
    let mut cmd = assert_cmd::Command::new("bash");
    let out = run(cmd.args(["-c", &script]));
    assert_fails(&out, 1, "a FIFO (named pipe), not a regular file");
}

#[test]
fn a_fifo_export_is_refused_by_restore() {
    let store = TempStore::new();
    let fifo = store.dir.path().join("x.jsonl");
    mkfifo(&fifo);
    let out = run(store.cmd().arg("import").arg(&fifo));
    assert_fails(&out, 1, "x.jsonl: a FIFO (named pipe), not a regular file");
    assert!(!store.path.exists());
}

#[test]
fn audit_and_verify_refuse_devices_as_proofs_and_checkpoints() {
    let s = Signed::new();
    let zero = Path::new("/dev/zero");
    assert_fails(
        &s.audit(zero),
        1,
        "cannot read the proof file /dev/zero: a character device, not a regular file",
    );
    assert_fails(
        &s.verify(zero),
        1,
        "cannot read the checkpoint /dev/zero: a character device, not a regular file",
    );
    let out = run(s
        .store
        .cmd()
        .args(["checkpoint", "--key-file", "/dev/zero"]));
    assert_fails(&out, 1, "a character device, not a regular file");
    let out = run(s
        .store
        .cmd()
        .args(["audit", "--key-file", "/dev/zero"])
        .arg(&s.proof));
    assert_fails(&out, 1, "a character device, not a regular file");
}

#[test]
fn a_restore_line_of_a_gib_is_refused_at_the_bound_in_bounded_memory() {
    // A sparse file: one line that opens a record and never ends (1 GiB, no newline).
    let store = TempStore::new();
    let big = store.dir.path().join("big.jsonl");
    std::fs::write(&big, "{\"bytes\":\"").unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    // Under a 512 MiB address-space limit: a reader that held the line could not even
    // allocate it, so passing shows the line was refused at the bound.
    let script = format!(
        "ulimit -v 524288 && exec {} --store {} import {}",
        env!("CARGO_BIN_EXE_pactlog"),
        store.path.display(),
        big.display()
    );
    let mut cmd = assert_cmd::Command::new("bash");
    let out = run(cmd.args(["-c", &script]));
    assert_fails(&out, 1, "line 1 is longer than");
    assert!(!store.path.exists());
}

// ---------------------------------------------------------------------------------------
// Symbolic links in folder walks

#[test]
fn links_back_to_the_folder_are_walked_once_and_named() {
    let store = TempStore::new();
    let events = events_in(store.dir.path());
    // Without a record of the folders read, these make the walk exponential.
    for name in ["a", "b", "c", "d"] {
        symlink(".", &events.join(name));
    }
    std::fs::create_dir(events.join("sub")).unwrap();
    symlink("..", &events.join("sub/back"));
    let out = run(store.cmd().args(["import", "--json"]).arg(&events));
    assert_ok(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"], 2, "{report}");
    assert_eq!(report["ledger_size"], SMALL_SIZE, "{report}");
    let skipped = report["skipped_links"].as_array().unwrap();
    assert_eq!(skipped.len(), 5, "{report}");
    assert!(
        out.stderr.is_empty(),
        "under --json the notes are in the report"
    );
    // Without --json, each is a note on stderr.
    let out = run(store.cmd().arg("import").arg(&events));
    assert_ok(&out);
    for name in ["events/a", "events/d", "sub/back"] {
        let note = format!("{name}: it leads to");
        assert!(
            skipped.iter().any(|s| s.as_str().unwrap().contains(&note)),
            "{report}"
        );
        assert!(
            stderr(&out).contains(&note),
            "no note for {name}: {}",
            stderr(&out)
        );
    }
    assert!(stderr(&out).contains("a folder already read"));
}

#[test]
fn links_out_of_the_folder_are_not_followed() {
    let store = TempStore::new();
    let dir = store.dir.path();
    let events = events_in(dir);
    // Outside the folder given: a file that would be refused if it were read.
    std::fs::create_dir(dir.join("outside")).unwrap();
    std::fs::write(dir.join("outside/evil.toml"), "this is not TOML [[").unwrap();
    symlink("..", &events.join("up"));
    symlink("../outside/evil.toml", &events.join("evil.toml"));
    let out = run(store.cmd().arg("import").arg(&events));
    assert_ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("up: it leads to") && err.contains("evil.toml: it leads to"),
        "{err}"
    );
    assert!(err.contains("outside"), "{err}");
    assert!(stdout(&out).contains("from 2 files"), "{}", stdout(&out));
}

// ---------------------------------------------------------------------------------------
// Line endings of signed notes, proofs and keys

#[test]
fn crlf_proofs_checkpoints_and_keys_check_as_their_lf_text() {
    let s = Signed::new();
    let proof = s.crlf(&s.proof, "proof-crlf.txt");
    let out = s.audit(&proof);
    assert_ok(&out);
    assert!(stdout(&out).contains(&format!("event {PROVEN}")));
    let checkpoint = s.crlf(&s.checkpoint, "cp-crlf.txt");
    assert_ok(&s.verify(&checkpoint));
    let key = s.crlf(&s.key, "crlf.key");
    let verifier = s.crlf(&s.verifier, "crlf.pub");
    assert_ok(&run(s
        .store
        .cmd()
        .arg("checkpoint")
        .arg("--key-file")
        .arg(&key)));
    assert_ok(&run(s
        .store
        .cmd()
        .arg("audit")
        .arg(&s.proof)
        .arg("--key-file")
        .arg(&verifier)));
}

#[test]
fn a_crlf_proof_that_was_changed_still_fails_and_mixed_endings_are_named() {
    let s = Signed::new();
    let text = std::fs::read_to_string(&s.proof).unwrap();
    // One hash of the inclusion path changed: CRLF does not make it pass.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let hash = lines
        .iter()
        .position(|l| l.len() == 44 && l.ends_with('='))
        .expect("the proof has a path hash");
    let flipped = if lines[hash].starts_with('A') {
        "B"
    } else {
        "A"
    };
    lines[hash].replace_range(..1, flipped);
    let changed = s.dir().join("changed.txt");
    std::fs::write(&changed, lines.join("\r\n") + "\r\n").unwrap();
    assert_fails(&s.audit(&changed), 3, "does not lead to the signed root");
    // Half converted: named as such, a verification failure.
    let mixed = s.dir().join("mixed.txt");
    let (head, tail) = text.split_at(text.len() / 2);
    std::fs::write(&mixed, head.replace('\n', "\r\n") + tail).unwrap();
    assert_fails(&s.audit(&mixed), 3, "Windows line endings (CRLF)");
    let mixed_cp = s.dir().join("mixed-cp.txt");
    let cp = std::fs::read_to_string(&s.checkpoint).unwrap();
    std::fs::write(&mixed_cp, cp.replacen('\n', "\r\n", 1)).unwrap();
    assert_fails(&s.verify(&mixed_cp), 3, "Windows line endings (CRLF)");
}
