//! `pactlog log`: the events of the ledger, of one relationship or of one party.

use super::render::{event_json, json_text, log_table};
use super::{CliError, Code, Globals, party};
use clap::Args;
use pactlog::ledger::Filter;
use serde_json::json;

/// List events in date order (earliest possible day, then latest, then record order).
///
/// With --pair A B: the events of that relationship; with --party A: every event that
/// involves A. Parties may be named by id, name or alias, in any case
/// (`--pair MSFT openai`). Imprecise dates are shown as written (`2021`, `2025-12~`).
#[derive(Args, Debug)]
pub struct LogArgs {
    /// Only events involving both parties
    #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with = "party")]
    pair: Option<Vec<String>>,

    /// Only events involving this party
    #[arg(long, value_name = "A")]
    party: Option<String>,

    /// Print JSON (one array of events, with seq)
    #[arg(long)]
    json: bool,
}

pub fn run_log(g: &Globals, args: LogArgs) -> Result<Code, CliError> {
    let ledger = g.open_existing()?;
    let filter = match (&args.pair, &args.party) {
        (Some(p), _) => {
            let a = party(&ledger, &p[0])?;
            let b = party(&ledger, &p[1])?;
            if a == b {
                return Err(CliError::user(format!(
                    "--pair needs two different parties; both name {a}"
                )));
            }
            Filter::Pair(a, b)
        }
        (None, Some(p)) => Filter::Party(party(&ledger, p)?),
        (None, None) => Filter::All,
    };
    let events = ledger.log(&filter)?;
    if args.json {
        let items: Vec<_> = events
            .iter()
            .map(|l| {
                let mut v = event_json(&l.event);
                v["seq"] = json!(l.seq.get());
                v
            })
            .collect();
        println!("{}", json_text(&json!(items))?);
    } else if events.is_empty() {
        println!("no events");
    } else {
        print!("{}", log_table(&events));
    }
    Ok(Code::Ok)
}
