//! Reading a ledger back: records by position, events and parties by id, the parties'
//! names, and what the `pairs` index lists for a relationship.

use super::{Ledger, LedgerError, StoredRecord, seq_from_key};
use crate::codec::{ChainHash, Entry, Record, Seq};
use crate::index::{Index, Listing};
use crate::model::{Day, Event, EventId, PartyId, PartyRegistry, ResolveError};
use crate::store::{Store, Tree};

impl<S: Store> Ledger<S> {
    /// Every party the ledger defines (read from the store on first use).
    ///
    /// # Errors
    /// Storage errors, or a damaged `ids` index while reading a store without a party
    /// snapshot.
    pub fn parties(&self) -> Result<&PartyRegistry, LedgerError> {
        // A party record that no longer decodes is damage for `verify` to report;
        // opening must still succeed so that it can.
        let party_at = |seq| match self.record(seq) {
            Ok(Some(Record {
                entry: Entry::Party(p),
                ..
            })) => Some(p),
            _ => None,
        };
        Ok(self.index.parties(&self.store, party_at)?)
    }

    /// Resolves a party id, name or alias as [`PartyRegistry::resolve`] does. While the
    /// registry is not loaded (a query that only names its parties), it answers from the
    /// stored name index, which takes microseconds where loading 10 000 parties takes
    /// milliseconds; a name it does not list is resolved by the registry, for its
    /// suggestions.
    ///
    /// # Errors
    /// Storage errors; the inner error is the name's.
    pub fn resolve_party(
        &self,
        name: &str,
    ) -> Result<Result<PartyId, ResolveError>, LedgerError> {
        if self.index.loaded_parties().is_none()
            && let Some(named) = Index::named(&self.store, &PartyRegistry::name_key(name))?
            && let Some(answer) = PartyRegistry::answer(name, named)
        {
            return Ok(answer);
        }
        Ok(self.parties()?.resolve(name))
    }

    /// The raw stored record at `seq`.
    ///
    /// # Errors
    /// Storage errors or a malformed stored value.
    pub fn raw(&self, seq: Seq) -> Result<Option<StoredRecord>, LedgerError> {
        match self.store.get(Tree::Records, &seq.key())? {
            None => Ok(None),
            Some(v) => StoredRecord::from_value(seq, v.as_ref()).map(Some),
        }
    }

    /// The decoded record at `seq`.
    ///
    /// # Errors
    /// Storage errors or a corrupt record.
    pub fn record(&self, seq: Seq) -> Result<Option<Record>, LedgerError> {
        match self.raw(seq)? {
            None => Ok(None),
            Some(s) => s.decode().map(Some),
        }
    }

    /// Where the event `id` was recorded.
    ///
    /// # Errors
    /// Storage errors.
    pub fn event_seq(&self, id: &EventId) -> Result<Option<Seq>, LedgerError> {
        Ok(self.index.event_seq(&self.store, id)?)
    }

    /// Where the party `id` was (last) defined.
    ///
    /// # Errors
    /// Storage errors.
    pub fn party_seq(&self, id: &PartyId) -> Result<Option<Seq>, LedgerError> {
        Ok(self.index.party_seq(&self.store, id)?)
    }

    /// The event `id` and its seq.
    ///
    /// # Errors
    /// Storage errors or a corrupt record.
    pub fn event(&self, id: &EventId) -> Result<Option<(Seq, Event)>, LedgerError> {
        let Some(seq) = self.event_seq(id)? else {
            return Ok(None);
        };
        match self.record(seq)?.map(|r| r.entry) {
            Some(Entry::Event(e)) => Ok(Some((seq, e))),
            _ => Err(LedgerError::Damaged {
                seq: seq.get(),
                why: format!("the ids index points event {id} at a record that is not it"),
            }),
        }
    }

    /// Every record in seq order, `from..to` (to = None: the end), never past
    /// [`Ledger::size`].
    pub fn records(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> impl Iterator<Item = Result<Record, LedgerError>> + '_ {
        self.raw_records(from, to)
            .map(|r| r.and_then(|s| s.decode()))
    }

    /// Every stored record in seq order, `from..to` (to = None: the end), never past
    /// [`Ledger::size`]: a reader's view ([`SharedLedger`](super::SharedLedger)) stays
    /// the prefix its answers name while the writer appends.
    pub fn raw_records(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> impl Iterator<Item = Result<StoredRecord, LedgerError>> + '_ {
        let end = Seq::new(to.map_or(self.size, |t| t.min(self.size))).key();
        let end = Some(end);
        self.store
            .range(
                Tree::Records,
                &Seq::new(from).key(),
                end.as_ref().map(|e| &e[..]),
            )
            .map(|item| {
                let (k, v) = item?;
                let seq = seq_from_key(k.as_ref()).ok_or_else(|| LedgerError::Damaged {
                    seq: 0,
                    why: "a records key is not 8 bytes".into(),
                })?;
                StoredRecord::from_value(seq, v.as_ref())
            })
    }

    /// Seqs the `pairs` index lists for `(a, b)` under `listing`, with earliest day <=
    /// `until` when given, in key order (day, then seq). `a == b` lists one-party events.
    pub(crate) fn pair_seqs(
        &self,
        a: &PartyId,
        b: &PartyId,
        listing: Listing,
        until: Option<Day>,
    ) -> Result<Vec<Seq>, LedgerError> {
        Ok(self
            .index
            .pair_seqs(&self.store, (a, b), listing, until)?)
    }

    /// The parties that share at least one event with `party`.
    ///
    /// # Errors
    /// Storage errors.
    pub fn partners(&self, party: &PartyId) -> Result<Vec<PartyId>, LedgerError> {
        Ok(self.index.partners(&self.store, party)?)
    }

    /// Every relationship (sorted pair) that has at least one event.
    ///
    /// # Errors
    /// Storage errors.
    pub fn relationships(&self) -> Result<Vec<(PartyId, PartyId)>, LedgerError> {
        let mut out = Vec::new();
        for p in self.parties()?.iter() {
            for other in self.partners(&p.id)? {
                if p.id < other {
                    out.push((p.id.clone(), other));
                }
            }
        }
        Ok(out)
    }

    /// Chain hash of record `size - 1` (zeros for 0).
    ///
    /// # Errors
    /// Storage errors or a missing record.
    pub fn head_at(&self, size: u64) -> Result<ChainHash, LedgerError> {
        if size == 0 {
            return Ok(ChainHash::ZERO);
        }
        match self.raw(Seq::new(size - 1))? {
            Some(r) => Ok(r.hash),
            None => Err(LedgerError::Damaged {
                seq: size - 1,
                why: "record is missing".into(),
            }),
        }
    }
}
