//! The one error type of the Merkle layer: what failed, with the sizes, indexes, hashes or
//! tile keys needed to tell a caller's mistake from a tampered proof or a damaged store.

use super::hash::Hash;
use super::tile::TileKey;

/// Everything that can go wrong when building, reading, proving or verifying the tree.
///
/// Verification failures (`ProofTooShort`, `ProofTooLong`, `RootMismatch`,
/// `OldRootMismatch`) mean "this proof does not show what it claims"; argument errors
/// (`IndexOutOfRange`, `SizesInverted`, `EmptyTree`, `EmptyOldTree`) mean the question
/// itself is malformed; tile errors mean the store cannot answer it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MerkleError {
    /// A leaf index at or past the end of the tree.
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The size of the tree it was asked of.
        size: u64,
    },
    /// An inclusion proof was asked of, or checked against, the empty tree.
    #[error("the tree is empty (size 0): no leaf can be included in it")]
    EmptyTree,
    /// A consistency proof from the empty tree: it would prove nothing, so it is refused.
    #[error(
        "a consistency proof from the empty tree (old size 0) to size {new_size} is meaningless"
    )]
    EmptyOldTree {
        /// The size of the newer tree.
        new_size: u64,
    },
    /// A consistency question whose old tree is larger than its new tree.
    #[error("old size {old_size} is larger than new size {new_size}")]
    SizesInverted {
        /// The size of the tree claimed to be older.
        old_size: u64,
        /// The size of the tree claimed to be newer.
        new_size: u64,
    },
    /// A proof with fewer hashes than the tree shape requires.
    #[error("proof has {got} hashes, but this index and size need {want}")]
    ProofTooShort {
        /// Hashes in the proof.
        got: usize,
        /// Hashes the tree shape requires.
        want: usize,
    },
    /// A proof with more hashes than the tree shape requires (trailing or inserted hashes).
    #[error("proof has {got} hashes, but this index and size need only {want}")]
    ProofTooLong {
        /// Hashes in the proof.
        got: usize,
        /// Hashes the tree shape requires.
        want: usize,
    },
    /// The root a proof leads to is not the root it was checked against (for a consistency
    /// proof: the newer root).
    #[error("proof leads to root {computed}, not the expected root {expected}")]
    RootMismatch {
        /// The trusted root the proof was checked against.
        expected: Hash,
        /// The root the proof and leaf (or old root) lead to.
        computed: Hash,
    },
    /// A consistency proof does not lead back to the older root.
    #[error("consistency proof leads to old root {computed}, not the expected old root {expected}")]
    OldRootMismatch {
        /// The trusted older root.
        expected: Hash,
        /// The older root the proof leads to.
        computed: Hash,
    },
    /// A complete subtree that does not fit in a tree of the given size.
    #[error(
        "subtree at level {level}, index {index} is not a complete subtree of a tree of size {size}"
    )]
    SubtreeOutOfRange {
        /// Height of the subtree (0 = a leaf).
        level: u8,
        /// Index of the subtree among those of its level.
        index: u64,
        /// Size of the tree.
        size: u64,
    },
    /// Appending would take the tree past `u64::MAX` leaves.
    #[error("appending {added} leaves to a tree of size {old_size} overflows the tree size")]
    SizeOverflow {
        /// Size before the append.
        old_size: u64,
        /// Leaves being appended.
        added: usize,
    },
    /// A tile the tree of the requested size must have is not stored.
    #[error("{key} is missing from the store")]
    TileMissing {
        /// The absent tile.
        key: TileKey,
    },
    /// A stored tile whose length is not 1 to 256 whole hashes.
    #[error("{key} is malformed: {len} bytes is not 1 to 256 hashes of 32 bytes")]
    TileMalformed {
        /// The damaged tile.
        key: TileKey,
        /// Its length in bytes.
        len: usize,
    },
    /// A stored tile holds fewer hashes than the requested tree size needs: the tiles lag the
    /// tree size asked about.
    #[error("{key} holds {have} hashes, but the requested tree size needs {need}")]
    TileTooShort {
        /// The short tile.
        key: TileKey,
        /// Hashes it holds.
        have: u64,
        /// Hashes needed.
        need: u64,
    },
    /// The tile store failed to read a tile.
    #[error("reading {key} failed")]
    TileRead {
        /// The tile being read.
        key: TileKey,
        /// The store's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// Tile key bytes that are not 9 bytes long.
    #[error("a tile key is 9 bytes, got {len}")]
    TileKeyLength {
        /// Length of the bytes given.
        len: usize,
    },
    /// A tile key naming a tile no tree of at most `u64::MAX` leaves has.
    #[error("tile key level {level}, index {index} is out of range")]
    TileKeyOutOfRange {
        /// Tile level (tree level / 8).
        level: u8,
        /// Tile index.
        index: u64,
    },
    /// A hash given as text that is not standard base64.
    #[error("a hash must be standard base64: {reason}")]
    InvalidBase64 {
        /// What the decoder objected to.
        reason: String,
    },
    /// A hash of the wrong length.
    #[error("a hash is 32 bytes, got {len}")]
    HashLength {
        /// Length of the bytes given.
        len: usize,
    },
}
