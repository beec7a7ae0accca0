//! Appending, in three stages on three threads that hand each other whole batches: one
//! encodes and hashes the records; the calling thread writes each batch's records with one
//! atomic store batch and flushes them (durable, and acknowledged to the caller) before
//! the next; a third works out and writes their derived data (see `derive.rs`), which may
//! trail the records by a few batches and is complete when the append returns. A crash in
//! between leaves derived data that lags the records, which opening the ledger completes.

use super::{AppendReport, Ledger, LedgerError, StoredRecord, stored_of, witness};
use crate::index;
use crate::chain::{Break, Tip};
use crate::codec::ChainHash;
use crate::codec::{Entry, Format, Record, Seq, Timestamp};
use crate::store::{Op, Store, Tree};
use std::sync::mpsc::{Receiver, SyncSender};

/// Batches handed from one stage of an append to the next and not yet taken in: bounds
/// the memory of an append when a later stage falls behind (a merge of runs, a slow
/// flush), and lets the earlier stages go on meanwhile.
const IN_FLIGHT: usize = 2;

/// A batch ready to write: each record with its encoding and hashes.
type Staged = Vec<(StoredRecord, Record)>;

impl<S: Store> Ledger<S> {
    /// Appends `batches` of entries in order, each as one atomic batch recorded at
    /// `at`, each durable (flushed and witnessed) before the next one is written;
    /// `durable` is told of each then (its first seq, count and head). The records are
    /// encoded on one thread ahead of the writes, and the derived data (indexes, Merkle
    /// tiles) follows on another, in runs of many batches, durable too when this
    /// returns. Only checked batches come here ([`Ledger::append`]), and tests.
    ///
    /// # Errors
    /// Storage errors. The batches `durable` was told of stay; the ledger in memory is
    /// reloaded from the store.
    pub(crate) fn append_entries<I, F>(
        &mut self,
        batches: I,
        at: Timestamp,
        mut durable: F,
    ) -> Result<AppendReport, LedgerError>
    where
        I: IntoIterator<Item = Vec<Entry>>,
        I::IntoIter: Send,
        F: FnMut(&AppendReport),
    {
        let mut batches = batches.into_iter();
        self.pipeline(
            |size, head| {
                batches
                    .next()
                    .map(|b| stage_entries(b, at, Tip { size, head }, Format::CURRENT))
            },
            &mut durable,
        )
    }

    /// Appends `entries` as one atomic batch without the validator: for tests that
    /// need a ledger the validator would refuse, or build one faster.
    ///
    /// # Errors
    /// Storage errors.
    #[cfg(any(test, feature = "test-support"))]
    pub fn append_unchecked(
        &mut self,
        entries: Vec<Entry>,
        at: Timestamp,
    ) -> Result<AppendReport, LedgerError> {
        self.append_entries(std::iter::once(entries), at, |_| {})
    }

    /// [`Ledger::append_unchecked`] with the records written in `format`: for tests of
    /// ledgers begun in an older record format.
    ///
    /// # Errors
    /// Storage errors; [`LedgerError::Encode`] for an entry `format` cannot express.
    #[cfg(any(test, feature = "test-support"))]
    pub fn append_unchecked_in(
        &mut self,
        entries: Vec<Entry>,
        at: Timestamp,
        format: Format,
    ) -> Result<AppendReport, LedgerError> {
        let mut batch = Some(entries);
        self.pipeline(
            |size, head| {
                batch
                    .take()
                    .map(|b| stage_entries(b, at, Tip { size, head }, format))
            },
            &mut |_| {},
        )
    }

    /// Appends records made elsewhere (an export being restored), batch by batch as
    /// [`Ledger::append_entries`] does: each must continue the chain and be `admitted`
    /// (asked with its seq and chain hash). They are stored byte for byte as their
    /// canonical encoding, so the chain hashes and Merkle root are reproduced exactly. A
    /// batch holding a record that fails stops the append there; the batches before it
    /// stay. `durable` is told of each batch once it is durable.
    ///
    /// # Errors
    /// [`LedgerError::Break`] or [`LedgerError::NotAdmitted`] naming the first record
    /// that fails; storage errors.
    pub(crate) fn append_records<I>(
        &mut self,
        batches: I,
        admitted: impl Fn(u64, ChainHash) -> bool + Send + Sync,
        durable: &mut dyn FnMut(&AppendReport),
    ) -> Result<AppendReport, LedgerError>
    where
        I: IntoIterator<Item = Vec<Record>>,
        I::IntoIter: Send,
    {
        let mut batches = batches.into_iter();
        self.pipeline(
            |size, head| {
                batches
                    .next()
                    .map(|r| stage_records(r, Tip { size, head }, &admitted))
            },
            durable,
        )
    }

    /// Writes the batches `next` stages (given the size and head they continue), each
    /// durable before the next: staging, writing and deriving on three threads, each
    /// handing the next whole batches.
    fn pipeline(
        &mut self,
        next: impl FnMut(u64, ChainHash) -> Option<Result<Staged, LedgerError>> + Send,
        durable: &mut dyn FnMut(&AppendReport),
    ) -> Result<AppendReport, LedgerError> {
        self.ready_to_append()?;
        let base = Tip {
            size: self.size,
            head: self.head,
        };
        // The appended records' leaves go into the tiles.
        self.tiles.clear();
        let (store, index) = (&self.store, &mut self.index);
        let (written, derived) = std::thread::scope(|scope| {
            let (to_write, staged) = std::sync::mpsc::sync_channel(IN_FLIGHT);
            let staging = scope.spawn(move || stage_all(next, base, &to_write));
            let (to_derive, written_batches) = std::sync::mpsc::sync_channel::<(u64, Staged)>(IN_FLIGHT);
            let deriving = scope.spawn(move || -> Result<(), LedgerError> {
                for (first, batch) in written_batches {
                    let with_leaves: Vec<_> = batch.iter().map(|(s, r)| (s.leaf, r)).collect();
                    index.add(store, first, &with_leaves)?;
                }
                Ok(index.write_pending(store)?)
            });
            let written = write_all(store, base, &staged, &to_derive, durable);
            drop(staged);
            drop(to_derive);
            let joined = staging.join();
            let derived = deriving
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            joined.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (written, derived)
        });
        let done = written.and_then(|tip| derived.and(Ok(tip)));
        let tip = match done.and_then(|tip| Ok(self.store.flush().map(|()| tip)?)) {
            Ok(tip) => tip,
            Err(e) => {
                // Records may be written past what `size` says and derived data may be
                // half taken in: describe the store again (opening completes derived
                // data). If that fails too, the first error is the one to report.
                let _ = self.load();
                return Err(e);
            }
        };
        self.size = tip.size;
        self.head = tip.head;
        Ok(AppendReport {
            first: Seq::new(base.size),
            count: tip.size - base.size,
            head: tip.head,
        })
    }

    /// Refuses to append to a store that lost what it acknowledged or whose last record
    /// is damaged, and loads the party registry (appends keep it and its snapshot up to
    /// date).
    fn ready_to_append(&mut self) -> Result<(), LedgerError> {
        if let Some(b) = self.check_witness()? {
            return Err(LedgerError::Unacknowledged(Box::new(b)));
        }
        self.parties()?;
        if self.size > 0 && self.raw(Seq::new(self.size - 1)).is_err() {
            return Err(LedgerError::Damaged {
                seq: self.size - 1,
                why: "the last record is damaged: run `pactlog verify` and restore from a backup before appending".into(),
            });
        }
        Ok(())
    }
}

/// The staging thread: asks `next` for batches that continue the chain and hands them to
/// the writer, stopping after the first error (the writer reports it) or when the writer
/// stops.
fn stage_all(
    mut next: impl FnMut(u64, ChainHash) -> Option<Result<Staged, LedgerError>>,
    base: Tip,
    to_write: &SyncSender<Result<Staged, LedgerError>>,
) {
    let mut tip = base;
    while let Some(batch) = next(tip.size, tip.head) {
        let stop = match &batch {
            Ok(b) => {
                if let Some((last, _)) = b.last() {
                    tip = Tip {
                        size: tip.size + b.len() as u64,
                        head: last.hash,
                    };
                }
                false
            }
            Err(_) => true,
        };
        if to_write.send(batch).is_err() || stop {
            break;
        }
    }
}

/// The writing stage: each staged batch in one atomic write, flushed and acknowledged in
/// the witness before `durable` hears of it and the deriving thread gets it. Returns the
/// tip after the last batch written.
fn write_all<S: Store>(
    store: &S,
    base: Tip,
    staged: &Receiver<Result<Staged, LedgerError>>,
    to_derive: &SyncSender<(u64, Staged)>,
    durable: &mut dyn FnMut(&AppendReport),
) -> Result<Tip, LedgerError> {
    let mut tip = base;
    for batch in staged {
        let batch: Staged = batch?;
        let Some((last, _)) = batch.last() else {
            continue;
        };
        let first = tip.size;
        if first == 0 {
            store.apply(Tree::Meta, vec![index::format_op(index::STORE_FORMAT)])?;
        }
        let ops = batch
            .iter()
            .map(|(s, _)| Op::Put(s.seq.key().to_vec(), s.to_value()))
            .collect();
        store.apply(Tree::Records, ops)?;
        store.flush()?;
        tip = Tip {
            size: first + batch.len() as u64,
            head: last.hash,
        };
        witness::acknowledge(store, tip)?;
        durable(&AppendReport {
            first: Seq::new(first),
            count: batch.len() as u64,
            head: tip.head,
        });
        if to_derive.send((first, batch)).is_err() {
            // The derived-data thread stopped; its error is the one to report.
            break;
        }
    }
    Ok(tip)
}

/// Encodes `entries` as the records that continue the chain at `tip`.
fn stage_entries(
    entries: Vec<Entry>,
    at: Timestamp,
    tip: Tip,
    format: Format,
) -> Result<Staged, LedgerError> {
    let mut tip = tip;
    let mut batch = Vec::with_capacity(entries.len());
    for entry in entries {
        let record = Record {
            format,
            ..tip.link(entry, at)
        };
        let stored = stored_of(&record)?;
        tip = tip.after(stored.hash);
        batch.push((stored, record));
    }
    Ok(batch)
}

/// Checks that `records` continue the chain at `tip` (the chain rule) and were
/// `admitted`, and encodes them.
fn stage_records(
    records: Vec<Record>,
    tip: Tip,
    admitted: &impl Fn(u64, ChainHash) -> bool,
) -> Result<Staged, LedgerError> {
    let mut tip = tip;
    let mut batch = Vec::with_capacity(records.len());
    for record in records {
        tip.check(&record).map_err(|kind| {
            LedgerError::Break(Box::new(Break {
                seq: tip.size,
                kind,
            }))
        })?;
        let stored = stored_of(&record)?;
        if !admitted(tip.size, stored.hash) {
            return Err(LedgerError::NotAdmitted { seq: tip.size });
        }
        tip = tip.after(stored.hash);
        batch.push((stored, record));
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Listing, META_DERIVED};
    use crate::model::EventId;
    use crate::store::MemoryStore;
    use crate::synth::{Synth, SynthConfig};

    const AT: Timestamp = Timestamp::from_unix(1_772_150_400);

    fn entries(events: usize) -> Vec<Entry> {
        let synth = Synth::new(SynthConfig::new(7, events));
        let mut out: Vec<Entry> = synth.parties().into_iter().map(Entry::Party).collect();
        out.extend(synth.events().map(Entry::Event));
        out
    }

    fn event_ids(entries: &[Entry]) -> Vec<EventId> {
        entries
            .iter()
            .filter_map(|e| match e {
                Entry::Event(e) => Some(e.id.clone()),
                Entry::Party(_) => None,
            })
            .collect()
    }

    /// Everything the indexes answer about `ledger`, for comparing two ledgers.
    fn answers(ledger: &Ledger<MemoryStore>, ids: &[EventId]) -> Vec<String> {
        let mut out = vec![
            format!("size {} head {:?}", ledger.size(), ledger.head()),
            format!("root {:?}", ledger.root_at(ledger.size()).unwrap()),
            format!(
                "parties {:?}",
                ledger.parties().unwrap().iter().collect::<Vec<_>>()
            ),
        ];
        for id in ids {
            out.push(format!("{id} {:?}", ledger.event_seq(id).unwrap()));
        }
        let relationships = ledger.relationships().unwrap();
        assert!(
            relationships.len() > 50,
            "a dataset with many relationships"
        );
        for (a, b) in relationships {
            for listing in [Listing::Member, Listing::Supersedes] {
                let seqs = ledger.pair_seqs(&a, &b, listing, None).unwrap();
                out.push(format!("{a} {b} {listing:?} {seqs:?}"));
            }
            out.push(format!("{a} partners {:?}", ledger.partners(&a).unwrap()));
        }
        out
    }

    #[test]
    fn a_bulk_append_indexes_as_batch_by_batch_appends_do_and_reports_each_batch() {
        let all = entries(3000);
        let ids = event_ids(&all);
        let batches: Vec<Vec<Entry>> = all.chunks(97).map(<[Entry]>::to_vec).collect();

        // Reference: one append per batch, each writing its derived data before the next.
        let mut one_by_one = Ledger::open(MemoryStore::new()).unwrap();
        for batch in batches.clone() {
            one_by_one.append_unchecked(batch, AT).unwrap();
        }

        // Bulk, with pending entries written every 250 records (mid-batch, so runs
        // and merges do not line up with batches).
        let store = MemoryStore::new();
        let mut bulk = Ledger::open(store.clone()).unwrap();
        bulk.index.pending_limit = 250;
        let mut told = Vec::new();
        let report = bulk
            .append_entries(batches, AT, |r| told.push((r.first.get(), r.count)))
            .unwrap();
        assert_eq!(report.first.get(), 0);
        assert_eq!(report.count, all.len() as u64);
        assert_eq!(report.head, one_by_one.head());
        let mut next = 0;
        for (first, count) in &told {
            assert_eq!(*first, next, "batches reported in order, each once");
            next += count;
        }
        assert_eq!(next, all.len() as u64);
        assert_eq!(told.len(), all.len().div_ceil(97));

        let want = answers(&one_by_one, &ids);
        assert_eq!(answers(&bulk, &ids), want);
        // Durable as they are: the reopened store needs no completing.
        let watermark = store.get(Tree::Meta, META_DERIVED).unwrap().unwrap();
        assert_eq!(watermark.as_ref(), (all.len() as u64).to_be_bytes());
        assert_eq!(answers(&Ledger::open(store).unwrap(), &ids), want);
    }

    #[test]
    fn roots_and_proofs_read_between_appends_see_the_tiles_each_append_wrote() {
        let all = entries(1200);
        let store = MemoryStore::new();
        let mut ledger = Ledger::open(store.clone()).unwrap();
        for batch in all.chunks(97) {
            ledger.append_unchecked(batch.to_vec(), AT).unwrap();
            let size = ledger.size();
            // The live ledger has read (and kept) the edge tiles before this append.
            let root = ledger.root_at(size).unwrap();
            assert_eq!(
                root,
                Ledger::open(store.clone()).unwrap().root_at(size).unwrap()
            );
            let last = ledger.raw(Seq::new(size - 1)).unwrap().unwrap();
            let proof = crate::merkle::inclusion_proof(&ledger.tiles(), size - 1, size).unwrap();
            root.verify_inclusion(&last.leaf, size - 1, size, &proof.hashes)
                .unwrap();
        }
    }

    #[test]
    fn derived_data_left_behind_by_a_crash_is_completed_on_open() {
        let all = entries(1500);
        let ids = event_ids(&all);
        let mut reference = Ledger::open(MemoryStore::new()).unwrap();
        reference
            .append_entries(vec![all.clone()], AT, |_| {})
            .unwrap();

        // A crash after the records of the last batches, before their derived data:
        // the watermark and runs describe fewer records than the store holds.
        let store = MemoryStore::new();
        let mut ledger = Ledger::open(store.clone()).unwrap();
        let (head, tail) = all.split_at(900);
        ledger.append_unchecked(head.to_vec(), AT).unwrap();
        let behind = store.get(Tree::Meta, META_DERIVED).unwrap().unwrap();
        ledger.append_unchecked(tail.to_vec(), AT).unwrap();
        store
            .apply(
                Tree::Meta,
                vec![Op::Put(
                    META_DERIVED.to_vec(),
                    behind.as_ref().to_vec(),
                )],
            )
            .unwrap();
        let reopened = Ledger::open(store).unwrap();
        assert_eq!(answers(&reopened, &ids), answers(&reference, &ids));
    }

    #[test]
    fn restoring_batches_stops_at_the_first_that_does_not_continue_the_chain() {
        let all = entries(400);
        let mut source = Ledger::open(MemoryStore::new()).unwrap();
        source.append_entries(vec![all], AT, |_| {}).unwrap();
        let records: Vec<Record> = source.records(0, None).map(Result::unwrap).collect();
        let mut batches: Vec<Vec<Record>> = records.chunks(100).map(<[Record]>::to_vec).collect();
        // The third batch's first record claims another predecessor.
        batches[2][0].prev = ChainHash::ZERO;

        let store = MemoryStore::new();
        let mut restored = Ledger::open(store.clone()).unwrap();
        let err = restored
            .append_records(batches, |_, _| true, &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(&err, LedgerError::Break(b) if b.seq == 200 && b.kind == crate::chain::BreakKind::BrokenLink),
            "{err}"
        );
        assert_eq!(restored.size(), 200, "the batches before it stay");
        assert_eq!(restored.head(), source.head_at(200).unwrap());
        // The ledger in memory describes the store, derived data included.
        let reopened = Ledger::open(store).unwrap();
        assert_eq!(reopened.size(), 200);
        assert_eq!(restored.root_at(200).unwrap(), source.root_at(200).unwrap());
        assert_eq!(reopened.root_at(200).unwrap(), source.root_at(200).unwrap());
        let tail: Vec<Record> = records[200..].to_vec();
        restored
            .append_records(vec![tail], |_, _| true, &mut |_| {})
            .unwrap();
        assert_eq!(restored.head(), source.head());
    }
}
