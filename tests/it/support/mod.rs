//! Helpers shared by the integration tests: temporary stores, the `pactlog` command with
//! a fixed clock, paths of the bundled data, and proptest strategies that generate random
//! *valid* ledgers (what a successful import could have appended). The submodules hold
//! what fewer tests need: proof files and keys (`audit`), hostile files and pipes
//! (`hostile`), X and their reference fold
//! (`reference`).

pub mod audit;
pub mod hostile;
pub mod ledgers;
pub mod reference;

use assert_cmd::Command;
use pactlog::codec::ChainHash;
use pactlog::codec::{Entry, Record, Seq, Timestamp};
use pactlog::model::{
    Confidence, Currency, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Money, Party,
    PartyId, Payload, ProductStage, Scope, Source, Term, TermKey, TermRef, TermType, Tranche,
    TrancheRef, Until,
};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Whether tests rewrite their expected files instead of comparing with them: exactly
/// `PACTLOG_BLESS=1`, the one bless rule of every test that pins output (golden vectors,
/// fixtures/expected, the outputs shown in README.md and docs/). A test that writes fails,
/// so that what it wrote is reviewed before it is committed.
pub fn blessing() -> bool {
    std::env::var("PACTLOG_BLESS").is_ok_and(|v| v == "1")
}

/// A command's standard output, as text.
pub fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A command's standard error, as text.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, with both streams in the failure message.
pub fn assert_code(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: expected exit {code}\nstdout: {}\nstderr: {}",
        stdout_of(out),
        stderr_of(out)
    );
}

/// The instant every CLI test records at (`PACTLOG_NOW`).
pub const NOW: &str = "2026-01-01T00:00:00Z";

/// A path inside the repository.
pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The bundled dataset.
pub fn events_dir() -> PathBuf {
    repo_path("events")
}

/// The tiny fictional dataset of the tests (3 parties, 11 events, plain dates only).
pub fn small_fixture() -> PathBuf {
    repo_path("fixtures/import/small")
}

/// Records an import of `small_fixture()` appends.
pub const SMALL_SIZE: u64 = 14;

/// A store path in a fresh temporary folder (the store itself does not exist yet).
pub struct TempStore {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempStore {
    pub fn new() -> TempStore {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let path = dir.path().join("pactlog.db");
        TempStore { dir, path }
    }

    /// `pactlog --store <this store>` with the fixed clock.
    pub fn cmd(&self) -> Command {
        pactlog(&self.path)
    }

    /// Runs `pactlog --store <this> <args>` and parses stdout as JSON; the command must
    /// succeed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd().args(args).output().expect("run pactlog");
        assert!(
            out.status.success(),
            "pactlog {args:?} failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "pactlog {args:?} printed no JSON ({e}):\n{}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Imports `paths` and returns the `import --json` report; the import must succeed.
    pub fn import(&self, paths: &[&Path]) -> serde_json::Value {
        let mut args: Vec<String> = vec!["import".into(), "--json".into()];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.json(&args)
    }
}

/// `pactlog --store <store>` with `PACTLOG_NOW` fixed, `PACTLOG_STORE` cleared and the
/// working directory set to a place where a stray default store would be harmless.
pub fn pactlog(store: &Path) -> Command {
    let mut cmd =
        Command::cargo_bin("pactlog").expect("the pactlog binary is built for integration tests");
    cmd.arg("--store").arg(store);
    cmd.env("PACTLOG_NOW", NOW);
    cmd.env_remove("PACTLOG_STORE");
    cmd.current_dir(store.parent().unwrap_or(Path::new(".")));
    cmd
}

/// A proptest config with `default` cases unless `PROPTEST_CASES` says otherwise. Failure
/// files are not written (they would land beside the test sources).
pub fn cases(default: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    }
    config.failure_persistence = None;
    config
}

// ---------------------------------------------------------------------------------------
// Random valid ledgers.
//
// A ledger is generated as a list of "seeds" (plain random numbers and strings, which
// shrink well), then built deterministically: every reference is resolved against the
// entries built so far, so `ends`, `supersedes`, `resolves` and `about` always name an
// EARLIER event of the right kind, and events that refer to others are dated after them.

/// Currencies the generator uses (all in the supported ISO 4217 list).
const CURRENCIES: [&str; 6] = ["USD", "EUR", "GBP", "JPY", "CHF", "AED"];
/// Scopes the generator uses: prefixes of one another, so exclusivity overlaps happen.
const SCOPES: [&str; 8] = [
    "cloud",
    "cloud.api",
    "cloud.api.stateless",
    "cloud.distribution",
    "ip",
    "ip.models",
    "compute.capacity",
    "revenue.share",
];

/// Free text as an importer would keep it: trimmed, non-empty, no control characters.
pub fn arb_text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9 ,.'$%&()é€-]{0,40}".prop_map(|s| s.trim_end().to_string())
}

/// A slug of `[a-z0-9]`.
fn arb_slug() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,8}"
}

/// The shape of an EDTF date: 0 = day, 1 = month, 2 = year (only these for now).
#[derive(Clone, Debug)]
pub struct DateSeed {
    form: u8,
    year: i16,
    month: i8,
    day: i8,
    /// Days after the latest target, for events that refer to others.
    after: u16,
}

fn arb_date_seed() -> impl Strategy<Value = DateSeed> {
    (0u8..3, 2015i16..=2030, 1i8..=12, 1i8..=28, 0u16..120).prop_map(
        |(form, year, month, day, after)| DateSeed {
            form,
            year,
            month,
            day,
            after,
        },
    )
}

fn date_text(form: u8, year: i16, month: i8, day: i8) -> String {
    match form {
        0 => format!("{year:04}-{month:02}-{day:02}"),
        1 => format!("{year:04}-{month:02}"),
        _ => format!("{year:04}"),
    }
}

fn edtf(text: &str) -> EdtfDate {
    EdtfDate::parse(text).unwrap_or_else(|e| panic!("generator made an invalid date {text:?}: {e}"))
}

#[derive(Clone, Debug)]
pub struct SourceSeed {
    slug: String,
    publisher: Option<String>,
    published: Option<(i16, i8, i8)>,
}

fn arb_source_seed() -> impl Strategy<Value = SourceSeed> {
    (
        arb_slug(),
        proptest::option::of(arb_text()),
        proptest::option::of((2015i16..=2030, 1i8..=12, 1i8..=28)),
    )
        .prop_map(|(slug, publisher, published)| SourceSeed {
            slug,
            publisher,
            published,
        })
}

#[derive(Clone, Debug)]
pub struct PartySeed {
    slug: String,
    name: String,
    aliases: Vec<String>,
}

fn arb_party_seed() -> impl Strategy<Value = PartySeed> {
    (
        arb_slug(),
        arb_text(),
        proptest::collection::vec(arb_text(), 0..3),
    )
        .prop_map(|(slug, name, aliases)| PartySeed {
            slug,
            name,
            aliases,
        })
}

/// The random choices behind one event. `picks` and `texts` are consumed in order by the
/// builder (cycling), so one seed serves every kind.
#[derive(Clone, Debug)]
pub struct EventSeed {
    kind: usize,
    slug: String,
    date: DateSeed,
    disclosed_extra: Option<u16>,
    summary: String,
    confidence: usize,
    extra_parties: Vec<usize>,
    supersedes: Option<usize>,
    sources: Vec<SourceSeed>,
    picks: Vec<u32>,
    texts: Vec<String>,
    until_years: Vec<u8>,
}

fn arb_event_seed() -> impl Strategy<Value = EventSeed> {
    (
        0usize..Payload::KINDS.len(),
        arb_slug(),
        arb_date_seed(),
        proptest::option::of(0u16..800),
        arb_text(),
        0usize..3,
        proptest::collection::vec(any::<usize>(), 0..3),
        proptest::option::weighted(0.15, any::<usize>()),
        proptest::collection::vec(arb_source_seed(), 1..3),
        proptest::collection::vec(any::<u32>(), 16..24),
        proptest::collection::vec(arb_text(), 1..4),
        proptest::collection::vec(0u8..12, 1..4),
    )
        .prop_map(
            |(
                kind,
                slug,
                date,
                disclosed_extra,
                summary,
                confidence,
                extra_parties,
                supersedes,
                sources,
                picks,
                texts,
                until_years,
            )| {
                EventSeed {
                    kind,
                    slug,
                    date,
                    disclosed_extra,
                    summary,
                    confidence,
                    extra_parties,
                    supersedes,
                    sources,
                    picks,
                    texts,
                    until_years,
                }
            },
        )
}

/// Hands out a seed's random values in order, cycling.
struct Dice<'a> {
    seed: &'a EventSeed,
    pick: usize,
    text: usize,
    year: usize,
}

impl Dice<'_> {
    fn next(&mut self) -> usize {
        let v = self.seed.picks[self.pick % self.seed.picks.len()];
        self.pick += 1;
        v as usize
    }

    fn below(&mut self, n: usize) -> usize {
        self.next() % n.max(1)
    }

    fn flag(&mut self) -> bool {
        self.next() & 1 == 0
    }

    fn text(&mut self) -> String {
        let t = self.seed.texts[self.text % self.seed.texts.len()].clone();
        self.text += 1;
        t
    }

    fn until_year(&mut self) -> u8 {
        let y = self.seed.until_years[self.year % self.seed.until_years.len()];
        self.year += 1;
        y
    }
}

/// What has been built so far: the targets later events may refer to.
#[derive(Default)]
struct Built {
    parties: Vec<PartyId>,
    events: Vec<Event>,
    /// Every term granted so far, with its grantor and holder.
    terms: Vec<(TermRef, PartyId, PartyId)>,
    /// Every keyed tranche so far, with its investor and investee, and its event's index.
    tranches: Vec<(TrancheRef, PartyId, PartyId, usize)>,
    /// Indexes into `events` of legal events.
    legal: Vec<usize>,
}

impl Built {
    fn party(&self, pick: usize) -> PartyId {
        self.parties[pick % self.parties.len()].clone()
    }

    /// A party different from `not` (there are always at least two parties).
    fn other_party(&self, not: &PartyId, pick: usize) -> PartyId {
        let i = self.parties.iter().position(|p| p == not).unwrap_or(0);
        let step = 1 + pick % (self.parties.len() - 1);
        self.parties[(i + step) % self.parties.len()].clone()
    }
}

fn build_party(i: usize, seed: &PartySeed) -> Party {
    // The index makes ids, names and aliases unique, so no name is ambiguous.
    Party {
        id: PartyId::new(&format!("{}-p{i}", seed.slug)).expect("valid party id"),
        name: format!("{} #{i}", seed.name),
        aliases: seed
            .aliases
            .iter()
            .enumerate()
            .map(|(k, a)| format!("{a} #{i}.{k}"))
            .collect(),
    }
}

fn money(d: &mut Dice<'_>) -> Money {
    let units = 1 + (d.next() as u64) * 1000;
    Money {
        units,
        currency: Currency::new(CURRENCIES[d.below(CURRENCIES.len())]).expect("supported currency"),
    }
}

fn build_event(i: usize, seed: &EventSeed, built: &Built) -> Event {
    let mut d = Dice {
        seed,
        pick: 0,
        text: 0,
        year: 0,
    };
    let id = EventId::new(&format!("e{i}-{}", seed.slug)).expect("valid event id");
    // Kinds that need an earlier target fall back to `other` when there is none.
    let kind = match Payload::KINDS[seed.kind] {
        "term-ended" if built.terms.is_empty() => "other",
        "retraction" if built.events.is_empty() => "other",
        "payment" if built.tranches.is_empty() => "other",
        k => k,
    };
    let mut targets: Vec<usize> = Vec::new(); // indexes of events referred to
    let pick_event = |pick: usize| pick % built.events.len();
    let term_index = |tr: &TermRef| {
        built
            .events
            .iter()
            .position(|e| e.id == tr.event)
            .expect("term of a built event")
    };
    let ends = |d: &mut Dice<'_>, at_least_one: bool, targets: &mut Vec<usize>| -> Vec<TermRef> {
        if built.terms.is_empty() || !(at_least_one || d.below(3) == 0) {
            return Vec::new();
        }
        let mut out: Vec<TermRef> = Vec::new();
        for _ in 0..1 + d.below(2) {
            let (tr, _, _) = &built.terms[d.below(built.terms.len())];
            if !out.contains(tr) {
                targets.push(term_index(tr));
                out.push(tr.clone());
            }
        }
        out
    };
    let payload = match kind {
        "announcement" => Payload::Announcement,
        "restructuring" => Payload::Restructuring,
        "retraction" => Payload::Retraction,
        "other" => Payload::Other,
        "investment" => {
            let tranches = (0..d.below(4))
                .map(|k| {
                    let investor = built.party(d.next());
                    let investee = built.other_party(&investor, d.next());
                    let amount = money(&mut d);
                    let condition = if d.flag() { Some(d.text()) } else { None };
                    // `due` and `lapses` follow the event's date, below.
                    Tranche {
                        key: d
                            .flag()
                            .then(|| TermKey::new(&format!("t{k}")).expect("valid key")),
                        investor,
                        investee,
                        amount,
                        due: None,
                        condition,
                        lapses: None,
                    }
                })
                .collect();
            Payload::Investment { tranches }
        }
        "agreement" => {
            let title = if d.flag() { Some(d.text()) } else { None };
            let ends = ends(&mut d, false, &mut targets);
            let n_terms = if ends.is_empty() {
                1 + d.below(3)
            } else {
                d.below(3)
            };
            let terms = (0..n_terms)
                .map(|k| {
                    let kind = TermType::ALL[d.below(TermType::ALL.len())];
                    let grantor = built.party(d.next());
                    let holder = built.other_party(&grantor, d.next());
                    let until = match d.below(3) {
                        0 => None,
                        1 => {
                            let year = seed.date.year + i16::from(d.until_year());
                            let form = d.below(3) as u8;
                            Some(Until::Date(edtf(&date_text(
                                form,
                                year,
                                1 + d.below(12) as i8,
                                1 + d.below(28) as i8,
                            ))))
                        }
                        _ => Some(Until::Condition(format!("when {}", d.text()))),
                    };
                    Term {
                        key: TermKey::new(&format!("t{k}-{}", seed.slug)).expect("valid term key"),
                        kind,
                        grantor,
                        holder,
                        scope: Scope::new(SCOPES[d.below(SCOPES.len())]).expect("valid scope"),
                        exclusive: if kind == TermType::Exclusivity {
                            d.below(4) != 0
                        } else {
                            d.flag()
                        },
                        amount: if d.flag() { Some(money(&mut d)) } else { None },
                        until,
                    }
                })
                .collect();
            Payload::Agreement { title, terms, ends }
        }
        "term-ended" => {
            let ends = ends(&mut d, true, &mut targets);
            let reason = if d.flag() { Some(d.text()) } else { None };
            Payload::TermEnded { ends, reason }
        }
        "legal-threat" | "legal-action" => {
            let legal_kind = if kind == "legal-threat" {
                LegalKind::Threat
            } else {
                LegalKind::Action
            };
            let by = built.party(d.next());
            let mut against = vec![built.other_party(&by, d.next())];
            let second = built.other_party(&by, d.next());
            if d.flag() && !against.contains(&second) {
                against.push(second);
            }
            let resolves = if !built.legal.is_empty() && d.flag() {
                let t = built.legal[d.below(built.legal.len())];
                targets.push(t);
                Some(built.events[t].id.clone())
            } else {
                None
            };
            let stage = if resolves.is_some() {
                [
                    LegalStage::Settled,
                    LegalStage::Dismissed,
                    LegalStage::Withdrawn,
                ][d.below(3)]
            } else {
                LegalStage::ALL[d.below(LegalStage::ALL.len())]
            };
            let claim = if d.flag() { Some(d.text()) } else { None };
            Payload::Legal {
                kind: legal_kind,
                by,
                against,
                stage,
                claim,
                resolves,
                concerns: Vec::new(),
            }
        }
        "statement" => {
            let by = built.party(d.next());
            let about = if !built.events.is_empty() && d.flag() {
                let t = pick_event(d.next());
                targets.push(t);
                Some(built.events[t].id.clone())
            } else {
                None
            };
            Payload::Statement {
                by,
                about,
                concerns: Vec::new(),
            }
        }
        "product-launch" => {
            let by = built.party(d.next());
            let stage = [
                ProductStage::Limited,
                ProductStage::Preview,
                ProductStage::General,
            ][d.below(3)];
            Payload::ProductLaunch {
                by,
                product: d.text(),
                stage,
            }
        }
        "payment" => {
            let mut pays: Vec<TrancheRef> = Vec::new();
            for _ in 0..1 + d.below(2) {
                let (r, _, _, at) = &built.tranches[d.below(built.tranches.len())];
                if !pays.contains(r) {
                    pays.push(r.clone());
                    targets.push(*at);
                }
            }
            Payload::Payment { pays }
        }
        other => unreachable!("kind {other} is not generated"),
    };
    let supersedes = match (kind, seed.supersedes) {
        _ if built.events.is_empty() => None,
        ("retraction", pick) => Some(pick_event(pick.unwrap_or(d.next()))),
        (_, Some(pick)) => Some(pick_event(pick)),
        (_, None) => None,
    };
    if let Some(t) = supersedes {
        targets.push(t);
    }
    // Date: random, except that an event referring to others comes after all of them.
    let s = &seed.date;
    let date = match targets.iter().map(|&t| built.events[t].date.latest()).max() {
        None => edtf(&date_text(s.form, s.year, s.month, s.day)),
        Some(latest) => {
            let (y, m, dd) = Day::from_days(latest.days() + i32::from(s.after)).ymd();
            edtf(&date_text(0, y, m, dd))
        }
    };
    let payload = with_money_dates(payload, &date, &mut d);
    let disclosed = match seed.disclosed_extra {
        None => date.latest(),
        Some(extra) => {
            let span = date.latest().days() - date.earliest().days();
            Day::from_days(date.earliest().days() + i32::from(extra) % (span + 366))
        }
    };
    // Parties: the payload's (and a payment's tranches'), any extras, else those of the
    // events referred to.
    let mut parties: Vec<PartyId> = payload.named_parties();
    for r in payload.pays() {
        if let Some((_, investor, investee, _)) = built.tranches.iter().find(|t| t.0 == *r) {
            parties.extend([investor.clone(), investee.clone()]);
        }
    }
    parties.extend(seed.extra_parties.iter().map(|&p| built.party(p)));
    if parties.is_empty() {
        for &t in &targets {
            parties.extend(built.events[t].parties.iter().cloned());
        }
        for tr in payload.ends() {
            if let Some((_, g, h)) = built.terms.iter().find(|(r, _, _)| r == tr) {
                parties.push(g.clone());
                parties.push(h.clone());
            }
        }
    }
    if parties.is_empty() {
        parties.push(built.party(d.next()));
    }
    parties.sort();
    parties.dedup();
    let sources = seed
        .sources
        .iter()
        .enumerate()
        .map(|(k, s)| Source {
            url: format!("https://example.com/{}/{i}-{k}", s.slug),
            publisher: s.publisher.clone(),
            published: s
                .published
                .map(|(y, m, dd)| Day::from_ymd(y, m, dd).expect("valid day")),
        })
        .collect();
    Event {
        id,
        date,
        disclosed,
        summary: seed.summary.clone(),
        confidence: [
            Confidence::Confirmed,
            Confidence::Reported,
            Confidence::Rumor,
        ][seed.confidence],
        parties,
        supersedes: supersedes.map(|t| built.events[t].id.clone()),
        sources,
        payload,
    }
}

/// Gives some keyed tranches a `due` day (without a condition) or a `lapses` day (with
/// one), after the investment's date as import requires.
fn with_money_dates(payload: Payload, date: &EdtfDate, d: &mut Dice<'_>) -> Payload {
    let Payload::Investment { mut tranches } = payload else {
        return payload;
    };
    for t in tranches.iter_mut().filter(|t| t.key.is_some()) {
        if d.flag() {
            let day = Day::from_days(date.latest().days() + 1 + d.below(400) as i32);
            let day = EdtfDate::parse(&day.to_string()).expect("a day is a date");
            match t.condition {
                None => t.due = Some(day),
                Some(_) => t.lapses = Some(day),
            }
        }
    }
    Payload::Investment { tranches }
}

fn build_ledger(party_seeds: &[PartySeed], event_seeds: &[EventSeed]) -> Vec<Entry> {
    let mut built = Built::default();
    let mut entries = Vec::new();
    for (i, s) in party_seeds.iter().enumerate() {
        let p = build_party(i, s);
        built.parties.push(p.id.clone());
        entries.push(Entry::Party(p));
    }
    for (i, s) in event_seeds.iter().enumerate() {
        let e = build_event(i, s, &built);
        if let Payload::Agreement { terms, .. } = &e.payload {
            for t in terms {
                built.terms.push((
                    TermRef {
                        event: e.id.clone(),
                        key: t.key.clone(),
                    },
                    t.grantor.clone(),
                    t.holder.clone(),
                ));
            }
        }
        if let Payload::Investment { tranches } = &e.payload {
            for t in tranches {
                if let Some(key) = &t.key {
                    let r = TrancheRef {
                        event: e.id.clone(),
                        key: key.clone(),
                    };
                    let at = built.events.len();
                    built
                        .tranches
                        .push((r, t.investor.clone(), t.investee.clone(), at));
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

/// A random valid ledger: 2..=`max_parties` party entries, then 0..=`max_events` events
/// of every kind (plain-day, month and year dates; tranches with and without conditions,
/// keys, due and lapse days; payments of keyed tranches;
/// terms with `until` dates or conditions; `ends`, `supersedes`, `resolves` and `about`
/// naming earlier events of the right kind, dated after them; all confidence levels).
pub fn arb_ledger(max_parties: usize, max_events: usize) -> impl Strategy<Value = Vec<Entry>> {
    let max_parties = max_parties.max(2);
    (
        proptest::collection::vec(arb_party_seed(), 2..=max_parties),
        proptest::collection::vec(arb_event_seed(), 0..=max_events),
    )
        .prop_map(|(parties, events)| build_ledger(&parties, &events))
}

/// Whether every reference in `entries` names an earlier entry of the right kind (the
/// invariant `arb_ledger` promises; tests check the generator with it).
pub fn references_point_backwards(entries: &[Entry]) -> Result<(), String> {
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
                    match find(&r.event).map(|t| &t.payload) {
                        Some(Payload::Agreement { terms, .. })
                            if terms.iter().any(|t| t.key == r.key) => {}
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

/// A random record: any seq, time and prev, with an entry from a random ledger.
pub fn arb_record() -> impl Strategy<Value = Record> {
    (
        any::<u64>(),
        any::<i64>(),
        any::<[u8; 32]>(),
        arb_ledger(4, 8),
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(seq, at, prev, entries, pick)| Record {
            seq: Seq::new(seq),
            recorded_at: Timestamp::from_unix(at),
            prev: ChainHash::from_bytes(prev),
            entry: entries[pick.index(entries.len())].clone(),
            format: pactlog::codec::Format::CURRENT,
        })
}

/// What a `pactlog` command did, for tests that judge damage reports.
pub struct Verdict {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Verdict {
    /// The verdict of a finished command.
    pub fn of(out: &std::process::Output) -> Verdict {
        Verdict {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Everything it printed, for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "exit {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Exit 3, a message that holds every one of `wanted`, no panic, no success line.
    pub fn assert_tampering(&self, wanted: &[&str]) {
        assert_eq!(self.code, Some(3), "{}", self.describe());
        self.assert_says(wanted);
    }

    /// Every one of `wanted` said, no panic, no success line.
    pub fn assert_says(&self, wanted: &[&str]) {
        let all = format!("{}{}", self.stdout, self.stderr);
        for w in wanted {
            assert!(all.contains(w), "no {w:?} in:\n{}", self.describe());
        }
        assert!(!all.contains("panicked"), "a panic:\n{}", self.describe());
        assert!(
            !self.stdout.starts_with("ok"),
            "reported success:\n{}",
            self.describe()
        );
    }
}
