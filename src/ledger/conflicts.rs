//! Conflict queries: which terms in force collide on a day (see
//! `crate::projection::conflicts` for the kinds), with the same three time axes, the same
//! selections and the same receipt as [`Ledger::state`].
//!
//! A conflict joins two terms that may belong to different relationships, so a pair or
//! party query reads more than its own relationships, but only agreements and what refers
//! to them: the agreements of its terms in force; the rival agreements where a grantor of
//! those terms granted a term that can overlap or be a sibling (the index's grant keys);
//! the agreements of terms a claim names beside one of its own (contests); and, for each
//! of these, every event that can replace, end, contest or settle it, found through the
//! referrer keys and followed to the events that refer to those in turn. Every term of an
//! agreement so read is then known as the whole log would fold it, and so is every claim
//! naming one. A conflict is in a selection when either term's relationship is.

use super::state::{QueryError, Receipt};
use super::{Ledger, LedgerError};
use crate::codec::{Entry, Seq};
use crate::index::Field;
use crate::model::{Event, PartyId, TermRef};
use crate::projection::{
    self, ClaimState, Conflict, Fold, Pair, Query, RelationshipState, Select, TermState, pair,
};
use crate::store::Store;
use std::collections::{BTreeMap, BTreeSet};

/// A conflict query's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictAnswer {
    /// The query.
    pub query: Query,
    /// The prefix it was computed from.
    pub receipt: Receipt,
    /// Conflicts in scope, sorted by grantor, then by their terms (event, key).
    pub conflicts: Vec<Conflict>,
}

/// What one fold over a set of relationships found.
pub(super) struct Folded {
    pub(super) relationships: Vec<RelationshipState>,
    pub(super) claims: Vec<ClaimState>,
}

impl<S: Store> Ledger<S> {
    /// The conflicts between terms in force in `select` for `query`.
    ///
    /// # Errors
    /// [`QueryError::BeyondLedger`] for an `at_size` past the end; storage errors.
    pub fn conflicts(&self, query: Query, select: &Select) -> Result<ConflictAnswer, QueryError> {
        let size = self.checked_size(query.at_size)?;
        let first = self.fold_select(query, select, size)?;
        Ok(ConflictAnswer {
            query,
            conflicts: self.conflicts_after(query, select, size, &first)?,
            receipt: self.receipt(size)?,
        })
    }

    /// Folds the relationships of `select` from the first `size` records (the whole log
    /// for [`Select::All`]), keeping the claims too.
    pub(super) fn fold_select(
        &self,
        query: Query,
        select: &Select,
        size: u64,
    ) -> Result<Folded, LedgerError> {
        let pairs = match select {
            Select::All => None,
            Select::Pair(a, b) => Some(BTreeSet::from([pair(a, b)])),
            Select::Party(p) => Some(
                self.partners(p)?
                    .iter()
                    .map(|other| pair(p, other))
                    .collect(),
            ),
        };
        self.fold_pairs(query, select.clone(), pairs.as_ref(), size)
    }

    /// Folds the events of `pairs` (every event when `None`), answering for `scope`.
    fn fold_pairs(
        &self,
        query: Query,
        scope: Select,
        pairs: Option<&BTreeSet<Pair>>,
        size: u64,
    ) -> Result<Folded, LedgerError> {
        let mut fold = Fold::new(query, scope);
        match pairs {
            None => {
                for r in self.records(0, Some(size)) {
                    let r = r?;
                    if let Entry::Event(e) = &r.entry {
                        fold.apply(r.seq, e);
                    }
                }
            }
            Some(pairs) => {
                let mut seqs = BTreeSet::new();
                for (a, b) in pairs {
                    self.pair_query_seqs(a, b, query.as_of, &mut seqs)?;
                }
                let seqs: Vec<Seq> = seqs.into_iter().filter(|s| s.get() < size).collect();
                for (seq, e) in self.events_at(&seqs)? {
                    fold.apply_owned(seq, e);
                }
            }
        }
        let (relationships, claims) = fold.finish_with_claims();
        Ok(Folded {
            relationships,
            claims,
        })
    }

    /// The conflicts in `select`, given `first`, the fold of [`Ledger::fold_select`].
    /// A whole-log fold holds every term and claim; for a pair or party, the agreements
    /// a conflict can reach are read with what refers to them (see the module docs) and
    /// folded.
    pub(super) fn conflicts_after(
        &self,
        query: Query,
        select: &Select,
        size: u64,
        first: &Folded,
    ) -> Result<Vec<Conflict>, LedgerError> {
        if *select == Select::All {
            return Ok(conflicts_among(first, select));
        }
        let own: BTreeSet<TermRef> = first
            .relationships
            .iter()
            .filter(|r| select.wants(&r.parties))
            .flat_map(|r| r.terms.iter().map(TermState::reference))
            .collect();
        let mut reach = Reach::default();
        let seeds = self.rival_agreements(select, first, size)?;
        self.close_over(&mut reach, seeds, size)?;
        let named = self.named_beside(&reach, &own, size)?;
        self.close_over(&mut reach, named, size)?;
        let mut fold = Fold::new(query, Select::All);
        for (seq, e) in reach.events {
            fold.apply_owned(seq, e);
        }
        let (relationships, claims) = fold.finish_with_claims();
        let folded = Folded {
            relationships,
            claims,
        };
        Ok(conflicts_among(&folded, select))
    }

    /// The agreements of the terms in force in `select`, and those where a grantor of
    /// one of them granted a rival term (same first scope segment; exclusive unless the
    /// term itself is), among the first `size` records.
    fn rival_agreements(
        &self,
        select: &Select,
        first: &Folded,
        size: u64,
    ) -> Result<BTreeSet<Seq>, LedgerError> {
        let mut out = BTreeSet::new();
        // Per grantor and segment: whether only exclusive rivals can collide.
        let mut rivals: BTreeMap<(&PartyId, &str), bool> = BTreeMap::new();
        let mut agreements = BTreeSet::new();
        for r in first.relationships.iter().filter(|r| select.wants(&r.parties)) {
            for t in &r.terms {
                let only_exclusive = rivals
                    .entry((&t.grantor, t.scope.first_segment()))
                    .or_insert(true);
                *only_exclusive &= !t.exclusive;
                agreements.insert(&t.event);
            }
        }
        for id in agreements {
            out.extend(self.event_seq(id)?);
        }
        for ((grantor, segment), only_exclusive) in rivals {
            let grants = self
                .index
                .grants(&self.store, grantor, segment, only_exclusive)?;
            out.extend(grants.into_iter().filter(|s| s.get() < size));
        }
        Ok(out)
    }

    /// The agreements of the terms that claims in `reach` name beside a term of `own`,
    /// among the first `size` records, that `reach` has not read.
    fn named_beside(
        &self,
        reach: &Reach,
        own: &BTreeSet<TermRef>,
        size: u64,
    ) -> Result<BTreeSet<Seq>, LedgerError> {
        let mut ids = BTreeSet::new();
        for e in reach.events.values() {
            let concerns = e.payload.concerns();
            if concerns.iter().any(|r| own.contains(r)) {
                ids.extend(concerns.iter().map(|r| &r.event));
            }
        }
        let mut out = BTreeSet::new();
        for id in ids {
            if let Some(seq) = self.event_seq(id)?
                && seq.get() < size
                && !reach.events.contains_key(&seq)
            {
                out.insert(seq);
            }
        }
        Ok(out)
    }

    /// Reads `seeds` into `reach` with every event that refers to one of them through a
    /// field that can change a term or a claim (replaces, ends, contests, settles), and
    /// so on down to the events nothing further refers to; only the first `size` records
    /// exist.
    fn close_over(
        &self,
        reach: &mut Reach,
        seeds: BTreeSet<Seq>,
        size: u64,
    ) -> Result<(), LedgerError> {
        let mut frontier: Vec<Seq> = seeds
            .into_iter()
            .filter(|s| !reach.events.contains_key(s))
            .collect();
        while !frontier.is_empty() {
            let mut next = BTreeSet::new();
            for (seq, e) in self.events_at(&frontier)? {
                for (field, by) in self.index.referrers(&self.store, &e.id)? {
                    let changes = !matches!(field, Field::Pays | Field::About);
                    if changes && by.get() < size && !reach.events.contains_key(&by) {
                        next.insert(by);
                    }
                }
                reach.events.insert(seq, e);
            }
            frontier = next
                .into_iter()
                .filter(|s| !reach.events.contains_key(s))
                .collect();
        }
        Ok(())
    }
}

/// The events a conflict query has read, by seq: each with every event that refers to
/// it through a field that can change a term or a claim.
#[derive(Default)]
struct Reach {
    events: BTreeMap<Seq, Event>,
}

/// The conflicts in `select` among the terms in force in `folded`.
fn conflicts_among(folded: &Folded, select: &Select) -> Vec<Conflict> {
    let terms: Vec<&TermState> = folded
        .relationships
        .iter()
        .flat_map(|r| &r.terms)
        .collect();
    let mut found = projection::conflicts(&terms, &folded.claims);
    found.retain(|c| c.is_in(select));
    found
}
