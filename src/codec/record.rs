//! The record-level types: a record's position, time, chain hash and content.
//!
//! These sit at the codec's floor because a record's canonical bytes are made of them;
//! every layer above (chain, store, index, ledger) names records through them.

use crate::model::{Event, Party};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

/// The BLAKE3 key-derivation context for record hashes (domain separation).
pub const RECORD_CONTEXT: &str = "pactlog v1 record";

/// A record's chain hash.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChainHash([u8; 32]);

impl ChainHash {
    /// The `prev` of the first record.
    pub const ZERO: ChainHash = ChainHash([0; 32]);

    /// Wraps 32 bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> ChainHash {
        ChainHash(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The chain hash of a record's canonical bytes.
    pub fn of(canonical: &[u8]) -> ChainHash {
        use blake3::hazmat::HasherExt as _;
        // The context's key is the same for every record: derived once, not per hash
        // (`derive_key` would hash the context again for each record).
        static CONTEXT_KEY: OnceLock<blake3::hazmat::ContextKey> = OnceLock::new();
        let key = CONTEXT_KEY.get_or_init(|| blake3::hazmat::hash_derive_key_context(RECORD_CONTEXT));
        let mut h = blake3::Hasher::new_from_context_key(key);
        h.update(canonical);
        ChainHash(*h.finalize().as_bytes())
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Option<ChainHash> {
        if s.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(ChainHash(out))
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({})", self.to_hex())
    }
}

/// A record's position in the ledger, from 0.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct Seq(u64);

impl Seq {
    /// The record at position `n`.
    pub const fn new(n: u64) -> Seq {
        Seq(n)
    }

    /// The position as a number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The storage key: big-endian, so keys sort in seq order.
    pub fn key(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A UTC instant with second precision: when a record was appended.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct Timestamp(i64);

impl Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn from_unix(seconds: i64) -> Timestamp {
        Timestamp(seconds)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// Whether this is an instant of the calendar pactlog prints (the years -9999 to
    /// 9999, as RFC 3339 and the clock give them): a record made elsewhere may hold any
    /// number.
    pub fn is_calendar_instant(self) -> bool {
        jiff::Timestamp::from_second(self.0).is_ok()
    }

    /// Now, from the system clock.
    pub fn now() -> Timestamp {
        Timestamp(jiff::Timestamp::now().as_second())
    }

    /// Parses an RFC 3339 instant such as `2026-02-27T12:00:00Z`.
    ///
    /// # Errors
    /// A message saying what is accepted.
    pub fn parse(s: &str) -> Result<Timestamp, String> {
        s.parse::<jiff::Timestamp>()
            .map(|t| Timestamp(t.as_second()))
            .map_err(|e| {
                let e = e.to_string();
                if e.contains("range") || e.contains("overflow") {
                    format!(
                        "{s:?} is outside the instants pactlog records ({} to {})",
                        jiff::Timestamp::MIN,
                        jiff::Timestamp::MAX
                    )
                } else {
                    format!("{s:?} is not an RFC 3339 instant like 2026-02-27T12:00:00Z: {e}")
                }
            })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match jiff::Timestamp::from_second(self.0) {
            Ok(t) => write!(f, "{t}"),
            Err(_) => write!(f, "@{}", self.0),
        }
    }
}

/// What a record holds: a party definition or an event.
// Events outnumber parties by far, so boxing the larger variant would cost an allocation
// per record for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Entry {
    /// A party, so that names resolve from the ledger alone.
    Party(Party),
    /// An event.
    Event(Event),
}

impl Entry {
    /// The entry's id, for messages.
    pub fn id(&self) -> &str {
        match self {
            Entry::Party(p) => p.id.as_str(),
            Entry::Event(e) => e.id.as_str(),
        }
    }
}

/// A record format: the version byte that starts a record's canonical bytes, and the
/// shape of the model it encodes (see the record format section of docs/records.md).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub enum Format {
    /// `0x01`: the model before tranche keys, due and lapses dates, and payments.
    V1,
    /// `0x02`: the current model; every new record is written in it.
    #[default]
    V2,
}

impl Format {
    /// The format new records are written in.
    pub const CURRENT: Format = Format::V2;

    /// Every format this build reads, oldest first.
    pub const ALL: [Format; 2] = [Format::V1, Format::V2];

    /// The version byte.
    pub const fn byte(self) -> u8 {
        match self {
            Format::V1 => 1,
            Format::V2 => 2,
        }
    }

    /// The format of a version byte, if this build reads it.
    pub fn from_byte(byte: u8) -> Option<Format> {
        Self::ALL.into_iter().find(|f| f.byte() == byte)
    }
}

/// What the chain rule reads of a record: its position and its link.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RecordHead {
    /// The position the record claims.
    pub seq: Seq,
    /// The chain hash it names as the one before it.
    pub prev: ChainHash,
}

/// One ledger record.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Record {
    /// Position in the ledger.
    pub seq: Seq,
    /// When it was appended (from the clock or `PACTLOG_NOW`).
    pub recorded_at: Timestamp,
    /// Chain hash of the previous record (zeros for seq 0).
    pub prev: ChainHash,
    /// The party or event.
    pub entry: Entry,
    /// The format its bytes are in: [`Format::CURRENT`] for a new record, the stored one
    /// for a decoded record, so that encoding it again gives back the stored bytes. Not
    /// part of the encoded body (the version byte carries it).
    #[serde(skip)]
    pub format: Format,
}

impl Record {
    /// Its position and link.
    pub fn head(&self) -> RecordHead {
        RecordHead {
            seq: self.seq,
            prev: self.prev,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_domain_separated_blake3() {
        assert_eq!(
            ChainHash::of(b"x").as_bytes(),
            blake3::derive_key(RECORD_CONTEXT, b"x").as_slice(),
            "the chain hash is BLAKE3 derive_key with the record context"
        );
        let plain = blake3::hash(b"x");
        assert_ne!(ChainHash::of(b"x").as_bytes(), plain.as_bytes());
        assert_eq!(ChainHash::of(b"x"), ChainHash::of(b"x"));
        assert_ne!(ChainHash::of(b"x"), ChainHash::of(b"y"));
    }

    #[test]
    fn hex_round_trip() {
        let h = ChainHash::of(b"abc");
        assert_eq!(ChainHash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(ChainHash::from_hex("zz"), None);
        assert_eq!(ChainHash::from_hex(&"g".repeat(64)), None);
    }
}
