//! `pactlog diff`: what changed in each relationship between two days.

use super::csv::diff_csv;
use super::format::{Format, FormatArgs};
use super::render::{
    dispute_json, investment_json, json_text, money_change_json, receipt_json, term_json,
    tranche_name, tranche_status_text,
};
use super::scope::ScopeArgs;
use super::state::query_error;
use super::{CliError, Code, Globals, parse_day};
use clap::Args;
use pactlog::model::Day;
use pactlog::{Diff, TermChange};
use serde_json::{Value, json};

/// Show what changed between two days
///
/// Terms that started, ended or lapsed, money added (with its status at the later day),
/// tranches whose status changed (scheduled to paid, scheduled to overdue, conditional
/// to lapsed...), disputes opened or closed, and the events that came to count in
/// between, per relationship.
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
        let v = json!({
            "from": diff.from.to_string(),
            "to": diff.to.to_string(),
            "receipt": receipt_json(&receipt),
            "relationships": diff_json(&diff),
        });
        outln!("{}", json_text(&v)?)?;
    } else {
        out!("{}", diff_text(&diff))?;
    }
    Ok(Code::Ok)
}

fn diff_json(d: &Diff) -> Vec<Value> {
    d.relationships
        .iter()
        .map(|r| {
            json!({
                "parties": [r.parties.0, r.parties.1],
                "status": {"from": r.status.0.as_str(), "to": r.status.1.as_str()},
                "terms": r.terms.iter().map(|(c, t)| {
                    let mut v = term_json(t);
                    v["change"] = json!(c.as_str());
                    v
                }).collect::<Vec<_>>(),
                "investments_added": r.investments_added.iter().map(investment_json).collect::<Vec<_>>(),
                "money": r.money.iter().map(money_change_json).collect::<Vec<_>>(),
                "disputes_opened": r.disputes_opened.iter().map(dispute_json).collect::<Vec<_>>(),
                "disputes_closed": r.disputes_closed.iter().map(dispute_json).collect::<Vec<_>>(),
                "events": r.events,
            })
        })
        .collect()
}

fn diff_text(d: &Diff) -> String {
    let mut out = format!("Changes from {} to {}\n", d.from, d.to);
    if d.relationships.is_empty() {
        out.push_str("\nnothing changed\n");
    }
    for r in &d.relationships {
        out.push_str(&format!("\n{} — {}", r.parties.0, r.parties.1));
        if r.status.0 != r.status.1 {
            out.push_str(&format!(
                "  [{} -> {}]",
                r.status.0.as_str(),
                r.status.1.as_str()
            ));
        }
        out.push('\n');
        for (c, t) in &r.terms {
            let sign = if *c == TermChange::Started { "+" } else { "-" };
            let excl = if t.exclusive {
                "exclusive"
            } else {
                "non-exclusive"
            };
            out.push_str(&format!(
                "  {sign} term {}: {} {} -> {} {} {excl}  ({}#{})\n",
                c.as_str(),
                t.kind.as_str(),
                t.grantor,
                t.holder,
                t.scope,
                t.event,
                t.key
            ));
        }
        for i in &r.investments_added {
            out.push_str(&format!(
                "  + money: {} -> {} {} {}  ({})\n",
                i.investor,
                i.investee,
                i.amount.short(),
                tranche_status_text(i),
                tranche_name(i)
            ));
        }
        for c in &r.money {
            let t = &c.tranche;
            out.push_str(&format!(
                "  ~ money: {} -> {} {} {} -> {}  ({})\n",
                t.investor,
                t.investee,
                t.amount.short(),
                c.from.as_str(),
                tranche_status_text(t),
                tranche_name(t)
            ));
        }
        for x in &r.disputes_opened {
            out.push_str(&format!(
                "  + dispute opened: {} ({}, {})  ({})\n",
                x.by,
                x.stage.as_str(),
                x.confidence.as_str(),
                x.event
            ));
        }
        for x in &r.disputes_closed {
            out.push_str(&format!("  - dispute closed: {} ({})\n", x.by, x.event));
        }
        for e in &r.events {
            out.push_str(&format!("  event {e}\n"));
        }
    }
    out
}
