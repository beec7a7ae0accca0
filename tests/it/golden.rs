//! Known-answer tests: the canonical bytes, BLAKE3 chain hashes and RFC 6962 leaf hashes
//! of a few fixed records in each record format (`records.json` for format 1,
//! `records-v2.json` for format 2), and the head of a fixed CLI import (in format 2, and
//! the same records in format 1), pinned in fixtures/golden/.
//!
//! These bytes are the hash preimage of every ledger ever written: if a test here fails,
//! the record format changed, and old ledgers no longer verify. That needs a new
//! FORMAT_VERSION, not a re-bless. When a fixture is missing (or `PACTLOG_BLESS=1`), the
//! test writes it and fails, so a new fixture is always reviewed before it is committed.

use crate::support;

use base64::Engine;
use pactlog::codec::{self, Entry, FORMAT_VERSION, Format, Timestamp};
use pactlog::codec::{ChainHash, RECORD_CONTEXT};
use pactlog::ledger::Ledger;
use pactlog::model::{
    Confidence, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Money, Party, PartyId,
    Payload, Scope, Source, Term, TermKey, TermType, Tranche, TrancheRef, Until,
};
use pactlog::store::MemoryStore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::Path;
use support::{NOW, SMALL_SIZE, TempStore, repo_path, small_fixture};

/// 2026-02-27T12:00:00Z, the `recorded_at` of every golden record.
const RECORDED_AT: i64 = 1_772_193_600;

fn pid(s: &str) -> PartyId {
    PartyId::new(s).expect("party id")
}

fn day(s: &str) -> Day {
    Day::parse(s).expect("day")
}

fn date(s: &str) -> EdtfDate {
    EdtfDate::parse(s).expect("date")
}

fn money(s: &str) -> Money {
    Money::parse(s).expect("money")
}

fn source(url: &str, publisher: Option<&str>, published: Option<&str>) -> Source {
    Source {
        url: url.into(),
        publisher: publisher.map(Into::into),
        published: published.map(day),
    }
}

/// The golden entries: a party, an agreement with terms (one until a year, one until a
/// condition, one with an amount), an investment with a paid and a conditional tranche,
/// and a legal threat against two parties.
fn golden_entries() -> Vec<Entry> {
    let party = Party {
        id: pid("openai"),
        name: "OpenAI".into(),
        aliases: vec!["OpenAI Group PBC".into()],
    };
    let agreement = Event {
        id: EventId::new("2025-10-28-microsoft-openai-definitive-agreement").expect("id"),
        date: date("2025-10-28"),
        disclosed: day("2025-10-28"),
        summary:
            "Microsoft keeps exclusive IP rights through 2032 and Azure API exclusivity until AGI."
                .into(),
        confidence: Confidence::Confirmed,
        parties: vec![pid("microsoft"), pid("openai")],
        supersedes: None,
        sources: vec![source(
            "https://example.com/definitive",
            Some("Example News"),
            Some("2025-10-28"),
        )],
        payload: Payload::Agreement {
            title: Some("Definitive agreement".into()),
            terms: vec![
                Term {
                    key: TermKey::new("api-exclusive-stateless").expect("key"),
                    kind: TermType::Exclusivity,
                    grantor: pid("openai"),
                    holder: pid("microsoft"),
                    scope: Scope::new("cloud.api.stateless").expect("scope"),
                    exclusive: true,
                    amount: None,
                    until: Some(Until::Condition(
                        "AGI declared and verified by an expert panel".into(),
                    )),
                },
                Term {
                    key: TermKey::new("ip-models").expect("key"),
                    kind: TermType::IpLicense,
                    grantor: pid("openai"),
                    holder: pid("microsoft"),
                    scope: Scope::new("ip.models").expect("scope"),
                    exclusive: true,
                    amount: None,
                    until: Some(Until::Date(date("2032"))),
                },
                Term {
                    key: TermKey::new("azure-purchase").expect("key"),
                    kind: TermType::Commitment,
                    grantor: pid("openai"),
                    holder: pid("microsoft"),
                    scope: Scope::new("compute.azure").expect("scope"),
                    exclusive: false,
                    amount: Some(money("250B USD")),
                    until: None,
                },
            ],
            ends: vec![],
        },
    };
    let investment = Event {
        id: EventId::new("2026-02-27-amazon-invests-50b-in-openai").expect("id"),
        date: date("2026-02-27"),
        disclosed: day("2026-02-27"),
        summary: "Amazon invests $50B in OpenAI: $15B now and $35B when conditions are met.".into(),
        confidence: Confidence::Confirmed,
        parties: vec![pid("amazon"), pid("openai")],
        supersedes: None,
        sources: vec![source("https://example.com/amazon-openai", None, None)],
        payload: Payload::Investment {
            tranches: vec![
                Tranche {
                    key: None,
                    investor: pid("amazon"),
                    investee: pid("openai"),
                    amount: money("15B USD"),
                    due: None,
                    condition: None,
                    lapses: None,
                },
                Tranche {
                    key: None,
                    investor: pid("amazon"),
                    investee: pid("openai"),
                    amount: money("35B USD"),
                    due: None,
                    condition: Some("When certain conditions are met".into()),
                    lapses: None,
                },
            ],
        },
    };
    let threat = Event {
        id: EventId::new("2026-03-18-microsoft-weighs-suing-openai-and-amazon").expect("id"),
        date: date("2026-03"),
        disclosed: day("2026-03-18"),
        summary: "The FT reports that Microsoft is weighing a lawsuit against OpenAI and Amazon."
            .into(),
        confidence: Confidence::Rumor,
        parties: vec![pid("amazon"), pid("microsoft"), pid("openai")],
        supersedes: None,
        sources: vec![
            source("https://example.com/ft", Some("Financial Times"), None),
            source(
                "https://example.com/reuters",
                Some("Reuters"),
                Some("2026-03-19"),
            ),
        ],
        payload: Payload::Legal {
            kind: LegalKind::Threat,
            by: pid("microsoft"),
            against: vec![pid("openai"), pid("amazon")],
            stage: LegalStage::Considering,
            claim: Some("Breach of Azure API exclusivity".into()),
            resolves: None,
            concerns: Vec::new(),
        },
    };
    vec![
        Entry::Party(party),
        Entry::Event(agreement),
        Entry::Event(investment),
        Entry::Event(threat),
    ]
}

/// The format-2 golden entries: a party, an investment with a paid tranche, a keyed
/// tranche due on a day and a keyed conditional tranche that lapses, and a payment of
/// the scheduled one.
fn golden_entries_v2() -> Vec<Entry> {
    let party = Party {
        id: pid("softbank"),
        name: "SoftBank".into(),
        aliases: vec!["SoftBank Group".into()],
    };
    let tranche = |key: Option<&str>, amount: &str| Tranche {
        key: key.map(|k| TermKey::new(k).expect("key")),
        investor: pid("softbank"),
        investee: pid("openai"),
        amount: money(amount),
        due: None,
        condition: None,
        lapses: None,
    };
    let investment = Event {
        id: EventId::new("2026-02-27-openai-110b-round").expect("id"),
        date: date("2026-02-27"),
        disclosed: day("2026-02-27"),
        summary: "SoftBank invests $30B in OpenAI in three $10B instalments.".into(),
        confidence: Confidence::Confirmed,
        parties: vec![pid("openai"), pid("softbank")],
        supersedes: None,
        sources: vec![source("https://example.com/round", None, None)],
        payload: Payload::Investment {
            tranches: vec![
                tranche(None, "1B USD"),
                Tranche {
                    due: Some(date("2026-04-01")),
                    ..tranche(Some("first-10b"), "10B USD")
                },
                Tranche {
                    condition: Some("If OpenAI goes public".into()),
                    lapses: Some(date("2028-12")),
                    ..tranche(Some("conditional-19b"), "19B USD")
                },
            ],
        },
    };
    let payment = Event {
        id: EventId::new("2026-04-01-softbank-pays-first-instalment").expect("id"),
        date: date("2026-04-01"),
        disclosed: day("2026-07-01"),
        summary: "SoftBank pays the first $10B instalment.".into(),
        confidence: Confidence::Confirmed,
        parties: vec![pid("openai"), pid("softbank")],
        supersedes: None,
        sources: vec![source(
            "https://example.com/paid",
            Some("SoftBank Group"),
            Some("2026-07-01"),
        )],
        payload: Payload::Payment {
            pays: vec![TrancheRef::parse("2026-02-27-openai-110b-round#first-10b").expect("ref")],
        },
    };
    vec![
        Entry::Party(party),
        Entry::Event(investment),
        Entry::Event(payment),
    ]
}

/// `entries` appended one batch each, all at `RECORDED_AT`, in `format`.
fn ledger_of(entries: Vec<Entry>, format: Format) -> Ledger<MemoryStore> {
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
    for entry in entries {
        ledger
            .append_unchecked_in(vec![entry], Timestamp::from_unix(RECORDED_AT), format)
            .expect("append");
    }
    ledger
}

/// The format-1 golden entries in a ledger of format-1 records.
fn golden_ledger() -> Ledger<MemoryStore> {
    ledger_of(golden_entries(), Format::V1)
}

/// Both golden ledgers, each with its format and entries.
fn golden_ledgers() -> [(Format, Vec<Entry>, Ledger<MemoryStore>); 2] {
    [
        (Format::V1, golden_entries(), golden_ledger()),
        (
            Format::V2,
            golden_entries_v2(),
            ledger_of(golden_entries_v2(), Format::V2),
        ),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares `actual` with the fixture `name`, or writes it (and fails) when it is missing
/// or `PACTLOG_BLESS=1`.
fn check_golden(name: &str, actual: &Value) {
    let path = repo_path("fixtures/golden").join(name);
    let bless = crate::support::blessing();
    if bless || !path.exists() {
        write_fixture(&path, actual);
        panic!(
            "wrote {}: review it, commit it, and run the tests again without PACTLOG_BLESS. \
             A changed fixture means a changed record format: old ledgers stop verifying.",
            path.display()
        );
    }
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let expected: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    if &expected != actual {
        // Name the first differing field, then show both.
        let diff = first_difference(&expected, actual, "").unwrap_or_default();
        panic!(
            "{} does not match (first difference at {diff}).\nexpected: {}\nactual:   {}\n\
             If the record format changed on purpose, bump codec::FORMAT_VERSION and re-bless with PACTLOG_BLESS=1.",
            path.display(),
            serde_json::to_string_pretty(&expected).unwrap_or_default(),
            serde_json::to_string_pretty(actual).unwrap_or_default()
        );
    }
}

fn write_fixture(path: &Path, value: &Value) {
    std::fs::create_dir_all(path.parent().expect("fixture folder"))
        .expect("create fixtures/golden");
    let mut text = serde_json::to_string_pretty(value).expect("serialize");
    text.push('\n');
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    None => return Some(format!("{at}.{k} (missing)")),
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, &format!("{at}.{k}")) {
                            return Some(d);
                        }
                    }
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{at}.{k} (unexpected)"))
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(v, w, &format!("{at}[{i}]")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{at} (length {} vs {})", x.len(), y.len()))
        }
        _ => (a != b).then(|| at.to_string()),
    }
}

/// The pinned view of a golden ledger: each record's bytes and hashes, and the head.
fn records_json(
    ledger: &Ledger<MemoryStore>,
    entries: Vec<Entry>,
    about: &str,
    version: u8,
) -> Value {
    let records: Vec<Value> = ledger
        .raw_records(0, None)
        .zip(entries)
        .map(|(raw, entry)| {
            let raw = raw.expect("read");
            json!({
                "seq": raw.seq.get(),
                "id": entry.id(),
                "canonical_hex": hex(&raw.bytes),
                "chain_hash_hex": raw.hash.to_hex(),
                "leaf_hash_base64": raw.leaf.to_string(),
            })
        })
        .collect();
    json!({
        "about": about,
        "format_version": version,
        "head_hex": ledger.head().to_hex(),
        "records": records,
    })
}

#[test]
fn golden_records_have_pinned_bytes_and_hashes() {
    let ledger = golden_ledger();
    assert_eq!(ledger.size(), 4);
    let actual = records_json(
        &ledger,
        golden_entries(),
        "pactlog record format v1: canonical bytes, BLAKE3 chain hashes and RFC 6962 leaf hashes \
         of the records built by tests/golden.rs (recorded_at 2026-02-27T12:00:00Z)",
        Format::V1.byte(),
    );
    check_golden("records.json", &actual);
}

#[test]
fn golden_v2_records_have_pinned_bytes_and_hashes() {
    let ledger = ledger_of(golden_entries_v2(), Format::V2);
    assert_eq!(ledger.size(), 3);
    let actual = records_json(
        &ledger,
        golden_entries_v2(),
        "pactlog record format v2: canonical bytes, BLAKE3 chain hashes and RFC 6962 leaf hashes \
         of the format-2 records built by tests/golden.rs (recorded_at 2026-02-27T12:00:00Z): \
         tranches with key, due and lapses, and a payment",
        FORMAT_VERSION,
    );
    check_golden("records-v2.json", &actual);
    // Every record decodes to its entry, in format 2, and encodes back to its bytes.
    for (raw, entry) in ledger.raw_records(0, None).zip(golden_entries_v2()) {
        let raw = raw.expect("read");
        let record = codec::decode(&raw.bytes).expect("decode");
        assert_eq!((record.format, &record.entry), (Format::V2, &entry));
        assert_eq!(codec::encode(&record).expect("encode"), raw.bytes);
    }
}

/// The hashes follow DESIGN.md 3, computed here without pactlog's own hash code.
#[test]
fn golden_hashes_follow_the_documented_constructions() {
    for (_, _, ledger) in golden_ledgers() {
        hashes_follow_the_documented_constructions(&ledger);
    }
}

fn hashes_follow_the_documented_constructions(ledger: &Ledger<MemoryStore>) {
    assert_eq!(RECORD_CONTEXT, "pactlog v1 record");
    let mut prev = [0u8; 32];
    for raw in ledger.raw_records(0, None) {
        let raw = raw.expect("read");
        let mut blake = blake3::Hasher::new_derive_key("pactlog v1 record");
        blake.update(&raw.bytes);
        assert_eq!(
            raw.hash,
            ChainHash::from_bytes(*blake.finalize().as_bytes()),
            "chain hash of record {}",
            raw.seq
        );
        let leaf: [u8; 32] = Sha256::new()
            .chain_update([0u8])
            .chain_update(&raw.bytes)
            .finalize()
            .into();
        assert_eq!(
            raw.leaf.as_bytes(),
            &leaf,
            "leaf hash of record {}",
            raw.seq
        );
        assert_eq!(
            raw.leaf.to_string(),
            base64::engine::general_purpose::STANDARD.encode(leaf),
            "leaf hashes print as standard base64"
        );
        let record = codec::decode(&raw.bytes).expect("decode");
        assert_eq!(record.prev.as_bytes(), &prev, "prev of record {}", raw.seq);
        prev = *raw.hash.as_bytes();
    }
    assert_eq!(ledger.head().as_bytes(), &prev);
}

/// The header of the canonical bytes, as codec.rs documents it: version byte, then
/// bincode legacy (fixed-width little-endian) seq, recorded_at, prev, and the entry's
/// u32 variant index (0 party, 1 event), then the entry's first field (a u64-length id).
/// Both formats share it.
#[test]
fn canonical_bytes_have_the_documented_layout() {
    for (format, entries, ledger) in golden_ledgers() {
        canonical_bytes_have_the_layout(format, entries, &ledger);
    }
}

fn canonical_bytes_have_the_layout(
    format: Format,
    entries: Vec<Entry>,
    ledger: &Ledger<MemoryStore>,
) {
    let mut prev = [0u8; 32];
    for (raw, entry) in ledger.raw_records(0, None).zip(entries) {
        let raw = raw.expect("read");
        let b = &raw.bytes;
        assert_eq!(b[0], format.byte());
        assert_eq!(b[1..9], raw.seq.get().to_le_bytes());
        assert_eq!(b[9..17], RECORDED_AT.to_le_bytes());
        assert_eq!(b[17..49], prev);
        let variant: u32 = if matches!(entry, Entry::Party(_)) {
            0
        } else {
            1
        };
        assert_eq!(b[49..53], variant.to_le_bytes());
        let id = entry.id().as_bytes();
        assert_eq!(b[53..61], (id.len() as u64).to_le_bytes());
        assert_eq!(&b[61..61 + id.len()], id);
        prev = *raw.hash.as_bytes();
    }
}

/// Importing fixtures/import/small/ at a fixed PACTLOG_NOW always gives the same head:
/// the import order, the record format and the chain are all deterministic. The same
/// records written in format 1 give the head pinned before format 2 existed.
#[test]
fn cli_import_of_the_small_fixture_has_the_pinned_head() {
    let store = TempStore::new();
    let report = store.import(&[&small_fixture()]);
    let out = store
        .cmd()
        .args(["verify", "--json"])
        .output()
        .expect("run verify");
    let verify: Value = serde_json::from_slice(&out.stdout).expect("verify --json prints JSON");
    assert_eq!(
        verify["checked"], SMALL_SIZE,
        "every record checks out: {verify}"
    );
    assert_eq!(
        verify["head"], report["head"],
        "verify and import agree on the head"
    );
    let actual = json!({
        "about": "head of `pactlog import fixtures/import/small/` with PACTLOG_NOW set as below (tests/golden.rs), in record format 2",
        "pactlog_now": NOW,
        "ledger_size": SMALL_SIZE,
        "head_hex": verify["head"],
    });
    check_golden("cli-small-import-v2.json", &actual);
    let v1 = json!({
        "about": "head of `pactlog import fixtures/import/small/` with PACTLOG_NOW set as below (tests/golden.rs)",
        "pactlog_now": NOW,
        "ledger_size": SMALL_SIZE,
        "head_hex": v1_head_of(&store.path),
    });
    check_golden("cli-small-import.json", &v1);
    // Last, so that the pinned head is checked even while verify fails elsewhere.
    assert_eq!(verify["ok"], true, "verify --json: {verify}");
}

/// The head of the records of the store at `path`, written again in format 1.
fn v1_head_of(path: &Path) -> String {
    let ledger = Ledger::open(pactlog::store::SledStore::open(path).expect("open store"))
        .expect("open ledger");
    let mut at = None;
    let entries: Vec<Entry> = ledger
        .records(0, None)
        .map(|r| {
            let r = r.expect("read");
            assert_eq!(r.format, Format::V2, "an import writes format 2");
            at = Some(r.recorded_at);
            r.entry
        })
        .collect();
    let mut v1 = Ledger::open(MemoryStore::new()).expect("open");
    v1.append_unchecked_in(entries, at.expect("records"), Format::V1)
        .expect("every small-fixture record fits format 1");
    v1.head().to_hex()
}
