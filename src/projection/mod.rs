//! Projections: the state of every relationship as of a day, as far as was known on
//! another day, according to a prefix of the ledger (DESIGN.md 4).
//!
//! A projection is a total fold: [`Fold::apply`] takes recorded events one by one and
//! never fails (validation happened before recording); [`Fold::finish`] answers the
//! query. The three axes:
//! - `at_size N`: only records with seq < N exist (the caller passes only those);
//! - `known_at K`: only events disclosed on or before K exist;
//! - `as_of D`: an event counts when its latest possible day is <= D; when its earliest
//!   day is <= D < latest it is *possible* (listed, not folded).
//!
//! An event that another existing event supersedes never counts, whatever the
//! successor's own date; nor does one whose successor is itself superseded by an existing
//! event (a correction of a correction replaces the original even while the middle link
//! is undisclosed). Terms start at their event and stay in force through the latest
//! day of `until` (a date), or until a counted event `ends` them (a condition keeps a
//! term in force until then). Legal events open disputes until a counted legal event
//! with a closing stage `resolves` them.
//!
//! Money: each tranche of a counted investment has one status on the day, decided by
//! [`tranche_status`] from the counted payments that pay it and the counted reports that
//! name it (see `money.rs` for the rule: a due date passed with no payment is
//! `unreported`, and only a report of the missed payment makes it `overdue`).
//!
//! Conflicts between terms in force (`conflicts`) come from the terms and the claims
//! (`concerns`) a fold finds.

mod conflicts;
mod diff;
mod money;
mod timeline;

pub use conflicts::{ClaimState, Conflict, ConflictKind, conflicts};
pub use diff::{Diff, MoneyChange, RelationshipDiff, TermChange, diff};
pub use timeline::{DisputeSpan, TermEnd, TermSpan, Timeline, timeline};
pub use money::{
    InvestmentState, MoneyStatus, PaymentReport, TrancheReading, investment_totals, tranche_status,
};

use crate::codec::Seq;
use crate::model::{
    Confidence, Day, Event, EventId, LegalStage, Money, PartyId, Payload, Scope, TermKey,
    TermRef, TermType, Tranche, TrancheRef, Until,
};
use std::collections::{BTreeMap, BTreeSet};

/// What to ask: the day, and the optional knowledge day and ledger prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    /// Valid time: the day the state is for.
    pub as_of: Day,
    /// Only events disclosed on or before this day exist.
    pub known_at: Option<Day>,
    /// Only the first N records exist.
    pub at_size: Option<u64>,
}

impl Query {
    /// A plain as-of query.
    pub fn as_of(day: Day) -> Query {
        Query {
            as_of: day,
            known_at: None,
            at_size: None,
        }
    }

    /// Whether the record at `seq` with this event exists for the query.
    pub fn sees(&self, seq: Seq, event: &Event) -> bool {
        self.at_size.is_none_or(|n| seq.get() < n)
            && self.known_at.is_none_or(|k| event.disclosed <= k)
    }
}

/// Which relationships a query is about (`log`, `state`, `diff`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Select {
    /// Every relationship.
    All,
    /// One relationship: the two parties, in either order.
    Pair(PartyId, PartyId),
    /// Every relationship of one party.
    Party(PartyId),
}

/// Sorted pair of parties.
pub type Pair = (PartyId, PartyId);

/// Sorts two parties into a relationship key.
pub fn pair(a: &PartyId, b: &PartyId) -> Pair {
    if a <= b {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    }
}

impl Select {
    /// Whether the relationship `p` (a sorted pair) is selected.
    pub fn wants(&self, p: &Pair) -> bool {
        match self {
            Select::All => true,
            Select::Pair(a, b) => *p == pair(a, b),
            Select::Party(x) => p.0 == *x || p.1 == *x,
        }
    }
}

/// A term in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermState {
    /// The agreement that granted it.
    pub event: EventId,
    /// Its key in that agreement.
    pub key: TermKey,
    /// What kind of right.
    pub kind: TermType,
    /// Who grants it.
    pub grantor: PartyId,
    /// Who holds it.
    pub holder: PartyId,
    /// What it covers.
    pub scope: Scope,
    /// Whether it excludes others.
    pub exclusive: bool,
    /// Money attached.
    pub amount: Option<Money>,
    /// The granting event's date, as written.
    pub since: String,
    /// When it lapses (a date or a condition), if ever.
    pub until: Option<Until>,
}

impl TermState {
    /// The term `t` as the agreement `e` granted it.
    pub(crate) fn granted(e: &Event, t: &crate::model::Term) -> TermState {
        TermState {
            event: e.id.clone(),
            key: t.key.clone(),
            kind: t.kind,
            grantor: t.grantor.clone(),
            holder: t.holder.clone(),
            scope: t.scope.clone(),
            exclusive: t.exclusive,
            amount: t.amount,
            since: e.date.as_str().to_string(),
            until: t.until.clone(),
        }
    }

    /// The `event-id#term-key` that names the term.
    pub fn reference(&self) -> TermRef {
        TermRef {
            event: self.event.clone(),
            key: self.key.clone(),
        }
    }
}

/// An open dispute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisputeState {
    /// The legal event that opened it.
    pub event: EventId,
    /// Who threatens or acts.
    pub by: PartyId,
    /// Against whom (all of them, not only this relationship's other party).
    pub against: Vec<PartyId>,
    /// How far it went.
    pub stage: LegalStage,
    /// How well established it is.
    pub confidence: Confidence,
}

/// Whether a relationship is in a dispute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// No open dispute.
    Active,
    /// At least one open dispute.
    Disputed,
}

impl Status {
    /// The keyword for output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Disputed => "disputed",
        }
    }
}

/// The state of one relationship.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationshipState {
    /// The two parties, sorted.
    pub parties: Pair,
    /// Disputed or active.
    pub status: Status,
    /// Terms in force.
    pub terms: Vec<TermState>,
    /// Investment tranches that count, whatever their status.
    pub investments: Vec<InvestmentState>,
    /// Open disputes.
    pub disputes: Vec<DisputeState>,
    /// Events folded, in date order.
    pub events: Vec<EventId>,
    /// Events whose date straddles the day: listed, not folded.
    pub possible_events: Vec<EventId>,
}

/// Accumulates recorded events for one query. `apply` never fails.
#[derive(Debug)]
pub struct Fold {
    query: Query,
    scope: Select,
    seen: Vec<(Seq, Event)>,
    /// Which event each recorded event supersedes, whether or not the query sees it: a
    /// correction of a correction replaces the original even when the middle link is not
    /// yet disclosed.
    links: BTreeMap<EventId, EventId>,
}

impl Fold {
    /// A fold for `query`, answering for `scope`.
    pub fn new(query: Query, scope: Select) -> Fold {
        Fold {
            query,
            scope,
            seen: Vec::new(),
            links: BTreeMap::new(),
        }
    }

    /// Takes one recorded event (in any order); events the query cannot see are ignored.
    pub fn apply(&mut self, seq: Seq, event: &Event) {
        if self.admits(seq, event) {
            self.seen.push((seq, event.clone()));
        }
    }

    /// [`Fold::apply`] of an event the caller no longer needs (no copy is made).
    pub(crate) fn apply_owned(&mut self, seq: Seq, event: Event) {
        if self.admits(seq, &event) {
            self.seen.push((seq, event));
        }
    }

    /// Records what a recorded event supersedes (whether or not the query sees it), and
    /// says whether the query sees it.
    fn admits(&mut self, seq: Seq, event: &Event) -> bool {
        if self.query.at_size.is_some_and(|n| seq.get() >= n) {
            return false;
        }
        if let Some(t) = &event.supersedes {
            self.links.insert(event.id.clone(), t.clone());
        }
        self.query.sees(seq, event)
    }

    /// Every event replaced under the query: each seen event's target, and the target's
    /// own target, down its chain of corrections (an event is replaced as soon as any
    /// later link of its chain exists).
    fn superseded(&self) -> BTreeSet<EventId> {
        let mut out = BTreeSet::new();
        for (_, e) in &self.seen {
            let mut next = e.supersedes.as_ref();
            // The validator refuses cycles; the bound keeps a damaged ledger finite.
            let mut steps = 0;
            while let Some(t) = next {
                if !out.insert(t.clone()) || steps > self.links.len() {
                    break;
                }
                steps += 1;
                next = self.links.get(t);
            }
        }
        out
    }

    /// The state of every relationship in scope that has at least one counted or
    /// possible event, sorted by parties. (The ledger's state queries keep the claims
    /// too; the timeline and the benchmarks' full replay use this.)
    pub fn finish(self) -> Vec<RelationshipState> {
        self.finish_with_claims().0
    }

    /// [`Fold::finish`], with every counted legal event or statement that names terms
    /// through `concerns` (whatever the scope: a claim can join terms of any
    /// relationships), in fold order.
    pub fn finish_with_claims(mut self) -> (Vec<RelationshipState>, Vec<ClaimState>) {
        let d = self.query.as_of;
        let superseded = self.superseded();
        self.seen.retain(|(_, e)| !superseded.contains(&e.id));
        self.seen.sort_by(|(sa, a), (sb, b)| {
            (a.date.earliest(), a.date.latest(), *sa).cmp(&(
                b.date.earliest(),
                b.date.latest(),
                *sb,
            ))
        });
        let facts = Facts::of(&self.seen, d);
        let mut out: BTreeMap<Pair, RelationshipState> = BTreeMap::new();
        let mut claims = Vec::new();
        let scope = &self.scope;
        for (_, e) in &self.seen {
            let counted = facts.counts(e);
            let possible = !counted && e.date.earliest() <= d;
            if !counted && !possible {
                continue;
            }
            if counted {
                claims.extend(ClaimState::of(e, &facts.resolved));
            }
            for (a, b) in e.pairs() {
                if let Some(r) = slot(&mut out, scope, (a, b)) {
                    if counted {
                        r.events.push(e.id.clone());
                    } else {
                        r.possible_events.push(e.id.clone());
                    }
                }
            }
            if counted {
                facts.apply(&mut out, scope, e);
            }
        }
        // A relationship exists when its two parties share a counted or possible event.
        let relationships = out
            .into_values()
            .filter(|r| !r.events.is_empty() || !r.possible_events.is_empty())
            .collect();
        (relationships, claims)
    }
}

/// Whether `e` counts on `day`: its latest possible day is on or before it.
fn counts_on(e: &Event, day: Day) -> bool {
    e.date.latest() <= day
}

/// What the counted events say about others: terms ended, matters resolved, tranches
/// paid (by the earliest counted payment) and reported on (in fold order).
struct Facts<'e> {
    day: Day,
    ended: BTreeSet<&'e TermRef>,
    resolved: BTreeSet<&'e EventId>,
    paid: BTreeMap<&'e TrancheRef, &'e EventId>,
    reports: BTreeMap<TrancheRef, Vec<PaymentReport<'e>>>,
}

impl<'e> Facts<'e> {
    /// The facts of the counted events among `seen` (sorted by date) on `day`.
    fn of(seen: &'e [(Seq, Event)], day: Day) -> Facts<'e> {
        let mut facts = Facts {
            day,
            ended: BTreeSet::new(),
            resolved: BTreeSet::new(),
            paid: BTreeMap::new(),
            reports: BTreeMap::new(),
        };
        for (_, e) in seen.iter().filter(|(_, e)| counts_on(e, day)) {
            facts.ended.extend(e.payload.ends());
            for r in e.payload.pays() {
                facts.paid.entry(r).or_insert(&e.id);
            }
            // A reference that names a term, not a tranche, never matches a tranche.
            for r in e.payload.reports() {
                let tranche = TrancheRef {
                    event: r.event.clone(),
                    key: r.key.clone(),
                };
                let report = PaymentReport {
                    event: &e.id,
                    date: &e.date,
                };
                facts.reports.entry(tranche).or_default().push(report);
            }
            if let Payload::Legal {
                resolves: Some(t),
                stage,
                ..
            } = &e.payload
                && stage.is_closing()
            {
                facts.resolved.insert(t);
            }
        }
        facts
    }

    fn counts(&self, e: &Event) -> bool {
        counts_on(e, self.day)
    }

    /// Folds a counted event's payload into the relationships it touches.
    fn apply(&self, out: &mut BTreeMap<Pair, RelationshipState>, scope: &Select, e: &Event) {
        match &e.payload {
            Payload::Agreement { terms, .. } => {
                for t in terms {
                    let r = TermRef {
                        event: e.id.clone(),
                        key: t.key.clone(),
                    };
                    let lapsed = t
                        .until
                        .as_ref()
                        .and_then(Until::last_day)
                        .is_some_and(|last| last < self.day);
                    if self.ended.contains(&r) || lapsed {
                        continue;
                    }
                    if let Some(rel) = slot(out, scope, pair(&t.grantor, &t.holder)) {
                        rel.terms.push(TermState::granted(e, t));
                    }
                }
            }
            Payload::Investment { tranches } => {
                for (index, t) in tranches.iter().enumerate() {
                    if let Some(rel) = slot(out, scope, pair(&t.investor, &t.investee)) {
                        rel.investments.push(self.investment(e, index, t));
                    }
                }
            }
            Payload::Legal {
                by, against, stage, ..
            } if !stage.is_closing() && !self.resolved.contains(&e.id) => {
                for x in against {
                    if let Some(rel) = slot(out, scope, pair(by, x)) {
                        rel.disputes.push(DisputeState {
                            event: e.id.clone(),
                            by: by.clone(),
                            against: against.clone(),
                            stage: *stage,
                            confidence: e.confidence,
                        });
                        rel.status = Status::Disputed;
                    }
                }
            }
            _ => {}
        }
    }

    /// Tranche `index` of investment `e`, with its status on the day.
    fn investment(&self, e: &Event, index: usize, t: &Tranche) -> InvestmentState {
        let r = t.key.as_ref().map(|key| TrancheRef {
            event: e.id.clone(),
            key: key.clone(),
        });
        let paid_by = r.as_ref().and_then(|r| self.paid.get(r)).map(|p| (*p).clone());
        let reports = r.as_ref().and_then(|r| self.reports.get(r));
        let reading = tranche_status(
            t,
            paid_by.is_some(),
            reports.map_or(&[], Vec::as_slice),
            self.day,
        );
        InvestmentState {
            event: e.id.clone(),
            index,
            key: t.key.clone(),
            investor: t.investor.clone(),
            investee: t.investee.clone(),
            amount: t.amount,
            due: t.due.clone(),
            condition: t.condition.clone(),
            lapses: t.lapses.clone(),
            status: reading.status,
            paid_by,
            met_by: reading.met_by.cloned(),
            missed_by: reading.missed_by.cloned(),
        }
    }
}

/// The state of relationship `p` in `out`, created empty on first use; None when out of scope.
fn slot<'m>(
    out: &'m mut BTreeMap<Pair, RelationshipState>,
    scope: &Select,
    p: Pair,
) -> Option<&'m mut RelationshipState> {
    if !scope.wants(&p) {
        return None;
    }
    Some(out.entry(p.clone()).or_insert_with(|| RelationshipState {
        parties: p,
        status: Status::Active,
        terms: Vec::new(),
        investments: Vec::new(),
        disputes: Vec::new(),
        events: Vec::new(),
        possible_events: Vec::new(),
    }))
}
