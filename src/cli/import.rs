//! `pactlog import`: event files in, validated, appended atomically.

use super::{CliError, Code, Globals, now};
use clap::Args;
use pactlog::import;
use std::path::PathBuf;

/// Import parties and events from TOML files or folders.
///
/// Every file is checked before anything is written: syntax, fields, dates (EDTF),
/// amounts, party names and aliases, references between events, and ids already in the
/// ledger. Every problem is reported as `file:line: id: what is wrong`; if there is any,
/// nothing is imported (exit 1). Events already recorded with identical content are
/// skipped, so importing the same files again changes nothing. A recorded event cannot
/// change: to correct one, add an event with `supersedes = "<its id>"`.
///
/// A single `*.jsonl` file is read as an export (`pactlog export`): its records are
/// restored byte for byte (same head, same Merkle root).
///
/// Records get `recorded_at` from the clock, or from PACTLOG_NOW (RFC 3339) when set.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Files or folders (folders are read recursively for *.toml)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

pub fn run_import(g: &Globals, args: ImportArgs) -> Result<Code, CliError> {
    let at = now()?;
    let mut ledger = g.open_or_create()?;
    if import::is_export(&args.paths) {
        let r = import::restore(&mut ledger, &args.paths[0])?;
        if args.json {
            println!(
                "{}",
                serde_json::json!({"records": r.records, "appended": r.appended, "ledger_size": ledger.size(), "head": ledger.head().to_hex()})
            );
        } else {
            println!(
                "restored {} of {} records from the export",
                r.appended, r.records
            );
            println!("ledger: {} records, head {}", ledger.size(), ledger.head());
        }
        return Ok(Code::Ok);
    }
    let report = import::import(&mut ledger, &args.paths, at)?;
    if args.json {
        let v = serde_json::json!({
            "files": report.files,
            "events_added": report.events_added,
            "events_skipped": report.events_skipped,
            "parties_added": report.parties_added,
            "parties_skipped": report.parties_skipped,
            "ledger_size": report.size,
            "head": ledger.head().to_hex(),
        });
        println!("{v}");
    } else {
        println!(
            "imported {} event{} and {} part{} from {} file{} ({} event{} already recorded)",
            report.events_added,
            plural(report.events_added),
            report.parties_added,
            if report.parties_added == 1 {
                "y"
            } else {
                "ies"
            },
            report.files,
            plural(report.files),
            report.events_skipped,
            plural(report.events_skipped),
        );
        println!("ledger: {} records, head {}", report.size, ledger.head());
    }
    Ok(Code::Ok)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
