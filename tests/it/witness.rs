//! The acknowledged-size witness (`pactlog-witness` beside the sled files): what it holds
//! after each command, and what `verify` and the other commands do when the store does
//! not hold what it acknowledged.
//!
//! Damage here goes through the store API with the witness left alone, as sled's recovery
//! leaves it when it drops a damaged log tail (tests/tampered.rs flips bytes of the sled
//! file itself). What an attacker who also rewrites the witness can do, and how a
//! checkpoint catches it, is in tests/tampered.rs and tests/audit_scenarios.rs.

use crate::support;

use pactlog::codec::Seq;
use pactlog::store::{Op, SledStore, Store, Tree};
use serde_json::Value;
use std::path::PathBuf;
use support::{SMALL_SIZE, TempStore, small_fixture};

/// What a command did.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn describe(&self) -> String {
        format!(
            "exit {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Exit `code`, and every one of `wanted` on stderr.
    fn assert_fails(&self, code: i32, wanted: &[&str]) {
        assert_eq!(self.code, Some(code), "{}", self.describe());
        for w in wanted {
            assert!(self.stderr.contains(w), "no {w:?} in:\n{}", self.describe());
        }
        assert!(!self.stderr.contains("panicked"), "{}", self.describe());
        assert!(!self.stdout.starts_with("ok"), "{}", self.describe());
    }
}

fn run(store: &TempStore, args: &[&str]) -> Outcome {
    let out = store.cmd().args(args).output().expect("run pactlog");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `verify --json`, which must exit 3.
fn failed_json(store: &TempStore) -> Value {
    let out = run(store, &["verify", "--json"]);
    assert_eq!(out.code, Some(3), "{}", out.describe());
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.describe()))
}

fn imported() -> TempStore {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    store
}

fn witness_file(store: &TempStore) -> PathBuf {
    store.path.join("pactlog-witness")
}

fn witness_text(size: u64, head: &str) -> String {
    format!("pactlog witness v1\nsize {size}\nhead {head}\n")
}

/// The chain hash of every record, from the export.
fn hashes(store: &TempStore) -> Vec<String> {
    let out = run(store, &["export"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    out.stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("an export line");
            v["hash"].as_str().expect("a hash").to_string()
        })
        .collect()
}

/// Deletes records `from..SMALL_SIZE` through the store API, leaving the witness alone.
fn delete_tail(store: &TempStore, from: u64) {
    let s = SledStore::open(&store.path).expect("open the store");
    let ops = (from..SMALL_SIZE)
        .map(|seq| Op::Delete(Seq::new(seq).key().to_vec()))
        .collect();
    s.apply(Tree::Records, ops).expect("delete the tail");
    s.flush().expect("flush");
}

/// An event file with one more announcement between parties of the small fixture.
fn one_more_event(store: &TempStore, tag: &str) -> PathBuf {
    let file = store.dir.path().join(format!("{tag}.toml"));
    let text = format!(
        "[[event]]\nid = \"2026-01-01-{tag}\"\ndate = \"2026-01-01\"\nkind = \"announcement\"\n\
         summary = \"Acme and Globex announce {tag}.\"\nconfidence = \"reported\"\n\
         parties = [\"acme\", \"globex\"]\n\n[[event.source]]\nurl = \"https://example.com/{tag}\"\n"
    );
    std::fs::write(&file, text).expect("write an event file");
    file
}

/// Names in the store folder that are not sled's own files or the witness.
fn leftovers(store: &TempStore) -> Vec<String> {
    std::fs::read_dir(&store.path)
        .expect("read the store folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pactlog-witness") && n != "pactlog-witness")
        .collect()
}

#[test]
fn every_command_that_adds_records_leaves_a_witness_of_them_and_no_temporary_file() {
    let store = imported();
    let hashes = hashes(&store);
    let head = hashes.last().expect("a record");
    let text = std::fs::read_to_string(witness_file(&store)).expect("import wrote a witness");
    assert_eq!(text, witness_text(SMALL_SIZE, head));
    assert_eq!(leftovers(&store), Vec::<String>::new());

    let grown = store.import(&[&one_more_event(&store, "grown")]);
    let text = std::fs::read_to_string(witness_file(&store)).expect("read");
    assert_eq!(
        text,
        witness_text(SMALL_SIZE + 1, grown["head"].as_str().expect("head"))
    );

    // Restoring an export goes through the same flush.
    let export = store.dir.path().join("export.jsonl");
    assert_eq!(
        run(
            &store,
            &["export", "--output", &export.display().to_string()]
        )
        .code,
        Some(0)
    );
    let copy = TempStore::new();
    copy.import(&[&export]);
    assert_eq!(
        std::fs::read_to_string(witness_file(&copy)).expect("restore wrote a witness"),
        text
    );
    assert_eq!(leftovers(&copy), Vec::<String>::new());
}

#[test]
fn a_deleted_tail_fails_a_bare_verify_naming_the_missing_records() {
    let store = imported();
    let head_9 = hashes(&store)[9].clone();
    delete_tail(&store, 10);
    let out = run(&store, &["verify"]);
    out.assert_fails(
        3,
        &[
            "verify FAILED: the store holds 10 records but 14 were acknowledged (witness ",
            "pactlog-witness): records 10..13 are missing; sled's recovery may have dropped a \
             damaged log tail; restore from an export",
            &format!("10 records before it check out; last good head {head_9}"),
        ],
    );
    let v = failed_json(&store);
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["first_bad_seq"], 10, "{v}");
    assert_eq!(v["checked"], 10, "{v}");
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("records 10..13 are missing")),
        "{v}"
    );
}

#[test]
fn other_commands_refuse_a_store_that_lost_acknowledged_records() {
    let store = imported();
    delete_tail(&store, SMALL_SIZE - 1);
    let wanted = "the store holds 13 records but 14 were acknowledged";
    for args in [
        &["log"][..],
        &["show", "acme"],
        &["state", "--as-of", "2025-01-01"],
        &["export"],
    ] {
        let out = run(&store, args);
        out.assert_fails(
            2,
            &[
                "refusing to use the store: ",
                wanted,
                "record 13 is missing",
            ],
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.describe());
    }

    // An import must not go on, and must not lower the witness.
    let before = std::fs::read(witness_file(&store)).expect("read the witness");
    let more = one_more_event(&store, "more");
    run(&store, &["import", &more.display().to_string()]).assert_fails(2, &[wanted]);
    assert_eq!(std::fs::read(witness_file(&store)).expect("read"), before);

    // Signing would bless the shorter ledger.
    let key = store.dir.path().join("log.key");
    let keygen = run(
        &store,
        &[
            "key",
            "generate",
            "example.org/log",
            "--out",
            &key.display().to_string(),
        ],
    );
    assert_eq!(keygen.code, Some(0), "{}", keygen.describe());
    let out = run(
        &store,
        &["checkpoint", "--key-file", &key.display().to_string()],
    );
    out.assert_fails(3, &["refusing to sign", wanted]);
    assert!(out.stdout.is_empty(), "{}", out.describe());
    assert_eq!(std::fs::read(witness_file(&store)).expect("read"), before);
}

#[test]
fn a_witness_with_another_head_is_named() {
    let store = imported();
    let hashes = hashes(&store);
    let other = "ab".repeat(32);
    std::fs::write(witness_file(&store), witness_text(SMALL_SIZE, &other)).expect("write");
    let out = run(&store, &["verify"]);
    out.assert_fails(
        3,
        &[
            &format!("verify FAILED: record 13 has chain hash {}, but the witness ", hashes[13]),
            &format!("acknowledged 14 records ending in {other}: the record changed after it was acknowledged"),
            "13 records before it check out",
        ],
    );
    let v = failed_json(&store);
    assert_eq!(v["first_bad_seq"], 13, "{v}");

    // The same at an earlier size: record 9 is not the one acknowledged.
    std::fs::write(witness_file(&store), witness_text(10, &other)).expect("write");
    let out = run(&store, &["verify"]);
    out.assert_fails(
        3,
        &[
            "record 9 has chain hash",
            "acknowledged 10 records ending in",
        ],
    );
}

#[test]
fn a_garbage_witness_file_is_named_as_damage() {
    let store = imported();
    std::fs::write(witness_file(&store), b"pactlog witness v1\nsize many\n").expect("write");
    let out = run(&store, &["verify"]);
    out.assert_fails(
        3,
        &[
            "pactlog-witness is damaged (its second line is not `size N`)",
            "check the store against a checkpoint (verify --checkpoint)",
            "14 records before it check out",
        ],
    );
    let v = failed_json(&store);
    assert_eq!(v["first_bad_seq"], 14, "{v}");
    run(&store, &["log"]).assert_fails(2, &["refusing to use the store", "is damaged"]);

    std::fs::write(witness_file(&store), [0xff, 0x00, 0x13]).expect("write");
    run(&store, &["verify"]).assert_fails(3, &["is damaged (it is not UTF-8 text)"]);
}

/// A bare `verify` passes over all of the small ledger, and reading commands work.
fn assert_verifies_and_reads(store: &TempStore) {
    let out = run(store, &["verify"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let ok = format!("ok: {SMALL_SIZE} records checked");
    assert!(out.stdout.contains(&ok), "{}", out.describe());
    assert_eq!(run(store, &["log"]).code, Some(0));
}

#[test]
fn a_missing_witness_is_accepted_and_the_next_write_recreates_it() {
    let store = imported();
    let head = hashes(&store).last().expect("a record").clone();
    std::fs::remove_file(witness_file(&store)).expect("remove the witness");
    assert_verifies_and_reads(&store);

    let key = store.dir.path().join("log.key");
    let key = key.display().to_string();
    assert_eq!(
        run(
            &store,
            &["key", "generate", "example.org/log", "--out", &key]
        )
        .code,
        Some(0)
    );
    let out = run(&store, &["checkpoint", "--key-file", &key]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(
        std::fs::read_to_string(witness_file(&store)).expect("the checkpoint's flush wrote it"),
        witness_text(SMALL_SIZE, &head)
    );
}

/// A crash after sled's flush but before the witness was renamed into place leaves more
/// records than the witness: they were made durable, so nothing is wrong.
#[test]
fn a_store_with_more_records_than_its_witness_verifies_and_grows() {
    let store = imported();
    let hashes = hashes(&store);
    std::fs::write(witness_file(&store), witness_text(10, &hashes[9])).expect("write");
    assert_verifies_and_reads(&store);

    let grown = store.import(&[&one_more_event(&store, "after-crash")]);
    assert_eq!(
        std::fs::read_to_string(witness_file(&store)).expect("read"),
        witness_text(SMALL_SIZE + 1, grown["head"].as_str().expect("head"))
    );
}
