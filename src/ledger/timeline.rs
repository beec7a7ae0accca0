//! The `timeline` query: one relationship over its whole history (every event that
//! counts, each term's time in force, each dispute's), beside its state on the query's
//! day. The pages draw it.

use super::state::{QueryError, StateAnswer};
use super::Ledger;
use crate::model::{Day, PartyId};
use crate::projection::{self, Fold, Query, Select, Timeline};
use crate::store::Store;
use std::collections::BTreeSet;

/// A relationship's timeline and its state on the query's day, from one ledger prefix
/// (the state's receipt names it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineAnswer {
    /// The state on `query.as_of`, as `state --pair` answers it.
    pub state: StateAnswer,
    /// The whole history under the query's `known_at` and `at_size`.
    pub timeline: Timeline,
}

impl<S: Store> Ledger<S> {
    /// The timeline of the relationship between `a` and `b`, and its state for `query`.
    ///
    /// An event counts on the timeline when it counts on some day: it exists under
    /// `known_at` and `at_size` and nothing that exists supersedes it.
    ///
    /// # Errors
    /// [`QueryError::BeyondLedger`] for an `at_size` past the end; storage errors.
    pub fn timeline(
        &self,
        query: Query,
        a: &PartyId,
        b: &PartyId,
    ) -> Result<TimelineAnswer, QueryError> {
        let select = Select::Pair(a.clone(), b.clone());
        let state = self.state(query, &select)?;
        let size = state.receipt.ledger_size;
        let logged = self.log(&select)?;
        let whole = Query {
            as_of: Day::MAX,
            known_at: query.known_at,
            at_size: Some(size),
        };
        let mut fold = Fold::new(whole, select);
        for l in &logged {
            fold.apply(l.seq, &l.event);
        }
        let counted: BTreeSet<_> = fold
            .finish()
            .into_iter()
            .flat_map(|r| r.events.into_iter().chain(r.possible_events))
            .collect();
        let events = logged
            .into_iter()
            .filter(|l| l.seq.get() < size && counted.contains(&l.event.id))
            .map(|l| (l.seq, l.event))
            .collect();
        let timeline = projection::timeline(projection::pair(a, b), events);
        Ok(TimelineAnswer { state, timeline })
    }
}
