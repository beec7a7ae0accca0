//! The one error type of the tlog-tiles layer.

use crate::ledger::LedgerError;
use crate::merkle::MerkleError;

/// What can go wrong naming, reading or checking tlog-tiles resources.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlogError {
    /// A path that is not the one spelling of a tile (see [`super::TilePath::parse`]).
    #[error("not a tile path: {path:?}: {reason}")]
    BadPath {
        /// The path, shortened when long.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A tile asked of a tree larger than the ledger.
    #[error("the ledger has {ledger} records: there is no tree of {size}")]
    SizeBeyondLedger {
        /// The size asked for.
        size: u64,
        /// The ledger's size.
        ledger: u64,
    },
    /// A record too long for an entry bundle's `u16` length.
    #[error(
        "record {seq} is {len} bytes: a tlog-tiles entry bundle holds entries of at most 65535 bytes, \
         so this ledger cannot be published as tiles"
    )]
    EntryTooLarge {
        /// The record.
        seq: u64,
        /// Its length in bytes.
        len: usize,
    },
    /// Bytes that are not an entry bundle of the expected width.
    #[error("entry bundle {path}: {reason}")]
    BadBundle {
        /// The bundle's path.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The ledger failed underneath.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The Merkle tiles could not be read.
    #[error("merkle tree: {0}")]
    Merkle(#[from] MerkleError),
}
