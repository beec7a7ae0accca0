//! Signed checkpoints: the keys, signed notes, tree-head bodies and proof files
//! that let an auditor check pactlog's ledger offline.
//!
//! Everything here follows three public C2SP specifications, so that standard
//! transparency-log tools (Go's `golang.org/x/mod/sumdb/note`, Rust's
//! `signed_note` and `tlog_tiles`) read what pactlog writes and the other way round:
//! [signed-note](https://c2sp.org/signed-note),
//! [tlog-checkpoint](https://c2sp.org/tlog-checkpoint) and
//! [tlog-proof](https://c2sp.org/tlog-proof), and witnesses' cosignatures follow
//! [tlog-cosignature](https://c2sp.org/tlog-cosignature) (see [`check_quorum`]). Logs
//! sign with the Ed25519 signature type (`0x01`), witnesses cosign with
//! `cosignature/v1` (`0x04`). The formats, exactly:
//!
//! # Keys
//!
//! A key has a *name* and an Ed25519 key pair. A name is non-empty UTF-8 with no
//! Unicode white space (`char::is_whitespace`), no `+` and no ASCII control
//! character (below U+0020). The name should be a schema-less URL such as
//! `example.com/pactlog`, and it should equal the checkpoint origin.
//!
//! The *key id* is the first four bytes, read as a big-endian `u32`, of
//!
//! ```text
//! SHA-256(name || 0x0A || 0x01 || 32-byte Ed25519 public key)
//! ```
//!
//! It is written as exactly 8 lowercase hex digits.
//!
//! A *verifier key* (public, given to auditors) is one line of text:
//!
//! ```text
//! <name>+<key id, 8 lowercase hex>+<base64(0x01 || 32-byte public key)>
//! ```
//!
//! A *private key* (Go's `note` package format; keep it secret) is:
//!
//! ```text
//! PRIVATE+KEY+<name>+<key id, 8 lowercase hex>+<base64(0x01 || 32-byte seed)>
//! ```
//!
//! where the key id is computed from the public key derived from the seed.
//! Parsing is strict: the key id must match, the base64 must be canonical
//! (standard alphabet, padded, no stray bits, no surrounding white space), the
//! key data must be exactly 33 bytes, and a public key must be a valid Ed25519
//! point that is not of small order. Trim the trailing newline of a key file
//! before parsing it.
//!
//! # Signed notes
//!
//! A signed note is UTF-8 text with no ASCII control character other than
//! newline (U+000A):
//!
//! ```text
//! <text: one or more lines, each ending in a newline>
//! <a blank line>
//! — <key name> <base64(4-byte big-endian key id || 64-byte Ed25519 signature)>
//! — <key name> <...one line per signature, at least one...>
//! ```
//!
//! Each signature line starts with an em dash (U+2014) and a space. The signed
//! message is the text including its final newline but not the blank line. The
//! text may itself contain blank lines: the *last* blank line of the note
//! separates text from signatures. A note is at most [`MAX_NOTE_BYTES`] bytes
//! with at most [`MAX_NOTE_SIGNATURES`] signatures.
//!
//! [`open_note`] checks a note against a set of trusted [`VerifierKey`]s: a
//! signature whose key name *and* key id match a trusted key must verify
//! ([`CheckpointError::BadSignature`] otherwise, and the whole note is
//! rejected); signatures by other keys are ignored (witness cosignatures, key
//! rotation); at least one trusted signature must be present
//! ([`CheckpointError::NoKnownSignature`] otherwise). Verification is
//! `verify_strict` (RFC 8032 with canonical encodings, no small-order points).
//!
//! # Checkpoints
//!
//! A checkpoint is a signed note whose text is the tree head:
//!
//! ```text
//! <origin>
//! <tree size: ASCII decimal, no leading zeros, "0" for the empty tree>
//! <base64 of the 32-byte RFC 6962 SHA-256 root hash>
//! <optional extension lines, each non-empty>
//! ```
//!
//! The origin must be non-empty and free of control characters; it should be a
//! schema-less URL, but (as the spec requires) no other shape is assumed, so
//! non-ASCII origins are accepted. Callers must still compare the origin with
//! the log they expect.
//!
//! # Proofs (`c2sp.org/tlog-proof@v1`)
//!
//! A self-contained, offline-checkable proof that an entry is in the log:
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64 of opaque, unauthenticated bytes>      (optional line)
//! index <zero-based leaf index: decimal, no leading zeros>
//! <base64 SHA-256 hash>   (zero or more lines: the RFC 6962 inclusion proof,
//! <base64 SHA-256 hash>    from the leaf's sibling up to the root's child)
//! <a blank line>
//! <the signed checkpoint note, verbatim>
//! ```
//!
//! [`TlogProof`] parses and writes this format; checking the hashes against
//! the root is the job of the Merkle module.
//!
//! # Example
//!
//! ```
//! use pactlog::checkpoint::{Checkpoint, SigningKey, open_checkpoint};
//!
//! let key = SigningKey::generate("example.com/pactlog")?;
//! let checkpoint = Checkpoint::new("example.com/pactlog", 3, [7; 32], Vec::new())?;
//! let note = checkpoint.sign(&key)?;
//!
//! let (opened, _note) = open_checkpoint(&note, &[key.verifier_key()])?;
//! assert_eq!(opened, checkpoint);
//! # Ok::<(), pactlog::checkpoint::CheckpointError>(())
//! ```

mod body;
mod cosignature;
mod error;
mod key;
mod note;
mod proof;
mod text;

#[cfg(test)]
mod fuzz_tests;

pub use body::{Checkpoint, open_checkpoint};
pub use cosignature::{
    COSIGNATURE_V1_TYPE, Cosigned, Cosigner, CosignerKey, MAX_COSIGNATURE_TIME, check_quorum,
    cosigner_key_id,
};
pub use error::{CheckpointError, KeyKind};
pub use key::{ED25519_SIGNATURE_TYPE, SigningKey, VerifierKey, key_id};
pub use note::{
    MAX_NOTE_BYTES, MAX_NOTE_SIGNATURES, Note, NoteSignature, VerifiedNote, open_note, sign_note,
};
pub use proof::{MAX_PROOF_HASHES, TLOG_PROOF_HEADER, TlogProof};

/// The largest proof file: its `extra` line carries one record in base64 (at most
/// about 5.4 MiB, see [`crate::import::MAX_EXPORT_LINE_BYTES`]), then at most 64 hashes and a
/// checkpoint note of at most [`MAX_NOTE_BYTES`] (1 MB); 8 MiB holds
/// all of that, with room for Windows line endings.
pub const MAX_PROOF_FILE_BYTES: u64 = 8 << 20;

/// The largest checkpoint note file: twice [`MAX_NOTE_BYTES`], so a
/// note of the largest size still fits after a conversion to Windows line endings (the
/// note parser applies the exact limit).
pub const MAX_NOTE_FILE_BYTES: u64 = 2 * crate::checkpoint::MAX_NOTE_BYTES as u64;

/// The largest key file: a key is one line, its name and about 60 bytes of key id and
/// base64; 64 KiB leaves room for any sensible name.
pub const MAX_KEY_FILE_BYTES: u64 = 64 << 10;
