//! Conflicts between terms in force on a day (DESIGN.md 4): a pure function of the
//! terms a fold found in force and the claims (counted legal events and statements with
//! `concerns`) it counted.
//!
//! Three kinds, each between two different terms in force:
//! - **overlap**: same grantor, different holders, at least one exclusive, scopes equal
//!   or one a segment-wise prefix of the other (`cloud.api` overlaps
//!   `cloud.api.stateless`, not `cloud.apis`);
//! - **contested**: both named in the `concerns` of one counted claim, whatever their
//!   scopes, grantors and holders: the parties disagree on whether they collide. A claim
//!   that was settled or withdrawn still records the contest; its `open` flag says
//!   whether it is still pending;
//! - **adjacent**: both exclusive, same grantor, different holders, sibling scopes (same
//!   parent path, different last segment; a top-level scope has no parent, so it has no
//!   siblings): not a collision by the paths, but where disputes come from.
//!
//! A pair of terms appears once per kind. Terms are ordered by (grantor, event, key);
//! conflicts by their first term, then their second, then kind. Each conflict lists every
//! claim that names either of its terms, in fold order.

use super::{Pair, Select, TermState, pair};
use crate::model::{Confidence, Event, EventId, LegalStage, PartyId, Payload, TermRef};
use std::collections::{BTreeMap, BTreeSet};

/// What kind of conflict two terms are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictKind {
    /// Same grantor, different holders, one exclusive at least, overlapping scopes.
    Overlap,
    /// Named together by a claim's `concerns`.
    Contested,
    /// Both exclusive, same grantor, different holders, sibling scopes.
    Adjacent,
}

impl ConflictKind {
    /// The keyword for output.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::Overlap => "overlap",
            ConflictKind::Contested => "contested",
            ConflictKind::Adjacent => "adjacent",
        }
    }
}

/// A counted legal event or statement that names terms through `concerns`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimState {
    /// The legal event or statement.
    pub event: EventId,
    /// Who threatens, acts or states.
    pub by: PartyId,
    /// The legal stage; `None` for a statement.
    pub stage: Option<LegalStage>,
    /// How well established the event is.
    pub confidence: Confidence,
    /// For a legal event, whether it is still open on the day (not a closing stage, and
    /// no counted closing legal event resolves it); `None` for a statement, which is
    /// neither open nor closed.
    pub open: Option<bool>,
    /// The terms it names.
    pub concerns: Vec<TermRef>,
    /// Every party the event touches (sorted).
    pub parties: Vec<PartyId>,
}

impl ClaimState {
    /// The claim a counted event makes, if it is a legal event or statement naming terms;
    /// `resolved` holds the legal events a counted closing legal event resolves.
    pub(super) fn of(e: &Event, resolved: &BTreeSet<&EventId>) -> Option<ClaimState> {
        let (by, stage) = match &e.payload {
            Payload::Legal { by, stage, .. } => (by, Some(*stage)),
            Payload::Statement { by, .. } => (by, None),
            _ => return None,
        };
        let concerns = e.payload.concerns();
        if concerns.is_empty() {
            return None;
        }
        Some(ClaimState {
            event: e.id.clone(),
            by: by.clone(),
            stage,
            confidence: e.confidence,
            open: stage.map(|s| !s.is_closing() && !resolved.contains(&e.id)),
            concerns: concerns.to_vec(),
            parties: e.parties.clone(),
        })
    }
}

/// Two terms in force that collide, or may.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// Which kind.
    pub kind: ConflictKind,
    /// The grantor of both terms; `None` for a contested pair whose grantors differ.
    pub grantor: Option<PartyId>,
    /// The two terms, ordered by (grantor, event, key).
    pub terms: [TermState; 2],
    /// Every counted claim that names either term, in fold order.
    pub disputes: Vec<ClaimState>,
}

impl Conflict {
    /// Whether one of the terms belongs to relationship `p` (its grantor and holder).
    pub fn touches(&self, p: &Pair) -> bool {
        self.terms.iter().any(|t| pair(&t.grantor, &t.holder) == *p)
    }

    /// Whether the conflict is in `select`: one of its terms' relationships is.
    pub fn is_in(&self, select: &Select) -> bool {
        self.terms
            .iter()
            .any(|t| select.wants(&pair(&t.grantor, &t.holder)))
    }
}

/// The conflicts among `terms` (every term in force, each once) that `claims` (every
/// counted claim, in fold order) and the scopes make (see the module docs).
pub fn conflicts(terms: &[&TermState], claims: &[ClaimState]) -> Vec<Conflict> {
    let mut sorted: Vec<&TermState> = terms.to_vec();
    sorted.sort_by(|a, b| (&a.grantor, &a.event, &a.key).cmp(&(&b.grantor, &b.event, &b.key)));
    let mut found: BTreeSet<(usize, usize, ConflictKind)> = BTreeSet::new();
    let mut start = 0;
    while start < sorted.len() {
        let grantor = &sorted[start].grantor;
        let end = start + sorted[start..].partition_point(|t| t.grantor == *grantor);
        by_scope(&sorted, start..end, &mut found);
        start = end;
    }
    let index: BTreeMap<TermRef, usize> = sorted
        .iter()
        .enumerate()
        .map(|(i, t)| (t.reference(), i))
        .collect();
    let mut named_by: Vec<Vec<usize>> = vec![Vec::new(); sorted.len()];
    for (c, claim) in claims.iter().enumerate() {
        let mut named: Vec<usize> = claim
            .concerns
            .iter()
            .filter_map(|r| index.get(r).copied())
            .collect();
        named.sort_unstable();
        named.dedup();
        for (k, &i) in named.iter().enumerate() {
            named_by[i].push(c);
            for &j in &named[k + 1..] {
                found.insert((i, j, ConflictKind::Contested));
            }
        }
    }
    found
        .into_iter()
        .map(|(i, j, kind)| {
            let (a, b) = (sorted[i], sorted[j]);
            let mut which: Vec<usize> = named_by[i].iter().chain(&named_by[j]).copied().collect();
            which.sort_unstable();
            which.dedup();
            Conflict {
                kind,
                grantor: (a.grantor == b.grantor).then(|| a.grantor.clone()),
                terms: [a.clone(), b.clone()],
                disputes: which.into_iter().map(|c| claims[c].clone()).collect(),
            }
        })
        .collect()
}

/// Overlaps and adjacencies among `sorted[range]`, terms of one grantor, as pairs of
/// indexes (smaller first). Terms are grouped by scope and by parent scope, so only pairs
/// whose scopes can match are compared.
fn by_scope(
    sorted: &[&TermState],
    range: std::ops::Range<usize>,
    found: &mut BTreeSet<(usize, usize, ConflictKind)>,
) {
    let mut by_scope: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut by_parent: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in range {
        let t = sorted[i];
        by_scope.entry(t.scope.as_str()).or_default().push(i);
        if t.exclusive
            && let Some(parent) = t.scope.parent()
        {
            by_parent.entry(parent).or_default().push(i);
        }
    }
    let mut consider = |i: usize, j: usize, kind: ConflictKind| {
        let (a, b) = (sorted[i], sorted[j]);
        let wanted = match kind {
            ConflictKind::Overlap => a.exclusive || b.exclusive,
            _ => a.scope.is_sibling_of(&b.scope),
        };
        if i != j && a.holder != b.holder && wanted {
            found.insert((i.min(j), i.max(j), kind));
        }
    };
    for (scope, members) in &by_scope {
        // Equal scopes, then each strict prefix of this scope (segment by segment).
        for (k, &i) in members.iter().enumerate() {
            for &j in &members[k + 1..] {
                consider(i, j, ConflictKind::Overlap);
            }
        }
        let mut prefix = *scope;
        while let Some((shorter, _)) = prefix.rsplit_once('.') {
            prefix = shorter;
            for &j in by_scope.get(prefix).into_iter().flatten() {
                for &i in members {
                    consider(i, j, ConflictKind::Overlap);
                }
            }
        }
    }
    for members in by_parent.values() {
        for (k, &i) in members.iter().enumerate() {
            for &j in &members[k + 1..] {
                consider(i, j, ConflictKind::Adjacent);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Scope, TermKey, TermType};

    fn term(event: &str, grantor: &str, holder: &str, scope: &str, exclusive: bool) -> TermState {
        TermState {
            event: EventId::new(event).unwrap(),
            key: TermKey::new("t").unwrap(),
            kind: TermType::Exclusivity,
            grantor: PartyId::new(grantor).unwrap(),
            holder: PartyId::new(holder).unwrap(),
            scope: Scope::new(scope).unwrap(),
            exclusive,
            amount: None,
            since: "2025".into(),
            until: None,
        }
    }

    fn kinds(terms: &[TermState], claims: &[ClaimState]) -> Vec<(String, String, &'static str)> {
        let refs: Vec<&TermState> = terms.iter().collect();
        conflicts(&refs, claims)
            .into_iter()
            .map(|c| {
                let [a, b] = &c.terms;
                (a.event.to_string(), b.event.to_string(), c.kind.as_str())
            })
            .collect()
    }

    #[test]
    fn overlap_is_a_segment_wise_prefix_between_different_holders() {
        let terms = [
            term("a", "openai", "microsoft", "cloud.api", true),
            term("b", "openai", "amazon", "cloud.api.stateless", false),
            term("c", "openai", "google", "cloud.apis", false),
            term("d", "openai", "oracle", "cloud.api", false),
        ];
        // a-b: prefix; a-d: equal; a-c: `cloud.apis` is not under `cloud.api`; b-d: both
        // non-exclusive.
        assert_eq!(
            kinds(&terms, &[]),
            vec![
                ("a".into(), "b".into(), "overlap"),
                ("a".into(), "d".into(), "overlap"),
            ]
        );
        let same_holder = [
            term("a", "openai", "microsoft", "cloud", true),
            term("b", "openai", "microsoft", "cloud.api", true),
        ];
        assert!(kinds(&same_holder, &[]).is_empty(), "one holder is no rival");
        let other_grantor = [
            term("a", "openai", "microsoft", "cloud", true),
            term("b", "google", "amazon", "cloud", true),
        ];
        assert!(kinds(&other_grantor, &[]).is_empty());
    }

    #[test]
    fn adjacent_needs_two_exclusive_siblings() {
        let terms = [
            term("a", "openai", "microsoft", "cloud.api.stateless", true),
            term("b", "openai", "amazon", "cloud.api.stateful", true),
            term("c", "openai", "google", "cloud.api.batch", false),
            term("d", "openai", "oracle", "compute", true),
            term("e", "openai", "meta", "research", true),
        ];
        // c is not exclusive; d and e are top-level scopes, which have no parent.
        assert_eq!(
            kinds(&terms, &[]),
            vec![("a".into(), "b".into(), "adjacent")]
        );
        // `cloud.api` and `cloud.apis` share the parent `cloud`: siblings, no overlap.
        let near_miss = [
            term("a", "openai", "microsoft", "cloud.api", true),
            term("b", "openai", "amazon", "cloud.apis", true),
        ];
        assert_eq!(
            kinds(&near_miss, &[]),
            vec![("a".into(), "b".into(), "adjacent")]
        );
    }

    #[test]
    fn contested_pairs_come_from_concerns_in_force_and_list_every_claim() {
        let terms = [
            term("a", "openai", "microsoft", "cloud.api.stateless", true),
            term("b", "openai", "amazon", "frontier.distribution", true),
            term("c", "google", "amazon", "cloud", false),
        ];
        let claim = |id: &str, names: &[&TermState], stage: Option<LegalStage>| ClaimState {
            event: EventId::new(id).unwrap(),
            by: PartyId::new("microsoft").unwrap(),
            stage,
            confidence: Confidence::Rumor,
            open: stage.map(|s| !s.is_closing()),
            concerns: names.iter().map(|t| t.reference()).collect(),
            parties: Vec::new(),
        };
        let gone = term("gone", "openai", "meta", "cloud", true);
        let claims = [
            claim("threat", &[&terms[0], &terms[1], &gone], Some(LegalStage::Considering)),
            claim("remark", &[&terms[1]], None),
            claim("again", &[&terms[1], &terms[0]], Some(LegalStage::Settled)),
            claim("cross", &[&terms[2], &terms[0]], None),
        ];
        let refs: Vec<&TermState> = terms.iter().collect();
        let found = conflicts(&refs, &claims);
        type Line<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Vec<&'a str>);
        let summary: Vec<Line<'_>> = found
            .iter()
            .map(|c| {
                (
                    c.terms[0].event.as_str(),
                    c.terms[1].event.as_str(),
                    c.kind.as_str(),
                    c.grantor.as_ref().map(PartyId::as_str),
                    c.disputes.iter().map(|d| d.event.as_str()).collect(),
                )
            })
            .collect();
        // Sorted by grantor: google's term first. The pair a-b appears once although two
        // claims name it; a term not in force (`gone`) makes no pair.
        assert_eq!(
            summary,
            vec![
                ("c", "a", "contested", None, vec!["threat", "again", "cross"]),
                (
                    "a",
                    "b",
                    "contested",
                    Some("openai"),
                    vec!["threat", "remark", "again", "cross"]
                ),
            ]
        );
    }
}
