//! The BLAKE3 hash chain: each record's hash covers its canonical bytes, which include
//! the previous record's hash.
//!
//! `hash = BLAKE3 derive_key("pactlog v1 record", canonical_bytes)`; the `prev` of seq 0
//! is 32 zero bytes. A chain check walks records in order and reports the first break.

use serde::{Deserialize, Serialize};
use std::fmt;

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
        let mut h = blake3::Hasher::new_derive_key(RECORD_CONTEXT);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_domain_separated_blake3() {
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
