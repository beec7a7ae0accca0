//! `pactlog export --format jsonl` and `pactlog import FILE.jsonl`: an export restores
//! byte-identical records (same head, same Merkle root), restoring is idempotent and
//! completes a store holding a prefix, and an edited export is refused, naming its line,
//! with the store left as it was. A property test does the same through the library on
//! random valid ledgers.

use crate::support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pactlog::codec::ChainHash;
use pactlog::codec::{self, Entry, Record, Timestamp};
use pactlog::import::{ImportError, export, restore};
use pactlog::ledger::Ledger;
use pactlog::model::{Confidence, Day, EdtfDate, Event, EventId, Party, PartyId, Payload, Source};
use pactlog::store::MemoryStore;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use support::ledgers::{Dates, arb_ledger};
use support::{TempStore, cases, events_dir, small_fixture};

/// Records after importing events/.
const EVENTS_SIZE: usize = 92;

use support::{assert_code, stderr_of, stdout_of};

/// `pactlog export` of a store, as bytes.
fn export_of(store: &TempStore) -> Vec<u8> {
    let out = store.cmd().arg("export").output().unwrap();
    assert_code(&out, 0, "export");
    out.stdout
}

fn lines_of(export: &[u8]) -> Vec<String> {
    String::from_utf8(export.to_vec())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A store with events/ imported, and its export saved as `events.jsonl` beside it.
fn exported_events() -> (TempStore, PathBuf, Vec<u8>) {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let bytes = export_of(&store);
    let file = store.dir.path().join("events.jsonl");
    std::fs::write(&file, &bytes).unwrap();
    (store, file, bytes)
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// What `verify --json` says of a store: (checked, head, root).
fn summary(store: &TempStore) -> (u64, String, String) {
    let v = store.json(&["verify", "--json"]);
    assert_eq!(v["ok"], true, "{v}");
    (
        v["checked"].as_u64().unwrap(),
        v["head"].as_str().unwrap().to_string(),
        v["root"].as_str().unwrap().to_string(),
    )
}

#[test]
fn an_export_imported_into_an_empty_store_reproduces_bytes_head_and_root() {
    let (original, file, bytes) = exported_events();
    assert_eq!(lines_of(&bytes).len(), EVENTS_SIZE);

    let copy = TempStore::new();
    let report = copy.import(&[&file]);
    assert_eq!(report["records"], EVENTS_SIZE);
    assert_eq!(report["appended"], EVENTS_SIZE);
    assert_eq!(report["ledger_size"], EVENTS_SIZE);

    assert_eq!(
        export_of(&copy),
        bytes,
        "the export of the copy differs from the original's"
    );
    let (checked, head, root) = summary(&copy);
    assert_eq!(checked as usize, EVENTS_SIZE);
    assert_eq!((head.clone(), root), {
        let (_, h, r) = summary(&original);
        (h, r)
    });
    assert_eq!(report["head"], head);
}

#[test]
fn importing_the_same_export_again_appends_nothing() {
    let (_store, file, bytes) = exported_events();
    let copy = TempStore::new();
    copy.import(&[&file]);
    let before = summary(&copy);

    let report = copy.import(&[&file]);
    assert_eq!(report["records"], EVENTS_SIZE);
    assert_eq!(report["appended"], 0);
    assert_eq!(summary(&copy), before);
    assert_eq!(export_of(&copy), bytes);

    // Into the store it came from, too.
    let out = copy.cmd().arg("import").arg(&file).output().unwrap();
    assert_code(&out, 0, "human import of an export");
    assert!(
        stdout_of(&out).contains(&format!("restored 0 of {EVENTS_SIZE} records")),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn importing_an_export_into_a_store_holding_a_prefix_appends_only_the_rest() {
    let (original, file, bytes) = exported_events();
    let lines = lines_of(&bytes);
    let expected = summary(&original);
    for prefix in [1, 17, 30, EVENTS_SIZE - 1] {
        let store = TempStore::new();
        let part = store.dir.path().join("prefix.jsonl");
        write_lines(&part, &lines[..prefix]);
        let report = store.import(&[&part]);
        assert_eq!(report["appended"], prefix);
        assert_eq!(summary(&store).0 as usize, prefix);

        let report = store.import(&[&file]);
        assert_eq!(report["records"], EVENTS_SIZE, "prefix {prefix}");
        assert_eq!(report["appended"], EVENTS_SIZE - prefix, "prefix {prefix}");
        assert_eq!(summary(&store), expected, "prefix {prefix}");
        assert_eq!(export_of(&store), bytes, "prefix {prefix}");
    }
}

/// A store holding the first `n` records of events/, with its export before any edit.
fn prefix_store(lines: &[String], n: usize) -> (TempStore, Vec<u8>) {
    let store = TempStore::new();
    let part = store.dir.path().join("prefix.jsonl");
    write_lines(&part, &lines[..n]);
    store.import(&[&part]);
    let before = export_of(&store);
    (store, before)
}

fn json_of(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap()
}

fn record_of(line: &str) -> Record {
    let bytes = STANDARD
        .decode(json_of(line)["bytes"].as_str().unwrap())
        .unwrap();
    codec::decode(&bytes).unwrap()
}

/// The same record with one more character in its summary (or party name).
fn altered(record: &Record) -> Vec<u8> {
    let mut record = record.clone();
    match &mut record.entry {
        Entry::Event(e) => e.summary.push('!'),
        Entry::Party(p) => p.name.push('!'),
    }
    codec::encode(&record).unwrap()
}

/// Line `n` (0-based) of an export with its bytes replaced, and its hash recomputed or not.
fn with_bytes(line: &str, bytes: &[u8], rehash: bool) -> String {
    let mut v = json_of(line);
    v["bytes"] = STANDARD.encode(bytes).into();
    if rehash {
        v["hash"] = ChainHash::of(bytes).to_hex().into();
    }
    v.to_string()
}

#[test]
fn an_edited_export_line_is_refused_naming_the_line_and_the_store_is_unchanged() {
    let (_store, _, bytes) = exported_events();
    let lines = lines_of(&bytes);
    let (store, before) = prefix_store(&lines, 10);
    let summary_before = summary(&store);

    // Line 31 holds record 30 (an event): edit it in every way but a consistent rewrite.
    let at = 30;
    let line = &lines[at];
    let record = record_of(line);
    assert!(matches!(record.entry, Entry::Event(_)));
    let mut flipped = json_of(line);
    let b64 = flipped["bytes"].as_str().unwrap().to_string();
    let mid = b64.len() / 2;
    let c = if &b64[mid..=mid] == "A" { "B" } else { "A" };
    flipped["bytes"] = format!("{}{c}{}", &b64[..mid], &b64[mid + 1..]).into();
    let mut rehashed = json_of(line);
    rehashed["hash"] = ChainHash::of(b"something else").to_hex().into();
    let mut reseq = json_of(line);
    reseq["seq"] = 31.into();

    const HASH: &str = "do not hash to the chain hash stored with them";
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "bytes changed, hash kept",
            with_bytes(line, &altered(&record), false),
            &[HASH],
        ),
        (
            "one base64 character flipped",
            flipped.to_string(),
            // The flip may or may not leave a record that decodes.
            &["record bytes are invalid", HASH],
        ),
        ("hash changed", rehashed.to_string(), &[HASH]),
        (
            "seq changed",
            reseq.to_string(),
            &["\"seq\" 31 does not match the record's own seq 30"],
        ),
        (
            "not JSON",
            line[..line.len() / 2].to_string(),
            &["not a JSON object"],
        ),
    ];
    for (what, edited, expected) in cases {
        let mut edited_lines = lines.clone();
        edited_lines[at] = edited;
        let file = store.dir.path().join("edited.jsonl");
        write_lines(&file, &edited_lines);
        let out = store.cmd().arg("import").arg(&file).output().unwrap();
        assert_code(&out, 1, what);
        let stderr = stderr_of(&out);
        assert!(
            stderr.contains(&format!("{}:{}: ", file.display(), at + 1)),
            "{what}: the line is not named: {stderr}"
        );
        let named = format!("{}:{}: ", file.display(), at + 1);
        assert!(
            expected.iter().any(|e| stderr
                .lines()
                .any(|l| l.starts_with(&named) && l.contains(e))),
            "{what}: expected one of {expected:?} on line {}: {stderr}",
            at + 1
        );
        assert!(stderr.contains("nothing was imported"), "{what}: {stderr}");
        assert_eq!(export_of(&store), before, "{what}: the store changed");
        assert_eq!(summary(&store), summary_before, "{what}");
    }
}

/// Every field of an export line is checked against the record bytes, or the line is
/// refused: an `id` naming another record (issue 19: `{"id":"beta", bytes of alpha}`
/// restored), a field given twice, a non-string id, a `seq` that is not a JSON integer
/// (`"5"`, `0.5`, 2^64+1), a field missing or unknown.
#[test]
fn an_export_line_whose_fields_disagree_with_its_bytes_or_are_not_as_written_is_refused() {
    let (_store, _, bytes) = exported_events();
    let lines = lines_of(&bytes);
    let at = 5;
    let line = &lines[at];
    let v = json_of(line);
    let (id, hash, b64) = (
        v["id"].as_str().unwrap(),
        v["hash"].as_str().unwrap(),
        v["bytes"].as_str().unwrap(),
    );
    let other_id = json_of(&lines[at + 1])["id"].as_str().unwrap().to_string();
    let raw = |seq: &str, id: &str| {
        format!(r#"{{"seq":{seq},"id":{id},"hash":"{hash}","bytes":"{b64}"}}"#)
    };
    let shape = "a line holds \"seq\" (an integer), \"id\", \"hash\" and \"bytes\", each once";
    let cases: Vec<(&str, String, String)> = vec![
        (
            "id of another record",
            raw("5", &format!("{other_id:?}")),
            format!("\"id\" {other_id:?} does not match the record's own id {id}"),
        ),
        (
            "id twice",
            format!(r#"{{"seq":5,"id":"{other_id}","id":"{id}","hash":"{hash}","bytes":"{b64}"}}"#),
            "duplicate field `id`".to_string(),
        ),
        ("id a number", raw("5", "5"), shape.to_string()),
        ("id null", raw("5", "null"), shape.to_string()),
        (
            "seq a string",
            raw("\"5\"", &format!("{id:?}")),
            shape.to_string(),
        ),
        (
            "seq a fraction",
            raw("0.5", &format!("{id:?}")),
            shape.to_string(),
        ),
        ("seq 5.0", raw("5.0", &format!("{id:?}")), shape.to_string()),
        (
            "seq past u64",
            raw("18446744073709551617", &format!("{id:?}")),
            shape.to_string(),
        ),
        (
            "seq negative",
            raw("-5", &format!("{id:?}")),
            shape.to_string(),
        ),
        (
            "an unknown field",
            format!(r#"{{"seq":5,"id":"{id}","hash":"{hash}","bytes":"{b64}","note":"x"}}"#),
            "unknown field `note`".to_string(),
        ),
        (
            "no hash",
            format!(r#"{{"seq":5,"id":"{id}","bytes":"{b64}"}}"#),
            "missing field `hash`".to_string(),
        ),
        ("not an object", "[5]".to_string(), shape.to_string()),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (what, edited, expected) in cases {
        let mut edited_lines = lines.clone();
        edited_lines[at] = edited;
        let file = dir.path().join("edited.jsonl");
        write_lines(&file, &edited_lines);
        let mut fresh = Ledger::open(MemoryStore::new()).unwrap();
        let Err(ImportError::Invalid(problems)) = restore(&mut fresh, &file) else {
            panic!("{what}: restored");
        };
        assert_eq!(problems.len(), 1, "{what}: {problems:?}");
        assert_eq!(problems[0].line, at + 1, "{what}: {problems:?}");
        assert!(
            problems[0].message.contains(&expected),
            "{what}: expected {expected:?} in {:?}",
            problems[0].message
        );
        assert_eq!(fresh.size(), 0, "{what}");
    }
    // The line as exported restores.
    let file = dir.path().join("clean.jsonl");
    write_lines(&file, &lines);
    let mut fresh = Ledger::open(MemoryStore::new()).unwrap();
    restore(&mut fresh, &file).expect("the clean export restores");
}

/// Each export line is checked against its own position among the record lines, so one
/// edited line is one problem: the intact lines after it are not reported as out of
/// place.
#[test]
fn one_edited_export_line_is_reported_as_one_problem() {
    let (_store, _, bytes) = exported_events();
    let mut lines = lines_of(&bytes);
    let at = 30;
    let mut v = json_of(&lines[at]);
    v["hash"] = ChainHash::of(b"something else").to_hex().into();
    lines[at] = v.to_string();
    let store = TempStore::new();
    let file = store.dir.path().join("edited.jsonl");
    write_lines(&file, &lines);

    let out = store.cmd().arg("import").arg(&file).output().unwrap();
    assert_code(&out, 1, "an export with one edited line");
    let stderr = stderr_of(&out);
    let prefix = format!("{}:", file.display());
    let problems: Vec<&str> = stderr.lines().filter(|l| l.starts_with(&prefix)).collect();
    assert_eq!(
        problems.len(),
        1,
        "one edited line, {} problems reported:\n{stderr}",
        problems.len()
    );
    assert!(stderr.contains("1 problem found"), "{stderr}");
}

/// An edited line whose hash was recomputed to match its new bytes is bad input (exit
/// 1), reported at a line of the file (the edited one, or the next, whose prev no longer
/// matches), not a storage error.
#[test]
fn an_export_line_rewritten_with_a_matching_hash_is_refused_as_bad_input_naming_the_line() {
    let (_store, _, bytes) = exported_events();
    let lines = lines_of(&bytes);
    let (store, before) = prefix_store(&lines, 10);
    let at = 30;
    let mut edited = lines.clone();
    edited[at] = with_bytes(&lines[at], &altered(&record_of(&lines[at])), true);
    let file = store.dir.path().join("relinked.jsonl");
    write_lines(&file, &edited);

    let out = store.cmd().arg("import").arg(&file).output().unwrap();
    assert_eq!(export_of(&store), before, "the store changed");
    let stderr = stderr_of(&out);
    let named = [at + 1, at + 2]
        .iter()
        .any(|n| stderr.contains(&format!("{}:{n}: ", file.display())));
    assert!(
        named,
        "no line of the export is named ({}): {stderr}",
        out.status
    );
    assert_code(&out, 1, "a consistently rewritten export line");
}

#[test]
fn an_export_that_diverges_from_the_store_is_refused_naming_the_line() {
    let (_store, file, _) = exported_events();
    let other = TempStore::new();
    other.import(&[&small_fixture()]);
    let before = export_of(&other);

    let out = other.cmd().arg("import").arg(&file).output().unwrap();
    assert_code(&out, 1, "an export of another ledger");
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains(&format!("{}:1: record 0 differs", file.display())),
        "{stderr}"
    );
    assert!(stderr.contains("diverged"), "{stderr}");
    assert_eq!(export_of(&other), before);
}

#[test]
fn export_output_writes_the_file_and_nothing_on_stdout() {
    let (store, _, bytes) = exported_events();
    let file = store.dir.path().join("out.jsonl");
    let out = store
        .cmd()
        .args(["export", "--format", "jsonl", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert_code(&out, 0, "export --output");
    assert!(out.stdout.is_empty(), "stdout: {}", stdout_of(&out));
    assert!(
        stderr_of(&out).contains(&format!("exported {EVENTS_SIZE} records to")),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
    let leftovers: Vec<_> = std::fs::read_dir(store.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The file is an export: it restores.
    let copy = TempStore::new();
    assert_eq!(copy.import(&[&file])["appended"], EVENTS_SIZE);
}

#[test]
fn export_lines_name_seq_id_and_chain_hash_of_their_bytes() {
    let (_store, _, bytes) = exported_events();
    for (i, line) in lines_of(&bytes).iter().enumerate() {
        let v = json_of(line);
        let raw = STANDARD.decode(v["bytes"].as_str().unwrap()).unwrap();
        let record = codec::decode(&raw).unwrap();
        assert_eq!(v["seq"], i, "{line}");
        assert_eq!(record.seq.get(), i as u64);
        assert_eq!(v["id"], record.entry.id());
        assert_eq!(v["hash"], ChainHash::of(&raw).to_hex());
    }
}

// ---------------------------------------------------------------------------------------
// Through the library

fn ledger_of(batches: &[(Vec<Entry>, i64)]) -> Ledger<MemoryStore> {
    let mut ledger = Ledger::open(MemoryStore::new()).unwrap();
    for (entries, at) in batches {
        ledger
            .append_unchecked(entries.clone(), Timestamp::from_unix(*at))
            .unwrap();
    }
    ledger
}

fn export_bytes(ledger: &Ledger<MemoryStore>) -> Vec<u8> {
    let mut out = Vec::new();
    export(ledger, &mut out).unwrap();
    out
}

/// An announcement between parties `a` and `b`.
fn announcement(i: usize) -> Entry {
    Entry::Event(Event {
        id: EventId::new(&format!("note-{i}")).unwrap(),
        date: EdtfDate::parse("2026-02-01").unwrap(),
        disclosed: Day::parse("2026-02-01").unwrap(),
        summary: format!("Announcement {i}."),
        confidence: Confidence::Confirmed,
        parties: vec![PartyId::new("a").unwrap(), PartyId::new("b").unwrap()],
        supersedes: None,
        sources: vec![Source {
            url: format!("https://example.com/{i}"),
            publisher: None,
            published: None,
        }],
        payload: Payload::Announcement,
    })
}

fn party(id: &str) -> Entry {
    Entry::Party(Party {
        id: PartyId::new(id).unwrap(),
        name: id.to_uppercase(),
        aliases: Vec::new(),
    })
}

/// A restore is all or nothing: a rewritten line past the first append batch is found
/// before anything is appended, so the store stays empty.
#[test]
fn restore_of_an_edited_export_longer_than_a_batch_appends_nothing() {
    let mut entries = vec![party("a"), party("b")];
    entries.extend((0..1100).map(announcement));
    let source = ledger_of(&[(entries, 1_767_225_600)]);
    let mut lines = lines_of(&export_bytes(&source));
    let at = 1050;
    lines[at] = with_bytes(&lines[at], &altered(&record_of(&lines[at])), true);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.jsonl");
    write_lines(&file, &lines);

    let mut target = Ledger::open(MemoryStore::new()).unwrap();
    let result = restore(&mut target, &file);
    assert!(result.is_err(), "an edited export was restored");
    assert_eq!(
        target.size(),
        0,
        "records were appended from an export that was refused: {result:?}"
    );
    assert!(
        matches!(result, Err(ImportError::Invalid(_))),
        "refused as a storage error instead of bad input: {result:?}"
    );
}

/// Entries split into two batches recorded at different instants.
fn batches() -> impl Strategy<Value = Vec<(Vec<Entry>, i64)>> {
    (
        arb_ledger(Dates::AfterTargets, 4, 12),
        any::<prop::sample::Index>(),
        0i64..2_000_000_000,
        0i64..1_000_000,
    )
        .prop_map(|(entries, split, t0, dt)| {
            let k = split.index(entries.len() + 1);
            let rest = entries[k..].to_vec();
            let first = entries[..k].to_vec();
            vec![(first, t0), (rest, t0 + dt)]
        })
}

proptest! {
    #![proptest_config(cases(64))]

    #[test]
    fn exported_and_restored_ledgers_have_identical_heads_roots_and_bytes(
        batches in batches(),
        cut in any::<prop::sample::Index>(),
    ) {
        let source = ledger_of(&batches);
        let n = source.size();
        let bytes = export_bytes(&source);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.jsonl");
        std::fs::write(&file, &bytes).unwrap();

        let mut copy = Ledger::open(MemoryStore::new()).unwrap();
        let report = restore(&mut copy, &file).unwrap();
        prop_assert_eq!((report.records, report.appended), (n, n));
        prop_assert_eq!(copy.size(), n);
        prop_assert_eq!(copy.head(), source.head());
        prop_assert_eq!(copy.root_at(n).unwrap(), source.root_at(n).unwrap());
        let verified = copy.verify().unwrap();
        prop_assert!(verified.is_ok(), "{:?}", verified.first_break);
        prop_assert_eq!(verified, source.verify().unwrap());
        let ids = |l: &Ledger<MemoryStore>| l.parties().unwrap().iter().cloned().collect::<Vec<Party>>();
        prop_assert_eq!(ids(&copy), ids(&source));
        prop_assert!(export_bytes(&copy) == bytes, "exports differ");

        // Idempotent.
        let again = restore(&mut copy, &file).unwrap();
        prop_assert_eq!(again.appended, 0);
        prop_assert_eq!(copy.head(), source.head());

        // From a prefix, only the rest is appended, to the same head and root.
        let lines = lines_of(&bytes);
        let k = cut.index(lines.len() + 1);
        let part = dir.path().join("prefix.jsonl");
        write_lines(&part, &lines[..k]);
        let mut partial = Ledger::open(MemoryStore::new()).unwrap();
        prop_assert_eq!(restore(&mut partial, &part).unwrap().appended, k as u64);
        prop_assert_eq!(restore(&mut partial, &file).unwrap().appended, n - k as u64);
        prop_assert_eq!(partial.head(), source.head());
        prop_assert_eq!(partial.root_at(n).unwrap(), source.root_at(n).unwrap());
        prop_assert!(export_bytes(&partial) == bytes, "exports differ after a prefix restore");
    }
}
