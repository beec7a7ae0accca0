//! The event-file parser: any bytes as an event file, checked against a ledger that
//! holds the small test fixture (so names, references and ids can resolve). Whatever
//! passes the checks must encode to canonical bytes that decode strictly to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pactlog::codec::{self, Entry, Record, Seq, Timestamp};
use pactlog::import;
use pactlog::ledger::Ledger;
use pactlog::store::MemoryStore;
use std::path::PathBuf;

thread_local! {
    static LEDGER: Ledger<MemoryStore> = {
        let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
        let small = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/import/small");
        import::import(&mut ledger, &[small], Timestamp::from_unix(0)).expect("small fixture");
        ledger
    };
    static FILE: PathBuf = {
        // tmpfs when there is one: the parser reads files, and this runs very often.
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("pactlog-fuzz-{}.toml", std::process::id()))
    };
}

fuzz_target!(|data: &[u8]| {
    let file = FILE.with(Clone::clone);
    std::fs::write(&file, data).expect("write the input file");
    LEDGER.with(|ledger| {
        let Ok(plan) = import::plan(ledger, &[file]) else {
            return;
        };
        let entries = plan
            .checked
            .parties()
            .iter()
            .cloned()
            .map(Entry::Party)
            .chain(plan.checked.events().iter().cloned().map(Entry::Event));
        for entry in entries {
            let record = Record {
                seq: Seq::new(ledger.size()),
                recorded_at: Timestamp::from_unix(0),
                prev: ledger.head(),
                entry,
                format: pactlog::codec::Format::CURRENT,
            };
            let bytes = codec::encode(&record).expect("an accepted entry encodes");
            assert_eq!(codec::decode(&bytes), Ok(record), "not canonical");
        }
    });
});
