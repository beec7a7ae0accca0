//! One validator: every rule that refuses a party or event written in an event file
//! refuses the same party or event arriving as record bytes in an export, with the same
//! message. A property damages one event (or adds one party) of a random valid ledger in
//! one of the ways hostile exports did, writes it both ways, and compares what the
//! import and the restore say; examples pin the shapes testers reported.

use crate::support;

use pactlog::codec::{Entry, Timestamp};
use pactlog::import::{ImportError, Problem, export, plan, restore};
use pactlog::ledger::Ledger;
use pactlog::model::{
    Day, EdtfDate, Event, Money, Party, PartyId, Payload, TermRef, TrancheRef, Until,
};
use pactlog::store::MemoryStore;
use pactlog::synth::{event_toml, party_toml};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use std::path::{Path, PathBuf};
use support::cases;
use support::ledgers::{AT, Dates, arb_ledger, events};

/// The ways a record is damaged (the shapes of issue 19, item 4, and their kin).
const DAMAGES: u8 = 22;

/// `e` damaged in the way `how` names (kinds it does not fit get a control character in
/// their summary instead); `pick` chooses among the parts it could damage.
fn damage(e: &mut Event, how: u8, pick: usize) {
    let done = match how {
        0 => set(&mut e.summary, String::new()),
        1 => set(&mut e.summary, "x".repeat(2001)),
        2 => {
            e.summary = format!(" {}", e.summary);
            true
        }
        3 => {
            e.summary = format!("{}\r\n", e.summary);
            true
        }
        4 => on_source(e, pick, "javascript:alert(1)"),
        5 => on_source(e, pick, "https://example.com/a b"),
        6 => {
            e.sources.clear();
            true
        }
        7 => {
            let before = e.date.earliest().pred();
            (before < e.date.earliest()) && set(&mut e.disclosed, before)
        }
        8 => {
            e.supersedes = Some(e.id.clone());
            true
        }
        9 => match e.parties.first().cloned() {
            Some(p) => {
                e.parties.insert(pick % e.parties.len(), p);
                true
            }
            None => false,
        },
        10 => {
            e.parties.reverse();
            e.parties.len() > 1
        }
        11 => zero_amount(e, pick),
        12 => until_before(e, pick),
        13 => same_parties(e, pick),
        14 => legal_against_itself(e),
        15 => short_text(e, control(pick)),
        16 => listed_twice(e, pick),
        17 => due_before(e, pick),
        18 => {
            let retraction = !matches!(e.payload, Payload::Retraction);
            e.payload = Payload::Retraction;
            e.supersedes = None;
            retraction
        }
        19 => set(&mut e.summary, format!("a\u{1b}[2J{}b", control(pick))),
        20 => until_condition(e, pick),
        _ => on_source_publisher(e, control(pick)),
    };
    if !done {
        e.summary = format!("ring{}bell", control(pick));
    }
}

fn set<T: PartialEq>(field: &mut T, value: T) -> bool {
    let changed = *field != value;
    *field = value;
    changed
}

/// A control character a terminal acts on (BEL, ESC, CR, DEL, a C1 control), or a line
/// break, which one-line fields may not hold.
fn control(pick: usize) -> char {
    ['\u{7}', '\u{1b}', '\r', '\u{7f}', '\u{9b}', '\n'][pick % 6]
}

fn on_source(e: &mut Event, pick: usize, url: &str) -> bool {
    let n = e.sources.len();
    n > 0 && set(&mut e.sources[pick % n].url, url.to_string())
}

fn on_source_publisher(e: &mut Event, c: char) -> bool {
    let n = e.sources.len();
    n > 0 && {
        e.sources[0].publisher = Some(format!("Example{c}News"));
        true
    }
}

fn zero_amount(e: &mut Event, pick: usize) -> bool {
    match &mut e.payload {
        Payload::Investment { tranches } if !tranches.is_empty() => {
            let n = tranches.len();
            tranches[pick % n].amount.units = 0;
            true
        }
        Payload::Agreement { terms, .. } if !terms.is_empty() => {
            let n = terms.len();
            let currency = pactlog::model::Currency::new("USD").expect("USD");
            terms[pick % n].amount = Some(Money { units: 0, currency });
            true
        }
        _ => false,
    }
}

fn until_before(e: &mut Event, pick: usize) -> bool {
    let Payload::Agreement { terms, .. } = &mut e.payload else {
        return false;
    };
    if terms.is_empty() || e.date.earliest() <= Day::parse("1990-12-31").expect("day") {
        return false;
    }
    let n = terms.len();
    terms[pick % n].until = Some(Until::Date(EdtfDate::parse("1990").expect("date")));
    true
}

fn until_condition(e: &mut Event, pick: usize) -> bool {
    let Payload::Agreement { terms, .. } = &mut e.payload else {
        return false;
    };
    let n = terms.len();
    n > 0 && {
        terms[pick % n].until = Some(Until::Condition("2026-13-01".to_string()));
        true
    }
}

fn due_before(e: &mut Event, pick: usize) -> bool {
    let Payload::Investment { tranches } = &mut e.payload else {
        return false;
    };
    if tranches.is_empty() || e.date.earliest() <= Day::parse("1990-12-31").expect("day") {
        return false;
    }
    let n = tranches.len();
    tranches[pick % n].due = Some(EdtfDate::parse("1990-06").expect("date"));
    true
}

fn same_parties(e: &mut Event, pick: usize) -> bool {
    match &mut e.payload {
        Payload::Investment { tranches } if !tranches.is_empty() => {
            let n = tranches.len();
            let t = &mut tranches[pick % n];
            t.investee = t.investor.clone();
            true
        }
        Payload::Agreement { terms, .. } if !terms.is_empty() => {
            let n = terms.len();
            let t = &mut terms[pick % n];
            t.holder = t.grantor.clone();
            true
        }
        _ => false,
    }
}

fn legal_against_itself(e: &mut Event) -> bool {
    match &mut e.payload {
        Payload::Legal { by, against, .. } => {
            if against.is_empty() {
                return false;
            }
            against[0] = by.clone();
            true
        }
        _ => false,
    }
}

/// A control character in the payload's one-line text (a title, reason, claim, product
/// or condition).
fn short_text(e: &mut Event, c: char) -> bool {
    let text = format!("one{c}two");
    match &mut e.payload {
        Payload::Agreement { title, .. } => *title = Some(text),
        Payload::TermEnded { reason, .. } => *reason = Some(text),
        Payload::Legal { claim, .. } => *claim = Some(text),
        Payload::ProductLaunch { product, .. } => *product = text,
        Payload::Investment { tranches } if !tranches.is_empty() => {
            tranches[0].condition = Some(text);
        }
        _ => return false,
    }
    true
}

fn listed_twice(e: &mut Event, pick: usize) -> bool {
    fn again<T: Clone>(list: &mut Vec<T>, pick: usize) -> bool {
        let n = list.len();
        n > 0 && {
            let item = list[pick % n].clone();
            list.push(item);
            true
        }
    }
    match &mut e.payload {
        Payload::Payment { pays } => again::<TrancheRef>(pays, pick),
        Payload::Agreement { ends, .. } | Payload::TermEnded { ends, .. } => {
            again::<TermRef>(ends, pick)
        }
        Payload::Legal { concerns, .. } | Payload::Statement { concerns, .. } => {
            again::<TermRef>(concerns, pick)
        }
        _ => false,
    }
}

/// A new party whose name is damaged: empty, untidy, with a control, bidi or zero-width
/// character, or too long.
fn damaged_party(how: u8, pick: usize) -> Party {
    let name = match how % 7 {
        0 => String::new(),
        1 => " Hooli".to_string(),
        2 => format!("Hoo{}li", control(pick)),
        3 => "Hooli\u{202e} Inc".to_string(),
        4 => "Hoo\u{200b}li".to_string(),
        5 => "H".repeat(501),
        _ => "Hooli".to_string(),
    };
    let aliases = if how % 7 == 6 {
        vec!["Hooli\u{2028}Labs".to_string()]
    } else {
        Vec::new()
    };
    Party {
        id: PartyId::new("zz-hooli").expect("id"),
        name,
        aliases,
    }
}

/// What each problem says, with its id.
fn said(problems: &[Problem]) -> Vec<(Option<String>, String)> {
    problems
        .iter()
        .map(|p| (p.id.clone(), p.message.clone()))
        .collect()
}

/// The problems of importing `entry`, written as an event file, into a ledger holding
/// `prefix`; empty when it is imported.
fn as_toml(prefix: &[Entry], entry: &Entry, dir: &Path) -> Vec<Problem> {
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
    ledger
        .append_unchecked(prefix.to_vec(), AT)
        .expect("append");
    let text = match entry {
        Entry::Party(p) => party_toml(p),
        Entry::Event(e) => event_toml(e),
    };
    let file = dir.join("damaged.toml");
    std::fs::write(&file, text).expect("write");
    match plan(&ledger, &[file]) {
        Ok(_) => Vec::new(),
        Err(ImportError::Invalid(problems)) => problems.into_vec(),
        Err(e) => panic!("the import failed: {e}"),
    }
}

/// The problems of restoring an export of `prefix` and `entry`, at the line of `entry`;
/// empty when it restores.
fn as_record(prefix: &[Entry], entry: &Entry, dir: &Path) -> Vec<Problem> {
    let mut made = Ledger::open(MemoryStore::new()).expect("open");
    let mut all = prefix.to_vec();
    all.push(entry.clone());
    made.append_unchecked(all, AT).expect("append");
    let file = dir.join("damaged.jsonl");
    let mut out = std::fs::File::create(&file).expect("create");
    export(&made, &mut out).expect("export");
    drop(out);
    let mut fresh = Ledger::open(MemoryStore::new()).expect("open");
    match restore(&mut fresh, &file) {
        Ok(_) => Vec::new(),
        Err(ImportError::Invalid(problems)) => {
            assert!(
                problems.iter().all(|p| p.line == prefix.len() + 1),
                "the valid prefix was refused: {problems:?}"
            );
            problems.into_vec()
        }
        Err(e) => panic!("the restore failed: {e}"),
    }
}

/// The import's problems must all be the restore's: refused as an event file means
/// refused as record bytes, with the same id and message.
fn assert_same_refusal(prefix: &[Entry], entry: &Entry) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("a folder");
    let toml = said(&as_toml(prefix, entry, dir.path()));
    let record = said(&as_record(prefix, entry, dir.path()));
    for problem in &toml {
        prop_assert!(
            record.contains(problem),
            "the import said {problem:?}; the restore said {record:?}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn an_event_refused_as_toml_is_refused_as_a_restore_line_with_the_same_message(
        entries in arb_ledger(Dates::AfterTargets, 4, 12),
        at in any::<Index>(),
        how in 0..DAMAGES,
        pick in any::<usize>(),
    ) {
        let positions: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, Entry::Event(_)))
            .map(|(i, _)| i)
            .collect();
        prop_assume!(!positions.is_empty());
        let k = *at.get(&positions);
        let Entry::Event(mut event) = entries[k].clone() else {
            unreachable!("positions of events")
        };
        damage(&mut event, how, pick);
        assert_same_refusal(&entries[..k], &Entry::Event(event))?;
    }

    #[test]
    fn a_party_refused_as_toml_is_refused_as_a_restore_line_with_the_same_message(
        entries in arb_ledger(Dates::AfterTargets, 4, 4),
        how in 0..7u8,
        pick in any::<usize>(),
    ) {
        assert_same_refusal(&entries, &Entry::Party(damaged_party(how, pick)))?;
    }
}

/// A small valid ledger and its last event, for the examples.
fn ledger_and_event() -> (Vec<Entry>, Event) {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    loop {
        let entries = arb_ledger(Dates::AfterTargets, 3, 6)
            .new_tree(&mut runner)
            .expect("a ledger")
            .current();
        if let Some(Entry::Event(e)) = entries.last()
            && matches!(e.payload, Payload::Announcement | Payload::Other)
        {
            let e = e.clone();
            let prefix = entries[..entries.len() - 1].to_vec();
            return (prefix, e);
        }
    }
}

/// A damage done to an event.
type Hurt = Box<dyn Fn(&mut Event)>;

/// The shapes testers restored with exit 0 (issue 19, item 4) are each refused as a
/// restore line, with the message an import of the same event gives.
#[test]
fn the_reported_forged_restores_are_refused_with_the_import_messages() {
    let (prefix, base) = ledger_and_event();
    let dir = tempfile::tempdir().expect("a folder");
    let cases: Vec<(&str, Hurt)> = vec![
        (
            "summary: must not be empty",
            Box::new(|e| e.summary.clear()),
        ),
        (
            "summary: contains the control character U+001B; remove it",
            Box::new(|e| e.summary = "a\u{1b}[2Jb".into()),
        ),
        (
            "summary: is 3000 characters long; the limit is 2000",
            Box::new(|e| e.summary = "x".repeat(3000)),
        ),
        (
            "source 1: `url` \"javascript:alert(1)\" must be an http(s) address without spaces",
            Box::new(|e| e.sources[0].url = "javascript:alert(1)".into()),
        ),
        (
            "every event needs at least one [[event.source]] with a `url`",
            Box::new(|e| e.sources.clear()),
        ),
        (
            "is before the event's earliest possible day",
            Box::new(|e| e.disclosed = Day::parse("1970-01-01").expect("day")),
        ),
        (
            "twice",
            Box::new(|e| {
                let p = e.parties[0].clone();
                e.parties.insert(0, p);
            }),
        ),
    ];
    for (wanted, hurt) in cases {
        let mut e = base.clone();
        hurt(&mut e);
        let entry = Entry::Event(e);
        let restored = as_record(&prefix, &entry, dir.path());
        assert!(
            restored.iter().any(|p| p.message.contains(wanted)),
            "{wanted}: {restored:?}"
        );
        let imported = as_toml(&prefix, &entry, dir.path());
        for p in &imported {
            assert!(
                said(&restored).contains(&(p.id.clone(), p.message.clone())),
                "{p:?} vs {restored:?}"
            );
        }
    }
}

/// A `recorded_at` no calendar holds (i64::MIN seconds) is refused on restore: it prints
/// as no instant, and no clock gives it.
#[test]
fn a_restored_record_at_no_instant_is_refused() {
    let (prefix, e) = ledger_and_event();
    let mut made = Ledger::open(MemoryStore::new()).expect("open");
    made.append_unchecked(prefix.clone(), AT).expect("append");
    made.append_unchecked(vec![Entry::Event(e)], Timestamp::from_unix(i64::MIN))
        .expect("append");
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("x.jsonl");
    let mut out = std::fs::File::create(&file).expect("create");
    export(&made, &mut out).expect("export");
    drop(out);
    let mut fresh = Ledger::open(MemoryStore::new()).expect("open");
    let Err(ImportError::Invalid(problems)) = restore(&mut fresh, &file) else {
        panic!("restored a record at no instant");
    };
    assert!(
        problems[0]
            .message
            .contains("is not an instant between the years -9999 and 9999"),
        "{problems:?}"
    );
    assert_eq!(problems[0].line, prefix.len() + 1);
}

/// The property damages valid events: the generator must keep that promise, or a
/// refusal could come from the generator rather than the damage.
#[test]
fn every_generated_event_is_well_formed() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..32 {
        let entries = arb_ledger(Dates::AfterTargets, 4, 12)
            .new_tree(&mut runner)
            .expect("a ledger")
            .current();
        for e in events(&entries) {
            assert_eq!(pactlog::model::rules::event_flaws(e), Vec::new(), "{e:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The `restore_line` fuzz target's checks, on its regression corpus
// (fixtures/fuzz-regressions/restore_line/) and on edits drawn here.

/// The canonical bytes of each record of the small fixture, as the fuzz target has them.
fn small_records() -> Vec<Vec<u8>> {
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
    pactlog::import::import(
        &mut ledger,
        &[support::small_fixture()],
        Timestamp::from_unix(1_767_225_600),
    )
    .expect("small fixture");
    ledger
        .raw_records(0, None)
        .map(|r| r.expect("a record").bytes.to_vec())
        .collect()
}

/// One export line for `bytes` at `seq`, hashed from its bytes; the id is the record's
/// when it decodes.
fn forged_line(seq: usize, fallback_id: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    let id = pactlog::codec::decode(bytes)
        .map_or_else(|_| fallback_id.to_string(), |r| r.entry.id().to_string());
    serde_json::json!({
        "seq": seq,
        "id": id,
        "hash": pactlog::codec::ChainHash::of(bytes).to_hex(),
        "bytes": base64::engine::general_purpose::STANDARD.encode(bytes),
    })
    .to_string()
}

/// What the fuzz target does with `data`: the export of the records before the one
/// `data[0]` picks, then that record edited as the rest of `data` says; restored into an
/// empty ledger. Returns whether it restored.
fn restore_edited(records: &[Vec<u8>], data: &[u8], dir: &Path) -> bool {
    let Some((&pick, edits)) = data.split_first() else {
        return false;
    };
    let at = usize::from(pick) % records.len();
    let mut bytes = records[at].clone();
    match edits.split_first() {
        Some((0xff, whole)) => bytes = whole.to_vec(),
        _ => {
            for edit in edits.chunks_exact(3) {
                let pos = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
                bytes[pos] = edit[2];
            }
        }
    }
    let original_id = |b: &[u8]| {
        pactlog::codec::decode(b).map_or_else(|_| String::new(), |r| r.entry.id().to_string())
    };
    let mut text = String::new();
    for (seq, b) in records[..at].iter().enumerate() {
        text.push_str(&forged_line(seq, &original_id(b), b));
        text.push('\n');
    }
    text.push_str(&forged_line(at, &original_id(&records[at]), &bytes));
    text.push('\n');
    let file = dir.join("forged.jsonl");
    std::fs::write(&file, &text).expect("write");
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
    match restore(&mut ledger, &file) {
        Err(ImportError::Invalid(_)) => {
            assert_eq!(ledger.size(), 0, "a refused restore appended records");
            false
        }
        Err(e) => panic!("{data:?}: {e}"),
        Ok(report) => {
            assert_eq!(report.appended as usize, at + 1);
            for r in ledger.records(0, None) {
                let r = r.expect("read");
                let flaws = match &r.entry {
                    Entry::Party(p) => pactlog::model::rules::party_flaws(p),
                    Entry::Event(e) => pactlog::model::rules::event_flaws(e),
                };
                assert!(flaws.is_empty(), "{data:?}: admitted with {flaws:?}");
                assert!(r.recorded_at.is_calendar_instant(), "{data:?}");
            }
            assert!(ledger.verify().expect("verify").is_ok(), "{data:?}");
            let mut again = Vec::new();
            export(&ledger, &mut again).expect("export");
            assert_eq!(String::from_utf8_lossy(&again), text, "{data:?}");
            true
        }
    }
}

#[test]
fn fuzz_regressions_of_restore_lines_refuse_or_restore_only_well_formed_records() {
    let records = small_records();
    let dir = tempfile::tempdir().expect("a folder");
    let corpus = support::repo_path("fixtures/fuzz-regressions/restore_line");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("the restore_line corpus")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    let (mut restored, mut refused) = (0, 0);
    for file in &files {
        let data = std::fs::read(file).expect("read");
        if restore_edited(&records, &data, dir.path()) {
            restored += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        restored > 0 && refused > 0,
        "{restored} restored, {refused} refused"
    );
}

proptest! {
    #![proptest_config(cases(256))]

    /// Random edits of one record's bytes, re-hashed: whatever restores breaks no rule.
    #[test]
    fn edited_and_rehashed_records_restore_only_when_well_formed(
        data in proptest::collection::vec(any::<u8>(), 1..13),
    ) {
        let records = small_records();
        let dir = tempfile::tempdir().expect("a folder");
        restore_edited(&records, &data, dir.path());
    }
}

// ---------------------------------------------------------------------------------------
// Ids name one party or one event (issue 19, item 8): import and restore alike.

fn party(id: &str) -> Party {
    Party {
        id: PartyId::new(id).expect("id"),
        name: format!("{id} Holdings"),
        aliases: Vec::new(),
    }
}

/// An event and a party sharing an id are refused in one import (naming the file and
/// line of the later), in an import against a ledger that holds the other, and in a
/// restore, whichever comes first.
#[test]
fn an_id_shared_by_a_party_and_an_event_is_refused_in_import_and_restore() {
    let (prefix, mut e) = ledger_and_event();
    let dir = tempfile::tempdir().expect("a folder");
    let taken_by_party = "the id pa is also a party's id: an id names one party or one \
         event; give the event another id";
    // The event named like a party of the ledger.
    e.id = pactlog::model::EventId::new("pa").expect("id");
    let event = Entry::Event(e.clone());
    let imported = as_toml(&prefix, &event, dir.path());
    assert_eq!(
        said(&imported),
        [(Some("pa".into()), taken_by_party.into())]
    );
    assert_eq!(imported[0].line, 1);
    assert_eq!(
        said(&as_record(&prefix, &event, dir.path())),
        [(Some("pa".into()), taken_by_party.into())]
    );
    // A party named like an event the ledger holds.
    let recorded = events(&prefix).last().expect("an event").id.to_string();
    let clash = Entry::Party(party(&recorded));
    let taken_by_event = format!(
        "the id {recorded} is also an event's id: an id names one party or one event; give \
         the party another id"
    );
    let expected = [(Some(recorded.clone()), taken_by_event)];
    assert_eq!(said(&as_toml(&prefix, &clash, dir.path())), expected);
    assert_eq!(said(&as_record(&prefix, &clash, dir.path())), expected);
    // Both in one file: the event is refused, at its own line.
    let mut both = party_toml(&party("zz-new"));
    e.id = pactlog::model::EventId::new("zz-new").expect("id");
    both.push_str(&event_toml(&e));
    let file = dir.path().join("both.toml");
    std::fs::write(&file, &both).expect("write");
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
    ledger.append_unchecked(prefix.clone(), AT).expect("append");
    let Err(ImportError::Invalid(problems)) = plan(&ledger, &[file]) else {
        panic!("an event named like a party of the same file was imported");
    };
    let line = both
        .lines()
        .position(|l| l == "[[event]]")
        .expect("an event")
        + 1;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        (problems[0].line, problems[0].id.as_deref()),
        (line, Some("zz-new"))
    );
    assert!(
        problems[0]
            .message
            .starts_with("the id zz-new is also a party's id")
    );
}
