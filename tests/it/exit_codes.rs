//! Exit codes and messages at the edges outside testers found: each failure gets the
//! code `--help` promises and a message in the user's terms, never a library's internals,
//! and nothing is stored that the user did not get.

use crate::support;

use pactlog::checkpoint::{Checkpoint, SigningKey};
use support::hostile::*;
use support::{TempStore, small_fixture};

/// The empty tree is a prefix of every ledger: a signed checkpoint of size 0 verifies.
#[test]
fn a_checkpoint_of_the_empty_tree_verifies() {
    let signed = Signed::new();
    let key_text = std::fs::read_to_string(&signed.key).unwrap();
    let key = SigningKey::from_private_text(key_text.trim()).unwrap();
    let empty_root: [u8; 32] = {
        use sha2::Digest;
        sha2::Sha256::digest(b"").into()
    };
    let note = Checkpoint::new(key.name(), 0, empty_root, Vec::new())
        .unwrap()
        .sign(&key)
        .unwrap();
    let file = signed.dir().join("cp0.txt");
    std::fs::write(&file, note).unwrap();
    let out = signed.verify(&file);
    assert_ok(&out);
    assert!(stdout(&out).contains("checkpoint ok"), "{}", stdout(&out));
}

/// A checkpoint file that cannot be read is bad input (exit 1), as `--help` says; one
/// that reads but is not a checkpoint fails the verification (exit 3).
#[test]
fn an_unreadable_checkpoint_is_bad_input_and_a_broken_one_fails_verification() {
    let signed = Signed::new();
    let out = signed.verify(&signed.dir().join("missing.txt"));
    assert_fails(&out, 1, "cannot read the checkpoint");
    let junk = signed.dir().join("junk.txt");
    std::fs::write(&junk, "not a note\n").unwrap();
    assert_eq!(signed.verify(&junk).status.code(), Some(3));
    let help = run(signed.store.cmd().args(["verify", "--help"]));
    assert!(
        stdout(&help).contains("cannot be read at all"),
        "{}",
        stdout(&help)
    );
}

/// A checkpoint whose printing failed is not stored: the ledger proves only against
/// notes someone received.
#[test]
fn a_checkpoint_that_could_not_be_printed_is_not_stored() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let key = store.dir.path().join("log.key");
    assert_ok(&run(store
        .cmd()
        .args(["key", "generate", "example.org/log", "--out"])
        .arg(&key)));
    let full = std::fs::File::create("/dev/full").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pactlog"))
        .arg("--store")
        .arg(&store.path)
        .args(["checkpoint", "--key-file"])
        .arg(&key)
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let proof = run(store
        .cmd()
        .args(["proof", "inclusion", "2024-03-01-acme-invests-in-globex"]));
    assert_ne!(
        proof.status.code(),
        Some(0),
        "a checkpoint nobody saw was stored"
    );
    assert!(stderr(&proof).contains("checkpoint"), "{}", stderr(&proof));
}

#[test]
fn man_pages_are_not_written_into_a_store() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let before = snapshot(&store.path);
    for dir in [store.path.clone(), store.path.join("man")] {
        let out = run(store.cmd().arg("man").arg(&dir));
        assert_fails(&out, 1, "is inside the store");
    }
    assert_eq!(snapshot(&store.path), before, "the store changed");
}

#[test]
fn an_instant_past_the_calendar_in_pactlog_now_is_refused_in_plain_words() {
    let store = TempStore::new();
    let out = run(store
        .cmd()
        .env("PACTLOG_NOW", "9999-12-31T23:59:59Z")
        .arg("import")
        .arg(small_fixture()));
    assert_fails(&out, 1, "is outside the instants pactlog records");
    assert!(!stderr(&out).contains("parameter"), "{}", stderr(&out));
}
