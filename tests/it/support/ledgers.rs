//! Random ledgers for the projection properties: fuzzy EDTF dates and cross-references
//! whose party sets differ from their targets' (the cases an index can miss), tranches
//! with keys, due dates, conditions and lapse dates, payments of them, and query days
//! chosen near each ledger's own date boundaries.

use crate::support::arb_ledger;
use pactlog::codec::{Entry, Timestamp};
use pactlog::model::{
    Confidence, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Money, Party, PartyId,
    Payload, ProductStage, Scope, Source, Term, TermKey, TermRef, TermType, Tranche, TrancheRef,
    Until,
};
use pactlog::projection::Query;
use proptest::prelude::*;
use proptest::sample::Index;

// ---------------------------------------------------------------------------------------
// Random ledgers with fuzzy dates and cross-party references.

/// Party ids of generated ledgers (a ledger uses the first 2 to 4).
pub(crate) const PARTY_IDS: [&str; 4] = ["pa", "pb", "pc", "pd"];
/// A party no ledger defines: every answer about it is empty.
pub(crate) const STRANGER: &str = "zz-stranger";
/// Scopes of generated terms: prefixes of one another (`cloud.api` and
/// `cloud.api.stateless`), siblings (`cloud.api.stateless` and `cloud.api.stateful`) and a
/// near miss that is neither (`cloud.apis`).
pub(crate) const SCOPES: [&str; 7] = [
    "cloud",
    "cloud.api",
    "cloud.api.stateless",
    "cloud.api.stateful",
    "cloud.apis",
    "ip.models",
    "ip.research",
];
/// Every append is recorded at this instant, so equal prefixes hash equally.
pub(crate) const AT: Timestamp = Timestamp::from_unix(1_767_225_600);

/// The `DateSeed::form` of an open start, `../D`.
pub(crate) const OPEN_START: u8 = 13;

/// The shape of one EDTF date, over 2020-2022 so that dates overlap.
#[derive(Clone, Debug)]
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

    /// EDTF text: days (most often), months, years, closed and open intervals,
    /// unspecified digits, seasons, decades, with `~ ? %` qualifiers.
    fn text(&self) -> String {
        let q = ["", "", "", "", "~", "?", "%", ""][usize::from(self.qualifier)];
        let (y, m) = (self.year, self.month);
        let day = self.anchor();
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

    pub(crate) fn edtf(&self) -> EdtfDate {
        let text = self.text();
        EdtfDate::parse(&text).unwrap_or_else(|e| panic!("generated bad date {text:?}: {e}"))
    }
}

/// The random choices behind one event; `picks` are consumed in order, cycling.
#[derive(Clone, Debug)]
pub(crate) struct EventSeed {
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
}

pub(crate) fn arb_event_seed() -> impl Strategy<Value = EventSeed> {
    (
        0u8..20,
        arb_date_seed(),
        arb_date_seed(),
        arb_date_seed(),
        proptest::option::of(0u16..700),
        proptest::collection::vec(any::<u16>(), 12..16),
        proptest::option::of(proptest::collection::vec(0u8..4, 1..3)),
        proptest::option::weighted(0.2, any::<u16>()),
    )
        .prop_map(
            |(kind, date, until, money, disclosed, picks, explicit, supersedes)| EventSeed {
                kind,
                date,
                until,
                money,
                disclosed,
                picks,
                explicit,
                supersedes,
            },
        )
}

pub(crate) struct Dice<'a> {
    picks: &'a [u16],
    at: usize,
}

impl Dice<'_> {
    fn below(&mut self, n: usize) -> usize {
        let v = self.picks[self.at % self.picks.len()];
        self.at += 1;
        usize::from(v) % n.max(1)
    }

    fn flag(&mut self) -> bool {
        self.below(2) == 0
    }
}

/// What earlier events offer as targets.
pub(crate) struct Built {
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
}

pub(crate) fn money(d: &mut Dice<'_>) -> Money {
    Money::parse(&format!("{} USD", 1 + d.below(50))).expect("valid amount")
}

/// Builds event `i` from its seed. References always name earlier events of the right
/// kind (what import accepts); their dates are free, and enders, resolvers and successors
/// often list parties of their own.
pub(crate) fn build_event(i: usize, seed: &EventSeed, built: &Built) -> Event {
    let mut d = Dice {
        picks: &seed.picks,
        at: 0,
    };
    let kind = match seed.kind {
        6 | 7 if built.terms.is_empty() => 0,
        10 | 11 if built.legal.is_empty() => 8,
        14 | 15 if built.events.is_empty() => 17,
        18 | 19 if built.tranches.is_empty() => 1,
        k => k,
    };
    let ends = |d: &mut Dice<'_>| -> Vec<TermRef> {
        let mut out: Vec<TermRef> = Vec::new();
        for _ in 0..1 + d.below(2) {
            let (r, _, _) = &built.terms[d.below(built.terms.len())];
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    };
    // The terms a legal event or statement is about: none a third of the time, else one
    // to three earlier terms (two or more name them together: a contest).
    let concerns = |d: &mut Dice<'_>| -> Vec<TermRef> {
        let mut out: Vec<TermRef> = Vec::new();
        if built.terms.is_empty() || d.below(3) == 0 {
            return out;
        }
        for _ in 0..1 + d.below(3) {
            let (r, _, _) = &built.terms[d.below(built.terms.len())];
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    };
    let payload = match kind {
        1 | 2 => Payload::Investment {
            tranches: (0..d.below(4))
                .map(|k| tranche(k, seed, &mut d, built))
                .collect(),
        },
        18 | 19 => {
            let mut pays: Vec<TrancheRef> = Vec::new();
            for _ in 0..1 + d.below(2) {
                let (r, _, _) = &built.tranches[d.below(built.tranches.len())];
                if !pays.contains(r) {
                    pays.push(r.clone());
                }
            }
            Payload::Payment { pays }
        }
        3..=5 => {
            let ends = if !built.terms.is_empty() && d.below(3) == 0 {
                ends(&mut d)
            } else {
                Vec::new()
            };
            let terms = (0..1 + d.below(2))
                .map(|k| {
                    let kind = TermType::ALL[d.below(TermType::ALL.len())];
                    // Often the first party: one grantor with rival holders is where
                    // terms conflict.
                    let grantor = if d.flag() {
                        built.parties[0].clone()
                    } else {
                        built.party(&mut d)
                    };
                    let holder = built.other(&grantor, &mut d);
                    let until = match d.below(3) {
                        0 => None,
                        1 => Some(Until::Date(seed.until.edtf())),
                        _ => Some(Until::Condition("until a change of control".into())),
                    };
                    Term {
                        key: TermKey::new(&format!("t{k}")).expect("valid key"),
                        kind,
                        grantor,
                        holder,
                        scope: Scope::new(SCOPES[d.below(SCOPES.len())]).expect("valid scope"),
                        exclusive: d.flag(),
                        amount: d.flag().then(|| money(&mut d)),
                        until,
                    }
                })
                .collect();
            Payload::Agreement {
                title: None,
                terms,
                ends,
            }
        }
        6 | 7 => Payload::TermEnded {
            ends: ends(&mut d),
            reason: None,
        },
        8 | 9 => {
            let by = built.party(&mut d);
            let mut against = vec![built.other(&by, &mut d)];
            for _ in 0..d.below(3) {
                let x = built.other(&by, &mut d);
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
                claim: None,
                resolves: None,
                concerns: concerns(&mut d),
            }
        }
        10 | 11 => {
            // Closes an earlier matter, often between only some of its parties.
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
                built.party(&mut d)
            };
            let mut against: Vec<PartyId> = t_against
                .iter()
                .filter(|x| **x != by && d.flag())
                .cloned()
                .collect();
            if against.is_empty() {
                against.push(built.other(&by, &mut d));
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
                claim: None,
                resolves: Some(target.id.clone()),
                concerns: concerns(&mut d),
            }
        }
        12 => Payload::Statement {
            by: built.party(&mut d),
            about: (!built.events.is_empty() && d.flag())
                .then(|| built.events[d.below(built.events.len())].id.clone()),
            concerns: concerns(&mut d),
        },
        13 => Payload::ProductLaunch {
            by: built.party(&mut d),
            product: "a model".into(),
            stage: ProductStage::General,
        },
        14 | 15 => Payload::Retraction,
        16 => Payload::Restructuring,
        0 => Payload::Announcement,
        _ => Payload::Other,
    };
    let supersedes = if built.events.is_empty() {
        None
    } else if matches!(payload, Payload::Retraction) {
        // Half the time, retract an event that reaches other pairs by reference: an ender
        // or a resolver.
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
    } else {
        seed.supersedes
            .map(|p| built.events[usize::from(p) % built.events.len()].id.clone())
    };
    // Parties as import makes them: explicit ones and the payload's; failing both, those
    // of the targets (the superseded event, the ended terms' grantors and holders). A
    // payment always lists the investor and investee of what it pays (import refuses
    // one that leaves them out).
    let mut parties = payload.named_parties();
    for r in payload.pays() {
        let (_, investor, investee) = built
            .tranches
            .iter()
            .find(|(x, _, _)| x == r)
            .expect("earlier");
        parties.extend([investor.clone(), investee.clone()]);
    }
    if let Some(extra) = &seed.explicit {
        parties.extend(
            extra
                .iter()
                .map(|&k| built.parties[usize::from(k) % built.parties.len()].clone()),
        );
    }
    if parties.is_empty() {
        if let Some(t) = &supersedes {
            let target = built.events.iter().find(|e| e.id == *t).expect("earlier");
            parties.extend(target.parties.iter().cloned());
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
        parties.push(built.party(&mut d));
    }
    parties.sort();
    parties.dedup();
    let date = seed.date.edtf();
    let disclosed = match seed.disclosed {
        None => date.latest(),
        Some(extra) => {
            Day::from_days(seed.date.anchor().max(date.earliest()).days() + i32::from(extra))
        }
    };
    Event {
        id: EventId::new(&format!("e{i}")).expect("valid id"),
        date,
        disclosed,
        summary: "Generated.".into(),
        confidence: [
            Confidence::Confirmed,
            Confidence::Reported,
            Confidence::Rumor,
        ][d.below(3)],
        parties,
        supersedes,
        sources: vec![source(i)],
        payload,
    }
}

/// Tranche `k` of an investment: sometimes keyed (payable), due on a date, or
/// conditional with a lapse date; `due` and `lapses` as import accepts them (a closed
/// end, not before the event's earliest day, `lapses` only with a condition).
fn tranche(k: usize, seed: &EventSeed, d: &mut Dice<'_>, built: &Built) -> Tranche {
    let investor = built.party(d);
    let investee = built.other(&investor, d);
    let amount = money(d);
    let condition = d.flag().then(|| "on a milestone".to_string());
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

pub(crate) fn resolves(e: &Event) -> Option<&EventId> {
    match &e.payload {
        Payload::Legal { resolves, .. } => resolves.as_ref(),
        _ => None,
    }
}

pub(crate) fn source(i: usize) -> Source {
    Source {
        url: format!("https://example.com/{i}"),
        publisher: None,
        published: None,
    }
}

pub(crate) fn party_entry(id: &str) -> Entry {
    Entry::Party(Party {
        id: pid(id),
        name: id.to_uppercase(),
        aliases: Vec::new(),
    })
}

pub(crate) fn build_ledger(n_parties: usize, seeds: &[EventSeed]) -> Vec<Entry> {
    let mut built = Built {
        parties: PARTY_IDS[..n_parties].iter().map(|p| pid(p)).collect(),
        events: Vec::new(),
        terms: Vec::new(),
        tranches: Vec::new(),
        legal: Vec::new(),
    };
    let mut entries: Vec<Entry> = PARTY_IDS[..n_parties]
        .iter()
        .map(|p| party_entry(p))
        .collect();
    for (i, seed) in seeds.iter().enumerate() {
        let e = build_event(i, seed, &built);
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

/// A random ledger with fuzzy dates and cross-party references.
pub(crate) fn arb_fuzzy_ledger(max_events: usize) -> impl Strategy<Value = Vec<Entry>> {
    (
        2usize..=PARTY_IDS.len(),
        proptest::collection::vec(arb_event_seed(), 0..=max_events),
    )
        .prop_map(|(n, seeds)| build_ledger(n, &seeds))
}

/// Like [`arb_fuzzy_ledger`], weighted towards what makes conflicts: three or four parties
/// (rival holders), about half the events agreements, and legal events, settlements and
/// statements that name terms through `concerns`; term endings and retractions still
/// take terms out of force.
pub(crate) fn arb_conflict_ledger(max_events: usize) -> impl Strategy<Value = Vec<Entry>> {
    (
        3usize..=PARTY_IDS.len(),
        proptest::collection::vec(arb_event_seed(), 0..=max_events),
    )
        .prop_map(|(n, mut seeds)| {
            for s in &mut seeds {
                s.kind = match s.kind {
                    0..=7 => 3,
                    8..=10 => 8,
                    11 => 10,
                    12 | 13 => 12,
                    14 => 6,
                    15 => 14,
                    k => k,
                };
            }
            build_ledger(n, &seeds)
        })
}

/// Like [`arb_fuzzy_ledger`], without open starts (`../D`): every event has a day before it.
pub(crate) fn arb_fuzzy_ledger_with_a_start(
    max_events: usize,
) -> impl Strategy<Value = Vec<Entry>> {
    (
        2usize..=PARTY_IDS.len(),
        proptest::collection::vec(arb_event_seed(), 0..=max_events),
    )
        .prop_map(|(n, mut seeds)| {
            for s in &mut seeds {
                if s.date.form == OPEN_START {
                    s.date.form = 0;
                }
            }
            build_ledger(n, &seeds)
        })
}

/// Either generator: fuzzy dates (mostly) or tests/common's plain-day ledgers.
pub(crate) fn arb_any_ledger() -> impl Strategy<Value = Vec<Entry>> {
    prop_oneof![3 => arb_fuzzy_ledger(24), 1 => arb_ledger(4, 20)]
}

pub(crate) fn arb_batch_sizes() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1usize..8, 1..6)
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
