//! An in-memory store for tests: the same contract as the sled store, no files.

use super::{Entry, Op, Store, StoreError, Tree};
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

type Map = BTreeMap<Vec<u8>, Arc<[u8]>>;

/// A store that lives in memory. Clones share the same data.
#[derive(Clone, Default, Debug)]
pub struct MemoryStore {
    trees: Arc<Mutex<BTreeMap<Tree, Map>>>,
}

/// A value held by a [`MemoryStore`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemValue(Arc<[u8]>);

impl AsRef<[u8]> for MemValue {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, BTreeMap<Tree, Map>>, StoreError> {
        self.trees
            .lock()
            .map_err(|_| StoreError::Io("memory store lock poisoned".into()))
    }

    fn collect(
        &self,
        tree: Tree,
        start: &[u8],
        end: Option<&[u8]>,
    ) -> Result<Vec<Entry<MemValue>>, StoreError> {
        let trees = self.lock()?;
        let Some(map) = trees.get(&tree) else {
            return Ok(Vec::new());
        };
        let upper = match end {
            Some(e) => Bound::Excluded(e.to_vec()),
            None => Bound::Unbounded,
        };
        Ok(map
            .range((Bound::Included(start.to_vec()), upper))
            .map(|(k, v)| (MemValue(Arc::from(k.as_slice())), MemValue(v.clone())))
            .collect())
    }
}

impl Store for MemoryStore {
    type Value = MemValue;

    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<MemValue>, StoreError> {
        Ok(self
            .lock()?
            .get(&tree)
            .and_then(|m| m.get(key))
            .map(|v| MemValue(v.clone())))
    }

    fn range<'a>(
        &'a self,
        tree: Tree,
        start: &[u8],
        end: Option<&[u8]>,
    ) -> Box<dyn Iterator<Item = Result<Entry<MemValue>, StoreError>> + 'a> {
        match self.collect(tree, start, end) {
            Ok(v) => Box::new(v.into_iter().map(Ok)),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn range_rev<'a>(
        &'a self,
        tree: Tree,
        start: &[u8],
        end: Option<&[u8]>,
    ) -> Box<dyn Iterator<Item = Result<Entry<MemValue>, StoreError>> + 'a> {
        match self.collect(tree, start, end) {
            Ok(v) => Box::new(v.into_iter().rev().map(Ok)),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn last(&self, tree: Tree) -> Result<Option<Entry<MemValue>>, StoreError> {
        Ok(self
            .lock()?
            .get(&tree)
            .and_then(|m| m.iter().next_back())
            .map(|(k, v)| (MemValue(Arc::from(k.as_slice())), MemValue(v.clone()))))
    }

    fn apply(&self, tree: Tree, ops: Vec<Op>) -> Result<(), StoreError> {
        let mut trees = self.lock()?;
        let map = trees.entry(tree).or_default();
        for op in ops {
            match op {
                Op::Put(k, v) => {
                    map.insert(k, Arc::from(v));
                }
                Op::Delete(k) => {
                    map.remove(&k);
                }
            }
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
