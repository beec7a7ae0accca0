//! A relationship's timeline as inline SVG: time runs left to right over the whole
//! history, with lanes for the events, the terms, the money and the disputes, and a
//! cursor on the as-of day.
//!
//! - every event that counts is one mark (`class="mark event-mark"`), a dot on its day
//!   or, for a fuzzy date, a bar over its range; confirmed marks are filled, reported ones
//!   pale, rumors hollow and dashed with a `?`;
//! - each term is a bar from its grant to its end: solid for exclusive terms, hatched for
//!   non-exclusive ones; a term that runs until a condition (or has no end) is drawn open
//!   to the right edge with its condition as text; a term in conflict on the as-of day is
//!   outlined and links to the conflict;
//! - each tranche of the as-of state is a dot sized by its amount, its status written
//!   beside it and told apart by its shape (filled: paid; hollow: scheduled, dotted:
//!   conditional; `!`: unreported or overdue; `×`: lapsed), a scheduled payment drawn to
//!   its due date;
//! - each dispute is a bar from the legal event that opened it to the one that resolved
//!   it, or to the right edge while open; its confidence is written in its label.
//!
//! When a relationship has more events than the lane has pixels, neighbouring events are
//! drawn as one aggregated mark (`class="mark agg"`) that says how many it holds; lanes
//! draw at most [`MAX_ROWS`] rows and say how many more the tables below list. Every mark
//! has a `<title>` (its text alternative) and links to its event.

use super::html::esc;
use super::links::{Axes, Links};
use pactlog::model::{Confidence, Day, EdtfDate, EventId, Payload};
use pactlog::{
    Conflict, DisputeSpan, InvestmentState, MoneyStatus, TermEnd, TermSpan, TimelineAnswer,
};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The most rows a lane draws.
pub const MAX_ROWS: usize = 40;

const WIDTH: f64 = 1200.0;
const LEFT: f64 = 96.0;
const RIGHT: f64 = 16.0;
const PLOT: f64 = WIDTH - LEFT - RIGHT;
const ROW: f64 = 30.0;
const EVENT_ROWS: usize = 4;
/// Aggregated events share bins this many pixels wide.
const BIN: f64 = 2.0;

/// Days to x positions over the history's span.
struct Scale {
    start: i32,
    end: i32,
}

impl Scale {
    fn of(answer: &TimelineAnswer, as_of: Day) -> Scale {
        let mut lo = as_of.days();
        let mut hi = as_of.days();
        for (_, e) in &answer.timeline.events {
            for d in [e.date.earliest(), e.date.latest()] {
                if d != Day::MIN && d != Day::MAX {
                    lo = lo.min(d.days());
                    hi = hi.max(d.days());
                }
            }
        }
        let (y0, _, _) = Day::from_days(lo).ymd();
        let (y1, _, _) = Day::from_days(hi).ymd();
        let first = Day::from_ymd(y0, 1, 1).map_or(lo, Day::days);
        let last = Day::from_ymd(y1, 12, 31).map_or(hi, Day::days);
        Scale {
            start: first,
            end: last.max(first + 1),
        }
    }

    fn x(&self, d: Day) -> f64 {
        let days = d.days().clamp(self.start, self.end);
        LEFT + f64::from(days - self.start) / f64::from(self.end - self.start) * PLOT
    }

    fn right(&self) -> f64 {
        LEFT + PLOT
    }

    /// The day at x (for an aggregated bin's bounds).
    fn day(&self, x: f64) -> Day {
        let frac = ((x - LEFT) / PLOT).clamp(0.0, 1.0);
        // The span is at most 10 000 years, so the product fits an i32.
        let days = (frac * f64::from(self.end - self.start)).round() as i32;
        Day::from_days(self.start + days)
    }
}

/// The SVG of `answer`'s timeline, with the cursor on `as_of`.
pub fn timeline_svg(answer: &TimelineAnswer, links: &Links, axes: &Axes, as_of: Day) -> String {
    let scale = Scale::of(answer, as_of);
    let mut body = String::new();
    let mut y = 34.0;
    y = events_lane(&mut body, answer, links, &scale, y);
    y = terms_lane(&mut body, answer, links, axes, &scale, y, as_of);
    y = money_lane(&mut body, answer, links, &scale, y);
    y = disputes_lane(&mut body, answer, links, &scale, y);
    let height = y + 8.0;
    let mut out = String::with_capacity(body.len() + 4096);
    let (a, b) = &answer.timeline.parties;
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 {WIDTH} \
         {height:.0}\" width=\"{WIDTH}\" height=\"{height:.0}\" aria-labelledby=\"tl-title\">\
         <title id=\"tl-title\">Timeline of {a} and {b}, as of {as_of}</title>\
         <defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" class=\"hatch-bg\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"hatch-line\"/></pattern></defs>"
    );
    axis(&mut out, &scale, height);
    out.push_str(&body);
    cursor(&mut out, &scale, as_of, height);
    out.push_str("</svg>\n");
    out
}

/// Year (or, over short spans, month) ticks with labels along the top.
fn axis(out: &mut String, scale: &Scale, height: f64) {
    let (y0, _, _) = Day::from_days(scale.start).ymd();
    let (y1, _, _) = Day::from_days(scale.end).ymd();
    let years = i32::from(y1 - y0) + 1;
    let step = (years / 12 + 1).max(1);
    let mut ticks: Vec<(Day, String)> = Vec::new();
    if years <= 2 {
        for y in y0..=y1 {
            for m in [1, 4, 7, 10] {
                if let Ok(d) = Day::from_ymd(y, m, 1) {
                    ticks.push((d, format!("{y}-{m:02}")));
                }
            }
        }
    } else {
        let mut y = y0;
        while y <= y1 {
            if let Ok(d) = Day::from_ymd(y, 1, 1) {
                ticks.push((d, y.to_string()));
            }
            y = y.saturating_add(step as i16);
        }
    }
    out.push_str("<g class=\"axis\" aria-hidden=\"true\">");
    for (d, label) in ticks {
        let x = scale.x(d);
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"18\" x2=\"{x:.1}\" y2=\"{height:.0}\"/>\
             <text x=\"{:.1}\" y=\"14\">{label}</text>",
            x + 3.0
        );
    }
    out.push_str("</g>\n");
}

fn cursor(out: &mut String, scale: &Scale, as_of: Day, height: f64) {
    let x = scale.x(as_of);
    let anchor = if x > LEFT + PLOT * 0.85 {
        "end"
    } else {
        "start"
    };
    let _ = writeln!(
        out,
        "<g class=\"cursor\" data-day=\"{as_of}\"><line x1=\"{x:.1}\" y1=\"18\" x2=\"{x:.1}\" \
         y2=\"{height:.0}\"/><text x=\"{:.1}\" y=\"30\" text-anchor=\"{anchor}\">as of \
         {as_of}</text></g>",
        if anchor == "end" { x - 4.0 } else { x + 4.0 }
    );
}

fn lane_label(out: &mut String, name: &str, y: f64) {
    let _ = write!(
        out,
        "<text class=\"lane\" x=\"4\" y=\"{:.0}\">{name}</text>",
        y + 14.0
    );
}

/// A mark's confidence class and, for a rumor, the word that says so.
fn confidence_class(c: Confidence) -> &'static str {
    match c {
        Confidence::Confirmed => "c-confirmed",
        Confidence::Reported => "c-reported",
        Confidence::Rumor => "c-rumor",
    }
}

/// The lane class of an event's kind.
fn kind_class(p: &Payload) -> &'static str {
    match p {
        Payload::Agreement { .. } | Payload::TermEnded { .. } => "k-terms",
        Payload::Investment { .. } | Payload::Payment { .. } => "k-money",
        Payload::Legal { .. } => "k-legal",
        Payload::Statement { .. } => "k-statement",
        _ => "k-other",
    }
}

/// The events lane: one mark per event, or aggregated marks past one event per bin.
fn events_lane(
    out: &mut String,
    answer: &TimelineAnswer,
    links: &Links,
    scale: &Scale,
    y: f64,
) -> f64 {
    lane_label(out, "Events", y);
    let events = &answer.timeline.events;
    out.push_str("<g class=\"lane-events\">");
    if events.len() as f64 > PLOT / BIN {
        aggregated_events(out, answer, links, scale, y);
    } else {
        let mut row_end = [f64::MIN; EVENT_ROWS];
        for (i, (_, e)) in events.iter().enumerate() {
            let (x0, x1) = (scale.x(e.date.earliest()), scale.x(e.date.latest()));
            let row = (0..EVENT_ROWS)
                .find(|&r| row_end[r] + 3.0 < x0 - 6.0)
                .unwrap_or(i % EVENT_ROWS);
            row_end[row] = x1.max(x0 + 6.0);
            let cy = y + 8.0 + row as f64 * 14.0;
            event_mark(out, e, links, (x0, x1), cy);
        }
    }
    out.push_str("</g>\n");
    y + 8.0 + EVENT_ROWS as f64 * 14.0 + 8.0
}

fn event_mark(out: &mut String, e: &pactlog::model::Event, links: &Links, x: (f64, f64), cy: f64) {
    let title = format!(
        "{} · {} · {}: {}",
        e.date,
        e.kind_name(),
        e.confidence.as_str(),
        e.summary
    );
    let _ = write!(
        out,
        "<a href=\"{href}\" class=\"mark event-mark {kind} {conf}\" data-event=\"{id}\" \
         data-confidence=\"{c}\"><title>{title}</title>",
        href = esc(&links.event(&e.id)),
        kind = kind_class(&e.payload),
        conf = confidence_class(e.confidence),
        id = esc(e.id.as_str()),
        c = e.confidence.as_str(),
        title = esc(&title),
    );
    if e.date.earliest() == e.date.latest() {
        let _ = write!(out, "<circle cx=\"{:.1}\" cy=\"{cy:.1}\" r=\"6\"/>", x.0);
    } else {
        let w = (x.1 - x.0).max(6.0);
        let _ = write!(
            out,
            "<rect class=\"fuzzy\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"10\" rx=\"5\"/>",
            x.0,
            cy - 5.0
        );
    }
    if e.confidence == Confidence::Rumor {
        let _ = write!(
            out,
            "<text class=\"rumor-q\" x=\"{:.1}\" y=\"{:.1}\">?</text>",
            x.0 + 7.0,
            cy + 4.0
        );
    }
    out.push_str("</a>");
}

/// Events in bins of [`BIN`] pixels: a bin with one event is its mark; a bin with more
/// is one mark saying how many, linking to their log where there is one.
fn aggregated_events(
    out: &mut String,
    answer: &TimelineAnswer,
    links: &Links,
    scale: &Scale,
    y: f64,
) {
    let mut bins: BTreeMap<i64, Vec<&pactlog::model::Event>> = BTreeMap::new();
    for (_, e) in &answer.timeline.events {
        let x = (scale.x(e.date.earliest()) + scale.x(e.date.latest())) / 2.0;
        bins.entry(((x - LEFT) / BIN) as i64).or_default().push(e);
    }
    let most = bins.values().map(Vec::len).max().unwrap_or(1) as f64;
    let (a, b) = &answer.timeline.parties;
    for (bin, events) in bins {
        let x = LEFT + bin as f64 * BIN;
        if let [e] = events.as_slice() {
            event_mark(out, e, links, (x, x), y + 8.0);
            continue;
        }
        let (from, to) = (scale.day(x), scale.day(x + BIN));
        let h = 8.0 + 40.0 * (events.len() as f64).ln() / most.ln().max(1.0);
        let title = format!("{} events from {from} to {to}", events.len());
        let href = links.log_between(a, b, from, to);
        if let Some(h) = &href {
            let _ = write!(out, "<a href=\"{}\" class=\"mark agg\">", esc(h));
        } else {
            out.push_str("<g class=\"mark agg\">");
        }
        let _ = write!(
            out,
            "<title>{title}</title><rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{BIN}\" \
             height=\"{h:.1}\"/>",
            y + 56.0 - h
        );
        out.push_str(if href.is_some() { "</a>" } else { "</g>" });
    }
}

/// Which rows a lane draws: at most [`MAX_ROWS`], preferring those `keep` says, in their
/// order; and how many it leaves out.
fn pick<T>(items: &[T], keep: impl Fn(&T) -> bool) -> (Vec<&T>, usize) {
    if items.len() <= MAX_ROWS {
        return (items.iter().collect(), 0);
    }
    let mut idx: Vec<usize> = (0..items.len()).filter(|&i| keep(&items[i])).collect();
    idx.truncate(MAX_ROWS);
    for i in (0..items.len()).rev() {
        if idx.len() == MAX_ROWS {
            break;
        }
        if !keep(&items[i]) {
            idx.push(i);
        }
    }
    idx.sort_unstable();
    let shown = idx.len();
    (
        idx.into_iter().map(|i| &items[i]).collect(),
        items.len() - shown,
    )
}

fn more_note(out: &mut String, left: usize, what: &str, y: f64) -> f64 {
    if left == 0 {
        return y;
    }
    let _ = write!(
        out,
        "<text class=\"more\" x=\"{LEFT}\" y=\"{:.0}\">and {left} more {what}: see the \
         tables below</text>",
        y + 14.0
    );
    y + ROW
}

/// The terms lane: one bar per term, from its grant to its end.
fn terms_lane(
    out: &mut String,
    answer: &TimelineAnswer,
    links: &Links,
    axes: &Axes,
    scale: &Scale,
    y: f64,
    as_of: Day,
) -> f64 {
    lane_label(out, "Terms", y);
    let in_conflict = conflicts_by_term(&answer.state.conflicts);
    let (rows, left) = pick(&answer.timeline.terms, |t| {
        t.granted.latest() <= as_of && term_end_day(t).is_none_or(|d| d > as_of)
    });
    out.push_str("<g class=\"lane-terms\">");
    let mut y = y;
    for t in rows {
        let conflict = in_conflict.get(&reference(t)).map(String::as_str);
        term_bar(out, t, links, axes, scale, y, conflict);
        y += ROW;
    }
    out.push_str("</g>\n");
    more_note(out, left, "terms", y) + 6.0
}

fn reference(t: &TermSpan) -> String {
    format!("{}#{}", t.term.event, t.term.key)
}

/// For each term in a conflict on the day, the anchor of its first conflict.
fn conflicts_by_term(conflicts: &[Conflict]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in conflicts {
        for t in &c.terms {
            out.entry(format!("{}#{}", t.event, t.key))
                .or_insert_with(|| conflict_anchor(c));
        }
    }
    out
}

/// The stable fragment that names a conflict on the conflicts page: its kind and its
/// two terms (ids and keys are `[a-z0-9-]+`).
pub fn conflict_anchor(c: &Conflict) -> String {
    let [a, b] = &c.terms;
    format!(
        "conflict-{}-{}.{}-{}.{}",
        c.kind.as_str(),
        a.event,
        a.key,
        b.event,
        b.key
    )
}

/// The first day a term is no longer in force, when it has one.
fn term_end_day(t: &TermSpan) -> Option<Day> {
    match &t.end {
        TermEnd::Lapses(u) => Some(u.latest().succ()),
        TermEnd::EndedBy { date, .. } => Some(date.latest()),
        _ => None,
    }
}

/// Where a term's bar ends on the picture, the text of its end, and whether it is drawn
/// open (no end, a condition, or a lapse past the picture's edge).
fn term_extent(t: &TermSpan, scale: &Scale) -> (f64, String, bool) {
    match &t.end {
        TermEnd::Open => (scale.right(), "no end date".to_string(), true),
        TermEnd::Condition(c) => (scale.right(), format!("until {c}"), true),
        // A lapse past the picture's end runs off its edge, open.
        TermEnd::Lapses(u) => (
            scale.x(u.latest()),
            format!("until {u}"),
            u.latest().days() > scale.end,
        ),
        TermEnd::EndedBy { event, date } => (
            scale.x(date.latest()),
            format!("ended {date} by {event}"),
            false,
        ),
    }
}

fn term_bar(
    out: &mut String,
    t: &TermSpan,
    links: &Links,
    axes: &Axes,
    scale: &Scale,
    y: f64,
    conflict: Option<&str>,
) {
    let s = &t.term;
    let (g0, g1) = (scale.x(t.granted.earliest()), scale.x(t.granted.latest()));
    let (x1, end_text, open) = term_extent(t, scale);
    let excl = if s.exclusive {
        "exclusive"
    } else {
        "non-exclusive"
    };
    let label = format!(
        "{} {} · {excl} · {} → {}",
        s.kind.as_str(),
        s.scope,
        s.grantor,
        s.holder
    );
    let title = format!("{label}; from {}, {end_text}", t.granted);
    let end_day = term_end_day(t).map_or(String::new(), |d| d.to_string());
    let _ = write!(
        out,
        "<a href=\"{href}\" class=\"mark term {cls}{open}{conf}\" data-term=\"{r}\" \
         data-end=\"{end_day}\"><title>{title}</title>",
        href = esc(&links.event(&s.event)),
        cls = if s.exclusive { "excl" } else { "nonex" },
        open = if open { " open" } else { "" },
        conf = if conflict.is_some() { " conflict" } else { "" },
        r = esc(&reference(t)),
        title = esc(&title),
    );
    if g1 > g0 {
        let _ = write!(
            out,
            "<rect class=\"fuzzy\" x=\"{g0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"10\"/>",
            y + 14.0,
            g1 - g0
        );
    }
    let _ = write!(
        out,
        "<rect class=\"bar\" x=\"{g1:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"10\"/>",
        y + 14.0,
        (x1 - g1).max(2.0)
    );
    if open {
        let _ = write!(
            out,
            "<path class=\"arrow\" d=\"M{x1:.1} {:.1} l8 5 l-8 5 z\"/>",
            y + 14.0
        );
    }
    let text = if open {
        format!("{label} · {end_text}")
    } else {
        label
    };
    bar_text(out, &text, g0, x1, y + 10.0);
    out.push_str("</a>");
    if let Some(anchor) = conflict {
        let _ = write!(
            out,
            "<a href=\"{}#{anchor}\" class=\"conflict-link\"><title>In conflict on the \
             day: see the conflict</title><text x=\"{:.1}\" y=\"{:.1}\">⚠ conflict</text></a>",
            esc(&links.conflicts(axes.as_of)),
            (x1 + 12.0).min(scale.right() - 60.0),
            y + 23.0
        );
    }
}

/// A label above a bar from `x0` to `x1`, anchored so that it stays in the picture.
fn bar_text(out: &mut String, text: &str, x0: f64, x1: f64, y: f64) {
    let (x, anchor) = if x0 > LEFT + PLOT * 0.55 {
        (x1.min(LEFT + PLOT), "end")
    } else {
        (x0, "start")
    };
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
        esc(text)
    );
}

/// The money lane: the tranches of the as-of state.
fn money_lane(
    out: &mut String,
    answer: &TimelineAnswer,
    links: &Links,
    scale: &Scale,
    y: f64,
) -> f64 {
    lane_label(out, "Money", y);
    let tranches: Vec<&InvestmentState> = answer
        .state
        .relationships
        .iter()
        .flat_map(|r| &r.investments)
        .collect();
    let dates: BTreeMap<&EventId, &EdtfDate> = answer
        .timeline
        .events
        .iter()
        .map(|(_, e)| (&e.id, &e.date))
        .collect();
    let largest = tranches
        .iter()
        .map(|t| t.amount.units)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (rows, left) = pick(&tranches, |t| t.status != MoneyStatus::Paid);
    out.push_str("<g class=\"lane-money\">");
    let mut y = y;
    for t in rows {
        let Some(date) = dates.get(&t.event) else {
            continue;
        };
        let r = 3.0 + 9.0 * (t.amount.units as f64 / largest).sqrt();
        tranche_mark(out, t, date, links, scale, (y + 15.0, r));
        y += ROW;
    }
    if tranches.is_empty() {
        y += ROW;
    }
    out.push_str("</g>\n");
    more_note(out, left, "tranches", y) + 6.0
}

fn tranche_mark(
    out: &mut String,
    t: &InvestmentState,
    date: &EdtfDate,
    links: &Links,
    scale: &Scale,
    (cy, r): (f64, f64),
) {
    let x = scale.x(date.latest());
    let status = t.status.as_str();
    let label = format!(
        "{} → {} {} · {status}",
        t.investor,
        t.investee,
        t.amount.short()
    );
    let mut title = format!("{label}; invested {date}");
    if let Some(d) = &t.due {
        let _ = write!(title, ", due {d}");
    }
    if let Some(c) = &t.condition {
        let _ = write!(title, ", condition: {c}");
    }
    let _ = write!(
        out,
        "<a href=\"{}\" class=\"mark tranche s-{status}\" data-status=\"{status}\">\
         <title>{}</title>",
        esc(&links.event(&t.event)),
        esc(&title)
    );
    if let Some(d) = &t.due {
        let xd = scale.x(d.latest());
        let _ = write!(
            out,
            "<line class=\"due\" x1=\"{x:.1}\" y1=\"{cy:.1}\" x2=\"{xd:.1}\" y2=\"{cy:.1}\"/>\
             <line class=\"due\" x1=\"{xd:.1}\" y1=\"{:.1}\" x2=\"{xd:.1}\" y2=\"{:.1}\"/>",
            cy - 5.0,
            cy + 5.0
        );
    }
    let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{cy:.1}\" r=\"{r:.1}\"/>");
    let sign = match t.status {
        MoneyStatus::Unreported | MoneyStatus::Overdue => "!",
        MoneyStatus::Lapsed => "×",
        _ => "",
    };
    if !sign.is_empty() {
        let _ = write!(
            out,
            "<text class=\"sign\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{sign}</text>",
            cy + 4.0
        );
    }
    bar_text(out, &label, x + r + 4.0, x - r - 4.0, cy + 4.0);
    out.push_str("</a>");
}

/// The disputes lane: one bar per dispute, from opened to resolved.
fn disputes_lane(
    out: &mut String,
    answer: &TimelineAnswer,
    links: &Links,
    scale: &Scale,
    y: f64,
) -> f64 {
    lane_label(out, "Disputes", y);
    let (rows, left) = pick(&answer.timeline.disputes, |d| d.resolved.is_none());
    out.push_str("<g class=\"lane-disputes\">");
    let mut y = y;
    for d in rows {
        dispute_bar(out, d, links, scale, y);
        y += ROW;
    }
    if answer.timeline.disputes.is_empty() {
        y += ROW;
    }
    out.push_str("</g>\n");
    more_note(out, left, "disputes", y)
}

fn dispute_bar(out: &mut String, d: &DisputeSpan, links: &Links, scale: &Scale, y: f64) {
    let x0 = scale.x(d.opened.earliest());
    let (x1, end) = match &d.resolved {
        Some((id, date)) => (scale.x(date.latest()), format!("resolved {date} by {id}")),
        None => (scale.right(), "open".to_string()),
    };
    let against: Vec<&str> = d.against.iter().map(|p| p.as_str()).collect();
    let conf = d.confidence.as_str();
    let label = format!(
        "{conf}: {} against {}, {}",
        d.by,
        against.join(", "),
        d.stage.as_str()
    );
    let title = format!("{label}; opened {}, {end}", d.opened);
    let _ = write!(
        out,
        "<a href=\"{}\" class=\"mark dispute {}{}\" data-event=\"{}\" data-confidence=\"{conf}\">\
         <title>{}</title><rect class=\"bar\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
         height=\"10\"/>",
        esc(&links.event(&d.event)),
        confidence_class(d.confidence),
        if d.resolved.is_none() { " open" } else { "" },
        esc(d.event.as_str()),
        esc(&title),
        y + 14.0,
        (x1 - x0).max(2.0)
    );
    bar_text(out, &label, x0, x1, y + 10.0);
    out.push_str("</a>");
}
