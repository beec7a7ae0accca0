//! An import of event files in two passes (check everything keeping the facts of the
//! events, then read the files again and append a window at a time): the chain it
//! appends is the one a single checked batch of the same events gives, a problem
//! anywhere appends nothing, and a file that changes between the passes stops the
//! import before anything read from it as it is then is appended.

use pactlog::codec::Timestamp;
use pactlog::import::{self, ImportError};
use pactlog::ledger::{Ledger, Validator};
use pactlog::model::{Event, EventId, Party};
use pactlog::store::MemoryStore;
use pactlog::synth::{Synth, SynthConfig, write_event_files};
use std::path::{Path, PathBuf};

const AT: Timestamp = Timestamp::from_unix(1_767_225_600);

/// More events than one window of the second pass holds, so that it takes two.
const EVENTS: usize = 40_000;

/// The parties and events of a seeded synthetic ledger of `n` events.
fn synthetic(n: usize) -> (Vec<Party>, Vec<Event>) {
    let synth = Synth::new(SynthConfig::new(7, n));
    (synth.parties(), synth.events().collect())
}

/// The events written as files of 1000 events, interleaved: file k holds the events
/// whose position is k modulo 40, so every window of the second pass needs every file
/// and most references name an event of another file, often a later one.
fn interleaved_files(dir: &Path, parties: &[Party], events: &[Event]) {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| (i % 40, i));
    write_event_files(dir, parties, order.iter().map(|&i| events[i].clone()), 1000).unwrap();
}

fn empty_ledger() -> Ledger<MemoryStore> {
    Ledger::open(MemoryStore::new()).unwrap()
}

fn import_dir(
    ledger: &mut Ledger<MemoryStore>,
    dir: &Path,
) -> Result<import::ImportReport, ImportError> {
    import::import(ledger, &[dir.to_path_buf()], AT)
}

#[test]
fn a_two_pass_import_appends_the_chain_of_one_checked_batch_of_the_same_events() {
    let (parties, events) = synthetic(EVENTS);
    let dir = tempfile::tempdir().unwrap();
    interleaved_files(dir.path(), &parties, &events);

    let mut one_batch = empty_ledger();
    let checked = one_batch.check(parties.clone(), events).unwrap();
    one_batch.append(checked, AT).unwrap();

    let mut imported = empty_ledger();
    let report = import_dir(&mut imported, dir.path()).unwrap();
    assert_eq!(report.events_added, EVENTS);
    assert_eq!(imported.size(), one_batch.size());
    assert_eq!(imported.head(), one_batch.head());

    // The same files again: everything is recorded, nothing changes.
    let again = import_dir(&mut imported, dir.path()).unwrap();
    assert_eq!((again.events_added, again.events_skipped), (0, EVENTS));
    assert_eq!(imported.head(), one_batch.head());
}

#[test]
fn a_problem_in_the_last_of_many_files_appends_nothing() {
    let (parties, events) = synthetic(5_000);
    let dir = tempfile::tempdir().unwrap();
    write_event_files(dir.path(), &parties, events, 100).unwrap();
    let last = dir.path().join("events-0049.toml");
    let mut text = std::fs::read_to_string(&last).unwrap();
    text.push_str(
        "\n[[event]]\nid = \"2026-01-01-late\"\ndate = \"2026-01-01\"\nkind = \"announcement\"\n\
         summary = \"A late event.\"\nconfidence = \"confirmed\"\nparties = [\"nobody-at-all\"]\n\n\
         [[event.source]]\nurl = \"https://example.com/late\"\n",
    );
    std::fs::write(&last, text).unwrap();
    let mut ledger = empty_ledger();
    match import_dir(&mut ledger, dir.path()) {
        Err(ImportError::Invalid(problems)) => {
            let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
            assert_eq!(all.len(), 1, "{all:#?}");
            assert!(
                all[0].contains("events-0049.toml") && all[0].contains("nobody-at-all"),
                "{all:#?}"
            );
        }
        other => panic!("expected problems, got {other:?}"),
    }
    assert_eq!(ledger.size(), 0, "nothing is appended");
}

/// Two small files; events in `b.toml`.
fn small_files(dir: &Path) -> PathBuf {
    std::fs::write(
        dir.join("a.toml"),
        "[[party]]\nid = \"acme\"\nname = \"Acme\"\n\n[[party]]\nid = \"beta\"\nname = \"Beta\"\n",
    )
    .unwrap();
    let event = |id: &str, summary: &str| {
        format!(
            "[[event]]\nid = \"{id}\"\ndate = \"2025-01-01\"\nkind = \"announcement\"\n\
             summary = \"{summary}\"\nconfidence = \"confirmed\"\nparties = [\"acme\", \"beta\"]\n\n\
             [[event.source]]\nurl = \"https://example.com/{id}\"\n\n"
        )
    };
    let b = dir.join("b.toml");
    std::fs::write(&b, event("e-1", "One.") + &event("e-2", "Two.")).unwrap();
    b
}

#[test]
fn a_file_changed_between_the_passes_stops_the_import_before_anything_is_appended() {
    let dir = tempfile::tempdir().unwrap();
    let b = small_files(dir.path());
    let mut ledger = empty_ledger();
    let files = import::collect_files(&[dir.path().to_path_buf()]).unwrap();
    let changed = std::fs::read_to_string(&b)
        .unwrap()
        .replace("One.", "Changed.");
    let err = import::import_reporting(
        &mut ledger,
        files,
        AT,
        |report| {
            assert_eq!(report.events_added, 2);
            // Between the passes: after every file was checked, before any is read again.
            std::fs::write(&b, &changed).unwrap();
        },
        |_| {},
    )
    .unwrap_err();
    match &err {
        ImportError::Changed { path } => assert_eq!(path, &b),
        other => panic!("expected a changed file, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("b.toml") && message.contains("run the import again"),
        "{message}"
    );
    assert_eq!(
        ledger.size(),
        0,
        "nothing of it, nor the parties, was appended"
    );

    // Run again, the file is checked as it is now and imported.
    import_dir(&mut ledger, dir.path()).unwrap();
    let (_, e1) = ledger
        .event(&EventId::new("e-1").unwrap())
        .unwrap()
        .expect("e-1 recorded");
    assert_eq!(e1.summary, "Changed.");
}

#[test]
fn a_file_changed_after_the_first_window_keeps_what_was_checked_and_appends_nothing_read_from_it_after()
 {
    let (parties, events) = synthetic(EVENTS);
    let dir = tempfile::tempdir().unwrap();
    interleaved_files(dir.path(), &parties, &events);
    let victim = dir.path().join("events-0039.toml");
    let text = std::fs::read_to_string(&victim).unwrap();
    let files = import::collect_files(&[dir.path().to_path_buf()]).unwrap();
    let mut ledger = empty_ledger();
    let mut edited = false;
    let err = import::import_reporting(
        &mut ledger,
        files,
        AT,
        |_| {},
        |_| {
            if !edited {
                // One more event at the end: every event it held before reads the same.
                std::fs::write(&victim, text.clone() + "\n# a note\n").unwrap();
                edited = true;
            }
        },
    )
    .unwrap_err();
    assert!(
        matches!(&err, ImportError::Changed { path } if *path == victim),
        "{err:?}"
    );
    let size = ledger.size();
    assert!(size > 0 && size < (parties.len() + EVENTS) as u64, "{size}");
    // Every record appended is the event checked: the chain so far is a prefix of the
    // one-batch chain.
    let mut one_batch = empty_ledger();
    let checked = one_batch.check(parties, events).unwrap();
    one_batch.append(checked, AT).unwrap();
    for seq in 0..size {
        let seq = pactlog::codec::Seq::new(seq);
        assert_eq!(
            ledger.record(seq).unwrap().map(|r| r.entry),
            one_batch.record(seq).unwrap().map(|r| r.entry)
        );
    }
    // A re-run completes the import.
    let report = import_dir(&mut ledger, dir.path()).unwrap();
    assert!(report.events_skipped > 0 && report.events_added > 0);
    assert_eq!(ledger.head(), one_batch.head());
}

#[test]
fn events_checked_by_their_facts_have_the_problems_of_events_checked_whole() {
    let (parties, mut events) = synthetic(3_000);
    // Break some: a party left undefined, a duplicate id, a dangling supersedes, a
    // cycle, an event naming no party at all.
    let dropped = parties[0].id.clone();
    let parties: Vec<Party> = parties.into_iter().skip(1).collect();
    let duplicate = events[10].clone();
    events.push(duplicate);
    events[20].supersedes = Some(EventId::new("no-such-event").unwrap());
    let (a, b) = (events[30].id.clone(), events[31].id.clone());
    events[30].supersedes = Some(b);
    events[31].supersedes = Some(a);
    events[40].parties.clear();
    events[40].supersedes = None;
    events[40].payload = pactlog::model::Payload::Announcement;
    let ledger = empty_ledger();
    let whole = |v: &mut Validator<'_, MemoryStore>| {
        let mut p = v.parties(parties.clone()).unwrap();
        p.extend(v.events(events.clone()).unwrap());
        p
    };
    let by_facts = |v: &mut Validator<'_, MemoryStore>| {
        let mut p = v.parties(parties.clone()).unwrap();
        let facts = events
            .iter()
            .map(|e| pactlog::ledger::EventFacts::of(e).unwrap())
            .collect();
        p.extend(v.event_facts(facts).unwrap());
        p
    };
    let expected = whole(&mut ledger.validator().unwrap());
    let found = by_facts(&mut ledger.validator().unwrap());
    assert!(
        expected
            .iter()
            .any(|p| p.to_string().contains(dropped.as_str())),
        "{expected:#?}"
    );
    assert!(expected.len() > 5, "{expected:#?}");
    assert_eq!(found, expected);
}
