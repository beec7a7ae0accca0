//! Event and party tables -> typed [`Event`]s and [`Party`]s, every problem of reading
//! them collected: a missing or unknown field, a value of the wrong type, text that is
//! not an id, a date, an amount or a known party. Reading only types: text is tidied
//! ([`tidy`]) and kept as written, lists keep every entry; whether the values make a
//! well-formed event is for [`crate::model::rules`] to say, as it says for a restored
//! record.

use super::Problem;
use super::fields::{Fields, Lines};
use crate::model::{
    Confidence, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Money, Party, PartyId,
    PartyRegistry, Payload, ProductStage, Scope, Source, Term, TermKey, TermRef, TermType, Tranche,
    TrancheRef, Until, a_kind, shorten, tidy,
};
use std::path::Path;
use toml::de::DeTable;

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
    let name = f.req_str("name").map(|(s, _)| tidy(&s, false));
    let aliases = match f.opt_str_list("aliases") {
        None => Vec::new(),
        Some((list, _)) => list.iter().map(|a| tidy(a, false)).collect(),
    };
    f.finish(" (a party has id, name, aliases)");
    let party = match (id, name) {
        (Some(id), Some(name)) if f.problems.is_empty() => Some(Party { id, name, aliases }),
        _ => None,
    };
    (party, f.problems)
}

/// A text field, tidied (a summary may hold line breaks).
fn text(f: &mut Fields<'_, '_>, key: &'static str, required: bool) -> Option<String> {
    let (s, _) = if required {
        f.req_str(key)?
    } else {
        f.opt_str(key)?
    };
    Some(tidy(&s, key == "summary"))
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

/// A list of term references (`ends`, `concerns`).
fn term_refs(f: &mut Fields<'_, '_>, key: &'static str) -> Vec<TermRef> {
    references(f, key, TermRef::parse)
}

/// A list of `event-id#key` references under `key` (`ends`, `concerns`, `pays`), each
/// parsed by `parse`, every entry kept.
fn references<R>(
    f: &mut Fields<'_, '_>,
    key: &'static str,
    parse: fn(&str) -> Result<R, crate::model::ModelError>,
) -> Vec<R> {
    let Some((list, line)) = f.opt_str_list(key) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(list.len());
    for s in list {
        match parse(&s) {
            Ok(r) => out.push(r),
            Err(e) => f.problem_at(line, e.to_string()),
        }
    }
    out
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

/// The `[[event.tranche]]` tables of an investment.
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
        let condition = text(&mut t, "condition", false);
        let lapses = edtf_field(&mut t, "lapses");
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
    let summary = text(&mut f, "summary", true);
    let confidence = confidence(&mut f);
    let mut parties = listed_parties(&mut f, reg);
    let supersedes = event_id_field(&mut f, "supersedes");
    let sources = sources(&mut f);

    let kind = f.req_str("kind");
    let payload = kind.and_then(|(k, l)| payload(&mut f, reg, &k, l));
    if let Some(p) = &payload {
        parties.extend(p.named_parties());
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

/// The day the event became public: `disclosed` as written (its latest day), else the
/// latest day of `date`. A date whose end is open or unknown (`2025-10-28/..`, `2026/`)
/// has no latest day to default to, and an open `disclosed` says no day at all: both
/// must give one.
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
    Some(d.latest())
}

/// The `[[event.source]]` tables.
fn sources(f: &mut Fields<'_, '_>) -> Vec<Source> {
    let tables = f.opt_tables("source");
    let mut out = Vec::new();
    for (i, (table, line)) in tables.into_iter().enumerate() {
        let mut s = f.nested(table, line, format!("source {}", i + 1));
        let url = s.req_str("url").map(|(u, _)| tidy(&u, false));
        let publisher = text(&mut s, "publisher", false);
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

/// The payload of an event of `kind`.
fn payload(
    f: &mut Fields<'_, '_>,
    reg: &PartyRegistry,
    kind: &str,
    line: usize,
) -> Option<Payload> {
    let p = match kind {
        "announcement" => Payload::Announcement,
        "restructuring" => Payload::Restructuring,
        "retraction" => Payload::Retraction,
        "other" => Payload::Other,
        "investment" => Payload::Investment {
            tranches: tranches(f, reg),
        },
        "payment" => Payload::Payment {
            pays: references(f, "pays", TrancheRef::parse),
        },
        "agreement" => agreement(f, reg),
        "term-ended" => Payload::TermEnded {
            ends: term_refs(f, "ends"),
            reason: text(f, "reason", false),
        },
        "legal-threat" | "legal-action" => legal(f, reg, kind)?,
        "statement" => {
            let by = party_field(f, reg, "by");
            let about = event_id_field(f, "about");
            let concerns = term_refs(f, "concerns");
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

/// The fields and `[[event.term]]` tables of an agreement.
fn agreement(f: &mut Fields<'_, '_>, reg: &PartyRegistry) -> Payload {
    let title = text(f, "title", false);
    let mut terms: Vec<Term> = Vec::new();
    for (i, (table, tline)) in f.opt_tables("term").into_iter().enumerate() {
        let mut t = f.nested(table, tline, format!("term {}", i + 1));
        if let Some(term) = term(&mut t, reg)
            && t.problems.is_empty()
        {
            terms.push(term);
        }
        f.problems.append(&mut t.problems);
    }
    let ends = term_refs(f, "ends");
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
    let mut against: Vec<PartyId> = Vec::new();
    match f.opt_str_list("against") {
        None => f.problem("missing `against = [...]`: who the legal step is against"),
        Some((names, l)) => {
            // Two names of one party name it once.
            let mut named = std::collections::BTreeSet::new();
            for n in names {
                if let Some(p) = resolve(f, reg, &n, l)
                    && named.insert(p.clone())
                {
                    against.push(p);
                }
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
    let claim = text(f, "claim", false);
    let resolves = event_id_field(f, "resolves");
    let concerns = term_refs(f, "concerns");
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
    let product = text(f, "product", true);
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

/// One `[[event.term]]` of an agreement.
fn term(t: &mut Fields<'_, '_>, reg: &PartyRegistry) -> Option<Term> {
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
    let until = t
        .opt_date_text("until")
        .map(|(s, _)| Until::read(&tidy(&s, false)));
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
