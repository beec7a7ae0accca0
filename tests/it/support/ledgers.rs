//! The one generator of random ledgers for the properties, and the query days they are
//! asked about.
//!
//! A ledger is generated as seeds (plain random numbers and strings, which shrink well)
//! and built deterministically: 2 to 6 parties (ids `pa`, `pb`, ... with random names
//! and aliases, unique and never alike), then events of every kind, with random text
//! wherever an event has text, whose references (`supersedes`, `ends`, `pays`,
//! `resolves`, `about`, `concerns`) always name an earlier event of the right kind, often
//! with parties of their own (the cases an index can miss). Dates are EDTF of every form
//! (days, months, years, intervals with open ends and starts, unspecified digits,
//! seasons, decades, qualifiers) in one of two styles, [`Dates`]: free, or as import and
//! restore accept them.

use pactlog::codec::{ChainHash, Entry, Format, Record, Seq, Timestamp};
use pactlog::model::{
    Confidence, Currency, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Money, Party,
    PartyId, Payload, ProductStage, Scope, Source, Term, TermKey, TermRef, TermType, Tranche,
    TrancheRef, Until,
};
use pactlog::projection::Query;
use proptest::prelude::*;
use proptest::sample::Index;
use std::ops::RangeInclusive;

// ---------------------------------------------------------------------------------------
// Random ledgers.

/// Party ids of generated ledgers (a ledger uses the first 2 to 6).
pub(crate) const PARTY_IDS: [&str; 6] = ["pa", "pb", "pc", "pd", "pe", "pf"];
/// A party no ledger defines: every answer about it is empty.
pub(crate) const STRANGER: &str = "zz-stranger";
/// Scopes of generated terms: prefixes of one another (`cloud.api` and
/// `cloud.api.stateless`), siblings (`cloud.api.stateless` and `cloud.api.stateful`) and a
/// near miss that is neither (`cloud.apis`).
const SCOPES: [&str; 7] = [
    "cloud",
    "cloud.api",
    "cloud.api.stateless",
    "cloud.api.stateful",
    "cloud.apis",
    "ip.models",
    "ip.research",
];
/// Currencies of generated amounts (all in the supported ISO 4217 list).
const CURRENCIES: [&str; 6] = ["USD", "EUR", "GBP", "JPY", "CHF", "AED"];
/// Every append is recorded at this instant, so equal prefixes hash equally.
pub(crate) const AT: Timestamp = Timestamp::from_unix(1_767_225_600);

/// The `DateSeed::form` of an open start, `../D`.
const OPEN_START: u8 = 13;

/// How the events of a generated ledger are dated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dates {
    /// Each event on its own random date, whatever it refers to: an ender or a resolver
    /// may come before what it ends or resolves, a term's `until` before its agreement,
    /// and an open-ended date without a `disclosed` day is disclosed on `Day::MAX`.
    /// Import refuses some of these, but the projections must still answer every stored
    /// ledger as the reference fold does.
    Fuzzy,
    /// As import and restore accept them (see [`dated_as_import_accepts`]): an event
    /// that refers to others starts no earlier than each of them ends (starts, when its
    /// end is open), so that no ending comes before its grant; a dated `until` does not
    /// end before its agreement starts; `due` and `lapses` are closed and not before
    /// their investment; an open-ended date is disclosed on a real day.
    AfterTargets,
    /// One of the two per ledger, `Fuzzy` three times in four.
    Either,
}

/// Free text as an importer keeps it: trimmed, non-empty, no control characters.
fn arb_text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9 ,.'$%&()é€-]{0,40}".prop_map(|s| s.trim_end().to_string())
}

/// The shape of one EDTF date around a day of 2020-2022 (so that dates overlap).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DateSeed {
    form: u8,
    year: i16,
    month: i8,
    day: i8,
    span: u16,
    qualifier: u8,
}

pub(crate) fn arb_date_seed() -> impl Strategy<Value = DateSeed> {
    (
        0u8..17,
        2020i16..=2022,
        1i8..=12,
        1i8..=28,
        0u16..500,
        0u8..8,
    )
        .prop_map(|(form, year, month, day, span, qualifier)| DateSeed {
            form,
            year,
            month,
            day,
            span,
            qualifier,
        })
}

impl DateSeed {
    fn anchor(&self) -> Day {
        Day::from_ymd(self.year, self.month, self.day).expect("day 1-28 exists")
    }

    /// EDTF text around `day`: days (most often), months, years, closed and open
    /// intervals, unspecified digits, seasons, decades, with `~ ? %` qualifiers.
    fn text(&self, day: Day) -> String {
        let q = ["", "", "", "", "~", "?", "%", ""][usize::from(self.qualifier)];
        let (y, m, _) = day.ymd();
        let end = Day::from_days(day.days() + i32::from(self.span));
        match self.form {
            0..=5 => format!("{day}{q}"),
            6 | 7 => format!("{y:04}-{m:02}{q}"),
            8 => format!("{y:04}{q}"),
            9 | 10 => format!("{day}{q}/{end}"),
            11 => {
                let (y2, m2, _) = end.ymd();
                format!("{y:04}-{m:02}/{y2:04}-{m2:02}{q}")
            }
            12 => format!("{y:04}-{m:02}{q}/.."),
            OPEN_START => format!("../{day}{q}"),
            14 if self.span.is_multiple_of(2) => format!("{y:04}-{m:02}-XX{q}"),
            14 => format!("{y:04}-XX{q}"),
            15 => format!("{y:04}-{}{q}", 21 + m % 4),
            _ => format!("{}X{q}", y / 10),
        }
    }

    fn at(&self, day: Day) -> EdtfDate {
        let text = self.text(day);
        EdtfDate::parse(&text).unwrap_or_else(|e| panic!("generated bad date {text:?}: {e}"))
    }

    /// The date of this seed.
    pub(crate) fn edtf(&self) -> EdtfDate {
        self.at(self.anchor())
    }

    /// A date that starts on or after `day`: this seed's own when it does, else its form
    /// moved to up to 119 days after `day`, else (a form that reaches back, like an open
    /// start) the day it was moved to.
    fn not_before(&self, day: Day) -> EdtfDate {
        let own = self.edtf();
        if own.earliest() >= day {
            return own;
        }
        let to = Day::from_days(day.days() + i32::from(self.span % 120));
        let moved = self.at(to);
        if moved.earliest() >= day {
            moved
        } else {
            DateSeed { form: 0, ..*self }.at(to)
        }
    }
}

/// The last day of a date, or its first when its end is open: where an event that
/// refers to it may start, in [`Dates::AfterTargets`].
fn reach(date: &EdtfDate) -> Day {
    if date.latest() == Day::MAX {
        date.earliest()
    } else {
        date.latest()
    }
}

/// A party's random name and aliases.
type PartySeed = (String, Vec<String>);

fn arb_party_seed() -> impl Strategy<Value = PartySeed> {
    (arb_text(), proptest::collection::vec(arb_text(), 0..3))
}

/// A source with a random publisher and day (its address is set by the builder).
fn arb_source() -> impl Strategy<Value = Source> {
    (
        proptest::option::of(arb_text()),
        proptest::option::of((2015i16..=2030, 1i8..=12, 1i8..=28)),
    )
        .prop_map(|(publisher, published)| Source {
            url: String::new(),
            publisher,
            published: published.map(|(y, m, d)| Day::from_ymd(y, m, d).expect("a day")),
        })
}

/// The random choices behind one event; `picks` and `texts` are consumed in order,
/// cycling.
#[derive(Clone, Debug)]
struct EventSeed {
    kind: u8,
    date: DateSeed,
    until: DateSeed,
    /// The date of a tranche's `due` or `lapses`.
    money: DateSeed,
    disclosed: Option<u16>,
    picks: Vec<u16>,
    /// Parties listed explicitly (indexes), beside those the payload names.
    explicit: Option<Vec<u8>>,
    supersedes: Option<u16>,
    summary: String,
    /// An agreement's title, a legal event's claim or a term ending's reason.
    note: Option<String>,
    /// Product names and the conditions of tranches and terms.
    texts: Vec<String>,
    sources: Vec<Source>,
    /// Ends the event's id and its term keys, so ids vary in length and content.
    slug: String,
}

fn arb_event_seed() -> impl Strategy<Value = EventSeed> {
    let dates = (arb_date_seed(), arb_date_seed(), arb_date_seed());
    let texts = (
        arb_text(),
        proptest::option::of(arb_text()),
        proptest::collection::vec(arb_text(), 1..4),
        proptest::collection::vec(arb_source(), 1..3),
        "[a-z0-9]{1,8}",
    );
    (
        0u8..20,
        dates,
        proptest::option::of(0u16..700),
        proptest::collection::vec(any::<u16>(), 12..16),
        // 12 is a multiple of every party count but 5.
        proptest::option::of(proptest::collection::vec(0u8..12, 1..3)),
        proptest::option::weighted(0.2, any::<u16>()),
        texts,
    )
        .prop_map(
            |(kind, (date, until, money), disclosed, picks, explicit, supersedes, texts)| {
                let (summary, note, texts, sources, slug) = texts;
                EventSeed {
                    kind,
                    date,
                    until,
                    money,
                    disclosed,
                    picks,
                    explicit,
                    supersedes,
                    summary,
                    note,
                    texts,
                    sources,
                    slug,
                }
            },
        )
}

struct Dice<'a> {
    seed: &'a EventSeed,
    at: usize,
    text_at: usize,
}

impl Dice<'_> {
    fn below(&mut self, n: usize) -> usize {
        let v = self.seed.picks[self.at % self.seed.picks.len()];
        self.at += 1;
        usize::from(v) % n.max(1)
    }

    fn flag(&mut self) -> bool {
        self.below(2) == 0
    }

    fn text(&mut self) -> String {
        let t = self.seed.texts[self.text_at % self.seed.texts.len()].clone();
        self.text_at += 1;
        t
    }
}

/// What earlier events offer as targets.
#[derive(Default)]
struct Built {
    parties: Vec<PartyId>,
    events: Vec<Event>,
    terms: Vec<(TermRef, PartyId, PartyId)>,
    /// Tranches with a key, which payments can name: the reference, investor, investee.
    tranches: Vec<(TrancheRef, PartyId, PartyId)>,
    legal: Vec<usize>,
}

impl Built {
    fn party(&self, d: &mut Dice<'_>) -> PartyId {
        self.parties[d.below(self.parties.len())].clone()
    }

    fn other(&self, not: &PartyId, d: &mut Dice<'_>) -> PartyId {
        let i = self.parties.iter().position(|p| p == not).unwrap_or(0);
        let step = 1 + d.below(self.parties.len() - 1);
        self.parties[(i + step) % self.parties.len()].clone()
    }

    fn event(&self, id: &EventId) -> &Event {
        self.events
            .iter()
            .find(|e| e.id == *id)
            .expect("an earlier event")
    }
}

/// 1 to 50 units times a power of ten up to 10^12, in one of six currencies.
fn money(d: &mut Dice<'_>) -> Money {
    let units = (1 + d.below(50) as u64) * 10u64.pow(d.below(13) as u32);
    Money {
        units,
        currency: Currency::new(CURRENCIES[d.below(CURRENCIES.len())]).expect("supported"),
    }
}

/// Builds event `i` from its seed. References always name earlier events of the right
/// kind (what import accepts); enders, resolvers and successors often list parties of
/// their own. Dates as `dates` says (`Fuzzy` or `AfterTargets`).
fn build_event(i: usize, seed: &EventSeed, built: &Built, dates: Dates) -> Event {
    let mut d = Dice {
        seed,
        at: 0,
        text_at: 0,
    };
    let payload = payload(seed, &mut d, built);
    let supersedes = supersedes(&payload, seed, &mut d, built);
    let parties = parties(&payload, supersedes.as_ref(), seed, &mut d, built);
    let mut e = Event {
        id: EventId::new(&format!("e{i}-{}", seed.slug)).expect("valid id"),
        date: seed.date.edtf(),
        disclosed: Day::MIN, // below, once the date is final
        summary: seed.summary.clone(),
        confidence: [
            Confidence::Confirmed,
            Confidence::Reported,
            Confidence::Rumor,
        ][d.below(3)],
        parties,
        supersedes,
        sources: (seed.sources.iter().enumerate())
            .map(|(k, s)| Source {
                url: format!("https://example.com/{i}/{k}"),
                ..s.clone()
            })
            .collect(),
        payload,
    };
    if dates == Dates::AfterTargets {
        let targets = e.references().into_iter();
        if let Some(start) = targets.map(|(_, t)| reach(&built.event(t).date)).max() {
            e.date = seed.date.not_before(start);
        }
        fit_own_dates(&mut e.payload, &e.date, seed);
    }
    // Disclosed on the date's last day, or some days after the later of its start and the
    // seed's day (that day itself for an open end in `AfterTargets`).
    let from = seed.date.anchor().max(e.date.earliest());
    e.disclosed = match seed.disclosed {
        Some(extra) => Day::from_days(from.days() + i32::from(extra)),
        None if dates == Dates::AfterTargets && e.date.has_open_end() => from,
        None => e.date.latest(),
    };
    e
}

/// One to `n` distinct values drawn with `draw`.
fn distinct<T: PartialEq>(
    d: &mut Dice<'_>,
    n: usize,
    mut draw: impl FnMut(&mut Dice<'_>) -> T,
) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for _ in 0..1 + d.below(n) {
        let x = draw(d);
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// One or two earlier terms, for `ends`.
fn ends(d: &mut Dice<'_>, built: &Built) -> Vec<TermRef> {
    distinct(d, 2, |d| built.terms[d.below(built.terms.len())].0.clone())
}

/// What a legal event or statement is about: nothing a third of the time, else one to
/// three earlier terms (two or more name them together: a contest) or keyed tranches
/// (a report on their payment).
fn concerns(d: &mut Dice<'_>, built: &Built) -> Vec<TermRef> {
    let (terms, tranches) = (built.terms.len(), built.tranches.len());
    if terms + tranches == 0 || d.below(3) == 0 {
        return Vec::new();
    }
    distinct(d, 3, |d| match d.below(terms + tranches) {
        i if i < terms => built.terms[i].0.clone(),
        i => {
            let r = &built.tranches[i - terms].0;
            TermRef {
                event: r.event.clone(),
                key: r.key.clone(),
            }
        }
    })
}

/// The payload of the seed's kind; kinds that need an earlier target fall back to
/// another kind while there is none.
fn payload(seed: &EventSeed, d: &mut Dice<'_>, built: &Built) -> Payload {
    let kind = match seed.kind {
        6 | 7 if built.terms.is_empty() => 0,
        10 | 11 if built.legal.is_empty() => 8,
        14 | 15 if built.events.is_empty() => 17,
        18 | 19 if built.tranches.is_empty() => 1,
        k => k,
    };
    match kind {
        1 | 2 => Payload::Investment {
            tranches: (0..d.below(4))
                .map(|k| tranche(k, seed, d, built))
                .collect(),
        },
        18 | 19 => Payload::Payment {
            pays: distinct(d, 2, |d| {
                built.tranches[d.below(built.tranches.len())].0.clone()
            }),
        },
        3..=5 => agreement(seed, d, built),
        6 | 7 => Payload::TermEnded {
            ends: ends(d, built),
            reason: seed.note.clone(),
        },
        8 | 9 => legal(seed, d, built),
        10 | 11 => settlement(seed, d, built),
        12 => Payload::Statement {
            by: built.party(d),
            about: (!built.events.is_empty() && d.flag())
                .then(|| built.events[d.below(built.events.len())].id.clone()),
            concerns: concerns(d, built),
        },
        13 => Payload::ProductLaunch {
            by: built.party(d),
            product: d.text(),
            stage: [
                ProductStage::Limited,
                ProductStage::Preview,
                ProductStage::General,
            ][d.below(3)],
        },
        14 | 15 => Payload::Retraction,
        16 => Payload::Restructuring,
        0 => Payload::Announcement,
        _ => Payload::Other,
    }
}

/// An agreement of one or two terms, a third of the time also ending earlier ones.
fn agreement(seed: &EventSeed, d: &mut Dice<'_>, built: &Built) -> Payload {
    let ends = if !built.terms.is_empty() && d.below(3) == 0 {
        ends(d, built)
    } else {
        Vec::new()
    };
    let terms = (0..1 + d.below(2))
        .map(|k| {
            let kind = TermType::ALL[d.below(TermType::ALL.len())];
            // Often the first party: one grantor with rival holders is where terms
            // conflict.
            let grantor = if d.flag() {
                built.parties[0].clone()
            } else {
                built.party(d)
            };
            let holder = built.other(&grantor, d);
            let until = match d.below(3) {
                0 => None,
                1 => Some(Until::Date(seed.until.edtf())),
                _ => Some(Until::Condition(format!("when {}", d.text()))),
            };
            Term {
                key: TermKey::new(&format!("t{k}-{}", seed.slug)).expect("valid key"),
                kind,
                grantor,
                holder,
                scope: Scope::new(SCOPES[d.below(SCOPES.len())]).expect("valid scope"),
                exclusive: d.flag(),
                amount: d.flag().then(|| money(d)),
                until,
            }
        })
        .collect();
    Payload::Agreement {
        title: seed.note.clone(),
        terms,
        ends,
    }
}

/// A legal threat or action against one to three parties.
fn legal(seed: &EventSeed, d: &mut Dice<'_>, built: &Built) -> Payload {
    let by = built.party(d);
    let mut against = vec![built.other(&by, d)];
    for _ in 0..d.below(3) {
        let x = built.other(&by, d);
        if !against.contains(&x) {
            against.push(x);
        }
    }
    Payload::Legal {
        kind: if d.flag() {
            LegalKind::Threat
        } else {
            LegalKind::Action
        },
        by,
        against,
        stage: LegalStage::ALL[d.below(LegalStage::ALL.len())],
        claim: seed.note.clone(),
        resolves: None,
        concerns: concerns(d, built),
    }
}

/// A legal action that closes an earlier matter, often between only some of its
/// parties.
fn settlement(seed: &EventSeed, d: &mut Dice<'_>, built: &Built) -> Payload {
    let target = &built.events[built.legal[d.below(built.legal.len())]];
    let Payload::Legal {
        by: t_by,
        against: t_against,
        ..
    } = &target.payload
    else {
        unreachable!("legal targets are legal events")
    };
    let by = if d.flag() {
        t_by.clone()
    } else {
        built.party(d)
    };
    let mut against: Vec<PartyId> = t_against
        .iter()
        .filter(|x| **x != by && d.flag())
        .cloned()
        .collect();
    if against.is_empty() {
        against.push(built.other(&by, d));
    }
    Payload::Legal {
        kind: LegalKind::Action,
        by,
        against,
        stage: [
            LegalStage::Settled,
            LegalStage::Dismissed,
            LegalStage::Withdrawn,
        ][d.below(3)],
        claim: seed.note.clone(),
        resolves: Some(target.id.clone()),
        concerns: concerns(d, built),
    }
}

/// What the event supersedes: a retraction always retracts something, half the time an
/// event that reaches other pairs by reference (an ender or a resolver); other kinds
/// supersede an earlier event when the seed says so.
fn supersedes(
    payload: &Payload,
    seed: &EventSeed,
    d: &mut Dice<'_>,
    built: &Built,
) -> Option<EventId> {
    if built.events.is_empty() {
        return None;
    }
    if !matches!(payload, Payload::Retraction) {
        return seed
            .supersedes
            .map(|p| built.events[usize::from(p) % built.events.len()].id.clone());
    }
    let referring: Vec<&Event> = built
        .events
        .iter()
        .filter(|e| !e.payload.ends().is_empty() || resolves(e).is_some())
        .collect();
    Some(if !referring.is_empty() && d.flag() {
        referring[d.below(referring.len())].id.clone()
    } else {
        built.events[d.below(built.events.len())].id.clone()
    })
}

/// Parties as import makes them: explicit ones and the payload's; failing both, those of
/// the targets (the superseded event, the ended terms' grantors and holders). A payment
/// always lists the investor and investee of what it pays, and a report those of the
/// tranches it names (import refuses one that leaves them out).
fn parties(
    payload: &Payload,
    supersedes: Option<&EventId>,
    seed: &EventSeed,
    d: &mut Dice<'_>,
    built: &Built,
) -> Vec<PartyId> {
    let mut parties = payload.named_parties();
    for r in payload.pays() {
        let (_, investor, investee) = built
            .tranches
            .iter()
            .find(|(x, _, _)| x == r)
            .expect("earlier");
        parties.extend([investor.clone(), investee.clone()]);
    }
    for r in payload.concerns() {
        let named =
            |(x, _, _): &&(TrancheRef, PartyId, PartyId)| x.event == r.event && x.key == r.key;
        if let Some((_, investor, investee)) = built.tranches.iter().find(named) {
            parties.extend([investor.clone(), investee.clone()]);
        }
    }
    if let Some(extra) = &seed.explicit {
        parties.extend(
            extra
                .iter()
                .map(|&k| built.parties[usize::from(k) % built.parties.len()].clone()),
        );
    }
    if parties.is_empty() {
        if let Some(t) = supersedes {
            parties.extend(built.event(t).parties.iter().cloned());
        }
        for r in payload.ends() {
            let (_, g, h) = built
                .terms
                .iter()
                .find(|(x, _, _)| x == r)
                .expect("earlier");
            parties.extend([g.clone(), h.clone()]);
        }
    }
    if parties.is_empty() {
        parties.push(built.party(d));
    }
    parties.sort();
    parties.dedup();
    parties
}

/// Tranche `k` of an investment: sometimes keyed (payable), due on a date, or
/// conditional with a lapse date; `due` and `lapses` as import accepts them (a closed
/// end, not before the earliest day of the seed's date, `lapses` only with a
/// condition; [`fit_own_dates`] drops those that end before a date moved later).
fn tranche(k: usize, seed: &EventSeed, d: &mut Dice<'_>, built: &Built) -> Tranche {
    let investor = built.party(d);
    let investee = built.other(&investor, d);
    let amount = money(d);
    let condition = d.flag().then(|| d.text());
    let date = seed.money.edtf();
    let fits = !date.has_open_end() && seed.date.edtf().earliest() <= date.latest();
    let dated = (fits && d.below(3) != 0).then_some(date);
    let (due, lapses) = match (&condition, dated) {
        (None, due) => (due, None),
        (Some(_), lapses) => (None, lapses),
    };
    Tranche {
        key: (d.below(4) != 0).then(|| TermKey::new(&format!("m{k}")).expect("valid key")),
        investor,
        investee,
        amount,
        due,
        condition,
        lapses,
    }
}

/// Fits an event's own dates to its (moved) date as import requires: a dated `until`
/// that ends before the agreement starts moves after it; a `due` or `lapses` day that
/// ends before the investment starts is dropped.
fn fit_own_dates(payload: &mut Payload, date: &EdtfDate, seed: &EventSeed) {
    let start = date.earliest();
    match payload {
        Payload::Agreement { terms, .. } => {
            for t in terms {
                if let Some(Until::Date(u)) = &mut t.until
                    && u.latest() < start
                {
                    *u = seed.until.not_before(start);
                }
            }
        }
        Payload::Investment { tranches } => {
            for t in tranches {
                for day in [&mut t.due, &mut t.lapses] {
                    *day = day.take().filter(|x| x.latest() >= start);
                }
            }
        }
        _ => {}
    }
}

fn resolves(e: &Event) -> Option<&EventId> {
    match &e.payload {
        Payload::Legal { resolves, .. } => resolves.as_ref(),
        _ => None,
    }
}

/// A source with nothing but an address, for hand-made events.
pub(crate) fn source(i: usize) -> Source {
    Source {
        url: format!("https://example.com/{i}"),
        publisher: None,
        published: None,
    }
}

/// A party whose name is its id in capitals, for hand-made ledgers.
pub(crate) fn party_entry(id: &str) -> Entry {
    Entry::Party(Party {
        id: pid(id),
        name: id.to_uppercase(),
        aliases: Vec::new(),
    })
}

/// Party `i` of a generated ledger: its name and aliases end in `#i` and `#i.k`, which no
/// random text holds, so no two names of different parties are equal or alike (import
/// refuses both).
fn build_party(i: usize, (name, aliases): &PartySeed) -> Party {
    Party {
        id: pid(PARTY_IDS[i]),
        name: format!("{name} #{i}"),
        aliases: (aliases.iter().enumerate())
            .map(|(k, a)| format!("{a} #{i}.{k}"))
            .collect(),
    }
}

fn build_ledger(dates: Dates, parties: &[PartySeed], seeds: &[EventSeed]) -> Vec<Entry> {
    let mut built = Built::default();
    let mut entries: Vec<Entry> = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        let p = build_party(i, p);
        built.parties.push(p.id.clone());
        entries.push(Entry::Party(p));
    }
    for (i, seed) in seeds.iter().enumerate() {
        let e = build_event(i, seed, &built, dates);
        if let Payload::Agreement { terms, .. } = &e.payload {
            for t in terms {
                let r = TermRef {
                    event: e.id.clone(),
                    key: t.key.clone(),
                };
                built.terms.push((r, t.grantor.clone(), t.holder.clone()));
            }
        }
        if let Payload::Investment { tranches } = &e.payload {
            for t in tranches {
                if let Some(key) = &t.key {
                    let r = TrancheRef {
                        event: e.id.clone(),
                        key: key.clone(),
                    };
                    built
                        .tranches
                        .push((r, t.investor.clone(), t.investee.clone()));
                }
            }
        }
        if matches!(e.payload, Payload::Legal { .. }) {
            built.legal.push(built.events.len());
        }
        built.events.push(e.clone());
        entries.push(Entry::Event(e));
    }
    entries
}

/// Ledgers of `parties` (a range within 2..=6) and up to `events` events, dated as
/// `dates` says, each seed changed by `tweak` first.
fn ledgers(
    dates: Dates,
    parties: RangeInclusive<usize>,
    events: usize,
    tweak: fn(&mut EventSeed),
) -> impl Strategy<Value = Vec<Entry>> {
    (
        proptest::bool::weighted(0.25),
        proptest::collection::vec(arb_party_seed(), parties),
        proptest::collection::vec(arb_event_seed(), 0..=events),
    )
        .prop_map(move |(after, parties, mut seeds)| {
            seeds.iter_mut().for_each(tweak);
            let dates = match dates {
                Dates::Either if after => Dates::AfterTargets,
                Dates::Either => Dates::Fuzzy,
                d => d,
            };
            build_ledger(dates, &parties, &seeds)
        })
}

/// A random ledger: 2 to `max_parties` (at most 6) parties, then up to `max_events`
/// events of every kind and feature, dated as `dates` says.
pub(crate) fn arb_ledger(
    dates: Dates,
    max_parties: usize,
    max_events: usize,
) -> impl Strategy<Value = Vec<Entry>> {
    ledgers(dates, 2..=max_parties.clamp(2, 6), max_events, |_| {})
}

/// Like [`arb_ledger`], without open starts (`../D`): every event has a day before it.
pub(crate) fn arb_ledger_with_a_start(
    dates: Dates,
    max_parties: usize,
    max_events: usize,
) -> impl Strategy<Value = Vec<Entry>> {
    ledgers(dates, 2..=max_parties.clamp(2, 6), max_events, |s| {
        if s.date.form == OPEN_START {
            s.date.form = 0;
        }
    })
}

/// Fuzzy ledgers weighted towards what makes conflicts: three or four parties (rival
/// holders), about half the events agreements, and legal events, settlements and
/// statements that name terms through `concerns`; term endings and retractions still
/// take terms out of force.
pub(crate) fn arb_conflict_ledger(max_events: usize) -> impl Strategy<Value = Vec<Entry>> {
    ledgers(Dates::Fuzzy, 3..=4, max_events, |s| {
        s.kind = match s.kind {
            0..=7 => 3,
            8..=10 => 8,
            11 => 10,
            12 | 13 => 12,
            14 => 6,
            15 => 14,
            k => k,
        };
    })
}

/// The ledgers of the projection properties: up to 4 parties and 24 events, either
/// date style.
pub(crate) fn arb_any_ledger() -> impl Strategy<Value = Vec<Entry>> {
    arb_ledger(Dates::Either, 4, 24)
}

pub(crate) fn arb_batch_sizes() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1usize..8, 1..6)
}

/// A random record: any seq, time and prev, with an entry of a random ledger.
pub(crate) fn arb_record() -> impl Strategy<Value = Record> {
    (
        any::<u64>(),
        any::<i64>(),
        any::<[u8; 32]>(),
        arb_ledger(Dates::Either, 4, 8),
        any::<Index>(),
    )
        .prop_map(|(seq, at, prev, entries, pick)| Record {
            seq: Seq::new(seq),
            recorded_at: Timestamp::from_unix(at),
            prev: ChainHash::from_bytes(prev),
            entry: pick.get(&entries).clone(),
            format: Format::CURRENT,
        })
}

// ---------------------------------------------------------------------------------------
// What the generator promises, checked by the tests that rely on it.

/// Whether every reference in `entries` names an earlier entry of the right kind, every
/// event lists defined parties (sorted, unique) and is disclosed no earlier than it
/// starts (the promise of every generated ledger).
pub(crate) fn references_point_backwards(entries: &[Entry]) -> Result<(), String> {
    let mut events: Vec<&Event> = Vec::new();
    let mut parties: Vec<&PartyId> = Vec::new();
    for entry in entries {
        match entry {
            Entry::Party(p) => {
                if !events.is_empty() {
                    return Err(format!("party {} comes after events", p.id));
                }
                parties.push(&p.id);
            }
            Entry::Event(e) => {
                let find = |id: &EventId| events.iter().find(|x| x.id == *id).copied();
                if let Some(t) = &e.supersedes {
                    find(t).ok_or(format!("{}: supersedes unknown {t}", e.id))?;
                }
                for r in e.payload.ends().iter().chain(e.payload.concerns()) {
                    let concerned = e.payload.concerns().contains(r);
                    match find(&r.event).map(|t| &t.payload) {
                        Some(Payload::Agreement { terms, .. })
                            if terms.iter().any(|t| t.key == r.key) => {}
                        Some(Payload::Investment { tranches })
                            if concerned
                                && tranches.iter().any(|t| t.key.as_ref() == Some(&r.key)) => {}
                        _ => return Err(format!("{}: refers to unknown term {r}", e.id)),
                    }
                }
                for r in e.payload.pays() {
                    match find(&r.event).map(|t| &t.payload) {
                        Some(Payload::Investment { tranches })
                            if tranches.iter().any(|t| t.key.as_ref() == Some(&r.key)) => {}
                        _ => return Err(format!("{}: pays unknown tranche {r}", e.id)),
                    }
                }
                match &e.payload {
                    Payload::Legal {
                        resolves: Some(t), ..
                    } => match find(t).map(|t| &t.payload) {
                        Some(Payload::Legal { .. }) => {}
                        _ => return Err(format!("{}: resolves non-legal {t}", e.id)),
                    },
                    Payload::Statement { about: Some(t), .. } => {
                        find(t).ok_or(format!("{}: about unknown {t}", e.id))?;
                    }
                    _ => {}
                }
                if e.parties.is_empty() || e.parties.iter().any(|p| !parties.contains(&p)) {
                    return Err(format!("{}: parties {:?} not all defined", e.id, e.parties));
                }
                if e.parties.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(format!("{}: parties not sorted and unique", e.id));
                }
                if e.disclosed < e.date.earliest() {
                    return Err(format!("{}: disclosed before the event", e.id));
                }
                events.push(e);
            }
        }
    }
    Ok(())
}

/// Whether the dates of `entries` keep the rules import applies to event files (the
/// promise of [`Dates::AfterTargets`]; a restore checks only the ending-before-grant
/// and money ones): an event starts no earlier than each event it refers to ends
/// (starts, when its end is open), a dated `until` does not end before its agreement
/// starts, `due` and `lapses` are closed and do not end before their investment starts,
/// and an open-ended date is disclosed on a real day.
pub(crate) fn dated_as_import_accepts(entries: &[Entry]) -> Result<(), String> {
    let all: Vec<&Event> = events(entries).collect();
    for e in &all {
        let start = e.date.earliest();
        for (field, t) in e.references() {
            let t = all
                .iter()
                .find(|x| x.id == *t)
                .ok_or(format!("{t} unknown"))?;
            if start < reach(&t.date) {
                return Err(format!(
                    "{} ({}) starts before its `{field}` {} ({})",
                    e.id, e.date, t.id, t.date
                ));
            }
        }
        if e.disclosed == Day::MAX {
            return Err(format!("{} ({}) has no disclosed day", e.id, e.date));
        }
        let own: Vec<&EdtfDate> = match &e.payload {
            Payload::Agreement { terms, .. } => (terms.iter())
                .filter_map(|t| match &t.until {
                    Some(Until::Date(u)) => Some(u),
                    _ => None,
                })
                .collect(),
            Payload::Investment { tranches } => {
                let money = tranches.iter().flat_map(|t| t.due.iter().chain(&t.lapses));
                if let Some(open) = money.clone().find(|d| d.has_open_end()) {
                    return Err(format!("{}: `due` or `lapses` {open} is open", e.id));
                }
                money.collect()
            }
            _ => Vec::new(),
        };
        if let Some(early) = own.iter().find(|d| d.latest() < start) {
            return Err(format!(
                "{} ({}) has a date {early} ending before it",
                e.id, e.date
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Queries: days near the ledger's own boundaries, so that `<=` versus `<` matters.

#[derive(Clone, Debug)]
pub(crate) struct QuerySeed {
    as_of: Index,
    known_at: Option<Index>,
    at_size: Option<Index>,
}

pub(crate) fn arb_query_seed() -> impl Strategy<Value = QuerySeed> {
    (
        any::<Index>(),
        proptest::option::of(any::<Index>()),
        proptest::option::of(any::<Index>()),
    )
        .prop_map(|(as_of, known_at, at_size)| QuerySeed {
            as_of,
            known_at,
            at_size,
        })
}

/// Every day where an answer may change, with the days on either side.
pub(crate) fn boundary_days(entries: &[Entry]) -> Vec<Day> {
    let mut days = vec![Day::from_ymd(2021, 1, 1).expect("a day")];
    for e in events(entries) {
        let mut add = vec![e.date.earliest(), e.date.latest(), e.disclosed];
        if let Payload::Agreement { terms, .. } = &e.payload {
            add.extend(terms.iter().filter_map(|t| t.until.as_ref()?.last_day()));
        }
        if let Payload::Investment { tranches } = &e.payload {
            for t in tranches {
                add.extend(t.due.iter().chain(&t.lapses).map(EdtfDate::latest));
            }
        }
        for d in add {
            if d != Day::MIN && d != Day::MAX {
                days.extend([d.pred(), d, d.succ()]);
            }
        }
    }
    days.sort();
    days.dedup();
    days
}

impl QuerySeed {
    pub(crate) fn query(&self, entries: &[Entry]) -> Query {
        let days = boundary_days(entries);
        Query {
            as_of: *self.as_of.get(&days),
            known_at: self.known_at.map(|k| *k.get(&days)),
            at_size: self.at_size.map(|n| n.index(entries.len() + 1) as u64),
        }
    }
}

/// A party id known to be valid.
pub(crate) fn pid(s: &str) -> PartyId {
    PartyId::new(s).expect("valid party id")
}

/// The events of a ledger, in record order.
pub(crate) fn events(entries: &[Entry]) -> impl Iterator<Item = &Event> {
    entries.iter().filter_map(|e| match e {
        Entry::Event(e) => Some(e),
        Entry::Party(_) => None,
    })
}
