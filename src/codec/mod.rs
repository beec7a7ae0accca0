//! Canonical bytes of a record: the hash preimage, the Merkle leaf, the stored value.
//!
//! Format (version 1): one version byte `0x01`, then the record encoded with bincode
//! 2.0.1 (pinned) under `config::legacy()`: fixed-width little-endian integers, `u64`
//! lengths before strings and sequences, `u32` enum variant indexes, one byte for
//! `Option` and `bool`. Field order is the declaration order of the types in
//! [`crate::model`] and here. Models use only `Vec`, `String`, integers and enums, so
//! the bytes are a pure function of the value.
//!
//! Decoding is strict: the version must be known, every byte must be consumed, every
//! id, day and currency must be valid, and re-encoding the decoded value must give back
//! the same bytes. Anything else is [`CodecError`], never a panic.

mod record;

pub use record::{ChainHash, Entry, Record, Seq, Timestamp};
#[cfg(any(test, feature = "test-support"))]
pub use record::RECORD_CONTEXT;

/// The version byte that starts every record's canonical bytes.
pub const FORMAT_VERSION: u8 = 1;

/// The largest record the decoder accepts (bytes after the version byte).
pub const MAX_RECORD_BYTES: usize = 4 << 20;

fn config() -> impl bincode::config::Config {
    bincode::config::legacy()
}

fn decode_config() -> impl bincode::config::Config {
    bincode::config::legacy().with_limit::<MAX_RECORD_BYTES>()
}

/// Why bytes are not a valid record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// No bytes at all.
    #[error("record is empty")]
    Empty,
    /// A version byte this build does not know.
    #[error("unknown record format version {0} (this build reads version {FORMAT_VERSION})")]
    UnknownVersion(u8),
    /// bincode could not decode the bytes.
    #[error("record bytes do not decode: {0}")]
    Malformed(String),
    /// Bytes were left over after the record.
    #[error("record has {0} trailing bytes")]
    TrailingBytes(usize),
    /// The bytes decode, but are not the canonical encoding of what they decode to.
    #[error("record bytes are not canonical (re-encoding differs)")]
    NotCanonical,
    /// Encoding failed (cannot happen for valid models; reported, not panicked).
    #[error("record does not encode: {0}")]
    Encode(String),
}

/// The canonical bytes of a record.
///
/// # Errors
/// [`CodecError::Encode`] if bincode refuses the value (not expected for model types).
pub fn encode(record: &Record) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(512);
    out.push(FORMAT_VERSION);
    bincode::serde::encode_into_std_write(record, &mut out, config())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

/// Decodes canonical bytes strictly (see the module docs).
///
/// # Errors
/// A [`CodecError`] saying how the bytes are wrong.
pub fn decode(bytes: &[u8]) -> Result<Record, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if version != FORMAT_VERSION {
        return Err(CodecError::UnknownVersion(version));
    }
    let (record, used): (Record, usize) = bincode::serde::decode_from_slice(body, decode_config())
        .map_err(|e| CodecError::Malformed(e.to_string()))?;
    if used != body.len() {
        return Err(CodecError::TrailingBytes(body.len() - used));
    }
    if encode(&record)? != bytes {
        return Err(CodecError::NotCanonical);
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Party, PartyId};

    fn party_record() -> Record {
        Record {
            seq: Seq::new(0),
            recorded_at: Timestamp::from_unix(1_772_150_400),
            prev: ChainHash::ZERO,
            entry: Entry::Party(Party {
                id: PartyId::new("openai").unwrap(),
                name: "OpenAI".into(),
                aliases: vec![],
            }),
        }
    }

    #[test]
    fn round_trip() {
        let r = party_record();
        let bytes = encode(&r).unwrap();
        assert_eq!(bytes[0], FORMAT_VERSION);
        assert_eq!(decode(&bytes).unwrap(), r);
    }

    #[test]
    fn rejects_damage() {
        let bytes = encode(&party_record()).unwrap();
        assert_eq!(decode(&[]), Err(CodecError::Empty));
        let mut v2 = bytes.clone();
        v2[0] = 2;
        assert_eq!(decode(&v2), Err(CodecError::UnknownVersion(2)));
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(decode(&long), Err(CodecError::TrailingBytes(1)));
        assert!(matches!(
            decode(&bytes[..bytes.len() - 1]),
            Err(CodecError::Malformed(_))
        ));
        // An upper-case party id is not a valid PartyId: strict decode refuses it.
        let mut upper = bytes.clone();
        let pos = upper.windows(6).position(|w| w == b"openai").unwrap();
        upper[pos] = b'O';
        assert!(matches!(decode(&upper), Err(CodecError::Malformed(_))));
    }

    #[test]
    fn huge_length_prefixes_are_refused_without_allocating() {
        let mut bytes = vec![FORMAT_VERSION];
        bytes.extend_from_slice(&0u64.to_le_bytes());
        bytes.extend_from_slice(&0i64.to_le_bytes());
        bytes.extend_from_slice(&[0; 32]);
        bytes.extend_from_slice(&0u32.to_le_bytes());
        bytes.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(decode(&bytes), Err(CodecError::Malformed(_))));
    }

    #[test]
    fn timestamps_print_and_parse() {
        let t = Timestamp::parse("2026-02-27T12:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-02-27T12:00:00Z");
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
