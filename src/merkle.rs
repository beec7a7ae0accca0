//! The ledger's RFC 6962 / RFC 9162 Merkle tree over SHA-256: leaf and node hashing, the
//! tiled storage format of the tree, roots, inclusion and consistency proofs, and their
//! verifiers. Pure: it reads tiles through [`TileReader`] and returns the tiles to write,
//! and does no I/O of its own.
//!
//! Leaves are `SHA-256(0x00 || record bytes)`, interior nodes `SHA-256(0x01 || left ||
//! right)`, the empty tree `SHA-256("")`, and a tree of `n > 1` leaves splits at the largest
//! power of two below `n` (RFC 6962 section 2.1). Roots and proofs therefore check with any
//! RFC 6962 tool (Go `sumdb/tlog`, transparency-dev `merkle`, Rust `tlog_tiles`).
//!
//! Verification is a method on the trusted root ([`Hash::verify_inclusion`],
//! [`Hash::verify_consistency`]): an auditor needs the root, the sizes and the proof, no
//! store.
//!
//! # Storage format: tiles
//!
//! This is an on-disk format; changing it needs a store format version bump.
//!
//! * Tree level `l` consists of the hashes of complete subtrees of `2^l` leaves: hash `i` of
//!   level `l` is the root of leaves `[i * 2^l, (i + 1) * 2^l)`; level 0 is the leaf
//!   hashes. A tree of `n` leaves has `n >> l` hashes at level `l`. Nodes on the right
//!   edge that are not complete subtrees are never stored; they are recomputed.
//! * Only every eighth level is stored, in *tile rows*: tile level `L` holds tree level
//!   `8L` (`L` = 0..=7, since `n < 2^64`).
//! * Tile `(L, N)` holds hashes `256N ..= 256N + 255` of tree level `8L`, 32 bytes each,
//!   concatenated in order: a full tile is 8192 bytes, and the root over its 256 hashes
//!   is hash `N` of tile level `L + 1`.
//! * The last tile of a row may be partial: in a tree of `n` leaves, tile `(L, N)` holds
//!   `min(256, (n >> 8L) - 256N)` hashes. It is rewritten whole as the tree grows (C2SP
//!   publishes each width at its own `.p/W` path; here one key holds the latest width).
//!   A row with no hash (`n >> 8L == 0`) has no tile.
//! * The levels between two rows (`8L + 1 ..= 8L + 7`) are recomputed when needed: the
//!   complete subtree at level `8L + r` is the root over `2^r` consecutive hashes of one
//!   tile of row `L` (at most 127 hash computations).
//! * A tile's key is [`TileKey`] `{ level: L, index: N }`, written as 9 bytes
//!   ([`TileKey::to_bytes`]): `L`, then `N` as big-endian `u64`, so keys sort by level,
//!   then index.
//! * A tile holding more hashes than a question about a smaller tree needs answers it with
//!   its prefix: complete subtrees never change once complete, so the tiles of the latest
//!   size serve every older size too.
//!
//! The tile contents equal C2SP tlog-tiles (<https://c2sp.org/tlog-tiles>) hash tiles of
//! height 8, so tiles could be published as static files unchanged.
//!
//! For example, a tree of 70 000 leaves is stored as tiles `(0,0) ..= (0,272)` (full) and
//! `(0,273)` (112 leaf hashes); `(1,0)` (full) and `(1,1)` (17 hashes of level 8); and
//! `(2,0)` (1 hash of level 16). Appending a batch of 1000 leaves writes four or five
//! tiles of row 0 and one or two of each row above that is not empty: a handful of keys
//! per batch, never a key per node.
//!
//! # Costs
//!
//! A root reads one tile per non-empty row; a proof reads about two per row and
//! recomputes at most a few hundred hashes per row: at 1M leaves (3 rows), 3 tile reads
//! for a root and 5 for a proof. [`TileCache`] keeps the tiles above level 0 and the
//! right-edge tiles, with the roots of their aligned groups of hashes, so that repeated
//! proofs read and hash mostly the level-0 tile they start from.

mod error;
mod hash;
mod proof;
mod tile;

pub use error::MerkleError;
pub use hash::{Hash, RootAccumulator, leaf_hash};
pub use proof::{ConsistencyProof, InclusionProof, consistency_proof, inclusion_proof};
pub use tile::{TileCache, TileKey, TileReader, append_leaves, tree_root};
#[cfg(any(test, feature = "test-support"))]
pub use {
    hash::{HASH_SIZE, empty_root, node_hash, root_of},
    tile::{TILE_HEIGHT, TILE_WIDTH, MemoryTiles, leaf_count_stored, subtree_hash},
};
