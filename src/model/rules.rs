//! What a well-formed party or event is, on its own: the rules every writer applies (an
//! import of event files, a restore of record bytes, a library caller), each in one
//! place, with one message.
//!
//! A value of the model's types can still break a rule: text that is empty, too long,
//! untidy or holds control characters; a name with invisible characters; an amount of
//! zero; a source that is not an http(s) address; a date that contradicts another date
//! of the same event (`disclosed` before the event, a term's `until` or a tranche's
//! `due` before its agreement or investment); a party, term key or reference given twice;
//! a payload that names nothing. [`party_flaws`] and [`event_flaws`] list every rule a
//! value breaks, each at its [`Place`], so that an import can name the line it is on.
//! Parsing an event file only types what it reads ([`super::tidy`] trims text); these
//! rules then decide. Rules that need other events (references, ids recorded before,
//! parties defined) are the ledger's validator's.

use super::text::{check_name, check_text, shorten};
use super::{EdtfDate, Event, Party, PartyId, Payload, Source, Term, Tranche, Until};
use std::collections::BTreeSet;
use std::fmt;

/// Longest summary, in characters.
pub const MAX_SUMMARY: usize = 2000;
/// Longest short text (titles, names, conditions, claims), in characters.
pub const MAX_SHORT: usize = 500;
/// Longest URL, in characters.
pub const MAX_URL: usize = 2000;
/// Most parties one event names. An event is listed under every pair of its parties,
/// so its cost grows with the square of this; a consortium larger than this is
/// recorded as several events.
pub const MAX_EVENT_PARTIES: usize = 64;
/// Most entries in any other list of one event or party (sources, tranches, terms,
/// `pays`, `ends`, `against`, `concerns`, aliases): far more than any one deal holds,
/// and small enough that checking one event stays cheap.
pub const MAX_EVENT_LIST: usize = 256;

/// The table of an event file a flaw is in: the `[[event]]` or `[[party]]` table itself,
/// or one of an event's nested tables (counted from 0, in the order written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// The event's or party's own table.
    Own,
    /// The n-th `[[event.source]]`.
    Source(usize),
    /// The n-th `[[event.tranche]]`.
    Tranche(usize),
    /// The n-th `[[event.term]]`.
    Term(usize),
}

/// Where a flaw is: a table, and the field at fault when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// The table.
    pub table: Table,
    /// The field's key in that table; `None` when the table as a whole is at fault.
    pub key: Option<&'static str>,
}

/// One broken rule: where, and what is wrong (naming the nested table, such as
/// `tranche 1: `, when it is in one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flaw {
    /// Where it is.
    pub place: Place,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The flaws found so far, in one table at a time.
struct Flaws {
    out: Vec<Flaw>,
    table: Table,
    /// How messages name the table (`tranche 1`), empty for the event's own.
    context: String,
}

impl Flaws {
    fn new() -> Flaws {
        Flaws {
            out: Vec::new(),
            table: Table::Own,
            context: String::new(),
        }
    }

    fn push(&mut self, key: Option<&'static str>, message: impl fmt::Display) {
        let message = if self.context.is_empty() {
            message.to_string()
        } else {
            format!("{}: {message}", self.context)
        };
        self.out.push(Flaw {
            place: Place {
                table: self.table,
                key,
            },
            message,
        });
    }

    fn at(&mut self, key: &'static str, message: impl fmt::Display) {
        self.push(Some(key), message);
    }

    /// The rules of a nested table, then back to the event's own.
    fn within(&mut self, table: Table, context: String, rules: impl FnOnce(&mut Flaws)) {
        self.table = table;
        self.context = context;
        rules(self);
        self.table = Table::Own;
        self.context.clear();
    }

    /// A free-text field (`key`), when present.
    fn text(&mut self, key: &'static str, text: Option<&str>, max: usize, multiline: bool) {
        if let Some(t) = text
            && let Err(e) = check_text(key, t, max, multiline)
        {
            self.at(key, e);
        }
    }

    /// Whether the list `key` (of `what`) holds at most `max` entries; a longer one is
    /// a flaw, and its entries are not checked one by one.
    fn bounded(&mut self, key: &'static str, len: usize, max: usize, what: &str) -> bool {
        if len > max {
            let advice = if key == "aliases" {
                "keep the names people use for the party"
            } else {
                "split it into several events"
            };
            self.at(
                key,
                format!(
                    "`{key}` holds {len} {what}; one event or party holds at most {max}: {advice}"
                ),
            );
        }
        len <= max
    }

    /// Items of the list `key` given more than once, each reported once.
    fn twice<T: Ord + fmt::Display>(&mut self, key: &'static str, items: &[T]) {
        let mut seen = BTreeSet::new();
        let mut reported = BTreeSet::new();
        for item in items {
            if !seen.insert(item) && reported.insert(item) {
                self.at(key, format!("`{key}` lists {item} twice"));
            }
        }
    }
}

/// Every rule the party `p` breaks: its name and aliases must be kept text
/// ([`check_name`]).
pub fn party_flaws(p: &Party) -> Vec<Flaw> {
    let mut f = Flaws::new();
    if let Err(e) = check_name("name", &p.name, MAX_SHORT) {
        f.at("name", e);
    }
    if !f.bounded("aliases", p.aliases.len(), MAX_EVENT_LIST, "aliases") {
        return f.out;
    }
    for alias in &p.aliases {
        if let Err(e) = check_name("alias", alias, MAX_SHORT) {
            f.at("aliases", e);
        }
    }
    f.out
}

/// Every rule the event `e` breaks on its own, in the order of its fields.
pub fn event_flaws(e: &Event) -> Vec<Flaw> {
    let (mut out, after) = event_flaws_apart(e);
    out.extend(parties_flaws(
        &e.parties,
        &e.payload.named_parties(),
        e.kind_name(),
    ));
    out.extend(after);
    out
}

/// The rules [`event_flaws`] checks, but those of `parties`: the flaws of the fields
/// before `parties`, and those of the fields after it. A validator that fills in the
/// parties of an event that names none checks [`parties_flaws`] of the parties filled
/// in between them, and finds what [`event_flaws`] finds of the filled-in event.
pub fn event_flaws_apart(e: &Event) -> (Vec<Flaw>, Vec<Flaw>) {
    let mut f = Flaws::new();
    if e.disclosed < e.date.earliest() {
        f.at(
            "disclosed",
            format!(
                "`disclosed` {} is before the event's earliest possible day {}",
                e.disclosed,
                e.date.earliest()
            ),
        );
    }
    f.text("summary", Some(&e.summary), MAX_SUMMARY, true);
    let before = std::mem::take(&mut f.out);
    if e.supersedes.as_ref() == Some(&e.id) {
        f.at("supersedes", "`supersedes` names the event itself");
    }
    if e.sources.is_empty() {
        f.push(
            None,
            "every event needs at least one [[event.source]] with a `url`",
        );
    }
    let sources = f.bounded("source", e.sources.len(), MAX_EVENT_LIST, "sources");
    for (i, s) in e.sources.iter().enumerate().filter(|_| sources) {
        f.within(Table::Source(i), format!("source {}", i + 1), |f| {
            source(f, s);
        });
    }
    payload(&mut f, e);
    if matches!(e.payload, Payload::Retraction) && e.supersedes.is_none() {
        f.push(
            None,
            "a retraction needs `supersedes = \"<the event it retracts>\"`",
        );
    }
    (before, f.out)
}

/// The rules of an event's `parties` (listing `parties`, its payload, of the kind
/// `kind`, naming `named`): sorted, without repeats, and holding every party the payload
/// names.
pub fn parties_flaws(parties: &[PartyId], named: &[PartyId], kind: &str) -> Vec<Flaw> {
    let mut f = Flaws::new();
    if !f.bounded("parties", parties.len(), MAX_EVENT_PARTIES, "parties") {
        return f.out;
    }
    f.twice("parties", parties);
    if let Some(w) = parties.windows(2).find(|w| w[0] > w[1]) {
        f.at(
            "parties",
            format!(
                "`parties` is not in id order ({} comes after {})",
                w[1], w[0]
            ),
        );
    }
    let listed: BTreeSet<&PartyId> = parties.iter().collect();
    for p in named {
        if !listed.contains(p) {
            f.at(
                "parties",
                format!("`parties` leaves out {p}, whom the {kind} names"),
            );
        }
    }
    f.out
}

/// A source's address is an http(s) URL without spaces; its publisher is kept text.
fn source(f: &mut Flaws, s: &Source) {
    match check_text("url", &s.url, MAX_URL, false) {
        Err(e) => f.at("url", e),
        Ok(()) => {
            let web = s.url.starts_with("https://") || s.url.starts_with("http://");
            if !web || s.url.len() <= 8 || s.url.contains(char::is_whitespace) {
                f.at(
                    "url",
                    format!(
                        "`url` {:?} must be an http(s) address without spaces",
                        shorten(&s.url)
                    ),
                );
            }
        }
    }
    f.text("publisher", s.publisher.as_deref(), MAX_SHORT, false);
}

/// The rules of each kind's payload.
fn payload(f: &mut Flaws, e: &Event) {
    match &e.payload {
        Payload::Investment { tranches } => {
            if !f.bounded("tranche", tranches.len(), MAX_EVENT_LIST, "tranches") {
                return;
            }
            for (i, t) in tranches.iter().enumerate() {
                let context = match &t.key {
                    Some(k) => format!("tranche {:?}", k.as_str()),
                    None => format!("tranche {}", i + 1),
                };
                f.within(Table::Tranche(i), context, |f| {
                    tranche(f, e, &tranches[..i], t);
                });
            }
        }
        Payload::Payment { pays } => {
            if pays.is_empty() {
                f.at(
                    "pays",
                    "a payment needs `pays = [\"event-id#tranche-key\", ...]`",
                );
            }
            if f.bounded("pays", pays.len(), MAX_EVENT_LIST, "tranches") {
                f.twice("pays", pays);
            }
        }
        Payload::Agreement { title, terms, ends } => {
            f.text("title", title.as_deref(), MAX_SHORT, false);
            let each = f.bounded("term", terms.len(), MAX_EVENT_LIST, "terms")
                & f.bounded("ends", ends.len(), MAX_EVENT_LIST, "terms");
            if !each {
                return;
            }
            for (i, t) in terms.iter().enumerate() {
                f.within(Table::Term(i), format!("term {:?}", t.key.as_str()), |f| {
                    term(f, e, &terms[..i], t);
                });
            }
            f.twice("ends", ends);
            if terms.is_empty() && ends.is_empty() {
                f.push(
                    None,
                    "an agreement needs at least one [[event.term]] or an `ends` list",
                );
            }
        }
        Payload::TermEnded { ends, reason } => {
            if ends.is_empty() {
                f.push(
                    None,
                    "a term-ended event needs `ends = [\"event-id#term-key\", ...]`",
                );
            }
            if f.bounded("ends", ends.len(), MAX_EVENT_LIST, "terms") {
                f.twice("ends", ends);
            }
            f.text("reason", reason.as_deref(), MAX_SHORT, false);
        }
        Payload::Legal { .. } => legal(f, &e.payload),
        Payload::Statement { concerns, .. } => {
            if f.bounded("concerns", concerns.len(), MAX_EVENT_LIST, "terms") {
                f.twice("concerns", concerns);
            }
        }
        Payload::ProductLaunch { product, .. } => {
            f.text("product", Some(product), MAX_SHORT, false);
        }
        Payload::Announcement | Payload::Restructuring | Payload::Retraction | Payload::Other => {}
    }
}

/// A legal step is against someone other than who takes it, closes a matter only with
/// a closing stage, and names each party and term once.
fn legal(f: &mut Flaws, payload: &Payload) {
    let Payload::Legal {
        by,
        against,
        stage,
        claim,
        resolves,
        concerns,
        ..
    } = payload
    else {
        return;
    };
    if against.is_empty() {
        f.at("against", "`against` is empty");
    }
    let listed = f.bounded("against", against.len(), MAX_EVENT_LIST, "parties")
        & f.bounded("concerns", concerns.len(), MAX_EVENT_LIST, "terms");
    if !listed {
        return;
    }
    if against.contains(by) {
        f.at("against", format!("`against` names {by}, who is also `by`"));
    }
    f.twice("against", against);
    f.text("claim", claim.as_deref(), MAX_SHORT, false);
    if resolves.is_some() && !stage.is_closing() {
        f.push(
            None,
            format!(
                "`resolves` needs a closing stage (settled, dismissed or withdrawn), not {}",
                stage.as_str()
            ),
        );
    }
    f.twice("concerns", concerns);
}

/// One tranche of the investment `e`, after the tranches `before` it.
fn tranche(f: &mut Flaws, e: &Event, before: &[Tranche], t: &Tranche) {
    if let Some(k) = &t.key
        && before.iter().any(|o| o.key.as_ref() == Some(k))
    {
        f.at(
            "key",
            format!("tranche key {:?} is used twice in this event", k.as_str()),
        );
    }
    if t.investor == t.investee {
        f.push(None, "investor and investee are the same party");
    }
    if let Err(err) = t.amount.check() {
        f.at("amount", err);
    }
    f.text("condition", t.condition.as_deref(), MAX_SHORT, false);
    if let (Some(l), None) = (&t.lapses, &t.condition) {
        f.at(
            "lapses",
            format!(
                "`lapses` {} needs a `condition`: only a condition that is not met \
                 lapses (a tranche without one is paid, or scheduled with `due`)",
                l.as_str()
            ),
        );
    }
    for (key, date) in [("due", &t.due), ("lapses", &t.lapses)] {
        if let Some(d) = date
            && let Some(problem) = money_date(e, key, d)
        {
            f.at(key, problem);
        }
    }
}

/// A `due` or `lapses` date must end somewhere, and not before the investment began.
fn money_date(e: &Event, key: &str, d: &EdtfDate) -> Option<String> {
    if d.has_open_end() {
        return Some(format!(
            "`{key}` {} has an open or unknown end: give the day or the period, like \
             \"2026-03-31\" or \"2026-04/2026-06\"",
            d.as_str()
        ));
    }
    (d.latest() < e.date.earliest()).then(|| {
        format!(
            "`{key}` {} ends on {}, before the investment's earliest day {} (`date` {}): \
             {}; check both dates",
            d.as_str(),
            d.latest(),
            e.date.earliest(),
            e.date.as_str(),
            if key == "due" {
                "money cannot be due before it is committed"
            } else {
                "a condition cannot lapse before it is agreed"
            }
        )
    })
}

/// One term of the agreement `e`, after the terms `before` it.
fn term(f: &mut Flaws, e: &Event, before: &[Term], t: &Term) {
    if before.iter().any(|o| o.key == t.key) {
        f.push(
            None,
            format!("term key {:?} is used twice in this event", t.key.as_str()),
        );
    }
    if t.grantor == t.holder {
        f.push(None, "grantor and holder are the same party");
    }
    if let Some(Err(err)) = t.amount.as_ref().map(|m| m.check()) {
        f.at("amount", err);
    }
    match &t.until {
        Some(Until::Date(end)) if end.latest() < e.date.earliest() => f.at(
            "until",
            format!(
                "`until` {} ends on {}, before the agreement's earliest day {} (`date` \
                 {}): a term cannot lapse before it is granted; check both dates",
                end.as_str(),
                end.latest(),
                e.date.earliest(),
                e.date.as_str()
            ),
        ),
        Some(Until::Condition(c)) => {
            if let Some(problem) = condition_problem(c) {
                f.at("until", problem);
            }
        }
        _ => {}
    }
}

/// What is wrong with the condition `c` of a term's `until`: text that reads as a date
/// is a date, and text that starts like one but is not one is a mistake, not a condition.
fn condition_problem(c: &str) -> Option<String> {
    if let Err(e) = check_text("until", c, MAX_SHORT, false) {
        return Some(e.to_string());
    }
    match EdtfDate::parse(c) {
        Ok(d) => Some(format!(
            "`until` {:?} is a date kept as a condition: a date is written as one",
            d.as_str()
        )),
        Err(e) if Until::looks_like_date(c) => Some(format!("`until`: {e}")),
        Err(_) => None,
    }
}
