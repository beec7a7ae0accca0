//! Hostile store folders through the `pactlog` binary: links, special files and foreign
//! files where sled keeps its own, which no command may write through or over (not even
//! one that only reads), and a store folder moved away while an import writes it.

use crate::support::hostile::{assert_fails, mkfifo, run, snapshot, symlink};
use crate::support::{TempStore, pactlog, small_fixture};
use pactlog::store::WITNESS_FILE;
use pactlog::synth::{Synth, SynthConfig, write_event_files};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// What a victim file outside the store holds before each command.
const VICTIM: &[u8] = b"precious bytes outside the store\n";

/// A folder `name` beside `good` holding a copy of the store's `conf`, plus what `plant`
/// puts there; returns the folder.
fn evil_store(good: &TempStore, name: &str, plant: impl FnOnce(&Path)) -> PathBuf {
    let evil = good.dir.path().join(name);
    std::fs::create_dir(&evil).unwrap();
    std::fs::copy(good.path.join("conf"), evil.join("conf")).unwrap();
    plant(&evil);
    evil
}

/// Every store command that opens a store, reading or writing.
fn commands() -> Vec<Vec<String>> {
    let small = small_fixture().display().to_string();
    [
        vec!["log"],
        vec!["check", &small],
        vec!["verify"],
        vec!["import", &small],
        vec!["state", "--as-of", "2025-01-01"],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect()
}

/// Runs every command on the store `evil`; each must refuse it (exit 1) naming `named`,
/// and leave `victim` and the folder as they were.
/// Every command fails with `code` (1 for links and special files, 2 for foreign or
/// damaged sled files), naming the file, and writes nothing.
fn assert_refused_by_every_command(evil: &Path, named: &str, victim: &Path, code: i32) {
    let before = snapshot(evil);
    for args in commands() {
        std::fs::write(victim, VICTIM).unwrap();
        let out = run(pactlog(evil).args(&args));
        assert_fails(&out, code, named);
        assert_eq!(
            std::fs::read(victim).unwrap(),
            VICTIM,
            "{args:?} wrote through to the victim file"
        );
        assert_eq!(snapshot(evil), before, "{args:?} changed the store folder");
    }
}

fn good_store() -> (TempStore, PathBuf) {
    let good = TempStore::new();
    good.import(&[&small_fixture()]);
    let victim = good.dir.path().join("victim.txt");
    std::fs::write(&victim, VICTIM).unwrap();
    (good, victim)
}

#[test]
fn a_store_whose_db_is_a_link_is_refused_and_the_link_not_written_through() {
    let (good, victim) = good_store();
    let evil = evil_store(&good, "evil", |d| symlink(&victim, &d.join("db")));
    assert_refused_by_every_command(&evil, "evil/db: it is a symbolic link", &victim, 1);
}

#[test]
fn a_store_whose_conf_or_blobs_or_witness_is_a_link_is_refused() {
    let (good, victim) = good_store();
    let db = |d: &Path| {
        std::fs::copy(good.path.join("db"), d.join("db"))
            .map(|_| ())
            .unwrap()
    };
    let conf = evil_store(&good, "conf-link", |d| {
        db(d);
        std::fs::remove_file(d.join("conf")).unwrap();
        symlink(&victim, &d.join("conf"));
    });
    assert_refused_by_every_command(&conf, "conf-link/conf: it is a symbolic link", &victim, 1);
    let blobs = evil_store(&good, "blob-link", |d| {
        db(d);
        std::fs::create_dir(d.join("blobs")).unwrap();
        symlink(&victim, &d.join("blobs/1"));
    });
    assert_refused_by_every_command(
        &blobs,
        "blob-link/blobs/1: it is a symbolic link",
        &victim,
        1,
    );
    // The temporary name an older build wrote its witness to, linked out of the store.
    let temp = evil_store(&good, "temp-link", |d| {
        db(d);
        symlink(&victim, &d.join("pactlog-witness.tmp"));
    });
    assert_refused_by_every_command(
        &temp,
        "pactlog-witness.tmp: it is a symbolic link",
        &victim,
        1,
    );
}

#[test]
fn a_store_holding_a_fifo_is_refused_without_waiting_on_it() {
    let (good, victim) = good_store();
    let fifo = evil_store(&good, "fifo", |d| {
        std::fs::copy(good.path.join("db"), d.join("db")).unwrap();
        mkfifo(&d.join("snap.0000000000000001"));
    });
    assert_refused_by_every_command(&fifo, "snap.0000000000000001: it is a FIFO", &victim, 1);
    let conf = evil_store(&good, "fifo-conf", |d| {
        std::fs::copy(good.path.join("db"), d.join("db")).unwrap();
        std::fs::remove_file(d.join("conf")).unwrap();
        mkfifo(&d.join("conf"));
    });
    assert_refused_by_every_command(&conf, "fifo-conf/conf: it is a FIFO", &victim, 1);
}

#[test]
fn a_foreign_db_or_conf_beside_sled_files_is_refused_and_left_as_it_was() {
    let (good, victim) = good_store();
    // A file of someone's own named `db`, beside a genuine conf: sled would take it over.
    let foreign = evil_store(&good, "foreign", |d| {
        std::fs::write(d.join("db"), vec![0x5a; 600 << 10]).unwrap();
    });
    assert_refused_by_every_command(&foreign, "foreign/db: it is not sled's log", &victim, 2);
    // A genuine db with no conf beside it is not a store sled can read safely.
    let bare = good.dir.path().join("bare");
    std::fs::create_dir(&bare).unwrap();
    std::fs::copy(good.path.join("db"), bare.join("db")).unwrap();
    assert_refused_by_every_command(
        &bare,
        "bare/db: it is not sled's: there is no conf",
        &victim,
        2,
    );
    // A conf whose checksum does not match its text.
    let conf = evil_store(&good, "bad-conf", |d| {
        std::fs::copy(good.path.join("db"), d.join("db")).unwrap();
        std::fs::write(d.join("conf"), "segment_size: 524288\nmy notes\n").unwrap();
    });
    assert_refused_by_every_command(
        &conf,
        "bad-conf/conf: it is not sled's settings",
        &victim,
        2,
    );
}

#[test]
fn a_store_path_that_is_a_dangling_link_is_not_created_through() {
    let (good, _) = good_store();
    let target = good.dir.path().join("elsewhere");
    let link = good.dir.path().join("dangling.db");
    symlink(&target, &link);
    let out = run(pactlog(&link).arg("import").arg(small_fixture()));
    assert_fails(&out, 1, "dangling.db");
    assert!(!target.exists(), "nothing was created through the link");
}

#[test]
fn a_genuine_store_copied_whole_still_opens() {
    let (good, _) = good_store();
    let copy = good.dir.path().join("copy.db");
    std::fs::create_dir(&copy).unwrap();
    for entry in std::fs::read_dir(&good.path).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
        }
    }
    let out = run(pactlog(&copy).arg("verify"));
    crate::support::hostile::assert_ok(&out);
}

// ---------------------------------------------------------------------------------------
// A store folder moved or removed while an import writes it

/// How long an import may run on after its folder went: it must notice within seconds.
const AFTER_MOVE: Duration = Duration::from_secs(30);

/// Starts an import of `events` generated events into `store`, waits until its first
/// batch is durable (the witness appears), then does `away` to the store folder. The
/// import must end within [`AFTER_MOVE`]; returns its exit code and stderr.
fn import_then(store: &TempStore, events: usize, away: impl FnOnce(&Path)) -> (i32, String) {
    let files = store.dir.path().join("events");
    let synth = Synth::new(SynthConfig::new(19, events));
    write_event_files(&files, &synth.parties(), synth.events(), 5_000).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pactlog"))
        .arg("--store")
        .arg(&store.path)
        .args(["--quiet", "import"])
        .arg(&files)
        .env("PACTLOG_NOW", crate::support::NOW)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start pactlog");
    let witness = store.path.join(WITNESS_FILE);
    let start = Instant::now();
    while !witness.exists() {
        if child.try_wait().unwrap().is_some() || start.elapsed() > AFTER_MOVE * 4 {
            let _ = child.kill();
            panic!("the import ended or stalled before its first batch was durable");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    away(&store.path);
    let moved = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if moved.elapsed() > AFTER_MOVE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the import was still running {AFTER_MOVE:?} after its folder went");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (status.code().expect("ended by a signal"), err)
}

#[test]
fn a_store_folder_renamed_during_an_import_ends_it_within_seconds_saying_what_was_kept() {
    let store = TempStore::new();
    let moved = store.dir.path().join("moved.db");
    let (code, err) = import_then(&store, 40_000, |path| {
        std::fs::rename(path, &moved).unwrap()
    });
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("was moved or removed while pactlog was using it"),
        "{err}"
    );
    assert!(err.contains("committed before the error"), "{err}");
    assert!(
        !store.path.exists(),
        "nothing was made again at the old path"
    );
    // What was committed is a whole store where it went.
    let out = run(pactlog(&moved).arg("verify"));
    crate::support::hostile::assert_ok(&out);
}

#[test]
fn a_store_folder_removed_during_an_import_ends_it_within_seconds() {
    let store = TempStore::new();
    let (code, err) = import_then(&store, 40_000, |path| {
        std::fs::remove_dir_all(path).unwrap()
    });
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("was moved or removed while pactlog was using it"),
        "{err}"
    );
    assert!(
        !store.path.exists(),
        "nothing was made again at the old path"
    );
}
