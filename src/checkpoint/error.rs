//! The one error type of the checkpoint layer.

use std::fmt;

/// Which kind of key text an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A public verifier key, `name+keyid+base64`.
    Verifier,
    /// A private key, `PRIVATE+KEY+name+keyid+base64`.
    Private,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Verifier => "verifier",
            KeyKind::Private => "private",
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
    /// A key text names a signature type other than Ed25519 (`0x01`).
    #[error("{kind} key has signature type 0x{found:02x}; only 0x01 (Ed25519) is supported")]
    UnsupportedKeyType {
        /// Verifier or private key.
        kind: KeyKind,
        /// The type byte found.
        found: u8,
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
