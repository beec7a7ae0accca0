//! Writing through `pactlog serve`: imports with the token and the checks of a local
//! import, subscribers that follow the log while it grows, readers that never wait for
//! the writer, and a stop that lets requests in flight finish.

use crate::bad_inputs::{bad_fixtures, expectations};
use crate::support::server::{Answer, Server};
use crate::support::{TempStore, assert_code, small_fixture, stderr_of, stdout_of};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pactlog::codec::{ChainHash, decode};
use pactlog::synth::{Synth, SynthConfig, write_event_files};
use std::io::BufRead;
use std::path::Path;

const TOKEN: &str = "a-test-token-of-enough-length";

/// A store holding the small fixture, and a token file beside it.
fn seeded() -> (TempStore, std::path::PathBuf) {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let token = store.dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    (store, token)
}

fn bearer() -> (&'static str, String) {
    ("authorization", format!("Bearer {TOKEN}"))
}

fn head_of(server: &Server) -> serde_json::Value {
    server.get("/api/head").json()
}

/// An event file for the small fixture's parties.
fn event_file(id: &str) -> String {
    format!(
        "[[event]]\nid = \"{id}\"\ndate = \"2026-01-20\"\nkind = \"announcement\"\n\
         summary = \"A fictional announcement.\"\nconfidence = \"confirmed\"\n\
         parties = [\"acme\", \"globex\"]\n\n[[event.source]]\nurl = \"https://example.com/{id}\"\n"
    )
}

fn post_toml(server: &Server, name: &str, body: &str) -> Answer {
    let (h, v) = bearer();
    server.post(
        &format!("/api/import?name={name}"),
        "application/toml",
        &[(h, &v)],
        body.as_bytes(),
    )
}

#[test]
fn imports_need_the_token_and_a_read_only_server_takes_none() {
    let (store, token) = seeded();
    let read_only = Server::start(&store.path, &[]);
    let before = head_of(&read_only);
    let a = post_toml(&read_only, "x.toml", &event_file("2026-01-20-a"));
    assert_eq!(a.status, 403, "{}", a.text());
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("read-only")
    );
    assert_eq!(head_of(&read_only), before);
    read_only.stop();

    let server = Server::start(&store.path, &["--token-file", token.to_str().unwrap()]);
    for auth in [
        None,
        Some("Bearer wrong-token-of-enough-length"),
        Some(TOKEN),
    ] {
        let headers: Vec<(&str, &str)> = auth.map(|v| ("authorization", v)).into_iter().collect();
        let a = server.post(
            "/api/import",
            "application/toml",
            &headers,
            event_file("2026-01-20-b").as_bytes(),
        );
        assert_eq!(a.status, 401, "{auth:?}: {}", a.text());
        assert_eq!(a.header("www-authenticate"), Some("Bearer"));
    }
    assert_eq!(head_of(&server), before);
    let a = post_toml(&server, "one.toml", &event_file("2026-01-20-c"));
    assert_eq!(a.status, 200, "{}", a.text());
    let report = a.json();
    assert_eq!(report["events_added"], 1);
    assert_eq!(
        report["ledger_size"],
        before["ledger_size"].as_u64().unwrap() + 1
    );
    assert_eq!(head_of(&server)["head"], report["head"]);
    // The same file again is a no-op, as locally.
    let again = post_toml(&server, "one.toml", &event_file("2026-01-20-c"));
    assert_eq!(again.json()["events_skipped"], 1);
    let stderr = server.stop();
    assert!(
        !stderr.contains(TOKEN),
        "the request log never shows the token"
    );
    assert!(stderr.contains("POST /api/import 200"), "{stderr}");
}

#[test]
fn every_bad_fixture_is_refused_over_http_with_its_messages_and_changes_nothing() {
    let (store, token) = seeded();
    let server = Server::start(&store.path, &["--token-file", token.to_str().unwrap()]);
    let before = head_of(&server);
    let files = bad_fixtures();
    assert!(files.len() >= 40);
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let (h, v) = bearer();
        let a = server.post(
            &format!("/api/import?name={name}"),
            "application/toml",
            &[(h, &v)],
            &std::fs::read(file).unwrap(),
        );
        assert_eq!(a.status, 400, "{name}: {}", a.text());
        let e = a.json();
        let problems = e["error"]["problems"].as_array().unwrap().clone();
        let expected = expectations(file);
        assert_eq!(problems.len(), expected.len(), "{name}: {problems:?}");
        for x in &expected {
            let message = x.message.replace(&file.display().to_string(), name);
            assert!(
                problems.iter().any(|p| p["file"] == name
                    && p["line"] == x.line
                    && p["id"].as_str() == x.id.as_deref()
                    // Expectations are written as a terminal shows them: escaped.
                    && pactlog::model::escape(p["message"].as_str().unwrap()).contains(&message)),
                "{name}: no problem {}: {:?}: {message} in {problems:?}",
                x.line,
                x.id
            );
        }
    }
    assert_eq!(head_of(&server), before, "nothing was appended");
    server.stop();
}

#[test]
fn import_with_server_sends_files_and_prints_what_a_local_import_prints() {
    let (store, token) = seeded();
    let dir = store.dir.path().join("more");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.toml"), event_file("2026-01-20-d")).unwrap();
    std::fs::write(dir.join("b.toml"), event_file("2026-01-20-e")).unwrap();
    let local = TempStore::new();
    local.import(&[&small_fixture()]);
    let local_out = local.cmd().arg("import").arg(&dir).output().unwrap();
    let server = Server::start(&store.path, &["--token-file", token.to_str().unwrap()]);
    let elsewhere = TempStore::new();
    let sent = elsewhere
        .cmd()
        .args(["import", "--server", &server.url, "--token-file"])
        .arg(&token)
        .arg(&dir)
        .output()
        .unwrap();
    assert_code(&sent, 0, "import --server");
    assert_eq!(
        stdout_of(&sent),
        stdout_of(&local_out),
        "the same report, the same head"
    );
    let bad = dir.join("c.toml");
    std::fs::write(&bad, event_file("2026-01-20-f").replace("globex", "nobody")).unwrap();
    let refused = elsewhere
        .cmd()
        .args(["import", "--server", &server.url, "--token-file"])
        .arg(&token)
        .arg(&bad)
        .output()
        .unwrap();
    assert_code(&refused, 1, "a refused file");
    let err = stderr_of(&refused);
    assert!(
        err.contains(&format!("{}:", bad.display())),
        "named as sent: {err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    let wrong = store.dir.path().join("wrong");
    std::fs::write(&wrong, "not-the-token-but-long-enough").unwrap();
    let out = elsewhere
        .cmd()
        .args(["import", "--server", &server.url, "--token-file"])
        .arg(&wrong)
        .arg(&dir)
        .output()
        .unwrap();
    assert_code(&out, 1, "a wrong token");
    assert!(stderr_of(&out).contains("401"), "{}", stderr_of(&out));
    server.stop();
    assert!(
        !elsewhere.path.exists(),
        "--server never creates a local store"
    );
}

/// Reads a subscription until `count` records came, checking each line.
fn follow(url: String, headers: Vec<(String, String)>, count: u64) -> Vec<serde_json::Value> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .build()
        .into();
    let mut req = agent.get(&url);
    for (n, v) in &headers {
        req = req.header(n, v);
    }
    let answer = req.call().expect("subscribe");
    let reader = std::io::BufReader::new(answer.into_body().into_reader());
    let mut out = Vec::new();
    for line in reader.lines() {
        let line = line.expect("a line");
        let json = match line.strip_prefix("data: ") {
            Some(data) => data.to_string(),
            None if line.starts_with('{') => line,
            None => continue,
        };
        out.push(serde_json::from_str(&json).expect("a JSON line"));
        if out.len() as u64 == count {
            break;
        }
    }
    out
}

/// Every line continues the chain of the one before, from `first`.
fn assert_chain(lines: &[serde_json::Value], first: u64) {
    let mut prev: Option<ChainHash> = None;
    for (i, l) in lines.iter().enumerate() {
        let bytes = STANDARD.decode(l["bytes"].as_str().unwrap()).unwrap();
        let record = decode(&bytes).expect("record bytes");
        assert_eq!(record.seq.get(), first + i as u64, "in order, each once");
        assert_eq!(l["seq"], first + i as u64);
        let hash = ChainHash::of(&bytes);
        assert_eq!(l["hash"], hash.to_hex());
        if let Some(p) = prev {
            assert_eq!(
                record.prev, p,
                "record {} links to the one before",
                record.seq
            );
        }
        prev = Some(hash);
    }
}

#[test]
fn subscribers_see_every_record_once_in_order_while_imports_append() {
    let (store, token) = seeded();
    let server = Server::start(&store.path, &["--token-file", token.to_str().unwrap()]);
    let start = head_of(&server)["ledger_size"].as_u64().unwrap();
    let imports = 12u64;
    let total = start + imports;
    let url = format!("{}/api/records?from=0", server.url);
    let events_url = format!("{}/api/records", server.url);
    let (lines, events) = std::thread::scope(|scope| {
        let a = scope.spawn(|| follow(url.clone(), vec![], total));
        let b = scope.spawn(|| {
            follow(
                events_url.clone(),
                vec![
                    ("accept".into(), "text/event-stream".into()),
                    ("last-event-id".into(), "4".into()),
                ],
                total - 5,
            )
        });
        for i in 0..imports {
            let a = post_toml(&server, "f.toml", &event_file(&format!("2026-01-20-s{i}")));
            assert_eq!(a.status, 200, "{}", a.text());
        }
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(lines.len() as u64, total);
    assert_chain(&lines, 0);
    assert_chain(&events, 5);
    assert_eq!(&lines[5..], &events[..], "both saw the same records");
    let metrics = server.get("/metrics").text();
    assert!(metrics.contains("pactlog_ledger_records"), "{metrics}");
    server.stop();
    let export = crate::support::audit::export_lines(&store);
    let exported: Vec<serde_json::Value> = export
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        exported, lines,
        "what subscribers saw is the ledger, line for line"
    );
}

/// Event files of a synthetic ledger of `events` events, in `dir`.
fn synthetic_files(dir: &Path, events: usize) {
    let synth = Synth::new(SynthConfig::new(21, events));
    write_event_files(dir, &synth.parties(), synth.events(), 5_000).unwrap();
}

/// Sends every file of `dir` as one multipart import.
fn post_folder(server: &Server, dir: &Path) -> Answer {
    let mut body = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in &names {
        let name = p.file_name().unwrap().to_str().unwrap();
        body.extend_from_slice(
            format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"{name}\"\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&std::fs::read(p).unwrap());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    let (h, v) = bearer();
    server.post(
        "/api/import",
        "multipart/form-data; boundary=XyZ",
        &[(h, &v)],
        &body,
    )
}

#[test]
fn readers_answer_from_a_whole_prefix_while_a_large_import_appends() {
    let store = TempStore::new();
    let token = store.dir.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();
    let files = store.dir.path().join("synthetic");
    synthetic_files(&files, 30_000);
    let server = Server::start(&store.path, &["--token-file", token.to_str().unwrap()]);
    let path = "/api/head";
    let done = std::sync::atomic::AtomicBool::new(false);
    let (report, seen) = std::thread::scope(|scope| {
        let importing = scope.spawn(|| {
            let a = post_folder(&server, &files);
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            a
        });
        let mut seen = Vec::new();
        // Bounded: at most this many reads, ending when the import does.
        for _ in 0..100_000 {
            let finished = done.load(std::sync::atomic::Ordering::SeqCst);
            let a = server.get(path);
            assert_eq!(a.status, 200);
            seen.push((finished, a.json()["ledger_size"].as_u64().unwrap()));
            if finished {
                break;
            }
        }
        (importing.join().unwrap(), seen)
    });
    assert_eq!(report.status, 200, "{}", report.text());
    let size = report.json()["ledger_size"].as_u64().unwrap();
    assert!(
        seen.iter().any(|(finished, s)| !finished && *s == 0),
        "readers were answered while the import ran: {:?}",
        &seen[..seen.len().min(5)]
    );
    assert!(
        seen.iter().all(|(_, s)| *s == 0 || *s == size),
        "every answer is of the ledger before or after the whole import"
    );
    let old = server.get("/api/state?as_of=2030-01-01&at_size=0");
    assert_eq!(old.json()["receipt"]["ledger_size"], 0);
    server.stop();
}

#[test]
fn a_stopped_server_finishes_the_import_in_flight_and_exits_zero() {
    let store = TempStore::new();
    let token = store.dir.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();
    let files = store.dir.path().join("synthetic");
    synthetic_files(&files, 10_000);
    let server = Server::start(
        &store.path,
        &["--token-file", token.to_str().unwrap(), "--grace", "60"],
    );
    let pid = server.pid();
    let report = std::thread::scope(|scope| {
        let importing = scope.spawn(|| post_folder(&server, &files));
        // Once the import is being read or checked, ask the server to stop.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        importing.join().unwrap()
    });
    let (status, stderr) = server.stop_with("TERM");
    assert!(status.success(), "exit 0 after a graceful stop: {stderr}");
    let verify = store.cmd().arg("verify").output().unwrap();
    assert_code(&verify, 0, "the store verifies after the stop");
    if report.status == 200 {
        let size = report.json()["ledger_size"].as_u64().unwrap();
        assert!(
            stdout_of(&verify).contains(&format!("ok: {size} records")),
            "{}",
            stdout_of(&verify)
        );
    } else {
        assert_eq!(report.status, 503, "refused as stopping: {}", report.text());
    }
}
