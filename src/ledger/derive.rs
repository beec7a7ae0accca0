//! Derived data of an append: the `ids` and `pairs` keys, Merkle tiles, the party
//! snapshot and the watermark, with the write-side caches that keep a bulk import from
//! re-reading the store for every batch.

use super::index::{self, TAG_MEMBER, TAG_SUPERSEDES};
use super::runs::KeyValue;
use super::{Ledger, LedgerError, StoreTiles, StoredRecord, references};
use crate::codec::{Entry, Record};
use crate::merkle::{self, Hash};
use crate::model::{Event, EventId, Party, PartyId};
use crate::store::{Op, Store, Tree};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What appends remember so that a bulk import does not re-read the store for every
/// batch: the relationships whose directory keys are written, and, for recently
/// appended events (the usual targets of `ends`, `resolves` and `supersedes`), their
/// parties and the relationships they are listed under.
#[derive(Default)]
pub(super) struct AppendCache {
    directory: HashSet<(PartyId, PartyId)>,
    recent: HashMap<EventId, Listed>,
}

/// An event's parties and the relationships the `pairs` index lists it under.
#[derive(Clone)]
pub(super) struct Listed {
    parties: Vec<PartyId>,
    pairs: Vec<(PartyId, PartyId)>,
}

/// Bound on [`AppendCache::recent`]; past it the map starts over (a miss reads the store).
pub(super) const RECENT_EVENTS: usize = 65_536;

/// What a batch adds to the derived data, worked out before anything is written (it only
/// reads), so that it can run beside the write of the batch's records.
pub(super) struct Derived<'a> {
    ids: Vec<KeyValue>,
    pairs: Vec<KeyValue>,
    /// Relationships whose directory keys are in `pairs` now.
    dir: Vec<(PartyId, PartyId)>,
    listed: Vec<(&'a EventId, Listed)>,
    parties: Vec<&'a Party>,
    tiles: Vec<Op>,
}

impl<S: Store> Ledger<S> {
    /// Writes ids, pairs, tiles and the party snapshot for `batch` (records `first..`),
    /// then the watermark; adds the batch's parties to the registry.
    pub(super) fn write_derived(
        &mut self,
        first: u64,
        batch: &[(StoredRecord, Record)],
    ) -> Result<(), LedgerError> {
        let derived = self.derive(first, batch)?;
        self.write(first + batch.len() as u64, derived)
    }

    /// The derived data of `batch` (records `first..`), from reads only.
    ///
    /// Each index gets one sorted run (see `runs.rs`). A relationship's directory keys
    /// are written the first time this process appends to it.
    pub(super) fn derive<'a>(
        &self,
        first: u64,
        batch: &'a [(StoredRecord, Record)],
    ) -> Result<Derived<'a>, LedgerError> {
        let mut ids = Vec::with_capacity(batch.len());
        let mut pairs: BTreeSet<Vec<u8>> = BTreeSet::new();
        let mut dir: BTreeSet<(PartyId, PartyId)> = BTreeSet::new();
        let mut listed: Vec<(&EventId, Listed)> = Vec::new();
        let mut parties = Vec::new();
        // Parties of the events in this batch, for references inside the batch.
        let mut local: BTreeMap<&EventId, &Event> = BTreeMap::new();
        for (stored, record) in batch {
            match &record.entry {
                Entry::Party(p) => {
                    ids.push((index::party_key(&p.id), stored.seq.key().to_vec()));
                    parties.push(p);
                }
                Entry::Event(e) => {
                    local.insert(&e.id, e);
                    let day = e.date.earliest();
                    for pair in e.pairs() {
                        if !self.cache.directory.contains(&pair) {
                            dir.insert(pair);
                        }
                    }
                    let own = pairs_of(&e.parties);
                    let member = self.index_pairs(e, &local)?;
                    let extra: Vec<(PartyId, PartyId)> = member
                        .iter()
                        .filter(|p| !own.contains(p))
                        .cloned()
                        .collect();
                    ids.push((
                        index::event_key(&e.id),
                        index::event_value(stored.seq, &e.parties, &extra),
                    ));
                    for (a, b) in &member {
                        pairs.insert(index::pair_key(a, b, TAG_MEMBER, day, stored.seq));
                    }
                    listed.push((
                        &e.id,
                        Listed {
                            parties: e.parties.clone(),
                            pairs: member.into_iter().collect(),
                        },
                    ));
                    // A successor is listed wherever its target is, so a relationship
                    // query always sees what cancels one of the events it reads.
                    if let Some(target) = &e.supersedes
                        && let Some(t) = self.listed(target, &local)?
                    {
                        for (a, b) in t.pairs {
                            pairs.insert(index::pair_key(
                                &a,
                                &b,
                                TAG_SUPERSEDES,
                                crate::model::Day::from_days(0),
                                stored.seq,
                            ));
                        }
                    }
                }
            }
        }
        let leaves: Vec<Hash> = batch.iter().map(|(s, _)| s.leaf).collect();
        let tiles = merkle::append_leaves(&StoreTiles(&self.store), first, &leaves)?
            .into_iter()
            .map(|(k, v)| Op::Put(k.to_bytes().to_vec(), v))
            .collect();
        let mut pairs: Vec<KeyValue> = pairs.into_iter().map(|k| (k, Vec::new())).collect();
        for (a, b) in &dir {
            // Written once per relationship per process: a key written again by a later
            // process (a few per relationship) costs less than reading to find out, and
            // merges and readers keep one copy.
            pairs.push((index::directory_key(a, b), Vec::new()));
            pairs.push((index::directory_key(b, a), Vec::new()));
        }
        Ok(Derived {
            ids,
            pairs,
            dir: dir.into_iter().collect(),
            listed,
            parties,
            tiles,
        })
    }

    /// Writes what [`Ledger::derive`] worked out, then the watermark (`watermark` records
    /// have their derived data), and updates the registry and the caches.
    pub(super) fn write(&mut self, watermark: u64, d: Derived<'_>) -> Result<(), LedgerError> {
        let parties_changed = !d.parties.is_empty();
        for p in d.parties {
            self.parties.insert(p.clone());
        }
        // The two indexes are separate trees: their runs (and merges) are written side
        // by side.
        let (ids, pairs, store) = (&mut self.ids, &mut self.pairs, &self.store);
        let (ids_written, pairs_written) = std::thread::scope(|scope| {
            let ids_writer = scope.spawn(|| ids.add(store, d.ids, watermark));
            let pairs_written = pairs.add(store, d.pairs, watermark);
            let ids_written = ids_writer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (ids_written, pairs_written)
        });
        ids_written?;
        pairs_written?;
        self.cache.directory.extend(d.dir);
        self.store.apply(Tree::Merkle, d.tiles)?;
        let mut meta = vec![
            Op::Put(
                index::META_DERIVED.to_vec(),
                watermark.to_be_bytes().to_vec(),
            ),
            Op::Put(index::META_INDEX.to_vec(), vec![index::INDEX_VERSION]),
        ];
        if parties_changed {
            let parties: Vec<&Party> = self.parties.iter().collect();
            meta.push(Op::Put(
                index::META_PARTIES.to_vec(),
                index::encode_parties(&parties).map_err(LedgerError::Encode)?,
            ));
        }
        self.store.apply(Tree::Meta, meta)?;
        if self.cache.recent.len() + d.listed.len() > RECENT_EVENTS {
            self.cache.recent.clear();
        }
        for (id, l) in d.listed {
            self.cache.recent.insert(id.clone(), l);
        }
        Ok(())
    }

    /// The parties of event `id` and the relationships it is listed under: from this
    /// batch, the cache of recent appends, or the `ids` index (never the record).
    fn listed(
        &self,
        id: &EventId,
        local: &BTreeMap<&EventId, &Event>,
    ) -> Result<Option<Listed>, LedgerError> {
        if let Some(l) = self.cache.recent.get(id) {
            return Ok(Some(l.clone()));
        }
        if let Some(event) = local.get(id) {
            let pairs = self.index_pairs(event, local)?.into_iter().collect();
            return Ok(Some(Listed {
                parties: event.parties.clone(),
                pairs,
            }));
        }
        Ok(self.indexed(id)?.map(|v| {
            let mut pairs = pairs_of(&v.parties);
            pairs.extend(v.extra);
            Listed {
                parties: v.parties,
                pairs,
            }
        }))
    }

    /// The `ids` entry of an event appended before.
    fn indexed(&self, id: &EventId) -> Result<Option<index::EventValue>, LedgerError> {
        match self.ids.get(&self.store, &index::event_key(id))? {
            None => Ok(None),
            Some(v) => index::decode_event_value(&v)
                .map(Some)
                .ok_or_else(|| LedgerError::Index(format!("the `ids` entry of {id} is malformed"))),
        }
    }

    /// The relationships an event is listed under: every pair of its parties (or `(a, a)`
    /// for a one-party event), and every pair of the events it refers to (`ends`,
    /// `resolves`, `about`), whose state it can change.
    fn index_pairs(
        &self,
        e: &Event,
        local: &BTreeMap<&EventId, &Event>,
    ) -> Result<BTreeSet<(PartyId, PartyId)>, LedgerError> {
        let mut out: BTreeSet<(PartyId, PartyId)> = pairs_of(&e.parties).into_iter().collect();
        for target in references(e) {
            let parties = match (local.get(target), self.cache.recent.get(target)) {
                (Some(t), _) => t.parties.clone(),
                (None, Some(l)) => l.parties.clone(),
                (None, None) => match self.indexed(target)? {
                    Some(v) => v.parties,
                    None => continue,
                },
            };
            out.extend(pairs_of(&parties));
        }
        Ok(out)
    }
}

pub(super) fn pairs_of(parties: &[PartyId]) -> Vec<(PartyId, PartyId)> {
    let mut out = Vec::new();
    for (i, a) in parties.iter().enumerate() {
        for b in &parties[i + 1..] {
            out.push(if a < b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            });
        }
    }
    if parties.len() == 1 {
        out.push((parties[0].clone(), parties[0].clone()));
    }
    out
}
