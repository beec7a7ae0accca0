//! Exclusivity conflicts (`Ledger::conflicts`, `pactlog conflicts`, the marks in `state`):
//! one small TOML ledger per rule, the CLI's output, and a property comparing the indexed
//! answer of every selection with a brute force over all pairs of terms in force, written
//! from the definitions.

use crate::support;

use pactlog::codec::{Entry, Timestamp};
use pactlog::ledger::Ledger;
use pactlog::model::{Day, Event, PartyId, Payload, TermRef};
use pactlog::projection::{Conflict, Query, Select, TermState, pair};
use pactlog::store::MemoryStore;
use proptest::prelude::*;
use std::path::Path;
use support::ledgers::{
    AT, STRANGER, arb_batch_sizes, arb_conflict_ledger, arb_query_seed, boundary_days, pid,
};
use support::reference::{Recorded, describe, recorded, reference_state};
use support::{TempStore, cases};

// ---------------------------------------------------------------------------------------
// Small TOML ledgers.

const PARTIES: &str = r#"
[[party]]
id = "openai"
name = "OpenAI"

[[party]]
id = "microsoft"
name = "Microsoft"

[[party]]
id = "amazon"
name = "Amazon"

[[party]]
id = "google"
name = "Google"
"#;

/// An event table: `id`, `date`, `kind` and the kind's own lines.
fn event(id: &str, date: &str, kind: &str, fields: &str) -> String {
    format!(
        "[[event]]\nid = \"{id}\"\ndate = \"{date}\"\nkind = \"{kind}\"\n\
         summary = \"A fictional event for a conflict test.\"\nconfidence = \"reported\"\n\
         {fields}\n[[event.source]]\nurl = \"https://example.com/{id}\"\n\n"
    )
}

/// An agreement granting `(key, grantor, holder, scope, exclusive)` terms.
fn agreement(id: &str, date: &str, terms: &[(&str, &str, &str, &str, bool)]) -> String {
    let mut fields = String::new();
    for (key, grantor, holder, scope, exclusive) in terms {
        fields += &format!(
            "[[event.term]]\nkey = \"{key}\"\ntype = \"exclusivity\"\ngrantor = \"{grantor}\"\n\
             holder = \"{holder}\"\nscope = \"{scope}\"\nexclusive = {exclusive}\n"
        );
    }
    // The term tables come last: fields after them would belong to the last term.
    event(id, date, "agreement", &fields)
}

fn list(refs: &[&str]) -> String {
    let quoted: Vec<String> = refs.iter().map(|r| format!("\"{r}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// A legal threat by `by` against `against`, naming `concerns`.
fn threat(id: &str, date: &str, by: &str, against: &[&str], concerns: &[&str]) -> String {
    let fields = format!(
        "by = \"{by}\"\nagainst = {}\nstage = \"threatened\"\nconcerns = {}\n",
        list(against),
        list(concerns)
    );
    event(id, date, "legal-threat", &fields)
}

/// A settlement of `resolves`.
fn settlement(id: &str, date: &str, by: &str, against: &[&str], resolves: &str) -> String {
    let fields = format!(
        "by = \"{by}\"\nagainst = {}\nstage = \"settled\"\nresolves = \"{resolves}\"\n",
        list(against)
    );
    event(id, date, "legal-action", &fields)
}

fn statement(id: &str, date: &str, by: &str, concerns: &[&str]) -> String {
    let fields = format!("by = \"{by}\"\nconcerns = {}\n", list(concerns));
    event(id, date, "statement", &fields)
}

/// Writes the parties and `events` as files under `dir`.
fn write_files(dir: &Path, events: &[String]) {
    std::fs::write(dir.join("parties.toml"), PARTIES).expect("write parties");
    std::fs::write(dir.join("events.toml"), events.concat()).expect("write events");
}

/// A memory ledger of the parties and `events`, imported from TOML as a user would.
fn ledger(events: &[String]) -> Ledger<MemoryStore> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_files(dir.path(), events);
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open");
    let at = Timestamp::parse(support::NOW).expect("a timestamp");
    pactlog::import::import(&mut ledger, &[dir.path().to_path_buf()], at)
        .unwrap_or_else(|e| panic!("import: {e}"));
    ledger
}

fn day(s: &str) -> Day {
    Day::parse(s).expect("a day")
}

/// `kind term-a term-b` per conflict, terms as `event#key`.
fn summary(conflicts: &[Conflict]) -> Vec<String> {
    conflicts
        .iter()
        .map(|c| {
            let [a, b] = &c.terms;
            format!("{} {} {}", c.kind.as_str(), a.reference(), b.reference())
        })
        .collect()
}

fn conflicts_on(l: &Ledger<MemoryStore>, q: Query, select: &Select) -> Vec<String> {
    summary(&l.conflicts(q, select).expect("conflicts").conflicts)
}

fn all_on(l: &Ledger<MemoryStore>, d: &str) -> Vec<String> {
    conflicts_on(l, Query::as_of(day(d)), &Select::All)
}

#[test]
fn overlap_needs_one_grantor_rival_holders_an_exclusive_term_and_a_segment_prefix() {
    let l = ledger(&[
        agreement(
            "2025-01-01-ms",
            "2025-01-01",
            &[
                ("api", "openai", "microsoft", "cloud.api", true),
                ("apis-ms", "openai", "microsoft", "cloud.apis", false),
            ],
        ),
        agreement(
            "2025-02-01-amazon",
            "2025-02-01",
            &[
                (
                    "stateless",
                    "openai",
                    "amazon",
                    "cloud.api.stateless",
                    false,
                ),
                ("apis", "openai", "amazon", "cloud.apis", false),
            ],
        ),
        // Same scope, same holder as `api`: no rival.
        agreement(
            "2025-03-01-ms-again",
            "2025-03-01",
            &[("api-again", "openai", "microsoft", "cloud.api", true)],
        ),
        // Another grantor over the same scope: no conflict either.
        agreement(
            "2025-04-01-google",
            "2025-04-01",
            &[("api", "google", "amazon", "cloud.api", true)],
        ),
    ]);
    assert_eq!(
        all_on(&l, "2025-06-01"),
        vec![
            "overlap 2025-01-01-ms#api 2025-02-01-amazon#stateless",
            "overlap 2025-02-01-amazon#stateless 2025-03-01-ms-again#api-again",
        ],
        "cloud.api overlaps cloud.api.stateless, not cloud.apis; two non-exclusive terms \
         over cloud.apis do not overlap"
    );
    assert!(
        all_on(&l, "2025-01-15").is_empty(),
        "before the rival grant"
    );
}

#[test]
fn adjacent_needs_two_exclusive_sibling_scopes() {
    let l = ledger(&[
        agreement(
            "2025-01-01-ms",
            "2025-01-01",
            &[(
                "stateless",
                "openai",
                "microsoft",
                "cloud.api.stateless",
                true,
            )],
        ),
        agreement(
            "2025-02-01-amazon",
            "2025-02-01",
            &[
                ("stateful", "openai", "amazon", "cloud.api.stateful", true),
                ("batch", "openai", "amazon", "cloud.api.batch", false),
            ],
        ),
    ]);
    assert_eq!(
        all_on(&l, "2025-06-01"),
        vec!["adjacent 2025-01-01-ms#stateless 2025-02-01-amazon#stateful"]
    );
}

/// Microsoft's stateless-API exclusivity, Amazon's Frontier exclusivity, Microsoft's
/// threat naming both, a statement, and a settlement.
fn contest() -> Vec<String> {
    let both = ["2025-10-28-ms#api-stateless", "2026-02-27-amazon#frontier"];
    vec![
        agreement(
            "2025-10-28-ms",
            "2025-10-28",
            &[(
                "api-stateless",
                "openai",
                "microsoft",
                "cloud.api.stateless",
                true,
            )],
        ),
        agreement(
            "2026-02-27-amazon",
            "2026-02-27",
            &[(
                "frontier",
                "openai",
                "amazon",
                "distribution.frontier",
                true,
            )],
        ),
        threat(
            "2026-03-18-ms-threat",
            "2026-03-18",
            "microsoft",
            &["openai", "amazon"],
            &both,
        ),
        statement(
            "2026-03-19-amazon-statement",
            "2026-03-19",
            "amazon",
            &both[1..],
        ),
        settlement(
            "2026-04-10-settled",
            "2026-04-10",
            "microsoft",
            &["openai", "amazon"],
            "2026-03-18-ms-threat",
        ),
    ]
}

#[test]
fn contested_terms_list_every_claim_with_stage_confidence_and_whether_it_is_open() {
    let l = ledger(&contest());
    assert!(all_on(&l, "2026-03-17").is_empty(), "no claim yet");
    let on = |d: &str| {
        let a = l
            .conflicts(Query::as_of(day(d)), &Select::All)
            .expect("conflicts");
        assert_eq!(a.conflicts.len(), 1, "{d}: {:?}", summary(&a.conflicts));
        let c = &a.conflicts[0];
        assert_eq!(c.kind.as_str(), "contested");
        assert_eq!(c.grantor.as_ref().map(PartyId::as_str), Some("openai"));
        c.disputes
            .iter()
            .map(|d| {
                let stage = d.stage.map_or("-", |s| s.as_str());
                format!("{} {} {stage} {:?}", d.event, d.by, d.open)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        on("2026-03-20"),
        vec![
            "2026-03-18-ms-threat microsoft threatened Some(true)",
            "2026-03-19-amazon-statement amazon - None",
        ]
    );
    assert_eq!(
        on("2026-05-01"),
        vec![
            "2026-03-18-ms-threat microsoft threatened Some(false)",
            "2026-03-19-amazon-statement amazon - None",
        ],
        "the settlement closes the threat; the contest stays on record"
    );
}

#[test]
fn a_grant_disclosed_later_is_hidden_by_known_at() {
    let mut events = contest();
    // Disclosed a month after it was signed.
    events[1] = events[1].replace(
        "kind = \"agreement\"",
        "kind = \"agreement\"\ndisclosed = \"2026-03-27\"",
    );
    events.truncate(2);
    events.push(agreement(
        "2025-11-01-ms-frontier",
        "2025-11-01",
        &[("frontier-ms", "openai", "microsoft", "distribution", false)],
    ));
    let l = ledger(&events);
    let q = |known: Option<&str>| Query {
        as_of: day("2026-03-20"),
        known_at: known.map(day),
        at_size: None,
    };
    let overlap = "overlap 2025-11-01-ms-frontier#frontier-ms 2026-02-27-amazon#frontier";
    assert_eq!(conflicts_on(&l, q(None), &Select::All), vec![overlap]);
    assert!(conflicts_on(&l, q(Some("2026-03-20")), &Select::All).is_empty());
    assert_eq!(
        conflicts_on(&l, q(Some("2026-03-27")), &Select::All),
        vec![overlap]
    );
}

#[test]
fn an_ended_term_conflicts_with_nothing() {
    let mut events = contest();
    events.truncate(3);
    events.push(event(
        "2026-03-01-ms-term-ended",
        "2026-03-01",
        "term-ended",
        "ends = [\"2025-10-28-ms#api-stateless\"]\n",
    ));
    let l = ledger(&events);
    assert_eq!(
        all_on(&l, "2026-02-28").len(),
        0,
        "no claim before the threat"
    );
    assert!(
        all_on(&l, "2026-03-20").is_empty(),
        "the threat names a term no longer in force: nothing is contested"
    );
}

#[test]
fn a_pair_or_party_selects_conflicts_by_either_terms_relationship() {
    let l = ledger(&contest());
    let q = Query::as_of(day("2026-03-20"));
    let contested = vec!["contested 2025-10-28-ms#api-stateless 2026-02-27-amazon#frontier"];
    for select in [
        Select::All,
        Select::Pair(pid("openai"), pid("amazon")),
        Select::Pair(pid("microsoft"), pid("openai")),
        Select::Party(pid("openai")),
        Select::Party(pid("amazon")),
    ] {
        assert_eq!(conflicts_on(&l, q, &select), contested, "{select:?}");
        let state = l.state(q, &select).expect("state");
        assert_eq!(summary(&state.conflicts), contested, "state {select:?}");
    }
    for select in [
        Select::Pair(pid("microsoft"), pid("amazon")),
        Select::Party(pid("google")),
    ] {
        assert!(conflicts_on(&l, q, &select).is_empty(), "{select:?}");
    }
}

#[test]
fn a_settlement_listed_only_under_the_claimants_closes_the_claim_in_a_pair_query() {
    // The threat and its settlement are between Microsoft and Amazon alone; the pair
    // openai-microsoft reads the threat through the term it names, and must still see
    // that it was settled.
    let mut events = contest();
    events[2] = threat(
        "2026-03-18-ms-threat",
        "2026-03-18",
        "microsoft",
        &["amazon"],
        &["2025-10-28-ms#api-stateless", "2026-02-27-amazon#frontier"],
    );
    events[4] = settlement(
        "2026-04-10-settled",
        "2026-04-10",
        "microsoft",
        &["amazon"],
        "2026-03-18-ms-threat",
    );
    let l = ledger(&events);
    let q = Query::as_of(day("2026-05-01"));
    for select in [Select::Pair(pid("openai"), pid("microsoft")), Select::All] {
        let a = l.conflicts(q, &select).expect("conflicts");
        let threat = &a.conflicts[0].disputes[0];
        assert_eq!(threat.event.as_str(), "2026-03-18-ms-threat");
        assert_eq!(threat.open, Some(false), "{select:?}");
    }
}

#[test]
fn a_restore_checks_concerns_like_an_import() {
    // Records made without the validator: a claim naming a term its agreement lacks.
    let good = ledger(&contest());
    let mut entries: Vec<Entry> = good
        .records(0, None)
        .map(|r| r.expect("a record").entry)
        .collect();
    let Some(Entry::Event(threat)) = entries
        .iter_mut()
        .find(|e| matches!(e, Entry::Event(ev) if ev.id.as_str() == "2026-03-18-ms-threat"))
    else {
        panic!("the threat is recorded");
    };
    let Payload::Legal { concerns, .. } = &mut threat.payload else {
        panic!("a legal event");
    };
    concerns[1] = TermRef::parse("2026-02-27-amazon#no-such-term").expect("a reference");
    let mut made = Ledger::open(MemoryStore::new()).expect("open");
    made.append_unchecked(entries, AT).expect("append");
    let dir = tempfile::tempdir().expect("a folder");
    let export = dir.path().join("export.jsonl");
    let mut out = std::fs::File::create(&export).expect("create");
    pactlog::import::export(&made, &mut out).expect("export");
    drop(out);

    let mut fresh = Ledger::open(MemoryStore::new()).expect("open");
    let err = pactlog::import::restore(&mut fresh, &export).expect_err("refused");
    let text = format!("{err:?}");
    assert!(
        text.contains(
            "`concerns` names 2026-02-27-amazon#no-such-term, but 2026-02-27-amazon has no term"
        ),
        "{text}"
    );
    assert_eq!(fresh.size(), 0, "nothing restored");
    // The records as the validator made them restore.
    let clean = dir.path().join("clean.jsonl");
    let mut out = std::fs::File::create(&clean).expect("create");
    pactlog::import::export(&good, &mut out).expect("export");
    drop(out);
    pactlog::import::restore(&mut fresh, &clean).expect("restored");
    assert_eq!(fresh.size(), good.size());
}

// ---------------------------------------------------------------------------------------
// The command line.

#[test]
fn the_cli_lists_conflicts_and_state_marks_the_terms_in_them() {
    let store = TempStore::new();
    let files = store.dir.path().join("events");
    std::fs::create_dir(&files).expect("a folder");
    write_files(&files, &contest());
    store.import(&[&files]);

    let v = store.json(&[
        "conflicts",
        "--as-of",
        "2026-03-20",
        "--party",
        "amazon",
        "--json",
    ]);
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object().expect("an object").keys().cloned().collect()
    };
    assert_eq!(
        keys(&v),
        ["as_of", "known_at", "at_size", "receipt", "conflicts"]
    );
    let c = &v["conflicts"][0];
    assert_eq!(keys(c), ["kind", "grantor", "terms", "disputes"]);
    assert_eq!(
        (c["kind"].as_str(), c["grantor"].as_str()),
        (Some("contested"), Some("openai"))
    );
    assert_eq!(c["terms"][0]["scope"], "cloud.api.stateless");
    assert_eq!(c["terms"][1]["holder"], "amazon");
    assert_eq!(
        c["disputes"][0],
        serde_json::json!({"event": "2026-03-18-ms-threat", "by": "microsoft",
                           "stage": "threatened", "confidence": "reported", "open": true})
    );
    assert_eq!(c["disputes"][1]["stage"], serde_json::Value::Null);
    assert_eq!(c["disputes"][1]["open"], serde_json::Value::Null);

    let out = store
        .cmd()
        .args([
            "conflicts",
            "--as-of",
            "2026-03-20",
            "--pair",
            "OpenAI",
            "Microsoft",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "conflict 1: contested",
        "  grantor   openai",
        "  term      exclusivity openai -> microsoft  cloud.api.stateless  exclusive  since 2025-10-28, no end date  (2025-10-28-ms#api-stateless)",
        "  dispute   2026-03-18-ms-threat by microsoft  stage threatened  confidence reported  open",
        "  dispute   2026-03-19-amazon-statement by amazon  stage statement  confidence reported  -",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }

    // No conflict: still exit 0.
    let out = store
        .cmd()
        .args(["conflicts", "--as-of", "2026-01-01"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no conflicts between terms in force"));

    let v = store.json(&[
        "state",
        "--as-of",
        "2026-03-20",
        "--pair",
        "openai",
        "amazon",
        "--json",
    ]);
    let rel = &v["relationships"][0];
    assert_eq!(rel["conflicts"][0]["kind"], "contested");
    assert_eq!(rel["conflicts"][0]["terms"][1]["key"], "frontier");
    let v = store.json(&["state", "--as-of", "2026-01-01", "--json"]);
    assert_eq!(v["relationships"][0]["conflicts"], serde_json::json!([]));

    let out = store
        .cmd()
        .args([
            "state",
            "--as-of",
            "2026-03-20",
            "--pair",
            "openai",
            "amazon",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let mark = "      conflict: contested with 2025-10-28-ms#api-stateless (openai -> microsoft, cloud.api.stateless)";
    assert!(
        text.lines().any(|l| l == mark),
        "missing {mark:?} in:\n{text}"
    );
}

#[test]
fn show_prints_concerns_and_the_event_json_carries_them() {
    let store = TempStore::new();
    let files = store.dir.path().join("events");
    std::fs::create_dir(&files).expect("a folder");
    write_files(&files, &contest());
    store.import(&[&files]);
    let out = store
        .cmd()
        .args(["show", "2026-03-18-ms-threat"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  concerns     2026-02-27-amazon#frontier"),
        "{text}"
    );
    let v = store.json(&["show", "2026-03-19-amazon-statement", "--json"]);
    assert_eq!(
        v["payload"]["statement"]["concerns"],
        serde_json::json!([{"event": "2026-02-27-amazon", "key": "frontier"}])
    );
}

// ---------------------------------------------------------------------------------------
// Property: every selection's answer equals a brute force over all pairs of terms.

/// Live events (kept by at_size and known_at, not superseded by a kept event) that count
/// on the day, by (earliest, latest, seq).
fn counted(all: &[Recorded], q: Query) -> Vec<&Recorded> {
    let kept: Vec<&Recorded> = all
        .iter()
        .filter(|r| q.at_size.is_none_or(|n| r.seq < n))
        .filter(|r| q.known_at.is_none_or(|k| r.event.disclosed <= k))
        .collect();
    let mut out: Vec<&Recorded> = kept
        .iter()
        .filter(|r| {
            !kept
                .iter()
                .any(|s| s.event.supersedes.as_ref() == Some(&r.event.id))
        })
        .filter(|r| r.event.date.latest() <= q.as_of)
        .copied()
        .collect();
    out.sort_by_key(|r| (r.event.date.earliest(), r.event.date.latest(), r.seq));
    out
}

/// One conflict as the brute force states it: kind, terms, grantor, and each claim
/// naming either term with its open flag.
type Plain = (
    String,
    TermRef,
    TermRef,
    Option<PartyId>,
    Vec<(String, Option<bool>)>,
);

fn plain(c: &Conflict) -> Plain {
    let [a, b] = &c.terms;
    let disputes = c
        .disputes
        .iter()
        .map(|d| (d.event.to_string(), d.open))
        .collect();
    (
        c.kind.as_str().into(),
        a.reference(),
        b.reference(),
        c.grantor.clone(),
        disputes,
    )
}

/// A brute-force conflict with the relationships of its two terms.
type Placed = (Plain, (PartyId, PartyId), (PartyId, PartyId));

fn brute_force(all: &[Recorded], q: Query) -> Vec<Placed> {
    let terms: Vec<TermState> = reference_state(all, q)
        .into_iter()
        .flat_map(|r| r.terms)
        .collect();
    let claims: Vec<&Event> = counted(all, q)
        .into_iter()
        .map(|r| &r.event)
        .filter(|e| !e.payload.concerns().is_empty())
        .collect();
    let resolved = |e: &Event| {
        counted(all, q).iter().any(|r| {
            matches!(&r.event.payload, Payload::Legal { stage, resolves: Some(t), .. }
                if stage.is_closing() && *t == e.id)
        })
    };
    let mut out = Vec::new();
    for a in &terms {
        for b in &terms {
            let key = |t: &TermState| (t.grantor.clone(), t.event.clone(), t.key.clone());
            if key(a) >= key(b) {
                continue;
            }
            let rivals = a.grantor == b.grantor && a.holder != b.holder;
            let (sa, sb) = (a.scope.as_str(), b.scope.as_str());
            let prefix = |x: &str, y: &str| y.starts_with(&format!("{x}."));
            let parent = |s: &str| s.rsplit_once('.').map(|(p, _)| p.to_string());
            let mut kinds = Vec::new();
            if rivals
                && (a.exclusive || b.exclusive)
                && (sa == sb || prefix(sa, sb) || prefix(sb, sa))
            {
                kinds.push("overlap");
            }
            let named = |e: &&Event, t: &TermState| e.payload.concerns().contains(&t.reference());
            if claims.iter().any(|e| named(e, a) && named(e, b)) {
                kinds.push("contested");
            }
            if rivals
                && a.exclusive
                && b.exclusive
                && sa != sb
                && parent(sa).is_some()
                && parent(sa) == parent(sb)
            {
                kinds.push("adjacent");
            }
            for kind in kinds {
                let disputes = claims
                    .iter()
                    .filter(|e| named(e, a) || named(e, b))
                    .map(|e| {
                        let open = match &e.payload {
                            Payload::Legal { stage, .. } => {
                                Some(!stage.is_closing() && !resolved(e))
                            }
                            _ => None,
                        };
                        (e.id.to_string(), open)
                    })
                    .collect();
                let grantor = (a.grantor == b.grantor).then(|| a.grantor.clone());
                // By the first term (grantor, event, key), then the second, then kind.
                let rank = ["overlap", "contested", "adjacent"]
                    .iter()
                    .position(|x| *x == kind);
                out.push((
                    (key(a), key(b), rank),
                    (
                        kind.to_string(),
                        a.reference(),
                        b.reference(),
                        grantor,
                        disputes,
                    ),
                    pair(&a.grantor, &a.holder),
                    pair(&b.grantor, &b.holder),
                ));
            }
        }
    }
    out.sort_by(|x, y| x.0.cmp(&y.0));
    out.into_iter().map(|(_, c, pa, pb)| (c, pa, pb)).collect()
}

fn ledger_of(entries: &[Entry], sizes: &[usize]) -> Ledger<MemoryStore> {
    let mut ledger = Ledger::open(MemoryStore::new()).expect("open a memory ledger");
    let mut rest = entries;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes[k % sizes.len()].clamp(1, rest.len());
        ledger
            .append_unchecked(rest[..n].to_vec(), AT)
            .expect("append");
        rest = &rest[n..];
        k += 1;
    }
    ledger
}

fn selections(entries: &[Entry]) -> Vec<Select> {
    let parties: Vec<PartyId> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Party(p) => Some(p.id.clone()),
            Entry::Event(_) => None,
        })
        .collect();
    let mut out = vec![Select::All, Select::Party(pid(STRANGER))];
    for (i, a) in parties.iter().enumerate() {
        out.push(Select::Party(a.clone()));
        for b in &parties[i + 1..] {
            out.push(Select::Pair(b.clone(), a.clone()));
        }
    }
    out
}

/// Events per generated ledger, at most: enough for terms of one grantor to meet.
const MAX_EVENTS: usize = 24;

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn conflicts_of_every_selection_equal_a_brute_force_over_all_pairs_of_terms(
        entries in arb_conflict_ledger(MAX_EVENTS),
        sizes in arb_batch_sizes(),
        queries in proptest::collection::vec(arb_query_seed(), 1..4),
    ) {
        let ledger = ledger_of(&entries, &sizes);
        let all = recorded(&entries);
        for seed in &queries {
            let q = seed.query(&entries);
            let want = brute_force(&all, q);
            for select in selections(&entries) {
                let wanted: Vec<Plain> = want
                    .iter()
                    .filter(|(_, pa, pb)| select.wants(pa) || select.wants(pb))
                    .map(|(c, _, _)| c.clone())
                    .collect();
                let got = ledger.conflicts(q, &select).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let got: Vec<Plain> = got.conflicts.iter().map(plain).collect();
                prop_assert_eq!(&got, &wanted, "{:?} {:?}\nledger:\n{}", select, q, describe(&entries));
                let state = ledger.state(q, &select).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let state: Vec<Plain> = state.conflicts.iter().map(plain).collect();
                prop_assert_eq!(&state, &wanted, "state {:?} {:?}", select, q);
            }
        }
    }
}

#[test]
fn the_generator_makes_every_kind_of_conflict() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = arb_conflict_ledger(MAX_EVENTS);
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..200 {
        let entries = strategy.new_tree(&mut runner).expect("generate").current();
        let all = recorded(&entries);
        let mut found = std::collections::BTreeSet::new();
        for d in boundary_days(&entries) {
            for (c, _, _) in brute_force(&all, Query::as_of(d)) {
                let closed = c.4.iter().any(|(_, open)| *open == Some(false));
                found.insert((c.0.clone(), c.1, c.2, closed));
            }
        }
        for (kind, _, _, closed) in found {
            *seen.entry(kind).or_default() += 1;
            *seen.entry(format!("closed {closed}")).or_default() += 1;
        }
    }
    for kind in [
        "overlap",
        "contested",
        "adjacent",
        "closed true",
        "closed false",
    ] {
        let n = seen.get(kind).copied().unwrap_or(0);
        assert!(n >= 5, "only {n} {kind} conflicts in 200 ledgers: {seen:?}");
    }
}
