//! pactlog's `cosignature/v1` bytes checked by code written elsewhere.
//!
//! - The `sigsum` crate (MIT, Mullvad's sigsum-rs) verifies Sigsum proofs, whose tree
//!   heads are checkpoints with the origin `sigsum.org/v1/tree/<hex SHA-256 of the log
//!   key>` and no extension lines, cosigned with `cosignature/v1`. A log here signs such
//!   a checkpoint with pactlog's signed-note code, the witness (`WitnessState`, the code
//!   behind `pactlog witness cosign` and `POST /add-checkpoint`) cosigns it, and the
//!   timestamp and signature are taken from the bytes of pactlog's signature line: sigsum
//!   rebuilds the signed message (`cosignature/v1`, `time <T>`, the checkpoint body) from
//!   its own code and verifies both the log's signature and the cosignature, with its own
//!   quorum rule.
//! - The `signed_note` crate parses that line and computes the key id over
//!   `0x04 || public key` with its own `key_id`: the line's key id must be that one.
//!
//! Sigsum's own tree heads have no extension lines, so pactlog's `pactlog-head` line is
//! not covered by the first check; the message's prefix, time line, body placement,
//! timestamp encoding and signature are.

use ed25519_dalek::Signer as _;
use pactlog::checkpoint::{Checkpoint, Cosigner, CosignerKey, Note, SigningKey};
use pactlog::cosigner::{AddCheckpoint, WitnessState};
use sha2::{Digest, Sha256};
use sigsum::{Hash, Policy, SigsumSignature, verify};

const WITNESS: &str = "witness.example/w1";
const TIME: u64 = 1_767_225_600;

/// The Ed25519 public key of `seed`, by ed25519-dalek (RFC 8032 seeds, as pactlog's).
fn public(seed: [u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A one-leaf Sigsum log, its checkpoint signed by pactlog and cosigned by pactlog's
/// witness: everything sigsum needs to verify, as the parts of its ASCII proof.
struct Signed {
    message: Hash,
    submitter: [u8; 32],
    policy: Policy,
    /// The ASCII proof before its cosignature line.
    head: String,
    /// The ASCII proof after its cosignature line.
    tail: String,
    /// pactlog's cosignature line.
    line: String,
    witness: CosignerKey,
}

fn signed() -> Signed {
    // The log: pactlog's key, named as Sigsum names its logs' checkpoints.
    let log_pub = public([3; 32]);
    let origin = format!("sigsum.org/v1/tree/{}", hex(&Sha256::digest(log_pub)));
    let log = SigningKey::from_seed(&origin, [3; 32]).unwrap();
    // The leaf: a submitter's signature of a message's checksum (Sigsum's leaf format).
    let submitter = ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
    let message = Sha256::digest(b"pactlog cross-check");
    let checksum = Sha256::digest(message);
    let leaf_sig = submitter.sign(&[b"sigsum.org/v1/tree-leaf\x00".as_slice(), &checksum].concat());
    let submitter_pub = submitter.verifying_key().to_bytes();
    let leaf = [
        checksum.as_slice(),
        &leaf_sig.to_bytes(),
        &Sha256::digest(submitter_pub),
    ]
    .concat();
    let root: [u8; 32] = Sha256::digest([&[0u8][..], &leaf].concat()).into();
    let note = Checkpoint::new(&origin, 1, root, Vec::new())
        .unwrap()
        .sign(&log)
        .unwrap();
    let log_sig = Note::parse(&note).unwrap().signatures()[0]
        .signature()
        .to_vec();

    // The witness cosigns through its state folder, as the CLI and the server do.
    let dir = tempfile::tempdir().unwrap();
    let state = WitnessState::open(dir.path()).unwrap();
    state.add_log(&origin, log.verifier_key()).unwrap();
    let witness = Cosigner::new(SigningKey::from_seed(WITNESS, [9; 32]).unwrap());
    let request = AddCheckpoint {
        old: 0,
        proof: Vec::new(),
        note,
    };
    let line = state
        .add_checkpoint(&request, &witness, TIME)
        .unwrap()
        .to_line();
    let witness_pub = public([9; 32]);
    let policy = Policy::parse(&format!(
        "log {}\nwitness w1 {}\nquorum w1\n",
        hex(&log_pub),
        hex(&witness_pub)
    ))
    .unwrap();
    let head = format!(
        "version=2\nlog={}\nleaf={} {}\n\nsize=1\nroot_hash={}\nsignature={}\n",
        hex(&Sha256::digest(log_pub)),
        hex(&Sha256::digest(submitter_pub)),
        hex(&leaf_sig.to_bytes()),
        hex(&root),
        hex(&log_sig),
    );
    Signed {
        message: Hash::new(b"pactlog cross-check"),
        submitter: submitter_pub,
        policy,
        head,
        tail: "\nleaf_index=0\n".into(),
        line,
        witness: witness.verifier_key(),
    }
}

impl Signed {
    /// sigsum's verdict on the proof whose cosignature line is `keyhash time sig`.
    fn verify_with(&self, time: u64, signature: &[u8]) -> Result<(), String> {
        let witness_pub = public([9; 32]);
        let ascii = format!(
            "{}cosignature={} {time} {}\n{}",
            self.head,
            hex(&Sha256::digest(witness_pub)),
            hex(signature),
            self.tail
        );
        let proof = SigsumSignature::from_ascii(&ascii).map_err(|e| format!("{e:?}"))?;
        verify(
            &self.message,
            &proof,
            &[self.submitter.into()],
            &self.policy,
        )
        .map_err(|e| e.to_string())
    }

    /// The timestamp and Ed25519 signature in pactlog's line, read by signed_note.
    fn parts(&self) -> (u32, u64, Vec<u8>) {
        let sig = signed_note::Signature::from_bytes(self.line.trim_end().as_bytes())
            .expect("signed_note parses pactlog's cosignature line");
        assert_eq!(sig.name(), WITNESS);
        let bytes = sig.signature();
        assert_eq!(bytes.len(), 72, "timestamp || Ed25519 signature");
        let time = u64::from_be_bytes(bytes[..8].try_into().unwrap());
        (sig.id(), time, bytes[8..].to_vec())
    }
}

#[test]
fn sigsum_verifies_the_cosignature_pactlogs_witness_makes() {
    let s = signed();
    let (_, time, signature) = s.parts();
    assert_eq!(time, TIME);
    s.verify_with(time, &signature)
        .expect("sigsum verifies pactlog's log signature and cosignature");

    // The check can fail: another time, a flipped bit, no cosignature at all.
    assert!(s.verify_with(time + 1, &signature).is_err());
    let mut flipped = signature.clone();
    flipped[10] ^= 1;
    assert!(s.verify_with(time, &flipped).is_err());
    let without = SigsumSignature::from_ascii(&format!("{}{}", s.head, s.tail)).unwrap();
    assert!(
        verify(&s.message, &without, &[s.submitter.into()], &s.policy).is_err(),
        "sigsum's quorum needs the witness"
    );
}

#[test]
fn signed_note_computes_the_cosigner_key_id_pactlog_writes() {
    let s = signed();
    let (id, _, _) = s.parts();
    let public = public([9; 32]);
    let typed = [&[0x04u8][..], &public].concat();
    assert_eq!(id, signed_note::key_id(WITNESS, &typed));
    assert_eq!(s.witness.key_id(), id);
    // Not the id of the same key as a log's (type 0x01) key.
    let log_typed = [&[0x01u8][..], &public].concat();
    assert_ne!(id, signed_note::key_id(WITNESS, &log_typed));
    // The vkey text carries the same id and key bytes.
    let text = s.witness.to_text();
    assert!(text.starts_with(&format!("{WITNESS}+{id:08x}+")), "{text}");
}
