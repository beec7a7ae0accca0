//! The sled store: the only file in pactlog that names sled (pinned at 0.34.7).
//!
//! Each [`Tree`] is a sled tree of the same name. A batch on one tree is one
//! `apply_batch` (atomic in sled); `flush` waits until everything applied is on disk. The
//! acknowledged-size witness lives beside the sled files (see the `witness` module).

use super::witness::Keeper;
use super::{Entry, Op, Store, StoreError, Tree, Witness};
use crate::codec::ChainHash;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A store in a sled database folder, with its witness file
/// (`pactlog-witness`) beside the sled files. Clones share one open
/// database.
#[derive(Clone, Debug)]
pub struct SledStore {
    place: Place,
    trees: [sled::Tree; 6],
    witness: Arc<Keeper>,
    // Dropped last, after every clone's trees: see `Closer`.
    _closer: Arc<Closer>,
}

/// Owns the database handle. When the last clone of a store goes, it drops the handle and
/// then waits (briefly, bounded) until sled's background threads have let go of the file
/// lock, so that a process can close a store and hand it to another (a test running the
/// CLI, say) without a spurious "store is locked". sled flushes when its handle is
/// dropped; a folder moved or removed meanwhile is not waited for (see [`Place`]).
#[derive(Debug)]
struct Closer {
    place: Place,
    db: Option<sled::Db>,
}

impl Drop for Closer {
    fn drop(&mut self) {
        let Some(db) = self.db.take() else { return };
        if self.place.check().is_err() {
            // Its last flush could wait for ever on a folder that is gone; what was
            // acknowledged is durable already, and the process is ending with an error.
            std::mem::forget(db);
            return;
        }
        if watched(&self.place, move || drop(db)).is_err() {
            return;
        }
        let Ok(file) = std::fs::File::open(self.place.path.join(DB_FILE)) else {
            return;
        };
        for _ in 0..400 {
            match file.try_lock() {
                Ok(()) => {
                    let _ = file.unlock();
                    return;
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
            }
        }
    }
}

/// Where a store's folder is: the path it was opened at, and which folder (device and
/// inode, on Unix) was there. A folder renamed or removed while sled has it open leaves
/// sled writing into files whose folder is gone; its flushes can then wait for ever, so
/// every flush is watched and fails once the folder at the path is another or none.
#[derive(Clone, Debug)]
struct Place {
    path: PathBuf,
    id: Option<(u64, u64)>,
}

/// How often a flush in progress checks that the folder is still in place.
const PLACE_POLL: std::time::Duration = std::time::Duration::from_millis(100);

impl Place {
    fn of(path: &Path) -> Place {
        Place {
            path: path.to_path_buf(),
            id: folder_id(path),
        }
    }

    /// [`StoreError::Moved`] when the folder at the path is not the one opened.
    fn check(&self) -> Result<(), StoreError> {
        if folder_id(&self.path) == self.id {
            Ok(())
        } else {
            Err(StoreError::Moved {
                path: self.path.clone(),
            })
        }
    }
}

#[cfg(unix)]
fn folder_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn folder_id(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// Runs `work` on a thread of its own and waits for it, checking every [`PLACE_POLL`]
/// that the folder is still in place; [`StoreError::Moved`] (leaving the thread to
/// itself) once it is not.
fn watched<T: Send + 'static>(
    place: &Place,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    let (done, result) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("pactlog-flush".into())
        .spawn(move || {
            let _ = done.send(work());
        })
        .map_err(|e| StoreError::Io(format!("cannot start a thread to flush the store: {e}")))?;
    loop {
        match result.recv_timeout(PLACE_POLL) {
            Ok(value) => return Ok(value),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => place.check()?,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(StoreError::Io("the store's flush ended without an answer".into()));
            }
        }
    }
}

fn io(e: sled::Error) -> StoreError {
    if is_disk_full(&e) {
        return StoreError::Io(DISK_FULL.into());
    }
    StoreError::Io(e.to_string())
}

const DISK_FULL: &str = "no space left on the device that holds the store (sled writes its \
     log even to open a store): free space, then run the command again";

/// Whether sled failed for want of disk space. sled sometimes hands the system's error
/// over as its debug text (`Os { code: 28, kind: StorageFull, .. }`), so both are read.
fn is_disk_full(e: &sled::Error) -> bool {
    match e {
        sled::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::StorageFull
                || io.raw_os_error() == Some(28)
                || io.to_string().contains("StorageFull")
        }
        _ => false,
    }
}

/// The page cache of a store opened by a command that runs once. The cache keeps the hot
/// tail of the log and the index pages in memory; sled counts a cached page for less
/// than it costs (a bulk import's resident memory grows well past the cache size), and a
/// larger cache does not make imports faster; 64 MiB keeps a 1M-event import under the
/// 512 MiB target (docs/performance.md).
pub const DEFAULT_CACHE_BYTES: u64 = 64 << 20;

/// The page cache for a process that serves many reads over time (`pactlog serve`'s
/// default): at 1M records, proofs after a query workload had a p99 of 2.5 ms with the
/// default cache, as their tile pages were evicted and read again, and 0.2 ms with this
/// one (benches/RESULTS.md).
pub const LONG_RUNNING_CACHE_BYTES: u64 = 1 << 30;

impl SledStore {
    /// Opens (or creates) the store at `path`, and reads its witness.
    ///
    /// # Errors
    /// [`StoreError::Locked`] when another process holds the store;
    /// [`StoreError::Refused`] when the folder holds a link or a special file, or files
    /// named as sled's that are not sled's; [`StoreError::Open`] when it is not a
    /// readable sled store or its witness file cannot be read (a witness that reads but does not parse is reported by
    /// [`Store::witness`], not here).
    pub fn open(path: &Path) -> Result<SledStore, StoreError> {
        Self::open_with_cache(path, DEFAULT_CACHE_BYTES)
    }

    /// [`SledStore::open`] with a page cache of `cache_bytes` (a ceiling, not an
    /// allocation). A long-running reader such as a server reads the same tiles, index
    /// pages and records again and again: a cache that holds them keeps its proofs and
    /// queries off the disk ([`LONG_RUNNING_CACHE_BYTES`]).
    ///
    /// # Errors
    /// As [`SledStore::open`].
    pub fn open_with_cache(path: &Path, cache_bytes: u64) -> Result<SledStore, StoreError> {
        // sled opens its files for writing and follows links, even to read a store:
        // what it would open is checked first (see `check_folder`).
        check_folder(path)?;
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(cache_bytes)
            .flush_every_ms(None);
        let db = config.open().map_err(|e| classify_open_error(path, e))?;
        let open = |t: Tree| {
            db.open_tree(t.name())
                .map_err(|e| classify_open_error(path, e))
        };
        let trees = [
            open(Tree::Records)?,
            open(Tree::Ids)?,
            open(Tree::Pairs)?,
            open(Tree::Merkle)?,
            open(Tree::Meta)?,
            open(Tree::Checkpoints)?,
        ];
        // Read under sled's lock, so no other pactlog process is writing it.
        let witness = Arc::new(Keeper::load(path)?);
        let place = Place::of(path);
        Ok(SledStore {
            place: place.clone(),
            trees,
            witness,
            _closer: Arc::new(Closer {
                place,
                db: Some(db),
            }),
        })
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.place.path
    }

    fn tree(&self, tree: Tree) -> &sled::Tree {
        let i = match tree {
            Tree::Records => 0,
            Tree::Ids => 1,
            Tree::Pairs => 2,
            Tree::Merkle => 3,
            Tree::Meta => 4,
            Tree::Checkpoints => 5,
        };
        &self.trees[i]
    }

    fn flush_sled(&self) -> Result<(), StoreError> {
        self.place.check()?;
        // Flushing one tree flushes the whole database (they share one log).
        let tree = self.trees[0].clone();
        watched(&self.place, move || tree.flush())?
            .map(|_| ())
            .map_err(io)
    }
}

fn classify_open_error(path: &Path, e: sled::Error) -> StoreError {
    if let sled::Error::Io(io) = &e
        && matches!(
            io.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        )
    {
        return StoreError::Open {
            path: path.to_path_buf(),
            detail: read_only(path, io),
        };
    }
    if is_disk_full(&e) {
        return StoreError::Open {
            path: path.to_path_buf(),
            detail: DISK_FULL.into(),
        };
    }
    let detail = e.to_string();
    if detail.contains("could not acquire lock") {
        StoreError::Locked {
            path: path.to_path_buf(),
        }
    } else if detail.contains("corrupt") {
        StoreError::Open {
            path: path.to_path_buf(),
            detail: format!(
                "its files are damaged ({detail}); restore it from an export (pactlog import FILE.jsonl) or a backup"
            ),
        }
    } else {
        StoreError::Open {
            path: path.to_path_buf(),
            detail,
        }
    }
}

/// The message for a store this process may not write. sled opens its files for
/// writing even to read them (it locks the store and runs its recovery), so a read-only
/// store cannot be opened in place.
fn read_only(path: &Path, e: &std::io::Error) -> String {
    let p = path.display();
    format!(
        "{e}: pactlog needs write access to the store folder even to read it (sled locks \
         and recovers the store when it opens it); copy the folder (cp -r {p} /tmp/pactlog-copy) \
         and pass --store /tmp/pactlog-copy"
    )
}

// ---------------------------------------------------------------------------------------
// What sled would open, checked before it opens it. sled creates and writes its files in
// place (`conf`, `db`, `snap.*`, `blobs/*`) and follows links to do so, even for a store
// opened only to be read; so a link or a FIFO in the folder, or a file of someone else's
// named `db`, would be written through or over. The folder's entries must be regular
// files and folders, and `conf` and `db`, when present, must be sled's.

/// sled's settings file: text lines, then the CRC-32 of the text (little-endian).
const CONF_FILE: &str = "conf";
/// sled's log: segments of `segment_size` bytes, each starting with a header.
const DB_FILE: &str = "db";
/// sled's folder of large values.
const BLOBS_DIR: &str = "blobs";
/// The most bytes of `conf` read: sled writes about 60.
const MAX_CONF_BYTES: u64 = 4 << 10;
/// A segment header: CRC-32 of the next 16 bytes (xor all ones), then two LSNs.
const SEGMENT_HEADER_LEN: usize = 20;
/// The smallest segment size sled allows (and a floor on the reads of `db`).
const MIN_SEGMENT_SIZE: u64 = 256;

/// Refuses a store folder that sled must not open (see above). A folder that does not
/// exist yet is fine: sled creates it and everything in it.
fn check_folder(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(refuse(path, path, "it is not a folder")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(refuse(path, path, "it is a symbolic link to nothing"));
            }
            return Ok(());
        }
        Err(e) => return Err(refuse(path, path, &e.to_string())),
    }
    check_entries(path, path)?;
    let blobs = path.join(BLOBS_DIR);
    if blobs.is_dir() {
        check_entries(path, &blobs)?;
    }
    let segment_size = read_conf(path)?;
    check_db(path, segment_size)
}

/// The error for `file` in the store `store`, saying what to do.
fn refuse(store: &Path, file: &Path, why: &str) -> StoreError {
    StoreError::Refused {
        path: store.to_path_buf(),
        detail: format!(
            "{}: {why}; pactlog opens only a folder of its own files (regular files, no \
             links), so that nothing outside it is written; move it away or choose \
             another --store",
            file.display()
        ),
    }
}

/// A file named as one of sled's whose content is not sled's: foreign, or damaged beyond
/// what sled's recovery reads. A storage error (the folder's user did not choose a bad
/// path, the store is not what it should be), not opened, so nothing is written over it.
fn not_sleds(store: &Path, file: &Path, why: &str) -> StoreError {
    match refuse(store, file, why) {
        StoreError::Refused { path, detail } => StoreError::Open { path, detail },
        other => other,
    }
}

/// Refuses links and special files among the entries of `dir`.
fn check_entries(store: &Path, dir: &Path) -> Result<(), StoreError> {
    let entries = std::fs::read_dir(dir).map_err(|e| refuse(store, dir, &e.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|e| refuse(store, dir, &e.to_string()))?;
        let kind = entry
            .file_type()
            .map_err(|e| refuse(store, &entry.path(), &e.to_string()))?;
        if kind.is_symlink() {
            return Err(refuse(store, &entry.path(), "it is a symbolic link"));
        }
        match crate::input::FileKind::of(kind) {
            None | Some(crate::input::FileKind::Directory) => {}
            Some(other) => {
                let why = format!("it is {other}, not a regular file");
                return Err(refuse(store, &entry.path(), &why));
            }
        }
    }
    Ok(())
}

/// The segment size `conf` names, when there is a `conf`; refuses one that is not
/// sled's (its checksum does not match its text).
fn read_conf(store: &Path) -> Result<Option<u64>, StoreError> {
    let file = store.join(CONF_FILE);
    let bytes = match crate::input::read(&file, MAX_CONF_BYTES) {
        Ok(bytes) => bytes,
        Err(e) => match e.refusal {
            crate::input::Refusal::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None);
            }
            refusal => return Err(refuse(store, &file, &refusal.to_string())),
        },
    };
    parse_conf(&bytes)
        .map(Some)
        .ok_or_else(|| not_sleds(store, &file, "it is not sled's settings file"))
}

/// The segment size of a `conf` whose checksum matches its text.
fn parse_conf(bytes: &[u8]) -> Option<u64> {
    let (text, crc) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
    if crc32fast::hash(text).to_le_bytes() != crc {
        return None;
    }
    let size = std::str::from_utf8(text)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("segment_size: "))?
        .parse::<u64>()
        .ok()?;
    (size >= MIN_SEGMENT_SIZE && size.is_power_of_two()).then_some(size)
}

/// Refuses a non-empty `db` that is not sled's log: with no `conf` beside it, or with no
/// segment header that checks at any segment boundary. (sled overwrites the segments it
/// frees, so the first need not hold one; the one it writes to does.)
fn check_db(store: &Path, segment_size: Option<u64>) -> Result<(), StoreError> {
    use std::io::{Read, Seek, SeekFrom};
    let file = store.join(DB_FILE);
    let len = match std::fs::symlink_metadata(&file) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(refuse(store, &file, &e.to_string())),
    };
    if len == 0 {
        return Ok(());
    }
    let Some(segment_size) = segment_size else {
        return Err(not_sleds(store, &file, "it is not sled's: there is no conf beside it"));
    };
    let mut db = std::fs::File::open(&file).map_err(|e| refuse(store, &file, &e.to_string()))?;
    let mut header = [0u8; SEGMENT_HEADER_LEN];
    let mut at = 0;
    while at + SEGMENT_HEADER_LEN as u64 <= len {
        db.seek(SeekFrom::Start(at))
            .and_then(|_| db.read_exact(&mut header))
            .map_err(|e| refuse(store, &file, &e.to_string()))?;
        if is_segment_header(&header) {
            return Ok(());
        }
        at += segment_size;
    }
    Err(not_sleds(
        store,
        &file,
        "it is not sled's log (no segment header in it checks); if it is a store that was \
         never written, remove the folder",
    ))
}

/// Whether `header` is a segment header whose CRC matches.
fn is_segment_header(header: &[u8; SEGMENT_HEADER_LEN]) -> bool {
    let stored = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    crc32fast::hash(&header[4..]) == stored ^ 0xFFFF_FFFF
}

type SledIter<'a> = Box<dyn Iterator<Item = Result<Entry<sled::IVec>, StoreError>> + 'a>;

impl Store for SledStore {
    type Value = sled::IVec;

    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<sled::IVec>, StoreError> {
        self.tree(tree).get(key).map_err(io)
    }

    fn range<'a>(&'a self, tree: Tree, start: &[u8], end: Option<&[u8]>) -> SledIter<'a> {
        let t = self.tree(tree);
        match end {
            Some(end) => Box::new(t.range(start.to_vec()..end.to_vec()).map(|r| r.map_err(io))),
            None => Box::new(t.range(start.to_vec()..).map(|r| r.map_err(io))),
        }
    }

    fn range_rev<'a>(&'a self, tree: Tree, start: &[u8], end: Option<&[u8]>) -> SledIter<'a> {
        let t = self.tree(tree);
        match end {
            Some(end) => Box::new(
                t.range(start.to_vec()..end.to_vec())
                    .rev()
                    .map(|r| r.map_err(io)),
            ),
            None => Box::new(t.range(start.to_vec()..).rev().map(|r| r.map_err(io))),
        }
    }

    fn last(&self, tree: Tree) -> Result<Option<Entry<sled::IVec>>, StoreError> {
        self.tree(tree).last().map_err(io)
    }

    fn apply(&self, tree: Tree, ops: Vec<Op>) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for op in ops {
            match op {
                Op::Put(k, v) => batch.insert(k, v),
                Op::Delete(k) => batch.remove(k),
            }
        }
        self.tree(tree).apply_batch(batch).map_err(io)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.flush_sled()
    }

    fn witness(&self) -> Result<Option<Witness>, StoreError> {
        self.witness.current()
    }

    fn set_witness(&self, size: u64, head: ChainHash) -> Result<(), StoreError> {
        self.place.check()?;
        self.witness.write(size, head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store the process may not write cannot be opened by sled, even to read: the
    /// message says so and suggests reading a copy.
    #[test]
    fn a_store_that_cannot_be_written_is_refused_with_the_advice_to_copy_it() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = classify_open_error(Path::new("shared/ledger.db"), sled::Error::Io(denied));
        let message = e.to_string();
        assert!(
            message.contains("needs write access")
                && message.contains("cp -r shared/ledger.db")
                && message.contains("--store"),
            "{message}"
        );
        let full = std::io::Error::other("Os { code: 28, kind: StorageFull, message: \"No space left on device\" }");
        assert!(io(sled::Error::Io(full)).to_string().contains("no space left on the device"));
        let read_only = std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem);
        let e = classify_open_error(Path::new("/mnt/ledger.db"), sled::Error::Io(read_only));
        assert!(e.to_string().contains("cp -r /mnt/ledger.db"), "{e}");
    }
}
