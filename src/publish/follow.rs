//! Following a published log into a verified local replica (see the [module
//! docs](super)).

use super::dir::write_replacing;
use super::{FollowError, TileSource, limit_of};
use crate::checkpoint::{
    Cosigned, CosignerKey, MAX_NOTE_FILE_BYTES, VerifierKey, check_quorum, open_checkpoint,
};
use crate::codec::ChainHash;
use crate::ledger::Ledger;
use crate::ledger::prove::check_contents;
use crate::merkle::{self, Hash, MerkleError, TileKey, TileReader, leaf_hash};
use crate::store::Store;
use crate::tlog::{CHECKPOINT_PATH, EntryBundle, TileKind, TilePath, hash_tile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file, in the replica's store folder, holding the last checkpoint the follower
/// accepted (the signed note, verbatim).
pub const FOLLOWED_FILE: &str = "pactlog-followed";

/// Bytes in one hash.
const HASH_BYTES: usize = 32;

/// Whose signatures make a checkpoint acceptable: the log's key and, when witnesses
/// are listed, cosignatures by at least `quorum` distinct ones of them.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Trust {
    /// The log's verifier key: its name is the log's origin.
    pub log: VerifierKey,
    /// The witnesses whose `cosignature/v1` lines count (none: the log's signature
    /// alone is enough).
    pub witnesses: Vec<CosignerKey>,
    /// How many distinct listed witnesses must have cosigned (unused without witnesses).
    pub quorum: usize,
}

impl Trust {
    /// Trust in checkpoints signed by `log`.
    pub fn new(log: VerifierKey) -> Trust {
        Trust {
            log,
            witnesses: Vec::new(),
            quorum: 0,
        }
    }

    /// The same trust, requiring `quorum` of `witnesses` to have cosigned (see
    /// [`check_quorum`]).
    #[must_use]
    pub fn with_witnesses(self, witnesses: Vec<CosignerKey>, quorum: usize) -> Trust {
        Trust {
            witnesses,
            quorum,
            ..self
        }
    }
}

/// A checkpoint the follower accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// Records it covers.
    pub size: u64,
    /// Its RFC 6962 root.
    pub root: Hash,
    /// The chain head it signs (its `pactlog-head` line), when it has one.
    pub head: Option<ChainHash>,
    /// The signed note, verbatim.
    pub note: String,
    /// The listed witnesses that cosigned it (empty when none were listed).
    pub cosigned: Vec<Cosigned>,
}

/// What a follow did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowReport {
    /// The source, for people.
    pub source: String,
    /// Records in the replica before.
    pub previous: u64,
    /// Records in the replica now: the accepted checkpoint's size.
    pub size: u64,
    /// The replica's root, the checkpoint's.
    pub root: Hash,
    /// The replica's chain head.
    pub head: ChainHash,
    /// Records appended.
    pub appended: u64,
    /// Resources fetched (the checkpoint, tiles and bundles).
    pub fetched: u64,
    /// The listed witnesses that cosigned the checkpoint accepted.
    pub cosigned: Vec<Cosigned>,
}

/// Decides whether the follower takes `note` as the log's checkpoint: it must be signed
/// by the trusted log key, be that log's (its origin, one `pactlog-head` line), and be
/// consistent in size and root with `last`, the checkpoint accepted before: not smaller
/// (rolled back), not another root at the same size (forked); and, when `trust` lists
/// witnesses, cosigned by at least `trust.quorum` distinct ones of them. Consistency of
/// a larger tree with `last` is proven by [`follow`] from the tiles.
///
/// # Errors
/// [`FollowError::Refused`] saying what is wrong.
pub fn accept_checkpoint(
    note: &str,
    trust: &Trust,
    last: Option<&Accepted>,
) -> Result<Accepted, FollowError> {
    let (cp, opened) = open_checkpoint(note, std::slice::from_ref(&trust.log))
        .map_err(|e| FollowError::Refused(format!("the log's checkpoint: {e}")))?;
    let cosigned = if trust.witnesses.is_empty() {
        Vec::new()
    } else {
        check_quorum(opened.note(), &trust.witnesses, trust.quorum).map_err(|e| {
            FollowError::Refused(format!(
                "the log's checkpoint of {} records: {e}",
                cp.size()
            ))
        })?
    };
    let head = check_contents(&cp, &trust.log, None)?
        .map(|h| {
            ChainHash::from_hex(&h).ok_or_else(|| {
                FollowError::Refused(format!(
                    "the checkpoint's pactlog-head {} is not 64 hex digits",
                    crate::model::shorten(&h)
                ))
            })
        })
        .transpose()?;
    let accepted = Accepted {
        size: cp.size(),
        root: Hash::from_bytes(*cp.root()),
        head,
        note: note.to_string(),
        cosigned,
    };
    if let Some(last) = last {
        if accepted.size < last.size {
            return Err(FollowError::Refused(format!(
                "the log rolled back: its checkpoint covers {} records, but a checkpoint of {} \
                 was accepted before",
                accepted.size, last.size
            )));
        }
        if accepted.size == last.size && accepted.root != last.root {
            return Err(FollowError::Refused(format!(
                "the log forked: its checkpoint of {} records has root {}, but the checkpoint \
                 of that size accepted before has root {}",
                accepted.size, accepted.root, last.root
            )));
        }
    }
    Ok(accepted)
}

/// The checkpoint accepted before, from [`FOLLOWED_FILE`] in `store_dir`, if there is one.
///
/// # Errors
/// [`FollowError::Io`] when the file cannot be read (or is not a regular file);
/// [`FollowError::Refused`] when it does not verify with the trusted key.
pub fn read_followed(store_dir: &Path, trust: &Trust) -> Result<Option<Accepted>, FollowError> {
    let file = store_dir.join(FOLLOWED_FILE);
    match std::fs::symlink_metadata(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Ok(m) if m.is_file() => {}
        Ok(_) => {
            return Err(FollowError::Io {
                path: file,
                detail: "not a regular file".into(),
            });
        }
        Err(e) => {
            return Err(FollowError::Io {
                path: file,
                detail: e.to_string(),
            });
        }
    }
    let text =
        crate::input::read_text(&file, MAX_NOTE_FILE_BYTES).map_err(|e| FollowError::Io {
            path: file.clone(),
            detail: e.refusal.to_string(),
        })?;
    // Only the log's signature: the witnesses asked for now may not have cosigned then.
    accept_checkpoint(&text, &Trust::new(trust.log.clone()), None)
        .map(Some)
        .map_err(|e| {
            FollowError::Refused(format!(
                "the checkpoint accepted before ({}) does not check with this key: {e}",
                file.display()
            ))
        })
}

/// Follows the log of `source` into the replica `ledger`, whose store is the folder
/// `store_dir`: accepts its checkpoint, fetches and checks what the replica lacks,
/// appends it and records the checkpoint as accepted (see the [module docs](super)).
///
/// # Errors
/// [`FollowError::Refused`] naming what is wrong with the log (signature, rollback,
/// fork, a tile or record that does not hash to the checkpoint, a missing resource);
/// [`FollowError::Records`] for records that break the chain or the domain rules;
/// [`FollowError::Source`] when the source cannot be read; storage errors. The replica is
/// unchanged by any of them.
pub fn follow<S: Store>(
    ledger: &mut Ledger<S>,
    store_dir: &Path,
    source: &mut dyn TileSource,
    trust: &Trust,
) -> Result<FollowReport, FollowError> {
    let last = read_followed(store_dir, trust)?;
    let base = ledger.size();
    if let Some(last) = &last {
        replica_holds(ledger, last)?;
    }
    let mut fetched = 1;
    let note = source
        .fetch(CHECKPOINT_PATH, limit_of(None))
        .map_err(FollowError::Source)?
        .ok_or_else(|| FollowError::Refused(format!("{} has no checkpoint", source.describe())))?;
    let note = String::from_utf8(note)
        .map_err(|_| FollowError::Refused("the log's checkpoint is not UTF-8 text".into()))?;
    let accepted = accept_checkpoint(&note, trust, last.as_ref())?;
    replica_fits(ledger, &accepted)?;
    if accepted.size > base {
        let (records, n) = fetch_verified(ledger, source, &accepted)?;
        fetched += n;
        let bundle_of = |seq: u64| {
            let bundle = TilePath::at_size(TileKind::Entries, seq >> 8, accepted.size)
                .map_or_else(|| format!("bundle {}", seq >> 8), |p| p.to_string());
            let position = usize::try_from(seq & 0xff).unwrap_or(0) + 1;
            (PathBuf::from(bundle), position)
        };
        crate::import::restore_records(ledger, &records, &bundle_of)?;
    }
    if ledger.root_at(accepted.size)? != accepted.root {
        return Err(FollowError::Refused(format!(
            "the replica's root after the follow is not the checkpoint's {}",
            accepted.root
        )));
    }
    if last.as_ref().map(|l| &l.note) != Some(&accepted.note) {
        let file = store_dir.join(FOLLOWED_FILE);
        write_replacing(&file, accepted.note.as_bytes()).map_err(|e| FollowError::Io {
            path: file,
            detail: e.to_string(),
        })?;
    }
    Ok(FollowReport {
        source: source.describe(),
        previous: base,
        size: ledger.size(),
        root: accepted.root,
        head: ledger.head(),
        appended: ledger.size() - base,
        fetched,
        cosigned: accepted.cosigned,
    })
}

/// The replica must still hold the checkpoint it accepted before.
fn replica_holds<S: Store>(ledger: &Ledger<S>, last: &Accepted) -> Result<(), FollowError> {
    if last.size > ledger.size() || ledger.root_at(last.size)? != last.root {
        return Err(FollowError::Refused(format!(
            "the replica does not hold the checkpoint it accepted before ({} records, root {}): \
             it was changed or rolled back; follow into a new store",
            last.size, last.root
        )));
    }
    Ok(())
}

/// The checkpoint must not roll back or fork the replica itself.
fn replica_fits<S: Store>(ledger: &Ledger<S>, accepted: &Accepted) -> Result<(), FollowError> {
    let base = ledger.size();
    if accepted.size < base {
        return Err(FollowError::Refused(format!(
            "the log rolled back: its checkpoint covers {} records, but the replica holds {base}",
            accepted.size
        )));
    }
    if accepted.size == base && ledger.root_at(base)? != accepted.root {
        return Err(FollowError::Refused(format!(
            "the log forked: its checkpoint of {base} records has root {}, but the replica's \
             {base} records have root {}",
            accepted.root,
            ledger.root_at(base)?
        )));
    }
    if accepted.size == base
        && let Some(head) = accepted.head
        && head != ledger.head()
    {
        return Err(FollowError::Refused(format!(
            "the log forked: its checkpoint signs the chain head {head}, but the replica's is {}",
            ledger.head()
        )));
    }
    Ok(())
}

/// The tiles fetched from the log, by path.
type Fetched = BTreeMap<TilePath, Vec<u8>>;

/// What the fetched resources say, before it is judged against the checkpoint.
#[derive(Default)]
struct Findings {
    tiles: Fetched,
    /// The new records' bytes, in order.
    records: Vec<Vec<u8>>,
    /// The first tile that disagrees with the replica where they overlap.
    fork: Option<String>,
    /// The first record whose leaf hash is not in its level-0 tile.
    leaf: Option<String>,
}

/// Fetches the tiles and bundles the tree of the checkpoint has and the replica's does
/// not, and checks them (see [`judge`]). Returns the new records' bytes and the number of
/// resources fetched.
fn fetch_verified<S: Store>(
    ledger: &Ledger<S>,
    source: &mut dyn TileSource,
    accepted: &Accepted,
) -> Result<(Vec<Vec<u8>>, u64), FollowError> {
    let (base, size) = (ledger.size(), accepted.size);
    let local = ledger.tiles();
    let mut found = Findings::default();
    // Level 0 and the bundles first, tile by tile: a log that claims more records than
    // it serves stops at the first tile missing, before anything larger is planned.
    for index in (base >> 8)..=((size - 1) >> 8) {
        let Some(path) = TilePath::at_size(TileKind::Hashes { level: 0 }, index, size) else {
            continue;
        };
        let hashes = fetch_tile(source, &path)?;
        let bundle = TilePath::entries(path.index(), path.width())?;
        let bytes = fetch_tile(source, &bundle)?;
        let entries = EntryBundle::parse(&bundle, &bytes)?.into_entries();
        for (i, entry) in entries.into_iter().enumerate() {
            let seq = bundle.first() + i as u64;
            let want = &hashes[i * HASH_BYTES..(i + 1) * HASH_BYTES];
            if found.leaf.is_none() && leaf_hash(&entry).as_bytes().as_slice() != want {
                found.leaf = Some(format!(
                    "record {seq} (entry {i} of {bundle}) does not hash to hash {i} of {path}: \
                     the log's records are not the ones its tiles commit to"
                ));
            }
            if seq >= base {
                found.records.push(entry);
            }
        }
        found.note_fork(&local, base, &path, &hashes)?;
        found.tiles.insert(path, hashes);
    }
    for path in crate::tlog::new_tiles(base, size) {
        if path.level() == 0 || path.kind() == TileKind::Entries {
            continue;
        }
        let hashes = fetch_tile(source, &path)?;
        found.note_fork(&local, base, &path, &hashes)?;
        found.tiles.insert(path, hashes);
    }
    let fetched = found.tiles.len() as u64 + level0_count(&found.tiles);
    judge(&local, base, accepted, &found)?;
    Ok((found.records, fetched))
}

impl Findings {
    /// Notes the first tile that disagrees with the replica where they overlap.
    fn note_fork(
        &mut self,
        local: &impl TileReader,
        base: u64,
        path: &TilePath,
        hashes: &[u8],
    ) -> Result<(), FollowError> {
        if self.fork.is_none() {
            self.fork = disagreement(local, base, path, hashes)?;
        }
        Ok(())
    }
}

/// Judges what was fetched: the replica's tree grown by the new records must have the
/// checkpoint's root (else, in this order: the log forked from the replica's history, a
/// record is not in its tile, or the records are not the checkpoint's), every tile
/// fetched must be that tree's, and the last record's chain hash the signed head.
fn judge(
    local: &impl TileReader,
    base: u64,
    accepted: &Accepted,
    found: &Findings,
) -> Result<(), FollowError> {
    match check_tree(local, base, accepted, &found.records, &found.tiles) {
        Err(root @ FollowError::Refused(_)) => {
            let first = found.fork.clone().or_else(|| found.leaf.clone());
            return Err(first.map_or(root, FollowError::Refused));
        }
        Err(other) => return Err(other),
        Ok(tile) => tile?,
    }
    let head = found.records.last().map(|r| ChainHash::of(r));
    if let (Some(signed), Some(ours)) = (accepted.head, head)
        && signed != ours
    {
        return Err(FollowError::Refused(format!(
            "the checkpoint signs the chain head {signed}, but its last record's chain hash is \
             {ours}"
        )));
    }
    Ok(())
}

/// Level-0 tiles among `tiles` (each came with a bundle).
fn level0_count(tiles: &Fetched) -> u64 {
    let upper = tiles.keys().filter(|p| p.level() > 0).count();
    (tiles.len() - upper) as u64
}

/// Fetches tile or bundle `path`; a hash tile must be exactly its width of hashes.
fn fetch_tile(source: &mut dyn TileSource, path: &TilePath) -> Result<Vec<u8>, FollowError> {
    let bytes = source
        .fetch(&path.to_string(), limit_of(Some(path)))
        .map_err(FollowError::Source)?
        .ok_or_else(|| {
            FollowError::Refused(format!(
                "{} has no {path}, which its checkpoint needs",
                source.describe()
            ))
        })?;
    let want = usize::from(path.width()) * HASH_BYTES;
    if matches!(path.kind(), TileKind::Hashes { .. }) && bytes.len() != want {
        return Err(FollowError::Refused(format!(
            "tile {path} is {} bytes, not the {want} of its {} hashes",
            bytes.len(),
            path.width()
        )));
    }
    Ok(bytes)
}

/// Where hash tile `path` of the log covers hashes the replica's tree of `base` leaves
/// has too, they must be the same, else the log's history is not the replica's: what
/// differs, if anything does.
fn disagreement(
    local: &impl TileReader,
    base: u64,
    path: &TilePath,
    hashes: &[u8],
) -> Result<Option<String>, FollowError> {
    let row = base.checked_shr(8 * u32::from(path.level())).unwrap_or(0);
    let shared = row.min(path.end()).saturating_sub(path.first());
    let shared = match u16::try_from(shared) {
        Ok(0) | Err(_) => return Ok(None),
        Ok(n) => n,
    };
    let ours = hash_tile(local, base, &path.with_width(shared)?)?
        .ok_or(MerkleError::TileMissing { key: path.key() })
        .map_err(crate::ledger::LedgerError::from)?;
    let differs = (0..usize::from(shared)).find(|&i| {
        let at = i * HASH_BYTES..(i + 1) * HASH_BYTES;
        ours[at.clone()] != hashes[at]
    });
    Ok(differs.map(|i| {
        format!(
            "the log forked: hash {i} of its {path} is not the replica's, so its first {base} \
             records are not the ones accepted before (it is not consistent with them)"
        )
    }))
}

/// The replica's tiles with the new leaves appended: the tree the checkpoint must sign.
struct Grown<'r, R> {
    local: &'r R,
    writes: BTreeMap<TileKey, Vec<u8>>,
}

impl<R: TileReader> TileReader for Grown<'_, R> {
    fn read_tile(&self, key: TileKey) -> Result<Option<Vec<u8>>, MerkleError> {
        match self.writes.get(&key) {
            Some(bytes) => Ok(Some(bytes.clone())),
            None => self.local.read_tile(key),
        }
    }
}

/// The replica's tree grown by `records` must have the checkpoint's root, and each tile
/// fetched must be that tree's. A wrong root is the outer error (the records are not the
/// checkpoint's); a wrong tile, the inner one (the records are, the tile is not).
fn check_tree(
    local: &impl TileReader,
    base: u64,
    accepted: &Accepted,
    records: &[Vec<u8>],
    tiles: &Fetched,
) -> Result<Result<(), FollowError>, FollowError> {
    let leaves: Vec<Hash> = records.iter().map(|r| leaf_hash(r)).collect();
    let grown = Grown {
        local,
        writes: merkle::append_leaves(local, base, &leaves)
            .map_err(crate::ledger::LedgerError::from)?
            .into_iter()
            .collect(),
    };
    let root =
        merkle::tree_root(&grown, accepted.size).map_err(crate::ledger::LedgerError::from)?;
    if root != accepted.root {
        return Err(FollowError::Refused(format!(
            "the log's records do not hash to its checkpoint: its {} records have root {root}, \
             but the checkpoint signs {}",
            accepted.size, accepted.root
        )));
    }
    for (path, theirs) in tiles {
        let ours = hash_tile(&grown, accepted.size, path)?;
        if ours.as_deref() != Some(theirs.as_slice()) {
            return Ok(Err(FollowError::Refused(format!(
                "tile {path} does not hash to the checkpoint's root: it is not the tile of the \
                 tree of {} records the checkpoint signs",
                accepted.size
            ))));
        }
    }
    Ok(Ok(()))
}
