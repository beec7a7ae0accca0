//! Inclusion and consistency proofs: generated from stored tiles by the recursive
//! definitions of RFC 6962 section 2.1.1 and 2.1.2, and verified, with nothing but the
//! trusted root, by the iterative algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2.
//! The two are written independently so that each checks the other in tests.

use serde::{Deserialize, Serialize};

use super::error::MerkleError;
use super::hash::{Hash, node_hash, split_point};
use super::tile::{TileReader, TreeView};

/// Proof that the leaf at `index` is in the tree of `size` leaves: the sibling hashes on the
/// path from the leaf to the root, lowest first (RFC 6962 section 2.1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// Index of the leaf.
    pub index: u64,
    /// Size of the tree.
    pub size: u64,
    /// The audit path, lowest first.
    pub hashes: Vec<Hash>,
}

/// Proof that the tree of `old_size` leaves is a prefix of the tree of `new_size` leaves
/// (RFC 6962 section 2.1.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// Size of the older tree.
    pub old_size: u64,
    /// Size of the newer tree.
    pub new_size: u64,
    /// The consistency path, lowest first; empty when the sizes are equal.
    pub hashes: Vec<Hash>,
}

/// The nodes, as leaf ranges `[start, end)`, whose hashes form the audit path of `index`
/// in a tree of `size` leaves, lowest first: RFC 6962 `PATH(m, D[n])` unrolled.
/// Needs `index < size`.
fn inclusion_nodes(index: u64, size: u64) -> Vec<(u64, u64)> {
    let (mut start, mut end) = (0, size);
    let mut nodes = Vec::new();
    while end - start > 1 {
        let k = split_point(end - start);
        if index < start + k {
            nodes.push((start + k, end));
            end = start + k;
        } else {
            nodes.push((start, start + k));
            start += k;
        }
    }
    nodes.reverse();
    nodes
}

/// The nodes, as leaf ranges, whose hashes form the consistency proof from `old` to `new`
/// leaves, lowest first: RFC 6962 `SUBPROOF(m, D[n], true)` unrolled.
/// Needs `0 < old <= new`; gives no nodes otherwise.
fn consistency_nodes(old: u64, new: u64) -> Vec<(u64, u64)> {
    if old == 0 || old > new {
        return Vec::new();
    }
    let (mut start, mut end, mut m) = (0, new, old);
    // RFC 6962's `b`: whether the current subtree's left edge is the old tree's whole
    // prefix, whose root the verifier already has.
    let mut old_root_known = true;
    let mut nodes = Vec::new();
    // Each pass shrinks `end - start` while keeping 1 <= m <= end - start; it ends when
    // m == end - start.
    while m < end - start {
        let k = split_point(end - start);
        if m <= k {
            nodes.push((start + k, end));
            end = start + k;
        } else {
            nodes.push((start, start + k));
            m -= k;
            start += k;
            old_root_known = false;
        }
    }
    if !old_root_known {
        nodes.push((start, end));
    }
    nodes.reverse();
    nodes
}

/// The inclusion proof of the leaf at `index` in the tree of `size` leaves, from stored
/// tiles: O(log n) hashes from at most two tiles per tile level.
///
/// # Errors
///
/// [`MerkleError::EmptyTree`] for size 0, [`MerkleError::IndexOutOfRange`] for
/// `index >= size`; tile errors if the store does not cover `size` leaves.
///
/// ```
/// use pactlog::merkle::{MemoryTiles, append_leaves, inclusion_proof, leaf_hash, tree_root};
/// let leaves: Vec<_> = (0u32..300).map(|i| leaf_hash(&i.to_be_bytes())).collect();
/// let mut tiles = MemoryTiles::new();
/// tiles.apply(append_leaves(&tiles, 0, &leaves)?);
/// let proof = inclusion_proof(&tiles, 42, 300)?;
/// let root = tree_root(&tiles, 300)?;
/// root.verify_inclusion(&leaves[42], 42, 300, &proof.hashes)?;
/// # Ok::<(), pactlog::merkle::MerkleError>(())
/// ```
pub fn inclusion_proof(
    reader: &(impl TileReader + ?Sized),
    index: u64,
    size: u64,
) -> Result<InclusionProof, MerkleError> {
    if size == 0 {
        return Err(MerkleError::EmptyTree);
    }
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let mut view = TreeView::new(reader, size);
    let hashes = inclusion_nodes(index, size)
        .into_iter()
        .map(|(start, end)| view.range(start, end))
        .collect::<Result<_, _>>()?;
    Ok(InclusionProof {
        index,
        size,
        hashes,
    })
}

/// The consistency proof from the tree of `old_size` leaves to the tree of `new_size`
/// leaves, from stored tiles. Equal sizes give an empty proof.
///
/// # Errors
///
/// [`MerkleError::SizesInverted`] if `old_size > new_size`, [`MerkleError::EmptyOldTree`]
/// if `old_size` is 0; tile errors if the store does not cover `new_size` leaves.
///
/// ```
/// use pactlog::merkle::{MemoryTiles, append_leaves, consistency_proof, leaf_hash, tree_root};
/// let leaves: Vec<_> = (0u32..300).map(|i| leaf_hash(&i.to_be_bytes())).collect();
/// let mut tiles = MemoryTiles::new();
/// tiles.apply(append_leaves(&tiles, 0, &leaves)?);
/// let proof = consistency_proof(&tiles, 100, 300)?;
/// let (old, new) = (tree_root(&tiles, 100)?, tree_root(&tiles, 300)?);
/// new.verify_consistency(300, &old, 100, &proof.hashes)?;
/// # Ok::<(), pactlog::merkle::MerkleError>(())
/// ```
pub fn consistency_proof(
    reader: &(impl TileReader + ?Sized),
    old_size: u64,
    new_size: u64,
) -> Result<ConsistencyProof, MerkleError> {
    check_sizes(old_size, new_size)?;
    let mut view = TreeView::new(reader, new_size);
    let hashes = consistency_nodes(old_size, new_size)
        .into_iter()
        .map(|(start, end)| view.range(start, end))
        .collect::<Result<_, _>>()?;
    Ok(ConsistencyProof {
        old_size,
        new_size,
        hashes,
    })
}

/// Rejects consistency questions that have no meaningful answer.
fn check_sizes(old_size: u64, new_size: u64) -> Result<(), MerkleError> {
    if old_size > new_size {
        return Err(MerkleError::SizesInverted { old_size, new_size });
    }
    if old_size == 0 {
        return Err(MerkleError::EmptyOldTree { new_size });
    }
    Ok(())
}

/// Rejects a proof whose length is not the one the tree shape dictates.
fn check_len(got: usize, want: usize) -> Result<(), MerkleError> {
    match got.cmp(&want) {
        std::cmp::Ordering::Less => Err(MerkleError::ProofTooShort { got, want }),
        std::cmp::Ordering::Greater => Err(MerkleError::ProofTooLong { got, want }),
        std::cmp::Ordering::Equal => Ok(()),
    }
}

/// Shifts `first` and `second` right together while `first`'s lowest bit is `bit` (and
/// `first` is not yet 0): the RFC 9162 step that skips levels where a node has no sibling.
fn shift_while_lsb(first: &mut u64, second: &mut u64, bit: u64) {
    while *first & 1 == bit && *first != 0 {
        *first >>= 1;
        *second >>= 1;
    }
}

impl Hash {
    /// Verifies, treating `self` as the trusted root of a tree of `size` leaves, that `leaf`
    /// (a leaf hash, see `leaf_hash`: SHA-256 of 0x00 and the bytes) is at `index`, given its audit
    /// path `proof` (RFC 9162 section 2.1.3.2).
    ///
    /// The proof binds `index` and `size` through the shape of the path only: a root is
    /// meaningful together with the size it was signed for, so take both from a checkpoint.
    ///
    /// # Errors
    ///
    /// [`MerkleError::EmptyTree`], [`MerkleError::IndexOutOfRange`] for impossible
    /// arguments; [`MerkleError::ProofTooShort`] or [`MerkleError::ProofTooLong`] for a
    /// proof of the wrong length; [`MerkleError::RootMismatch`] if the proof does not lead
    /// from `leaf` to `self`.
    ///
    /// ```
    /// use pactlog::merkle::{leaf_hash, node_hash};
    /// let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
    /// let root = node_hash(&a, &b);
    /// assert!(root.verify_inclusion(&b, 1, 2, &[a]).is_ok());
    /// assert!(root.verify_inclusion(&b, 0, 2, &[a]).is_err());
    /// assert!(root.verify_inclusion(&b, 1, 2, &[]).is_err());
    /// ```
    pub fn verify_inclusion(
        &self,
        leaf: &Hash,
        index: u64,
        size: u64,
        proof: &[Hash],
    ) -> Result<(), MerkleError> {
        if size == 0 {
            return Err(MerkleError::EmptyTree);
        }
        if index >= size {
            return Err(MerkleError::IndexOutOfRange { index, size });
        }
        let want = inclusion_nodes(index, size).len();
        check_len(proof.len(), want)?;

        let (mut fnode, mut snode) = (index, size - 1);
        let mut root = *leaf;
        for sibling in proof {
            if snode == 0 {
                return Err(MerkleError::ProofTooLong {
                    got: proof.len(),
                    want,
                });
            }
            if fnode & 1 == 1 || fnode == snode {
                root = node_hash(sibling, &root);
                shift_while_lsb(&mut fnode, &mut snode, 0);
            } else {
                root = node_hash(&root, sibling);
            }
            fnode >>= 1;
            snode >>= 1;
        }
        if snode != 0 {
            return Err(MerkleError::ProofTooShort {
                got: proof.len(),
                want,
            });
        }
        if root != *self {
            return Err(MerkleError::RootMismatch {
                expected: *self,
                computed: root,
            });
        }
        Ok(())
    }

    /// Verifies, treating `self` as the trusted root of a tree of `new_size` leaves, that
    /// the tree of `old_size` leaves with root `old_root` is its prefix, given the
    /// consistency path `proof` (RFC 9162 section 2.1.4.2). Equal sizes need an empty proof
    /// and equal roots; an old size of 0 is rejected, as a proof from the empty tree says
    /// nothing.
    ///
    /// # Errors
    ///
    /// [`MerkleError::SizesInverted`], [`MerkleError::EmptyOldTree`] for impossible sizes;
    /// [`MerkleError::ProofTooShort`] or [`MerkleError::ProofTooLong`] for a proof of the
    /// wrong length; [`MerkleError::OldRootMismatch`] or [`MerkleError::RootMismatch`] if
    /// the proof does not lead to `old_root` and `self`.
    ///
    /// ```
    /// use pactlog::merkle::{leaf_hash, node_hash};
    /// let (a, b, c) = (leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c"));
    /// let old = node_hash(&a, &b);
    /// let new = node_hash(&old, &c);
    /// assert!(new.verify_consistency(3, &old, 2, &[c]).is_ok());
    /// assert!(new.verify_consistency(3, &old, 2, &[]).is_err());
    /// assert!(new.verify_consistency(2, &old, 3, &[c]).is_err());
    /// ```
    pub fn verify_consistency(
        &self,
        new_size: u64,
        old_root: &Hash,
        old_size: u64,
        proof: &[Hash],
    ) -> Result<(), MerkleError> {
        check_sizes(old_size, new_size)?;
        let want = consistency_nodes(old_size, new_size).len();
        check_len(proof.len(), want)?;
        if old_size == new_size {
            if old_root != self {
                return Err(MerkleError::RootMismatch {
                    expected: *self,
                    computed: *old_root,
                });
            }
            return Ok(());
        }

        // When the old tree is a complete subtree, its root is the first node of the path
        // and the proof leaves it out.
        let (seed, rest) = if old_size.is_power_of_two() {
            (old_root, proof)
        } else {
            match proof.split_first() {
                Some((first, rest)) => (first, rest),
                None => return Err(MerkleError::ProofTooShort { got: 0, want }),
            }
        };
        let (mut fnode, mut snode) = (old_size - 1, new_size - 1);
        shift_while_lsb(&mut fnode, &mut snode, 1);
        let (mut old_computed, mut new_computed) = (*seed, *seed);
        for node in rest {
            if snode == 0 {
                return Err(MerkleError::ProofTooLong {
                    got: proof.len(),
                    want,
                });
            }
            if fnode & 1 == 1 || fnode == snode {
                old_computed = node_hash(node, &old_computed);
                new_computed = node_hash(node, &new_computed);
                shift_while_lsb(&mut fnode, &mut snode, 0);
            } else {
                new_computed = node_hash(&new_computed, node);
            }
            fnode >>= 1;
            snode >>= 1;
        }
        if snode != 0 {
            return Err(MerkleError::ProofTooShort {
                got: proof.len(),
                want,
            });
        }
        if old_computed != *old_root {
            return Err(MerkleError::OldRootMismatch {
                expected: *old_root,
                computed: old_computed,
            });
        }
        if new_computed != *self {
            return Err(MerkleError::RootMismatch {
                expected: *self,
                computed: new_computed,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
