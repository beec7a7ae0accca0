//! Property tests of the Merkle tree: trees built from tiles, appended in random batches,
//! give the reference roots and proofs that verify against them; the tiles do not depend
//! on how the leaves were batched; and any single change to a proof, root, leaf, index or
//! size is rejected (unless it leaves the tree shape, and so the whole computation,
//! unchanged); and reading through the tile cache changes no proof or root. 64 cases per
//! property unless `PROPTEST_CASES` says otherwise.

use pactlog::merkle::{
    Hash, MemoryTiles, TileCache, append_leaves, consistency_proof, inclusion_proof, leaf_hash,
    root_of, tree_root,
};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig::with_cases(cases)
}

fn leaves(n: u64, seed: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(&[seed.to_le_bytes(), i.to_le_bytes()].concat()))
        .collect()
}

/// Tiles of `leaves`, appended in batches whose sizes cycle through `batches`.
fn build(leaves: &[Hash], batches: &[usize]) -> MemoryTiles {
    let mut tiles = MemoryTiles::new();
    let mut size = 0usize;
    for batch in batches.iter().cycle() {
        if size == leaves.len() {
            break;
        }
        let end = (size + batch).min(leaves.len());
        let writes = append_leaves(&tiles, size as u64, &leaves[size..end]);
        tiles.apply(writes.unwrap_or_else(|e| panic!("append at {size}: {e}")));
        size = end;
    }
    tiles
}

fn flip(h: &Hash, bit: usize) -> Hash {
    let mut bytes = *h.as_bytes();
    bytes[(bit / 8) % 32] ^= 1 << (bit % 8);
    Hash::from_bytes(bytes)
}

/// The shape of an inclusion proof: at each split of RFC 6962 `PATH`, from the root down,
/// whether the leaf is on the left. Equal shapes mean the verifier does the same hashing.
fn inclusion_shape(index: u64, size: u64) -> Vec<bool> {
    let (mut start, mut end) = (0u64, size);
    let mut shape = Vec::new();
    while end - start > 1 {
        let k = 1u64 << (63 - (end - start - 1).leading_zeros());
        shape.push(index < start + k);
        if index < start + k {
            end = start + k;
        } else {
            start += k;
        }
    }
    shape
}

/// The shape of a consistency proof: the choices of RFC 6962 `SUBPROOF`, from the root down.
fn consistency_shape(old: u64, new: u64) -> Vec<bool> {
    let (mut start, mut end, mut m) = (0u64, new, old);
    let mut shape = Vec::new();
    while m < end - start {
        let k = 1u64 << (63 - (end - start - 1).leading_zeros());
        shape.push(m <= k);
        if m <= k {
            end = start + k;
        } else {
            m -= k;
            start += k;
        }
    }
    shape
}

/// Sizes that are small, at tile edges, or anything at all.
fn any_size() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..20, 250u64..270, any::<u64>()]
}

fn any_hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>().prop_map(Hash::from_bytes)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn tiled_proofs_verify_against_reference_roots(
        n in 1u64..3000,
        m_seed in any::<u64>(),
        batches in prop::collection::vec(1usize..700, 1..6),
        index_seeds in prop::collection::vec(any::<u64>(), 1..6),
        seed in any::<u64>(),
    ) {
        let leaves = leaves(n, seed);
        let tiles = build(&leaves, &batches);
        let m = 1 + m_seed % n;
        let root_n = root_of(&leaves);
        let root_m = root_of(&leaves[..m as usize]);
        prop_assert_eq!(tree_root(&tiles, n).ok(), Some(root_n));
        prop_assert_eq!(tree_root(&tiles, m).ok(), Some(root_m));

        for size in [m, n] {
            let root = if size == n { root_n } else { root_m };
            for &s in &index_seeds {
                let index = s % size;
                let proof = inclusion_proof(&tiles, index, size);
                let proof = proof.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!((proof.index, proof.size), (index, size));
                let verified =
                    root.verify_inclusion(&leaves[index as usize], index, size, &proof.hashes);
                prop_assert!(verified.is_ok(), "{} in {}: {:?}", index, size, verified);
            }
        }
        let proof = consistency_proof(&tiles, m, n)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!((proof.old_size, proof.new_size), (m, n));
        let verified = root_n.verify_consistency(n, &root_m, m, &proof.hashes);
        prop_assert!(verified.is_ok(), "{} -> {}: {:?}", m, n, verified);
    }

    /// The tile cache (upper and edge tiles kept with their in-tile roots) changes no
    /// proof and no root, on first reading and after, up to trees with full level-1 tiles.
    #[test]
    fn proofs_through_the_tile_cache_are_the_proofs_from_the_tiles(
        n in prop_oneof![1u64..3000, 65_000u64..70_000],
        m_seed in any::<u64>(),
        batches in prop::collection::vec(1usize..30_000, 1..4),
        index_seeds in prop::collection::vec(any::<u64>(), 1..6),
        seed in any::<u64>(),
    ) {
        let tiles = build(&leaves(n, seed), &batches);
        let m = 1 + m_seed % n;
        let cache = TileCache::new();
        for _round in 0..2 {
            let cached = cache.over(&tiles);
            for size in [m, n] {
                prop_assert_eq!(tree_root(&cached, size).ok(), tree_root(&tiles, size).ok());
                for &s in &index_seeds {
                    let index = s % size;
                    prop_assert_eq!(
                        inclusion_proof(&cached, index, size).ok(),
                        inclusion_proof(&tiles, index, size).ok()
                    );
                }
            }
            prop_assert_eq!(
                consistency_proof(&cached, m, n).ok(),
                consistency_proof(&tiles, m, n).ok()
            );
        }
    }

    #[test]
    fn batch_splits_give_byte_identical_tiles(
        n in 0u64..3000,
        batches_a in prop::collection::vec(1usize..700, 1..6),
        batches_b in prop::collection::vec(1usize..700, 1..6),
    ) {
        let leaves = leaves(n, 7);
        let a = build(&leaves, &batches_a);
        let b = build(&leaves, &batches_b);
        let whole = build(&leaves, &[leaves.len().max(1)]);
        prop_assert!(a == b, "batches {:?} and {:?} differ", batches_a, batches_b);
        prop_assert!(a == whole, "batches {:?} differ from one batch", batches_a);
    }

    #[test]
    fn tampered_inclusion_is_rejected(
        n in 1u64..2000,
        index_seed in any::<u64>(),
        bit in 0usize..256,
        at_seed in any::<usize>(),
        other_index_seed in any::<u64>(),
        other_size in 1u64..2100,
    ) {
        let leaves = leaves(n, 11);
        let tiles = build(&leaves, &[n as usize]);
        let root = root_of(&leaves);
        let index = index_seed % n;
        let leaf = leaves[index as usize];
        let proof = inclusion_proof(&tiles, index, n)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .hashes;
        prop_assert!(root.verify_inclusion(&leaf, index, n, &proof).is_ok());

        if !proof.is_empty() {
            let mut bad = proof.clone();
            let at = at_seed % bad.len();
            bad[at] = flip(&bad[at], bit);
            prop_assert!(root.verify_inclusion(&leaf, index, n, &bad).is_err());
            // A hash dropped, repeated or appended changes the length.
            prop_assert!(root.verify_inclusion(&leaf, index, n, &proof[1..]).is_err());
        }
        let mut longer = proof.clone();
        longer.push(root);
        prop_assert!(root.verify_inclusion(&leaf, index, n, &longer).is_err());
        prop_assert!(flip(&root, bit).verify_inclusion(&leaf, index, n, &proof).is_err());
        prop_assert!(root.verify_inclusion(&flip(&leaf, bit), index, n, &proof).is_err());

        // Another index of the same tree is another path.
        if n > 1 {
            let other = (index + 1 + other_index_seed % (n - 1)) % n;
            prop_assert!(root.verify_inclusion(&leaf, other, n, &proof).is_err());
        }
        // Another size is accepted only if it gives the same path shape, which makes the
        // verifier's computation identical: the proof binds the size through the root.
        if other_size != n {
            let verdict = root.verify_inclusion(&leaf, index, other_size, &proof);
            let same_shape = index < other_size
                && inclusion_shape(index, other_size) == inclusion_shape(index, n);
            prop_assert_eq!(verdict.is_ok(), same_shape, "size {} -> {}", n, other_size);
        }
    }

    #[test]
    fn tampered_consistency_is_rejected(
        n in 2u64..2000,
        m_seed in any::<u64>(),
        bit in 0usize..256,
        at_seed in any::<usize>(),
        other_old in 0u64..2100,
        other_new in 0u64..2100,
    ) {
        let leaves = leaves(n, 13);
        let tiles = build(&leaves, &[n as usize]);
        let m = 1 + m_seed % (n - 1);
        let (old_root, new_root) = (root_of(&leaves[..m as usize]), root_of(&leaves));
        let proof = consistency_proof(&tiles, m, n)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .hashes;
        prop_assert!(new_root.verify_consistency(n, &old_root, m, &proof).is_ok());
        // m < n always needs at least one hash.
        prop_assert!(!proof.is_empty());

        let mut bad = proof.clone();
        let at = at_seed % bad.len();
        bad[at] = flip(&bad[at], bit);
        prop_assert!(new_root.verify_consistency(n, &old_root, m, &bad).is_err());
        prop_assert!(new_root.verify_consistency(n, &old_root, m, &proof[1..]).is_err());
        prop_assert!(new_root.verify_consistency(n, &old_root, m, &[]).is_err());
        let mut longer = proof.clone();
        longer.push(new_root);
        prop_assert!(new_root.verify_consistency(n, &old_root, m, &longer).is_err());
        prop_assert!(flip(&new_root, bit).verify_consistency(n, &old_root, m, &proof).is_err());
        prop_assert!(new_root.verify_consistency(n, &flip(&old_root, bit), m, &proof).is_err());
        prop_assert!(old_root.verify_consistency(n, &new_root, m, &proof).is_err());

        // Other sizes are accepted only if they give the same proof shape.
        for (old, new) in [(other_old, n), (m, other_new), (other_old, other_new)] {
            if (old, new) == (m, n) {
                continue;
            }
            let verdict = new_root.verify_consistency(new, &old_root, old, &proof);
            let same_shape = 0 < old
                && old < new
                && consistency_shape(old, new) == consistency_shape(m, n);
            prop_assert_eq!(verdict.is_ok(), same_shape, "{} -> {} as {} -> {}", m, n, old, new);
        }
    }

    #[test]
    fn verifiers_reject_arbitrary_input_without_panicking(
        root in any_hash(),
        other in any_hash(),
        index in any_size(),
        size in any_size(),
        proof in prop::collection::vec(any_hash(), 0..70),
    ) {
        // Random hashes never form a valid proof; the point is that nothing panics and
        // every outcome is an error.
        prop_assert!(root.verify_inclusion(&other, index, size, &proof).is_err());
        prop_assert!(root.verify_consistency(size, &other, index, &proof).is_err());
    }
}
