//! `pactlog state`: what was in force in each relationship on a day.

use super::format::{Format, FormatArgs};
use super::scope::{AxesArgs, ScopeArgs};
use super::{CliError, Code, Globals};
use crate::view::csv::state_csv;
use crate::view::json::{json_text, state_json};
use crate::view::text::state_text;
use clap::Args;
use pactlog::QueryError;

/// Show what was in force between parties on a day
///
/// Lists, per relationship, the terms in force (marked when in a conflict), investments
/// with where their money stands (paid, scheduled, unreported, overdue, conditional or
/// lapsed) and totals per currency and status, open disputes, and the events that count.
///
/// Three time axes:
///   --as-of DAY     the day the state is for (valid time). An event counts when its
///                   latest possible day is on or before DAY; an event whose date range
///                   straddles DAY is listed as "possible", not counted.
///   --known-at DAY  only what had been disclosed by DAY ("what did the public know?").
///   --at-size N     only the ledger's first N records ("what did the ledger say then?").
/// A superseded event never counts once its successor exists under these filters.
///
/// A tranche is paid when a counted payment pays it (or it has neither due date nor
/// condition), scheduled before its due date's last day, unreported (due, payment not
/// reported) from then on, conditional while no report says its condition is met, and
/// lapsed after its lapse date. It is overdue only when a report says so: a statement or
/// legal event naming the tranche in `concerns`, dated after the money fell due (a
/// report on a conditional tranche says its condition is met).
///
/// The receipt (ledger size, head hash, Merkle root) names the ledger prefix the answer
/// comes from: the same prefix and query give the same bytes.
///
/// Examples:
///   pactlog state --as-of 2026-03-01 --pair microsoft openai
///   pactlog state --as-of 2022-06-01 --known-at 2022-06-01 --party MSFT --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct StateArgs {
    #[command(flatten)]
    axes: AxesArgs,

    #[command(flatten)]
    scope: ScopeArgs,

    #[command(flatten)]
    format: FormatArgs,
}

pub fn query_error(e: QueryError) -> CliError {
    match e {
        QueryError::Ledger(l) => l.into(),
        other => CliError::user(other.to_string()),
    }
}

pub fn run_state(g: &Globals, args: StateArgs) -> Result<Code, CliError> {
    let format = args.format.format()?;
    let ledger = g.open_existing()?;
    let select = args.scope.select(&ledger)?;
    let answer = ledger
        .state(args.axes.query(), &select)
        .map_err(query_error)?;
    match format {
        Format::Json => outln!("{}", json_text(&state_json(&answer)))?,
        Format::Csv => out!("{}", state_csv(&answer))?,
        Format::Table => out!("{}", state_text(&answer))?,
    }
    Ok(Code::Ok)
}
