//! `pactlog state`: what was in force in each relationship on a day.

use super::csv::state_csv;
use super::format::{Format, FormatArgs};
use super::render::{dispute_json, investment_json, json_text, receipt_json, term_json};
use super::scope::ScopeArgs;
use super::{CliError, Code, Globals, parse_day};
use clap::Args;
use pactlog::model::{Day, escape};
use pactlog::{Query, QueryError, RelationshipState, StateAnswer, investment_totals};
use serde_json::{Value, json};

/// Show what was in force between parties on a day
///
/// Lists, per relationship, the terms in force, investments (paid and conditional),
/// open disputes, and the events that count.
///
/// Three time axes:
///   --as-of DAY     the day the state is for (valid time). An event counts when its
///                   latest possible day is on or before DAY; an event whose date range
///                   straddles DAY is listed as "possible", not counted.
///   --known-at DAY  only what had been disclosed by DAY ("what did the public know?").
///   --at-size N     only the ledger's first N records ("what did the ledger say then?").
/// A superseded event never counts once its successor exists under these filters.
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
    /// The day (YYYY-MM-DD)
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    as_of: Day,

    /// Only events disclosed on or before this day
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    known_at: Option<Day>,

    /// Only the ledger's first N records
    #[arg(long, value_name = "N")]
    at_size: Option<u64>,

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
    let query = Query {
        as_of: args.as_of,
        known_at: args.known_at,
        at_size: args.at_size,
    };
    let answer = ledger.state(query, &select).map_err(query_error)?;
    match format {
        Format::Json => outln!("{}", json_text(&state_json(&answer))?)?,
        Format::Csv => out!("{}", state_csv(&answer))?,
        Format::Table => out!("{}", state_text(&answer))?,
    }
    Ok(Code::Ok)
}

/// One relationship as JSON (the schema of DESIGN.md 4, plus totals).
pub fn relationship_json(r: &RelationshipState) -> Value {
    let totals: serde_json::Map<String, Value> = investment_totals(&r.investments)
        .into_iter()
        .map(|(cur, (paid, cond))| {
            (
                cur,
                json!({"paid": paid.to_string(), "conditional": cond.to_string()}),
            )
        })
        .collect();
    json!({
        "parties": [r.parties.0, r.parties.1],
        "status": r.status.as_str(),
        "terms": r.terms.iter().map(term_json).collect::<Vec<_>>(),
        "investments": r.investments.iter().map(investment_json).collect::<Vec<_>>(),
        "investment_totals": totals,
        "disputes": r.disputes.iter().map(dispute_json).collect::<Vec<_>>(),
        "events": r.events,
        "possible_events": r.possible_events,
    })
}

fn state_json(a: &StateAnswer) -> Value {
    json!({
        "as_of": a.query.as_of.to_string(),
        "known_at": a.query.known_at.map(|d| d.to_string()),
        "at_size": a.query.at_size,
        "receipt": receipt_json(&a.receipt),
        "relationships": a.relationships.iter().map(relationship_json).collect::<Vec<_>>(),
    })
}

/// The human-readable state.
pub fn state_text(a: &StateAnswer) -> String {
    let mut out = String::new();
    let mut axes = format!("as of {}", a.query.as_of);
    if let Some(k) = a.query.known_at {
        axes.push_str(&format!(", known at {k}"));
    }
    if let Some(n) = a.query.at_size {
        axes.push_str(&format!(", ledger at size {n}"));
    }
    out.push_str(&format!("State {axes}\n"));
    out.push_str(&format!(
        "receipt: {} records, head {}, root {}\n",
        a.receipt.ledger_size, a.receipt.head, a.receipt.root
    ));
    if a.relationships.is_empty() {
        out.push_str("\nno relationship has events by then\n");
    }
    let (full, shared): (Vec<&RelationshipState>, Vec<&RelationshipState>) = a
        .relationships
        .iter()
        .partition(|r| !r.terms.is_empty() || !r.investments.is_empty() || !r.disputes.is_empty());
    for r in full {
        out.push_str(&format!(
            "\n{} — {}  [{}]\n",
            r.parties.0,
            r.parties.1,
            r.status.as_str()
        ));
        if r.terms.is_empty() {
            out.push_str("  terms in force: none\n");
        } else {
            out.push_str("  terms in force:\n");
            for t in &r.terms {
                let excl = if t.exclusive {
                    "exclusive"
                } else {
                    "non-exclusive"
                };
                let until = match &t.until {
                    None => "no end date".to_string(),
                    Some(u) => format!("until {}", escape(&u.to_string())),
                };
                out.push_str(&format!(
                    "    {} {} -> {}  {}  {excl}  since {}, {until}  ({}#{})\n",
                    t.kind.as_str(),
                    t.grantor,
                    t.holder,
                    t.scope,
                    t.since,
                    t.event,
                    t.key
                ));
            }
        }
        if !r.investments.is_empty() {
            out.push_str("  investments:\n");
            for i in &r.investments {
                let how = match &i.condition {
                    None => "paid".to_string(),
                    Some(c) => format!("conditional: {}", escape(c)),
                };
                out.push_str(&format!(
                    "    {} -> {}  {}  {how}  ({})\n",
                    i.investor,
                    i.investee,
                    i.amount.short(),
                    i.event
                ));
            }
            for (cur, (paid, cond)) in investment_totals(&r.investments) {
                out.push_str(&format!(
                    "    total: {} paid, {} conditional\n",
                    amount(paid, &cur),
                    amount(cond, &cur)
                ));
            }
        }
        if r.disputes.is_empty() {
            out.push_str("  open disputes: none\n");
        } else {
            out.push_str("  open disputes:\n");
            for d in &r.disputes {
                let against: Vec<&str> = d.against.iter().map(|p| p.as_str()).collect();
                out.push_str(&format!(
                    "    {} against {}  stage {}  ({}, {})\n",
                    d.by,
                    against.join(", "),
                    d.stage.as_str(),
                    d.confidence.as_str(),
                    d.event
                ));
            }
        }
        out.push_str(&format!(
            "  events ({}): {}\n",
            r.events.len(),
            join_ids(&r.events)
        ));
        if !r.possible_events.is_empty() {
            out.push_str(&format!(
                "  possible ({}): {}\n",
                r.possible_events.len(),
                join_ids(&r.possible_events)
            ));
        }
    }
    if !shared.is_empty() {
        out.push_str(&format!(
            "\n{} more pair{} share events but have no terms, money or disputes in force:\n",
            shared.len(),
            if shared.len() == 1 { "" } else { "s" }
        ));
        for r in shared {
            let possible = match r.possible_events.len() {
                0 => String::new(),
                n => format!(" (+{n} possible)"),
            };
            out.push_str(&format!(
                "  {} — {}: {}{possible}\n",
                r.parties.0,
                r.parties.1,
                join_ids(&r.events)
            ));
        }
    }
    out
}

/// A total in the short form (`15B USD`) when it fits the money type.
fn amount(units: u128, currency: &str) -> String {
    match (
        u64::try_from(units),
        pactlog::model::Currency::new(currency),
    ) {
        (Ok(0), _) => format!("0 {currency}"),
        (Ok(units), Ok(currency)) => pactlog::model::Money { units, currency }.short(),
        _ => format!("{units} {currency}"),
    }
}

fn join_ids(ids: &[pactlog::model::EventId]) -> String {
    ids.iter()
        .map(|i| i.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
