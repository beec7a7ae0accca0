//! Answers as text for people: tables and indented blocks, input escaped for a terminal.

use pactlog::model::escape;
use pactlog::{
    Conflict, ConflictAnswer, ConsistencyProof, Diff, Hash, InvestmentState, Logged, MoneyStatus,
    Query, Receipt, RelationshipState, StateAnswer, TermChange, TermState, investment_totals,
};

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

/// `event#key` for a tranche with a key, else the event id.
pub fn tranche_name(i: &InvestmentState) -> String {
    match &i.key {
        Some(k) => format!("{}#{k}", i.event),
        None => i.event.to_string(),
    }
}

/// A tranche's status with what it rests on: `paid`, `paid by ID`, `scheduled, due
/// DATE`, `unreported, due DATE (no payment reported)`, `overdue, due DATE (missed
/// payment reported by ID)`, `conditional: TEXT (lapses DATE)`, `lapsed DATE: TEXT`; a
/// condition reported met reads `condition met per ID` in place of the due date.
pub fn tranche_status_text(i: &InvestmentState) -> String {
    let due = match (&i.met_by, &i.due) {
        (Some(m), _) => format!(", condition met per {m}"),
        (None, Some(d)) => format!(", due {d}"),
        (None, None) => String::new(),
    };
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
        MoneyStatus::Unreported => format!("unreported{due} (no payment reported)"),
        MoneyStatus::Overdue => match &i.missed_by {
            Some(m) => format!("overdue{due} (missed payment reported by {m})"),
            None => format!("overdue{due}"),
        },
        MoneyStatus::Conditional => match lapses {
            Some(l) => format!("conditional{condition} (lapses {l})"),
            None => format!("conditional{condition}"),
        },
        MoneyStatus::Lapsed => format!("lapsed {}{condition}", lapses.unwrap_or_default()),
    }
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

/// One block per conflict, one line per field.
pub fn conflicts_text(a: &ConflictAnswer) -> String {
    let mut out = answer_heading("Conflicts", &a.query, &a.receipt);
    if a.conflicts.is_empty() {
        out.push_str("\nno conflicts between terms in force\n");
    }
    for (n, c) in a.conflicts.iter().enumerate() {
        out.push_str(&format!("\nconflict {}: {}\n", n + 1, c.kind.as_str()));
        match &c.grantor {
            Some(g) => out.push_str(&format!("  grantor   {g}\n")),
            None => out.push_str("  grantor   (the terms have different grantors)\n"),
        }
        for t in &c.terms {
            out.push_str(&format!("  term      {}\n", term_line(t)));
        }
        if c.disputes.is_empty() {
            out.push_str("  disputes  none\n");
        }
        for d in &c.disputes {
            let stage = d.stage.map_or("statement", |s| s.as_str());
            let open = match d.open {
                Some(true) => "open",
                Some(false) => "closed",
                None => "-",
            };
            out.push_str(&format!(
                "  dispute   {} by {}  stage {stage}  confidence {}  {open}\n",
                d.event,
                d.by,
                d.confidence.as_str()
            ));
        }
    }
    out
}

pub fn diff_text(d: &Diff) -> String {
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

/// A consistency proof as text: a header line, `old SIZE ROOT`, `new SIZE ROOT`, then
/// one base64 hash per line.
pub fn consistency_text(old: (u64, &Hash), new: (u64, &Hash), proof: &ConsistencyProof) -> String {
    let mut out = format!(
        "pactlog consistency proof\nold {} {}\nnew {} {}\n",
        old.0, old.1, new.0, new.1
    );
    for h in &proof.hashes {
        out.push_str(&format!("{h}\n"));
    }
    out
}
