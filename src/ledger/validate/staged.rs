//! Staged events: what a validator decided about events it checked by their facts
//! ([`super::Validator::event_facts`]), without the events. The caller reads the events
//! again and hands them over in append order, a batch at a time; [`Staged::batch`]
//! turns each batch into a [`Checked`] only when every event is the very one checked
//! at its place (same digest), so an import of a million events holds the facts of the
//! run and one batch of events, never the whole run, and still appends nothing the
//! validator did not check.

use super::facts::{Digest, digest};
use super::{CheckReport, Checked};
use crate::chain::Tip;
use crate::ledger::{Ledger, LedgerError};
use crate::model::{Event, Party, PartyId};
use crate::store::Store;

/// The order and fill-ins of checked events, with the digest of each (as given).
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Input positions of the new events, in append order, with their digests.
    order: Vec<(usize, Digest)>,
    /// Input positions of events that named no party, with the parties filled in,
    /// sorted by position.
    filled: Vec<(usize, Vec<PartyId>)>,
}

impl Plan {
    /// The plan of `order` (input positions), `filled` (by position) and the digests
    /// of every input event (by position).
    pub(super) fn new(
        order: Vec<usize>,
        filled: Vec<(usize, Vec<PartyId>)>,
        digests: Vec<Digest>,
    ) -> Plan {
        let order: Vec<(usize, Digest)> = order.into_iter().map(|i| (i, digests[i])).collect();
        let filled = filled
            .into_iter()
            .filter(|(_, parties)| !parties.is_empty())
            .collect();
        Plan { order, filled }
    }
}

/// Checked events, to be appended batch by batch from the events read again (see the
/// module docs). Only [`super::Validator::finish_staged`] builds one.
#[derive(Debug)]
pub struct Staged {
    /// The ledger end the events were checked against.
    base: Tip,
    /// The new parties: they go with the first batch.
    parties: Vec<Party>,
    plan: Plan,
    /// Events of the plan handed out in batches so far.
    next: usize,
    /// Records handed out in batches so far.
    handed: u64,
    report: CheckReport,
}

impl Staged {
    pub(super) fn new(base: Tip, parties: Vec<Party>, plan: Plan, report: CheckReport) -> Staged {
        Staged {
            base,
            parties,
            plan,
            next: 0,
            handed: 0,
            report,
        }
    }

    /// What the staged events hold.
    pub fn report(&self) -> CheckReport {
        self.report
    }

    /// The positions (in what [`super::Validator::event_facts`] was given) of the
    /// events still to hand over, in append order.
    pub fn remaining(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.plan.order[self.next..].iter().map(|(i, _)| *i)
    }

    /// Whether everything staged has been handed out (the new parties included).
    pub fn is_done(&self) -> bool {
        self.next == self.plan.order.len() && self.parties.is_empty()
    }

    /// The next batch, from `events`: the events at the next positions of
    /// [`Staged::remaining`], in that order, as they were when their facts were taken.
    /// Events that named no party get the parties filled in. The first batch also holds
    /// the new parties, and its report counts what the whole run skips (recorded
    /// already). The batch is checked against `ledger`, which must stand where the
    /// batches handed out before left it.
    ///
    /// # Errors
    /// [`LedgerError::Stale`] when the ledger is not where the batches before left it;
    /// [`LedgerError::NotAdmitted`] naming the seq of the first event that is not the one
    /// checked at its place (or when there are more events than remain); nothing is handed
    /// out then.
    pub fn batch<S: Store>(
        &mut self,
        ledger: &Ledger<S>,
        mut events: Vec<Event>,
    ) -> Result<Checked, LedgerError> {
        let expected = self.base.size + self.handed;
        if ledger.size() != expected || (self.handed == 0 && ledger.tip() != self.base) {
            return Err(LedgerError::Stale {
                checked: expected,
                now: ledger.size(),
            });
        }
        let planned = &self.plan.order[self.next..];
        let first_seq = expected + self.parties.len() as u64;
        for (k, e) in events.iter_mut().enumerate() {
            let not_checked = LedgerError::NotAdmitted {
                seq: first_seq + k as u64,
            };
            let Some(&(position, want)) = planned.get(k) else {
                return Err(not_checked);
            };
            if digest(e) != Some(want) {
                return Err(not_checked);
            }
            if let Ok(f) = self.plan.filled.binary_search_by_key(&position, |(i, _)| *i) {
                e.parties = self.plan.filled[f].1.clone();
            }
        }
        let parties = std::mem::take(&mut self.parties);
        let first = self.next == 0 && self.handed == 0;
        self.next += events.len();
        self.handed += (parties.len() + events.len()) as u64;
        let skipped = |n: usize| if first { n } else { 0 };
        let report = CheckReport {
            parties_added: parties.len(),
            parties_skipped: skipped(self.report.parties_skipped),
            events_added: events.len(),
            events_skipped: skipped(self.report.events_skipped),
        };
        Ok(Checked {
            base: ledger.tip(),
            parties,
            events,
            report,
        })
    }
}
