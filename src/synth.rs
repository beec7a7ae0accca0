//! A seeded synthetic ledger for benchmarks and load tests: the same seed and size always
//! give the same parties and events, byte for byte.
//!
//! The data looks like the curated dataset, scaled up:
//! - thousands of parties (`events / 100`, between 20 and 10 000), a few of them (the
//!   "big companies") in many relationships;
//! - a skewed distribution of pairs: relationship ranks follow a Zipf law (exponent 0.7
//!   over `events / 8` ranks), so at 1M events the busiest pair has about 9 000 events,
//!   the hundredth about 350 and the median pair a handful;
//! - every kind, in proportions like the real files (agreements, statements, investments
//!   and launches most often; retractions rarely), a tenth of them with a third party;
//! - fuzzy dates: mostly exact days, then months, years, approximate and uncertain days,
//!   intervals, seasons and open-ended intervals; some disclosed later than they happened;
//! - references that always resolve: `supersedes` (corrections and retractions) of a
//!   recent event of the same pair, `ends` of a live term, `resolves` of an open legal
//!   matter, `about` of a recent event;
//! - summaries of one to three sentences and one to three sources with realistic URLs.
//!
//! Events come out in append order (every reference points to an earlier event), with
//! dates that grow roughly with the position, from 1995 to 2026. [`Synth::events`] streams
//! them, so a million events never need to be in memory at once; [`write_event_files`]
//! writes them as `events/*.toml` files that `pactlog import` accepts.

use crate::model::{
    Confidence, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Party, PartyId, Payload,
    ProductStage, TermKey, TermRef, TrancheRef,
};
use std::collections::HashMap;

mod files;
#[cfg(test)]
mod tests;
mod values;

use values::{disclosed, fuzzy_date, sentence_of, sources, summary, term, tranche};

pub use files::{event_toml, party_toml, write_event_files};

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthConfig {
    /// The seed: the same seed and sizes give the same ledger.
    pub seed: u64,
    /// Number of events.
    pub events: usize,
    /// Number of parties.
    pub parties: usize,
}

impl SynthConfig {
    /// `events` events with the default number of parties (`events / 100`, clamped to
    /// 20..=10 000).
    pub fn new(seed: u64, events: usize) -> SynthConfig {
        SynthConfig {
            seed,
            events,
            parties: (events / 100).clamp(20, 10_000),
        }
    }
}

/// SplitMix64: small, fast, and good enough for synthetic data.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `percent / 100`.
    fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }
}

const SYLLABLES: &[&str] = &[
    "ar", "bel", "cor", "dex", "en", "fal", "gri", "hal", "ion", "jun", "kor", "lum", "mar", "nov",
    "or", "pax", "quin", "ros", "syl", "tor", "ul", "vek", "wyn", "xan", "yor", "zen",
];
const SUFFIXES: &[&str] = &[
    "Labs",
    "Systems",
    "AI",
    "Cloud",
    "Capital",
    "Networks",
    "Robotics",
    "Energy",
    "Bio",
    "Semiconductor",
    "Ventures",
    "Holdings",
];
const PUBLISHERS: &[(&str, &str)] = &[
    ("Reuters", "reuters.com"),
    ("Bloomberg", "bloomberg.com"),
    ("The Information", "theinformation.com"),
    ("Financial Times", "ft.com"),
    ("The Wall Street Journal", "wsj.com"),
    ("TechCrunch", "techcrunch.com"),
    ("The Verge", "theverge.com"),
    ("CNBC", "cnbc.com"),
    ("company press release", "newsroom.example.com"),
];
const SCOPES: &[&str] = &[
    "cloud",
    "cloud.api",
    "cloud.api.stateless",
    "cloud.training",
    "models.frontier",
    "models.open-weights",
    "chips.accelerators",
    "distribution.enterprise",
    "distribution.consumer",
    "data.licensing",
    "energy.datacenter",
    "commercialization.ai",
];
const WORDS: &[&str] = &[
    "partnership",
    "expanded",
    "compute",
    "capacity",
    "agreement",
    "multi-year",
    "deal",
    "exclusive",
    "rights",
    "customers",
    "model",
    "infrastructure",
    "investment",
    "round",
    "valuation",
    "regulators",
    "filing",
    "announced",
    "reported",
    "according",
    "people",
    "familiar",
    "matter",
    "terms",
    "revenue",
    "share",
    "datacenter",
    "gigawatts",
    "chips",
    "license",
    "commercial",
    "enterprise",
    "launch",
    "availability",
    "region",
    "cloud",
];
const CLAIMS: &[&str] = &[
    "breach of the exclusivity terms",
    "misuse of licensed technology",
    "antitrust concerns over the bundled offering",
    "unpaid commitments under the capacity agreement",
];
const CONDITIONS: &[&str] = &[
    "until the parties agree otherwise",
    "until a qualifying initial public offering",
    "until the compute commitment is met",
    "subject to regulatory approval",
];

/// Kinds and their weights (per mille of events).
const KIND_WEIGHTS: &[(Kind, u64)] = &[
    (Kind::Announcement, 120),
    (Kind::Investment, 140),
    (Kind::Payment, 20),
    (Kind::Agreement, 180),
    (Kind::TermEnded, 50),
    (Kind::LegalThreat, 50),
    (Kind::LegalAction, 40),
    (Kind::Statement, 170),
    (Kind::ProductLaunch, 130),
    (Kind::Restructuring, 30),
    (Kind::Retraction, 20),
    (Kind::Other, 50),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Announcement,
    Investment,
    Payment,
    Agreement,
    TermEnded,
    LegalThreat,
    LegalAction,
    Statement,
    ProductLaunch,
    Restructuring,
    Retraction,
    Other,
}

/// What a pair remembers so later events can refer back.
#[derive(Default, Debug)]
struct PairMemory {
    /// Recent events not superseded (targets of supersedes and about), oldest first.
    recent: Vec<EventId>,
    /// Terms granted and not yet ended by a synthetic event, with the earliest day of
    /// the agreement that granted each (nothing may end a term before that day).
    terms: Vec<(TermRef, Day)>,
    /// Legal matters not yet resolved, with the earliest day of each (nothing may
    /// resolve a matter before it is opened).
    open_legal: Vec<(EventId, Day)>,
    /// Scheduled tranches not yet paid by a synthetic payment, with the earliest day of
    /// their investment (nothing may pay money before it is committed).
    payable: Vec<(TrancheRef, Day)>,
}

const RECENT: usize = 4;
const LIVE_TERMS: usize = 8;
const OPEN_LEGAL: usize = 4;
const PAYABLE: usize = 4;

/// The generator: parties up front, events as a stream.
#[derive(Clone, Debug)]
pub struct Synth {
    config: SynthConfig,
    party_ids: Vec<PartyId>,
}

/// Days since 1970-01-01 of 1995-01-01 and 2026-12-31: the span events are spread over.
const FIRST_DAY: i32 = 9131;
const LAST_DAY: i32 = 20818;
/// Zipf exponent of relationship ranks.
const ZIPF: f64 = 0.7;

impl Synth {
    /// A generator for `config`.
    pub fn new(config: SynthConfig) -> Synth {
        let mut config = config;
        config.parties = config.parties.max(3);
        let party_ids = (0..config.parties).map(party_id).collect();
        Synth { config, party_ids }
    }

    /// Its configuration.
    pub fn config(&self) -> SynthConfig {
        self.config
    }

    /// Every party, in id order of creation.
    pub fn parties(&self) -> Vec<Party> {
        let mut rng = Rng(self.config.seed ^ 0x5041_5254_4945_5321);
        (0..self.config.parties)
            .map(|i| {
                let s1 = *rng.pick(SYLLABLES);
                let s2 = *rng.pick(SYLLABLES);
                let suffix = *rng.pick(SUFFIXES);
                let stem = format!("{}{s2}", capitalize(s1));
                let name = format!("{stem} {suffix} {i}");
                let aliases = if rng.percent(30) {
                    vec![format!("{}{} {i}", stem.to_uppercase(), &suffix[..1])]
                } else {
                    Vec::new()
                };
                Party {
                    id: self.party_ids[i].clone(),
                    name,
                    aliases,
                }
            })
            .collect()
    }

    /// The two parties of relationship `rank` (a fixed function of the seed): the first
    /// skewed towards the big companies at the start of the list, the second uniform.
    pub fn pair_of_rank(&self, rank: u64) -> (PartyId, PartyId) {
        let (a, b) = self.pair_indexes(rank);
        (self.party_ids[a].clone(), self.party_ids[b].clone())
    }

    fn pair_indexes(&self, rank: u64) -> (usize, usize) {
        let mut rng = Rng(self.config.seed ^ rank.wrapping_mul(0xA076_1D64_78BD_642F));
        let n = self.config.parties as u64;
        let u = rng.unit();
        let a = ((u * u * n as f64) as u64).min(n - 1);
        let mut b = rng.below(n);
        if b == a {
            b = (a + 1) % n;
        }
        (a as usize, b as usize)
    }

    /// Number of relationship ranks events are drawn from.
    pub fn ranks(&self) -> u64 {
        (self.config.events as u64 / 8).max(10)
    }

    /// Every event, streamed in append order.
    pub fn events(&self) -> Events<'_> {
        Events {
            synth: self,
            rng: Rng(self.config.seed),
            next: 0,
            memory: HashMap::new(),
            zipf_top: (self.ranks() as f64).powf(1.0 - ZIPF),
        }
    }
}

fn party_id(i: usize) -> PartyId {
    let mut rng = Rng(i as u64 ^ 0x1234_5678);
    let s1 = SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize];
    let s2 = SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize];
    // INVARIANT: syllables are lowercase ASCII letters, the suffix digits: a valid slug.
    PartyId::new(&format!("{s1}{s2}-{i}")).expect("generated party ids are slugs")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The stream of events of a [`Synth`].
#[derive(Debug)]
pub struct Events<'a> {
    synth: &'a Synth,
    rng: Rng,
    next: usize,
    memory: HashMap<u64, PairMemory>,
    zipf_top: f64,
}

impl Iterator for Events<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.next >= self.synth.config.events {
            return None;
        }
        let i = self.next;
        self.next += 1;
        Some(self.event(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.synth.config.events - self.next;
        (left, Some(left))
    }
}

/// The parts of an event that every kind shares, before the payload is chosen.
struct Draft {
    id: EventId,
    date: EdtfDate,
    parties: Vec<PartyId>,
    a: PartyId,
    b: PartyId,
    third: Option<PartyId>,
}

impl Events<'_> {
    fn rank(&mut self) -> u64 {
        // Inverse CDF of a continuous power law with exponent ZIPF over [1, ranks + 1).
        let x = (self.rng.unit() * (self.zipf_top - 1.0) + 1.0).powf(1.0 / (1.0 - ZIPF));
        (x as u64).saturating_sub(1).min(self.synth.ranks() - 1)
    }

    fn kind(&mut self) -> Kind {
        let total: u64 = KIND_WEIGHTS.iter().map(|(_, w)| w).sum();
        let mut x = self.rng.below(total);
        for (k, w) in KIND_WEIGHTS {
            if x < *w {
                return *k;
            }
            x -= w;
        }
        Kind::Other
    }

    fn event(&mut self, i: usize) -> Event {
        let n = self.synth.config.events.max(1) as i64;
        let span = i64::from(LAST_DAY - FIRST_DAY);
        let jitter = self.rng.below(31) as i64 - 15;
        let base = (i64::from(FIRST_DAY) + i as i64 * span / n + jitter)
            .clamp(i64::from(FIRST_DAY), i64::from(LAST_DAY)) as i32;
        let day = Day::from_days(base);
        let rank = self.rank();
        let (ai, bi) = self.synth.pair_indexes(rank);
        let (a, b) = (
            self.synth.party_ids[ai].clone(),
            self.synth.party_ids[bi].clone(),
        );
        let third = if self.rng.percent(10) {
            let t = self.rng.below(self.synth.config.parties as u64) as usize;
            (t != ai && t != bi).then(|| self.synth.party_ids[t].clone())
        } else {
            None
        };
        let mut kind = self.kind();
        let memory = self.memory.entry(rank).or_default();
        // Kinds that need something to refer to fall back to an announcement.
        if (kind == Kind::TermEnded && memory.terms.is_empty())
            || (kind == Kind::Retraction && memory.recent.is_empty())
            || (kind == Kind::Payment && memory.payable.is_empty())
        {
            kind = Kind::Announcement;
        }
        let date = fuzzy_date(&mut self.rng, day);
        let (y, m, d) = day.ymd();
        let slug = kind_slug(kind);
        let text = format!("{y:04}-{m:02}-{d:02}-{a}-{b}-{slug}-{i}");
        // INVARIANT: dates, party ids, kind slugs and digits are all slug characters.
        let id = EventId::new(&text).expect("generated event ids are slugs");
        let mut parties = vec![a.clone(), b.clone()];
        parties.extend(third.clone());
        let draft = Draft {
            id,
            date,
            parties,
            a,
            b,
            third,
        };
        let event = self.build(rank, kind, draft);
        self.remember(rank, &event);
        event
    }

    fn build(&mut self, rank: u64, kind: Kind, draft: Draft) -> Event {
        let rng = &mut self.rng;
        // INVARIANT: `event` inserted the pair's memory before calling `build`.
        let memory = self.memory.entry(rank).or_default();
        let Draft {
            id,
            date,
            parties,
            a,
            b,
            third,
        } = draft;
        let (x, y) = if rng.percent(50) { (&a, &b) } else { (&b, &a) };
        let mut supersedes = None;
        let payload = match kind {
            Kind::Announcement => Payload::Announcement,
            Kind::Restructuring => Payload::Restructuring,
            Kind::Other => Payload::Other,
            Kind::Retraction => {
                supersedes = take_recent(rng, memory);
                Payload::Retraction
            }
            Kind::Investment => {
                let mut first = tranche(rng, x, y);
                if first.condition.is_none() && rng.percent(30) {
                    // A scheduled instalment, due up to a year after the investment.
                    let due = Day::from_days(date.latest().days() + 1 + rng.below(365) as i32);
                    // INVARIANT: a day's text is a valid EDTF date; "scheduled" a slug.
                    first.due = Some(EdtfDate::parse(&due.to_string()).expect("a day"));
                    first.key = Some(TermKey::new("scheduled").expect("a slug"));
                }
                let mut tranches = vec![first];
                if let Some(t) = &third {
                    tranches.push(tranche(rng, t, y));
                } else if rng.percent(15) {
                    tranches.push(tranche(rng, x, y));
                }
                Payload::Investment { tranches }
            }
            Kind::Agreement => {
                let count = 1 + rng.below(3) as usize;
                let terms = (0..count).map(|k| term(rng, k, x, y, &date)).collect();
                let ends = if rng.percent(15) {
                    take_terms(rng, memory, date.latest())
                } else {
                    Vec::new()
                };
                let title = rng.percent(50).then(|| sentence_of(rng, 3, 6));
                Payload::Agreement { title, terms, ends }
            }
            Kind::Payment => match take_one(rng, &mut memory.payable, date.latest()) {
                Some(pays) => Payload::Payment { pays: vec![pays] },
                // Every remembered tranche was committed after this event's date.
                None => Payload::Announcement,
            },
            Kind::TermEnded => match take_terms(rng, memory, date.latest()) {
                // Every remembered term was granted after this event's date.
                ends if ends.is_empty() => Payload::Announcement,
                ends => Payload::TermEnded {
                    ends,
                    reason: rng.percent(50).then(|| sentence_of(rng, 4, 8)),
                },
            },
            Kind::LegalThreat | Kind::LegalAction => {
                let resolve = !memory.open_legal.is_empty() && rng.percent(40);
                let resolves = if resolve {
                    take_one(rng, &mut memory.open_legal, date.latest())
                } else {
                    None
                };
                let stage = if resolves.is_some() {
                    *rng.pick(&[
                        LegalStage::Settled,
                        LegalStage::Dismissed,
                        LegalStage::Withdrawn,
                    ])
                } else {
                    *rng.pick(&[
                        LegalStage::Considering,
                        LegalStage::Threatened,
                        LegalStage::Filed,
                    ])
                };
                let mut against = vec![y.clone()];
                against.extend(third.clone());
                Payload::Legal {
                    kind: if kind == Kind::LegalThreat {
                        LegalKind::Threat
                    } else {
                        LegalKind::Action
                    },
                    by: x.clone(),
                    against,
                    stage,
                    claim: rng.percent(60).then(|| rng.pick(CLAIMS).to_string()),
                    resolves,
                    concerns: Vec::new(),
                }
            }
            Kind::Statement => Payload::Statement {
                by: x.clone(),
                about: if rng.percent(40) && !memory.recent.is_empty() {
                    Some(rng.pick(&memory.recent).clone())
                } else {
                    None
                },
                concerns: Vec::new(),
            },
            Kind::ProductLaunch => Payload::ProductLaunch {
                by: x.clone(),
                product: format!("{} {}", capitalize(rng.word(WORDS)), 1 + rng.below(9)),
                stage: *rng.pick(&[
                    ProductStage::Limited,
                    ProductStage::Preview,
                    ProductStage::General,
                ]),
            },
        };
        // Corrections: a few events of the plainer kinds replace a recent one.
        if supersedes.is_none()
            && matches!(
                kind,
                Kind::Announcement | Kind::Investment | Kind::Statement | Kind::Other
            )
            && rng.percent(5)
        {
            supersedes = take_recent(rng, memory);
        }
        let mut all = parties.clone();
        all.extend(payload.named_parties());
        all.sort();
        all.dedup();
        let disclosed = disclosed(rng, &date);
        let confidence = *rng.pick(&[
            Confidence::Confirmed,
            Confidence::Confirmed,
            Confidence::Confirmed,
            Confidence::Reported,
            Confidence::Reported,
            Confidence::Rumor,
        ]);
        let summary = summary(rng);
        let sources = sources(rng, &date, &id);
        Event {
            id,
            date,
            disclosed,
            summary,
            confidence,
            parties: all,
            supersedes,
            sources,
            payload,
        }
    }

    fn remember(&mut self, rank: u64, e: &Event) {
        let memory = self.memory.entry(rank).or_default();
        memory.recent.push(e.id.clone());
        if memory.recent.len() > RECENT {
            memory.recent.remove(0);
        }
        match &e.payload {
            Payload::Agreement { terms, .. } => {
                for t in terms {
                    let r = TermRef {
                        event: e.id.clone(),
                        key: t.key.clone(),
                    };
                    memory.terms.push((r, e.date.earliest()));
                }
                let over = memory.terms.len().saturating_sub(LIVE_TERMS);
                memory.terms.drain(..over);
            }
            Payload::Investment { tranches } => {
                for key in tranches.iter().filter_map(|t| t.key.clone()) {
                    let r = TrancheRef {
                        event: e.id.clone(),
                        key,
                    };
                    memory.payable.push((r, e.date.earliest()));
                }
                let over = memory.payable.len().saturating_sub(PAYABLE);
                memory.payable.drain(..over);
            }
            Payload::Legal {
                stage,
                resolves: None,
                ..
            } if !stage.is_closing() => {
                memory.open_legal.push((e.id.clone(), e.date.earliest()));
                if memory.open_legal.len() > OPEN_LEGAL {
                    memory.open_legal.remove(0);
                }
            }
            _ => {}
        }
    }
}

fn kind_slug(kind: Kind) -> &'static str {
    match kind {
        Kind::Announcement => "announces",
        Kind::Investment => "invests",
        Kind::Payment => "pays",
        Kind::Agreement => "agrees",
        Kind::TermEnded => "ends-terms",
        Kind::LegalThreat => "threatens",
        Kind::LegalAction => "sues",
        Kind::Statement => "states",
        Kind::ProductLaunch => "launches",
        Kind::Restructuring => "restructures",
        Kind::Retraction => "retracts",
        Kind::Other => "other",
    }
}

/// Removes and returns a recent event of the pair (it is being superseded).
fn take_recent(rng: &mut Rng, memory: &mut PairMemory) -> Option<EventId> {
    if memory.recent.is_empty() {
        return None;
    }
    let k = rng.below(memory.recent.len() as u64) as usize;
    Some(memory.recent.remove(k))
}

/// Removes and returns one remembered item whose day is on or before `latest` (it is
/// being referred to by an event whose latest day it is), if there is one.
fn take_one<T>(rng: &mut Rng, items: &mut Vec<(T, Day)>, latest: Day) -> Option<T> {
    let eligible: Vec<usize> = (0..items.len()).filter(|&i| items[i].1 <= latest).collect();
    if eligible.is_empty() {
        return None;
    }
    let k = eligible[rng.below(eligible.len() as u64) as usize];
    Some(items.remove(k).0)
}

/// Removes and returns one or two live terms of the pair granted on or before `latest`
/// (they are being ended by an event whose latest day it is).
fn take_terms(rng: &mut Rng, memory: &mut PairMemory, latest: Day) -> Vec<TermRef> {
    let mut out = Vec::new();
    let count = 1 + rng.below(2) as usize;
    for _ in 0..count {
        let endable: Vec<usize> = (0..memory.terms.len())
            .filter(|&i| memory.terms[i].1 <= latest)
            .collect();
        if endable.is_empty() {
            break;
        }
        let k = endable[rng.below(endable.len() as u64) as usize];
        out.push(memory.terms.remove(k).0);
    }
    out.sort();
    out
}
