//! SHA-256 hashes of the tree and the RFC 6962 hashing rules: leaf and node hashes are
//! domain-separated by a one-byte prefix, and the empty tree hashes to `SHA-256("")`.
//! Also the plain recursive Merkle Tree Hash of RFC 6962 section 2.1 ([`root_of`]), the
//! reference the tiled tree is tested against.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::error::MerkleError;

/// Length of a hash in bytes.
pub const HASH_SIZE: usize = 32;

/// Prefix of a leaf hash preimage (RFC 6962 section 2.1).
const LEAF_PREFIX: u8 = 0x00;
/// Prefix of an interior node hash preimage (RFC 6962 section 2.1).
const NODE_PREFIX: u8 = 0x01;

/// A SHA-256 hash in the tree: a leaf hash, a node hash or a root.
///
/// Shown and parsed as standard base64 with padding (the form checkpoints and the
/// transparency-dev tools use); serialized the same way.
// INVARIANT: none beyond the length, which the array type enforces: every 32 bytes are a
// possible hash, so the constructors cannot fail on bytes, only on text or slices.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash([u8; HASH_SIZE]);

impl Hash {
    /// Wraps 32 bytes.
    pub const fn from_bytes(bytes: [u8; HASH_SIZE]) -> Hash {
        Hash(bytes)
    }

    /// Wraps a slice that must be exactly 32 bytes (as read back from a store).
    ///
    /// # Errors
    ///
    /// [`MerkleError::HashLength`] if the slice is not 32 bytes long.
    ///
    /// ```
    /// use pactlog::merkle::Hash;
    /// assert!(Hash::from_slice(&[7; 32]).is_ok());
    /// assert!(Hash::from_slice(&[7; 31]).is_err());
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Hash, MerkleError> {
        <[u8; HASH_SIZE]>::try_from(bytes)
            .map(Hash)
            .map_err(|_| MerkleError::HashLength { len: bytes.len() })
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; HASH_SIZE] {
        &self.0
    }

    /// Parses standard base64 (with padding) of exactly 32 bytes.
    ///
    /// # Errors
    ///
    /// [`MerkleError::InvalidBase64`] if the text is not standard base64,
    /// [`MerkleError::HashLength`] if it decodes to other than 32 bytes.
    ///
    /// ```
    /// use pactlog::merkle::{Hash, empty_root};
    /// let root = Hash::from_base64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")?;
    /// assert_eq!(root, empty_root());
    /// assert!(Hash::from_base64("ZG9uJ3QgY2FyZQ==").is_err()); // 10 bytes
    /// # Ok::<(), pactlog::merkle::MerkleError>(())
    /// ```
    pub fn from_base64(text: &str) -> Result<Hash, MerkleError> {
        let bytes = STANDARD
            .decode(text)
            .map_err(|e| MerkleError::InvalidBase64 {
                reason: e.to_string(),
            })?;
        Hash::from_slice(&bytes)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&STANDARD.encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl FromStr for Hash {
    type Err = MerkleError;

    fn from_str(s: &str) -> Result<Hash, MerkleError> {
        Hash::from_base64(s)
    }
}

impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Hash, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Hash::from_base64(&text).map_err(serde::de::Error::custom)
    }
}

/// The leaf hash of an entry: `SHA-256(0x00 || bytes)`.
#[must_use]
pub fn leaf_hash(bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(bytes);
    Hash(h.finalize().into())
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    node_hash_of_pair(&left.0, &right.0)
}

/// [`node_hash`] of two hashes given as raw bytes (as they sit in a tile).
pub(crate) fn node_hash_of_pair(left: &[u8], right: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    Hash(h.finalize().into())
}

/// The root of the empty tree: `SHA-256("")`.
#[must_use]
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// The Merkle Tree Hash of a list of leaf hashes, computed directly from RFC 6962
/// section 2.1: the reference the tiled tree is checked against. Takes O(n) time and
/// O(log n) stack; use [`tree_root`](super::tree_root) for a stored tree.
#[must_use]
#[cfg(any(test, feature = "test-support"))]
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [leaf] => *leaf,
        _ => {
            let k = split_point(leaves.len() as u64);
            // INVARIANT: 0 < k < leaves.len(), so both halves are in bounds and non-empty.
            let (left, right) = leaves.split_at(k as usize);
            node_hash(&root_of(left), &root_of(right))
        }
    }
}

/// The largest power of two strictly below `n`: where RFC 6962 splits a tree of `n >= 2`
/// leaves into a complete left subtree and the rest.
pub(crate) fn split_point(n: u64) -> u64 {
    // INVARIANT: `| 1` makes the argument of `ilog2` non-zero, so it cannot panic. For
    // n >= 2 it does not change the highest set bit of n - 1, so the result is the highest
    // power of two <= n - 1, i.e. strictly below n. (For n < 2 it returns 1; no caller asks.)
    1 << (n.saturating_sub(1) | 1).ilog2()
}

/// Folds leaf hashes into an RFC 6962 root with O(log n) memory: a stack of the
/// roots of complete subtrees, merged as sizes allow.
#[derive(Default)]
pub struct RootAccumulator {
    stack: Vec<(u32, Hash)>,
}

impl RootAccumulator {
    /// Adds the next leaf.
    pub fn push(&mut self, leaf: Hash) {
        self.push_subtree(0, leaf);
    }

    /// Adds the root of the next `2^height` leaves, computed elsewhere (a share of the
    /// leaves folded on another thread). Gives the RFC 6962 root only when the leaves
    /// added so far are a multiple of `2^height`: the subtree must be complete and sit
    /// where the tree of those leaves has one.
    pub fn push_subtree(&mut self, height: u32, root: Hash) {
        let mut node = (height, root);
        while let Some(&(height, left)) = self.stack.last() {
            if height != node.0 {
                break;
            }
            self.stack.pop();
            node = (height + 1, node_hash(&left, &node.1));
        }
        self.stack.push(node);
    }

    /// The root of the leaves added so far.
    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        let Some(&(_, mut acc)) = iter.next() else {
            return empty_root();
        };
        for (_, left) in iter {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_string(),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        assert_eq!(root_of(&[]), empty_root());
    }

    #[test]
    fn leaf_and_node_hashes_are_domain_separated() {
        // RFC 6962 test leaf 0 is the empty string; its leaf hash is a published value.
        assert_eq!(
            leaf_hash(b"").to_string(),
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="
        );
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        let mut both = Vec::new();
        both.extend_from_slice(a.as_bytes());
        both.extend_from_slice(b.as_bytes());
        assert_ne!(node_hash(&a, &b), leaf_hash(&both));
        assert_ne!(node_hash(&a, &b), node_hash(&b, &a));
    }

    #[test]
    fn base64_round_trips_and_rejects_bad_text() {
        let h = leaf_hash(b"x");
        assert_eq!(Hash::from_base64(&h.to_string()).ok(), Some(h));
        assert_eq!(h.to_string().parse::<Hash>().ok(), Some(h));
        assert!(matches!(
            Hash::from_base64("ZG9uJ3QgY2FyZSAy"),
            Err(MerkleError::HashLength { len: 12 })
        ));
        assert!(matches!(
            Hash::from_base64(""),
            Err(MerkleError::HashLength { len: 0 })
        ));
        assert!(matches!(
            Hash::from_base64("not base64!"),
            Err(MerkleError::InvalidBase64 { .. })
        ));
        // URL-safe alphabet is not the standard one.
        let url_safe = h.to_string().replace('+', "-").replace('/', "_");
        if url_safe != h.to_string() {
            assert!(Hash::from_base64(&url_safe).is_err());
        }
    }

    #[test]
    fn serde_uses_base64_text() -> Result<(), serde_json::Error> {
        let h = leaf_hash(b"");
        let json = serde_json::to_string(&h)?;
        assert_eq!(json, "\"bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\"");
        assert_eq!(serde_json::from_str::<Hash>(&json)?, h);
        assert!(serde_json::from_str::<Hash>("\"ZG9uJ3QgY2FyZSAy\"").is_err());
        Ok(())
    }

    #[test]
    fn subtrees_folded_apart_give_the_root_of_their_leaves() {
        let leaves: Vec<Hash> = (0u32..37).map(|i| leaf_hash(&i.to_le_bytes())).collect();
        for height in 0..4 {
            let size = 1 << height;
            // Whole subtrees of `size` leaves, then the rest one by one.
            let mut acc = RootAccumulator::default();
            let whole = leaves.len() / size * size;
            for block in leaves[..whole].chunks(size) {
                let mut sub = RootAccumulator::default();
                block.iter().for_each(|l| sub.push(*l));
                acc.push_subtree(height, sub.root());
            }
            leaves[whole..].iter().for_each(|l| acc.push(*l));
            assert_eq!(acc.root(), root_of(&leaves), "subtrees of {size}");
        }
    }

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        for (n, k) in [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (257, 256)] {
            assert_eq!(split_point(n), k, "n = {n}");
        }
        assert_eq!(split_point(u64::MAX), 1 << 63);
    }
}
