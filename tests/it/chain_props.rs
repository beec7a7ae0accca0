//! Properties of the hash chain, the codec and idempotent import.
//!
//! Random ledgers come from `support::ledgers` (either date style, up to 6 parties) and
//! live in a `MemoryStore` for speed;
//! damage is simulated by writing straight into the `records` tree underneath the ledger.

use crate::support;

use pactlog::codec::ChainHash;
use pactlog::codec::{self, Entry, FORMAT_VERSION, Seq, Timestamp};
use pactlog::import::{self, ImportError, ImportReport};
use pactlog::ledger::Ledger;
use pactlog::model::{Day, Event, PartyId};
use pactlog::store::{MemoryStore, Op, SledStore, Store, Tree};
use pactlog::{Break, BreakKind, Select as Filter};
use proptest::prelude::*;
use proptest::sample::Index;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;
use support::ledgers::{
    Dates, arb_ledger, arb_record, dated_as_import_accepts, references_point_backwards,
};
use support::{cases, events_dir, small_fixture};

/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600;

/// Appends `entries` in batches whose sizes cycle through `sizes`, one hour apart.
fn append_in_batches(entries: Vec<Entry>, sizes: &[usize]) -> Ledger<MemoryStore> {
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open an empty memory ledger");
    let mut entries = entries.into_iter().peekable();
    let mut at = T0;
    for n in sizes.iter().cycle() {
        if entries.peek().is_none() {
            break;
        }
        let batch: Vec<Entry> = entries.by_ref().take(*n).collect();
        ledger
            .append_unchecked(batch, Timestamp::from_unix(at))
            .expect("append to a memory ledger");
        at += 3600;
    }
    ledger
}

fn stored_value(ledger: &Ledger<MemoryStore>, seq: u64) -> Vec<u8> {
    ledger
        .store()
        .get(Tree::Records, &Seq::new(seq).key())
        .expect("read the records tree")
        .unwrap_or_else(|| panic!("record {seq} is stored"))
        .as_ref()
        .to_vec()
}

fn overwrite(ledger: &Ledger<MemoryStore>, seq: u64, value: Vec<u8>) {
    ledger
        .store()
        .apply(
            Tree::Records,
            vec![Op::Put(Seq::new(seq).key().to_vec(), value)],
        )
        .expect("write the records tree");
}

fn arb_batch_sizes() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1usize..10, 1..8)
}

/// The generator is not degenerate: over a fixed sample of each date style it makes every
/// kind and every optional feature the projection tests depend on, and the optional text
/// the codec carries.
#[test]
fn generated_ledgers_cover_every_kind_and_feature() {
    use pactlog::model::{Payload, Until};
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut wanted: Vec<&str> = Payload::KINDS.to_vec();
    wanted.extend([
        "confirmed",
        "reported",
        "rumor",
        "date-len-10",
        "date-len-7",
        "date-len-4",
        "disclosed-other-than-latest",
        "supersedes",
        "tranche-conditional",
        "tranche-paid",
        "tranche-due",
        "tranche-lapses",
        "agreement-ends",
        "until-none",
        "until-date",
        "until-condition",
        "term-amount",
        "resolves",
        "about",
        "title",
        "claim",
        "reason",
        "publisher",
        "published",
    ]);
    for dates in [Dates::Fuzzy, Dates::AfterTargets] {
        let mut runner = TestRunner::deterministic();
        let strategy = arb_ledger(dates, 6, 40);
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for _ in 0..200 {
            let entries = strategy.new_tree(&mut runner).expect("generate").current();
            for e in entries.iter().filter_map(|e| match e {
                Entry::Event(e) => Some(e),
                Entry::Party(_) => None,
            }) {
                let mut see = |what: &str| {
                    seen.insert(what.to_string());
                };
                see(e.kind_name());
                see(e.confidence.as_str());
                see(&format!("date-len-{}", e.date.as_str().len()));
                if e.disclosed != e.date.latest() {
                    see("disclosed-other-than-latest");
                }
                if e.supersedes.is_some() && e.kind_name() != "retraction" {
                    see("supersedes");
                }
                for s in &e.sources {
                    if s.publisher.is_some() {
                        see("publisher");
                    }
                    if s.published.is_some() {
                        see("published");
                    }
                }
                match &e.payload {
                    Payload::Investment { tranches } => {
                        for t in tranches {
                            see(if t.condition.is_some() {
                                "tranche-conditional"
                            } else {
                                "tranche-paid"
                            });
                            if t.due.is_some() {
                                see("tranche-due");
                            }
                            if t.lapses.is_some() {
                                see("tranche-lapses");
                            }
                        }
                    }
                    Payload::Agreement { title, terms, ends } => {
                        if !ends.is_empty() {
                            see("agreement-ends");
                        }
                        if title.is_some() {
                            see("title");
                        }
                        for t in terms {
                            see(match &t.until {
                                None => "until-none",
                                Some(Until::Date(_)) => "until-date",
                                Some(Until::Condition(_)) => "until-condition",
                            });
                            if t.amount.is_some() {
                                see("term-amount");
                            }
                        }
                    }
                    Payload::Legal {
                        resolves, claim, ..
                    } => {
                        if resolves.is_some() {
                            see("resolves");
                        }
                        if claim.is_some() {
                            see("claim");
                        }
                    }
                    Payload::TermEnded {
                        reason: Some(_), ..
                    } => see("reason"),
                    Payload::Statement { about: Some(_), .. } => see("about"),
                    _ => {}
                }
            }
        }
        let missing: Vec<&&str> = wanted.iter().filter(|w| !seen.contains(**w)).collect();
        assert!(
            missing.is_empty(),
            "{dates:?} ledgers never had: {missing:?}"
        );
    }
}

proptest! {
    #![proptest_config(cases(64))]

    /// The generator keeps its promise (the projection tests rely on it too).
    #[test]
    fn generated_ledgers_only_refer_backwards(entries in arb_ledger(Dates::Either, 6, 40)) {
        let checked = references_point_backwards(&entries);
        prop_assert!(checked.is_ok(), "{:?}", checked);
    }

    /// Ledgers dated after their targets are what import accepts: the validator finds
    /// nothing wrong, and the date rules of event files (which it cannot see in parsed
    /// events) hold.
    #[test]
    fn ledgers_dated_after_their_targets_pass_the_validator(entries in arb_ledger(Dates::AfterTargets, 6, 40)) {
        let dated = dated_as_import_accepts(&entries);
        prop_assert!(dated.is_ok(), "{:?}", dated);
        let (mut parties, mut events) = (Vec::new(), Vec::new());
        for entry in entries {
            match entry {
                Entry::Party(p) => parties.push(p),
                Entry::Event(e) => events.push(e),
            }
        }
        let ledger = Ledger::open(MemoryStore::new()).expect("open");
        let checked = ledger.check(parties, events);
        prop_assert!(checked.is_ok(), "{:?}", checked.err());
    }

    #[test]
    fn appended_entries_read_back_in_order_after_reopen(entries in arb_ledger(Dates::Either, 6, 40), sizes in arb_batch_sizes()) {
        let ledger = append_in_batches(entries.clone(), &sizes);
        prop_assert_eq!(ledger.size(), entries.len() as u64);
        // MemoryStore clones share their data: this is a reopen of the same store.
        let reopened = Ledger::open(ledger.store().clone()).expect("reopen");
        prop_assert_eq!(reopened.size(), ledger.size());
        prop_assert_eq!(reopened.head(), ledger.head());
        let back: Vec<Entry> = reopened.records(0, None).map(|r| r.expect("decode").entry).collect();
        prop_assert_eq!(back, entries);
    }

    #[test]
    fn stored_records_are_hash_chained_from_zero(entries in arb_ledger(Dates::Either, 6, 40), sizes in arb_batch_sizes()) {
        let ledger = append_in_batches(entries, &sizes);
        let mut prev = ChainHash::ZERO;
        for (i, raw) in ledger.raw_records(0, None).enumerate() {
            let raw = raw.expect("read");
            prop_assert_eq!(raw.seq, Seq::new(i as u64));
            prop_assert_eq!(ChainHash::of(&raw.bytes), raw.hash);
            prop_assert_eq!(pactlog::merkle::leaf_hash(&raw.bytes), raw.leaf);
            let record = raw.decode().expect("decode");
            prop_assert_eq!(record.seq, raw.seq);
            prop_assert_eq!(record.prev, prev);
            prev = raw.hash;
        }
        prop_assert_eq!(prev, ledger.head());
    }

    /// Needs the real Merkle module: with the stand-in every verify ends in a Merkle mismatch.
    #[test]
    fn any_valid_ledger_appended_in_any_batches_verifies(entries in arb_ledger(Dates::Either, 6, 40), sizes in arb_batch_sizes()) {
        let n = entries.len() as u64;
        let ledger = append_in_batches(entries, &sizes);
        let report = ledger.verify().expect("verify reads the store");
        prop_assert!(report.is_ok(), "{}", report.first_break.as_ref().map(ToString::to_string).unwrap_or_default());
        prop_assert_eq!(report.checked, n);
        prop_assert_eq!(report.checked, ledger.size());
        prop_assert_eq!(report.head, ledger.head());
        prop_assert!(report.root.is_some());
    }

    #[test]
    fn flipping_any_stored_byte_is_detected_at_that_record(
        entries in arb_ledger(Dates::Either, 5, 30),
        sizes in arb_batch_sizes(),
        which in any::<Index>(),
        byte in any::<Index>(),
        mask in 1u8..=255,
    ) {
        let ledger = append_in_batches(entries, &sizes);
        let seq = which.index(ledger.size() as usize) as u64;
        let mut value = stored_value(&ledger, seq);
        let at = byte.index(value.len());
        value[at] ^= mask;
        overwrite(&ledger, seq, value);
        let report = ledger.verify().expect("verify reads the store");
        // Value layout: chain hash (32) || leaf hash (32) || canonical bytes.
        let kind = if (32..64).contains(&at) { BreakKind::LeafMismatch } else { BreakKind::HashMismatch };
        prop_assert_eq!(report.first_break, Some(Break { seq, kind }));
        prop_assert_eq!(report.checked, seq);
        prop_assert_eq!(report.head, ledger.head_at(seq).expect("head before the damage"));
        prop_assert!(report.root.is_none());
    }

    #[test]
    fn swapping_two_records_is_detected_at_the_lower_seq(
        entries in arb_ledger(Dates::Either, 5, 30),
        sizes in arb_batch_sizes(),
        a in any::<Index>(),
        b in any::<Index>(),
    ) {
        let ledger = append_in_batches(entries, &sizes);
        let n = ledger.size() as usize;
        prop_assert!(n >= 2, "a generated ledger has at least two parties");
        let i = a.index(n);
        let j = b.index(n - 1);
        let j = if j >= i { j + 1 } else { j };
        let (lo, hi) = (i.min(j) as u64, i.max(j) as u64);
        let (vlo, vhi) = (stored_value(&ledger, lo), stored_value(&ledger, hi));
        overwrite(&ledger, lo, vhi);
        overwrite(&ledger, hi, vlo);
        let report = ledger.verify().expect("verify reads the store");
        prop_assert_eq!(report.first_break, Some(Break { seq: lo, kind: BreakKind::WrongSeq { claimed: hi } }));
        prop_assert_eq!(report.checked, lo);
    }

    #[test]
    fn deleting_a_middle_record_reports_it_missing(
        entries in arb_ledger(Dates::Either, 5, 30),
        sizes in arb_batch_sizes(),
        which in any::<Index>(),
    ) {
        prop_assume!(entries.len() >= 3);
        let ledger = append_in_batches(entries, &sizes);
        let seq = 1 + which.index(ledger.size() as usize - 2) as u64;
        ledger.store().apply(Tree::Records, vec![Op::Delete(Seq::new(seq).key().to_vec())]).expect("delete");
        let report = ledger.verify().expect("verify reads the store");
        prop_assert_eq!(
            report.first_break,
            Some(Break { seq, kind: BreakKind::Missing { next_found: Some(seq + 1) } })
        );
        prop_assert_eq!(report.checked, seq);
    }

}

proptest! {
    // Cheap: no ledger, one encode and decode per case.
    #![proptest_config(cases(256))]

    #[test]
    fn codec_round_trips_random_records(record in arb_record()) {
        let bytes = codec::encode(&record).expect("encode");
        prop_assert_eq!(bytes[0], FORMAT_VERSION);
        prop_assert_eq!(codec::decode(&bytes).expect("decode"), record);
    }

    #[test]
    fn codec_rejects_arbitrary_bytes(mut bytes in proptest::collection::vec(any::<u8>(), 0..600), versioned in any::<bool>()) {
        if versioned {
            bytes.insert(0, FORMAT_VERSION);
        }
        prop_assert!(codec::decode(&bytes).is_err());
    }

    #[test]
    fn codec_rejects_every_proper_prefix_of_an_encoding(record in arb_record(), cut in any::<Index>()) {
        let bytes = codec::encode(&record).expect("encode");
        let cut = cut.index(bytes.len());
        prop_assert!(codec::decode(&bytes[..cut]).is_err(), "prefix of {} bytes decoded", cut);
    }

    #[test]
    fn a_flipped_encoding_errors_or_decodes_to_another_record(record in arb_record(), byte in any::<Index>(), mask in 1u8..=255) {
        let mut bytes = codec::encode(&record).expect("encode");
        let at = byte.index(bytes.len());
        bytes[at] ^= mask;
        if let Ok(other) = codec::decode(&bytes) {
            prop_assert_ne!(&other, &record);
            // Strict decoding: what decodes re-encodes to exactly these bytes.
            prop_assert_eq!(codec::encode(&other).expect("encode"), bytes);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Derived data: the indexes agree with the records, and are completed after a crash.

/// Regression pin: `Ledger::open` decodes every party record (to load the registry), so a
/// store whose party record no longer decodes cannot be opened at all, and the damage can
/// never reach `verify`'s report. Opening must succeed and verify must name record 0.
#[test]
fn a_ledger_with_a_corrupt_party_record_still_opens_for_verify() {
    let entries = vec![
        Entry::Party(pactlog::model::Party {
            id: PartyId::new("acme").expect("id"),
            name: "Acme".into(),
            aliases: vec![],
        }),
        Entry::Party(pactlog::model::Party {
            id: PartyId::new("globex").expect("id"),
            name: "Globex".into(),
            aliases: vec![],
        }),
    ];
    let ledger = append_in_batches(entries, &[2]);
    let mut value = stored_value(&ledger, 0);
    // 64 bytes of hashes, then version, seq, recorded_at, prev, variant, id length: the id.
    value[64 + 61] ^= 0x20; // "acme" -> "Acme": not a valid PartyId, so the bytes do not decode
    overwrite(&ledger, 0, value);
    let reopened = match Ledger::open(ledger.store().clone()) {
        Ok(l) => l,
        Err(e) => panic!("a damaged record must be reported by verify, but open failed: {e}"),
    };
    let report = reopened.verify().expect("verify reads the store");
    assert_eq!(report.first_break.map(|b| b.seq), Some(0));
}

/// What the derived data answers, for comparing two ledgers.
#[derive(Debug, PartialEq)]
struct Answers {
    size: u64,
    head: ChainHash,
    root: pactlog::merkle::Hash,
    parties: Vec<String>,
    event_seqs: Vec<(String, Option<Seq>)>,
    relationships: Vec<(PartyId, PartyId)>,
    pair_logs: Vec<Vec<Seq>>,
}

fn answers<S: Store>(ledger: &Ledger<S>, entries: &[Entry]) -> Answers {
    let parties: Vec<PartyId> = ledger
        .parties()
        .unwrap()
        .iter()
        .map(|p| p.id.clone())
        .collect();
    let mut pair_logs = Vec::new();
    for a in &parties {
        for b in &parties {
            if a < b {
                pair_logs.push(
                    ledger
                        .log(&Filter::Pair(a.clone(), b.clone()))
                        .expect("log")
                        .iter()
                        .map(|l| l.seq)
                        .collect(),
                );
            }
        }
    }
    Answers {
        size: ledger.size(),
        head: ledger.head(),
        root: ledger.root_at(ledger.size()).expect("root"),
        parties: parties.iter().map(ToString::to_string).collect(),
        event_seqs: entries
            .iter()
            .filter_map(|e| match e {
                Entry::Event(e) => Some((
                    e.id.to_string(),
                    ledger.event_seq(&e.id).expect("ids index"),
                )),
                Entry::Party(_) => None,
            })
            .collect(),
        relationships: ledger.relationships().expect("relationships"),
        pair_logs,
    }
}

/// Events of `entries` (with their seqs) that `keep` selects, in log order.
fn naive_log(entries: &[Entry], keep: impl Fn(&Event) -> bool) -> Vec<Seq> {
    let mut out: Vec<(Day, Day, Seq)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Entry::Event(e) if keep(e) => {
                Some((e.date.earliest(), e.date.latest(), Seq::new(i as u64)))
            }
            _ => None,
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, _, s)| s).collect()
}

proptest! {
    #![proptest_config(cases(64))]

    /// `log` reads the pairs index; a plain filter over the entries must agree with it.
    #[test]
    fn log_by_pair_and_by_party_equals_a_naive_filter(entries in arb_ledger(Dates::Either, 5, 40), sizes in arb_batch_sizes()) {
        let ledger = append_in_batches(entries.clone(), &sizes);
        let parties: Vec<PartyId> = ledger.parties().unwrap().iter().map(|p| p.id.clone()).collect();
        for a in &parties {
            let got: Vec<Seq> = ledger.log(&Filter::Party(a.clone())).expect("log").iter().map(|l| l.seq).collect();
            prop_assert_eq!(got, naive_log(&entries, |e| e.touches(a)), "--party {}", a);
            for b in parties.iter().filter(|b| *b != a) {
                let got: Vec<Seq> =
                    ledger.log(&Filter::Pair(a.clone(), b.clone())).expect("log").iter().map(|l| l.seq).collect();
                prop_assert_eq!(got, naive_log(&entries, |e| e.touches(a) && e.touches(b)), "--pair {} {}", a, b);
            }
        }
        let all: Vec<Seq> = ledger.log(&Filter::All).expect("log").iter().map(|l| l.seq).collect();
        prop_assert_eq!(all, naive_log(&entries, |_| true));
    }

    /// DESIGN.md 3: a crash may leave records whose derived data (ids, pairs, Merkle tiles,
    /// watermark) was never written; opening the store completes it before answering.
    #[test]
    fn reopening_after_a_crash_before_the_derived_writes_completes_them(
        entries in arb_ledger(Dates::Either, 5, 30),
        sizes in arb_batch_sizes(),
        cut in any::<Index>(),
    ) {
        let whole = append_in_batches(entries.clone(), &sizes);
        // The same batches, stopped after `batches` of them...
        let batches = cut.index(sizes.len().min(entries.len()) + 1);
        let mut done = 0;
        for n in sizes.iter().cycle().take(batches) {
            done = (done + n).min(entries.len());
        }
        let crashed = append_in_batches(entries[..done].to_vec(), &sizes);
        // ...then the records of the rest, as a crash right after the records batch leaves them.
        let rest: Vec<Op> = whole
            .raw_records(done as u64, None)
            .map(|r| {
                let r = r.expect("read");
                Op::Put(r.seq.key().to_vec(), r.to_value())
            })
            .collect();
        crashed.store().apply(Tree::Records, rest).expect("write records");
        let reopened = Ledger::open(crashed.store().clone()).expect("reopen completes the derived data");
        prop_assert_eq!(answers(&reopened, &entries), answers(&whole, &entries));
        let report = reopened.verify().expect("verify");
        prop_assert!(report.is_ok(), "{}", report.first_break.as_ref().map(ToString::to_string).unwrap_or_default());
    }
}

// ---------------------------------------------------------------------------------------
// Idempotent import.

fn import_ok<S: Store>(ledger: &mut Ledger<S>, paths: &[PathBuf], at: i64) -> ImportReport {
    match import::import(ledger, paths, Timestamp::from_unix(at)) {
        Ok(report) => report,
        Err(ImportError::Invalid(problems)) => {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            panic!("import of {paths:?} refused:\n{}", lines.join("\n"))
        }
        Err(e) => panic!("import of {paths:?} failed: {e}"),
    }
}

fn event_ids<S: Store>(ledger: &Ledger<S>) -> BTreeSet<String> {
    ledger
        .log(&Filter::All)
        .expect("log")
        .into_iter()
        .map(|l| l.event.id.to_string())
        .collect()
}

/// Imports `path` twice into a sled store (reopening it in between), and checks that the
/// second import appends nothing and leaves size and head as they were.
fn import_twice_into_sled(path: PathBuf, events: usize, parties: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    let (size, head) = {
        let mut ledger =
            Ledger::open(SledStore::open(&db).expect("open sled")).expect("open ledger");
        let first = import_ok(&mut ledger, std::slice::from_ref(&path), T0);
        assert_eq!(
            (first.events_added, first.parties_added),
            (events, parties),
            "{first:?}"
        );
        assert_eq!(first.size, (events + parties) as u64);
        let again = import_ok(&mut ledger, std::slice::from_ref(&path), T0 + 60);
        assert_eq!(again.events_added, 0, "{again:?}");
        assert_eq!(again.parties_added, 0, "{again:?}");
        assert_eq!(
            (again.events_skipped, again.parties_skipped),
            (events, parties),
            "{again:?}"
        );
        assert_eq!(again.size, first.size);
        (ledger.size(), ledger.head())
    };
    // And once more after a reopen: the ids index on disk is what makes it a no-op.
    let mut ledger =
        Ledger::open(SledStore::open(&db).expect("reopen sled")).expect("reopen ledger");
    assert_eq!((ledger.size(), ledger.head()), (size, head));
    let third = import_ok(&mut ledger, &[path], T0 + 120);
    assert_eq!(third.events_added + third.parties_added, 0, "{third:?}");
    assert_eq!(
        (ledger.size(), ledger.head()),
        (size, head),
        "a repeated import changed the ledger"
    );
}

#[test]
fn importing_the_small_fixture_twice_changes_nothing() {
    import_twice_into_sled(small_fixture(), 11, 3);
}

/// Needs the real EDTF module: events/ has an interval date.
#[test]
fn importing_events_twice_changes_nothing() {
    import_twice_into_sled(events_dir(), 75, 17);
}

/// The files of events/ other than parties.toml, sorted.
fn event_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(events_dir())
        .expect("read events/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && !p.ends_with("parties.toml"))
        .collect();
    files.sort();
    files
}

/// Size and event ids of a ledger made by importing all of events/ at once.
fn reference_ledger() -> &'static (u64, BTreeSet<String>) {
    static REFERENCE: OnceLock<(u64, BTreeSet<String>)> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
        import_ok(&mut ledger, &[events_dir()], T0);
        (ledger.size(), event_ids(&ledger))
    })
}

proptest! {
    #![proptest_config(cases(24))]

    /// Needs the real EDTF module (events/ has an interval date) and, for the final
    /// verify, the real Merkle module.
    #[test]
    fn any_subset_of_events_in_any_order_then_all_gives_the_same_events(
        order in Just(event_files()).prop_shuffle(),
        keep in proptest::collection::vec(any::<bool>(), 16),
    ) {
        let parties = events_dir().join("parties.toml");
        let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
        let mut at = T0;
        for (file, _) in order.iter().zip(keep.iter().cycle()).filter(|(_, k)| **k) {
            // A file whose events refer to events of a file not imported yet is refused
            // whole (nothing appended); the final import brings both.
            let paths = [parties.clone(), file.clone()];
            let size = ledger.size();
            match import::import(&mut ledger, &paths, Timestamp::from_unix(at)) {
                Ok(_) => {}
                Err(ImportError::Invalid(problems)) => {
                    prop_assert!(
                        problems.iter().all(|p| p.message.contains("there is no event")
                            || p.message.contains("neither in the input nor in the ledger")
                            || p.message.contains("which does not exist")),
                        "{paths:?} refused for more than a missing reference: {problems:?}"
                    );
                    prop_assert_eq!(ledger.size(), size);
                }
                Err(e) => panic!("import of {paths:?} failed: {e}"),
            }
            at += 60;
        }
        import_ok(&mut ledger, &[events_dir()], at);
        let (size, ids) = reference_ledger();
        prop_assert_eq!(ledger.size(), *size);
        prop_assert_eq!(&event_ids(&ledger), ids);
        let report = ledger.verify().expect("verify reads the store");
        prop_assert!(report.is_ok(), "{}", report.first_break.as_ref().map(ToString::to_string).unwrap_or_default());
        prop_assert_eq!(report.checked, *size);
    }
}
