//! Appending. Each batch's records are written with one atomic store batch and flushed
//! (durable, and acknowledged to the caller) on the calling thread, while a second thread
//! works out and writes their derived data (see `derive.rs`), which may trail the records
//! by a few batches and is complete when the append returns. A crash in between leaves
//! derived data that lags the records, which opening the ledger completes.

use super::{AppendReport, Ledger, LedgerError, StoredRecord, index, stored_of};
use crate::chain::ChainHash;
use crate::codec::{self, Entry, Record, Seq, Timestamp};
use crate::store::{Op, Store, Tree};

/// Batches handed to the derived-data thread and not yet taken in: bounds the memory of
/// an append when deriving falls behind writing.
const IN_FLIGHT: usize = 2;

/// A batch ready to write: each record with its encoding and hashes.
type Staged = Vec<(StoredRecord, Record)>;

impl<S: Store> Ledger<S> {
    /// Appends `entries` as one atomic batch recorded at `at`, with its derived data.
    /// Returns once the batch and its derived data are durable.
    ///
    /// The caller validates entries first (see [`crate::import`]); the ledger records
    /// what it is given.
    ///
    /// # Errors
    /// Storage errors; nothing is acknowledged unless it was flushed.
    pub fn append(
        &mut self,
        entries: Vec<Entry>,
        at: Timestamp,
    ) -> Result<AppendReport, LedgerError> {
        self.append_all(std::iter::once(entries), at, |_| {})
    }

    /// Appends `batches` in order, each as one atomic batch recorded at `at`: a bulk
    /// import. Each batch is durable (flushed and witnessed) before the next one is
    /// written, and `durable` is told of it then (its first seq, count and head). The
    /// derived data (indexes, Merkle tiles) follows on a second thread, in runs of many
    /// batches, and is durable too when this returns. Returns what was appended in all.
    ///
    /// # Errors
    /// Storage errors. The batches `durable` was told of stay; the ledger in memory is
    /// reloaded from the store.
    pub fn append_all<I, F>(
        &mut self,
        batches: I,
        at: Timestamp,
        mut durable: F,
    ) -> Result<AppendReport, LedgerError>
    where
        I: IntoIterator<Item = Vec<Entry>>,
        F: FnMut(&AppendReport),
    {
        let mut batches = batches.into_iter();
        self.pipeline(
            |size, head| batches.next().map(|b| stage_entries(b, at, size, head)),
            &mut durable,
        )
    }

    /// Appends records made elsewhere (an export being restored): each must sit at the
    /// next seq and link to the current head. They are stored byte-for-byte as their
    /// canonical encoding, so the chain hashes and Merkle root are reproduced exactly.
    ///
    /// # Errors
    /// [`LedgerError::Damaged`] naming the first record that does not continue the
    /// chain; storage errors.
    pub fn append_records(&mut self, records: Vec<Record>) -> Result<AppendReport, LedgerError> {
        let mut records = Some(records);
        self.pipeline(
            |size, head| records.take().map(|r| stage_records(r, size, head)),
            &mut |_| {},
        )
    }

    /// Writes the batches `next` stages (given the size and head they continue), each
    /// durable before the next; derives on a second thread.
    fn pipeline(
        &mut self,
        mut next: impl FnMut(u64, ChainHash) -> Option<Result<Staged, LedgerError>>,
        durable: &mut dyn FnMut(&AppendReport),
    ) -> Result<AppendReport, LedgerError> {
        if let Some(b) = self.check_witness()? {
            return Err(LedgerError::Unacknowledged(Box::new(b)));
        }
        if self.size > 0 && self.raw(Seq::new(self.size - 1)).is_err() {
            return Err(LedgerError::Damaged {
                seq: self.size - 1,
                why: "the last record is damaged: run `pactlog verify` and restore from a backup before appending".into(),
            });
        }
        let start = self.size;
        let (store, index) = (&self.store, &mut self.index);
        let (mut size, mut head) = (self.size, self.head);
        let (written, derived) = std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel::<(u64, Staged)>(IN_FLIGHT);
            let deriving = scope.spawn(move || -> Result<(), LedgerError> {
                for (first, batch) in receive {
                    index.add(store, first, &batch)?;
                }
                index.write_pending(store)
            });
            let mut write = || -> Result<(), LedgerError> {
                while let Some(batch) = next(size, head) {
                    let batch = batch?;
                    let Some((last, _)) = batch.last() else {
                        continue;
                    };
                    let (first, last_hash) = (size, last.hash);
                    if first == 0 {
                        store.apply(
                            Tree::Meta,
                            vec![Op::Put(
                                index::META_FORMAT.to_vec(),
                                vec![codec::FORMAT_VERSION],
                            )],
                        )?;
                    }
                    let ops = batch
                        .iter()
                        .map(|(s, _)| Op::Put(s.seq.key().to_vec(), s.to_value()))
                        .collect();
                    store.apply(Tree::Records, ops)?;
                    store.flush()?;
                    size += batch.len() as u64;
                    head = last_hash;
                    durable(&AppendReport {
                        first: Seq::new(first),
                        count: batch.len() as u64,
                        head,
                    });
                    if send.send((first, batch)).is_err() {
                        // The derived-data thread stopped; its error is the one to report.
                        break;
                    }
                }
                Ok(())
            };
            let written = write();
            drop(send);
            let derived = deriving
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (written, derived)
        });
        let done = written.and(derived).and_then(|()| Ok(self.store.flush()?));
        if let Err(e) = done {
            // Records may be written past what `size` says and derived data may be half
            // taken in: describe the store again (opening completes derived data). If
            // that fails too, the first error is the one to report.
            let _ = self.load();
            return Err(e);
        }
        self.size = size;
        self.head = head;
        Ok(AppendReport {
            first: Seq::new(start),
            count: size - start,
            head,
        })
    }
}

/// Encodes `entries` as the records that continue a ledger of `size` records ending in
/// `head`.
fn stage_entries(
    entries: Vec<Entry>,
    at: Timestamp,
    size: u64,
    head: ChainHash,
) -> Result<Staged, LedgerError> {
    let mut prev = head;
    let mut batch = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        let record = Record {
            seq: Seq::new(size + i as u64),
            recorded_at: at,
            prev,
            entry,
        };
        let stored = stored_of(&record)?;
        prev = stored.hash;
        batch.push((stored, record));
    }
    Ok(batch)
}

/// Checks that `records` continue a ledger of `size` records ending in `head`, and
/// encodes them.
fn stage_records(records: Vec<Record>, size: u64, head: ChainHash) -> Result<Staged, LedgerError> {
    let mut prev = head;
    let mut batch = Vec::with_capacity(records.len());
    for (i, record) in records.into_iter().enumerate() {
        let want = size + i as u64;
        if record.seq.get() != want {
            return Err(LedgerError::Damaged {
                seq: record.seq.get(),
                why: format!("it does not continue the ledger: the next record must be {want}"),
            });
        }
        if record.prev != prev {
            return Err(LedgerError::Damaged {
                seq: want,
                why: "its prev hash is not the hash of the record before it".into(),
            });
        }
        let stored = stored_of(&record)?;
        prev = stored.hash;
        batch.push((stored, record));
    }
    Ok(batch)
}
