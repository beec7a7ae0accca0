//! The full chain check: every record's hashes, bytes, position and link, then the
//! Merkle root, reporting the first break.

use super::{Ledger, LedgerError, StoredRecord, seq_from_key};
use crate::chain::ChainHash;
use crate::codec::{self, CodecError, Seq};
use crate::merkle::{self, Hash};
use crate::store::{Store, Tree};
use std::fmt;

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
}

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
                    "record {seq}: its bytes do not hash to its stored chain hash (the record was modified)"
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
        }
    }
}

/// The outcome of a full check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records checked before the first break (all of them when there is none).
    pub checked: u64,
    /// Chain hash of the last good record.
    pub head: ChainHash,
    /// RFC 6962 root of the records (when the chain is whole).
    pub root: Option<Hash>,
    /// The first break, if any.
    pub first_break: Option<Break>,
}

impl VerifyReport {
    /// Whether nothing was wrong.
    pub fn is_ok(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Folds leaf hashes into an RFC 6962 root with O(log n) memory: a stack of the
/// roots of complete subtrees, merged as sizes allow.
#[derive(Default)]
pub(crate) struct RootAccumulator {
    stack: Vec<(u32, Hash)>,
}

impl RootAccumulator {
    pub(crate) fn push(&mut self, leaf: Hash) {
        let mut node = (0u32, leaf);
        while let Some(&(height, left)) = self.stack.last() {
            if height != node.0 {
                break;
            }
            self.stack.pop();
            node = (height + 1, merkle::node_hash(&left, &node.1));
        }
        self.stack.push(node);
    }

    pub(crate) fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        let Some(&(_, mut acc)) = iter.next() else {
            return merkle::empty_root();
        };
        for (_, left) in iter {
            acc = merkle::node_hash(left, &acc);
        }
        acc
    }
}

fn check_one(stored: &StoredRecord, expected: u64, prev: &ChainHash) -> Option<BreakKind> {
    if ChainHash::of(&stored.bytes) != stored.hash {
        return Some(BreakKind::HashMismatch);
    }
    if merkle::leaf_hash(&stored.bytes) != stored.leaf {
        return Some(BreakKind::LeafMismatch);
    }
    let record = match codec::decode(&stored.bytes) {
        Ok(r) => r,
        Err(e) => return Some(BreakKind::Corrupt(e)),
    };
    if record.seq != Seq::new(expected) {
        return Some(BreakKind::WrongSeq {
            claimed: record.seq.get(),
        });
    }
    if record.prev != *prev {
        return Some(BreakKind::BrokenLink);
    }
    None
}

impl<S: Store> Ledger<S> {
    /// Checks every record in order (hashes, strict decoding, positions, links), then
    /// the Merkle root of the stored tiles against the records. Stops at the first break.
    ///
    /// # Errors
    /// Storage errors only; damage is reported in the [`VerifyReport`].
    pub fn verify(&self) -> Result<VerifyReport, LedgerError> {
        let mut expected = 0u64;
        let mut prev = ChainHash::ZERO;
        let mut acc = RootAccumulator::default();
        let fail = |checked: u64, head: ChainHash, seq: u64, kind: BreakKind| VerifyReport {
            checked,
            head,
            root: None,
            first_break: Some(Break { seq, kind }),
        };
        for item in self.store.range(Tree::Records, b"", None) {
            let (k, v) = item?;
            let Some(seq) = seq_from_key(k.as_ref()) else {
                return Ok(fail(expected, prev, expected, BreakKind::BadKey));
            };
            if seq.get() != expected {
                return Ok(fail(
                    expected,
                    prev,
                    expected,
                    BreakKind::Missing {
                        next_found: Some(seq.get()),
                    },
                ));
            }
            let stored = match StoredRecord::from_value(seq, v.as_ref()) {
                Ok(s) => s,
                Err(_) => return Ok(fail(expected, prev, expected, BreakKind::Truncated)),
            };
            if let Some(kind) = check_one(&stored, expected, &prev) {
                return Ok(fail(expected, prev, expected, kind));
            }
            acc.push(stored.leaf);
            prev = stored.hash;
            expected += 1;
        }
        let computed = acc.root();
        let stored_root = self.root_at(expected);
        match stored_root {
            Ok(r) if r == computed => {}
            Ok(r) => {
                return Ok(fail(
                    expected,
                    prev,
                    expected,
                    BreakKind::MerkleMismatch {
                        stored: r.to_string(),
                        computed: computed.to_string(),
                    },
                ));
            }
            Err(e) => {
                return Ok(fail(
                    expected,
                    prev,
                    expected,
                    BreakKind::MerkleMismatch {
                        stored: format!("unreadable ({e})"),
                        computed: computed.to_string(),
                    },
                ));
            }
        }
        Ok(VerifyReport {
            checked: expected,
            head: prev,
            root: Some(computed),
            first_break: None,
        })
    }
}
