//! TEMPORARY stand-in until the RFC 6962 module lands (same API subset).
use sha2::{Digest, Sha256};
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Hash([u8; 32]);
impl Hash {
    pub fn from_bytes(b: [u8; 32]) -> Hash {
        Hash(b)
    }
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}
impl std::fmt::Display for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use base64::Engine;
        f.write_str(&base64::engine::general_purpose::STANDARD.encode(self.0))
    }
}
#[derive(Debug, thiserror::Error)]
pub enum MerkleError {
    #[error("{0}")]
    Other(String),
}
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TileKey {
    pub level: u8,
    pub index: u64,
}
impl TileKey {
    pub fn to_bytes(&self) -> [u8; 9] {
        let mut b = [0u8; 9];
        b[0] = self.level;
        b[1..].copy_from_slice(&self.index.to_be_bytes());
        b
    }
}
pub trait TileReader {
    fn read_tile(&self, key: TileKey) -> Result<Option<Vec<u8>>, MerkleError>;
}
pub fn leaf_hash(bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(bytes);
    Hash(h.finalize().into())
}
pub fn append_leaves(
    _r: &impl TileReader,
    _old: u64,
    _l: &[Hash],
) -> Result<Vec<(TileKey, Vec<u8>)>, MerkleError> {
    Ok(vec![])
}
pub fn tree_root(_r: &impl TileReader, _size: u64) -> Result<Hash, MerkleError> {
    Ok(Hash([0; 32]))
}
pub fn root_of(_l: &[Hash]) -> Hash {
    Hash([0; 32])
}
pub fn node_hash(l: &Hash, r: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(l.0);
    h.update(r.0);
    Hash(h.finalize().into())
}
pub fn empty_root() -> Hash {
    Hash(Sha256::digest(b"").into())
}
