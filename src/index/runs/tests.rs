use super::*;
use crate::store::MemoryStore;
use std::collections::BTreeMap;

/// The whole key: how `ids` probes.
fn whole(k: &[u8]) -> &[u8] {
    k
}

/// Up to the first 0x00: a relationship-like prefix, as `pairs` probes.
fn group(k: &[u8]) -> &[u8] {
    match k.iter().position(|b| *b == 0) {
        Some(i) => &k[..=i],
        None => k,
    }
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn key(g: u64, n: u64) -> Vec<u8> {
    let mut k = format!("g{g:03}").into_bytes();
    k.push(0);
    k.extend_from_slice(&n.to_be_bytes());
    k
}

/// Adds `batches` random runs to `runs` and to the model.
fn fill(
    store: &MemoryStore,
    runs: &mut Runs,
    model: &mut BTreeMap<Vec<u8>, Vec<u8>>,
    rng: &mut Rng,
    batches: u64,
    hi: &mut u64,
) {
    for _ in 0..batches {
        let mut entries = Vec::new();
        for _ in 0..rng.below(300) + 1 {
            // Few groups and keys, so that keys repeat across runs and within a run.
            let k = key(rng.below(40), rng.below(400));
            let v = rng.next().to_be_bytes()[..(rng.below(9) as usize)].to_vec();
            entries.push((k.clone(), v.clone()));
            model.insert(k, v);
        }
        *hi += 1;
        runs.add(store, entries, *hi).unwrap();
    }
}

fn check(store: &MemoryStore, runs: &Runs, model: &BTreeMap<Vec<u8>, Vec<u8>>, rng: &mut Rng) {
    for _ in 0..200 {
        let k = key(rng.below(45), rng.below(420));
        assert_eq!(
            runs.get(store, &k).unwrap(),
            model.get(&k).cloned(),
            "get {k:?}"
        );
    }
    for g in 0..45 {
        let start = key(g, 0);
        let mut end = start.clone();
        let cut = rng.below(450);
        end[5..].copy_from_slice(&cut.to_be_bytes());
        let got = runs
            .range(store, &start, Some(&end), Some(group(&start)))
            .unwrap();
        let want: Vec<_> = model
            .range(start.clone()..end.clone())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(got, want, "range of group {g} to {cut}");
    }
    let all = runs.range(store, b"", None, None).unwrap();
    assert_eq!(all, model.clone().into_iter().collect::<Vec<_>>());
}

#[test]
fn runs_answer_like_a_map_through_merges_and_reopens() {
    let store = MemoryStore::new();
    let mut runs = Runs::new(Tree::Pairs, group);
    let mut model = BTreeMap::new();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut hi = 0;
    for round in 0..6 {
        fill(&store, &mut runs, &mut model, &mut rng, 23 + round, &mut hi);
        check(&store, &runs, &model, &mut rng);
        // What is on disk answers the same after a reopen.
        runs = Runs::load(&store, Tree::Pairs, group).unwrap();
        check(&store, &runs, &model, &mut rng);
    }
    // 153 batches: levels 0..=2 merged at least once; at most FANOUT - 1 runs per level.
    assert!(hi > (FANOUT * FANOUT) as u64);
    let mut per_level = BTreeMap::new();
    for r in &runs.runs {
        *per_level.entry(r.level).or_insert(0) += 1;
    }
    assert!(per_level.keys().any(|l| *l >= 2), "{per_level:?}");
    assert!(per_level.values().all(|n| *n < FANOUT), "{per_level:?}");
    // Merged inputs leave nothing behind: every chunk key belongs to a live run.
    let live: Vec<u64> = runs.runs.iter().map(|r| r.id).collect();
    for item in store.range(Tree::Pairs, &[CHUNK_TAG], None) {
        let (k, _) = item.unwrap();
        assert!(
            live.contains(&id_of_key(k.as_ref()).unwrap()),
            "orphan chunk {k:?}"
        );
    }
}

#[test]
fn the_last_write_of_a_key_wins_within_and_across_runs() {
    let store = MemoryStore::new();
    let mut runs = Runs::new(Tree::Ids, whole);
    runs.add(
        &store,
        vec![
            (b"a".to_vec(), b"1".to_vec()),
            (b"a".to_vec(), b"2".to_vec()),
        ],
        1,
    )
    .unwrap();
    assert_eq!(runs.get(&store, b"a").unwrap(), Some(b"2".to_vec()));
    for i in 0..(FANOUT * 3) as u64 {
        let v = format!("v{i}").into_bytes();
        runs.add(&store, vec![(b"a".to_vec(), v.clone())], i + 2)
            .unwrap();
        assert_eq!(runs.get(&store, b"a").unwrap(), Some(v.clone()));
        let reopened = Runs::load(&store, Tree::Ids, whole).unwrap();
        assert_eq!(reopened.get(&store, b"a").unwrap(), Some(v));
    }
    assert_eq!(runs.get(&store, b"b").unwrap(), None);
}

#[test]
fn big_runs_span_many_chunks_and_probes_skip_other_runs() {
    let store = MemoryStore::new();
    let mut runs = Runs::new(Tree::Pairs, group);
    let entries: Vec<_> = (0..5000u64).map(|n| (key(1, n), vec![7; 3])).collect();
    runs.add(&store, entries, 1).unwrap();
    runs.add(&store, vec![(key(2, 0), vec![])], 2).unwrap();
    assert!(runs.runs.iter().any(|r| r.firsts.len() > 3));
    let got = runs
        .range(
            &store,
            &key(1, 1000),
            Some(&key(1, 4000)),
            Some(group(&key(1, 0))),
        )
        .unwrap();
    assert_eq!(got.len(), 3000);
    assert_eq!(got[0].0, key(1, 1000));
    // A probe the big run never saw: its chunks are not read, so removing them is
    // not noticed (with this one-run-per-group data the filter cannot err).
    let big = runs
        .runs
        .iter()
        .find(|r| r.entries == 5000)
        .unwrap()
        .clone();
    for c in 0..big.firsts.len() {
        store
            .apply(
                Tree::Pairs,
                vec![Op::Delete(chunk_key(big.id, chunk_no(c)))],
            )
            .unwrap();
    }
    let got = runs
        .range(
            &store,
            &key(2, 0),
            Some(&key(2, 9)),
            Some(group(&key(2, 0))),
        )
        .unwrap();
    assert_eq!(got, vec![(key(2, 0), vec![])]);
    // Without a probe the missing chunks are damage, named.
    let err = runs.range(&store, b"", None, None).unwrap_err().to_string();
    assert!(
        err.contains(&format!("chunk 0 of run {}: it is missing", big.id)),
        "{err}"
    );
}

#[test]
fn chunks_an_interrupted_writer_left_are_swept_and_their_ids_not_reused() {
    let store = MemoryStore::new();
    let mut runs = Runs::new(Tree::Ids, whole);
    runs.add(&store, vec![(b"a".to_vec(), b"1".to_vec())], 1)
        .unwrap();
    // A merge cut short: chunks of run 7 and no header.
    store
        .apply(
            Tree::Ids,
            vec![
                Op::Put(chunk_key(7, 0), b"\x01b\x01X".to_vec()),
                Op::Put(chunk_key(3, 0), b"\x01c\x01Y".to_vec()),
            ],
        )
        .unwrap();
    let mut runs = Runs::load(&store, Tree::Ids, whole).unwrap();
    assert_eq!(runs.next_id, 8);
    assert_eq!(runs.get(&store, b"b").unwrap(), None, "no header, no run");
    runs.add(&store, vec![(b"d".to_vec(), b"2".to_vec())], 2)
        .unwrap();
    let chunk_ids: Vec<u64> = store
        .range(Tree::Ids, &[CHUNK_TAG], None)
        .map(|e| id_of_key(e.unwrap().0.as_ref()).unwrap())
        .collect();
    assert_eq!(chunk_ids, vec![0, 8]);
    assert_eq!(runs.get(&store, b"a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(runs.get(&store, b"d").unwrap(), Some(b"2".to_vec()));
}

#[test]
fn damaged_headers_and_chunks_are_named() {
    let store = MemoryStore::new();
    let mut runs = Runs::new(Tree::Ids, whole);
    runs.add(&store, vec![(b"a".to_vec(), b"1".to_vec())], 1)
        .unwrap();
    store
        .apply(Tree::Ids, vec![Op::Put(chunk_key(0, 0), vec![0x05, b'a'])])
        .unwrap();
    let err = runs.get(&store, b"a").unwrap_err().to_string();
    assert_eq!(
        err,
        "the `ids` index is damaged: chunk 0 of run 0: an entry runs past the end"
    );
    store
        .apply(
            Tree::Ids,
            vec![Op::Put(header_key(0), vec![HEADER_VERSION])],
        )
        .unwrap();
    let err = Runs::load(&store, Tree::Ids, whole)
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        err,
        "the `ids` index is damaged: the header of run 0 does not parse"
    );
}

#[test]
fn headers_round_trip_and_reject_noise() {
    let mut bloom = Bloom::with_keys(3);
    bloom.insert(BloomHash::of(b"x"));
    let run = Run {
        id: 9,
        level: 2,
        hi: 1 << 40,
        entries: 12,
        distinct: 3,
        firsts: vec![b"a".to_vec(), b"b\x00".to_vec()],
        bloom,
    };
    let bytes = encode_header(&run);
    assert_eq!(decode_header(9, &bytes), Some(run));
    for cut in 0..bytes.len() {
        assert_eq!(decode_header(9, &bytes[..cut]), None, "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(decode_header(9, &longer), None);
}

#[test]
fn varints_round_trip_and_refuse_overlong_input() {
    for n in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
        let mut out = Vec::new();
        put_varint(&mut out, n);
        let mut s = out.as_slice();
        assert_eq!(get_varint(&mut s), Some(n));
        assert!(s.is_empty());
    }
    let mut s: &[u8] = &[0xff; 11];
    assert_eq!(get_varint(&mut s), None);
}

#[test]
fn the_bloom_filter_never_forgets_and_rarely_lies() {
    let mut bloom = Bloom::with_keys(1000);
    for i in 0..1000u32 {
        bloom.insert(BloomHash::of(&i.to_be_bytes()));
    }
    assert!((0..1000u32).all(|i| bloom.may_contain(BloomHash::of(&i.to_be_bytes()))));
    let false_hits = (1000..101_000u32)
        .filter(|i| bloom.may_contain(BloomHash::of(&i.to_be_bytes())))
        .count();
    // 10 bits and 7 hashes per key: about 0.8% in theory.
    assert!(false_hits < 2000, "{false_hits} false hits in 100 000");
}
