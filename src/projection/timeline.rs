//! A relationship over its whole history, for drawing: when each term ran, when each
//! dispute was open, from the events that count (DESIGN.md 4: not superseded, under the
//! query's `known_at` and `at_size`).
//!
//! The rules are the fold's: a term is in force from its agreement until its `until`
//! date's latest day, or until the latest day of the first counted event that `ends` it,
//! whichever comes first; a condition keeps it in force until such an event. A legal
//! event that is not of a closing stage opens a dispute until a counted closing legal
//! event `resolves` it.

use super::{Pair, TermState, pair};
use crate::codec::Seq;
use crate::model::{
    Confidence, EdtfDate, Event, EventId, LegalStage, PartyId, Payload, TermRef, Until,
};
use std::collections::BTreeMap;

/// How a term's time in force ends, over the whole history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TermEnd {
    /// Nothing ends it: in force to this day.
    Open,
    /// It runs until a condition is met, and no counted event says it was.
    Condition(String),
    /// It lapses after this date's latest day.
    Lapses(EdtfDate),
    /// A counted event ended it on that event's date.
    EndedBy {
        /// The event that ends it.
        event: EventId,
        /// That event's date.
        date: EdtfDate,
    },
}

/// A term from its grant to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermSpan {
    /// The term as granted.
    pub term: TermState,
    /// The agreement's date.
    pub granted: EdtfDate,
    /// How it ends.
    pub end: TermEnd,
}

/// A dispute from the legal event that opened it to the one that resolved it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisputeSpan {
    /// The legal event that opened it.
    pub event: EventId,
    /// Who threatens or acts.
    pub by: PartyId,
    /// Against whom.
    pub against: Vec<PartyId>,
    /// The stage it opened at.
    pub stage: LegalStage,
    /// How well established the opening event is.
    pub confidence: Confidence,
    /// The opening event's date.
    pub opened: EdtfDate,
    /// The counted closing event that resolves it, and its date; `None`: still open.
    pub resolved: Option<(EventId, EdtfDate)>,
}

/// One relationship over its whole history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// The two parties, sorted.
    pub parties: Pair,
    /// Every event of the relationship that counts, in date order.
    pub events: Vec<(Seq, Event)>,
    /// Every term the relationship's counted agreements grant between its two parties.
    pub terms: Vec<TermSpan>,
    /// Every dispute opened between its two parties.
    pub disputes: Vec<DisputeSpan>,
}

/// The timeline of the relationship `parties` from its counted events (date order).
pub fn timeline(parties: Pair, events: Vec<(Seq, Event)>) -> Timeline {
    let mut ended: BTreeMap<&TermRef, (&EventId, &EdtfDate)> = BTreeMap::new();
    let mut resolved: BTreeMap<&EventId, (&EventId, &EdtfDate)> = BTreeMap::new();
    // Events are in date order, but "first to end it" means the earliest latest day.
    let mut by_end: Vec<&Event> = events.iter().map(|(_, e)| e).collect();
    by_end.sort_by_key(|e| e.date.latest());
    for e in by_end {
        for r in e.payload.ends() {
            ended.entry(r).or_insert((&e.id, &e.date));
        }
        if let Payload::Legal {
            resolves: Some(t),
            stage,
            ..
        } = &e.payload
            && stage.is_closing()
        {
            resolved.entry(t).or_insert((&e.id, &e.date));
        }
    }
    let mut terms = Vec::new();
    let mut disputes = Vec::new();
    for (_, e) in &events {
        match &e.payload {
            Payload::Agreement { terms: granted, .. } => {
                for t in granted {
                    if pair(&t.grantor, &t.holder) != parties {
                        continue;
                    }
                    let r = TermRef {
                        event: e.id.clone(),
                        key: t.key.clone(),
                    };
                    let end = term_end(t.until.as_ref(), ended.get(&r).copied());
                    terms.push(TermSpan {
                        term: TermState::granted(e, t),
                        granted: e.date.clone(),
                        end,
                    });
                }
            }
            Payload::Legal {
                by, against, stage, ..
            } if !stage.is_closing() && against.iter().any(|x| pair(by, x) == parties) => {
                disputes.push(DisputeSpan {
                    event: e.id.clone(),
                    by: by.clone(),
                    against: against.clone(),
                    stage: *stage,
                    confidence: e.confidence,
                    opened: e.date.clone(),
                    resolved: resolved
                        .get(&e.id)
                        .map(|(id, d)| ((*id).clone(), (*d).clone())),
                });
            }
            _ => {}
        }
    }
    Timeline {
        parties,
        events,
        terms,
        disputes,
    }
}

/// The end of a term with `until`, ended (or not) by a counted event: whichever of the
/// two comes first.
fn term_end(until: Option<&Until>, ended: Option<(&EventId, &EdtfDate)>) -> TermEnd {
    let by_event = ended.map(|(id, d)| TermEnd::EndedBy {
        event: id.clone(),
        date: d.clone(),
    });
    match (until, by_event) {
        (Some(Until::Date(u)), Some(TermEnd::EndedBy { date, .. }))
            if u.latest() < date.latest() =>
        {
            TermEnd::Lapses(u.clone())
        }
        (_, Some(ended)) => ended,
        (Some(Until::Date(u)), None) => TermEnd::Lapses(u.clone()),
        (Some(Until::Condition(c)), None) => TermEnd::Condition(c.clone()),
        (None, None) => TermEnd::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> EdtfDate {
        EdtfDate::parse(s).unwrap()
    }

    fn id(s: &str) -> EventId {
        EventId::new(s).unwrap()
    }

    #[test]
    fn a_term_ends_at_the_first_of_its_until_and_its_ending_event() {
        let ender = id("ender");
        let d = date("2026-04-01");
        let until_later = Until::Date(date("2027"));
        let until_sooner = Until::Date(date("2026-01"));
        assert_eq!(
            term_end(Some(&until_later), Some((&ender, &d))),
            TermEnd::EndedBy {
                event: ender.clone(),
                date: d.clone()
            }
        );
        assert_eq!(
            term_end(Some(&until_sooner), Some((&ender, &d))),
            TermEnd::Lapses(date("2026-01"))
        );
        let cond = Until::Condition("until AGI".into());
        assert_eq!(
            term_end(Some(&cond), None),
            TermEnd::Condition("until AGI".into())
        );
        assert_eq!(term_end(None, None), TermEnd::Open);
    }
}
