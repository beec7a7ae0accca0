//! Decide, then record: every writer goes through the ledger's validator. Appending
//! through the library, importing files and restoring an export refuse the same broken
//! rules, and leave the ledger as it was.

use crate::support;

use pactlog::codec::{ChainHash, Entry, Record, Seq, Timestamp};
use pactlog::import;
use pactlog::ledger::{CheckError, Ledger, LedgerError};
use pactlog::model::{
    Confidence, EdtfDate, Event, EventId, Party, PartyId, Payload, Scope, Source, Term, TermKey,
    TermRef, TermType,
};
use pactlog::store::MemoryStore;
use std::path::Path;
use support::TempStore;

const AT: Timestamp = Timestamp::from_unix(1_767_225_600);

fn party(id: &str) -> Party {
    Party {
        id: PartyId::new(id).unwrap(),
        name: format!("{id} Inc"),
        aliases: vec![],
    }
}

fn announcement(id: &str, parties: &[&str]) -> Event {
    let date = EdtfDate::parse("2025-01-01").unwrap();
    Event {
        id: EventId::new(id).unwrap(),
        disclosed: date.latest(),
        date,
        summary: "A test event.".into(),
        confidence: Confidence::Confirmed,
        parties: parties.iter().map(|p| PartyId::new(p).unwrap()).collect(),
        supersedes: None,
        sources: vec![Source {
            url: format!("https://example.com/{id}"),
            publisher: None,
            published: None,
        }],
        payload: Payload::Announcement,
    }
}

/// A ledger holding parties a and b and one announcement between them.
fn ledger() -> Ledger<MemoryStore> {
    let mut ledger = Ledger::open(MemoryStore::new()).unwrap();
    let checked = ledger
        .check(
            vec![party("a"), party("b")],
            vec![announcement("e1", &["a", "b"])],
        )
        .unwrap();
    ledger.append(checked, AT).unwrap();
    ledger
}

/// Checks `event` alone against `ledger`: it must be refused with one problem saying
/// `says`, and the ledger must stay as it was.
fn refused(ledger: &Ledger<MemoryStore>, event: Event, says: &str) {
    let before = (ledger.size(), ledger.head());
    match ledger.check(vec![], vec![event]) {
        Err(CheckError::Rejected(r)) => {
            assert_eq!(r.0.len(), 1, "{r:?}");
            let message = r.0[0].to_string();
            assert!(message.contains(says), "{message}");
            assert!(message.starts_with("input event #0: "), "{message}");
        }
        other => panic!("not refused: {other:?}"),
    }
    assert_eq!((ledger.size(), ledger.head()), before);
}

#[test]
fn the_library_refuses_a_dangling_reference_an_unknown_party_and_a_changed_recorded_id() {
    let ledger = ledger();
    let mut dangling = announcement("e2", &["a", "b"]);
    dangling.supersedes = Some(EventId::new("nothing-here").unwrap());
    refused(
        &ledger,
        dangling,
        "`supersedes` names nothing-here, which is neither in the input nor in the ledger",
    );
    refused(
        &ledger,
        announcement("e2", &["a", "c"]),
        "names the party c, which is not defined",
    );
    let mut changed = announcement("e1", &["a", "b"]);
    changed.summary = "Another summary.".into();
    refused(
        &ledger,
        changed,
        "this id is already recorded (record 2) with different content",
    );
    // The same event again is no change at all.
    let same = ledger
        .check(vec![], vec![announcement("e1", &["a", "b"])])
        .unwrap();
    assert_eq!(same.report().events_skipped, 1);
    assert!(same.events().is_empty());
}

#[test]
fn a_batch_checked_before_another_append_must_be_checked_again() {
    let mut ledger = ledger();
    let first = ledger
        .check(vec![], vec![announcement("e2", &["a", "b"])])
        .unwrap();
    let second = ledger
        .check(vec![], vec![announcement("e2", &["a", "b"])])
        .unwrap();
    ledger.append(first, AT).unwrap();
    let size = ledger.size();
    match ledger.append(second, AT) {
        Err(LedgerError::Stale { checked: 3, now: 4 }) => {}
        other => panic!("a stale batch was not refused: {other:?}"),
    }
    assert_eq!(ledger.size(), size);
}

/// An agreement, a term-ended event that names no parties (it takes the term's), and a
/// retraction of it that names none either (it takes the term-ended event's).
const AGREEMENT: &str = r#"
[[event]]
id = "x-agreement"
date = "2025-01-01"
kind = "agreement"
summary = "An agreement."
confidence = "confirmed"
[[event.term]]
key = "k"
type = "exclusivity"
grantor = "acme"
holder = "globex"
scope = "cloud"
[[event.source]]
url = "https://example.com/x"
"#;

const ENDED: &str = r#"
[[event]]
id = "y-ended"
date = "2025-02-01"
kind = "term-ended"
summary = "The term ended."
confidence = "reported"
ends = ["x-agreement#k"]
[[event.source]]
url = "https://example.com/y"
"#;

const RETRACTION: &str = r#"
[[event]]
id = "z-retraction"
date = "2025-03-01"
kind = "retraction"
summary = "The end of the term was misreported."
confidence = "reported"
supersedes = "y-ended"
[[event.source]]
url = "https://example.com/z"
"#;

const PARTIES: &str = r#"
[[party]]
id = "acme"
name = "Acme"
[[party]]
id = "globex"
name = "Globex"
"#;

/// Imports `files` (name, text) into a new memory ledger; returns its head and the
/// parties recorded for z-retraction.
fn import_layout(files: &[(&str, String)]) -> (ChainHash, Vec<PartyId>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut ledger = Ledger::open(MemoryStore::new()).unwrap();
    import::import(&mut ledger, &[dir.path().to_path_buf()], AT).unwrap();
    let (_, z) = ledger
        .event(&EventId::new("z-retraction").unwrap())
        .unwrap()
        .unwrap();
    (ledger.head(), z.parties)
}

#[test]
fn an_events_parties_do_not_depend_on_the_order_of_the_input() {
    let one_file = import_layout(&[(
        "all.toml",
        format!("{PARTIES}{AGREEMENT}{ENDED}{RETRACTION}"),
    )]);
    let retraction_first = import_layout(&[
        ("a.toml", RETRACTION.to_string()),
        ("b.toml", format!("{ENDED}{AGREEMENT}")),
        ("c.toml", PARTIES.to_string()),
    ]);
    assert_eq!(
        one_file.1,
        vec![
            PartyId::new("acme").unwrap(),
            PartyId::new("globex").unwrap()
        ]
    );
    assert_eq!(retraction_first, one_file);
}

/// Re-chains `records` from the first changed one on: fresh `prev` links and hashes,
/// as anyone can compute them without a key. Returns the export's lines.
fn export_lines(records: &[Record]) -> Vec<String> {
    use base64::Engine;
    let mut prev = ChainHash::ZERO;
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            r.seq = Seq::new(i as u64);
            r.prev = prev;
            let bytes = pactlog::codec::encode(&r).unwrap();
            prev = ChainHash::of(&bytes);
            serde_json::json!({
                "seq": i,
                "id": r.entry.id(),
                "hash": prev.to_hex(),
                "bytes": base64::engine::general_purpose::STANDARD.encode(&bytes),
            })
            .to_string()
        })
        .collect()
}

fn record(entry: Entry) -> Record {
    Record {
        seq: Seq::new(0),
        recorded_at: AT,
        prev: ChainHash::ZERO,
        entry,
        format: pactlog::codec::Format::CURRENT,
    }
}

/// Restores `lines` into a new store with the CLI: it must exit 1 naming `line` and
/// saying `says`, and leave the store empty.
fn restore_refused(lines: &[String], line: usize, says: &str) {
    let store = TempStore::new();
    let file = store.dir.path().join("forged.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let out = store.cmd().arg("import").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let at = format!("{}:{line}: ", file.display());
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(&at) && l.contains(says)),
        "expected {at}...{says}, got:\n{stderr}"
    );
    let log = store.cmd().args(["log", "--json"]).output().unwrap();
    let events: serde_json::Value = serde_json::from_slice(&log.stdout).unwrap_or_default();
    assert!(
        events.as_array().is_none_or(Vec::is_empty),
        "the store changed: {events}"
    );
}

#[test]
fn a_restore_refuses_a_forged_export_that_breaks_domain_rules_at_its_line() {
    let parties = [
        record(Entry::Party(party("a"))),
        record(Entry::Party(party("b"))),
    ];
    let mut x = announcement("x", &["a", "b"]);
    let mut y = announcement("y", &["a", "b"]);
    x.supersedes = Some(y.id.clone());
    y.supersedes = Some(x.id.clone());
    let cycle = [
        parties.to_vec(),
        vec![record(Entry::Event(x)), record(Entry::Event(y))],
    ]
    .concat();
    restore_refused(
        &export_lines(&cycle),
        3,
        "`supersedes` names y, which is not recorded before it",
    );

    let twice = [
        parties.to_vec(),
        vec![
            record(Entry::Event(announcement("x", &["a", "b"]))),
            record(Entry::Event(announcement("x", &["a", "b"]))),
        ],
    ]
    .concat();
    restore_refused(&export_lines(&twice), 4, "its id is recorded before it");

    let stranger = [
        parties.to_vec(),
        vec![record(Entry::Event(announcement("x", &["a", "nobody"])))],
    ]
    .concat();
    restore_refused(
        &export_lines(&stranger),
        3,
        "names the party nobody, which is not defined before it",
    );

    // A term ended on a day before the agreement that granted it.
    let mut grant = announcement("grant", &["a", "b"]);
    grant.date = EdtfDate::parse("2026-01-01").unwrap();
    grant.disclosed = grant.date.latest();
    grant.payload = Payload::Agreement {
        title: None,
        terms: vec![Term {
            key: TermKey::new("cloud").unwrap(),
            kind: TermType::Exclusivity,
            grantor: PartyId::new("a").unwrap(),
            holder: PartyId::new("b").unwrap(),
            scope: Scope::new("cloud").unwrap(),
            exclusive: true,
            amount: None,
            until: None,
        }],
        ends: vec![],
    };
    let mut end = announcement("end", &["a", "b"]);
    end.payload = Payload::TermEnded {
        ends: vec![TermRef::parse("grant#cloud").unwrap()],
        reason: None,
    };
    let early_end = [
        parties.to_vec(),
        vec![record(Entry::Event(grant)), record(Entry::Event(end))],
    ]
    .concat();
    restore_refused(
        &export_lines(&early_end),
        4,
        "a term cannot end before it is granted",
    );
}

#[test]
fn a_restored_export_passes_the_same_rules_and_reproduces_the_ledger() {
    let source = ledger();
    let records: Vec<Record> = source.records(0, None).map(Result::unwrap).collect();
    let lines = export_lines(&records);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("good.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let mut restored = Ledger::open(MemoryStore::new()).unwrap();
    let report = import::restore(&mut restored, Path::new(&file)).unwrap();
    assert_eq!(report.appended, source.size());
    assert_eq!(restored.head(), source.head());
}
