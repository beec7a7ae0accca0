//! The full chain check: every record's hashes, bytes, position and link, then the
//! Merkle root, reporting the first break.
//!
//! The check runs in parallel and reports exactly what a sequential check would. This
//! thread scans `records` in order (keys, positions, lengths, and the Merkle root from
//! the stored leaf hashes); worker threads check chunks of consecutive records: both
//! hashes of each record's bytes, strict decoding, the seq the record claims, and its
//! link to the stored hash of the record before it (which that record's own worker
//! checks against its bytes). The first break is the lowest seq any of them found.
//!
//! A chain that checks out on its own can still be shorter than what was acknowledged
//! (sled's recovery drops a damaged log tail silently), so `verify` also compares the
//! store with its acknowledged-size witness ([`Ledger::check_witness`]).

use super::{Ledger, LedgerError, seq_from_key};
use crate::chain::{self, Break, BreakKind, Tip};
use crate::codec::{ChainHash, Seq};
use crate::merkle::{self, Hash, RootAccumulator};
use crate::store::{Store, Tree};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

/// The outcome of a full check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records checked before the first break (all of them when there is none).
    pub checked: u64,
    /// Chain hash of the last good record.
    pub head: ChainHash,
    /// RFC 6962 root of the records (when the chain is whole).
    pub root: Option<Hash>,
    /// The first break, if any.
    pub first_break: Option<Break>,
}

impl VerifyReport {
    /// Whether nothing was wrong.
    pub fn is_ok(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Checks one record: `value` is its stored value (at least the two hashes long), `tip`
/// the chain it must continue (`head`: the stored chain hash of the record before it).
fn check_one(value: &[u8], tip: &Tip) -> Result<(), BreakKind> {
    let (hash, rest) = value.split_at(32);
    let (leaf, bytes) = rest.split_at(32);
    let mut stored = [0u8; 32];
    stored.copy_from_slice(hash);
    let record = chain::check_bytes(bytes, &ChainHash::from_bytes(stored))?;
    if merkle::leaf_hash(bytes).as_bytes()[..] != *leaf {
        return Err(BreakKind::LeafMismatch);
    }
    tip.check(&record)
}

/// Records per chunk handed to a worker.
const CHUNK: usize = 512;
/// Chunks queued per worker (bounds memory).
const QUEUE: usize = 4;

/// Consecutive stored values, concatenated, for one worker.
struct Chunk {
    /// Seq of the first.
    first: u64,
    /// Stored chain hash of the record before the first (zeros before seq 0).
    prev: [u8; 32],
    bytes: Vec<u8>,
    /// End offset of each value in `bytes`.
    ends: Vec<usize>,
}

impl Chunk {
    fn new(first: u64, prev: [u8; 32]) -> Chunk {
        Chunk {
            first,
            prev,
            bytes: Vec::with_capacity(CHUNK * 768),
            ends: Vec::with_capacity(CHUNK),
        }
    }

    /// The first break in the chunk.
    fn check(&self) -> Option<(u64, BreakKind)> {
        let mut tip = Tip {
            size: self.first,
            head: ChainHash::from_bytes(self.prev),
        };
        let mut start = 0;
        for &end in &self.ends {
            let value = &self.bytes[start..end];
            if let Err(kind) = check_one(value, &tip) {
                return Some((tip.size, kind));
            }
            let mut hash = [0u8; 32];
            hash.copy_from_slice(&value[..32]);
            tip = tip.after(ChainHash::from_bytes(hash));
            start = end;
        }
        None
    }
}

/// The earlier of two breaks.
fn earliest(a: Option<(u64, BreakKind)>, b: Option<(u64, BreakKind)>) -> Option<(u64, BreakKind)> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.0 < x.0 { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

impl<S: Store> Ledger<S> {
    /// Checks every record in order (hashes, strict decoding, positions, links), then
    /// the Merkle root of the stored tiles against the records, then the store against
    /// its witness ([`Ledger::check_witness`]). Reports the first break; a witness break
    /// comes before a chain break at a later seq, and in place of a Merkle mismatch
    /// (which only says that something is wrong at the end).
    ///
    /// Records are checked on every core (see the module docs); the report is the same
    /// as a sequential check's.
    ///
    /// # Errors
    /// Storage errors only; damage is reported in the [`VerifyReport`].
    pub fn verify(&self) -> Result<VerifyReport, LedgerError> {
        self.verify_reporting(|_| {})
    }

    /// [`Ledger::verify`], telling `progress` how many records have been read so far
    /// (every `CHUNK` records, from the thread that calls this).
    ///
    /// # Errors
    /// As [`Ledger::verify`].
    pub fn verify_reporting(
        &self,
        progress: impl FnMut(u64),
    ) -> Result<VerifyReport, LedgerError> {
        let witnessed = self.check_witness()?;
        let chain = self.verify_chain(progress)?;
        let Some(w) = witnessed else {
            return Ok(chain);
        };
        if let Some(c) = &chain.first_break
            && c.seq <= w.seq
            && !matches!(c.kind, BreakKind::MerkleMismatch { .. })
        {
            return Ok(chain);
        }
        // Every record before the witness break checked out (it precedes any chain break).
        Ok(VerifyReport {
            checked: w.seq,
            head: self.stored_hash_before(w.seq)?,
            root: None,
            first_break: Some(w),
        })
    }

    /// The chain and Merkle check of [`Ledger::verify`], without the witness.
    fn verify_chain(&self, progress: impl FnMut(u64)) -> Result<VerifyReport, LedgerError> {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let lowest = AtomicU64::new(u64::MAX);
        let (scanned, found) = std::thread::scope(|scope| {
            let (done_tx, done_rx) = mpsc::channel();
            let mut queues = Vec::with_capacity(workers);
            for _ in 0..workers {
                let (tx, rx) = mpsc::sync_channel::<Chunk>(QUEUE);
                queues.push(tx);
                let done_tx = done_tx.clone();
                let lowest = &lowest;
                scope.spawn(move || {
                    let mut found = None;
                    for chunk in rx {
                        // Chunks after a known break need no check; keep draining.
                        if found.is_some() || chunk.first > lowest.load(Ordering::Relaxed) {
                            continue;
                        }
                        if let Some(b) = chunk.check() {
                            lowest.fetch_min(b.0, Ordering::Relaxed);
                            found = Some(b);
                        }
                    }
                    let _ = done_tx.send(found);
                });
            }
            drop(done_tx);
            let scanned = self.scan(&queues, &lowest, progress);
            // Closing the queues ends the workers.
            drop(queues);
            let found = done_rx.iter().fold(None, earliest);
            (scanned, found)
        });
        let scan = scanned?;
        let first_break = earliest(scan.stopped, found);
        if let Some((seq, kind)) = first_break {
            return Ok(VerifyReport {
                checked: seq,
                head: self.stored_hash_before(seq)?,
                root: None,
                first_break: Some(Break { seq, kind }),
            });
        }
        let expected = scan.count;
        let prev = ChainHash::from_bytes(scan.last_hash);
        let fail = |kind: BreakKind| VerifyReport {
            checked: expected,
            head: prev,
            root: None,
            first_break: Some(Break {
                seq: expected,
                kind,
            }),
        };
        let computed = scan.root.root();
        match self.stored_root_at(expected) {
            Ok(r) if r == computed => {}
            Ok(r) => {
                return Ok(fail(BreakKind::MerkleMismatch {
                    stored: r.to_string(),
                    computed: computed.to_string(),
                }));
            }
            Err(e) => {
                return Ok(fail(BreakKind::MerkleMismatch {
                    stored: format!("unreadable ({e})"),
                    computed: computed.to_string(),
                }));
            }
        }
        Ok(VerifyReport {
            checked: expected,
            head: prev,
            root: Some(computed),
            first_break: None,
        })
    }

    /// Reads `records` in order, checking what needs no decoding (keys, positions,
    /// lengths), accumulating the Merkle root of the stored leaves, and handing the
    /// values to the workers' queues round-robin. Stops at its own first break, or
    /// when a worker has found an earlier one. Tells `progress` the count read after
    /// each chunk.
    fn scan(
        &self,
        queues: &[mpsc::SyncSender<Chunk>],
        lowest: &AtomicU64,
        mut progress: impl FnMut(u64),
    ) -> Result<Scan, LedgerError> {
        let mut scan = Scan {
            count: 0,
            last_hash: [0; 32],
            root: RootAccumulator::default(),
            stopped: None,
        };
        let mut chunk = Chunk::new(0, [0; 32]);
        let mut next = 0usize;
        let mut send = |chunk: Chunk| {
            if !chunk.ends.is_empty() && !queues.is_empty() {
                // A worker only hangs up after a panic; the break it would have
                // reported is then missing, so report the check as failed loudly.
                if queues[next % queues.len()].send(chunk).is_err() {
                    return Err(LedgerError::Damaged {
                        seq: 0,
                        why: "a verification worker stopped".into(),
                    });
                }
                next += 1;
            }
            Ok(())
        };
        for item in self.store.range(Tree::Records, b"", None) {
            let expected = scan.count;
            if expected > lowest.load(Ordering::Relaxed) {
                break;
            }
            let (k, v) = item?;
            let v = v.as_ref();
            let Some(seq) = seq_from_key(k.as_ref()) else {
                scan.stopped = Some((expected, BreakKind::BadKey));
                break;
            };
            if seq.get() != expected {
                scan.stopped = Some((
                    expected,
                    BreakKind::Missing {
                        next_found: Some(seq.get()),
                    },
                ));
                break;
            }
            if v.len() < 64 {
                scan.stopped = Some((expected, BreakKind::Truncated));
                break;
            }
            chunk.bytes.extend_from_slice(v);
            chunk.ends.push(chunk.bytes.len());
            let mut leaf = [0u8; 32];
            leaf.copy_from_slice(&v[32..64]);
            scan.root.push(Hash::from_bytes(leaf));
            scan.last_hash.copy_from_slice(&v[..32]);
            scan.count += 1;
            if chunk.ends.len() == CHUNK {
                let full = std::mem::replace(&mut chunk, Chunk::new(scan.count, scan.last_hash));
                send(full)?;
                progress(scan.count);
            }
        }
        send(chunk)?;
        progress(scan.count);
        Ok(scan)
    }

    /// The stored chain hash of record `seq - 1` (zeros for 0): the head before a break.
    fn stored_hash_before(&self, seq: u64) -> Result<ChainHash, LedgerError> {
        if seq == 0 {
            return Ok(ChainHash::ZERO);
        }
        let value = self.store.get(Tree::Records, &Seq::new(seq - 1).key())?;
        let mut hash = [0u8; 32];
        match value {
            Some(v) if v.as_ref().len() >= 32 => hash.copy_from_slice(&v.as_ref()[..32]),
            _ => {
                return Err(LedgerError::Damaged {
                    seq: seq - 1,
                    why: "the record before the break cannot be read again".into(),
                });
            }
        }
        Ok(ChainHash::from_bytes(hash))
    }
}

/// What the scanning thread found.
struct Scan {
    /// Records read and handed out (all of them when it did not stop).
    count: u64,
    /// Stored chain hash of the last record read.
    last_hash: [u8; 32],
    /// Merkle root of the stored leaf hashes read.
    root: RootAccumulator,
    /// The scanner's own first break.
    stopped: Option<(u64, BreakKind)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Entry, Timestamp};
    use crate::model::{Party, PartyId};
    use crate::store::{MemoryStore, Op, SledStore, Witness};

    fn ledger(n: usize) -> Ledger<MemoryStore> {
        let mut ledger = Ledger::open(MemoryStore::new()).unwrap();
        let entries = (0..n).map(party).collect();
        ledger
            .append_unchecked(entries, Timestamp::from_unix(0))
            .unwrap();
        ledger
    }

    /// Flips one bit of the stored value at `key`, in the byte `at` picks from its length.
    fn flip(ledger: &Ledger<MemoryStore>, tree: Tree, key: &[u8], at: fn(usize) -> usize) {
        let mut v = ledger
            .store()
            .get(tree, key)
            .unwrap()
            .unwrap()
            .as_ref()
            .to_vec();
        let i = at(v.len());
        v[i] ^= 1;
        ledger
            .store()
            .apply(tree, vec![Op::Put(key.to_vec(), v)])
            .unwrap();
    }

    fn flip_last_byte(ledger: &Ledger<MemoryStore>, seq: u64) {
        flip(ledger, Tree::Records, &Seq::new(seq).key(), |len| len - 1);
    }

    fn party(i: usize) -> Entry {
        Entry::Party(Party {
            id: PartyId::new(&format!("p{i}")).unwrap(),
            name: format!("P {i}"),
            aliases: vec![],
        })
    }

    /// Verify checks the tiles in the store, not the copies a query kept in memory
    /// (`Ledger::tiles`): a tile changed behind an open ledger is found.
    #[test]
    fn verify_reads_the_stored_tiles_not_the_ones_kept_in_memory() {
        let ledger = ledger(300);
        let root = ledger.root_at(300).unwrap();
        // The right edge (tile 0/1, 44 hashes) is now kept in memory.
        let key = crate::merkle::TileKey { level: 0, index: 1 }.to_bytes();
        flip(&ledger, Tree::Merkle, &key, |_| 0);
        assert_eq!(
            ledger.root_at(300).unwrap(),
            root,
            "the kept copy answers queries"
        );
        let report = ledger.verify().unwrap();
        assert!(
            matches!(
                report.first_break,
                Some(Break {
                    seq: 300,
                    kind: BreakKind::MerkleMismatch { .. }
                })
            ),
            "{:?}",
            report.first_break
        );
    }

    #[test]
    fn a_store_that_lost_acknowledged_records_fails_verify_and_refuses_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let mut ledger = Ledger::open(SledStore::open(&path).unwrap()).unwrap();
            let entries = (0..6).map(party).collect();
            ledger
                .append_unchecked(entries, Timestamp::from_unix(0))
                .unwrap();
            let store = ledger.store();
            store
                .apply(
                    Tree::Records,
                    (4..6)
                        .map(|s| Op::Delete(Seq::new(s).key().to_vec()))
                        .collect(),
                )
                .unwrap();
            store.flush().unwrap();
        }
        let mut ledger = Ledger::open(SledStore::open(&path).unwrap()).unwrap();
        assert_eq!(ledger.size(), 4);
        let report = ledger.verify().unwrap();
        let b = report.first_break.clone().unwrap();
        assert_eq!(b.seq, 4);
        assert!(
            matches!(
                b.kind,
                BreakKind::LostRecords {
                    acknowledged: 6,
                    ..
                }
            ),
            "{b:?}"
        );
        assert!(b.to_string().contains("records 4..5 are missing"), "{b}");
        assert_eq!(report.checked, 4);
        assert_eq!(report.head, ledger.head());
        assert_eq!(ledger.check_witness().unwrap(), Some(b));

        match ledger.append_unchecked(vec![party(9)], Timestamp::from_unix(0)) {
            Err(LedgerError::Unacknowledged(b)) => assert_eq!(b.seq, 4),
            other => panic!("appended to a store that lost records: {other:?}"),
        }
        assert_eq!(ledger.size(), 4);
        match ledger.store().witness().unwrap() {
            Some(Witness::Acknowledged { size, .. }) => assert_eq!(size, 6),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_chain_break_before_the_witness_break_is_the_first_break() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let mut ledger = Ledger::open(SledStore::open(&path).unwrap()).unwrap();
        ledger
            .append_unchecked((0..6).map(party).collect(), Timestamp::from_unix(0))
            .unwrap();
        let store = ledger.store().clone();
        store
            .apply(Tree::Records, vec![Op::Delete(Seq::new(5).key().to_vec())])
            .unwrap();
        let mut v = store
            .get(Tree::Records, &Seq::new(2).key())
            .unwrap()
            .unwrap()
            .to_vec();
        v[0] ^= 1;
        store
            .apply(Tree::Records, vec![Op::Put(Seq::new(2).key().to_vec(), v)])
            .unwrap();
        store.flush().unwrap();
        drop(ledger);
        let ledger = Ledger::open(store).unwrap();
        assert_eq!(
            ledger.verify().unwrap().first_break,
            Some(Break {
                seq: 2,
                kind: BreakKind::HashMismatch
            })
        );
    }

    #[test]
    fn the_lowest_break_wins_whichever_thread_finds_it() {
        let n = 3 * CHUNK + 10;
        let ledger = ledger(n);
        let report = ledger.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.first_break);
        assert_eq!(report.checked, n as u64);
        assert_eq!(report.head, ledger.head());

        let late = 2 * CHUNK as u64 + 3;
        flip_last_byte(&ledger, late);
        let report = ledger.verify().unwrap();
        assert_eq!(
            report.first_break,
            Some(Break {
                seq: late,
                kind: BreakKind::HashMismatch
            })
        );
        assert_eq!(report.checked, late);
        let before = ledger.raw(Seq::new(late - 1)).unwrap().unwrap();
        assert_eq!(report.head, before.hash);

        flip_last_byte(&ledger, 5);
        assert_eq!(ledger.verify().unwrap().first_break.unwrap().seq, 5);

        // A gap the scanner sees before the worker's break is the first break.
        ledger
            .store()
            .apply(Tree::Records, vec![Op::Delete(Seq::new(3).key().to_vec())])
            .unwrap();
        assert_eq!(
            ledger.verify().unwrap().first_break,
            Some(Break {
                seq: 3,
                kind: BreakKind::Missing {
                    next_found: Some(4)
                }
            })
        );
    }
}
