//! Canonical bytes of a record: the hash preimage, the Merkle leaf, the stored value.
//!
//! Format: one version byte, then the record encoded with bincode 2.0.1 (pinned) under
//! `config::legacy()`: fixed-width little-endian integers, `u64` lengths before strings
//! and sequences, `u32` enum variant indexes, one byte for `Option` and `bool`. Field
//! order is the declaration order of the types. Models use only `Vec`, `String`,
//! integers and enums, so the bytes are a pure function of the value.
//!
//! Two versions exist ([`Format`]); this build reads both and writes new records in the
//! newer:
//! - `0x02`: the types of [`crate::model`] and here, as they are. Tranches carry `key`,
//!   `due` and `lapses`; there is a `payment` kind.
//! - `0x01`: the model before those: tranches of investor, investee, amount and
//!   condition, no payment. Its types are mirrored in `v1.rs`, and a format-1 record
//!   decodes into the current model (new fields empty).
//!
//! A decoded record remembers its format ([`Record::format`]), and [`encode`] writes a
//! record in its own format, so the bytes of a stored record always come back the same,
//! whatever its version: a ledger begun in format 1 goes on verifying, and its exports
//! restore byte for byte. A value format 1 cannot express is never written as format 1.
//!
//! Decoding is strict: the version must be known, every byte must be consumed, every
//! id, day and currency must be valid, and re-encoding the decoded value in the same
//! format must give back the same bytes. Anything else is [`CodecError`], never a panic.
//! [`canonical_head`] accepts the same bytes without building the record (for `verify`,
//! which reads every record and needs only its position and link).

mod canonical;
mod record;
mod v1;

pub use canonical::canonical_head;
pub use record::{ChainHash, Entry, Format, Record, RecordHead, Seq, Timestamp};
#[cfg(any(test, feature = "test-support"))]
pub use record::RECORD_CONTEXT;

/// The version byte new records are written with ([`Format::CURRENT`]).
#[cfg(any(test, feature = "test-support"))]
pub const FORMAT_VERSION: u8 = Format::CURRENT.byte();

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
    #[error(
        "unknown record format version {0} (this build reads versions 1 and 2; a newer \
         pactlog wrote it, or the byte is damaged)"
    )]
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
    /// A record asked to be written in a format that cannot express it.
    #[error("record cannot be written in format {version}: {why}")]
    NotInFormat { version: u8, why: String },
}

/// The canonical bytes of a record, in its [`Record::format`].
///
/// # Errors
/// [`CodecError::NotInFormat`] for a format-1 record holding what format 1 cannot
/// express; [`CodecError::Encode`] if bincode refuses the value (not expected).
pub fn encode(record: &Record) -> Result<Vec<u8>, CodecError> {
    match record.format {
        Format::V1 => encode_body(Format::V1, &v1::to_v1(record)?),
        Format::V2 => encode_body(Format::V2, record),
    }
}

/// The bytes of an event alone, without a record around it (bincode, as in the current
/// record format): they differ whenever the events differ, so their digest stands for
/// the event where keeping it whole costs too much.
///
/// # Errors
/// [`CodecError::Encode`] if bincode refuses the value (not expected).
pub fn encode_event(event: &crate::model::Event) -> Result<Vec<u8>, CodecError> {
    bincode::serde::encode_to_vec(event, config()).map_err(|e| CodecError::Encode(e.to_string()))
}

fn encode_body<T: serde::Serialize>(format: Format, body: &T) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(512);
    out.push(format.byte());
    bincode::serde::encode_into_std_write(body, &mut out, config())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

/// Decodes canonical bytes strictly (see the module docs), in the format their version
/// byte names; the record remembers it.
///
/// # Errors
/// A [`CodecError`] saying how the bytes are wrong.
pub fn decode(bytes: &[u8]) -> Result<Record, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    match Format::from_byte(version) {
        None => Err(CodecError::UnknownVersion(version)),
        Some(Format::V1) => {
            let record: v1::V1Record = decode_body(Format::V1, body, bytes)?;
            Ok(record.into())
        }
        Some(Format::V2) => {
            let mut record: Record = decode_body(Format::V2, body, bytes)?;
            record.format = Format::V2;
            Ok(record)
        }
    }
}

/// Why bytes did not decode, in words: bincode's own texts name its internals
/// (`UnexpectedEnd { additional: 2258 }`), which tell a reader nothing.
fn decode_failure(e: &bincode::error::DecodeError) -> String {
    use bincode::error::DecodeError as D;
    match e {
        D::UnexpectedEnd { additional } => {
            format!("the bytes end {additional} bytes before the record does (cut short?)")
        }
        D::LimitExceeded => format!(
            "a length in the bytes exceeds the record limit of {MAX_RECORD_BYTES} bytes"
        ),
        D::Utf8 { .. } => "a text field is not valid UTF-8".into(),
        D::InvalidBooleanValue(b) => format!("a yes/no field holds {b}, neither 0 nor 1"),
        D::UnexpectedVariant { found, .. } => {
            format!("a field holds choice number {found}, which its type does not have")
        }
        D::OutsideUsizeRange(n) => format!("a length {n} is out of range"),
        D::InvalidCharEncoding(_) | D::InvalidIntegerType { .. } | D::NonZeroTypeIsZero { .. } => {
            "a number or character field is malformed".into()
        }
        // Our own types' checks (a day out of range, a date that does not parse).
        D::OtherString(m) => m.clone(),
        D::Other(m) => (*m).to_string(),
        _ => "the bytes do not hold a record of this format".into(),
    }
}

/// Decodes `body` (the bytes after the version byte of `bytes`) as a `T` of `format`,
/// consuming every byte, and checks that encoding it again gives back `bytes`.
fn decode_body<T>(format: Format, body: &[u8], bytes: &[u8]) -> Result<T, CodecError>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let (value, used): (T, usize) = bincode::serde::decode_from_slice(body, decode_config())
        .map_err(|e| CodecError::Malformed(decode_failure(&e)))?;
    if used != body.len() {
        return Err(CodecError::TrailingBytes(body.len() - used));
    }
    if encode_body(format, &value)? != bytes {
        return Err(CodecError::NotCanonical);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Confidence, Day, EdtfDate, Event, EventId, Money, Party, PartyId, Payload, TermKey,
        Tranche, TrancheRef,
    };

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
            format: Format::CURRENT,
        }
    }

    fn event_record(payload: Payload) -> Record {
        let p = |s: &str| PartyId::new(s).unwrap();
        Record {
            entry: Entry::Event(Event {
                id: EventId::new("e1").unwrap(),
                date: EdtfDate::parse("2026-02-27").unwrap(),
                disclosed: Day::parse("2026-02-27").unwrap(),
                summary: "s".into(),
                confidence: Confidence::Confirmed,
                parties: vec![p("amazon"), p("openai")],
                supersedes: None,
                sources: vec![],
                payload,
            }),
            ..party_record()
        }
    }

    fn tranche(key: Option<&str>) -> Tranche {
        Tranche {
            key: key.map(|k| TermKey::new(k).unwrap()),
            investor: PartyId::new("amazon").unwrap(),
            investee: PartyId::new("openai").unwrap(),
            amount: Money::parse("15B USD").unwrap(),
            due: None,
            condition: Some("a condition".into()),
            lapses: None,
        }
    }

    #[test]
    fn round_trip() {
        let r = party_record();
        let bytes = encode(&r).unwrap();
        assert_eq!(bytes[0], FORMAT_VERSION);
        assert_eq!(FORMAT_VERSION, 2);
        assert_eq!(decode(&bytes).unwrap(), r);
    }

    #[test]
    fn each_record_keeps_its_format_through_decode_and_encode() {
        for format in Format::ALL {
            let r = Record {
                format,
                ..event_record(Payload::Investment {
                    tranches: vec![tranche(None)],
                })
            };
            let bytes = encode(&r).unwrap();
            assert_eq!(bytes[0], format.byte());
            let back = decode(&bytes).unwrap();
            assert_eq!(back, r);
            assert_eq!(back.format, format);
            assert_eq!(encode(&back).unwrap(), bytes);
        }
    }

    #[test]
    fn formats_differ_in_tranches_only() {
        // A party is the same body in both formats; a tranche is not.
        let v2 = encode(&party_record()).unwrap();
        let v1 = encode(&Record {
            format: Format::V1,
            ..party_record()
        })
        .unwrap();
        assert_eq!((v1[0], v2[0]), (1, 2));
        assert_eq!(v1[1..], v2[1..]);
        let inv = event_record(Payload::Investment {
            tranches: vec![tranche(None)],
        });
        let v2 = encode(&inv).unwrap();
        let mut v1 = encode(&Record {
            format: Format::V1,
            ..inv.clone()
        })
        .unwrap();
        assert_ne!(v1[1..], v2[1..]);
        // Format-1 bytes labelled as format 2 are not that record.
        v1[0] = 2;
        assert_ne!(decode(&v1), Ok(inv));
    }

    #[test]
    fn format_1_never_holds_what_it_cannot_express() {
        let keyed = event_record(Payload::Investment {
            tranches: vec![tranche(Some("first"))],
        });
        let payment = event_record(Payload::Payment {
            pays: vec![TrancheRef::parse("e0#first").unwrap()],
        });
        for r in [keyed, payment] {
            assert!(encode(&r).is_ok());
            let as_v1 = Record {
                format: Format::V1,
                ..r
            };
            assert!(matches!(
                encode(&as_v1),
                Err(CodecError::NotInFormat { version: 1, .. })
            ));
        }
    }

    #[test]
    fn rejects_damage() {
        let bytes = encode(&party_record()).unwrap();
        assert_eq!(decode(&[]), Err(CodecError::Empty));
        for unknown in [0, 3, 255] {
            let mut other = bytes.clone();
            other[0] = unknown;
            assert_eq!(decode(&other), Err(CodecError::UnknownVersion(unknown)));
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(decode(&long), Err(CodecError::TrailingBytes(1)));
        let cut = decode(&bytes[..bytes.len() - 1]).unwrap_err();
        assert!(matches!(cut, CodecError::Malformed(_)));
        assert!(cut.to_string().contains("cut short"), "{cut}");
        // An upper-case party id is not a valid PartyId: strict decode refuses it.
        let mut upper = bytes.clone();
        let pos = upper.windows(6).position(|w| w == b"openai").unwrap();
        upper[pos] = b'O';
        assert!(matches!(decode(&upper), Err(CodecError::Malformed(_))));
    }

    #[test]
    fn huge_length_prefixes_are_refused_without_allocating() {
        for format in Format::ALL {
            let mut bytes = vec![format.byte()];
            bytes.extend_from_slice(&0u64.to_le_bytes());
            bytes.extend_from_slice(&0i64.to_le_bytes());
            bytes.extend_from_slice(&[0; 32]);
            bytes.extend_from_slice(&0u32.to_le_bytes());
            bytes.extend_from_slice(&u64::MAX.to_le_bytes());
            let e = decode(&bytes).unwrap_err();
            assert!(matches!(e, CodecError::Malformed(_)));
            // bincode's own names for its internals never reach a reader.
            assert!(!e.to_string().contains("Limit") && !e.to_string().contains('{'), "{e}");
        }
    }

    #[test]
    fn timestamps_print_and_parse() {
        let t = Timestamp::parse("2026-02-27T12:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-02-27T12:00:00Z");
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
