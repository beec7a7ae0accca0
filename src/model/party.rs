//! Parties and the registry that resolves the names people type to party ids.

use super::id::PartyId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A company or organisation that takes part in events.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Party {
    /// The stable id used in event files.
    pub id: PartyId,
    /// The display name.
    pub name: String,
    /// Other names that resolve to this party (case-insensitive).
    pub aliases: Vec<String>,
}

/// Why a name did not resolve to exactly one party.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No id, name or alias matches.
    #[error("unknown party {name:?}{}", hint(.suggestions))]
    Unknown {
        name: String,
        suggestions: Vec<String>,
    },
    /// More than one party claims the name.
    #[error("party name {name:?} is ambiguous: it names {}", .candidates.join(", "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
}

fn hint(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        " (add it to parties.toml, or check the spelling)".to_string()
    } else {
        format!(" (did you mean {}?)", suggestions.join(" or "))
    }
}

/// Every known party, with a case-insensitive index of ids, names and aliases.
#[derive(Clone, Default, Debug)]
pub struct PartyRegistry {
    parties: BTreeMap<PartyId, Party>,
    names: BTreeMap<String, Vec<PartyId>>,
}

impl PartyRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The registry of `parties`, as if each were inserted in order (a later definition
    /// of the same id wins), built in bulk: opening a store with 10 000 parties takes a
    /// few milliseconds instead of tens.
    pub fn from_parties(parties: Vec<Party>) -> PartyRegistry {
        // `collect` into a BTreeMap sorts stably and keeps the last of equal keys.
        let parties: BTreeMap<PartyId, Party> =
            parties.into_iter().map(|p| (p.id.clone(), p)).collect();
        let mut keys: Vec<(String, &PartyId)> = Vec::with_capacity(parties.len() * 3);
        for p in parties.values() {
            let mut own = vec![p.id.as_str().to_lowercase(), p.name.to_lowercase()];
            own.extend(p.aliases.iter().map(|a| a.to_lowercase()));
            own.sort();
            own.dedup();
            keys.extend(own.into_iter().map(|k| (k, &p.id)));
        }
        // Stable: within a name, ids stay in id order, as `reindex` leaves them.
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        let mut names: Vec<(String, Vec<PartyId>)> = Vec::new();
        for (key, id) in keys {
            match names.last_mut() {
                Some((k, ids)) if *k == key => ids.push(id.clone()),
                _ => names.push((key, vec![id.clone()])),
            }
        }
        let names = names.into_iter().collect();
        PartyRegistry { parties, names }
    }

    /// Adds or replaces a party (a later definition of the same id wins).
    pub fn insert(&mut self, party: Party) {
        if self.parties.contains_key(&party.id) {
            self.parties.insert(party.id.clone(), party);
            self.reindex();
        } else {
            self.index(&party);
            self.parties.insert(party.id.clone(), party);
        }
    }

    fn reindex(&mut self) {
        self.names.clear();
        let parties: Vec<Party> = self.parties.values().cloned().collect();
        for p in &parties {
            self.index(p);
        }
    }

    fn index(&mut self, party: &Party) {
        let mut keys: Vec<String> =
            vec![party.id.as_str().to_lowercase(), party.name.to_lowercase()];
        keys.extend(party.aliases.iter().map(|a| a.to_lowercase()));
        keys.sort();
        keys.dedup();
        for key in keys {
            let ids = self.names.entry(key).or_default();
            if !ids.contains(&party.id) {
                ids.push(party.id.clone());
            }
        }
    }

    /// The party with this id.
    pub fn get(&self, id: &PartyId) -> Option<&Party> {
        self.parties.get(id)
    }

    /// Every party, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Party> {
        self.parties.values()
    }

    /// Number of parties.
    pub fn len(&self) -> usize {
        self.parties.len()
    }

    /// Whether there are no parties.
    pub fn is_empty(&self) -> bool {
        self.parties.is_empty()
    }

    /// Names (lower case) that more than one party claims.
    pub fn ambiguous_names(&self) -> Vec<(String, Vec<PartyId>)> {
        self.names
            .iter()
            .filter(|(_, ids)| ids.len() > 1)
            .map(|(n, ids)| (n.clone(), ids.clone()))
            .collect()
    }

    /// Resolves an id, name or alias, ignoring case and surrounding spaces.
    ///
    /// # Errors
    /// [`ResolveError::Unknown`] (with close matches as suggestions) or
    /// [`ResolveError::Ambiguous`].
    pub fn resolve(&self, name: &str) -> Result<PartyId, ResolveError> {
        let key = name.trim().to_lowercase();
        match self.names.get(&key).map(Vec::as_slice) {
            Some([one]) => Ok(one.clone()),
            Some(many) if !many.is_empty() => Err(ResolveError::Ambiguous {
                name: super::shorten(name),
                candidates: many.iter().map(ToString::to_string).collect(),
            }),
            _ => {
                let key_chars = key.chars().count();
                let mut suggestions: Vec<String> = self
                    .parties
                    .keys()
                    .filter(|id| {
                        let id = id.as_str();
                        // Edit distance is at least the difference in length: skip the
                        // quadratic comparison for names that cannot be close (ids are
                        // ASCII, so their length in bytes is their length in characters).
                        !key.is_empty()
                            && (id.contains(&key)
                                || key.contains(id)
                                || (id.len().abs_diff(key_chars) <= 2
                                    && edit_distance(id, &key) <= 2))
                    })
                    .map(ToString::to_string)
                    .collect();
                suggestions.truncate(3);
                Err(ResolveError::Unknown {
                    name: super::shorten(name),
                    suggestions,
                })
            }
        }
    }
}

/// Levenshtein distance, for "did you mean" hints on short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_registry_built_in_bulk_equals_one_built_by_inserts() {
        let p = |id: &str, name: &str, aliases: &[&str]| Party {
            id: PartyId::new(id).unwrap(),
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        };
        let parties = vec![
            p("zeta", "Zeta", &["Z", "Shared"]),
            p("acme", "Acme", &["shared", "ACME Corp"]),
            p("mid", "Mid", &[]),
            p("acme", "Acme Corp", &["Shared"]),
        ];
        let mut one_by_one = PartyRegistry::new();
        for party in parties.clone() {
            one_by_one.insert(party);
        }
        let bulk = PartyRegistry::from_parties(parties);
        assert_eq!(bulk.parties, one_by_one.parties);
        assert_eq!(bulk.names, one_by_one.names);
        assert_eq!(bulk.names["shared"].len(), 2);
    }

    use super::*;

    fn party(id: &str, name: &str, aliases: &[&str]) -> Party {
        Party {
            id: PartyId::new(id).unwrap(),
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn resolves_ids_names_and_aliases_case_insensitively() {
        let mut reg = PartyRegistry::new();
        reg.insert(party("amazon", "Amazon", &["AWS", "Amazon Web Services"]));
        reg.insert(party("openai", "OpenAI", &[]));
        for name in ["amazon", "Amazon", "aws", " AWS ", "amazon web services"] {
            assert_eq!(reg.resolve(name).unwrap().as_str(), "amazon", "{name}");
        }
        assert_eq!(reg.resolve("OPENAI").unwrap().as_str(), "openai");
    }

    #[test]
    fn unknown_names_suggest_close_ids() {
        let mut reg = PartyRegistry::new();
        reg.insert(party("microsoft", "Microsoft", &[]));
        let err = reg.resolve("microsfot").unwrap_err();
        assert!(err.to_string().contains("did you mean microsoft"), "{err}");
        let err = reg.resolve("zzz").unwrap_err();
        assert!(err.to_string().contains("parties.toml"), "{err}");
    }

    #[test]
    fn shared_aliases_are_ambiguous() {
        let mut reg = PartyRegistry::new();
        reg.insert(party("openai", "OpenAI", &["Stargate"]));
        reg.insert(party("softbank", "SoftBank", &["stargate"]));
        assert!(matches!(
            reg.resolve("Stargate"),
            Err(ResolveError::Ambiguous { .. })
        ));
        assert_eq!(reg.ambiguous_names().len(), 1);
    }

    #[test]
    fn redefining_a_party_replaces_its_aliases() {
        let mut reg = PartyRegistry::new();
        reg.insert(party("amazon", "Amazon", &["AWS"]));
        reg.insert(party("amazon", "Amazon", &["Amazon Web Services"]));
        assert!(reg.resolve("aws").is_err());
        assert!(reg.resolve("amazon web services").is_ok());
        assert_eq!(reg.len(), 1);
    }
}
