//! The rules for new events: each well-formed on its own ([`rules::event_flaws`]), ids
//! given once, recorded events immutable, parties defined, references that name an event
//! of the right kind (a term of an agreement for `ends` and `concerns`), no reference
//! cycles; and the parties an event takes from the events it refers to when it names
//! none.

use super::facts::{Facts, Grants};
use super::money;
use super::order::{cycle_message, dependency_order, reference_cycles};
use super::{Item, NO_PARTY, Problem, What, event_id_taken};
use crate::ledger::{Ledger, LedgerError};
use crate::model::{Day, EdtfDate, Event, EventId, PartyId, PartyRegistry, TermRef, TrancheRef, a_kind};
use crate::store::Store;
use std::collections::{BTreeMap, BTreeSet};

/// What the event check found.
pub(super) struct Found {
    /// The input positions of the new events, in append order (empty when there are
    /// problems).
    pub(super) order: Vec<usize>,
    /// The input positions of the events that named no party, with the parties filled
    /// in, by position.
    pub(super) filled: Vec<(usize, Vec<PartyId>)>,
    /// Events already recorded with identical content.
    pub(super) skipped: usize,
    pub(super) problems: Vec<Problem>,
}

/// The referring event, as the rules between events read it.
#[derive(Clone, Copy)]
pub(super) struct Referrer<'a> {
    pub(super) id: &'a EventId,
    pub(super) date: &'a EdtfDate,
    pub(super) parties: &'a [PartyId],
}

impl<'a> From<&'a Event> for Referrer<'a> {
    fn from(e: &'a Event) -> Self {
        Referrer {
            id: &e.id,
            date: &e.date,
            parties: &e.parties,
        }
    }
}

impl<'a> From<&'a Facts> for Referrer<'a> {
    fn from(e: &'a Facts) -> Self {
        Referrer {
            id: &e.id,
            date: &e.date,
            parties: &e.parties,
        }
    }
}

/// Looks events up in the input first (by position), then in the ledger (cached).
struct Lookup<'a, S: Store> {
    ledger: &'a Ledger<S>,
    /// Positions into the input, sorted by id (ids are unique there).
    by_id: Vec<usize>,
    cache: BTreeMap<EventId, Option<Facts>>,
}

impl<S: Store> Lookup<'_, S> {
    fn get<'s>(
        &'s mut self,
        input: &'s [Facts],
        id: &EventId,
    ) -> Result<Option<&'s Facts>, LedgerError> {
        if let Ok(k) = self.by_id.binary_search_by(|&i| input[i].id.cmp(id)) {
            return Ok(Some(&input[self.by_id[k]]));
        }
        if !self.cache.contains_key(id) {
            let found = self.ledger.event(id)?.map(|(_, e)| Facts::of(&e));
            self.cache.insert(id.clone(), found);
        }
        Ok(self.cache.get(id).and_then(Option::as_ref))
    }
}

/// Checks `events` (input order) against each other, `registry` and the ledger. `same`
/// says whether the event at an input position (with the parties filled in, when it
/// named none) is the event recorded under its id.
pub(super) fn check<S: Store>(
    ledger: &Ledger<S>,
    registry: &PartyRegistry,
    events: Vec<Facts>,
    same: impl Fn(usize, Option<&[PartyId]>, &Event) -> bool,
) -> Result<Found, LedgerError> {
    let mut problems = Vec::new();
    // Input positions survive the removal of duplicates: `position[i]` is the input
    // position of `unique[i]`.
    let (mut unique, position) = without_duplicates(events, &mut problems);
    let mut by_id: Vec<usize> = (0..unique.len()).collect();
    by_id.sort_unstable_by(|&a, &b| unique[a].id.cmp(&unique[b].id));
    let mut lookup = Lookup {
        ledger,
        by_id,
        cache: BTreeMap::new(),
    };
    let filled = fill_parties(&mut lookup, &mut unique, &position, &mut problems)?;
    let (new, skipped) = not_recorded(ledger, &unique, &position, &filled, &same, &mut problems)?;
    for &i in &new {
        let e = &unique[i];
        let item = Item::Event(position[i]);
        for message in e.flaw_messages() {
            problems.push(Problem::rule(item, e.id.as_str(), message));
        }
        if let Ok(id) = PartyId::new(e.id.as_str())
            && registry.get(&id).is_some()
        {
            problems.push(Problem::rule(item, e.id.as_str(), event_id_taken(e.id.as_str())));
        }
        unknown_parties(registry, e, item, &mut problems);
        references(&mut lookup, &unique, e, item, &mut problems)?;
    }
    // Reference cycles inside the input (the ledger cannot point at new events).
    let fresh: Vec<&Facts> = new.iter().map(|&i| &unique[i]).collect();
    for cycle in reference_cycles(&fresh) {
        let first = new[cycle[0].0];
        problems.push(Problem::rule(
            Item::Event(position[first]),
            unique[first].id.as_str(),
            cycle_message(&fresh, &cycle),
        ));
    }
    let order = if problems.is_empty() {
        dependency_order(&fresh)
            .into_iter()
            .map(|k| position[new[k]])
            .collect()
    } else {
        Vec::new()
    };
    Ok(Found {
        order,
        filled: filled.into_iter().map(|(i, p)| (position[i], p)).collect(),
        skipped,
        problems,
    })
}

/// Takes out events whose id came before (each reported), in place. Returns the rest
/// and their input positions.
fn without_duplicates(
    mut events: Vec<Facts>,
    problems: &mut Vec<Problem>,
) -> (Vec<Facts>, Vec<usize>) {
    let mut first: BTreeMap<&EventId, usize> = BTreeMap::new();
    let mut duplicate = vec![false; events.len()];
    for (i, e) in events.iter().enumerate() {
        if let Some(&j) = first.get(&e.id) {
            problems.push(Problem {
                item: Item::Event(i),
                id: e.id.to_string(),
                what: What::Duplicate(Item::Event(j)),
            });
            duplicate[i] = true;
        } else {
            first.insert(&e.id, i);
        }
    }
    drop(first);
    let position: Vec<usize> = (0..events.len()).filter(|&i| !duplicate[i]).collect();
    if position.len() < events.len() {
        let mut at = 0;
        events.retain(|_| {
            at += 1;
            !duplicate[at - 1]
        });
    }
    (events, position)
}

/// Fills in the parties of events that name none, from the events they refer to: the
/// target's parties through `supersedes`, the grantor and holder of each term ended, the
/// investor and investee of each tranche paid. An
/// event is filled after the events it refers to (in [`dependency_order`]), so what it
/// takes depends on the events alone, never on their order in the input. Returns the
/// positions (into `unique`) filled and what they were given, by position.
fn fill_parties<S: Store>(
    lookup: &mut Lookup<'_, S>,
    unique: &mut [Facts],
    position: &[usize],
    problems: &mut Vec<Problem>,
) -> Result<Vec<(usize, Vec<PartyId>)>, LedgerError> {
    let mut filled = Vec::new();
    for i in dependency_order(unique) {
        if !unique[i].parties.is_empty() {
            continue;
        }
        let e = &unique[i];
        let (supersedes, ends) = (e.supersedes().cloned(), e.ends().to_vec());
        let pays = e.pays().to_vec();
        let mut parties: BTreeSet<PartyId> = BTreeSet::new();
        if let Some(target) = &supersedes
            && let Some(t) = lookup.get(unique, target)?
        {
            parties.extend(t.parties.iter().cloned());
        }
        for r in &ends {
            if let Some(Grants::Terms(terms)) = lookup.get(unique, &r.event)?.map(|t| t.grants())
                && let Some(term) = terms.iter().find(|t| t.key == r.key)
            {
                parties.insert(term.grantor.clone());
                parties.insert(term.holder.clone());
            }
        }
        for r in &pays {
            if let Some(Grants::Tranches(tranches)) =
                lookup.get(unique, &r.event)?.map(|t| t.grants())
                && let Some(t) = tranches.iter().find(|t| t.key.as_ref() == Some(&r.key))
            {
                parties.insert(t.investor.clone());
                parties.insert(t.investee.clone());
            }
        }
        let e = &mut unique[i];
        if parties.is_empty() && supersedes.is_none() && ends.is_empty() && pays.is_empty() {
            problems.push(Problem::rule(
                Item::Event(position[i]),
                e.id.as_str(),
                NO_PARTY,
            ));
        }
        e.parties = parties.into_iter().collect();
        filled.push((i, e.parties.clone()));
    }
    filled.sort_unstable_by_key(|(i, _)| *i);
    Ok(filled)
}

/// Splits events into new ones (positions into `unique`, in input order) and ones
/// already recorded with identical content (counted); a recorded id with other content
/// is a problem: recorded events never change.
fn not_recorded<S: Store>(
    ledger: &Ledger<S>,
    unique: &[Facts],
    position: &[usize],
    filled: &[(usize, Vec<PartyId>)],
    same: &impl Fn(usize, Option<&[PartyId]>, &Event) -> bool,
    problems: &mut Vec<Problem>,
) -> Result<(Vec<usize>, usize), LedgerError> {
    let mut new = Vec::new();
    let mut skipped = 0;
    for (i, e) in unique.iter().enumerate() {
        let parties = filled
            .binary_search_by_key(&i, |(j, _)| *j)
            .ok()
            .map(|k| filled[k].1.as_slice());
        match ledger.event(&e.id)? {
            Some((_, recorded)) if same(position[i], parties, &recorded) => skipped += 1,
            Some((seq, _)) => problems.push(Problem::rule(
                Item::Event(position[i]),
                e.id.as_str(),
                format!(
                    "this id is already recorded (record {seq}) with different content; recorded events are \
                     immutable: add a new event that supersedes it"
                ),
            )),
            None => new.push(i),
        }
    }
    Ok((new, skipped))
}

/// Every party an event names must be defined (in the ledger or the batch).
fn unknown_parties(registry: &PartyRegistry, e: &Facts, item: Item, problems: &mut Vec<Problem>) {
    let mut unknown: Vec<&PartyId> = e
        .named_parties()
        .filter(|p| registry.get(p).is_none())
        .collect();
    unknown.sort();
    unknown.dedup();
    for p in unknown {
        problems.push(Problem::rule(
            item,
            e.id.as_str(),
            format!(
                "names the party {p}, which is not defined: define it first (a [[party]] table)"
            ),
        ));
    }
}

/// References must name existing events of the right kind.
fn references<S: Store>(
    lookup: &mut Lookup<'_, S>,
    unique: &[Facts],
    e: &Facts,
    item: Item,
    problems: &mut Vec<Problem>,
) -> Result<(), LedgerError> {
    let id = e.id.as_str();
    let mut problem = |message: String| problems.push(Problem::rule(item, id, message));
    if let Some(target) = e.supersedes()
        && lookup.get(unique, target)?.is_none()
    {
        problem(format!(
            "`supersedes` names {target}, which is neither in the input nor in the ledger"
        ));
    }
    for r in e.ends() {
        if r.event == e.id {
            problem(format!("`ends` names {r}, a term of this same event"));
            continue;
        }
        let target = lookup.get(unique, &r.event)?;
        let message = term_ref_problem("ends", r, target)
            .or_else(|| target.and_then(|t| ended_before_granted(r, &e.date, t.earliest())));
        if let Some(message) = message {
            problem(message);
        }
    }
    for r in e.pays() {
        let target = lookup.get(unique, &r.event)?.map(money::target_of);
        if let Some(message) = money::pays_problem(e.into(), r, target) {
            problem(message);
        }
    }
    // A legal event or statement is neither an agreement nor an investment, so naming
    // itself is caught here.
    for r in e.concerns() {
        if let Some(message) = concern_problem(e.into(), r, lookup.get(unique, &r.event)?) {
            problem(message);
        }
    }
    if let Some(target) = e.resolves() {
        match lookup.get(unique, target)? {
            None => problem(format!("`resolves` names {target}, which does not exist")),
            Some(t) if t.kind.starts_with("legal-") => {
                if let Some(message) = money::resolved_before_opened(&e.date, target, t.earliest())
                {
                    problem(message);
                }
            }
            Some(t) => problem(format!(
                "`resolves` names {target}, {} event: only legal events can be resolved",
                a_kind(t.kind)
            )),
        }
    }
    if let Some(target) = e.about()
        && lookup.get(unique, target)?.is_none()
    {
        problem(format!("`about` names {target}, which does not exist"));
    }
    Ok(())
}

/// An event dated `ender` whose every possible day comes before the first possible day
/// of the agreement that granted the term `r` cannot end it: the term would never be in
/// force.
pub(super) fn ended_before_granted(r: &TermRef, ender: &EdtfDate, granted: Day) -> Option<String> {
    (ender.latest() < granted).then(|| {
        format!(
            "`ends` names {r}, granted on {granted} at the earliest, but this event is dated {ender}: \
             a term cannot end before it is granted (check both dates)"
        )
    })
}

/// What is wrong with `e` naming `r` in `concerns` when the event it names is `target`:
/// `r` must name a term of an agreement, or a keyed tranche of an investment (a report
/// on that tranche's payment).
pub(super) fn concern_problem(e: Referrer<'_>, r: &TermRef, target: Option<&Facts>) -> Option<String> {
    match target.map(|t| (t.grants(), t.kind)) {
        Some((Grants::Tranches(tranches), _)) => {
            money::tranche_ref_problem("concerns", e, &as_tranche(r), tranches)
        }
        None | Some((Grants::Terms(_), _)) => term_ref_problem("concerns", r, target),
        Some((Grants::Nothing, kind)) => Some(not_concernable(r, kind)),
    }
}

/// The tranche that `r`, a reference in `concerns` naming an investment, names.
pub(super) fn as_tranche(r: &TermRef) -> TrancheRef {
    TrancheRef {
        event: r.event.clone(),
        key: r.key.clone(),
    }
}

/// The problem of a `concerns` reference `r` whose event is of `kind`, neither an
/// agreement nor an investment.
pub(super) fn not_concernable(r: &TermRef, kind: &str) -> String {
    format!(
        "`concerns` names {r}, but {} is {} event, not an agreement or an investment",
        r.event,
        a_kind(kind)
    )
}

/// What is wrong with the term reference `r` in `field` (`ends` or `concerns`) when the
/// event it names is `target`.
pub(super) fn term_ref_problem(
    field: &str,
    r: &TermRef,
    target: Option<&Facts>,
) -> Option<String> {
    let Some(target) = target else {
        return Some(format!(
            "`{field}` names {r}, but there is no event {}",
            r.event
        ));
    };
    match target.grants() {
        Grants::Terms(terms) => {
            if terms.iter().any(|t| t.key == r.key) {
                return None;
            }
            let keys: Vec<&str> = terms.iter().map(|t| t.key.as_str()).collect();
            Some(format!(
                "`{field}` names {r}, but {} has no term {:?} (its terms: {})",
                r.event,
                r.key.as_str(),
                keys.join(", ")
            ))
        }
        _ => Some(format!(
            "`{field}` names {r}, but {} is {} event, not an agreement",
            r.event,
            a_kind(target.kind)
        )),
    }
}
