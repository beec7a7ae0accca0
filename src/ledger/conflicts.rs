//! Conflict queries: which terms in force collide on a day (see
//! `crate::projection::conflicts` for the kinds), with the same three time axes, the same
//! selections and the same receipt as [`Ledger::state`].
//!
//! A conflict joins two terms that may belong to different relationships, so a pair or
//! party query reads more than its own relationships: those where a grantor of its terms
//! granted a rival term that can overlap or be a sibling (the index's grant directory),
//! the relationships of terms a claim names beside
//! one of them (contests), and the relationships of the claims naming those terms (where
//! a settlement that closes a claim is listed). A conflict is in a selection when either
//! term's relationship is.

use super::state::{QueryError, Receipt};
use super::{Ledger, LedgerError};
use crate::codec::{Entry, Seq};
use crate::model::{PartyId, Payload, TermRef};
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
                    fold.apply(seq, &e);
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
    /// A whole-log fold holds every term and claim; for a pair or party, the
    /// relationships a conflict can reach are folded (see the module docs), and once more
    /// with those of the claims about their terms when that adds any.
    pub(super) fn conflicts_after(
        &self,
        query: Query,
        select: &Select,
        size: u64,
        first: &Folded,
    ) -> Result<Vec<Conflict>, LedgerError> {
        if *select == Select::All {
            return Ok(conflicts_among(first, None, select));
        }
        let partners = self.partner_pairs(select, first)?;
        let wide = self.fold_pairs(query, Select::All, Some(&partners), size)?;
        // Terms in force there, and the claims naming them: a pair or party fold lists a
        // closing settlement under the claim's own parties only.
        let in_force: BTreeSet<TermRef> = wide
            .relationships
            .iter()
            .filter(|r| partners.contains(&r.parties))
            .flat_map(|r| r.terms.iter().map(TermState::reference))
            .collect();
        let mut closers = partners.clone();
        for c in &wide.claims {
            if c.concerns.iter().any(|r| in_force.contains(r)) {
                closers.extend(pairs_of(&c.parties));
            }
        }
        if closers == partners {
            return Ok(conflicts_among(&wide, Some(&partners), select));
        }
        let wider = self.fold_pairs(query, Select::All, Some(&closers), size)?;
        Ok(conflicts_among(&wider, Some(&partners), select))
    }

    /// The relationships a conflict of `select` can reach: its own, those where a
    /// grantor of its terms in force granted a rival term (same first scope segment;
    /// exclusive unless the term itself is), and those of the terms a claim names beside
    /// one of its terms.
    fn partner_pairs(&self, select: &Select, first: &Folded) -> Result<BTreeSet<Pair>, LedgerError> {
        let mut out: BTreeSet<Pair> = BTreeSet::new();
        // Per grantor and segment: whether only exclusive rivals can collide.
        let mut rivals: BTreeMap<(&PartyId, &str), bool> = BTreeMap::new();
        let mut own = BTreeSet::new();
        for r in first.relationships.iter().filter(|r| select.wants(&r.parties)) {
            out.insert(r.parties.clone());
            for t in &r.terms {
                let only_exclusive = rivals
                    .entry((&t.grantor, t.scope.first_segment()))
                    .or_insert(true);
                *only_exclusive &= !t.exclusive;
                own.insert(t.reference());
            }
        }
        for ((grantor, segment), only_exclusive) in rivals {
            let holders = self
                .index
                .grant_holders(&self.store, grantor, segment, only_exclusive)?;
            out.extend(holders.iter().map(|h| pair(grantor, h)));
        }
        for c in &first.claims {
            if c.concerns.iter().any(|r| own.contains(r)) {
                for r in &c.concerns {
                    out.extend(self.term_pair(r)?);
                }
            }
        }
        Ok(out)
    }

    /// The relationship of the term `r` names (its grantor and holder), if recorded.
    fn term_pair(&self, r: &TermRef) -> Result<Option<Pair>, LedgerError> {
        Ok(match self.event(&r.event)?.map(|(_, e)| e.payload) {
            Some(Payload::Agreement { terms, .. }) => terms
                .iter()
                .find(|t| t.key == r.key)
                .map(|t| pair(&t.grantor, &t.holder)),
            _ => None,
        })
    }
}

/// The conflicts in `select` among the terms of `folded` that are in force in
/// relationships read in full (`trusted`; all of them when `None`).
fn conflicts_among(
    folded: &Folded,
    trusted: Option<&BTreeSet<Pair>>,
    select: &Select,
) -> Vec<Conflict> {
    let terms: Vec<&TermState> = folded
        .relationships
        .iter()
        .filter(|r| trusted.is_none_or(|t| t.contains(&r.parties)))
        .flat_map(|r| &r.terms)
        .collect();
    let mut found = projection::conflicts(&terms, &folded.claims);
    found.retain(|c| c.is_in(select));
    found
}

/// Every pair of `parties` (sorted, without repeats).
fn pairs_of(parties: &[PartyId]) -> Vec<Pair> {
    let mut out = Vec::new();
    for (i, a) in parties.iter().enumerate() {
        for b in &parties[i + 1..] {
            out.push(pair(a, b));
        }
    }
    out
}
