//! `pactlog conflicts`: terms in force that collide on a day, and the claims about them.

use super::scope::{AxesArgs, ScopeArgs};
use super::state::query_error;
use super::{CliError, Code, Globals};
use crate::view::json::{conflicts_json, json_text};
use crate::view::text::conflicts_text;
use clap::Args;

/// List terms in force that collide on a day, with the claims about them
///
/// Kinds, each between two terms in force on --as-of:
///   overlap    same grantor, different holders, at least one exclusive, and scopes
///              equal or one a prefix of the other segment by segment (cloud.api
///              overlaps cloud.api.stateless, not cloud.apis);
///   contested  named together in the `concerns` of one legal event or statement that
///              counts, whatever their scopes (the parties disagree on whether they
///              collide); a settled claim still shows, marked closed;
///   adjacent   both exclusive, same grantor, different holders, sibling scopes
///              (cloud.api.stateless and cloud.api.stateful): not a collision by the
///              paths, but where disputes come from.
/// Each conflict lists every legal event or statement that names either term, with its
/// stage, confidence and whether it is still open (a statement is neither: "-").
///
/// The time axes (--as-of, --known-at, --at-size) and the receipt are those of `state`.
/// With --pair or --party, a conflict is listed when either term's grantor and holder
/// are selected. Exits 0 whether or not there are conflicts.
///
/// Examples:
///   pactlog conflicts --as-of 2026-03-20 --party openai
///   pactlog conflicts --as-of 2026-03-20 --known-at 2026-03-01 --pair openai amazon --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ConflictsArgs {
    #[command(flatten)]
    axes: AxesArgs,

    #[command(flatten)]
    scope: ScopeArgs,

    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run_conflicts(g: &Globals, args: ConflictsArgs) -> Result<Code, CliError> {
    let ledger = g.open_existing()?;
    let select = args.scope.select(&ledger)?;
    let answer = ledger
        .conflicts(args.axes.query(), &select)
        .map_err(query_error)?;
    if args.json {
        outln!("{}", json_text(&conflicts_json(&answer)))?;
    } else {
        out!("{}", conflicts_text(&answer))?;
    }
    Ok(Code::Ok)
}
