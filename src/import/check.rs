//! Checks that need more than one table: duplicates, the ledger's existing records,
//! references between events, reference cycles; and the order of appending.

use super::parse::a_kind;
use super::{ImportError, Located, Problem};
use crate::ledger::{Ledger, references};
use crate::model::{Event, EventId, Party, PartyId, PartyRegistry, Payload};
use crate::store::Store;
use std::collections::{BTreeMap, BTreeSet};

/// Splits input parties into new (or changed) and already `recorded`; adds the new ones to
/// `registry` and reports duplicates and ambiguous names.
pub(crate) fn parties(
    recorded: &PartyRegistry,
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
        if recorded.get(&id) == Some(&p.value) {
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

/// Looks events up in the input first (by position, not copied), then in the ledger
/// (cached).
struct Lookup<'a, S: Store> {
    ledger: &'a Ledger<S>,
    input: BTreeMap<EventId, usize>,
    cache: BTreeMap<EventId, Option<Event>>,
}

impl<S: Store> Lookup<'_, S> {
    fn get<'s>(
        &'s mut self,
        input: &'s [Located<Event>],
        id: &EventId,
    ) -> Result<Option<&'s Event>, ImportError> {
        if let Some(&i) = self.input.get(id) {
            return Ok(Some(&input[i].value));
        }
        if !self.cache.contains_key(id) {
            let found = self.ledger.event(id)?.map(|(_, e)| e);
            self.cache.insert(id.clone(), found);
        }
        Ok(self.cache.get(id).and_then(Option::as_ref))
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
    // 1. Duplicate ids in the input. `first` maps each id to its first event. Duplicates
    // are taken out in place: at 1M events a second vector of them is 300 MB.
    let mut first: BTreeMap<EventId, usize> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if let Some(&j) = first.get(&e.value.id) {
            let other = &events[j];
            problems.push(e.problem(
                e.value.id.as_str(),
                format!(
                    "duplicate event id: also defined at {}:{}",
                    other.file.display(),
                    other.line
                ),
            ));
            duplicates.push(i);
        } else {
            first.insert(e.value.id.clone(), i);
        }
    }
    let mut unique = events;
    if !duplicates.is_empty() {
        let mut position = 0;
        unique.retain(|_| {
            position += 1;
            duplicates.binary_search(&(position - 1)).is_err()
        });
        first = unique
            .iter()
            .enumerate()
            .map(|(i, e)| (e.value.id.clone(), i))
            .collect();
    }
    let mut lookup = Lookup {
        ledger,
        input: first,
        cache: BTreeMap::new(),
    };
    // 2. Fill in parties from the events referred to, where the file gave none (in
    // input order: an event filled in here counts for those after it).
    for i in 0..unique.len() {
        if !unique[i].value.parties.is_empty() {
            continue;
        }
        let e = &unique[i].value;
        let (supersedes, ends) = (e.supersedes.clone(), e.payload.ends().to_vec());
        let mut parties: BTreeSet<PartyId> = BTreeSet::new();
        if let Some(target) = &supersedes
            && let Some(t) = lookup.get(&unique, target)?
        {
            parties.extend(t.parties.iter().cloned());
        }
        for r in &ends {
            if let Some(Payload::Agreement { terms, .. }) =
                lookup.get(&unique, &r.event)?.map(|t| &t.payload)
                && let Some(term) = terms.iter().find(|t| t.key == r.key)
            {
                parties.insert(term.grantor.clone());
                parties.insert(term.holder.clone());
            }
        }
        let e = &mut unique[i];
        if parties.is_empty() && supersedes.is_none() && ends.is_empty() {
            problems.push(e.problem(
                e.value.id.as_str(),
                "the event names no party: add `parties = [\"...\"]`",
            ));
        }
        e.value.parties = parties.into_iter().collect();
    }
    // 3. Already recorded: identical is skipped, different is refused.
    let mut new = Vec::new();
    let mut skipped = 0;
    for (i, e) in unique.iter().enumerate() {
        match ledger.event(&e.value.id)? {
            Some((_, recorded)) if recorded == e.value => skipped += 1,
            Some((seq, _)) => problems.push(e.problem(
                e.value.id.as_str(),
                format!(
                    "this id is already recorded (record {seq}) with different content; recorded events are \
                     immutable: add a new event that supersedes it"
                ),
            )),
            None => new.push(i),
        }
    }
    // 4. References must name existing events of the right kind.
    for &i in &new {
        let e = &unique[i];
        let id = e.value.id.as_str();
        if let Some(target) = &e.value.supersedes
            && lookup.get(&unique, target)?.is_none()
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
            match lookup.get(&unique, &r.event)?.map(|t| &t.payload) {
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
                        "`ends` names {r}, but {} is {} event, not an agreement",
                        r.event,
                        a_kind(other.kind_name())
                    ),
                )),
            }
        }
        match &e.value.payload {
            Payload::Legal {
                resolves: Some(target),
                ..
            } => match lookup.get(&unique, target)?.map(|t| &t.payload) {
                None => problems.push(e.problem(
                    id,
                    format!("`resolves` names {target}, which does not exist"),
                )),
                Some(Payload::Legal { .. }) => {}
                Some(other) => problems.push(e.problem(
                    id,
                    format!(
                        "`resolves` names {target}, {} event: only legal events can be resolved",
                        a_kind(other.kind_name())
                    ),
                )),
            },
            Payload::Statement {
                about: Some(target),
                ..
            } if lookup.get(&unique, target)?.is_none() => {
                problems
                    .push(e.problem(id, format!("`about` names {target}, which does not exist")));
            }
            _ => {}
        }
    }
    // 5. Reference cycles inside the input (the ledger cannot point at new events).
    let input: Vec<&Event> = new.iter().map(|&i| &unique[i].value).collect();
    for cycle in reference_cycles(&input) {
        let first = &unique[new[cycle[0].0]];
        problems.push(first.problem(first.value.id.as_str(), cycle_message(&input, &cycle)));
    }
    if !problems.is_empty() || had_problems {
        return Ok((Vec::new(), skipped));
    }
    // Keep the new events, in place (`new` is in input order).
    let mut position = 0;
    unique.retain(|_| {
        position += 1;
        new.binary_search(&(position - 1)).is_ok()
    });
    Ok((
        order(unique.into_iter().map(|e| e.value).collect()),
        skipped,
    ))
}

/// Every input-relevant reference of `e`: the field and the event it names.
fn edges(e: &Event) -> Vec<(&'static str, &EventId)> {
    let mut out: Vec<(&'static str, &EventId)> = Vec::new();
    if let Some(t) = &e.supersedes {
        out.push(("supersedes", t));
    }
    out.extend(e.payload.ends().iter().map(|r| ("ends", &r.event)));
    match &e.payload {
        Payload::Legal {
            resolves: Some(t), ..
        } => out.push(("resolves", t)),
        Payload::Statement { about: Some(t), .. } => out.push(("about", t)),
        _ => {}
    }
    out
}

/// The most cycles reported for one import: each costs a line, and one is enough to act.
const MAX_CYCLES: usize = 20;

/// One step of a cycle: an event (index into the input) and the field it follows.
type Step = (usize, &'static str);

/// Cycles among the references between `events` (input order), each as the steps from
/// its earliest member in input order back to it. Found by an iterative depth-first
/// search, so that a long chain of references neither recurses deeply nor costs more
/// than linear time. An event naming itself through `supersedes` or `ends` is reported
/// by other checks and skipped here.
fn reference_cycles(events: &[&Event]) -> Vec<Vec<Step>> {
    let index: BTreeMap<&EventId, usize> =
        events.iter().enumerate().map(|(i, e)| (&e.id, i)).collect();
    let adjacent: Vec<Vec<Step>> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            edges(e)
                .into_iter()
                .filter_map(|(field, t)| {
                    let j = *index.get(t)?;
                    (j != i || matches!(field, "resolves" | "about")).then_some((j, field))
                })
                .collect()
        })
        .collect();
    // None: not visited; Some(Some(depth)): on the current path; Some(None): finished.
    let mut state: Vec<Option<Option<usize>>> = vec![None; events.len()];
    let mut cycles = Vec::new();
    for root in 0..events.len() {
        if state[root].is_some() {
            continue;
        }
        // (event, edges followed so far)
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = Some(Some(0));
        while let Some(top) = path.last_mut() {
            let (node, next_edge) = *top;
            let Some(&(next, _)) = adjacent[node].get(next_edge) else {
                state[node] = Some(None);
                path.pop();
                continue;
            };
            top.1 += 1;
            match state[next] {
                None => {
                    state[next] = Some(Some(path.len()));
                    path.push((next, 0));
                }
                Some(Some(depth)) => {
                    let mut cycle: Vec<Step> = path[depth..]
                        .iter()
                        .map(|&(n, taken)| (n, adjacent[n][taken - 1].1))
                        .collect();
                    let earliest = (0..cycle.len()).min_by_key(|&k| cycle[k].0).unwrap_or(0);
                    cycle.rotate_left(earliest);
                    cycles.push(cycle);
                    if cycles.len() >= MAX_CYCLES {
                        return cycles;
                    }
                }
                Some(None) => {}
            }
        }
    }
    cycles
}

fn cycle_message(events: &[&Event], cycle: &[Step]) -> String {
    const SHOWN: usize = 12;
    let first = events[cycle[0].0].id.as_str();
    let all_supersedes = cycle.iter().all(|(_, f)| *f == "supersedes");
    let mut parts: Vec<String> = cycle
        .iter()
        .take(SHOWN)
        .map(|&(n, field)| {
            let id = events[n].id.as_str();
            if all_supersedes {
                id.to_string()
            } else {
                format!("{id} ({field})")
            }
        })
        .collect();
    if cycle.len() > SHOWN {
        parts.push(format!("... {} more", cycle.len() - SHOWN));
    }
    parts.push(first.to_string());
    if all_supersedes {
        format!("`supersedes` forms a cycle: {}", parts.join(" -> "))
    } else {
        format!(
            "references form a cycle: {}: an event can only refer to events that come before it",
            parts.join(" -> ")
        )
    }
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
    let index: BTreeMap<&EventId, usize> =
        events.iter().enumerate().map(|(i, e)| (&e.id, i)).collect();
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
    // Depth-first placement keeps the sorted order except where a reference forces an
    // earlier placement. It is iterative: a chain of references can be as long as the
    // input. Cycles were refused above; marking events when first seen guards anyway.
    let mut seen = vec![false; events.len()];
    let mut out_idx = Vec::with_capacity(events.len());
    for root in 0..events.len() {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(top) = path.last_mut() {
            let (i, next_dep) = *top;
            match deps[i].get(next_dep) {
                Some(&d) => {
                    top.1 += 1;
                    if !seen[d] {
                        seen[d] = true;
                        path.push((d, 0));
                    }
                }
                None => {
                    out_idx.push(i);
                    path.pop();
                }
            }
        }
    }
    // Move each event to its place in `out_idx` (which lists every event once), in place
    // rather than into a second vector of events.
    debug_assert_eq!(out_idx.len(), events.len());
    let mut place = vec![0usize; events.len()];
    for (to, &from) in out_idx.iter().enumerate() {
        place[from] = to;
    }
    for i in 0..events.len() {
        while place[i] != i {
            let j = place[i];
            events.swap(i, j);
            place.swap(i, j);
        }
    }
    events
}
