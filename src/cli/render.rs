//! Shared rendering: plain tables for people, JSON values for machines.

use pactlog::model::Event;
use pactlog::{DisputeState, InvestmentState, Logged, Receipt, TermState};
use serde_json::{Value, json};

/// A left-aligned text table; the last column is not padded.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let n = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        for r in std::iter::once(&self.header).chain(self.rows.iter()) {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate() {
                if i + 1 == r.len() {
                    line.push_str(c);
                } else {
                    line.push_str(&format!("{:<w$}  ", c, w = widths[i]));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Shortens text to `max` characters, marking the cut.
pub fn clip(s: &str, max: usize) -> String {
    let one_line = s.replace('\n', " ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut out: String = one_line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// One event as a JSON object (every field; kind-specific fields under `payload`).
pub fn event_json(e: &Event) -> Value {
    json!({
        "id": e.id,
        "date": e.date.as_str(),
        "earliest": e.date.earliest().to_string(),
        "latest": e.date.latest().to_string(),
        "disclosed": e.disclosed.to_string(),
        "kind": e.kind_name(),
        "confidence": e.confidence.as_str(),
        "parties": e.parties,
        "summary": e.summary,
        "supersedes": e.supersedes,
        "payload": serde_json::to_value(&e.payload).unwrap_or(Value::Null),
        "sources": serde_json::to_value(&e.sources).unwrap_or(Value::Null),
    })
}

/// The log table.
pub fn log_table(events: &[Logged]) -> String {
    let mut t = Table::new(&["DATE", "KIND", "CONFIDENCE", "PARTIES", "ID", "SUMMARY"]);
    for l in events {
        let e = &l.event;
        let parties: Vec<&str> = e.parties.iter().map(|p| p.as_str()).collect();
        t.row(vec![
            e.date.as_str().to_string(),
            e.kind_name().to_string(),
            e.confidence.as_str().to_string(),
            clip(&parties.join(","), 40),
            e.id.to_string(),
            clip(&e.summary, 70),
        ]);
    }
    t.render()
}

/// A term in force, as JSON.
pub fn term_json(t: &TermState) -> Value {
    json!({
        "event": t.event, "key": t.key, "type": t.kind.as_str(), "grantor": t.grantor,
        "holder": t.holder, "scope": t.scope, "exclusive": t.exclusive,
        "amount": t.amount.map(|a| a.units.to_string()),
        "currency": t.amount.map(|a| a.currency.to_string()),
        "since": t.since, "until": t.until.as_ref().map(ToString::to_string),
    })
}

/// An investment tranche, as JSON (amounts as decimal strings: they can exceed 2^53).
pub fn investment_json(i: &InvestmentState) -> Value {
    json!({
        "event": i.event, "investor": i.investor, "investee": i.investee,
        "amount": i.amount.units.to_string(), "currency": i.amount.currency.to_string(),
        "condition": i.condition,
    })
}

/// A dispute, as JSON.
pub fn dispute_json(d: &DisputeState) -> Value {
    json!({
        "event": d.event, "by": d.by, "against": d.against, "stage": d.stage.as_str(),
        "confidence": d.confidence.as_str(),
    })
}

/// A receipt, as JSON.
pub fn receipt_json(r: &Receipt) -> Value {
    json!({"ledger_size": r.ledger_size, "head": r.head.to_hex(), "root": r.root.to_string()})
}
