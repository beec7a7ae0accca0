//! A log's side of witnessing: the tlog-witness `add-checkpoint` request for one of its
//! checkpoints, and keeping the cosignatures witnesses return with the stored note.

use super::Ledger;
use super::prove::AuditError;
use crate::checkpoint::{Checkpoint, Note, VerifierKey, open_checkpoint};
use crate::codec::Seq;
use crate::cosigner::AddCheckpoint;
use crate::merkle;
use crate::store::{Op, Store, Tree};

impl<S: Store> Ledger<S> {
    /// The `add-checkpoint` request that asks a witness which last cosigned the tree of
    /// `old` records to cosign `note`, a checkpoint of this ledger: the consistency proof
    /// from `old` to the note's size, from this ledger's tiles (empty from 0, as the
    /// spec wants, and between equal sizes).
    ///
    /// # Errors
    /// [`AuditError::Checkpoint`] for a note that does not parse;
    /// [`AuditError::Unavailable`] when `old` is larger than the note's size or the
    /// note covers more records than the ledger holds; tile errors.
    pub fn witness_request(&self, old: u64, note: &str) -> Result<AddCheckpoint, AuditError> {
        let parsed = Note::parse(note)?;
        let cp = Checkpoint::parse_body(parsed.text())?;
        let size = cp.size();
        if old > size {
            return Err(AuditError::Unavailable(format!(
                "old size {old} is larger than the checkpoint's size {size}: a witness that \
                 cosigned {old} records cannot be shown a smaller tree"
            )));
        }
        if size > self.size() {
            return Err(AuditError::Unavailable(format!(
                "the checkpoint covers {size} records but the ledger holds {}",
                self.size()
            )));
        }
        let proof = if old == 0 || old == size {
            Vec::new()
        } else {
            merkle::consistency_proof(&self.tiles(), old, size)?.hashes
        };
        Ok(AddCheckpoint {
            old,
            proof,
            note: note.to_string(),
        })
    }

    /// Replaces the stored checkpoint of `note`'s size with `note`, the same checkpoint
    /// with more signature lines (witnesses' cosignatures): `/checkpoint`, `publish` and
    /// inclusion proofs then carry them. The note must open with `key` (the log's), its
    /// text must be the stored note's, and it must keep every signature line the stored
    /// one has. The cosignatures themselves are not checked here: auditors check them
    /// with the witnesses' keys.
    ///
    /// # Errors
    /// [`AuditError::Checkpoint`] for a note that does not open with `key`;
    /// [`AuditError::Unavailable`] when no checkpoint of that size is stored, or the
    /// stored one has another text or a signature line `note` lacks; storage errors.
    pub fn store_cosigned(&mut self, note: &str, key: &VerifierKey) -> Result<(), AuditError> {
        let (cp, _) = open_checkpoint(note, std::slice::from_ref(key))?;
        let new = Note::parse(note)?;
        let size = cp.size();
        let stored = self
            .checkpoints()?
            .into_iter()
            .find(|c| c.size == size)
            .ok_or_else(|| {
                AuditError::Unavailable(format!("no checkpoint of size {size} is stored"))
            })?;
        let old = Note::parse(&stored.note)?;
        if old.text() != new.text() {
            return Err(AuditError::Unavailable(format!(
                "the stored checkpoint of size {size} has another text: only cosignatures of \
                 the very checkpoint the ledger signed are kept with it"
            )));
        }
        if let Some(lost) = old.signatures().iter().find(|s| !new.signatures().contains(s)) {
            return Err(AuditError::Unavailable(format!(
                "the note lacks the stored signature line by {:?} (key id {:08x})",
                lost.name(),
                lost.key_id()
            )));
        }
        self.store
            .apply(
                Tree::Checkpoints,
                vec![Op::Put(Seq::new(size).key().to_vec(), note.as_bytes().to_vec())],
            )
            .map_err(super::LedgerError::from)?;
        self.flush()?;
        Ok(())
    }
}

impl<S: Store> Ledger<S> {
    /// The stored note of `size` when it is `note` with more signature lines (the
    /// cosignatures [`Ledger::store_cosigned`] kept): signing an unchanged head again
    /// then keeps them.
    pub(super) fn cosigned_copy(&self, size: u64, note: &str) -> Result<Option<String>, AuditError> {
        let Some(latest) = self.latest_checkpoint()? else {
            return Ok(None);
        };
        if latest.size != size || latest.note == note {
            return Ok(None);
        }
        let (Ok(stored), Ok(new)) = (Note::parse(&latest.note), Note::parse(note)) else {
            return Ok(None);
        };
        let keeps = stored.text() == new.text()
            && new.signatures().iter().all(|s| stored.signatures().contains(s));
        Ok(keeps.then_some(latest.note))
    }
}
