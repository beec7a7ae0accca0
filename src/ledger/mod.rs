//! The ledger facade: append batches of records, read them back, answer index queries,
//! and check the whole chain.
//!
//! Layout (DESIGN.md 3): `records` is the only source of truth; `ids`, `pairs`, `merkle`
//! and `meta` are derived from it and completed on open when they lag (after a crash
//! between a records batch and its derived writes). An append writes each batch's
//! records with one atomic store batch and flushes them before the next; the derived
//! keys follow on another thread, with the watermark after them, and are flushed before
//! the append returns (see `append.rs`).

mod append;
pub mod audit;
mod derive;
pub mod index;
pub mod query;
mod runs;
mod seen;
pub mod state;
mod validate;
pub(crate) mod verify;
mod witness;

pub use crate::chain::{Break, BreakKind};
pub use query::{Filter, Logged};
pub use state::{QueryError, Receipt, StateAnswer};
pub use validate::{
    APPEND_BATCH, CheckError, CheckReport, Checked, Item, Problem, Rejected, Replay,
    ReplayedRecords, Validator,
};
pub use verify::VerifyReport;

use crate::chain::Tip;
use crate::codec::ChainHash;
use crate::codec::{self, CodecError, Entry, Record, Seq};
use crate::merkle::{self, Hash, MerkleError, TileCache, TileKey, TileReader};
use crate::model::{Event, EventId, PartyId, PartyRegistry};
use crate::store::{Op, Store, StoreError, Tree};
use derive::Index;
use runs::{Runs, RunsError};

/// Errors of the ledger layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record does not decode.
    #[error("record {seq} is corrupt: {source}")]
    Corrupt { seq: u64, source: CodecError },
    /// A stored value has the wrong shape.
    #[error("record {seq} is damaged: {why}")]
    Damaged { seq: u64, why: String },
    /// The store was written by a newer pactlog.
    #[error("store format {found} is not supported by this build (it reads format {supported})")]
    UnsupportedFormat { found: u8, supported: u8 },
    /// The Merkle tiles could not be read or written.
    #[error("merkle tree: {0}")]
    Merkle(#[from] MerkleError),
    /// Encoding a new record failed.
    #[error("cannot encode record: {0}")]
    Encode(CodecError),
    /// A derived index does not parse. The records are not affected; exporting them
    /// and importing the export into a new store rebuilds every index.
    #[error(
        "{0} (the records are not affected: `pactlog export` them and import the export into a new store)"
    )]
    Index(String),
    /// A checked batch was checked against another state of the ledger: another append
    /// came in between. Check it again.
    #[error(
        "the batch was checked against a ledger of {checked} records, which now holds {now}: check it again"
    )]
    Stale { checked: u64, now: u64 },
    /// A record handed to the ledger is not the one its replay admitted.
    #[error("record {seq} is not the record that was checked at that position")]
    NotAdmitted { seq: u64 },
    /// Records handed to the ledger do not continue its chain.
    #[error("refusing to append: {0}")]
    Break(Box<Break>),
    /// The store does not hold what its witness says was acknowledged (see
    /// [`Ledger::check_witness`]): nothing is appended to it.
    #[error("refusing to append: {0}")]
    Unacknowledged(Box<Break>),
}

impl From<RunsError> for LedgerError {
    fn from(e: RunsError) -> Self {
        match e {
            RunsError::Store(e) => LedgerError::Store(e),
            other => LedgerError::Index(other.to_string()),
        }
    }
}

/// A record as stored: its hashes and canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    /// Position.
    pub seq: Seq,
    /// BLAKE3 chain hash of `bytes`, as stored.
    pub hash: ChainHash,
    /// RFC 6962 leaf hash of `bytes`, as stored.
    pub leaf: Hash,
    /// Canonical bytes.
    pub bytes: Vec<u8>,
}

impl StoredRecord {
    /// The `records` value: chain hash || leaf hash || bytes.
    pub fn to_value(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(64 + self.bytes.len());
        v.extend_from_slice(self.hash.as_bytes());
        v.extend_from_slice(self.leaf.as_bytes());
        v.extend_from_slice(&self.bytes);
        v
    }

    /// Splits a `records` value.
    ///
    /// # Errors
    /// [`LedgerError::Damaged`] when the value is shorter than the two hashes.
    pub fn from_value(seq: Seq, value: &[u8]) -> Result<StoredRecord, LedgerError> {
        if value.len() < 64 {
            return Err(LedgerError::Damaged {
                seq: seq.get(),
                why: format!(
                    "stored value is {} bytes, shorter than its two hashes",
                    value.len()
                ),
            });
        }
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&value[..32]);
        let mut leaf = [0u8; 32];
        leaf.copy_from_slice(&value[32..64]);
        Ok(StoredRecord {
            seq,
            hash: ChainHash::from_bytes(hash),
            leaf: Hash::from_bytes(leaf),
            bytes: value[64..].to_vec(),
        })
    }

    /// Decodes the canonical bytes.
    ///
    /// # Errors
    /// [`LedgerError::Corrupt`] when they are not a valid record.
    pub fn decode(&self) -> Result<Record, LedgerError> {
        codec::decode(&self.bytes).map_err(|source| LedgerError::Corrupt {
            seq: self.seq.get(),
            source,
        })
    }
}

/// What an append did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendReport {
    /// Seq of the first record appended (the ledger size before).
    pub first: Seq,
    /// Number of records appended.
    pub count: u64,
    /// Head after the append.
    pub head: ChainHash,
}

/// Reads Merkle tiles from the `merkle` tree.
struct StoreTiles<'a, S: Store>(&'a S);

impl<S: Store> TileReader for StoreTiles<'_, S> {
    fn read_tile(&self, key: TileKey) -> Result<Option<Vec<u8>>, MerkleError> {
        self.0
            .get(Tree::Merkle, &key.to_bytes())
            .map(|v| v.map(|v| v.as_ref().to_vec()))
            .map_err(|e| MerkleError::TileRead {
                key,
                source: Box::new(e),
            })
    }
}

/// An open ledger over a store.
pub struct Ledger<S: Store> {
    store: S,
    size: u64,
    head: ChainHash,
    /// The derived indexes and the party registry.
    index: Index,
    /// The Merkle tiles every proof reads; cleared before anything writes tiles.
    tiles: TileCache,
}

impl<S: Store> Ledger<S> {
    /// Opens the ledger in `store`, completing derived data that lags the records.
    ///
    /// # Errors
    /// Storage errors, an unsupported format, or a record that cannot be read while
    /// completing the derived data.
    pub fn open(store: S) -> Result<Ledger<S>, LedgerError> {
        if let Some(v) = store.get(Tree::Meta, index::META_FORMAT)? {
            let found = v.as_ref().first().copied().unwrap_or(0);
            if found != codec::FORMAT_VERSION {
                return Err(LedgerError::UnsupportedFormat {
                    found,
                    supported: codec::FORMAT_VERSION,
                });
            }
        }
        let mut ledger = Ledger {
            store,
            size: 0,
            head: ChainHash::ZERO,
            index: Index::new(),
            tiles: TileCache::new(),
        };
        ledger.load()?;
        Ok(ledger)
    }

    /// Reads the size and head from the records, loads the derived indexes and
    /// completes them if they lag. Opening does this; so does an append that failed, so
    /// that the ledger in memory describes the store again.
    fn load(&mut self) -> Result<(), LedgerError> {
        // Completing derived data writes tiles.
        self.tiles.clear();
        (self.size, self.head) = match self.store.last(Tree::Records)? {
            None => (0, ChainHash::ZERO),
            Some((k, v)) => {
                let seq = seq_from_key(k.as_ref()).ok_or_else(|| LedgerError::Damaged {
                    seq: 0,
                    why: "the last key of the records tree is not a sequence number".into(),
                })?;
                // A damaged last value must not stop `verify` from opening the store;
                // appends check the head before writing (see `append.rs`).
                let hash =
                    StoredRecord::from_value(seq, v.as_ref()).map_or(ChainHash::ZERO, |r| r.hash);
                (seq.get() + 1, hash)
            }
        };
        self.index = Index::new();
        let mut index_ok = self
            .store
            .get(Tree::Meta, index::META_INDEX)?
            .is_some_and(|v| v.as_ref() == [index::INDEX_VERSION]);
        if index_ok {
            // Indexes whose headers do not parse are rebuilt from the records.
            match (
                Runs::load(&self.store, Tree::Ids, index::ids_probe),
                Runs::load(&self.store, Tree::Pairs, index::pairs_probe),
            ) {
                (Ok(ids), Ok(pairs)) => {
                    self.index.ids = ids;
                    self.index.pairs = pairs;
                }
                (Err(RunsError::Store(e)), _) | (_, Err(RunsError::Store(e))) => {
                    return Err(e.into());
                }
                _ => index_ok = false,
            }
        }
        let done = if index_ok { self.watermark()? } else { 0 };
        // Derived data of more records than the store holds (records lost after they were
        // indexed: sled's recovery dropping a damaged tail) would point at seqs that new
        // appends reuse: rebuild it all from the records that are there.
        let done = if done > self.size { 0 } else { done };
        if done < self.size {
            self.rebuild_derived(done)?;
        }
        Ok(())
    }

    /// The store underneath (tests use it to simulate damage).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Number of records.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Chain hash of the last record (zeros when empty).
    pub fn head(&self) -> ChainHash {
        self.head
    }

    /// Where the chain ends: the size and the head.
    pub fn tip(&self) -> Tip {
        Tip {
            size: self.size,
            head: self.head,
        }
    }

    /// Every party the ledger defines (read from the store on first use).
    ///
    /// # Errors
    /// Storage errors, or a damaged `ids` index while reading a store without a party
    /// snapshot.
    pub fn parties(&self) -> Result<&PartyRegistry, LedgerError> {
        if let Some(registry) = self.index.parties.get() {
            return Ok(registry);
        }
        let registry = self.read_parties()?;
        Ok(self.index.parties.get_or_init(|| registry))
    }

    /// Resolves a party id, name or alias as [`PartyRegistry::resolve`] does. While the
    /// registry is not loaded (a query that only names its parties), it answers from the
    /// stored name index, which takes microseconds where loading 10 000 parties takes
    /// milliseconds; a name it does not list is resolved by the registry, for its
    /// suggestions.
    ///
    /// # Errors
    /// Storage errors; the inner error is the name's.
    pub fn resolve_party(
        &self,
        name: &str,
    ) -> Result<Result<PartyId, crate::model::ResolveError>, LedgerError> {
        if self.index.parties.get().is_none()
            && let Some(v) = self.store.get(Tree::Meta, index::META_NAMES)?
            && let Some(named) = index::lookup_name(v.as_ref(), &PartyRegistry::name_key(name))
            && let Some(answer) = PartyRegistry::answer(name, named)
        {
            return Ok(answer);
        }
        Ok(self.parties()?.resolve(name))
    }

    fn watermark(&self) -> Result<u64, LedgerError> {
        Ok(self
            .store
            .get(Tree::Meta, index::META_DERIVED)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map_or(0, u64::from_be_bytes))
    }

    /// Reads the party registry: from the snapshot in `meta` (one read), else (no
    /// snapshot, or one that does not decode) from the party records the `ids` index
    /// names.
    fn read_parties(&self) -> Result<PartyRegistry, LedgerError> {
        if let Some(v) = self.store.get(Tree::Meta, index::META_PARTIES)?
            && let Some(parties) = index::decode_parties(v.as_ref())
        {
            return Ok(PartyRegistry::from_parties(parties));
        }
        let end = index::prefix_end(index::PARTY_PREFIX);
        let seqs: Vec<Seq> = self
            .index
            .ids
            .range(&self.store, index::PARTY_PREFIX, end.as_deref(), None)?
            .into_iter()
            .map(|(_, v)| seq_value(&v))
            .collect::<Result<_, _>>()?;
        let mut registry = PartyRegistry::new();
        for seq in seqs {
            // A party record that no longer decodes is damage for `verify` to report;
            // opening must still succeed so that it can.
            if let Ok(Some(rec)) = self.record(seq)
                && let Entry::Party(p) = rec.entry
            {
                registry.insert(p);
            }
        }
        Ok(registry)
    }

    /// Rebuilds ids, pairs and Merkle tiles for records `from..size`.
    fn rebuild_derived(&mut self, from: u64) -> Result<(), LedgerError> {
        const CHUNK: u64 = 4096;
        let mut start = from;
        if from == 0 {
            // Start clean: derived trees may hold keys of a different layout.
            self.store.apply(
                Tree::Meta,
                vec![
                    Op::Delete(index::META_PARTIES.to_vec()),
                    Op::Delete(index::META_NAMES.to_vec()),
                ],
            )?;
            for tree in [Tree::Ids, Tree::Pairs, Tree::Merkle] {
                let keys: Vec<Op> = self
                    .store
                    .range(tree, b"", None)
                    .map(|e| e.map(|(k, _)| Op::Delete(k.as_ref().to_vec())))
                    .collect::<Result<_, _>>()?;
                self.store.apply(tree, keys)?;
            }
            self.index.reset();
        } else {
            // The registry of the first `from` records, to which the rebuild adds.
            self.parties()?;
        }
        while start < self.size {
            let end = (start + CHUNK).min(self.size);
            let mut batch = Vec::with_capacity((end - start) as usize);
            let mut damaged = false;
            for item in self.store.range(
                Tree::Records,
                &Seq::new(start).key(),
                Some(&Seq::new(end).key()),
            ) {
                let (k, v) = item?;
                let expected = Seq::new(start + batch.len() as u64);
                // Derived data is built only over an intact prefix: at the first record
                // that is missing or does not decode, stop. The watermark stays there,
                // reads see the prefix, and `verify` reports the damage.
                let good = seq_from_key(k.as_ref())
                    .filter(|seq| *seq == expected)
                    .and_then(|seq| StoredRecord::from_value(seq, v.as_ref()).ok())
                    .and_then(|stored| stored.decode().ok().map(|r| (stored, r)));
                match good {
                    Some(pair) => batch.push(pair),
                    None => {
                        damaged = true;
                        break;
                    }
                }
            }
            self.index.add(&self.store, start, &batch)?;
            if damaged || batch.is_empty() {
                break;
            }
            start += batch.len() as u64;
        }
        self.index.write_pending(&self.store)?;
        self.flush()
    }

    /// Makes every write durable, and witnesses the records (a store without a witness,
    /// made before witnesses or whose witness was removed, gets one).
    fn flush(&self) -> Result<(), LedgerError> {
        self.store.flush()?;
        witness::acknowledge(&self.store, self.tip())
    }

    /// The raw stored record at `seq`.
    ///
    /// # Errors
    /// Storage errors or a malformed stored value.
    pub fn raw(&self, seq: Seq) -> Result<Option<StoredRecord>, LedgerError> {
        match self.store.get(Tree::Records, &seq.key())? {
            None => Ok(None),
            Some(v) => StoredRecord::from_value(seq, v.as_ref()).map(Some),
        }
    }

    /// The decoded record at `seq`.
    ///
    /// # Errors
    /// Storage errors or a corrupt record.
    pub fn record(&self, seq: Seq) -> Result<Option<Record>, LedgerError> {
        match self.raw(seq)? {
            None => Ok(None),
            Some(s) => s.decode().map(Some),
        }
    }

    /// Where the event `id` was recorded.
    ///
    /// # Errors
    /// Storage errors.
    pub fn event_seq(&self, id: &EventId) -> Result<Option<Seq>, LedgerError> {
        match self.index.ids.get(&self.store, &index::event_key(id))? {
            None => Ok(None),
            Some(v) => v
                .first_chunk::<8>()
                .map(|s| Some(Seq::new(u64::from_be_bytes(*s))))
                .ok_or_else(|| LedgerError::Index(format!("the `ids` entry of {id} is malformed"))),
        }
    }

    /// Where the party `id` was (last) defined.
    ///
    /// # Errors
    /// Storage errors.
    pub fn party_seq(&self, id: &PartyId) -> Result<Option<Seq>, LedgerError> {
        match self.index.ids.get(&self.store, &index::party_key(id))? {
            None => Ok(None),
            Some(v) => seq_value(&v).map(Some),
        }
    }

    /// The event `id` and its seq.
    ///
    /// # Errors
    /// Storage errors or a corrupt record.
    pub fn event(&self, id: &EventId) -> Result<Option<(Seq, Event)>, LedgerError> {
        let Some(seq) = self.event_seq(id)? else {
            return Ok(None);
        };
        match self.record(seq)?.map(|r| r.entry) {
            Some(Entry::Event(e)) => Ok(Some((seq, e))),
            _ => Err(LedgerError::Damaged {
                seq: seq.get(),
                why: format!("the ids index points event {id} at a record that is not it"),
            }),
        }
    }

    /// Every record in seq order, `from..to` (to = None: the end).
    pub fn records(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> impl Iterator<Item = Result<Record, LedgerError>> + '_ {
        self.raw_records(from, to)
            .map(|r| r.and_then(|s| s.decode()))
    }

    /// Every stored record in seq order, `from..to` (to = None: the end).
    pub fn raw_records(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> impl Iterator<Item = Result<StoredRecord, LedgerError>> + '_ {
        let end = to.map(|t| Seq::new(t).key());
        self.store
            .range(
                Tree::Records,
                &Seq::new(from).key(),
                end.as_ref().map(|e| &e[..]),
            )
            .map(|item| {
                let (k, v) = item?;
                let seq = seq_from_key(k.as_ref()).ok_or_else(|| LedgerError::Damaged {
                    seq: 0,
                    why: "a records key is not 8 bytes".into(),
                })?;
                StoredRecord::from_value(seq, v.as_ref())
            })
    }

    /// Seqs in the `pairs` index for `(a, b)` under `tag`, with earliest day <= `until`
    /// when given, in key order (day, then seq). `a == b` lists one-party events.
    ///
    /// # Errors
    /// Storage errors or a malformed index key.
    pub fn pair_seqs(
        &self,
        a: &PartyId,
        b: &PartyId,
        tag: u8,
        until: Option<crate::model::Day>,
    ) -> Result<Vec<Seq>, LedgerError> {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let prefix = index::pair_tag_prefix(a, b, tag);
        let end = match until {
            Some(day) => {
                let mut e = prefix.clone();
                e.extend_from_slice(&index::day_bytes(day.succ()));
                Some(e)
            }
            None => index::prefix_end(&prefix),
        };
        self.index
            .pairs
            .range(
                &self.store,
                &prefix,
                end.as_deref(),
                Some(&index::pair_prefix(a, b)),
            )?
            .into_iter()
            .map(|(k, _)| {
                index::seq_of_pair_key(&k)
                    .ok_or_else(|| LedgerError::Index("malformed pairs index key".into()))
            })
            .collect()
    }

    /// The parties that share at least one event with `party`.
    ///
    /// # Errors
    /// Storage errors.
    pub fn partners(&self, party: &PartyId) -> Result<Vec<PartyId>, LedgerError> {
        let prefix = index::directory_prefix(party);
        let end = index::prefix_end(&prefix);
        let mut out = Vec::new();
        for (k, _) in self
            .index
            .pairs
            .range(&self.store, &prefix, end.as_deref(), Some(&prefix))?
        {
            if let Some(other) = index::other_of_directory_key(&prefix, &k) {
                out.push(other);
            }
        }
        Ok(out)
    }

    /// Every relationship (sorted pair) that has at least one event.
    ///
    /// # Errors
    /// Storage errors.
    pub fn relationships(&self) -> Result<Vec<(PartyId, PartyId)>, LedgerError> {
        let mut out = Vec::new();
        for p in self.parties()?.iter() {
            for other in self.partners(&p.id)? {
                if p.id < other {
                    out.push((p.id.clone(), other));
                }
            }
        }
        Ok(out)
    }

    /// RFC 6962 root of the first `size` records.
    ///
    /// # Errors
    /// Tiles missing or malformed.
    pub fn root_at(&self, size: u64) -> Result<Hash, LedgerError> {
        Ok(merkle::tree_root(&self.tiles(), size)?)
    }

    /// [`Ledger::root_at`] from the tiles in the store, never from the copies kept in
    /// memory: for the checks that vouch for what is stored (`verify`, checkpoints).
    fn stored_root_at(&self, size: u64) -> Result<Hash, LedgerError> {
        Ok(merkle::tree_root(&self.stored_tiles(), size)?)
    }

    /// The tiles in the store, read every time.
    fn stored_tiles(&self) -> StoreTiles<'_, S> {
        StoreTiles(&self.store)
    }

    /// Chain hash of record `size - 1` (zeros for 0).
    ///
    /// # Errors
    /// Storage errors or a missing record.
    pub fn head_at(&self, size: u64) -> Result<ChainHash, LedgerError> {
        if size == 0 {
            return Ok(ChainHash::ZERO);
        }
        match self.raw(Seq::new(size - 1))? {
            Some(r) => Ok(r.hash),
            None => Err(LedgerError::Damaged {
                seq: size - 1,
                why: "record is missing".into(),
            }),
        }
    }

    /// Reads Merkle tiles, for proofs (the upper tiles from memory after the first
    /// read: [`TileCache`]). `verify` and the checkpoint checks read the store instead,
    /// so that they vouch for what is stored, even if it changed behind this ledger.
    pub fn tiles(&self) -> impl TileReader + '_ {
        self.tiles.over(StoreTiles(&self.store))
    }
}

/// Encodes a record and computes its two hashes.
fn stored_of(record: &Record) -> Result<StoredRecord, LedgerError> {
    let bytes = codec::encode(record).map_err(LedgerError::Encode)?;
    Ok(StoredRecord {
        seq: record.seq,
        hash: ChainHash::of(&bytes),
        leaf: merkle::leaf_hash(&bytes),
        bytes,
    })
}

fn seq_from_key(key: &[u8]) -> Option<Seq> {
    <[u8; 8]>::try_from(key)
        .ok()
        .map(|b| Seq::new(u64::from_be_bytes(b)))
}

fn seq_value(v: &[u8]) -> Result<Seq, LedgerError> {
    seq_from_key(v).ok_or_else(|| LedgerError::Damaged {
        seq: 0,
        why: "an ids index value is not 8 bytes".into(),
    })
}
