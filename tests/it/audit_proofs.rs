//! Inclusion proofs checked offline by `audit`, tampered proof files, and consistency
//! proofs, through the CLI.

use crate::support;

use pactlog::checkpoint::{Checkpoint, SigningKey, TlogProof};
use pactlog::codec::ChainHash;
use pactlog::codec::{self, Record, Seq, Timestamp};
use pactlog::merkle::{self, Hash};
use std::path::{Path, PathBuf};
use std::process::Output;
use support::audit::*;
use support::{NOW, TempStore, events_dir};

// ---------------------------------------------------------------------------------------
// Inclusion proofs and the offline audit

const EVENT_ID: &str = "2026-02-27-amazon-invests-50b-in-openai";

/// A proof of `id` from a signed events/ store, saved beside it.
fn proof_of(s: &Signed, id: &str) -> (PathBuf, String) {
    let out = run(&s.store, &["proof", "inclusion", id]);
    assert_code(&out, 0, "proof inclusion");
    let text = stdout_of(&out);
    let path = s.store.dir.path().join(format!("{id}.proof"));
    std::fs::write(&path, &text).unwrap();
    (path, text)
}

/// `pactlog audit FILE --key VKEY`, run where no store exists (it must need none).
fn audit(file: &Path, vkey: &str) -> Output {
    let dir = file.parent().unwrap();
    support::pactlog(&dir.join("no-such-store.db"))
        .arg("audit")
        .arg(file)
        .args([support::key_flag(vkey), vkey])
        .output()
        .expect("run pactlog")
}

#[test]
fn an_inclusion_proof_audits_offline_and_prints_the_event() {
    let s = signed_events();
    let (file, text) = proof_of(&s, EVENT_ID);
    assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra "), "{text}");
    assert!(
        text.ends_with(&std::fs::read_to_string(&s.note).unwrap()),
        "the proof carries the newest checkpoint verbatim"
    );

    let out = audit(&file, &s.keys.vkey);
    assert_code(&out, 0, "audit of a fresh proof");
    let stdout = stdout_of(&out);
    let proof = TlogProof::parse(&text).unwrap();
    assert!(
        stdout.starts_with(&format!(
            "ok: record {} is in the log \"{KEY_NAME}\" of {EVENTS_SIZE} records signed by {KEY_NAME} (key id {})\n",
            proof.index(),
            s.keys.vkey.split('+').nth(1).unwrap()
        )),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("recorded_at {NOW}")), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "event {EVENT_ID} (investment, 2026-02-27, confirmed)"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("summary Amazon invests $50B"), "{stdout}");
    assert!(
        !s.store.dir.path().join("no-such-store.db").exists(),
        "audit created a store"
    );

    // The .pub file works as the key too, and a party can be proven as well.
    let (file, _) = proof_of(&s, "openai");
    let out = audit(&file, s.keys.vkey_file.to_str().unwrap());
    assert_code(&out, 0, "audit of a party proof");
    assert!(
        stdout_of(&out).contains("party openai (OpenAI)"),
        "{}",
        stdout_of(&out)
    );
}

/// Replaces the character at `at` by another base64 character.
fn flip_char(line: &str, at: usize) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// Applies `f` to line `n` (0-based) of `text`, keeping every newline.
fn edit_line(text: &str, n: usize, f: impl FnOnce(&str) -> String) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    lines[n] = f(&lines[n]);
    lines.join("\n")
}

/// Changes the last hex digit of `line`.
fn flip_last_hex(line: &str) -> String {
    let (head, last) = line.split_at(line.len() - 1);
    format!("{head}{}", if last == "0" { "1" } else { "0" })
}

/// Removes line `n` (0-based) of `text`.
fn drop_line(text: &str, n: usize) -> String {
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines.remove(n);
    lines.join("\n")
}

#[test]
fn tampering_with_a_proof_file_fails_the_audit_naming_the_check() {
    let s = signed_events();
    let (_, text) = proof_of(&s, EVENT_ID);
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(lines[1].starts_with("extra "));
    assert!(lines[2].starts_with("index "));
    let blank = lines.iter().position(|l| l.is_empty()).unwrap();
    assert!(blank > 3, "the proof has hashes: {text}");
    let signature = lines
        .iter()
        .position(|l| l.starts_with("— "))
        .expect("signature line");
    let index: u64 = lines[2]["index ".len()..].parse().unwrap();

    const PATH: &str = "the inclusion path does not lead to the signed root";
    const SIGNATURE: &str = "does not verify";
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "a hash line",
            edit_line(&text, 3, |l| flip_char(l, 10)),
            PATH,
        ),
        (
            "the last hash line",
            edit_line(&text, blank - 1, |l| flip_char(l, 20)),
            PATH,
        ),
        (
            "the extra record bytes",
            edit_line(&text, 1, |l| flip_char(l, l.len() / 2)),
            PATH,
        ),
        (
            "the index",
            edit_line(&text, 2, |_| format!("index {}", index + 1)),
            PATH,
        ),
        (
            "the checkpoint's tree size",
            edit_line(&text, blank + 2, |_| format!("{}", EVENTS_SIZE + 1)),
            SIGNATURE,
        ),
        (
            "the checkpoint's root",
            edit_line(&text, blank + 3, |l| flip_char(l, 5)),
            SIGNATURE,
        ),
        (
            "the checkpoint's head extension",
            edit_line(&text, blank + 4, flip_last_hex),
            SIGNATURE,
        ),
        (
            "the signature",
            edit_line(&text, signature, |l| flip_char(l, l.chars().count() - 30)),
            SIGNATURE,
        ),
        (
            "a truncated file",
            text[..text.len() / 2].to_string(),
            "malformed tlog-proof",
        ),
        (
            "a file cut before the signature",
            lines[..signature].join("\n") + "\n",
            "malformed tlog-proof",
        ),
        ("a dropped hash line", drop_line(&text, 3), PATH),
    ];
    for (what, tampered, expected) in cases {
        assert_ne!(tampered, text, "{what}: the edit changed nothing");
        let file = s.store.dir.path().join("tampered.proof");
        std::fs::write(&file, &tampered).unwrap();
        let out = audit(&file, &s.keys.vkey);
        assert_code(&out, 3, what);
        let stderr = stderr_of(&out);
        assert!(
            stderr.contains(expected),
            "{what}: expected {expected:?} in: {stderr}"
        );
        assert!(stdout_of(&out).is_empty(), "{what}: {}", stdout_of(&out));
    }
}

#[test]
fn auditing_with_another_verifier_key_exits_3() {
    let s = signed_events();
    let (file, _) = proof_of(&s, EVENT_ID);
    let other = keygen(s.store.dir.path(), "other.key");
    let out = audit(&file, &other.vkey);
    assert_code(&out, 3, "audit with another key");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("no signature by a trusted key"), "{stderr}");
    assert!(stderr.contains(KEY_NAME), "names the signer: {stderr}");
}

#[test]
fn auditing_with_a_malformed_verifier_key_is_a_usage_error() {
    let s = signed_events();
    let (file, _) = proof_of(&s, EVENT_ID);
    let out = audit(&file, "not-a-key");
    assert_code(&out, 1, "audit with a malformed key");
    assert!(
        stderr_of(&out).contains("verifier key"),
        "{}",
        stderr_of(&out)
    );
}

/// A proof of `bytes` as the only leaf of a one-leaf log, signed by `key`.
fn one_leaf_proof(bytes: &[u8], key: &SigningKey) -> String {
    let root = merkle::leaf_hash(bytes);
    let note = Checkpoint::new(key.name(), 1, *root.as_bytes(), Vec::new())
        .unwrap()
        .sign(key)
        .unwrap();
    TlogProof::new(Some(bytes.to_vec()), 0, Vec::new(), note)
        .unwrap()
        .to_text()
}

#[test]
fn audit_rejects_proven_bytes_that_are_not_a_record_at_the_proven_index() {
    let dir = tempfile::tempdir().unwrap();
    let key = signing_key();
    let vkey = key.verifier_key().to_text();
    let record = Record {
        seq: Seq::new(5),
        recorded_at: Timestamp::from_unix(0),
        prev: ChainHash::ZERO,
        entry: party("a"),
        format: pactlog::codec::Format::CURRENT,
    };
    let cases = [
        (
            "a record at another index",
            codec::encode(&record).unwrap(),
            "the record says it is record 5, but the proof is for index 0",
        ),
        (
            "bytes that are no record",
            b"not a record".to_vec(),
            "the proven bytes are not a valid record",
        ),
    ];
    for (what, bytes, expected) in cases {
        let file = dir.path().join("crafted.proof");
        std::fs::write(&file, one_leaf_proof(&bytes, &key)).unwrap();
        let out = audit(&file, &vkey);
        assert_code(&out, 3, what);
        assert!(
            stderr_of(&out).contains(expected),
            "{what}: {}",
            stderr_of(&out)
        );
    }
    // The same construction with a record that is at index 0 passes: the checks above
    // failed for the reason named, not for the construction.
    let good = Record {
        seq: Seq::new(0),
        ..record
    };
    let file = dir.path().join("good.proof");
    std::fs::write(&file, one_leaf_proof(&codec::encode(&good).unwrap(), &key)).unwrap();
    assert_code(&audit(&file, &vkey), 0, "a crafted but honest proof");
}

#[test]
fn proof_inclusion_before_any_checkpoint_exits_1_with_a_hint() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let out = run(&store, &["proof", "inclusion", EVENT_ID]);
    assert_code(&out, 1, "proof before a checkpoint");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("no checkpoint signed yet"), "{stderr}");
    assert!(stderr.contains("pactlog checkpoint --key"), "{stderr}");
    assert!(stdout_of(&out).is_empty());
}

#[test]
fn proof_inclusion_of_a_record_newer_than_the_checkpoint_exits_1() {
    let s = signed_events();
    s.store.import(&[&extra_events(s.store.dir.path(), "late")]);
    let out = run(&s.store, &["proof", "inclusion", "2026-06-01-late-note-0"]);
    assert_code(&out, 1, "proof of a record after the checkpoint");
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains(&format!(
            "record {EVENTS_SIZE} is newer than the last checkpoint (size {EVENTS_SIZE})"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("sign a new checkpoint first"), "{stderr}");
    // An older record is still provable against the older checkpoint.
    let (file, _) = proof_of(&s, EVENT_ID);
    assert_code(&audit(&file, &s.keys.vkey), 0, "audit of an older record");
}

#[test]
fn proof_inclusion_of_an_unknown_id_exits_1() {
    let s = signed_events();
    let out = run(&s.store, &["proof", "inclusion", "no-such-event"]);
    assert_code(&out, 1, "proof of an unknown id");
    assert!(
        stderr_of(&out).contains("no event or party no-such-event"),
        "{}",
        stderr_of(&out)
    );
}

// ---------------------------------------------------------------------------------------
// Consistency proofs

/// The RFC 6962 root of the first `size` records, from the export (not the store's tiles).
fn root_from_export(lines: &[String], size: usize) -> Hash {
    use base64::Engine as _;
    let leaves: Vec<Hash> = lines[..size]
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(v["bytes"].as_str().unwrap())
                .unwrap();
            merkle::leaf_hash(&bytes)
        })
        .collect();
    merkle::root_of(&leaves)
}

#[test]
fn proof_consistency_output_verifies() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let lines = export_lines(&store);
    let n = EVENTS_SIZE;
    for (old, new) in [
        (1, n),
        (5, 20),
        (17, n),
        (32, n),
        (n - 1, n),
        (n, n),
        (3, 3),
    ] {
        let out = run(
            &store,
            &["proof", "consistency", &old.to_string(), &new.to_string()],
        );
        assert_code(&out, 0, "proof consistency");
        let text = stdout_of(&out);
        let mut it = text.lines();
        assert_eq!(it.next(), Some("pactlog consistency proof"), "{text}");
        let sized_root = |line: Option<&str>, tag: &str, size: u64| -> Hash {
            let line = line.unwrap_or_else(|| panic!("no {tag} line in {text}"));
            let rest = line
                .strip_prefix(&format!("{tag} {size} "))
                .unwrap_or_else(|| panic!("{line:?}"));
            rest.parse().unwrap()
        };
        let old_root = sized_root(it.next(), "old", old);
        let new_root = sized_root(it.next(), "new", new);
        let proof: Vec<Hash> = it.map(|l| l.parse().unwrap()).collect();

        assert_eq!(old_root, root_from_export(&lines, old as usize), "{old}");
        assert_eq!(new_root, root_from_export(&lines, new as usize), "{new}");
        new_root
            .verify_consistency(new, &old_root, old, &proof)
            .unwrap_or_else(|e| panic!("{old} -> {new}: {e}"));
        if old != new {
            // The proof is specific: it does not prove another old root.
            let wrong = root_from_export(&lines, old as usize + 1);
            assert!(
                new_root
                    .verify_consistency(new, &wrong, old, &proof)
                    .is_err()
            );
        }

        let v = store.json(&[
            "proof",
            "consistency",
            &old.to_string(),
            &new.to_string(),
            "--json",
        ]);
        assert_eq!(v["old_size"], old);
        assert_eq!(v["new_size"], new);
        assert_eq!(v["old_root"], old_root.to_string());
        assert_eq!(v["new_root"], new_root.to_string());
        let json_proof: Vec<String> = proof.iter().map(ToString::to_string).collect();
        assert_eq!(v["proof"], serde_json::json!(json_proof));
    }
    // The new root of the whole ledger is the one verify reports.
    let v = store.json(&["verify", "--json"]);
    assert_eq!(v["root"], root_from_export(&lines, n as usize).to_string());
}

#[test]
fn proof_consistency_with_old_larger_than_new_exits_1() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let out = run(&store, &["proof", "consistency", "20", "5"]);
    assert_code(&out, 1, "OLD > NEW");
    assert!(
        stderr_of(&out).contains("OLD (20) must not be larger than NEW (5)"),
        "{}",
        stderr_of(&out)
    );
    assert!(stdout_of(&out).is_empty());
}

#[test]
fn proof_consistency_beyond_the_ledger_exits_1() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let out = run(&store, &["proof", "consistency", "5", "100"]);
    assert_code(&out, 1, "NEW beyond the ledger");
    assert!(
        stderr_of(&out).contains(&format!(
            "the ledger has only {EVENTS_SIZE} records, not 100"
        )),
        "{}",
        stderr_of(&out)
    );
}

/// A consistency proof from size 0 is a usage error (exit 1), like OLD > NEW: the Merkle
/// layer refuses it, and that refusal is not an internal or storage error.
#[test]
fn proof_consistency_from_size_0_is_a_usage_error() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let out = run(&store, &["proof", "consistency", "0", "5"]);
    assert!(
        stderr_of(&out).contains("old size 0"),
        "{}",
        stderr_of(&out)
    );
    assert_code(&out, 1, "OLD = 0");
}
