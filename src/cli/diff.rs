//! `pactlog diff`: what changed in each relationship between two days.

use super::format::{Format, FormatArgs};
use super::scope::ScopeArgs;
use super::state::query_error;
use super::{CliError, Code, Globals, parse_day};
use crate::view::csv::diff_csv;
use crate::view::json::{diff_json, json_text};
use crate::view::text::diff_text;
use clap::Args;
use pactlog::model::Day;

/// Show what changed between two days
///
/// Terms that started, ended or lapsed, money added (with its status at the later day),
/// tranches whose status changed (scheduled to paid, scheduled to unreported, unreported
/// to overdue, conditional to lapsed...), disputes opened or closed, and the events that
/// came to count in between, per relationship.
///
/// Per relationship: terms that started, ended or lapsed, money added (paid and
/// conditional), disputes opened or closed, and the events that came to count in
/// between.
///
/// Examples:
///   pactlog diff --from 2026-02-01 --to 2026-04-01 --pair microsoft openai
///   pactlog diff --from 2025-01-01 --to 2026-01-01 --party openai --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct DiffArgs {
    /// The earlier day (YYYY-MM-DD)
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    from: Day,

    /// The later day (YYYY-MM-DD)
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    to: Day,

    #[command(flatten)]
    scope: ScopeArgs,

    #[command(flatten)]
    format: FormatArgs,
}

pub fn run_diff(g: &Globals, args: DiffArgs) -> Result<Code, CliError> {
    let format = args.format.format()?;
    let ledger = g.open_existing()?;
    let select = args.scope.select(&ledger)?;
    let (receipt, diff) = ledger
        .diff(args.from, args.to, &select)
        .map_err(query_error)?;
    if format == Format::Csv {
        out!("{}", diff_csv(&diff))?;
    } else if format == Format::Json {
        outln!("{}", json_text(&diff_json(&receipt, &diff)))?;
    } else {
        out!("{}", diff_text(&diff))?;
    }
    Ok(Code::Ok)
}
