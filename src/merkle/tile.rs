//! The stored form of the tree: tiles of 256 hashes (see the layout in the [module
//! docs](super)), how an append turns into tile writes, and how any complete subtree hash,
//! and from those any root, is read back from them.

use std::fmt;

use super::error::MerkleError;
use super::hash::{HASH_SIZE, Hash, empty_root, node_hash, node_hash_of_pair, split_point};

/// Height of a tile: a tile row holds the hashes of tree level `TILE_HEIGHT * tile level`.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile: `2^TILE_HEIGHT`.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;

/// Highest tile level a tree of at most `u64::MAX` leaves uses (tree level 56).
const MAX_TILE_LEVEL: u8 = 7;
/// Highest tree level of a complete subtree in a tree of at most `u64::MAX` leaves.
const MAX_TREE_LEVEL: u8 = 63;
/// Bytes in a full tile.
const TILE_BYTES: usize = TILE_WIDTH as usize * HASH_SIZE;
/// Mask of a hash's position within its tile.
const IN_TILE: u64 = TILE_WIDTH - 1;

/// The name of a tile: tile level `level` (holding tree level `8 * level`) and index
/// `index` within that level (holding that level's hashes `256 * index ..`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TileKey {
    /// Tile level: the tile holds hashes of tree level `8 * level`.
    pub level: u8,
    /// Index of the tile within its level.
    pub index: u64,
}

impl TileKey {
    /// The 9-byte storage key: the level byte, then the index as big-endian `u64`, so that
    /// keys sort by level, then index.
    pub fn to_bytes(self) -> [u8; 9] {
        let mut out = [0u8; 9];
        out[0] = self.level;
        out[1..].copy_from_slice(&self.index.to_be_bytes());
        out
    }

    /// Parses a key written by [`TileKey::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`MerkleError::TileKeyLength`] unless the bytes are 9 long;
    /// [`MerkleError::TileKeyOutOfRange`] if no tree of at most `u64::MAX` leaves has the
    /// tile (level above 7, or an index too large for its level).
    ///
    /// ```
    /// use pactlog::merkle::TileKey;
    /// let key = TileKey { level: 1, index: 300 };
    /// assert_eq!(TileKey::from_bytes(&key.to_bytes())?, key);
    /// assert!(TileKey::from_bytes(&[1, 2, 3]).is_err());
    /// # Ok::<(), pactlog::merkle::MerkleError>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<TileKey, MerkleError> {
        let Some((&level, index)) = bytes.split_first() else {
            return Err(MerkleError::TileKeyLength { len: 0 });
        };
        let index = <[u8; 8]>::try_from(index)
            .map(u64::from_be_bytes)
            .map_err(|_| MerkleError::TileKeyLength { len: bytes.len() })?;
        // Tile (L, N) exists in some tree iff its first hash does: N * 256 hashes of level 8L
        // fit below 2^64 leaves, i.e. N <= u64::MAX >> (8L + 8).
        let max_index = u64::MAX.checked_shr(u32::from(level) * 8 + 8).unwrap_or(0);
        if level > MAX_TILE_LEVEL || index > max_index {
            return Err(MerkleError::TileKeyOutOfRange { level, index });
        }
        Ok(TileKey { level, index })
    }
}

impl fmt::Display for TileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tile {}/{}", self.level, self.index)
    }
}

/// Reads stored tiles; implemented by the store (sled) and by [`MemoryTiles`] in tests.
pub trait TileReader {
    /// The bytes of a tile (its hashes, 32 bytes each, concatenated in order), or `None` if
    /// it is not stored. A tile may hold more hashes than a question about an older tree
    /// size needs; readers of this module use only the prefix they need.
    ///
    /// # Errors
    ///
    /// Whatever the backing store fails with, as [`MerkleError::TileRead`].
    fn read_tile(&self, key: TileKey) -> Result<Option<Vec<u8>>, MerkleError>;

    /// The root of the complete subtree over hashes `first .. first + 2^height` of tile
    /// `key` (`first` a multiple of `2^height`, `1 <= height <= 8`), when the reader
    /// already has it at hand; `None` (the default) when it would have to be computed
    /// from the tile's hashes. [`CachedTiles`] answers for the tiles it holds.
    fn known_root(&self, key: TileKey, height: u8, first: u64) -> Option<Hash> {
        let _ = (key, height, first);
        None
    }
}

impl<T: TileReader + ?Sized> TileReader for &T {
    fn read_tile(&self, key: TileKey) -> Result<Option<Vec<u8>>, MerkleError> {
        (**self).read_tile(key)
    }

    fn known_root(&self, key: TileKey, height: u8, first: u64) -> Option<Hash> {
        (**self).known_root(key, height, first)
    }
}

/// Tiles held in memory: for tests, benchmarks and building a tree without a store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg(any(test, feature = "test-support"))]
pub struct MemoryTiles {
    tiles: std::collections::BTreeMap<TileKey, Vec<u8>>,
}

#[cfg(any(test, feature = "test-support"))]
impl MemoryTiles {
    /// No tiles: the empty tree.
    pub fn new() -> MemoryTiles {
        MemoryTiles::default()
    }

    /// Stores the writes returned by [`append_leaves`], replacing tiles with the same key.
    pub fn apply(&mut self, writes: Vec<(TileKey, Vec<u8>)>) {
        self.tiles.extend(writes);
    }

    /// The bytes of one tile.
    pub fn get(&self, key: TileKey) -> Option<&[u8]> {
        self.tiles.get(&key).map(Vec::as_slice)
    }

    /// Every tile, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (TileKey, &[u8])> {
        self.tiles.iter().map(|(k, v)| (*k, v.as_slice()))
    }

    /// Number of tiles held.
    #[cfg(any(test, feature = "test-support"))]
    pub fn len(&self) -> usize {
        self.tiles.len()
    }

    /// Whether no tile is held.
    pub fn is_empty(&self) -> bool {
        self.tiles.is_empty()
    }
}

#[cfg(any(test, feature = "test-support"))]
impl TileReader for MemoryTiles {
    fn read_tile(&self, key: TileKey) -> Result<Option<Vec<u8>>, MerkleError> {
        Ok(self.tiles.get(&key).cloned())
    }
}

/// Tiles kept in memory, in front of a [`TileReader`]: those that nearly every proof and
/// root reads (every tile above level 0, and the partial tiles of the right edge). A
/// level-0 tile that is full is read once per proof of a leaf under it, so it is left to
/// the store. Without this, a proof right after other work (queries filling the store's
/// page cache) would re-read these hot tiles from disk. With each tile, the roots of its
/// complete aligned groups of 2, 4, ... 256 hashes are kept too, so that a proof does not
/// hash the same tile again (hashing tiles is most of an inclusion proof's work).
///
/// The cache trusts that the tiles behind it do not change while it holds them: whoever
/// writes tiles calls [`TileCache::clear`] first (the ledger does before every append).
/// At most [`TileCache::CAPACITY`] tiles (16 MiB with their roots) are held; a tree past
/// 2^26 leaves has more upper tiles than that, and the cache starts over when it is full.
#[derive(Debug, Default)]
pub struct TileCache {
    tiles: std::sync::Mutex<std::collections::HashMap<TileKey, std::sync::Arc<Held>>>,
}

/// A tile in the cache: its bytes, and `roots[h - 1][i]`, the root of its hashes
/// `i * 2^h .. (i + 1) * 2^h` for every such group it holds whole.
#[derive(Debug)]
struct Held {
    bytes: Vec<u8>,
    roots: Vec<Vec<Hash>>,
}

impl Held {
    /// `None` unless `bytes` is a well-formed tile (1 to 256 whole hashes).
    fn new(bytes: Vec<u8>) -> Option<Held> {
        if !well_formed(&bytes) {
            return None;
        }
        let mut level = pair_roots(&bytes);
        let mut roots = Vec::new();
        while !level.is_empty() {
            let next = level
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            roots.push(std::mem::replace(&mut level, next));
        }
        Some(Held { bytes, roots })
    }
}

impl TileCache {
    /// Most tiles held at once.
    pub const CAPACITY: usize = 1024;

    /// An empty cache.
    pub fn new() -> TileCache {
        TileCache::default()
    }

    /// Forgets every tile (the tiles behind the cache are about to change).
    pub fn clear(&mut self) {
        self.held().clear();
    }

    /// Number of tiles held.
    #[cfg(any(test, feature = "test-support"))]
    pub fn len(&self) -> usize {
        self.held().len()
    }

    /// Whether no tile is held.
    #[cfg(any(test, feature = "test-support"))]
    pub fn is_empty(&self) -> bool {
        self.held().is_empty()
    }

    /// A reader that answers from the cache, and reads what it lacks from `reader`.
    pub fn over<R: TileReader>(&self, reader: R) -> CachedTiles<'_, R> {
        CachedTiles {
            cache: self,
            reader,
        }
    }

    fn held(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<TileKey, std::sync::Arc<Held>>> {
        // The map is whole after any panic (one insert or clear at a time).
        self.tiles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A [`TileReader`] in front of another, through a [`TileCache`].
#[derive(Debug)]
pub struct CachedTiles<'a, R> {
    cache: &'a TileCache,
    reader: R,
}

impl<R: TileReader> TileReader for CachedTiles<'_, R> {
    fn read_tile(&self, key: TileKey) -> Result<Option<Vec<u8>>, MerkleError> {
        if let Some(held) = self.cache.held().get(&key) {
            return Ok(Some(held.bytes.clone()));
        }
        let read = self.reader.read_tile(key)?;
        if let Some(bytes) = &read
            && (key.level > 0 || bytes.len() < TILE_BYTES)
            && let Some(held) = Held::new(bytes.clone())
        {
            let mut tiles = self.cache.held();
            if tiles.len() >= TileCache::CAPACITY {
                tiles.clear();
            }
            tiles.insert(key, std::sync::Arc::new(held));
        }
        Ok(read)
    }

    fn known_root(&self, key: TileKey, height: u8, first: u64) -> Option<Hash> {
        let held = self.cache.held().get(&key).cloned()?;
        let roots = held.roots.get(usize::from(height).checked_sub(1)?)?;
        roots.get(usize::try_from(first >> height).ok()?).copied()
    }
}

/// Whether `bytes` is 1 to 256 whole hashes.
fn well_formed(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.len() <= TILE_BYTES && bytes.len().is_multiple_of(HASH_SIZE)
}

/// The node hash of each pair of hashes in `hashes`, straight from the bytes (a trailing
/// odd hash is left out).
fn pair_roots(hashes: &[u8]) -> Vec<Hash> {
    hashes
        .chunks_exact(2 * HASH_SIZE)
        .map(|pair| {
            let (left, right) = pair.split_at(HASH_SIZE);
            node_hash_of_pair(left, right)
        })
        .collect()
}

/// Reads a tile and checks that it is 1 to 256 whole hashes.
fn read_checked(reader: &(impl TileReader + ?Sized), key: TileKey) -> Result<Vec<u8>, MerkleError> {
    let bytes = reader
        .read_tile(key)?
        .ok_or(MerkleError::TileMissing { key })?;
    if !well_formed(&bytes) {
        return Err(MerkleError::TileMalformed {
            key,
            len: bytes.len(),
        });
    }
    Ok(bytes)
}

/// The first `need` hashes of a checked tile, or the error saying it has fewer.
fn prefix(key: TileKey, bytes: &[u8], need: u64) -> Result<&[u8], MerkleError> {
    let have = (bytes.len() / HASH_SIZE) as u64;
    let short = || MerkleError::TileTooShort { key, have, need };
    let len = usize::try_from(need)
        .ok()
        .and_then(|n| n.checked_mul(HASH_SIZE))
        .ok_or_else(short)?;
    bytes.get(..len).ok_or_else(short)
}

/// The root of a complete subtree given its `2^r` hashes of one tile row (`r <= 8`).
///
/// Returns `None` unless the slice holds a power-of-two number (1 to 256) of whole hashes.
fn complete_root(hashes: &[u8]) -> Option<Hash> {
    let count = hashes.len() / HASH_SIZE;
    if !hashes.len().is_multiple_of(HASH_SIZE)
        || !count.is_power_of_two()
        || count > TILE_WIDTH as usize
    {
        return None;
    }
    if count == 1 {
        return Hash::from_slice(hashes).ok();
    }
    // First level straight from the tile bytes, then halve in place.
    let mut level = pair_roots(hashes);
    while level.len() > 1 {
        let half = level.len() / 2;
        // INVARIANT: the length is a power of two >= 2, so 2 * i + 1 < len for i < half.
        for i in 0..half {
            level[i] = node_hash(&level[2 * i], &level[2 * i + 1]);
        }
        level.truncate(half);
    }
    level.first().copied()
}

/// Given the tree's current size and the leaf hashes being appended, returns the tile writes
/// (the full new contents of every tile that changes, in key order) that bring the stored
/// tree to size `old_size + leaves.len()`.
///
/// Reads only the right-edge partial tile of each level (at most one per level). A stored
/// tile holding *more* hashes than `old_size` implies (tiles written by a batch whose size
/// was never recorded) is treated as holding just its prefix and rewritten, so replaying an
/// append after a crash gives the same tiles.
///
/// # Errors
///
/// [`MerkleError::SizeOverflow`] past `u64::MAX` leaves; tile errors if the partial tiles of
/// the tree of size `old_size` cannot be read.
///
/// ```
/// use pactlog::merkle::{MemoryTiles, append_leaves, leaf_hash, root_of, tree_root};
/// let leaves: Vec<_> = (0u32..1000).map(|i| leaf_hash(&i.to_be_bytes())).collect();
/// let mut tiles = MemoryTiles::new();
/// tiles.apply(append_leaves(&tiles, 0, &leaves[..600])?);
/// tiles.apply(append_leaves(&tiles, 600, &leaves[600..])?);
/// assert_eq!(tree_root(&tiles, 1000)?, root_of(&leaves));
/// # Ok::<(), pactlog::merkle::MerkleError>(())
/// ```
pub fn append_leaves(
    reader: &(impl TileReader + ?Sized),
    old_size: u64,
    leaves: &[Hash],
) -> Result<Vec<(TileKey, Vec<u8>)>, MerkleError> {
    let overflow = MerkleError::SizeOverflow {
        old_size,
        added: leaves.len(),
    };
    let new_size = u64::try_from(leaves.len())
        .ok()
        .and_then(|n| old_size.checked_add(n))
        .ok_or(overflow)?;

    let mut writes = Vec::new();
    // Hashes being added to the current tile row, concatenated, and how many that row held.
    let mut pending: Vec<u8> = leaves.iter().flat_map(|h| *h.as_bytes()).collect();
    let mut row_old = old_size;
    let mut row_new = new_size;
    let mut level: u8 = 0;
    while row_new > row_old {
        // A row only completes a tile (feeding the row above) below level 7: the top row has
        // at most 255 hashes. The check keeps that arithmetic fact visible.
        if level > MAX_TILE_LEVEL {
            return Err(MerkleError::SizeOverflow {
                old_size,
                added: leaves.len(),
            });
        }
        let mut completed: Vec<u8> = Vec::new();
        let mut taken = 0usize;
        let mut pos = row_old;
        while pos < row_new {
            let key = TileKey {
                level,
                index: pos >> TILE_HEIGHT,
            };
            let already = pos & IN_TILE;
            let take = (TILE_WIDTH - already).min(row_new - pos);
            let mut content = Vec::with_capacity(TILE_BYTES);
            if already > 0 {
                let stored = read_checked(reader, key)?;
                content.extend_from_slice(prefix(key, &stored, already)?);
            }
            // INVARIANT: `take` <= 256, and `pending` holds `row_new - row_old` hashes of
            // which `taken` are used, so the range is within `pending`.
            let take_bytes = take as usize * HASH_SIZE;
            content.extend_from_slice(&pending[taken..taken + take_bytes]);
            taken += take_bytes;
            pos += take;
            if already + take == TILE_WIDTH {
                // INVARIANT: a full tile is 256 whole hashes, a power of two.
                let root = complete_root(&content).ok_or(MerkleError::TileMalformed {
                    key,
                    len: content.len(),
                })?;
                completed.extend_from_slice(root.as_bytes());
            }
            writes.push((key, content));
        }
        pending = completed;
        row_old >>= TILE_HEIGHT;
        row_new >>= TILE_HEIGHT;
        level += 1;
    }
    Ok(writes)
}

/// The size of the tree the stored tiles describe, found with O(log n) reads of level-0
/// tiles: the leaves in the last level-0 tile plus 256 per tile before it.
///
/// A store records its tree size itself; this is for checking that record (for example
/// after a crash, to see whether tiles lag the records). It trusts that the stored level-0
/// tiles are a gap-free prefix (0, 1, ..., N), which [`append_leaves`] maintains.
///
/// # Errors
///
/// Tile read errors, or [`MerkleError::TileMalformed`] for a damaged last tile.
#[cfg(any(test, feature = "test-support"))]
pub fn leaf_count_stored(reader: &(impl TileReader + ?Sized)) -> Result<u64, MerkleError> {
    let exists = |index: u64| -> Result<bool, MerkleError> {
        Ok(reader.read_tile(TileKey { level: 0, index })?.is_some())
    };
    if !exists(0)? {
        return Ok(0);
    }
    // Largest possible level-0 tile index.
    let max = u64::MAX >> TILE_HEIGHT;
    // Gallop: `present` is stored, `absent` is not (or past the maximum).
    let mut present = 0u64;
    let mut absent = loop {
        let probe = present.saturating_mul(2).max(1);
        if probe > max {
            break max.saturating_add(1);
        }
        if !exists(probe)? {
            break probe;
        }
        present = probe;
    };
    while absent - present > 1 {
        let mid = present + (absent - present) / 2;
        if exists(mid)? {
            present = mid;
        } else {
            absent = mid;
        }
    }
    let key = TileKey {
        level: 0,
        index: present,
    };
    let last = read_checked(reader, key)?;
    // Saturates only for a (corrupt) full tile at the very last index.
    Ok((present << TILE_HEIGHT).saturating_add((last.len() / HASH_SIZE) as u64))
}

/// A view of the stored tree at one size, for one question: remembers the tiles it read so
/// that a proof reads each tile once. Lives only as long as the call that made it.
pub(crate) struct TreeView<'r, R: ?Sized> {
    reader: &'r R,
    size: u64,
    tiles: Vec<(TileKey, Vec<u8>)>,
}

impl<'r, R: TileReader + ?Sized> TreeView<'r, R> {
    pub(crate) fn new(reader: &'r R, size: u64) -> Self {
        TreeView {
            reader,
            size,
            tiles: Vec::new(),
        }
    }

    /// The first `need` hashes of a tile.
    fn tile(&mut self, key: TileKey, need: u64) -> Result<&[u8], MerkleError> {
        let at = match self.tiles.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                let bytes = read_checked(self.reader, key)?;
                self.tiles.push((key, bytes));
                self.tiles.len() - 1
            }
        };
        prefix(key, &self.tiles[at].1, need)
    }

    /// The hash of the complete subtree of height `level` covering leaves
    /// `[index << level, (index + 1) << level)`.
    pub(crate) fn subtree(&mut self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        let out_of_range = MerkleError::SubtreeOutOfRange {
            level,
            index,
            size: self.size,
        };
        // (index + 1) << level <= size  <=>  index < size >> level, without overflow.
        if level > MAX_TREE_LEVEL || index >= self.size >> level {
            return Err(out_of_range);
        }
        let tile_level = level / TILE_HEIGHT;
        let height_in_tile = level % TILE_HEIGHT;
        // The subtree is the root over 2^height_in_tile consecutive hashes of the tile row,
        // which (being aligned and at most 128) lie in one tile.
        let first = index << height_in_tile;
        let count = 1u64 << height_in_tile;
        let key = TileKey {
            level: tile_level,
            index: first >> TILE_HEIGHT,
        };
        let start = first & IN_TILE;
        if height_in_tile > 0
            && let Some(root) = self.reader.known_root(key, height_in_tile, start)
        {
            return Ok(root);
        }
        let hashes = self.tile(key, start + count)?;
        // `tile` returned exactly start + count <= 256 hashes, so neither step can fail; the
        // errors only avoid a panic path.
        let malformed = MerkleError::TileMalformed {
            key,
            len: hashes.len(),
        };
        hashes
            .get(start as usize * HASH_SIZE..)
            .and_then(complete_root)
            .ok_or(malformed)
    }

    /// RFC 6962 MTH of leaves `[start, end)`, for a node of the tree: either a complete
    /// aligned subtree, or a right-edge node whose complete left part is aligned. (Any
    /// other range is computed correctly too, but from many more subtrees.)
    pub(crate) fn range(&mut self, start: u64, end: u64) -> Result<Hash, MerkleError> {
        let n = end.saturating_sub(start);
        if n == 0 || end > self.size {
            return Err(MerkleError::SubtreeOutOfRange {
                level: 0,
                index: start,
                size: self.size,
            });
        }
        if n.is_power_of_two() && start.is_multiple_of(n) {
            return self.subtree(n.trailing_zeros() as u8, start >> n.trailing_zeros());
        }
        let k = split_point(n);
        let left = self.range(start, start + k)?;
        let right = self.range(start + k, end)?;
        Ok(node_hash(&left, &right))
    }
}

/// The hash of the complete subtree of height `level` covering leaves
/// `[index << level, (index + 1) << level)`, from the tiles of a tree of size `size`:
/// one tile read and at most 127 hash computations (the levels between two tile rows are
/// recomputed from the row below).
///
/// # Errors
///
/// [`MerkleError::SubtreeOutOfRange`] if the subtree is not complete in a tree of `size`
/// leaves; tile errors if the store cannot supply it.
#[cfg(any(test, feature = "test-support"))]
pub fn subtree_hash(
    reader: &(impl TileReader + ?Sized),
    size: u64,
    level: u8,
    index: u64,
) -> Result<Hash, MerkleError> {
    TreeView::new(reader, size).subtree(level, index)
}

/// The RFC 6962 root of the first `size` leaves ([`empty_root`] for 0), from at most one
/// tile per tile level.
///
/// # Errors
///
/// Tile errors if the stored tiles do not cover `size` leaves.
pub fn tree_root(reader: &(impl TileReader + ?Sized), size: u64) -> Result<Hash, MerkleError> {
    if size == 0 {
        return Ok(empty_root());
    }
    TreeView::new(reader, size).range(0, size)
}

#[cfg(test)]
mod tests;
