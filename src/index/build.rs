//! Derived data of appends: the `ids` and `pairs` runs (with the partner and grant
//! directories), Merkle tiles, the party snapshot and the watermark.
//!
//! Each batch of records, once written, goes through [`Index::add`]: its Merkle tiles are
//! written at once (the next batch's tiles build on them), while its `ids` and `pairs`
//! entries collect in memory and are written as one sorted run per index every
//! [`PENDING_RECORDS`] records and when the append ends ([`Index::write_pending`]),
//! followed by the watermark. Fewer, larger runs mean fewer merges. Derived data may lag
//! the records after a crash; opening the ledger completes it.

use super::keys::{self, TAG_MEMBER, TAG_SUPERSEDES};
use super::runs::KeyValue;
use super::seen::{Ix, Pair};
use super::{Index, IndexError, StoreTiles};
use crate::codec::{Entry, Record, Seq};
use crate::merkle::{self, Hash};
use crate::model::{Day, Event, EventId, Party, PartyId, PartyRegistry, Payload};
use crate::store::{Op, Store, Tree};

/// An event referred to: its parties and the relationships it is listed under beyond
/// its parties' pairs.
struct Target {
    parties: Vec<Ix>,
    extra: Vec<Pair>,
}

impl Index {
    /// The registry, which appends must have loaded first.
    fn registry_mut(&mut self) -> Result<&mut PartyRegistry, IndexError> {
        self.parties.get_mut().ok_or_else(|| {
            IndexError::Malformed("the party registry was not loaded before an append".into())
        })
    }

    /// Takes in the derived data of `batch`, records `first..` (written), each with its
    /// Merkle leaf hash: writes their Merkle tiles, keeps their index entries pending,
    /// and writes the pending entries once there are [`super::PENDING_RECORDS`] of them.
    ///
    /// # Errors
    /// Storage errors, or a damaged index read on the way.
    pub(crate) fn add<S: Store>(
        &mut self,
        store: &S,
        first: u64,
        batch: &[(Hash, &Record)],
    ) -> Result<(), IndexError> {
        if batch.is_empty() {
            return Ok(());
        }
        for (_, record) in batch {
            match &record.entry {
                Entry::Party(p) => {
                    self.pending
                        .ids
                        .push((keys::party_key(&p.id), record.seq.key().to_vec()));
                    self.registry_mut()?.insert(p.clone());
                    self.pending.parties_changed = true;
                }
                Entry::Event(e) => self.add_event(store, record.seq, e)?,
            }
        }
        let leaves: Vec<Hash> = batch.iter().map(|(leaf, _)| *leaf).collect();
        let tiles = merkle::append_leaves(&StoreTiles(store), first, &leaves)?
            .into_iter()
            .map(|(k, v)| Op::Put(k.to_bytes().to_vec(), v))
            .collect();
        store.apply(Tree::Merkle, tiles)?;
        self.pending.records += batch.len();
        self.pending.end = first + batch.len() as u64;
        if self.pending.records >= self.pending_limit {
            self.write_pending(store)?;
        }
        Ok(())
    }

    /// The entries of event `e` at `seq`. It is listed under every pair of its parties
    /// (or `(a, a)` for a one-party event) and every pair of the events it refers to
    /// (`ends`, `resolves`, `about`), whose state it can change; an event that supersedes
    /// another is also listed wherever its target is, so a relationship query always sees
    /// what cancels one of the events it reads. A relationship's directory keys are
    /// written the first time this process appends to it.
    fn add_event<S: Store>(&mut self, store: &S, seq: Seq, e: &Event) -> Result<(), IndexError> {
        let parties: Vec<Ix> = e.parties.iter().map(|p| self.seen.intern(p)).collect();
        let own = self.pairs_of(&parties);
        for &(a, b) in &own {
            if a != b && self.directory.insert((a, b)) {
                let (pa, pb) = (self.seen.party(a), self.seen.party(b));
                self.pending.pairs.push(keys::directory_key(pa, pb));
                self.pending.pairs.push(keys::directory_key(pb, pa));
            }
        }
        self.add_grants(seq, e);
        self.add_referrers(seq, e);
        let mut member = own.clone();
        let mut targets: Vec<&EventId> = e
            .references()
            .into_iter()
            .filter(|(field, _)| *field != "supersedes")
            .map(|(_, t)| t)
            .collect();
        targets.sort();
        targets.dedup();
        for target in targets {
            if let Some(t) = self.recall(store, target)? {
                member.extend(self.pairs_of(&t.parties));
            }
        }
        member.sort_by(|x, y| self.seen.cmp_pairs(*x, *y));
        member.dedup();
        let day = e.date.earliest();
        for &(a, b) in &member {
            let (pa, pb) = (self.seen.party(a), self.seen.party(b));
            self.pending
                .pairs
                .push(keys::pair_key(pa, pb, TAG_MEMBER, day, seq));
        }
        let superseding = self.list_superseding(store, seq, e)?;
        // Every pair the event is listed under besides its own: its superseder is listed
        // there too, so a chain of corrections reaches every pair of its first event.
        let own: std::collections::HashSet<Pair> = own.into_iter().collect();
        let mut extra: Vec<Pair> = member
            .iter()
            .chain(&superseding)
            .filter(|p| !own.contains(p))
            .copied()
            .collect();
        extra.sort_by(|x, y| self.seen.cmp_pairs(*x, *y));
        extra.dedup();
        let extra_ids: Vec<(PartyId, PartyId)> = extra
            .iter()
            .map(|&(a, b)| (self.seen.party(a).clone(), self.seen.party(b).clone()))
            .collect();
        self.pending.ids.push((
            keys::event_key(&e.id),
            keys::event_value(seq, &e.parties, &extra_ids),
        ));
        self.seen.insert(&e.id, &parties, &extra);
        Ok(())
    }

    /// The grant keys of the terms of an agreement at `seq`: one per term, repeats
    /// collapse when the pending entries are written as a run.
    fn add_grants(&mut self, seq: Seq, e: &Event) {
        if let Payload::Agreement { terms, .. } = &e.payload {
            for t in terms {
                let key = keys::grant_key(&t.grantor, &t.scope, t.exclusive, &t.holder, seq);
                self.pending.pairs.push(key);
            }
        }
    }

    /// The referrer keys of the event at `seq`: one per event it refers to and field.
    fn add_referrers(&mut self, seq: Seq, e: &Event) {
        for (name, target) in e.references() {
            if let Some(field) = keys::Field::of_name(name) {
                self.pending
                    .pairs
                    .push(keys::referrer_key(target, field, seq));
            }
        }
    }

    /// Lists event `e` at `seq`, if it supersedes another, under every pair its target
    /// is listed under (its own and the others); returns those pairs.
    fn list_superseding<S: Store>(
        &mut self,
        store: &S,
        seq: Seq,
        e: &Event,
    ) -> Result<Vec<Pair>, IndexError> {
        let Some(target) = &e.supersedes else {
            return Ok(Vec::new());
        };
        let Some(t) = self.recall(store, target)? else {
            return Ok(Vec::new());
        };
        let mut listed = self.pairs_of(&t.parties);
        listed.extend(t.extra);
        for &(a, b) in &listed {
            let (pa, pb) = (self.seen.party(a), self.seen.party(b));
            self.pending.pairs.push(keys::pair_key(
                pa,
                pb,
                TAG_SUPERSEDES,
                Day::from_days(0),
                seq,
            ));
        }
        Ok(listed)
    }

    /// The event `id` refers to, from what this process appended or else the `ids`
    /// index (never the record); `None` when it is not in the ledger.
    fn recall<S: Store>(&mut self, store: &S, id: &EventId) -> Result<Option<Target>, IndexError> {
        if let Some(r) = self.seen.get(id) {
            return Ok(Some(Target {
                parties: r.parties.to_vec(),
                extra: r.extra().collect(),
            }));
        }
        let Some(v) = self.ids.get(store, &keys::event_key(id))? else {
            return Ok(None);
        };
        let v = keys::decode_event_value(&v)
            .ok_or_else(|| IndexError::Malformed(format!("the `ids` entry of {id} is malformed")))?;
        let parties: Vec<Ix> = v.parties.iter().map(|p| self.seen.intern(p)).collect();
        let extra: Vec<Pair> = v
            .extra
            .iter()
            .map(|(a, b)| {
                let (a, b) = (self.seen.intern(a), self.seen.intern(b));
                self.seen.pair(a, b)
            })
            .collect();
        // Referred to once, an event is often referred to again.
        self.seen.insert(id, &parties, &extra);
        Ok(Some(Target { parties, extra }))
    }

    /// Every pair of `parties`, each with the smaller id first (or `(a, a)` for a
    /// one-party list).
    fn pairs_of(&self, parties: &[Ix]) -> Vec<Pair> {
        let mut out = Vec::with_capacity(parties.len() * parties.len().saturating_sub(1) / 2);
        for (i, &a) in parties.iter().enumerate() {
            for &b in &parties[i + 1..] {
                out.push(self.seen.pair(a, b));
            }
        }
        if let [a] = parties {
            out.push((*a, *a));
        }
        out
    }

    /// Writes the pending `ids` and `pairs` entries (one run each, side by side: they are
    /// separate trees), then the watermark and, if parties changed, the party snapshot.
    ///
    /// # Errors
    /// Storage errors.
    pub(crate) fn write_pending<S: Store>(&mut self, store: &S) -> Result<(), IndexError> {
        if self.pending.records == 0 {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let watermark = pending.end;
        let pairs: Vec<KeyValue> = pending.pairs.into_iter().map(|k| (k, Vec::new())).collect();
        let (ids, runs_of_pairs) = (&mut self.ids, &mut self.pairs);
        let (ids_written, pairs_written) = std::thread::scope(|scope| {
            let ids_writer = scope.spawn(|| ids.add(store, pending.ids, watermark));
            let pairs_written = runs_of_pairs.add(store, pairs, watermark);
            let ids_written = ids_writer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (ids_written, pairs_written)
        });
        ids_written?;
        pairs_written?;
        let mut meta = vec![
            Op::Put(
                keys::META_DERIVED.to_vec(),
                watermark.to_be_bytes().to_vec(),
            ),
            Op::Put(keys::META_INDEX.to_vec(), vec![keys::INDEX_VERSION]),
        ];
        if pending.parties_changed {
            let registry = self.registry_mut()?;
            let parties: Vec<&Party> = registry.iter().collect();
            meta.push(Op::Put(
                keys::META_PARTIES.to_vec(),
                keys::encode_parties(&parties).map_err(IndexError::Encode)?,
            ));
            let names = registry
                .name_index()
                .iter()
                .map(|(k, ids)| (k.as_str(), ids.as_slice()));
            meta.push(Op::Put(
                keys::META_NAMES.to_vec(),
                keys::encode_names(names).map_err(IndexError::Encode)?,
            ));
        }
        store.apply(Tree::Meta, meta)?;
        Ok(())
    }
}
