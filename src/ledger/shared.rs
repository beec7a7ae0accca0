//! One ledger, many readers and one writer in one process.
//!
//! Readers take a *view*: a read-only copy of the ledger as it stood after the last write
//! (its size, head, index runs and parties), which answers every query from that prefix
//! however long the reader keeps it and whatever the writer does meanwhile. Taking a view
//! never waits for the writer: it clones an `Arc` under a lock that a writer holds only to
//! swap in a new view. Writers take turns on the ledger itself, and publish a new view
//! when they are done.
//!
//! What makes an old view safe to read is that everything it reads stays as it was:
//! records and the checkpoints tree only grow; a Merkle tile only gains hashes after the
//! ones a smaller tree reads; index runs are immutable, and the chunks of runs that a
//! merge replaces are kept (see `index::runs`) until no view from before the merge is
//! left, then removed.

use super::{Ledger, Retired};
use crate::merkle::TileCache;
use crate::store::Store;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, Weak};

/// A ledger shared between threads: any number of readers, each with a consistent view
/// ([`SharedLedger::view`]), and one writer at a time ([`SharedLedger::write`]).
///
/// ```
/// use pactlog::{Ledger, MemoryStore, SharedLedger};
///
/// let shared = SharedLedger::new(Ledger::open(MemoryStore::new())?);
/// let before = shared.view();
/// // ... a writer appends through `shared.write(|ledger| ledger.append(batch, at))` ...
/// assert_eq!(before.size(), 0); // a view keeps the prefix it was taken at
/// # Ok::<(), pactlog::LedgerError>(())
/// ```
pub struct SharedLedger<S: Store + Clone> {
    writer: Mutex<Ledger<S>>,
    current: RwLock<Arc<Ledger<S>>>,
    /// Views handed out that may still be alive, oldest first, with their number.
    views: Mutex<Vec<(u64, Weak<Ledger<S>>)>>,
    /// Chunks of merged runs, each with the number of the first view that no longer
    /// lists their runs: they can go once no older view is alive.
    retired: Mutex<Vec<(u64, Retired)>>,
}

impl<S: Store + Clone> SharedLedger<S> {
    /// Shares `ledger`: from now on its index keeps the chunks of merged runs for the
    /// views that still read them.
    pub fn new(mut ledger: Ledger<S>) -> SharedLedger<S> {
        ledger.defer = true;
        ledger.index.defer_reclaim();
        let first = Arc::new(ledger.view());
        SharedLedger {
            writer: Mutex::new(ledger),
            views: Mutex::new(vec![(0, Arc::downgrade(&first))]),
            current: RwLock::new(first),
            retired: Mutex::new(Vec::new()),
        }
    }

    /// The ledger as it stood after the last write. Never waits for a writer.
    pub fn view(&self) -> Arc<Ledger<S>> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs `write` on the ledger, after any other writer is done, then publishes the
    /// ledger as `write` left it as the new view, and removes the index chunks that no
    /// view reads any more. Views taken meanwhile still see the ledger as it was.
    ///
    /// # Errors
    /// Those of `write`. Reclaiming chunks is best effort: chunks it could not remove are
    /// kept and tried again after the next write (and removed by the next writer that
    /// does not share the store, should this process stop first).
    pub fn write<R>(&self, write: impl FnOnce(&mut Ledger<S>) -> R) -> R {
        let mut ledger = self.lock_writer();
        let out = write(&mut ledger);
        let retired = ledger.take_retired();
        let view = Arc::new(ledger.view());
        drop(ledger);
        let number = {
            let mut views = lock(&self.views);
            let number = views.last().map_or(0, |(n, _)| n + 1);
            views.retain(|(_, v)| v.strong_count() > 0);
            views.push((number, Arc::downgrade(&view)));
            number
        };
        lock(&self.retired).extend(retired.into_iter().map(|r| (number, r)));
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = view;
        self.reclaim();
        out
    }

    /// Removes the chunks that every live view's runs have stopped naming.
    fn reclaim(&self) {
        let oldest_alive = {
            let mut views = lock(&self.views);
            views.retain(|(_, v)| v.strong_count() > 0);
            views.first().map_or(u64::MAX, |(n, _)| *n)
        };
        let due: Vec<Retired> = {
            let mut retired = lock(&self.retired);
            let (due, kept) = std::mem::take(&mut *retired)
                .into_iter()
                .partition(|(first_without, _)| *first_without <= oldest_alive);
            *retired = kept;
            due.into_iter().map(|(_, r)| r).collect()
        };
        let store = self.view().store.clone();
        let mut failed = Vec::new();
        for r in due {
            if r.clone().reclaim(&store).is_err() {
                failed.push((oldest_alive, r));
            }
        }
        lock(&self.retired).extend(failed);
    }

    /// The writer's ledger, for as long as the guard lives (other writers wait).
    fn lock_writer(&self) -> MutexGuard<'_, Ledger<S>> {
        // A writer that panicked left the ledger as the store describes it or in need of
        // a reload; `load` on the next append's failure path covers the latter.
        lock(&self.writer)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every guarded value here is whole between statements.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: Store + Clone> Ledger<S> {
    /// A read-only copy of the ledger as it stands, sharing its store.
    fn view(&self) -> Ledger<S> {
        Ledger {
            store: self.store.clone(),
            size: self.size,
            head: self.head,
            index: self.index.snapshot(),
            tiles: TileCache::new(),
            defer: false,
            carried: Vec::new(),
        }
    }

    /// The chunks of merged runs kept since the last call.
    fn take_retired(&mut self) -> Vec<Retired> {
        let mut out = std::mem::take(&mut self.carried);
        out.extend(self.index.take_retired());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Entry, Timestamp};
    use crate::model::Day;
    use crate::projection::{Query, Select};
    use crate::store::{MemoryStore, Tree};
    use crate::synth::{Synth, SynthConfig};

    const AT: Timestamp = Timestamp::from_unix(1_772_150_400);

    fn entries(events: usize) -> Vec<Entry> {
        let synth = Synth::new(SynthConfig::new(11, events));
        let mut out: Vec<Entry> = synth.parties().into_iter().map(Entry::Party).collect();
        out.extend(synth.events().map(Entry::Event));
        out
    }

    /// Everything `ledger` answers about its first `size` records, as text.
    fn answers<S: Store>(ledger: &Ledger<S>, size: u64) -> String {
        let day = Day::parse("2031-01-01").unwrap();
        let query = Query {
            as_of: day,
            known_at: None,
            at_size: Some(size),
        };
        let state = ledger.state(query, &Select::All).unwrap();
        let conflicts = ledger.conflicts(query, &Select::All).unwrap();
        let log: Vec<String> = ledger
            .log(&Select::All)
            .unwrap()
            .into_iter()
            .filter(|l| l.seq.get() < size)
            .map(|l| l.event.id.to_string())
            .collect();
        format!("{state:?}\n{conflicts:?}\n{log:?}")
    }

    /// Run ids named by the chunk keys of `tree`, and by its headers.
    fn chunk_and_header_runs(store: &MemoryStore, tree: Tree) -> (Vec<u64>, Vec<u64>) {
        let (mut chunks, mut headers) = (Vec::new(), Vec::new());
        for item in store.range(tree, b"", None) {
            let (k, _) = item.unwrap();
            let k = k.as_ref();
            let id = u64::from_be_bytes(k[1..9].try_into().unwrap());
            if k[0] == 0 { headers.push(id) } else { chunks.push(id) }
        }
        chunks.dedup();
        (chunks, headers)
    }

    #[test]
    fn views_answer_from_their_prefix_while_merges_retire_the_runs_they_read() {
        let all = entries(2400);
        let store = MemoryStore::new();
        let mut ledger = Ledger::open(store.clone()).unwrap();
        // Small runs, so that the appends below merge runs many times.
        ledger.index.pending_limit = 40;
        let shared = SharedLedger::new(ledger);
        let mut kept = Vec::new();
        for (i, batch) in all.chunks(60).enumerate() {
            let view = shared.view();
            if i % 3 == 0 {
                kept.push((view.size(), answers(&*view, view.size()), view));
            }
            shared
                .write(|l| l.append_unchecked(batch.to_vec(), AT))
                .unwrap();
        }
        let retired: usize = lock(&shared.retired).len();
        assert!(retired > 3, "merges retired runs that old views still read");
        let reference = Ledger::open(store.clone()).unwrap();
        for (size, before, view) in &kept {
            assert_eq!(&answers(&**view, *size), before, "a view at {size} is unchanged");
            assert_eq!(&answers(&reference, *size), before, "and is the prefix of {size}");
        }
        drop(kept);
        shared.write(|_| ());
        assert!(lock(&shared.retired).is_empty(), "reclaimed once no view reads them");
        for tree in [Tree::Ids, Tree::Pairs] {
            let (chunks, headers) = chunk_and_header_runs(&store, tree);
            assert!(chunks.iter().all(|c| headers.contains(c)), "{tree:?}: no chunk left behind");
        }
        assert_eq!(shared.view().size(), all.len() as u64);
    }

    #[test]
    fn readers_on_other_threads_always_see_a_whole_prefix() {
        let all = entries(1500);
        let mut ledger = Ledger::open(MemoryStore::new()).unwrap();
        ledger.index.pending_limit = 30;
        let store = ledger.store.clone();
        let shared = SharedLedger::new(ledger);
        let seen: Vec<(u64, String)> = std::thread::scope(|scope| {
            let readers: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        let mut seen = Vec::new();
                        // Bounded: a fixed number of reads, whatever the writer does.
                        for _ in 0..60 {
                            let view = shared.view();
                            seen.push((view.size(), answers(&*view, view.size())));
                        }
                        seen
                    })
                })
                .collect();
            for batch in all.chunks(50) {
                shared
                    .write(|l| l.append_unchecked(batch.to_vec(), AT))
                    .unwrap();
            }
            readers.into_iter().flat_map(|r| r.join().unwrap()).collect()
        });
        let reference = Ledger::open(store).unwrap();
        for (size, answer) in seen {
            assert!(size % 50 == 0 || size == all.len() as u64, "whole appends only: {size}");
            assert_eq!(answer, answers(&reference, size));
        }
    }
}
