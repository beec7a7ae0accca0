use super::*;
use std::collections::BTreeMap;
use crate::merkle::hash::{leaf_hash, root_of};

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

/// Tiles of `leaves` appended in batches of `batch`.
fn build(leaves: &[Hash], batch: usize) -> Result<MemoryTiles, MerkleError> {
    let mut tiles = MemoryTiles::new();
    let mut size = 0u64;
    for chunk in leaves.chunks(batch) {
        tiles.apply(append_leaves(&tiles, size, chunk)?);
        size += chunk.len() as u64;
    }
    Ok(tiles)
}

fn width(tiles: &MemoryTiles, level: u8, index: u64) -> Option<usize> {
    tiles
        .get(TileKey { level, index })
        .map(|t| t.len() / HASH_SIZE)
}

#[test]
fn tile_key_bytes_sort_by_level_then_index() -> Result<(), MerkleError> {
    let keys = [
        TileKey { level: 0, index: 0 },
        TileKey {
            level: 0,
            index: 255,
        },
        TileKey {
            level: 0,
            index: 256,
        },
        TileKey {
            level: 0,
            index: u64::MAX >> 8,
        },
        TileKey { level: 1, index: 0 },
        TileKey { level: 7, index: 0 },
    ];
    for pair in keys.windows(2) {
        assert!(pair[0] < pair[1]);
        assert!(pair[0].to_bytes() < pair[1].to_bytes());
    }
    for key in keys {
        assert_eq!(TileKey::from_bytes(&key.to_bytes())?, key);
    }
    assert_eq!(
        TileKey {
            level: 2,
            index: 0x0102
        }
        .to_bytes(),
        [2, 0, 0, 0, 0, 0, 0, 1, 2]
    );
    Ok(())
}

#[test]
fn tile_key_from_bytes_rejects_impossible_keys() {
    assert!(matches!(
        TileKey::from_bytes(&[]),
        Err(MerkleError::TileKeyLength { len: 0 })
    ));
    assert!(matches!(
        TileKey::from_bytes(&[0; 10]),
        Err(MerkleError::TileKeyLength { len: 10 })
    ));
    let mut level8 = [0u8; 9];
    level8[0] = 8;
    assert!(matches!(
        TileKey::from_bytes(&level8),
        Err(MerkleError::TileKeyOutOfRange { level: 8, .. })
    ));
    let too_far = TileKey {
        level: 0,
        index: (u64::MAX >> 8) + 1,
    };
    assert!(TileKey::from_bytes(&too_far.to_bytes()).is_err());
    assert!(TileKey::from_bytes(&TileKey { level: 7, index: 1 }.to_bytes()).is_err());
}

#[test]
fn layout_of_70000_leaves_matches_the_module_docs() -> Result<(), MerkleError> {
    let tiles = build(&leaves(70_000), 1000)?;
    for index in 0..273 {
        assert_eq!(width(&tiles, 0, index), Some(256), "tile 0/{index}");
    }
    assert_eq!(width(&tiles, 0, 273), Some(112));
    assert_eq!(width(&tiles, 0, 274), None);
    assert_eq!(width(&tiles, 1, 0), Some(256));
    assert_eq!(width(&tiles, 1, 1), Some(17));
    assert_eq!(width(&tiles, 1, 2), None);
    assert_eq!(width(&tiles, 2, 0), Some(1));
    assert_eq!(width(&tiles, 3, 0), None);
    assert_eq!(tiles.len(), 274 + 2 + 1);
    Ok(())
}

#[test]
fn tile_rows_hold_roots_of_the_row_below() -> Result<(), MerkleError> {
    let all = leaves(65_536);
    let tiles = build(&all, 4096)?;
    // Hash 3 of row 1 is the root of leaves 768..1024, which is tile 0/3.
    let row1 = tiles
        .get(TileKey { level: 1, index: 0 })
        .unwrap_or_default();
    assert_eq!(
        Hash::from_slice(&row1[3 * HASH_SIZE..4 * HASH_SIZE])?,
        root_of(&all[768..1024])
    );
    // Row 2 holds one hash: the root of the whole 2^16-leaf tree.
    let row2 = tiles
        .get(TileKey { level: 2, index: 0 })
        .unwrap_or_default();
    assert_eq!(Hash::from_slice(row2)?, root_of(&all));
    Ok(())
}

#[test]
fn roots_match_reference_at_tile_boundaries() -> Result<(), MerkleError> {
    let all = leaves(65_537 + 256);
    let tiles = build(&all, 777)?;
    let sizes = [
        0u64, 1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 511, 512, 513, 1000, 65_535, 65_536, 65_537,
        65_793,
    ];
    for size in sizes {
        assert_eq!(
            tree_root(&tiles, size)?,
            root_of(&all[..size as usize]),
            "size {size}"
        );
    }
    Ok(())
}

#[test]
fn every_size_up_to_600_has_the_reference_root() -> Result<(), MerkleError> {
    let all = leaves(600);
    let mut tiles = MemoryTiles::new();
    for size in 0..600u64 {
        assert_eq!(tree_root(&tiles, size)?, root_of(&all[..size as usize]));
        tiles.apply(append_leaves(
            &tiles,
            size,
            &all[size as usize..=size as usize],
        )?);
    }
    Ok(())
}

#[test]
fn subtree_hash_across_tile_levels() -> Result<(), MerkleError> {
    let all = leaves(65_536 + 300);
    let size = all.len() as u64;
    let tiles = build(&all, 1000)?;
    for level in 0..=16u8 {
        let count = size >> level;
        for index in [0, 1, count / 2, count - 1]
            .into_iter()
            .filter(|i| *i < count)
        {
            let start = (index << level) as usize;
            let end = ((index + 1) << level) as usize;
            assert_eq!(
                subtree_hash(&tiles, size, level, index)?,
                root_of(&all[start..end]),
                "level {level} index {index}"
            );
        }
        assert!(matches!(
            subtree_hash(&tiles, size, level, count),
            Err(MerkleError::SubtreeOutOfRange { .. })
        ));
    }
    for (level, index) in [(17, 0), (63, 0), (64, 0), (255, 0), (0, u64::MAX)] {
        assert!(matches!(
            subtree_hash(&tiles, size, level, index),
            Err(MerkleError::SubtreeOutOfRange { .. })
        ));
    }
    Ok(())
}

#[test]
fn batch_splits_give_identical_tiles() -> Result<(), MerkleError> {
    let all = leaves(3000);
    let reference = build(&all, 3000)?;
    for batch in [1, 2, 7, 255, 256, 257, 1000] {
        assert_eq!(build(&all, batch)?, reference, "batch size {batch}");
    }
    Ok(())
}

#[test]
fn append_of_nothing_writes_nothing() -> Result<(), MerkleError> {
    let tiles = build(&leaves(300), 100)?;
    assert!(append_leaves(&tiles, 300, &[])?.is_empty());
    assert!(append_leaves(&MemoryTiles::new(), 0, &[])?.is_empty());
    Ok(())
}

#[test]
fn append_writes_a_handful_of_tiles_per_batch() -> Result<(), MerkleError> {
    let all = leaves(70_000);
    let tiles = build(&all[..69_000], 1000)?;
    let writes = append_leaves(&tiles, 69_000, &all[69_000..])?;
    let keys: Vec<TileKey> = writes.iter().map(|(k, _)| *k).collect();
    // Row 0: 69000 = 269*256 + 136, 70000 = 273*256 + 112: tiles 269..=273.
    // Row 1 grows from 269 to 273 hashes, all in tile 1/1. Row 2 keeps its one hash.
    let expected: Vec<TileKey> = (269..=273)
        .map(|index| TileKey { level: 0, index })
        .chain([TileKey { level: 1, index: 1 }])
        .collect();
    assert_eq!(keys, expected);
    Ok(())
}

#[test]
fn replaying_an_append_over_newer_tiles_is_idempotent() -> Result<(), MerkleError> {
    // A crash after the tiles of a batch were written but before its size was recorded:
    // the store appends the batch again from the recorded size.
    let all = leaves(1500);
    let straight = build(&all, 1500)?;
    let mut replayed = build(&all, 1500)?;
    replayed.apply(append_leaves(&replayed, 1000, &all[1000..])?);
    assert_eq!(replayed, straight);
    Ok(())
}

#[test]
fn older_sizes_are_answered_from_newer_tiles() -> Result<(), MerkleError> {
    let all = leaves(1300);
    let tiles = build(&all, 1300)?;
    for size in [1u64, 100, 256, 700, 1299] {
        assert_eq!(tree_root(&tiles, size)?, root_of(&all[..size as usize]));
    }
    Ok(())
}

#[test]
fn leaf_count_stored_finds_the_size() -> Result<(), MerkleError> {
    for size in [0u64, 1, 255, 256, 257, 512, 4097, 70_000] {
        let tiles = build(&leaves(size), 1000)?;
        assert_eq!(leaf_count_stored(&tiles)?, size);
    }
    Ok(())
}

#[test]
fn reading_past_the_stored_tree_fails_with_the_tile() -> Result<(), MerkleError> {
    let tiles = build(&leaves(300), 300)?;
    assert!(matches!(
        tree_root(&tiles, 301),
        Err(MerkleError::TileTooShort {
            key: TileKey { level: 0, index: 1 },
            have: 44,
            need: 45,
        })
    ));
    assert!(matches!(
        tree_root(&tiles, 600),
        Err(MerkleError::TileTooShort {
            key: TileKey { level: 1, index: 0 },
            have: 1,
            need: 2,
        })
    ));
    assert!(matches!(
        subtree_hash(&tiles, 600, 0, 599),
        Err(MerkleError::TileMissing {
            key: TileKey { level: 0, index: 2 }
        })
    ));
    // Appending from a size the tiles do not reach cannot silently invent hashes.
    assert!(matches!(
        append_leaves(&tiles, 310, &leaves(1)),
        Err(MerkleError::TileTooShort { .. })
    ));
    Ok(())
}

#[test]
fn malformed_tiles_are_reported_with_their_key() -> Result<(), MerkleError> {
    let mut tiles = build(&leaves(300), 300)?;
    let key = TileKey { level: 0, index: 1 };
    for bad in [Vec::new(), vec![0u8; 33], vec![0u8; TILE_BYTES + HASH_SIZE]] {
        let len = bad.len();
        tiles.apply(vec![(key, bad)]);
        match tree_root(&tiles, 300) {
            Err(MerkleError::TileMalformed { key: k, len: l }) => {
                assert_eq!((k, l), (key, len));
            }
            other => panic!("expected TileMalformed, got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn read_errors_propagate() {
    struct Broken;
    impl TileReader for Broken {
        fn read_tile(&self, key: TileKey) -> Result<Option<Vec<u8>>, MerkleError> {
            Err(MerkleError::TileRead {
                key,
                source: "disk on fire".into(),
            })
        }
    }
    assert!(matches!(
        tree_root(&Broken, 5),
        Err(MerkleError::TileRead { .. })
    ));
    assert!(matches!(
        append_leaves(&Broken, 5, &leaves(1)),
        Err(MerkleError::TileRead { .. })
    ));
    // An empty tree needs no read, and neither does an append at a tile boundary.
    assert!(tree_root(&Broken, 0).is_ok());
    assert!(append_leaves(&Broken, 0, &leaves(3)).is_ok());
}

#[test]
fn appending_past_u64_max_is_refused() {
    assert!(matches!(
        append_leaves(&MemoryTiles::new(), u64::MAX, &leaves(1)),
        Err(MerkleError::SizeOverflow { .. })
    ));
}

#[test]
fn complete_root_rejects_non_power_of_two_counts() {
    let bytes = vec![0u8; 3 * HASH_SIZE];
    assert!(complete_root(&bytes).is_none());
    assert!(complete_root(&[]).is_none());
    assert!(complete_root(&bytes[..31]).is_none());
    assert!(complete_root(&vec![0u8; 512 * HASH_SIZE]).is_none());
}

#[test]
fn trait_objects_are_readers() -> Result<(), MerkleError> {
    let all = leaves(300);
    let tiles = build(&all, 300)?;
    let reader: &dyn TileReader = &tiles;
    assert_eq!(tree_root(reader, 300)?, root_of(&all));
    assert_eq!(subtree_hash(reader, 300, 8, 0)?, root_of(&all[..256]));
    Ok(())
}

/// A reader that counts what it is asked for.
struct Counted<'a> {
    tiles: &'a MemoryTiles,
    reads: std::cell::RefCell<BTreeMap<TileKey, usize>>,
}

impl TileReader for Counted<'_> {
    fn read_tile(&self, key: TileKey) -> Result<Option<Vec<u8>>, MerkleError> {
        *self.reads.borrow_mut().entry(key).or_default() += 1;
        self.tiles.read_tile(key)
    }
}

#[test]
fn the_cache_keeps_upper_and_partial_tiles_and_leaves_full_level_0_tiles_to_the_store()
-> Result<(), MerkleError> {
    // Level 0: tiles 0..=2 full, tile 3 partial; level 1: tile 0 with 3 hashes.
    let size = 3 * TILE_WIDTH + 10;
    let all = leaves(size);
    let tiles = build(&all, 100)?;
    let counted = Counted {
        tiles: &tiles,
        reads: Default::default(),
    };
    let cache = TileCache::new();
    let cached = cache.over(&counted);
    for _ in 0..3 {
        for i in [5, TILE_WIDTH + 7, size - 1] {
            let proof = crate::merkle::inclusion_proof(&cached, i, size)?;
            let direct = crate::merkle::inclusion_proof(&tiles, i, size)?;
            assert_eq!(proof, direct);
            let old = i + 1;
            let proof = crate::merkle::consistency_proof(&cached, old, size)?;
            let direct = crate::merkle::consistency_proof(&tiles, old, size)?;
            assert_eq!(proof, direct);
        }
        assert_eq!(tree_root(&cached, size)?, root_of(&all));
    }
    let reads = counted.reads.borrow();
    let upper = TileKey { level: 1, index: 0 };
    let edge = TileKey { level: 0, index: 3 };
    assert_eq!(reads[&upper], 1, "upper tile read once: {reads:?}");
    assert_eq!(reads[&edge], 1, "partial tile read once: {reads:?}");
    // Under leaf 5: read by that leaf's two proofs in each of the three rounds.
    assert_eq!(
        reads[&TileKey { level: 0, index: 0 }],
        6,
        "full level-0 tile each time"
    );
    assert_eq!(cache.len(), 2);
    Ok(())
}

#[test]
fn a_cleared_cache_reads_the_tiles_again_and_a_full_one_starts_over() -> Result<(), MerkleError> {
    let all = leaves(TILE_WIDTH + 3);
    let before = build(&all[..TILE_WIDTH as usize + 1], 50)?;
    let after = build(&all, 50)?;
    let edge = TileKey { level: 0, index: 1 };
    let mut cache = TileCache::new();
    assert_eq!(
        cache.over(&before).read_tile(edge)?.map(|t| t.len()),
        Some(HASH_SIZE)
    );
    // Still the old edge: the cache trusts that nothing wrote tiles behind it.
    assert_eq!(
        cache.over(&after).read_tile(edge)?.map(|t| t.len()),
        Some(HASH_SIZE)
    );
    cache.clear();
    assert!(cache.is_empty());
    assert_eq!(
        cache.over(&after).read_tile(edge)?.map(|t| t.len()),
        Some(3 * HASH_SIZE)
    );

    // Every upper tile is kept, up to the capacity.
    let mut many = MemoryTiles::new();
    let count = TileCache::CAPACITY as u64 + 10;
    many.apply(
        (0..count)
            .map(|index| (TileKey { level: 1, index }, vec![7; HASH_SIZE]))
            .collect(),
    );
    let reader = cache.over(&many);
    for index in 0..count {
        assert!(reader.read_tile(TileKey { level: 1, index })?.is_some());
        assert!(cache.len() <= TileCache::CAPACITY);
    }
    assert!(!cache.is_empty());
    Ok(())
}

#[test]
fn the_cache_answers_in_tile_roots_of_the_tiles_it_holds_and_only_those() -> Result<(), MerkleError>
{
    // Level 1 holds 300 hashes over two tiles: 1/0 full (not kept: level 0 is not the
    // question here, level 1 is), 1/1 with 44; level 0 ends in a partial tile.
    let size = 300 * TILE_WIDTH + 5;
    let tiles = build(&leaves(size), 4096)?;
    let cache = TileCache::new();
    let cached = cache.over(&tiles);
    let upper = TileKey { level: 1, index: 0 };
    let edge = TileKey { level: 1, index: 1 };
    let full_leaves = TileKey { level: 0, index: 3 };
    assert_eq!(cached.known_root(upper, 1, 0), None, "nothing held yet");
    for key in [upper, edge, full_leaves] {
        assert!(cached.read_tile(key)?.is_some());
    }
    assert_eq!(
        cached.known_root(full_leaves, 1, 0),
        None,
        "a full level-0 tile is not kept"
    );
    for (key, width) in [(upper, 256u64), (edge, 44)] {
        let bytes = tiles.get(key).expect("stored").to_vec();
        for height in 1..=8u8 {
            let group = 1u64 << height;
            for first in (0..TILE_WIDTH).step_by(group as usize) {
                let want = (first + group <= width).then(|| {
                    let range = first as usize * HASH_SIZE..(first + group) as usize * HASH_SIZE;
                    complete_root(&bytes[range]).expect("a power of two")
                });
                assert_eq!(
                    cached.known_root(key, height, first),
                    want,
                    "{key} {height} {first}"
                );
            }
        }
    }
    Ok(())
}
