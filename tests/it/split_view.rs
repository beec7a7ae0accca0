//! The split view a witness stops: the log's key holder signs two different checkpoints
//! of the same size (two stores with the same key, the same first records, then
//! different ones). A witness that cosigned one refuses the other (409), over HTTP
//! (`pactlog serve --witness-*`) and offline (`pactlog witness cosign`), and an auditor
//! who requires that witness rejects the checkpoint it did not cosign (exit 3). Two
//! concurrent requests from the same old size: exactly one is cosigned.

use crate::support::audit::{
    EVENTS_SIZE, EXTRA, Keys, checkpoint, extra_events, keygen, keygen_named, run,
};
use crate::support::server::Server;
use crate::support::{TempStore, assert_code, events_dir, stderr_of, stdout_of};
use std::path::{Path, PathBuf};

/// Records after events/ and one file of extra events.
const GROWN: u64 = EVENTS_SIZE + EXTRA;

/// Two stores under one log key: the same first records, then different ones.
struct Fork {
    keys: Keys,
    honest: TempStore,
    forked: TempStore,
}

impl Fork {
    fn new() -> Fork {
        let honest = TempStore::new();
        let forked = TempStore::new();
        let keys = keygen(honest.dir.path(), "log.key");
        for s in [&honest, &forked] {
            s.import(&[&events_dir()]);
        }
        Fork {
            keys,
            honest,
            forked,
        }
    }

    /// Both stores grow by different events: two checkpoints of size `GROWN`.
    fn diverge(&self) {
        self.honest
            .import(&[&extra_events(self.honest.dir.path(), "honest")]);
        self.forked
            .import(&[&extra_events(self.forked.dir.path(), "forked")]);
    }
}

/// A witness: its key, its cosigner key text, and a state folder watching the log.
struct Witness {
    keys: Keys,
    vkey: String,
    state: PathBuf,
    _dir: tempfile::TempDir,
}

impl Witness {
    fn new(log: &Keys) -> Witness {
        let dir = tempfile::tempdir().unwrap();
        let keys = keygen_named(dir.path(), "w.key", "witness.example/w1");
        let scratch = TempStore::new();
        let out = run(
            &scratch,
            &["witness", "vkey", "--key-file", path(&keys.skey)],
        );
        assert_code(&out, 0, "witness vkey");
        let vkey = stdout_of(&out).trim().to_string();
        assert!(vkey.starts_with("witness.example/w1+"), "{vkey}");
        let state = dir.path().join("state");
        let out = run(
            &scratch,
            &[
                "witness",
                "add-log",
                "--state",
                path(&state),
                "--key",
                &log.vkey,
            ],
        );
        assert_code(&out, 0, "witness add-log");
        Witness {
            keys,
            vkey,
            state,
            _dir: dir,
        }
    }

    fn serve(&self, store: &TempStore) -> Server {
        Server::start(
            &store.path,
            &[
                "--witness-key-file",
                path(&self.keys.skey),
                "--witness-state",
                path(&self.state),
            ],
        )
    }

    /// `pactlog checkpoint --witness URL --witness-key VKEY --quorum 1` on `store`.
    fn collect(&self, store: &TempStore, log: &Keys, url: &str) -> std::process::Output {
        run(
            store,
            &[
                "checkpoint",
                "--key-file",
                path(&log.skey),
                "--witness",
                url,
                "--witness-key",
                &self.vkey,
                "--quorum",
                "1",
            ],
        )
    }

    /// `pactlog witness cosign` of `request` (a file).
    fn cosign(&self, request: &Path, json: bool) -> std::process::Output {
        let scratch = TempStore::new();
        let mut args = vec![
            "witness",
            "cosign",
            "--state",
            path(&self.state),
            "--key-file",
            path(&self.keys.skey),
            path(request),
        ];
        if json {
            args.push("--json");
        }
        run(&scratch, &args)
    }

    /// `verify --checkpoint NOTE --key LOG --witness VKEY --quorum 1` on `store`.
    fn audit(&self, store: &TempStore, log: &Keys, note: &Path) -> std::process::Output {
        run(
            store,
            &[
                "verify",
                "--checkpoint",
                path(note),
                "--key",
                &log.vkey,
                "--witness",
                &self.vkey,
                "--quorum",
                "1",
            ],
        )
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The add-checkpoint request for the newest checkpoint of `store`, from `old`, saved.
fn request(store: &TempStore, old: u64, name: &str) -> PathBuf {
    let out = run(store, &["witness", "request", "--old", &old.to_string()]);
    assert_code(&out, 0, "witness request");
    let file = store.dir.path().join(name);
    std::fs::write(&file, &out.stdout).unwrap();
    file
}

/// Two stores sharing a key and a prefix, a witness of their log, and that witness
/// served over HTTP from its own (returned, so kept) store.
fn served() -> (Fork, Witness, TempStore, Server) {
    let fork = Fork::new();
    let witness = Witness::new(&fork.keys);
    let wstore = TempStore::new();
    let server = witness.serve(&wstore);
    (fork, witness, wstore, server)
}

/// Saves `text` as `name` in `store`'s folder.
fn save(store: &TempStore, name: &str, text: &str) -> PathBuf {
    let file = store.dir.path().join(name);
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn a_witness_over_http_refuses_the_other_branch_and_an_auditor_requiring_it_rejects_it() {
    let (fork, witness, _wstore, server) = served();

    // The common prefix: both stores sign the same checkpoint; the witness cosigns it.
    let out = witness.collect(&fork.honest, &fork.keys, &server.url);
    assert_code(&out, 0, "checkpoint --witness (prefix)");
    let first = stdout_of(&out);
    assert!(first.contains("\n\u{2014} witness.example/w1 "), "{first}");
    let common = checkpoint(&fork.forked, &fork.keys, "common.txt");
    assert!(first.starts_with(&std::fs::read_to_string(common).unwrap()));

    fork.diverge();
    let out = witness.collect(&fork.honest, &fork.keys, &server.url);
    assert_code(&out, 0, "checkpoint --witness (honest)");
    assert!(stderr_of(&out).contains("cosigned by witness.example/w1"));
    let honest_note = save(&fork.honest, "honest.txt", &stdout_of(&out));

    // The other branch of the same size: refused, quorum not met, exit 3, no note.
    let out = witness.collect(&fork.forked, &fork.keys, &server.url);
    assert_code(&out, 3, "checkpoint --witness (forked)");
    let err = stderr_of(&out);
    assert!(err.contains("409") && err.contains("forked"), "{err}");
    assert!(err.contains("witness.example/w1"), "{err}");
    assert!(stdout_of(&out).is_empty());
    let forked_note = checkpoint(&fork.forked, &fork.keys, "forked.txt");

    // Asked directly, from the witness's size or an older one: 409 with its size.
    for old in [GROWN, EVENTS_SIZE, 0] {
        let body = std::fs::read(request(&fork.forked, old, "req.txt")).unwrap();
        let a = server.post("/add-checkpoint", "text/plain", &[], &body);
        assert_eq!(a.status, 409, "old {old}: {}", a.text());
        assert_eq!(a.header("content-type"), Some("text/x.tlog.size"));
        assert_eq!(a.text(), format!("{GROWN}\n"));
    }

    // The auditor requiring the witness: the cosigned branch passes, the other fails.
    let out = witness.audit(&fork.honest, &fork.keys, &honest_note);
    assert_code(&out, 0, "verify the honest checkpoint");
    assert!(
        stdout_of(&out)
            .contains("cosigned by 1 of 1 listed witnesses (quorum 1): witness.example/w1"),
        "{}",
        stdout_of(&out)
    );
    let mut json = vec![
        "verify",
        "--json",
        "--checkpoint",
        path(&honest_note),
        "--key",
    ];
    json.extend([fork.keys.vkey.as_str(), "--witness", &witness.vkey]);
    let v: serde_json::Value = serde_json::from_slice(&run(&fork.honest, &json).stdout).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["quorum"], 1);
    assert_eq!(v["witnesses_cosigned"][0]["name"], "witness.example/w1");
    let out = witness.audit(&fork.forked, &fork.keys, &forked_note);
    assert_code(&out, 3, "verify the forked checkpoint");
    let err = stderr_of(&out);
    assert!(
        err.contains("witness.example/w1") && err.contains("0 of the 1"),
        "{err}"
    );

    // The honest cosignature moved onto the forked note does not verify.
    let line = std::fs::read_to_string(&honest_note)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("\u{2014} witness.example/w1 "))
        .unwrap()
        .to_string();
    let grafted = std::fs::read_to_string(&forked_note).unwrap() + &line + "\n";
    let grafted = save(&fork.forked, "grafted.txt", &grafted);
    let out = witness.audit(&fork.forked, &fork.keys, &grafted);
    assert_code(&out, 3, "verify a grafted cosignature");
    assert!(stderr_of(&out).contains("witness.example/w1"));
    server.stop();
}

#[test]
fn offline_the_witness_refuses_the_other_branch_and_records_nothing() {
    let fork = Fork::new();
    let witness = Witness::new(&fork.keys);
    fork.diverge();
    for s in [&fork.honest, &fork.forked] {
        checkpoint(s, &fork.keys, "cp.txt");
    }
    let req = request(&fork.honest, 0, "req.txt");
    let out = witness.cosign(&req, true);
    assert_code(&out, 0, "witness cosign (honest)");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["size"], GROWN);
    assert_eq!(v["witness"], "witness.example/w1");
    let line = v["cosignature"].as_str().unwrap();
    assert!(line.starts_with("\u{2014} witness.example/w1 ") && line.ends_with('\n'));
    let honest_note = save(&fork.honest, "honest.txt", v["note"].as_str().unwrap());

    // The forked checkpoint, from 0 (stale) and from the witness's size (a fork).
    let state_file = std::fs::read_dir(witness.state.join("logs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let before = std::fs::read(&state_file).unwrap();
    let stale = format!("last cosigned size {GROWN}");
    for (old, wanted) in [(0, stale.as_str()), (GROWN, "forked")] {
        let req = request(&fork.forked, old, "req.txt");
        let out = witness.cosign(&req, false);
        assert_code(&out, 3, "witness cosign (forked)");
        let err = stderr_of(&out);
        assert!(err.contains("HTTP 409") && err.contains(wanted), "{err}");
        assert!(stdout_of(&out).is_empty());
        assert_eq!(
            std::fs::read(&state_file).unwrap(),
            before,
            "nothing recorded"
        );
    }

    // Offline cosigning gives what the auditor checks.
    let out = witness.audit(&fork.honest, &fork.keys, &honest_note);
    assert_code(&out, 0, "verify the cosigned note");
    let forked_note = fork.forked.dir.path().join("cp.txt");
    let out = witness.audit(&fork.forked, &fork.keys, &forked_note);
    assert_code(&out, 3, "verify the forked note");

    // The operator keeps the cosignature with the stored checkpoint; the forked store
    // cannot take the honest branch's.
    let keep = |store: &TempStore| {
        run(
            store,
            &[
                "checkpoint",
                "--key-file",
                path(&fork.keys.skey),
                "--cosigned",
                path(&honest_note),
                "--witness-key",
                &witness.vkey,
                "--quorum",
                "1",
            ],
        )
    };
    let out = keep(&fork.honest);
    assert_code(&out, 0, "checkpoint --cosigned");
    assert_eq!(
        stdout_of(&out),
        std::fs::read_to_string(&honest_note).unwrap()
    );
    let stored = stdout_of(&run(&fork.honest, &["witness", "request", "--old", "0"]));
    assert!(stored.contains(line), "{stored}");
    let out = keep(&fork.forked);
    assert_code(
        &out,
        3,
        "checkpoint --cosigned with another checkpoint's copy",
    );
    assert!(
        stderr_of(&out).contains("another checkpoint"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn two_concurrent_requests_from_one_old_size_are_cosigned_once() {
    let (fork, witness, _wstore, server) = served();
    let out = witness.collect(&fork.honest, &fork.keys, &server.url);
    assert_code(&out, 0, "checkpoint --witness (prefix)");
    fork.diverge();
    let bodies: Vec<Vec<u8>> = [&fork.honest, &fork.forked]
        .into_iter()
        .map(|s| {
            checkpoint(s, &fork.keys, "cp.txt");
            std::fs::read(request(s, EVENTS_SIZE, "req.txt")).unwrap()
        })
        .collect();
    let barrier = std::sync::Barrier::new(bodies.len());
    let answers: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = bodies
            .iter()
            .map(|body| {
                let (server, barrier) = (&server, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    let a = server.post("/add-checkpoint", "text/plain", &[], body);
                    (a.status, a.text())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok: Vec<_> = answers.iter().filter(|(s, _)| *s == 200).collect();
    assert_eq!(ok.len(), 1, "{answers:?}");
    assert!(ok[0].1.starts_with("\u{2014} witness.example/w1 "));
    let refused: Vec<_> = answers.iter().filter(|(s, _)| *s != 200).collect();
    assert_eq!(refused.len(), 1, "{answers:?}");
    assert_eq!(*refused[0], (409, format!("{GROWN}\n")), "{answers:?}");
    server.stop();
}

#[test]
fn the_witness_endpoint_answers_hostile_requests_with_the_specs_codes_and_records_nothing() {
    let (fork, _witness, _wstore, server) = served();
    checkpoint(&fork.honest, &fork.keys, "cp.txt");
    let good = std::fs::read_to_string(request(&fork.honest, 0, "req.txt")).unwrap();
    let post = |body: &[u8]| server.post("/add-checkpoint", "text/plain", &[], body);

    let other = TempStore::new();
    other.import(&[&events_dir()]);
    let stranger = keygen_named(other.dir.path(), "o.key", "other.example/log");
    checkpoint(&other, &stranger, "cp.txt");
    let unknown = std::fs::read(request(&other, 0, "req.txt")).unwrap();
    // The same checkpoint signed by another key under the log's name.
    let impostor = keygen(other.dir.path(), "i.key");
    let forged = {
        let store = TempStore::new();
        store.import(&[&events_dir()]);
        checkpoint(&store, &impostor, "cp.txt");
        std::fs::read(request(&store, 0, "req.txt")).unwrap()
    };
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("not UTF-8", b"old 0\n\n\xff\xfe".to_vec(), 400),
        ("no old line", b"new 0\n\nx".to_vec(), 400),
        (
            "old larger than the size",
            good.replacen("old 0", "old 1000", 1).into_bytes(),
            400,
        ),
        (
            "a proof from 0",
            good.replacen(
                "old 0\n",
                "old 0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
                1,
            )
            .into_bytes(),
            422,
        ),
        ("an unknown origin", unknown, 404),
        ("another key", forged, 403),
    ];
    for (what, body, status) in cases {
        let a = post(&body);
        assert_eq!(a.status, status, "{what}: {}", a.text());
        assert!(!a.text().contains("panicked"), "{what}");
    }
    // A body declared larger than a request can be: 413 before it is sent.
    let raw = "POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n\
               Content-Length: 2000000\r\n\r\nold 0\n";
    let answer = server.raw(raw.as_bytes(), std::time::Duration::from_secs(5));
    assert!(
        answer.starts_with(b"HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    // None of them was recorded: the honest request from 0 is still the one to send.
    let a = post(good.as_bytes());
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.text().starts_with("\u{2014} witness.example/w1 "));
    // The route is there only when a witness is configured.
    let empty = TempStore::new();
    let plain = Server::start(&empty.path, &[]);
    assert_eq!(
        plain
            .post("/add-checkpoint", "text/plain", &[], good.as_bytes())
            .status,
        404
    );
    plain.stop();
    server.stop();
}
