//! What appends remember of the events appended recently: for each, its parties and the
//! relationships it is listed under beyond its parties' own pairs, held compactly (party
//! ids interned as numbers, event ids in one byte buffer), so that an append that refers
//! to a recent event reads neither the store nor the `ids` runs. Events are kept in two
//! generations of [`GENERATION`]; when the newer fills, the older is dropped. About 70
//! bytes an event; a miss reads the `ids` runs.

use crate::model::{EventId, PartyId};
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// Events per generation: between one and two generations are remembered (about 20 MiB
/// at most).
pub(super) const GENERATION: usize = 1 << 17;

/// A party id interned by [`Seen::intern`].
pub(super) type Ix = u32;

/// A relationship of interned parties, the smaller id (by text) first.
pub(super) type Pair = (Ix, Ix);

/// Interned parties, and recent events.
#[derive(Default)]
pub(super) struct Seen {
    parties: Vec<PartyId>,
    party_ix: HashMap<PartyId, Ix>,
    newer: Generation,
    older: Generation,
    hasher: RandomState,
    /// Tests: every id hashes alike.
    #[cfg(test)]
    collide: bool,
}

/// Events remembered together.
#[derive(Default)]
struct Generation {
    /// Event ids, one after the other.
    id_bytes: Vec<u8>,
    events: Vec<Remembered>,
    /// For each event: its parties, then its extra relationships (two numbers each).
    slots: Vec<Ix>,
    /// Hash of an event id -> the newest event with that hash; others with the same hash
    /// follow through [`Remembered::next`].
    by_hash: HashMap<u64, u32, BuildHasherDefault<Identity>>,
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
        if id.len() > usize::from(u16::MAX) || parties.len() > usize::from(u16::MAX) {
            return;
        }
        if self.newer.events.len() >= GENERATION {
            self.older = std::mem::take(&mut self.newer);
        }
        let h = self.hash(id);
        self.newer.insert(h, id, parties, extra);
    }

    /// The event `id`, if it is remembered.
    pub(super) fn get(&self, id: &EventId) -> Option<Recalled<'_>> {
        let id = id.as_str().as_bytes();
        let h = self.hash(id);
        self.newer.get(h, id).or_else(|| self.older.get(h, id))
    }

    /// Forgets the events (not the interned parties).
    #[cfg(test)]
    fn forget_events(&mut self) {
        self.newer = Generation::default();
        self.older = Generation::default();
    }

    fn hash(&self, id: &[u8]) -> u64 {
        #[cfg(test)]
        if self.collide {
            return 0;
        }
        self.hasher.hash_one(id)
    }
}

impl Generation {
    fn insert(&mut self, h: u64, id: &[u8], parties: &[Ix], extra: &[Pair]) {
        // INVARIANT: a generation holds GENERATION events of ids and party lists under
        // 2^16 each, so every offset fits in u32.
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

    fn get(&self, h: u64, id: &[u8]) -> Option<Recalled<'_>> {
        let mut at = *self.by_hash.get(&h)?;
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
        assert_eq!(seen.newer.by_hash.len(), 1, "every id shares one hash");
        for (i, id) in ids.iter().enumerate() {
            let want = if i % 2 == 0 { a } else { b };
            assert_eq!(seen.get(id).expect("remembered").parties, &[want]);
        }
        assert!(seen.get(&event("e-50")).is_none());
    }

    #[test]
    fn a_full_generation_becomes_the_older_and_the_older_is_dropped() {
        let mut seen = Seen::default();
        let a = seen.intern(&party("acme"));
        let id = |i: usize| event(&format!("e-{i}"));
        for i in 0..2 * GENERATION + 1 {
            seen.insert(&id(i), &[a], &[]);
        }
        // Generations: [0, G) dropped, [G, 2G) older, [2G] newer.
        assert!(seen.get(&id(GENERATION - 1)).is_none());
        assert!(seen.get(&id(GENERATION)).is_some());
        assert!(seen.get(&id(2 * GENERATION - 1)).is_some());
        assert!(seen.get(&id(2 * GENERATION)).is_some());
        assert_eq!(seen.newer.events.len(), 1);
    }

    #[test]
    fn forgotten_events_keep_their_parties_interned() {
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
