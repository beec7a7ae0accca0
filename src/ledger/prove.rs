//! What auditors need from a ledger: Merkle roots, signed checkpoints, inclusion and
//! consistency proofs, checking the ledger against a checkpoint signed earlier, and
//! checking a proof offline (no store) with only the log's verifier key.
//!
//! A checkpoint (C2SP tlog-checkpoint) commits to the RFC 6962 root of the first N
//! records; its note also carries an extension line `pactlog-head <hex>` with the
//! BLAKE3 chain head, so both hashes are signed together. The `checkpoints` tree keeps
//! every note the ledger signed, by tree size.

use super::{Ledger, LedgerError, StoredRecord, seq_from_key};
use crate::index::StoreTiles;
use crate::checkpoint::{
    Checkpoint, CheckpointError, SigningKey, TlogProof, VerifierKey, open_checkpoint,
};
use crate::codec::ChainHash;
use crate::codec::Seq;
use crate::merkle::{self, ConsistencyProof, Hash, MerkleError, RootAccumulator, TileReader};
use crate::model::{EventId, PartyId};
use crate::store::{Op, Store, Tree};

/// Prefix of the extension line that carries the BLAKE3 head in pactlog's checkpoints.
pub const HEAD_EXTENSION: &str = "pactlog-head ";

/// Why an auditor operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The ledger failed underneath.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A Merkle computation failed (missing tiles, bad sizes).
    #[error("merkle: {0}")]
    Merkle(#[from] MerkleError),
    /// Keys, notes or checkpoints are malformed or do not verify.
    #[error("{0}")]
    Checkpoint(#[from] CheckpointError),
    /// Signing now would contradict a checkpoint signed before.
    #[error("refusing to sign: {0}")]
    Inconsistent(String),
    /// The ledger does not contain what a checkpoint says it did.
    #[error("{0}")]
    Diverged(String),
    /// Nothing to prove or sign.
    #[error("{0}")]
    Unavailable(String),
}

impl AuditError {
    /// Whether this is a verification failure (tampering, bad signature) rather than a
    /// usage or storage problem.
    pub fn is_verification_failure(&self) -> bool {
        match self {
            AuditError::Diverged(_) | AuditError::Inconsistent(_) => true,
            AuditError::Checkpoint(e) => matches!(
                e,
                CheckpointError::BadSignature { .. }
                    | CheckpointError::NoKnownSignature { .. }
                    | CheckpointError::QuorumNotMet { .. }
            ),
            _ => false,
        }
    }
}

/// A checkpoint the ledger signed, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// Tree size it covers.
    pub size: u64,
    /// The signed note text.
    pub note: String,
}

/// The outcome of checking the ledger against a signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointCheck {
    /// The checkpoint's origin.
    pub origin: String,
    /// Records the checkpoint covers.
    pub checkpoint_size: u64,
    /// Records in the ledger now.
    pub ledger_size: u64,
    /// The consistency proof from the checkpoint to the current tree (it verified).
    pub proof: Vec<Hash>,
    /// Whether the note's `pactlog-head` line was compared with the chain head (a note
    /// without one, which pactlog never signs, is checked by its root alone).
    pub head_checked: bool,
}

/// What a pactlog checkpoint holds beyond the C2SP body, checked against the log it
/// should be of: the origin must be `origin` (by default the name of the key checked
/// with: pactlog signs with origin = key name, so another origin is a note signed for
/// another log; a witness's key, which cosigns the log's notes, needs the log's origin
/// named), and the note carries at most one `pactlog-head` line (two would let a checker
/// read the one it likes). Returns the signed chain head, when there is one.
///
/// # Errors
/// [`AuditError::Diverged`] naming what does not fit.
pub fn check_contents(
    cp: &Checkpoint,
    key: &VerifierKey,
    origin: Option<&str>,
) -> Result<Option<String>, AuditError> {
    let shown = crate::model::shorten(cp.origin());
    match origin {
        Some(log) if cp.origin() != log => {
            return Err(AuditError::Diverged(format!(
                "the checkpoint's origin {shown:?} is not the log {:?}: the note was signed \
                 for another log",
                crate::model::shorten(log)
            )));
        }
        None if cp.origin() != key.name() => {
            return Err(AuditError::Diverged(format!(
                "the checkpoint's origin {shown:?} is not the name of the key {:?} (key id \
                 {:08x}): the note was signed for another log (checking a witness's \
                 cosignature? name the log with --origin)",
                key.name(),
                key.key_id()
            )));
        }
        _ => {}
    }
    let heads: Vec<&str> = cp
        .extensions()
        .iter()
        .filter_map(|l| l.strip_prefix(HEAD_EXTENSION))
        .collect();
    match heads[..] {
        [] => Ok(None),
        [head] => Ok(Some(head.to_string())),
        _ => Err(AuditError::Diverged(format!(
            "the checkpoint has {} `pactlog-head` lines: a pactlog checkpoint signs one chain \
             head",
            heads.len()
        ))),
    }
}

impl<S: Store> Ledger<S> {
    /// RFC 6962 root of the first `size` records.
    ///
    /// # Errors
    /// Tiles missing or malformed.
    pub fn root_at(&self, size: u64) -> Result<Hash, LedgerError> {
        Ok(merkle::tree_root(&self.tiles(), size)?)
    }

    /// [`Ledger::root_at`] from the tiles in the store, never from the copies kept in
    /// memory: for the checks that vouch for what is stored (`verify`, checkpoints).
    pub(super) fn stored_root_at(&self, size: u64) -> Result<Hash, LedgerError> {
        Ok(merkle::tree_root(&self.stored_tiles(), size)?)
    }

    /// The tiles in the store, read every time.
    fn stored_tiles(&self) -> StoreTiles<'_, S> {
        StoreTiles(&self.store)
    }

    /// Reads Merkle tiles, for proofs (the upper tiles from memory after the first
    /// read: `TileCache`). `verify` and the checkpoint checks read the store instead,
    /// so that they vouch for what is stored, even if it changed behind this ledger.
    pub fn tiles(&self) -> impl TileReader + '_ {
        self.tiles.over(StoreTiles(&self.store))
    }

    /// The checkpoints signed so far, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub fn checkpoints(&self) -> Result<Vec<SignedCheckpoint>, LedgerError> {
        let mut out = Vec::new();
        for item in self.store.range(Tree::Checkpoints, b"", None) {
            let (k, v) = item?;
            let size = seq_from_key(k.as_ref()).map_or(0, Seq::get);
            out.push(SignedCheckpoint {
                size,
                note: String::from_utf8_lossy(v.as_ref()).into_owned(),
            });
        }
        Ok(out)
    }

    /// The newest checkpoint signed, if any.
    ///
    /// # Errors
    /// Storage errors.
    pub fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, LedgerError> {
        Ok(self
            .store
            .last(Tree::Checkpoints)?
            .map(|(k, v)| SignedCheckpoint {
                size: seq_from_key(k.as_ref()).map_or(0, Seq::get),
                note: String::from_utf8_lossy(v.as_ref()).into_owned(),
            }))
    }

    /// Signs a checkpoint of the current head with `key` (origin = the key's name),
    /// stores it and returns the note: [`Ledger::prepare_checkpoint`], then
    /// [`Ledger::record_checkpoint`].
    ///
    /// # Errors
    /// As those two.
    pub fn sign_checkpoint(&mut self, key: &SigningKey) -> Result<String, AuditError> {
        let pending = self.prepare_checkpoint(key)?;
        let note = pending.note.clone();
        self.record_checkpoint(pending)?;
        Ok(note)
    }

    /// Signs a checkpoint of the current head with `key` (origin = the key's name)
    /// without storing it, so that a caller can deliver the note first (print it, send
    /// it) and store only what was delivered. When the newest stored checkpoint is that
    /// very note with witnesses' cosignatures added ([`Ledger::store_cosigned`]), the
    /// note comes with them. Refuses when the ledger is empty, or when the ledger is not
    /// consistent with the last checkpoint this ledger signed (shorter
    /// than it, or with a different root at its size).
    ///
    /// # Errors
    /// [`AuditError::Inconsistent`] as above; key, tile or storage errors.
    pub fn prepare_checkpoint(&mut self, key: &SigningKey) -> Result<PendingCheckpoint, AuditError> {
        let size = self.size();
        if size == 0 {
            return Err(AuditError::Unavailable(
                "the ledger is empty: import events before signing a checkpoint".into(),
            ));
        }
        // Never sign what does not verify, and sign the root recomputed from the records
        // themselves, not whatever the derived tiles say.
        let report = self.verify()?;
        let root = match (&report.first_break, report.root) {
            (None, Some(root)) => root,
            (Some(b), _) => {
                return Err(AuditError::Inconsistent(format!(
                    "the ledger does not verify: {b}"
                )));
            }
            (None, None) => {
                return Err(AuditError::Inconsistent(
                    "the ledger does not verify".into(),
                ));
            }
        };
        if let Some(last) = self.latest_checkpoint()? {
            let (cp, _) = open_checkpoint(&last.note, &[key.verifier_key()]).map_err(|e| {
                AuditError::Inconsistent(format!(
                    "the last checkpoint (size {}) does not verify with this key ({e}); sign with the key that signed it",
                    last.size
                ))
            })?;
            if cp.size() > size {
                return Err(AuditError::Inconsistent(format!(
                    "the ledger has {size} records but a checkpoint of {} was signed: it was truncated or rolled back",
                    cp.size()
                )));
            }
            let old_root = Hash::from_bytes(*cp.root());
            if self.root_from_records(cp.size())? != old_root {
                return Err(AuditError::Inconsistent(format!(
                    "the ledger is not consistent with the checkpoint of size {m} signed before: its first {m} \
                     records no longer give the signed root (they were rewritten)",
                    m = cp.size()
                )));
            }
            let proof = merkle::consistency_proof(&self.stored_tiles(), cp.size(), size)?;
            root.verify_consistency(size, &old_root, cp.size(), &proof.hashes).map_err(|e| {
                AuditError::Inconsistent(format!(
                    "the ledger is not consistent with the checkpoint of size {} signed before ({e})",
                    cp.size()
                ))
            })?;
        }
        let head = self.head_at(size)?;
        let cp = Checkpoint::new(
            key.name(),
            size,
            *root.as_bytes(),
            vec![format!("{HEAD_EXTENSION}{}", head.to_hex())],
        )?;
        let note = cp.sign(key)?;
        let note = self.cosigned_copy(size, &note)?.unwrap_or(note);
        Ok(PendingCheckpoint { size, note })
    }

    /// Stores a checkpoint from [`Ledger::prepare_checkpoint`] (the newest one is what
    /// inclusion proofs are made against) and makes it durable.
    ///
    /// # Errors
    /// [`AuditError::Inconsistent`] when records were added since it was signed;
    /// storage errors.
    pub fn record_checkpoint(&mut self, pending: PendingCheckpoint) -> Result<(), AuditError> {
        if pending.size != self.size() {
            return Err(AuditError::Inconsistent(format!(
                "the checkpoint was signed at size {} but the ledger now has {} records: sign again",
                pending.size,
                self.size()
            )));
        }
        // Signing is deterministic: a head signed again gives the note already stored,
        // and writing it again would only give a kill another write to land in.
        if let Some(last) = self.latest_checkpoint()?
            && last.size == pending.size
            && last.note == pending.note
        {
            return Ok(());
        }
        self.store
            .apply(
                Tree::Checkpoints,
                vec![Op::Put(
                    Seq::new(pending.size).key().to_vec(),
                    pending.note.into_bytes(),
                )],
            )
            .map_err(LedgerError::from)?;
        self.flush()?;
        Ok(())
    }

    /// The RFC 6962 root of the first `size` records, computed from the records' bytes
    /// (not from the stored tiles).
    ///
    /// # Errors
    /// [`AuditError::Diverged`] when a record of the prefix is missing; storage errors.
    pub fn root_from_records(&self, size: u64) -> Result<Hash, AuditError> {
        let mut acc = RootAccumulator::default();
        let mut count = 0u64;
        for stored in self.raw_records(0, Some(size)) {
            let stored = stored?;
            if stored.seq.get() != count {
                return Err(AuditError::Diverged(format!("record {count} is missing")));
            }
            acc.push(merkle::leaf_hash(&stored.bytes));
            count += 1;
        }
        if count != size {
            return Err(AuditError::Diverged(format!("record {count} is missing")));
        }
        Ok(acc.root())
    }

    /// Finds the record of an event or party id.
    ///
    /// # Errors
    /// Storage errors.
    pub fn seq_of_id(&self, id: &str) -> Result<Option<Seq>, LedgerError> {
        if let Ok(e) = EventId::new(id)
            && let Some(seq) = self.event_seq(&e)?
        {
            return Ok(Some(seq));
        }
        if let Ok(p) = PartyId::new(id)
            && let Some(seq) = self.party_seq(&p)?
        {
            return Ok(Some(seq));
        }
        Ok(None)
    }

    /// A C2SP tlog-proof that the record `seq` is in the tree of the newest signed
    /// checkpoint, carrying the record's canonical bytes in its `extra` line.
    ///
    /// # Errors
    /// [`AuditError::Unavailable`] when no signed checkpoint covers the record.
    pub fn inclusion_proof(&self, seq: Seq) -> Result<TlogProof, AuditError> {
        let Some(last) = self.latest_checkpoint()? else {
            return Err(AuditError::Unavailable(
                "no checkpoint signed yet: run `pactlog checkpoint --key-file SKEY` first".into(),
            ));
        };
        if seq.get() >= last.size {
            return Err(AuditError::Unavailable(format!(
                "record {seq} is newer than the last checkpoint (size {}): sign a new checkpoint first",
                last.size
            )));
        }
        let stored: StoredRecord = self
            .raw(seq)?
            .ok_or_else(|| AuditError::Unavailable(format!("record {seq} does not exist")))?;
        let proof = merkle::inclusion_proof(&self.tiles(), seq.get(), last.size)?;
        let hashes = proof.hashes.iter().map(|h| *h.as_bytes()).collect();
        Ok(TlogProof::new(
            Some(stored.bytes),
            seq.get(),
            hashes,
            last.note,
        )?)
    }

    /// The consistency proof between two tree sizes of this ledger.
    ///
    /// # Errors
    /// Bad sizes (0, inverted, beyond the ledger) or tile errors.
    pub fn consistency(
        &self,
        old: u64,
        new: u64,
    ) -> Result<(Hash, Hash, ConsistencyProof), AuditError> {
        if old == 0 || new == 0 {
            return Err(AuditError::Unavailable(
                "old size 0: tree sizes start at 1, and a consistency proof from the empty tree proves nothing"
                    .into(),
            ));
        }
        if new > self.size() {
            return Err(AuditError::Unavailable(format!(
                "the ledger has only {} records, not {new}",
                self.size()
            )));
        }
        let proof = merkle::consistency_proof(&self.tiles(), old, new)?;
        Ok((self.root_at(old)?, self.root_at(new)?, proof))
    }

    /// Checks the ledger against a checkpoint signed earlier: the signature, its contents
    /// (`check_contents`), the signed chain head when the note has one, that the
    /// ledger still holds at least as many records, and that the root of its first N
    /// records (recomputed from the records themselves, not the stored tiles) is the
    /// signed root, with a consistency proof to the current tree.
    ///
    /// Run it with [`Ledger::verify`] for the whole chain.
    ///
    /// # Errors
    /// [`AuditError::Diverged`] naming what is wrong (truncated or rolled back, rewritten);
    /// signature errors; storage errors.
    pub fn check_checkpoint(
        &self,
        note: &str,
        key: &VerifierKey,
    ) -> Result<CheckpointCheck, AuditError> {
        self.check_checkpoint_of(note, key, None)
    }

    /// [`Ledger::check_checkpoint`] of a note whose origin is `origin` (by default the
    /// key's name; see `check_contents`).
    ///
    /// # Errors
    /// As [`Ledger::check_checkpoint`].
    pub fn check_checkpoint_of(
        &self,
        note: &str,
        key: &VerifierKey,
        origin: Option<&str>,
    ) -> Result<CheckpointCheck, AuditError> {
        let (cp, _) = open_checkpoint(note, std::slice::from_ref(key))?;
        let head = check_contents(&cp, key, origin)?;
        let m = cp.size();
        let n = self.size();
        if m > n {
            return Err(AuditError::Diverged(format!(
                "the ledger has {n} records but the checkpoint covers {m}: records were removed \
                 (the ledger was truncated or rolled back to an older copy)"
            )));
        }
        let signed = Hash::from_bytes(*cp.root());
        let computed = self.root_from_records(m)?;
        if computed != signed {
            return Err(AuditError::Diverged(format!(
                "not consistent with the checkpoint: the first {m} records have root {computed}, \
                 but the checkpoint signed {signed} (records were rewritten)"
            )));
        }
        if let Some(head) = &head {
            let ours = self.head_at(m)?;
            if ChainHash::from_hex(head) != Some(ours) {
                return Err(AuditError::Diverged(format!(
                    "the chain head at {m} is {ours}, but the checkpoint signed {head} (records were rewritten)"
                )));
            }
        }
        // The empty tree (its root checked above) is a prefix of every tree: there is
        // no consistency proof from it to check.
        let proof = if m == 0 {
            Vec::new()
        } else {
            let new_root = self.stored_root_at(n)?;
            let proof = merkle::consistency_proof(&self.stored_tiles(), m, n)?;
            new_root
                .verify_consistency(n, &signed, m, &proof.hashes)
                .map_err(|e| {
                    AuditError::Diverged(format!(
                        "the stored tree is not consistent with the checkpoint ({e})"
                    ))
                })?;
            proof.hashes
        };
        Ok(CheckpointCheck {
            origin: cp.origin().to_string(),
            checkpoint_size: m,
            ledger_size: n,
            proof,
            head_checked: head.is_some(),
        })
    }
}

/// A checkpoint signed and not yet stored ([`Ledger::prepare_checkpoint`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingCheckpoint {
    /// The tree size it covers.
    pub size: u64,
    /// The signed note.
    pub note: String,
}

/// What an offline audit of an inclusion proof established.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditedRecord {
    /// The checkpoint's origin.
    pub origin: String,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The record proven.
    pub record: crate::codec::Record,
}

/// Checks a tlog-proof offline (no store): the checkpoint's signature by `key` and its
/// contents (`check_contents`: origin = the key's name, one head line at most), the
/// inclusion path of the record bytes in its `extra` line, and that those bytes decode
/// strictly to a record at the proven index.
///
/// # Errors
/// [`AuditError::Checkpoint`] for a malformed file or bad signature;
/// [`AuditError::Diverged`] when the path or the record does not check out.
pub fn audit_inclusion(text: &str, key: &VerifierKey) -> Result<AuditedRecord, AuditError> {
    audit_inclusion_of(text, key, None)
}

/// [`audit_inclusion`] of a proof whose checkpoint's origin is `origin` (by default the
/// key's name; see `check_contents`).
///
/// # Errors
/// As [`audit_inclusion`].
pub fn audit_inclusion_of(
    text: &str,
    key: &VerifierKey,
    origin: Option<&str>,
) -> Result<AuditedRecord, AuditError> {
    let proof = TlogProof::parse(text)?;
    let (cp, _) = proof.open_checkpoint(std::slice::from_ref(key))?;
    check_contents(&cp, key, origin)?;
    let bytes = proof.extra().ok_or_else(|| {
        AuditError::Diverged("the proof carries no record bytes (no `extra` line)".into())
    })?;
    let leaf = merkle::leaf_hash(bytes);
    let hashes: Vec<Hash> = proof
        .hashes()
        .iter()
        .map(|h| Hash::from_bytes(*h))
        .collect();
    Hash::from_bytes(*cp.root())
        .verify_inclusion(&leaf, proof.index(), cp.size(), &hashes)
        .map_err(|e| {
            AuditError::Diverged(format!(
                "the inclusion path does not lead to the signed root: {e}"
            ))
        })?;
    let record = crate::codec::decode(bytes).map_err(|e| {
        AuditError::Diverged(format!("the proven bytes are not a valid record: {e}"))
    })?;
    if record.seq.get() != proof.index() {
        return Err(AuditError::Diverged(format!(
            "the record says it is record {}, but the proof is for index {}",
            record.seq,
            proof.index()
        )));
    }
    Ok(AuditedRecord {
        origin: cp.origin().to_string(),
        size: cp.size(),
        record,
    })
}
