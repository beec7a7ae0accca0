//! The auditor's toolkit end to end: keys, checkpoints, `verify --checkpoint`, inclusion
//! proofs checked offline by `audit`, consistency proofs, and the attacks a checkpoint
//! exists to expose (a rolled-back copy, a truncated store, a rewritten tail). Each
//! scenario checks the exit code AND the message.
//!
//! Where the CLI cannot produce the damage (a store whose records were changed behind
//! pactlog's back) the test makes it through the library, then asks the CLI or the
//! library to sign. The attacker modelled there also removes the store's witness
//! (`pactlog-witness`), which would otherwise show the change to any command
//! (tests/witness.rs): what is left for the checkpoint to catch is what the witness
//! cannot.

use crate::support;

use pactlog::AuditError;
use pactlog::checkpoint::{SigningKey, VerifierKey};
use pactlog::codec::{Entry, Seq, Timestamp};
use pactlog::index::{META_DERIVED, META_INDEX};
use pactlog::ledger::Ledger;
use pactlog::model::{Confidence, Day, EdtfDate, Event, EventId, PartyId, Payload, Source};
use pactlog::store::{MemoryStore, Op, SledStore, Store, Tree};
use support::TempStore;
use support::audit::*;

// ---------------------------------------------------------------------------------------
// Keys

#[test]
fn key_generate_writes_an_owner_only_private_key_and_prints_only_the_verifier_key() {
    let dir = tempfile::tempdir().unwrap();
    let skey = dir.path().join("k.key");
    let out = support::pactlog(&dir.path().join("unused.db"))
        .args(["key", "generate", KEY_NAME, "--out"])
        .arg(&skey)
        .output()
        .unwrap();
    assert_code(&out, 0, "key generate");

    let private = std::fs::read_to_string(&skey).unwrap();
    assert!(
        private.starts_with(&format!("PRIVATE+KEY+{KEY_NAME}+")),
        "{private}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&skey).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "private key mode is {mode:o}");
    }

    // Neither stream shows the secret: not the private text, not its base64 seed.
    // PRIVATE+KEY+name+keyid+base64: the base64 itself may contain '+', so split from the left.
    let secret = private.trim().splitn(5, '+').nth(4).unwrap();
    assert!(secret.len() >= 40, "{secret}");
    for (stream, text) in [("stdout", stdout_of(&out)), ("stderr", stderr_of(&out))] {
        assert!(
            !text.contains("PRIVATE"),
            "{stream} mentions the key: {text}"
        );
        assert!(!text.contains(secret), "{stream} shows the seed: {text}");
    }

    // stdout is exactly the verifier key of that private key, `name+keyid+base64`.
    let stdout = stdout_of(&out);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let vkey = VerifierKey::parse(stdout.trim()).expect("stdout is a verifier key");
    let signing = SigningKey::from_private_text(private.trim()).unwrap();
    assert_eq!(vkey, signing.verifier_key());
    assert_eq!(vkey.name(), KEY_NAME);
    let parts: Vec<&str> = stdout.trim().splitn(3, '+').collect();
    assert_eq!(parts[0], KEY_NAME);
    assert_eq!(parts[1], format!("{:08x}", vkey.key_id()));
    // The .pub file holds the same verifier key.
    assert_eq!(
        std::fs::read_to_string(skey.with_extension("pub")).unwrap(),
        stdout
    );
}

#[test]
fn key_generate_refuses_to_overwrite_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let skey = dir.path().join("k.key");
    std::fs::write(&skey, "precious\n").unwrap();
    let out = support::pactlog(&dir.path().join("unused.db"))
        .args(["key", "generate", KEY_NAME, "--out"])
        .arg(&skey)
        .output()
        .unwrap();
    assert_code(&out, 1, "key generate over an existing file");
    assert!(
        stderr_of(&out).contains("already exists"),
        "{}",
        stderr_of(&out)
    );
    assert!(stdout_of(&out).is_empty(), "{}", stdout_of(&out));
    assert_eq!(std::fs::read_to_string(&skey).unwrap(), "precious\n");
}

// ---------------------------------------------------------------------------------------
// verify --checkpoint

#[test]
fn a_ledger_that_only_grew_verifies_against_its_checkpoint_as_a_prefix() {
    let s = signed_events();
    let note = std::fs::read_to_string(&s.note).unwrap();
    assert!(
        note.starts_with(&format!("{KEY_NAME}\n{EVENTS_SIZE}\n")),
        "{note}"
    );

    s.store.import(&[&extra_events(s.store.dir.path(), "grow")]);
    assert_eq!(size_of(&s.store), EVENTS_SIZE + EXTRA);

    for vkey in [s.keys.vkey.clone(), s.keys.vkey_file.display().to_string()] {
        let out = verify_against(&s.store, &s.note, &vkey);
        assert_code(&out, 0, "verify --checkpoint of a grown ledger");
        let stdout = stdout_of(&out);
        assert!(
            stdout.contains(&format!(
                "checkpoint ok: \"{KEY_NAME}\" at size {EVENTS_SIZE} is a prefix of this ledger ({} records",
                EVENTS_SIZE + EXTRA
            )),
            "{stdout}"
        );
    }
    let v = s.store.json(&[
        "verify",
        "--json",
        "--checkpoint",
        s.note.to_str().unwrap(),
        "--key",
        &s.keys.vkey,
    ]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoint_ok"], true, "{v}");
}

#[test]
fn a_rolled_back_copy_fails_against_the_newer_checkpoint() {
    let s = signed_events();
    s.store
        .import(&[&extra_events(s.store.dir.path(), "first")]);
    let old_copy = s.store.dir.path().join("backup.db");
    copy_dir(&s.store.path, &old_copy);

    s.store
        .import(&[&extra_events(s.store.dir.path(), "second")]);
    let newer = checkpoint(&s.store, &s.keys, "cp-newer.note");
    let newer_size = EVENTS_SIZE + 2 * EXTRA;
    assert!(
        std::fs::read_to_string(&newer)
            .unwrap()
            .contains(&format!("\n{newer_size}\n"))
    );

    // Put the older copy back in place of the store.
    std::fs::remove_dir_all(&s.store.path).unwrap();
    copy_dir(&old_copy, &s.store.path);

    // The bare chain of the old copy is whole: only the checkpoint can tell.
    let out = run(&s.store, &["verify"]);
    assert_code(&out, 0, "bare verify of the rolled-back copy");
    // It is still consistent with the checkpoint it had seen...
    let out = verify_against(&s.store, &s.note, &s.keys.vkey);
    assert_code(&out, 0, "rolled-back copy against the older checkpoint");
    // ...but not with the newer one.
    let out = verify_against(&s.store, &newer, &s.keys.vkey);
    assert_code(&out, 3, "rolled-back copy against the newer checkpoint");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("checkpoint FAILED"), "{stderr}");
    assert!(
        stderr.contains("truncated or rolled back"),
        "message should say truncated or rolled back: {stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "the ledger has {} records but the checkpoint covers {newer_size}",
            EVENTS_SIZE + EXTRA
        )),
        "{stderr}"
    );
    let out = run(
        &s.store,
        &[
            "verify",
            "--json",
            "--checkpoint",
            newer.to_str().unwrap(),
            "--key",
            &s.keys.vkey,
        ],
    );
    assert_code(&out, 3, "verify --json against the newer checkpoint");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false, "{v}");
    assert!(
        v["checkpoint_error"]
            .as_str()
            .is_some_and(|e| e.contains("truncated or rolled back")),
        "{v}"
    );
    assert_eq!(v["checkpoint_ok"], false, "{v}");
}

#[test]
fn a_rewritten_tail_passes_bare_verify_but_fails_against_the_checkpoint() {
    let s = signed_events();
    let lines = export_lines(&s.store);
    assert_eq!(lines.len() as u64, EVENTS_SIZE);

    // The first N-3 records exactly, then different events: a valid fresh chain.
    let forged = store_from_export(&lines[..lines.len() - 3]);
    forged.import(&[&extra_events(forged.dir.path(), "forged")]);
    assert_eq!(size_of(&forged), EVENTS_SIZE - 3 + EXTRA);
    assert!(size_of(&forged) >= EVENTS_SIZE);

    let out = run(&forged, &["verify"]);
    assert_code(&out, 0, "bare verify of a rewritten ledger");
    assert!(stdout_of(&out).contains("ok: "), "{}", stdout_of(&out));

    let out = verify_against(&forged, &s.note, &s.keys.vkey);
    assert_code(&out, 3, "rewritten ledger against the checkpoint");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("checkpoint FAILED"), "{stderr}");
    assert!(stderr.contains("not consistent"), "{stderr}");
    assert!(stderr.contains("rewritten"), "{stderr}");
    assert!(
        stderr.contains(&format!("the first {EVENTS_SIZE} records have root")),
        "{stderr}"
    );
}

#[test]
fn a_truncated_store_fails_against_the_checkpoint() {
    let s = signed_events();
    let lines = export_lines(&s.store);
    let truncated = store_from_export(&lines[..lines.len() - 3]);

    let out = run(&truncated, &["verify"]);
    assert_code(&out, 0, "bare verify of a truncated ledger");

    let out = verify_against(&truncated, &s.note, &s.keys.vkey);
    assert_code(&out, 3, "truncated ledger against the checkpoint");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("truncated or rolled back"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the ledger has {} records but the checkpoint covers {EVENTS_SIZE}",
            EVENTS_SIZE - 3
        )),
        "{stderr}"
    );
}

/// `verify --json` gives the checkpoint's error as the bare message, like the `error`
/// field beside it (no "error: " prefix meant for the terminal).
#[test]
fn verify_json_checkpoint_error_is_the_bare_message() {
    let s = signed_events();
    let lines = export_lines(&s.store);
    let truncated = store_from_export(&lines[..lines.len() - 3]);
    let out = run(
        &truncated,
        &[
            "verify",
            "--json",
            "--checkpoint",
            s.note.to_str().unwrap(),
            "--key",
            &s.keys.vkey,
        ],
    );
    assert_code(&out, 3, "verify --json of a truncated store");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = v["checkpoint_error"].as_str().expect("a checkpoint error");
    assert!(message.contains("truncated or rolled back"), "{v}");
    assert!(
        message.starts_with("the ledger has"),
        "checkpoint_error carries the terminal prefix: {message:?}"
    );
}

#[test]
fn verify_against_a_checkpoint_with_another_key_exits_3() {
    let s = signed_events();
    let other = keygen(s.store.dir.path(), "other.key");
    let out = verify_against(&s.store, &s.note, &other.vkey);
    assert_code(&out, 3, "checkpoint checked with another key");
    assert!(
        stderr_of(&out).contains("no signature by a trusted key"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn verify_against_a_tampered_checkpoint_exits_3() {
    let s = signed_events();
    let note = std::fs::read_to_string(&s.note).unwrap();
    let tampered = s.store.dir.path().join("tampered.note");
    std::fs::write(
        &tampered,
        note.replacen(&format!("\n{EVENTS_SIZE}\n"), "\n50\n", 1),
    )
    .unwrap();
    let out = verify_against(&s.store, &tampered, &s.keys.vkey);
    assert_code(&out, 3, "tampered checkpoint");
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("signature") && stderr.contains("does not verify"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------
// checkpoint refuses to sign what contradicts the last checkpoint it signed

/// Opens a CLI-made store in this process (the CLI must not be running on it).
fn with_sled(store: &TempStore, f: impl FnOnce(&SledStore)) {
    let sled = SledStore::open(&store.path).expect("open the store in-process");
    f(&sled);
    sled.flush().expect("flush");
}

/// What an attacker who edits the store's files does to hide the edit from the witness.
fn remove_witness(store: &TempStore) {
    std::fs::remove_file(store.path.join("pactlog-witness")).expect("remove the witness");
}

#[test]
fn checkpoint_refuses_to_sign_a_truncated_store() {
    let s = signed_events();
    with_sled(&s.store, |sled| {
        let ops = (EVENTS_SIZE - 3..EVENTS_SIZE)
            .map(|seq| Op::Delete(Seq::new(seq).key().to_vec()))
            .collect();
        sled.apply(Tree::Records, ops).unwrap();
    });
    remove_witness(&s.store);
    let out = s
        .store
        .cmd()
        .args(["checkpoint", "--key-file"])
        .arg(&s.keys.skey)
        .output()
        .unwrap();
    assert_code(&out, 3, "checkpoint of a truncated store");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("refusing to sign"), "{stderr}");
    assert!(stderr.contains("truncated or rolled back"), "{stderr}");
    assert!(stdout_of(&out).is_empty(), "{}", stdout_of(&out));
}

#[test]
fn checkpoint_refuses_to_sign_a_store_whose_tail_was_rewritten() {
    let s = signed_events();
    // A forged ledger: the first N-3 records, then other events.
    let lines = export_lines(&s.store);
    let forged = store_from_export(&lines[..lines.len() - 3]);
    forged.import(&[&extra_events(forged.dir.path(), "forged")]);
    let forged_records: Vec<(Vec<u8>, Vec<u8>)> = {
        let sled = SledStore::open(&forged.path).unwrap();
        sled.range(Tree::Records, b"", None)
            .map(|e| e.map(|(k, v)| (k.as_ref().to_vec(), v.as_ref().to_vec())))
            .collect::<Result<_, _>>()
            .unwrap()
    };
    // Swap them into the signed store, and make it rebuild its derived data on open.
    with_sled(&s.store, |sled| {
        let ops = forged_records
            .into_iter()
            .map(|(k, v)| Op::Put(k, v))
            .collect();
        sled.apply(Tree::Records, ops).unwrap();
        sled.apply(Tree::Meta, vec![Op::Delete(META_INDEX.to_vec())])
            .unwrap();
    });
    let out = run(&s.store, &["verify"]);
    assert_code(&out, 3, "the witness shows the rewritten tail");
    remove_witness(&s.store);
    let out = run(&s.store, &["verify"]);
    assert_code(&out, 0, "bare verify of the rewritten, rebuilt store");

    let out = s
        .store
        .cmd()
        .args(["checkpoint", "--key-file"])
        .arg(&s.keys.skey)
        .output()
        .unwrap();
    assert_code(&out, 3, "checkpoint of a rewritten store");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("refusing to sign"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "not consistent with the checkpoint of size {EVENTS_SIZE}"
        )),
        "{stderr}"
    );
}

#[test]
fn checkpoint_with_a_key_other_than_the_last_signer_is_refused() {
    let s = signed_events();
    let other = keygen(s.store.dir.path(), "other.key");
    let out = s
        .store
        .cmd()
        .args(["checkpoint", "--key-file"])
        .arg(&other.skey)
        .output()
        .unwrap();
    assert_code(&out, 3, "checkpoint with another key");
    let stderr = stderr_of(&out);
    assert!(stderr.contains("refusing to sign"), "{stderr}");
    assert!(
        stderr.contains("sign with the key that signed it"),
        "{stderr}"
    );
}

#[test]
fn checkpoint_of_a_store_that_only_grew_is_signed() {
    let s = signed_events();
    s.store.import(&[&extra_events(s.store.dir.path(), "grow")]);
    let newer = checkpoint(&s.store, &s.keys, "cp-60.note");
    let text = std::fs::read_to_string(&newer).unwrap();
    assert!(
        text.starts_with(&format!("{KEY_NAME}\n{}\n", EVENTS_SIZE + EXTRA)),
        "{text}"
    );
    let out = verify_against(&s.store, &newer, &s.keys.vkey);
    assert_code(&out, 0, "verify against the newer checkpoint");
}

// The same refusals through the library, on the memory store.

fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

/// An announcement between `a` and `b`, distinguished by `tag` and `i`.
fn announcement(tag: &str, i: usize) -> Entry {
    Entry::Event(Event {
        id: EventId::new(&format!("{tag}-{i}")).unwrap(),
        date: EdtfDate::parse("2026-02-01").unwrap(),
        disclosed: day("2026-02-01"),
        summary: format!("Announcement {i} of {tag}."),
        confidence: Confidence::Confirmed,
        parties: vec![PartyId::new("a").unwrap(), PartyId::new("b").unwrap()],
        supersedes: None,
        sources: vec![Source {
            url: format!("https://example.com/{tag}/{i}"),
            publisher: None,
            published: None,
        }],
        payload: Payload::Announcement,
    })
}

fn entries(tag: &str, events: usize) -> Vec<Entry> {
    let mut out = vec![party("a"), party("b")];
    out.extend((0..events).map(|i| announcement(tag, i)));
    out
}

fn memory_ledger(entries: Vec<Entry>) -> (MemoryStore, Ledger<MemoryStore>) {
    let store = MemoryStore::new();
    let mut ledger = Ledger::open(store.clone()).unwrap();
    ledger
        .append_unchecked(entries, Timestamp::from_unix(1_767_225_600))
        .unwrap();
    (store, ledger)
}

fn all_records(store: &MemoryStore) -> Vec<Op> {
    store
        .range(Tree::Records, b"", None)
        .map(|e| e.map(|(k, v)| Op::Put(k.as_ref().to_vec(), v.as_ref().to_vec())))
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn sign_checkpoint_errs_inconsistent_after_records_are_rewritten_and_rebuilt() {
    let key = signing_key();
    let (store, mut ledger) = memory_ledger(entries("real", 10));
    ledger.sign_checkpoint(&key).unwrap();
    drop(ledger);

    // Same parties, other events, two more of them: a whole, valid chain.
    let (forged, _) = memory_ledger(entries("forged", 12));
    store.apply(Tree::Records, all_records(&forged)).unwrap();
    store
        .apply(Tree::Meta, vec![Op::Delete(META_DERIVED.to_vec())])
        .unwrap();
    let mut ledger = Ledger::open(store.clone()).unwrap();
    assert_eq!(ledger.size(), 14);
    assert!(
        ledger.verify().unwrap().is_ok(),
        "the rewrite is a valid chain"
    );

    match ledger.sign_checkpoint(&key) {
        Err(e @ AuditError::Inconsistent(_)) => {
            assert!(e.is_verification_failure());
            let msg = e.to_string();
            assert!(msg.starts_with("refusing to sign"), "{msg}");
            assert!(
                msg.contains("not consistent with the checkpoint of size 12"),
                "{msg}"
            );
        }
        other => panic!("expected Inconsistent, got {other:?}"),
    }
    assert_eq!(ledger.checkpoints().unwrap().len(), 1, "nothing was stored");
}

#[test]
fn sign_checkpoint_errs_inconsistent_for_a_truncated_ledger() {
    let key = signing_key();
    let (store, mut ledger) = memory_ledger(entries("real", 10));
    ledger.sign_checkpoint(&key).unwrap();
    drop(ledger);
    store
        .apply(Tree::Records, vec![Op::Delete(Seq::new(11).key().to_vec())])
        .unwrap();
    let mut ledger = Ledger::open(store).unwrap();
    assert_eq!(ledger.size(), 11);
    match ledger.sign_checkpoint(&key) {
        Err(AuditError::Inconsistent(msg)) => {
            assert!(msg.contains("truncated or rolled back"), "{msg}");
        }
        other => panic!("expected Inconsistent, got {other:?}"),
    }
}

/// A checkpoint is signed over the root the records give, never over stored tiles alone:
/// records rewritten in place behind stale Merkle tiles make `checkpoint` refuse (as
/// `verify` reports the mismatch), instead of signing a root that is true of no ledger.
#[test]
fn sign_checkpoint_refuses_records_rewritten_behind_stale_merkle_tiles() {
    let key = signing_key();
    let (store, mut ledger) = memory_ledger(entries("real", 10));
    ledger.sign_checkpoint(&key).unwrap();
    drop(ledger);
    let (forged, _) = memory_ledger(entries("forged", 10));
    store.apply(Tree::Records, all_records(&forged)).unwrap();
    let mut ledger = Ledger::open(store).unwrap();
    assert!(
        !ledger.verify().unwrap().is_ok(),
        "verify sees the records disagree with the tiles"
    );

    let result = ledger.sign_checkpoint(&key);
    assert!(
        matches!(result, Err(AuditError::Inconsistent(_))),
        "signed a checkpoint over records that do not give its root: {result:?}"
    );
}
