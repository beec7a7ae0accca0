//! Cross-checks of `pactlog::checkpoint` against independent implementations:
//! the `signed_note` crate (C2SP signed-note, a port of Go's sumdb/note) and the
//! `tlog_tiles` crate (C2SP tlog-checkpoint and RFC 6962 proofs, a port of Go's
//! sumdb/tlog). What one writes, the other must read, with the same meaning.
//!
//! Not cross-checked here: a private key *generated* by `signed_note`.
//! `signed_note::generate_key` needs a `rand_core` 0.6 RNG, and no crate this
//! package depends on exposes one; the private key text of Go's own test
//! vector stands in for it. Neither crate implements c2sp.org/tlog-proof, so
//! proofs are checked by feeding the hashes pactlog parsed to `tlog_tiles`'s
//! inclusion-proof verifier.

use pactlog::checkpoint::{
    Checkpoint, CheckpointError, SigningKey, TlogProof, VerifierKey, key_id, open_checkpoint,
    open_note, sign_note,
};
use proptest::prelude::*;
use signed_note::{Signer as _, Verifier as _};

/// Go's sumdb/note test key (x/mod/sumdb/note/note_test.go): made by Go's
/// `note.GenerateKey`, not by pactlog.
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

use crate::support::audit::{their_sign, their_verifiers};

fn their_checkpoint(body: &str) -> tlog_tiles::Checkpoint {
    tlog_tiles::Checkpoint::from_bytes(body.as_bytes()).expect("tlog_tiles rejects body")
}

#[test]
fn note_signed_by_pactlog_verifies_with_signed_note() {
    let key = SigningKey::generate("example.com/pactlog").unwrap();
    let text = "example.com/pactlog\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    let note = sign_note(text, &key).unwrap();

    let parsed = signed_note::Note::from_bytes(note.as_bytes()).unwrap();
    let vkey = key.verifier_key().to_text();
    let (verified, unverified) = parsed.verify(&their_verifiers(&[&vkey])).unwrap();
    assert_eq!(parsed.text(), text.as_bytes());
    assert_eq!(verified.len(), 1);
    assert!(unverified.is_empty());
    assert_eq!(verified[0].name(), "example.com/pactlog");
    assert_eq!(verified[0].id(), key.key_id());
}

#[test]
fn note_signed_by_signed_note_verifies_with_pactlog() {
    let text = "If you think cryptography is the answer to your problem,\n\
                then you don't know what your problem is.\n";
    let note = their_sign(text, GO_SKEY);
    let opened = open_note(&note, &[VerifierKey::parse(GO_VKEY).unwrap()]).unwrap();
    assert_eq!(opened.text(), text);
    assert_eq!(opened.verified_signatures()[0].key_id(), 0xc74f_20a3);

    // And with a key pactlog generated, signed on their side.
    let ours = SigningKey::generate("example.com/pactlog").unwrap();
    let note = their_sign("x\n\ny\n", &ours.to_private_text());
    assert_eq!(
        open_note(&note, &[ours.verifier_key()]).unwrap().text(),
        "x\n\ny\n"
    );
    // Ed25519 is deterministic: both sides write the same bytes.
    assert_eq!(note, sign_note("x\n\ny\n", &ours).unwrap());
}

#[test]
fn cosigned_notes_verify_on_both_sides() {
    let log = SigningKey::generate("example.com/pactlog").unwrap();
    let note = sign_note("hello\n", &log).unwrap();
    // signed_note adds a witness cosignature to pactlog's note.
    let mut theirs = signed_note::Note::from_bytes(note.as_bytes()).unwrap();
    let witness = signed_note::StandardSigner::new(GO_SKEY).unwrap();
    theirs.add_sigs(&[&witness]).unwrap();
    let cosigned = String::from_utf8(theirs.to_bytes()).unwrap();

    let go_vkey = VerifierKey::parse(GO_VKEY).unwrap();
    let both = open_note(&cosigned, &[log.verifier_key(), go_vkey.clone()]).unwrap();
    assert_eq!(both.verified_signatures().len(), 2);
    assert_eq!(
        open_note(&cosigned, &[go_vkey])
            .unwrap()
            .verified_signatures()[0]
            .name(),
        "PeterNeumann"
    );
    let (verified, _) = theirs
        .verify(&their_verifiers(&[&log.verifier_key().to_text(), GO_VKEY]))
        .unwrap();
    assert_eq!(verified.len(), 2);
}

#[test]
fn both_sides_reject_the_same_tampering() {
    let key = SigningKey::generate("example.com/pactlog").unwrap();
    let note = sign_note(
        "example.com/pactlog\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        &key,
    )
    .unwrap();
    let tampered = note.replacen("\n7\n", "\n8\n", 1);
    let vkey = key.verifier_key().to_text();

    let theirs = signed_note::Note::from_bytes(tampered.as_bytes())
        .unwrap()
        .verify(&their_verifiers(&[&vkey]));
    assert!(matches!(
        theirs,
        Err(signed_note::NoteError::InvalidSignature { .. })
    ));
    assert!(matches!(
        open_note(&tampered, &[key.verifier_key()]),
        Err(CheckpointError::BadSignature { .. })
    ));

    let unsigned = note.split("\n\n").next().unwrap().to_owned() + "\n\n";
    assert!(signed_note::Note::from_bytes(unsigned.as_bytes()).is_err());
    assert!(matches!(
        open_note(&unsigned, &[key.verifier_key()]),
        Err(CheckpointError::MalformedNote { .. })
    ));
}

/// Replaces S by S + L (the group order) in the note's only signature: the
/// same signature in a non-canonical encoding, which RFC 8032 says to reject.
fn malleate(note: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let (head, line) = note.trim_end().rsplit_once(' ').unwrap();
    let mut bytes = STANDARD.decode(line).unwrap();
    let s = &mut bytes[4 + 32..4 + 64];
    let mut carry = 0u16;
    for (byte, l) in s.iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    format!("{head} {}\n", STANDARD.encode(&bytes))
}

#[test]
fn both_sides_reject_a_malleated_signature() {
    let key = SigningKey::generate("example.com/pactlog").unwrap();
    let note = sign_note("hello\n", &key).unwrap();
    let malleated = malleate(&note);
    assert_ne!(malleated, note);
    let theirs = signed_note::Note::from_bytes(malleated.as_bytes())
        .unwrap()
        .verify(&their_verifiers(&[&key.verifier_key().to_text()]));
    assert!(theirs.is_err());
    assert!(matches!(
        open_note(&malleated, &[key.verifier_key()]),
        Err(CheckpointError::BadSignature { .. })
    ));
}

#[test]
fn keys_generated_by_pactlog_are_accepted_by_signed_note() {
    let key = SigningKey::generate("example.com/pactlog").unwrap();
    let signer = signed_note::StandardSigner::new(&key.to_private_text()).unwrap();
    let verifier = signed_note::StandardVerifier::new(&key.verifier_key().to_text()).unwrap();
    assert_eq!(signer.name(), "example.com/pactlog");
    assert_eq!(signer.key_id(), key.key_id());
    assert_eq!(verifier.key_id(), key.key_id());
    let message = b"message\n";
    let signature = signer.sign(message).unwrap();
    assert!(verifier.verify(message, &signature));
}

#[test]
fn keys_encoded_by_signed_note_are_accepted_by_pactlog() {
    // signed_note's own encoding of a public key, from an Ed25519 key we pick.
    let seed = [0x5a; 32];
    let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
    let theirs = signed_note::new_ed25519_verifier_key("example.com/log", &public);
    let parsed = VerifierKey::parse(&theirs).unwrap();
    assert_eq!(parsed.public_key(), public.to_bytes());
    let ours = SigningKey::from_seed("example.com/log", seed).unwrap();
    assert_eq!(ours.verifier_key().to_text(), theirs);

    // Go's generated key pair, in both text forms.
    let go = SigningKey::from_private_text(GO_SKEY).unwrap();
    assert_eq!(go.verifier_key(), VerifierKey::parse(GO_VKEY).unwrap());
    assert_eq!(go.to_private_text(), GO_SKEY);
}

#[test]
fn key_ids_agree() {
    for name in ["a", "example.com/log", "PeterNeumann", "ünïcödé/ログ"] {
        let key = SigningKey::from_seed(name, [1; 32]).unwrap();
        let public = key.verifier_key().public_key();
        let mut encoded = vec![0x01];
        encoded.extend_from_slice(&public);
        assert_eq!(key_id(name, &public), signed_note::key_id(name, &encoded));
    }
}

#[test]
fn keys_rejected_by_signed_note_are_rejected_by_pactlog() {
    let bad = [
        GO_VKEY.replace("c74f20a3", "c74f20a4"),
        GO_VKEY.replace("PeterNeumann", "Peter Neumann"),
        GO_VKEY.replace("PeterNeumann", "Peter+Neumann"),
        GO_VKEY.replace("+ARpc", "+Anpc"),
        GO_VKEY.trim_end_matches('W').to_owned(),
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW".to_owned(),
    ];
    for text in bad {
        assert!(signed_note::StandardVerifier::new(&text).is_err(), "{text}");
        assert!(VerifierKey::parse(&text).is_err(), "{text}");
    }
    let wrong_id = GO_SKEY.replace("c74f20a3", "c74f20a4");
    assert!(signed_note::StandardSigner::new(&wrong_id).is_err());
    assert!(SigningKey::from_private_text(&wrong_id).is_err());
}

#[test]
fn checkpoint_bodies_written_by_pactlog_parse_with_tlog_tiles() {
    let root = [0x3c; 32];
    let plain = Checkpoint::new("example.com/pactlog", 20_852_163, root, Vec::new()).unwrap();
    let theirs = their_checkpoint(&plain.to_body());
    assert_eq!(theirs.origin(), "example.com/pactlog");
    assert_eq!(theirs.size(), 20_852_163);
    assert_eq!(theirs.hash().0, root);
    assert_eq!(theirs.extension(), "");
    assert_eq!(theirs.to_bytes(), plain.to_body().as_bytes());

    let extended = Checkpoint::new("o", 0, root, vec!["a b".into(), "c".into()]).unwrap();
    assert_eq!(
        their_checkpoint(&extended.to_body()).extension(),
        "a b\nc\n"
    );
}

#[test]
fn checkpoint_bodies_written_by_tlog_tiles_parse_with_pactlog() {
    let hash = tlog_tiles::record_hash(b"hello world");
    let theirs =
        tlog_tiles::Checkpoint::new("example.com/origin", 123, hash, "abc\ndef\n").unwrap();
    let body = String::from_utf8(theirs.to_bytes()).unwrap();
    let ours = Checkpoint::parse_body(&body).unwrap();
    assert_eq!(ours.origin(), "example.com/origin");
    assert_eq!(ours.size(), 123);
    assert_eq!(ours.root(), &hash.0);
    assert_eq!(ours.extensions(), ["abc", "def"]);
    assert_eq!(ours.to_body(), body);
}

#[test]
fn signed_checkpoints_cross_all_three_implementations() {
    let key = SigningKey::generate("example.com/pactlog").unwrap();
    let checkpoint = Checkpoint::new("example.com/pactlog", 9, [7; 32], Vec::new()).unwrap();
    let note = checkpoint.sign(&key).unwrap();
    // signed_note verifies the signature, tlog_tiles reads the verified text.
    let parsed = signed_note::Note::from_bytes(note.as_bytes()).unwrap();
    parsed
        .verify(&their_verifiers(&[&key.verifier_key().to_text()]))
        .unwrap();
    let theirs = their_checkpoint(std::str::from_utf8(parsed.text()).unwrap());
    assert_eq!((theirs.size(), theirs.hash().0), (9, [7; 32]));

    // The other way: tlog_tiles writes the body, signed_note signs it, pactlog opens it.
    let body =
        tlog_tiles::Checkpoint::new("example.com/pactlog", 10, tlog_tiles::Hash([8; 32]), "")
            .unwrap()
            .to_bytes();
    let note = their_sign(std::str::from_utf8(&body).unwrap(), &key.to_private_text());
    let (opened, _) = open_checkpoint(&note, &[key.verifier_key()]).unwrap();
    assert_eq!((opened.size(), *opened.root()), (10, [8; 32]));
}

#[test]
fn bodies_rejected_by_tlog_tiles_are_rejected_by_pactlog() {
    let root = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let bad = [
        format!("o\n007\n{root}\n"),
        format!("o\n+7\n{root}\n"),
        format!("o\n18446744073709551616\n{root}\n"),
        format!("\n7\n{root}\n"),
        format!("o\n7\n{root}\n\n"),
        format!("o\n7\n{root}"),
        "o\n7\nAAAA\n".to_owned(),
        "o\n7\n".to_owned(),
    ];
    for body in bad {
        assert!(
            tlog_tiles::Checkpoint::from_bytes(body.as_bytes()).is_err(),
            "{body:?}"
        );
        assert!(Checkpoint::parse_body(&body).is_err(), "{body:?}");
    }
}

/// A flat in-memory store of tlog_tiles' stored hashes.
struct StoredHashes(Vec<tlog_tiles::Hash>);

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
fn tlog_proofs_carry_inclusion_proofs_that_tlog_tiles_verifies() {
    let key = SigningKey::generate("example.com/pactlog").unwrap();
    let mut store = StoredHashes(Vec::new());
    let records: Vec<Vec<u8>> = (0..20u32)
        .map(|i| format!("record {i}").into_bytes())
        .collect();
    for (n, record) in records.iter().enumerate() {
        let hashes = tlog_tiles::stored_hashes(n as u64, record, &store).unwrap();
        store.0.extend(hashes);
    }
    for size in 1..=records.len() as u64 {
        let root = tlog_tiles::tree_hash(size, &store).unwrap();
        let note = Checkpoint::new("example.com/pactlog", size, root.0, Vec::new())
            .unwrap()
            .sign(&key)
            .unwrap();
        for index in 0..size {
            let path = tlog_tiles::prove_record(size, index, &store).unwrap();
            let hashes = path.iter().map(|h| h.0).collect();
            let text = TlogProof::new(Some(b"ctx".to_vec()), index, hashes, note.clone())
                .unwrap()
                .to_text();

            let proof = TlogProof::parse(&text).unwrap();
            let (checkpoint, _) = proof.open_checkpoint(&[key.verifier_key()]).unwrap();
            let parsed_path: Vec<_> = proof
                .hashes()
                .iter()
                .map(|&h| tlog_tiles::Hash(h))
                .collect();
            let leaf = tlog_tiles::record_hash(&records[proof.index() as usize]);
            tlog_tiles::check_record(
                &parsed_path,
                checkpoint.size(),
                tlog_tiles::Hash(*checkpoint.root()),
                proof.index(),
                leaf,
            )
            .unwrap_or_else(|e| panic!("size {size} index {index}: {e}"));
            // A proof for the neighbouring leaf must not verify this one.
            let other = tlog_tiles::record_hash(&records[((index + 1) % size) as usize]);
            if size > 1 {
                assert!(tlog_tiles::check_record(&parsed_path, size, root, index, other).is_err());
            }
        }
    }
}

/// Bodies that are often valid: each line is usually, not always, well formed.
fn body_text() -> impl Strategy<Value = String> {
    let origin = prop_oneof![
        4 => "[a-z./ +\u{e9}]{1,12}",
        1 => "[a-z\u{7f}\u{85}\t\r]{0,3}",
    ];
    let size = prop_oneof![
        4 => any::<u64>().prop_map(|n| n.to_string()),
        1 => "[+-]?0[0-9]{0,3}|[0-9]{20,21}| [0-9]",
    ];
    let root = prop_oneof![
        4 => any::<[u8; 32]>().prop_map(|h| tlog_tiles::Hash(h).to_string()),
        1 => "[A-Za-z0-9+/]{42,44}=?",
    ];
    let extension = prop_oneof![4 => "[a-z ]{1,8}", 1 => "[a-z\t]{0,2}"];
    let extensions = prop::collection::vec(extension, 0..3);
    let ending = prop_oneof![4 => Just("\n"), 1 => Just(""), 1 => Just("\n\n")];
    (origin, size, root, extensions, ending).prop_map(|(origin, size, root, extensions, ending)| {
        let mut lines = vec![origin, size, root];
        lines.extend(extensions);
        lines.join("\n") + ending
    })
}

proptest! {
    #[test]
    fn checkpoint_parsers_agree_on_generated_bodies(body in body_text()) {
        let theirs_ok = tlog_tiles::Checkpoint::from_bytes(body.as_bytes()).is_ok();
        let has_control = body.chars().any(|c| c.is_control() && c != '\n');
        // The only bodies pactlog refuses and tlog_tiles takes hold control characters.
        prop_assert_eq!(Checkpoint::parse_body(&body).is_ok(), theirs_ok && !has_control, "{:?}", body);
        if let Ok(ours) = Checkpoint::parse_body(&body) {
            let theirs = tlog_tiles::Checkpoint::from_bytes(body.as_bytes());
            prop_assert!(theirs.is_ok(), "tlog_tiles rejects {body:?}");
            let theirs = theirs.unwrap();
            prop_assert_eq!(theirs.origin(), ours.origin());
            prop_assert_eq!(theirs.size(), ours.size());
            prop_assert_eq!(&theirs.hash().0, ours.root());
        }
    }

    #[test]
    fn tlog_tiles_bodies_without_control_characters_parse_with_pactlog(
        origin in "[^\\p{Cc}]{1,30}",
        size in any::<u64>(),
        root in any::<[u8; 32]>(),
    ) {
        let body = tlog_tiles::Checkpoint::new(&origin, size, tlog_tiles::Hash(root), "")
            .unwrap()
            .to_bytes();
        let ours = Checkpoint::parse_body(std::str::from_utf8(&body).unwrap());
        prop_assert!(ours.is_ok(), "{ours:?}");
        let ours = ours.unwrap();
        prop_assert_eq!((ours.origin(), ours.size(), *ours.root()), (origin.as_str(), size, root));
    }
}
