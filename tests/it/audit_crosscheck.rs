//! What the `pactlog` binary hands an auditor, checked by independent implementations:
//! checkpoint notes by the `signed_note` crate (C2SP signed-note) and `tlog_tiles`'s
//! checkpoint parser, inclusion and consistency proofs by `tlog_tiles`'s RFC 6962
//! verifiers, and, the other way round, a checkpoint note that `signed_note` signs with
//! the key pactlog generated is accepted by `pactlog verify --checkpoint`.
//!
//! tests/checkpoint_crosscheck.rs does the same at the level of the library's notes and
//! keys; here everything comes out of (or goes into) the CLI, over a real ledger.

use crate::support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pactlog::checkpoint::{SigningKey, TlogProof};
use pactlog::merkle::Hash;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::{TempStore, events_dir};

/// Records after importing events/.
const EVENTS_SIZE: u64 = 92;
const KEY_NAME: &str = "example.org/pactlog";

/// Go's sumdb/note test key: a witness that is neither pactlog nor the log's key.
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

use support::{assert_code, stderr_of, stdout_of};

fn run(store: &TempStore, args: &[&str]) -> Output {
    store.cmd().args(args).output().expect("run pactlog")
}

/// events/ imported, a key generated and a checkpoint signed, all by the CLI.
struct Log {
    store: TempStore,
    /// The private key file.
    skey: PathBuf,
    /// The verifier key text `pactlog key generate` printed.
    vkey: String,
    /// The checkpoint note `pactlog checkpoint` printed.
    note: String,
}

fn signed_log() -> Log {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let skey = store.dir.path().join("log.key");
    let out = store
        .cmd()
        .args(["key", "generate", KEY_NAME, "--out"])
        .arg(&skey)
        .output()
        .unwrap();
    assert_code(&out, 0, "key generate");
    let vkey = stdout_of(&out).trim().to_string();
    let out = store
        .cmd()
        .args(["checkpoint", "--key-file"])
        .arg(&skey)
        .output()
        .unwrap();
    assert_code(&out, 0, "checkpoint");
    Log {
        store,
        skey,
        vkey,
        note: stdout_of(&out),
    }
}

use support::audit::{their_sign, their_verifiers};

/// `verify --json` of the store: its head (hex) and root (base64).
fn head_and_root(store: &TempStore) -> (String, String) {
    let v = store.json(&["verify", "--json"]);
    (
        v["head"].as_str().unwrap().to_string(),
        v["root"].as_str().unwrap().to_string(),
    )
}

/// The canonical bytes of every record, from `pactlog export`.
fn exported_bytes(store: &TempStore) -> Vec<Vec<u8>> {
    let out = run(store, &["export"]);
    assert_code(&out, 0, "export");
    stdout_of(&out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            STANDARD.decode(v["bytes"].as_str().unwrap()).unwrap()
        })
        .collect()
}

fn tlog(h: &Hash) -> tlog_tiles::Hash {
    tlog_tiles::Hash(*h.as_bytes())
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn verify_against(store: &TempStore, note: &Path, vkey: &str) -> Output {
    store
        .cmd()
        .arg("verify")
        .arg("--checkpoint")
        .arg(note)
        .args([support::key_flag(vkey), vkey])
        .output()
        .unwrap()
}

#[test]
fn the_cli_checkpoint_verifies_with_signed_note_and_parses_with_tlog_tiles() {
    let log = signed_log();
    let parsed = signed_note::Note::from_bytes(log.note.as_bytes()).expect("signed_note parses");
    let (verified, unverified) = parsed
        .verify(&their_verifiers(&[&log.vkey]))
        .expect("signed_note verifies pactlog's checkpoint");
    assert_eq!(verified.len(), 1);
    assert!(unverified.is_empty());
    assert_eq!(verified[0].name(), KEY_NAME);

    let body = std::str::from_utf8(parsed.text()).unwrap();
    let checkpoint =
        tlog_tiles::Checkpoint::from_bytes(body.as_bytes()).expect("tlog_tiles parses");
    let (head, root) = head_and_root(&log.store);
    assert_eq!(checkpoint.origin(), KEY_NAME);
    assert_eq!(checkpoint.size(), EVENTS_SIZE);
    assert_eq!(checkpoint.hash().to_string(), root);
    assert_eq!(checkpoint.extension(), format!("pactlog-head {head}\n"));
    assert_eq!(checkpoint.to_bytes(), body.as_bytes());

    // And the root it signs is the RFC 6962 root tlog_tiles computes from the records.
    let bytes = exported_bytes(&log.store);
    let stored = StoredHashes::of(&bytes);
    assert_eq!(
        tlog_tiles::tree_hash(EVENTS_SIZE, &stored).unwrap(),
        *checkpoint.hash()
    );

    // A checkpoint with one changed byte fails on their side too.
    let tampered = log.note.replacen(
        &format!("\n{EVENTS_SIZE}\n"),
        &format!("\n{}\n", EVENTS_SIZE - 1),
        1,
    );
    assert_ne!(tampered, log.note);
    let theirs = signed_note::Note::from_bytes(tampered.as_bytes())
        .unwrap()
        .verify(&their_verifiers(&[&log.vkey]));
    assert!(theirs.is_err());
}

/// A flat in-memory store of tlog_tiles' stored hashes.
struct StoredHashes(Vec<tlog_tiles::Hash>);

impl StoredHashes {
    /// The tree of `records`, built by tlog_tiles alone.
    fn of(records: &[Vec<u8>]) -> StoredHashes {
        let mut stored = StoredHashes(Vec::new());
        for (n, record) in records.iter().enumerate() {
            let hashes = tlog_tiles::stored_hashes(n as u64, record, &stored).unwrap();
            stored.0.extend(hashes);
        }
        stored
    }
}

impl tlog_tiles::HashReader for StoredHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                let i = usize::try_from(i).map_err(|_| tlog_tiles::Error::IndexesNotInTree)?;
                self.0
                    .get(i)
                    .copied()
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

#[test]
fn cli_inclusion_proofs_verify_with_tlog_tiles() {
    let log = signed_log();
    let bytes = exported_bytes(&log.store);
    let ids: Vec<String> = run(&log.store, &["export"])
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    let theirs = tlog_tiles::Checkpoint::from_bytes(
        signed_note::Note::from_bytes(log.note.as_bytes())
            .unwrap()
            .text(),
    )
    .unwrap();
    let root = *theirs.hash();

    // Both ends, the first event (17), and leaves at and around subtree edges.
    for seq in [0usize, 1, 16, 17, 31, 32, 40, 54, 55, 68, 69] {
        let out = run(&log.store, &["proof", "inclusion", &ids[seq]]);
        assert_code(&out, 0, "proof inclusion");
        let proof = TlogProof::parse(&stdout_of(&out)).unwrap();
        assert_eq!(proof.index(), seq as u64);
        assert_eq!(
            proof.extra(),
            Some(&bytes[seq][..]),
            "extra is the record's canonical bytes"
        );
        assert_eq!(proof.checkpoint_note(), log.note);

        let path: Vec<tlog_tiles::Hash> = proof
            .hashes()
            .iter()
            .map(|&h| tlog_tiles::Hash(h))
            .collect();
        let leaf = tlog_tiles::record_hash(&bytes[seq]);
        tlog_tiles::check_record(&path, EVENTS_SIZE, root, seq as u64, leaf)
            .unwrap_or_else(|e| panic!("record {seq}: {e}"));
        // tlog_tiles proves the same path from the records alone.
        let stored = StoredHashes::of(&bytes);
        assert!(tlog_tiles::prove_record(EVENTS_SIZE, seq as u64, &stored).unwrap() == path);
        // The path is specific to its leaf.
        let other = tlog_tiles::record_hash(&bytes[(seq + 1) % bytes.len()]);
        assert!(tlog_tiles::check_record(&path, EVENTS_SIZE, root, seq as u64, other).is_err());
    }
}

#[test]
fn cli_consistency_proofs_verify_with_tlog_tiles() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let bytes = exported_bytes(&store);
    let stored = StoredHashes::of(&bytes);
    for (old, new) in [
        (1u64, EVENTS_SIZE),
        (7, EVENTS_SIZE),
        (16, 33),
        (32, EVENTS_SIZE),
        (EVENTS_SIZE - 1, EVENTS_SIZE),
        (EVENTS_SIZE, EVENTS_SIZE),
    ] {
        let v = store.json(&[
            "proof",
            "consistency",
            &old.to_string(),
            &new.to_string(),
            "--json",
        ]);
        let parse = |v: &serde_json::Value| -> Hash { v.as_str().unwrap().parse().unwrap() };
        let old_root = parse(&v["old_root"]);
        let new_root = parse(&v["new_root"]);
        let proof: Vec<tlog_tiles::Hash> = v["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| tlog(&parse(h)))
            .collect();
        assert!(tlog_tiles::tree_hash(old, &stored).unwrap() == tlog(&old_root));
        assert!(tlog_tiles::tree_hash(new, &stored).unwrap() == tlog(&new_root));
        tlog_tiles::check_tree(&proof, new, tlog(&new_root), old, tlog(&old_root))
            .unwrap_or_else(|e| panic!("{old} -> {new}: {e}"));
        assert!(tlog_tiles::prove_tree(new, old, &stored).unwrap() == proof);
    }
}

#[test]
fn a_checkpoint_signed_by_signed_note_with_the_pactlog_key_is_accepted_by_verify() {
    let log = signed_log();
    let dir = log.store.dir.path();
    let private = std::fs::read_to_string(&log.skey).unwrap();
    let private = private.trim();
    let (_, root) = head_and_root(&log.store);

    // The body written by tlog_tiles (no pactlog-head extension), signed by signed_note.
    let body = tlog_tiles::Checkpoint::new(
        KEY_NAME,
        EVENTS_SIZE,
        tlog(&root.parse::<Hash>().unwrap()),
        "",
    )
    .unwrap()
    .to_bytes();
    let note = their_sign(std::str::from_utf8(&body).unwrap(), private);
    let file = write(dir, "theirs.note", &note);
    let out = verify_against(&log.store, &file, &log.vkey);
    assert_code(&out, 0, "verify against signed_note's checkpoint");
    assert!(
        stdout_of(&out).contains(&format!(
            "checkpoint ok: \"{KEY_NAME}\" at size {EVENTS_SIZE} is a prefix"
        )),
        "{}",
        stdout_of(&out)
    );

    // pactlog's own body signed by signed_note is pactlog's note, byte for byte
    // (Ed25519 is deterministic), so verify accepts it too.
    let ours = signed_note::Note::from_bytes(log.note.as_bytes()).unwrap();
    let resigned = their_sign(std::str::from_utf8(ours.text()).unwrap(), private);
    assert_eq!(resigned, log.note);

    // A smaller checkpoint of the same log, signed on their side: still a prefix.
    let bytes = exported_bytes(&log.store);
    let stored = StoredHashes::of(&bytes);
    let older_root = tlog_tiles::tree_hash(20, &stored).unwrap();
    let body = tlog_tiles::Checkpoint::new(KEY_NAME, 20, older_root, "")
        .unwrap()
        .to_bytes();
    let file = write(
        dir,
        "theirs-20.note",
        &their_sign(std::str::from_utf8(&body).unwrap(), private),
    );
    let out = verify_against(&log.store, &file, &log.vkey);
    assert_code(&out, 0, "verify against signed_note's older checkpoint");
    assert!(
        stdout_of(&out).contains(&format!(
            "at size 20 is a prefix of this ledger ({EVENTS_SIZE} records"
        )),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn a_checkpoint_signed_by_signed_note_over_another_root_is_refused_by_verify() {
    let log = signed_log();
    let private = std::fs::read_to_string(&log.skey).unwrap();
    let body = tlog_tiles::Checkpoint::new(
        KEY_NAME,
        EVENTS_SIZE,
        tlog_tiles::record_hash(b"not this ledger"),
        "",
    )
    .unwrap()
    .to_bytes();
    let note = their_sign(std::str::from_utf8(&body).unwrap(), private.trim());
    let file = write(log.store.dir.path(), "wrong-root.note", &note);
    let out = verify_against(&log.store, &file, &log.vkey);
    assert_code(&out, 3, "a validly signed checkpoint of another tree");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("not consistent"), "{stderr}");
    assert!(stderr.contains("rewritten"), "{stderr}");
}

#[test]
fn a_checkpoint_signed_by_signed_note_with_another_key_of_the_same_name_is_refused() {
    let log = signed_log();
    let (_, root) = head_and_root(&log.store);
    let impostor = SigningKey::from_seed(KEY_NAME, [9; 32]).unwrap();
    assert_ne!(impostor.verifier_key().to_text(), log.vkey);
    let body = tlog_tiles::Checkpoint::new(
        KEY_NAME,
        EVENTS_SIZE,
        tlog(&root.parse::<Hash>().unwrap()),
        "",
    )
    .unwrap()
    .to_bytes();
    let note = their_sign(
        std::str::from_utf8(&body).unwrap(),
        &impostor.to_private_text(),
    );
    let file = write(log.store.dir.path(), "impostor.note", &note);
    let out = verify_against(&log.store, &file, &log.vkey);
    assert_code(&out, 3, "checkpoint signed by another key");
    assert!(
        stderr_of(&out).contains("no signature by a trusted key"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_witness_cosignature_added_by_signed_note_keeps_checkpoint_and_proof_valid() {
    let log = signed_log();
    let dir = log.store.dir.path();
    let mut note = signed_note::Note::from_bytes(log.note.as_bytes()).unwrap();
    let witness = signed_note::StandardSigner::new(GO_SKEY).unwrap();
    note.add_sigs(&[&witness]).unwrap();
    let cosigned = String::from_utf8(note.to_bytes()).unwrap();
    assert!(cosigned.starts_with(&log.note[..log.note.len() - 1]));

    let file = write(dir, "cosigned.note", &cosigned);
    let out = verify_against(&log.store, &file, &log.vkey);
    assert_code(&out, 0, "verify against a cosigned checkpoint");
    // With only the witness trusted, the checkpoint checks once the log is named (the
    // witness's key name is not the log's origin), and not before.
    let out = verify_against(&log.store, &file, GO_VKEY);
    assert_code(&out, 3, "verify with the witness key, the log unnamed");
    assert!(
        stderr_of(&out).contains("name the log with --origin"),
        "{}",
        stderr_of(&out)
    );
    let origin = log.note.lines().next().unwrap().to_string();
    let out = log
        .store
        .cmd()
        .arg("verify")
        .arg("--checkpoint")
        .arg(&file)
        .args(["--key", GO_VKEY, "--origin", &origin])
        .output()
        .unwrap();
    assert_code(&out, 0, "verify with the witness key and the log's origin");

    // A proof file carrying the cosigned note audits with either key.
    let out = run(&log.store, &["proof", "inclusion", "openai"]);
    assert_code(&out, 0, "proof inclusion");
    let proof = TlogProof::parse(&stdout_of(&out)).unwrap();
    let cosigned_proof = TlogProof::new(
        proof.extra().map(<[u8]>::to_vec),
        proof.index(),
        proof.hashes().to_vec(),
        cosigned,
    )
    .unwrap();
    let file = write(dir, "cosigned.proof", &cosigned_proof.to_text());
    for vkey in [log.vkey.as_str(), GO_VKEY] {
        let out = support::pactlog(&dir.join("no-store.db"))
            .arg("audit")
            .arg(&file)
            .args(["--key", vkey, "--origin", &origin])
            .output()
            .unwrap();
        assert_code(&out, 0, "audit of a cosigned proof");
        assert!(
            stdout_of(&out).contains("party openai"),
            "{}",
            stdout_of(&out)
        );
    }
}
