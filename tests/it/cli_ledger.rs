//! The `pactlog` binary end to end: import, log, show, verify, errors and exit codes.
//!
//! Every test gets its own store in a temporary folder (sled locks a store per process, so
//! tests cannot share one) and records at the fixed instant `support::NOW`.

use crate::support;

use pactlog::codec::Seq;
use pactlog::ledger::Ledger;
use pactlog::store::{Op, SledStore, Store, Tree};
use predicates::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::{NOW, SMALL_SIZE, TempStore, events_dir, repo_path, small_fixture};

/// Records in the ledger after importing events/: 17 parties and 39 events.
const EVENTS_PARTIES: u64 = 17;
const EVENTS_EVENTS: u64 = 75;
const EVENTS_SIZE: u64 = EVENTS_PARTIES + EVENTS_EVENTS;

use support::{stderr_of, stdout_of};

/// The ids of the events in events/*.toml whose `parties` include every one of `wanted`
/// (the dataset always lists parties explicitly, by id).
fn dataset_ids_involving(wanted: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(events_dir()).expect("read events/") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read event file");
        let doc: toml::Table = text
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Some(events) = doc.get("event").and_then(|v| v.as_array()) else {
            continue;
        };
        for e in events {
            let parties: Vec<&str> = e
                .get("parties")
                .and_then(|p| p.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            if wanted.iter().all(|w| parties.contains(w)) {
                out.insert(e["id"].as_str().expect("event id").to_string());
            }
        }
    }
    out
}

fn ids_of(log: &Value) -> Vec<String> {
    log.as_array()
        .expect("log --json prints an array")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

/// `verify --json`, whatever its exit code.
fn verify_json(store: &TempStore) -> Value {
    let out = store
        .cmd()
        .args(["verify", "--json"])
        .output()
        .expect("run verify");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("verify --json printed no JSON ({e}): {}", stdout_of(&out)))
}

/// (ledger size, head), read from the store itself, opened in this process after the CLI
/// has exited (independent of what the CLI prints).
fn size_and_head(store: &TempStore) -> (u64, String) {
    let ledger =
        Ledger::open(SledStore::open(&store.path).expect("open store")).expect("open ledger");
    (ledger.size(), ledger.head().to_hex())
}

// ---------------------------------------------------------------------------------------
// import

#[test]
fn import_of_events_succeeds_and_prints_counts() {
    let store = TempStore::new();
    store
        .cmd()
        .arg("import")
        .arg(events_dir())
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "imported {EVENTS_EVENTS} events and {EVENTS_PARTIES} parties"
        )))
        .stdout(predicate::str::contains(format!(
            "ledger: {EVENTS_SIZE} records, head "
        )));
    assert_eq!(size_and_head(&store).0, EVENTS_SIZE);
}

#[test]
fn import_json_reports_counts_size_and_head() {
    let store = TempStore::new();
    let report = store.import(&[&events_dir()]);
    assert_eq!(report["events_added"], EVENTS_EVENTS);
    assert_eq!(report["parties_added"], EVENTS_PARTIES);
    assert_eq!(report["events_skipped"], 0);
    assert_eq!(report["ledger_size"], EVENTS_SIZE);
    assert_eq!(
        report["files"], 10,
        "events/ holds parties.toml and 9 event files (README.md is not read)"
    );
    let (size, head) = size_and_head(&store);
    assert_eq!(
        (report["ledger_size"].as_u64(), report["head"].as_str()),
        (Some(size), Some(head.as_str()))
    );
}

#[test]
fn second_import_appends_nothing_and_keeps_the_head() {
    let store = TempStore::new();
    let first = store.import(&[&events_dir()]);
    store
        .cmd()
        .arg("import")
        .arg(events_dir())
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 0 events and 0 parties"))
        .stdout(predicate::str::contains(format!(
            "({EVENTS_EVENTS} events already recorded)"
        )));
    let again = store.import(&[&events_dir()]);
    assert_eq!(again["events_added"], 0);
    assert_eq!(again["events_skipped"], EVENTS_EVENTS);
    assert_eq!(again["parties_added"], 0);
    assert_eq!(again["ledger_size"], first["ledger_size"]);
    assert_eq!(again["head"], first["head"]);
    assert_eq!(
        size_and_head(&store),
        (
            EVENTS_SIZE,
            first["head"].as_str().expect("head").to_string()
        )
    );
}

#[test]
fn import_of_the_small_fixture_succeeds() {
    let store = TempStore::new();
    let report = store.import(&[&small_fixture()]);
    assert_eq!(report["events_added"], 11);
    assert_eq!(report["parties_added"], 3);
    assert_eq!(report["ledger_size"], SMALL_SIZE);
}

/// The header line (`[[event]]`) and the `summary` line of the event `id` in `file`, 1-based.
fn event_lines(file: &Path, id: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(file).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let id_line = lines
        .iter()
        .position(|l| *l == format!("id = \"{id}\""))
        .expect("id line");
    let header = (0..id_line)
        .rev()
        .find(|&i| lines[i].trim() == "[[event]]")
        .expect("header line");
    let summary = (id_line..lines.len())
        .find(|&i| lines[i].starts_with("summary = "))
        .expect("summary line");
    (header + 1, summary + 1)
}

#[test]
fn editing_a_recorded_summary_is_refused_as_immutable_and_changes_nothing() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let before = size_and_head(&store);

    let copy = store.dir.path().join("events-edited");
    std::fs::create_dir(&copy).expect("mkdir");
    for entry in std::fs::read_dir(events_dir()).expect("read events/") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, copy.join(path.file_name().expect("name"))).expect("copy");
    }
    let file = copy.join("microsoft-openai.toml");
    let id = "2026-02-27-microsoft-openai-joint-statement";
    let text = std::fs::read_to_string(&file).expect("read");
    let old = "a joint statement says the October 2025 terms stand";
    assert_eq!(
        text.matches(old).count(),
        1,
        "the summary to edit is in the dataset once"
    );
    std::fs::write(
        &file,
        text.replace(
            old,
            "a joint statement says the October 2025 terms still stand",
        ),
    )
    .expect("write");

    let out = store
        .cmd()
        .arg("import")
        .arg(&copy)
        .output()
        .expect("run import");
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    let (header, summary) = event_lines(&file, id);
    let at_header = format!("{}:{header}: {id}: ", file.display());
    let at_summary = format!("{}:{summary}: {id}: ", file.display());
    assert!(
        stderr.contains(&at_header) || stderr.contains(&at_summary),
        "want {at_header:?} or {at_summary:?} in:\n{stderr}"
    );
    assert!(stderr.contains("immutable"), "{stderr}");
    assert!(
        stderr.contains("1 problem found; nothing was imported"),
        "{stderr}"
    );
    assert_eq!(
        size_and_head(&store),
        before,
        "a refused import changed the ledger"
    );
    let log = store.json(&["log", "--json"]);
    assert_eq!(log.as_array().map(Vec::len), Some(EVENTS_EVENTS as usize));
}

#[test]
fn every_problem_in_a_bad_file_is_reported_and_nothing_is_imported() {
    let store = TempStore::new();
    let bad = repo_path("fixtures/import/bad/three-problems.toml");
    let out = store
        .cmd()
        .arg("import")
        .arg(small_fixture().join("parties.toml"))
        .arg(&bad)
        .output()
        .expect("run import");
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    // (line, id, what): the line of the faulty field, or of the event for a cross-event check.
    let expected = [
        (11, "2025-01-01-unknown-party", "unknown party \"umbrella\""),
        (18, "2025-01-02-impossible-date", "`date`"),
        (
            27,
            "2025-01-03-supersedes-nothing",
            "2024-12-31-no-such-event",
        ),
    ];
    let problem_lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("three-problems.toml:"))
        .collect();
    assert_eq!(problem_lines.len(), 3, "one line per problem:\n{stderr}");
    for (line, id, what) in expected {
        let prefix = format!("{}:{line}: {id}: ", bad.display());
        assert!(
            problem_lines
                .iter()
                .any(|l| l.starts_with(&prefix) && l.contains(what)),
            "no line {prefix:?}...{what:?} in:\n{stderr}"
        );
    }
    assert!(
        stderr.contains("3 problems found; nothing was imported"),
        "{stderr}"
    );
    // Nothing appended, not even the parties: the store this import would have created
    // is not there at all.
    assert!(
        !store.path.exists(),
        "an import with problems must leave no store behind"
    );
}

#[test]
fn a_toml_syntax_error_names_the_file_and_line() {
    let store = TempStore::new();
    let bad = repo_path("fixtures/import/bad/syntax-error.toml");
    store
        .cmd()
        .arg("import")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("{}:7: ", bad.display())))
        .stderr(predicate::str::contains("invalid TOML"));
}

/// Regression pin: a file named both directly and through its folder is read twice, and
/// every event in it is refused as "duplicate event id: also defined at <the same file and
/// line>". The same file given twice is one input, not a redefinition.
#[test]
fn a_file_named_twice_on_the_command_line_is_read_once() {
    let store = TempStore::new();
    let out = store
        .cmd()
        .args(["import", "--json"])
        .arg(events_dir())
        .arg(events_dir().join("microsoft-openai.toml"))
        .output()
        .expect("run import");
    assert!(out.status.success(), "stderr: {}", stderr_of(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["events_added"], EVENTS_EVENTS);
    assert_eq!(report["ledger_size"], EVENTS_SIZE);
}

#[test]
fn import_of_a_missing_path_exits_1() {
    let store = TempStore::new();
    store
        .cmd()
        .args(["import", "no/such/folder"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no/such/folder"));
}

// ---------------------------------------------------------------------------------------
// verify

/// Needs the real Merkle module (the stand-in's tiles give a zero root).
#[test]
fn verify_succeeds_with_records_checked_and_head() {
    let store = TempStore::new();
    let report = store.import(&[&events_dir()]);
    let head = report["head"].as_str().expect("head").to_string();
    store
        .cmd()
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "ok: {EVENTS_SIZE} records checked"
        )))
        .stdout(predicate::str::contains(format!("head {head}")));
    let v = verify_json(&store);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checked"], EVENTS_SIZE);
    assert_eq!(v["head"], head.as_str());
    assert_eq!(v["first_bad_seq"], Value::Null);
    assert!(
        v["root"].as_str().is_some_and(|r| r.len() == 44),
        "root is base64 of 32 bytes: {v}"
    );
}

/// XORs one byte of the stored value of record `seq` (layout: chain hash (32) || leaf hash
/// (32) || canonical bytes), with the CLI not running.
fn tamper(store: &TempStore, seq: u64, at: usize, mask: u8) {
    let sled = SledStore::open(&store.path).expect("open the store to tamper with it");
    let key = Seq::new(seq).key();
    let mut value = sled
        .get(Tree::Records, &key)
        .expect("read")
        .expect("record is stored")
        .to_vec();
    value[at] ^= mask;
    sled.apply(Tree::Records, vec![Op::Put(key.to_vec(), value)])
        .expect("write");
    sled.flush().expect("flush");
}

/// Offset, in a stored value, of the first byte of the entry's id: 64 bytes of hashes,
/// then version (1), seq (8), recorded_at (8), prev (32), variant (4), id length (8).
const ID_AT: usize = 64 + 61;

#[test]
fn verify_names_a_modified_event_record_and_exits_3() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    tamper(&store, 5, ID_AT + 3, 0x01);
    store
        .cmd()
        .arg("verify")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("verify FAILED: record 5"));
    let v = verify_json(&store);
    assert_eq!(
        (
            v["ok"].as_bool(),
            v["first_bad_seq"].as_u64(),
            v["checked"].as_u64()
        ),
        (Some(false), Some(5), Some(5)),
        "{v}"
    );
}

/// Regression pin: a party record whose bytes no longer decode (here its id turned upper
/// case) makes `Ledger::open` fail while loading parties, so `verify` exits 2 with "record
/// 0 is corrupt" instead of reporting the tampering (exit 3, first bad record 0).
#[test]
fn verify_reports_a_corrupt_party_record_as_tampering_with_exit_3() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    tamper(&store, 0, ID_AT, 0x20);
    let out = store.cmd().arg("verify").output().expect("run verify");
    assert_eq!(out.status.code(), Some(3), "stderr: {}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("verify FAILED: record 0"),
        "{}",
        stderr_of(&out)
    );
    let v = verify_json(&store);
    assert_eq!(v["first_bad_seq"], 0, "{v}");
}

// ---------------------------------------------------------------------------------------
// log

fn check_date_order(log: &Value) {
    let earliest: Vec<&str> = log
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["earliest"].as_str().expect("earliest day"))
        .collect();
    assert!(
        earliest.windows(2).all(|w| w[0] <= w[1]),
        "not in date order: {earliest:?}"
    );
}

#[test]
fn log_pair_lists_the_relationship_in_date_order() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let log = store.json(&["log", "--pair", "microsoft", "openai", "--json"]);
    check_date_order(&log);
    for e in log.as_array().expect("array") {
        let parties = e["parties"].as_array().expect("parties");
        assert!(
            parties.contains(&Value::from("microsoft")) && parties.contains(&Value::from("openai")),
            "{} does not involve both: {parties:?}",
            e["id"]
        );
        assert!(e["seq"].as_u64().is_some(), "every item has its seq: {e}");
    }
    let ids = ids_of(&log);
    assert!(ids.contains(&"2026-02-27-microsoft-openai-joint-statement".to_string()));
    assert!(!ids.contains(&"2026-02-27-amazon-openai-frontier-agreement".to_string()));
    let listed: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(listed.len(), ids.len(), "an event is listed twice: {ids:?}");
    assert_eq!(listed, dataset_ids_involving(&["microsoft", "openai"]));
}

#[test]
fn log_pair_accepts_names_and_aliases_in_any_case() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let by_id = store.json(&["log", "--pair", "microsoft", "openai", "--json"]);
    assert_eq!(
        store.json(&["log", "--pair", "MSFT", "OpenAI", "--json"]),
        by_id
    );
    assert_eq!(
        store.json(&["log", "--pair", "openai", "Microsoft Azure", "--json"]),
        by_id,
        "order of the pair does not matter"
    );
}

#[test]
fn log_party_accepts_an_alias() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let by_alias = store.json(&["log", "--party", "AWS", "--json"]);
    assert_eq!(
        store.json(&["log", "--party", "amazon", "--json"]),
        by_alias
    );
    check_date_order(&by_alias);
    let ids: BTreeSet<String> = ids_of(&by_alias).into_iter().collect();
    assert_eq!(ids, dataset_ids_involving(&["amazon"]));
}

#[test]
fn log_party_lists_single_party_events() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let ids = ids_of(&store.json(&["log", "--party", "Initech Labs", "--json"]));
    assert_eq!(
        ids,
        [
            "2023-initech-restructuring",
            "2024-06-initech-comments-on-deal",
            "2025-01-15-initech-threatens-acme-and-globex",
            "2025-02-20-initech-settles-with-acme-and-globex",
        ]
    );
}

#[test]
fn log_of_everything_lists_every_event_once() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let log = store.json(&["log", "--json"]);
    check_date_order(&log);
    let seqs: BTreeSet<u64> = log
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect();
    assert_eq!(
        seqs,
        (3..SMALL_SIZE).collect(),
        "events follow the 3 parties"
    );
}

#[test]
fn an_unknown_party_exits_1_with_a_did_you_mean_hint() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    store
        .cmd()
        .args(["log", "--pair", "acmee", "globex"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown party \"acmee\""))
        .stderr(predicate::str::contains("did you mean acme"));
    store
        .cmd()
        .args(["log", "--party", "umbrella"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown party \"umbrella\""))
        .stderr(predicate::str::contains("parties.toml"));
}

#[test]
fn log_pair_of_one_party_twice_exits_1() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    store
        .cmd()
        .args(["log", "--pair", "acme", "ACME"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("two different parties"));
}

// ---------------------------------------------------------------------------------------
// show

const LICENSE_ENDED: &str = "2025-09-30-model-license-ended";

#[test]
fn show_prints_seq_hash_recorded_at_and_sources() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let id = "2024-03-01-acme-globex-cloud-deal";
    let out = store.cmd().args(["show", id]).output().expect("run show");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = stdout_of(&out);
    let ledger = Ledger::open(SledStore::open(&store.path).expect("open")).expect("ledger");
    let seq = ledger
        .event_seq(&pactlog::model::EventId::new(id).expect("id"))
        .expect("index")
        .expect("recorded");
    let raw = ledger.raw(seq).expect("read").expect("stored");
    assert!(stdout.starts_with(&format!("{id}\n")), "{stdout}");
    assert!(
        stdout.contains(&format!("record       {seq} (recorded {NOW})")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("hash         {}", raw.hash.to_hex())),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "source       https://example.com/acme-globex-deal (Example News, 2024-03-01)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("term         cloud-exclusivity: exclusivity globex -> acme on cloud.api (exclusive; until 2027)"), "{stdout}");
    assert!(
        stdout.contains("until: Globex completes an IPO"),
        "{stdout}"
    );
}

#[test]
fn show_json_has_seq_hash_recorded_at_and_sources() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let v = store.json(&["show", LICENSE_ENDED, "--json"]);
    let ledger = Ledger::open(SledStore::open(&store.path).expect("open")).expect("ledger");
    let seq = v["seq"].as_u64().expect("seq");
    let raw = ledger.raw(Seq::new(seq)).expect("read").expect("stored");
    assert_eq!(v["id"], LICENSE_ENDED);
    assert_eq!(v["hash"], raw.hash.to_hex().as_str());
    assert_eq!(v["recorded_at"], NOW);
    assert_eq!(v["kind"], "term-ended");
    assert_eq!(
        v["parties"],
        serde_json::json!(["acme", "globex"]),
        "parties are filled from the ended term"
    );
    assert_eq!(v["sources"][0]["url"], "https://example.com/license-ended");
}

/// Pins a rendering bug: a source with neither publisher nor date prints "url ()".
#[test]
fn show_prints_no_empty_parentheses_for_a_bare_source() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let out = store
        .cmd()
        .args(["show", LICENSE_ENDED])
        .output()
        .expect("run show");
    assert!(out.status.success());
    let stdout = stdout_of(&out);
    let line = stdout
        .lines()
        .find(|l| l.contains("https://example.com/license-ended"))
        .expect("source line");
    assert!(
        !line.contains("()") && !line.contains("(,"),
        "source line has empty parentheses: {line:?}"
    );
}

#[test]
fn show_of_an_unknown_id_exits_1() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    store
        .cmd()
        .args(["show", "2099-01-01-no-such-event"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no event 2099-01-01-no-such-event",
        ));
    store.cmd().args(["show", "Not An Id"]).assert().code(1);
}

// ---------------------------------------------------------------------------------------
// stores

#[test]
fn reading_commands_on_a_missing_store_exit_1_with_a_hint() {
    let store = TempStore::new();
    for args in [
        &["log"][..],
        &["log", "--pair", "a", "b"],
        &["show", "some-id"],
        &["verify"],
        &["verify", "--json"],
    ] {
        store
            .cmd()
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("no store at"))
            .stderr(predicate::str::contains("pactlog import"));
    }
    assert!(!store.path.exists(), "a reading command created the store");
}

#[test]
fn a_second_writer_gets_store_is_locked_and_exit_2() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let held = SledStore::open(&store.path).expect("hold the store open in this process");
    store
        .cmd()
        .arg("import")
        .arg(small_fixture())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("store is locked"));
    store
        .cmd()
        .args(["log"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("store is locked"));
    drop(held);
    store
        .cmd()
        .arg("import")
        .arg(small_fixture())
        .assert()
        .success();
}

#[test]
fn the_store_defaults_to_pactlog_store_env() {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let mut cmd = assert_cmd::Command::cargo_bin("pactlog").expect("binary");
    cmd.current_dir(store.dir.path())
        .env("PACTLOG_STORE", &store.path)
        .args(["log", "--json"]);
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let log: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(log.as_array().map(Vec::len), Some(11));
}

// ---------------------------------------------------------------------------------------
// help

#[test]
fn help_of_each_command_exits_0_and_mentions_its_flags() {
    let store = TempStore::new();
    let cases: [(&[&str], &[&str]); 5] = [
        (
            &["--help"],
            &["--store", "import", "log", "show", "verify", "Exit codes"],
        ),
        (
            &["import", "--help"],
            &["--json", "PATH", "PACTLOG_NOW", "supersedes"],
        ),
        (&["log", "--help"], &["--pair", "--party", "--json"]),
        (&["show", "--help"], &["--json", "<ID>"]),
        (&["verify", "--help"], &["--json", "exits 3"]),
    ];
    for (args, wanted) in cases {
        let out = store.cmd().args(args).output().expect("run --help");
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        let text = stdout_of(&out);
        for w in wanted {
            assert!(
                text.contains(w),
                "`pactlog {}` does not mention {w:?}:\n{text}",
                args.join(" ")
            );
        }
    }
}

/// DESIGN.md 5: exit 1 is "bad input or usage", 2 is "internal or storage error". clap's
/// own usage errors exit 2 unless main maps them.
#[test]
fn usage_errors_exit_1() {
    let store = TempStore::new();
    let cases: [&[&str]; 4] = [
        &["frobnicate"],
        &["log", "--pear", "a", "b"],
        &["import"],
        &["log", "--pair", "acme"],
    ];
    for args in cases {
        let out = store.cmd().args(args).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(1),
            "pactlog {args:?}: {}",
            stderr_of(&out)
        );
        assert!(!stderr_of(&out).is_empty(), "pactlog {args:?} says nothing");
    }
}
