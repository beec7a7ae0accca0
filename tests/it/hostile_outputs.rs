//! What pactlog writes, facing hostile or careless paths and readers, through the
//! binary: `export -o` targets that must not be replaced, key files that must not be
//! lost, standard output closed early, folders that are not stores, and the messages,
//! exit codes and JSON errors of the small cases.
//!
//! Every command runs under a time limit, so a regression that hangs fails instead.

use crate::support;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::hostile::*;
use support::{SMALL_SIZE, TempStore, pactlog, small_fixture};

// ---------------------------------------------------------------------------------------
// export -o: never replace what is not a regular file, never write into the store

#[test]
fn export_refuses_special_files_and_leaves_them_as_they_were() {
    let s = Signed::new();
    let fifo = s.dir().join("out.jsonl");
    mkfifo(&fifo);
    let out = run(s.store.cmd().args(["export", "-o"]).arg(&fifo));
    assert_fails(&out, 1, "is a FIFO (named pipe), not a regular file");
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    let out = run(s.store.cmd().args(["export", "-o", "/dev/null"]));
    assert_fails(
        &out,
        1,
        "/dev/null is a character device, not a regular file",
    );
    use std::os::unix::fs::FileTypeExt;
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device(), "/dev/null was replaced");
    assert_no_temporary_files(s.dir());
}

#[test]
fn export_into_the_store_is_refused_and_the_store_still_verifies() {
    let s = Signed::new();
    let before = snapshot(&s.store.path);
    for target in ["db", "new.jsonl"] {
        let out = run(s
            .store
            .cmd()
            .args(["export", "-o"])
            .arg(s.store.path.join(target)));
        assert_fails(&out, 1, "is inside the store");
    }
    // Through a link to the store folder too.
    let link = s.dir().join("linked");
    symlink(&s.store.path, &link);
    let out = run(s.store.cmd().args(["export", "-o"]).arg(link.join("db")));
    assert_fails(&out, 1, "is inside the store");
    assert_eq!(snapshot(&s.store.path), before, "the store changed");
    assert_ok(&run(s.store.cmd().arg("verify")));
}

#[test]
fn export_through_a_link_writes_its_target_and_keeps_the_link() {
    let s = Signed::new();
    let real = s.dir().join("real.jsonl");
    std::fs::write(&real, "old\n").unwrap();
    let link = s.dir().join("link.jsonl");
    symlink("real.jsonl", &link);
    assert_ok(&run(s.store.cmd().args(["export", "-o"]).arg(&link)));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(&real).unwrap();
    assert_eq!(text.lines().count() as u64, SMALL_SIZE, "{text}");
    assert!(text.starts_with("{\"seq\":0"), "{text}");
    assert_no_temporary_files(s.dir());
}

#[test]
fn export_to_a_folder_says_so_and_leaves_nothing_behind() {
    let s = Signed::new();
    let folder = s.dir().join("backups");
    std::fs::create_dir(&folder).unwrap();
    let out = run(s.store.cmd().args(["export", "-o"]).arg(&folder));
    assert_fails(&out, 1, "backups is a directory: give a file name, such as");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
    assert_no_temporary_files(s.dir());
}

fn assert_no_temporary_files(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

// ---------------------------------------------------------------------------------------
// key generate: both files or neither, never over an existing one

fn key_generate(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = assert_cmd::Command::cargo_bin("pactlog").unwrap();
    run(cmd.current_dir(dir).args(["key", "generate"]).args(args))
}

#[test]
fn key_generate_refuses_a_private_key_named_pub() {
    let dir = tempfile::tempdir().unwrap();
    let out = key_generate(dir.path(), &["example.org/log", "--out", "x.pub"]);
    assert_fails(&out, 1, "a private key must not end in .pub");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn key_generate_never_overwrites_a_key_file_of_either_kind() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.pub"), "someone's verifier key\n").unwrap();
    let out = key_generate(dir.path(), &["example.org/a", "--out", "a.key"]);
    assert_fails(&out, 1, "a.pub already exists");
    assert!(!dir.path().join("a.key").exists(), "an orphan private key");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.pub")).unwrap(),
        "someone's verifier key\n"
    );

    assert_ok(&key_generate(
        dir.path(),
        &["example.org/b", "--out", "b.key"],
    ));
    let private = std::fs::read(dir.path().join("b.key")).unwrap();
    std::fs::remove_file(dir.path().join("b.pub")).unwrap();
    let out = key_generate(dir.path(), &["example.org/b", "--out", "b.key"]);
    assert_fails(&out, 1, "b.key already exists");
    assert_eq!(std::fs::read(dir.path().join("b.key")).unwrap(), private);
    assert!(!dir.path().join("b.pub").exists());
}

#[test]
fn key_generate_dot_writes_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = key_generate(dir.path(), &["."]);
    assert_ok(&out);
    let private = std::fs::read_to_string(dir.path().join("..key")).unwrap();
    let public = std::fs::read_to_string(dir.path().join("..pub")).unwrap();
    assert!(private.starts_with("PRIVATE+KEY+.+"), "{private}");
    assert_eq!(public, stdout(&out));
    let out = key_generate(dir.path(), &["x", "--out", "."]);
    assert_fails(&out, 1, "--out . does not name a file");
}

// ---------------------------------------------------------------------------------------
// A reader that closes standard output early

/// Runs `args` with standard output a pipe whose reader reads `lines` lines, then closes.
fn with_early_close(store: &Path, args: &[&str], lines: usize) -> Output {
    let mut child: Child = Command::new(env!("CARGO_BIN_EXE_pactlog"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env("PACTLOG_NOW", support::NOW)
        .env_remove("PACTLOG_STORE")
        .current_dir(store.parent().unwrap())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pactlog");
    let reader = child.stdout.take().unwrap();
    let mut reader = std::io::BufReader::new(reader);
    for _ in 0..lines {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
    }
    drop(reader);
    let deadline = Instant::now() + LIMIT;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("pactlog {args:?} still running after {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// A store of 20 000 synthetic events, written through the library.
fn big_store(path: &Path) {
    use pactlog::synth::{Synth, SynthConfig};
    let synth = Synth::new(SynthConfig::new(15, 20_000));
    let mut ledger = pactlog::Ledger::open(pactlog::SledStore::open(path).unwrap()).unwrap();
    let checked = ledger
        .check(synth.parties(), synth.events().collect())
        .unwrap();
    ledger
        .append(checked, pactlog::Timestamp::from_unix(1_767_225_600))
        .unwrap();
}

#[test]
fn every_command_ends_quietly_when_its_reader_closes_the_pipe() {
    let s = Signed::new();
    let big = s.dir().join("big.db");
    big_store(&big);
    let key = s.key.to_str().unwrap();
    let proof = s.proof.to_str().unwrap();
    let verifier = s.verifier.to_str().unwrap();
    let big_id = {
        let out = run(pactlog(&big).args(["log", "--json"]));
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        log[0]["id"].as_str().unwrap().to_string()
    };
    let runs: Vec<(&Path, Vec<&str>)> = vec![
        (&big, vec!["log"]),
        (&big, vec!["log", "--json"]),
        (&big, vec!["state", "--as-of", "2030-01-01"]),
        (&big, vec!["state", "--as-of", "2030-01-01", "--json"]),
        (
            &big,
            vec!["diff", "--from", "2000-01-01", "--to", "2030-01-01"],
        ),
        (&big, vec!["show", &big_id]),
        (&big, vec!["verify"]),
        (&big, vec!["verify", "--json"]),
        (&big, vec!["export"]),
        (&big, vec!["proof", "consistency", "1", "20000"]),
        (&s.store.path, vec!["checkpoint", "--key-file", key]),
        (&s.store.path, vec!["proof", "inclusion", PROVEN]),
        (&s.store.path, vec!["audit", proof, "--key-file", verifier]),
        (
            &s.store.path,
            vec!["audit", proof, "--key-file", verifier, "--json"],
        ),
    ];
    for (store, args) in &runs {
        for lines in [0, 1] {
            let out = with_early_close(store, args, lines);
            assert_eq!(
                (out.status.code(), stderr(&out)),
                (Some(0), String::new()),
                "pactlog {args:?} with its reader gone after {lines} lines"
            );
        }
    }
    let keys = s.dir().join("keys");
    std::fs::create_dir(&keys).unwrap();
    let out_key = keys.join("k.key");
    let out = with_early_close(
        &s.store.path,
        &[
            "key",
            "generate",
            "example.org/k",
            "--out",
            out_key.to_str().unwrap(),
        ],
        0,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(keys.join("k.pub").exists());
}

#[test]
fn an_import_whose_reader_closes_the_pipe_succeeds_and_says_nothing() {
    let store = TempStore::new();
    let fixture = small_fixture();
    let out = with_early_close(&store.path, &["import", fixture.to_str().unwrap()], 0);
    assert_eq!((out.status.code(), stderr(&out)), (Some(0), String::new()));
    let log = store.json(&["log", "--json"]);
    assert_eq!(
        log.as_array().unwrap().len(),
        11,
        "the import was committed"
    );
}

// ---------------------------------------------------------------------------------------
// Stores: reading never creates one; a failed import leaves none

#[test]
fn reading_a_folder_that_is_not_a_store_says_so_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let events = events_in(dir.path());
    let before = snapshot(&events);
    for args in [
        &["log"][..],
        &["state", "--as-of", "2026-01-01"],
        &["show", "2023-initech-restructuring"],
        &["verify"],
        &["export"],
        &["proof", "consistency", "1", "2"],
        &["checkpoint", "--key-file", "missing.key"],
        &["import", "missing.toml"],
    ] {
        let out = run(pactlog(&events).args(args));
        assert_fails(&out, 1, "");
        assert_eq!(snapshot(&events), before, "pactlog {args:?} wrote into it");
    }
    let out = run(pactlog(&events).arg("log"));
    assert_fails(&out, 1, "is not a pactlog store");
    // An import into it is refused too: sled files never land among event files.
    let out = run(pactlog(&events).arg("import").arg(&events));
    assert_fails(&out, 1, "is not a pactlog store");
    assert_eq!(snapshot(&events), before);
}

#[test]
fn a_failed_import_leaves_no_new_store_and_keeps_an_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[event]\nid = 1\n").unwrap();
    // A store path under folders that do not exist: none of them stays.
    let nested = dir.path().join("new/deeper/store.db");
    assert_fails(
        &run(pactlog(&nested)
            .current_dir(dir.path())
            .arg("import")
            .arg(&bad)),
        1,
        "invalid TOML",
    );
    assert!(
        !dir.path().join("new").exists(),
        "the failed import left folders"
    );
    // An empty folder stays, empty.
    let empty = dir.path().join("empty.db");
    std::fs::create_dir(&empty).unwrap();
    assert_fails(
        &run(pactlog(&empty).arg("import").arg(&bad)),
        1,
        "invalid TOML",
    );
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    // An existing store is kept as it was.
    let old = dir.path().join("old.db");
    assert_ok(&run(pactlog(&old).arg("import").arg(small_fixture())));
    assert_fails(
        &run(pactlog(&old).arg("import").arg(&bad)),
        1,
        "invalid TOML",
    );
    assert_ok(&run(pactlog(&old).arg("verify")));
}

#[test]
fn a_store_this_process_may_not_write_is_refused_with_advice_to_copy_it() {
    use std::os::unix::fs::PermissionsExt;
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let mode = |m: u32| {
        for f in ["", "db", "conf"] {
            let p = store.path.join(f);
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
        }
    };
    mode(0o555);
    // Permissions do not bind a privileged user (root in a container): then there is
    // nothing to refuse, and the message is checked by the unit test in src/store/sled.rs.
    let probe = std::fs::File::options()
        .append(true)
        .open(store.path.join("db"));
    if probe.is_ok() {
        mode(0o755);
        eprintln!("skipped: this process may write a read-only store (privileged user)");
        return;
    }
    let out = run(store.cmd().arg("log"));
    mode(0o755);
    assert_fails(&out, 2, "cp -r");
}

// ---------------------------------------------------------------------------------------
// Small ones: exit codes that agree, messages that say what is wrong, JSON errors

#[test]
fn a_malformed_checkpoint_fails_verify_as_it_fails_audit() {
    let s = Signed::new();
    let garbage = s.dir().join("garbage.txt");
    std::fs::write(&garbage, "not a note\n").unwrap();
    assert_fails(&s.verify(&garbage), 3, "malformed note");
    assert_fails(&s.audit(&garbage), 3, "malformed tlog-proof");
}

#[test]
fn empty_checkpoints_and_proofs_are_called_empty() {
    let s = Signed::new();
    let empty = s.dir().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    assert_fails(&s.verify(&empty), 3, "the checkpoint");
    assert_fails(&s.verify(&empty), 3, "empty.txt is empty");
    assert_fails(&s.audit(&empty), 3, "the proof file");
    assert_fails(&s.audit(&empty), 3, "empty.txt is empty");
}

#[test]
fn a_missing_key_file_is_called_missing() {
    let s = Signed::new();
    let out = run(s
        .store
        .cmd()
        .arg("verify")
        .arg("--checkpoint")
        .arg(&s.checkpoint)
        .args(["--key-file", "missing.pub"]));
    assert_fails(&out, 1, "cannot read the verifier key missing.pub");
    let out = run(s
        .store
        .cmd()
        .arg("audit")
        .arg(&s.proof)
        .args(["--key-file", "missing.pub"]));
    assert_fails(&out, 1, "cannot read the verifier key missing.pub");
    let out = run(s
        .store
        .cmd()
        .args(["checkpoint", "--key-file", "missing.key"]));
    assert_fails(&out, 1, "cannot read the signing key missing.key");
}

#[test]
fn importing_a_folder_without_event_files_is_an_error() {
    let store = TempStore::new();
    let empty = store.dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "not an event file").unwrap();
    let out = run(store.cmd().arg("import").arg(&empty));
    assert_fails(&out, 1, "no event files found in");
    assert!(!store.path.exists());
}

/// The JSON error object on stderr: `{"error": {"code", "message", "problems"}}`.
fn json_error(out: &Output) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", stderr(out)));
    let error = &v["error"];
    assert_eq!(
        error["code"].as_i64(),
        out.status.code().map(i64::from),
        "{v}"
    );
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    assert!(error["problems"].is_array(), "{v}");
    v
}

#[test]
fn errors_under_json_are_a_json_object_on_stderr() {
    let s = Signed::new();
    let dir = s.dir();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[event]]\nid = \"x\"\n").unwrap();
    let missing = dir.join("nowhere.db");
    let cmds: Vec<(&Path, Vec<&str>, i32)> = vec![
        (&missing, vec!["log", "--json"], 1),
        (&s.store.path, vec!["show", "no-such-event", "--json"], 1),
        (
            &s.store.path,
            vec![
                "state",
                "--as-of",
                "2026-01-01",
                "--party",
                "nobody",
                "--json",
            ],
            1,
        ),
        (
            &s.store.path,
            vec![
                "diff",
                "--from",
                "2026-01-01",
                "--to",
                "2026-02-01",
                "--party",
                "nobody",
                "--json",
            ],
            1,
        ),
        (&missing, vec!["verify", "--json"], 1),
        (
            &s.store.path,
            vec!["proof", "consistency", "9", "2", "--json"],
            1,
        ),
        (
            &s.store.path,
            vec!["checkpoint", "--key-file", "missing.key", "--json"],
            1,
        ),
        (
            &s.store.path,
            vec!["audit", "cp.txt", "--key-file", "log.pub", "--json"],
            3,
        ),
        (&s.store.path, vec!["state", "--json"], 1),
    ];
    for (store, args, code) in cmds {
        let out = run(pactlog(store).args(&args));
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        json_error(&out);
    }
    let out = run(s.store.cmd().args(["import", "--json"]).arg(&bad));
    assert_eq!(out.status.code(), Some(1));
    let v = json_error(&out);
    let problems = v["error"]["problems"].as_array().unwrap();
    assert!(!problems.is_empty(), "{v}");
    assert!(
        problems[0]["file"].as_str().unwrap().ends_with("bad.toml"),
        "{v}"
    );
    assert_eq!(problems[0]["line"], 1, "{v}");
}

#[test]
fn audit_and_checkpoint_print_json() {
    let s = Signed::new();
    let out = run(s
        .store
        .cmd()
        .args(["checkpoint", "--json", "--key-file"])
        .arg(&s.key));
    assert_ok(&out);
    let cp: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cp["origin"], "example.org/log");
    assert_eq!(cp["size"], SMALL_SIZE);
    let note = std::fs::read_to_string(&s.checkpoint).unwrap();
    assert!(note.contains(cp["root"].as_str().unwrap()), "{cp}");
    assert!(
        cp["note"]
            .as_str()
            .unwrap()
            .starts_with("example.org/log\n")
    );

    let out = run(s
        .store
        .cmd()
        .arg("audit")
        .arg(&s.proof)
        .arg("--key-file")
        .arg(&s.verifier)
        .arg("--json"));
    assert_ok(&out);
    let audited: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(audited["ok"], true);
    assert_eq!(audited["event"]["id"], PROVEN);
    assert_eq!(audited["tree_size"], SMALL_SIZE);
    assert_eq!(audited["key"], "example.org/log");
}

#[test]
fn audit_reads_a_proof_from_standard_input() {
    let s = Signed::new();
    let out = run(s
        .store
        .cmd()
        .args(["audit", "-", "--key-file"])
        .arg(&s.verifier)
        .pipe_stdin(&s.proof)
        .unwrap());
    assert_ok(&out);
    assert!(stdout(&out).contains(&format!("event {PROVEN}")));
}

#[test]
fn a_failed_json_import_says_everything_in_one_json_object() {
    let store = TempStore::new();
    let dir = store.dir.path();
    let events = dir.join("events");
    std::fs::create_dir(&events).unwrap();
    std::fs::write(events.join("bad.toml"), "[[event]]\nid = \"x\"\n").unwrap();
    symlink("..", &events.join("up"));
    let out = run(store.cmd().args(["import", "--json"]).arg(&events));
    assert_eq!(out.status.code(), Some(1));
    let v = json_error(&out);
    let notes = v["error"]["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{v}");
    assert!(
        notes[0].as_str().unwrap().contains("up: it leads to"),
        "{v}"
    );
}
