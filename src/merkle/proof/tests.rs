use super::*;
use crate::merkle::hash::{leaf_hash, root_of};
use crate::merkle::tile::{MemoryTiles, append_leaves};

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_le_bytes())).collect()
}

fn build(leaves: &[Hash]) -> Result<MemoryTiles, MerkleError> {
    let mut tiles = MemoryTiles::new();
    tiles.apply(append_leaves(&tiles, 0, leaves)?);
    Ok(tiles)
}

/// RFC 6962 section 2.1.1 `PATH(m, D[n])`, literally, over a slice.
fn reference_path(m: usize, d: &[Hash]) -> Vec<Hash> {
    if d.len() <= 1 {
        return Vec::new();
    }
    let k = split_point(d.len() as u64) as usize;
    if m < k {
        let mut p = reference_path(m, &d[..k]);
        p.push(root_of(&d[k..]));
        p
    } else {
        let mut p = reference_path(m - k, &d[k..]);
        p.push(root_of(&d[..k]));
        p
    }
}

/// RFC 6962 section 2.1.2 `SUBPROOF(m, D[n], b)`, literally, over a slice.
fn reference_subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    if m == d.len() {
        return if b { Vec::new() } else { vec![root_of(d)] };
    }
    let k = split_point(d.len() as u64) as usize;
    if m <= k {
        let mut p = reference_subproof(m, &d[..k], b);
        p.push(root_of(&d[k..]));
        p
    } else {
        let mut p = reference_subproof(m - k, &d[k..], false);
        p.push(root_of(&d[..k]));
        p
    }
}

#[test]
fn inclusion_proofs_match_rfc_path_for_small_trees() -> Result<(), MerkleError> {
    let all = leaves(70);
    let tiles = build(&all)?;
    for size in 1..=all.len() {
        let d = &all[..size];
        let root = root_of(d);
        for index in 0..size {
            let proof = inclusion_proof(&tiles, index as u64, size as u64)?;
            assert_eq!(proof.hashes, reference_path(index, d), "{index} in {size}");
            root.verify_inclusion(&d[index], index as u64, size as u64, &proof.hashes)?;
        }
    }
    Ok(())
}

#[test]
fn consistency_proofs_match_rfc_subproof_for_small_trees() -> Result<(), MerkleError> {
    let all = leaves(40);
    let tiles = build(&all)?;
    for new in 1..=all.len() {
        let new_root = root_of(&all[..new]);
        for old in 1..=new {
            let proof = consistency_proof(&tiles, old as u64, new as u64)?;
            let want = reference_subproof(old, &all[..new], true);
            assert_eq!(proof.hashes, want, "{old} -> {new}");
            let old_root = root_of(&all[..old]);
            new_root.verify_consistency(new as u64, &old_root, old as u64, &proof.hashes)?;
        }
    }
    Ok(())
}

#[test]
fn proofs_around_tile_boundaries() -> Result<(), MerkleError> {
    let all = leaves(65_536 + 257);
    let tiles = build(&all)?;
    let sizes = [
        255u64, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537, 65_793,
    ];
    for &size in &sizes {
        let d = &all[..size as usize];
        let root = root_of(d);
        for index in [0, 1, 254, 255, 256, size / 2, size - 2, size - 1] {
            if index >= size {
                continue;
            }
            let proof = inclusion_proof(&tiles, index, size)?;
            root.verify_inclusion(&d[index as usize], index, size, &proof.hashes)?;
        }
        for &old in &sizes {
            if old > size {
                continue;
            }
            let proof = consistency_proof(&tiles, old, size)?;
            let old_root = root_of(&all[..old as usize]);
            root.verify_consistency(size, &old_root, old, &proof.hashes)?;
        }
    }
    // Spot-check generated paths against the literal RFC recursion on a big tree.
    let d = &all[..65_537];
    for index in [0usize, 255, 256, 65_535, 65_536] {
        let proof = inclusion_proof(&tiles, index as u64, 65_537)?;
        assert_eq!(proof.hashes, reference_path(index, d), "index {index}");
    }
    Ok(())
}

#[test]
fn size_one_and_powers_of_two() -> Result<(), MerkleError> {
    let all = leaves(1024);
    let tiles = build(&all)?;
    let one = inclusion_proof(&tiles, 0, 1)?;
    assert!(one.hashes.is_empty());
    all[0].verify_inclusion(&all[0], 0, 1, &[])?;
    assert!(matches!(
        all[1].verify_inclusion(&all[0], 0, 1, &[]),
        Err(MerkleError::RootMismatch { .. })
    ));
    for log in 0..=10u32 {
        let size = 1u64 << log;
        let proof = inclusion_proof(&tiles, size - 1, size)?;
        assert_eq!(proof.hashes.len(), log as usize);
        // From a power of two the old root is implied, not sent.
        if size < 1024 {
            let c = consistency_proof(&tiles, size, 1024)?;
            assert_eq!(c.hashes.len(), (10 - log) as usize);
        }
    }
    Ok(())
}

#[test]
fn equal_sizes_give_an_empty_consistency_proof() -> Result<(), MerkleError> {
    let all = leaves(10);
    let tiles = build(&all)?;
    let proof = consistency_proof(&tiles, 7, 7)?;
    assert!(proof.hashes.is_empty());
    let root = root_of(&all[..7]);
    root.verify_consistency(7, &root, 7, &[])?;
    assert!(matches!(
        root.verify_consistency(7, &root, 7, &[root]),
        Err(MerkleError::ProofTooLong { got: 1, want: 0 })
    ));
    assert!(matches!(
        root.verify_consistency(7, &all[0], 7, &[]),
        Err(MerkleError::RootMismatch { .. })
    ));
    Ok(())
}

#[test]
fn impossible_questions_are_errors() -> Result<(), MerkleError> {
    let tiles = build(&leaves(10))?;
    assert!(matches!(
        inclusion_proof(&tiles, 0, 0),
        Err(MerkleError::EmptyTree)
    ));
    assert!(matches!(
        inclusion_proof(&tiles, 10, 10),
        Err(MerkleError::IndexOutOfRange {
            index: 10,
            size: 10
        })
    ));
    assert!(matches!(
        consistency_proof(&tiles, 5, 4),
        Err(MerkleError::SizesInverted {
            old_size: 5,
            new_size: 4
        })
    ));
    assert!(matches!(
        consistency_proof(&tiles, 0, 4),
        Err(MerkleError::EmptyOldTree { new_size: 4 })
    ));
    assert!(matches!(
        consistency_proof(&tiles, 0, 0),
        Err(MerkleError::EmptyOldTree { new_size: 0 })
    ));
    assert!(matches!(
        inclusion_proof(&tiles, 3, 11),
        Err(MerkleError::TileTooShort { .. })
    ));
    assert!(matches!(
        consistency_proof(&tiles, 3, 300),
        Err(MerkleError::TileMissing { .. } | MerkleError::TileTooShort { .. })
    ));
    Ok(())
}

#[test]
fn verifiers_reject_malformed_arguments_without_panicking() {
    let h = leaf_hash(b"x");
    let junk: Vec<Hash> = (0u8..70).map(|i| leaf_hash(&[i])).collect();
    let cases = [
        (0, 0),
        (0, 1),
        (5, 5),
        (u64::MAX, u64::MAX),
        (u64::MAX - 1, u64::MAX),
    ];
    for (index, size) in cases {
        for len in [0, 1, 63, 64, 65, 70] {
            let result = h.verify_inclusion(&h, index, size, &junk[..len]);
            if size == 1 && len == 0 {
                assert!(result.is_ok());
            } else {
                assert!(result.is_err(), "{index}/{size} with {len} hashes");
            }
        }
    }
    let sizes = [
        (0, 0),
        (0, 1),
        (1, 0),
        (3, 2),
        (1, u64::MAX),
        (u64::MAX - 1, u64::MAX),
    ];
    for (old, new) in sizes {
        for len in [0, 1, 63, 64, 65, 70] {
            let result = h.verify_consistency(new, &h, old, &junk[..len]);
            assert!(result.is_err(), "{old} -> {new} with {len} hashes");
        }
    }
    assert!(matches!(
        h.verify_consistency(1, &h, 0, &[]),
        Err(MerkleError::EmptyOldTree { new_size: 1 })
    ));
    assert!(matches!(
        h.verify_consistency(1, &h, 2, &[]),
        Err(MerkleError::SizesInverted { .. })
    ));
}

#[test]
fn verifiers_report_short_and_long_proofs() -> Result<(), MerkleError> {
    let all = leaves(13);
    let tiles = build(&all)?;
    let root = root_of(&all);
    let mut proof = inclusion_proof(&tiles, 6, 13)?.hashes;
    let want = proof.len();
    proof.push(root);
    assert!(matches!(
        root.verify_inclusion(&all[6], 6, 13, &proof),
        Err(MerkleError::ProofTooLong { got, want: w }) if got == want + 1 && w == want
    ));
    proof.truncate(want - 1);
    assert!(matches!(
        root.verify_inclusion(&all[6], 6, 13, &proof),
        Err(MerkleError::ProofTooShort { .. })
    ));
    let old_root = root_of(&all[..5]);
    let mut proof = consistency_proof(&tiles, 5, 13)?.hashes;
    proof.insert(0, old_root);
    assert!(matches!(
        root.verify_consistency(13, &old_root, 5, &proof),
        Err(MerkleError::ProofTooLong { .. })
    ));
    proof.remove(0);
    proof[0] = root;
    assert!(matches!(
        root.verify_consistency(13, &old_root, 5, &proof),
        Err(MerkleError::OldRootMismatch { .. })
    ));
    Ok(())
}

#[test]
fn proofs_serialize_as_base64_json() -> Result<(), serde_json::Error> {
    let proof = InclusionProof {
        index: 1,
        size: 2,
        hashes: vec![leaf_hash(b"")],
    };
    let json = serde_json::to_string(&proof)?;
    assert_eq!(
        json,
        r#"{"index":1,"size":2,"hashes":["bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="]}"#
    );
    assert_eq!(serde_json::from_str::<InclusionProof>(&json)?, proof);
    let consistency = ConsistencyProof {
        old_size: 1,
        new_size: 2,
        hashes: vec![],
    };
    let json = serde_json::to_string(&consistency)?;
    assert_eq!(
        serde_json::from_str::<ConsistencyProof>(&json)?,
        consistency
    );
    Ok(())
}
