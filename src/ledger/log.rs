//! The `log` query: events by relationship, by party, or all, in date order.

use crate::index::Listing;
use super::{Ledger, LedgerError};
use crate::codec::{Entry, Seq};
use crate::model::{Event, PartyId};
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
