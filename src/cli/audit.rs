//! `pactlog audit`: check a proof file offline.

use super::key::read_verifier_key;
use super::{CliError, Code, audit_error};
use clap::Args;
use pactlog::codec::Entry;
use pactlog::ledger::audit::audit_inclusion;
use pactlog::model::escape;
use std::path::PathBuf;

/// Check an inclusion proof file offline: no store is needed.
///
/// Checks, in order: the checkpoint's Ed25519 signature by VKEY (C2SP signed note), the
/// inclusion path from the record's bytes to the signed Merkle root (RFC 6962), and that
/// the bytes decode strictly to a pactlog record at the proven index. Prints the record.
/// Exit 0 when everything holds, 3 when anything does not.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// The proof file (from `pactlog proof inclusion ID`)
    proof: PathBuf,

    /// The verifier key (`name+keyid+base64`, or a file holding it)
    #[arg(long, value_name = "VKEY")]
    key: String,
}

pub fn run_audit(args: AuditArgs) -> Result<Code, CliError> {
    let key = read_verifier_key(&args.key)?;
    let text = std::fs::read_to_string(&args.proof)
        .map_err(|e| CliError::user(format!("cannot read {}: {e}", args.proof.display())))?;
    let audited = audit_inclusion(&text, &key).map_err(|e| {
        let mut err = audit_error(e);
        err.force_verify();
        err
    })?;
    let r = &audited.record;
    // Every line is one field; text from the proof is escaped so that it cannot start a
    // line of its own (a summary holding "\nok: record 0 ..." stays inside its field).
    println!(
        "ok: record {} is in the log \"{}\" of {} records signed by {}",
        r.seq,
        escape(&audited.origin),
        audited.size,
        escape(key.name())
    );
    println!("recorded_at {}", r.recorded_at);
    match &r.entry {
        Entry::Event(e) => {
            println!(
                "event {} ({}, {}, {})",
                e.id,
                e.kind_name(),
                e.date,
                e.confidence.as_str()
            );
            println!("summary {}", escape(&e.summary));
        }
        Entry::Party(p) => println!("party {} ({})", p.id, escape(&p.name)),
    }
    Ok(Code::Ok)
}
