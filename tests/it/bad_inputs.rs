//! Hostile input: every file in fixtures/bad/ is refused with the messages it expects,
//! and the ledger is left exactly as it was. Inputs too large to commit (a 50 MB file,
//! nesting 100 000 levels deep, multi-megabyte values, chains of 20 000 references) are
//! generated here, in temporary folders. The fuzzers' regression corpus is replayed too.
//!
//! A fixture states what the import must say in trailing comment lines:
//! `# expect: LINE: ID: MESSAGE` (ID `-` when the problem names no id; `{file}` in MESSAGE
//! stands for the fixture's own path). The import must print exactly one problem line per
//! expectation, each `PATH:LINE: ID: ...MESSAGE...`, exit 1, and append nothing.

use crate::support;

use pactlog::codec::{self, Timestamp};
use pactlog::import::{self, ImportError};
use pactlog::ledger::Ledger;
use pactlog::model::{EdtfDate, Money};
use pactlog::store::{MemoryStore, SledStore};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{TempStore, repo_path, small_fixture};

/// One expected problem line.
#[derive(Debug)]
pub(crate) struct Expect {
    pub(crate) line: usize,
    pub(crate) id: Option<String>,
    pub(crate) message: String,
}

pub(crate) fn expectations(path: &Path) -> Vec<Expect> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Read lossily: one fixture is deliberately not UTF-8 (its expectations are ASCII).
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|rest| {
            let mut parts = rest.splitn(3, ": ");
            let (Some(line), Some(id), Some(message)) = (parts.next(), parts.next(), parts.next())
            else {
                panic!("{}: malformed expectation {rest:?}", path.display());
            };
            Expect {
                line: line.parse().unwrap_or_else(|e| panic!("{rest:?}: {e}")),
                id: (id != "-").then(|| id.to_string()),
                message: message.replace("{file}", &path.display().to_string()),
            }
        })
        .collect()
}

pub(crate) fn bad_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_path("fixtures/bad"))
        .expect("read fixtures/bad")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// Size and head of the ledger in `store`, read in this process.
fn size_and_head(store: &TempStore) -> (u64, String) {
    let ledger = Ledger::open(SledStore::open(&store.path).expect("open store")).expect("ledger");
    (ledger.size(), ledger.head().to_hex())
}

/// A store holding the small fixture (parties acme, globex, initech and 11 events).
fn seeded_store() -> TempStore {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    store
}

/// Runs `pactlog import <file>` and returns the problems that name `file` and the rest of
/// stderr, after checking exit code 1 and the closing summary line.
fn refused(store: &TempStore, file: &Path) -> Result<Vec<String>, String> {
    let out = store
        .cmd()
        .arg("import")
        .arg(file)
        .output()
        .expect("run pactlog import");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.code() != Some(1) {
        return Err(format!(
            "exit {:?}, not 1; stderr:\n{stderr}",
            out.status.code()
        ));
    }
    if !stderr.contains("nothing was imported") {
        return Err(format!("no \"nothing was imported\" in:\n{stderr}"));
    }
    if stderr.contains("panicked") {
        return Err(format!("a panic:\n{stderr}"));
    }
    let prefix = format!("{}:", file.display());
    Ok(stderr
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .map(str::to_string)
        .collect())
}

fn check_fixture(store: &TempStore, file: &Path) -> Result<(), String> {
    let expected = expectations(file);
    if expected.is_empty() {
        return Err("has no `# expect:` line".into());
    }
    let problems = refused(store, file)?;
    let mut missing = Vec::new();
    for e in &expected {
        let prefix = match &e.id {
            Some(id) => format!("{}:{}: {id}: ", file.display(), e.line),
            None => format!("{}:{}: ", file.display(), e.line),
        };
        let found = problems.iter().any(|p| {
            p.strip_prefix(&prefix)
                .is_some_and(|m| m.contains(&e.message))
        });
        if !found {
            missing.push(format!("{prefix}...{}", e.message));
        }
    }
    if !missing.is_empty() || problems.len() != expected.len() {
        return Err(format!(
            "expected {} problem line(s), got {}.\nmissing:\n  {}\nprinted:\n  {}",
            expected.len(),
            problems.len(),
            missing.join("\n  "),
            problems.join("\n  ")
        ));
    }
    Ok(())
}

#[test]
fn every_bad_fixture_is_refused_with_its_expected_messages_and_changes_nothing() {
    let files = bad_fixtures();
    assert!(
        files.len() >= 40,
        "fixtures/bad/ should hold at least 40 bad files, has {}",
        files.len()
    );
    let store = seeded_store();
    let before = size_and_head(&store);
    let mut failures = Vec::new();
    for file in &files {
        if let Err(why) = check_fixture(&store, file) {
            failures.push(format!("{}: {why}", file.display()));
        }
        let after = size_and_head(&store);
        if after != before {
            failures.push(format!(
                "{}: the ledger changed from {before:?} to {after:?}",
                file.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_fixture_expectations_parse_and_name_lines_inside_their_files() {
    for file in bad_fixtures() {
        let lines = String::from_utf8_lossy(&std::fs::read(&file).expect("read"))
            .lines()
            .count();
        for e in expectations(&file) {
            assert!(
                (1..=lines).contains(&e.line),
                "{}: expectation for line {} but the file has {lines} lines",
                file.display(),
                e.line
            );
            assert!(!e.message.is_empty(), "{}: empty message", file.display());
        }
    }
}

/// The bad fixtures together, in one import: every problem of every file is reported
/// (none hides another), and still nothing is appended.
#[test]
fn all_bad_fixtures_at_once_report_every_problem_and_append_nothing() {
    let store = seeded_store();
    let before = size_and_head(&store);
    let dir = repo_path("fixtures/bad");
    let out = store
        .cmd()
        .arg("import")
        .arg(&dir)
        .output()
        .expect("run import");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected: usize = bad_fixtures().iter().map(|f| expectations(f).len()).sum();
    let printed = stderr
        .lines()
        .filter(|l| l.starts_with(&format!("{}/", dir.display())))
        .count();
    // Files read together can only add problems (an id defined in two files, a party
    // that another file defines); never fewer.
    assert!(
        printed >= expected,
        "{printed} problem lines for {expected} expectations:\n{stderr}"
    );
    assert_eq!(size_and_head(&store), before);
}

#[test]
fn a_50_mb_file_is_refused_by_its_size_before_it_is_read() {
    let store = seeded_store();
    let before = size_and_head(&store);
    let big = store.dir.path().join("fifty-megabytes.toml");
    let event = "[[event]]\nid = \"2026-01-10-big\"\ndate = \"2026-01-10\"\nkind = \"announcement\"\n\
                 summary = \"Padding.\"\nconfidence = \"confirmed\"\nparties = [\"acme\"]\n\n";
    let mut text = String::with_capacity(50 << 20);
    while text.len() + event.len() <= 50 << 20 {
        text.push_str(event);
    }
    text.push_str(&"#".repeat((50 << 20) - text.len()));
    std::fs::write(&big, &text).expect("write the 50 MB file");
    let started = Instant::now();
    let problems = refused(&store, &big).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        problems,
        vec![format!(
            "{}:1: file is 52428800 bytes; the limit is 16777216 bytes (16 MiB): split it into smaller files",
            big.display()
        )]
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "refusing by size should not read the file: took {:?}",
        started.elapsed()
    );
    assert_eq!(size_and_head(&store), before);
}

#[test]
fn nesting_100000_levels_deep_is_refused_without_overflowing_the_stack() {
    let store = seeded_store();
    let before = size_and_head(&store);
    let depth = 100_000;
    let cases = [
        (
            "arrays",
            format!("a = {}{}\n", "[".repeat(depth), "]".repeat(depth)),
            "cannot recurse further; max recursion depth met",
        ),
        (
            "inline-tables",
            format!("a = {}1{}\n", "{ b = ".repeat(depth), " }".repeat(depth)),
            "cannot recurse further; max recursion depth met",
        ),
        (
            "dotted-header",
            format!("[{}]\nx = 1\n", vec!["k"; 20_000].join(".")),
            "recursion limit",
        ),
        (
            "dotted-key",
            format!("[[event]]\n{}b = 1\n", "a.".repeat(20_000)),
            "recursion limit",
        ),
    ];
    for (name, text, message) in cases {
        let file = store.dir.path().join(format!("deep-{name}.toml"));
        std::fs::write(&file, text).expect("write");
        let problems = refused(&store, &file).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        assert!(
            problems[0].starts_with(&format!("{}:", file.display()))
                && problems[0].contains("invalid TOML")
                && problems[0].contains(message),
            "{name}: {problems:?}"
        );
    }
    assert_eq!(size_and_head(&store), before);
}

/// Regression: `date = 2026-01-10` (a TOML date, unquoted) was refused as "must be a
/// string, not a date-time" although `disclosed` accepted it. Both read it as the EDTF
/// day it is; a TOML date-time (with a time of day) is still refused.
#[test]
fn an_unquoted_toml_date_reads_like_a_quoted_one() {
    let event = |id: &str, date: &str| {
        format!(
            "[[event]]\nid = \"{id}\"\ndate = {date}\ndisclosed = 2026-01-12\nkind = \"announcement\"\n\
             summary = \"Dated.\"\nconfidence = \"confirmed\"\nparties = [\"acme\"]\n\n\
             [[event.source]]\nurl = \"https://example.com/d\"\n\n"
        )
    };
    let ledger = memory_ledger();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("dates.toml");
    let text =
        event("2026-01-10-unquoted", "2026-01-10") + &event("2026-01-10-quoted", "\"2026-01-10\"");
    std::fs::write(&file, text).expect("write");
    let plan = import::plan(&ledger, std::slice::from_ref(&file)).expect("both forms are valid");
    assert_eq!(plan.checked.events().len(), 2);
    assert_eq!(plan.checked.events()[0].date, plan.checked.events()[1].date);
    assert_eq!(plan.checked.events()[0].date.as_str(), "2026-01-10");
    std::fs::write(&file, event("2026-01-10-timed", "2026-01-10T10:00:00Z")).expect("write");
    let Err(ImportError::Invalid(problems)) = import::plan(&ledger, &[file]) else {
        panic!("a date-time is not a date");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message,
        "`date` must be a date like \"2026-02-27\", not a date-time"
    );
}

/// A value of several megabytes in any field is reported without being echoed whole: the
/// message quotes its beginning and its length.
#[test]
fn multi_megabyte_values_are_refused_with_short_messages() {
    let store = seeded_store();
    let before = size_and_head(&store);
    let huge = "x".repeat(3 << 20);
    let field_cases = [
        (
            "id",
            format!("id = \"{huge}\"\ndate = \"2026-01-10\"\nkind = \"announcement\""),
        ),
        (
            "kind",
            format!("id = \"2026-01-10-k\"\ndate = \"2026-01-10\"\nkind = \"{huge}\""),
        ),
        (
            "date",
            format!("id = \"2026-01-10-d\"\ndate = \"{huge}\"\nkind = \"announcement\""),
        ),
        (
            "summary",
            "id = \"2026-01-10-s\"\ndate = \"2026-01-10\"\nkind = \"announcement\"".to_string(),
        ),
        (
            "field name",
            format!(
                "id = \"2026-01-10-f\"\ndate = \"2026-01-10\"\nkind = \"announcement\"\n{huge} = 1"
            ),
        ),
    ];
    for (what, head) in field_cases {
        let summary = if what == "summary" {
            huge.as_str()
        } else {
            "Short."
        };
        let text = format!(
            "[[event]]\n{head}\nsummary = \"{summary}\"\nconfidence = \"confirmed\"\n\
             parties = [\"acme\", \"{huge}\"]\n\n[[event.source]]\nurl = \"https://example.com/{huge}\"\n\n\
             [[event.tranche]]\ninvestor = \"acme\"\ninvestee = \"globex\"\namount = \"{huge} USD\"\n"
        );
        let file = store.dir.path().join("huge-values.toml");
        std::fs::write(&file, text).expect("write");
        let problems = refused(&store, &file).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(!problems.is_empty(), "{what}: no problem reported");
        for p in &problems {
            assert!(
                p.len() < 1000,
                "{what}: a message of {} bytes: {}...",
                p.len(),
                &p[..300]
            );
        }
        assert!(
            problems.iter().any(|p| p.contains("characters")),
            "{what}: no message says how long the value is: {problems:#?}"
        );
    }
    assert_eq!(size_and_head(&store), before);
}

/// A ledger in memory holding the small fixture.
fn memory_ledger() -> Ledger<MemoryStore> {
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open a memory ledger");
    import::import(
        &mut ledger,
        &[small_fixture()],
        Timestamp::from_unix(1_767_225_600),
    )
    .expect("import the small fixture");
    ledger
}

fn chain_file(dir: &Path, name: &str, n: usize, forward: bool) -> PathBuf {
    use std::fmt::Write;
    let mut text = String::new();
    for i in 0..n {
        let target = if forward {
            i.checked_sub(1)
        } else {
            (i + 1 < n).then_some(i + 1)
        };
        let supersedes = target.map_or(String::new(), |t| format!("supersedes = \"c{t:05}\"\n"));
        write!(
            text,
            "[[event]]\nid = \"c{i:05}\"\ndate = \"2026-01-10\"\nkind = \"announcement\"\n\
             summary = \"Link {i}.\"\nconfidence = \"confirmed\"\nparties = [\"acme\"]\n{supersedes}\
             [[event.source]]\nurl = \"https://example.com/{i}\"\n\n"
        )
        .expect("write to a string");
    }
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// Regression: line numbers were recomputed from the whole file for every table, and
/// supersede cycles were searched by walking every chain from every event, so a 4 MB file
/// with one long chain took hours. Both are linear now, and ordering the chain for
/// appending (depth-first) no longer recurses once per link.
#[test]
fn a_chain_of_20000_supersedes_is_checked_in_linear_time() {
    let ledger = memory_ledger();
    let dir = tempfile::tempdir().expect("temp dir");
    for forward in [true, false] {
        let file = chain_file(dir.path(), "chain.toml", 20_000, forward);
        let started = Instant::now();
        let plan = import::plan(&ledger, &[file]).expect("a long chain is valid");
        assert_eq!(plan.checked.events().len(), 20_000);
        // Every event comes after the one it supersedes.
        let position: std::collections::BTreeMap<&str, usize> = plan
            .checked
            .events()
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        for (i, e) in plan.checked.events().iter().enumerate() {
            if let Some(t) = &e.supersedes {
                assert!(position[t.as_str()] < i, "{} before {t}", e.id);
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "checking a 20 000-event chain took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_cycle_closing_a_20000_event_chain_is_reported_once_and_shortened() {
    let ledger = memory_ledger();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = chain_file(dir.path(), "ring.toml", 20_000, true);
    // Close the ring: the first event supersedes the last.
    let text = std::fs::read_to_string(&file).expect("read");
    let text = text.replacen(
        "id = \"c00000\"\n",
        "id = \"c00000\"\nsupersedes = \"c19999\"\n",
        1,
    );
    std::fs::write(&file, text).expect("write");
    let Err(ImportError::Invalid(problems)) = import::plan(&ledger, &[file]) else {
        panic!("a cycle must be refused");
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    let message = &problems[0].message;
    assert!(
        message.starts_with("`supersedes` forms a cycle: c00000 -> c19999 -> c19998")
            && message.contains("... 19988 more -> c00000"),
        "{message}"
    );
    assert_eq!(problems[0].line, 1);
}

// ---------------------------------------------------------------------------------------
// The fuzzers' regression corpus (fixtures/fuzz-regressions/<target>/): inputs that once
// crashed a parser or reached deep into it. Each is replayed through the same calls as
// its fuzz target; the calls must return (errors are fine), not panic.

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = repo_path("fixtures/fuzz-regressions").join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.expect("dir entry").path();
            let bytes = std::fs::read(&path).expect("read corpus file");
            (path, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{} is empty", dir.display());
    out
}

#[test]
fn fuzz_regressions_of_the_record_decoder_are_refused_or_round_trip() {
    for (path, bytes) in corpus("decode_record") {
        if let Ok(record) = codec::decode(&bytes) {
            let again = codec::encode(&record).expect("a decoded record encodes");
            assert_eq!(again, bytes, "{}: decode is not strict", path.display());
        }
    }
}

#[test]
fn fuzz_regressions_of_the_event_file_parser_import_nothing_or_check_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut imported = 0;
    for (path, bytes) in corpus("parse_events") {
        let mut ledger = memory_ledger();
        let size = ledger.size();
        let file = dir.path().join("input.toml");
        std::fs::write(&file, &bytes).expect("write");
        match import::import(&mut ledger, &[file], Timestamp::from_unix(1_767_225_600)) {
            Ok(_) => {
                let report = ledger.verify().expect("verify");
                assert!(report.is_ok(), "{}: {report:?}", path.display());
                imported += 1;
            }
            Err(ImportError::Invalid(problems)) => {
                assert!(!problems.is_empty(), "{}", path.display());
                assert_eq!(ledger.size(), size, "{}: appended", path.display());
            }
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    assert!(
        imported > 0,
        "no valid file in the corpus: appending is not replayed"
    );
}

#[test]
fn fuzz_regressions_of_the_date_and_money_parsers_round_trip() {
    for (path, bytes) in corpus("parse_values") {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(date) = EdtfDate::parse(&text) {
            assert!(date.earliest() <= date.latest(), "{}", path.display());
            assert_eq!(date.as_str(), text, "{}", path.display());
        }
        if let Ok(money) = Money::parse(&text) {
            assert_eq!(
                Money::parse(&money.to_string()),
                Ok(money),
                "{}",
                path.display()
            );
            assert_eq!(
                Money::parse(&money.short()),
                Ok(money),
                "{}",
                path.display()
            );
        }
    }
}

/// The key the `parse_proofs` fuzz target checks signatures with (its seeds are signed
/// by it, so that fuzzing reaches past the signature check).
fn fuzz_proof_key() -> pactlog::checkpoint::SigningKey {
    pactlog::checkpoint::SigningKey::from_seed("example.org/log", [7; 32]).expect("key")
}

#[test]
fn fuzz_regressions_of_the_proof_and_note_parsers_round_trip_and_audit_consistently() {
    use pactlog::checkpoint::{Note, TlogProof, VerifierKey};
    use pactlog::ledger::prove::audit_inclusion;
    let key = fuzz_proof_key().verifier_key();
    let mut audited_ok = 0;
    for (path, bytes) in corpus("parse_proofs") {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(k) = VerifierKey::parse(&text) {
            assert_eq!(
                VerifierKey::parse(&k.to_text()),
                Ok(k),
                "{}",
                path.display()
            );
        }
        if let Ok(note) = Note::parse(&text) {
            assert_eq!(Note::parse(&note.to_text()), Ok(note), "{}", path.display());
        }
        let proof = TlogProof::parse(&text);
        if let Ok(p) = &proof {
            assert_eq!(
                TlogProof::parse(&p.to_text()).as_ref(),
                Ok(p),
                "{}",
                path.display()
            );
        }
        if let Ok(audited) = audit_inclusion(&text, &key) {
            let proof = proof.expect("an audited proof parses");
            assert_eq!(
                audited.record.seq.get(),
                proof.index(),
                "{}",
                path.display()
            );
            let bytes = codec::encode(&audited.record).expect("encode");
            assert_eq!(Some(&bytes[..]), proof.extra(), "{}", path.display());
            audited_ok += 1;
        }
    }
    assert!(
        audited_ok > 0,
        "no valid proof in the corpus: the audit path is not replayed"
    );
}
