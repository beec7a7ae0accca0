//! `pactlog serve`, read as its clients read it: every query answers with the bytes the
//! CLI prints for the same options over the same ledger, caches revalidate with ETags,
//! proofs are the CLI's files, and a CLI command on a served store names the server.

use crate::support::ledgers::{AT, Dates, arb_ledger, boundary_days};
use crate::support::server::Server;
use crate::support::{TempStore, assert_code, events_dir, stderr_of, stdout_of};
use pactlog::codec::Entry;
use pactlog::model::Day;
use pactlog::{Ledger, SledStore};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

/// A query asked both ways: the CLI's arguments and the API's path and query string.
struct Asked {
    cli: Vec<String>,
    path: String,
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A small deterministic random source for choosing queries.
struct Pick(u64);

impl Pick {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn one<'a, T>(&mut self, of: &'a [T]) -> &'a T {
        &of[self.below(of.len())]
    }
}

/// The names a query may use for a party: its id, its name, an alias, in any case.
fn names_of(entries: &[Entry]) -> Vec<Vec<String>> {
    entries
        .iter()
        .filter_map(|e| match e {
            Entry::Party(p) => {
                let mut n = vec![p.id.to_string(), p.name.clone(), p.name.to_uppercase()];
                n.extend(p.aliases.iter().cloned());
                Some(n)
            }
            Entry::Event(_) => None,
        })
        .collect()
}

/// One random query of a random kind over `entries`.
fn ask(pick: &mut Pick, entries: &[Entry]) -> Asked {
    let days: Vec<Day> = boundary_days(entries);
    let day = |p: &mut Pick| p.one(&days).to_string();
    let names = names_of(entries);
    let mut cli: Vec<String> = Vec::new();
    let mut q: Vec<(String, String)> = Vec::new();
    let command = *pick.one(&["state", "conflicts", "diff", "log"]);
    cli.push(command.into());
    match command {
        "state" | "conflicts" => {
            let as_of = day(pick);
            cli.extend(["--as-of".into(), as_of.clone()]);
            q.push(("as_of".into(), as_of));
            if pick.below(2) == 0 {
                let k = day(pick);
                cli.extend(["--known-at".into(), k.clone()]);
                q.push(("known_at".into(), k));
            }
            if pick.below(3) == 0 {
                let n = pick.below(entries.len() + 1).to_string();
                cli.extend(["--at-size".into(), n.clone()]);
                q.push(("at_size".into(), n));
            }
        }
        "diff" => {
            let (a, b) = (day(pick), day(pick));
            let (from, to) = if a <= b { (a, b) } else { (b, a) };
            cli.extend(["--from".into(), from.clone(), "--to".into(), to.clone()]);
            q.extend([("from".into(), from), ("to".into(), to)]);
        }
        _ => log_filters(pick, &days, &mut cli, &mut q),
    }
    select(pick, &names, &mut cli, &mut q);
    let formats: &[&str] = if command == "conflicts" {
        &["json", "table"]
    } else {
        &["json", "csv", "table"]
    };
    let format = *pick.one(formats);
    if command == "conflicts" {
        if format == "json" {
            cli.push("--json".into());
        }
    } else {
        cli.extend(["--format".into(), format.into()]);
    }
    if format != "json" || pick.below(2) == 0 {
        q.push(("format".into(), format.into()));
    }
    let query: Vec<String> = q
        .iter()
        .map(|(k, v)| match k.as_str() {
            "pair" | "kind" | "confidence" => format!("{k}={v}"),
            _ => format!("{k}={}", enc(v)),
        })
        .collect();
    Asked {
        cli,
        path: format!("/api/{command}?{}", query.join("&")),
    }
}

fn log_filters(
    pick: &mut Pick,
    days: &[Day],
    cli: &mut Vec<String>,
    q: &mut Vec<(String, String)>,
) {
    if pick.below(2) == 0 {
        let kinds = *pick.one(&["agreement", "investment,legal-threat", "statement,payment"]);
        cli.extend(["--kind".into(), kinds.into()]);
        q.push(("kind".into(), kinds.into()));
    }
    if pick.below(3) == 0 {
        let c = *pick.one(&["confirmed", "rumor,reported"]);
        cli.extend(["--confidence".into(), c.into()]);
        q.push(("confidence".into(), c.into()));
    }
    if pick.below(3) == 0 {
        let since = pick.one(days).to_string();
        cli.extend(["--since".into(), since.clone()]);
        q.push(("since".into(), since));
    }
}

fn select(
    pick: &mut Pick,
    names: &[Vec<String>],
    cli: &mut Vec<String>,
    q: &mut Vec<(String, String)>,
) {
    match pick.below(3) {
        0 => {}
        1 => {
            let party = pick.one(names).clone();
            let p = pick.one(&party).clone();
            cli.extend(["--party".into(), p.clone()]);
            q.push(("party".into(), p));
        }
        _ => {
            let a = pick.below(names.len());
            let b = (a + 1 + pick.below(names.len() - 1)) % names.len();
            let (a, b) = (pick.one(&names[a]).clone(), pick.one(&names[b]).clone());
            cli.extend(["--pair".into(), a.clone(), b.clone()]);
            // A literal comma separates the two; one inside a name is %2C.
            q.push(("pair".into(), format!("{},{}", enc(&a), enc(&b))));
        }
    }
}

/// A store holding `entries`, appended through the library.
fn store_of(entries: Vec<Entry>) -> TempStore {
    let store = TempStore::new();
    let mut ledger = Ledger::open(SledStore::open(&store.path).expect("open")).expect("ledger");
    ledger.append_unchecked(entries, AT).expect("append");
    store
}

#[test]
fn the_api_answers_every_query_with_the_bytes_the_cli_prints() {
    let mut runner = TestRunner::deterministic();
    let strategy = arb_ledger(Dates::Fuzzy, 5, 30);
    let mut asked_total = 0;
    for seed in 1..=3u64 {
        let entries = strategy.new_tree(&mut runner).expect("a ledger").current();
        let mut pick = Pick(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let queries: Vec<Asked> = (0..30).map(|_| ask(&mut pick, &entries)).collect();
        let store = store_of(entries);
        // The CLI first: it cannot open the store while the server holds it.
        let expected: Vec<Option<Vec<u8>>> = queries
            .iter()
            .map(|a| {
                let out = store.cmd().args(&a.cli).output().expect("run pactlog");
                out.status.success().then_some(out.stdout)
            })
            .collect();
        let server = Server::start(&store.path, &[]);
        for (a, want) in queries.iter().zip(&expected) {
            let got = server.get(&a.path);
            match want {
                Some(bytes) => {
                    assert_eq!(got.status, 200, "{} ({:?}): {}", a.path, a.cli, got.text());
                    assert!(
                        got.body == *bytes,
                        "{} differs from pactlog {:?}:\napi:\n{}\ncli:\n{}",
                        a.path,
                        a.cli,
                        got.text(),
                        String::from_utf8_lossy(bytes)
                    );
                    asked_total += 1;
                }
                None => assert_eq!(got.status, 400, "{}: the CLI refused it", a.path),
            }
        }
        server.stop();
    }
    assert!(
        asked_total >= 60,
        "most queries are answerable ({asked_total})"
    );
}

/// A store holding the bundled dataset.
fn dataset_store() -> TempStore {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    store
}

#[test]
fn answers_carry_an_etag_that_revalidates_until_the_ledger_grows() {
    let store = dataset_store();
    let cli_event = store
        .cmd()
        .args(["show", "2026-02-27-amazon-invests-50b-in-openai", "--json"])
        .output()
        .unwrap();
    let server = Server::start(&store.path, &[]);
    let path = "/api/state?as_of=2026-03-01&pair=MSFT,OpenAI";
    let first = server.get(path);
    assert_eq!(first.status, 200);
    let tag = first.header("etag").expect("an etag").to_string();
    assert!(tag.starts_with('"'), "{tag}");
    let again = server.get_with(path, &[("if-none-match", &tag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // Another prefix is another answer.
    let older = server.get_with(&format!("{path}&at_size=10"), &[("if-none-match", &tag)]);
    assert_eq!(older.status, 200);
    assert_ne!(older.header("etag"), Some(tag.as_str()));
    let event = server.get("/api/events/2026-02-27-amazon-invests-50b-in-openai");
    assert_eq!(event.status, 200);
    assert_eq!(event.body, cli_event.stdout, "show --json");
    let etag = event.header("etag").unwrap().to_string();
    let cached = server.get_with(
        "/api/events/2026-02-27-amazon-invests-50b-in-openai",
        &[("if-none-match", &format!("\"x\", {etag}"))],
    );
    assert_eq!(cached.status, 304, "a list of tags");
    server.stop();
}

#[test]
fn unknown_ids_and_parties_are_404_and_bad_values_400_with_the_cli_json_error() {
    let store = dataset_store();
    let server = Server::start(&store.path, &[]);
    for (path, status, says) in [
        ("/api/events/no-such-event", 404, "no event no-such-event"),
        ("/api/events/NOT%20AN%20ID", 400, "not valid"),
        (
            "/api/state?as_of=2026-03-01&party=nobody-at-all",
            404,
            "unknown party",
        ),
        ("/api/state?as_of=2026-02-30", 400, "as_of"),
        ("/api/state", 400, "as_of"),
        (
            "/api/state?as_of=2026-03-01&at_size=100000",
            400,
            "larger than the ledger",
        ),
        (
            "/api/state?as_of=2026-03-01&pair=openai",
            400,
            "two parties",
        ),
        (
            "/api/state?as_of=2026-03-01&pair=openai,OpenAI",
            400,
            "two different parties",
        ),
        (
            "/api/state?as_of=2026-03-01&pair=a,b&party=c",
            400,
            "not both",
        ),
        ("/api/state?as_of=2026-03-01&format=xml", 400, "format"),
        ("/api/conflicts?as_of=2026-03-01&format=csv", 400, "format"),
        ("/api/diff?from=2026-05-01&to=2026-01-01", 400, "after"),
        (
            "/api/log?since=2026-05-01&until=2026-01-01",
            400,
            "no event can match",
        ),
        ("/api/log?kind=nonsense", 400, "unknown kind"),
        ("/api/log?confidence=sure", 400, "confidence"),
        (
            "/api/proof/inclusion/nothing-here",
            404,
            "no event or party",
        ),
        (
            "/api/proof/consistency?old=5&new=2",
            400,
            "must not be larger",
        ),
        (
            "/api/proof/consistency?old=1&new=999",
            400,
            "larger than the ledger",
        ),
        ("/api/head?x=1", 400, "unknown query parameter"),
        ("/no/such/route", 404, "no such route"),
    ] {
        let a = server.get(path);
        assert_eq!(a.status, status, "{path}: {}", a.text());
        assert_eq!(a.header("content-type"), Some("application/json"), "{path}");
        let e = a.json();
        let message = e["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{path}: {message}");
        assert_eq!(
            e["error"]["code"], 1,
            "{path}: the CLI's exit code for bad input"
        );
    }
    server.stop();
}

#[test]
fn proofs_over_http_are_the_files_the_cli_prints_and_audit_accepts() {
    let store = dataset_store();
    let keys = crate::support::audit::keygen(store.dir.path(), "log.key");
    crate::support::audit::checkpoint(&store, &keys, "checkpoint.txt");
    let id = "2026-02-27-microsoft-weighs-suing-openai-and-amazon";
    let cli_proof = store
        .cmd()
        .args(["proof", "inclusion", id])
        .output()
        .unwrap();
    let cli_consistency = store
        .cmd()
        .args(["proof", "consistency", "10", "70", "--json"])
        .output()
        .unwrap();
    let server = Server::start(&store.path, &[]);
    let proof = server.get(&format!("/api/proof/inclusion/{id}"));
    assert_eq!(proof.status, 200);
    assert_eq!(proof.text(), stdout_of(&cli_proof));
    let c = server.get("/api/proof/consistency?old=10&new=70&format=json");
    assert_eq!(c.body, cli_consistency.stdout);
    server.stop();
    let file = store.dir.path().join("proof.txt");
    std::fs::write(&file, &proof.body).unwrap();
    let audit = crate::support::pactlog(&store.path)
        .arg("audit")
        .arg(&file)
        .args(["--key", &keys.vkey])
        .output()
        .unwrap();
    assert_code(&audit, 0, "audit of the proof the server sent");
}

#[test]
fn cli_commands_on_a_served_store_fail_at_once_naming_the_server() {
    let store = dataset_store();
    let server = Server::start(&store.path, &[]);
    let out = store
        .cmd()
        .args(["state", "--as-of", "2026-03-01"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_code(&out, 2, "a reading command on a served store");
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!("in use by `pactlog serve` at {}", server.url)),
        "{err}"
    );
    let stderr = server.stop();
    assert!(stderr.contains("GET") || stderr.is_empty(), "{stderr}");
    assert!(
        !store.path.join("pactlog-server").exists(),
        "the server removes its note when it stops"
    );
    // Stopped, the store is the CLI's again.
    assert_code(
        &store
            .cmd()
            .args(["state", "--as-of", "2026-03-01"])
            .output()
            .unwrap(),
        0,
        "after the server stopped",
    );
}
