//! Tamper evidence in exports: restoring a damaged export (fixtures/tampered/*.jsonl,
//! made from the small fixture imported at `support::NOW`; fixtures/tampered/README.md says
//! how each was damaged) into an empty store is refused, names the line and what is
//! wrong, and appends nothing.

use crate::support;

use pactlog::codec::{Entry, Format};
use pactlog::ledger::Ledger;
use pactlog::store::{MemoryStore, SledStore};
use std::path::PathBuf;
use support::{SMALL_SIZE, TempStore, Verdict, repo_path, small_fixture};

/// A store holding the small fixture, imported at `support::NOW`.
fn imported() -> TempStore {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    store
}

fn tampered(name: &str) -> PathBuf {
    repo_path("fixtures/tampered").join(name)
}

/// The exports in fixtures/tampered/ were made from this import when records were
/// written in format 1: the clean one must still be what the import gives, written in
/// format 1, or the damaged ones test nothing. (They stay format-1 exports on purpose:
/// old exports must keep restoring, and their damage keep being found.)
#[test]
fn the_clean_export_fixture_is_the_export_of_the_small_import() {
    let store = imported();
    let ledger = Ledger::open(SledStore::open(&store.path).expect("open store")).expect("open");
    let mut at = None;
    let entries: Vec<Entry> = ledger
        .records(0, None)
        .map(|r| {
            let r = r.expect("read");
            at = Some(r.recorded_at);
            r.entry
        })
        .collect();
    let mut v1 = Ledger::open(MemoryStore::new()).expect("open");
    v1.append_unchecked_in(entries, at.expect("records"), Format::V1)
        .expect("the small fixture fits format 1");
    let mut out = Vec::new();
    pactlog::import::export(&v1, &mut out).expect("export");
    let clean = std::fs::read(tampered("clean.jsonl")).expect("read clean.jsonl");
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&clean)
    );
}

fn restore(name: &str) -> (Verdict, TempStore) {
    let store = TempStore::new();
    let out = store
        .cmd()
        .arg("import")
        .arg(tampered(name))
        .output()
        .expect("run import");
    let verdict = Verdict::of(&out);
    (verdict, store)
}

fn assert_restore_refused(name: &str, line: usize, wanted: &str) {
    let (verdict, store) = restore(name);
    assert_eq!(verdict.code, Some(1), "{name}: {}", verdict.describe());
    let prefix = format!("{}:{line}: ", tampered(name).display());
    assert!(
        verdict
            .stderr
            .lines()
            .any(|l| l.starts_with(&prefix) && l.contains(wanted)),
        "{name}: no line {prefix:?}...{wanted:?} in:\n{}",
        verdict.describe()
    );
    assert!(
        !verdict.stderr.contains("panicked"),
        "{}",
        verdict.describe()
    );
    // Nothing appended: the store the restore would have created is not there at all.
    assert!(
        !store.path.exists(),
        "{name}: a refused restore left a store behind"
    );
}

#[test]
fn a_clean_export_restores_to_the_same_head() {
    let (verdict, store) = restore("clean.jsonl");
    assert_eq!(verdict.code, Some(0), "{}", verdict.describe());
    assert!(
        verdict.stdout.contains("restored 14 of 14 records"),
        "{}",
        verdict.describe()
    );
    let v = store.json(&["verify", "--json"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["checked"], SMALL_SIZE);
}

#[test]
fn an_export_with_a_flipped_base64_character_is_refused_at_its_line() {
    assert_restore_refused(
        "flipped-bytes.jsonl",
        6,
        "do not hash to the chain hash stored with them",
    );
}

#[test]
fn an_export_with_rewritten_bytes_and_hash_is_refused_at_the_next_line() {
    assert_restore_refused(
        "rewritten-rehashed.jsonl",
        7,
        "record 6: its prev hash is not the hash of record 5 (the chain is broken)",
    );
}

#[test]
fn an_export_with_a_deleted_line_is_refused_where_the_gap_is() {
    assert_restore_refused(
        "deleted-line.jsonl",
        6,
        "record 5: it says it is record 6 (records were moved or swapped)",
    );
}

#[test]
fn an_export_with_swapped_lines_is_refused_at_the_first() {
    assert_restore_refused(
        "swapped-lines.jsonl",
        4,
        "record 3: it says it is record 4 (records were moved or swapped)",
    );
}

#[test]
fn an_export_cut_mid_line_is_refused_at_the_cut() {
    assert_restore_refused("truncated.jsonl", 9, "not a JSON object");
}

#[test]
fn an_export_with_a_garbage_line_is_refused_at_it() {
    assert_restore_refused("garbage-line.jsonl", 4, "not a JSON object");
}

#[test]
fn an_export_whose_hash_field_lies_is_refused() {
    assert_restore_refused(
        "wrong-hash-field.jsonl",
        3,
        "do not hash to the chain hash stored with them",
    );
}

#[test]
fn an_export_whose_seq_field_lies_is_refused() {
    assert_restore_refused(
        "wrong-seq-field.jsonl",
        3,
        "does not match the record's own seq 2",
    );
}

#[test]
fn an_export_with_invalid_base64_is_refused() {
    assert_restore_refused("bad-base64.jsonl", 2, "\"bytes\" is not base64");
}

/// The limit of an export on its own: a prefix of a valid export is a valid export.
/// Comparing the restored head with a checkpoint (or the head the exporter published)
/// is what shows that records are missing.
#[test]
fn a_cut_off_export_restores_as_a_shorter_valid_ledger() {
    let (verdict, store) = restore("tail-cut.jsonl");
    assert_eq!(verdict.code, Some(0), "{}", verdict.describe());
    let v = store.json(&["verify", "--json"]);
    assert_eq!(v["checked"], 10);
}
