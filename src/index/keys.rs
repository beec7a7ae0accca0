//! Key layouts of the derived indexes (`ids`, `pairs`) and of `meta`.
//!
//! Derived data can always be rebuilt from `records`, so these layouts may change
//! without a record format bump (bump [`INDEX_VERSION`] and the store rebuilds them).
//! The `ids` and `pairs` entries below are not sled keys of their own: each append
//! writes its entries as one sorted run (see `runs.rs`), and the keys here are the
//! keys inside the runs.
//!
//! - `ids`: `b'e' || event id` and `b'p' || party id` -> seq (BE u64) of the record that
//!   defines it (for parties: the latest definition). An event's value goes on with what
//!   a later event that refers to it needs, so that appending one never reads and decodes
//!   an old record: its parties, and the relationships it is listed under beyond its
//!   parties' own pairs (see [`event_value`]).
//! - `pairs`: `a || 0x00 || b || 0x00 || tag || day || seq` -> empty, where `a < b` are
//!   party ids, `day` is the event's earliest day (sign-flipped BE u32, so keys sort by
//!   day) and `seq` is BE u64. `tag` 0 lists every event that touches both parties or
//!   refers to one that does (`ends`, `resolves`, `about`) by its earliest day; tag 1 lists
//!   events that supersede an event listed under the pair, under either tag (with day 0),
//!   which count whatever their date: a chain of corrections is listed wherever its first
//!   event is.
//!   An event with a single party is listed under the pair `(a, a)`.
//!   Directory keys `0xff || a || 0x00 || b` record that `a` and `b` share events.
//!   Grant keys `0xfe || grantor || 0x00 || segment || 0x00 || exclusive || holder ||
//!   0x00 || seq` record that the agreement at `seq` has `grantor` grant `holder` a term
//!   whose scope starts with `segment` (`exclusive` 1 when the term excludes others): two
//!   terms can only overlap or be siblings within one first segment, so a conflict query
//!   reads the rival agreements instead of every relationship of the grantor.
//!   Referrer keys `0xfd || target || 0x00 || field || seq` record that the event at
//!   `seq` refers to the event `target` through `field` ([`Field`]): what can end,
//!   replace, contest or settle an event is found from the event, without reading the
//!   relationships it belongs to.
//! - `meta`: `format` -> record format version; `index` -> index layout version;
//!   `derived` -> BE u64 count of records whose derived data is complete; `parties` ->
//!   a snapshot of the party registry (every party's latest definition, by id, as
//!   bincode `legacy` of `Vec<Party>`), so that opening a store reads one value instead
//!   of one record per party; `names` -> the registry's name index, written with the
//!   snapshot, so that resolving a name reads neither (see [`encode_names`]). A store
//!   without `names` (written before it existed) resolves through the snapshot.
//!
//! Version 3 added the `parties` snapshot; version 4 stores `ids` and `pairs` as sorted
//! runs instead of one sled key per entry; version 5 keys `names` by the normalised name
//! key ([`PartyRegistry::name_key`](crate::model::PartyRegistry::name_key)); version 6
//! lists superseding events under every pair their target is listed under (tag 1 too);
//! version 7 adds the grant keys; version 8 puts the agreement's seq in them and adds
//! the referrer keys.
//! A store of an older version is rebuilt on open, so no answer comes from keys of
//! another rule.

use crate::codec::{CodecError, Seq};
use crate::model::{Day, EventId, Party, PartyId, Scope};

/// Version of the derived layouts above.
pub const INDEX_VERSION: u8 = 8;

/// `meta` key: the store layout version ([`STORE_FORMAT`]).
pub const META_FORMAT: &[u8] = b"format";

/// The store layout: a `records` tree of seq -> chain hash || leaf hash || canonical
/// bytes. Each record's bytes name their own record format (their first byte), so
/// records of several formats share one layout; this changes only with the layout.
/// Stores written before record format 2 hold the same value (1), so they open.
pub const STORE_FORMAT: u8 = 1;
/// `meta` key: derived layout version.
pub const META_INDEX: &[u8] = b"index";
/// `meta` key: the derived-data watermark.
pub const META_DERIVED: &[u8] = b"derived";
/// `meta` key: the party registry snapshot.
pub const META_PARTIES: &[u8] = b"parties";

/// `meta` key: the party name index.
pub const META_NAMES: &[u8] = b"names";

/// The largest party snapshot [`decode_parties`] accepts.
const MAX_PARTIES_BYTES: usize = 256 << 20;

/// The `parties` snapshot of `parties`.
///
/// # Errors
/// [`CodecError::Encode`] if bincode refuses the value (not expected for parties).
pub fn encode_parties(parties: &[&Party]) -> Result<Vec<u8>, CodecError> {
    bincode::serde::encode_to_vec(parties, bincode::config::legacy())
        .map_err(|e| CodecError::Encode(e.to_string()))
}

/// Reads a `parties` snapshot; `None` when it is not one.
pub fn decode_parties(bytes: &[u8]) -> Option<Vec<Party>> {
    let config = bincode::config::legacy().with_limit::<MAX_PARTIES_BYTES>();
    match bincode::serde::decode_from_slice::<Vec<Party>, _>(bytes, config) {
        Ok((parties, used)) if used == bytes.len() => Some(parties),
        _ => None,
    }
}

/// The `names` value: every lower-case id, name and alias with the parties it names, in
/// key order, searchable without decoding it: `u32 count`, then `count` BE `u32` offsets
/// of the entries (from the end of the offsets), then the entries: `u16 key length ||
/// key || u16 id count || (u8 length || party id)*`.
///
/// # Errors
/// [`CodecError::Encode`] for a key longer than 65 535 bytes or more than 65 535 parties
/// under one key (neither is expected: names and ids are short).
pub fn encode_names<'a>(
    names: impl Iterator<Item = (&'a str, &'a [PartyId])>,
) -> Result<Vec<u8>, CodecError> {
    let too_big = |what: &str| CodecError::Encode(format!("party name index: {what}"));
    let mut offsets = Vec::new();
    let mut entries = Vec::new();
    for (key, ids) in names {
        offsets.push(u32::try_from(entries.len()).map_err(|_| too_big("too large"))?);
        let len = u16::try_from(key.len()).map_err(|_| too_big("a name is too long"))?;
        entries.extend_from_slice(&len.to_be_bytes());
        entries.extend_from_slice(key.as_bytes());
        let n = u16::try_from(ids.len()).map_err(|_| too_big("too many parties"))?;
        entries.extend_from_slice(&n.to_be_bytes());
        for id in ids {
            // INVARIANT: party ids are at most PartyId::MAX_LEN (64) bytes.
            entries.push(id.as_str().len() as u8);
            entries.extend_from_slice(id.as_str().as_bytes());
        }
    }
    let count = u32::try_from(offsets.len()).map_err(|_| too_big("too many names"))?;
    let mut out = Vec::with_capacity(4 + 4 * offsets.len() + entries.len());
    out.extend_from_slice(&count.to_be_bytes());
    for o in offsets {
        out.extend_from_slice(&o.to_be_bytes());
    }
    out.extend_from_slice(&entries);
    Ok(out)
}

/// The parties a `names` value lists under `key` (lower case), by binary search: empty
/// when none; `None` when the bytes are not such a value.
pub fn lookup_name(bytes: &[u8], key: &str) -> Option<Vec<PartyId>> {
    let (count, rest) = bytes.split_first_chunk::<4>()?;
    let count = usize::try_from(u32::from_be_bytes(*count)).ok()?;
    let (offsets, entries) = rest.split_at_checked(count.checked_mul(4)?)?;
    let entry = |i: usize| -> Option<&[u8]> {
        let at = offsets.get(4 * i..4 * i + 4)?;
        let at = usize::try_from(u32::from_be_bytes(at.try_into().ok()?)).ok()?;
        entries.get(at..)
    };
    fn key_of(e: &[u8]) -> Option<(&[u8], &[u8])> {
        let (len, rest) = e.split_first_chunk::<2>()?;
        rest.split_at_checked(usize::from(u16::from_be_bytes(*len)))
    }
    let (mut lo, mut hi) = (0, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (k, rest) = key_of(entry(mid)?)?;
        match k.cmp(key.as_bytes()) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => {
                let (n, mut rest) = rest.split_first_chunk::<2>()?;
                let mut ids = Vec::with_capacity(usize::from(u16::from_be_bytes(*n)));
                for _ in 0..u16::from_be_bytes(*n) {
                    let (&len, after) = rest.split_first()?;
                    let (id, after) = after.split_at_checked(usize::from(len))?;
                    ids.push(PartyId::new(std::str::from_utf8(id).ok()?).ok()?);
                    rest = after;
                }
                return Some(ids);
            }
        }
    }
    Some(Vec::new())
}

/// Tag of a pair entry for an event that belongs to or refers into the pair.
pub const TAG_MEMBER: u8 = 0;
/// Tag of a pair entry for an event that supersedes one of the pair's events.
pub const TAG_SUPERSEDES: u8 = 1;

/// `ids` key of an event.
pub fn event_key(id: &EventId) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.as_str().len());
    k.push(b'e');
    k.extend_from_slice(id.as_str().as_bytes());
    k
}

/// `ids` key of a party.
pub fn party_key(id: &PartyId) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.as_str().len());
    k.push(b'p');
    k.extend_from_slice(id.as_str().as_bytes());
    k
}

/// The `ids` value of an event: `seq (BE u64) || u32 count || (u8 len || party id)*`
/// for its parties, then `u32 count || (u8 len || a || u8 len || b)*` for the extra
/// relationships it is listed under (those of the events it refers to).
pub fn event_value(seq: Seq, parties: &[PartyId], extra: &[(PartyId, PartyId)]) -> Vec<u8> {
    let mut v = Vec::with_capacity(16 + 16 * (parties.len() + 2 * extra.len()));
    v.extend_from_slice(&seq.key());
    let put = |v: &mut Vec<u8>, p: &PartyId| {
        // INVARIANT: party ids are at most PartyId::MAX_LEN (64) bytes.
        v.push(p.as_str().len() as u8);
        v.extend_from_slice(p.as_str().as_bytes());
    };
    v.extend_from_slice(&(parties.len() as u32).to_be_bytes());
    for p in parties {
        put(&mut v, p);
    }
    v.extend_from_slice(&(extra.len() as u32).to_be_bytes());
    for (a, b) in extra {
        put(&mut v, a);
        put(&mut v, b);
    }
    v
}

/// What [`event_value`] wrote: the seq, the parties and the extra relationships;
/// `None` when the bytes are not such a value.
pub fn decode_event_value(v: &[u8]) -> Option<EventValue> {
    fn count(v: &mut &[u8]) -> Option<usize> {
        let (n, rest) = v.split_first_chunk::<4>()?;
        *v = rest;
        usize::try_from(u32::from_be_bytes(*n)).ok()
    }
    fn party(v: &mut &[u8]) -> Option<PartyId> {
        let (&len, rest) = v.split_first()?;
        let (id, rest) = rest.split_at_checked(usize::from(len))?;
        *v = rest;
        PartyId::new(std::str::from_utf8(id).ok()?).ok()
    }
    let (seq, mut rest) = v.split_first_chunk::<8>()?;
    let seq = Seq::new(u64::from_be_bytes(*seq));
    let n = count(&mut rest)?;
    let parties = (0..n)
        .map(|_| party(&mut rest))
        .collect::<Option<Vec<_>>>()?;
    let n = count(&mut rest)?;
    let extra = (0..n)
        .map(|_| Some((party(&mut rest)?, party(&mut rest)?)))
        .collect::<Option<Vec<_>>>()?;
    rest.is_empty().then_some(EventValue {
        seq,
        parties,
        extra,
    })
}

/// A decoded `ids` value of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventValue {
    /// Where the event is recorded.
    pub seq: Seq,
    /// Its parties.
    pub parties: Vec<PartyId>,
    /// Relationships it is listed under beyond the pairs of its parties.
    pub extra: Vec<(PartyId, PartyId)>,
}

/// Prefix of every `ids` key of parties.
pub const PARTY_PREFIX: &[u8] = b"p";

/// What the Bloom filters of the `ids` runs hash: the whole key (lookups are exact).
pub fn ids_probe(key: &[u8]) -> &[u8] {
    key
}

/// What the Bloom filters of the `pairs` runs hash: the relationship of a pair key
/// (`a || 0x00 || b || 0x00`), the party of a directory key (`0xff || a || 0x00`), the
/// grantor and segment of a grant key (`0xfe || grantor || 0x00 || segment || 0x00`) or
/// the target of a referrer key (`0xfd || target || 0x00`), the prefixes readers scan.
/// Party ids, event ids and scopes never contain 0x00.
pub fn pairs_probe(key: &[u8]) -> &[u8] {
    let zeros = if matches!(key.first(), Some(&(0xff | 0xfd))) {
        1
    } else {
        2
    };
    let end = key
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == 0)
        .nth(zeros - 1)
        .map_or(key.len(), |(i, _)| i + 1);
    &key[..end]
}

/// Sortable bytes of a day.
pub fn day_bytes(day: Day) -> [u8; 4] {
    ((day.days() as u32) ^ 0x8000_0000).to_be_bytes()
}

/// The prefix of every `pairs` key of the pair `(a, b)`, `a < b`.
pub fn pair_prefix(a: &PartyId, b: &PartyId) -> Vec<u8> {
    let mut k = Vec::with_capacity(a.as_str().len() + b.as_str().len() + 2);
    k.extend_from_slice(a.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(b.as_str().as_bytes());
    k.push(0);
    k
}

/// The prefix of the pair `(a, b)` with one tag.
pub fn pair_tag_prefix(a: &PartyId, b: &PartyId, tag: u8) -> Vec<u8> {
    let mut k = pair_prefix(a, b);
    k.push(tag);
    k
}

/// A full `pairs` key.
pub fn pair_key(a: &PartyId, b: &PartyId, tag: u8, day: Day, seq: Seq) -> Vec<u8> {
    let mut k = pair_tag_prefix(a, b, tag);
    k.extend_from_slice(&day_bytes(day));
    k.extend_from_slice(&seq.key());
    k
}

/// The seq at the end of a `pairs` key.
pub fn seq_of_pair_key(key: &[u8]) -> Option<Seq> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(Seq::new(u64::from_be_bytes(tail)))
}

/// The two parties at the start of a `pairs` key.
#[cfg(test)]
fn parties_of_pair_key(key: &[u8]) -> Option<(PartyId, PartyId)> {
    let mut parts = key.splitn(3, |b| *b == 0);
    let a = std::str::from_utf8(parts.next()?).ok()?;
    let b = std::str::from_utf8(parts.next()?).ok()?;
    Some((PartyId::new(a).ok()?, PartyId::new(b).ok()?))
}

/// The smallest byte string greater than every string starting with `prefix`.
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Key of the partner directory in `pairs`: `0xff || a || 0x00 || b`, meaning "a has
/// events with b". Written once per ordered pair; `0xff` never starts a party id.
pub fn directory_key(a: &PartyId, b: &PartyId) -> Vec<u8> {
    let mut k = directory_prefix(a);
    k.extend_from_slice(b.as_str().as_bytes());
    k
}

/// Prefix of every directory key of `a`.
pub fn directory_prefix(a: &PartyId) -> Vec<u8> {
    let mut k = Vec::with_capacity(a.as_str().len() + 2);
    k.push(0xff);
    k.extend_from_slice(a.as_str().as_bytes());
    k.push(0);
    k
}

/// The partner named by a directory key.
pub fn other_of_directory_key(prefix: &[u8], key: &[u8]) -> Option<PartyId> {
    let rest = key.strip_prefix(prefix)?;
    PartyId::new(std::str::from_utf8(rest).ok()?).ok()
}

/// Key of the grants directory in `pairs` (see the module docs).
pub fn grant_key(
    grantor: &PartyId,
    scope: &Scope,
    exclusive: bool,
    holder: &PartyId,
    seq: Seq,
) -> Vec<u8> {
    let mut k = grant_prefix(grantor, scope.first_segment());
    k.push(u8::from(exclusive));
    k.extend_from_slice(holder.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(&seq.key());
    k
}

/// Prefix of every grant key of `grantor` within the first scope segment `segment`.
pub fn grant_prefix(grantor: &PartyId, segment: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(grantor.as_str().len() + segment.len() + 3);
    k.push(0xfe);
    k.extend_from_slice(grantor.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(segment.as_bytes());
    k.push(0);
    k
}

/// What a grant key under `prefix` records: whether the term is exclusive, its holder
/// and the agreement's seq.
pub fn of_grant_key(prefix: &[u8], key: &[u8]) -> Option<(bool, PartyId, Seq)> {
    let (&exclusive, rest) = key.strip_prefix(prefix)?.split_first()?;
    let (holder, seq) = rest.split_at_checked(rest.len().checked_sub(9)?)?;
    let (&zero, seq) = seq.split_first()?;
    let holder = PartyId::new(std::str::from_utf8(holder).ok()?).ok()?;
    let seq = Seq::new(u64::from_be_bytes(seq.try_into().ok()?));
    (zero == 0).then_some((exclusive == 1, holder, seq))
}

/// How one event refers to another, in a referrer key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// `supersedes`: replaces it.
    Supersedes = 1,
    /// `ends`: ends one of its terms.
    Ends = 2,
    /// `pays`: pays one of its tranches.
    Pays = 3,
    /// `resolves`: closes the legal matter it opened.
    Resolves = 4,
    /// `about`: a statement about it.
    About = 5,
    /// `concerns`: a claim naming one of its terms.
    Concerns = 6,
}

impl Field {
    /// Every field, in byte order.
    pub const ALL: [Field; 6] = [
        Field::Supersedes,
        Field::Ends,
        Field::Pays,
        Field::Resolves,
        Field::About,
        Field::Concerns,
    ];

    /// The name [`Event::references`](crate::model::Event::references) gives the field.
    pub fn name(self) -> &'static str {
        match self {
            Field::Supersedes => "supersedes",
            Field::Ends => "ends",
            Field::Pays => "pays",
            Field::Resolves => "resolves",
            Field::About => "about",
            Field::Concerns => "concerns",
        }
    }

    /// The field of [`Event::references`](crate::model::Event::references)' name.
    pub fn of_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    fn of_byte(b: u8) -> Option<Field> {
        Field::ALL.into_iter().find(|f| *f as u8 == b)
    }
}

/// Key of a referrer entry in `pairs` (see the module docs).
pub fn referrer_key(target: &EventId, field: Field, seq: Seq) -> Vec<u8> {
    let mut k = referrer_prefix(target);
    k.push(field as u8);
    k.extend_from_slice(&seq.key());
    k
}

/// Prefix of every referrer key of `target`.
pub fn referrer_prefix(target: &EventId) -> Vec<u8> {
    let mut k = Vec::with_capacity(target.as_str().len() + 2);
    k.push(0xfd);
    k.extend_from_slice(target.as_str().as_bytes());
    k.push(0);
    k
}

/// The field and referring seq of a referrer key under `prefix`.
pub fn of_referrer_key(prefix: &[u8], key: &[u8]) -> Option<(Field, Seq)> {
    let rest = key.strip_prefix(prefix)?;
    let (&field, seq) = rest.split_first()?;
    let seq: [u8; 8] = seq.try_into().ok()?;
    Some((Field::of_byte(field)?, Seq::new(u64::from_be_bytes(seq))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_bytes_sort_like_days() {
        let days = [-800_000, -1, 0, 1, 20_000, 2_900_000];
        for w in days.windows(2) {
            assert!(day_bytes(Day::from_days(w[0])) < day_bytes(Day::from_days(w[1])));
        }
    }

    #[test]
    fn pair_keys_round_trip_and_group_by_pair() {
        let a = PartyId::new("amazon").unwrap();
        let b = PartyId::new("openai").unwrap();
        let key = pair_key(&a, &b, TAG_MEMBER, Day::from_days(5), Seq::new(42));
        assert!(key.starts_with(&pair_prefix(&a, &b)));
        assert_eq!(seq_of_pair_key(&key), Some(Seq::new(42)));
        assert_eq!(parties_of_pair_key(&key), Some((a.clone(), b.clone())));
        // "amazon\0openai" never shares a prefix with "amazon\0openai-foundation".
        let c = PartyId::new("openai-foundation").unwrap();
        assert!(
            !pair_key(&a, &c, 0, Day::from_days(0), Seq::new(0)).starts_with(&pair_prefix(&a, &b))
        );
    }

    #[test]
    fn probes_are_the_prefixes_readers_scan() {
        let a = PartyId::new("amazon").unwrap();
        let b = PartyId::new("openai").unwrap();
        // Day and seq bytes may hold zeros; the probe stops at the relationship.
        let key = pair_key(&a, &b, TAG_SUPERSEDES, Day::from_days(0), Seq::new(0));
        assert_eq!(pairs_probe(&key), pair_prefix(&a, &b));
        assert_eq!(
            pairs_probe(&pair_tag_prefix(&a, &b, 0)),
            pair_prefix(&a, &b)
        );
        assert_eq!(pairs_probe(&directory_key(&a, &b)), directory_prefix(&a));
        assert_eq!(pairs_probe(&directory_prefix(&a)), directory_prefix(&a));
        let scope = Scope::new("cloud.api").unwrap();
        for exclusive in [false, true] {
            let key = grant_key(&a, &scope, exclusive, &b, Seq::new(0));
            assert_eq!(pairs_probe(&key), grant_prefix(&a, "cloud"));
        }
        let x = EventId::new("x").unwrap();
        let key = referrer_key(&x, Field::Ends, Seq::new(0));
        assert_eq!(pairs_probe(&key), referrer_prefix(&x));
        assert_eq!(pairs_probe(&key), b"\xfdx\x00");
        assert_eq!(ids_probe(&event_key(&EventId::new("x").unwrap())), b"ex");
    }

    #[test]
    fn grant_keys_name_their_holder_and_agreement_and_group_by_grantor_and_first_segment() {
        let g = PartyId::new("openai").unwrap();
        let h = PartyId::new("amazon").unwrap();
        let deep = Scope::new("cloud.distribution.frontier").unwrap();
        // A seq whose bytes hold zeros and 0xff.
        let seq = Seq::new(0x00ff_0000_0100);
        let key = grant_key(&g, &deep, true, &h, seq);
        let prefix = grant_prefix(&g, "cloud");
        assert!(key.starts_with(&prefix));
        assert_eq!(of_grant_key(&prefix, &key), Some((true, h.clone(), seq)));
        let plain = grant_key(&g, &Scope::new("cloud").unwrap(), false, &h, Seq::new(3));
        assert_eq!(of_grant_key(&prefix, &plain), Some((false, h.clone(), Seq::new(3))));
        // `clouds` is another segment, not a longer `cloud`.
        let other = grant_key(&g, &Scope::new("clouds.api").unwrap(), true, &h, seq);
        assert!(!other.starts_with(&prefix));
        assert_eq!(of_grant_key(&prefix, &prefix), None);
        for cut in prefix.len()..key.len() {
            assert_eq!(of_grant_key(&prefix, &key[..cut]), None, "cut at {cut}");
        }
    }

    #[test]
    fn referrer_keys_name_the_field_and_the_referrer_and_sort_by_target() {
        let t = EventId::new("msft-2019").unwrap();
        let prefix = referrer_prefix(&t);
        for field in Field::ALL {
            let key = referrer_key(&t, field, Seq::new(9));
            assert_eq!(of_referrer_key(&prefix, &key), Some((field, Seq::new(9))));
            assert_eq!(of_referrer_key(&prefix, &key[..key.len() - 1]), None);
            assert_eq!(Field::of_name(field.name()), Some(field));
        }
        assert_eq!(Field::of_name("reports"), None);
        // `msft-2019` never shares a prefix with `msft-2019-b`.
        let longer = EventId::new("msft-2019-b").unwrap();
        assert!(!referrer_key(&longer, Field::Ends, Seq::new(1)).starts_with(&prefix));
        let mut bad = referrer_key(&t, Field::Ends, Seq::new(1));
        bad[prefix.len()] = 0;
        assert_eq!(of_referrer_key(&prefix, &bad), None);
    }

    #[test]
    fn event_values_round_trip_and_refuse_noise() {
        let p = |s: &str| PartyId::new(s).unwrap();
        let parties = vec![p("openai"), p("microsoft")];
        let extra = vec![(p("amazon"), p("openai"))];
        let v = event_value(Seq::new(7), &parties, &extra);
        let want = EventValue {
            seq: Seq::new(7),
            parties,
            extra,
        };
        assert_eq!(decode_event_value(&v), Some(want));
        for cut in 0..v.len() {
            assert_eq!(decode_event_value(&v[..cut]), None, "cut at {cut}");
        }
        let mut longer = v.clone();
        longer.push(0);
        assert_eq!(decode_event_value(&longer), None);
    }

    #[test]
    fn prefix_end_is_the_next_string() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 255]), Some(vec![2]));
        assert_eq!(prefix_end(&[255]), None);
    }

    #[test]
    fn the_name_index_is_found_by_binary_search_and_damage_is_none() {
        let id = |s: &str| PartyId::new(s).unwrap();
        let names: Vec<(String, Vec<PartyId>)> = vec![
            ("acme".into(), vec![id("acme")]),
            ("acme corp".into(), vec![id("acme")]),
            ("shared".into(), vec![id("acme"), id("zeta")]),
            ("zeta".into(), vec![id("zeta")]),
            ("ωmega".into(), vec![id("zeta")]),
        ];
        let bytes = encode_names(names.iter().map(|(k, v)| (k.as_str(), v.as_slice()))).unwrap();
        for (k, v) in &names {
            assert_eq!(lookup_name(&bytes, k).as_ref(), Some(v), "{k}");
        }
        for absent in ["", "a", "acme co", "zz", "zeta2"] {
            assert_eq!(lookup_name(&bytes, absent), Some(vec![]), "{absent}");
        }
        let empty = encode_names(std::iter::empty()).unwrap();
        assert_eq!(lookup_name(&empty, "acme"), Some(vec![]));
        assert_eq!(lookup_name(&bytes[..bytes.len() - 3], "ωmega"), None);
        assert_eq!(lookup_name(&bytes[..2], "acme"), None);
        let mut bad_offset = bytes.clone();
        bad_offset[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(lookup_name(&bad_offset, "acme"), None);
    }
}
