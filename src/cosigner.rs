//! A C2SP tlog-witness: per log it watches (origin and the log's verifier key), the
//! latest checkpoint it cosigned; it cosigns a new checkpoint only when the checkpoint
//! is signed by the log and provably consistent with that one.
//!
//! The state lives in a folder: `logs/<SHA-256 of the origin, 16 bytes hex>` per log,
//! a small text file (`pactlog witness log v1`, then `origin`, `key`, `size` and, once
//! a checkpoint was cosigned, `root` lines), and `lock`, held exclusively around every
//! check-and-record. A state file is replaced whole (a new temporary file, synced, then
//! renamed over the old one), so a crash leaves the old state or the new one. A refused
//! request writes nothing, and two requests from the same old size cannot both be
//! cosigned: the second finds the size the first recorded and gets a conflict.
//!
//! The request is the tlog-witness `add-checkpoint` body ([`AddCheckpoint`]); the
//! answer is one `cosignature/v1` signature line, or a [`CosignerError`] whose
//! [`http_status`](CosignerError::http_status) is the spec's status code.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::checkpoint::{Checkpoint, Cosigner, Note, NoteSignature, VerifierKey};
use crate::merkle::Hash;

/// The most consistency proof lines a request may carry (the spec's limit).
pub const MAX_PROOF_LINES: usize = 63;

const STATE_HEADER: &str = "pactlog witness log v1";

/// Why a witness did not cosign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CosignerError {
    /// The request does not have the tlog-witness shape, or its old size is larger
    /// than the checkpoint's (400).
    #[error("malformed add-checkpoint request: {0}")]
    Malformed(String),
    /// The checkpoint's origin is not a log this witness watches (404).
    #[error("unknown log {0:?}: add it with `pactlog witness add-log`")]
    UnknownLog(String),
    /// No signature by the log's key verifies (403).
    #[error("the checkpoint is not signed by the log's key: {0}")]
    Unverified(String),
    /// The old size is not the size this witness last cosigned, or a checkpoint of the
    /// same size has another root: a fork (409).
    #[error("conflict: {reason} (the witness last cosigned size {size})")]
    Conflict {
        /// The size of the latest checkpoint the witness cosigned.
        size: u64,
        /// What did not match.
        reason: String,
    },
    /// The consistency proof does not verify (422).
    #[error("the consistency proof does not verify: {0}")]
    Inconsistent(String),
    /// The state folder cannot be read or written (500).
    #[error("witness state: {0}")]
    Storage(String),
}

impl CosignerError {
    /// The tlog-witness HTTP status code for this refusal.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            CosignerError::Malformed(_) => 400,
            CosignerError::UnknownLog(_) => 404,
            CosignerError::Unverified(_) => 403,
            CosignerError::Conflict { .. } => 409,
            CosignerError::Inconsistent(_) => 422,
            CosignerError::Storage(_) => 500,
        }
    }

    /// Whether this refusal says the log misbehaved or the checkpoint is not what it
    /// claims (bad signature, fork, stale or inconsistent), rather than a usage or
    /// storage problem.
    #[must_use]
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            self,
            CosignerError::Unverified(_)
                | CosignerError::Conflict { .. }
                | CosignerError::Inconsistent(_)
        )
    }
}

/// A tlog-witness `add-checkpoint` request: `old <size>`, up to 63 base64 consistency
/// proof hashes, a blank line, then the signed checkpoint note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the proof starts from.
    pub old: u64,
    /// The consistency proof from `old` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The signed checkpoint note.
    pub note: String,
}

impl AddCheckpoint {
    /// Parses a request body.
    ///
    /// # Errors
    /// [`CosignerError::Malformed`] naming the line that breaks the format.
    pub fn parse(body: &str) -> Result<Self, CosignerError> {
        let bad = |line: usize, why: &str| CosignerError::Malformed(format!("line {line}: {why}"));
        let (first, mut rest) = body
            .split_once('\n')
            .ok_or_else(|| bad(1, "no `old <size>` line"))?;
        let old = first
            .strip_prefix("old ")
            .and_then(parse_size)
            .ok_or_else(|| bad(1, "want `old <size>` (decimal, no leading zeros)"))?;
        let mut proof = Vec::new();
        loop {
            let line_no = proof.len() + 2;
            let (line, after) = rest
                .split_once('\n')
                .ok_or_else(|| bad(line_no, "no blank line before the checkpoint"))?;
            rest = after;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad(line_no, "more than 63 consistency proof lines"));
            }
            proof.push(parse_hash(line).ok_or_else(|| bad(line_no, "not a base64 hash"))?);
        }
        Ok(Self {
            old,
            proof,
            note: rest.to_owned(),
        })
    }

    /// The request body.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = format!("old {}\n", self.old);
        for h in &self.proof {
            out.push_str(&format!("{h}\n"));
        }
        out.push('\n');
        out.push_str(&self.note);
        out
    }
}

/// The largest `add-checkpoint` request body: the `old` line, 63 proof lines of 45
/// bytes, the blank line and a note of at most [`MAX_NOTE_BYTES`](crate::checkpoint::MAX_NOTE_BYTES).
pub const MAX_REQUEST_BYTES: usize = crate::checkpoint::MAX_NOTE_BYTES + 4096;

/// The largest answer a witness client reads: cosignature lines, at most
/// [`MAX_NOTE_SIGNATURES`](crate::checkpoint::MAX_NOTE_SIGNATURES) of them.
pub const MAX_RESPONSE_BYTES: u64 = 64 << 10;

/// The media type of a 409 answer's body, the witness's size.
pub const SIZE_MEDIA_TYPE: &str = "text/x.tlog.size";

/// The body of a 409 answer: the size of the latest checkpoint cosigned, in decimal,
/// and a newline.
#[must_use]
pub fn conflict_body(size: u64) -> String {
    format!("{size}\n")
}

/// The size in a 409 answer's body (see [`conflict_body`]).
#[must_use]
pub fn parse_conflict_body(body: &str) -> Option<u64> {
    body.strip_suffix('\n').and_then(parse_size)
}

/// The cosignature lines of a witness's 200 answer: one or more signature lines, each
/// ending in a newline.
///
/// # Errors
/// A message naming the line that is not a signature line.
pub fn parse_cosignatures(body: &str) -> Result<Vec<NoteSignature>, String> {
    if body.is_empty() || !body.ends_with('\n') {
        return Err("the answer is not signature lines, each ending in a newline".into());
    }
    let mut lines = Vec::new();
    for (i, line) in body.split_terminator('\n').enumerate() {
        if i == crate::checkpoint::MAX_NOTE_SIGNATURES {
            return Err(format!(
                "more than {} signature lines",
                crate::checkpoint::MAX_NOTE_SIGNATURES
            ));
        }
        lines.push(NoteSignature::parse(line).map_err(|e| format!("line {}: {e}", i + 1))?);
    }
    Ok(lines)
}

fn parse_size(text: &str) -> Option<u64> {
    let canonical = text == "0" || (!text.starts_with('0') && !text.is_empty());
    if canonical && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

fn parse_hash(text: &str) -> Option<Hash> {
    let bytes = STANDARD.decode(text).ok()?;
    let hash = Hash::from_slice(&bytes).ok()?;
    (STANDARD.encode(bytes) == text).then_some(hash)
}

/// One log a witness watches, as its state file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedLog {
    /// The log's origin line.
    pub origin: String,
    /// The log's verifier key.
    pub key: VerifierKey,
    /// The size of the latest checkpoint cosigned (0 before the first).
    pub size: u64,
    /// Its root; `None` before the first.
    pub root: Option<Hash>,
}

impl WatchedLog {
    fn to_text(&self) -> String {
        let mut out = format!(
            "{STATE_HEADER}\norigin {}\nkey {}\nsize {}\n",
            self.origin, self.key, self.size
        );
        if let Some(root) = &self.root {
            out.push_str(&format!("root {root}\n"));
        }
        out
    }

    fn parse(text: &str) -> Option<Self> {
        let mut lines = text.strip_suffix('\n')?.split('\n');
        if lines.next()? != STATE_HEADER {
            return None;
        }
        let origin = lines.next()?.strip_prefix("origin ")?.to_owned();
        let key = VerifierKey::parse(lines.next()?.strip_prefix("key ")?).ok()?;
        let size = parse_size(lines.next()?.strip_prefix("size ")?)?;
        let root = match lines.next() {
            Some(line) => Some(parse_hash(line.strip_prefix("root ")?)?),
            None => None,
        };
        if lines.next().is_some() || (root.is_none() && size != 0) {
            return None;
        }
        Some(Self {
            origin,
            key,
            size,
            root,
        })
    }
}

/// A witness's state folder.
#[derive(Debug, Clone)]
pub struct WitnessState {
    dir: PathBuf,
}

impl WitnessState {
    /// Opens the state folder `dir`, creating it (and `logs/`) when missing.
    ///
    /// # Errors
    /// [`CosignerError::Storage`] when it cannot be created.
    pub fn open(dir: &Path) -> Result<Self, CosignerError> {
        fs::create_dir_all(dir.join("logs"))
            .map_err(|e| storage(&format!("cannot create {}", dir.display()), &e))?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// Starts watching the log `origin` signed by `key`. Adding a log already watched
    /// with the same key changes nothing and returns `false`.
    ///
    /// # Errors
    /// [`CosignerError::Malformed`] for an origin that is not a checkpoint origin, or
    /// one already watched with another key; storage errors.
    pub fn add_log(&self, origin: &str, key: VerifierKey) -> Result<bool, CosignerError> {
        Checkpoint::new(origin, 0, [0; 32], Vec::new())
            .map_err(|e| CosignerError::Malformed(format!("origin: {e}")))?;
        let _lock = self.lock()?;
        if let Some(log) = self.read(origin)? {
            if log.key == key {
                return Ok(false);
            }
            return Err(CosignerError::Malformed(format!(
                "the log {origin:?} is already watched with the key {}",
                log.key
            )));
        }
        let log = WatchedLog {
            origin: origin.to_owned(),
            key,
            size: 0,
            root: None,
        };
        self.write(&log)?;
        Ok(true)
    }

    /// The log `origin`, if watched.
    ///
    /// # Errors
    /// [`CosignerError::Storage`] when its state cannot be read.
    pub fn log(&self, origin: &str) -> Result<Option<WatchedLog>, CosignerError> {
        self.read(origin)
    }

    /// Checks `request` and, when it holds, records its checkpoint as the latest one
    /// cosigned and returns `cosigner`'s cosignature at `timestamp`. The check and the
    /// record are one step under the folder's lock.
    ///
    /// # Errors
    /// A [`CosignerError`] naming why not; nothing is recorded then.
    pub fn add_checkpoint(
        &self,
        request: &AddCheckpoint,
        cosigner: &Cosigner,
        timestamp: u64,
    ) -> Result<NoteSignature, CosignerError> {
        let note = Note::parse(&request.note)
            .map_err(|e| CosignerError::Malformed(format!("checkpoint note: {e}")))?;
        let cp = Checkpoint::parse_body(note.text())
            .map_err(|e| CosignerError::Malformed(format!("checkpoint: {e}")))?;
        let _lock = self.lock()?;
        let log = self
            .read(cp.origin())?
            .ok_or_else(|| CosignerError::UnknownLog(cp.origin().to_owned()))?;
        note.verify(std::slice::from_ref(&log.key))
            .map_err(|e| CosignerError::Unverified(e.to_string()))?;
        check_request(&log, request, &cp)?;
        let line = cosigner
            .cosign(note.text(), timestamp)
            .map_err(|e| CosignerError::Malformed(e.to_string()))?;
        let next = WatchedLog {
            size: cp.size(),
            root: Some(Hash::from_bytes(*cp.root())),
            ..log
        };
        self.write(&next)?;
        Ok(line)
    }

    fn path(&self, origin: &str) -> PathBuf {
        let digest = Sha256::digest(origin.as_bytes());
        let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join("logs").join(name)
    }

    fn read(&self, origin: &str) -> Result<Option<WatchedLog>, CosignerError> {
        let path = self.path(origin);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(storage(&format!("cannot read {}", path.display()), &e)),
        };
        match WatchedLog::parse(&text) {
            Some(log) if log.origin == origin => Ok(Some(log)),
            _ => Err(CosignerError::Storage(format!(
                "{} is not a witness state file of {origin:?}",
                path.display()
            ))),
        }
    }

    /// Replaces the log's state file: a new temporary file, synced, renamed into place.
    fn write(&self, log: &WatchedLog) -> Result<(), CosignerError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = self.path(&log.origin);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp.{}.{n}", std::process::id()));
        let fail =
            |what: &str, e: &std::io::Error| storage(&format!("{what} {}", tmp.display()), e);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| fail("cannot create", &e))?;
        let written = f
            .write_all(log.to_text().as_bytes())
            .and_then(|()| f.sync_all())
            .and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(fail("cannot write", &e));
        }
        if let Ok(dir) = File::open(self.dir.join("logs")) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Holds the folder's exclusive lock until the returned file is dropped.
    fn lock(&self) -> Result<File, CosignerError> {
        let path = self.dir.join("lock");
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| storage(&format!("cannot open {}", path.display()), &e))?;
        f.lock()
            .map_err(|e| storage(&format!("cannot lock {}", path.display()), &e))?;
        Ok(f)
    }
}

/// The tlog-witness checks of a request against the latest checkpoint cosigned.
fn check_request(
    log: &WatchedLog,
    request: &AddCheckpoint,
    cp: &Checkpoint,
) -> Result<(), CosignerError> {
    let size = cp.size();
    if request.old > size {
        return Err(CosignerError::Malformed(format!(
            "old size {} is larger than the checkpoint's size {size}",
            request.old
        )));
    }
    if request.old != log.size {
        return Err(CosignerError::Conflict {
            size: log.size,
            reason: format!("the request starts from size {}", request.old),
        });
    }
    let new_root = Hash::from_bytes(*cp.root());
    let (Some(old_root), false) = (log.root, log.size == 0) else {
        return if request.proof.is_empty() {
            Ok(())
        } else {
            Err(CosignerError::Inconsistent(
                "the proof from size 0 must be empty".into(),
            ))
        };
    };
    if size == log.size {
        if new_root != old_root {
            return Err(CosignerError::Conflict {
                size: log.size,
                reason: format!(
                    "a checkpoint of size {size} with root {new_root}, but the one cosigned has root {old_root}: the log forked"
                ),
            });
        }
        return Ok(());
    }
    new_root
        .verify_consistency(size, &old_root, log.size, &request.proof)
        .map_err(|e| CosignerError::Inconsistent(e.to_string()))
}

fn storage(what: &str, e: &std::io::Error) -> CosignerError {
    CosignerError::Storage(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::SigningKey;
    use crate::merkle::{MemoryTiles, append_leaves, consistency_proof, leaf_hash, tree_root};

    const ORIGIN: &str = "example.com/log";

    struct Log {
        key: SigningKey,
        tiles: MemoryTiles,
    }

    impl Log {
        fn new(leaves: u32, salt: u8) -> Log {
            let leaves: Vec<_> = (0..leaves)
                .map(|i| leaf_hash(&[&i.to_be_bytes()[..], &[salt]].concat()))
                .collect();
            let mut tiles = MemoryTiles::new();
            tiles.apply(append_leaves(&tiles, 0, &leaves).unwrap());
            let key = SigningKey::from_seed(ORIGIN, [1; 32]).unwrap();
            Log { key, tiles }
        }

        fn note(&self, size: u64) -> String {
            let root = tree_root(&self.tiles, size).unwrap();
            Checkpoint::new(ORIGIN, size, *root.as_bytes(), Vec::new())
                .unwrap()
                .sign(&self.key)
                .unwrap()
        }

        fn request(&self, old: u64, size: u64) -> AddCheckpoint {
            let proof = if old == 0 {
                Vec::new()
            } else {
                consistency_proof(&self.tiles, old, size).unwrap().hashes
            };
            AddCheckpoint {
                old,
                proof,
                note: self.note(size),
            }
        }
    }

    fn witness() -> (tempfile::TempDir, WitnessState, Cosigner) {
        let dir = tempfile::tempdir().unwrap();
        let state = WitnessState::open(dir.path()).unwrap();
        let log = Log::new(1, 0);
        assert!(state.add_log(ORIGIN, log.key.verifier_key()).unwrap());
        assert!(!state.add_log(ORIGIN, log.key.verifier_key()).unwrap());
        let cosigner = Cosigner::new(SigningKey::from_seed("w/1", [7; 32]).unwrap());
        (dir, state, cosigner)
    }

    #[test]
    fn request_body_round_trips_and_is_parsed_strictly() {
        let log = Log::new(10, 0);
        let req = log.request(3, 10);
        assert_eq!(AddCheckpoint::parse(&req.to_text()).unwrap(), req);
        for bad in [
            "",
            "old 01\n\nx",
            "old 3\nnot-base64\n\nx",
            "new 3\n\nx",
            "old 3\n",
        ] {
            assert!(
                matches!(AddCheckpoint::parse(bad), Err(CosignerError::Malformed(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn cosigns_consistent_growth_and_refuses_the_rest_without_recording() {
        let (_dir, state, w) = witness();
        let log = Log::new(20, 0);
        let line = state.add_checkpoint(&log.request(0, 5), &w, 10).unwrap();
        let mut note = Note::parse(&log.note(5)).unwrap();
        note.push_signature(line).unwrap();
        crate::checkpoint::check_quorum(&note, &[w.verifier_key()], 1).unwrap();
        assert_eq!(state.log(ORIGIN).unwrap().unwrap().size, 5);

        // Stale old size: 409 with the witness's size.
        let err = state
            .add_checkpoint(&log.request(0, 8), &w, 11)
            .unwrap_err();
        assert_eq!(err.http_status(), 409);
        assert!(matches!(err, CosignerError::Conflict { size: 5, .. }));
        // A proof that does not verify: 422.
        let mut bad = log.request(5, 8);
        bad.proof[0] = leaf_hash(b"x");
        assert_eq!(
            state
                .add_checkpoint(&bad, &w, 11)
                .unwrap_err()
                .http_status(),
            422
        );
        // A fork of the same size: 409.
        let fork = Log::new(20, 1);
        let err = state
            .add_checkpoint(&fork.request(5, 5), &w, 11)
            .unwrap_err();
        assert_eq!(err.http_status(), 409);
        // A fork that grew: its proof does not lead from the cosigned root.
        assert_eq!(
            state
                .add_checkpoint(&fork.request(5, 9), &w, 11)
                .unwrap_err()
                .http_status(),
            422
        );
        // Signed by another key: 403; another origin: 404; old > size: 400.
        let mut forged = log.request(5, 8);
        let other = SigningKey::from_seed(ORIGIN, [2; 32]).unwrap();
        forged.note = Checkpoint::parse_body(Note::parse(&forged.note).unwrap().text())
            .unwrap()
            .sign(&other)
            .unwrap();
        assert_eq!(
            state
                .add_checkpoint(&forged, &w, 11)
                .unwrap_err()
                .http_status(),
            403
        );
        let mut elsewhere = log.request(5, 8);
        elsewhere.note = Checkpoint::new("other.example/log", 8, [0; 32], Vec::new())
            .unwrap()
            .sign(&log.key)
            .unwrap();
        assert_eq!(
            state
                .add_checkpoint(&elsewhere, &w, 11)
                .unwrap_err()
                .http_status(),
            404
        );
        let mut backwards = log.request(5, 8);
        backwards.old = 9;
        assert_eq!(
            state
                .add_checkpoint(&backwards, &w, 11)
                .unwrap_err()
                .http_status(),
            400
        );
        // None of the refusals was recorded; honest growth still cosigns.
        let watched = state.log(ORIGIN).unwrap().unwrap();
        assert_eq!(watched.size, 5);
        assert_eq!(watched.root, Some(tree_root(&log.tiles, 5).unwrap()));
        state.add_checkpoint(&log.request(5, 8), &w, 12).unwrap();
        state.add_checkpoint(&log.request(8, 8), &w, 13).unwrap();
        assert_eq!(state.log(ORIGIN).unwrap().unwrap().size, 8);
    }

    #[test]
    fn concurrent_requests_from_one_old_size_cosign_exactly_once() {
        let (_dir, state, w) = witness();
        let log = Log::new(40, 0);
        state.add_checkpoint(&log.request(0, 4), &w, 1).unwrap();
        let requests: Vec<_> = (0..8).map(|i| log.request(4, 10 + i)).collect();
        let results: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = requests
                .iter()
                .map(|r| s.spawn(|| state.add_checkpoint(r, &w, 2)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "{results:?}");
        assert!(
            results
                .iter()
                .filter_map(|r| r.as_ref().err())
                .all(|e| e.http_status() == 409)
        );
        let size = state.log(ORIGIN).unwrap().unwrap().size;
        let winner = requests
            .iter()
            .zip(&results)
            .find(|(_, r)| r.is_ok())
            .unwrap()
            .0;
        assert_eq!(
            size,
            Checkpoint::parse_body(Note::parse(&winner.note).unwrap().text())
                .unwrap()
                .size()
        );
    }
}
