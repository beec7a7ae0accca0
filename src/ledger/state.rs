//! State queries over the ledger: pick the records a query needs through the `pairs`
//! index (or the whole log when every relationship is asked for), then fold them.

use crate::index::Listing;
use super::{Ledger, LedgerError};
use crate::codec::ChainHash;
use crate::codec::Seq;
use crate::merkle::Hash;
use crate::model::{Day, Event, PartyId};
use crate::projection::{self, Conflict, Diff, Query, RelationshipState, Select};
use crate::store::Store;
use std::collections::BTreeSet;

/// Names the ledger prefix an answer was computed from, so anyone can reproduce it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Number of records in the prefix.
    pub ledger_size: u64,
    /// Chain hash of its last record.
    pub head: ChainHash,
    /// RFC 6962 root of its records.
    pub root: Hash,
}

/// A state query's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateAnswer {
    /// The query.
    pub query: Query,
    /// The prefix it was computed from.
    pub receipt: Receipt,
    /// Relationships in scope, sorted by parties.
    pub relationships: Vec<RelationshipState>,
    /// Conflicts on the day with a term of a relationship in scope (as
    /// [`Ledger::conflicts`] answers them); [`Conflict::touches`] says which.
    pub conflicts: Vec<Conflict>,
}

/// Why a query cannot be answered (the caller's mistake).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// `at_size` beyond the ledger.
    #[error("--at-size {asked} is larger than the ledger ({size} records)")]
    BeyondLedger { asked: u64, size: u64 },
    /// `from` after `to`.
    #[error("--from {from} is after --to {to}")]
    Inverted { from: Day, to: Day },
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl<S: Store> Ledger<S> {
    /// The receipt of the first `size` records.
    ///
    /// # Errors
    /// Storage errors or missing tiles.
    pub fn receipt(&self, size: u64) -> Result<Receipt, LedgerError> {
        Ok(Receipt {
            ledger_size: size,
            head: self.head_at(size)?,
            root: self.root_at(size)?,
        })
    }

    /// Seqs a relationship query as of `day` needs: events indexed under the pair with
    /// earliest day <= `day`, and every event superseding one of the pair's events.
    pub(super) fn pair_query_seqs(
        &self,
        a: &PartyId,
        b: &PartyId,
        day: Day,
        out: &mut BTreeSet<Seq>,
    ) -> Result<(), LedgerError> {
        out.extend(self.pair_seqs(a, b, Listing::Member, Some(day))?);
        out.extend(self.pair_seqs(a, b, Listing::Supersedes, None)?);
        Ok(())
    }

    /// The state of the relationships in `select` for `query`.
    ///
    /// Pair and party queries read only the records the `pairs` index names (for the
    /// conflicts, those of the relationships a conflict can reach); `All` folds the
    /// whole log.
    ///
    /// # Errors
    /// [`QueryError::BeyondLedger`] for an `at_size` past the end; storage errors.
    pub fn state(&self, query: Query, select: &Select) -> Result<StateAnswer, QueryError> {
        let size = self.checked_size(query.at_size)?;
        let folded = self.fold_select(query, select, size)?;
        let conflicts = self.conflicts_after(query, select, size, &folded)?;
        Ok(StateAnswer {
            query,
            receipt: self.receipt(size)?,
            relationships: folded.relationships,
            conflicts,
        })
    }

    /// The events at `seqs` (an index pointing elsewhere is damage). Large answers are
    /// read and strictly decoded on every core, each thread taking a share of `seqs`.
    pub(super) fn events_at(&self, seqs: &[Seq]) -> Result<Vec<(Seq, Event)>, LedgerError> {
        const PARALLEL_FROM: usize = 256;
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if seqs.len() < PARALLEL_FROM || workers < 2 {
            return seqs.iter().map(|&s| Ok((s, self.event_at(s)?))).collect();
        }
        let chunk = seqs.len().div_ceil(workers);
        std::thread::scope(|scope| {
            let handles: Vec<_> = seqs
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|&s| Ok((s, self.event_at(s)?)))
                            .collect::<Result<Vec<_>, LedgerError>>()
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(seqs.len());
            for h in handles {
                // A reading thread only panics if reading or decoding panics, which they
                // never do (errors are values); pass such a panic on rather than hide it.
                match h.join() {
                    Ok(part) => out.extend(part?),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Ok(out)
        })
    }

    pub(super) fn checked_size(&self, at_size: Option<u64>) -> Result<u64, QueryError> {
        match at_size {
            Some(n) if n > self.size() => Err(QueryError::BeyondLedger {
                asked: n,
                size: self.size(),
            }),
            Some(n) => Ok(n),
            None => Ok(self.size()),
        }
    }

    /// What changed between `from` and `to` in the relationships of `select`.
    ///
    /// # Errors
    /// [`QueryError::Inverted`] when `from > to`; storage errors.
    pub fn diff(&self, from: Day, to: Day, select: &Select) -> Result<(Receipt, Diff), QueryError> {
        if from > to {
            return Err(QueryError::Inverted { from, to });
        }
        // A diff compares relationships only: it folds both days without looking for
        // conflicts (which read the grantors' other relationships).
        let size = self.checked_size(None)?;
        let before = self.fold_select(Query::as_of(from), select, size)?;
        let after = self.fold_select(Query::as_of(to), select, size)?;
        Ok((
            self.receipt(size)?,
            projection::diff(from, to, &before.relationships, &after.relationships),
        ))
    }
}
