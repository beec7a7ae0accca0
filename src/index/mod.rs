//! Derived data: everything in a store besides `records`, and what answers from it.
//!
//! The `ids` index (event and party id -> seq), the `pairs` index (relationship, day and
//! seq, for range scans; a directory of who shares events with whom; and, for conflict
//! queries, which agreements granted whom a term in which first scope segment and which
//! events refer to which), the Merkle tiles, the party snapshot with its name index, and
//! the watermark (how many records the derived data covers). All of it can be rebuilt from `records`. The key layouts
//! are in `keys.rs`; `ids` and `pairs` entries sit in sorted runs (`runs.rs`, a small
//! log-structured merge tree); `build.rs` turns appended records into entries and tiles.
//!
//! Each batch of records, once written, goes through [`Index::add`]: its Merkle tiles are
//! written at once (the next batch's tiles build on them), while its `ids` and `pairs`
//! entries collect in memory and are written as one sorted run per index every
//! [`PENDING_RECORDS`] records and when the append ends ([`Index::write_pending`]),
//! followed by the watermark. Fewer, larger runs mean fewer merges. Derived data may lag
//! the records after a crash; opening the ledger completes it.

mod build;
mod keys;
mod runs;
mod seen;

use crate::codec::{CodecError, Seq};
use crate::merkle::{MerkleError, TileKey, TileReader};
use crate::model::{Day, EventId, Party, PartyId, PartyRegistry};
use crate::store::{Op, Store, StoreError, Tree};
use runs::{KeyValue, Runs, RunsError};
pub(crate) use keys::Field;
pub(crate) use runs::Retired;
use seen::{Pair, Seen};
use std::collections::{BTreeSet, HashSet};
use std::sync::OnceLock;

#[cfg(any(test, feature = "test-support"))]
pub use keys::{INDEX_VERSION, META_DERIVED, META_INDEX, META_NAMES, META_PARTIES, encode_names};

pub(crate) use keys::STORE_FORMAT;

/// Records whose `ids` and `pairs` entries are kept in memory before they are written as
/// one run per index. Bounds the memory of an append and the work of completing derived
/// data after a crash.
pub(crate) const PENDING_RECORDS: usize = 32_768;

/// Errors of the derived data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum IndexError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The Merkle tiles could not be read or written.
    #[error("merkle tree: {0}")]
    Merkle(#[from] MerkleError),
    /// A party snapshot could not be encoded.
    #[error("cannot encode the party snapshot: {0}")]
    Encode(CodecError),
    /// An index entry does not parse.
    #[error("{0}")]
    Malformed(String),
}

impl From<RunsError> for IndexError {
    fn from(e: RunsError) -> Self {
        match e {
            RunsError::Store(e) => IndexError::Store(e),
            other => IndexError::Malformed(other.to_string()),
        }
    }
}

/// Which events a relationship lists in the `pairs` index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Listing {
    /// Events that touch both parties, or refer to one that does, by earliest day.
    Member,
    /// Events that supersede an event listed under the pair (whatever their date).
    Supersedes,
}

impl Listing {
    fn tag(self) -> u8 {
        match self {
            Listing::Member => keys::TAG_MEMBER,
            Listing::Supersedes => keys::TAG_SUPERSEDES,
        }
    }
}

/// Reads Merkle tiles from the `merkle` tree of a store.
pub(crate) struct StoreTiles<'a, S: Store>(pub(crate) &'a S);

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

/// The derived indexes of a ledger, and what appends keep in memory for them.
pub(crate) struct Index {
    /// Every party's latest definition: read from the snapshot when first needed (a
    /// query that only resolves names never needs it).
    parties: OnceLock<PartyRegistry>,
    /// The `ids` index (event and party id -> seq) as sorted runs.
    ids: Runs,
    /// The `pairs` index (relationship, tag, day, seq; partner directory) as sorted runs.
    pairs: Runs,
    /// Events appended by this process (they only save reads: the runs stay the truth).
    seen: Seen,
    /// Relationships whose directory keys this process wrote (or has pending).
    directory: HashSet<Pair>,
    pending: Pending,
    /// [`PENDING_RECORDS`], smaller in tests.
    pub(crate) pending_limit: usize,
}

/// `ids` and `pairs` entries of records that are written but whose derived data is not.
#[derive(Default)]
struct Pending {
    /// One past the last record whose entries are here: the watermark once written.
    end: u64,
    records: usize,
    ids: Vec<KeyValue>,
    pairs: Vec<Vec<u8>>,
    parties_changed: bool,
}

impl Index {
    /// An empty index (of an empty ledger, or before loading).
    pub(crate) fn new() -> Index {
        Index {
            parties: OnceLock::new(),
            ids: Runs::new(Tree::Ids, keys::ids_probe),
            pairs: Runs::new(Tree::Pairs, keys::pairs_probe),
            seen: Seen::default(),
            directory: HashSet::new(),
            pending: Pending::default(),
            pending_limit: PENDING_RECORDS,
        }
    }

    /// Reads the index of `store`: its runs, and how many records they cover (0 when
    /// the layout is of another version or a run header does not parse: the caller
    /// rebuilds from the records then).
    ///
    /// # Errors
    /// Storage errors.
    pub(crate) fn load<S: Store>(store: &S) -> Result<(Index, u64), IndexError> {
        let mut index = Index::new();
        let current = store
            .get(Tree::Meta, keys::META_INDEX)?
            .is_some_and(|v| v.as_ref() == [keys::INDEX_VERSION]);
        if !current {
            return Ok((index, 0));
        }
        match (
            Runs::load(store, Tree::Ids, keys::ids_probe),
            Runs::load(store, Tree::Pairs, keys::pairs_probe),
        ) {
            (Ok(ids), Ok(pairs)) => {
                index.ids = ids;
                index.pairs = pairs;
            }
            (Err(RunsError::Store(e)), _) | (_, Err(RunsError::Store(e))) => {
                return Err(e.into());
            }
            _ => return Ok((Index::new(), 0)),
        }
        let done = store
            .get(Tree::Meta, keys::META_DERIVED)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map_or(0, u64::from_be_bytes);
        Ok((index, done))
    }

    /// Removes every derived key from `store` (they may be of another layout) and
    /// returns the index of an empty ledger.
    ///
    /// # Errors
    /// Storage errors.
    pub(crate) fn clear<S: Store>(store: &S) -> Result<Index, IndexError> {
        store.apply(
            Tree::Meta,
            vec![
                Op::Delete(keys::META_PARTIES.to_vec()),
                Op::Delete(keys::META_NAMES.to_vec()),
            ],
        )?;
        for tree in [Tree::Ids, Tree::Pairs, Tree::Merkle] {
            let keys: Vec<Op> = store
                .range(tree, b"", None)
                .map(|e| e.map(|(k, _)| Op::Delete(k.as_ref().to_vec())))
                .collect::<Result<_, _>>()?;
            store.apply(tree, keys)?;
        }
        let mut index = Index::new();
        index.parties = OnceLock::from(PartyRegistry::new());
        index.ids.reset();
        index.pairs.reset();
        Ok(index)
    }

    /// The index as it stands, for a reader of the ledger's current records: the same
    /// runs and parties; nothing pending, nothing of this process's appends. Only whole
    /// appends are in the runs, so the copy covers exactly the records written.
    pub(crate) fn snapshot(&self) -> Index {
        Index {
            parties: self.parties.clone(),
            ids: self.ids.snapshot(),
            pairs: self.pairs.snapshot(),
            seen: Seen::default(),
            directory: HashSet::new(),
            pending: Pending::default(),
            pending_limit: self.pending_limit,
        }
    }

    /// Keeps the chunks of merged runs until they are taken ([`Index::take_retired`]),
    /// for readers holding a [`Index::snapshot`].
    pub(crate) fn defer_reclaim(&mut self) {
        self.ids.defer_reclaim();
        self.pairs.defer_reclaim();
    }

    /// The chunks of merged runs kept since the last call.
    pub(crate) fn take_retired(&mut self) -> Vec<Retired> {
        [self.ids.take_retired(), self.pairs.take_retired()]
            .into_iter()
            .filter(|r| !r.is_empty())
            .collect()
    }

    /// The registry, if it was read already.
    pub(crate) fn loaded_parties(&self) -> Option<&PartyRegistry> {
        self.parties.get()
    }

    /// The registry: from the party snapshot (one read) or, for a store without one,
    /// from the party records the `ids` index names, each read by `party_at`.
    ///
    /// # Errors
    /// Storage errors, or a damaged `ids` index.
    pub(crate) fn parties<S: Store>(
        &self,
        store: &S,
        party_at: impl Fn(Seq) -> Option<Party>,
    ) -> Result<&PartyRegistry, IndexError> {
        if let Some(registry) = self.parties.get() {
            return Ok(registry);
        }
        let snapshot = store
            .get(Tree::Meta, keys::META_PARTIES)?
            .and_then(|v| keys::decode_parties(v.as_ref()));
        let registry = match snapshot {
            Some(parties) => PartyRegistry::from_parties(parties),
            None => {
                let mut registry = PartyRegistry::new();
                for seq in self.party_seqs(store)? {
                    if let Some(p) = party_at(seq) {
                        registry.insert(p);
                    }
                }
                registry
            }
        };
        Ok(self.parties.get_or_init(|| registry))
    }

    /// Where every party was last defined.
    fn party_seqs<S: Store>(&self, store: &S) -> Result<Vec<Seq>, IndexError> {
        let end = keys::prefix_end(keys::PARTY_PREFIX);
        self.ids
            .range(store, keys::PARTY_PREFIX, end.as_deref(), None)?
            .into_iter()
            .map(|(_, v)| seq_value(&v))
            .collect()
    }

    /// The parties the stored name index lists under the lookup key `key` (see
    /// [`PartyRegistry::name_key`]); `None` when the store has no name index or it does
    /// not list the key.
    ///
    /// # Errors
    /// Storage errors.
    pub(crate) fn named<S: Store>(
        store: &S,
        key: &str,
    ) -> Result<Option<Vec<PartyId>>, IndexError> {
        Ok(store
            .get(Tree::Meta, keys::META_NAMES)?
            .and_then(|v| keys::lookup_name(v.as_ref(), key)))
    }

    /// Where the event `id` was recorded.
    ///
    /// # Errors
    /// Storage errors, or a malformed entry.
    pub(crate) fn event_seq<S: Store>(
        &self,
        store: &S,
        id: &EventId,
    ) -> Result<Option<Seq>, IndexError> {
        match self.ids.get(store, &keys::event_key(id))? {
            None => Ok(None),
            Some(v) => v
                .first_chunk::<8>()
                .map(|s| Some(Seq::new(u64::from_be_bytes(*s))))
                .ok_or_else(|| {
                    IndexError::Malformed(format!("the `ids` entry of {id} is malformed"))
                }),
        }
    }

    /// Where the party `id` was (last) defined.
    ///
    /// # Errors
    /// Storage errors, or a malformed entry.
    pub(crate) fn party_seq<S: Store>(
        &self,
        store: &S,
        id: &PartyId,
    ) -> Result<Option<Seq>, IndexError> {
        match self.ids.get(store, &keys::party_key(id))? {
            None => Ok(None),
            Some(v) => seq_value(&v).map(Some),
        }
    }

    /// Seqs the `pairs` index lists for `(a, b)` under `listing`, with earliest day <=
    /// `until` when given, in key order (day, then seq). `a == b` lists one-party events.
    ///
    /// # Errors
    /// Storage errors, or a malformed key.
    pub(crate) fn pair_seqs<S: Store>(
        &self,
        store: &S,
        (a, b): (&PartyId, &PartyId),
        listing: Listing,
        until: Option<Day>,
    ) -> Result<Vec<Seq>, IndexError> {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let prefix = keys::pair_tag_prefix(a, b, listing.tag());
        let end = match until {
            Some(day) => {
                let mut e = prefix.clone();
                e.extend_from_slice(&keys::day_bytes(day.succ()));
                Some(e)
            }
            None => keys::prefix_end(&prefix),
        };
        self.pairs
            .range(store, &prefix, end.as_deref(), Some(&keys::pair_prefix(a, b)))?
            .into_iter()
            .map(|(k, _)| {
                keys::seq_of_pair_key(&k)
                    .ok_or_else(|| IndexError::Malformed("malformed pairs index key".into()))
            })
            .collect()
    }

    /// The parties that share at least one event with `party`.
    ///
    /// # Errors
    /// Storage errors.
    pub(crate) fn partners<S: Store>(
        &self,
        store: &S,
        party: &PartyId,
    ) -> Result<Vec<PartyId>, IndexError> {
        let prefix = keys::directory_prefix(party);
        Ok(self
            .pairs_under(store, &prefix)?
            .filter_map(|(k, _)| keys::other_of_directory_key(&prefix, &k))
            .collect())
    }

    /// Every `pairs` entry whose key starts with `prefix`, a prefix the Bloom filters
    /// hash ([`keys::pairs_probe`]).
    fn pairs_under<S: Store>(
        &self,
        store: &S,
        prefix: &[u8],
    ) -> Result<impl Iterator<Item = KeyValue>, IndexError> {
        let end = keys::prefix_end(prefix);
        Ok(self
            .pairs
            .range(store, prefix, end.as_deref(), Some(prefix))?
            .into_iter())
    }

    /// The agreements in which `grantor` granted a term within the first scope segment
    /// `segment` (an exclusive term, when `exclusive_only`): where a term can collide
    /// with one of `grantor`'s in that segment.
    ///
    /// # Errors
    /// Storage errors, or a malformed key.
    pub(crate) fn grants<S: Store>(
        &self,
        store: &S,
        grantor: &PartyId,
        segment: &str,
        exclusive_only: bool,
    ) -> Result<BTreeSet<Seq>, IndexError> {
        let prefix = keys::grant_prefix(grantor, segment);
        let mut out = BTreeSet::new();
        for (k, _) in self.pairs_under(store, &prefix)? {
            let (exclusive, _, seq) = keys::of_grant_key(&prefix, &k)
                .ok_or_else(|| IndexError::Malformed("malformed grant key".into()))?;
            if exclusive || !exclusive_only {
                out.insert(seq);
            }
        }
        Ok(out)
    }

    /// The events that refer to `target`, with the field they refer through, by seq
    /// within each field.
    ///
    /// # Errors
    /// Storage errors, or a malformed key.
    pub(crate) fn referrers<S: Store>(
        &self,
        store: &S,
        target: &EventId,
    ) -> Result<Vec<(keys::Field, Seq)>, IndexError> {
        let prefix = keys::referrer_prefix(target);
        self.pairs_under(store, &prefix)?
            .map(|(k, _)| {
                keys::of_referrer_key(&prefix, &k)
                    .ok_or_else(|| IndexError::Malformed("malformed referrer key".into()))
            })
            .collect()
    }
}

/// Marks `store` as laid out in the store format `version` (written with the first
/// record; see [`keys::STORE_FORMAT`]).
pub(crate) fn format_op(version: u8) -> Op {
    Op::Put(keys::META_FORMAT.to_vec(), vec![version])
}

/// The store format a store says it has, if it says.
///
/// # Errors
/// Storage errors.
pub(crate) fn stored_format<S: Store>(store: &S) -> Result<Option<u8>, StoreError> {
    Ok(store
        .get(Tree::Meta, keys::META_FORMAT)?
        .map(|v| v.as_ref().first().copied().unwrap_or(0)))
}

fn seq_value(v: &[u8]) -> Result<Seq, IndexError> {
    <[u8; 8]>::try_from(v)
        .map(|b| Seq::new(u64::from_be_bytes(b)))
        .map_err(|_| IndexError::Malformed("an ids index value is not 8 bytes".into()))
}
