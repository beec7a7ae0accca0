//! The one error type of the checkpoint layer.

use std::fmt;

/// Which kind of key text an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A public verifier key, `name+keyid+base64`.
    Verifier,
    /// A private key, `PRIVATE+KEY+name+keyid+base64`.
    Private,
    /// A witness's cosigner key, `name+keyid+base64(0x04 || key)`.
    Cosigner,
}

/// What a signature type byte is, for messages.
fn type_name(kind: u8) -> &'static str {
    match kind {
        0x01 => "Ed25519",
        0x04 => "cosignature/v1, a witness's Ed25519 cosigning key",
        _ => "unknown",
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Verifier => "verifier",
            KeyKind::Private => "private",
            KeyKind::Cosigner => "cosigner",
        })
    }
}

/// Everything that can go wrong reading, writing or checking keys, signed
/// notes, checkpoints and proofs.
///
/// Line numbers are 1-based and count lines of the whole input given to the
/// parser (for a proof, of the whole proof file).
///
/// Verification failures that mean "someone tampered or forged" are
/// [`BadSignature`](Self::BadSignature) and
/// [`NoKnownSignature`](Self::NoKnownSignature); everything else is malformed
/// input or a local problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// A key name is empty or holds white space, `+` or a control character.
    #[error("invalid key name {name:?}: {reason}")]
    InvalidKeyName {
        /// The rejected name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A verifier or private key text does not have the expected shape.
    #[error("malformed {kind} key: {reason}")]
    MalformedKey {
        /// Verifier or private key.
        kind: KeyKind,
        /// What is wrong with it.
        reason: String,
    },
    /// A key text names another signature type than the one expected: Ed25519
    /// (`0x01`) for a log's keys, cosignature/v1 (`0x04`) for a witness's.
    #[error("{kind} key has signature type 0x{found:02x}; want 0x{want:02x} ({})", type_name(*.want))]
    UnsupportedKeyType {
        /// Verifier, private or cosigner key.
        kind: KeyKind,
        /// The type byte found.
        found: u8,
        /// The type byte expected.
        want: u8,
    },
    /// The key id written in a key text is not the one its name and public key give.
    #[error(
        "{kind} key {name:?} says key id {found:08x}, but its name and public key give {expected:08x}"
    )]
    KeyIdMismatch {
        /// Verifier or private key.
        kind: KeyKind,
        /// The key name.
        name: String,
        /// The key id written in the text.
        found: u32,
        /// The key id computed from the name and public key.
        expected: u32,
    },
    /// The operating system could not supply randomness for a new key.
    #[error("cannot read randomness from the operating system: {reason}")]
    Randomness {
        /// The system's error message.
        reason: String,
    },
    /// A note, or a text to be signed, breaks the signed-note format.
    #[error("malformed note at line {line}: {reason}")]
    MalformedNote {
        /// The offending line.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A note is larger than [`MAX_NOTE_BYTES`](super::MAX_NOTE_BYTES).
    #[error("note is {bytes} bytes; at most {max} are accepted")]
    NoteTooLarge {
        /// The note's size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A signature by a trusted key does not verify: the note was tampered
    /// with or forged.
    #[error("signature at line {line} by trusted key {name}+{key_id:08x} does not verify")]
    BadSignature {
        /// The key name on the signature line.
        name: String,
        /// The key id on the signature line.
        key_id: u32,
        /// The signature line.
        line: usize,
    },
    /// The note carries no signature by any trusted key.
    #[error("note has no signature by a trusted key (it is signed by: {})", .signers.join(", "))]
    NoKnownSignature {
        /// `name+keyid` of every signature the note does carry.
        signers: Vec<String>,
    },
    /// Two different trusted keys share a name and key id, so a signature
    /// cannot be attributed.
    #[error("two different trusted keys are both named {name}+{key_id:08x}")]
    AmbiguousKey {
        /// The shared key name.
        name: String,
        /// The shared key id.
        key_id: u32,
    },
    /// A quorum of witnesses was asked for that cannot be met or means nothing.
    #[error("a quorum of {quorum} needs between 1 and {witnesses} listed witnesses")]
    InvalidQuorum {
        /// The quorum asked for.
        quorum: usize,
        /// The distinct witnesses listed.
        witnesses: usize,
    },
    /// Fewer listed witnesses cosigned the note than the quorum needs.
    #[error(
        "{} of the {quorum} witness cosignatures required: cosigned by [{}], not by [{}]",
        .cosigned.len(), .cosigned.join(", "), .missing.join(", ")
    )]
    QuorumNotMet {
        /// The quorum asked for.
        quorum: usize,
        /// `name+keyid` of each listed witness that cosigned.
        cosigned: Vec<String>,
        /// `name+keyid` of each listed witness that did not.
        missing: Vec<String>,
    },
    /// A checkpoint body breaks the tlog-checkpoint format.
    #[error("malformed checkpoint at line {line}: {reason}")]
    MalformedCheckpoint {
        /// The offending line.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A proof breaks the tlog-proof format (including its embedded checkpoint).
    #[error("malformed tlog-proof at line {line}: {reason}")]
    MalformedProof {
        /// The offending line of the proof.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}
