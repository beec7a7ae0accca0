//! The habits of a mature command line: help that keeps its layout, shell completions
//! and man pages, progress only on a terminal, `check` before committing event files,
//! `log` filters, and CSV output.

use crate::support;

use support::TempStore;

/// Standard output of a command that must succeed.
fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().expect("run pactlog");
    assert!(
        out.status.success(),
        "failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn state_help_keeps_the_time_axes_and_examples_on_their_own_lines() {
    let store = TempStore::new();
    let help = stdout_of(store.cmd().args(["state", "--help"]));
    let lines: Vec<&str> = help.lines().collect();
    for axis in ["  --as-of DAY ", "  --known-at DAY ", "  --at-size N "] {
        assert!(
            lines.iter().any(|l| l.starts_with(axis)),
            "no line starts with {axis:?}:\n{help}"
        );
    }
    assert!(
        lines.contains(&"  pactlog state --as-of 2026-03-01 --pair microsoft openai"),
        "{help}"
    );
    assert!(lines.contains(&"Examples:"), "{help}");
}

/// What bash's completion of `words` (the last one being completed) offers, with the
/// script `pactlog completions bash` prints; None when there is no bash to run it.
fn bash_completes(words: &[&str]) -> Option<Vec<String>> {
    let store = TempStore::new();
    let script = stdout_of(store.cmd().args(["completions", "bash"]));
    let file = store.dir.path().join("pactlog.bash");
    std::fs::write(&file, script).expect("write the script");
    let cword = words.len() - 1;
    let prev = if cword > 0 { words[cword - 1] } else { "" };
    let shell = format!(
        "source \"$1\"; COMP_WORDS=({}); COMP_CWORD={cword}; _pactlog pactlog '{}' '{prev}'; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words.join(" "),
        words[cword],
    );
    let out = match std::process::Command::new("bash")
        .args(["-c", &shell, "bash"])
        .arg(&file)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("run bash: {e}"),
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn bash_completion_offers_commands_and_their_flags() {
    let Some(commands) = bash_completes(&["pactlog", "sta"]) else {
        eprintln!("skipped: no bash on this machine");
        return;
    };
    assert_eq!(commands, ["state"]);
    let flags = bash_completes(&["pactlog", "state", "--as"]).expect("bash");
    assert_eq!(flags, ["--as-of"]);
    let shells = bash_completes(&["pactlog", "completions", "p"]).expect("bash");
    assert_eq!(shells, ["powershell"]);
}

#[test]
fn completion_scripts_for_every_shell_name_the_commands() {
    let store = TempStore::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(store.cmd().args(["completions", shell]));
        for word in ["state", "known-at", "completions"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    store.cmd().args(["completions", "tcsh"]).assert().code(1);
}

#[test]
fn man_writes_one_roff_page_per_command_and_replaces_only_its_own() {
    let store = TempStore::new();
    let dir = store.dir.path().join("man/man1");
    stdout_of(store.cmd().arg("man").arg(&dir));
    let state = std::fs::read_to_string(dir.join("pactlog-state.1")).expect("pactlog-state.1");
    assert!(state.contains(".TH pactlog-state 1"), "{state}");
    for option in ["known\\-at", "as\\-of", "at\\-size", "pair"] {
        assert!(state.contains(option), "no {option} in:\n{state}");
    }
    for page in [
        "pactlog.1",
        "pactlog-key-generate.1",
        "pactlog-proof-inclusion.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
    // Our own pages are replaced...
    stdout_of(store.cmd().arg("man").arg(&dir));
    // ...anything else of the same name is not, and nothing is written then.
    std::fs::write(dir.join("pactlog-log.1"), "my notes\n").expect("write");
    std::fs::remove_file(dir.join("pactlog.1")).expect("remove");
    let out = store.cmd().arg("man").arg(&dir).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("refusing to replace"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("pactlog-log.1")).expect("read"),
        "my notes\n"
    );
    assert!(!dir.join("pactlog.1").exists());
}

/// Size and head of the ledger in `store`, read in this process.
fn size_and_head(store: &TempStore) -> (u64, String) {
    let ledger = pactlog::Ledger::open(pactlog::SledStore::open(&store.path).expect("open"))
        .expect("ledger");
    (ledger.size(), ledger.head().to_hex())
}

/// The problem lines a refused command printed (stderr without its closing error line).
fn problem_lines(out: &std::process::Output) -> Vec<String> {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("error: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn check_prints_the_problems_import_prints_and_writes_nothing() {
    let store = TempStore::new();
    store.import(&[&support::small_fixture()]);
    let before = size_and_head(&store);
    let mut files: Vec<_> = std::fs::read_dir(support::repo_path("fixtures/bad"))
        .expect("fixtures/bad")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() > 50);
    for file in &files {
        let checked = store.cmd().arg("check").arg(file).output().expect("check");
        let imported = store
            .cmd()
            .arg("import")
            .arg(file)
            .output()
            .expect("import");
        let problems = problem_lines(&checked);
        assert!(!problems.is_empty(), "{}", file.display());
        assert_eq!(problems, problem_lines(&imported), "{}", file.display());
        let stderr = String::from_utf8_lossy(&checked.stderr);
        assert!(stderr.ends_with("problems found\n") || stderr.ends_with("problem found\n"));
    }
    // Valid files that would append: checked, reported, not written.
    let out = stdout_of(store.cmd().arg("check").arg(support::events_dir()));
    assert!(out.contains("checked: no problems (75 new events"), "{out}");
    let json = store.json(&[
        "check",
        "--json",
        &support::small_fixture().to_string_lossy(),
    ]);
    assert_eq!(json["ok"], true);
    assert_eq!(json["events_new"], 0, "{json}");
    assert_eq!(size_and_head(&store), before);
}

#[test]
fn check_without_a_store_creates_none() {
    let store = TempStore::new();
    let out = stdout_of(store.cmd().arg("check").arg(support::small_fixture()));
    assert!(
        out.starts_with("2 files, 11 events and 3 parties checked: no problems"),
        "{out}"
    );
    let bad = support::repo_path("fixtures/bad/amount-zero.toml");
    let out = store
        .cmd()
        .args(["check", "--json"])
        .arg(&bad)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["ok"], false);
    assert!(
        json["problems"].as_array().is_some_and(|p| !p.is_empty()),
        "{json}"
    );
    assert!(!store.path.exists(), "check created a store");
    assert_eq!(std::fs::read_dir(store.dir.path()).expect("dir").count(), 0);
}

/// A store holding parties acme and globex and four events chosen for the filters: one
/// on a day (with a summary that CSV must quote), one dated by its year only, one whose
/// summary reads as a spreadsheet formula, and one the year before.
fn filter_store() -> TempStore {
    let store = TempStore::new();
    let dir = store.dir.path().join("events");
    std::fs::create_dir(&dir).expect("mkdir");
    let event = |id: &str, date: &str, kind: &str, confidence: &str, summary: &str, extra: &str| {
        format!(
            "[[event]]\nid = \"{id}\"\ndate = \"{date}\"\nkind = \"{kind}\"\n\
             summary = {summary}\nconfidence = \"{confidence}\"\nparties = [\"acme\", \"globex\"]\n\
             {extra}\n[[event.source]]\nurl = \"https://example.com/{id}\"\n\n"
        )
    };
    let text = [
        "[[party]]\nid = \"acme\"\nname = \"Acme\"\n\n[[party]]\nid = \"globex\"\nname = \"Globex\"\n\n"
            .to_string(),
        event(
            "e1-day",
            "2025-01-15",
            "announcement",
            "confirmed",
            r#""Acme, \"Globex\" and\nmore""#,
            "",
        ),
        event(
            "e2-year",
            "2025",
            "investment",
            "reported",
            "\"Acme invests in Globex.\"",
            "[[event.tranche]]\ninvestor = \"acme\"\ninvestee = \"globex\"\namount = \"10M USD\"\n",
        ),
        event(
            "e3-formula",
            "2025-06-10",
            "announcement",
            "rumor",
            "\"=HYPERLINK(\\\"https://example.com\\\")\"",
            "",
        ),
        event(
            "e4-before",
            "2024-12-31",
            "announcement",
            "rumor",
            "\"The year before.\"",
            "",
        ),
    ]
    .concat();
    std::fs::write(dir.join("events.toml"), text).expect("write");
    store.import(&[&dir]);
    store
}

/// The ids `pactlog log ARGS --json` lists, in order.
fn logged(store: &TempStore, args: &[&str]) -> Vec<String> {
    let mut all = vec!["log", "--json"];
    all.extend(args);
    let json = store.json(&all);
    json.as_array()
        .expect("an array")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn log_filters_by_kind_confidence_and_date_range() {
    let store = filter_store();
    assert_eq!(
        logged(&store, &[]),
        ["e4-before", "e2-year", "e1-day", "e3-formula"]
    );
    assert_eq!(logged(&store, &["--kind", "investment"]), ["e2-year"]);
    assert_eq!(
        logged(&store, &["--kind", "investment,agreement"]),
        logged(&store, &["--kind", "investment", "--kind", "agreement"]),
    );
    assert_eq!(
        logged(&store, &["--confidence", "rumor"]),
        ["e4-before", "e3-formula"]
    );
    assert_eq!(
        logged(
            &store,
            &["--confidence", "rumor,reported", "--kind", "announcement"]
        ),
        ["e4-before", "e3-formula"]
    );
    // --since: the latest day reaches DAY (the year-dated event may be in June).
    assert_eq!(
        logged(&store, &["--since", "2025-06-01"]),
        ["e2-year", "e3-formula"]
    );
    // --until: the earliest day is on or before DAY.
    assert_eq!(
        logged(&store, &["--until", "2025-01-14"]),
        ["e4-before", "e2-year"]
    );
    assert_eq!(
        logged(&store, &["--since", "2025-01-15", "--until", "2025-01-15"]),
        ["e2-year", "e1-day"]
    );
    // A kind that does not exist is refused, naming those that do.
    let out = store
        .cmd()
        .args(["log", "--kind", "merger"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("'merger'") && stderr.contains("term-ended"),
        "{stderr}"
    );
    let out = store
        .cmd()
        .args(["log", "--since", "2025-02-01", "--until", "2025-01-01"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn log_csv_quotes_commas_quotes_and_line_breaks_and_defuses_formulas() {
    let store = filter_store();
    let csv = stdout_of(
        store
            .cmd()
            .args(["log", "--format", "csv", "--kind", "announcement"]),
    );
    let mut records = csv.split_inclusive("\r\n");
    assert_eq!(
        records.next(),
        Some(
            "seq,date,earliest,latest,disclosed,kind,confidence,parties,id,supersedes,summary\r\n"
        )
    );
    assert_eq!(
        records.next(),
        Some(
            "2,2024-12-31,2024-12-31,2024-12-31,2024-12-31,announcement,rumor,acme;globex,e4-before,,The year before.\r\n"
        )
    );
    // Summary: Acme, "Globex" and<LF>more.
    assert_eq!(
        records.next(),
        Some(
            "4,2025-01-15,2025-01-15,2025-01-15,2025-01-15,announcement,confirmed,acme;globex,e1-day,,\"Acme, \"\"Globex\"\" and\nmore\"\r\n"
        )
    );
    assert_eq!(
        records.next(),
        Some(
            "5,2025-06-10,2025-06-10,2025-06-10,2025-06-10,announcement,rumor,acme;globex,e3-formula,,\"'=HYPERLINK(\"\"https://example.com\"\")\"\r\n"
        )
    );
    assert_eq!(records.next(), None);
}

#[test]
fn state_and_diff_csv_have_one_row_per_item_with_its_section() {
    let store = filter_store();
    let state = stdout_of(
        store
            .cmd()
            .args(["state", "--as-of", "2026-01-01", "--format", "csv"]),
    );
    let lines: Vec<&str> = state.split("\r\n").collect();
    assert!(
        lines[0].starts_with("as_of,party_a,party_b,status,section,event,"),
        "{state}"
    );
    assert_eq!(
        lines[1],
        "2026-01-01,acme,globex,active,investment,e2-year,,,acme,globex,,,10000000,USD,,,,,paid,,,,"
    );
    assert_eq!(lines[2..], [""]);
    let diff = stdout_of(store.cmd().args([
        "diff",
        "--from",
        "2024-01-01",
        "--to",
        "2026-01-01",
        "--format",
        "csv",
    ]));
    assert!(
        diff.contains(
            "\r\n2024-01-01,2026-01-01,acme,globex,active,active,investment-added,e2-year,"
        ),
        "{diff}"
    );
    // --json is short for --format json, and cannot say otherwise.
    let out = store
        .cmd()
        .args([
            "state",
            "--as-of",
            "2026-01-01",
            "--json",
            "--format",
            "csv",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--json is short for --format json"));
    let json = store.json(&["state", "--as-of", "2026-01-01", "--format", "json"]);
    assert_eq!(
        json["relationships"][0]["parties"],
        serde_json::json!(["acme", "globex"])
    );
}

/// With standard error a pipe, the long commands print exactly what they did before
/// progress existed: the bar never reaches a pipe (nor a log file).
#[test]
fn progress_never_reaches_a_pipe() {
    let store = TempStore::new();
    let out = store
        .cmd()
        .arg("import")
        .arg(support::events_dir())
        .output()
        .expect("import");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("imported 75 events and 17 parties from 10 files (0 events already recorded)")
    );
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("ledger: 92 records, head "))
    );
    assert_eq!(lines.next(), None);

    let file = store.dir.path().join("all.jsonl");
    let out = store
        .cmd()
        .args(["export", "-o"])
        .arg(&file)
        .output()
        .expect("export");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("exported 92 records to {}\n", file.display())
    );
    for args in [&["verify"][..], &["-q", "verify"], &["export"]] {
        let out = store.cmd().args(args).output().expect("run");
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
    let copy = TempStore::new();
    let out = copy
        .cmd()
        .arg("import")
        .arg(&file)
        .output()
        .expect("restore");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("restored 92 of 92 records"));
}

/// On a terminal (a pseudo-terminal made by util-linux `script`), verify and export draw
/// their bar on standard error with the count and the total, clear it, and print their
/// summaries as on a pipe. `PACTLOG_PROGRESS_DELAY=0` shows it at once; under `-q` nothing
/// is drawn.
#[test]
fn progress_is_drawn_on_a_terminal_and_cleared_before_the_summary() {
    let store = TempStore::new();
    let imported = store
        .cmd()
        .arg("import")
        .arg(support::events_dir())
        .output();
    assert!(imported.expect("import").status.success());
    let on_a_terminal = |args: &str| -> String {
        let command = format!(
            "'{}' --store '{}' {args}",
            assert_cmd::cargo::cargo_bin("pactlog").display(),
            store.path.display()
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("PACTLOG_PROGRESS_DELAY", "0")
            .env("TERM", "xterm")
            .output()
            .expect("util-linux script runs the command on a pseudo-terminal");
        assert!(out.status.success(), "{args}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let verify = on_a_terminal("verify");
    assert!(verify.contains("verifying ["), "no bar in {verify:?}");
    assert!(verify.contains("/92 records ("), "no count in {verify:?}");
    assert!(verify.contains("ok: 92 records checked"), "{verify:?}");
    let quiet = on_a_terminal("-q verify");
    assert!(!quiet.contains("verifying"), "a bar under -q: {quiet:?}");
    assert!(quiet.starts_with("ok: 92 records checked"), "{quiet:?}");
    let file = store.dir.path().join("all.jsonl");
    let export = on_a_terminal(&format!("export -o '{}'", file.display()));
    assert!(export.contains("exporting ["), "no bar in {export:?}");
    assert!(export.contains("exported 92 records to"), "{export:?}");
}

/// The library's progress callbacks count every record of an import, a verify and an
/// export, in order, ending at the total.
#[test]
fn progress_callbacks_count_to_the_total() {
    use pactlog::{Ledger, MemoryStore, Timestamp, import};
    let mut ledger = Ledger::open(MemoryStore::new()).expect("ledger");
    let plan = import::plan(&ledger, &[support::events_dir()]).expect("plan");
    let mut appended = Vec::new();
    import::apply_reporting(
        &mut ledger,
        plan,
        Timestamp::from_unix(1_767_225_600),
        |n| appended.push(n),
    )
    .expect("apply");
    assert_eq!(appended.last(), Some(&92));
    assert!(appended.windows(2).all(|w| w[0] < w[1]), "{appended:?}");

    let mut verified = Vec::new();
    assert!(
        ledger
            .verify_reporting(|n| verified.push(n))
            .expect("verify")
            .is_ok()
    );
    assert_eq!(verified.last(), Some(&92));

    let mut exported = Vec::new();
    let mut out = Vec::new();
    import::export_reporting(&ledger, &mut out, |n| exported.push(n)).expect("export");
    assert_eq!(exported, (1..=92).collect::<Vec<u64>>());
}

/// `--format json` asks for JSON errors as `--json` does.
#[test]
fn errors_are_json_under_format_json() {
    let store = filter_store();
    for format in [&["--format", "json"][..], &["--format=json"]] {
        let out = store
            .cmd()
            .args(["log", "--kind", "merger"])
            .args(format)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1));
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
        assert_eq!(err["error"]["code"], 1, "{err}");
    }
}
