//! Writes the starting corpus of every fuzz target into `fuzz/corpus/<target>/`:
//! real record bytes, the repository's event files (good and bad), typical dates and
//! amounts, and keys, notes, checkpoints and inclusion proofs signed with the key the
//! `parse_proofs` target trusts. Run from `fuzz/`: `cargo run --example seeds`.

use pactlog::checkpoint::SigningKey;
use pactlog::codec::{Seq, Timestamp};
use pactlog::import;
use pactlog::ledger::Ledger;
use pactlog::store::MemoryStore;
use std::path::{Path, PathBuf};

/// Amounts for `parse_money`: grouped and plain, and the shapes the grouping refuses.
const MONEY: &[&str] = &[
    "15,000,000,000 USD",
    "15_000_000_000 USD",
    "1_500 EUR",
    "18,446,744,073,709,551,615 USD",
    "1,500K USD",
    "1,000.5K USD",
    "1,5B USD",
    "1,,,0 USD",
    ",5 USD",
    "1._5K USD",
    "1,000_000 USD",
    "1234,567 USD",
    "1,23,456 USD",
    "1. USD",
];

/// Names for `name_key`: case folding, compatibility forms, combining marks, look-alikes
/// and invisible characters.
const NAMES: &[&str] = &[
    "Straße AG",
    "STRASSE AG",
    "İstanbul Holding",
    "istanbul holding",
    "Nestl\u{e9}",
    "Nestle\u{301}",
    "ＭＩＣＲＯＳＯＦＴ",
    "Micro\u{200b}soft",
    "M\u{456}crosoft",
    "\u{fb01}nance \u{2163}",
    "i\u{328}\u{307}\u{301}",
    "\u{a8}\u{345}\u{390}ΣΣ",
    " \u{3000}Acme\u{a0} ",
];

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new("corpus").join(target);
    std::fs::create_dir_all(&dir).expect("create the corpus folder");
    std::fs::write(dir.join(name), bytes).expect("write a seed");
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read a fixture folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    out.sort();
    out
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
    import::import(
        &mut ledger,
        &[repo.join("fixtures/import/small")],
        Timestamp::from_unix(1_767_225_600),
    )
    .expect("import the small fixture");

    for stored in ledger.raw_records(0, None) {
        let stored = stored.expect("read a record");
        let seq = stored.seq.get();
        write("decode_record", &format!("record-{seq}"), &stored.bytes);
        write("decode_record", &format!("value-{seq}"), &stored.to_value());
        // `restore_line`: the record as it is, and with its last byte changed.
        let pick = u8::try_from(seq).expect("a small fixture");
        write("restore_line", &format!("record-{seq}"), &[pick]);
        let last = u16::try_from(stored.bytes.len() - 1)
            .unwrap_or(u16::MAX)
            .to_le_bytes();
        write(
            "restore_line",
            &format!("edit-{seq}"),
            &[pick, last[0], last[1], 0],
        );
    }

    for dir in [
        "fixtures/import/small",
        "fixtures/import/bad",
        "fixtures/bad",
        "events",
    ] {
        for file in toml_files(&repo.join(dir)) {
            let name = format!(
                "{}-{}",
                dir.replace('/', "-"),
                file.file_name().expect("a file name").to_string_lossy()
            );
            write("parse_events", &name, &std::fs::read(&file).expect("read"));
        }
    }

    let values = [
        "2026-02-27",
        "2026-02",
        "2021",
        "2026-02-20/2026-02-28",
        "2025-10-28/..",
        "../2026",
        "2025-12~",
        "2026-02-27?",
        "2026%",
        "2021-XX",
        "201X",
        "20XX",
        "2026-21",
        "2026-24",
        "2021-03-XX",
        "/2026",
        "2026/",
        "15000000000 USD",
        "15B USD",
        "1.5M EUR",
        "2.25K USD",
        "0.5T USD",
        "15,000 GBP",
        "15_000 JPY",
        "1.005K CHF",
    ];
    for (i, v) in values.iter().enumerate() {
        write("parse_values", &format!("value-{i}"), v.as_bytes());
    }

    for (i, v) in MONEY.iter().enumerate() {
        write("parse_money", &format!("amount-{i}"), v.as_bytes());
    }
    for (i, v) in NAMES.iter().enumerate() {
        write("name_key", &format!("name-{i}"), v.as_bytes());
    }

    let key = SigningKey::from_seed("example.org/log", [7; 32]).expect("key");
    let note = ledger.sign_checkpoint(&key).expect("sign a checkpoint");
    write("parse_proofs", "checkpoint", note.as_bytes());
    write(
        "parse_proofs",
        "verifier-key",
        key.verifier_key().to_text().as_bytes(),
    );
    write(
        "parse_proofs",
        "private-key",
        key.to_private_text().as_bytes(),
    );
    for seq in [0, 5, ledger.size() - 1] {
        let proof = ledger.inclusion_proof(Seq::new(seq)).expect("prove");
        write(
            "parse_proofs",
            &format!("proof-{seq}"),
            proof.to_text().as_bytes(),
        );
    }
    println!("seeds written to corpus/");
}
