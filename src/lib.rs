//! pactlog: a tamper-evident, event-sourced ledger of how corporate partnerships change.
//!
//! Events (investments, agreements and the terms they grant, legal threats,
//! statements...) are appended as immutable records, hash-chained with BLAKE3 and
//! committed to an RFC 6962 Merkle tree, in an embedded sled store. Projections rebuild
//! the state of every relationship at any date.
//!
//! Writing is two steps, *decide, then record*: [`Ledger::check`] (or a [`Validator`])
//! runs every rule against the ledger and builds a [`Checked`] batch, the only thing
//! [`Ledger::append`] takes. Reading is [`Ledger::log`], [`Ledger::state`],
//! [`Ledger::conflicts`] and [`Ledger::diff`]; [`Ledger::verify`] checks the whole chain, and
//! [`Ledger::inclusion_proof`] proves one record against a signed checkpoint.
//!
//! ```
//! use pactlog::model::{Confidence, EdtfDate, Event, EventId, Party, PartyId, Payload, Source};
//! use pactlog::{Ledger, MemoryStore, Query, Select, Timestamp};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut ledger = Ledger::open(MemoryStore::new())?;
//! let party = |id: &str, name: &str| Party {
//!     id: PartyId::new(id).unwrap(),
//!     name: name.into(),
//!     aliases: vec![],
//! };
//! let date = EdtfDate::parse("2025-11-03")?;
//! let deal = Event {
//!     id: EventId::new("2025-11-03-aws-openai-compute")?,
//!     disclosed: date.latest(),
//!     date,
//!     summary: "OpenAI and AWS agree a multi-year compute deal.".into(),
//!     confidence: Confidence::Confirmed,
//!     parties: vec![PartyId::new("amazon")?, PartyId::new("openai")?],
//!     supersedes: None,
//!     sources: vec![Source {
//!         url: "https://example.com/aws-openai".into(),
//!         publisher: None,
//!         published: None,
//!     }],
//!     payload: Payload::Announcement,
//! };
//!
//! // Decide, then record.
//! let checked = ledger.check(vec![party("amazon", "Amazon"), party("openai", "OpenAI")], vec![deal])?;
//! ledger.append(checked, Timestamp::from_unix(1_767_225_600))?;
//!
//! // What was known, as of a day.
//! let day = pactlog::model::Day::parse("2026-01-01")?;
//! let answer = ledger.state(Query::as_of(day), &Select::All)?;
//! assert_eq!(answer.relationships.len(), 1);
//! assert_eq!(answer.receipt.ledger_size, 3);
//!
//! // Nobody rewrote it.
//! assert!(ledger.verify()?.is_ok());
//! # Ok(())
//! # }
//! ```
//!
//! The layers, from the bottom: [`model`] (pure data) and the record codec; the chain
//! rule, the Merkle tree, [`checkpoint`] formats, derived indexes and the store; the
//! ledger facade; [`import`] (event files and exports) and the projections on top. The
//! `pactlog` binary is a thin command-line front end over this API.

#![forbid(unsafe_code)]

/// Declares modules that are private to the crate, and public (undocumented, unstable)
/// with the `test-support` feature, for pactlog's own tests and benchmarks.
macro_rules! internal_modules {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "test-support")]
        #[doc(hidden)]
        pub mod $name;
        #[cfg(not(feature = "test-support"))]
        mod $name;
    )*};
}

pub mod checkpoint;
pub mod cosigner;
pub mod import;
pub mod input;
pub mod model;
pub mod publish;
#[cfg(feature = "synth")]
pub mod synth;
pub mod tlog;

internal_modules!(chain, codec, index, ledger, merkle, projection, store);

pub use chain::{Break, BreakKind};
pub use codec::{ChainHash, CodecError, Entry, Format, Record, Seq, Timestamp};
pub use ledger::prove::{
    AuditError, AuditedRecord, CheckpointCheck, PendingCheckpoint, SignedCheckpoint,
    audit_inclusion, audit_inclusion_of,
};
pub use ledger::{
    AppendReport, CheckError, CheckReport, Checked, ConflictAnswer, FilterError, Item, Ledger,
    LedgerError, LogFilter, Logged, Problem, QueryError, Receipt, Rejected, SharedLedger,
    StateAnswer, TimelineAnswer, Validator, VerifyReport,
};
pub use merkle::{ConsistencyProof, Hash, InclusionProof, MerkleError};
pub use projection::{
    ClaimState, Conflict, ConflictKind, Diff, DisputeSpan, DisputeState, InvestmentState,
    MoneyChange, MoneyStatus, PaymentReport, Query, RelationshipDiff, RelationshipState, Select,
    Status, TermChange, TermEnd, TermSpan, TermState, Timeline, TrancheReading, investment_totals,
    tranche_status,
};
pub use store::{
    DEFAULT_CACHE_BYTES, LONG_RUNNING_CACHE_BYTES, MemoryStore, SledStore, Store, StoreError,
};
