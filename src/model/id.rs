//! Identifiers: party ids, event ids, term keys, term references and scopes.
//!
//! INVARIANT (every type here): the inner string satisfies the type's grammar; the only
//! constructors are the checked `new`/`parse` functions and serde, which calls them.

use super::ModelError;
use serde::{Deserialize, Serialize};
use std::fmt;

fn is_slug(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

macro_rules! slug_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest accepted value, in bytes.
            pub const MAX_LEN: usize = $max;

            /// Checks `s` against `[a-z0-9-]{1,MAX_LEN}`.
            ///
            /// # Errors
            /// [`ModelError::BadSlug`] when `s` has other characters or a bad length.
            pub fn new(s: &str) -> Result<Self, ModelError> {
                if Self::is_valid(s) {
                    Ok(Self(s.to_string()))
                } else {
                    Err(ModelError::BadSlug { what: $what, value: super::shorten(s), max: $max })
                }
            }

            /// Whether `s` is a valid value (the check of [`Self::new`], without building one).
            pub(crate) fn is_valid(s: &str) -> bool {
                is_slug(s, $max)
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ModelError;
            fn try_from(s: String) -> Result<Self, ModelError> {
                Self::new(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_type!(
    /// A party's stable id, such as `microsoft`.
    PartyId, "party id", 64
);
slug_type!(
    /// An event's stable, unique id, such as `2026-02-27-amazon-invests-in-openai`.
    EventId, "event id", 128
);
slug_type!(
    /// A term's key, unique within its event, such as `azure-api-exclusivity`.
    TermKey, "term key", 64
);

/// A dotted path naming what a term covers, such as `cloud.api.stateless`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scope(String);

impl Scope {
    /// Checks `s`: dot-separated segments of `[a-z0-9-]+`, at most 128 bytes in all.
    ///
    /// # Errors
    /// [`ModelError::BadScope`] for anything else.
    pub fn new(s: &str) -> Result<Self, ModelError> {
        if Scope::is_valid(s) {
            Ok(Scope(s.to_string()))
        } else {
            Err(ModelError::BadScope(super::shorten(s)))
        }
    }

    /// Whether `s` is a valid scope (the check of [`Scope::new`], without building one).
    pub(crate) fn is_valid(s: &str) -> bool {
        s.len() <= 128 && !s.is_empty() && s.split('.').all(|seg| is_slug(seg, 128))
    }

    /// The scope as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether one scope contains the other (`cloud` covers `cloud.api`).
    pub fn overlaps(&self, other: &Scope) -> bool {
        let (short, long) = if self.0.len() <= other.0.len() {
            (self, other)
        } else {
            (other, self)
        };
        long.0 == short.0 || long.0.starts_with(&format!("{}.", short.0))
    }

    /// The first segment (`cloud` for `cloud.api.stateless`): scopes that overlap or are
    /// siblings always share it.
    pub fn first_segment(&self) -> &str {
        self.0.split('.').next().unwrap_or_default()
    }

    /// The path above this one (`cloud.api` for `cloud.api.stateless`); `None` for a
    /// top-level scope.
    pub fn parent(&self) -> Option<&str> {
        self.0.rsplit_once('.').map(|(parent, _)| parent)
    }

    /// Whether both scopes sit under the same parent path with different last segments
    /// (`cloud.api.stateless` and `cloud.api.stateful`). Top-level scopes have no parent,
    /// so they are never siblings.
    pub fn is_sibling_of(&self, other: &Scope) -> bool {
        self != other && self.parent().is_some() && self.parent() == other.parent()
    }
}

impl TryFrom<String> for Scope {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, ModelError> {
        Self::new(&s)
    }
}

impl From<Scope> for String {
    fn from(s: Scope) -> String {
        s.0
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A reference to one term of one event: `event-id#term-key`. In `concerns` the same
/// form may also name a keyed tranche of an investment (`event-id#tranche-key`); the
/// event it names says which.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct TermRef {
    /// The agreement that granted the term.
    pub event: EventId,
    /// The term's key within that agreement.
    pub key: TermKey,
}

/// Splits `event-id#key` into its two checked halves (the one grammar of term and
/// tranche references).
fn split_reference(s: &str) -> Option<(EventId, TermKey)> {
    let (event, key) = s.split_once('#')?;
    Some((EventId::new(event).ok()?, TermKey::new(key).ok()?))
}

impl TermRef {
    /// Parses `event-id#term-key`.
    ///
    /// # Errors
    /// [`ModelError::BadTermRef`] when the `#` is missing or either side is not a slug.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let (event, key) =
            split_reference(s).ok_or_else(|| ModelError::BadTermRef(super::shorten(s)))?;
        Ok(TermRef { event, key })
    }
}

impl fmt::Display for TermRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.event, self.key)
    }
}

/// A reference to one tranche of one investment: `event-id#tranche-key`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct TrancheRef {
    /// The investment that holds the tranche.
    pub event: EventId,
    /// The tranche's key within that investment.
    pub key: TermKey,
}

impl TrancheRef {
    /// Parses `event-id#tranche-key`.
    ///
    /// # Errors
    /// [`ModelError::BadTrancheRef`] when the `#` is missing or either side is not a slug.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let (event, key) =
            split_reference(s).ok_or_else(|| ModelError::BadTrancheRef(super::shorten(s)))?;
        Ok(TrancheRef { event, key })
    }
}

impl fmt::Display for TrancheRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.event, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_only_their_grammar() {
        assert!(PartyId::new("openai").is_ok());
        assert!(PartyId::new("g42").is_ok());
        for bad in ["", "OpenAI", "open ai", "open_ai", "é", &"a".repeat(65)] {
            assert!(PartyId::new(bad).is_err(), "{bad:?}");
        }
        assert!(EventId::new(&"a".repeat(128)).is_ok());
        assert!(EventId::new(&"a".repeat(129)).is_err());
    }

    #[test]
    fn serde_rejects_invalid_ids() {
        let ok: Result<PartyId, _> = serde_json::from_str("\"amazon\"");
        assert!(ok.is_ok());
        let bad: Result<PartyId, _> = serde_json::from_str("\"Amazon\"");
        assert!(bad.is_err());
    }

    #[test]
    fn scopes_are_dotted_slugs_and_overlap_by_prefix() {
        let api = Scope::new("cloud.api").unwrap();
        let stateless = Scope::new("cloud.api.stateless").unwrap();
        let apis = Scope::new("cloud.apis").unwrap();
        assert!(api.overlaps(&stateless) && stateless.overlaps(&api));
        assert!(!api.overlaps(&apis));
        let stateful = Scope::new("cloud.api.stateful").unwrap();
        assert!(stateless.is_sibling_of(&stateful) && stateful.is_sibling_of(&stateless));
        assert!(
            api.is_sibling_of(&apis),
            "cloud.api and cloud.apis share the parent cloud"
        );
        assert!(!stateless.is_sibling_of(&stateless) && !api.is_sibling_of(&stateless));
        let (cloud, ip) = (Scope::new("cloud").unwrap(), Scope::new("ip").unwrap());
        assert!(!cloud.is_sibling_of(&ip), "top-level scopes have no parent");
        assert_eq!(stateless.parent(), Some("cloud.api"));
        assert_eq!(cloud.parent(), None);
        for bad in ["", ".cloud", "cloud.", "cloud..api", "Cloud"] {
            assert!(Scope::new(bad).is_err(), "{bad:?}");
        }
    }

    /// The grant index files terms by their first segment: every pair of scopes that
    /// overlap or are siblings must share it.
    #[test]
    fn scopes_that_overlap_or_are_siblings_share_their_first_segment() {
        let all = [
            "cloud",
            "clouds",
            "cloud.api",
            "cloud.apis",
            "cloud.api.stateless",
            "cloud.api.stateful",
            "ip",
            "ip.models",
            "ip.research",
            "c",
            "c.loud",
        ]
        .map(|s| Scope::new(s).unwrap());
        assert_eq!(all[4].first_segment(), "cloud");
        assert_eq!(all[0].first_segment(), "cloud");
        for a in &all {
            for b in &all {
                if a.overlaps(b) || a.is_sibling_of(b) {
                    assert_eq!(a.first_segment(), b.first_segment(), "{a} and {b}");
                }
            }
        }
    }

    #[test]
    fn term_refs_parse_and_print() {
        let r = TermRef::parse("2025-10-28-definitive#azure-api").unwrap();
        assert_eq!(r.to_string(), "2025-10-28-definitive#azure-api");
        for bad in ["no-hash", "#key", "event#", "a#b#c", "Event#key"] {
            assert!(TermRef::parse(bad).is_err(), "{bad:?}");
            assert!(
                matches!(TrancheRef::parse(bad), Err(ModelError::BadTrancheRef(_))),
                "{bad:?}"
            );
        }
        let t = TrancheRef::parse("2026-02-27-round#first-10b").unwrap();
        assert_eq!(t.to_string(), "2026-02-27-round#first-10b");
    }
}
