//! `pactlog state`: what was in force in each relationship on a day.

use super::csv::state_csv;
use super::format::{Format, FormatArgs};
use super::render::{
    answer_heading, conflict_json, dispute_json, investment_json, json_text, receipt_json,
    term_json, term_line, tranche_name, tranche_status_text,
};
use super::scope::{AxesArgs, ScopeArgs};
use super::{CliError, Code, Globals};
use clap::Args;
use pactlog::{
    Conflict, InvestmentState, QueryError, RelationshipState, StateAnswer, TermState,
    investment_totals,
};
use serde_json::{Value, json};

/// Show what was in force between parties on a day
///
/// Lists, per relationship, the terms in force (marked when in a conflict), investments
/// with where their money stands (paid, scheduled, overdue, conditional or lapsed) and
/// totals per currency and status, open disputes, and the events that count.
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
/// condition), scheduled before its due date's last day, overdue from then on with no
/// payment, conditional while its condition is unmet, and lapsed after its lapse date.
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
        Format::Json => outln!("{}", json_text(&state_json(&answer))?)?,
        Format::Csv => out!("{}", state_csv(&answer))?,
        Format::Table => out!("{}", state_text(&answer))?,
    }
    Ok(Code::Ok)
}

/// One relationship as JSON (the schema of DESIGN.md 4, plus totals and the conflicts
/// of `conflicts` that touch it).
pub fn relationship_json(r: &RelationshipState, conflicts: &[Conflict]) -> Value {
    let conflicts: Vec<Value> = conflicts
        .iter()
        .filter(|c| c.touches(&r.parties))
        .map(conflict_json)
        .collect();
    let totals: serde_json::Map<String, Value> = investment_totals(&r.investments)
        .into_iter()
        .map(|(cur, by_status)| {
            let by_status: serde_json::Map<String, Value> = by_status
                .into_iter()
                .map(|(status, units)| (status.as_str().to_string(), json!(units.to_string())))
                .collect();
            (cur, Value::Object(by_status))
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
        "conflicts": conflicts,
    })
}

fn state_json(a: &StateAnswer) -> Value {
    json!({
        "as_of": a.query.as_of.to_string(),
        "known_at": a.query.known_at.map(|d| d.to_string()),
        "at_size": a.query.at_size,
        "receipt": receipt_json(&a.receipt),
        "relationships": a
            .relationships
            .iter()
            .map(|r| relationship_json(r, &a.conflicts))
            .collect::<Vec<_>>(),
    })
}

/// The human-readable state.
pub fn state_text(a: &StateAnswer) -> String {
    let mut out = answer_heading("State", &a.query, &a.receipt);
    if a.relationships.is_empty() {
        out.push_str("\nno relationship has events by then\n");
    }
    let (full, shared): (Vec<&RelationshipState>, Vec<&RelationshipState>) = a
        .relationships
        .iter()
        .partition(|r| !r.terms.is_empty() || !r.investments.is_empty() || !r.disputes.is_empty());
    for r in full {
        out.push_str(&relationship_text(r, &a.conflicts));
    }
    if !shared.is_empty() {
        out.push_str(&shared_text(&shared));
    }
    out
}

/// One relationship with something in force: terms, money, disputes, events.
fn relationship_text(r: &RelationshipState, conflicts: &[Conflict]) -> String {
    let mut out = format!(
        "\n{} — {}  [{}]\n",
        r.parties.0,
        r.parties.1,
        r.status.as_str()
    );
    if r.terms.is_empty() {
        out.push_str("  terms in force: none\n");
    } else {
        out.push_str("  terms in force:\n");
        for t in &r.terms {
            out.push_str(&format!("    {}\n", term_line(t)));
            out.push_str(&conflict_marks(t, conflicts));
        }
    }
    if !r.investments.is_empty() {
        out.push_str(&investments_text(&r.investments));
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
    out
}

/// Each tranche with its status, then one total line per currency:
/// `total: 10B USD paid, 20B USD scheduled`.
fn investments_text(investments: &[InvestmentState]) -> String {
    let mut out = String::from("  investments:\n");
    for i in investments {
        out.push_str(&format!(
            "    {} -> {}  {}  {}  ({})\n",
            i.investor,
            i.investee,
            i.amount.short(),
            tranche_status_text(i),
            tranche_name(i)
        ));
    }
    for (cur, by_status) in investment_totals(investments) {
        let parts: Vec<String> = by_status
            .into_iter()
            .map(|(status, units)| format!("{} {}", amount(units, &cur), status.as_str()))
            .collect();
        out.push_str(&format!("    total: {}\n", parts.join(", ")));
    }
    out
}

/// Pairs that only share events, listed compactly.
fn shared_text(shared: &[&RelationshipState]) -> String {
    let mut out = format!(
        "\n{} more pair{} share events but have no terms, money or disputes in force:\n",
        shared.len(),
        if shared.len() == 1 { "" } else { "s" }
    );
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
    out
}

/// One line per conflict the term `t` is in: the kind and the other term.
fn conflict_marks(t: &TermState, conflicts: &[Conflict]) -> String {
    let mut out = String::new();
    for c in conflicts {
        let [a, b] = &c.terms;
        let other = if (&a.event, &a.key) == (&t.event, &t.key) {
            b
        } else if (&b.event, &b.key) == (&t.event, &t.key) {
            a
        } else {
            continue;
        };
        out.push_str(&format!(
            "      conflict: {} with {}#{} ({} -> {}, {})\n",
            c.kind.as_str(),
            other.event,
            other.key,
            other.grantor,
            other.holder,
            other.scope
        ));
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
