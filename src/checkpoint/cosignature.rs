//! C2SP tlog-cosignature `cosignature/v1`: a witness's timestamped Ed25519 statement
//! that a checkpoint is the largest consistent tree head it has seen for that log.
//!
//! A cosignature is one more signature line of the checkpoint note,
//! `— <witness name> base64(key id || timestamp || signature)`, where
//!
//! - the key id is `SHA-256(name || 0x0A || 0x04 || 32-byte public key)[:4]`
//!   (signature type `0x04`, not the `0x01` of a log's own signature);
//! - the timestamp is 8 bytes, big-endian, seconds since the Unix epoch, at most
//!   2^63 - 1;
//! - the signature is Ed25519 over `cosignature/v1\ntime <timestamp>\n` followed by
//!   the whole checkpoint body (every line of the note text, with its final newline).
//!
//! A witness's public key is written as a verifier key with the type byte `0x04`:
//! `name+keyid+base64(0x04 || key)` ([`CosignerKey`]). Its private key is an ordinary
//! Ed25519 private key text (`PRIVATE+KEY+...`, from `pactlog key generate`), which a
//! [`Cosigner`] uses only under the `cosignature/v1` prefix; give a witness a key of
//! its own, never a log's.

use std::fmt;
use std::str::FromStr;

use super::error::{CheckpointError, KeyKind};
use super::key::{
    SigningKey, check_id, encode_typed_key_data, public_point, split_key_text, typed_key_id,
};
use super::note::{Note, NoteSignature, line_count};

/// The signed-note signature type byte of `cosignature/v1` (timestamped Ed25519).
pub const COSIGNATURE_V1_TYPE: u8 = 0x04;

/// The largest timestamp a cosignature may carry (the spec's 2^63 - 1).
pub const MAX_COSIGNATURE_TIME: u64 = i64::MAX as u64;

/// The key id of a `cosignature/v1` key: the first four bytes, big-endian, of
/// `SHA-256(name || 0x0A || 0x04 || public_key)`.
#[must_use]
pub fn cosigner_key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    typed_key_id(COSIGNATURE_V1_TYPE, name, public_key)
}

/// The message a `cosignature/v1` signs: the header line, the time line, the body.
fn signed_message(body: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{body}")
}

/// A witness's public `cosignature/v1` key: what an auditor requiring that witness
/// trusts. Its text form is `name+keyid+base64(0x04 || 32-byte Ed25519 key)`.
// INVARIANT: `name` is a valid key name, `id == cosigner_key_id(name, key)`, and `key`
// is not of small order.
#[derive(Clone, PartialEq, Eq)]
pub struct CosignerKey {
    name: String,
    id: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl CosignerKey {
    /// Parses a cosigner key text `name+keyid+base64(0x04 || 32-byte key)`.
    ///
    /// # Errors
    ///
    /// As [`VerifierKey::parse`](super::VerifierKey::parse), with
    /// [`KeyKind::Cosigner`]; [`CheckpointError::UnsupportedKeyType`] for any type
    /// byte but `0x04` (a log's `0x01` key included).
    ///
    /// ```
    /// use pactlog::checkpoint::{Cosigner, CosignerKey, SigningKey};
    ///
    /// let witness = Cosigner::new(SigningKey::from_seed("witness.example/w1", [9; 32])?);
    /// let text = witness.verifier_key().to_text();
    /// let key: CosignerKey = text.parse()?;
    /// assert_eq!(key.name(), "witness.example/w1");
    /// // A log's verifier key (type 0x01) is not a witness's key.
    /// let log = SigningKey::from_seed("witness.example/w1", [9; 32])?.verifier_key();
    /// assert!(CosignerKey::parse(&log.to_text()).is_err());
    /// # Ok::<(), pactlog::checkpoint::CheckpointError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let kind = KeyKind::Cosigner;
        let (name, id, bytes) = split_key_text(kind, text, COSIGNATURE_V1_TYPE)?;
        let key = public_point(kind, &bytes)?;
        check_id(kind, name, id, cosigner_key_id(name, &bytes))?;
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The witness's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id (see [`cosigner_key_id`]).
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The key text `name+keyid+base64(0x04 || key)`.
    #[must_use]
    pub fn to_text(&self) -> String {
        self.to_string()
    }

    /// Whether `signature` names this key (name and key id).
    fn names(&self, signature: &NoteSignature) -> bool {
        signature.name() == self.name && signature.key_id() == self.id
    }

    /// The timestamp of `signature` when it is this key's valid cosignature of `body`.
    fn verify(&self, body: &str, signature: &NoteSignature) -> Option<u64> {
        let bytes = signature.signature();
        let (time, sig) = bytes.split_first_chunk::<8>()?;
        let sig = <[u8; 64]>::try_from(sig).ok()?;
        let timestamp = u64::from_be_bytes(*time);
        if timestamp > MAX_COSIGNATURE_TIME {
            return None;
        }
        let message = signed_message(body, timestamp);
        let sig = ed25519_dalek::Signature::from_bytes(&sig);
        self.key
            .verify_strict(message.as_bytes(), &sig)
            .ok()
            .map(|()| timestamp)
    }
}

impl fmt::Display for CosignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = encode_typed_key_data(COSIGNATURE_V1_TYPE, self.key.as_bytes());
        write!(f, "{}+{:08x}+{data}", self.name, self.id)
    }
}

impl fmt::Debug for CosignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CosignerKey")
            .field(&self.to_string())
            .finish()
    }
}

impl FromStr for CosignerKey {
    type Err = CheckpointError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// A witness's signing side: an Ed25519 private key used for `cosignature/v1`.
#[derive(Clone, Debug)]
pub struct Cosigner {
    key: SigningKey,
}

impl Cosigner {
    /// A cosigner with `key` (its name is the witness's name).
    #[must_use]
    pub fn new(key: SigningKey) -> Self {
        Self { key }
    }

    /// The witness's name.
    #[must_use]
    pub fn name(&self) -> &str {
        self.key.name()
    }

    /// The public key to give auditors: `name+keyid+base64(0x04 || key)`.
    #[must_use]
    pub fn verifier_key(&self) -> CosignerKey {
        let public = self.key.public_key();
        // INVARIANT: a SigningKey holds a valid name and a key derived from a seed,
        // which is never of small order; the id is computed here.
        CosignerKey {
            name: self.key.name().to_owned(),
            id: cosigner_key_id(self.key.name(), &public),
            key: ed25519_dalek::VerifyingKey::from_bytes(&public)
                .unwrap_or_else(|_| unreachable!("a key derived from a seed is a valid point")),
        }
    }

    /// The cosignature of the checkpoint `body` (a note's text) at `timestamp`.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::MalformedNote`] when the timestamp exceeds
    /// [`MAX_COSIGNATURE_TIME`].
    pub fn cosign(&self, body: &str, timestamp: u64) -> Result<NoteSignature, CheckpointError> {
        if timestamp > MAX_COSIGNATURE_TIME {
            return Err(CheckpointError::MalformedNote {
                line: 1,
                reason: format!("cosignature time {timestamp} exceeds 2^63 - 1"),
            });
        }
        let message = signed_message(body, timestamp);
        let mut data = timestamp.to_be_bytes().to_vec();
        data.extend_from_slice(&self.key.sign(message.as_bytes()));
        Ok(NoteSignature::new(
            self.key.name(),
            self.verifier_key().key_id(),
            data,
        ))
    }
}

/// A witness that cosigned a note, as [`check_quorum`] found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosigned {
    /// The witness's name.
    pub name: String,
    /// The witness's key id.
    pub key_id: u32,
    /// When it cosigned, in seconds since the Unix epoch.
    pub timestamp: u64,
}

/// Checks that at least `quorum` distinct `witnesses` cosigned `note`
/// (`cosignature/v1` over the note's text), and returns those that did, in the order
/// of `witnesses`.
///
/// Signature lines by other keys are ignored (the log's own signature, unknown
/// witnesses). Several lines by one witness count once. The note's own signature is
/// not checked here: open it with the log's key first.
///
/// # Errors
///
/// [`CheckpointError::InvalidQuorum`] when `quorum` is 0 or larger than the number of
/// distinct witnesses; [`CheckpointError::BadSignature`] when a line names a listed
/// witness (name and key id) but does not verify; [`CheckpointError::QuorumNotMet`]
/// naming who cosigned and who did not.
pub fn check_quorum(
    note: &Note,
    witnesses: &[CosignerKey],
    quorum: usize,
) -> Result<Vec<Cosigned>, CheckpointError> {
    let mut distinct: Vec<&CosignerKey> = Vec::new();
    for w in witnesses {
        if !distinct.contains(&w) {
            distinct.push(w);
        }
    }
    if quorum == 0 || quorum > distinct.len() {
        return Err(CheckpointError::InvalidQuorum {
            quorum,
            witnesses: distinct.len(),
        });
    }
    let first_line = line_count(note.text()) + 2;
    let mut cosigned = Vec::new();
    let mut missing = Vec::new();
    for w in distinct {
        let mut found = None;
        for (i, line) in note.signatures().iter().enumerate() {
            if !w.names(line) {
                continue;
            }
            let timestamp =
                w.verify(note.text(), line)
                    .ok_or_else(|| CheckpointError::BadSignature {
                        name: line.name().to_owned(),
                        key_id: line.key_id(),
                        line: first_line + i,
                    })?;
            found = found.max(Some(timestamp));
        }
        match found {
            Some(timestamp) => cosigned.push(Cosigned {
                name: w.name.clone(),
                key_id: w.id,
                timestamp,
            }),
            None => missing.push(format!("{}+{:08x}", w.name, w.id)),
        }
    }
    if cosigned.len() < quorum {
        return Err(CheckpointError::QuorumNotMet {
            quorum,
            cosigned: cosigned
                .iter()
                .map(|c| format!("{}+{:08x}", c.name, c.key_id))
                .collect(),
            missing,
        });
    }
    Ok(cosigned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{Checkpoint, open_note};
    use sha2::{Digest, Sha256};

    fn witness(name: &str, seed: u8) -> Cosigner {
        Cosigner::new(SigningKey::from_seed(name, [seed; 32]).unwrap())
    }

    fn log_note() -> (SigningKey, Note) {
        let log = SigningKey::from_seed("example.com/log", [1; 32]).unwrap();
        let cp = Checkpoint::new("example.com/log", 5, [3; 32], vec!["ext 1".into()]).unwrap();
        let note = Note::parse(&cp.sign(&log).unwrap()).unwrap();
        (log, note)
    }

    fn cosigned_by(mut note: Note, witnesses: &[&Cosigner], time: u64) -> Note {
        for w in witnesses {
            let line = w.cosign(note.text(), time).unwrap();
            note.push_signature(line).unwrap();
        }
        note
    }

    #[test]
    fn key_id_hashes_name_newline_type_04_and_key() {
        let w = witness("witness.example/w1", 9);
        let public = w.key.public_key();
        let mut preimage = b"witness.example/w1\n\x04".to_vec();
        preimage.extend_from_slice(&public);
        let digest = Sha256::digest(&preimage);
        let want = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        assert_eq!(w.verifier_key().key_id(), want);
        assert_ne!(
            want,
            crate::checkpoint::key_id("witness.example/w1", &public)
        );
    }

    #[test]
    fn cosigner_key_text_round_trips_and_is_typed() {
        let key = witness("witness.example/w1", 9).verifier_key();
        let text = key.to_text();
        assert_eq!(CosignerKey::parse(&text).unwrap(), key);
        let data = text.rsplit('+').next().unwrap();
        assert_eq!(
            crate::checkpoint::text::decode_base64(data).unwrap()[0],
            0x04
        );
        let wrong_id = text.replacen(&format!("{:08x}", key.key_id()), "00000000", 1);
        assert!(matches!(
            CosignerKey::parse(&wrong_id),
            Err(CheckpointError::KeyIdMismatch { .. })
        ));
    }

    #[test]
    fn cosignature_is_timestamp_then_ed25519_over_prefixed_body() {
        let (_, note) = log_note();
        let w = witness("witness.example/w1", 9);
        let line = w.cosign(note.text(), 1_679_315_147).unwrap();
        let bytes = line.signature();
        assert_eq!(bytes.len(), 72);
        assert_eq!(&bytes[..8], &1_679_315_147u64.to_be_bytes());
        let message = format!("cosignature/v1\ntime 1679315147\n{}", note.text());
        let sig = ed25519_dalek::Signature::from_bytes(&bytes[8..].try_into().unwrap());
        let public = ed25519_dalek::VerifyingKey::from_bytes(&w.key.public_key()).unwrap();
        public.verify_strict(message.as_bytes(), &sig).unwrap();
        assert_eq!(line.key_id(), w.verifier_key().key_id());
    }

    #[test]
    fn quorum_counts_distinct_listed_witnesses_that_verify() {
        let (log, note) = log_note();
        let (a, b, c) = (witness("w/a", 2), witness("w/b", 3), witness("w/c", 4));
        let note = cosigned_by(note, &[&a, &b], 100);
        let keys = [a.verifier_key(), b.verifier_key(), c.verifier_key()];
        let got = check_quorum(&note, &keys, 2).unwrap();
        let names: Vec<_> = got.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["w/a", "w/b"]);
        assert_eq!(got[0].timestamp, 100);
        let err = check_quorum(&note, &keys, 3).unwrap_err();
        match err {
            CheckpointError::QuorumNotMet {
                cosigned, missing, ..
            } => {
                assert_eq!(cosigned.len(), 2);
                assert_eq!(missing.len(), 1);
                assert!(missing[0].starts_with("w/c+"));
            }
            other => panic!("{other}"),
        }
        // Listing one witness twice does not make two.
        let twice = [a.verifier_key(), a.verifier_key()];
        assert!(matches!(
            check_quorum(&note, &twice, 2),
            Err(CheckpointError::InvalidQuorum {
                quorum: 2,
                witnesses: 1
            })
        ));
        assert!(matches!(
            check_quorum(&note, &keys, 0),
            Err(CheckpointError::InvalidQuorum { .. })
        ));
        // The log's signature still opens the note; cosignatures are ignored there.
        open_note(&note.to_text(), &[log.verifier_key()]).unwrap();
    }

    #[test]
    fn a_cosignature_of_another_checkpoint_or_time_does_not_count() {
        let (_, note) = log_note();
        let a = witness("w/a", 2);
        let other = Checkpoint::new("example.com/log", 5, [4; 32], Vec::new()).unwrap();
        let forged = a.cosign(&other.to_body(), 100).unwrap();
        let mut moved = note.clone();
        moved.push_signature(forged).unwrap();
        let err = check_quorum(&moved, &[a.verifier_key()], 1).unwrap_err();
        assert!(
            matches!(err, CheckpointError::BadSignature { line: 7, .. }),
            "{err}"
        );

        // The time is signed: changing it breaks the signature.
        let good = a.cosign(note.text(), 100).unwrap();
        let mut bytes = good.signature().to_vec();
        bytes[7] ^= 1;
        let retimed = NoteSignature::new("w/a", good.key_id(), bytes);
        let mut note2 = note.clone();
        note2.push_signature(retimed).unwrap();
        assert!(check_quorum(&note2, &[a.verifier_key()], 1).is_err());

        // A witness key of another name (same seed) is not the same witness.
        let renamed = witness("w/other", 2).verifier_key();
        let note3 = cosigned_by(note, &[&a], 100);
        assert!(matches!(
            check_quorum(&note3, &[renamed], 1),
            Err(CheckpointError::QuorumNotMet { .. })
        ));
    }

    #[test]
    fn timestamps_past_2_pow_63_are_refused() {
        let (_, note) = log_note();
        let a = witness("w/a", 2);
        assert!(a.cosign(note.text(), MAX_COSIGNATURE_TIME).is_ok());
        assert!(a.cosign(note.text(), MAX_COSIGNATURE_TIME + 1).is_err());
    }
}
