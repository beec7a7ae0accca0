//! The order of appending (an event after the events it refers to) and the reference
//! cycles that make such an order impossible.

use super::facts::Facts;
use crate::model::EventId;
use std::borrow::Borrow;
use std::collections::BTreeMap;

/// The most cycles reported for one import: each costs a line, and one is enough to act.
const MAX_CYCLES: usize = 20;

/// One step of a cycle: an event (index into the input) and the field it follows.
pub(super) type Step = (usize, &'static str);

/// Cycles among the references between `events` (input order), each as the steps from
/// its earliest member in input order back to it. Found by an iterative depth-first
/// search, so that a long chain of references neither recurses deeply nor costs more
/// than linear time. An event naming itself through `supersedes`, `ends`, `pays` or
/// `concerns` is reported by other checks and skipped here.
pub(super) fn reference_cycles(events: &[&Facts]) -> Vec<Vec<Step>> {
    let index: BTreeMap<&EventId, usize> =
        events.iter().enumerate().map(|(i, e)| (&e.id, i)).collect();
    let adjacent: Vec<Vec<Step>> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e.references()
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

pub(super) fn cycle_message(events: &[&Facts], cycle: &[Step]) -> String {
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

/// The positions of `events` in append order: sorted by earliest day, latest day and
/// id, each event placed after the events it refers to (a stable topological order). A
/// reference cycle does not stop it (each event is placed once); cycles are refused
/// elsewhere. It depends only on the events, never on their input order.
pub(super) fn dependency_order<F: Borrow<Facts>>(events: &[F]) -> Vec<usize> {
    let events: Vec<&Facts> = events.iter().map(Borrow::borrow).collect();
    let mut sorted: Vec<usize> = (0..events.len()).collect();
    sorted.sort_by(|&a, &b| {
        let (a, b) = (events[a], events[b]);
        (a.date.earliest(), a.date.latest(), &a.id).cmp(&(
            b.date.earliest(),
            b.date.latest(),
            &b.id,
        ))
    });
    let index: BTreeMap<&EventId, usize> = sorted
        .iter()
        .enumerate()
        .map(|(rank, &i)| (&events[i].id, rank))
        .collect();
    let deps: Vec<Vec<usize>> = sorted
        .iter()
        .map(|&i| {
            events[i]
                .references()
                .into_iter()
                .filter_map(|(_, t)| index.get(t).copied())
                .collect()
        })
        .collect();
    // Depth-first placement keeps the sorted order except where a reference forces an
    // earlier placement. It is iterative: a chain of references can be as long as the
    // input. Marking events when first seen places each once, even in a cycle.
    let mut seen = vec![false; sorted.len()];
    let mut out_idx = Vec::with_capacity(sorted.len());
    for root in 0..sorted.len() {
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
    out_idx.into_iter().map(|rank| sorted[rank]).collect()
}
