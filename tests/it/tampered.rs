//! Tamper evidence: stores and exports damaged in known ways must fail `verify` (exit 3,
//! or 2 for a store that cannot be opened) with a message that names what is wrong and
//! where; nothing may panic and nothing may report success.
//!
//! Damaged stores are built here, not committed: the small fixture is imported at the
//! fixed instant `support::NOW`, then damaged deterministically through the library's store
//! API (a flipped byte, a deleted key, swapped values, recomputed hashes) or at the file
//! level (the sled `db` file cut short or with a byte flipped, foreign files in the store
//! folder). Damaged exports are tested in tests/tampered_exports.rs.
//!
//! Damage through the store API leaves the store's witness (`pactlog-witness`, the
//! acknowledged size and head) as it was: damage that removes or replaces acknowledged
//! records is then caught by the witness too (tests/witness.rs). The tests of what only a
//! checkpoint can show model an attacker who also rewrites or removes the witness.

use crate::support;

use pactlog::codec::ChainHash;
use pactlog::codec::{self, Entry, Record, Seq};
use pactlog::ledger::StoredRecord;
use pactlog::store::{Op, SledStore, Store, Tree};
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{SMALL_SIZE, TempStore, Verdict, small_fixture};

/// The record the store-level damage hits: an event in the middle of the small ledger.
const VICTIM: u64 = 5;

fn verify(store: &TempStore, extra: &[&str]) -> Verdict {
    let out = store
        .cmd()
        .arg("verify")
        .args(extra)
        .output()
        .expect("run pactlog verify");
    Verdict::of(&out)
}

/// `verify --json`: the JSON report must say not ok and name `seq` as the first bad one.
fn assert_json_names(store: &TempStore, seq: u64) {
    let out = store
        .cmd()
        .args(["verify", "--json"])
        .output()
        .expect("run verify --json");
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).expect("verify --json prints JSON");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["first_bad_seq"], seq, "{v}");
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
}

/// A store holding the small fixture, imported at `support::NOW`.
fn imported() -> TempStore {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    store
}

/// Runs `damage` on the raw store (no ledger on top, so nothing is repaired on open).
fn damage(store: &TempStore, damage: impl FnOnce(&SledStore)) {
    let s = SledStore::open(&store.path).expect("open the store to damage it");
    damage(&s);
    s.flush().expect("flush the damage");
}

fn value(s: &SledStore, seq: u64) -> Vec<u8> {
    s.get(Tree::Records, &Seq::new(seq).key())
        .expect("read")
        .unwrap_or_else(|| panic!("record {seq} is there"))
        .to_vec()
}

/// Flips the bits `mask` of byte `at` in the victim's stored value.
fn flip(s: &SledStore, at: usize, mask: u8) {
    let mut v = value(s, VICTIM);
    v[at] ^= mask;
    put(s, VICTIM, v);
}

fn put(s: &SledStore, seq: u64, value: Vec<u8>) {
    s.apply(
        Tree::Records,
        vec![Op::Put(Seq::new(seq).key().to_vec(), value)],
    )
    .expect("write");
}

/// The stored value of `record` with both hashes computed honestly, as a forger would.
fn forged(record: &Record) -> Vec<u8> {
    let bytes = codec::encode(record).expect("encode");
    StoredRecord {
        seq: record.seq,
        hash: ChainHash::of(&bytes),
        leaf: pactlog::merkle::leaf_hash(&bytes),
        bytes,
    }
    .to_value()
}

fn decoded(s: &SledStore, seq: u64) -> Record {
    StoredRecord::from_value(Seq::new(seq), &value(s, seq))
        .expect("split")
        .decode()
        .expect("decode")
}

/// Rewrites the summary of event `seq` (with honest hashes for the new bytes).
fn rewrite_summary(s: &SledStore, seq: u64) -> Record {
    let mut record = decoded(s, seq);
    let Entry::Event(e) = &mut record.entry else {
        panic!("record {seq} is an event");
    };
    e.summary = "Nothing happened.".into();
    put(s, seq, forged(&record));
    record
}

/// What an attacker who can edit the store's files does after changing its records:
/// rewrites the witness beside the sled files to match them (it is a plain text file in a
/// documented format), so that a bare verify has nothing to compare them with.
fn rewrite_witness(store: &TempStore) {
    let s = SledStore::open(&store.path).expect("open the store");
    let (k, v) = s
        .last(Tree::Records)
        .expect("read")
        .expect("a record is left");
    let size = u64::from_be_bytes(k.as_ref().try_into().expect("a seq key")) + 1;
    let head = ChainHash::from_bytes(v[..32].try_into().expect("a chain hash"));
    drop(s);
    let text = format!("pactlog witness v1\nsize {size}\nhead {}\n", head.to_hex());
    std::fs::write(store.path.join("pactlog-witness"), text).expect("rewrite the witness");
}

/// The other way to hide a change from the witness: remove it, so the store looks like one
/// made before witnesses existed.
fn remove_witness(store: &TempStore) {
    std::fs::remove_file(store.path.join("pactlog-witness")).expect("remove the witness");
}

/// Position of the first byte of `needle` in the canonical bytes of a stored value.
fn offset_in_value(value: &[u8], needle: &[u8]) -> usize {
    value
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the text is in the record")
}

// ---------------------------------------------------------------------------------------
// Damage to records, through the store API.

#[test]
fn a_flipped_byte_in_a_record_value_names_the_record_and_the_modification() {
    let store = imported();
    damage(&store, |s| {
        let Entry::Event(event) = decoded(s, VICTIM).entry else {
            panic!("record {VICTIM} is an event");
        };
        // One letter of the summary: the bytes still decode, only the hash shows it.
        let at = offset_in_value(&value(s, VICTIM), event.summary.as_bytes());
        flip(s, at, 0x20);
    });
    verify(&store, &[]).assert_tampering(&[
        "record 5: its bytes do not hash to the chain hash stored with them (the record was modified)",
        "5 records before it check out",
    ]);
    assert_json_names(&store, VICTIM);
}

#[test]
fn a_flipped_byte_in_a_stored_chain_hash_names_the_record() {
    let store = imported();
    damage(&store, |s| flip(s, 7, 0x80));
    verify(&store, &[])
        .assert_tampering(&["record 5: its bytes do not hash to the chain hash stored with them"]);
}

#[test]
fn a_flipped_byte_in_a_stored_leaf_hash_names_the_record() {
    let store = imported();
    damage(&store, |s| flip(s, 40, 0x01));
    verify(&store, &[])
        .assert_tampering(&["record 5: its bytes do not match its stored Merkle leaf hash"]);
}

#[test]
fn a_rewritten_record_with_recomputed_hashes_breaks_the_link_of_the_next() {
    let store = imported();
    damage(&store, |s| {
        rewrite_summary(s, VICTIM);
    });
    verify(&store, &[]).assert_tampering(&[
        "record 6: its prev hash is not the hash of record 5 (the chain is broken)",
        "6 records before it check out",
    ]);
    assert_json_names(&store, VICTIM + 1);
}

#[test]
fn a_rewritten_last_record_with_recomputed_hashes_disagrees_with_the_merkle_tree() {
    let store = imported();
    damage(&store, |s| {
        rewrite_summary(s, SMALL_SIZE - 1);
    });
    // Else the witness names record 13 first (tests/witness.rs).
    rewrite_witness(&store);
    verify(&store, &[]).assert_tampering(&[
        "merkle tree of 14 records: stored tiles give root",
        "the records give",
    ]);
}

#[test]
fn a_record_whose_bytes_do_not_decode_is_named_with_the_reason() {
    let store = imported();
    damage(&store, |s| {
        let v = value(s, VICTIM);
        // Honest hashes over bytes with one trailing byte: only strict decoding sees it.
        let mut bytes = v[64..].to_vec();
        bytes.push(0);
        let stored = StoredRecord {
            seq: Seq::new(VICTIM),
            hash: ChainHash::of(&bytes),
            leaf: pactlog::merkle::leaf_hash(&bytes),
            bytes,
        };
        put(s, VICTIM, stored.to_value());
    });
    verify(&store, &[]).assert_tampering(&["record 5: record has 1 trailing bytes"]);
}

#[test]
fn a_record_of_an_unknown_format_version_is_named() {
    let store = imported();
    damage(&store, |s| {
        let mut bytes = value(s, VICTIM)[64..].to_vec();
        bytes[0] = 9;
        let stored = StoredRecord {
            seq: Seq::new(VICTIM),
            hash: ChainHash::of(&bytes),
            leaf: pactlog::merkle::leaf_hash(&bytes),
            bytes,
        };
        put(s, VICTIM, stored.to_value());
    });
    verify(&store, &[]).assert_tampering(&["record 5: unknown record format version 9"]);
}

#[test]
fn a_deleted_record_is_named_with_the_next_one_found() {
    let store = imported();
    damage(&store, |s| {
        s.apply(
            Tree::Records,
            vec![Op::Delete(Seq::new(VICTIM).key().to_vec())],
        )
        .expect("delete");
    });
    verify(&store, &[]).assert_tampering(&[
        "record 5 is missing: the next record found is 6 (records were deleted)",
    ]);
    assert_json_names(&store, VICTIM);
}

#[test]
fn swapped_records_are_named_as_moved() {
    let store = imported();
    damage(&store, |s| {
        let (a, b) = (value(s, 3), value(s, 4));
        put(s, 3, b);
        put(s, 4, a);
    });
    verify(&store, &[])
        .assert_tampering(&["record 3: it says it is record 4 (records were moved or swapped)"]);
    assert_json_names(&store, 3);
}

#[test]
fn a_record_value_cut_shorter_than_its_hashes_is_named() {
    let store = imported();
    damage(&store, |s| {
        let v = value(s, VICTIM);
        put(s, VICTIM, v[..40].to_vec());
    });
    verify(&store, &[]).assert_tampering(&["record 5: stored value is shorter than its hashes"]);
}

#[test]
fn a_foreign_key_in_the_records_tree_is_named() {
    let store = imported();
    damage(&store, |s| {
        s.apply(
            Tree::Records,
            vec![Op::Put(
                b"\x00\x00\x00\x00\x00\x00\x00\x05x".to_vec(),
                b"junk".to_vec(),
            )],
        )
        .expect("write");
    });
    let verdict = verify(&store, &[]);
    assert!(
        matches!(verdict.code, Some(2 | 3)),
        "{}",
        verdict.describe()
    );
    verdict.assert_says(&["record"]);
}

#[test]
fn a_record_appended_behind_the_ledgers_back_is_named() {
    let store = imported();
    damage(&store, |s| {
        let mut v = value(s, SMALL_SIZE - 1);
        v[70] ^= 0x10;
        put(s, SMALL_SIZE, v);
    });
    let verdict = verify(&store, &[]);
    assert_eq!(verdict.code, Some(3), "{}", verdict.describe());
    verdict.assert_says(&["record 14"]);
}

#[test]
fn a_damaged_merkle_tile_is_reported_as_a_root_mismatch() {
    let store = imported();
    damage(&store, |s| {
        let tiles: Vec<(Vec<u8>, Vec<u8>)> = s
            .range(Tree::Merkle, b"", None)
            .map(|e| e.map(|(k, v)| (k.to_vec(), v.to_vec())))
            .collect::<Result<_, _>>()
            .expect("read tiles");
        let (key, mut tile) = tiles.into_iter().next().expect("a tile");
        tile[3] ^= 0x01;
        s.apply(Tree::Merkle, vec![Op::Put(key, tile)])
            .expect("write");
    });
    verify(&store, &[]).assert_tampering(&["merkle tree of 14 records"]);
}

// ---------------------------------------------------------------------------------------
// What a bare chain cannot show, and what a checkpoint signed earlier adds.

/// A verifier key and a checkpoint of `store` as it is now, signed on a copy of it so the
/// store itself is left byte for byte as the import wrote it.
struct Signed {
    note: PathBuf,
    vkey: PathBuf,
}

fn sign_checkpoint(store: &TempStore) -> Signed {
    let copy = TempStore::new();
    copy_dir(&store.path, &copy.path);
    let key = store.dir.path().join("log.key");
    copy.cmd()
        .args(["key", "generate", "example.org/log", "--out"])
        .arg(&key)
        .assert()
        .success();
    let out = copy
        .cmd()
        .args(["checkpoint", "--key-file"])
        .arg(&key)
        .output()
        .expect("sign");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let note = store.dir.path().join("checkpoint.note");
    std::fs::write(&note, &out.stdout).expect("write the note");
    Signed {
        note,
        vkey: key.with_extension("pub"),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn verify_against(store: &TempStore, signed: &Signed) -> Verdict {
    let note = signed.note.display().to_string();
    let vkey = signed.vkey.display().to_string();
    verify(store, &["--checkpoint", &note, "--key-file", &vkey])
}

/// `verify --checkpoint ... --json` must exit 3 and say not ok, with a checkpoint error
/// holding `wanted`. (The human output is checked by the known-bug test below: it still
/// prints an `ok:` line for the chain when the checkpoint fails.)
fn assert_checkpoint_fails(store: &TempStore, signed: &Signed, wanted: &str) {
    let note = signed.note.display().to_string();
    let vkey = signed.vkey.display().to_string();
    let verdict = verify(
        store,
        &["--checkpoint", &note, "--key-file", &vkey, "--json"],
    );
    assert_eq!(verdict.code, Some(3), "{}", verdict.describe());
    assert!(
        !verdict.stderr.contains("panicked"),
        "{}",
        verdict.describe()
    );
    let v: Value = serde_json::from_str(&verdict.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", verdict.describe()));
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["checkpoint_ok"], false, "{v}");
    assert!(
        v["checkpoint_error"]
            .as_str()
            .is_some_and(|e| e.contains(wanted)),
        "no {wanted:?} in {v}"
    );
}

#[test]
fn a_checkpoint_of_the_untouched_store_verifies() {
    let store = imported();
    let signed = sign_checkpoint(&store);
    let verdict = verify_against(&store, &signed);
    assert_eq!(verdict.code, Some(0), "{}", verdict.describe());
    assert!(
        verdict.stdout.contains("checkpoint ok"),
        "{}",
        verdict.describe()
    );
}

/// The limit of a bare chain: deleting the tail leaves a valid, shorter chain. The witness
/// shows it (tests/witness.rs), unless whoever deleted the tail removed the witness too:
/// then only a checkpoint signed earlier shows that records were removed.
#[test]
fn a_deleted_tail_and_witness_pass_a_bare_verify_but_fail_against_a_checkpoint() {
    let store = imported();
    let signed = sign_checkpoint(&store);
    damage(&store, |s| {
        let ops = (10..SMALL_SIZE)
            .map(|seq| Op::Delete(Seq::new(seq).key().to_vec()))
            .collect();
        s.apply(Tree::Records, ops).expect("delete the tail");
    });
    assert_eq!(verify(&store, &[]).code, Some(3), "the witness shows it");
    remove_witness(&store);
    let bare = verify(&store, &[]);
    assert_eq!(bare.code, Some(0), "{}", bare.describe());
    assert!(
        bare.stdout.contains("ok: 10 records checked"),
        "{}",
        bare.describe()
    );
    let verdict = verify_against(&store, &signed);
    assert_eq!(verdict.code, Some(3), "{}", verdict.describe());
    assert!(verdict.stderr.contains(
        "checkpoint FAILED: the ledger has 10 records but the checkpoint covers 14: records were removed"
    ), "{}", verdict.describe());
    assert_checkpoint_fails(&store, &signed, "records were removed");
}

/// The other limit: a forger who rewrites a record, re-chains every record after it, has
/// the derived data rebuilt and rewrites the witness leaves a chain that checks out on its
/// own. A checkpoint signed before the forgery exposes it.
#[test]
fn a_rechained_forgery_passes_a_bare_verify_but_fails_against_a_checkpoint() {
    let store = imported();
    let signed = sign_checkpoint(&store);
    damage(&store, |s| {
        let mut prev = rewrite_summary(s, VICTIM);
        for seq in VICTIM + 1..SMALL_SIZE {
            let mut record = decoded(s, seq);
            record.prev = ChainHash::of(&codec::encode(&prev).expect("encode"));
            put(s, seq, forged(&record));
            prev = record;
        }
        // Make the next open rebuild ids, pairs and Merkle tiles from the forged records.
        s.apply(Tree::Meta, vec![Op::Delete(b"index".to_vec())])
            .expect("drop the index version");
    });
    let caught = verify(&store, &[]);
    caught.assert_tampering(&["record 13 has chain hash", "but the witness"]);
    rewrite_witness(&store);
    let bare = verify(&store, &[]);
    assert_eq!(bare.code, Some(0), "{}", bare.describe());
    let verdict = verify_against(&store, &signed);
    assert_eq!(verdict.code, Some(3), "{}", verdict.describe());
    assert!(
        verdict.stderr.contains(
            "checkpoint FAILED: not consistent with the checkpoint: the first 14 records have root"
        ),
        "{}",
        verdict.describe()
    );
    assert_checkpoint_fails(&store, &signed, "(records were rewritten)");
}

// ---------------------------------------------------------------------------------------
// Damage to the sled files themselves.

fn db_file(store: &TempStore) -> PathBuf {
    store.path.join("db")
}

/// Offsets spread over the part of the `db` file that holds data.
fn offsets(store: &TempStore, n: u64) -> Vec<u64> {
    let len = std::fs::metadata(db_file(store)).expect("db file").len();
    (0..n).map(|i| 16 + i * (len - 32) / n).collect()
}

/// Copies the pristine store to a fresh folder for one damage.
fn fresh_copy(pristine: &TempStore) -> TempStore {
    let copy = TempStore::new();
    copy_dir(&pristine.path, &copy.path);
    copy
}

/// Against a checkpoint, a store whose `db` file lost records never verifies: sled
/// refuses to open it (exit 2) or opens what survived, which the checkpoint shows is
/// shorter (exit 3). A cut that only removes bytes sled no longer needs (log entries
/// superseded by later ones) leaves every record, and verifies.
/// Verifies a store whose sled files were damaged against a checkpoint signed before the
/// damage. Damage sled no longer reads must leave every record (exit 0, checkpoint ok);
/// anything else must stop the store from opening (exit 2) or fail the checkpoint (exit 3).
/// Returns 1 when the damage was seen, 0 when it was harmless.
fn judge_sled_damage(store: &TempStore, signed: &Signed, what: &str, removed: &str) -> u32 {
    let verdict = verify_against(store, signed);
    match verdict.code {
        Some(0) => {
            assert!(
                verdict.stdout.contains("ok: 14 records checked")
                    && verdict.stdout.contains("checkpoint ok"),
                "{what}: {}",
                verdict.describe()
            );
            0
        }
        Some(2) => {
            verdict.assert_says(&["cannot open store"]);
            1
        }
        Some(3) => {
            assert_checkpoint_fails(store, signed, removed);
            1
        }
        _ => panic!("{what}: {}", verdict.describe()),
    }
}

#[test]
fn a_truncated_sled_file_never_verifies_against_a_checkpoint() {
    let pristine = imported();
    let signed = sign_checkpoint(&pristine);
    let mut damaged = 0;
    for cut in offsets(&pristine, 12) {
        let store = fresh_copy(&pristine);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(db_file(&store))
            .expect("open db");
        file.set_len(cut).expect("truncate");
        drop(file);
        damaged += judge_sled_damage(
            &store,
            &signed,
            &format!("cut at {cut}"),
            "records were removed",
        );
    }
    assert!(damaged > 0, "no cut reached the data");
}

#[test]
fn a_flipped_byte_in_the_sled_file_never_verifies_against_a_checkpoint() {
    let pristine = imported();
    let signed = sign_checkpoint(&pristine);
    let mut damaged = 0;
    for at in offsets(&pristine, 24) {
        let store = fresh_copy(&pristine);
        let mut bytes = std::fs::read(db_file(&store)).expect("read db");
        bytes[at as usize] ^= 0x55;
        std::fs::write(db_file(&store), bytes).expect("write db");
        damaged += judge_sled_damage(&store, &signed, &format!("flip at {at}"), "");
    }
    assert!(damaged > 0, "no flip reached the data");
}

/// Without a checkpoint too: sled's recovery treats a damaged byte as the end of its log and
/// opens what came before it, but the witness still says how many records were
/// acknowledged, so a bare verify never passes a store that lost records (it must not
/// print `ok` for the shorter chain).
#[test]
fn a_flipped_byte_in_the_sled_file_fails_a_bare_verify() {
    let pristine = imported();
    let mut lost = 0;
    for at in offsets(&pristine, 24) {
        let store = fresh_copy(&pristine);
        let mut bytes = std::fs::read(db_file(&store)).expect("read db");
        bytes[at as usize] ^= 0x55;
        std::fs::write(db_file(&store), bytes).expect("write db");
        let verdict = verify(&store, &[]);
        let whole = verdict.code == Some(0) && verdict.stdout.contains("ok: 14 records");
        assert!(
            whole || matches!(verdict.code, Some(2 | 3)),
            "flip at {at}: {}",
            verdict.describe()
        );
        if verdict.code == Some(3) && verdict.stderr.contains("14 were acknowledged") {
            verdict.assert_says(&["are missing", "restore from an export"]);
            lost += 1;
        }
    }
    assert!(
        lost > 0,
        "no flip made sled drop records: this tests nothing"
    );
}

#[test]
fn a_garbage_snapshot_file_in_the_store_folder_stops_the_store_from_opening() {
    let store = imported();
    std::fs::write(store.path.join("snap.0000000000001000"), [0xA5; 700]).expect("write");
    let verdict = verify(&store, &[]);
    assert_eq!(verdict.code, Some(2), "{}", verdict.describe());
    verdict.assert_says(&["cannot open store", "Read corrupted data"]);
}

#[test]
fn a_garbage_conf_file_stops_the_store_from_opening() {
    let store = imported();
    std::fs::write(store.path.join("conf"), b"segment_size: lots\n\x00\xff").expect("write");
    let verdict = verify(&store, &[]);
    assert_eq!(verdict.code, Some(2), "{}", verdict.describe());
    verdict.assert_says(&["cannot open store"]);
}

/// sled reads only its own files: an unrelated file beside them changes no record, and
/// verify rightly checks the ledger it finds.
#[test]
fn an_unrelated_file_in_the_store_folder_changes_nothing_verified() {
    let store = imported();
    std::fs::write(store.path.join("notes.txt"), b"\x00garbage\xff").expect("write");
    let verdict = verify(&store, &[]);
    assert_eq!(verdict.code, Some(0), "{}", verdict.describe());
    assert!(
        verdict.stdout.contains("ok: 14 records checked"),
        "{}",
        verdict.describe()
    );
}

// ---------------------------------------------------------------------------------------
// The human output of a failed checkpoint check.

#[test]
fn a_failed_checkpoint_check_prints_no_ok_line() {
    let store = imported();
    let signed = sign_checkpoint(&store);
    damage(&store, |s| {
        s.apply(
            Tree::Records,
            vec![Op::Delete(Seq::new(SMALL_SIZE - 1).key().to_vec())],
        )
        .expect("delete");
    });
    let verdict = verify_against(&store, &signed);
    assert_eq!(verdict.code, Some(3), "{}", verdict.describe());
    verdict.assert_says(&["checkpoint FAILED"]);
}
