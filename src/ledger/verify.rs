//! The full chain check: every record's hashes, bytes, position and link, then the
//! Merkle root, reporting the first break.
//!
//! The check runs on every core and reports exactly what one scan in order would. The
//! keys of `records` are cut into blocks of [`BLOCK`] consecutive seqs; worker threads
//! take the next unchecked block, read it from the store themselves and check it as a
//! scan would: each key, position and length, both hashes of each record's bytes, that
//! the bytes are canonical (checked in place: [`chain::check_canonical`]), the seq the
//! record claims, and its link to the stored hash of the record before it (read from
//! the store for a block's first record; that record's own block checks it against its
//! bytes). Each whole block folds its Merkle leaves into one subtree root. The blocks are
//! then put together in order: the first break is the first one in seq order, and a
//! block the records end in ends the chain unless a later key exists. Readers on both
//! cores, rather than one thread scanning and handing values over, because sled's read
//! of a record costs about as much as checking it.
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
/// Returns the stored chain hash and leaf hash.
fn check_one(value: &[u8], tip: &Tip) -> Result<(ChainHash, Hash), BreakKind> {
    let (hash, rest) = value.split_at(32);
    let (leaf, bytes) = rest.split_at(32);
    let stored = ChainHash::from_bytes(to_32(hash));
    let head = chain::check_canonical(bytes, &stored)?;
    let leaf = Hash::from_bytes(to_32(leaf));
    if merkle::leaf_hash(bytes) != leaf {
        return Err(BreakKind::LeafMismatch);
    }
    tip.check_head(&head)?;
    Ok((stored, leaf))
}

/// The first 32 bytes of `bytes` (zeros past its end).
fn to_32(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let n = bytes.len().min(32);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

/// Records per block: the unit of work of one worker, and a complete Merkle subtree.
const BLOCK_HEIGHT: u32 = 13;
const BLOCK: u64 = 1 << BLOCK_HEIGHT;

/// What a worker found in one block of `records`.
enum Block {
    /// Every record there checked out: `count` of them (fewer than [`BLOCK`] when the
    /// records end inside the block), with their leaves.
    Checked {
        count: u64,
        leaves: Leaves,
        /// Stored chain hash of the last record (unset when `count` is 0).
        last_hash: ChainHash,
    },
    /// The first break in the block.
    Broken(u64, BreakKind),
    /// Not checked to its end: a break at a lower seq was found elsewhere.
    Dropped,
}

/// A block's Merkle leaves.
enum Leaves {
    /// The root of a whole block ([`BLOCK`] leaves).
    Subtree(Hash),
    /// Each leaf (a block the records end in, or the last one, which has no end).
    Each(Vec<Hash>),
}

/// The blocks of one check: block `i` holds the keys from seq `i * BLOCK`; the first
/// also holds any key below seq 0, and the last every key after its start, so that
/// together they hold every key in `records` once, in order.
struct Plan {
    blocks: u64,
}

impl Plan {
    /// Blocks for about `size` records (the ledger's size: only how the work is cut
    /// depends on it, not what is checked).
    fn new(size: u64) -> Plan {
        Plan {
            blocks: size.div_ceil(BLOCK).max(1),
        }
    }

    fn is_last(&self, block: u64) -> bool {
        block + 1 == self.blocks
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

    /// [`Ledger::verify`], telling `progress` how many records have been checked so far
    /// (as each block of them is, from the thread that calls this), ending at the count
    /// checked.
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
        let scan = self.check_blocks(progress)?;
        if let Some((seq, kind)) = scan.stopped {
            return Ok(VerifyReport {
                checked: seq,
                head: self.stored_hash_before(seq)?,
                root: None,
                first_break: Some(Break { seq, kind }),
            });
        }
        let expected = scan.count;
        let prev = scan.last_hash;
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

    /// Checks every block of `records` on worker threads (each reads its blocks from the
    /// store itself, taking the next unclaimed one), tells `progress` the records checked
    /// as blocks finish, and puts the blocks together in order ([`Ledger::join_blocks`]).
    fn check_blocks(&self, mut progress: impl FnMut(u64)) -> Result<Scan, LedgerError> {
        let plan = Plan::new(self.size());
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let next = AtomicU64::new(0);
        let lowest = AtomicU64::new(u64::MAX);
        let mut blocks: Vec<Option<Result<Block, LedgerError>>> = Vec::new();
        blocks.resize_with(usize::try_from(plan.blocks).unwrap_or(usize::MAX), || None);
        std::thread::scope(|scope| {
            let (done_tx, done_rx) = mpsc::channel();
            for _ in 0..workers {
                let done_tx = done_tx.clone();
                let (plan, next, lowest) = (&plan, &next, &lowest);
                scope.spawn(move || {
                    loop {
                        let block = next.fetch_add(1, Ordering::Relaxed);
                        if block >= plan.blocks {
                            break;
                        }
                        let found = self.check_block(plan, block, lowest);
                        if done_tx.send((block, found)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            let mut checked = 0;
            for (block, found) in done_rx {
                if let Ok(Block::Checked { count, .. }) = &found {
                    checked += count;
                    progress(checked);
                }
                if let Some(slot) = usize::try_from(block).ok().and_then(|i| blocks.get_mut(i)) {
                    *slot = Some(found);
                }
            }
        });
        let scan = self.join_blocks(blocks)?;
        progress(scan.count);
        Ok(scan)
    }

    /// Checks block `block` of `plan`: reads its keys in order, checking each key,
    /// position and length, then each record ([`check_one`]), folding the leaves. Stops
    /// at its first break, or when a lower one was found elsewhere.
    fn check_block(&self, plan: &Plan, block: u64, lowest: &AtomicU64) -> Result<Block, LedgerError> {
        let first = block * BLOCK;
        if first > lowest.load(Ordering::Relaxed) {
            return Ok(Block::Dropped);
        }
        let start = if block == 0 { Vec::new() } else { Seq::new(first).key().to_vec() };
        let end = Seq::new(first + BLOCK).key();
        let end = (!plan.is_last(block)).then_some(&end[..]);
        let mut tip = Tip {
            size: first,
            head: self.stored_hash_leniently(first)?,
        };
        let mut leaves = Vec::with_capacity(BLOCK as usize);
        let mut acc = RootAccumulator::default();
        let broken = |seq: u64, kind: BreakKind| {
            lowest.fetch_min(seq, Ordering::Relaxed);
            Ok(Block::Broken(seq, kind))
        };
        for item in self.store.range(Tree::Records, &start, end) {
            let expected = tip.size;
            if expected > lowest.load(Ordering::Relaxed) {
                return Ok(Block::Dropped);
            }
            let (k, v) = item?;
            let v = v.as_ref();
            let Some(seq) = seq_from_key(k.as_ref()) else {
                return broken(expected, BreakKind::BadKey);
            };
            if seq.get() != expected {
                let next_found = Some(seq.get());
                return broken(expected, BreakKind::Missing { next_found });
            }
            if v.len() < 64 {
                return broken(expected, BreakKind::Truncated);
            }
            let (hash, leaf) = match check_one(v, &tip) {
                Ok(hashes) => hashes,
                Err(kind) => return broken(expected, kind),
            };
            acc.push(leaf);
            leaves.push(leaf);
            tip = tip.after(hash);
        }
        let count = tip.size - first;
        let leaves = if count == BLOCK && !plan.is_last(block) {
            Leaves::Subtree(acc.root())
        } else {
            Leaves::Each(leaves)
        };
        Ok(Block::Checked {
            count,
            leaves,
            last_hash: tip.head,
        })
    }

    /// The blocks in order, as one scan of `records` would have found them: the records
    /// before the first break (or all of them), their Merkle root, and the break. A
    /// block that the records end in ends the chain there, unless a later key exists:
    /// then the records after it are missing (or that key is not a seq).
    fn join_blocks(&self, blocks: Vec<Option<Result<Block, LedgerError>>>) -> Result<Scan, LedgerError> {
        let mut scan = Scan {
            count: 0,
            last_hash: ChainHash::ZERO,
            root: RootAccumulator::default(),
            stopped: None,
        };
        let last = blocks.len().saturating_sub(1);
        for (i, block) in blocks.into_iter().enumerate() {
            // A block is dropped, or not sent, only above a break found in an earlier one.
            let Some(block) = block else {
                return Err(worker_stopped());
            };
            let (count, leaves, last_hash) = match block? {
                Block::Checked {
                    count,
                    leaves,
                    last_hash,
                } => (count, leaves, last_hash),
                Block::Broken(seq, kind) => {
                    scan.stopped = Some((seq, kind));
                    return Ok(scan);
                }
                Block::Dropped => return Err(worker_stopped()),
            };
            match leaves {
                Leaves::Subtree(root) => scan.root.push_subtree(BLOCK_HEIGHT, root),
                Leaves::Each(leaves) => leaves.into_iter().for_each(|l| scan.root.push(l)),
            }
            if count > 0 {
                scan.last_hash = last_hash;
            }
            scan.count += count;
            if count < BLOCK && i != last {
                scan.stopped = self.after_the_end(scan.count)?;
                return Ok(scan);
            }
        }
        Ok(scan)
    }

    /// What follows records that end at `end` inside a block: nothing (the chain ends
    /// there), or a later key, which makes `end` a break.
    fn after_the_end(&self, end: u64) -> Result<Option<(u64, BreakKind)>, LedgerError> {
        let from = Seq::new(end).key();
        let Some(item) = self.store.range(Tree::Records, &from, None).next() else {
            return Ok(None);
        };
        let (k, _) = item?;
        Ok(Some(match seq_from_key(k.as_ref()) {
            None => (end, BreakKind::BadKey),
            Some(seq) => (
                end,
                BreakKind::Missing {
                    next_found: Some(seq.get()),
                },
            ),
        }))
    }

    /// The stored chain hash of record `seq - 1` (zeros for 0, and when it cannot be
    /// read: then the block before has the break, which comes first).
    fn stored_hash_leniently(&self, seq: u64) -> Result<ChainHash, LedgerError> {
        if seq == 0 {
            return Ok(ChainHash::ZERO);
        }
        let value = self.store.get(Tree::Records, &Seq::new(seq - 1).key())?;
        Ok(ChainHash::from_bytes(value.map_or([0; 32], |v| to_32(v.as_ref()))))
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

/// What the blocks found, put together in order.
struct Scan {
    /// Records checked before the first break (all of them when there is none).
    count: u64,
    /// Stored chain hash of the last record checked.
    last_hash: ChainHash,
    /// Merkle root of the stored leaf hashes read.
    root: RootAccumulator,
    /// The first break.
    stopped: Option<(u64, BreakKind)>,
}

/// A block is missing from the results: a worker stopped without reporting it.
fn worker_stopped() -> LedgerError {
    LedgerError::Damaged {
        seq: 0,
        why: "a verification worker stopped".into(),
    }
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
        let n = 3 * BLOCK as usize + 10;
        let ledger = ledger(n);
        let report = ledger.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.first_break);
        assert_eq!(report.checked, n as u64);
        assert_eq!(report.head, ledger.head());

        let late = 2 * BLOCK + 3;
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

    fn delete(ledger: &Ledger<MemoryStore>, seqs: std::ops::Range<u64>) {
        let ops = seqs.map(|s| Op::Delete(Seq::new(s).key().to_vec())).collect();
        ledger.store().apply(Tree::Records, ops).unwrap();
    }

    fn put_key(ledger: &Ledger<MemoryStore>, key: Vec<u8>) {
        let value = vec![0u8; 80];
        ledger
            .store()
            .apply(Tree::Records, vec![Op::Put(key, value)])
            .unwrap();
    }

    /// Records that end inside a block end the chain there, unless a later key exists:
    /// the answers of one scan in order, whichever block the later key sits in.
    #[test]
    fn records_ending_inside_a_block_end_the_chain_unless_a_later_key_exists() {
        let n = BLOCK + 5;
        let end = BLOCK - 1;
        let ledger = ledger(n as usize);
        delete(&ledger, end..end + 1);
        assert_eq!(
            ledger.verify_chain(|_| {}).unwrap().first_break,
            Some(Break {
                seq: end,
                kind: BreakKind::Missing {
                    next_found: Some(BLOCK)
                }
            }),
            "the next block's first record is found"
        );
        delete(&ledger, end..n);
        let report = ledger.verify_chain(|_| {}).unwrap();
        assert_eq!(
            (report.checked, report.first_break),
            (end, None),
            "nothing after the end: the chain ends there (the witness says what is lost)"
        );
        assert_eq!(report.root, Some(ledger.root_at(end).unwrap()));
        let mut odd = Seq::new(BLOCK + 2).key().to_vec();
        odd.push(0);
        put_key(&ledger, odd);
        assert_eq!(
            ledger.verify_chain(|_| {}).unwrap().first_break,
            Some(Break {
                seq: end,
                kind: BreakKind::BadKey
            }),
            "a later key that is not a seq"
        );
    }

    /// A block's first record links to the stored hash of the record before it, which
    /// sits in another block.
    #[test]
    fn the_first_record_of_a_block_links_to_the_last_of_the_block_before() {
        let ledger = ledger(BLOCK as usize + 5);
        let at = Seq::new(BLOCK);
        let mut record = ledger.raw(at).unwrap().unwrap().decode().unwrap();
        record.prev = ChainHash::ZERO;
        let bytes = crate::codec::encode(&record).unwrap();
        let relinked = crate::ledger::StoredRecord {
            seq: at,
            hash: ChainHash::of(&bytes),
            leaf: merkle::leaf_hash(&bytes),
            bytes,
        };
        ledger
            .store()
            .apply(Tree::Records, vec![Op::Put(at.key().to_vec(), relinked.to_value())])
            .unwrap();
        assert_eq!(
            ledger.verify().unwrap().first_break,
            Some(Break {
                seq: BLOCK,
                kind: BreakKind::BrokenLink
            })
        );
    }

    /// Progress counts checked records, block by block, and ends at the count checked.
    #[test]
    fn progress_rises_by_blocks_to_the_count_checked() {
        let ledger = ledger(2 * BLOCK as usize + 7);
        let mut seen = Vec::new();
        assert!(ledger.verify_reporting(|n| seen.push(n)).unwrap().is_ok());
        assert_eq!(seen.last(), Some(&(2 * BLOCK + 7)));
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert!(seen.len() >= 3, "one report per block and one at the end: {seen:?}");
    }
}
