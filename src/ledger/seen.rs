//! What appends remember of the events this process appended: for each, its parties and
//! the relationships it is listed under beyond its parties' own pairs, held compactly
//! (party ids interned as numbers, event ids in one byte buffer), so that an append that
//! refers to an event appended earlier in the process reads neither the store nor the
//! `ids` runs. About 70 bytes an event; past [`MAX_EVENTS`] it starts over, and a miss
//! reads the `ids` runs.

use crate::model::{EventId, PartyId};
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// Bound on the events remembered (about 140 MiB at the bound).
pub(super) const MAX_EVENTS: usize = 2_000_000;

/// A party id interned by [`Seen::intern`].
pub(super) type Ix = u32;

/// A relationship of interned parties, the smaller id (by text) first.
pub(super) type Pair = (Ix, Ix);

/// Interned parties, and the events appended by this process.
#[derive(Default)]
pub(super) struct Seen {
    parties: Vec<PartyId>,
    party_ix: HashMap<PartyId, Ix>,
    /// Event ids, one after the other.
    id_bytes: Vec<u8>,
    events: Vec<Remembered>,
    /// For each event: its parties, then its extra relationships (two numbers each).
    slots: Vec<Ix>,
    /// Hash of an event id -> the newest event with that hash; others with the same hash
    /// follow through [`Remembered::next`].
    by_hash: HashMap<u64, u32, BuildHasherDefault<Identity>>,
    hasher: RandomState,
    /// Tests: every id hashes alike.
    #[cfg(test)]
    collide: bool,
}

/// One remembered event: where its id and slots are.
struct Remembered {
    id_at: u32,
    id_len: u16,
    parties: u16,
    slots_at: u32,
    extra: u32,
    next: u32,
}

const NONE: u32 = u32::MAX;

/// An event as remembered.
pub(super) struct Recalled<'a> {
    /// Its parties.
    pub(super) parties: &'a [Ix],
    /// Its extra relationships, two numbers each.
    extra: &'a [Ix],
}

impl Recalled<'_> {
    /// Its extra relationships.
    pub(super) fn extra(&self) -> impl Iterator<Item = Pair> + '_ {
        self.extra.chunks_exact(2).map(|p| (p[0], p[1]))
    }
}

impl Seen {
    /// The number of `id`, interning it if new.
    pub(super) fn intern(&mut self, id: &PartyId) -> Ix {
        if let Some(&ix) = self.party_ix.get(id) {
            return ix;
        }
        // INVARIANT: a ledger has far fewer than 2^32 parties (each is a record).
        let ix = self.parties.len() as Ix;
        self.parties.push(id.clone());
        self.party_ix.insert(id.clone(), ix);
        ix
    }

    /// The party id of `ix`.
    pub(super) fn party(&self, ix: Ix) -> &PartyId {
        &self.parties[ix as usize]
    }

    /// `(a, b)` with the smaller party id first.
    pub(super) fn pair(&self, a: Ix, b: Ix) -> Pair {
        if self.party(a) <= self.party(b) {
            (a, b)
        } else {
            (b, a)
        }
    }

    /// Compares two relationships by their parties' ids (the order of the index).
    pub(super) fn cmp_pairs(&self, x: Pair, y: Pair) -> std::cmp::Ordering {
        (self.party(x.0), self.party(x.1)).cmp(&(self.party(y.0), self.party(y.1)))
    }

    /// Remembers event `id` with its parties and extra relationships.
    pub(super) fn insert(&mut self, id: &EventId, parties: &[Ix], extra: &[Pair]) {
        let id = id.as_str().as_bytes();
        let too_long = id.len() > usize::from(u16::MAX) || parties.len() > usize::from(u16::MAX);
        if too_long {
            return;
        }
        if self.events.len() >= MAX_EVENTS
            || self.id_bytes.len() + id.len() > u32::MAX as usize
            || self.slots.len() + parties.len() + 2 * extra.len() > u32::MAX as usize
        {
            self.forget_events();
        }
        let h = self.hash(id);
        // INVARIANT: the bounds above keep every offset and count within u32.
        let event = Remembered {
            id_at: self.id_bytes.len() as u32,
            id_len: id.len() as u16,
            parties: parties.len() as u16,
            slots_at: self.slots.len() as u32,
            extra: extra.len() as u32,
            next: self.by_hash.get(&h).copied().unwrap_or(NONE),
        };
        self.id_bytes.extend_from_slice(id);
        self.slots.extend_from_slice(parties);
        for (a, b) in extra {
            self.slots.extend_from_slice(&[*a, *b]);
        }
        self.by_hash.insert(h, self.events.len() as u32);
        self.events.push(event);
    }

    /// The event `id`, if this process appended it (and has not forgotten it).
    pub(super) fn get(&self, id: &EventId) -> Option<Recalled<'_>> {
        let id = id.as_str().as_bytes();
        let mut at = *self.by_hash.get(&self.hash(id))?;
        while at != NONE {
            let e = &self.events[at as usize];
            let start = e.id_at as usize;
            if &self.id_bytes[start..start + usize::from(e.id_len)] == id {
                let slots = &self.slots[e.slots_at as usize..];
                let (parties, rest) = slots.split_at(usize::from(e.parties));
                return Some(Recalled {
                    parties,
                    extra: &rest[..2 * e.extra as usize],
                });
            }
            at = e.next;
        }
        None
    }

    /// Forgets the events (not the interned parties).
    fn forget_events(&mut self) {
        self.id_bytes = Vec::new();
        self.events = Vec::new();
        self.slots = Vec::new();
        self.by_hash = HashMap::default();
    }

    fn hash(&self, id: &[u8]) -> u64 {
        #[cfg(test)]
        if self.collide {
            return 0;
        }
        self.hasher.hash_one(id)
    }
}

/// Hasher of the `by_hash` keys, which are hashes already.
#[derive(Default)]
pub(super) struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(s: &str) -> PartyId {
        PartyId::new(s).expect("party id")
    }

    fn event(s: &str) -> EventId {
        EventId::new(s).expect("event id")
    }

    #[test]
    fn remembers_parties_and_extra_relationships_by_event_id() {
        let mut seen = Seen::default();
        let (a, b, c) = (
            seen.intern(&party("acme")),
            seen.intern(&party("globex")),
            seen.intern(&party("initech")),
        );
        assert_eq!(seen.intern(&party("globex")), b);
        seen.insert(&event("e-1"), &[a, b], &[]);
        seen.insert(&event("e-2"), &[c], &[(a, b)]);
        let e1 = seen.get(&event("e-1")).expect("e-1");
        assert_eq!(e1.parties, &[a, b]);
        assert_eq!(e1.extra().count(), 0);
        let e2 = seen.get(&event("e-2")).expect("e-2");
        assert_eq!(e2.parties, &[c]);
        assert_eq!(e2.extra().collect::<Vec<_>>(), vec![(a, b)]);
        assert!(seen.get(&event("e-3")).is_none());
        assert_eq!(seen.party(c), &party("initech"));
        assert_eq!(seen.pair(b, a), (a, b));
    }

    #[test]
    fn ids_with_the_same_hash_are_told_apart_by_their_bytes() {
        let mut seen = Seen {
            collide: true,
            ..Seen::default()
        };
        let a = seen.intern(&party("acme"));
        let b = seen.intern(&party("globex"));
        let ids: Vec<EventId> = (0..50).map(|i| event(&format!("e-{i}"))).collect();
        for (i, id) in ids.iter().enumerate() {
            let p = if i % 2 == 0 { a } else { b };
            seen.insert(id, &[p], &[]);
        }
        assert_eq!(seen.by_hash.len(), 1, "every id shares one hash");
        for (i, id) in ids.iter().enumerate() {
            let want = if i % 2 == 0 { a } else { b };
            assert_eq!(seen.get(id).expect("remembered").parties, &[want]);
        }
        assert!(seen.get(&event("e-50")).is_none());
    }

    #[test]
    fn past_the_bound_events_are_forgotten_and_parties_kept() {
        let mut seen = Seen::default();
        let a = seen.intern(&party("acme"));
        seen.insert(&event("e-1"), &[a], &[]);
        seen.forget_events();
        assert!(seen.get(&event("e-1")).is_none());
        assert_eq!(seen.intern(&party("acme")), a);
        seen.insert(&event("e-2"), &[a], &[]);
        assert_eq!(seen.get(&event("e-2")).expect("e-2").parties, &[a]);
    }
}
