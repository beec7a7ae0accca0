//! The ledger's tlog-tiles resources (`pactlog::tlog::read_tile`) read by the `tlog_tiles`
//! crate (a port of Go's `sumdb/tlog`): its tile reader authenticates our tiles against
//! the ledger's root, builds inclusion and consistency proofs from them, and checks them
//! with its own verifiers; every bundle entry hashes to its leaf in our level-0 tiles.

use pactlog::codec::{Entry, Seq, Timestamp};
use pactlog::model::{Confidence, EdtfDate, Event, EventId, PartyId, Payload, Source};
use pactlog::synth::{Synth, SynthConfig};
use pactlog::tlog::{EntryBundle, TileKind, TilePath, TlogError, new_tiles, read_tile};
use pactlog::{Ledger, MemoryStore};
use std::cell::RefCell;
use tlog_tiles::{Hash as GoHash, Tile, TileHashReader, TileReader};

const AT: Timestamp = Timestamp::from_unix(1_767_225_600);

/// A ledger of a little over two level-1 tiles' worth of leaves (600 records).
fn ledger() -> Ledger<MemoryStore> {
    let synth = Synth::new(SynthConfig::new(23, 560));
    let mut entries: Vec<Entry> = synth.parties().into_iter().map(Entry::Party).collect();
    entries.extend(synth.events().map(Entry::Event));
    let mut ledger = Ledger::open(MemoryStore::new()).unwrap();
    ledger.append_unchecked(entries, AT).unwrap();
    ledger
}

/// `tlog_tiles`'s view of our tiles at one tree size, counting what it reads.
struct OurTiles<'a> {
    ledger: &'a Ledger<MemoryStore>,
    size: u64,
    read: RefCell<Vec<String>>,
}

impl TileReader for OurTiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                let width = u16::try_from(t.width()).unwrap();
                let path = TilePath::hashes(t.level(), t.level_index(), width).unwrap();
                self.read.borrow_mut().push(path.to_string());
                read_tile(self.ledger, self.size, &path)
                    .unwrap()
                    .ok_or(tlog_tiles::Error::InvalidTile)
            })
            .collect()
    }

    fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
}

fn go(hash: pactlog::Hash) -> GoHash {
    GoHash(*hash.as_bytes())
}

#[test]
fn tlog_tiles_authenticates_our_tiles_and_proves_from_them() {
    let ledger = ledger();
    let n = ledger.size();
    assert!(n > 512, "{n}");
    for size in [1, 255, 256, 257, 300, 512, n] {
        let root = go(ledger.root_at(size).unwrap());
        let tiles = OurTiles {
            ledger: &ledger,
            size,
            read: RefCell::default(),
        };
        let hashes = TileHashReader::new(size, root, &tiles);
        assert_eq!(tlog_tiles::tree_hash(size, &hashes).unwrap(), root);
        for index in [0, size / 3, size - 1] {
            let proof = tlog_tiles::prove_record(size, index, &hashes).unwrap();
            let bytes = ledger.raw(Seq::new(index)).unwrap().unwrap().bytes;
            let leaf = tlog_tiles::record_hash(&bytes);
            tlog_tiles::check_record(&proof, size, root, index, leaf).unwrap();
        }
        for old in [1, size / 2, size] {
            let old = old.max(1);
            let proof = tlog_tiles::prove_tree(size, old, &hashes).unwrap();
            let old_root = go(ledger.root_at(old).unwrap());
            tlog_tiles::check_tree(&proof, size, root, old, old_root).unwrap();
        }
        assert!(!tiles.read.borrow().is_empty());
    }
}

#[test]
fn every_bundle_entry_is_its_record_and_hashes_to_its_leaf() {
    let ledger = ledger();
    let n = ledger.size();
    for path in new_tiles(0, n)
        .into_iter()
        .filter(|p| p.kind() == TileKind::Entries)
    {
        let bytes = read_tile(&ledger, n, &path).unwrap().unwrap();
        let entries = EntryBundle::parse(&path, &bytes).unwrap().into_entries();
        let leaves = read_tile(
            &ledger,
            n,
            &TilePath::hashes(0, path.index(), path.width()).unwrap(),
        )
        .unwrap()
        .unwrap();
        for (i, (entry, leaf)) in entries.iter().zip(leaves.chunks(32)).enumerate() {
            let seq = path.first() + i as u64;
            assert_eq!(entry, &ledger.raw(Seq::new(seq)).unwrap().unwrap().bytes);
            assert_eq!(tlog_tiles::record_hash(entry).0, leaf, "entry {seq}");
        }
    }
    // A bundle or tile that the tree of that size does not hold, and a size beyond the
    // ledger.
    let partial = TilePath::parse("tile/entries/000.p/10").unwrap();
    assert!(read_tile(&ledger, 9, &partial).unwrap().is_none());
    assert!(read_tile(&ledger, 10, &partial).unwrap().is_some());
    assert!(matches!(
        read_tile(&ledger, n + 1, &partial),
        Err(TlogError::SizeBeyondLedger { .. })
    ));
}

#[test]
fn a_record_too_long_for_a_bundle_is_refused_by_its_seq() {
    let mut ledger = ledger();
    let date = EdtfDate::parse("2025-01-01").unwrap();
    let sources = (0..40)
        .map(|i| Source {
            url: format!("https://example.com/{i}/{}", "a".repeat(2000)),
            publisher: None,
            published: None,
        })
        .collect();
    let event = Event {
        id: EventId::new("2025-01-01-long").unwrap(),
        disclosed: date.latest(),
        date,
        summary: "Long.".into(),
        confidence: Confidence::Confirmed,
        parties: vec![PartyId::new("acme").unwrap()],
        supersedes: None,
        sources,
        payload: Payload::Announcement,
    };
    ledger
        .append_unchecked(vec![Entry::Event(event)], AT)
        .unwrap();
    let seq = ledger.size() - 1;
    let path = TilePath::at_size(TileKind::Entries, seq >> 8, ledger.size()).unwrap();
    match read_tile(&ledger, ledger.size(), &path) {
        Err(TlogError::EntryTooLarge { seq: s, len }) => {
            assert_eq!(s, seq);
            assert!(len > 65_535, "{len}");
        }
        other => panic!("{other:?}"),
    }
}
