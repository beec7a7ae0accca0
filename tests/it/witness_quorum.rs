//! Requiring witnesses: `follow` and `audit` with `--witness VKEY [--quorum K]` pass only
//! when K distinct listed witnesses cosigned (all listed, by default) and name them;
//! `checkpoint --witness URL` stores the cosignatures, so `publish` (with `--site`, the
//! pages too) and inclusion proofs carry them; bad witness options are usage errors.

use crate::support::audit::{Keys, extra_events, keygen, keygen_named, run};
use crate::support::server::Server;
use crate::support::{TempStore, assert_code, events_dir, stderr_of, stdout_of};
use std::path::Path;

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A witness's key files and its cosigner key text.
fn witness_key(dir: &Path, file: &str, name: &str) -> (Keys, String) {
    let keys = keygen_named(dir, file, name);
    let out = run(
        &TempStore::new(),
        &["witness", "vkey", "--key-file", path(&keys.skey)],
    );
    assert_code(&out, 0, "witness vkey");
    (keys, stdout_of(&out).trim().to_string())
}

/// A log of events/, a witness serving over HTTP that cosigned its checkpoint, and a
/// second witness that did not.
struct Setup {
    log: TempStore,
    keys: Keys,
    wvkey: String,
    other_vkey: String,
    server: Server,
    _wstore: TempStore,
}

/// `pactlog publish PUBLIC --key-file LOG.KEY --site` on the setup's log.
fn publish_with_site(s: &Setup, public: &Path) -> std::process::Output {
    run(
        &s.log,
        &[
            "publish",
            path(public),
            "--key-file",
            path(&s.keys.skey),
            "--site",
        ],
    )
}

fn setup() -> Setup {
    let log = TempStore::new();
    log.import(&[&events_dir()]);
    let keys = keygen(log.dir.path(), "log.key");
    let wstore = TempStore::new();
    let (wkeys, wvkey) = witness_key(wstore.dir.path(), "w.key", "witness.example/w1");
    let (_, other_vkey) = witness_key(wstore.dir.path(), "o.key", "witness.example/w2");
    let state = wstore.dir.path().join("state");
    let out = run(
        &wstore,
        &[
            "witness",
            "add-log",
            "--state",
            path(&state),
            "--key",
            &keys.vkey,
        ],
    );
    assert_code(&out, 0, "witness add-log");
    let server = Server::start(
        &wstore.path,
        &[
            "--witness-key-file",
            path(&wkeys.skey),
            "--witness-state",
            path(&state),
        ],
    );
    let out = run(
        &log,
        &[
            "checkpoint",
            "--key-file",
            path(&keys.skey),
            "--witness",
            &server.url,
            "--witness-key",
            &wvkey,
            "--json",
        ],
    );
    assert_code(&out, 0, "checkpoint --witness");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["witnesses"][0]["cosigned_by"][0]["name"],
        "witness.example/w1"
    );
    assert!(v["witnesses"][0]["error"].is_null(), "{v}");
    Setup {
        log,
        keys,
        wvkey,
        other_vkey,
        server,
        _wstore: wstore,
    }
}

#[test]
fn publish_carries_the_cosignatures_and_follow_requires_the_quorum() {
    let s = setup();
    let public = s.log.dir.path().join("public");
    let out = publish_with_site(&s, &public);
    assert_code(&out, 0, "publish --site");
    let published = std::fs::read_to_string(public.join("checkpoint")).unwrap();
    assert!(
        published.contains("\n\u{2014} witness.example/w1 "),
        "{published}"
    );
    assert!(public.join("site/index.html").is_file());
    assert!(public.join("site/.pactlog-site").is_file());
    let proof = std::fs::read_dir(public.join("site/proof"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(
        std::fs::read_to_string(&proof)
            .unwrap()
            .contains("\u{2014} witness.example/w1 ")
    );

    // Both witnesses required (the default quorum: all listed): refused, no replica.
    let replica = TempStore::new();
    let both = [
        "follow",
        path(&public),
        "--key",
        &s.keys.vkey,
        "--witness",
        &s.wvkey,
        "--witness",
        &s.other_vkey,
    ];
    let out = run(&replica, &both);
    assert_code(&out, 3, "follow requiring two witnesses");
    let err = stderr_of(&out);
    assert!(
        err.contains("1 of the 2") && err.contains("witness.example/w2"),
        "{err}"
    );
    assert!(
        !replica.path.exists(),
        "a refused follow creates no replica"
    );

    // One of the two is enough with --quorum 1, and the report names it.
    let mut one = both.to_vec();
    one.extend(["--quorum", "1", "--json"]);
    let out = run(&replica, &one);
    assert_code(&out, 0, "follow with quorum 1");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["witnesses_cosigned"][0]["name"], "witness.example/w1");
    assert_eq!(v["witnesses_cosigned"].as_array().unwrap().len(), 1);

    // The log grows, the operator publishes without asking the witness: a follower
    // requiring it refuses the new checkpoint and keeps its replica.
    s.log.import(&[&extra_events(s.log.dir.path(), "more")]);
    let out = publish_with_site(&s, &public);
    assert_code(&out, 0, "publish --site again");
    assert!(
        public
            .join("site/event/2026-06-01-more-note-0.html")
            .is_file()
    );
    let before = replica.json(&["verify", "--json"]);
    let out = run(
        &replica,
        &[
            "follow",
            path(&public),
            "--key",
            &s.keys.vkey,
            "--witness",
            &s.wvkey,
        ],
    );
    assert_code(&out, 3, "follow an uncosigned checkpoint");
    assert!(stderr_of(&out).contains("witness.example/w1"));
    assert_eq!(replica.json(&["verify", "--json"]), before);
    // Without witnesses it is followed: what was accepted before stays checkable.
    let out = run(&replica, &["follow", path(&public), "--key", &s.keys.vkey]);
    assert_code(&out, 0, "follow without witnesses");
    s.server.stop_with("INT");
}

#[test]
fn audit_requires_the_witnesses_on_the_proofs_checkpoint() {
    let s = setup();
    let proof = s.log.dir.path().join("proof.txt");
    let out = run(&s.log, &["proof", "inclusion", "openai"]);
    assert_code(&out, 0, "proof inclusion");
    std::fs::write(&proof, &out.stdout).unwrap();
    let audit = |extra: &[&str]| {
        let mut args = vec!["audit", path(&proof), "--key", &s.keys.vkey];
        args.extend(extra);
        run(&s.log, &args)
    };
    let out = audit(&["--witness", &s.wvkey]);
    assert_code(&out, 0, "audit with the witness");
    assert!(
        stdout_of(&out)
            .contains("cosigned by 1 of 1 listed witnesses (quorum 1): witness.example/w1"),
        "{}",
        stdout_of(&out)
    );
    let out = audit(&["--witness", &s.wvkey, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["witnesses_cosigned"][0]["name"], "witness.example/w1");
    // A witness file: comments and blank lines skipped, a bad line named.
    let file = s.log.dir.path().join("witnesses.txt");
    std::fs::write(
        &file,
        format!("# the witnesses we require\n\n{}\n", s.wvkey),
    )
    .unwrap();
    let out = audit(&["--witness-file", path(&file), "--json"]);
    assert_code(&out, 0, "audit with a witness file");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["witnesses_cosigned"][0]["key_id"],
        s.wvkey.split('+').nth(1).unwrap()
    );
    std::fs::write(&file, format!("{}\n{}\n", s.wvkey, s.keys.vkey)).unwrap();
    let out = audit(&["--witness-file", path(&file)]);
    assert_code(&out, 1, "a witness file holding a log key");
    assert!(stderr_of(&out).contains("line 2"), "{}", stderr_of(&out));
    let out = audit(&["--witness", &s.other_vkey]);
    assert_code(&out, 3, "audit requiring a witness that did not cosign");
    assert!(stderr_of(&out).contains("witness.example/w2"));

    // The cosignature is over the checkpoint: change a byte of it, it fails.
    let text = std::fs::read_to_string(&proof).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("\u{2014} witness.example/w1 "))
        .unwrap();
    let flipped = line.replacen('A', "B", 1).replacen('/', "+", 1);
    assert_ne!(flipped, line);
    std::fs::write(&proof, text.replace(line, &flipped)).unwrap();
    let out = audit(&["--witness", &s.wvkey]);
    assert_code(&out, 3, "audit with a damaged cosignature");
    s.server.stop_with("INT");
}

#[test]
fn witness_options_that_cannot_be_met_are_usage_errors() {
    let log = TempStore::new();
    log.import(&[&events_dir()]);
    let keys = keygen(log.dir.path(), "log.key");
    let (_, wvkey) = witness_key(log.dir.path(), "w.key", "witness.example/w1");
    let note = crate::support::audit::checkpoint(&log, &keys, "cp.txt");
    let verify = ["verify", "--checkpoint", path(&note), "--key", &keys.vkey];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--quorum", "1"], "--quorum counts witnesses"),
        (vec!["--witness", &wvkey, "--quorum", "2"], "want 1 to 1"),
        (vec!["--witness", &wvkey, "--quorum", "0"], "want 1 to 1"),
        (
            vec!["--witness", &keys.vkey],
            "not a witness's cosigner key",
        ),
    ];
    for (extra, wanted) in cases {
        let mut args = verify.to_vec();
        args.extend(extra);
        let out = run(&log, &args);
        assert_code(&out, 1, wanted);
        assert!(stderr_of(&out).contains(wanted), "{}", stderr_of(&out));
    }
    let out = run(&log, &["verify", "--witness", &wvkey]);
    assert_code(&out, 1, "a witness without a checkpoint");
    // The site's folder holding files pactlog did not write: refused before publishing.
    let public = log.dir.path().join("public");
    std::fs::create_dir_all(public.join("site")).unwrap();
    std::fs::write(public.join("site/mine.txt"), "not pactlog's").unwrap();
    let out = run(
        &log,
        &[
            "publish",
            path(&public),
            "--key-file",
            path(&keys.skey),
            "--site",
        ],
    );
    assert_code(&out, 1, "publish --site into a foreign folder");
    assert!(!public.join("checkpoint").exists());
    // A witness that cannot be reached is reported, and fails only a quorum.
    let dead = "http://127.0.0.1:9";
    let base = [
        "checkpoint",
        "--key-file",
        path(&keys.skey),
        "--witness",
        dead,
    ];
    let mut args = base.to_vec();
    args.extend(["--witness-key", &wvkey]);
    let out = run(&log, &args);
    assert_code(&out, 0, "an unreachable witness, no quorum");
    assert!(
        stderr_of(&out).contains("no cosignature: cannot reach"),
        "{}",
        stderr_of(&out)
    );
    args.extend(["--quorum", "1"]);
    let out = run(&log, &args);
    assert_code(&out, 3, "an unreachable witness, quorum 1");
    assert!(stdout_of(&out).is_empty());
}
