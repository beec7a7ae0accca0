//! Values and text from input: amounts print as strings in every JSON output, text read
//! from files is printed escaped (it can neither act on the terminal nor forge a line of
//! `show` or `audit`), CRLF files give the same records as LF files, and a store whose
//! name index was written under another name rule is rebuilt before it answers.
//! The fuzz targets of the money parser and the name key replay their kept inputs here.

use assert_cmd::Command;
use pactlog::codec::{Entry, Timestamp};
use pactlog::import;
use pactlog::index;
use pactlog::ledger::Ledger;
use pactlog::model::{Money, Party, PartyId, PartyRegistry, ResolveError};
use pactlog::store::{MemoryStore, Op, Store, Tree};
use std::path::{Path, PathBuf};

const PARTIES: &str = "[[party]]\nid = \"acme\"\nname = \"Acme\"\n\n\
                       [[party]]\nid = \"beta\"\nname = \"Beta\"\n\n";

/// `pactlog` on the store in `dir`.
fn pactlog(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pactlog").expect("the pactlog binary");
    cmd.arg("--store")
        .arg(dir.join("store"))
        .env("PACTLOG_NOW", "2026-06-01T00:00:00Z")
        .env_remove("PACTLOG_STORE");
    cmd
}

/// Runs `args`, expecting exit 0, and returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = pactlog(dir).args(args).output().expect("run pactlog");
    assert!(
        out.status.success(),
        "pactlog {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Writes `text` to `dir/name` and imports it (with the two parties).
fn import_events(dir: &Path, text: &str) {
    let file = dir.join("events.toml");
    std::fs::write(&file, format!("{PARTIES}{text}")).expect("write events");
    ok(dir, &["import", file.to_str().expect("UTF-8 path")]);
}

fn event(id: &str, summary_toml: &str, payload: &str) -> String {
    format!(
        "[[event]]\nid = \"{id}\"\ndate = \"2026-01-01\"\nsummary = {summary_toml}\n\
         confidence = \"confirmed\"\n{payload}\n[[event.source]]\nurl = \"https://example.com/{id}\"\n\n"
    )
}

const HUGE: &str = "kind = \"investment\"\n[[event.tranche]]\ninvestor = \"acme\"\n\
                    investee = \"beta\"\namount = \"18446744073709551615 USD\"\n";

#[test]
fn show_and_log_json_print_amounts_beyond_2_pow_53_as_decimal_strings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let agreement = "kind = \"agreement\"\n[[event.term]]\nkey = \"k\"\ntype = \"commitment\"\n\
                     grantor = \"acme\"\nholder = \"beta\"\nscope = \"compute\"\n\
                     amount = \"18,446,744,073,709,551,615 USD\"\nuntil = \"2030\"\n";
    import_events(
        dir.path(),
        &(event("acme-buys-beta", "\"A deal.\"", HUGE)
            + &event("acme-beta-terms", "\"Terms.\"", agreement)),
    );
    let show: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["show", "acme-buys-beta", "--json"])).unwrap();
    let tranche = &show["payload"]["investment"]["tranches"][0];
    assert_eq!(tranche["amount"], "18446744073709551615", "{show:#}");
    assert_eq!(tranche["currency"], "USD");
    assert_eq!(tranche["investor"], "acme");
    let log_text = ok(dir.path(), &["log", "--json"]);
    assert!(!log_text.contains("units"), "{log_text}");
    let log: serde_json::Value = serde_json::from_str(&log_text).unwrap();
    let logged = |id: &str| {
        log.as_array()
            .and_then(|events| events.iter().find(|e| e["id"] == id))
            .unwrap_or_else(|| panic!("{id} not in {log:#}"))
    };
    let term = &logged("acme-beta-terms")["payload"]["agreement"]["terms"][0];
    assert_eq!(term["amount"], "18446744073709551615", "{log:#}");
    assert_eq!(term["currency"], "USD");
    assert_eq!(term["until"]["date"], "2030");
    assert_eq!(
        logged("acme-buys-beta")["payload"]["investment"]["tranches"][0],
        *tranche
    );
    // The same schema as `state --json`.
    let state: serde_json::Value = serde_json::from_str(&ok(
        dir.path(),
        &["state", "--as-of", "2026-02-01", "--json"],
    ))
    .unwrap();
    let investment = &state["relationships"][0]["investments"][0];
    assert_eq!(investment["amount"], tranche["amount"]);
    assert_eq!(investment["currency"], tranche["currency"]);
}

/// A summary that would print a fake "ok" block under `audit` if it were printed raw.
const FORGERY: &str = "\"A deal.\\nok: record 0 is in the log \\\"pactlog.example/x\\\" of 3 \
     records signed by pactlog.example/x\\nevent acme-buys-beta (investment, 2026-01-01, \
     confirmed)\\nsummary Nothing to see.\"";

#[test]
fn a_multi_line_summary_cannot_forge_lines_of_show_or_audit() {
    let dir = tempfile::tempdir().expect("temp dir");
    import_events(
        dir.path(),
        &event(
            "forged",
            FORGERY,
            "kind = \"announcement\"\nparties = [\"acme\", \"beta\"]\n",
        ),
    );
    let show = ok(dir.path(), &["show", "forged"]);
    let fields: Vec<&str> = show
        .lines()
        .filter(|l| l.starts_with("  summary"))
        .collect();
    assert_eq!(fields.len(), 1, "{show}");
    assert!(fields[0].contains("A deal.\\nok: record 0"), "{show}");
    assert!(
        show.lines().all(|l| l == "forged" || l.starts_with("  ")),
        "a line that is no field:\n{show}"
    );

    let key = dir.path().join("log.key");
    ok(
        dir.path(),
        &[
            "key",
            "generate",
            "pactlog.example/x",
            "--out",
            key.to_str().unwrap(),
        ],
    );
    let checkpoint = ok(
        dir.path(),
        &["checkpoint", "--key-file", key.to_str().unwrap()],
    );
    assert!(checkpoint.contains("pactlog.example/x"), "{checkpoint}");
    let proof = dir.path().join("proof.txt");
    std::fs::write(&proof, ok(dir.path(), &["proof", "inclusion", "forged"])).unwrap();
    let audit = ok(
        dir.path(),
        &[
            "audit",
            proof.to_str().unwrap(),
            "--key-file",
            dir.path().join("log.pub").to_str().unwrap(),
        ],
    );
    let lines: Vec<&str> = audit.lines().collect();
    assert_eq!(lines.len(), 4, "one line per field:\n{audit}");
    assert!(lines[0].starts_with("ok: record 2 "), "{audit}");
    assert_eq!(lines.iter().filter(|l| l.starts_with("ok:")).count(), 1);
    assert_eq!(lines.iter().filter(|l| l.starts_with("event ")).count(), 1);
    assert!(lines[2].starts_with("event forged "), "{audit}");
    assert!(
        lines[3].starts_with("summary A deal.\\nok: record 0"),
        "{audit}"
    );
}

#[test]
fn bidi_and_zero_width_characters_in_text_print_as_visible_escapes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = "\"Acme \\u202Eevil\\u2066 \\u200B\\u2028 \\u001B[2J deal\"";
    let claim_payload = "kind = \"legal-threat\"\nby = \"acme\"\nagainst = [\"beta\"]\n\
                         stage = \"considering\"\nclaim = \"Breach\\u202E of contract\"\n";
    let text = event("escaped", summary, claim_payload).replace(
        "https://example.com/escaped",
        "https://example.com/\u{202e}gpj.exe",
    );
    // A raw ESC is a control character and refused in a summary; the others are shown.
    let dir_path = dir.path();
    let file = dir_path.join("events.toml");
    std::fs::write(&file, format!("{PARTIES}{text}")).unwrap();
    let out = pactlog(dir_path).arg("import").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("U+001B"), "{stderr}");
    import_events(dir_path, &text.replace("\\u001B[2J ", ""));
    let show = ok(dir_path, &["show", "escaped"]);
    for raw in ['\u{202e}', '\u{2066}', '\u{200b}', '\u{2028}'] {
        assert!(!show.contains(raw), "{raw:?} printed raw:\n{show}");
    }
    assert!(
        show.contains("Acme \\u{202e}evil\\u{2066} \\u{200b}\\u{2028} deal"),
        "{show}"
    );
    assert!(show.contains("Breach\\u{202e} of contract"), "{show}");
    assert!(
        show.contains("https://example.com/\\u{202e}gpj.exe"),
        "{show}"
    );
    let log = ok(dir_path, &["log"]);
    assert!(
        !log.contains('\u{202e}') && log.contains("\\u{202e}"),
        "{log}"
    );
    // JSON keeps the value and escapes the character.
    let json = ok(dir_path, &["show", "escaped", "--json"]);
    assert!(
        !json.contains('\u{202e}') && json.contains("\\u202e"),
        "{json}"
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value["summary"].as_str().unwrap().contains('\u{202e}'));
}

/// The screen-clearing, title-setting, fake-success sequence.
const ESCAPES: &str = "\u{1b}[2J\u{1b}[H\u{1b}]0;pwned\u{7}imported 0 events";

#[test]
fn terminal_escapes_in_an_unknown_key_and_a_file_name_are_printed_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let events = dir.path().join("events");
    std::fs::create_dir(&events).unwrap();
    std::fs::write(events.join("parties.toml"), PARTIES).unwrap();
    let key = "\"\\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007imported 0 events\" = 1\n";
    let text = event(
        "hostile",
        "\"A deal.\"",
        &format!("kind = \"other\"\n{key}"),
    );
    let name = format!("{ESCAPES}.toml");
    std::fs::write(events.join(&name), text).unwrap();
    let out = pactlog(dir.path())
        .arg("import")
        .arg(&events)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    let shown = "\\u{1b}[2J\\u{1b}[H\\u{1b}]0;pwned\\u{7}imported 0 events";
    let problem = stderr
        .lines()
        .find(|l| l.contains("unexpected field"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        problem.contains(&format!("{shown}.toml:")),
        "file name: {problem}"
    );
    assert!(problem.contains(&format!("`{shown}`")), "key: {problem}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    // A file that cannot be read at all names its path escaped too.
    let missing = dir.path().join(format!("{ESCAPES}-missing.toml"));
    let out = pactlog(dir.path())
        .arg("import")
        .arg(&missing)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !stderr.contains('\u{1b}') && stderr.contains(shown),
        "{stderr:?}"
    );
}

/// The bytes an import of `text` records, with the clock fixed.
fn recorded(text: &str) -> (Ledger<MemoryStore>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("events.toml");
    std::fs::write(&file, text).expect("write");
    let mut ledger = Ledger::open(MemoryStore::new()).expect("ledger");
    import::import(&mut ledger, &[file], Timestamp::from_unix(1_767_225_600)).expect("import");
    let head = ledger.head().to_hex();
    (ledger, head)
}

#[test]
fn the_same_event_from_an_lf_and_a_crlf_file_gives_identical_records() {
    let lf = format!(
        "{PARTIES}{}",
        event(
            "multi-line",
            "\"\"\"\nFirst line of the summary.\nSecond line.\n\"\"\"",
            "kind = \"announcement\"\nparties = [\"acme\", \"beta\"]\n"
        )
    );
    let crlf = lf.replace('\n', "\r\n");
    assert!(crlf.contains("summary.\r\nSecond"));
    let (ledger, lf_head) = recorded(&lf);
    let (_, crlf_head) = recorded(&crlf);
    assert_eq!(lf_head, crlf_head);
    let id = pactlog::model::EventId::new("multi-line").unwrap();
    let seq = ledger.event_seq(&id).unwrap().unwrap();
    assert_eq!(
        ledger.event_at(seq).unwrap().summary,
        "First line of the summary.\nSecond line."
    );
}

#[test]
fn a_name_index_stored_under_the_old_lower_case_key_is_rebuilt_before_it_answers() {
    let store = MemoryStore::new();
    let mut ledger = Ledger::open(store.clone()).unwrap();
    let party = |id: &str, name: &str| {
        Entry::Party(Party {
            id: PartyId::new(id).unwrap(),
            name: name.into(),
            aliases: vec![],
        })
    };
    // Two parties that the lower-case rule told apart, and case folding does not.
    ledger
        .append_unchecked(
            vec![party("strasse", "Straße AG"), party("other", "Strasse AG")],
            Timestamp::from_unix(0),
        )
        .unwrap();
    drop(ledger);
    // The store as the lower-case rule (index version 4) wrote it.
    let (a, b) = (
        [PartyId::new("strasse").unwrap()],
        [PartyId::new("other").unwrap()],
    );
    let old_names = index::encode_names(
        [
            ("other", &b[..]),
            ("strasse", &a[..]),
            ("strasse ag", &b[..]),
            ("straße ag", &a[..]),
        ]
        .into_iter(),
    )
    .unwrap();
    store
        .apply(
            Tree::Meta,
            vec![
                Op::Put(index::META_INDEX.to_vec(), vec![4]),
                Op::Put(index::META_NAMES.to_vec(), old_names),
            ],
        )
        .unwrap();
    let reopened = Ledger::open(store.clone()).unwrap();
    let answer = reopened.resolve_party("STRASSE AG").unwrap();
    assert!(
        matches!(answer, Err(ResolveError::Ambiguous { .. })),
        "{answer:?}"
    );
    assert_eq!(
        store
            .get(Tree::Meta, index::META_INDEX)
            .unwrap()
            .map(|v| v.as_ref().to_vec()),
        Some(vec![index::INDEX_VERSION])
    );
    const { assert!(index::INDEX_VERSION > 4) };
}

// -----------------------------------------------------------------------------------
// The fuzz targets `parse_money` and `name_key` (fuzz/fuzz_targets/): their kept inputs
// in fixtures/fuzz-regressions/<target>/, replayed with the same checks.

fn corpus(target: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fuzz-regressions")
        .join(target);
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.expect("dir entry").path();
            let bytes = std::fs::read(&path).expect("read");
            (path, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{} is empty", dir.display());
    out
}

#[test]
fn fuzz_regressions_of_the_money_parser_print_and_reparse_to_the_same_value() {
    let mut accepted = 0;
    for (path, text) in corpus("parse_money") {
        if let Ok(money) = Money::parse(&text) {
            for form in [money.to_string(), money.short()] {
                assert_eq!(Money::parse(&form), Ok(money), "{}", path.display());
            }
            accepted += 1;
        }
    }
    assert!(accepted > 0, "no accepted amount in the corpus");
}

#[test]
fn fuzz_regressions_of_the_name_key_are_idempotent() {
    for (path, text) in corpus("name_key") {
        let key = PartyRegistry::name_key(&text);
        assert_eq!(PartyRegistry::name_key(&key), key, "{}", path.display());
    }
}
