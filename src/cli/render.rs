//! Shared rendering: plain tables for people, JSON values for machines.

use super::CliError;
use pactlog::model::text::needs_escape;
use pactlog::model::{Event, LegalKind, LegalStage, Money, Payload, Term, Until, escape};
use pactlog::{
    Conflict, DisputeState, InvestmentState, Logged, MoneyChange, MoneyStatus, Query, Receipt,
    TermState,
};
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

/// Shortens text from input to `max` characters, marking the cut, after escaping it
/// ([`escape`]: one line, nothing a terminal acts on).
pub fn clip(s: &str, max: usize) -> String {
    let one_line = escape(s).into_owned();
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut out: String = one_line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A JSON value as pretty-printed text that is safe on a terminal (see [`safe_json`]).
pub fn json_text(v: &Value) -> Result<String, CliError> {
    serde_json::to_string_pretty(v)
        .map(safe_json)
        .map_err(|e| CliError::internal(e.to_string()))
}

/// A JSON value on one line, safe on a terminal (see [`safe_json`]).
pub fn json_line(v: &Value) -> Result<String, CliError> {
    serde_json::to_string(v)
        .map(safe_json)
        .map_err(|e| CliError::internal(e.to_string()))
}

/// JSON text with every character that [`needs_escape`] inside its strings written as a
/// `\uXXXX` escape (a surrogate pair beyond U+FFFF): the same JSON value, but DEL, C1
/// controls, bidi and other invisible formatting characters cannot act on a terminal.
/// serde_json already escapes the C0 controls inside strings; outside them it writes
/// only ASCII punctuation, digits, letters, spaces and line breaks, so a line break is
/// the one character to keep.
fn safe_json(text: String) -> String {
    if !text.chars().any(|c| needs_escape(c) && c != '\n') {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) && c != '\n' {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
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
        "payload": payload_json(&e.payload),
        "sources": serde_json::to_value(&e.sources).unwrap_or(Value::Null),
    })
}

/// "amount" and "currency" of an optional amount: the units as a decimal string (they
/// can exceed 2^53, beyond what a JSON number keeps exactly) and the code; both null
/// without an amount. Every amount in every JSON output has this form.
fn money_json(m: Option<Money>) -> (Value, Value) {
    match m {
        Some(m) => (json!(m.units.to_string()), json!(m.currency.as_str())),
        None => (Value::Null, Value::Null),
    }
}

/// What an event's kind carries, as JSON: the record's own shape (one key, the kind, with
/// its fields; kinds without fields as a bare string), with amounts as in [`money_json`].
fn payload_json(p: &Payload) -> Value {
    let (kind, fields) = match p {
        Payload::Announcement | Payload::Restructuring | Payload::Retraction | Payload::Other => {
            return json!(p.kind_name());
        }
        Payload::Investment { tranches } => {
            let tranches: Vec<Value> = tranches
                .iter()
                .map(|t| {
                    let (amount, currency) = money_json(Some(t.amount));
                    json!({"key": t.key, "investor": t.investor, "investee": t.investee,
                           "amount": amount, "currency": currency,
                           "due": t.due.as_ref().map(|d| d.as_str()),
                           "condition": t.condition,
                           "lapses": t.lapses.as_ref().map(|d| d.as_str())})
                })
                .collect();
            ("investment", json!({ "tranches": tranches }))
        }
        Payload::Payment { pays } => ("payment", json!({ "pays": pays })),
        Payload::Agreement { title, terms, ends } => {
            let terms: Vec<Value> = terms.iter().map(term_record_json).collect();
            (
                "agreement",
                json!({"title": title, "terms": terms, "ends": ends}),
            )
        }
        Payload::TermEnded { ends, reason } => {
            ("term-ended", json!({"ends": ends, "reason": reason}))
        }
        Payload::Legal {
            kind,
            by,
            against,
            stage,
            claim,
            resolves,
            concerns,
        } => {
            let kind = match kind {
                LegalKind::Threat => "threat",
                LegalKind::Action => "action",
            };
            let fields = json!({"kind": kind, "by": by, "against": against,
                                "stage": stage.as_str(), "claim": claim, "resolves": resolves,
                                "concerns": concerns});
            ("legal", fields)
        }
        Payload::Statement {
            by,
            about,
            concerns,
        } => (
            "statement",
            json!({"by": by, "about": about, "concerns": concerns}),
        ),
        Payload::ProductLaunch { by, product, stage } => (
            "product-launch",
            json!({"by": by, "product": product, "stage": stage.as_str()}),
        ),
    };
    json!({ kind: fields })
}

/// A term as an agreement records it (`until` as `{"date": ...}` or `{"condition": ...}`).
fn term_record_json(t: &Term) -> Value {
    let (amount, currency) = money_json(t.amount);
    let until = t.until.as_ref().map(|u| match u {
        Until::Date(d) => json!({"date": d.as_str()}),
        Until::Condition(c) => json!({ "condition": c }),
    });
    json!({"key": t.key, "kind": t.kind.as_str(), "grantor": t.grantor, "holder": t.holder,
           "scope": t.scope, "exclusive": t.exclusive, "amount": amount, "currency": currency,
           "until": until})
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
    let (amount, currency) = money_json(t.amount);
    json!({
        "event": t.event, "key": t.key, "type": t.kind.as_str(), "grantor": t.grantor,
        "holder": t.holder, "scope": t.scope, "exclusive": t.exclusive,
        "amount": amount, "currency": currency,
        "since": t.since, "until": t.until.as_ref().map(ToString::to_string),
    })
}

/// An investment tranche, as JSON (amounts as decimal strings: they can exceed 2^53),
/// with its status on the day and the payment that paid it, if one did.
pub fn investment_json(i: &InvestmentState) -> Value {
    let (amount, currency) = money_json(Some(i.amount));
    json!({
        "event": i.event, "key": i.key, "investor": i.investor, "investee": i.investee,
        "amount": amount, "currency": currency, "status": i.status.as_str(),
        "due": i.due.as_ref().map(|d| d.as_str()), "condition": i.condition,
        "lapses": i.lapses.as_ref().map(|d| d.as_str()), "paid_by": i.paid_by,
    })
}

/// A tranche whose status changed between two days, as JSON.
pub fn money_change_json(c: &MoneyChange) -> Value {
    let t = &c.tranche;
    let (amount, currency) = money_json(Some(t.amount));
    json!({
        "event": t.event, "key": t.key, "investor": t.investor, "investee": t.investee,
        "amount": amount, "currency": currency, "from": c.from.as_str(),
        "to": t.status.as_str(),
    })
}

/// `event#key` for a tranche with a key, else the event id.
pub fn tranche_name(i: &InvestmentState) -> String {
    match &i.key {
        Some(k) => format!("{}#{k}", i.event),
        None => i.event.to_string(),
    }
}

/// A tranche's status with what it waits for: `paid`, `paid by ID`, `scheduled, due
/// DATE`, `overdue, due DATE`, `conditional: TEXT (lapses DATE)`, `lapsed DATE: TEXT`.
pub fn tranche_status_text(i: &InvestmentState) -> String {
    let due = i
        .due
        .as_ref()
        .map(|d| format!(", due {d}"))
        .unwrap_or_default();
    let condition = i
        .condition
        .as_ref()
        .map(|c| format!(": {}", escape(c)))
        .unwrap_or_default();
    let lapses = i.lapses.as_ref().map(ToString::to_string);
    match i.status {
        MoneyStatus::Paid => match &i.paid_by {
            Some(p) => format!("paid by {p}"),
            None => "paid".to_string(),
        },
        MoneyStatus::Scheduled => format!("scheduled{due}"),
        MoneyStatus::Overdue => format!("overdue{due} (no payment recorded)"),
        MoneyStatus::Conditional => match lapses {
            Some(l) => format!("conditional{condition} (lapses {l})"),
            None => format!("conditional{condition}"),
        },
        MoneyStatus::Lapsed => format!("lapsed {}{condition}", lapses.unwrap_or_default()),
    }
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

/// A conflict, as JSON: kind, grantor (null when a contest joins terms of different
/// grantors), both terms as [`term_json`], and every claim about them.
pub fn conflict_json(c: &Conflict) -> Value {
    let disputes: Vec<Value> = c
        .disputes
        .iter()
        .map(|d| {
            json!({
                "event": d.event, "by": d.by, "stage": d.stage.map(LegalStage::as_str),
                "confidence": d.confidence.as_str(), "open": d.open,
            })
        })
        .collect();
    json!({
        "kind": c.kind.as_str(),
        "grantor": c.grantor,
        "terms": c.terms.iter().map(term_json).collect::<Vec<_>>(),
        "disputes": disputes,
    })
}

/// The first lines of a query's answer: `what` with the time axes, then the receipt.
pub fn answer_heading(what: &str, query: &Query, receipt: &Receipt) -> String {
    let mut axes = format!("as of {}", query.as_of);
    if let Some(k) = query.known_at {
        axes.push_str(&format!(", known at {k}"));
    }
    if let Some(n) = query.at_size {
        axes.push_str(&format!(", ledger at size {n}"));
    }
    format!(
        "{what} {axes}\nreceipt: {} records, head {}, root {}\n",
        receipt.ledger_size, receipt.head, receipt.root
    )
}

/// A term on one line: type, grantor and holder, scope, exclusivity, since and until
/// (escaped: a condition is free text), then `(event#key)`.
pub fn term_line(t: &TermState) -> String {
    let excl = if t.exclusive {
        "exclusive"
    } else {
        "non-exclusive"
    };
    let until = match &t.until {
        None => "no end date".to_string(),
        Some(u) => format!("until {}", escape(&u.to_string())),
    };
    format!(
        "{} {} -> {}  {}  {excl}  since {}, {until}  ({}#{})",
        t.kind.as_str(),
        t.grantor,
        t.holder,
        t.scope,
        t.since,
        t.event,
        t.key
    )
}
