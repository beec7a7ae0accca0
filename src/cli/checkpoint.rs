//! `pactlog checkpoint`: sign the current head.

use super::key::SigningKeyArg;
use super::{CliError, Code, Globals, audit_error};
use crate::view::json::json_line;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::Args;
use pactlog::checkpoint::open_checkpoint;
use serde_json::json;

/// Sign a checkpoint of the ledger's current head and print it
///
/// The note is a C2SP tlog-checkpoint, signed. The checkpoint commits to the RFC 6962 Merkle root of every record so far (and, in an
/// extension line, the BLAKE3 chain head). It is stored in the ledger, and the newest one
/// is what `pactlog proof inclusion` proves against. Signing refuses when the ledger is
/// not consistent with the last checkpoint signed (truncated, rolled back or rewritten).
/// Publish the note: anyone holding it can later prove the ledger was not rewritten.
/// The note names the key that signed it (its signature line); --json also gives its
/// key id.
///
/// Examples:
///   pactlog checkpoint --key-file log.key > checkpoint.txt
///   pactlog checkpoint --key-file log.key --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CheckpointArgs {
    #[command(flatten)]
    key: SigningKeyArg,

    /// Print JSON: {"origin", "size", "root" (base64), "head" (hex), "key", "key_id",
    /// "note" (the signed note, verbatim)}
    #[arg(long)]
    json: bool,
}

pub fn run_checkpoint(g: &Globals, args: CheckpointArgs) -> Result<Code, CliError> {
    let key = args.key.read()?;
    let mut ledger = g.open_to_verify()?;
    // The note is stored only once it is printed: a checkpoint nobody saw is not one
    // the ledger should prove against.
    let pending = ledger.prepare_checkpoint(&key).map_err(audit_error)?;
    let note = pending.note.clone();
    if !args.json {
        out!("{note}")?;
        super::out::flush()?;
        ledger.record_checkpoint(pending).map_err(audit_error)?;
        return Ok(Code::Ok);
    }
    let (checkpoint, _) = open_checkpoint(&note, &[key.verifier_key()]).map_err(|e| {
        CliError::internal(format!("the checkpoint just signed does not open: {e}"))
    })?;
    let v = json!({
        "origin": checkpoint.origin(),
        "size": checkpoint.size(),
        "root": STANDARD.encode(checkpoint.root()),
        "head": ledger.head().to_hex(),
        "key": key.name(),
        "key_id": format!("{:08x}", key.key_id()),
        "note": note,
    });
    outln!("{}", json_line(&v))?;
    super::out::flush()?;
    ledger.record_checkpoint(pending).map_err(audit_error)?;
    Ok(Code::Ok)
}
