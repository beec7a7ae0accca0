//! Restore lines: the records of an export of the small test fixture, one of them
//! mutated and re-hashed with BLAKE3 (so the line's hash agrees with its bytes, as a
//! forger who needs no key would make it), restored into an empty ledger. The export
//! ends at the mutated record, so a record that is admitted is the last one.
//!
//! Input: byte 0 picks the record; then either 0xFF and the new record's bytes whole,
//! or edits of three bytes each (a position, little-endian u16, and the byte written
//! there). What must hold: no panic; a refused restore appends nothing; a restore that
//! is accepted holds only parties and events that break no rule of `model::rules`,
//! verifies, and exports again to the same lines.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use pactlog::codec::{ChainHash, Entry, Timestamp};
use pactlog::import;
use pactlog::ledger::Ledger;
use pactlog::model::rules;
use pactlog::store::MemoryStore;
use std::path::PathBuf;

thread_local! {
    /// The canonical bytes of each record of the small fixture.
    static RECORDS: Vec<Vec<u8>> = {
        let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
        let small = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/import/small");
        import::import(&mut ledger, &[small], Timestamp::from_unix(1_767_225_600))
            .expect("small fixture");
        ledger
            .raw_records(0, None)
            .map(|r| r.expect("a record").bytes.to_vec())
            .collect()
    };
    static FILE: PathBuf = {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("pactlog-fuzz-{}.jsonl", std::process::id()))
    };
}

/// One export line for `bytes` at position `seq`, its hash computed from the bytes.
fn line(seq: usize, id: &str, bytes: &[u8]) -> String {
    serde_json::json!({
        "seq": seq,
        "id": id,
        "hash": ChainHash::of(bytes).to_hex(),
        "bytes": STANDARD.encode(bytes),
    })
    .to_string()
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, edits)) = data.split_first() else {
        return;
    };
    let records = RECORDS.with(Clone::clone);
    let at = usize::from(pick) % records.len();
    let mut bytes = records[at].clone();
    match edits.split_first() {
        Some((0xff, whole)) => bytes = whole.to_vec(),
        _ => {
            for edit in edits.chunks_exact(3) {
                let pos = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
                bytes[pos] = edit[2];
            }
        }
    }
    // The id field names the record as it decodes, when it does (else the original's).
    let id_of = |b: &[u8]| {
        pactlog::codec::decode(b).map_or_else(|_| String::new(), |r| r.entry.id().to_string())
    };
    let mut text = String::new();
    for (seq, b) in records[..at].iter().enumerate() {
        text.push_str(&line(seq, &id_of(b), b));
        text.push('\n');
    }
    let id = pactlog::codec::decode(&bytes)
        .map_or_else(|_| id_of(&records[at]), |r| r.entry.id().to_string());
    text.push_str(&line(at, &id, &bytes));
    text.push('\n');
    let file = FILE.with(Clone::clone);
    std::fs::write(&file, &text).expect("write the export");

    let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
    match import::restore(&mut ledger, &file) {
        Err(_) => assert_eq!(ledger.size(), 0, "a refused restore appended records"),
        Ok(report) => {
            assert_eq!(report.appended as usize, at + 1);
            for r in ledger.records(0, None) {
                let r = r.expect("read");
                let flaws = match &r.entry {
                    Entry::Party(p) => rules::party_flaws(p),
                    Entry::Event(e) => rules::event_flaws(e),
                };
                assert!(flaws.is_empty(), "admitted with flaws: {flaws:?}");
                assert!(r.recorded_at.is_calendar_instant());
            }
            assert!(ledger.verify().expect("verify").is_ok());
            let mut again = Vec::new();
            import::export(&ledger, &mut again).expect("export");
            assert_eq!(String::from_utf8_lossy(&again), text, "not the same lines");
        }
    }
});
