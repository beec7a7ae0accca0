//! Known-answer tests: the canonical bytes, BLAKE3 chain hashes and RFC 6962 leaf hashes
//! of a few fixed records, and the head of a fixed CLI import, pinned in fixtures/golden/.
//!
//! These bytes are the hash preimage of every ledger ever written: if a test here fails,
//! the record format changed, and old ledgers no longer verify. That needs a new
//! FORMAT_VERSION, not a re-bless. When a fixture is missing (or `PACTLOG_BLESS=1`), the
//! test writes it and fails, so a new fixture is always reviewed before it is committed.

mod common;

use base64::Engine;
use common::{NOW, SMALL_SIZE, TempStore, repo_path, small_fixture};
use pactlog::codec::{self, Entry, FORMAT_VERSION, Timestamp};
use pactlog::codec::{ChainHash, RECORD_CONTEXT};
use pactlog::ledger::Ledger;
use pactlog::model::{
    Confidence, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Money, Party, PartyId,
    Payload, Scope, Source, Term, TermKey, TermType, Tranche, Until,
};
use pactlog::store::MemoryStore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::Path;

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
                    investor: pid("amazon"),
                    investee: pid("openai"),
                    amount: money("15B USD"),
                    condition: None,
                },
                Tranche {
                    investor: pid("amazon"),
                    investee: pid("openai"),
                    amount: money("35B USD"),
                    condition: Some("When certain conditions are met".into()),
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

/// The golden entries appended one batch each, all at `RECORDED_AT`.
fn golden_ledger() -> Ledger<MemoryStore> {
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
    for entry in golden_entries() {
        ledger
            .append_unchecked(vec![entry], Timestamp::from_unix(RECORDED_AT))
            .expect("append");
    }
    ledger
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares `actual` with the fixture `name`, or writes it (and fails) when it is missing
/// or `PACTLOG_BLESS=1`.
fn check_golden(name: &str, actual: &Value) {
    let path = repo_path("fixtures/golden").join(name);
    let bless = std::env::var("PACTLOG_BLESS").is_ok_and(|v| v == "1");
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

#[test]
fn golden_records_have_pinned_bytes_and_hashes() {
    let ledger = golden_ledger();
    let records: Vec<Value> = ledger
        .raw_records(0, None)
        .zip(golden_entries())
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
    assert_eq!(records.len(), 4);
    let actual = json!({
        "about": "pactlog record format v1: canonical bytes, BLAKE3 chain hashes and RFC 6962 leaf hashes \
                  of the records built by tests/golden.rs (recorded_at 2026-02-27T12:00:00Z)",
        "format_version": FORMAT_VERSION,
        "head_hex": ledger.head().to_hex(),
        "records": records,
    });
    check_golden("records.json", &actual);
}

/// The hashes follow DESIGN.md 3, computed here without pactlog's own hash code.
#[test]
fn golden_hashes_follow_the_documented_constructions() {
    let ledger = golden_ledger();
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
#[test]
fn canonical_bytes_have_the_documented_layout() {
    let ledger = golden_ledger();
    let mut prev = [0u8; 32];
    for (raw, entry) in ledger.raw_records(0, None).zip(golden_entries()) {
        let raw = raw.expect("read");
        let b = &raw.bytes;
        assert_eq!(b[0], FORMAT_VERSION);
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
/// the import order, the record format and the chain are all deterministic.
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
        "about": "head of `pactlog import fixtures/import/small/` with PACTLOG_NOW set as below (tests/golden.rs)",
        "pactlog_now": NOW,
        "ledger_size": SMALL_SIZE,
        "head_hex": verify["head"],
    });
    check_golden("cli-small-import.json", &actual);
    // Last, so that the pinned head is checked even while verify fails elsewhere.
    assert_eq!(verify["ok"], true, "verify --json: {verify}");
}
