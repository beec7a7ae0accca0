//! A naive reference for DESIGN.md 4 ("the meaning of state as of"), written from the
//! design text alone: it never calls `pactlog::projection`'s fold or diff, only borrows its
//! plain data types so answers compare field by field.
//!
//! Every rule is a loop over every record, so that it is obviously right:
//! - at_size N keeps records with seq < N; known_at K keeps events disclosed on or before K;
//! - an event superseded by any kept event never counts, whatever the successor's date,
//!   nor one whose successor is superseded in turn by a kept event (the chain is followed
//!   through undisclosed links);
//! - an event counts when latest <= as_of, and is possible when earliest <= as_of < latest;
//! - a term is in force from its counted agreement through the latest day of a date
//!   `until` (a condition never lapses by itself), unless a counted event `ends` it;
//! - a counted, non-closing legal event is an open dispute in each relationship (by, x),
//!   x in `against`, unless a counted closing legal event `resolves` it;
//! - a tranche of a counted investment is paid when a counted payment names it (the
//!   earliest such payment is the one named), or when it has neither due nor condition;
//!   a *report* on it is a counted statement, or legal event of a stage that is not
//!   closing, whose `concerns` names it; with a condition and no report, it is lapsed
//!   once its `lapses` date lies wholly before the day and conditional until then;
//!   otherwise it falls due on its due date's latest day, or for a condition on the
//!   first report's latest day (or its due date's, if later): scheduled before that day,
//!   then overdue when a report lies wholly after that day (the first one is named) and
//!   unreported otherwise; totals add amounts per currency and status;
//! - a relationship exists when its two parties share a counted or possible event.
//!
//! Order (the design leaves it open; this is the natural one): events by (earliest day,
//! latest day, seq); terms, tranches and disputes in the order of their events, then in
//! payload order.
//!
//! It also holds what compares an answer with the reference: [`same_relationships`]
//! (field by field, naming the first difference), [`selected`] and [`describe`].

use pactlog::codec::Entry;
use pactlog::model::{Event, EventId, PartyId, Payload, Term, TermKey, TermRef, Tranche, Until};
use pactlog::projection::{
    DisputeState, InvestmentState, MoneyStatus, Query, RelationshipState, Select, Status, TermState,
};
use std::collections::BTreeMap;

/// One event record: its seq (position in the ledger) and its event.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub seq: u64,
    pub event: Event,
}

/// The event records of `entries`, seq = position (party records take seqs too).
pub fn recorded(entries: &[Entry]) -> Vec<Recorded> {
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Entry::Event(event) => Some(Recorded {
                seq: i as u64,
                event: event.clone(),
            }),
            Entry::Party(_) => None,
        })
        .collect()
}

/// The two parties in order.
pub fn sorted_pair(a: &PartyId, b: &PartyId) -> (PartyId, PartyId) {
    if a <= b {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    }
}

/// The ledger as one query sees it.
pub struct View<'a> {
    query: Query,
    /// Kept and not superseded, in fold order.
    live: Vec<&'a Recorded>,
}

impl<'a> View<'a> {
    pub fn new(all: &'a [Recorded], query: Query) -> View<'a> {
        let kept: Vec<&Recorded> = all
            .iter()
            .filter(|r| match query.at_size {
                Some(n) => r.seq < n,
                None => true,
            })
            .filter(|r| match query.known_at {
                Some(k) => r.event.disclosed <= k,
                None => true,
            })
            .collect();
        // Replaced: whatever a kept event's chain of `supersedes` reaches, through
        // events the query does not see too (they are in the prefix, only undisclosed).
        let prefix: Vec<&Recorded> = all
            .iter()
            .filter(|r| query.at_size.is_none_or(|n| r.seq < n))
            .collect();
        let target_of = |id: &EventId| {
            prefix
                .iter()
                .find(|r| &r.event.id == id)
                .and_then(|r| r.event.supersedes.clone())
        };
        let mut replaced: Vec<EventId> = Vec::new();
        for r in &kept {
            let mut next = r.event.supersedes.clone();
            while let Some(t) = next {
                if replaced.contains(&t) {
                    break;
                }
                next = target_of(&t);
                replaced.push(t);
            }
        }
        let mut live: Vec<&Recorded> = kept
            .iter()
            .filter(|r| !replaced.contains(&r.event.id))
            .copied()
            .collect();
        live.sort_by_key(|r| (r.event.date.earliest(), r.event.date.latest(), r.seq));
        View { query, live }
    }

    fn counts(&self, e: &Event) -> bool {
        e.date.latest() <= self.query.as_of
    }

    fn possible(&self, e: &Event) -> bool {
        e.date.earliest() <= self.query.as_of && self.query.as_of < e.date.latest()
    }

    /// Whether a counted event ends the term.
    pub fn term_ended(&self, term: &TermRef) -> bool {
        self.live
            .iter()
            .any(|r| self.counts(&r.event) && r.event.payload.ends().contains(term))
    }

    /// Whether the term's `until` date lies wholly before the day.
    pub fn term_lapsed(&self, term: &Term) -> bool {
        match &term.until {
            Some(Until::Date(d)) => d.latest() < self.query.as_of,
            Some(Until::Condition(_)) | None => false,
        }
    }

    /// Whether a counted closing legal event resolves the legal event `id`.
    pub fn resolved(&self, id: &EventId) -> bool {
        self.live.iter().any(|r| {
            self.counts(&r.event)
                && matches!(&r.event.payload, Payload::Legal { stage, resolves: Some(t), .. }
                    if stage.is_closing() && t == id)
        })
    }

    /// The earliest counted payment (in event order) that names tranche `key` of `event`.
    pub fn paid_by(&self, event: &EventId, key: &TermKey) -> Option<EventId> {
        self.live.iter().find_map(|r| {
            let pays = r.event.payload.pays();
            let names = pays.iter().any(|p| p.event == *event && p.key == *key);
            (self.counts(&r.event) && names).then(|| r.event.id.clone())
        })
    }

    /// The counted reports on tranche `key` of `event`, in event order: statements and
    /// legal events of a stage that is not closing that name it in `concerns`.
    pub fn reports(&self, event: &EventId, key: &TermKey) -> Vec<&Event> {
        self.live
            .iter()
            .map(|r| &r.event)
            .filter(|e| self.counts(e))
            .filter(|e| match &e.payload {
                Payload::Statement { .. } => true,
                Payload::Legal { stage, .. } => !stage.is_closing(),
                _ => false,
            })
            .filter(|e| (e.payload.concerns().iter()).any(|c| c.event == *event && c.key == *key))
            .collect()
    }

    /// Tranche `index` of the counted investment `e`, with its status on the day.
    pub fn tranche(&self, e: &Event, index: usize, t: &Tranche) -> InvestmentState {
        let paid_by = t.key.as_ref().and_then(|k| self.paid_by(&e.id, k));
        let reports = t
            .key
            .as_ref()
            .map(|k| self.reports(&e.id, k))
            .unwrap_or_default();
        let day = self.query.as_of;
        let mut met_by = None;
        let mut missed_by = None;
        let status = if paid_by.is_some() || (t.condition.is_none() && t.due.is_none()) {
            MoneyStatus::Paid
        } else if t.condition.is_some() && reports.is_empty() {
            match &t.lapses {
                Some(l) if l.latest() < day => MoneyStatus::Lapsed,
                _ => MoneyStatus::Conditional,
            }
        } else {
            // The day the money fell due: the due date's last day, and for a condition
            // the first report's last day, whichever is later.
            let mut falls_due = t.due.as_ref().map(|d| d.latest());
            if t.condition.is_some() {
                met_by = Some(reports[0].id.clone());
                let met = reports[0].date.latest();
                falls_due = Some(falls_due.map_or(met, |d| d.max(met)));
            }
            let falls_due = falls_due.expect("a due date or a report");
            missed_by = reports
                .iter()
                .find(|r| r.date.earliest() > falls_due)
                .map(|r| r.id.clone());
            if day < falls_due {
                MoneyStatus::Scheduled
            } else if missed_by.is_some() {
                MoneyStatus::Overdue
            } else {
                MoneyStatus::Unreported
            }
        };
        if status != MoneyStatus::Overdue {
            missed_by = None;
        }
        if status == MoneyStatus::Paid {
            met_by = None;
        }
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
            status,
            paid_by,
            met_by,
            missed_by,
        }
    }

    /// Every relationship, sorted by parties.
    pub fn relationships(&self) -> Vec<RelationshipState> {
        let mut pairs: Vec<(PartyId, PartyId)> = Vec::new();
        for r in &self.live {
            if !self.counts(&r.event) && !self.possible(&r.event) {
                continue;
            }
            for a in &r.event.parties {
                for b in &r.event.parties {
                    if a < b && !pairs.contains(&(a.clone(), b.clone())) {
                        pairs.push((a.clone(), b.clone()));
                    }
                }
            }
        }
        pairs.sort();
        pairs.iter().map(|(a, b)| self.relationship(a, b)).collect()
    }

    /// The relationship of `a < b` (which must share a counted or possible event).
    fn relationship(&self, a: &PartyId, b: &PartyId) -> RelationshipState {
        let this = (a.clone(), b.clone());
        let mut rel = RelationshipState {
            parties: this.clone(),
            status: Status::Active,
            terms: Vec::new(),
            investments: Vec::new(),
            disputes: Vec::new(),
            events: Vec::new(),
            possible_events: Vec::new(),
        };
        for r in &self.live {
            let e = &r.event;
            let shared = e.parties.contains(a) && e.parties.contains(b);
            if shared && self.possible(e) {
                rel.possible_events.push(e.id.clone());
            }
            if !self.counts(e) {
                continue;
            }
            if shared {
                rel.events.push(e.id.clone());
            }
            match &e.payload {
                Payload::Agreement { terms, .. } => {
                    for t in terms {
                        let tref = TermRef {
                            event: e.id.clone(),
                            key: t.key.clone(),
                        };
                        if sorted_pair(&t.grantor, &t.holder) == this
                            && !self.term_ended(&tref)
                            && !self.term_lapsed(t)
                        {
                            rel.terms.push(term_state(e, t));
                        }
                    }
                }
                Payload::Investment { tranches } => {
                    for (index, t) in tranches.iter().enumerate() {
                        if sorted_pair(&t.investor, &t.investee) == this {
                            rel.investments.push(self.tranche(e, index, t));
                        }
                    }
                }
                Payload::Legal {
                    by, against, stage, ..
                } if !stage.is_closing() && !self.resolved(&e.id) => {
                    for x in against {
                        if sorted_pair(by, x) == this {
                            rel.disputes.push(DisputeState {
                                event: e.id.clone(),
                                by: by.clone(),
                                against: against.clone(),
                                stage: *stage,
                                confidence: e.confidence,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        if !rel.disputes.is_empty() {
            rel.status = Status::Disputed;
        }
        rel
    }
}

fn term_state(e: &Event, t: &Term) -> TermState {
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

/// The reference state of every relationship.
pub fn reference_state(all: &[Recorded], query: Query) -> Vec<RelationshipState> {
    View::new(all, query).relationships()
}

/// Amounts per currency and status, added up tranche by tranche.
pub fn reference_totals(
    investments: &[InvestmentState],
) -> BTreeMap<String, BTreeMap<MoneyStatus, u128>> {
    let mut out = BTreeMap::new();
    for i in investments {
        let per_status: &mut BTreeMap<MoneyStatus, u128> = out
            .entry(i.amount.currency.as_str().to_string())
            .or_default();
        let sum = per_status.entry(i.status).or_insert(0);
        *sum += u128::from(i.amount.units);
    }
    out
}

/// What changed in one relationship between two reference states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffFacts {
    pub parties: (PartyId, PartyId),
    pub status: (Status, Status),
    /// Terms in force at `to`, not at `from` (in `to` order).
    pub started: Vec<(EventId, TermKey)>,
    /// Terms in force at `from`, not at `to` (in `from` order).
    pub stopped: Vec<(EventId, TermKey)>,
    pub investments_added: Vec<InvestmentState>,
    /// Tranches in both states whose status changed: (event, index, from, to).
    pub money: Vec<(EventId, usize, MoneyStatus, MoneyStatus)>,
    pub disputes_opened: Vec<EventId>,
    pub disputes_closed: Vec<EventId>,
    pub events: Vec<EventId>,
}

/// The relationships that differ between `before` and `after` (a missing relationship is
/// an empty one), sorted by parties.
pub fn reference_diff(before: &[RelationshipState], after: &[RelationshipState]) -> Vec<DiffFacts> {
    let mut pairs: Vec<(PartyId, PartyId)> = before
        .iter()
        .chain(after)
        .map(|r| r.parties.clone())
        .collect();
    pairs.sort();
    pairs.dedup();
    let mut out = Vec::new();
    for p in pairs {
        let empty = RelationshipState {
            parties: p.clone(),
            status: Status::Active,
            terms: Vec::new(),
            investments: Vec::new(),
            disputes: Vec::new(),
            events: Vec::new(),
            possible_events: Vec::new(),
        };
        let b = before.iter().find(|r| r.parties == p).unwrap_or(&empty);
        let a = after.iter().find(|r| r.parties == p).unwrap_or(&empty);
        let keys = |r: &RelationshipState| -> Vec<(EventId, TermKey)> {
            r.terms
                .iter()
                .map(|t| (t.event.clone(), t.key.clone()))
                .collect()
        };
        let (kb, ka) = (keys(b), keys(a));
        let ids = |r: &RelationshipState| -> Vec<EventId> {
            r.disputes.iter().map(|d| d.event.clone()).collect()
        };
        let (db, da) = (ids(b), ids(a));
        let facts = DiffFacts {
            parties: p,
            status: (b.status, a.status),
            started: ka.iter().filter(|k| !kb.contains(k)).cloned().collect(),
            stopped: kb.iter().filter(|k| !ka.contains(k)).cloned().collect(),
            investments_added: a
                .investments
                .iter()
                .filter(|i| {
                    !b.investments
                        .iter()
                        .any(|x| (&x.event, x.index) == (&i.event, i.index))
                })
                .cloned()
                .collect(),
            money: a
                .investments
                .iter()
                .flat_map(|i| {
                    b.investments
                        .iter()
                        .filter(|x| (&x.event, x.index) == (&i.event, i.index))
                        .filter(|x| x.status != i.status)
                        .map(|x| (i.event.clone(), i.index, x.status, i.status))
                })
                .collect(),
            disputes_opened: da.iter().filter(|d| !db.contains(d)).cloned().collect(),
            disputes_closed: db.iter().filter(|d| !da.contains(d)).cloned().collect(),
            events: a
                .events
                .iter()
                .filter(|e| !b.events.contains(e))
                .cloned()
                .collect(),
        };
        let unchanged = facts.status.0 == facts.status.1
            && facts.started.is_empty()
            && facts.stopped.is_empty()
            && facts.investments_added.is_empty()
            && facts.money.is_empty()
            && facts.disputes_opened.is_empty()
            && facts.disputes_closed.is_empty()
            && facts.events.is_empty();
        if !unchanged {
            out.push(facts);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Comparing answers with the reference.

/// The reference relationships a selection wants.
pub fn selected(want: &[RelationshipState], select: &Select) -> Vec<RelationshipState> {
    want.iter()
        .filter(|r| match select {
            Select::All => true,
            Select::Party(p) => r.parties.0 == *p || r.parties.1 == *p,
            Select::Pair(a, b) => r.parties == sorted_pair(a, b),
        })
        .cloned()
        .collect()
}

/// One line per event, for failure messages.
pub fn describe(entries: &[Entry]) -> String {
    let mut out = String::new();
    for (seq, entry) in entries.iter().enumerate() {
        let Entry::Event(e) = entry else { continue };
        let parties: Vec<&str> = e.parties.iter().map(PartyId::as_str).collect();
        out += &format!(
            "  #{seq} {} {} [{}..{}] disclosed {} {} parties={parties:?}",
            e.id,
            e.date,
            e.date.earliest(),
            e.date.latest(),
            e.disclosed,
            e.kind_name()
        );
        if let Some(t) = &e.supersedes {
            out += &format!(" supersedes={t}");
        }
        match &e.payload {
            Payload::Agreement { terms, ends, .. } => {
                for t in terms {
                    let until = t.until.as_ref().map(ToString::to_string);
                    out += &format!(
                        " term {}:{}->{} until={until:?}",
                        t.key, t.grantor, t.holder
                    );
                }
                for r in ends {
                    out += &format!(" ends={r}");
                }
            }
            Payload::TermEnded { ends, .. } => {
                for r in ends {
                    out += &format!(" ends={r}");
                }
            }
            Payload::Legal {
                by,
                against,
                stage,
                resolves,
                ..
            } => {
                let against: Vec<&str> = against.iter().map(PartyId::as_str).collect();
                out += &format!(" {by}->{against:?} {}", stage.as_str());
                if let Some(t) = resolves {
                    out += &format!(" resolves={t}");
                }
            }
            Payload::Investment { tranches } => {
                for t in tranches {
                    out += &format!(" {}->{} {}", t.investor, t.investee, t.amount);
                    if let Some(k) = &t.key {
                        out += &format!(" key={k}");
                    }
                    if let Some(d) = &t.due {
                        out += &format!(" due={d}");
                    }
                    if t.condition.is_some() {
                        out += " conditional";
                    }
                    if let Some(l) = &t.lapses {
                        out += &format!(" lapses={l}");
                    }
                }
            }
            Payload::Payment { pays } => {
                for r in pays {
                    out += &format!(" pays={r}");
                }
            }
            _ => {}
        }
        out.push('\n');
    }
    out
}

/// Compares two answers field by field; the error names the first difference.
pub fn same_relationships(
    got: &[RelationshipState],
    want: &[RelationshipState],
) -> Result<(), String> {
    let names = |rs: &[RelationshipState]| -> Vec<String> {
        rs.iter()
            .map(|r| format!("{}-{}", r.parties.0, r.parties.1))
            .collect()
    };
    if names(got) != names(want) {
        let (g, w) = (names(got), names(want));
        return Err(format!("relationships differ: got {g:?}, want {w:?}"));
    }
    for (g, w) in got.iter().zip(want) {
        let terms = |r: &RelationshipState| -> Vec<String> {
            r.terms
                .iter()
                .map(|t| format!("{}#{}", t.event, t.key))
                .collect()
        };
        let disputes = |r: &RelationshipState| -> Vec<String> {
            r.disputes
                .iter()
                .map(|d| format!("{} by {}", d.event, d.by))
                .collect()
        };
        // Short views first, so the message names the first thing that differs.
        let fields = [
            (
                "events",
                format!("{:?}", g.events),
                format!("{:?}", w.events),
            ),
            (
                "possible events",
                format!("{:?}", g.possible_events),
                format!("{:?}", w.possible_events),
            ),
            (
                "terms in force",
                format!("{:?}", terms(g)),
                format!("{:?}", terms(w)),
            ),
            (
                "term details",
                format!("{:?}", g.terms),
                format!("{:?}", w.terms),
            ),
            (
                "investments",
                format!("{:?}", g.investments),
                format!("{:?}", w.investments),
            ),
            (
                "open disputes",
                format!("{:?}", disputes(g)),
                format!("{:?}", disputes(w)),
            ),
            (
                "dispute details",
                format!("{:?}", g.disputes),
                format!("{:?}", w.disputes),
            ),
            (
                "status",
                format!("{:?}", g.status),
                format!("{:?}", w.status),
            ),
        ];
        for (field, got, want) in fields {
            if got != want {
                let (a, b) = &w.parties;
                return Err(format!(
                    "{a}-{b}: {field} differ:\n  got  {got}\n  want {want}"
                ));
            }
        }
        if g != w {
            return Err(format!(
                "{:?}: differ in a field not compared above",
                w.parties
            ));
        }
    }
    Ok(())
}

/// Removes `id` from the events lists, then relationships left with no event.
pub fn without_event(rels: Vec<RelationshipState>, id: &EventId) -> Vec<RelationshipState> {
    rels.into_iter()
        .map(|mut r| {
            r.events.retain(|e| e != id);
            r.possible_events.retain(|e| e != id);
            r
        })
        .filter(|r| !r.events.is_empty() || !r.possible_events.is_empty())
        .collect()
}
