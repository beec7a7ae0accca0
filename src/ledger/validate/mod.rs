//! Decide, then record: the one validator every writer goes through.
//!
//! A [`Validator`] checks new parties and events against each other and against the
//! ledger: duplicates, ids already recorded with other content, parties that are not
//! defined, references (`supersedes`, `ends`, `pays`, `resolves`, `about`, `concerns`)
//! that name nothing or the wrong kind of event, tranches whose keys or dates do not fit,
//! and reference cycles. It reports every problem by the
//! position of the party or event in its input ([`Item`]), so a caller can map it back
//! to where the input came from (a file and line, an HTTP request). Only a validator
//! that found nothing builds a [`Checked`] batch, and [`Ledger::append`] appends nothing
//! else: the batch's fields are private and it remembers the ledger end it was checked
//! against.
//!
//! Records made elsewhere (an export being restored) keep their bytes, so they are not
//! re-ordered or filled in: [`Replay`] admits them one by one, in chain order, with the
//! same rules (a reference must name an event recorded before it).

mod events;
mod facts;
mod money;
mod order;
mod parties;
mod replay;
mod staged;

pub use facts::EventFacts;
pub use replay::ReplayedRecords;
pub use staged::Staged;

use super::{AppendReport, Ledger, LedgerError};
use crate::chain::Tip;
use crate::codec::{Entry, Timestamp};
use crate::model::{Event, Party, PartyRegistry};
use crate::store::Store;
use std::fmt;

/// The problem of an event that names no party and refers to no event to take them from.
const NO_PARTY: &str = "the event names no party: add `parties = [\"...\"]`";

/// The problem of an event whose id is a party's: `show ID` and `proof inclusion ID`
/// would reach one of the two only.
fn event_id_taken(id: &str) -> String {
    format!("the id {id} is also a party's id: an id names one party or one event; give the event another id")
}

/// The problem of a party whose id is an event's.
fn party_id_taken(id: &str) -> String {
    format!("the id {id} is also an event's id: an id names one party or one event; give the party another id")
}

/// Where a problem is: the position of a party or an event in what the validator was
/// given (each counted from 0 in the order given).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// The n-th party.
    Party(usize),
    /// The n-th event.
    Event(usize),
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Party(n) => write!(f, "input party #{n}"),
            Item::Event(n) => write!(f, "input event #{n}"),
        }
    }
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The party or event that breaks it.
    pub item: Item,
    /// Its id.
    pub id: String,
    what: What,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum What {
    /// A rule, said in full.
    Rule(String),
    /// The id was given before, at another position.
    Duplicate(Item),
}

impl Problem {
    fn rule(item: Item, id: &str, message: impl Into<String>) -> Problem {
        Problem {
            item,
            id: id.to_string(),
            what: What::Rule(message.into()),
        }
    }

    /// What is wrong and what to do, naming other input positions through `locate`
    /// (an import names them by file and line).
    pub fn describe(&self, locate: impl Fn(Item) -> String) -> String {
        match (&self.what, self.item) {
            (What::Rule(message), _) => message.clone(),
            (What::Duplicate(first), Item::Party(_)) => format!(
                "party {} is defined twice (also at {})",
                self.id,
                locate(*first)
            ),
            (What::Duplicate(first), Item::Event(_)) => {
                format!("duplicate event id: also defined at {}", locate(*first))
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.item,
            self.id,
            self.describe(|i| i.to_string())
        )
    }
}

/// The validator's verdict when something is wrong: every problem found, in the order
/// of the input (parties first).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} problem{} found; nothing can be appended", .0.len(), if .0.len() == 1 { "" } else { "s" })]
pub struct Rejected(pub Vec<Problem>);

/// Why a batch could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The input breaks rules; nothing was appended.
    #[error(transparent)]
    Rejected(#[from] Rejected),
    /// Reading the ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What a checked batch holds, in numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// New or changed parties to append.
    pub parties_added: usize,
    /// Parties already recorded with identical content.
    pub parties_skipped: usize,
    /// New events to append.
    pub events_added: usize,
    /// Events already recorded with identical content.
    pub events_skipped: usize,
}

/// Parties and events that passed every rule against the ledger as it stood at `base`,
/// in the order they will be recorded (an event after the events it refers to). Only
/// [`Validator::finish`] builds one.
#[derive(Debug)]
pub struct Checked {
    base: Tip,
    parties: Vec<Party>,
    events: Vec<Event>,
    report: CheckReport,
}

impl Checked {
    /// What the batch holds.
    pub fn report(&self) -> CheckReport {
        self.report
    }

    /// The new events, in append order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The new or changed parties, in input order.
    pub fn parties(&self) -> &[Party] {
        &self.parties
    }
}

/// Checks one batch of new parties and events against a ledger. Give it the parties
/// first ([`Validator::parties`]; names in events resolve against
/// [`Validator::registry`] afterwards), then the events, then [`Validator::finish`].
pub struct Validator<'l, S: Store> {
    ledger: &'l Ledger<S>,
    base: Tip,
    registry: PartyRegistry,
    parties: Vec<Party>,
    events: Vec<Event>,
    report: CheckReport,
    problems: Vec<Problem>,
    /// What [`Validator::event_facts`] decided.
    staged: Option<staged::Plan>,
}

impl<'l, S: Store> Validator<'l, S> {
    /// Checks the input's parties: an id given twice, names and aliases that name more
    /// than one party. Parties recorded with identical content are skipped. Returns the
    /// problems found (they are kept for [`Validator::finish`] too).
    ///
    /// # Errors
    /// Storage errors.
    pub fn parties(&mut self, parties: Vec<Party>) -> Result<Vec<Problem>, LedgerError> {
        let recorded = self.ledger.parties()?;
        let mut found = parties::check(recorded, &mut self.registry, parties, &mut self.report);
        for (i, p) in &found.positions {
            if let Ok(id) = crate::model::EventId::new(p.as_str())
                && self.ledger.event_seq(&id)?.is_some()
            {
                found.problems.push(Problem::rule(
                    Item::Party(*i),
                    p.as_str(),
                    party_id_taken(p.as_str()),
                ));
            }
        }
        self.parties = found.new;
        self.problems.extend(found.problems.iter().cloned());
        Ok(found.problems)
    }

    /// Every party the batch can name: the ledger's and the input's.
    pub fn registry(&self) -> &PartyRegistry {
        &self.registry
    }

    /// Checks the input's events against each other and the ledger, fills in the
    /// parties of events that name none from the events they refer to, and puts them in
    /// append order. Returns the problems found (kept for [`Validator::finish`] too).
    ///
    /// # Errors
    /// Storage errors.
    pub fn events(&mut self, events: Vec<Event>) -> Result<Vec<Problem>, LedgerError> {
        let facts = events.iter().map(facts::Facts::of).collect();
        let found = events::check(self.ledger, &self.registry, facts, |i, filled, recorded| {
            match filled {
                Some(parties) => recorded.parties == parties && same_but_parties(&events[i], recorded),
                None => events[i] == *recorded,
            }
        })?;
        self.report.events_skipped = found.skipped;
        self.report.events_added = found.order.len();
        let mut slots: Vec<Option<Event>> = events.into_iter().map(Some).collect();
        for (i, parties) in found.filled {
            if let Some(e) = slots[i].as_mut() {
                e.parties = parties;
            }
        }
        self.events = found.order.iter().filter_map(|&i| slots[i].take()).collect();
        self.problems.extend(found.problems.iter().cloned());
        Ok(found.problems)
    }

    /// [`Validator::events`] of events given by their facts (`EventFacts::of`): the
    /// same checks and problems, keeping the facts' digests and the append order instead
    /// of the events; [`Validator::finish_staged`] then stages them, to be appended from
    /// the events read again.
    ///
    /// # Errors
    /// Storage errors.
    pub fn event_facts(&mut self, events: Vec<EventFacts>) -> Result<Vec<Problem>, LedgerError> {
        let digests: Vec<facts::Digest> = events.iter().map(|e| e.digest).collect();
        // Collected in place: a second vector of a million facts would double them.
        let facts: Vec<facts::Facts> = events.into_iter().map(|e| e.facts).collect();
        let found = events::check(self.ledger, &self.registry, facts, |i, filled, recorded| {
            match filled {
                Some(parties) => {
                    recorded.parties == parties && {
                        let mut bare = recorded.clone();
                        bare.parties.clear();
                        facts::digest(&bare) == Some(digests[i])
                    }
                }
                None => facts::digest(recorded) == Some(digests[i]),
            }
        })?;
        self.report.events_skipped = found.skipped;
        self.report.events_added = found.order.len();
        self.staged = Some(staged::Plan::new(found.order, found.filled, digests));
        self.problems.extend(found.problems.iter().cloned());
        Ok(found.problems)
    }

    /// The checked batch, when nothing was wrong.
    ///
    /// # Errors
    /// [`Rejected`] with every problem found.
    pub fn finish(self) -> Result<Checked, Rejected> {
        if !self.problems.is_empty() {
            return Err(Rejected(self.problems));
        }
        Ok(Checked {
            base: self.base,
            parties: self.parties,
            events: self.events,
            report: self.report,
        })
    }

    /// The staged events of [`Validator::event_facts`] (none when it was not called),
    /// when nothing was wrong.
    ///
    /// # Errors
    /// [`Rejected`] with every problem found.
    pub fn finish_staged(self) -> Result<Staged, Rejected> {
        if !self.problems.is_empty() {
            return Err(Rejected(self.problems));
        }
        let plan = self.staged.unwrap_or_default();
        Ok(Staged::new(self.base, self.parties, plan, self.report))
    }
}

/// Whether two events are the same but for their parties.
fn same_but_parties(a: &Event, b: &Event) -> bool {
    let Event {
        id,
        date,
        disclosed,
        summary,
        confidence,
        parties: _,
        supersedes,
        sources,
        payload,
    } = a;
    *id == b.id
        && *date == b.date
        && *disclosed == b.disclosed
        && *summary == b.summary
        && *confidence == b.confidence
        && *supersedes == b.supersedes
        && *sources == b.sources
        && *payload == b.payload
}

/// Records appended per atomic batch when a checked batch is appended.
pub const APPEND_BATCH: usize = 1000;

impl<S: Store> Ledger<S> {
    /// A validator for a batch to append to this ledger as it stands now.
    ///
    /// # Errors
    /// Storage errors while reading the ledger's parties.
    pub fn validator(&self) -> Result<Validator<'_, S>, LedgerError> {
        Ok(Validator {
            ledger: self,
            base: self.tip(),
            registry: self.parties()?.clone(),
            parties: Vec::new(),
            events: Vec::new(),
            report: CheckReport::default(),
            problems: Vec::new(),
            staged: None,
        })
    }

    /// Checks `parties` and `events` in one go (see [`Validator`]).
    ///
    /// # Errors
    /// [`CheckError::Rejected`] with every problem, or a storage error.
    pub fn check(&self, parties: Vec<Party>, events: Vec<Event>) -> Result<Checked, CheckError> {
        let mut v = self.validator()?;
        v.parties(parties)?;
        v.events(events)?;
        Ok(v.finish()?)
    }

    /// Appends a checked batch, recorded at `at`, parties first, in atomic store batches
    /// of `APPEND_BATCH` records, each durable before the next is written.
    ///
    /// # Errors
    /// [`LedgerError::Stale`] when the ledger changed since the batch was checked (check
    /// it again); storage errors (the store batches written before the failure stay: a
    /// new check skips them and appends the rest).
    pub fn append(&mut self, batch: Checked, at: Timestamp) -> Result<AppendReport, LedgerError> {
        self.append_reporting(batch, at, |_| {})
    }

    /// [`Ledger::append`], telling `durable` of each store batch once it is durable (its
    /// first seq, count and head): for progress, or to acknowledge what is safe.
    ///
    /// # Errors
    /// As [`Ledger::append`].
    pub fn append_reporting(
        &mut self,
        batch: Checked,
        at: Timestamp,
        durable: impl FnMut(&AppendReport),
    ) -> Result<AppendReport, LedgerError> {
        if batch.base != self.tip() {
            return Err(LedgerError::Stale {
                checked: batch.base.size,
                now: self.size(),
            });
        }
        let mut entries = batch
            .parties
            .into_iter()
            .map(Entry::Party)
            .chain(batch.events.into_iter().map(Entry::Event))
            .peekable();
        let batches = std::iter::from_fn(|| {
            entries.peek()?;
            Some(entries.by_ref().take(APPEND_BATCH).collect::<Vec<Entry>>())
        });
        self.append_entries(batches, at, durable)
    }
}
