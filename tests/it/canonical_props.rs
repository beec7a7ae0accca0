//! The in-place check of canonical bytes (`codec::canonical_head`, which `verify` uses)
//! against the strict decoder (`codec::decode`: decode, every byte used, re-encode): on
//! valid records of both formats, on those records mutated (a byte flipped, the bytes cut
//! short, bytes inserted, two bytes swapped, a length or choice number rewritten), on the
//! golden vectors and on the decoder fuzzer's corpus, both accept exactly the same bytes,
//! and what they accept has the same seq and prev.

use crate::support::ledgers::arb_record;
use crate::support::{cases, repo_path};
use pactlog::codec::{self, Format, Record};
use proptest::prelude::*;
use proptest::sample::Index;

/// Whether both checks agree on `bytes` (and on what they read), with a message if not.
fn agree(bytes: &[u8]) -> Result<bool, String> {
    let fast = codec::canonical_head(bytes);
    let strict = codec::decode(bytes);
    match (&fast, &strict) {
        (Some(head), Ok(record)) if *head == record.head() => Ok(true),
        (None, Err(_)) => Ok(false),
        _ => Err(format!(
            "in place {fast:?}, strict {:?} for {}",
            strict.map(|r| r.head()),
            hex(bytes)
        )),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One way to damage a record's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    /// XOR one byte with a non-zero mask.
    Flip(Index, u8),
    /// Keep only the first bytes.
    Truncate(Index),
    /// Insert bytes at a position.
    Insert(Index, Vec<u8>),
    /// Swap two bytes.
    Swap(Index, Index),
    /// Write a small little-endian number (a length, a choice number, a day) at a position,
    /// as four or eight bytes.
    Number(Index, u64, bool),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1u8..=255).prop_map(|(i, m)| Mutation::Flip(i, m)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..4))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Mutation::Swap(i, j)),
        (any::<Index>(), 0u64..16, any::<bool>()).prop_map(|(i, n, w)| Mutation::Number(i, n, w)),
    ]
}

impl Mutation {
    fn apply(&self, bytes: &mut Vec<u8>) {
        let len = bytes.len();
        match self {
            Mutation::Flip(i, mask) => bytes[i.index(len)] ^= mask,
            Mutation::Truncate(i) => bytes.truncate(i.index(len)),
            Mutation::Insert(i, new) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Swap(i, j) => bytes.swap(i.index(len), j.index(len)),
            Mutation::Number(i, n, wide) => {
                let le = n.to_le_bytes();
                let width = if *wide { 8 } else { 4 };
                let at = i.index(len.saturating_sub(width).max(1));
                for (k, b) in le[..width].iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + k) {
                        *slot = *b;
                    }
                }
            }
        }
    }
}

/// `record`'s bytes in each format that can express it.
fn encodings(record: &Record) -> Vec<Vec<u8>> {
    Format::ALL
        .into_iter()
        .filter_map(|format| {
            codec::encode(&Record {
                format,
                ..record.clone()
            })
            .ok()
        })
        .collect()
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn valid_records_are_canonical_in_place(record in arb_record()) {
        for bytes in encodings(&record) {
            prop_assert_eq!(codec::canonical_head(&bytes), Some(record.head()));
        }
    }

    #[test]
    fn mutated_records_are_refused_by_both_checks_or_by_neither(
        record in arb_record(),
        mutations in proptest::collection::vec(arb_mutation(), 1..4),
    ) {
        for mut bytes in encodings(&record) {
            for m in &mutations {
                m.apply(&mut bytes);
                if bytes.is_empty() {
                    break;
                }
                agree(&bytes).map_err(TestCaseError::fail)?;
            }
        }
    }
}

/// Bytes that matter somewhere in a record: markers, small counts and choice numbers,
/// and characters that ids, scopes, dates and UTF-8 treat specially.
const TELLING_BYTES: &[u8] = &[
    0, 1, 2, 3, 5, 6, 9, 10, 11, 12, b'A', b'X', b'.', b'/', b'-', b'#', b'~', b'?', b'%', b' ',
    b'0', b'9', 0x7f, 0x80, 0xc3, 0xff,
];

proptest! {
    #![proptest_config(cases(24))]

    /// Every position of a record's bytes set to each telling byte, and to each small
    /// number written there in four and in eight bytes: random flips rarely land on
    /// the one choice number or length that a walk would misread.
    #[test]
    fn every_position_set_to_telling_values_is_judged_alike(record in arb_record()) {
        for bytes in encodings(&record) {
            for at in 0..bytes.len() {
                for &b in TELLING_BYTES {
                    let mut bad = bytes.clone();
                    bad[at] = b;
                    agree(&bad).map_err(TestCaseError::fail)?;
                }
                for n in 0u64..16 {
                    for width in [4, 8] {
                        let mut bad = bytes.clone();
                        let end = (at + width).min(bad.len());
                        bad[at..end].copy_from_slice(&n.to_le_bytes()[..end - at]);
                        agree(&bad).map_err(TestCaseError::fail)?;
                    }
                }
            }
        }
    }
}

/// Damage aimed at the values the decoder checks beyond their shape: each refused by both.
#[test]
fn values_the_decoder_refuses_are_refused_in_place() {
    let record = crate::support::ledgers::party_entry("openai");
    let record = pactlog::chain::Tip::EMPTY.link(record, pactlog::Timestamp::from_unix(0));
    let bytes = codec::encode(&record).expect("encode");
    assert_eq!(agree(&bytes), Ok(true));
    let at = bytes
        .windows(6)
        .position(|w| w == b"openai")
        .expect("the id is in the bytes");
    // An upper-case letter, a byte that is not UTF-8, an unknown version, a trailing byte.
    for (i, b) in [(at, b'O'), (at + 1, 0xff), (0, 3)] {
        let mut bad = bytes.clone();
        bad[i] = b;
        assert_eq!(agree(&bad), Ok(false), "byte {i} set to {b:#x}");
    }
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(agree(&long), Ok(false));
}

/// A record over the decoder's size limit is refused by both, though every value in it
/// is valid.
#[test]
fn records_over_the_size_limit_are_refused_by_both() {
    let entry = pactlog::Entry::Party(pactlog::model::Party {
        id: pactlog::model::PartyId::new("big").expect("id"),
        name: "x".repeat(codec::MAX_RECORD_BYTES),
        aliases: vec![],
    });
    let record = pactlog::chain::Tip::EMPTY.link(entry, pactlog::Timestamp::from_unix(0));
    let bytes = codec::encode(&record).expect("encode");
    assert_eq!(agree(&bytes), Ok(false));
    // The same record, its name cut to fit, is accepted by both.
    let fits = bytes.len() - 1 - codec::MAX_RECORD_BYTES;
    let mut short = record.clone();
    if let pactlog::Entry::Party(p) = &mut short.entry {
        p.name.truncate(p.name.len() - fits);
    }
    assert_eq!(agree(&codec::encode(&short).expect("encode")), Ok(true));
}

/// The golden records of both formats, and every input in the decoder fuzzer's corpus.
#[test]
fn golden_vectors_and_the_fuzz_corpus_agree() {
    let mut golden = 0;
    for name in ["records.json", "records-v2.json"] {
        let path = repo_path("fixtures/golden").join(name);
        let text = std::fs::read_to_string(&path).expect("read golden records");
        let json: serde_json::Value = serde_json::from_str(&text).expect("golden JSON");
        for r in json["records"].as_array().expect("records") {
            let hex = r["canonical_hex"].as_str().expect("canonical_hex");
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                .collect();
            assert_eq!(agree(&bytes), Ok(true), "{name}");
            golden += 1;
        }
    }
    assert_eq!(golden, 7);
    let dir = repo_path("fixtures/fuzz-regressions/decode_record");
    let mut corpus = 0;
    for entry in std::fs::read_dir(&dir).expect("read the corpus") {
        let path = entry.expect("corpus entry").path();
        if path.extension().is_some() {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read corpus input");
        agree(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        corpus += 1;
    }
    assert!(corpus > 0, "the corpus has inputs");
}
