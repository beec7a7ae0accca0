//! The ledger: one store's records, hash-chained, with their derived data.
//!
//! `records` is the only source of truth (DESIGN.md 3); the indexes and Merkle tiles
//! (`crate::index`) are derived from it and completed on open when they lag. Each file
//! holds the methods its name says:
//! - `open.rs`: opening, completing derived data;
//! - `validate/`: deciding what may be appended (the only way to build a batch);
//! - `append.rs`: recording it (records durable batch by batch, derived data after);
//! - `read.rs`: records, events and parties by position or id;
//! - `log.rs` and `state.rs`: the `log`, `state` and `diff` queries;
//! - `conflicts.rs`: the `conflicts` query (terms in force that collide);
//! - `timeline.rs`: one relationship over its whole history, with its state on a day;
//! - `verify.rs` and `witness.rs`: checking the whole chain and what was acknowledged;
//! - `prove.rs`: roots, proofs and checkpoints, and checking a proof offline.

mod append;
mod conflicts;
mod cosigned;
mod log;
mod open;
pub mod prove;
mod read;
mod shared;
pub mod state;
mod timeline;
mod validate;
pub(crate) mod verify;
mod witness;

pub use crate::chain::Break;
pub use conflicts::ConflictAnswer;
pub use shared::SharedLedger;
pub use log::{FilterError, LogFilter, Logged};
pub use state::{QueryError, Receipt, StateAnswer};
pub use timeline::TimelineAnswer;
pub use validate::{
    APPEND_BATCH, CheckError, CheckReport, Checked, EventFacts, Item, Problem, Rejected,
    ReplayedRecords, Staged, Validator,
};
pub use verify::VerifyReport;

use crate::chain::Tip;
use crate::codec::{self, ChainHash, CodecError, Record, Seq};
use crate::index::{Index, IndexError, Retired};
use crate::merkle::{self, Hash, MerkleError, TileCache};
use crate::store::{Store, StoreError};

/// Errors of the ledger layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record does not decode.
    #[error("record {seq} is corrupt: {source}")]
    Corrupt { seq: u64, source: CodecError },
    /// A stored value has the wrong shape.
    #[error("record {seq} is damaged: {why}")]
    Damaged { seq: u64, why: String },
    /// The store was written by a newer pactlog.
    #[error("store format {found} is not supported by this build (it reads format {supported})")]
    UnsupportedFormat { found: u8, supported: u8 },
    /// The Merkle tiles could not be read or written.
    #[error("merkle tree: {0}")]
    Merkle(#[from] MerkleError),
    /// Encoding a new record failed.
    #[error("cannot encode record: {0}")]
    Encode(CodecError),
    /// A derived index does not parse. The records are not affected; exporting them
    /// and importing the export into a new store rebuilds every index.
    #[error(
        "{0} (the records are not affected: `pactlog export` them and import the export into a new store)"
    )]
    Index(String),
    /// A checked batch was checked against another state of the ledger: another append
    /// came in between. Check it again.
    #[error(
        "the batch was checked against a ledger of {checked} records, which now holds {now}: check it again"
    )]
    Stale { checked: u64, now: u64 },
    /// A record handed to the ledger is not the one its replay admitted.
    #[error("record {seq} is not the record that was checked at that position")]
    NotAdmitted { seq: u64 },
    /// Records handed to the ledger do not continue its chain.
    #[error("refusing to append: {0}")]
    Break(Box<Break>),
    /// The store does not hold what its witness says was acknowledged (see
    /// [`Ledger::check_witness`]): nothing is appended to it.
    #[error("refusing to append: {0}")]
    Unacknowledged(Box<Break>),
}

impl From<IndexError> for LedgerError {
    fn from(e: IndexError) -> Self {
        match e {
            IndexError::Store(e) => LedgerError::Store(e),
            IndexError::Merkle(e) => LedgerError::Merkle(e),
            IndexError::Encode(e) => LedgerError::Encode(e),
            IndexError::Malformed(why) => LedgerError::Index(why),
        }
    }
}

/// A record as stored: its hashes and canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    /// Position.
    pub seq: Seq,
    /// BLAKE3 chain hash of `bytes`, as stored.
    pub hash: ChainHash,
    /// RFC 6962 leaf hash of `bytes`, as stored.
    pub leaf: Hash,
    /// Canonical bytes.
    pub bytes: Vec<u8>,
}

impl StoredRecord {
    /// The `records` value: chain hash || leaf hash || bytes.
    pub fn to_value(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(64 + self.bytes.len());
        v.extend_from_slice(self.hash.as_bytes());
        v.extend_from_slice(self.leaf.as_bytes());
        v.extend_from_slice(&self.bytes);
        v
    }

    /// Splits a `records` value.
    ///
    /// # Errors
    /// [`LedgerError::Damaged`] when the value is shorter than the two hashes.
    pub fn from_value(seq: Seq, value: &[u8]) -> Result<StoredRecord, LedgerError> {
        if value.len() < 64 {
            return Err(LedgerError::Damaged {
                seq: seq.get(),
                why: format!(
                    "stored value is {} bytes, shorter than its two hashes",
                    value.len()
                ),
            });
        }
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&value[..32]);
        let mut leaf = [0u8; 32];
        leaf.copy_from_slice(&value[32..64]);
        Ok(StoredRecord {
            seq,
            hash: ChainHash::from_bytes(hash),
            leaf: Hash::from_bytes(leaf),
            bytes: value[64..].to_vec(),
        })
    }

    /// Decodes the canonical bytes.
    ///
    /// # Errors
    /// [`LedgerError::Corrupt`] when they are not a valid record.
    pub fn decode(&self) -> Result<Record, LedgerError> {
        codec::decode(&self.bytes).map_err(|source| LedgerError::Corrupt {
            seq: self.seq.get(),
            source,
        })
    }
}

/// What an append did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendReport {
    /// Seq of the first record appended (the ledger size before).
    pub first: Seq,
    /// Number of records appended.
    pub count: u64,
    /// Head after the append.
    pub head: ChainHash,
}

/// An open ledger over a store.
pub struct Ledger<S: Store> {
    store: S,
    size: u64,
    head: ChainHash,
    /// The derived indexes and the party registry.
    index: Index,
    /// The Merkle tiles every proof reads; cleared before anything writes tiles.
    tiles: TileCache,
    /// Whether merged index runs are kept for readers ([`Ledger::share`]), and those kept
    /// by an index that was since reloaded.
    defer: bool,
    carried: Vec<Retired>,
}

impl<S: Store> Ledger<S> {
    /// The store underneath, for tests that damage it.
    #[cfg(any(test, feature = "test-support"))]
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Number of records.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Chain hash of the last record (zeros when empty).
    pub fn head(&self) -> ChainHash {
        self.head
    }

    /// Where the chain ends: the size and the head.
    pub fn tip(&self) -> Tip {
        Tip {
            size: self.size,
            head: self.head,
        }
    }
}

/// Encodes a record and computes its two hashes.
fn stored_of(record: &Record) -> Result<StoredRecord, LedgerError> {
    let bytes = codec::encode(record).map_err(LedgerError::Encode)?;
    Ok(StoredRecord {
        seq: record.seq,
        hash: ChainHash::of(&bytes),
        leaf: merkle::leaf_hash(&bytes),
        bytes,
    })
}

fn seq_from_key(key: &[u8]) -> Option<Seq> {
    <[u8; 8]>::try_from(key)
        .ok()
        .map(|b| Seq::new(u64::from_be_bytes(b)))
}
