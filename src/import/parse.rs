//! Event and party tables -> typed [`Event`]s and [`Party`]s, every problem collected.

use super::Problem;
use super::fields::{Fields, Lines};
use crate::model::{
    Confidence, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Money, Party, PartyId,
    PartyRegistry, Payload, ProductStage, Scope, Source, Term, TermKey, TermRef, TermType, Tranche,
    TrancheRef, Until, a_kind, check_name, check_text, shorten,
};
use std::path::Path;
use toml::de::DeTable;

/// Longest summary, in characters.
pub const MAX_SUMMARY: usize = 2000;
/// Longest short text (titles, names, conditions, claims), in characters.
pub const MAX_SHORT: usize = 500;
/// Longest URL, in characters.
pub const MAX_URL: usize = 2000;

const COMMON: &str = "id, date, disclosed, kind, summary, confidence, parties, supersedes, source";

/// An event as read from a file, with where it came from.
#[derive(Clone, Debug)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// The file it came from.
    pub file: std::path::PathBuf,
    /// The line of its table header.
    pub line: usize,
}

/// Reads one `[[party]]` table.
pub(crate) fn party(
    file: &Path,
    lines: &Lines,
    line: usize,
    table: &DeTable<'_>,
) -> (Option<Party>, Vec<Problem>) {
    let mut f = Fields::new(file, lines, line, table);
    let id = f.req_str("id").and_then(|(s, l)| match PartyId::new(&s) {
        Ok(id) => Some(id),
        Err(e) => {
            f.problem_at(l, e.to_string());
            None
        }
    });
    f.id = id.as_ref().map(ToString::to_string);
    let name = f
        .req_str("name")
        .and_then(|(s, l)| match check_name("name", &s, MAX_SHORT) {
            Ok(name) => Some(name),
            Err(e) => {
                f.problem_at(l, e.to_string());
                None
            }
        });
    let aliases = match f.opt_str_list("aliases") {
        None => Vec::new(),
        Some((list, l)) => {
            let mut out = Vec::new();
            for a in list {
                match check_name("alias", &a, MAX_SHORT) {
                    Ok(a) => out.push(a),
                    Err(e) => f.problem_at(l, e.to_string()),
                }
            }
            out
        }
    };
    f.finish(" (a party has id, name, aliases)");
    let party = match (id, name) {
        (Some(id), Some(name)) if f.problems.is_empty() => Some(Party { id, name, aliases }),
        _ => None,
    };
    (party, f.problems)
}

fn text(f: &mut Fields<'_, '_>, key: &'static str, max: usize, required: bool) -> Option<String> {
    let (s, line) = if required {
        f.req_str(key)?
    } else {
        f.opt_str(key)?
    };
    match check_text(key, &s, max, key == "summary") {
        Ok(s) => Some(s),
        Err(e) => {
            f.problem_at(line, e.to_string());
            None
        }
    }
}

fn resolve(
    f: &mut Fields<'_, '_>,
    reg: &PartyRegistry,
    name: &str,
    line: usize,
) -> Option<PartyId> {
    match reg.resolve(name) {
        Ok(id) => Some(id),
        Err(e) => {
            f.problem_at(line, e.to_string());
            None
        }
    }
}

fn party_field(f: &mut Fields<'_, '_>, reg: &PartyRegistry, key: &'static str) -> Option<PartyId> {
    let (name, line) = f.req_str(key)?;
    resolve(f, reg, &name, line)
}

fn event_id_field(f: &mut Fields<'_, '_>, key: &'static str) -> Option<EventId> {
    let (s, line) = f.opt_str(key)?;
    match EventId::new(&s) {
        Ok(id) => Some(id),
        Err(e) => {
            f.problem_at(line, format!("`{key}`: {e}"));
            None
        }
    }
}

fn money_field(f: &mut Fields<'_, '_>, key: &'static str, required: bool) -> Option<Money> {
    if required && !f.has(key) {
        f.problem(format!("missing `{key}`"));
        return None;
    }
    let (s, line) = f.opt_str_hinted(
        key,
        ": write the amount and its currency as text, like \"15000000000 USD\" or \"15B USD\"",
    )?;
    match Money::parse(&s) {
        Ok(m) => Some(m),
        Err(e) => {
            f.problem_at(line, e.to_string());
            None
        }
    }
}

/// A list of term references (`ends`, `concerns`), and whether it named anything at all
/// (valid or not), so that a bad entry is reported once rather than also as a missing
/// list.
fn term_refs(f: &mut Fields<'_, '_>, key: &'static str) -> (Vec<TermRef>, bool) {
    references(f, key, TermRef::parse)
}

/// A list of `event-id#key` references under `key` (`ends`, `concerns`, `pays`), each
/// parsed by `parse`, and whether it named anything at all (valid or not).
fn references<R: PartialEq + std::fmt::Display>(
    f: &mut Fields<'_, '_>,
    key: &'static str,
    parse: fn(&str) -> Result<R, crate::model::ModelError>,
) -> (Vec<R>, bool) {
    let reported = f.problems.len();
    let Some((list, line)) = f.opt_str_list(key) else {
        return (Vec::new(), f.problems.len() > reported);
    };
    let named = !list.is_empty();
    let mut out = Vec::new();
    for s in list {
        match parse(&s) {
            Ok(r) if !out.contains(&r) => out.push(r),
            Ok(r) => f.problem_at(line, format!("`{key}` lists {r} twice")),
            Err(e) => f.problem_at(line, e.to_string()),
        }
    }
    (out, named)
}

/// An optional EDTF date field of a nested table (`due`, `lapses`).
fn edtf_field(f: &mut Fields<'_, '_>, key: &'static str) -> Option<EdtfDate> {
    let (s, line) = f.opt_date_text(key)?;
    match EdtfDate::parse(&s) {
        Ok(d) => Some(d),
        Err(e) => {
            f.problem_at(line, format!("`{key}`: {e}"));
            None
        }
    }
}

/// The `[[event.tranche]]` tables of an investment. The rules that relate tranches to
/// each other and to the event (keys once, dates, `lapses` with a condition) are the
/// validator's.
fn tranches(f: &mut Fields<'_, '_>, reg: &PartyRegistry) -> Vec<Tranche> {
    let mut out = Vec::new();
    for (i, (table, tline)) in f.opt_tables("tranche").into_iter().enumerate() {
        let mut t = f.nested(table, tline, format!("tranche {}", i + 1));
        let key = t.opt_str("key").and_then(|(s, l)| match TermKey::new(&s) {
            Ok(k) => Some(k),
            Err(e) => {
                t.problem_at(l, format!("`key`: {e}"));
                None
            }
        });
        if let Some(k) = &key {
            t.context = format!("tranche {:?}", k.as_str());
        }
        let investor = party_field(&mut t, reg, "investor");
        let investee = party_field(&mut t, reg, "investee");
        let amount = money_field(&mut t, "amount", true);
        let due = edtf_field(&mut t, "due");
        let condition = text(&mut t, "condition", MAX_SHORT, false);
        let lapses = edtf_field(&mut t, "lapses");
        if investor.is_some() && investor == investee {
            t.problem("investor and investee are the same party");
        }
        t.finish(" (a tranche has key, investor, investee, amount, due, condition, lapses)");
        let ok = t.problems.is_empty();
        f.problems.append(&mut t.problems);
        if let (Some(investor), Some(investee), Some(amount), true) =
            (investor, investee, amount, ok)
        {
            out.push(Tranche {
                key,
                investor,
                investee,
                amount,
                due,
                condition,
                lapses,
            });
        }
    }
    out
}

/// Reads one `[[event]]` table. Parties named in the payload are resolved through `reg`.
/// The event's `parties` may still be empty here: the checks fill them from the events it
/// refers to, or report the omission.
pub(crate) fn event(
    file: &Path,
    lines: &Lines,
    line: usize,
    table: &DeTable<'_>,
    reg: &PartyRegistry,
) -> (Option<Event>, Vec<Problem>) {
    let mut f = Fields::new(file, lines, line, table);
    let id = event_id(&mut f);
    f.id = Some(
        id.as_ref()
            .map_or_else(|| "(no id)".to_string(), ToString::to_string),
    );

    let date = f
        .req_date_text("date")
        .and_then(|(s, l)| match EdtfDate::parse(&s) {
            Ok(d) => Some((d, l)),
            Err(e) => {
                f.problem_at(l, format!("`date`: {e}"));
                None
            }
        });
    let disclosed = disclosed(&mut f, date.as_ref());
    let date = date.map(|(d, _)| d);
    let summary = text(&mut f, "summary", MAX_SUMMARY, true);
    let confidence = confidence(&mut f);
    let mut parties = listed_parties(&mut f, reg);
    let supersedes = event_id_field(&mut f, "supersedes");
    if let (Some(s), Some(id)) = (&supersedes, &id)
        && s == id
    {
        f.problem("`supersedes` names the event itself");
    }
    let sources = sources(&mut f);

    let kind = f.req_str("kind");
    let payload = kind.and_then(|(k, l)| payload(&mut f, reg, &k, l, date.as_ref()));
    if let Some(p) = &payload {
        for named in p.named_parties() {
            parties.push(named);
        }
        if matches!(p, Payload::Retraction) && supersedes.is_none() {
            f.problem("a retraction needs `supersedes = \"<the event it retracts>\"`");
        }
    }
    parties.sort();
    parties.dedup();

    let event = match (id, date, disclosed, summary, confidence, payload) {
        (Some(id), Some(date), Some(disclosed), Some(summary), Some(confidence), Some(payload))
            if f.problems.is_empty() =>
        {
            Some(Event {
                id,
                date,
                disclosed,
                summary,
                confidence,
                parties,
                supersedes,
                sources,
                payload,
            })
        }
        _ => None,
    };
    (event, f.problems)
}

/// The event's `id`.
fn event_id(f: &mut Fields<'_, '_>) -> Option<EventId> {
    f.req_str("id").and_then(|(s, l)| match EventId::new(&s) {
        Ok(id) => Some(id),
        Err(e) => {
            f.problem_at(l, e.to_string());
            None
        }
    })
}

/// The event's `confidence` keyword.
fn confidence(f: &mut Fields<'_, '_>) -> Option<Confidence> {
    f.req_str("confidence").and_then(|(s, l)| {
        let c = Confidence::parse(&s);
        if c.is_none() {
            f.problem_at(
                l,
                format!(
                    "`confidence` {:?} is not one of confirmed, reported, rumor",
                    shorten(&s)
                ),
            );
        }
        c
    })
}

/// The parties the event lists itself (`parties`), resolved by id, name or alias.
fn listed_parties(f: &mut Fields<'_, '_>, reg: &PartyRegistry) -> Vec<PartyId> {
    let mut parties = Vec::new();
    if let Some((names, l)) = f.opt_str_list("parties") {
        for n in names {
            if let Some(p) = resolve(f, reg, &n, l) {
                parties.push(p);
            }
        }
    }
    parties
}

/// The day the event became public: `disclosed` as written (its latest day; never
/// before the event's earliest day), else the latest day of `date`. A date whose end is
/// open or unknown (`2025-10-28/..`, `2026/`) has no latest day to default to, and an
/// open `disclosed` says no day at all: both must give one.
fn disclosed(f: &mut Fields<'_, '_>, date: Option<&(EdtfDate, usize)>) -> Option<Day> {
    let Some((s, l)) = f.opt_date_text("disclosed") else {
        let (date, line) = date?;
        if date.has_open_end() {
            f.problem_at(
                *line,
                format!(
                    "`date` {} has an open or unknown end, so it says nothing about when the \
                     event became public: add `disclosed = \"YYYY-MM-DD\"`, the day it was \
                     first reported",
                    date.as_str()
                ),
            );
            return None;
        }
        return Some(date.latest());
    };
    let d = match EdtfDate::parse(&s) {
        Ok(d) => d,
        Err(e) => {
            f.problem_at(l, format!("`disclosed`: {e}"));
            return None;
        }
    };
    if d.has_open_end() {
        f.problem_at(
            l,
            format!("`disclosed` {s} has an open or unknown end: give the day the event became public, like \"2026-02-27\""),
        );
        return None;
    }
    let day = d.latest();
    if let Some((date, _)) = date
        && day < date.earliest()
    {
        f.problem_at(
            l,
            format!(
                "`disclosed` {s} is before the event's earliest possible day {}",
                date.earliest()
            ),
        );
    }
    Some(day)
}

fn sources(f: &mut Fields<'_, '_>) -> Vec<Source> {
    let tables = f.opt_tables("source");
    if tables.is_empty() && !f.has("source") {
        f.problem("every event needs at least one [[event.source]] with a `url`");
    }
    let mut out = Vec::new();
    for (i, (table, line)) in tables.into_iter().enumerate() {
        let mut s = f.nested(table, line, format!("source {}", i + 1));
        let url = s.req_str("url").and_then(|(u, l)| {
            let ok = (u.starts_with("https://") || u.starts_with("http://")) && u.len() > 8;
            match check_text("url", &u, MAX_URL, false) {
                Ok(u) if ok && !u.contains(char::is_whitespace) => Some(u),
                Ok(_) => {
                    s.problem_at(
                        l,
                        format!(
                            "`url` {:?} must be an http(s) address without spaces",
                            shorten(&u)
                        ),
                    );
                    None
                }
                Err(e) => {
                    s.problem_at(l, e.to_string());
                    None
                }
            }
        });
        let publisher = text(&mut s, "publisher", MAX_SHORT, false);
        let published = s
            .opt_date_text("published")
            .and_then(|(d, l)| match Day::parse(&d) {
                Ok(d) => Some(d),
                Err(e) => {
                    s.problem_at(l, format!("`published`: {e}"));
                    None
                }
            });
        s.finish(" (a source has url, publisher, published)");
        f.problems.append(&mut s.problems);
        if let Some(url) = url {
            out.push(Source {
                url,
                publisher,
                published,
            });
        }
    }
    out
}

/// The payload of an event of `kind`; `date` is the event's date, when it is valid.
fn payload(
    f: &mut Fields<'_, '_>,
    reg: &PartyRegistry,
    kind: &str,
    line: usize,
    date: Option<&EdtfDate>,
) -> Option<Payload> {
    let p = match kind {
        "announcement" => Payload::Announcement,
        "restructuring" => Payload::Restructuring,
        "retraction" => Payload::Retraction,
        "other" => Payload::Other,
        "investment" => Payload::Investment {
            tranches: tranches(f, reg),
        },
        // That a payment pays something is the validator's rule (restores need it too).
        "payment" => Payload::Payment {
            pays: references(f, "pays", TrancheRef::parse).0,
        },
        "agreement" => agreement(f, reg, date),
        "term-ended" => {
            let (ends, named_ends) = term_refs(f, "ends");
            if !named_ends {
                f.problem("a term-ended event needs `ends = [\"event-id#term-key\", ...]`");
            }
            let reason = text(f, "reason", MAX_SHORT, false);
            Payload::TermEnded { ends, reason }
        }
        "legal-threat" | "legal-action" => legal(f, reg, kind)?,
        "statement" => {
            let by = party_field(f, reg, "by");
            let about = event_id_field(f, "about");
            let (concerns, _) = term_refs(f, "concerns");
            Payload::Statement {
                by: by?,
                about,
                concerns,
            }
        }
        "product-launch" => product_launch(f, reg)?,
        other => {
            f.problem_at(
                line,
                format!(
                    "unknown kind {:?}: use one of {}",
                    shorten(other),
                    Payload::KINDS.join(", ")
                ),
            );
            f.finish("");
            return None;
        }
    };
    let extra = match &p {
        Payload::Investment { .. } => ", tranche",
        Payload::Payment { .. } => ", pays",
        Payload::Agreement { .. } => ", title, term, ends",
        Payload::TermEnded { .. } => ", ends, reason",
        Payload::Legal { .. } => ", by, against, stage, claim, resolves, concerns",
        Payload::Statement { .. } => ", by, about, concerns",
        Payload::ProductLaunch { .. } => ", by, product, stage",
        _ => "",
    };
    f.finish(&format!(" ({} event has {COMMON}{extra})", a_kind(kind)));
    Some(p)
}

/// The fields and `[[event.term]]` tables of an agreement dated `date`.
fn agreement(f: &mut Fields<'_, '_>, reg: &PartyRegistry, date: Option<&EdtfDate>) -> Payload {
    let title = text(f, "title", MAX_SHORT, false);
    let mut terms: Vec<Term> = Vec::new();
    let reported = f.problems.len();
    let tables = f.opt_tables("term");
    // A term or `ends` entry that is present but wrong is reported on its own,
    // not also as a missing one.
    let named_terms = !tables.is_empty() || f.problems.len() > reported;
    for (i, (table, tline)) in tables.into_iter().enumerate() {
        let mut t = f.nested(table, tline, format!("term {}", i + 1));
        if let Some(term) = term(&mut t, reg, date) {
            if terms.iter().any(|x| x.key == term.key) {
                t.problem(format!(
                    "term key {:?} is used twice in this event",
                    term.key.as_str()
                ));
            } else if t.problems.is_empty() {
                terms.push(term);
            }
        }
        f.problems.append(&mut t.problems);
    }
    let (ends, named_ends) = term_refs(f, "ends");
    if !named_terms && !named_ends {
        f.problem("an agreement needs at least one [[event.term]] or an `ends` list");
    }
    Payload::Agreement { title, terms, ends }
}

/// The fields of a `legal-threat` or `legal-action` (`kind_name`).
fn legal(f: &mut Fields<'_, '_>, reg: &PartyRegistry, kind_name: &str) -> Option<Payload> {
    let kind = if kind_name == "legal-threat" {
        LegalKind::Threat
    } else {
        LegalKind::Action
    };
    let by = party_field(f, reg, "by");
    let mut against = Vec::new();
    match f.opt_str_list("against") {
        None => f.problem("missing `against = [...]`: who the legal step is against"),
        Some((names, l)) => {
            for n in names {
                if let Some(p) = resolve(f, reg, &n, l) {
                    if Some(&p) == by.as_ref() {
                        f.problem_at(l, format!("`against` names {p}, who is also `by`"));
                    } else if !against.contains(&p) {
                        against.push(p);
                    }
                }
            }
            if against.is_empty() && f.problems.is_empty() {
                f.problem_at(l, "`against` is empty");
            }
        }
    }
    let stage = f.req_str("stage").and_then(|(s, l)| {
        let st = LegalStage::parse(&s);
        if st.is_none() {
            f.problem_at(l, format!("`stage` {:?} is not one of considering, threatened, filed, settled, dismissed, withdrawn", shorten(&s)));
        }
        st
    });
    let claim = text(f, "claim", MAX_SHORT, false);
    let resolves = event_id_field(f, "resolves");
    let (concerns, _) = term_refs(f, "concerns");
    if let (Some(st), true) = (stage, resolves.is_some())
        && !st.is_closing()
    {
        f.problem(format!(
            "`resolves` needs a closing stage (settled, dismissed or withdrawn), not {}",
            st.as_str()
        ));
    }
    Some(Payload::Legal {
        kind,
        by: by?,
        against,
        stage: stage?,
        claim,
        resolves,
        concerns,
    })
}

/// The fields of a `product-launch`.
fn product_launch(f: &mut Fields<'_, '_>, reg: &PartyRegistry) -> Option<Payload> {
    let by = party_field(f, reg, "by");
    let product = text(f, "product", MAX_SHORT, true);
    let stage = f.req_str("stage").and_then(|(s, l)| {
        let st = ProductStage::parse(&s);
        if st.is_none() {
            f.problem_at(
                l,
                format!(
                    "`stage` {:?} is not one of limited, preview, general",
                    shorten(&s)
                ),
            );
        }
        st
    });
    Some(Payload::ProductLaunch {
        by: by?,
        product: product?,
        stage: stage?,
    })
}

/// One `[[event.term]]` of an agreement dated `date`.
fn term(t: &mut Fields<'_, '_>, reg: &PartyRegistry, date: Option<&EdtfDate>) -> Option<Term> {
    let key = t.req_str("key").and_then(|(s, l)| match TermKey::new(&s) {
        Ok(k) => Some(k),
        Err(e) => {
            t.problem_at(l, e.to_string());
            None
        }
    });
    if let Some(k) = &key {
        t.context = format!("term {:?}", k.as_str());
    }
    let kind = t.req_str("type").and_then(|(s, l)| {
        let k = TermType::parse(&s);
        if k.is_none() {
            let all: Vec<&str> = TermType::ALL.iter().map(|t| t.as_str()).collect();
            t.problem_at(
                l,
                format!("`type` {:?} is not one of {}", shorten(&s), all.join(", ")),
            );
        }
        k
    });
    let grantor = party_field(t, reg, "grantor");
    let holder = party_field(t, reg, "holder");
    if grantor.is_some() && grantor == holder {
        t.problem("grantor and holder are the same party");
    }
    let scope = t.req_str("scope").and_then(|(s, l)| match Scope::new(&s) {
        Ok(sc) => Some(sc),
        Err(e) => {
            t.problem_at(l, e.to_string());
            None
        }
    });
    let exclusive = t
        .opt_bool("exclusive")
        .unwrap_or(kind == Some(TermType::Exclusivity));
    let amount = money_field(t, "amount", false);
    let until = t.opt_date_text("until").and_then(|(s, l)| {
        let until = until(t, &s, l)?;
        if let (Until::Date(end), Some(date)) = (&until, date)
            && end.latest() < date.earliest()
        {
            t.problem_at(
                l,
                format!(
                    "`until` {} ends on {}, before the agreement's earliest day {} (`date` \
                     {}): a term cannot lapse before it is granted; check both dates",
                    end.as_str(),
                    end.latest(),
                    date.earliest(),
                    date.as_str()
                ),
            );
        }
        Some(until)
    });
    t.finish(" (a term has key, type, grantor, holder, scope, exclusive, amount, until)");
    Some(Term {
        key: key?,
        kind: kind?,
        grantor: grantor?,
        holder: holder?,
        scope: scope?,
        exclusive,
        amount,
        until,
    })
}

/// `until` is a date when it reads as one; text that starts like a date but is not one
/// is a mistake, not a condition.
fn until(t: &mut Fields<'_, '_>, s: &str, line: usize) -> Option<Until> {
    match EdtfDate::parse(s) {
        Ok(d) => Some(Until::Date(d)),
        Err(e) => {
            let looks_like_date =
                s.chars().next().is_some_and(|c| c.is_ascii_digit()) && !s.trim().contains(' ');
            if looks_like_date {
                t.problem_at(line, format!("`until`: {e}"));
                return None;
            }
            match check_text("until", s, MAX_SHORT, false) {
                Ok(c) => Some(Until::Condition(c)),
                Err(e) => {
                    t.problem_at(line, e.to_string());
                    None
                }
            }
        }
    }
}
