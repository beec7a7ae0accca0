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
pub mod rules;
pub mod text;

pub use date::{DateError, Day, EdtfDate, Qualifier};
pub use event::{
    Confidence, Event, LegalKind, LegalStage, Payload, ProductStage, Source, Term, TermType,
    Tranche, Until, a_kind,
};
pub use id::{EventId, PartyId, Scope, TermKey, TermRef, TrancheRef};
pub use money::{Currency, Money};
pub use party::{Confusable, Party, PartyRegistry, ResolveError};
pub use text::{check_name, check_text, escape, shorten, tidy};

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
    /// A tranche reference that is not `event-id#tranche-key`.
    #[error("tranche reference {0:?} is not valid: write it as \"event-id#tranche-key\"")]
    BadTrancheRef(String),
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
