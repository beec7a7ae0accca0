//! Parties and the registry that resolves the names people type to party ids.

use super::id::PartyId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

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
///
/// The name index is built when it pays: a command that resolves a couple of names (a
/// query) compares them against every party instead, which for 10 000 parties costs a
/// fraction of building the index; after [`SCANS_BEFORE_INDEX`] resolves (an import
/// resolving every event's parties) the index is built and used from then on. Both give
/// the same answers.
#[derive(Default, Debug)]
pub struct PartyRegistry {
    parties: BTreeMap<PartyId, Party>,
    /// Lower-case id, name or alias -> the parties it names, in id order.
    names: OnceLock<BTreeMap<String, Vec<PartyId>>>,
    /// Resolves answered without the index so far.
    scans: AtomicU32,
}

/// Resolves answered by comparing against every party before the index is built.
pub const SCANS_BEFORE_INDEX: u32 = 16;

impl Clone for PartyRegistry {
    fn clone(&self) -> Self {
        PartyRegistry {
            parties: self.parties.clone(),
            names: self.names.clone(),
            scans: AtomicU32::new(self.scans.load(Ordering::Relaxed)),
        }
    }
}

impl PartyRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The registry of `parties`, as if each were inserted in order (a later definition
    /// of the same id wins), built in bulk.
    pub fn from_parties(parties: Vec<Party>) -> PartyRegistry {
        // `collect` into a BTreeMap sorts stably and keeps the last of equal keys.
        let parties: BTreeMap<PartyId, Party> =
            parties.into_iter().map(|p| (p.id.clone(), p)).collect();
        PartyRegistry {
            parties,
            ..PartyRegistry::default()
        }
    }

    /// Adds or replaces a party (a later definition of the same id wins).
    pub fn insert(&mut self, party: Party) {
        let replaces = self.parties.contains_key(&party.id);
        match self.names.get_mut() {
            // The old definition's names go: the index is built again when needed.
            Some(_) if replaces => self.names = OnceLock::new(),
            Some(names) => index(names, &party),
            None => {}
        }
        self.parties.insert(party.id.clone(), party);
    }

    /// The name index, built on first use.
    fn names(&self) -> &BTreeMap<String, Vec<PartyId>> {
        self.names.get_or_init(|| {
            let mut keys: Vec<(String, &PartyId)> = Vec::with_capacity(self.parties.len() * 3);
            for p in self.parties.values() {
                keys.extend(own_keys(p).into_iter().map(|k| (k, &p.id)));
            }
            // Stable: within a name, ids stay in id order.
            keys.sort_by(|a, b| a.0.cmp(&b.0));
            let mut names: Vec<(String, Vec<PartyId>)> = Vec::new();
            for (key, id) in keys {
                match names.last_mut() {
                    Some((k, ids)) if *k == key => ids.push(id.clone()),
                    _ => names.push((key, vec![id.clone()])),
                }
            }
            names.into_iter().collect()
        })
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
        self.names()
            .iter()
            .filter(|(_, ids)| ids.len() > 1)
            .map(|(n, ids)| (n.clone(), ids.clone()))
            .collect()
    }

    /// The key a typed name is looked up under: trimmed, lower case.
    pub fn name_key(name: &str) -> String {
        name.trim().to_lowercase()
    }

    /// What resolving `name` answers when `named` are the parties its lower-case form
    /// names (as [`PartyRegistry::name_index`] lists them): `None` when it names none.
    pub fn answer(name: &str, named: Vec<PartyId>) -> Option<Result<PartyId, ResolveError>> {
        match named.len() {
            0 => None,
            1 => named.into_iter().next().map(Ok),
            _ => Some(Err(ResolveError::Ambiguous {
                name: super::shorten(name),
                candidates: named.iter().map(ToString::to_string).collect(),
            })),
        }
    }

    /// The name index: every lower-case id, name and alias, with the parties it names in
    /// id order (built on first use).
    pub fn name_index(&self) -> &BTreeMap<String, Vec<PartyId>> {
        self.names()
    }

    /// Resolves an id, name or alias, ignoring case and surrounding spaces.
    ///
    /// # Errors
    /// [`ResolveError::Unknown`] (with close matches as suggestions) or
    /// [`ResolveError::Ambiguous`].
    pub fn resolve(&self, name: &str) -> Result<PartyId, ResolveError> {
        let key = PartyRegistry::name_key(name);
        let named: Vec<PartyId> = if self.names.get().is_some()
            || self.scans.fetch_add(1, Ordering::Relaxed) >= SCANS_BEFORE_INDEX
        {
            self.names().get(&key).cloned().unwrap_or_default()
        } else {
            self.parties
                .values()
                .filter(|p| {
                    lower_eq(p.id.as_str(), &key)
                        || lower_eq(&p.name, &key)
                        || p.aliases.iter().any(|a| lower_eq(a, &key))
                })
                .map(|p| p.id.clone())
                .collect()
        };
        match PartyRegistry::answer(name, named) {
            Some(answer) => answer,
            None => {
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

/// The lower-case id, name and aliases of `party`, each once.
fn own_keys(party: &Party) -> Vec<String> {
    let mut keys = vec![party.id.as_str().to_lowercase(), party.name.to_lowercase()];
    keys.extend(party.aliases.iter().map(|a| a.to_lowercase()));
    keys.sort();
    keys.dedup();
    keys
}

/// Adds `party`'s keys to a name index.
fn index(names: &mut BTreeMap<String, Vec<PartyId>>, party: &Party) {
    for key in own_keys(party) {
        let ids = names.entry(key).or_default();
        if let Err(at) = ids.binary_search(&party.id) {
            ids.insert(at, party.id.clone());
        }
    }
}

/// Whether `s` in lower case is `lower` (allocates only for text that is not ASCII).
fn lower_eq(s: &str, lower: &str) -> bool {
    if s.is_ascii() {
        s.len() == lower.len() && s.eq_ignore_ascii_case(lower)
    } else {
        s.to_lowercase() == lower
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
        assert_eq!(bulk.names(), one_by_one.names());
        assert_eq!(bulk.names()["shared"].len(), 2);
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
    fn resolving_by_comparing_every_party_answers_as_the_index_does() {
        let parties = vec![
            party("zeta", "Zeta", &["Z", "Shared", "Ωmega"]),
            party("acme", "Acme", &["shared", "ACME Corp", "ÉCOLE"]),
            party("mid", "Mid", &[]),
            party("acme", "Acme Corp", &["Shared", "École"]),
            party("beta", "Stargate", &["ωMEGA"]),
        ];
        let names = [
            "zeta",
            "ZETA",
            " z ",
            "shared",
            "acme corp",
            "école",
            "ÉCOLE",
            "ωmega",
            "mid",
            "stargate",
            "beta",
            "acme",
            "nothing",
            "",
            "acm",
            "Ωmega",
        ];
        // Built in bulk and by inserts (with the index built before the last inserts).
        let mut inserted = PartyRegistry::new();
        for (i, p) in parties.clone().into_iter().enumerate() {
            if i == 3 {
                assert!(inserted.ambiguous_names().len() <= 1);
            }
            inserted.insert(p);
        }
        for reg in [PartyRegistry::from_parties(parties), inserted] {
            let scanned: Vec<_> = names.iter().map(|n| reg.resolve(n)).collect();
            assert!(reg.names.get().is_none(), "a few resolves build no index");
            let indexed_reg = reg.clone();
            indexed_reg.ambiguous_names();
            assert!(indexed_reg.names.get().is_some());
            let indexed: Vec<_> = names.iter().map(|n| indexed_reg.resolve(n)).collect();
            assert_eq!(scanned, indexed);
            assert!(matches!(scanned[3], Err(ResolveError::Ambiguous { .. })));
            assert_eq!(scanned[5].as_ref().map(PartyId::as_str), Ok("acme"));
            assert!(matches!(scanned[7], Err(ResolveError::Ambiguous { .. })));
        }
    }

    #[test]
    fn many_resolves_build_the_index() {
        let reg = PartyRegistry::from_parties(vec![party("acme", "Acme", &[])]);
        for _ in 0..SCANS_BEFORE_INDEX {
            assert!(reg.resolve("Acme").is_ok());
        }
        assert!(reg.names.get().is_none());
        assert!(reg.resolve("Acme").is_ok());
        assert!(reg.names.get().is_some());
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
