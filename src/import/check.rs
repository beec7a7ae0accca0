//! Checks that need more than one table: duplicates, the ledger's existing records,
//! references between events, supersede cycles; and the order of appending.

use super::{ImportError, Located, Problem};
use crate::ledger::{Ledger, references};
use crate::model::{Event, EventId, Party, PartyId, PartyRegistry, Payload};
use crate::store::Store;
use std::collections::{BTreeMap, BTreeSet};

/// Splits input parties into new (or changed) and already recorded; adds the new ones to
/// `registry` and reports duplicates and ambiguous names.
pub(crate) fn parties<S: Store>(
    ledger: &Ledger<S>,
    registry: &mut PartyRegistry,
    parties: Vec<Located<Party>>,
    problems: &mut Vec<Problem>,
) -> (Vec<Party>, usize) {
    let mut seen: BTreeMap<PartyId, (std::path::PathBuf, usize)> = BTreeMap::new();
    let mut new = Vec::new();
    let mut located_new = Vec::new();
    let mut skipped = 0;
    for p in parties {
        let id = p.value.id.clone();
        if let Some((file, line)) = seen.get(&id) {
            problems.push(p.problem(
                id.as_str(),
                format!(
                    "party {id} is defined twice (also at {}:{line})",
                    file.display()
                ),
            ));
            continue;
        }
        seen.insert(id.clone(), (p.file.clone(), p.line));
        if ledger.parties().get(&id) == Some(&p.value) {
            skipped += 1;
            continue;
        }
        registry.insert(p.value.clone());
        located_new.push((p.file.clone(), p.line, id));
        new.push(p.value);
    }
    for (name, ids) in registry.ambiguous_names() {
        for (file, line, id) in &located_new {
            if ids.contains(id) {
                let others: Vec<String> = ids
                    .iter()
                    .filter(|i| *i != id)
                    .map(ToString::to_string)
                    .collect();
                problems.push(Problem {
                    file: file.clone(),
                    line: *line,
                    id: Some(id.to_string()),
                    message: format!(
                        "the name {name:?} also names {}: names and aliases must be unambiguous",
                        others.join(", ")
                    ),
                });
            }
        }
    }
    (new, skipped)
}

/// Looks events up in the input first, then in the ledger (cached).
struct Lookup<'a, S: Store> {
    ledger: &'a Ledger<S>,
    input: BTreeMap<EventId, Event>,
    cache: BTreeMap<EventId, Option<Event>>,
}

impl<S: Store> Lookup<'_, S> {
    fn get(&mut self, id: &EventId) -> Result<Option<Event>, ImportError> {
        if let Some(e) = self.input.get(id) {
            return Ok(Some(e.clone()));
        }
        if let Some(e) = self.cache.get(id) {
            return Ok(e.clone());
        }
        let found = self.ledger.event(id)?.map(|(_, e)| e);
        self.cache.insert(id.clone(), found.clone());
        Ok(found)
    }
}

/// Checks events against each other and the ledger; returns the new ones in append
/// order and the number of identical ones skipped.
pub(crate) fn events<S: Store>(
    ledger: &Ledger<S>,
    events: Vec<Located<Event>>,
    problems: &mut Vec<Problem>,
    had_problems: bool,
) -> Result<(Vec<Event>, usize), ImportError> {
    // 1. Duplicate ids in the input.
    let mut first: BTreeMap<EventId, (std::path::PathBuf, usize)> = BTreeMap::new();
    let mut unique = Vec::new();
    for e in events {
        let id = e.value.id.clone();
        if let Some((file, line)) = first.get(&id) {
            problems.push(e.problem(
                id.as_str(),
                format!(
                    "duplicate event id: also defined at {}:{line}",
                    file.display()
                ),
            ));
        } else {
            first.insert(id, (e.file.clone(), e.line));
            unique.push(e);
        }
    }
    let mut lookup = Lookup {
        ledger,
        input: unique
            .iter()
            .map(|e| (e.value.id.clone(), e.value.clone()))
            .collect(),
        cache: BTreeMap::new(),
    };
    // 2. Fill in parties from the events referred to, where the file gave none.
    for e in &mut unique {
        if !e.value.parties.is_empty() {
            continue;
        }
        let mut parties: BTreeSet<PartyId> = BTreeSet::new();
        if let Some(target) = &e.value.supersedes
            && let Some(t) = lookup.get(target)?
        {
            parties.extend(t.parties);
        }
        for r in e.value.payload.ends() {
            if let Some(Payload::Agreement { terms, .. }) = lookup.get(&r.event)?.map(|t| t.payload)
                && let Some(term) = terms.iter().find(|t| t.key == r.key)
            {
                parties.insert(term.grantor.clone());
                parties.insert(term.holder.clone());
            }
        }
        if parties.is_empty() && e.value.supersedes.is_none() && e.value.payload.ends().is_empty() {
            problems.push(e.problem(
                e.value.id.as_str(),
                "the event names no party: add `parties = [\"...\"]`",
            ));
        }
        e.value.parties = parties.into_iter().collect();
        lookup.input.insert(e.value.id.clone(), e.value.clone());
    }
    // 3. Already recorded: identical is skipped, different is refused.
    let mut new = Vec::new();
    let mut skipped = 0;
    for e in unique {
        match ledger.event(&e.value.id)? {
            Some((_, recorded)) if recorded == e.value => skipped += 1,
            Some((seq, _)) => problems.push(e.problem(
                e.value.id.as_str(),
                format!(
                    "this id is already recorded (record {seq}) with different content; recorded events are \
                     immutable: add a new event that supersedes it"
                ),
            )),
            None => new.push(e),
        }
    }
    // 4. References must name existing events of the right kind.
    for e in &new {
        let id = e.value.id.as_str();
        if let Some(target) = &e.value.supersedes
            && lookup.get(target)?.is_none()
        {
            problems.push(e.problem(
                id,
                format!(
                    "`supersedes` names {target}, which is neither in the input nor in the ledger"
                ),
            ));
        }
        for r in e.value.payload.ends() {
            if r.event == e.value.id {
                problems
                    .push(e.problem(id, format!("`ends` names {r}, a term of this same event")));
                continue;
            }
            match lookup.get(&r.event)?.map(|t| t.payload) {
                None => problems.push(e.problem(
                    id,
                    format!("`ends` names {r}, but there is no event {}", r.event),
                )),
                Some(Payload::Agreement { terms, .. }) => {
                    if !terms.iter().any(|t| t.key == r.key) {
                        let keys: Vec<&str> = terms.iter().map(|t| t.key.as_str()).collect();
                        problems.push(e.problem(
                            id,
                            format!(
                                "`ends` names {r}, but {} has no term {:?} (its terms: {})",
                                r.event,
                                r.key.as_str(),
                                keys.join(", ")
                            ),
                        ));
                    }
                }
                Some(other) => problems.push(e.problem(
                    id,
                    format!(
                        "`ends` names {r}, but {} is a {} event, not an agreement",
                        r.event,
                        other.kind_name()
                    ),
                )),
            }
        }
        match &e.value.payload {
            Payload::Legal {
                resolves: Some(target),
                ..
            } => match lookup.get(target)?.map(|t| t.payload) {
                None => problems.push(e.problem(
                    id,
                    format!("`resolves` names {target}, which does not exist"),
                )),
                Some(Payload::Legal { .. }) => {}
                Some(other) => problems.push(e.problem(
                    id,
                    format!(
                        "`resolves` names {target}, a {} event: only legal events can be resolved",
                        other.kind_name()
                    ),
                )),
            },
            Payload::Statement {
                about: Some(target),
                ..
            } if lookup.get(target)?.is_none() => {
                problems
                    .push(e.problem(id, format!("`about` names {target}, which does not exist")));
            }
            _ => {}
        }
    }
    // 5. Supersede cycles inside the input (the ledger cannot point at new events).
    let supersedes: BTreeMap<&EventId, &EventId> = new
        .iter()
        .filter_map(|e| e.value.supersedes.as_ref().map(|t| (&e.value.id, t)))
        .collect();
    let mut reported: BTreeSet<&EventId> = BTreeSet::new();
    for e in &new {
        let mut path = vec![&e.value.id];
        let mut cur = &e.value.id;
        while let Some(next) = supersedes.get(cur) {
            if **next == e.value.id {
                if path.iter().all(|p| !reported.contains(p)) {
                    let names: Vec<&str> = path.iter().map(|p| p.as_str()).collect();
                    problems.push(e.problem(
                        e.value.id.as_str(),
                        format!(
                            "`supersedes` forms a cycle: {} -> {}",
                            names.join(" -> "),
                            e.value.id
                        ),
                    ));
                    reported.extend(path.iter().copied());
                }
                break;
            }
            if path.contains(next) {
                break;
            }
            path.push(next);
            cur = next;
        }
    }
    if !problems.is_empty() || had_problems {
        return Ok((Vec::new(), skipped));
    }
    Ok((order(new.into_iter().map(|e| e.value).collect()), skipped))
}

/// Append order: by earliest day, latest day and id, except that an event always comes
/// after the input events it refers to (a stable topological order).
fn order(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_by(|a, b| {
        (a.date.earliest(), a.date.latest(), &a.id).cmp(&(
            b.date.earliest(),
            b.date.latest(),
            &b.id,
        ))
    });
    let index: BTreeMap<EventId, usize> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.clone(), i))
        .collect();
    let deps: Vec<Vec<usize>> = events
        .iter()
        .map(|e| {
            let mut d: Vec<usize> = references(e)
                .into_iter()
                .filter_map(|t| index.get(t).copied())
                .collect();
            if let Some(i) = e.supersedes.as_ref().and_then(|t| index.get(t)) {
                d.push(*i);
            }
            d
        })
        .collect();
    let mut placed = vec![false; events.len()];
    let mut out_idx = Vec::with_capacity(events.len());
    // Depth-first placement keeps the sorted order except where a reference forces an
    // earlier placement. Cycles were refused above; `visiting` guards anyway.
    fn place(
        i: usize,
        deps: &[Vec<usize>],
        placed: &mut [bool],
        visiting: &mut [bool],
        out: &mut Vec<usize>,
    ) {
        if placed[i] || visiting[i] {
            return;
        }
        visiting[i] = true;
        for &d in &deps[i] {
            place(d, deps, placed, visiting, out);
        }
        placed[i] = true;
        out.push(i);
    }
    let mut visiting = vec![false; events.len()];
    for i in 0..events.len() {
        place(i, &deps, &mut placed, &mut visiting, &mut out_idx);
    }
    let mut slots: Vec<Option<Event>> = events.into_iter().map(Some).collect();
    out_idx
        .into_iter()
        .filter_map(|i| slots[i].take())
        .collect()
}
