//! Tile paths and hash tiles, against the `tlog_tiles` crate (a port of Go's
//! `golang.org/x/mod/sumdb/tlog`, whose `tile/8/L/N` paths are C2SP's `tile/L/N`).

use super::*;
use crate::merkle::{Hash, MemoryTiles, append_leaves, leaf_hash};
use proptest::prelude::*;
use tlog_tiles::{HashReader, Tile};

/// The `tlog_tiles` spelling of a C2SP path: height 8 after `tile/`, `data` for entries.
fn go_path(path: &str) -> String {
    let rest = path.strip_prefix("tile/").unwrap();
    match rest.strip_prefix("entries/") {
        Some(n) => format!("tile/8/data/{n}"),
        None => format!("tile/8/{rest}"),
    }
}

fn go_tile(path: &TilePath) -> Tile {
    Tile::new(
        8,
        path.level(),
        path.index(),
        u32::from(path.width()),
        path.kind() == TileKind::Entries,
    )
}

proptest! {
    #[test]
    fn paths_are_spelled_as_tlog_tiles_spells_them(
        level in 0u8..=7,
        index in prop_oneof![0u64..3000, 0u64..=(u64::MAX >> 16)],
        width in 1u16..=256,
        entries in any::<bool>(),
    ) {
        let made = if entries { TilePath::entries(index, width) } else { TilePath::hashes(level, index, width) };
        let Ok(path) = made else {
            // Only tiles beyond every tree are refused.
            let level = if entries { 0 } else { level };
            let row = u128::from(u64::MAX >> (8 * u32::from(level)));
            prop_assert!(u128::from(index) * 256 + u128::from(width) - 1 > row);
            return Ok(());
        };
        let text = path.to_string();
        prop_assert_eq!(go_path(&text), go_tile(&path).path());
        prop_assert_eq!(TilePath::parse(&text).unwrap(), path);
        let go = Tile::from_path(&go_path(&text)).unwrap();
        prop_assert_eq!((go.level_index(), go.width()), (index, u32::from(width)));
    }
}

#[test]
fn hostile_paths_are_refused() {
    let bad = [
        "",
        "tile",
        "tile/",
        "tile/0",
        "tile/0/",
        "/tile/0/000",
        "tile/0/000/",
        "tile//000",
        "tile/0//000",
        "tile/0/../000",
        "tile/0/./000",
        "tile/../0/000",
        "tile/00/000",
        "tile/01/000",
        "tile/-1/000",
        "tile/+1/000",
        "tile/8/000",
        "tile/63/000",
        "tile/256/000",
        "tile/0/0",
        "tile/0/00",
        "tile/0/0000",
        "tile/0/x000/000",
        "tile/0/x1/000",
        "tile/0/001/000",
        "tile/0/x001",
        "tile/0/x001/x002",
        "tile/0/00a",
        "tile/0/ 01",
        "tile/0/000.p",
        "tile/0/000.p/",
        "tile/0/000.p/0",
        "tile/0/000.p/00",
        "tile/0/000.p/01",
        "tile/0/000.p/256",
        "tile/0/000.p/300",
        "tile/0/000.p/1/",
        "tile/0/000.p/1/1",
        "tile/0/000.q/1",
        "tile/0/x001.p/1",
        "tile/0/x001.p/1/002",
        "tile/entries",
        "tile/entries/",
        "tile/entries/0",
        "tile/entries/x000/001",
        "tile/entries/000.p/0",
        "tile/Entries/000",
        "tile/data/000",
        "tile/8/0/000",
        "checkpoint",
        "tile/0/000\0",
        "tile/0/\u{0660}\u{0660}\u{0660}",
        // 2^64 / 256 is the first level-0 index no tree has; past u64 overflows.
        "tile/0/x072/x057/x594/x037/x927/936",
        "tile/0/x999/x999/x999/x999/x999/x999/999",
        "tile/1/x000/x281/x474/x976/x710/656",
        "tile/7/001",
    ];
    for path in bad {
        assert!(
            matches!(TilePath::parse(path), Err(TlogError::BadPath { .. })),
            "{path:?} was accepted: {:?}",
            TilePath::parse(path)
        );
    }
    let long = format!("tile/0/{}000", "x001/".repeat(100));
    assert!(TilePath::parse(&long).is_err());
    // The largest ones still parse.
    for good in [
        "tile/0/x072/x057/x594/x037/x927/935",
        "tile/7/000",
        "tile/entries/x072/x057/x594/x037/x927/935.p/255",
        "tile/1/x281/x474/x976/x710/655",
    ] {
        let path = TilePath::parse(good).unwrap();
        assert_eq!(path.to_string(), good);
    }
}

#[test]
fn new_tiles_are_those_tlog_tiles_publishes() {
    let sizes = [
        0, 1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 70_000, 16_777_216, 16_777_217,
    ];
    for (i, &old) in sizes.iter().enumerate() {
        for &new in &sizes[i..] {
            let ours = new_tiles(old, new);
            let (hashes, entries): (Vec<&TilePath>, Vec<&TilePath>) = ours
                .iter()
                .partition(|p| matches!(p.kind(), TileKind::Hashes { .. }));
            let go: Vec<String> = Tile::new_tiles(8, old, new)
                .iter()
                .map(Tile::path)
                .collect();
            let mine: Vec<String> = hashes.iter().map(|p| go_path(&p.to_string())).collect();
            assert_eq!(mine, go, "{old} -> {new}");
            // Bundles are the level-0 tiles, as bundles.
            let level0: Vec<_> = hashes.iter().filter(|p| p.level() == 0).collect();
            assert_eq!(entries.len(), level0.len(), "{old} -> {new}");
            for (e, h) in entries.iter().zip(level0) {
                assert_eq!((e.index(), e.width()), (h.index(), h.width()));
            }
        }
    }
}

#[test]
fn the_tiles_of_70000_leaves_are_those_the_spec_lists() {
    let mut paths: Vec<String> = new_tiles(0, 70_000)
        .into_iter()
        .filter(|p| p.kind() != TileKind::Entries)
        .map(|p| p.to_string())
        .collect();
    assert_eq!(paths.len(), 273 + 1 + 1 + 1 + 1);
    paths.retain(|p| p.contains(".p/") || p.starts_with("tile/1/"));
    assert_eq!(
        paths,
        [
            "tile/0/273.p/112",
            "tile/1/000",
            "tile/1/001.p/17",
            "tile/2/000.p/1"
        ]
    );
}

/// Go's tlog storage: every stored hash of a tree, by stored-hash index.
struct GoStore(Vec<tlog_tiles::Hash>);

impl HashReader for GoStore {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                self.0
                    .get(i as usize)
                    .copied()
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

fn leaf_data(i: u64) -> [u8; 8] {
    i.to_be_bytes()
}

#[test]
fn hash_tiles_are_the_tiles_tlog_tiles_reads_from_its_own_hashes() {
    let n: u64 = 70_000;
    let mut go = GoStore(Vec::new());
    for i in 0..n {
        let stored = tlog_tiles::stored_hashes(i, &leaf_data(i), &go).unwrap();
        go.0.extend(stored);
    }
    let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&leaf_data(i))).collect();
    let mut tiles = MemoryTiles::new();
    tiles.apply(append_leaves(&tiles, 0, &leaves).unwrap());

    // Every tile of several sizes, including partial tiles of earlier sizes, read from
    // the tiles of the largest tree.
    for size in [1, 255, 256, 257, 4_000, 65_535, 65_536, 65_537, 70_000] {
        for path in new_tiles(0, size)
            .into_iter()
            .filter(|p| p.kind() != TileKind::Entries)
        {
            let ours = hash_tile(&tiles, size, &path).unwrap().unwrap();
            let theirs = go_tile(&path).read_data(&go).unwrap();
            assert_eq!(ours, theirs, "{path} at size {size}");
        }
    }
    // A tile the tree of that size does not hold yet.
    for (size, path) in [
        (255, "tile/0/000"),
        (3, "tile/0/000.p/4"),
        (65_535, "tile/1/000"),
        (256, "tile/0/001.p/1"),
        (70_000, "tile/2/000.p/2"),
        (70_000, "tile/3/000.p/1"),
    ] {
        let path = TilePath::parse(path).unwrap();
        assert_eq!(
            hash_tile(&tiles, size, &path).unwrap(),
            None,
            "{path} at {size}"
        );
    }
}
