//! Storage behind a small trait: named, ordered key-value trees with atomic batches.
//!
//! The ledger decides the layout (DESIGN.md 3); a store only keeps bytes in order.
//! [`SledStore`] is the real one (and the only code that names sled); [`MemoryStore`]
//! serves tests. Both give the same answers for the same calls. A sled store also keeps
//! a [`Witness`] of its acknowledged size outside sled (see the `witness` module).

mod memory;
mod sled;
mod witness;

pub use self::memory::MemoryStore;
pub use self::sled::{DEFAULT_CACHE_BYTES, LONG_RUNNING_CACHE_BYTES, SledStore};
pub use self::witness::Witness;
#[cfg(any(test, feature = "test-support"))]
pub use self::witness::WITNESS_FILE;

use crate::codec::ChainHash;
use std::path::PathBuf;

/// The trees of a pactlog store.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Tree {
    /// seq (BE u64) -> chain hash || Merkle leaf hash || canonical record bytes. The truth.
    Records,
    /// id key -> seq: where each event (and party) was recorded. Derived.
    Ids,
    /// relationship index for range scans by pair and day. Derived.
    Pairs,
    /// Merkle tiles. Derived.
    Merkle,
    /// format version, watermark of derived data. Derived (rebuildable).
    Meta,
    /// tree size (BE u64) -> signed checkpoint note.
    Checkpoints,
}

impl Tree {
    /// Every tree.
    pub const ALL: [Tree; 6] = [
        Tree::Records,
        Tree::Ids,
        Tree::Pairs,
        Tree::Merkle,
        Tree::Meta,
        Tree::Checkpoints,
    ];

    /// The tree's name on disk.
    pub fn name(self) -> &'static str {
        match self {
            Tree::Records => "records",
            Tree::Ids => "ids",
            Tree::Pairs => "pairs",
            Tree::Merkle => "merkle",
            Tree::Meta => "meta",
            Tree::Checkpoints => "checkpoints",
        }
    }
}

/// One write in a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Set `key` to `value`.
    Put(Vec<u8>, Vec<u8>),
    /// Remove `key`.
    Delete(Vec<u8>),
}

/// A key and its value, as read from a store.
pub type Entry<V> = (V, V);

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process has the store open.
    #[error("store is locked: another pactlog process is using {path}; wait for it to finish")]
    Locked { path: PathBuf },
    /// The store files could not be opened or are not a sled store.
    #[error("cannot open store {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    /// The folder holds what a store must not: a link, a special file, or a file named
    /// as one of the store's that is not (opening it would write through it or over it).
    #[error("cannot open store {path}: {detail}")]
    Refused { path: PathBuf, detail: String },
    /// The store's folder was moved or removed while it was open: nothing more is
    /// written (sled would wait for ever to write into a folder that is gone).
    #[error(
        "the store folder {path} was moved or removed while pactlog was using it; nothing \
         more was written (what was made durable before is in the folder wherever it is \
         now: run `pactlog --store NEW-PATH verify` there)"
    )]
    Moved { path: PathBuf },
    /// Reading or writing failed.
    #[error("storage error: {0}")]
    Io(String),
}

/// Ordered byte trees with atomic per-tree batches and an explicit flush. Stores are
/// shared between threads (appends work out derived data beside the records write,
/// verify and large queries read in parallel).
pub trait Store: Send + Sync {
    /// Values as the store hands them out (cheap to clone).
    type Value: AsRef<[u8]> + Clone;

    /// The value at `key`.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the read fails.
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Self::Value>, StoreError>;

    /// Entries with `start <= key < end` (`end = None`: to the last key), in key order.
    fn range<'a>(
        &'a self,
        tree: Tree,
        start: &[u8],
        end: Option<&[u8]>,
    ) -> Box<dyn Iterator<Item = Result<Entry<Self::Value>, StoreError>> + 'a>;

    /// Entries in reverse key order with `start <= key < end`.
    fn range_rev<'a>(
        &'a self,
        tree: Tree,
        start: &[u8],
        end: Option<&[u8]>,
    ) -> Box<dyn Iterator<Item = Result<Entry<Self::Value>, StoreError>> + 'a>;

    /// The entry with the greatest key.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the read fails.
    fn last(&self, tree: Tree) -> Result<Option<Entry<Self::Value>>, StoreError>;

    /// Applies every op to `tree` atomically: after a crash, all or none are there.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the write fails.
    fn apply(&self, tree: Tree, ops: Vec<Op>) -> Result<(), StoreError>;

    /// Makes every applied write durable.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the flush fails.
    fn flush(&self) -> Result<(), StoreError>;

    /// What the store's acknowledged-size witness says, for a store that keeps one: how
    /// many records were durable when it was written, and the chain hash of the last.
    /// `None` when it keeps none (the default, and [`MemoryStore`]) or has none yet.
    ///
    /// # Errors
    /// [`StoreError::Io`] when it cannot be read.
    fn witness(&self) -> Result<Option<Witness>, StoreError> {
        Ok(None)
    }

    /// Replaces the witness, in a store that keeps one (atomically: a crash leaves the
    /// old one or the new one); the ledger calls it after a flush made records durable.
    /// The store keeps `head` as it is given: it never reads records.
    ///
    /// # Errors
    /// [`StoreError::Io`] when it cannot be written.
    fn set_witness(&self, size: u64, head: ChainHash) -> Result<(), StoreError> {
        let _ = (size, head);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise<S: Store>(store: &S) {
        store
            .apply(
                Tree::Ids,
                vec![
                    Op::Put(b"b".to_vec(), b"2".to_vec()),
                    Op::Put(b"a".to_vec(), b"1".to_vec()),
                    Op::Put(b"c".to_vec(), b"3".to_vec()),
                ],
            )
            .unwrap();
        store
            .apply(Tree::Ids, vec![Op::Delete(b"c".to_vec())])
            .unwrap();
        store.flush().unwrap();
        assert_eq!(store.get(Tree::Ids, b"a").unwrap().unwrap().as_ref(), b"1");
        assert!(
            store.get(Tree::Records, b"a").unwrap().is_none(),
            "trees are separate"
        );
        let keys: Vec<Vec<u8>> = store
            .range(Tree::Ids, b"", None)
            .map(|e| e.unwrap().0.as_ref().to_vec())
            .collect();
        assert_eq!(keys, vec![b"a".to_vec(), b"b".to_vec()]);
        let keys: Vec<Vec<u8>> = store
            .range(Tree::Ids, b"a", Some(b"b"))
            .map(|e| e.unwrap().0.as_ref().to_vec())
            .collect();
        assert_eq!(keys, vec![b"a".to_vec()]);
        let rev: Vec<Vec<u8>> = store
            .range_rev(Tree::Ids, b"", None)
            .map(|e| e.unwrap().0.as_ref().to_vec())
            .collect();
        assert_eq!(rev, vec![b"b".to_vec(), b"a".to_vec()]);
        assert_eq!(store.last(Tree::Ids).unwrap().unwrap().0.as_ref(), b"b");
        assert!(store.last(Tree::Pairs).unwrap().is_none());
    }

    #[test]
    fn memory_store_behaves() {
        exercise(&MemoryStore::new());
    }

    #[test]
    fn sled_store_behaves_and_persists() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let store = SledStore::open(&path).unwrap();
            exercise(&store);
        }
        let store = SledStore::open(&path).unwrap();
        assert_eq!(store.get(Tree::Ids, b"b").unwrap().unwrap().as_ref(), b"2");
    }

    #[test]
    fn a_sled_store_keeps_the_witness_it_is_given_and_never_writes_one_itself() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let file = path.join(WITNESS_FILE);
        let store = SledStore::open(&path).unwrap();
        assert_eq!(store.witness().unwrap(), None);
        store
            .apply(
                Tree::Records,
                vec![Op::Put(0u64.to_be_bytes().to_vec(), vec![9; 70])],
            )
            .unwrap();
        store.flush().unwrap();
        assert!(!file.exists(), "the store does not witness records itself");

        store
            .set_witness(2, ChainHash::from_bytes([11; 32]))
            .unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            text,
            format!("pactlog witness v1\nsize 2\nhead {}\n", "0b".repeat(32))
        );
        // A clone shares the witness; reopening reads it back.
        let clone = store.clone();
        drop(store);
        assert!(matches!(
            clone.witness().unwrap(),
            Some(Witness::Acknowledged { size: 2, .. })
        ));
        drop(clone);
        let store = SledStore::open(&path).unwrap();
        assert!(matches!(
            store.witness().unwrap(),
            Some(Witness::Acknowledged { size: 2, .. })
        ));
    }
}
