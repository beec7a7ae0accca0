//! The ledger facade: append batches of records, read them back, answer index queries,
//! and check the whole chain.
//!
//! Layout (DESIGN.md 3): `records` is the only source of truth; `ids`, `pairs`, `merkle`
//! and `meta` are derived from it and completed on open when they lag (after a crash
//! between the records batch and the derived writes). An append writes its records with
//! one atomic batch, then the derived keys, then the watermark, then flushes; only then
//! does it return.

pub mod audit;
mod derive;
pub mod index;
pub mod query;
mod runs;
pub mod state;
pub(crate) mod verify;

pub use query::{Filter, Logged};
pub use state::{QueryError, Receipt, StateAnswer};
pub use verify::{Break, BreakKind, VerifyReport};

use crate::chain::ChainHash;
use crate::codec::{self, CodecError, Entry, Record, Seq, Timestamp};
use crate::merkle::{self, Hash, MerkleError, TileKey, TileReader};
use crate::model::{Event, EventId, PartyId, PartyRegistry};
use crate::store::{Op, Store, StoreError, Tree};
use derive::AppendCache;
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
    parties: PartyRegistry,
    /// The `ids` index (event and party id -> seq) as sorted runs.
    ids: Runs,
    /// The `pairs` index (relationship, tag, day, seq; partner directory) as sorted runs.
    pairs: Runs,
    /// Write-side caches; they only save reads, the store stays the truth.
    cache: AppendCache,
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
        let (size, head) = match store.last(Tree::Records)? {
            None => (0, ChainHash::ZERO),
            Some((k, v)) => {
                let seq = seq_from_key(k.as_ref()).ok_or_else(|| LedgerError::Damaged {
                    seq: 0,
                    why: "the last key of the records tree is not a sequence number".into(),
                })?;
                // A damaged last value must not stop `verify` from opening the store;
                // appends check the head before writing (see `append_batch`).
                let hash =
                    StoredRecord::from_value(seq, v.as_ref()).map_or(ChainHash::ZERO, |r| r.hash);
                (seq.get() + 1, hash)
            }
        };
        let mut ledger = Ledger {
            store,
            size,
            head,
            parties: PartyRegistry::new(),
            ids: Runs::new(Tree::Ids, index::ids_probe),
            pairs: Runs::new(Tree::Pairs, index::pairs_probe),
            cache: AppendCache::default(),
        };
        let mut index_ok = ledger
            .store
            .get(Tree::Meta, index::META_INDEX)?
            .is_some_and(|v| v.as_ref() == [index::INDEX_VERSION]);
        if index_ok {
            // Indexes whose headers do not parse are rebuilt from the records.
            match (
                Runs::load(&ledger.store, Tree::Ids, index::ids_probe),
                Runs::load(&ledger.store, Tree::Pairs, index::pairs_probe),
            ) {
                (Ok(ids), Ok(pairs)) => {
                    ledger.ids = ids;
                    ledger.pairs = pairs;
                }
                (Err(RunsError::Store(e)), _) | (_, Err(RunsError::Store(e))) => {
                    return Err(e.into());
                }
                _ => index_ok = false,
            }
        }
        let done = if index_ok { ledger.watermark()? } else { 0 };
        // Derived data of more records than the store holds (records lost after they were
        // indexed: sled's recovery dropping a damaged tail) would point at seqs that new
        // appends reuse: rebuild it all from the records that are there.
        let done = if done > size { 0 } else { done };
        // The registry of the first `done` records; a rebuild adds the parties after them.
        if done > 0 {
            ledger.load_parties()?;
        }
        if done < size {
            ledger.rebuild_derived(done)?;
        }
        Ok(ledger)
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

    /// Every party the ledger defines.
    pub fn parties(&self) -> &PartyRegistry {
        &self.parties
    }

    fn watermark(&self) -> Result<u64, LedgerError> {
        Ok(self
            .store
            .get(Tree::Meta, index::META_DERIVED)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map_or(0, u64::from_be_bytes))
    }

    /// Loads the party registry: from the snapshot in `meta` (one read), else (no
    /// snapshot, or one that does not decode) from the party records the `ids` index
    /// names.
    fn load_parties(&mut self) -> Result<(), LedgerError> {
        if let Some(v) = self.store.get(Tree::Meta, index::META_PARTIES)?
            && let Some(parties) = index::decode_parties(v.as_ref())
        {
            self.parties = PartyRegistry::from_parties(parties);
            return Ok(());
        }
        let end = index::prefix_end(index::PARTY_PREFIX);
        let seqs: Vec<Seq> = self
            .ids
            .range(&self.store, index::PARTY_PREFIX, end.as_deref(), None)?
            .into_iter()
            .map(|(_, v)| seq_value(&v))
            .collect::<Result<_, _>>()?;
        for seq in seqs {
            // A party record that no longer decodes is damage for `verify` to report;
            // opening must still succeed so that it can.
            if let Ok(Some(rec)) = self.record(seq)
                && let Entry::Party(p) = rec.entry
            {
                self.parties.insert(p);
            }
        }
        Ok(())
    }

    /// Rebuilds ids, pairs and Merkle tiles for records `from..size`.
    fn rebuild_derived(&mut self, from: u64) -> Result<(), LedgerError> {
        const CHUNK: u64 = 4096;
        let mut start = from;
        if from == 0 {
            // Start clean: derived trees may hold keys of a different layout.
            self.parties = PartyRegistry::new();
            self.store
                .apply(Tree::Meta, vec![Op::Delete(index::META_PARTIES.to_vec())])?;
            for tree in [Tree::Ids, Tree::Pairs, Tree::Merkle] {
                let keys: Vec<Op> = self
                    .store
                    .range(tree, b"", None)
                    .map(|e| e.map(|(k, _)| Op::Delete(k.as_ref().to_vec())))
                    .collect::<Result<_, _>>()?;
                self.store.apply(tree, keys)?;
            }
            self.ids.reset();
            self.pairs.reset();
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
            self.write_derived(start, &batch)?;
            if damaged || batch.is_empty() {
                break;
            }
            start += batch.len() as u64;
        }
        self.store.flush()?;
        Ok(())
    }

    /// Appends `entries` as one atomic batch recorded at `at`, then its derived data,
    /// then flushes. Returns after the batch is durable.
    ///
    /// The caller validates entries first (see [`crate::import`]); the ledger records
    /// what it is given.
    ///
    /// # Errors
    /// Storage errors; nothing is acknowledged unless everything was flushed.
    pub fn append(
        &mut self,
        entries: Vec<Entry>,
        at: Timestamp,
    ) -> Result<AppendReport, LedgerError> {
        let first = self.size;
        let mut prev = self.head;
        let mut batch = Vec::with_capacity(entries.len());
        for (i, entry) in entries.into_iter().enumerate() {
            let record = Record {
                seq: Seq::new(first + i as u64),
                recorded_at: at,
                prev,
                entry,
            };
            let stored = stored_of(&record)?;
            prev = stored.hash;
            batch.push((stored, record));
        }
        self.append_batch(batch)
    }

    /// Appends records made elsewhere (an export being restored): each must sit at the
    /// next seq and link to the current head. They are stored byte-for-byte as their
    /// canonical encoding, so the chain hashes and Merkle root are reproduced exactly.
    ///
    /// # Errors
    /// [`LedgerError::Damaged`] naming the first record that does not continue the
    /// chain; storage errors.
    pub fn append_records(&mut self, records: Vec<Record>) -> Result<AppendReport, LedgerError> {
        let mut prev = self.head;
        let mut batch = Vec::with_capacity(records.len());
        for (i, record) in records.into_iter().enumerate() {
            let want = self.size + i as u64;
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
        self.append_batch(batch)
    }

    fn append_batch(
        &mut self,
        batch: Vec<(StoredRecord, Record)>,
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
        let first = self.size;
        let prev = batch.last().map_or(self.head, |(s, _)| s.hash);
        let ops: Vec<Op> = batch
            .iter()
            .map(|(s, _)| Op::Put(s.seq.key().to_vec(), s.to_value()))
            .collect();
        let count = batch.len() as u64;
        if count == 0 {
            return Ok(AppendReport {
                first: Seq::new(first),
                count,
                head: self.head,
            });
        }
        if first == 0 {
            self.store.apply(
                Tree::Meta,
                vec![Op::Put(
                    index::META_FORMAT.to_vec(),
                    vec![codec::FORMAT_VERSION],
                )],
            )?;
        }
        // The derived data is worked out (reads only) on a second thread while the
        // records are written: the two take about as long at a million records.
        let (written, derived) = std::thread::scope(|scope| {
            let deriving = scope.spawn(|| self.derive(first, &batch));
            let written = self.store.apply(Tree::Records, ops);
            let derived = deriving
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (written, derived)
        });
        written?;
        self.size = first + count;
        self.head = prev;
        self.write(first + count, derived?)?;
        self.store.flush()?;
        Ok(AppendReport {
            first: Seq::new(first),
            count,
            head: self.head,
        })
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
        match self.ids.get(&self.store, &index::event_key(id))? {
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
        match self.ids.get(&self.store, &index::party_key(id))? {
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
        self.pairs
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
        for p in self.parties.iter() {
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
        Ok(merkle::tree_root(&StoreTiles(&self.store), size)?)
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

    /// Reads Merkle tiles, for proofs.
    pub fn tiles(&self) -> impl TileReader + '_ {
        StoreTiles(&self.store)
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

/// Every event id `e` refers to through `ends`, `resolves` or `about`.
pub fn references(e: &Event) -> Vec<&EventId> {
    use crate::model::Payload;
    let mut out: Vec<&EventId> = e.payload.ends().iter().map(|r| &r.event).collect();
    match &e.payload {
        Payload::Legal {
            resolves: Some(t), ..
        }
        | Payload::Statement { about: Some(t), .. } => out.push(t),
        _ => {}
    }
    out.sort();
    out.dedup();
    out
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
