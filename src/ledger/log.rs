//! The `log` query: events by relationship, by party, or all, in date order.

use crate::index::Listing;
use super::{Ledger, LedgerError};
use crate::codec::{Entry, Seq};
use crate::model::{Confidence, Day, Event, PartyId};
use crate::projection::Select;
use crate::store::Store;
use std::collections::BTreeSet;

/// An event with where it sits in the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// Its record.
    pub seq: Seq,
    /// The event.
    pub event: Event,
}

/// Which events of a `log` to keep: each filter given must pass (empty lists and `None`
/// keep everything). `since` and `until` keep every event whose date range meets
/// `[since, until]`: an event dated `2025` is kept by a June 2025 window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Kind names (`Payload::KINDS`): the event is of one of them.
    pub kinds: Vec<String>,
    /// The event has one of these confidences.
    pub confidences: Vec<Confidence>,
    /// The event may have happened on or after this day (its latest day >= it).
    pub since: Option<Day>,
    /// The event may have happened on or before this day (its earliest day <= it).
    pub until: Option<Day>,
}

/// A [`LogFilter`] that no event can pass.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilterError {
    /// `since` is after `until`.
    #[error("since {since} is after until {until}: no event can match")]
    Inverted { since: Day, until: Day },
    /// A kind that no event has.
    #[error("unknown kind `{0}` (kinds: {kinds})", kinds = crate::model::Payload::KINDS.join(", "))]
    UnknownKind(String),
}

impl LogFilter {
    /// Checks that the filter can match an event.
    ///
    /// # Errors
    /// [`FilterError`] for an inverted window or an unknown kind.
    pub fn check(&self) -> Result<(), FilterError> {
        if let Some(k) = self
            .kinds
            .iter()
            .find(|k| !crate::model::Payload::KINDS.contains(&k.as_str()))
        {
            return Err(FilterError::UnknownKind(k.clone()));
        }
        match (self.since, self.until) {
            (Some(since), Some(until)) if since > until => {
                Err(FilterError::Inverted { since, until })
            }
            _ => Ok(()),
        }
    }

    /// Whether `e` passes every filter given.
    pub fn keeps(&self, e: &Event) -> bool {
        (self.kinds.is_empty() || self.kinds.iter().any(|k| k == e.kind_name()))
            && (self.confidences.is_empty() || self.confidences.contains(&e.confidence))
            && self.since.is_none_or(|d| e.date.latest() >= d)
            && self.until.is_none_or(|d| e.date.earliest() <= d)
    }
}

impl<S: Store> Ledger<S> {
    /// Seqs of events indexed under a relationship (members and events referring into it).
    fn pair_candidates(&self, a: &PartyId, b: &PartyId) -> Result<Vec<Seq>, LedgerError> {
        self.pair_seqs(a, b, Listing::Member, None)
    }

    /// The events of the relationships in `select`, ordered by date (earliest day, latest day), then seq.
    ///
    /// Relationship and party queries read the `pairs` index, not the whole log.
    ///
    /// # Errors
    /// Storage errors or a corrupt record.
    pub fn log(&self, select: &Select) -> Result<Vec<Logged>, LedgerError> {
        let mut out = Vec::new();
        match select {
            Select::All => {
                for r in self.records(0, None) {
                    let r = r?;
                    if let Entry::Event(event) = r.entry {
                        out.push(Logged { seq: r.seq, event });
                    }
                }
            }
            Select::Pair(a, b) => {
                for seq in self.pair_candidates(a, b)? {
                    let event = self.event_at(seq)?;
                    if event.touches(a) && event.touches(b) {
                        out.push(Logged { seq, event });
                    }
                }
            }
            Select::Party(p) => {
                let mut seqs: BTreeSet<Seq> = self.pair_candidates(p, p)?.into_iter().collect();
                for other in self.partners(p)? {
                    seqs.extend(self.pair_candidates(p, &other)?);
                }
                for seq in seqs {
                    let event = self.event_at(seq)?;
                    if event.touches(p) {
                        out.push(Logged { seq, event });
                    }
                }
            }
        }
        out.sort_by(|x, y| {
            (x.event.date.earliest(), x.event.date.latest(), x.seq).cmp(&(
                y.event.date.earliest(),
                y.event.date.latest(),
                y.seq,
            ))
        });
        Ok(out)
    }

    /// The event recorded at `seq` (an index pointing elsewhere is damage).
    ///
    /// # Errors
    /// Storage errors, a corrupt record, or a record that is not an event.
    pub fn event_at(&self, seq: Seq) -> Result<Event, LedgerError> {
        match self.record(seq)?.map(|r| r.entry) {
            Some(Entry::Event(e)) => Ok(e),
            Some(Entry::Party(_)) => Err(LedgerError::Damaged {
                seq: seq.get(),
                why: "the index points at a party record".into(),
            }),
            None => Err(LedgerError::Damaged {
                seq: seq.get(),
                why: "the index points at a missing record".into(),
            }),
        }
    }
}
