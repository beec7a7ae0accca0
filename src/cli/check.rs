//! `pactlog check`: every check of an import, against the current ledger, writing nothing.

use super::{CliError, Code, Globals, is_empty_dir};
use crate::view::json::json_line;
use crate::view::json::problem_json;
use clap::Args;
use pactlog::import::{self, Files, ImportError, Plan};
use pactlog::{Ledger, MemoryStore, Store};
use serde_json::json;
use std::path::PathBuf;

/// Check event files as `import` would, without writing anything
///
/// Runs every check of `pactlog import` (syntax, fields, dates, amounts, party names,
/// references between events, ids already in the ledger) against the current ledger,
/// and prints the same problems, as `file:line: id: what is wrong`. Nothing is written:
/// where no store exists, the files are checked as if imported into an empty ledger,
/// and no store is created. Exit 0 when every file checks out, 1 when there is a problem.
///
/// Exports (*.jsonl) are not checked here: restore one into a scratch store instead.
///
/// As a git pre-commit hook, for people who curate events/ (save as
/// .git/hooks/pre-commit and make it executable):
///   #!/bin/sh
///   # Refuse a commit whose event files would not import.
///   exec pactlog check events/
///
/// Examples:
///   pactlog check events/
///   pactlog check events/amazon-openai.toml --json
///   pactlog --store ledger.db check new-events/
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CheckArgs {
    /// Files or folders (folders are read recursively for *.toml)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Print the result as JSON on standard output: {"ok", "files", "events", "parties",
    /// "events_new", "parties_new", "problems": [{"file", "line", "id", "message"}],
    /// "problems_total", "skipped_links"}. Each file lists its first 100 problems and
    /// then one saying how many more it has; "problems_total" counts them all.
    #[arg(long)]
    json: bool,
}

pub fn run_check(g: &Globals, args: CheckArgs) -> Result<Code, CliError> {
    if import::is_export(&args.paths) {
        return Err(CliError::user(format!(
            "{} is an export: check reads event files (*.toml); to check an export, \
             restore it into a scratch store (pactlog --store scratch.db import FILE)",
            args.paths[0].display()
        )));
    }
    let files = import::collect_files(&args.paths)?;
    let file_count = files.files.len();
    let notes: Vec<String> = files.skipped.iter().map(ToString::to_string).collect();
    if !args.json {
        for note in &notes {
            errln!("note: {note}");
        }
    }
    // Where no store is, an empty ledger in memory: checking creates nothing.
    let planned = if g.store.exists() && !is_empty_dir(&g.store) {
        plan(&g.open_existing()?, files)
    } else {
        plan(&Ledger::open(MemoryStore::new())?, files)
    };
    let (plan, problems) = match planned {
        Ok(plan) => (Some(plan), import::Problems::default()),
        Err(ImportError::Invalid(problems)) => (None, problems),
        Err(other) => return Err(other.into()),
    };
    if args.json {
        outln!(
            "{}",
            json_line(&report_json(file_count, plan.as_ref(), &problems, &notes))
        )?;
        return Ok(if problems.is_empty() {
            Code::Ok
        } else {
            Code::User
        });
    }
    match plan {
        Some(plan) => {
            let r = plan.checked.report();
            let events = r.events_added + r.events_skipped;
            outln!(
                "{} file{}, {} event{} and {} part{} checked: no problems ({} new event{}, {} already recorded)",
                plan.files,
                plural(plan.files),
                events,
                plural(events),
                r.parties_added + r.parties_skipped,
                if r.parties_added + r.parties_skipped == 1 {
                    "y"
                } else {
                    "ies"
                },
                r.events_added,
                plural(r.events_added),
                r.events_skipped,
            )?;
            Ok(Code::Ok)
        }
        None => {
            let total = problems.total();
            let message = format!("{total} problem{} found", plural(total));
            Err(CliError {
                problems: problems.into_vec(),
                ..CliError::user(message)
            })
        }
    }
}

/// Reads and checks the files against `ledger` ([`import::plan_files`]).
fn plan<S: Store>(ledger: &Ledger<S>, files: Files) -> Result<Plan, ImportError> {
    import::plan_files(ledger, files)
}

/// The `--json` result (counts of events and parties only when every file checks out).
fn report_json(
    files: usize,
    plan: Option<&Plan>,
    problems: &import::Problems,
    notes: &[String],
) -> serde_json::Value {
    let r = plan.map(|p| p.checked.report()).unwrap_or_default();
    let total = problems.total();
    let problems: Vec<_> = problems.iter().map(problem_json).collect();
    json!({
        "ok": problems.is_empty(),
        "problems_total": total,
        "files": files,
        "events": plan.map(|_| r.events_added + r.events_skipped),
        "parties": plan.map(|_| r.parties_added + r.parties_skipped),
        "events_new": plan.map(|_| r.events_added),
        "parties_new": plan.map(|_| r.parties_added),
        "problems": problems,
        "skipped_links": notes,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
