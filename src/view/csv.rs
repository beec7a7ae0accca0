//! CSV output (RFC 4180) for spreadsheets: `log`, `state` and `diff` with `--format csv`.
//!
//! Every table starts with a header row; records end with CRLF; a field holding a comma,
//! a double quote, CR or LF is quoted, its quotes doubled. Fields are data, written as
//! they are, with two exceptions:
//! - Characters a terminal would act on or hide (ESC and the other controls, a carriage
//!   return, a tab, bidi controls such as U+202E, U+2028 and U+2029, zero-width
//!   characters) are written as text output writes them, by [`escape`]: `\u{1b}`,
//!   `\r`, `\t`, `\u{202e}`. A line break stays a line break (the field is quoted),
//!   as spreadsheets read it. So `--format csv` printed on a terminal cannot move the
//!   cursor, clear the screen or reorder a line; `--format json` keeps such text
//!   exactly (JSON escapes it).
//! - A field beginning with `=`, `+`, `-` or `@` gets a leading `'`: spreadsheets run
//!   such a cell as a formula, and text from event files must not become one (CSV
//!   injection). The same rule applies to every field, so a reader can undo it by
//!   dropping that quote.
//!
//! `state` and `diff` print one row per term, investment and dispute (in `diff`, per
//! change), with a `section` column saying which; columns that do not apply to a row
//! are empty. Relationships with none of these have no row (`--format json` lists their
//! events).

use pactlog::model::text::needs_escape;
use pactlog::model::{Event, escape};
use pactlog::{
    Diff, DisputeState, InvestmentState, Logged, RelationshipState, StateAnswer, TermState,
};
use std::borrow::Cow;

/// A CSV document being written.
pub struct Csv {
    text: String,
}

impl Csv {
    /// A document that starts with the header row `header`.
    pub fn new(header: &[&str]) -> Csv {
        let mut csv = Csv {
            text: String::new(),
        };
        csv.row(header.iter().copied());
        csv
    }

    /// Adds one record.
    pub fn row<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) {
        for (i, field) in fields.into_iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            push_field(&mut self.text, field);
        }
        self.text.push_str("\r\n");
    }

    /// The document.
    pub fn finish(self) -> String {
        self.text
    }
}

/// Writes one field: escaped for a terminal (line breaks kept), defused against
/// formulas, then quoted when it must be.
fn push_field(out: &mut String, field: &str) {
    let escaped;
    let field = if field.chars().any(|c| needs_escape(c) && c != '\n') {
        let lines: Vec<Cow<'_, str>> = field.split('\n').map(escape).collect();
        escaped = lines.join("\n");
        escaped.as_str()
    } else {
        field
    };
    let defused = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = field.contains([',', '"', '\r', '\n']);
    if quoted {
        out.push('"');
    }
    if defused {
        out.push('\'');
    }
    if quoted {
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// `log --format csv`: one row per event.
pub fn log_csv(events: &[Logged]) -> String {
    let mut csv = Csv::new(&[
        "seq",
        "date",
        "earliest",
        "latest",
        "disclosed",
        "kind",
        "confidence",
        "parties",
        "id",
        "supersedes",
        "summary",
    ]);
    for l in events {
        let e: &Event = &l.event;
        let parties: Vec<&str> = e.parties.iter().map(|p| p.as_str()).collect();
        csv.row([
            l.seq.get().to_string().as_str(),
            e.date.as_str(),
            &e.date.earliest().to_string(),
            &e.date.latest().to_string(),
            &e.disclosed.to_string(),
            e.kind_name(),
            e.confidence.as_str(),
            &parties.join(";"),
            e.id.as_str(),
            e.supersedes.as_ref().map_or("", |s| s.as_str()),
            &e.summary,
        ]);
    }
    csv.finish()
}

/// The columns of a term, an investment or a dispute, shared by `state` and `diff`. A
/// tranche fills `key` (its key in the investment, when it has one) and the money
/// columns: its status on the day (`paid`, `scheduled`, `overdue`, `conditional`,
/// `lapsed`), `due`, `lapses` and the payment that paid it (`paid_by`).
const ITEM_COLUMNS: [&str; 17] = [
    "event",
    "key",
    "type",
    "from",
    "to",
    "scope",
    "exclusive",
    "amount",
    "currency",
    "condition",
    "since",
    "until",
    "stage",
    "money_status",
    "due",
    "lapses",
    "paid_by",
];

/// A row's [`ITEM_COLUMNS`].
type Cells = [String; 17];

/// A term's [`ITEM_COLUMNS`] (from = grantor, to = holder).
fn term_cells(t: &TermState) -> Cells {
    let mut cells: Cells = Default::default();
    cells[0] = t.event.to_string();
    cells[1] = t.key.to_string();
    cells[2] = t.kind.as_str().to_string();
    cells[3] = t.grantor.to_string();
    cells[4] = t.holder.to_string();
    cells[5] = t.scope.to_string();
    cells[6] = t.exclusive.to_string();
    cells[7] = t.amount.map_or_else(String::new, |m| m.units.to_string());
    cells[8] = t
        .amount
        .map_or_else(String::new, |m| m.currency.as_str().to_string());
    cells[10] = t.since.clone();
    cells[11] = t
        .until
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    cells
}

/// An investment tranche's [`ITEM_COLUMNS`] (from = investor, to = investee).
fn investment_cells(i: &InvestmentState) -> Cells {
    let mut cells: Cells = Default::default();
    cells[0] = i.event.to_string();
    cells[1] = i.key.as_ref().map_or_else(String::new, ToString::to_string);
    cells[3] = i.investor.to_string();
    cells[4] = i.investee.to_string();
    cells[7] = i.amount.units.to_string();
    cells[8] = i.amount.currency.as_str().to_string();
    cells[9] = i.condition.clone().unwrap_or_default();
    cells[13] = i.status.as_str().to_string();
    cells[14] = i.due.as_ref().map_or_else(String::new, ToString::to_string);
    cells[15] = i
        .lapses
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    cells[16] = i
        .paid_by
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    cells
}

/// A dispute's [`ITEM_COLUMNS`] (from = by, to = against, `;`-separated).
fn dispute_cells(d: &DisputeState) -> Cells {
    let against: Vec<&str> = d.against.iter().map(|p| p.as_str()).collect();
    let mut cells: Cells = Default::default();
    cells[0] = d.event.to_string();
    cells[3] = d.by.to_string();
    cells[4] = against.join(";");
    cells[12] = d.stage.as_str().to_string();
    cells
}

/// `state --format csv`: one row per term, investment and dispute of each relationship.
pub fn state_csv(a: &StateAnswer) -> String {
    let mut header = vec!["as_of", "party_a", "party_b", "status", "section"];
    header.extend(ITEM_COLUMNS);
    header.push("confidence");
    let mut csv = Csv::new(&header);
    let as_of = a.query.as_of.to_string();
    for r in &a.relationships {
        let mut row = |section: &str, cells: Cells, confidence: &str| {
            let lead = [as_of.as_str(), r.parties.0.as_str(), r.parties.1.as_str()];
            let lead = lead.into_iter().chain([r.status.as_str(), section]);
            csv.row(
                lead.chain(cells.iter().map(String::as_str))
                    .chain([confidence]),
            );
        };
        rows(r, &mut row);
    }
    csv.finish()
}

/// The rows of one relationship's state, through `row(section, cells, confidence)`.
fn rows(r: &RelationshipState, row: &mut impl FnMut(&str, Cells, &str)) {
    for t in &r.terms {
        row("term", term_cells(t), "");
    }
    for i in &r.investments {
        row("investment", investment_cells(i), "");
    }
    for d in &r.disputes {
        row("dispute", dispute_cells(d), d.confidence.as_str());
    }
}

/// `diff --format csv`: one row per change (a term started, lapsed or ended; money
/// added, or a tranche whose status changed; a dispute opened or closed) of each
/// relationship. A status change is a `money` row: `money_status` is the status at
/// `to_day`, `money_status_from` the one at `from_day`.
pub fn diff_csv(d: &Diff) -> String {
    let mut header = vec![
        "from_day",
        "to_day",
        "party_a",
        "party_b",
        "status_from",
        "status_to",
        "section",
    ];
    header.extend(ITEM_COLUMNS);
    header.extend(["confidence", "money_status_from"]);
    let mut csv = Csv::new(&header);
    let (from, to) = (d.from.to_string(), d.to.to_string());
    for r in &d.relationships {
        let mut row = |section: &str, cells: Cells, confidence: &str, was: &str| {
            let lead = [from.as_str(), to.as_str(), r.parties.0.as_str()];
            let lead = lead.into_iter().chain([
                r.parties.1.as_str(),
                r.status.0.as_str(),
                r.status.1.as_str(),
            ]);
            let lead = lead.chain([section]);
            csv.row(
                lead.chain(cells.iter().map(String::as_str))
                    .chain([confidence, was]),
            );
        };
        for (change, t) in &r.terms {
            row(&format!("term-{}", change.as_str()), term_cells(t), "", "");
        }
        for i in &r.investments_added {
            row("investment-added", investment_cells(i), "", "");
        }
        for m in &r.money {
            row("money", investment_cells(&m.tranche), "", m.from.as_str());
        }
        for x in &r.disputes_opened {
            row(
                "dispute-opened",
                dispute_cells(x),
                x.confidence.as_str(),
                "",
            );
        }
        for x in &r.disputes_closed {
            row(
                "dispute-closed",
                dispute_cells(x),
                x.confidence.as_str(),
                "",
            );
        }
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::Csv;

    /// Text a terminal would act on or hide is escaped as text output escapes it; a line
    /// break is kept (quoted).
    #[test]
    fn fields_never_print_terminal_controls_bidi_or_invisible_characters_raw() {
        let mut csv = Csv::new(&["a"]);
        csv.row(["\u{1b}[2Jfake\r"]);
        csv.row(["Acme\u{202e}Corp\u{2028}x\u{200b}y\u{feff}"]);
        csv.row(["one\ntwo\u{7}"]);
        csv.row(["\tlead"]);
        let text = csv.finish();
        assert_eq!(
            text,
            "a\r\n\\u{1b}[2Jfake\\r\r\nAcme\\u{202e}Corp\\u{2028}x\\u{200b}y\\u{feff}\r\n\
             \"one\ntwo\\u{7}\"\r\n\\tlead\r\n"
        );
        let raw = text.replace("\r\n", "").replace('\n', "");
        assert!(
            !raw.chars().any(pactlog::model::text::needs_escape),
            "{text:?}"
        );
    }

    #[test]
    fn fields_are_quoted_and_defused_as_rfc_4180_and_owasp_say() {
        let mut csv = Csv::new(&["a", "b"]);
        csv.row(["plain", "with, comma"]);
        csv.row(["say \"hi\"", "two\nlines"]);
        csv.row(["=1+1", "-2, \"x\""]);
        csv.row(["", "@sum"]);
        assert_eq!(
            csv.finish(),
            "a,b\r\nplain,\"with, comma\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n\
             '=1+1,\"'-2, \"\"x\"\"\"\r\n,'@sum\r\n"
        );
    }
}
