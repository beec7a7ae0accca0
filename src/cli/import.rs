//! `pactlog import`: event files in, validated, appended atomically.

use super::progress::Progress;
use super::{CliError, Code, Globals, now};
use crate::view::json::{import_json, json_line};
use clap::Args;
use pactlog::Ledger;
use pactlog::SledStore;
use pactlog::import;
use std::path::{Path, PathBuf};

/// Import parties and events from TOML files or folders
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
/// Folders are walked once each and never left: links to a folder already read, or to
/// anything outside the folder given, are skipped with a note. Only regular files are
/// read (a FIFO or device named *.toml is refused), each up to 16 MiB. A folder with no
/// *.toml file is an error. An import that fails leaves no new store behind.
///
/// Records get `recorded_at` from the clock, or from PACTLOG_NOW (RFC 3339) when set.
/// `pactlog check PATH...` runs the same checks without writing anything.
///
/// With --server URL, the files go to a running `pactlog serve` (which holds the store):
/// the server makes the same checks, and its report or problems are printed the same way.
///
/// Examples:
///   pactlog import events/
///   pactlog import events/parties.toml events/amazon-openai.toml --json
///   pactlog --store copy.db import backup.jsonl
///   pactlog import --server http://127.0.0.1:8080 --token-file token events/
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// Files or folders (folders are read recursively for *.toml)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Print the report as JSON
    #[arg(long)]
    json: bool,

    /// Send the files to a running `pactlog serve` at URL instead of writing the store
    /// (needs --token-file)
    #[arg(long, value_name = "URL", requires = "token_file")]
    server: Option<String>,

    /// A file holding the server's import token (with --server)
    #[arg(long, value_name = "FILE", requires = "server")]
    token_file: Option<PathBuf>,
}

/// What an import did, to report once it is committed.
enum Done {
    Restored(import::RestoreReport),
    Imported(import::ImportReport),
}

pub fn run_import(g: &Globals, args: ImportArgs) -> Result<Code, CliError> {
    if let (Some(url), Some(token)) = (&args.server, &args.token_file) {
        return super::send::run_import_remote(url, token, &args.paths, args.json);
    }
    let at = now()?;
    let files = if import::is_export(&args.paths) {
        None
    } else {
        Some(import::collect_files(&args.paths)?)
    };
    // Links not followed: notes on stderr at once; under --json, in the report, or in
    // the error when the import fails (stderr then holds one JSON object).
    let notes: Vec<String> = files
        .iter()
        .flat_map(|f| f.skipped.iter().map(ToString::to_string))
        .collect();
    if !args.json {
        for note in &notes {
            errln!("note: {note}");
        }
    }
    let (mut ledger, created) = g.open_for_import()?;
    let progress = Progress::start(g.quiet, "checking", None);
    // Records made durable so far (each batch is flushed and witnessed before it counts).
    let committed = std::cell::Cell::new(0u64);
    let done = match files {
        None => restore(&mut ledger, &args.paths[0], &progress, &committed).map(Done::Restored),
        Some(files) => import::import_reporting(
            &mut ledger,
            files,
            at,
            |r| progress.phase("appending", Some((r.parties_added + r.events_added) as u64)),
            |n| {
                committed.set(n);
                progress.set(n);
            },
        )
        .map(Done::Imported),
    };
    progress.finish();
    let done = match done {
        Ok(done) => done,
        Err(e) => {
            return Err(failed(
                e,
                ledger,
                created,
                committed.get(),
                notes,
                args.json,
            ));
        }
    };
    // Committed: a report that cannot be printed must not make the import look failed.
    if let Err(e) = print_report(&done, &ledger, args.json)
        && !e.is_closed()
    {
        errln!(
            "the import succeeded, but its report could not be printed: {}",
            e.message()
        );
    }
    Ok(Code::Ok)
}

/// The error of an import that failed: a store this run created is removed (only a
/// write that succeeds makes one), unless its folder was moved away (what is at the path
/// now is not this run's); records committed before the failure are counted.
fn failed(
    e: import::ImportError,
    ledger: Ledger<SledStore>,
    created: Option<super::Created>,
    committed: u64,
    notes: Vec<String>,
    json: bool,
) -> CliError {
    let moved = matches!(
        e,
        import::ImportError::Ledger(pactlog::LedgerError::Store(
            pactlog::StoreError::Moved { .. }
        ))
    );
    drop(ledger);
    let mut all = if json { notes } else { Vec::new() };
    match created {
        Some(created) if !moved => created.remove(),
        _ if committed > 0 => all.push(format!(
            "{committed} record{} of this import {} committed before the error (each batch \
             is durable once written); importing the same files again into the store adds \
             the rest",
            plural(committed as usize),
            if committed == 1 { "was" } else { "were" }
        )),
        _ => {}
    }
    CliError::from(e).with_notes(all)
}

/// Restores an export, showing its two readings on `progress` and counting the records
/// made durable in `committed`.
fn restore(
    ledger: &mut Ledger<SledStore>,
    path: &Path,
    progress: &Progress,
    committed: &std::cell::Cell<u64>,
) -> Result<import::RestoreReport, import::ImportError> {
    let mut appending = false;
    import::restore_reporting(ledger, path, |step| match step {
        import::Restoring::Checked(n) => progress.set(n),
        import::Restoring::Appended(n) => {
            committed.set(n);
            if !appending {
                appending = true;
                progress.phase("restoring", None);
            }
            progress.set(n);
        }
        _ => {}
    })
}

fn print_report(done: &Done, ledger: &Ledger<SledStore>, json: bool) -> Result<(), CliError> {
    let report = match done {
        Done::Restored(r) => {
            if json {
                outln!(
                    "{}",
                    serde_json::json!({"records": r.records, "appended": r.appended, "ledger_size": ledger.size(), "head": ledger.head().to_hex()})
                )?;
            } else {
                outln!(
                    "restored {} of {} records from the export",
                    r.appended,
                    r.records
                )?;
                outln!("ledger: {} records, head {}", ledger.size(), ledger.head())?;
            }
            return Ok(());
        }
        Done::Imported(report) => report,
    };
    if json {
        outln!("{}", json_line(&import_json(report, &ledger.head())))?;
    } else {
        outln!(
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
        )?;
        outln!("ledger: {} records, head {}", report.size, ledger.head())?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
