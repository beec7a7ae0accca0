//! The bytes of a tile or an entry bundle, from a ledger, as the tree of a given size has
//! them.

use super::{EntryBundle, TileKind, TilePath, TlogError};
use crate::codec::Seq;
use crate::ledger::{Ledger, LedgerError};
use crate::merkle::{MerkleError, TileReader};
use crate::store::Store;

/// Bytes in one hash.
const HASH_BYTES: usize = 32;

/// The bytes of the resource `path` in the ledger's tree of `size` records (a
/// checkpoint's size), or `None` when that tree does not have it: a hash tile or bundle
/// whose items are not all among the first `size` (so `tile/0/000.p/3` exists from size
/// 3 on, and stays, with the same bytes, after the tile is full; `tile/0/000` from size
/// 256).
///
/// # Errors
/// [`TlogError::SizeBeyondLedger`] when `size` is larger than the ledger;
/// [`TlogError::EntryTooLarge`] for a bundle holding a record longer than 65 535 bytes;
/// storage, record or tile errors.
///
/// ```
/// # use pactlog::model::{Party, PartyId};
/// # use pactlog::{Ledger, MemoryStore, Timestamp};
/// use pactlog::tlog::{TilePath, read_tile};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut ledger = Ledger::open(MemoryStore::new())?;
/// # let party = Party { id: PartyId::new("acme")?, name: "Acme".into(), aliases: vec![] };
/// # ledger.append(ledger.check(vec![party], vec![])?, Timestamp::from_unix(0))?;
/// // A ledger of one record: one leaf hash, one entry.
/// let leaf = read_tile(&ledger, 1, &TilePath::parse("tile/0/000.p/1")?)?.unwrap();
/// assert_eq!(leaf.len(), 32);
/// assert!(read_tile(&ledger, 1, &TilePath::parse("tile/0/000.p/2")?)?.is_none());
/// assert!(read_tile(&ledger, 1, &TilePath::parse("tile/entries/000.p/1")?)?.is_some());
/// # Ok(())
/// # }
/// ```
pub fn read_tile<S: Store>(
    ledger: &Ledger<S>,
    size: u64,
    path: &TilePath,
) -> Result<Option<Vec<u8>>, TlogError> {
    if size > ledger.size() {
        return Err(TlogError::SizeBeyondLedger {
            size,
            ledger: ledger.size(),
        });
    }
    match path.kind() {
        TileKind::Hashes { .. } => hash_tile(&ledger.tiles(), size, path),
        TileKind::Entries => entry_bundle(ledger, size, path),
    }
}

/// The hash tile `path` of the tree of `size` leaves whose tiles `reader` reads (it may
/// hold a larger tree: a tile of a smaller tree is a prefix of the stored one).
pub(crate) fn hash_tile(
    reader: &(impl TileReader + ?Sized),
    size: u64,
    path: &TilePath,
) -> Result<Option<Vec<u8>>, TlogError> {
    let Some(have) = TilePath::at_size(path.kind(), path.index(), size) else {
        return Ok(None);
    };
    if have.width() < path.width() {
        return Ok(None);
    }
    let key = path.key();
    let stored = reader
        .read_tile(key)?
        .ok_or(MerkleError::TileMissing { key })?;
    let len = usize::from(path.width()) * HASH_BYTES;
    match stored.get(..len) {
        Some(prefix) => Ok(Some(prefix.to_vec())),
        None => Err(MerkleError::TileTooShort {
            key,
            have: (stored.len() / HASH_BYTES) as u64,
            need: u64::from(path.width()),
        }
        .into()),
    }
}

/// The entry bundle `path` of the ledger's first `size` records.
fn entry_bundle<S: Store>(
    ledger: &Ledger<S>,
    size: u64,
    path: &TilePath,
) -> Result<Option<Vec<u8>>, TlogError> {
    if path.end() > size {
        return Ok(None);
    }
    let mut records = Vec::with_capacity(usize::from(path.width()));
    for (expected, stored) in
        (path.first()..).zip(ledger.raw_records(path.first(), Some(path.end())))
    {
        let stored = stored?;
        if stored.seq != Seq::new(expected) {
            return Err(missing(expected).into());
        }
        records.push(stored);
    }
    if records.len() != usize::from(path.width()) {
        return Err(missing(path.first() + records.len() as u64).into());
    }
    EntryBundle::encode(records.iter().map(|r| r.bytes.as_slice()))
        .map(Some)
        .map_err(|e| match e {
            TlogError::EntryTooLarge { seq, len } => TlogError::EntryTooLarge {
                seq: path.first() + seq,
                len,
            },
            other => other,
        })
}

fn missing(seq: u64) -> LedgerError {
    LedgerError::Damaged {
        seq,
        why: "record is missing".into(),
    }
}
