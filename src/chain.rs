//! The one chain rule: how a record links to the one before it, how a record is checked
//! against that link, and how a break in the chain is reported.
//!
//! `hash = BLAKE3 derive_key("pactlog v1 record", canonical_bytes)` ([`ChainHash::of`]);
//! record `n` carries `seq = n` and `prev` = the hash of record `n - 1` (32 zero bytes
//! for record 0). Appending links new records with [`Tip::link`]; appending records made
//! elsewhere (a restore), `verify` and a restore's reading of an export all check them
//! with [`Tip::check`] and [`check_bytes`] (`verify`, which needs no record, with
//! [`Tip::check_head`] and [`check_canonical`]), and report what they find as a [`Break`].

use crate::codec::{self, ChainHash, CodecError, Entry, Format, Record, RecordHead, Seq, Timestamp};
use std::fmt;
use std::path::PathBuf;

/// Where a chain ends: the record count and the hash of the last record. The next record
/// must sit at `size` and name `head` as its `prev`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tip {
    /// Records in the chain.
    pub size: u64,
    /// Chain hash of the last record (zeros for an empty chain).
    pub head: ChainHash,
}

impl Tip {
    /// The end of an empty chain.
    pub const EMPTY: Tip = Tip {
        size: 0,
        head: ChainHash::ZERO,
    };

    /// The record that puts `entry` at the end of the chain, recorded `at`, in the
    /// current record format.
    pub fn link(&self, entry: Entry, at: Timestamp) -> Record {
        Record {
            seq: Seq::new(self.size),
            recorded_at: at,
            prev: self.head,
            entry,
            format: Format::CURRENT,
        }
    }

    /// Checks that `record` continues the chain: it sits at `size` and names `head`.
    ///
    /// # Errors
    /// The [`BreakKind`] ([`BreakKind::WrongSeq`] or [`BreakKind::BrokenLink`]).
    pub fn check(&self, record: &Record) -> Result<(), BreakKind> {
        self.check_head(&record.head())
    }

    /// [`Tip::check`] of a record's position and link alone.
    ///
    /// # Errors
    /// As [`Tip::check`].
    pub fn check_head(&self, head: &RecordHead) -> Result<(), BreakKind> {
        if head.seq.get() != self.size {
            return Err(BreakKind::WrongSeq {
                claimed: head.seq.get(),
            });
        }
        if head.prev != self.head {
            return Err(BreakKind::BrokenLink);
        }
        Ok(())
    }

    /// The tip after a record with chain hash `hash`.
    #[must_use]
    pub fn after(&self, hash: ChainHash) -> Tip {
        Tip {
            size: self.size + 1,
            head: hash,
        }
    }
}

/// Decodes a record's canonical bytes, checking first that they hash to `hash`, its
/// stored (or stated) chain hash: when bytes were edited, that is the news, not how they
/// fail to decode.
///
/// # Errors
/// [`BreakKind::HashMismatch`] or [`BreakKind::Corrupt`].
pub fn check_bytes(bytes: &[u8], hash: &ChainHash) -> Result<Record, BreakKind> {
    if ChainHash::of(bytes) != *hash {
        return Err(BreakKind::HashMismatch);
    }
    codec::decode(bytes).map_err(BreakKind::Corrupt)
}

/// [`check_bytes`] for a caller that needs only the record's position and link: the
/// same hash check and the same refusals, with the bytes checked canonical in place
/// ([`codec::canonical_head`]) rather than decoded into a record. Bytes it refuses are
/// decoded strictly, which names what is wrong; should the strict decoder accept them,
/// its record is taken, so the answer is never stricter than [`check_bytes`].
///
/// # Errors
/// As [`check_bytes`], with the same [`BreakKind`] for the same bytes.
pub fn check_canonical(bytes: &[u8], hash: &ChainHash) -> Result<RecordHead, BreakKind> {
    if ChainHash::of(bytes) != *hash {
        return Err(BreakKind::HashMismatch);
    }
    match codec::canonical_head(bytes) {
        Some(head) => Ok(head),
        None => codec::decode(bytes)
            .map(|record| record.head())
            .map_err(BreakKind::Corrupt),
    }
}

/// What is wrong at the first break.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BreakKind {
    /// A key that is not an 8-byte sequence number.
    BadKey,
    /// The record with this seq is not in the store (the next one found is given).
    Missing { next_found: Option<u64> },
    /// The stored value is too short to hold its hashes.
    Truncated,
    /// BLAKE3 of the bytes is not the stored chain hash.
    HashMismatch,
    /// SHA-256 leaf of the bytes is not the stored leaf hash.
    LeafMismatch,
    /// The bytes do not decode strictly.
    Corrupt(CodecError),
    /// The record says it is at another position.
    WrongSeq { claimed: u64 },
    /// The record's `prev` is not the previous record's hash.
    BrokenLink,
    /// The Merkle tiles do not give the root of the records' leaves.
    MerkleMismatch { stored: String, computed: String },
    /// The store holds fewer records than its witness says were acknowledged: the
    /// records from the break's seq to `acknowledged - 1` are gone.
    LostRecords { acknowledged: u64, witness: PathBuf },
    /// The last record the witness acknowledged has another chain hash now (`stored`;
    /// `None`: it cannot be read).
    WitnessHeadMismatch {
        acknowledged: ChainHash,
        stored: Option<ChainHash>,
        witness: PathBuf,
    },
    /// The witness file is there but does not parse.
    BadWitness { witness: PathBuf, why: String },
}

/// What to do about a store that lost what it acknowledged.
const RESTORE: &str = "restore from an export (pactlog import FILE.jsonl) or a backup";

/// The first place where the ledger is not what it claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// The first bad record (for a Merkle mismatch: the ledger size).
    pub seq: u64,
    /// Why.
    pub kind: BreakKind,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match &self.kind {
            BreakKind::BadKey => write!(
                f,
                "record {seq}: the records tree holds a key that is not a sequence number"
            ),
            BreakKind::Missing {
                next_found: Some(n),
            } => {
                write!(
                    f,
                    "record {seq} is missing: the next record found is {n} (records were deleted)"
                )
            }
            BreakKind::Missing { next_found: None } => write!(f, "record {seq} is missing"),
            BreakKind::Truncated => {
                write!(f, "record {seq}: stored value is shorter than its hashes")
            }
            BreakKind::HashMismatch => {
                write!(
                    f,
                    "record {seq}: its bytes do not hash to the chain hash stored with them (the record was modified)"
                )
            }
            BreakKind::LeafMismatch => write!(
                f,
                "record {seq}: its bytes do not match its stored Merkle leaf hash"
            ),
            BreakKind::Corrupt(e) => write!(f, "record {seq}: {e}"),
            BreakKind::WrongSeq { claimed } => {
                write!(
                    f,
                    "record {seq}: it says it is record {claimed} (records were moved or swapped)"
                )
            }
            BreakKind::BrokenLink => {
                write!(
                    f,
                    "record {seq}: its prev hash is not the hash of record {} (the chain is broken)",
                    seq.saturating_sub(1)
                )
            }
            BreakKind::MerkleMismatch { stored, computed } => write!(
                f,
                "merkle tree of {seq} records: stored tiles give root {stored}, the records give {computed}"
            ),
            BreakKind::LostRecords { .. }
            | BreakKind::WitnessHeadMismatch { .. }
            | BreakKind::BadWitness { .. } => self.fmt_witness(f),
        }
    }
}

impl Break {
    /// The breaks the witness finds: what was acknowledged is gone or changed.
    fn fmt_witness(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match &self.kind {
            BreakKind::LostRecords {
                acknowledged,
                witness,
            } => {
                let missing = if acknowledged - seq == 1 {
                    format!("record {seq} is missing")
                } else {
                    format!("records {seq}..{} are missing", acknowledged - 1)
                };
                write!(
                    f,
                    "the store holds {seq} records but {acknowledged} were acknowledged (witness {}): \
                     {missing}; sled's recovery may have dropped a damaged log tail; {RESTORE}",
                    witness.display()
                )
            }
            BreakKind::WitnessHeadMismatch {
                acknowledged,
                stored,
                witness,
            } => {
                let now = match stored {
                    Some(h) => format!("has chain hash {h}"),
                    None => "cannot be read".into(),
                };
                write!(
                    f,
                    "record {seq} {now}, but the witness {} acknowledged {} records ending in {acknowledged}: \
                     the record changed after it was acknowledged; {RESTORE}",
                    witness.display(),
                    seq + 1
                )
            }
            BreakKind::BadWitness { witness, why } => write!(
                f,
                "the witness {} is damaged ({why}): it no longer says how many records were \
                 acknowledged; check the store against a checkpoint (verify --checkpoint) or {RESTORE}; \
                 if the records are known to be whole, remove the file: the next import that adds records, or the next checkpoint, writes a new one",
                witness.display()
            ),
            // The record breaks are written by `fmt`, which sends only these here.
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Party, PartyId};

    fn party(id: &str) -> Entry {
        Entry::Party(Party {
            id: PartyId::new(id).unwrap(),
            name: id.into(),
            aliases: vec![],
        })
    }

    #[test]
    fn linked_records_check_and_anything_else_is_a_named_break() {
        let at = Timestamp::from_unix(0);
        let first = Tip::EMPTY.link(party("a"), at);
        assert_eq!(Tip::EMPTY.check(&first), Ok(()));
        let bytes = codec::encode(&first).unwrap();
        let hash = ChainHash::of(&bytes);
        assert_eq!(check_bytes(&bytes, &hash), Ok(first.clone()));
        let tip = Tip::EMPTY.after(hash);
        let second = tip.link(party("b"), at);
        assert_eq!((second.seq.get(), second.prev), (1, hash));
        assert_eq!(tip.check(&second), Ok(()));

        assert_eq!(
            tip.check(&first),
            Err(BreakKind::WrongSeq { claimed: 0 }),
            "a record at another position"
        );
        let mut relinked = second.clone();
        relinked.prev = ChainHash::ZERO;
        assert_eq!(tip.check(&relinked), Err(BreakKind::BrokenLink));
        assert_eq!(
            check_bytes(&bytes, &ChainHash::ZERO),
            Err(BreakKind::HashMismatch)
        );
        let short = &bytes[..bytes.len() - 1];
        assert!(matches!(
            check_bytes(short, &ChainHash::of(short)),
            Err(BreakKind::Corrupt(_))
        ));
        let b = Break {
            seq: 1,
            kind: BreakKind::BrokenLink,
        };
        assert_eq!(
            b.to_string(),
            "record 1: its prev hash is not the hash of record 0 (the chain is broken)"
        );
    }
}
