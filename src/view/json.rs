//! Answers as JSON values: the schema of `--json` (DESIGN.md 4), the same bytes whether
//! the CLI prints them or the server sends them.

use pactlog::import::{ImportReport, Problem};
use pactlog::model::text::needs_escape;
use pactlog::model::{Event, LegalKind, LegalStage, Money, Payload, Term, Until};
use pactlog::{
    ChainHash, Conflict, ConflictAnswer, ConsistencyProof, Diff, DisputeState, Hash,
    InvestmentState, Logged, MoneyChange, Receipt, RelationshipState, Seq, StateAnswer, TermState,
    Timestamp, investment_totals,
};
use serde_json::{Value, json};

/// A JSON value as pretty-printed text that is safe on a terminal (see [`safe_json`]).
pub fn json_text(v: &Value) -> String {
    // INVARIANT: a `Value` always serializes (its map keys are strings, and writing to a
    // `String` cannot fail).
    safe_json(serde_json::to_string_pretty(v).expect("a JSON value serializes"))
}

/// A JSON value on one line, safe on a terminal (see [`safe_json`]).
pub fn json_line(v: &Value) -> String {
    // INVARIANT: as in `json_text`.
    safe_json(serde_json::to_string(v).expect("a JSON value serializes"))
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
/// with its status on the day and the events it rests on: the payment that paid it, the
/// report that its condition is met, the report of its missed payment.
pub fn investment_json(i: &InvestmentState) -> Value {
    let (amount, currency) = money_json(Some(i.amount));
    json!({
        "event": i.event, "key": i.key, "investor": i.investor, "investee": i.investee,
        "amount": amount, "currency": currency, "status": i.status.as_str(),
        "due": i.due.as_ref().map(|d| d.as_str()), "condition": i.condition,
        "lapses": i.lapses.as_ref().map(|d| d.as_str()), "paid_by": i.paid_by,
        "met_by": i.met_by, "missed_by": i.missed_by,
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

pub fn state_json(a: &StateAnswer) -> Value {
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

pub fn conflicts_json(a: &ConflictAnswer) -> Value {
    json!({
        "as_of": a.query.as_of.to_string(),
        "known_at": a.query.known_at.map(|d| d.to_string()),
        "at_size": a.query.at_size,
        "receipt": receipt_json(&a.receipt),
        "conflicts": a.conflicts.iter().map(conflict_json).collect::<Vec<_>>(),
    })
}

fn diff_relationships_json(d: &Diff) -> Vec<Value> {
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

/// `diff --json`: the two days, the receipt and each relationship's changes.
pub fn diff_json(receipt: &Receipt, d: &Diff) -> Value {
    json!({
        "from": d.from.to_string(),
        "to": d.to.to_string(),
        "receipt": receipt_json(receipt),
        "relationships": diff_relationships_json(d),
    })
}

/// `log --json`: each event as [`event_json`] with its record's seq.
pub fn log_json(events: &[Logged]) -> Value {
    let items: Vec<Value> = events
        .iter()
        .map(|l| {
            let mut v = event_json(&l.event);
            v["seq"] = json!(l.seq.get());
            v
        })
        .collect();
    Value::Array(items)
}

/// `show --json`: the event as [`event_json`] with its record's seq, chain hash and
/// recording time.
pub fn show_json(e: &Event, seq: Seq, hash: &ChainHash, recorded_at: &Timestamp) -> Value {
    let mut v = event_json(e);
    v["seq"] = json!(seq.get());
    v["hash"] = json!(hash.to_hex());
    v["recorded_at"] = json!(recorded_at.to_string());
    v
}

/// An error as JSON, the form the CLI prints under `--json` and the server sends:
/// `{"error": {"code": 1, "message": "...", "problems": [{"file", "line", "id",
/// "message"}], "notes": ["..."]}}`; `code` is the CLI's exit code.
pub fn error_json(code: u8, message: &str, problems: &[Problem], notes: &[String]) -> Value {
    let problems: Vec<Value> = problems.iter().map(problem_json).collect();
    json!({"error": {
        "code": code,
        "message": message,
        "problems": problems,
        "notes": notes,
    }})
}

/// One problem of an import as JSON: `{"file", "line", "id", "message"}`.
pub fn problem_json(p: &Problem) -> Value {
    json!({
        "file": p.file.display().to_string(),
        "line": p.line,
        "id": p.id,
        "message": p.message,
    })
}

/// `proof consistency --json`: both sizes and roots and the proof's hashes.
pub fn consistency_json(old: (u64, &Hash), new: (u64, &Hash), proof: &ConsistencyProof) -> Value {
    json!({
        "old_size": old.0, "old_root": old.1.to_string(),
        "new_size": new.0, "new_root": new.1.to_string(),
        "proof": proof.hashes.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

/// `import --json`: what an import added and skipped, and the ledger after it.
pub fn import_json(report: &ImportReport, head: &ChainHash) -> Value {
    json!({
        "files": report.files,
        "events_added": report.events_added,
        "events_skipped": report.events_skipped,
        "parties_added": report.parties_added,
        "parties_skipped": report.parties_skipped,
        "ledger_size": report.size,
        "head": head.to_hex(),
        "skipped_links": report.skipped.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}
