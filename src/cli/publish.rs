//! `pactlog publish`: the ledger as a static C2SP tlog-tiles log in a folder.

use super::key::SigningKeyArg;
use super::{CliError, Code, Globals, audit_error, parse_day};
use crate::view::json::json_line;
use clap::Args;
use pactlog::input::shown;
use pactlog::model::Day;
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
/// With --site it also writes the pages of `pactlog site` for the published size into
/// DIR/site (index.html, timelines, events, parties, conflicts, and each event's
/// inclusion proof against the checkpoint just published), after the log; DIR/site must
/// not exist, be empty, or hold pages an earlier --site wrote, which are replaced whole.
///
/// Examples:
///   pactlog publish public/log --key-file log.key
///   pactlog publish public/log --key-file log.key --site
///   pactlog publish public/log --key-file log.key --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct PublishArgs {
    /// The folder to publish into (created if missing)
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    #[command(flatten)]
    key: SigningKeyArg,

    /// Also write the static pages (as `pactlog site`) into DIR/site
    #[arg(long)]
    site: bool,

    /// The day the pages are for, with --site (YYYY-MM-DD) [default: today, or
    /// PACTLOG_NOW's day]
    #[arg(long, value_name = "DAY", value_parser = parse_day, requires = "site")]
    as_of: Option<Day>,

    /// Print JSON: {"dir", "previous" (the size published before), "size", "root"
    /// (base64), "written", "present" (tiles already there), "checkpoint_replaced",
    /// "site" (with --site: {"dir", "files", "as_of"}, else null)}
    #[arg(long)]
    json: bool,
}

pub fn run_publish(g: &Globals, args: PublishArgs) -> Result<Code, CliError> {
    let key = args.key.read()?;
    // The pages' folder is checked before anything is written.
    let site_dir = args.dir.join("site");
    let site = if args.site {
        Some((
            super::site::check_target(&site_dir)?,
            super::site::day_or_today(args.as_of)?,
        ))
    } else {
        None
    };
    let mut ledger = g.open_to_verify()?;
    let note = ledger.sign_checkpoint(&key).map_err(audit_error)?;
    let report = publish(&ledger, &args.dir, &note, &key.verifier_key()).map_err(publish_error)?;
    let pages = match &site {
        Some((target, as_of)) => Some((super::site::write_pages(&ledger, target, *as_of)?, as_of)),
        None => None,
    };
    if args.json {
        let mut v = report_json(&args.dir, &report);
        v["site"] = match pages {
            Some((files, as_of)) => json!({
                "dir": site_dir.display().to_string(),
                "files": files,
                "as_of": as_of.to_string(),
            }),
            None => serde_json::Value::Null,
        };
        outln!("{}", json_line(&v))?;
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
    if let Some((files, as_of)) = pages {
        outln!("site {}: {files} files for {as_of}", shown(&site_dir))?;
    }
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
