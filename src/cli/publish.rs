//! `pactlog publish`: the ledger as a static C2SP tlog-tiles log in a folder.

use super::key::SigningKeyArg;
use super::{CliError, Code, Globals, audit_error};
use crate::view::json::json_line;
use clap::Args;
use pactlog::input::shown;
use pactlog::publish::{PublishError, PublishReport, publish};
use pactlog::tlog::TlogError;
use serde_json::json;
use std::path::PathBuf;

/// Publish the ledger as a static C2SP tlog-tiles log, in a folder any web host serves
///
/// Signs a checkpoint of the ledger's head (as `pactlog checkpoint` does, stored in the
/// ledger) and writes into DIR what a C2SP tlog-tiles reader fetches: `checkpoint`, the
/// hash tiles `tile/<L>/<N>[.p/<W>]` and the entry bundles `tile/entries/<N>[.p/<W>]`
/// (the records' canonical bytes). Run it again after an import: it writes only what is
/// new. A tile is written once, to a fresh temporary name then renamed into place, and
/// never rewritten; the checkpoint is replaced last, by a rename, after every tile is on
/// disk, so a reader never sees a checkpoint whose tiles are missing, even if a run is
/// killed. A folder that holds another log (a tile with other bytes, a checkpoint this key
/// did not sign, or of a larger tree or another root) is refused, exit 3, and nothing in
/// it is overwritten.
///
/// Serve DIR from any static host, or sync it to object storage tiles first, checkpoint
/// last (docs/publishing.md). Anyone follows it with `pactlog follow`.
///
/// Examples:
///   pactlog publish public/log --key-file log.key
///   pactlog publish public/log --key-file log.key --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct PublishArgs {
    /// The folder to publish into (created if missing)
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    #[command(flatten)]
    key: SigningKeyArg,

    /// Print JSON: {"dir", "previous" (the size published before), "size", "root"
    /// (base64), "written", "present" (tiles already there), "checkpoint_replaced"}
    #[arg(long)]
    json: bool,
}

pub fn run_publish(g: &Globals, args: PublishArgs) -> Result<Code, CliError> {
    let key = args.key.read()?;
    let mut ledger = g.open_to_verify()?;
    let note = ledger.sign_checkpoint(&key).map_err(audit_error)?;
    let report = publish(&ledger, &args.dir, &note, &key.verifier_key()).map_err(publish_error)?;
    if args.json {
        outln!("{}", json_line(&report_json(&args.dir, &report)))?;
        return Ok(Code::Ok);
    }
    let checkpoint = if report.checkpoint_replaced {
        "checkpoint replaced"
    } else {
        "checkpoint unchanged"
    };
    outln!(
        "published {} records to {}: {} tiles written, {} already there; {checkpoint}",
        report.size,
        shown(&args.dir),
        report.written,
        report.present
    )?;
    outln!("root {}", report.root)?;
    Ok(Code::Ok)
}

fn report_json(dir: &std::path::Path, r: &PublishReport) -> serde_json::Value {
    json!({
        "dir": dir.display().to_string(),
        "previous": r.previous,
        "size": r.size,
        "root": r.root.to_string(),
        "written": r.written,
        "present": r.present,
        "checkpoint_replaced": r.checkpoint_replaced,
    })
}

/// Another log in the folder is a verification failure (exit 3); a record too long for a
/// bundle is the ledger's content (exit 1); writing and storage fail inside (exit 2).
fn publish_error(e: PublishError) -> CliError {
    let message = e.to_string();
    match e {
        PublishError::Conflict { .. } => {
            let mut err = CliError::user(message);
            err.force_verify();
            err
        }
        PublishError::Tlog(TlogError::EntryTooLarge { .. }) => CliError::user(message),
        _ => CliError::internal(message),
    }
}
