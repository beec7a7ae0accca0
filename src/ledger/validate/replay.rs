//! Admitting records made elsewhere (an export being restored): the chain rule and the
//! same domain rules as [`super::Validator`], record by record in chain order: each party
//! and event well-formed on its own ([`rules`], with the messages an import gives), ids
//! naming one party or event, parties defined before they are named, references to
//! events of the right kind, and a `recorded_at` that is an instant of the calendar.
//!
//! A restored record keeps its bytes, so nothing is filled in or reordered: an event may
//! only refer to events recorded before it, which also rules out cycles, and must list
//! its parties itself. What was
//! admitted is remembered compactly (an event's kind and term keys, for the references
//! of later records; its chain hash, so that [`Ledger::append_replayed`] appends exactly
//! the records that were admitted and nothing else).

use super::events::{
    as_tranche, concern_problem, ended_before_granted, not_concernable,
    term_ref_problem,
};
use super::facts::{Facts, TrancheFact};
use super::money;
use crate::chain::{Break, Tip};
use crate::codec::{ChainHash, Entry, Record};
use crate::ledger::{AppendReport, Ledger, LedgerError};
use crate::model::{
    Day, Event, EventId, Party, PartyId, PartyRegistry, Payload, TermKey, TermRef, a_kind,
    rules,
};
use crate::store::Store;
use std::collections::BTreeMap;

/// What a later record may need to know of an admitted event.
struct Admitted {
    kind: &'static str,
    terms: Vec<TermKey>,
    /// The first possible day of its date.
    earliest: Day,
    /// The tranches that have a key (only those can be paid).
    tranches: Vec<TrancheFact>,
}

/// An event a reference names, wherever it is recorded.
enum Target<'a> {
    Recorded(Box<Facts>),
    Admitted(&'a Admitted),
}

impl Target<'_> {
    /// The first possible day of the event's date.
    fn earliest(&self) -> Day {
        match self {
            Target::Recorded(e) => e.earliest(),
            Target::Admitted(a) => a.earliest,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Target::Recorded(e) => e.kind,
            Target::Admitted(a) => a.kind,
        }
    }

    /// What [`money::pays_problem`] needs to know of it.
    fn paid(&self) -> money::Paid<'_> {
        match self {
            Target::Recorded(e) => money::target_of(e),
            Target::Admitted(a) => (a.kind, &a.tranches, a.earliest),
        }
    }
}

/// One rule a record breaks: the id of its party or event (none for a chain break or a
/// bad `recorded_at`), and the message an import gives for the same rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The party or event id.
    pub(crate) id: Option<String>,
    /// What is wrong.
    pub(crate) message: String,
}

/// Admits records one by one, in chain order, on top of a ledger.
pub(crate) struct Replay<'l, S: Store> {
    ledger: &'l Ledger<S>,
    registry: PartyRegistry,
    events: BTreeMap<EventId, Admitted>,
    base: Tip,
    tip: Tip,
    hashes: Vec<ChainHash>,
}

/// Records a [`Replay`] admitted: only these can be appended with
/// [`Ledger::append_replayed`], and only on the ledger end they were admitted on.
#[derive(Debug)]
pub struct ReplayedRecords {
    base: Tip,
    hashes: Vec<ChainHash>,
}

impl ReplayedRecords {
    /// The chain end after the admitted records.
    pub fn tip(&self) -> Tip {
        self.hashes.last().map_or(self.base, |&head| Tip {
            size: self.base.size + self.hashes.len() as u64,
            head,
        })
    }
}

impl<'l, S: Store> Replay<'l, S> {
    /// Admits the next record, whose canonical bytes hash to `hash`: it must continue
    /// the chain (seq and link), and its party or event must pass the domain rules
    /// against the ledger and the records admitted before it.
    ///
    /// # Errors
    /// `Ok(Err(refusals))` names every rule the record breaks (a chain break alone);
    /// nothing is admitted then. The outer error is a storage error.
    pub fn admit(
        &mut self,
        record: &Record,
        hash: ChainHash,
    ) -> Result<Result<(), Vec<Refusal>>, LedgerError> {
        if let Err(kind) = self.tip.check(record) {
            let b = Break {
                seq: self.tip.size,
                kind,
            };
            return Ok(Err(vec![Refusal {
                id: None,
                message: b.to_string(),
            }]));
        }
        let mut problems = Vec::new();
        if !record.recorded_at.is_calendar_instant() {
            problems.push(Refusal {
                id: None,
                message: format!(
                    "`recorded_at` {} is not an instant between the years -9999 and 9999",
                    record.recorded_at
                ),
            });
        }
        let (id, messages) = match &record.entry {
            Entry::Party(p) => (p.id.to_string(), self.party_problems(p)?),
            Entry::Event(e) => (e.id.to_string(), self.event_problems(e)?),
        };
        problems.extend(messages.into_iter().map(|message| Refusal {
            id: Some(id.clone()),
            message,
        }));
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        match &record.entry {
            Entry::Party(p) => self.registry.insert(p.clone()),
            Entry::Event(e) => {
                let (terms, tranches) = match &e.payload {
                    Payload::Agreement { terms, .. } => {
                        (terms.iter().map(|t| t.key.clone()).collect(), Vec::new())
                    }
                    Payload::Investment { tranches } => (
                        Vec::new(),
                        tranches
                            .iter()
                            .filter(|t| t.key.is_some())
                            .map(|t| TrancheFact {
                                key: t.key.clone(),
                                investor: t.investor.clone(),
                                investee: t.investee.clone(),
                            })
                            .collect(),
                    ),
                    _ => (Vec::new(), Vec::new()),
                };
                let kind = e.kind_name();
                let admitted = Admitted {
                    kind,
                    terms,
                    earliest: e.date.earliest(),
                    tranches,
                };
                self.events.insert(e.id.clone(), admitted);
            }
        }
        self.tip = self.tip.after(hash);
        self.hashes.push(hash);
        Ok(Ok(()))
    }

    /// What was admitted, ready to append.
    pub fn finish(self) -> ReplayedRecords {
        ReplayedRecords {
            base: self.base,
            hashes: self.hashes,
        }
    }

    fn party_problems(&self, p: &Party) -> Result<Vec<String>, LedgerError> {
        let mut out: Vec<String> = rules::party_flaws(p)
            .into_iter()
            .map(|f| f.message)
            .collect();
        if let Ok(id) = EventId::new(p.id.as_str())
            && (self.events.contains_key(&id) || self.ledger.event_seq(&id)?.is_some())
        {
            out.push(super::party_id_taken(p.id.as_str()));
        }
        let mut registry = self.registry.clone();
        registry.insert(p.clone());
        let shared = registry
            .ambiguous_names()
            .into_iter()
            .filter(|(_, ids)| ids.contains(&p.id))
            .map(|(name, ids)| {
                let others: Vec<String> = ids
                    .iter()
                    .filter(|o| **o != p.id)
                    .map(ToString::to_string)
                    .collect();
                format!(
                    "the name {name:?} also names {}: names and aliases must be unambiguous",
                    others.join(", ")
                )
            })
            .chain(
                registry
                    .confusables(std::slice::from_ref(&p.id))
                    .into_iter()
                    .map(|c| c.to_string()),
            );
        out.extend(shared);
        Ok(out)
    }

    fn target(&self, id: &EventId) -> Result<Option<Target<'_>>, LedgerError> {
        if let Some(a) = self.events.get(id) {
            return Ok(Some(Target::Admitted(a)));
        }
        Ok(self
            .ledger
            .event(id)?
            .map(|(_, e)| Target::Recorded(Box::new(Facts::of(&e)))))
    }

    fn event_problems(&self, e: &Event) -> Result<Vec<String>, LedgerError> {
        let mut out: Vec<String> = rules::event_flaws(e)
            .into_iter()
            .map(|f| f.message)
            .collect();
        if self.events.contains_key(&e.id) || self.ledger.event_seq(&e.id)?.is_some() {
            out.push("its id is recorded before it: an id names one event".to_string());
        }
        if let Ok(id) = PartyId::new(e.id.as_str())
            && self.registry.get(&id).is_some()
        {
            out.push(super::event_id_taken(e.id.as_str()));
        }
        if e.parties.is_empty() {
            out.push(super::NO_PARTY.to_string());
        }
        let mut named: Vec<&PartyId> = e.parties.iter().collect();
        let payload_parties = e.payload.named_parties();
        named.extend(payload_parties.iter());
        named.sort();
        named.dedup();
        for p in named.into_iter().filter(|p| self.registry.get(p).is_none()) {
            out.push(format!(
                "names the party {p}, which is not defined before it"
            ));
        }
        for (field, target) in e.references() {
            let found = self.target(target)?;
            if let Some(problem) = self.reference_problem(field, target, e, found.as_ref()) {
                out.push(problem);
            }
        }
        Ok(out)
    }

    fn reference_problem(
        &self,
        field: &str,
        target: &EventId,
        e: &Event,
        found: Option<&Target<'_>>,
    ) -> Option<String> {
        let Some(found) = found else {
            return Some(format!(
                "`{field}` names {target}, which is not recorded before it"
            ));
        };
        match field {
            "ends" => e
                .payload
                .ends()
                .iter()
                .filter(|r| r.event == *target)
                .find_map(|r| {
                    term_ref_in(field, r, found)
                        .or_else(|| ended_before_granted(r, &e.date, found.earliest()))
                }),
            "concerns" => e
                .payload
                .concerns()
                .iter()
                .filter(|r| r.event == *target)
                .find_map(|r| concern_in(e, r, found)),
            "pays" => e
                .payload
                .pays()
                .iter()
                .filter(|r| r.event == *target)
                .find_map(|r| money::pays_problem(e.into(), r, Some(found.paid()))),
            "resolves" if !found.kind().starts_with("legal-") => Some(format!(
                "`resolves` names {target}, {} event: only legal events can be resolved",
                a_kind(found.kind())
            )),
            "resolves" => money::resolved_before_opened(&e.date, target, found.earliest()),
            _ => None,
        }
    }
}

/// What is wrong with `e` naming `r` in `concerns` when its event is `found`: a term
/// of an agreement or a keyed tranche of an investment.
fn concern_in(e: &Event, r: &TermRef, found: &Target<'_>) -> Option<String> {
    match found {
        Target::Recorded(t) => concern_problem(e.into(), r, Some(t)),
        Target::Admitted(a) if a.kind == "investment" => {
            money::tranche_ref_problem("concerns", e.into(), &as_tranche(r), &a.tranches)
        }
        Target::Admitted(a) if a.kind != "agreement" => Some(not_concernable(r, a.kind)),
        Target::Admitted(_) => term_ref_in("concerns", r, found),
    }
}

/// What is wrong with the term reference `r` in `field` when its event is `found`.
fn term_ref_in(field: &str, r: &TermRef, found: &Target<'_>) -> Option<String> {
    match found {
        Target::Recorded(t) => term_ref_problem(field, r, Some(t)),
        Target::Admitted(a) if a.kind != "agreement" => Some(format!(
            "`{field}` names {r}, but {} is {} event, not an agreement",
            r.event,
            a_kind(a.kind)
        )),
        Target::Admitted(a) => (!a.terms.contains(&r.key)).then(|| {
            format!(
                "`{field}` names {r}, but {} has no term {:?}",
                r.event,
                r.key.as_str()
            )
        }),
    }
}

impl<S: Store> Ledger<S> {
    /// A replay of records made elsewhere, on top of this ledger as it stands now.
    ///
    /// # Errors
    /// Storage errors while reading the ledger's parties.
    pub(crate) fn replay(&self) -> Result<Replay<'_, S>, LedgerError> {
        Ok(Replay {
            ledger: self,
            registry: self.parties()?.clone(),
            events: BTreeMap::new(),
            base: self.tip(),
            tip: self.tip(),
            hashes: Vec::new(),
        })
    }

    /// Appends the records a [`Replay`] admitted, read again by the caller as `batches`
    /// (each an atomic store batch, durable before the next is written). Each record is
    /// stored byte for byte as its canonical encoding, and must be the one admitted at
    /// its position (same chain hash): a record that differs stops the append there, and
    /// the batches before it stay. `durable` is told of each batch once it is durable.
    ///
    /// # Errors
    /// [`LedgerError::Stale`] when the ledger changed since the replay;
    /// [`LedgerError::NotAdmitted`] naming the first record that was not admitted;
    /// storage errors.
    pub(crate) fn append_replayed<I>(
        &mut self,
        admitted: &ReplayedRecords,
        batches: I,
        durable: &mut dyn FnMut(&AppendReport),
    ) -> Result<AppendReport, LedgerError>
    where
        I: IntoIterator<Item = Vec<Record>>,
        I::IntoIter: Send,
    {
        if admitted.base != self.tip() {
            return Err(LedgerError::Stale {
                checked: admitted.base.size,
                now: self.size(),
            });
        }
        let base = admitted.base.size;
        let hashes = &admitted.hashes;
        self.append_records(batches, move |seq, hash| {
            seq.checked_sub(base)
                .and_then(|i| hashes.get(usize::try_from(i).ok()?))
                == Some(&hash)
        }, durable)
    }
}
