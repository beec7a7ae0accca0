//! `pactlog publish` killed at random points (SIGKILL after random short delays) while a
//! log of a few thousand records grows: after every kill the folder must still be a
//! valid log, as readers nobody here wrote see it (the `signed_note` crate verifies the
//! checkpoint, the `tlog_tiles` crate authenticates every tile it reads against the
//! checkpoint's root, and every record of every bundle is checked against the leaf
//! hashes it authenticated), and as `pactlog follow` sees it: one replica follows the
//! folder after every kill, and is never refused (a published checkpoint never rolls
//! back, never names a tile that is missing). Also: a folder that holds another log is
//! refused and left as it was, and a run writes only what is new.

use crate::support::audit::{copy_dir, keygen, their_verifiers};
use crate::support::hostile::snapshot;
use crate::support::{self, assert_code, pactlog, stderr_of};
use pactlog::tlog::{EntryBundle, TileKind, new_tiles};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use tlog_tiles::{HashReader, TileHashReader};

/// Events of the growing log, appended in [`STAGES`] steps.
const TOTAL: usize = 3_000;
const STAGES: usize = 3;
/// Kills per stage.
const KILLS: usize = 8;

fn append(store: &Path, seed: u64, events: std::ops::Range<usize>) {
    support::append_synth(store, seed, TOTAL, events, 1_767_225_600);
}

fn publish(store: &Path, dir: &Path, skey: &Path) -> std::process::Output {
    pactlog(store)
        .arg("publish")
        .arg(dir)
        .arg("--key-file")
        .arg(skey)
        .arg("--json")
        .output()
        .unwrap()
}

/// Tiles read from a published folder, as `tlog_tiles` asks for them.
struct DirTiles<'a>(&'a Path);

impl tlog_tiles::TileReader for DirTiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                // Go's sumdb spelling has the height after `tile/`; C2SP's does not.
                let path = t.path().replacen("tile/8/", "tile/", 1);
                std::fs::read(self.0.join(path)).map_err(|_| tlog_tiles::Error::InvalidTile)
            })
            .collect()
    }

    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

/// The folder is a valid log signed by `vkey`, as crates nobody here wrote read it:
/// returns its size (0 when nothing is published yet).
fn valid_log(dir: &Path, vkey: &str) -> u64 {
    let Ok(note) = std::fs::read(dir.join("checkpoint")) else {
        return 0;
    };
    let note = signed_note::Note::from_bytes(&note).expect("the checkpoint is a signed note");
    note.verify(&their_verifiers(&[vkey]))
        .expect("signed by the log's key");
    let cp = tlog_tiles::Checkpoint::from_bytes(note.text()).expect("a checkpoint");
    let (size, root) = (cp.size(), *cp.hash());
    let tiles = DirTiles(dir);
    let hashes = TileHashReader::new(size, root, &tiles);
    assert_eq!(
        tlog_tiles::tree_hash(size, &hashes).expect("every tile the root needs is there"),
        root
    );
    for bundle in new_tiles(0, size)
        .into_iter()
        .filter(|p| p.kind() == TileKind::Entries)
    {
        let bytes = std::fs::read(dir.join(bundle.to_string()))
            .unwrap_or_else(|e| panic!("{bundle} of the checkpoint's tree: {e}"));
        let entries = EntryBundle::parse(&bundle, &bytes).unwrap().into_entries();
        let indexes: Vec<u64> = (bundle.first()..bundle.end())
            .map(|n| tlog_tiles::stored_hash_index(0, n))
            .collect();
        let leaves = hashes
            .read_hashes(&indexes)
            .expect("the leaf hashes authenticate");
        for (i, (entry, leaf)) in entries.iter().zip(&leaves).enumerate() {
            assert_eq!(
                tlog_tiles::record_hash(entry),
                *leaf,
                "record {i} of {bundle}"
            );
        }
    }
    size
}

/// A small deterministic generator of delays.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

#[test]
fn a_publish_killed_at_random_points_always_leaves_a_valid_log() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, dir) = (tmp.path().join("source.db"), tmp.path().join("public"));
    let replica = tmp.path().join("replica.db");
    let keys = keygen(tmp.path(), "log.key");
    let mut rng = Lcg(23);
    let mut published = 0;
    // Kills that stopped a run before it ended (the rest came after it).
    let mut interrupted = 0;
    for stage in 0..STAGES {
        append(
            &store,
            5,
            stage * TOTAL / STAGES..(stage + 1) * TOTAL / STAGES,
        );
        // How long an uninterrupted run takes, on a copy: kills land within it.
        let probe = tmp.path().join(format!("probe-{stage}"));
        if dir.exists() {
            copy_dir(&dir, &probe);
        }
        let started = Instant::now();
        assert_code(&publish(&store, &probe, &keys.skey), 0, "publish");
        let full = started.elapsed().as_millis() as u64;
        for _ in 0..KILLS {
            let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pactlog"))
                .arg("--store")
                .arg(&store)
                .arg("publish")
                .arg(&dir)
                .arg("--key-file")
                .arg(&keys.skey)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(rng.below(full + full / 5)));
            if child.try_wait().unwrap().is_none() {
                interrupted += 1;
            }
            let _ = child.kill();
            child.wait().unwrap();
            let size = valid_log(&dir, &keys.vkey);
            assert!(size >= published, "the published size went back");
            published = size;
            if size > 0 {
                let out = pactlog(&replica)
                    .arg("follow")
                    .arg(&dir)
                    .args(["--key", &keys.vkey])
                    .output()
                    .unwrap();
                assert_code(&out, 0, "follow after a killed publish");
            }
        }
        let out = publish(&store, &dir, &keys.skey);
        assert_code(&out, 0, "publish after the kills");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        published = valid_log(&dir, &keys.vkey);
        assert_eq!(report["size"].as_u64(), Some(published));
    }
    assert!(published > 3_000, "{published}");
    eprintln!("{interrupted} of {} kills stopped a run", STAGES * KILLS);
    assert!(
        interrupted >= STAGES * KILLS / 4,
        "{interrupted} kills stopped a run"
    );
}

#[test]
fn a_folder_that_holds_another_log_is_refused_and_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("source.db");
    append(&store, 5, 0..600);
    let keys = keygen(tmp.path(), "log.key");
    let other = keygen(tmp.path(), "other.key");
    let dir = tmp.path().join("public");

    // Another log's folder: its checkpoint is not signed by this key.
    let other_store = tmp.path().join("other.db");
    append(&other_store, 6, 0..300);
    assert_code(&publish(&other_store, &dir, &other.skey), 0, "publish");
    let before = snapshot(&dir);
    let out = publish(&store, &dir, &keys.skey);
    assert_code(&out, 3, "publish into another log's folder");
    assert!(
        stderr_of(&out).contains("another log"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(snapshot(&dir), before);

    // A tile with other bytes than this ledger's, where no checkpoint says what is there.
    let fresh = tmp.path().join("fresh");
    std::fs::create_dir_all(fresh.join("tile/0")).unwrap();
    std::fs::write(fresh.join("tile/0/000"), [7u8; 8192]).unwrap();
    let before = snapshot(&fresh);
    let out = publish(&store, &fresh, &keys.skey);
    assert_code(&out, 3, "publish over a tile with other bytes");
    assert!(
        stderr_of(&out).contains("tile/0/000: holds other bytes"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(snapshot(&fresh), before, "nothing was written");
}

#[test]
fn a_run_writes_only_what_is_new_and_never_rewrites_a_tile() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("source.db");
    let dir = tmp.path().join("public");
    let keys = keygen(tmp.path(), "log.key");
    append(&store, 5, 0..600);
    let first: Value = serde_json::from_slice(&publish(&store, &dir, &keys.skey).stdout).unwrap();
    let n1 = first["size"].as_u64().unwrap();
    assert_eq!(
        first["written"].as_u64(),
        Some(new_tiles(0, n1).len() as u64)
    );
    let full = dir.join("tile/0/000");
    let stamp = std::fs::metadata(&full).unwrap().modified().unwrap();
    let again: Value = serde_json::from_slice(&publish(&store, &dir, &keys.skey).stdout).unwrap();
    assert_eq!(
        (
            again["written"].as_u64(),
            again["checkpoint_replaced"].as_bool()
        ),
        (Some(0), Some(false))
    );
    append(&store, 5, 600..1_200);
    let grown: Value = serde_json::from_slice(&publish(&store, &dir, &keys.skey).stdout).unwrap();
    let n2 = grown["size"].as_u64().unwrap();
    assert_eq!(grown["previous"].as_u64(), Some(n1));
    assert_eq!(
        grown["written"].as_u64(),
        Some(new_tiles(n1, n2).len() as u64)
    );
    assert_eq!(grown["checkpoint_replaced"].as_bool(), Some(true));
    assert_eq!(std::fs::metadata(&full).unwrap().modified().unwrap(), stamp);
    assert_eq!(valid_log(&dir, &keys.vkey), n2);
}
