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
    path: PathBuf,
    trees: [sled::Tree; 6],
    witness: Arc<Keeper>,
    // Dropped last, after every clone's trees: see `Closer`.
    _closer: Arc<Closer>,
}

/// Owns the database handle. When the last clone of a store goes, it drops the handle and
/// then waits (briefly, bounded) until sled's background threads have let go of the file
/// lock, so that a process can close a store and hand it to another (a test running the
/// CLI, say) without a spurious "store is locked".
#[derive(Debug)]
struct Closer {
    lock_file: PathBuf,
    db: Option<sled::Db>,
}

impl Drop for Closer {
    fn drop(&mut self) {
        let Some(db) = self.db.take() else { return };
        drop(db);
        let Ok(file) = std::fs::File::open(&self.lock_file) else {
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

fn io(e: sled::Error) -> StoreError {
    StoreError::Io(e.to_string())
}

impl SledStore {
    /// Opens (or creates) the store at `path`, and reads its witness.
    ///
    /// # Errors
    /// [`StoreError::Locked`] when another process holds the store;
    /// [`StoreError::Open`] when the folder is not a readable sled store or its witness
    /// file cannot be read (a witness that reads but does not parse is reported by
    /// [`Store::witness`], not here).
    pub fn open(path: &Path) -> Result<SledStore, StoreError> {
        // The cache keeps the hot tail of the log and the index pages in memory; sled
        // bounds it, so this is a ceiling, not an allocation. sled counts a cached page
        // for less than it costs (a bulk import's resident memory grows well past the
        // cache size), and a larger cache does not make imports faster; 64 MiB keeps a
        // 1M-event import under the 512 MiB target (docs/performance.md).
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(64 * 1024 * 1024)
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
        Ok(SledStore {
            path: path.to_path_buf(),
            trees,
            witness,
            _closer: Arc::new(Closer {
                lock_file: path.join("db"),
                db: Some(db),
            }),
        })
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
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
        // Flushing one tree flushes the whole database (they share one log).
        self.trees[0].flush().map(|_| ()).map_err(io)
    }
}

fn classify_open_error(path: &Path, e: sled::Error) -> StoreError {
    if let sled::Error::Io(io) = &e
        && io.kind() == std::io::ErrorKind::PermissionDenied
    {
        return StoreError::Open {
            path: path.to_path_buf(),
            detail: read_only(path, io),
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
    }
}
