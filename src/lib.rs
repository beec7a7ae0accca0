//! pactlog: a tamper-evident, event-sourced ledger of how corporate partnerships change.
//!
//! Events (investments, agreements and the terms they grant, legal threats,
//! statements...) are appended as immutable records, hash-chained with BLAKE3 and
//! committed to an RFC 6962 Merkle tree, in an embedded sled store. Projections rebuild
//! the state of every relationship at any date.
//!
//! Layers, from the bottom: [`model`] (pure data) and [`codec`] (canonical bytes);
//! [`chain`], [`merkle`], [`checkpoint`] and [`store`]; [`ledger`] (the facade);
//! [`import`] and [`projection`] on top; the binary's `cli` renders.

#![forbid(unsafe_code)]

pub mod chain;
pub mod checkpoint;
pub mod codec;
pub mod import;
pub mod input;
pub mod ledger;
pub mod merkle;
pub mod model;
pub mod projection;
pub mod store;
pub mod synth;
