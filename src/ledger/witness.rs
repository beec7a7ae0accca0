//! The acknowledged-size witness, as the ledger keeps it: what a store that keeps one
//! must still hold, and when it moves.
//!
//! sled's recovery treats a damaged log entry as the end of the log and silently drops
//! everything after it, leaving a shorter chain that is valid on its own. The witness,
//! a file beside the sled files, says how many records were durable and the chain hash
//! of the last: after each flush of new records the ledger writes the records' end as it
//! was before that flush, so the witness never claims more than the flush made durable.
//! It never moves back: a store that holds less than its witness (or another record at
//! its last seq) keeps the old witness as evidence, and `verify` and appends compare the
//! store with it.

use super::{Ledger, LedgerError, StoredRecord};
use crate::chain::{Break, BreakKind, Tip};
use crate::codec::{ChainHash, Seq};
use crate::store::{Store, Tree, Witness};

/// The stored chain hash of record `seq`, if it can be read.
fn stored_hash<S: Store>(store: &S, seq: u64) -> Result<Option<ChainHash>, LedgerError> {
    let seq = Seq::new(seq);
    Ok(store
        .get(Tree::Records, &seq.key())?
        .and_then(|v| StoredRecord::from_value(seq, v.as_ref()).ok())
        .map(|r| r.hash))
}

/// After a flush made records `0..tip.size` durable: witnesses them, unless that would
/// lower or contradict what was witnessed before.
pub(super) fn acknowledge<S: Store>(store: &S, tip: Tip) -> Result<(), LedgerError> {
    let write = match store.witness()? {
        None => tip.size > 0,
        // Damage: keep it for `verify` to report.
        Some(Witness::Unreadable { .. }) => false,
        Some(Witness::Acknowledged { size, head, .. }) => {
            (tip.size, tip.head) != (size, head)
                && tip.size >= size
                && (size == 0 || stored_hash(store, size - 1)? == Some(head))
        }
    };
    if write {
        store.set_witness(tip.size, tip.head)?;
    }
    Ok(())
}

impl<S: Store> Ledger<S> {
    /// Compares the store with its acknowledged-size witness, for a store that keeps
    /// one: it must hold at least the records the witness says were acknowledged, the
    /// last of them with the acknowledged chain hash. More records than the witness is
    /// fine (a crash between a flush and the witness update). No witness (a memory
    /// store, a store made before witnesses, an empty one) is accepted.
    ///
    /// [`Ledger::verify`] reports what this finds, and appends refuse a store where it
    /// finds something: open it, then call this before trusting its answers.
    ///
    /// # Errors
    /// Storage errors; what is wrong with the store is the returned [`Break`]
    /// ([`BreakKind::LostRecords`], [`BreakKind::WitnessHeadMismatch`] or
    /// [`BreakKind::BadWitness`]).
    pub fn check_witness(&self) -> Result<Option<Break>, LedgerError> {
        let size = self.size();
        let (witness, acknowledged, head) = match self.store.witness()? {
            None => return Ok(None),
            Some(Witness::Unreadable { file, why }) => {
                return Ok(Some(Break {
                    seq: size,
                    kind: BreakKind::BadWitness { witness: file, why },
                }));
            }
            Some(Witness::Acknowledged { file, size, head }) => (file, size, head),
        };
        if size < acknowledged {
            return Ok(Some(Break {
                seq: size,
                kind: BreakKind::LostRecords {
                    acknowledged,
                    witness,
                },
            }));
        }
        if acknowledged == 0 {
            return Ok(None);
        }
        let last = acknowledged - 1;
        let stored = stored_hash(&self.store, last)?;
        if stored == Some(head) {
            return Ok(None);
        }
        Ok(Some(Break {
            seq: last,
            kind: BreakKind::WitnessHeadMismatch {
                acknowledged: head,
                stored,
                witness,
            },
        }))
    }
}
