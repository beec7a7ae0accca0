//! The rules for new parties: each well-formed on its own ([`rules::party_flaws`]), each
//! id once per batch, and every name and alias naming one party only.

use super::{CheckReport, Item, Problem, What};
use crate::model::{Party, PartyId, PartyRegistry, rules};
use std::collections::BTreeMap;

/// What the party check found.
pub(super) struct Found {
    /// New or changed parties, in input order.
    pub(super) new: Vec<Party>,
    /// The input position and id of each new party.
    pub(super) positions: Vec<(usize, PartyId)>,
    pub(super) problems: Vec<Problem>,
}

/// Splits input parties into new (or changed) and already `recorded`; adds the new ones
/// to `registry` (which starts as the recorded one) and reports ids given twice and
/// names that become ambiguous.
pub(super) fn check(
    recorded: &PartyRegistry,
    registry: &mut PartyRegistry,
    parties: Vec<Party>,
    report: &mut CheckReport,
) -> Found {
    let mut first: BTreeMap<PartyId, usize> = BTreeMap::new();
    let mut found = Found {
        new: Vec::new(),
        positions: Vec::new(),
        problems: Vec::new(),
    };
    // Positions of the new parties, for the ambiguity report.
    let mut new_at = Vec::new();
    for (i, p) in parties.into_iter().enumerate() {
        if let Some(&j) = first.get(&p.id) {
            found.problems.push(Problem {
                item: Item::Party(i),
                id: p.id.to_string(),
                what: What::Duplicate(Item::Party(j)),
            });
            continue;
        }
        first.insert(p.id.clone(), i);
        if recorded.get(&p.id) == Some(&p) {
            report.parties_skipped += 1;
            continue;
        }
        for flaw in rules::party_flaws(&p) {
            found
                .problems
                .push(Problem::rule(Item::Party(i), p.id.as_str(), flaw.message));
        }
        registry.insert(p.clone());
        new_at.push((i, p.id.clone()));
        found.new.push(p);
    }
    report.parties_added = found.new.len();
    for (name, ids) in registry.ambiguous_names() {
        for (i, id) in &new_at {
            if ids.contains(id) {
                let others: Vec<String> = ids
                    .iter()
                    .filter(|o| *o != id)
                    .map(ToString::to_string)
                    .collect();
                found.problems.push(Problem::rule(
                    Item::Party(*i),
                    id.as_str(),
                    format!(
                        "the name {name:?} also names {}: names and aliases must be unambiguous",
                        others.join(", ")
                    ),
                ));
            }
        }
    }
    let new_ids: Vec<PartyId> = new_at.iter().map(|(_, id)| id.clone()).collect();
    for c in registry.confusables(&new_ids) {
        if let Some((i, _)) = new_at.iter().find(|(_, id)| *id == c.party) {
            found
                .problems
                .push(Problem::rule(Item::Party(*i), c.party.as_str(), c.to_string()));
        }
    }
    found.positions = new_at;
    found
}
