//! The pages: every relationship (`/`), one relationship's timeline (`/pair/A/B`), one
//! event (`/event/ID`), one party (`/party/ID`) and the conflicts on a day
//! (`/conflicts`). Each is a function of the library's answer for it.

use super::html::{esc, page};
use super::links::{Axes, Links};
use super::timeline::{conflict_anchor, timeline_svg};
use crate::view::{json, text};
use pactlog::model::{Day, Event, EventId, Party, PartyId, PartyRegistry};
use pactlog::{
    ChainHash, ConflictAnswer, RelationshipState, Seq, StateAnswer, TermEnd, TimelineAnswer,
    Timestamp,
};
use std::fmt::Write;

/// The most rows a table shows; the API's log lists the rest.
pub const MAX_TABLE_ROWS: usize = 2000;

/// A party's display name (its id when the registry does not know it).
fn name<'a>(parties: &'a PartyRegistry, id: &'a PartyId) -> &'a str {
    parties.get(id).map_or(id.as_str(), |p| p.name.as_str())
}

/// Whether a party's id, name or an alias contains `q`, compared as names are.
fn party_matches(parties: &PartyRegistry, id: &PartyId, q: &str) -> bool {
    let q = PartyRegistry::name_key(q);
    let Some(p) = parties.get(id) else {
        return id.as_str().contains(&q);
    };
    std::iter::once(p.id.as_str())
        .chain(std::iter::once(p.name.as_str()))
        .chain(p.aliases.iter().map(String::as_str))
        .any(|n| PartyRegistry::name_key(n).contains(&q))
}

/// The form that picks the day (and the knowledge day) of a page, where pages can ask.
fn day_form(links: &Links, action: &str, axes: &Axes, with_known: bool, extra: &str) -> String {
    if !links.can_ask() {
        return match axes.as_of {
            Some(d) => format!("<p class=\"axes\">As of {d}.</p>\n"),
            None => String::new(),
        };
    }
    let day = |d: Option<Day>| d.map_or(String::new(), |d| d.to_string());
    let known = if with_known {
        format!(
            "<label for=\"known_at\">Known by</label> <input type=\"date\" id=\"known_at\" \
             name=\"known_at\" value=\"{}\"> ",
            day(axes.known_at)
        )
    } else {
        String::new()
    };
    format!(
        "<form class=\"axes\" method=\"get\" action=\"{}\">{extra}<label for=\"as_of\">As of\
         </label> <input type=\"date\" id=\"as_of\" name=\"as_of\" value=\"{}\" required> \
         {known}<button type=\"submit\">Show</button></form>\n",
        esc(action),
        day(axes.as_of)
    )
}

/// `/`: every relationship with its status on `as_of`, busiest first; with `q`, only
/// those with a party whose id, name or alias contains it.
pub fn index_page(
    links: &Links,
    state: &StateAnswer,
    parties: &PartyRegistry,
    q: Option<&str>,
) -> String {
    let as_of = state.query.as_of;
    let mut rows: Vec<&RelationshipState> = state
        .relationships
        .iter()
        .filter(|r| {
            q.is_none_or(|q| {
                party_matches(parties, &r.parties.0, q) || party_matches(parties, &r.parties.1, q)
            })
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.events.len() + r.possible_events.len()));
    let search = match (links.can_ask(), q) {
        (true, q) => format!(
            "<label for=\"q\">Party name or alias</label> <input type=\"search\" id=\"q\" \
             name=\"q\" value=\"{}\"> ",
            esc(q.unwrap_or(""))
        ),
        (false, _) => String::new(),
    };
    let axes = Axes {
        as_of: Some(as_of),
        known_at: None,
    };
    let mut body = format!(
        "<h1>Relationships as of {as_of}</h1>\n{}",
        day_form(links, &links.home(None), &axes, false, &search)
    );
    let _ = write!(
        body,
        "<p>{} of {} relationships, busiest first. {}</p>\n<div class=\"scroll\" tabindex=\"0\" \
         role=\"region\" aria-label=\"Relationships\"><table>\n<thead><tr><th scope=\"col\">\
         Relationship</th><th scope=\"col\">Status</th><th scope=\"col\">Events</th>\
         <th scope=\"col\">Terms in force</th><th scope=\"col\">Tranches</th>\
         <th scope=\"col\">Open disputes</th></tr></thead>\n<tbody>\n",
        rows.len(),
        state.relationships.len(),
        receipt_html(&state.receipt)
    );
    for r in rows.iter().take(MAX_TABLE_ROWS) {
        let (a, b) = &r.parties;
        let _ = writeln!(
            body,
            "<tr><td><a href=\"{}\">{} — {}</a></td><td class=\"status-{st}\">{st}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&links.pair(a, b, &axes)),
            esc(name(parties, a)),
            esc(name(parties, b)),
            r.events.len() + r.possible_events.len(),
            r.terms.len(),
            r.investments.len(),
            r.disputes.len(),
            st = r.status.as_str(),
        );
    }
    body.push_str("</tbody></table></div>\n");
    page(links, &format!("Relationships as of {as_of}"), &body)
}

fn receipt_html(r: &pactlog::Receipt) -> String {
    format!(
        "Receipt: <span class=\"receipt\">{} records, head <code>{}</code>, root \
         <code>{}</code></span>.",
        r.ledger_size,
        esc(&r.head.to_string()),
        esc(&r.root.to_string())
    )
}

/// `/pair/A/B`: the timeline, the state on the day with its receipt, and the same data
/// as tables.
pub fn pair_page(
    links: &Links,
    axes: &Axes,
    answer: &TimelineAnswer,
    parties: &PartyRegistry,
) -> String {
    let as_of = answer.state.query.as_of;
    let (a, b) = &answer.timeline.parties;
    let title = format!("{} — {}", name(parties, a), name(parties, b));
    let mut body = format!("<h1>{}</h1>\n", esc(&title));
    body.push_str(&day_form(
        links,
        &links.pair(a, b, &Axes::default()),
        axes,
        true,
        "",
    ));
    let _ = writeln!(
        body,
        "<figure><div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Timeline \
         picture\">{}</div><figcaption>{}</figcaption></figure>",
        timeline_svg(answer, links, axes, as_of),
        legend()
    );
    let _ = writeln!(
        body,
        "<section aria-labelledby=\"state-h\"><h2 id=\"state-h\">State on {as_of}</h2>\
         <pre class=\"state\" id=\"state\" tabindex=\"0\">{}</pre></section>",
        esc(&text::state_text(&answer.state))
    );
    body.push_str(&pair_tables(links, answer));
    page(links, &format!("{title} as of {as_of}"), &body)
}

fn legend() -> &'static str {
    "<ul class=\"legend\">\
     <li><span class=\"sw sw-excl\"></span>exclusive term</li>\
     <li><span class=\"sw sw-nonex\"></span>non-exclusive term</li>\
     <li><span class=\"sw sw-open\"></span>open end: runs until a condition or has none</li>\
     <li><span class=\"sw sw-fuzzy\"></span>fuzzy date: drawn over its range</li>\
     <li><span class=\"sw sw-confirmed\"></span>confirmed</li>\
     <li><span class=\"sw sw-reported\"></span>reported</li>\
     <li><span class=\"sw sw-rumor\"></span>rumor (?)</li>\
     <li><span class=\"sw sw-conflict\"></span>in conflict on the day</li>\
     <li>money as it stands on the day: filled paid, hollow scheduled (line to its due \
     date), dotted conditional, ! unreported or overdue, × lapsed; size by amount</li>\
     <li><span class=\"sw sw-cursor\"></span>the as-of day</li></ul>"
}

fn table_head(id: &str, caption: &str, cols: &[&str]) -> String {
    let mut out = format!(
        "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"{id}\">\
         <table><caption id=\"{id}\">{caption}</caption><thead><tr>"
    );
    for c in cols {
        let _ = write!(out, "<th scope=\"col\">{c}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    out
}

fn table_end(out: &mut String, total: usize) {
    out.push_str("</tbody></table></div>\n");
    if total > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "<p>{} more rows: see <code>/api/log</code>.</p>",
            total - MAX_TABLE_ROWS
        );
    }
}

/// The timeline's data as tables: events, terms, money, disputes.
fn pair_tables(links: &Links, answer: &TimelineAnswer) -> String {
    let t = &answer.timeline;
    let mut out = String::from(
        "<section aria-labelledby=\"tables-h\"><h2 id=\"tables-h\">The timeline as tables</h2>\n",
    );
    out.push_str(&table_head(
        "events-t",
        "Events that count",
        &["Date", "Kind", "Confidence", "Summary"],
    ));
    for (_, e) in t.events.iter().take(MAX_TABLE_ROWS) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"conf-{c}\">{c}</td><td><a href=\"{}\">{}</a></td></tr>",
            esc(e.date.as_str()),
            e.kind_name(),
            esc(&links.event(&e.id)),
            esc(&e.summary),
            c = e.confidence.as_str(),
        );
    }
    table_end(&mut out, t.events.len());
    out.push_str(&table_head(
        "terms-t",
        "Terms",
        &[
            "Term",
            "Grantor → holder",
            "Scope",
            "Exclusive",
            "From",
            "To",
        ],
    ));
    for s in t.terms.iter().take(MAX_TABLE_ROWS) {
        let to = match &s.end {
            TermEnd::Open => "no end date".to_string(),
            TermEnd::Condition(c) => format!("until {c}"),
            TermEnd::Lapses(u) => format!("until {u}"),
            TermEnd::EndedBy { event, date } => format!("{date}, ended by {event}"),
        };
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{}\">{}#{}</a></td><td>{} → {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&links.event(&s.term.event)),
            esc(s.term.event.as_str()),
            esc(s.term.key.as_str()),
            s.term.grantor,
            s.term.holder,
            esc(s.term.scope.as_str()),
            if s.term.exclusive { "yes" } else { "no" },
            esc(s.granted.as_str()),
            esc(&to),
        );
    }
    table_end(&mut out, t.terms.len());
    out.push_str(&money_and_disputes_tables(links, answer));
    out.push_str("</section>\n");
    out
}

fn money_and_disputes_tables(links: &Links, answer: &TimelineAnswer) -> String {
    let mut out = table_head(
        "money-t",
        &format!("Money on {}", answer.state.query.as_of),
        &["Tranche", "Investor → investee", "Amount", "Status"],
    );
    let tranches: Vec<_> = answer
        .state
        .relationships
        .iter()
        .flat_map(|r| &r.investments)
        .collect();
    for i in tranches.iter().take(MAX_TABLE_ROWS) {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
            esc(&links.event(&i.event)),
            esc(&text::tranche_name(i)),
            i.investor,
            i.investee,
            esc(&i.amount.short()),
            esc(&text::tranche_status_text(i)),
        );
    }
    table_end(&mut out, tranches.len());
    let d = &answer.timeline.disputes;
    out.push_str(&table_head(
        "disputes-t",
        "Disputes",
        &[
            "Opened by",
            "Against",
            "Stage",
            "Confidence",
            "Opened",
            "Resolved",
        ],
    ));
    for s in d.iter().take(MAX_TABLE_ROWS) {
        let against: Vec<&str> = s.against.iter().map(|p| p.as_str()).collect();
        let resolved = s
            .resolved
            .as_ref()
            .map_or("open".to_string(), |(id, date)| format!("{date} by {id}"));
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td class=\"conf-{c}\">{c}</td><td>{}</td><td>{}</td></tr>",
            esc(&links.event(&s.event)),
            s.by,
            against.join(", "),
            s.stage.as_str(),
            esc(s.opened.as_str()),
            esc(&resolved),
            c = s.confidence.as_str(),
        );
    }
    table_end(&mut out, d.len());
    out
}

/// What an event page shows beside the event: its record and its place among
/// corrections.
pub struct EventRecord<'a> {
    /// Its position in the ledger.
    pub seq: Seq,
    /// Its record's chain hash.
    pub hash: &'a ChainHash,
    /// When it was recorded.
    pub recorded_at: &'a Timestamp,
    /// The events that supersede it.
    pub superseded_by: &'a [EventId],
    /// Whether a signed checkpoint covers it, so that it has an inclusion proof.
    pub provable: bool,
}

/// Whether a source URL may be a link: only http and https (never `javascript:`).
fn linkable(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// `/event/ID`: the event in full, its sources as links, its record, what it supersedes
/// and what supersedes it, and its inclusion proof.
pub fn event_page(
    links: &Links,
    e: &Event,
    record: &EventRecord,
    parties: &PartyRegistry,
) -> String {
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"summary\">{}</p>\n<dl class=\"facts\">\n",
        esc(e.id.as_str()),
        esc(&e.summary)
    );
    let range = if e.date.earliest() == e.date.latest() {
        String::new()
    } else {
        format!(" (from {} to {})", e.date.earliest(), e.date.latest())
    };
    let mut fact = |k: &str, v: String| {
        let _ = writeln!(body, "<dt>{k}</dt><dd>{v}</dd>");
    };
    fact("Date", format!("{}{range}", esc(e.date.as_str())));
    fact("Disclosed", e.disclosed.to_string());
    fact("Kind", e.kind_name().to_string());
    fact(
        "Confidence",
        format!(
            "<span class=\"conf-{c}\">{c}</span>",
            c = e.confidence.as_str()
        ),
    );
    let named: Vec<String> = e
        .parties
        .iter()
        .map(|p| {
            format!(
                "<a href=\"{}\">{}</a>",
                esc(&links.party(p, None)),
                esc(name(parties, p))
            )
        })
        .collect();
    fact("Parties", named.join(", "));
    if let Some(s) = &e.supersedes {
        fact("Supersedes", event_link(links, s));
    }
    let by: Vec<String> = record
        .superseded_by
        .iter()
        .map(|s| event_link(links, s))
        .collect();
    fact(
        "Superseded by",
        if by.is_empty() {
            "nothing".into()
        } else {
            by.join(", ")
        },
    );
    fact(
        "Record",
        format!(
            "seq {}, hash <code>{}</code>, recorded at {}",
            record.seq,
            esc(&record.hash.to_hex()),
            esc(&record.recorded_at.to_string())
        ),
    );
    body.push_str("</dl>\n");
    body.push_str(&sources_html(e));
    body.push_str(&recorded_html(links, e, record.provable));
    page(links, e.id.as_str(), &body)
}

/// The event as recorded (its JSON) and the link to its inclusion proof, when a signed
/// checkpoint covers it.
fn recorded_html(links: &Links, e: &Event, provable: bool) -> String {
    let mut out = format!(
        "<h2>The event as recorded</h2>\n<pre class=\"payload\" tabindex=\"0\">{}</pre>\n",
        esc(&json::json_text(&json::event_json(e)))
    );
    match links.proof(&e.id).filter(|_| provable) {
        Some(p) => {
            let _ = writeln!(
                out,
                "<p><a href=\"{}\" download=\"{}.proof\">Download its inclusion proof</a> \
             (C2SP tlog-proof; check it with <code>pactlog audit</code>).</p>",
                esc(&p),
                esc(e.id.as_str())
            );
        }
        None => out.push_str(
            "<p>No signed checkpoint covers this event yet, so it has no inclusion proof \
             to download: <code>pactlog checkpoint</code> signs one.</p>\n",
        ),
    }
    out
}

/// A link to the page of the event `id`, named by its id.
fn event_link(links: &Links, id: &EventId) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        esc(&links.event(id)),
        esc(id.as_str())
    )
}

fn sources_html(e: &Event) -> String {
    let mut out = String::from("<h2>Sources</h2>\n<ul class=\"sources\">\n");
    if e.sources.is_empty() {
        out.push_str("<li>none recorded</li>\n");
    }
    for s in &e.sources {
        let label = s.publisher.as_deref().unwrap_or(&s.url);
        let when = s.published.map_or(String::new(), |d| format!(", {d}"));
        if linkable(&s.url) {
            let _ = writeln!(
                out,
                "<li><a href=\"{}\" rel=\"noopener noreferrer nofollow\">{}</a>{when} \
                 <span class=\"url\">{}</span></li>",
                esc(&s.url),
                esc(label),
                esc(&s.url)
            );
        } else {
            let _ = writeln!(
                out,
                "<li>{}{when} <span class=\"url\">{}</span></li>",
                esc(label),
                esc(&s.url)
            );
        }
    }
    out.push_str("</ul>\n");
    out
}

/// The events of a party's log that name it alone.
pub fn own_events(log: Vec<pactlog::Logged>) -> Vec<Event> {
    log.into_iter()
        .filter(|l| l.event.parties.len() == 1)
        .map(|l| l.event)
        .collect()
}

/// `/party/ID`: every relationship of a party on the day, and the events that name it
/// alone (`own`, which no relationship's page shows).
pub fn party_page(
    links: &Links,
    party: &Party,
    state: &StateAnswer,
    own: &[Event],
    parties: &PartyRegistry,
) -> String {
    let as_of = state.query.as_of;
    let axes = Axes {
        as_of: Some(as_of),
        known_at: None,
    };
    let mut body = format!("<h1>{}</h1>\n", esc(&party.name));
    if !party.aliases.is_empty() {
        let _ = writeln!(
            body,
            "<p>Also known as {}.</p>",
            esc(&party.aliases.join(", "))
        );
    }
    body.push_str(&day_form(
        links,
        &links.party(&party.id, None),
        &axes,
        false,
        "",
    ));
    let _ = write!(
        body,
        "<h2>Relationships as of {as_of}</h2>\n<p>{}</p>\n<ul class=\"pairs\">\n",
        receipt_html(&state.receipt)
    );
    for r in &state.relationships {
        let (a, b) = &r.parties;
        let other = if *a == party.id { b } else { a };
        let _ = writeln!(
            body,
            "<li><a href=\"{}\">{}</a>: {}, {} events, {} terms in force, {} open disputes</li>",
            esc(&links.pair(a, b, &axes)),
            esc(name(parties, other)),
            r.status.as_str(),
            r.events.len() + r.possible_events.len(),
            r.terms.len(),
            r.disputes.len()
        );
    }
    if state.relationships.is_empty() {
        body.push_str("<li>none by then</li>\n");
    }
    body.push_str("</ul>\n");
    if !own.is_empty() {
        let _ = writeln!(
            body,
            "<h2>Events of {} alone</h2>\n<ul class=\"own\">",
            esc(&party.name)
        );
        for e in own {
            let _ = writeln!(
                body,
                "<li>{}: <a href=\"{}\">{}</a> ({})</li>",
                esc(e.date.as_str()),
                esc(&links.event(&e.id)),
                esc(&e.summary),
                e.confidence.as_str()
            );
        }
        body.push_str("</ul>\n");
    }
    page(links, &party.name, &body)
}

/// `/conflicts`: the conflicts between terms in force on the day, each with its anchor
/// (which the timelines link to).
pub fn conflicts_page(links: &Links, answer: &ConflictAnswer) -> String {
    let as_of = answer.query.as_of;
    let axes = Axes {
        as_of: Some(as_of),
        known_at: None,
    };
    let mut body = format!("<h1>Conflicts as of {as_of}</h1>\n");
    body.push_str(&day_form(links, &links.conflicts(None), &axes, false, ""));
    let _ = writeln!(
        body,
        "<p>{} conflicts. {}</p>",
        answer.conflicts.len(),
        receipt_html(&answer.receipt)
    );
    for c in &answer.conflicts {
        let _ = write!(
            body,
            "<section class=\"conflict\" id=\"{}\"><h2>{}</h2><ul>",
            conflict_anchor(c),
            c.kind.as_str()
        );
        for t in &c.terms {
            let (a, b) = if t.grantor <= t.holder {
                (&t.grantor, &t.holder)
            } else {
                (&t.holder, &t.grantor)
            };
            let _ = write!(
                body,
                "<li><a href=\"{}\">{}#{}</a>: {} {} → {}, {}, {} (<a href=\"{}\">timeline</a>)</li>",
                esc(&links.event(&t.event)),
                esc(t.event.as_str()),
                esc(t.key.as_str()),
                t.kind.as_str(),
                t.grantor,
                t.holder,
                esc(t.scope.as_str()),
                if t.exclusive {
                    "exclusive"
                } else {
                    "non-exclusive"
                },
                esc(&links.pair(a, b, &axes)),
            );
        }
        body.push_str("</ul>");
        for d in &c.disputes {
            let _ = write!(
                body,
                "<p>Named by <a href=\"{}\">{}</a> ({}).</p>",
                esc(&links.event(&d.event)),
                esc(d.event.as_str()),
                d.confidence.as_str()
            );
        }
        body.push_str("</section>\n");
    }
    page(links, &format!("Conflicts as of {as_of}"), &body)
}
