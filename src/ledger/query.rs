//! Reading events back: by relationship, by party, or all, in date order.

use super::index::TAG_MEMBER;
use super::{Ledger, LedgerError};
use crate::codec::{Entry, Seq};
use crate::model::{Event, PartyId};
use crate::store::Store;
use std::collections::BTreeSet;

/// Which events to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// Every event.
    All,
    /// Events that involve both parties.
    Pair(PartyId, PartyId),
    /// Events that involve the party.
    Party(PartyId),
}

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
        self.pair_seqs(a, b, TAG_MEMBER, None)
    }

    /// The events matching `filter`, ordered by date (earliest day, latest day), then seq.
    ///
    /// Relationship and party queries read the `pairs` index, not the whole log.
    ///
    /// # Errors
    /// Storage errors or a corrupt record.
    pub fn log(&self, filter: &Filter) -> Result<Vec<Logged>, LedgerError> {
        let mut out = Vec::new();
        match filter {
            Filter::All => {
                for r in self.records(0, None) {
                    let r = r?;
                    if let Entry::Event(event) = r.entry {
                        out.push(Logged { seq: r.seq, event });
                    }
                }
            }
            Filter::Pair(a, b) => {
                for seq in self.pair_candidates(a, b)? {
                    let event = self.event_at(seq)?;
                    if event.touches(a) && event.touches(b) {
                        out.push(Logged { seq, event });
                    }
                }
            }
            Filter::Party(p) => {
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
