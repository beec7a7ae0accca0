//! pactlog's integration tests, one module per subject, in one test binary: the library
//! and its dependencies are linked once. Shared helpers live in `support`.
//!
//! Run one subject with `cargo test --test it crash::` (a module path filter).

mod support;

mod audit_crosscheck;
mod audit_proofs;
mod audit_scenarios;
mod bad_inputs;
mod canonical_props;
mod chain_props;
mod checkpoint_crosscheck;
mod cli_habits;
mod cli_ledger;
mod conflicts;
mod corrections;
mod cosignature_crosscheck;
mod crash;
mod doc_outputs;
mod exit_codes;
mod export_roundtrip;
mod golden;
mod hostile_files;
mod hostile_outputs;
mod hostile_stores;
mod import_passes;
mod input_values_and_text;
mod keys_and_checkpoints;
mod merkle_props;
mod merkle_vectors;
mod money_and_formats;
mod one_validator;
mod pages;
mod pages_browser;
mod projection_props;
mod publish_crash;
mod publish_follow;
mod server_api;
mod server_hostile;
mod server_queries;
mod server_tiles;
mod server_writes;
mod site_and_graph;
mod split_view;
mod state_facts;
mod tampered;
mod tampered_exports;
mod tiles_crosscheck;
mod unbounded_work;
mod witness;
mod witness_quorum;
mod write_path;
