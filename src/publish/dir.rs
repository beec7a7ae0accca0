//! Writing the ledger's tlog-tiles resources into a folder (see the [module docs](super)).

use super::PublishError;
use crate::checkpoint::{Checkpoint, MAX_NOTE_FILE_BYTES, VerifierKey, open_checkpoint};
use crate::ledger::Ledger;
use crate::merkle::Hash;
use crate::store::Store;
use crate::tlog::{CHECKPOINT_PATH, TilePath, new_tiles, read_tile};
use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What a publish did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishReport {
    /// The size the folder's checkpoint had before (0 for a new folder).
    pub previous: u64,
    /// The size published: the checkpoint's.
    pub size: u64,
    /// The checkpoint's root.
    pub root: Hash,
    /// Tiles and bundles written by this run.
    pub written: u64,
    /// Tiles and bundles the log needed that were already there, byte for byte.
    pub present: u64,
    /// Whether the checkpoint file was replaced (false when it was this one already).
    pub checkpoint_replaced: bool,
}

/// Publishes the ledger's tree at the size of `note`, a checkpoint of this ledger signed
/// by `key`'s log, into the folder `dir` (created if missing): every tile and bundle that
/// tree has and the folder's log lacks, then the checkpoint (see the [module
/// docs](super) for the order and why).
///
/// # Errors
/// [`PublishError::Conflict`] when the folder holds another log (a checkpoint this key
/// did not sign, of a larger tree or another root; a tile with other bytes; a special
/// file where a tile goes): nothing in it is overwritten. [`PublishError::Io`] when a
/// file cannot be written; [`crate::tlog::TlogError::EntryTooLarge`] for a record too
/// long for a bundle; storage errors.
pub fn publish<S: Store>(
    ledger: &Ledger<S>,
    dir: &Path,
    note: &str,
    key: &VerifierKey,
) -> Result<PublishReport, PublishError> {
    let checkpoint_file = dir.join(CHECKPOINT_PATH);
    let (cp, _) =
        open_checkpoint(note, std::slice::from_ref(key)).map_err(|e| PublishError::Io {
            path: checkpoint_file.clone(),
            detail: format!("the checkpoint to publish does not open with the log's key: {e}"),
        })?;
    let size = cp.size();
    fs::create_dir_all(dir).map_err(io(dir))?;
    let (previous, old_note) = published(ledger, &checkpoint_file, key, size)?;
    let mut folders = BTreeSet::new();
    let (mut written, mut present) = (0, 0);
    for path in new_tiles(previous, size) {
        let bytes = read_tile(ledger, size, &path)?.ok_or_else(|| PublishError::Io {
            path: dir.join(path.to_string()),
            detail: format!("the ledger's tree of {size} has no such tile"),
        })?;
        if write_once(dir, &path, &bytes, &mut folders)? {
            written += 1;
        } else {
            present += 1;
        }
    }
    // Every tile durable, and its name in its folder, before the checkpoint names them.
    for folder in &folders {
        sync_dir(folder)?;
    }
    let replaced = old_note.as_deref() != Some(note);
    if replaced {
        write_replacing(&checkpoint_file, note.as_bytes())?;
        sync_dir(dir)?;
    }
    Ok(PublishReport {
        previous,
        size,
        root: Hash::from_bytes(*cp.root()),
        written,
        present,
        checkpoint_replaced: replaced,
    })
}

/// The size of the log the folder's checkpoint (if any) publishes, and its text; it must
/// be this log's: signed by `key`, of at most `size` records, with the ledger's root.
fn published<S: Store>(
    ledger: &Ledger<S>,
    file: &Path,
    key: &VerifierKey,
    size: u64,
) -> Result<(u64, Option<String>), PublishError> {
    let conflict = |reason: String| PublishError::Conflict {
        path: file.to_path_buf(),
        reason,
    };
    match fs::symlink_metadata(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, None)),
        Err(e) => return Err(io(file)(e)),
        Ok(m) if !m.is_file() => {
            return Err(conflict(
                "not a regular file: publish into a folder of this log, or a new one".into(),
            ));
        }
        Ok(_) => {}
    }
    let text = crate::input::read_text(file, MAX_NOTE_FILE_BYTES)
        .map_err(|e| conflict(format!("cannot be read ({})", e.refusal)))?;
    let other =
        "the folder holds another log: publish into a new folder, or the folder of this log";
    let cp: Checkpoint = open_checkpoint(&text, std::slice::from_ref(key))
        .map_err(|e| conflict(format!("not a checkpoint of this log ({e}): {other}")))?
        .0;
    if cp.origin() != key.name() {
        return Err(conflict(format!(
            "a checkpoint of the log {:?}, not {:?}: {other}",
            crate::model::shorten(cp.origin()),
            key.name()
        )));
    }
    if cp.size() > size {
        return Err(conflict(format!(
            "it publishes {} records, but the ledger's checkpoint has {size}: the ledger is \
             older than what was published (restore it from the published log with `pactlog \
             follow`)",
            cp.size()
        )));
    }
    let ours = ledger.root_at(cp.size())?;
    if Hash::from_bytes(*cp.root()) != ours {
        return Err(conflict(format!(
            "its root at size {} is not the ledger's ({ours}): {other}",
            cp.size()
        )));
    }
    Ok((cp.size(), Some(text)))
}

/// Writes tile `path` under `dir` unless it is there; returns whether it wrote it. A file
/// already there must hold exactly `bytes`. The folders written into are added to
/// `folders`, to be synced.
fn write_once(
    dir: &Path,
    path: &TilePath,
    bytes: &[u8],
    folders: &mut BTreeSet<PathBuf>,
) -> Result<bool, PublishError> {
    let file = dir.join(path.to_string());
    let conflict = |reason: &str| PublishError::Conflict {
        path: file.clone(),
        reason: reason.into(),
    };
    match fs::symlink_metadata(&file) {
        Ok(m) if m.is_file() => {
            if same_bytes(&file, bytes)? {
                return Ok(false);
            }
            return Err(conflict(
                "holds other bytes than this ledger's tile: the folder holds another log \
                 (publish into a new folder)",
            ));
        }
        Ok(_) => return Err(conflict("is not a regular file: a tile goes there")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(&file)(e)),
    }
    // INVARIANT: a tile path has at least two components, so `file` has a parent.
    let parent = file.parent().unwrap_or(dir).to_path_buf();
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    write_replacing(&file, bytes)?;
    // The folder's own name may be new too, up to `dir`.
    for folder in parent.ancestors().take_while(|a| a.starts_with(dir)) {
        folders.insert(folder.to_path_buf());
    }
    Ok(true)
}

/// Whether the regular file `file` holds exactly `bytes` (read no further than one byte
/// past them).
fn same_bytes(file: &Path, bytes: &[u8]) -> Result<bool, PublishError> {
    let f = File::open(file).map_err(io(file))?;
    let mut have = Vec::with_capacity(bytes.len());
    f.take(bytes.len() as u64 + 1)
        .read_to_end(&mut have)
        .map_err(io(file))?;
    Ok(have == bytes)
}

/// Writes `bytes` to a fresh temporary file beside `file` (created, never opened if it
/// exists), makes it durable, and renames it to `file`.
pub(super) fn write_replacing(file: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let temp = temp_name(file);
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&temp, file)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(io(file))
}

/// A hidden name beside `file` that no other writer picks: `.NAME.PID.RANDOM.tmp`.
fn temp_name(file: &Path) -> PathBuf {
    let mut seed = [0u8; 8];
    // Without randomness the pid alone still differs between live writers, and
    // `create_new` refuses a name that is taken.
    let _ = getrandom::getrandom(&mut seed);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    file.with_file_name(format!(
        ".{name}.{}.{:016x}.tmp",
        std::process::id(),
        u64::from_le_bytes(seed)
    ))
}

/// Makes the names in folder `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), PublishError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> PublishError + '_ {
    move |e| PublishError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}
