//! `pactlog publish` and `pactlog follow`: a log published into a folder and followed
//! from it, from a plain static HTTP server serving that folder, and from `pactlog serve`
//! on the same store. An honest log is followed to the same head and root, and a second
//! run fetches only what is new; a log that rolled back, forked, or serves a tile or a
//! record that does not hash to its checkpoint is refused (exit 3, naming what was wrong)
//! and the replica is left as it was.

use crate::support::audit::{Keys, copy_dir, keygen};
use crate::support::server::Server;
use crate::support::static_http::StaticHttp;
use crate::support::{self, assert_code, pactlog, stderr_of};
use pactlog::tlog::{TileKind, TilePath, new_tiles};
use serde_json::Value;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The synthetic dataset every log here is made of.
const SEED: u64 = 23;
/// Its events; a log starts with the first [`FIRST`] and grows to all of them.
const TOTAL: usize = 700;
const FIRST: usize = 300;
/// The instant the honest log's records are recorded at; a fork records at another.
const AT: i64 = 1_767_225_600;

/// A source log: its store, the folder it is published in, its key.
struct Log {
    tmp: tempfile::TempDir,
    store: PathBuf,
    dir: PathBuf,
    keys: Keys,
}

impl Log {
    /// A log of the first [`FIRST`] events recorded at `at`, published; signed with
    /// `keys` (copied) or a new key.
    fn new(at: i64, keys: Option<&Keys>) -> Log {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("source.db");
        let keys = match keys {
            Some(k) => {
                let skey = tmp.path().join("log.key");
                std::fs::copy(&k.skey, &skey).unwrap();
                Keys {
                    skey,
                    vkey: k.vkey.clone(),
                    vkey_file: k.vkey_file.clone(),
                }
            }
            None => keygen(tmp.path(), "log.key"),
        };
        let log = Log {
            dir: tmp.path().join("public"),
            tmp,
            store,
            keys,
        };
        log.grow(0..FIRST, at);
        log.publish();
        log
    }

    /// Appends synthetic events `events` (parties first when it starts at 0).
    fn grow(&self, events: Range<usize>, at: i64) {
        append_synth(&self.store, events, at);
    }

    /// `pactlog publish --json` into its folder.
    fn publish(&self) -> Value {
        publish_json(&self.store, &self.dir, &self.keys.skey)
    }

    /// Its size, head and root, as `verify --json` gives them.
    fn state(&self) -> (u64, String, String) {
        state_of(&self.store)
    }
}

fn append_synth(store: &Path, events: Range<usize>, at: i64) {
    support::append_synth(store, SEED, TOTAL, events, at);
}

fn publish_json(store: &Path, dir: &Path, skey: &Path) -> Value {
    let out = pactlog(store)
        .arg("publish")
        .arg(dir)
        .arg("--key-file")
        .arg(skey)
        .arg("--json")
        .output()
        .unwrap();
    assert_code(&out, 0, "publish");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn state_of(store: &Path) -> (u64, String, String) {
    let out = pactlog(store).args(["verify", "--json"]).output().unwrap();
    assert_code(&out, 0, "verify");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["checked"].as_u64().unwrap(),
        v["head"].as_str().unwrap().to_string(),
        v["root"].as_str().unwrap().to_string(),
    )
}

/// A follower's replica.
struct Replica {
    _tmp: tempfile::TempDir,
    store: PathBuf,
}

impl Replica {
    fn new() -> Replica {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("replica.db");
        Replica { _tmp: tmp, store }
    }

    /// `pactlog follow SOURCE --key VKEY --json`.
    fn follow(&self, source: &str, vkey: &str) -> std::process::Output {
        pactlog(&self.store)
            .args(["follow", source, "--key", vkey, "--json"])
            .output()
            .unwrap()
    }

    /// Follows; it must succeed. Returns the report.
    fn follow_ok(&self, source: &str, vkey: &str) -> Value {
        let out = self.follow(source, vkey);
        assert_code(&out, 0, "follow");
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Follows; it must be refused (exit 3) saying `wanted`, and change nothing.
    fn refused(&self, source: &str, vkey: &str, wanted: &str) {
        let before = self.snapshot();
        let out = self.follow(source, vkey);
        assert_code(&out, 3, "follow of a bad log");
        let err = stderr_of(&out);
        assert!(err.contains(wanted), "wanted {wanted:?} in: {err}");
        assert_eq!(self.snapshot(), before, "the replica changed: {err}");
    }

    /// Size, head, root and the accepted checkpoint.
    fn snapshot(&self) -> (u64, String, String, Vec<u8>) {
        let (n, head, root) = state_of(&self.store);
        let followed = std::fs::read(self.store.join("pactlog-followed")).unwrap();
        (n, head, root, followed)
    }
}

/// How a follower reaches a log.
#[derive(Clone, Copy, Debug)]
enum Via {
    /// The published folder itself.
    Dir,
    /// A plain static file server serving the published folder.
    Static,
    /// `pactlog serve` on the log's store.
    Serve,
}

const ALL: [Via; 3] = [Via::Dir, Via::Static, Via::Serve];

/// A resource to damage: its path and the offset of the byte to flip (from the end when
/// negative).
type Damage = Option<(String, i64)>;

/// A log reachable as `location` while it lives.
struct Source {
    location: String,
    _keep: Vec<Box<dyn std::any::Any>>,
}

fn flip(bytes: &mut [u8], at: i64) {
    let i = if at < 0 {
        bytes.len() - at.unsigned_abs() as usize
    } else {
        at as usize
    };
    bytes[i] ^= 1;
}

/// The log in `store`, published in `dir`, over `via`, with `damage` done to what is
/// served.
fn reach(store: &Path, dir: &Path, via: Via, damage: Damage) -> Source {
    match (via, damage) {
        (Via::Dir, None) => Source {
            location: dir.display().to_string(),
            _keep: Vec::new(),
        },
        (Via::Dir, Some((path, at))) => {
            let copy = tempfile::tempdir().unwrap();
            copy_dir(dir, copy.path());
            let file = copy.path().join(&path);
            let mut bytes = std::fs::read(&file).unwrap();
            flip(&mut bytes, at);
            std::fs::write(&file, bytes).unwrap();
            Source {
                location: copy.path().display().to_string(),
                _keep: vec![Box::new(copy)],
            }
        }
        (Via::Static, damage) => {
            let dir = dir.to_path_buf();
            let http = StaticHttp::serve(Box::new(move |p: &str| {
                let rel = p.strip_prefix('/')?;
                if rel.split('/').any(|c| c.is_empty() || c == "..") {
                    return None;
                }
                let mut bytes = std::fs::read(dir.join(rel)).ok()?;
                damaged(rel, &mut bytes, &damage);
                Some(bytes)
            }));
            Source {
                location: http.url.clone(),
                _keep: vec![Box::new(http)],
            }
        }
        (Via::Serve, None) => {
            let server = Server::start(store, &[]);
            Source {
                location: server.url.clone(),
                _keep: vec![Box::new(server)],
            }
        }
        (Via::Serve, damage) => {
            // pactlog serve's answers, damaged on the way by a proxy.
            let server = Server::start(store, &[]);
            let url = server.url.clone();
            let http = StaticHttp::serve(Box::new(move |p: &str| {
                let mut answer = ureq::get(format!("{url}{p}")).call().ok()?;
                let mut bytes = answer.body_mut().read_to_vec().ok()?;
                damaged(p.trim_start_matches('/'), &mut bytes, &damage);
                Some(bytes)
            }));
            Source {
                location: http.url.clone(),
                _keep: vec![Box::new(http), Box::new(server)],
            }
        }
    }
}

fn damaged(path: &str, bytes: &mut [u8], damage: &Damage) {
    if let Some((target, at)) = damage
        && target == path
    {
        flip(bytes, *at);
    }
}

/// Resources a follow from `old` to `new` records fetches: the checkpoint, then the hash
/// tiles and bundles the larger tree has and the smaller does not.
fn fetches(old: u64, new: u64) -> u64 {
    1 + new_tiles(old, new).len() as u64
}

#[test]
fn an_honest_log_is_followed_to_its_head_and_root_and_again_only_for_what_is_new() {
    for via in ALL {
        let log = Log::new(AT, None);
        let replica = Replica::new();
        let (n1, head1, root1) = log.state();
        assert!(n1 > 256, "the log spans more than one tile");
        let source = reach(&log.store, &log.dir, via, None);
        let r = replica.follow_ok(&source.location, &log.keys.vkey);
        assert_eq!(
            (r["size"].as_u64(), r["appended"].as_u64()),
            (Some(n1), Some(n1)),
            "{via:?} {r}"
        );
        assert_eq!(r["fetched"].as_u64(), Some(fetches(0, n1)), "{via:?} {r}");
        assert_eq!(
            state_of(&replica.store),
            (n1, head1.clone(), root1.clone()),
            "{via:?}"
        );
        assert_eq!(
            (r["head"].as_str(), r["root"].as_str()),
            (Some(&*head1), Some(&*root1))
        );
        drop(source);

        log.grow(FIRST..TOTAL, AT);
        log.publish();
        let (n2, head2, root2) = log.state();
        let source = reach(&log.store, &log.dir, via, None);
        let r = replica.follow_ok(&source.location, &log.keys.vkey);
        assert_eq!(r["appended"].as_u64(), Some(n2 - n1), "{via:?} {r}");
        assert_eq!(r["fetched"].as_u64(), Some(fetches(n1, n2)), "{via:?} {r}");
        assert_eq!(state_of(&replica.store), (n2, head2, root2), "{via:?}");
        // Nothing new: the checkpoint alone.
        let r = replica.follow_ok(&source.location, &log.keys.vkey);
        assert_eq!(
            (r["appended"].as_u64(), r["fetched"].as_u64()),
            (Some(0), Some(1)),
            "{via:?}"
        );
    }
}

#[test]
fn a_log_that_rolled_back_is_refused() {
    for via in ALL {
        let log = Log::new(AT, None);
        let old = log.tmp.path().join("old");
        copy_dir(&log.dir, &old.join("public"));
        copy_dir(&log.store, &old.join("source.db"));
        log.grow(FIRST..TOTAL, AT);
        log.publish();
        let replica = Replica::new();
        let source = reach(&log.store, &log.dir, via, None);
        replica.follow_ok(&source.location, &log.keys.vkey);
        drop(source);
        let older = reach(&old.join("source.db"), &old.join("public"), via, None);
        replica.refused(&older.location, &log.keys.vkey, "rolled back");
    }
}

#[test]
fn a_log_that_forked_is_refused_at_the_same_size_and_beyond() {
    for via in ALL {
        let honest = Log::new(AT, None);
        let replica = Replica::new();
        let source = reach(&honest.store, &honest.dir, via, None);
        replica.follow_ok(&source.location, &honest.keys.vkey);
        drop(source);
        // The key holder signs another history: the same events, recorded later.
        let fork = Log::new(AT + 60, Some(&honest.keys));
        assert_eq!(fork.state().0, honest.state().0);
        assert_ne!(fork.state().2, honest.state().2);
        let source = reach(&fork.store, &fork.dir, via, None);
        replica.refused(&source.location, &honest.keys.vkey, "forked");
        drop(source);
        fork.grow(FIRST..TOTAL, AT + 60);
        fork.publish();
        let source = reach(&fork.store, &fork.dir, via, None);
        replica.refused(&source.location, &honest.keys.vkey, "forked");
    }
}

#[test]
fn a_tile_or_a_record_that_does_not_hash_to_the_checkpoint_is_refused() {
    for via in ALL {
        let log = Log::new(AT, None);
        let replica = Replica::new();
        let n1 = log.state().0;
        let source = reach(&log.store, &log.dir, via, None);
        replica.follow_ok(&source.location, &log.keys.vkey);
        drop(source);
        log.grow(FIRST..TOTAL, AT);
        log.publish();
        let n2 = log.state().0;
        let new = new_tiles(n1, n2);
        let last =
            |kind: TileKind| -> TilePath { *new.iter().rev().find(|p| p.kind() == kind).unwrap() };
        let level0 = last(TileKind::Hashes { level: 0 });
        let level1 = last(TileKind::Hashes { level: 1 });
        let bundle = last(TileKind::Entries);
        for (path, at, wanted) in [
            (
                level0,
                -1,
                format!("tile {level0} does not hash to the checkpoint"),
            ),
            (
                level1,
                0,
                format!("tile {level1} does not hash to the checkpoint"),
            ),
            (bundle, -1, format!("of {bundle}) does not hash to hash")),
        ] {
            let damage = Some((path.to_string(), at));
            let source = reach(&log.store, &log.dir, via, damage);
            replica.refused(&source.location, &log.keys.vkey, &wanted);
        }
        let source = reach(&log.store, &log.dir, via, None);
        let r = replica.follow_ok(&source.location, &log.keys.vkey);
        assert_eq!(r["size"].as_u64(), Some(n2), "{via:?}");
    }
}

#[test]
fn a_follow_with_the_wrong_key_or_from_nowhere_is_refused_and_creates_no_replica() {
    let log = Log::new(AT, None);
    let other = keygen(log.tmp.path(), "other.key");
    let replica = Replica::new();
    let dir = log.dir.display().to_string();
    let out = replica.follow(&dir, &other.vkey);
    assert_code(&out, 3, "follow with another key");
    assert!(
        !replica.store.exists(),
        "a refused first follow leaves no replica"
    );
    let empty = log.tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = replica.follow(empty.to_str().unwrap(), &log.keys.vkey);
    assert_code(&out, 3, "follow of a folder without a log");
    assert!(
        stderr_of(&out).contains("has no checkpoint"),
        "{}",
        stderr_of(&out)
    );
    let out = replica.follow(
        log.tmp.path().join("nothing").to_str().unwrap(),
        &log.keys.vkey,
    );
    assert_code(&out, 1, "follow of a path that is not there");
    assert!(!replica.store.exists());
}
