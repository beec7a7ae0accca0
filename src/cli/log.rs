//! `pactlog log`: the events of the ledger, of one relationship or of one party.

use super::format::{Format, FormatArgs};
use super::scope::ScopeArgs;
use super::{CliError, Code, Globals, parse_day};
use crate::view::csv::log_csv;
use crate::view::json::{json_text, log_json};
use crate::view::text::log_table;
use clap::Args;
use clap::builder::PossibleValuesParser;
use pactlog::model::{Confidence, Day, Payload};
use pactlog::{FilterError, LogFilter};

/// List events in date order
///
/// Events are ordered by their earliest possible day, then their latest, then record
/// order. With --pair A B: the events of that relationship; with --party A: every event
/// that involves A. Parties may be named by id, name or alias, in any case
/// (`--pair MSFT openai`). Imprecise dates are shown as written (`2021`, `2025-12~`).
///
/// Filters combine (an event must pass each one given):
///   --kind K          its kind is K (repeat, or separate with commas, for any of several)
///   --confidence C    its confidence is C (repeatable as --kind)
///   --since DAY       it may have happened on or after DAY: its latest day >= DAY
///   --until DAY       it may have happened on or before DAY: its earliest day <= DAY
/// So --since and --until keep every event whose date range meets [since, until]: an
/// event dated `2025` is in `--since 2025-06-01 --until 2025-06-30`.
///
/// Examples:
///   pactlog log
///   pactlog log --pair microsoft openai
///   pactlog log --party MSFT --json
///   pactlog log --kind investment,agreement --since 2025-01-01 --until 2025-12-31
///   pactlog log --confidence rumor --confidence reported --format csv > unconfirmed.csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct LogArgs {
    #[command(flatten)]
    scope: ScopeArgs,

    /// Only events of this kind (repeatable; or a comma-separated list)
    #[arg(long, value_name = "KIND", value_delimiter = ',',
          value_parser = PossibleValuesParser::new(Payload::KINDS))]
    kind: Vec<String>,

    /// Only events of this confidence (repeatable; or a comma-separated list)
    #[arg(long, value_name = "C", value_delimiter = ',',
          value_parser = PossibleValuesParser::new(CONFIDENCES.map(Confidence::as_str)))]
    confidence: Vec<String>,

    /// Only events whose latest possible day is on or after DAY
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    since: Option<Day>,

    /// Only events whose earliest possible day is on or before DAY
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    until: Option<Day>,

    #[command(flatten)]
    format: FormatArgs,
}

/// Every confidence, for `--confidence`.
const CONFIDENCES: [Confidence; 3] = [
    Confidence::Confirmed,
    Confidence::Reported,
    Confidence::Rumor,
];

impl LogArgs {
    /// The filters given.
    fn filter(&self) -> LogFilter {
        LogFilter {
            kinds: self.kind.clone(),
            confidences: CONFIDENCES
                .into_iter()
                .filter(|c| self.confidence.iter().any(|x| x == c.as_str()))
                .collect(),
            since: self.since,
            until: self.until,
        }
    }
}

pub fn run_log(g: &Globals, args: LogArgs) -> Result<Code, CliError> {
    let format = args.format.format()?;
    let filter = args.filter();
    filter.check().map_err(|e| match e {
        FilterError::Inverted { since, until } => CliError::user(format!(
            "--since {since} is after --until {until}: no event can match"
        )),
        other => CliError::user(other.to_string()),
    })?;
    let ledger = g.open_existing()?;
    let mut events = ledger.log(&args.scope.select(&ledger)?)?;
    events.retain(|l| filter.keeps(&l.event));
    match format {
        Format::Json => outln!("{}", json_text(&log_json(&events)))?,
        Format::Csv => out!("{}", log_csv(&events))?,
        Format::Table if events.is_empty() => outln!("no events")?,
        Format::Table => out!("{}", log_table(&events))?,
    }
    Ok(Code::Ok)
}
