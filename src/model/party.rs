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

/// A name of one party that looks like a name of another without being the same name
/// (their keys differ, their confusable skeletons of UTS #39 are equal): Cyrillic
/// "Mіcrosoft" (with U+0456) beside "Microsoft".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusable {
    /// The party whose name it is.
    pub party: PartyId,
    /// What the name is to it: "id", "name" or "alias".
    pub field: &'static str,
    /// The name as written.
    pub name: String,
    /// The party it can be mistaken for.
    pub other: PartyId,
    /// That party's name it looks like, as written.
    pub other_name: String,
}

impl Confusable {
    /// Why the two look alike: the scripts that one of them mixes, or the scripts of the
    /// two.
    pub fn why(&self) -> String {
        let (mine, theirs) = (scripts(&self.name), scripts(&self.other_name));
        if mine.len() > 1 {
            format!("it mixes scripts: {}", mine.join(", "))
        } else if theirs.len() > 1 {
            format!("that name mixes scripts: {}", theirs.join(", "))
        } else if mine != theirs {
            format!(
                "it is written in {}, the other in {}",
                or_common(&mine),
                or_common(&theirs)
            )
        } else {
            "they differ only in characters that look alike".to_string()
        }
    }
}

impl std::fmt::Display for Confusable {
    /// The problem, and what to do about it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {:?} can be mistaken for {:?}, a name of party {} ({}): use a name that \
             cannot be confused with another party's",
            self.field,
            super::shorten(&self.name),
            super::shorten(&self.other_name),
            self.other,
            self.why()
        )
    }
}

/// The scripts of the letters of `text` (characters of every script, such as digits and
/// spaces, do not count), in name order.
fn scripts(text: &str) -> Vec<String> {
    use unicode_security::mixed_script::AugmentedScriptSet;
    let set: std::collections::BTreeSet<String> = text
        .chars()
        .map(AugmentedScriptSet::for_char)
        .filter(|s| !s.is_all() && !s.is_empty())
        .map(|s| s.to_string())
        .collect();
    set.into_iter().collect()
}

fn or_common(scripts: &[String]) -> String {
    if scripts.is_empty() {
        "common characters".to_string()
    } else {
        scripts.join(", ")
    }
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

    /// The key a name is looked up and compared under; the one rule for matching ids,
    /// names and aliases, used by the registry, the import's ambiguity checks and the
    /// name index stored in the ledger.
    ///
    /// The key is the compatibility caseless form of the Unicode Standard (3.13, D146):
    /// NFKD(casefold(NFKD(casefold(NFD(name))))), full case folding, so that "Straße AG"
    /// and "STRASSE AG", NFC and NFD "Nestlé", and "ＭＩＣＲＯＳＯＦＴ" and "Microsoft"
    /// have one key; then recomposed (NFC) and trimmed. Full case folding turns "İ"
    /// (U+0130) into "i" followed by a combining dot above (U+0307), which looks like a
    /// plain "i" but would not compare equal to one ("İstanbul" vs "istanbul"): the key
    /// drops a U+0307 that sits on an "i" or "j" (no other mark above in between), as the
    /// dot of a soft-dotted letter. Normalisation and case folding are stable for
    /// assigned characters (Unicode's stability policies), so keys stored by one build
    /// are the keys another computes. ASCII text takes a shortcut with the same result.
    ///
    /// ```
    /// use pactlog::model::PartyRegistry;
    /// let key = PartyRegistry::name_key;
    /// assert_eq!(key(" STRASSE AG "), key("Straße AG"));
    /// assert_eq!(key("İstanbul Holding"), key("istanbul holding"));
    /// assert_eq!(key("ＭＩＣＲＯＳＯＦＴ"), "microsoft");
    /// ```
    pub fn name_key(name: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let name = name.trim();
        if name.is_ascii() {
            return name.to_ascii_lowercase();
        }
        let folded = caseless::default_case_fold_str(&name.nfd().collect::<String>());
        let folded = caseless::default_case_fold_str(&folded.nfkd().collect::<String>());
        without_soft_dots(folded.nfkd())
            .nfc()
            .collect::<String>()
            .trim()
            .to_string()
    }

    /// The looks of a name, under which names that look alike compare equal: its
    /// confusable skeleton (UTS #39) taken before case folding and after it, each with
    /// runs of white space collapsed to one space and then case folded
    /// ([`PartyRegistry::name_key`]). Before folding, a capital "I" is a look-alike of
    /// "l" and a "0" of an "O" ("AIpha C0rp", "Alpha Corp"); after it, a Greek capital
    /// iota folds to a letter that looks like "i". Two spaces look like one.
    ///
    /// ```
    /// use pactlog::model::PartyRegistry;
    /// let looks = PartyRegistry::looks;
    /// let alpha = looks("Alpha Corp");
    /// for other in ["AIpha Corp", "Alpha C0rp", "Alpha  Corp"] {
    ///     assert!(looks(other).iter().any(|l| alpha.contains(l)), "{other}");
    /// }
    /// assert!(!looks("Alpha Cord").iter().any(|l| alpha.contains(l)));
    /// ```
    pub fn looks(name: &str) -> [String; 2] {
        let collapsed = name.split_whitespace().collect::<Vec<_>>().join(" ");
        let skeleton = |text: &str| unicode_security::skeleton(text).collect::<String>();
        let before = PartyRegistry::name_key(&skeleton(&collapsed));
        let after = skeleton(&PartyRegistry::name_key(&collapsed));
        [before, after]
    }

    /// The names (ids, names, aliases) of the parties `of` that another party's name
    /// could be mistaken for: equal looks ([`PartyRegistry::looks`]) of different keys.
    /// Names with equal keys are not listed: they are ambiguous
    /// ([`PartyRegistry::ambiguous_names`]).
    pub fn confusables(&self, of: &[PartyId]) -> Vec<Confusable> {
        let mut by_look: BTreeMap<String, Vec<(String, &str, &PartyId)>> = BTreeMap::new();
        for p in self.parties.values() {
            for (_, text) in named(p) {
                let key = PartyRegistry::name_key(text);
                let [before, after] = PartyRegistry::looks(text);
                if before != after {
                    by_look
                        .entry(after)
                        .or_default()
                        .push((key.clone(), text, &p.id));
                }
                by_look.entry(before).or_default().push((key, text, &p.id));
            }
        }
        let mut out: Vec<Confusable> = Vec::new();
        // One report per name and other party, however many of its names match alike.
        let mut seen: std::collections::BTreeSet<(&PartyId, String, &PartyId, &str)> =
            std::collections::BTreeSet::new();
        for p in of.iter().filter_map(|id| self.parties.get(id)) {
            for (field, text) in named(p) {
                let key = PartyRegistry::name_key(text);
                let looks = PartyRegistry::looks(text);
                let alike = looks.iter().filter_map(|l| by_look.get(l)).flatten();
                for (other_key, other_name, other) in alike {
                    if **other == p.id
                        || *other_key == key
                        || !seen.insert((&p.id, key.clone(), other, other_key.as_str()))
                    {
                        continue;
                    }
                    out.push(Confusable {
                        party: p.id.clone(),
                        field,
                        name: text.to_string(),
                        other: (*other).clone(),
                        other_name: other_name.to_string(),
                    });
                }
            }
        }
        out
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
                    key_eq(p.id.as_str(), &key)
                        || key_eq(&p.name, &key)
                        || p.aliases.iter().any(|a| key_eq(a, &key))
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

/// The keys ([`PartyRegistry::name_key`]) of the id, name and aliases of `party`, each
/// once.
fn own_keys(party: &Party) -> Vec<String> {
    let mut keys: Vec<String> = named(party)
        .map(|(_, text)| PartyRegistry::name_key(text))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The name, aliases and id of `party`, each with what it is.
fn named(party: &Party) -> impl Iterator<Item = (&'static str, &str)> {
    std::iter::once(("name", party.name.as_str()))
        .chain(party.aliases.iter().map(|a| ("alias", a.as_str())))
        .chain(std::iter::once(("id", party.id.as_str())))
}

/// `chars` (decomposed) without a combining dot above (U+0307) on an "i" or "j", unless
/// another mark above comes between them.
fn without_soft_dots(chars: impl Iterator<Item = char>) -> impl Iterator<Item = char> {
    use unicode_normalization::char::canonical_combining_class;
    const ABOVE: u8 = 230;
    let mut on_soft_dotted = false;
    chars.filter(move |&c| {
        let class = canonical_combining_class(c);
        if c == '\u{307}' && on_soft_dotted {
            return false;
        }
        if class == 0 {
            on_soft_dotted = c == 'i' || c == 'j';
        } else if class == ABOVE {
            on_soft_dotted = false;
        }
        true
    })
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

/// Whether `s` has the key `key` (computes the key only for text that is not ASCII).
fn key_eq(s: &str, key: &str) -> bool {
    if s.is_ascii() {
        let s = s.trim();
        s.len() == key.len() && s.eq_ignore_ascii_case(key)
    } else {
        PartyRegistry::name_key(s) == key
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
    fn the_name_key_folds_case_and_compatibility_forms() {
        let key = PartyRegistry::name_key;
        let same = [
            ("Straße AG", "STRASSE AG"),
            ("İstanbul Holding", "istanbul holding"),
            ("İSTANBUL", "istanbul"),
            ("Nestl\u{e9}", "Nestle\u{301}"),
            ("NESTL\u{c9}", "nestle\u{301}"),
            ("ＭＩＣＲＯＳＯＦＴ", "Microsoft"),
            ("\u{fb01}nance", "FINANCE"),
            ("Ǆ Corp", "dž corp"),
            ("\u{3a3}\u{3a3}", "\u{3c3}\u{3c2}"),
            ("\u{a0}Acme\u{3000}", "acme"),
            ("Ⅻ Labs", "xii labs"),
        ];
        for (a, b) in same {
            assert_eq!(key(a), key(b), "{a:?} vs {b:?}");
        }
        assert_eq!(key("İstanbul"), "istanbul");
        assert_eq!(key(" Straße AG "), "strasse ag");
        // Different names keep different keys: a dot above on another letter, a dot
        // above stacked over another mark, another letter.
        let different = [
            ("ė", "e"),
            ("Mіcrosoft", "Microsoft"),
            ("Acme", "Acne"),
            ("i\u{301}\u{307}", "i\u{301}"),
        ];
        for (a, b) in different {
            assert_ne!(key(a), key(b), "{a:?} vs {b:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_name_key_is_idempotent(name in "\\PC{0,12}") {
            let once = PartyRegistry::name_key(&name);
            proptest::prop_assert_eq!(PartyRegistry::name_key(&once), once);
        }

        #[test]
        fn the_name_key_is_idempotent_on_tricky_letters(
            name in "[iIİıjJ\u{307}\u{301}\u{328}ßẞſﬁﬆǅΣσςΐ\u{345}ͅᾳﬀ¨ ＡａⅫ㎒]{0,10}"
        ) {
            let once = PartyRegistry::name_key(&name);
            proptest::prop_assert_eq!(PartyRegistry::name_key(&once), once);
        }
    }

    #[test]
    fn normalised_names_of_two_parties_are_ambiguous_and_resolve_alike() {
        let reg = PartyRegistry::from_parties(vec![
            party("strasse", "Straße AG", &["Nestl\u{e9}"]),
            party("other", "STRASSE AG", &["Nestle\u{301}"]),
            party("microsoft", "Microsoft", &[]),
            party("istanbul", "İstanbul Holding", &[]),
        ]);
        for name in ["strasse ag", "Straße AG", "NESTLÉ"] {
            assert!(
                matches!(reg.resolve(name), Err(ResolveError::Ambiguous { .. })),
                "{name}"
            );
        }
        assert_eq!(reg.ambiguous_names().len(), 2);
        for (name, id) in [
            ("ＭＩＣＲＯＳＯＦＴ", "microsoft"),
            ("istanbul holding", "istanbul"),
            ("ISTANBUL HOLDING", "istanbul"),
        ] {
            assert_eq!(reg.resolve(name).map(|p| p.to_string()), Ok(id.into()));
        }
    }

    #[test]
    fn a_look_alike_name_of_another_party_is_confusable_and_says_it_mixes_scripts() {
        let reg = PartyRegistry::from_parties(vec![
            party("microsoft", "Microsoft", &["MSFT"]),
            // U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I.
            party("fake", "Fake Inc", &["M\u{456}crosoft"]),
            // Its own look-alike is no other party's concern.
            party("openai", "OpenAI", &["Ореn\u{410}I"]),
        ]);
        let found = reg.confusables(&[PartyId::new("fake").unwrap()]);
        assert_eq!(found.len(), 1, "{found:?}");
        let c = &found[0];
        assert_eq!((c.field, c.other.as_str()), ("alias", "microsoft"));
        assert_eq!(c.other_name, "Microsoft");
        assert_eq!(c.why(), "it mixes scripts: Cyrillic, Latin");
        assert!(
            reg.confusables(&[PartyId::new("openai").unwrap()])
                .is_empty()
        );
        // Both sides are found, whichever party is new.
        let back = reg.confusables(&[PartyId::new("microsoft").unwrap()]);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].other.as_str(), "fake");
        assert_eq!(back[0].why(), "that name mixes scripts: Cyrillic, Latin");
        // A whole name in another script is named as such.
        let reg = PartyRegistry::from_parties(vec![
            party("ace", "ace", &[]),
            party("cyr", "\u{430}\u{441}\u{435}", &[]),
        ]);
        let found = reg.confusables(&[PartyId::new("cyr").unwrap()]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].why(),
            "it is written in Cyrillic, the other in Latin"
        );
        // Equal keys are ambiguity, not confusion.
        let reg =
            PartyRegistry::from_parties(vec![party("a", "Acme", &[]), party("b", "ACME", &[])]);
        assert!(reg.confusables(&[PartyId::new("b").unwrap()]).is_empty());
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
