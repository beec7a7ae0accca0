//! Keys and checkpoint contents (issue 19, items 5 and 6): `--key TEXT` is a key and
//! never the name of a file, files come with `--key-file`, and every verdict names the
//! key id it used; a checkpoint is this log's only when its origin is the key's name and
//! it signs one chain head at most, and a note without a head says the head went
//! unchecked.

use crate::support;

use pactlog::checkpoint::{Checkpoint, SigningKey, TlogProof, VerifierKey, open_checkpoint};
use std::path::{Path, PathBuf};
use support::hostile::{Signed, assert_fails, assert_ok, run, stdout};

/// The store's signing key, read from its file.
fn signing_key(s: &Signed) -> SigningKey {
    let text = std::fs::read_to_string(&s.key).expect("read the key");
    SigningKey::from_private_text(text.trim()).expect("a private key")
}

fn verifier_text(s: &Signed) -> String {
    std::fs::read_to_string(&s.verifier)
        .expect("read the verifier key")
        .trim()
        .to_string()
}

/// The store's checkpoint signed again with `origin` and `extensions` in place of its own.
fn resigned(s: &Signed, origin: &str, extensions: Vec<String>) -> String {
    let key = signing_key(s);
    let note = std::fs::read_to_string(&s.checkpoint).expect("read the checkpoint");
    let (cp, _) = open_checkpoint(&note, &[key.verifier_key()]).expect("opens");
    Checkpoint::new(origin, cp.size(), *cp.root(), extensions)
        .expect("a checkpoint")
        .sign(&key)
        .expect("signed")
}

/// The store's `pactlog-head` line.
fn head_line(s: &Signed) -> String {
    let note = std::fs::read_to_string(&s.checkpoint).expect("read the checkpoint");
    note.lines()
        .find(|l| l.starts_with("pactlog-head "))
        .expect("a head line")
        .to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// The store's proof of [`support::hostile::PROVEN`] carrying `note` instead.
fn proof_with(s: &Signed, note: &str) -> String {
    let text = std::fs::read_to_string(&s.proof).expect("read the proof");
    let proof = TlogProof::parse(&text).expect("a proof");
    TlogProof::new(
        proof.extra().map(<[u8]>::to_vec),
        proof.index(),
        proof.hashes().to_vec(),
        note.to_string(),
    )
    .expect("a proof")
    .to_text()
}

/// An auditor pins the log's verifier key as text; a file named like that text, planted
/// in the working folder and holding a forger's key, is not read: the forged proof
/// fails, and the verdict names the key id that was used.
#[test]
fn key_text_is_never_read_as_a_file_even_when_one_of_that_name_exists() {
    let honest = Signed::new();
    let forger = Signed::new();
    let pinned = verifier_text(&honest);
    let forged_key = verifier_text(&forger);
    let work = tempfile::tempdir().expect("a folder");
    let planted = work.path().join(&pinned);
    std::fs::create_dir_all(planted.parent().expect("a parent")).expect("folders");
    std::fs::write(&planted, format!("{forged_key}\n")).expect("plant");
    let forged_proof = std::fs::read(&forger.proof).expect("read");
    let id = pinned.split('+').nth(1).expect("a key id").to_string();
    let out = run(support::pactlog(&work.path().join("none.db"))
        .current_dir(work.path())
        .args(["audit", "-", "--key", &pinned])
        .write_stdin(forged_proof.clone()));
    assert_fails(&out, 3, &format!("(key id {id})"));
    // Given as a file, the planted key is the key used, and named.
    let forged_id = forged_key.split('+').nth(1).expect("a key id");
    let out = run(support::pactlog(&work.path().join("none.db"))
        .current_dir(work.path())
        .args(["audit", "-", "--key-file"])
        .arg(&planted)
        .write_stdin(forged_proof));
    assert_ok(&out);
    assert!(
        stdout(&out).contains(&format!("signed by example.org/log (key id {forged_id})")),
        "{}",
        stdout(&out)
    );
}

/// A file name given as `--key` is not read: it is refused as no key, saying where files
/// go.
#[test]
fn a_file_name_given_as_key_text_is_refused_with_the_option_for_files() {
    let s = Signed::new();
    for args in [
        vec!["audit".into(), s.proof.display().to_string()],
        vec![
            "verify".into(),
            "--checkpoint".into(),
            s.checkpoint.display().to_string(),
        ],
    ] {
        let out = run(s.store.cmd().args(&args).arg("--key").arg(&s.verifier));
        assert_fails(&out, 1, "a file holding it goes to --key-file");
    }
    let out = run(s.store.cmd().arg("checkpoint").arg("--key").arg(&s.key));
    assert_fails(&out, 1, "not a private key");
    // A damaged private key given as text is not echoed in the message.
    let private = std::fs::read_to_string(&s.key).expect("read");
    let damaged = &private.trim()[..private.trim().len() - 2];
    let out = run(s.store.cmd().args(["checkpoint", "--key", damaged]));
    assert_fails(&out, 1, "not a private key");
    // `PRIVATE+KEY+name+keyid+data`: the data may hold `+` itself.
    let secret = damaged.splitn(5, '+').nth(4).expect("the key data");
    assert!(
        !support::hostile::stderr(&out).contains(secret),
        "the private key text is echoed: {}",
        support::hostile::stderr(&out)
    );
    // Both at once is a usage error.
    let out = run(s
        .store
        .cmd()
        .arg("audit")
        .arg(&s.proof)
        .arg("--key")
        .arg(verifier_text(&s))
        .arg("--key-file")
        .arg(&s.verifier));
    assert_fails(&out, 1, "cannot be used with");
}

/// Every verdict names the key it used, by name and key id, as text and as JSON.
#[test]
fn verdicts_name_the_key_id_they_used() {
    let s = Signed::new();
    let vkey = VerifierKey::parse(&verifier_text(&s)).expect("a key");
    let id = format!("{:08x}", vkey.key_id());
    let audit = run(s
        .store
        .cmd()
        .arg("audit")
        .arg(&s.proof)
        .arg("--key")
        .arg(verifier_text(&s)));
    assert_ok(&audit);
    assert!(
        stdout(&audit).contains(&format!("signed by example.org/log (key id {id})")),
        "{}",
        stdout(&audit)
    );
    let json = run(s
        .store
        .cmd()
        .arg("audit")
        .arg(&s.proof)
        .arg("--key-file")
        .arg(&s.verifier)
        .arg("--json"));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        (&v["key"], &v["key_id"]),
        (&"example.org/log".into(), &id.clone().into())
    );
    let verify = run(s
        .store
        .cmd()
        .arg("verify")
        .arg("--checkpoint")
        .arg(&s.checkpoint)
        .arg("--key-file")
        .arg(&s.verifier));
    assert_ok(&verify);
    assert!(
        stdout(&verify).contains(&format!("signed by example.org/log (key id {id})")),
        "{}",
        stdout(&verify)
    );
    let v = s.store.json(&[
        "verify",
        "--json",
        "--checkpoint",
        s.checkpoint.to_str().expect("a path"),
        "--key-file",
        s.verifier.to_str().expect("a path"),
    ]);
    assert_eq!(v["checkpoint_key_id"], id.as_str(), "{v}");
    assert_eq!(v["checkpoint_head_checked"], true, "{v}");
    let cp = run(s
        .store
        .cmd()
        .args(["checkpoint", "--json", "--key-file"])
        .arg(&s.key));
    let v: serde_json::Value = serde_json::from_slice(&cp.stdout).expect("JSON");
    assert_eq!(v["key_id"], id.as_str(), "{v}");
    // A failed verdict names the key too.
    let other = Signed::new();
    let out = run(s
        .store
        .cmd()
        .arg("audit")
        .arg(&s.proof)
        .arg("--key-file")
        .arg(&other.verifier));
    let other_id = verifier_text(&other).split('+').nth(1).unwrap().to_string();
    assert_fails(&out, 3, &format!("(key id {other_id})"));
}

/// A note signed by the log's key for another origin is not this log's checkpoint:
/// `verify --checkpoint` and `audit` refuse it (exit 3).
#[test]
fn a_checkpoint_whose_origin_is_not_the_key_name_fails() {
    let s = Signed::new();
    let note = resigned(&s, "example.org/other-log", vec![head_line(&s)]);
    let file = write(s.dir(), "other-origin.txt", &note);
    assert_fails(
        &s.verify(&file),
        3,
        "the checkpoint's origin \"example.org/other-log\" is not the name of the key",
    );
    let proof = write(s.dir(), "other-origin.proof", &proof_with(&s, &note));
    assert_fails(&s.audit(&proof), 3, "the note was signed for another log");
    // Naming that origin as the log's makes it the one expected.
    let out = run(s
        .store
        .cmd()
        .arg("audit")
        .arg(&proof)
        .arg("--key-file")
        .arg(&s.verifier)
        .args(["--origin", "example.org/other-log"]));
    assert_ok(&out);
}

/// Two `pactlog-head` lines (the right one and a forged one, in either order) are
/// refused: a checker must not get to pick one.
#[test]
fn a_checkpoint_with_two_head_lines_fails() {
    let s = Signed::new();
    let good = head_line(&s);
    let forged = format!("pactlog-head {}", "0".repeat(64));
    for lines in [vec![good.clone(), forged.clone()], vec![forged, good]] {
        let file = write(
            s.dir(),
            "two-heads.txt",
            &resigned(&s, "example.org/log", lines),
        );
        assert_fails(&s.verify(&file), 3, "has 2 `pactlog-head` lines");
        let proof = std::fs::read_to_string(&file).unwrap();
        let proof = write(s.dir(), "two-heads.proof", &proof_with(&s, &proof));
        assert_fails(&s.audit(&proof), 3, "has 2 `pactlog-head` lines");
    }
}

/// A note without a `pactlog-head` line is checked by its root, and the verdict says
/// the head went unchecked (text and JSON).
#[test]
fn a_checkpoint_without_a_head_line_says_the_head_went_unchecked() {
    let s = Signed::new();
    let file = write(
        s.dir(),
        "no-head.txt",
        &resigned(&s, "example.org/log", Vec::new()),
    );
    let out = s.verify(&file);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("checkpoint head unchecked: the note has no pactlog-head line"),
        "{}",
        stdout(&out)
    );
    let v = s.store.json(&[
        "verify",
        "--json",
        "--checkpoint",
        file.to_str().expect("a path"),
        "--key-file",
        s.verifier.to_str().expect("a path"),
    ]);
    assert_eq!(v["checkpoint_ok"], true, "{v}");
    assert_eq!(v["checkpoint_head_checked"], false, "{v}");
    // The signed checkpoint of the store says its head was checked.
    assert!(!stdout(&s.verify(&s.checkpoint)).contains("unchecked"));
}

/// `key generate` refuses a name with a bidi control or a zero-width character (it
/// would print as another name in every verdict), and writes no file.
#[test]
fn key_generate_refuses_names_that_print_as_other_names() {
    let dir = tempfile::tempdir().expect("a folder");
    for name in ["example.org/log\u{202e}gol", "example.org/l\u{200b}og"] {
        let out = run(support::pactlog(&dir.path().join("none.db"))
            .current_dir(dir.path())
            .args(["key", "generate", name, "--out", "log.key"]));
        assert_fails(&out, 1, "invisible or formatting character");
        let shown = support::hostile::stderr(&out);
        assert!(
            !shown.contains('\u{202e}') && !shown.contains('\u{200b}'),
            "printed raw: {shown:?}"
        );
        assert!(!dir.path().join("log.key").exists());
    }
}
