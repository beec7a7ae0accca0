//! The domain, as pure data: parties, events and their payloads, dates and money.
//!
//! Nothing here knows about storage, hashing or the command line. Every type is built
//! from text at the edge (import, CLI arguments) through a constructor that checks it,
//! so deeper code only ever sees valid values ("parse, don't validate").

pub mod date;
pub mod event;
pub mod id;
pub mod money;
pub mod party;

pub use date::{DateError, Day, EdtfDate, Qualifier};
pub use event::{
    Confidence, Event, LegalKind, LegalStage, Payload, ProductStage, Source, Term, TermType,
    Tranche, Until, a_kind,
};
pub use id::{EventId, PartyId, Scope, TermKey, TermRef};
pub use money::{Currency, Money};
pub use party::{Party, PartyRegistry, ResolveError};

/// A value from text that does not satisfy the model's rules.
///
/// Messages are shown to users as they are: they say what is wrong and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// An identifier (party, event, term key) with characters outside `[a-z0-9-]`.
    #[error("{what} {value:?} is not valid: use 1 to {max} characters of a-z, 0-9 and '-'")]
    BadSlug {
        what: &'static str,
        value: String,
        max: usize,
    },
    /// A scope that is not a dotted path of slugs.
    #[error(
        "scope {0:?} is not valid: use a dotted path of a-z, 0-9 and '-', like cloud.api.stateless"
    )]
    BadScope(String),
    /// A term reference that is not `event-id#term-key`.
    #[error("term reference {0:?} is not valid: write it as \"event-id#term-key\"")]
    BadTermRef(String),
    /// An amount of money that cannot be read.
    #[error("amount {value:?}: {why}")]
    BadAmount { value: String, why: String },
    /// A currency code outside the supported ISO 4217 list.
    #[error("unknown currency code {0:?}: use an ISO 4217 code such as USD, EUR, GBP, JPY")]
    UnknownCurrency(String),
    /// Free text with control characters, or too long, or empty.
    #[error("{what}: {why}")]
    BadText { what: &'static str, why: String },
}

/// `text` as it may be quoted in a message: whole when short, else its first 60
/// characters and its length, so that a hostile multi-megabyte value cannot flood the
/// error output.
pub(crate) fn shorten(text: &str) -> String {
    const KEEP: usize = 60;
    let chars = text.chars().count();
    if chars <= KEEP + 20 {
        return text.to_string();
    }
    let head: String = text.chars().take(KEEP).collect();
    format!("{head}... ({chars} characters)")
}

/// Checks a free-text field: not empty, at most `max` characters, and no control
/// characters (a newline is allowed only where `multiline` is set).
///
/// # Errors
/// [`ModelError::BadText`] naming the field and the problem.
pub fn check_text(
    what: &'static str,
    text: &str,
    max: usize,
    multiline: bool,
) -> Result<String, ModelError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ModelError::BadText {
            what,
            why: "must not be empty".into(),
        });
    }
    let chars = trimmed.chars().count();
    if chars > max {
        return Err(ModelError::BadText {
            what,
            why: format!("is {chars} characters long; the limit is {max}"),
        });
    }
    if let Some(c) = trimmed
        .chars()
        .find(|&c| c.is_control() && !(multiline && c == '\n'))
    {
        return Err(ModelError::BadText {
            what,
            why: format!(
                "contains the control character U+{:04X}; remove it",
                c as u32
            ),
        });
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_checked() {
        assert_eq!(check_text("summary", "  hi  ", 10, false).unwrap(), "hi");
        assert!(check_text("summary", "   ", 10, false).is_err());
        assert!(check_text("summary", "a\u{7}b", 10, false).is_err());
        assert!(check_text("summary", "a\nb", 10, false).is_err());
        assert_eq!(check_text("summary", "a\nb", 10, true).unwrap(), "a\nb");
        let err = check_text("summary", &"x".repeat(11), 10, false).unwrap_err();
        assert!(err.to_string().contains("11 characters"), "{err}");
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        assert_eq!(shorten("openai"), "openai");
        let long = "é".repeat(1_000_000);
        let short = shorten(&long);
        assert!(short.ends_with("... (1000000 characters)"), "{short}");
        assert!(short.chars().count() < 100, "{short}");
        let err = PartyId::new(&"a".repeat(10_000)).unwrap_err().to_string();
        assert!(err.len() < 200, "{err}");
    }
}
