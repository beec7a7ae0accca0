//! `pactlog log`: the events of the ledger, of one relationship or of one party.

use super::render::{event_json, json_text, log_table};
use super::scope::ScopeArgs;
use super::{CliError, Code, Globals};
use clap::Args;
use serde_json::json;

/// List events in date order
///
/// Events are ordered by their earliest possible day, then their latest, then record
/// order. With --pair A B: the events of that relationship; with --party A: every event that
/// involves A. Parties may be named by id, name or alias, in any case
/// (`--pair MSFT openai`). Imprecise dates are shown as written (`2021`, `2025-12~`).
///
/// Examples:
///   pactlog log
///   pactlog log --pair microsoft openai
///   pactlog log --party MSFT --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct LogArgs {
    #[command(flatten)]
    scope: ScopeArgs,

    /// Print JSON (one array of events, with seq)
    #[arg(long)]
    json: bool,
}

pub fn run_log(g: &Globals, args: LogArgs) -> Result<Code, CliError> {
    let ledger = g.open_existing()?;
    let events = ledger.log(&args.scope.select(&ledger)?)?;
    if args.json {
        let items: Vec<_> = events
            .iter()
            .map(|l| {
                let mut v = event_json(&l.event);
                v["seq"] = json!(l.seq.get());
                v
            })
            .collect();
        outln!("{}", json_text(&json!(items))?)?;
    } else if events.is_empty() {
        outln!("no events")?;
    } else {
        out!("{}", log_table(&events))?;
    }
    Ok(Code::Ok)
}
