//! Opening a ledger: the record format check, the end of the chain, and the derived data
//! (indexes, Merkle tiles), completed from the records when it lags them.

use super::witness;
use super::{Ledger, LedgerError, StoredRecord, seq_from_key};
use crate::codec::{self, ChainHash, Seq};
use crate::index::{self, Index};
use crate::merkle::TileCache;
use crate::store::{Store, Tree};

impl<S: Store> Ledger<S> {
    /// Opens the ledger in `store`, completing derived data that lags the records.
    ///
    /// # Errors
    /// Storage errors, an unsupported format, or a record that cannot be read while
    /// completing the derived data.
    pub fn open(store: S) -> Result<Ledger<S>, LedgerError> {
        if let Some(found) = index::stored_format(&store)?
            && found != index::STORE_FORMAT
        {
            return Err(LedgerError::UnsupportedFormat {
                found,
                supported: index::STORE_FORMAT,
            });
        }
        let mut ledger = Ledger {
            store,
            size: 0,
            head: ChainHash::ZERO,
            index: Index::new(),
            tiles: TileCache::new(),
            defer: false,
            carried: Vec::new(),
        };
        ledger.load()?;
        Ok(ledger)
    }

    /// Reads the size and head from the records, loads the derived indexes and
    /// completes them if they lag. Opening does this; so does an append that failed, so
    /// that the ledger in memory describes the store again.
    pub(super) fn load(&mut self) -> Result<(), LedgerError> {
        // Completing derived data writes tiles.
        self.tiles.clear();
        (self.size, self.head) = match self.store.last(Tree::Records)? {
            None => (0, ChainHash::ZERO),
            Some((k, v)) => {
                let seq = seq_from_key(k.as_ref()).ok_or_else(|| LedgerError::Damaged {
                    seq: 0,
                    why: "the last key of the records tree is not a sequence number".into(),
                })?;
                // A damaged last value must not stop `verify` from opening the store;
                // appends check the head before writing (see `append.rs`).
                let hash =
                    StoredRecord::from_value(seq, v.as_ref()).map_or(ChainHash::ZERO, |r| r.hash);
                (seq.get() + 1, hash)
            }
        };
        // Indexes of another layout, or whose headers do not parse, cover nothing and
        // are rebuilt from the records.
        let (index, done) = Index::load(&self.store)?;
        let carried = std::mem::replace(&mut self.index, index).take_retired();
        if self.defer {
            self.carried.extend(carried);
            self.index.defer_reclaim();
        }
        // Derived data of more records than the store holds (records lost after they were
        // indexed: sled's recovery dropping a damaged tail) would point at seqs that new
        // appends reuse: rebuild it all from the records that are there.
        let done = if done > self.size { 0 } else { done };
        if done < self.size {
            self.rebuild_derived(done)?;
        }
        Ok(())
    }

    /// Rebuilds ids, pairs and Merkle tiles for records `from..size`.
    fn rebuild_derived(&mut self, from: u64) -> Result<(), LedgerError> {
        const CHUNK: u64 = 4096;
        let mut start = from;
        if from == 0 {
            // Start clean: derived trees may hold keys of a different layout.
            self.index = Index::clear(&self.store)?;
            if self.defer {
                self.index.defer_reclaim();
            }
        } else {
            // The registry of the first `from` records, to which the rebuild adds.
            self.parties()?;
        }
        while start < self.size {
            let end = (start + CHUNK).min(self.size);
            let (batch, damaged) = self.intact_records(start, end)?;
            let with_leaves: Vec<_> = batch.iter().map(|(s, r)| (s.leaf, r)).collect();
            self.index.add(&self.store, start, &with_leaves)?;
            if damaged || batch.is_empty() {
                break;
            }
            start += batch.len() as u64;
        }
        self.index.write_pending(&self.store)?;
        self.flush()
    }

    /// Records `start..end` up to the first that is missing or does not decode (then
    /// `true`): derived data is built only over an intact prefix. The watermark stays
    /// there, reads see the prefix, and `verify` reports the damage.
    fn intact_records(
        &self,
        start: u64,
        end: u64,
    ) -> Result<(Vec<(StoredRecord, codec::Record)>, bool), LedgerError> {
        let mut batch = Vec::with_capacity((end - start) as usize);
        for item in self.store.range(
            Tree::Records,
            &Seq::new(start).key(),
            Some(&Seq::new(end).key()),
        ) {
            let (k, v) = item?;
            let expected = Seq::new(start + batch.len() as u64);
            let good = seq_from_key(k.as_ref())
                .filter(|seq| *seq == expected)
                .and_then(|seq| StoredRecord::from_value(seq, v.as_ref()).ok())
                .and_then(|stored| stored.decode().ok().map(|r| (stored, r)));
            match good {
                Some(pair) => batch.push(pair),
                None => return Ok((batch, true)),
            }
        }
        Ok((batch, false))
    }

    /// Makes every write durable, and witnesses the records (a store without a witness,
    /// made before witnesses or whose witness was removed, gets one).
    pub(super) fn flush(&self) -> Result<(), LedgerError> {
        self.store.flush()?;
        witness::acknowledge(&self.store, self.tip())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Entry, Timestamp};
    use crate::index::{META_NAMES, META_PARTIES};
    use crate::model::{Party, PartyId};
    use crate::store::{MemoryStore, Op};

    fn party(id: &str, name: &str) -> Entry {
        Entry::Party(Party {
            id: PartyId::new(id).unwrap(),
            name: name.into(),
            aliases: vec![],
        })
    }

    #[test]
    fn indexes_of_records_that_are_gone_are_rebuilt_on_open() {
        let store = MemoryStore::new();
        let mut ledger = Ledger::open(store.clone()).unwrap();
        let at = Timestamp::from_unix(0);
        let parties = ["acme", "beta", "gamma", "delta"];
        ledger
            .append_unchecked(parties.iter().map(|p| party(p, p)).collect(), at)
            .unwrap();
        // The tail is lost after it was indexed (as when sled's recovery drops it).
        store
            .apply(
                Tree::Records,
                vec![
                    Op::Delete(Seq::new(2).key().to_vec()),
                    Op::Delete(Seq::new(3).key().to_vec()),
                ],
            )
            .unwrap();
        let mut reopened = Ledger::open(store).unwrap();
        assert_eq!(reopened.size(), 2);
        let seq_of = |l: &Ledger<MemoryStore>, p: &str| l.party_seq(&PartyId::new(p).unwrap());
        assert_eq!(seq_of(&reopened, "beta").unwrap(), Some(Seq::new(1)));
        assert_eq!(
            seq_of(&reopened, "gamma").unwrap(),
            None,
            "an index of a lost record"
        );
        assert_eq!(reopened.parties().unwrap().iter().count(), 2);
        // A new record at a reused seq is what the index names.
        reopened
            .append_unchecked(vec![party("omega", "Omega")], at)
            .unwrap();
        assert_eq!(seq_of(&reopened, "omega").unwrap(), Some(Seq::new(2)));
        assert_eq!(seq_of(&reopened, "gamma").unwrap(), None);
    }

    #[test]
    fn the_party_registry_reopens_from_its_snapshot_or_without_it() {
        let store = MemoryStore::new();
        let mut ledger = Ledger::open(store.clone()).unwrap();
        let at = Timestamp::from_unix(0);
        ledger
            .append_unchecked(vec![party("acme", "Acme"), party("zeta", "Zeta")], at)
            .unwrap();
        // A later definition wins, in the snapshot as in the registry.
        ledger
            .append_unchecked(vec![party("acme", "Acme Corp")], at)
            .unwrap();
        let listed = |l: &Ledger<MemoryStore>| -> Vec<Party> {
            l.parties().unwrap().iter().cloned().collect()
        };
        let want = listed(&ledger);
        assert_eq!(want.len(), 2);
        assert_eq!(want[0].name, "Acme Corp");
        assert!(store.get(Tree::Meta, META_PARTIES).unwrap().is_some());
        let reopened = Ledger::open(store.clone()).unwrap();
        assert_eq!(listed(&reopened), want);
        // A snapshot that does not decode is ignored: the records still name the parties.
        store
            .apply(
                Tree::Meta,
                vec![Op::Put(META_PARTIES.to_vec(), vec![0xff; 3])],
            )
            .unwrap();
        let reopened = Ledger::open(store).unwrap();
        assert_eq!(listed(&reopened), want);
    }

    #[test]
    fn names_resolve_from_the_stored_name_index_as_the_registry_resolves_them() {
        let store = MemoryStore::new();
        let mut ledger = Ledger::open(store.clone()).unwrap();
        let at = Timestamp::from_unix(0);
        let with_aliases = |id: &str, name: &str, aliases: &[&str]| {
            Entry::Party(Party {
                id: PartyId::new(id).unwrap(),
                name: name.into(),
                aliases: aliases.iter().map(|a| a.to_string()).collect(),
            })
        };
        ledger
            .append_unchecked(
                vec![
                    with_aliases("openai", "OpenAI", &["Stargate", "OAI"]),
                    with_aliases("softbank", "SoftBank", &["stargate"]),
                    with_aliases("amazon", "Amazon", &["AWS"]),
                ],
                at,
            )
            .unwrap();
        // A redefinition drops an alias: the stored index follows.
        ledger
            .append_unchecked(
                vec![with_aliases("amazon", "Amazon", &["Amazon Web Services"])],
                at,
            )
            .unwrap();
        let names = [
            "openai",
            " OAI ",
            "stargate",
            "STARGATE",
            "amazon",
            "aws",
            "amazon web services",
            "softbank",
            "SoftBank",
            "opena",
            "nothing",
            "",
        ];
        let by_registry: Vec<_> = {
            let reopened = Ledger::open(store.clone()).unwrap();
            let registry = reopened.parties().unwrap();
            names.iter().map(|n| registry.resolve(n)).collect()
        };
        let reopened = Ledger::open(store.clone()).unwrap();
        for (name, want) in names.iter().zip(&by_registry) {
            assert_eq!(&reopened.resolve_party(name).unwrap(), want, "{name:?}");
        }
        assert!(by_registry[0].is_ok() && by_registry[5].is_err());
        // Names the index lists were answered without loading the registry.
        let fresh = Ledger::open(store.clone()).unwrap();
        for name in ["openai", "stargate", "amazon web services"] {
            fresh.resolve_party(name).unwrap().ok();
        }
        assert!(
            fresh.index.loaded_parties().is_none(),
            "the registry stayed unloaded"
        );
        // A store without the name index (written before it existed) resolves alike.
        store
            .apply(Tree::Meta, vec![Op::Delete(META_NAMES.to_vec())])
            .unwrap();
        let old = Ledger::open(store).unwrap();
        for (name, want) in names.iter().zip(&by_registry) {
            assert_eq!(&old.resolve_party(name).unwrap(), want, "{name:?}");
        }
    }
}
