//! Model-based tests of projections: the indexed `Ledger::state` (pair, party and whole
//! log) against the naive reference fold of `projection_reference`, on random ledgers with
//! fuzzy EDTF dates and cross-references whose party sets differ from their targets'; the
//! diff, retraction, at-size and known-at properties; and one small hand-made case per rule
//! of DESIGN.md 4.

use crate::support;

use support::ledgers::*;

use pactlog::codec::Entry;
use pactlog::ledger::Ledger;
use pactlog::model::{
    Confidence, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Money, PartyId, Payload,
    Scope, Term, TermKey, TermRef, TermType, Tranche, Until,
};
use pactlog::projection::{Query, RelationshipState, Select, TermChange};
use pactlog::store::MemoryStore;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::Config as ProptestConfig;
use support::cases;
use support::reference::{
    Recorded, View, describe, recorded, reference_diff, reference_state, reference_totals,
    same_relationships, selected, without_event,
};

// ---------------------------------------------------------------------------------------
// Helpers.

fn parties_of(entries: &[Entry]) -> Vec<PartyId> {
    let mut out: Vec<PartyId> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Party(p) => Some(p.id.clone()),
            Entry::Event(_) => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A memory ledger holding `entries`, appended in batches of the given sizes (cycling).
/// Every other batch goes through a freshly opened ledger, whose append-side caches are
/// empty, so that references to earlier batches are resolved from the `ids` index too.
fn ledger_of(entries: &[Entry], sizes: &[usize]) -> Ledger<MemoryStore> {
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open a memory ledger");
    let mut rest = entries;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes[k % sizes.len()].clamp(1, rest.len());
        if k % 2 == 1 {
            // MemoryStore clones share their data: this reopens the same store.
            ledger = Ledger::open(ledger.store().clone()).expect("reopen");
        }
        ledger
            .append_unchecked(rest[..n].to_vec(), AT)
            .expect("append");
        rest = &rest[n..];
        k += 1;
    }
    ledger
}

/// Every selection a caller can make over these parties: all, each party (and a
/// stranger), each pair in both orders (and with the stranger).
fn selections(parties: &[PartyId]) -> Vec<Select> {
    let stranger = pid(STRANGER);
    let mut out = vec![Select::All, Select::Party(stranger.clone())];
    for (i, a) in parties.iter().enumerate() {
        out.push(Select::Party(a.clone()));
        out.push(Select::Pair(a.clone(), stranger.clone()));
        for b in &parties[i + 1..] {
            out.push(Select::Pair(a.clone(), b.clone()));
            out.push(Select::Pair(b.clone(), a.clone()));
        }
    }
    out
}

/// Checks every selection of `ledger` for `query` against `want` (the reference state of
/// every relationship), after `adjust` (identity unless a test strips something).
fn check_every_selection(
    ledger: &Ledger<MemoryStore>,
    entries: &[Entry],
    query: Query,
    want: &[RelationshipState],
    adjust: &dyn Fn(Vec<RelationshipState>) -> Vec<RelationshipState>,
) -> Result<(), TestCaseError> {
    for select in selections(&parties_of(entries)) {
        let got = ledger
            .state(query, &select)
            .map_err(|e| TestCaseError::fail(format!("state {select:?}: {e}")))?;
        let got = adjust(got.relationships);
        same_relationships(&got, &selected(want, &select)).map_err(|m| {
            TestCaseError::fail(format!(
                "{select:?} {query:?}: {m}\nledger:\n{}",
                describe(entries)
            ))
        })?;
        // Totals per currency and status, against the reference's own sums.
        for (g, w) in got.iter().zip(selected(want, &select)) {
            prop_assert_eq!(
                pactlog::projection::investment_totals(&g.investments),
                reference_totals(&w.investments),
                "totals of {:?}, {:?}\nledger:\n{}",
                w.parties,
                query,
                describe(entries)
            );
        }
    }
    Ok(())
}

/// Every selection of `ledger` (holding `entries`) for each of `queries`, against the
/// reference fold.
fn check_against_the_reference(
    ledger: &Ledger<MemoryStore>,
    entries: &[Entry],
    queries: &[QuerySeed],
) -> Result<(), TestCaseError> {
    let all = recorded(entries);
    for seed in queries {
        let query = seed.query(entries);
        let want = reference_state(&all, query);
        check_every_selection(ledger, entries, query, &want, &|r| r)?;
    }
    Ok(())
}

/// `cases(default)`, shrinking further than proptest's default so that failures come out
/// minimal (unless `PROPTEST_MAX_SHRINK_ITERS` says otherwise).
fn config(default: u32) -> ProptestConfig {
    let mut config = cases(default);
    if std::env::var_os("PROPTEST_MAX_SHRINK_ITERS").is_none() {
        config.max_shrink_iters = 8192;
    }
    config
}

fn fail<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> TestCaseError {
    move |e| TestCaseError::fail(format!("{what}: {e}"))
}

// ---------------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn indexed_state_of_every_pair_party_and_all_equals_the_reference_fold(
        entries in arb_any_ledger(),
        sizes in arb_batch_sizes(),
        queries in proptest::collection::vec(arb_query_seed(), 1..4),
    ) {
        let ledger = ledger_of(&entries, &sizes);
        check_against_the_reference(&ledger, &entries, &queries)?;
    }
}

proptest! {
    #![proptest_config(config(6))]

    /// A relationship of more than 256 events is read and decoded on every core: the
    /// answer must not depend on how the reads are shared out.
    #[test]
    fn a_pair_read_on_every_core_equals_the_reference_fold(
        entries in arb_ledger(Dates::Fuzzy, 2, 900),
        queries in proptest::collection::vec(arb_query_seed(), 1..3),
    ) {
        let events = entries.iter().filter(|e| matches!(e, Entry::Event(_))).count();
        // Two parties: most events are the one relationship's.
        prop_assume!(events > 300);
        let ledger = ledger_of(&entries, &[400, 300]);
        check_against_the_reference(&ledger, &entries, &queries)?;
    }
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn retracting_an_event_removes_exactly_its_contributions(
        entries in arb_ledger(Dates::Fuzzy, 4, 16),
        sizes in arb_batch_sizes(),
        target in any::<Index>(),
        date in arb_date_seed(),
        own_parties in proptest::option::of(proptest::collection::vec(0u8..4, 1..3)),
        query in arb_query_seed(),
    ) {
        // A target that supersedes nothing: removing it then removes all it does.
        let candidates: Vec<&Event> = events(&entries).filter(|e| e.supersedes.is_none()).collect();
        prop_assume!(!candidates.is_empty());
        let x = target.get(&candidates).id.clone();
        let x_parties = target.get(&candidates).parties.clone();
        let parties = parties_of(&entries);
        let mut r_parties = match &own_parties {
            Some(ks) => ks.iter().map(|&k| parties[usize::from(k) % parties.len()].clone()).collect(),
            None => x_parties,
        };
        r_parties.sort();
        r_parties.dedup();
        let date = date.edtf();
        let retraction = Event {
            id: EventId::new("retraction-of-x").expect("valid id"),
            disclosed: date.latest(),
            date,
            summary: "Retracted.".into(),
            confidence: Confidence::Confirmed,
            parties: r_parties,
            supersedes: Some(x.clone()),
            sources: vec![source(999)],
            payload: Payload::Retraction,
        };
        let mut ledger = ledger_of(&entries, &sizes);
        let query = Query { known_at: None, at_size: None, ..query.query(&entries) };
        let all = recorded(&entries);
        check_every_selection(&ledger, &entries, query, &reference_state(&all, query), &|r| r)?;

        let r_id = retraction.id.clone();
        let mut after = entries.clone();
        after.push(Entry::Event(retraction.clone()));
        ledger.append_unchecked(vec![Entry::Event(retraction)], AT).map_err(fail("append"))?;
        let without_x: Vec<Recorded> = all.iter().filter(|r| r.event.id != x).cloned().collect();
        let want = reference_state(&without_x, query);
        check_every_selection(&ledger, &after, query, &want, &|r| without_event(r, &r_id))
            .map_err(|e| TestCaseError::fail(format!("after retracting {x}: {e}")))?;
    }

    #[test]
    fn diff_equals_the_difference_of_two_reference_states(
        entries in arb_any_ledger(),
        sizes in arb_batch_sizes(),
        days in (any::<Index>(), any::<Index>()),
        pair in (any::<Index>(), any::<Index>()),
    ) {
        let ledger = ledger_of(&entries, &sizes);
        let all = recorded(&entries);
        let boundaries = boundary_days(&entries);
        let (a, b) = (*days.0.get(&boundaries), *days.1.get(&boundaries));
        let (from, to) = (a.min(b), a.max(b));
        let parties = parties_of(&entries);
        let selects = [
            Select::All,
            Select::Pair(pair.0.get(&parties).clone(), pair.1.get(&parties).clone()),
            Select::Party(pair.0.get(&parties).clone()),
        ];
        let at_to = View::new(&all, Query::as_of(to));
        for select in &selects {
            let before = selected(&reference_state(&all, Query::as_of(from)), select);
            let after = selected(&reference_state(&all, Query::as_of(to)), select);
            let want = reference_diff(&before, &after);
            let (_, got) = ledger.diff(from, to, select).map_err(fail("diff"))?;
            let ctx = || format!("diff {from}..{to} {select:?}\nledger:\n{}", describe(&entries));
            let names = |ps: Vec<&(PartyId, PartyId)>| -> Vec<String> {
                ps.iter().map(|p| format!("{}-{}", p.0, p.1)).collect()
            };
            prop_assert_eq!(
                names(got.relationships.iter().map(|r| &r.parties).collect()),
                names(want.iter().map(|r| &r.parties).collect()),
                "changed relationships, {}", ctx()
            );
            for (g, w) in got.relationships.iter().zip(&want) {
                let key = |t: &pactlog::projection::TermState| (t.event.clone(), t.key.clone());
                let started: Vec<_> = g.terms.iter()
                    .filter(|(c, _)| *c == TermChange::Started).map(|(_, t)| key(t)).collect();
                let stopped: Vec<_> = g.terms.iter()
                    .filter(|(c, _)| *c != TermChange::Started).map(|(_, t)| key(t)).collect();
                prop_assert_eq!(&started, &w.started, "terms started, {:?}, {}", w.parties, ctx());
                prop_assert_eq!(&stopped, &w.stopped, "terms stopped, {:?}, {}", w.parties, ctx());
                for (change, t) in g.terms.iter().filter(|(c, _)| *c != TermChange::Started) {
                    let tref = TermRef { event: t.event.clone(), key: t.key.clone() };
                    let lapsed = t.until.as_ref().and_then(Until::last_day).is_some_and(|l| l < to);
                    let ended = at_to.term_ended(&tref);
                    // With both reasons the label is a matter of taste; with one it is not.
                    if lapsed != ended {
                        let want_change = if lapsed { TermChange::Lapsed } else { TermChange::Ended };
                        prop_assert_eq!(change, &want_change, "{} stopped, {}", tref, ctx());
                    }
                }
                prop_assert_eq!(g.status, w.status, "status, {:?}, {}", w.parties, ctx());
                prop_assert_eq!(&g.investments_added, &w.investments_added, "investments, {}", ctx());
                let money: Vec<_> = g.money.iter()
                    .map(|c| (c.tranche.event.clone(), c.tranche.index, c.from, c.tranche.status))
                    .collect();
                prop_assert_eq!(&money, &w.money, "money statuses changed, {}", ctx());
                let opened: Vec<_> = g.disputes_opened.iter().map(|d| d.event.clone()).collect();
                let closed: Vec<_> = g.disputes_closed.iter().map(|d| d.event.clone()).collect();
                prop_assert_eq!(&opened, &w.disputes_opened, "disputes opened, {}", ctx());
                prop_assert_eq!(&closed, &w.disputes_closed, "disputes closed, {}", ctx());
                prop_assert_eq!(&g.events, &w.events, "events folded, {}", ctx());
            }
        }
    }

    #[test]
    fn state_as_of_the_day_before_every_event_is_empty(
        entries in arb_ledger_with_a_start(Dates::Either, 4, 24),
        sizes in arb_batch_sizes(),
    ) {
        let first = events(&entries).map(|e| e.date.earliest()).min();
        let day = first.map_or(day("2021-01-01"), Day::pred);
        let ledger = ledger_of(&entries, &sizes);
        for select in selections(&parties_of(&entries)) {
            let got = ledger.state(Query::as_of(day), &select).map_err(fail("state"))?;
            prop_assert!(
                got.relationships.is_empty(),
                "{:?} as of {} gave {:?}\nledger:\n{}",
                select, day, got.relationships, describe(&entries)
            );
        }
    }

    #[test]
    fn at_size_of_the_whole_ledger_answers_like_no_at_size(
        entries in arb_any_ledger(),
        sizes in arb_batch_sizes(),
        query in arb_query_seed(),
    ) {
        let ledger = ledger_of(&entries, &sizes);
        let open = Query { at_size: None, ..query.query(&entries) };
        let sized = Query { at_size: Some(ledger.size()), ..open };
        for select in selections(&parties_of(&entries)) {
            let a = ledger.state(open, &select).map_err(fail("state"))?;
            let b = ledger.state(sized, &select).map_err(fail("state"))?;
            prop_assert_eq!(&a.relationships, &b.relationships, "{:?}", select);
            prop_assert_eq!(&a.receipt, &b.receipt, "{:?}", select);
        }
    }

    #[test]
    fn at_size_n_answers_like_the_ledger_of_the_first_n_records(
        entries in arb_any_ledger(),
        sizes in arb_batch_sizes(),
        query in arb_query_seed(),
        n in any::<Index>(),
    ) {
        let n = n.index(entries.len() + 1);
        let whole = ledger_of(&entries, &sizes);
        let prefix = ledger_of(&entries[..n], &[3]);
        let q = Query { at_size: None, ..query.query(&entries) };
        for select in selections(&parties_of(&entries)) {
            let a = whole.state(Query { at_size: Some(n as u64), ..q }, &select).map_err(fail("state"))?;
            let b = prefix.state(q, &select).map_err(fail("state"))?;
            prop_assert_eq!(&a.relationships, &b.relationships, "{:?} at size {}", select, n);
            prop_assert_eq!(&a.receipt, &b.receipt, "{:?} at size {}", select, n);
            prop_assert_eq!(a.receipt.ledger_size, n as u64);
        }
    }

    #[test]
    fn the_same_query_twice_gives_the_same_answer(
        entries in arb_any_ledger(),
        sizes in arb_batch_sizes(),
        query in arb_query_seed(),
    ) {
        let ledger = ledger_of(&entries, &sizes);
        let q = query.query(&entries);
        for select in selections(&parties_of(&entries)) {
            let a = ledger.state(q, &select).map_err(fail("state"))?;
            let b = ledger.state(q, &select).map_err(fail("state"))?;
            prop_assert_eq!(a, b, "{:?}", select);
        }
    }

    #[test]
    fn known_at_the_last_disclosure_answers_like_no_known_at(
        entries in arb_any_ledger(),
        sizes in arb_batch_sizes(),
        query in arb_query_seed(),
    ) {
        let last = events(&entries).map(|e| e.disclosed).max();
        prop_assume!(last.is_some());
        let ledger = ledger_of(&entries, &sizes);
        let open = Query { known_at: None, ..query.query(&entries) };
        let known = Query { known_at: last, ..open };
        for select in selections(&parties_of(&entries)) {
            let a = ledger.state(open, &select).map_err(fail("state"))?;
            let b = ledger.state(known, &select).map_err(fail("state"))?;
            prop_assert_eq!(&a.relationships, &b.relationships, "{:?} known at {:?}", select, last);
            prop_assert_eq!(&a.receipt, &b.receipt, "{:?}", select);
        }
    }
}

#[test]
fn fuzzy_generator_makes_every_date_form_and_cross_party_references() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = arb_ledger(Dates::Fuzzy, 4, 24);
    let (mut forms, mut qualified, mut open, mut foreign_enders) = (0, 0, 0, 0);
    let (mut partial_settlements, mut foreign_retractions) = (0, 0);
    for _ in 0..200 {
        let entries = strategy.new_tree(&mut runner).expect("generate").current();
        if let Err(why) = references_point_backwards(&entries) {
            panic!("generated an invalid ledger: {why}\n{}", describe(&entries));
        }
        let evs: Vec<&Event> = events(&entries).collect();
        let find = |id: &EventId| evs.iter().find(|e| e.id == *id).expect("earlier event");
        for e in &evs {
            forms += usize::from(!e.date.is_exact());
            qualified += usize::from(e.date.qualifier() != pactlog::model::Qualifier::None);
            open += usize::from(e.date.latest() == Day::MAX || e.date.earliest() == Day::MIN);
            for r in e.payload.ends() {
                foreign_enders += usize::from(find(&r.event).parties != e.parties);
            }
            if let Payload::Legal {
                resolves: Some(t),
                against,
                ..
            } = &e.payload
                && let Payload::Legal { against: all, .. } = &find(t).payload
            {
                partial_settlements += usize::from(against.len() < all.len());
            }
            if let Some(t) = &e.supersedes {
                foreign_retractions += usize::from(find(t).parties != e.parties);
            }
        }
    }
    for (what, n) in [
        ("inexact dates", forms),
        ("qualified dates", qualified),
        ("open dates", open),
        ("enders with other parties", foreign_enders),
        ("settlements between fewer parties", partial_settlements),
        ("successors with other parties", foreign_retractions),
    ] {
        assert!(n >= 20, "only {n} {what} in 200 ledgers");
    }
}

/// The generated ledgers reach every money status on their boundary days, pay tranches
/// through payments and report on them (a condition met, a payment missed), so the
/// properties above compare statuses that vary.
#[test]
fn fuzzy_generator_makes_every_money_status() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = arb_ledger(Dates::Fuzzy, 4, 24);
    let mut seen: std::collections::BTreeMap<&str, usize> = Default::default();
    for _ in 0..100 {
        let entries = strategy.new_tree(&mut runner).expect("generate").current();
        let all = recorded(&entries);
        for day in boundary_days(&entries) {
            for r in reference_state(&all, Query::as_of(day)) {
                for i in &r.investments {
                    *seen.entry(i.status.as_str()).or_default() += 1;
                    if i.paid_by.is_some() {
                        *seen.entry("paid by a payment").or_default() += 1;
                    }
                    if i.met_by.is_some() {
                        *seen.entry("condition reported met").or_default() += 1;
                    }
                    if i.missed_by.is_some() {
                        *seen.entry("payment reported missed").or_default() += 1;
                    }
                }
            }
        }
    }
    for what in [
        "paid",
        "scheduled",
        "unreported",
        "overdue",
        "conditional",
        "lapsed",
        "paid by a payment",
        "condition reported met",
        "payment reported missed",
    ] {
        let n = seen.get(what).copied().unwrap_or(0);
        assert!(n >= 20, "only {n} tranches {what} in 100 ledgers: {seen:?}");
    }
}

// ---------------------------------------------------------------------------------------
// One small hand-made ledger per rule. Each asserts the expected answer of both the
// indexed pair query and the reference fold, so a failure points at the rule (or at the
// reference).

fn day(s: &str) -> Day {
    Day::parse(s).expect("a day")
}

fn event(id: &str, date: &str, parties: &[&str], payload: Payload) -> Event {
    let date = EdtfDate::parse(date).expect("a date");
    let mut parties: Vec<PartyId> = parties.iter().map(|p| pid(p)).collect();
    parties.sort();
    Event {
        id: EventId::new(id).expect("an id"),
        disclosed: date.latest(),
        date,
        summary: "Hand-made.".into(),
        confidence: Confidence::Confirmed,
        parties,
        supersedes: None,
        sources: vec![source(0)],
        payload,
    }
}

fn superseding(mut e: Event, target: &str) -> Event {
    e.supersedes = Some(EventId::new(target).expect("an id"));
    e
}

fn term(key: &str, grantor: &str, holder: &str, until: Option<Until>) -> Term {
    Term {
        key: TermKey::new(key).expect("a key"),
        kind: TermType::Exclusivity,
        grantor: pid(grantor),
        holder: pid(holder),
        scope: Scope::new("cloud").expect("a scope"),
        exclusive: true,
        amount: None,
        until,
    }
}

fn agreement(terms: Vec<Term>) -> Payload {
    Payload::Agreement {
        title: None,
        terms,
        ends: Vec::new(),
    }
}

fn term_ended(refs: &[&str]) -> Payload {
    Payload::TermEnded {
        ends: refs
            .iter()
            .map(|r| TermRef::parse(r).expect("a term ref"))
            .collect(),
        reason: None,
    }
}

fn legal(by: &str, against: &[&str], stage: LegalStage, resolves: Option<&str>) -> Payload {
    Payload::Legal {
        kind: LegalKind::Action,
        by: pid(by),
        against: against.iter().map(|p| pid(p)).collect(),
        stage,
        claim: None,
        resolves: resolves.map(|r| EventId::new(r).expect("an id")),
        concerns: Vec::new(),
    }
}

fn investment(amount: &str) -> Payload {
    Payload::Investment {
        tranches: vec![Tranche {
            key: None,
            investor: pid("a"),
            investee: pid("b"),
            amount: Money::parse(amount).expect("an amount"),
            due: None,
            condition: None,
            lapses: None,
        }],
    }
}

fn entries_of(events: Vec<Event>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = ["a", "b", "c"].iter().map(|p| party_entry(p)).collect();
    entries.extend(events.into_iter().map(Entry::Event));
    entries
}

/// The relationship of `a` and `b` for `query`, from the indexed pair query; asserts the
/// reference fold says the same.
fn pair_state(entries: &[Entry], query: Query, a: &str, b: &str) -> Option<RelationshipState> {
    let ledger = ledger_of(entries, &[1]);
    let got = ledger
        .state(query, &Select::Pair(pid(a), pid(b)))
        .expect("state")
        .relationships;
    let want = selected(
        &reference_state(&recorded(entries), query),
        &Select::Pair(pid(a), pid(b)),
    );
    if let Err(m) = same_relationships(&got, &want) {
        panic!(
            "indexed pair query and reference disagree for {query:?}: {m}\nledger:\n{}",
            describe(entries)
        );
    }
    assert!(got.len() <= 1);
    got.into_iter().next()
}

fn ids(list: &[EventId]) -> Vec<&str> {
    list.iter().map(EventId::as_str).collect()
}

fn term_keys(r: &RelationshipState) -> Vec<String> {
    r.terms
        .iter()
        .map(|t| format!("{}#{}", t.event, t.key))
        .collect()
}

#[test]
fn an_event_is_possible_from_its_earliest_day_and_counts_from_its_latest_day() {
    let entries = entries_of(vec![event(
        "m",
        "2021-03",
        &["a", "b"],
        Payload::Announcement,
    )]);
    let at = |d: &str| pair_state(&entries, Query::as_of(day(d)), "a", "b");
    assert_eq!(
        at("2021-02-28"),
        None,
        "before its earliest day it is nothing"
    );
    for d in ["2021-03-01", "2021-03-30"] {
        let r = at(d).expect("a relationship");
        assert_eq!(
            (ids(&r.events), ids(&r.possible_events)),
            (vec![], vec!["m"]),
            "{d}"
        );
    }
    let r = at("2021-03-31").expect("a relationship");
    assert_eq!(
        (ids(&r.events), ids(&r.possible_events)),
        (vec!["m"], vec![])
    );
}

#[test]
fn a_possible_agreement_grants_no_term_yet() {
    let entries = entries_of(vec![event(
        "g",
        "2021-03~",
        &["a", "b"],
        agreement(vec![term("t", "a", "b", None)]),
    )]);
    let r = pair_state(&entries, Query::as_of(day("2021-03-15")), "a", "b").expect("possible");
    assert!(r.terms.is_empty());
    let r = pair_state(&entries, Query::as_of(day("2021-03-31")), "a", "b").expect("counted");
    assert_eq!(term_keys(&r), vec!["g#t"]);
}

#[test]
fn a_dated_until_keeps_a_term_through_its_latest_day_and_lapses_the_day_after() {
    let until = Until::Date(EdtfDate::parse("2021-06").expect("a date"));
    let entries = entries_of(vec![event(
        "g",
        "2021-01-10",
        &["a", "b"],
        agreement(vec![term("t", "a", "b", Some(until))]),
    )]);
    let at = |d: &str| pair_state(&entries, Query::as_of(day(d)), "a", "b").expect("exists");
    assert_eq!(term_keys(&at("2021-06-30")), vec!["g#t"]);
    let after = at("2021-07-01");
    assert!(after.terms.is_empty(), "lapsed: {:?}", after.terms);
    assert_eq!(
        ids(&after.events),
        vec!["g"],
        "the agreement is still folded"
    );
}

#[test]
fn a_condition_until_never_lapses_by_itself_only_an_ending_event_ends_it() {
    let until = Until::Condition("until a change of control".into());
    let g = event(
        "g",
        "2021-01-10",
        &["a", "b"],
        agreement(vec![term("t", "a", "b", Some(until))]),
    );
    let entries = entries_of(vec![g.clone()]);
    let r = pair_state(&entries, Query::as_of(day("2099-12-31")), "a", "b").expect("exists");
    assert_eq!(term_keys(&r), vec!["g#t"]);
    let entries = entries_of(vec![
        g,
        event("x", "2025-05-05", &["a", "b"], term_ended(&["g#t"])),
    ]);
    let r = pair_state(&entries, Query::as_of(day("2025-05-05")), "a", "b").expect("exists");
    assert!(r.terms.is_empty());
}

#[test]
fn an_ending_event_ends_a_term_on_its_latest_day() {
    let entries = entries_of(vec![
        event(
            "g",
            "2021-01-10",
            &["a", "b"],
            agreement(vec![term("t", "a", "b", None)]),
        ),
        event("x", "2021-05", &["a", "b"], term_ended(&["g#t"])),
    ]);
    let at = |d: &str| pair_state(&entries, Query::as_of(day(d)), "a", "b").expect("exists");
    let before = at("2021-05-30");
    assert_eq!(
        term_keys(&before),
        vec!["g#t"],
        "the ender is only possible"
    );
    assert_eq!(ids(&before.possible_events), vec!["x"]);
    assert!(at("2021-05-31").terms.is_empty());
}

#[test]
fn a_successor_dated_later_removes_its_target_at_once() {
    let entries = entries_of(vec![
        event("x", "2021-01-01", &["a", "b"], investment("100 USD")),
        superseding(
            event("y", "2022-06-01", &["a", "b"], investment("200 USD")),
            "x",
        ),
    ]);
    let at = |d: &str| pair_state(&entries, Query::as_of(day(d)), "a", "b");
    assert_eq!(at("2021-06-01"), None, "x never counts once y exists");
    let r = at("2022-06-01").expect("y counts");
    assert_eq!(ids(&r.events), vec!["y"]);
    assert_eq!(r.investments.len(), 1);
    assert_eq!(
        r.investments[0].amount,
        Money::parse("200 USD").expect("amount")
    );
    // Before y was recorded, x counted.
    let q = Query {
        at_size: Some(4),
        ..Query::as_of(day("2021-06-01"))
    };
    let r = pair_state(&entries, q, "a", "b").expect("x counts");
    assert_eq!(ids(&r.events), vec!["x"]);
}

#[test]
fn known_at_before_a_correction_is_disclosed_shows_the_original() {
    let x = event("x", "2021-01-01", &["a", "b"], investment("100 USD"));
    let mut y = superseding(
        event("y", "2021-01-01", &["a", "b"], investment("200 USD")),
        "x",
    );
    y.disclosed = day("2021-03-01");
    let entries = entries_of(vec![x, y]);
    let q = |known: Option<&str>| Query {
        as_of: day("2021-12-31"),
        known_at: known.map(day),
        at_size: None,
    };
    let amount = |known| {
        let r = pair_state(&entries, q(known), "a", "b").expect("exists");
        (ids(&r.events).join(","), r.investments[0].amount.units)
    };
    assert_eq!(amount(Some("2021-02-28")), ("x".into(), 100));
    assert_eq!(amount(Some("2021-03-01")), ("y".into(), 200));
    assert_eq!(amount(None), ("y".into(), 200));
}

#[test]
fn a_closing_legal_event_resolves_its_dispute_in_every_relationship_it_opened() {
    let entries = entries_of(vec![
        event(
            "l",
            "2021-01-01",
            &["a", "b", "c"],
            legal("a", &["b", "c"], LegalStage::Filed, None),
        ),
        event(
            "s",
            "2021-06-01",
            &["a", "b"],
            legal("a", &["b"], LegalStage::Settled, Some("l")),
        ),
    ]);
    for other in ["b", "c"] {
        let r = pair_state(&entries, Query::as_of(day("2021-05-31")), "a", other).expect("l");
        assert_eq!(r.status, pactlog::projection::Status::Disputed, "a-{other}");
        let r = pair_state(&entries, Query::as_of(day("2021-06-01")), "a", other).expect("l");
        assert!(r.disputes.is_empty(), "a-{other}: {:?}", r.disputes);
        assert_eq!(r.status, pactlog::projection::Status::Active, "a-{other}");
    }
}

// Regressions: a successor of an event that reaches a pair only through a reference
// (`ends`, `resolves`) must reach that pair too. `Select::All` folds the whole log and gets
// it right; the pair and party queries read the `pairs` index, which files the successor
// only under the pairs of its target's own parties.

/// The relationship `a`-`b` as `Select::All`, `Select::Pair` and `Select::Party(a)` give it.
fn every_path(entries: &[Entry], q: Query, a: &str, b: &str) -> Vec<(&'static str, String)> {
    let ledger = ledger_of(entries, &[1]);
    let want = (pid(a).min(pid(b)), pid(a).max(pid(b)));
    [
        ("all", Select::All),
        ("pair", Select::Pair(pid(a), pid(b))),
        ("party", Select::Party(pid(a))),
    ]
    .into_iter()
    .map(|(name, select)| {
        let rels = ledger.state(q, &select).expect("state").relationships;
        let r = rels.into_iter().find(|r| r.parties == want);
        let summary = r.map_or("none".to_string(), |r| {
            let d: Vec<&str> = r.disputes.iter().map(|d| d.event.as_str()).collect();
            format!("terms {:?} disputes {d:?} {:?}", term_keys(&r), r.status)
        });
        (name, summary)
    })
    .collect()
}

#[test]
fn retracting_a_term_ended_that_names_other_parties_restores_the_term() {
    // g grants a->b term t; x (listing only c) ends it; r (listing only c) retracts x.
    let entries = entries_of(vec![
        event(
            "g",
            "2021-01-01",
            &["a", "b"],
            agreement(vec![term("t", "a", "b", None)]),
        ),
        event("x", "2021-02-01", &["c"], term_ended(&["g#t"])),
        superseding(event("r", "2021-03-01", &["c"], Payload::Retraction), "x"),
    ]);
    let q = Query::as_of(day("2021-04-01"));
    let want = r#"terms ["g#t"] disputes [] Active"#;
    for (path, got) in every_path(&entries, q, "a", "b") {
        assert_eq!(got, want, "{path}: x is retracted, so g#t is in force");
    }
}

#[test]
fn retracting_a_settlement_between_two_of_three_disputants_reopens_the_dispute_with_the_third() {
    // l: a sues b and c; s (a, b) settles l; r (a, b) retracts s.
    let entries = entries_of(vec![
        event(
            "l",
            "2021-01-01",
            &["a", "b", "c"],
            legal("a", &["b", "c"], LegalStage::Filed, None),
        ),
        event(
            "s",
            "2021-06-01",
            &["a", "b"],
            legal("a", &["b"], LegalStage::Settled, Some("l")),
        ),
        superseding(
            event("r", "2021-07-01", &["a", "b"], Payload::Retraction),
            "s",
        ),
    ]);
    let q = Query::as_of(day("2021-08-01"));
    let want = r#"terms [] disputes ["l"] Disputed"#;
    for (path, got) in every_path(&entries, q, "a", "c") {
        assert_eq!(
            got, want,
            "{path}: s is retracted, so l is open between a and c"
        );
    }
}
