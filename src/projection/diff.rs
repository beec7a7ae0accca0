//! What changed in each relationship between two days: terms started and ended, money
//! added, tranches whose status changed, disputes opened and closed, and the events
//! folded in between.

use super::{
    DisputeState, InvestmentState, MoneyStatus, Pair, RelationshipState, Status, TermState,
};
use crate::model::{Day, EventId, Until};
use std::collections::BTreeMap;

/// How a term stopped being in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TermChange {
    /// It began (its agreement counts now).
    Started,
    /// Its `until` date passed.
    Lapsed,
    /// An event ended it (or superseded its agreement).
    Ended,
}

impl TermChange {
    /// The keyword for output.
    pub fn as_str(&self) -> &'static str {
        match self {
            TermChange::Started => "started",
            TermChange::Lapsed => "lapsed",
            TermChange::Ended => "ended",
        }
    }
}

/// A tranche that counts on both days, with another status at `to` than at `from`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoneyChange {
    /// The tranche as it stands at `to`.
    pub tranche: InvestmentState,
    /// Its status at `from`.
    pub from: MoneyStatus,
}

/// Changes in one relationship.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationshipDiff {
    /// The two parties, sorted.
    pub parties: Pair,
    /// Status at `from` and at `to`.
    pub status: (Status, Status),
    /// Terms that started or stopped.
    pub terms: Vec<(TermChange, TermState)>,
    /// Tranches that count at `to` but did not at `from`.
    pub investments_added: Vec<InvestmentState>,
    /// Tranches that count on both days, whose status changed (paid, overdue...).
    pub money: Vec<MoneyChange>,
    /// Disputes open at `to` but not at `from`.
    pub disputes_opened: Vec<DisputeState>,
    /// Disputes open at `from` but not at `to`.
    pub disputes_closed: Vec<DisputeState>,
    /// Events folded at `to` but not at `from`, in date order.
    pub events: Vec<EventId>,
}

impl RelationshipDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
            && self.investments_added.is_empty()
            && self.money.is_empty()
            && self.disputes_opened.is_empty()
            && self.disputes_closed.is_empty()
            && self.events.is_empty()
            && self.status.0 == self.status.1
    }
}

/// The changes between two days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diff {
    /// The earlier day.
    pub from: Day,
    /// The later day.
    pub to: Day,
    /// Relationships with at least one change, sorted by parties.
    pub relationships: Vec<RelationshipDiff>,
}

/// Compares the states at `from` (`before`) and `to` (`after`).
pub fn diff(from: Day, to: Day, before: &[RelationshipState], after: &[RelationshipState]) -> Diff {
    let empty = |p: &Pair| RelationshipState {
        parties: p.clone(),
        status: Status::Active,
        terms: Vec::new(),
        investments: Vec::new(),
        disputes: Vec::new(),
        events: Vec::new(),
        possible_events: Vec::new(),
    };
    let mut pairs: BTreeMap<Pair, (Option<&RelationshipState>, Option<&RelationshipState>)> =
        BTreeMap::new();
    for r in before {
        pairs.entry(r.parties.clone()).or_default().0 = Some(r);
    }
    for r in after {
        pairs.entry(r.parties.clone()).or_default().1 = Some(r);
    }
    let mut out = Vec::new();
    for (p, (b, a)) in pairs {
        let (b0, a0);
        let b = match b {
            Some(b) => b,
            None => {
                b0 = empty(&p);
                &b0
            }
        };
        let a = match a {
            Some(a) => a,
            None => {
                a0 = empty(&p);
                &a0
            }
        };
        let terms = term_changes(&b.terms, &a.terms, to);
        let (investments_added, money) = money_diff(&b.investments, &a.investments);
        let d = RelationshipDiff {
            parties: p,
            status: (b.status, a.status),
            terms,
            investments_added,
            money,
            disputes_opened: a
                .disputes
                .iter()
                .filter(|x| !b.disputes.iter().any(|y| y.event == x.event))
                .cloned()
                .collect(),
            disputes_closed: b
                .disputes
                .iter()
                .filter(|x| !a.disputes.iter().any(|y| y.event == x.event))
                .cloned()
                .collect(),
            events: a
                .events
                .iter()
                .filter(|e| !b.events.contains(e))
                .cloned()
                .collect(),
        };
        if !d.is_empty() {
            out.push(d);
        }
    }
    Diff {
        from,
        to,
        relationships: out,
    }
}

/// The terms in force on the later day only (started), and those in force on the earlier
/// day only (lapsed, when their `until` date ended before `to`; ended otherwise).
fn term_changes(
    before: &[TermState],
    after: &[TermState],
    to: Day,
) -> Vec<(TermChange, TermState)> {
    let same_term = |x: &TermState, y: &TermState| x.event == y.event && x.key == y.key;
    let mut terms = Vec::new();
    for t in after {
        if !before.iter().any(|x| same_term(x, t)) {
            terms.push((TermChange::Started, t.clone()));
        }
    }
    for t in before {
        if !after.iter().any(|x| same_term(x, t)) {
            let lapsed = t
                .until
                .as_ref()
                .and_then(Until::last_day)
                .is_some_and(|last| last < to);
            let change = if lapsed {
                TermChange::Lapsed
            } else {
                TermChange::Ended
            };
            terms.push((change, t.clone()));
        }
    }
    terms
}

/// The tranches of `after` that `before` lacks, and those of both whose status changed.
/// A tranche is named by its event and position (keys are optional).
fn money_diff(
    before: &[InvestmentState],
    after: &[InvestmentState],
) -> (Vec<InvestmentState>, Vec<MoneyChange>) {
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for t in after {
        match before
            .iter()
            .find(|x| x.event == t.event && x.index == t.index)
        {
            None => added.push(t.clone()),
            Some(x) if x.status != t.status => changed.push(MoneyChange {
                tranche: t.clone(),
                from: x.status,
            }),
            Some(_) => {}
        }
    }
    (added, changed)
}
