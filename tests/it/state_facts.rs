//! The bundled dataset answers the questions analysts ask, and its expected outputs are
//! pinned in fixtures/expected/ (regenerate with PACTLOG_BLESS=1 after a deliberate change).

use assert_cmd::Command;
use pactlog::codec::Timestamp;
use pactlog::ledger::Ledger;
use pactlog::model::{Confidence, Day, PartyId, TermType};
use pactlog::projection::{
    ConflictKind, InvestmentState, MoneyStatus, Query, RelationshipState, Select, Status,
};
use pactlog::store::MemoryStore;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-01-01T00:00:00Z";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bundled() -> Ledger<MemoryStore> {
    let mut ledger = Ledger::open(MemoryStore::new()).unwrap();
    pactlog::import::import(
        &mut ledger,
        &[root().join("events")],
        Timestamp::parse(NOW).unwrap(),
    )
    .unwrap();
    ledger
}

fn p(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

fn rel(ledger: &Ledger<MemoryStore>, q: Query, a: &str, b: &str) -> RelationshipState {
    let answer = ledger.state(q, &Select::Pair(p(a), p(b))).unwrap();
    assert_eq!(
        answer.relationships.len(),
        1,
        "{a}-{b} should have exactly one relationship"
    );
    answer.relationships.into_iter().next().unwrap()
}

#[test]
fn microsoft_openai_on_2026_03_01_has_stateless_api_exclusivity_and_exclusive_ip_and_no_dispute() {
    let l = bundled();
    let r = rel(&l, Query::as_of(day("2026-03-01")), "microsoft", "openai");
    let api = r
        .terms
        .iter()
        .find(|t| t.kind == TermType::Exclusivity && t.scope.as_str() == "cloud.api.stateless");
    let api = api.expect("Azure exclusivity for stateless APIs in force");
    assert_eq!(
        (api.grantor.as_str(), api.holder.as_str(), api.exclusive),
        ("openai", "microsoft", true)
    );
    assert!(
        r.terms
            .iter()
            .any(|t| t.kind == TermType::IpLicense && t.exclusive && t.holder == p("microsoft")),
        "an exclusive IP license held by Microsoft is in force"
    );
    assert!(r.disputes.is_empty());
    assert_eq!(r.status, Status::Active);
}

#[test]
fn amazon_openai_on_2026_03_01_has_frontier_distribution_and_15b_scheduled_35b_conditional() {
    let l = bundled();
    let r = rel(&l, Query::as_of(day("2026-03-01")), "amazon", "openai");
    assert!(r.terms.iter().any(|t| t.kind == TermType::Exclusivity
        && t.exclusive
        && t.holder == p("amazon")
        && t.scope.as_str().contains("frontier")));
    let totals = pactlog::projection::investment_totals(&r.investments);
    let want = [
        (MoneyStatus::Scheduled, 15_000_000_000),
        (MoneyStatus::Conditional, 35_000_000_000),
    ];
    assert_eq!(totals.get("USD"), Some(&want.into_iter().collect()));
    assert!(r.investments.iter().all(|i| i.investor == p("amazon")));
}

#[test]
fn on_2026_03_20_microsoft_has_an_open_rumor_level_dispute_with_openai_and_with_amazon() {
    let l = bundled();
    for other in ["openai", "amazon"] {
        let r = rel(&l, Query::as_of(day("2026-03-20")), "microsoft", other);
        assert_eq!(r.status, Status::Disputed, "microsoft-{other}");
        let d = &r.disputes[0];
        assert_eq!(d.by, p("microsoft"));
        assert_eq!(d.confidence, pactlog::model::Confidence::Rumor);
        assert!(d.against.contains(&p(other)));
    }
    // The day before the report, there was none.
    let r = rel(&l, Query::as_of(day("2026-03-17")), "microsoft", "openai");
    assert!(r.disputes.is_empty());
}

#[test]
fn on_2026_05_01_api_exclusivity_is_gone_the_models_license_is_non_exclusive_and_research_ip_stays()
{
    let l = bundled();
    let r = rel(&l, Query::as_of(day("2026-05-01")), "microsoft", "openai");
    assert!(
        !r.terms
            .iter()
            .any(|t| t.scope.as_str().starts_with("cloud.api") && t.kind == TermType::Exclusivity)
    );
    let ip: Vec<_> = r
        .terms
        .iter()
        .filter(|t| t.kind == TermType::IpLicense && t.holder == p("microsoft"))
        .collect();
    let models: Vec<_> = ip
        .iter()
        .filter(|t| t.scope.as_str() == "ip.models")
        .collect();
    assert!(!models.is_empty(), "Microsoft still holds a models license");
    assert!(
        models.iter().all(|t| !t.exclusive),
        "the models license is non-exclusive after the amendment: {models:?}"
    );
    // The amendment did not end the research-IP term (its sources do not say so).
    assert!(
        ip.iter()
            .any(|t| t.scope.as_str() == "ip.research" && t.exclusive),
        "the research-IP term is still in force: {ip:?}"
    );
}

const API_EXCLUSIVITY: &str =
    "2025-10-28-microsoft-openai-definitive-agreement#api-exclusive-stateless";
const FRONTIER: &str = "2026-02-27-amazon-openai-frontier-agreement-restated#frontier-distribution";

/// A claim on a conflict: its event, confidence and whether it is open.
type Claim = (String, Confidence, Option<bool>);

/// The claims of the conflicts on `day` between Azure's stateless-API exclusivity and
/// Amazon's Frontier distribution, by kind.
fn seed_conflicts(l: &Ledger<MemoryStore>, day: &str) -> Vec<(ConflictKind, Vec<Claim>)> {
    let answer = l
        .conflicts(Query::as_of(self::day(day)), &Select::Party(p("openai")))
        .unwrap();
    answer
        .conflicts
        .iter()
        .filter(|c| {
            let refs: Vec<String> = c.terms.iter().map(|t| t.reference().to_string()).collect();
            refs.contains(&API_EXCLUSIVITY.to_string()) && refs.contains(&FRONTIER.to_string())
        })
        .map(|c| {
            let claims = (c.disputes.iter())
                .map(|d| (d.event.to_string(), d.confidence, d.open))
                .collect();
            (c.kind, claims)
        })
        .collect()
}

#[test]
fn on_2026_03_01_the_joint_statement_already_contests_azure_api_exclusivity_against_frontier() {
    let l = bundled();
    let statement = "2026-02-27-microsoft-openai-joint-statement-restated".to_string();
    assert_eq!(
        seed_conflicts(&l, "2026-03-01"),
        [(
            ConflictKind::Contested,
            vec![(statement.clone(), Confidence::Confirmed, None)]
        )]
    );
    // By 2026-03-20 the reported threat (open) and the on-record statement join it.
    let threat = "2026-02-27-microsoft-weighs-suing-openai-and-amazon-restated".to_string();
    let obligation = "2026-03-18-microsoft-calls-exclusivity-legal-obligation-restated";
    assert_eq!(
        seed_conflicts(&l, "2026-03-20"),
        [(
            ConflictKind::Contested,
            vec![
                (statement, Confidence::Confirmed, None),
                (threat, Confidence::Rumor, Some(true)),
                (obligation.to_string(), Confidence::Confirmed, None),
            ]
        )]
    );
}

#[test]
fn after_the_amendment_no_term_overlaps_amazon_third_party_frontier_distribution() {
    let l = bundled();
    for day in ["2026-05-01", "2026-12-07"] {
        let q = Query::as_of(self::day(day));
        let answer = l.conflicts(q, &Select::All).unwrap();
        assert!(answer.conflicts.is_empty(), "{day}: {:?}", answer.conflicts);
        let r = rel(&l, q, "amazon", "openai");
        let frontier = r
            .terms
            .iter()
            .find(|t| t.reference().to_string() == FRONTIER);
        let frontier = frontier.expect("Amazon's Frontier distribution is in force");
        assert_eq!(
            frontier.scope.as_str(),
            "cloud.distribution.third-party.frontier"
        );
        let r = rel(&l, q, "microsoft", "openai");
        assert!(
            r.terms.iter().any(|t| t.scope.as_str() == "cloud.primary"),
            "Azure's primary-cloud term is in force: {:?}",
            r.terms
        );
    }
    // The dispute stays open: no suit, withdrawal or settlement is recorded.
    let r = rel(&l, Query::as_of(day("2026-12-07")), "microsoft", "openai");
    assert_eq!(r.status, Status::Disputed);
}

fn tranche<'r>(r: &'r RelationshipState, reference: &str) -> &'r InvestmentState {
    (r.investments.iter())
        .find(|i| {
            i.key
                .as_ref()
                .is_some_and(|k| format!("{}#{k}", i.event) == reference)
        })
        .unwrap_or_else(|| panic!("no tranche {reference} in {:?}", r.investments))
}

#[test]
fn amazon_initial_15b_reads_paid_by_the_reported_payment_never_overdue() {
    let l = bundled();
    let initial = "2026-02-27-amazon-invests-50b-in-openai#initial-15b";
    for day in ["2026-04-01", "2026-12-07"] {
        let r = rel(&l, Query::as_of(self::day(day)), "amazon", "openai");
        let t = tranche(&r, initial);
        assert_eq!(t.status, MoneyStatus::Paid, "{day}");
        assert_eq!(
            t.paid_by.as_ref().map(|e| e.as_str()),
            Some("2026-02-27-amazon-pays-15b-upfront")
        );
    }
    // The payment is dated 2026-02-27/2026-03-31: it counts from its last day, and the
    // tranche is scheduled (due 2026-03-31) before it.
    let r = rel(&l, Query::as_of(day("2026-03-30")), "amazon", "openai");
    assert_eq!(tranche(&r, initial).status, MoneyStatus::Scheduled);
}

#[test]
fn on_2026_12_07_no_tranche_reads_overdue_and_what_is_due_reads_unreported() {
    let l = bundled();
    let q = Query::as_of(day("2026-12-07"));
    let all = l.state(q, &Select::All).unwrap();
    let overdue: Vec<_> = (all.relationships.iter())
        .flat_map(|r| &r.investments)
        .filter(|i| i.status == MoneyStatus::Overdue)
        .collect();
    assert!(
        overdue.is_empty(),
        "no source reports a missed payment: {overdue:?}"
    );
    let r = rel(&l, q, "openai", "softbank");
    let third = tranche(&r, "2026-02-27-openai-110b-round#softbank-third-10b");
    assert_eq!(third.status, MoneyStatus::Unreported);
    // Amazon's $35B: its condition reported met by OpenAI's S-1, its payment not reported.
    let r = rel(&l, q, "amazon", "openai");
    let rest = tranche(
        &r,
        "2026-02-27-amazon-invests-50b-in-openai#conditional-35b",
    );
    assert_eq!(
        (rest.status, rest.met_by.as_ref().map(|e| e.as_str())),
        (
            MoneyStatus::Unreported,
            Some("2026-06-08-s1-makes-amazon-35b-due")
        )
    );
    let before = rel(&l, Query::as_of(day("2026-06-07")), "amazon", "openai");
    assert_eq!(
        tranche(
            &before,
            "2026-02-27-amazon-invests-50b-in-openai#conditional-35b"
        )
        .status,
        MoneyStatus::Conditional
    );
}

#[test]
fn the_2021_investment_counts_as_of_mid_2022_but_was_not_known_then() {
    let l = bundled();
    let id = "2021-microsoft-follow-on-investment";
    let r = rel(&l, Query::as_of(day("2022-06-01")), "microsoft", "openai");
    assert!(r.events.iter().any(|e| e.as_str() == id));
    let q = Query {
        as_of: day("2022-06-01"),
        known_at: Some(day("2022-06-01")),
        at_size: None,
    };
    let r = rel(&l, q, "microsoft", "openai");
    assert!(!r.events.iter().any(|e| e.as_str() == id));
    assert!(
        r.events
            .iter()
            .any(|e| e.as_str().starts_with("2019-07-22")),
        "what was public in 2019 still counts"
    );
}

#[test]
fn state_before_every_event_is_empty_and_at_size_of_the_whole_ledger_changes_nothing() {
    let l = bundled();
    let empty = l
        .state(Query::as_of(day("1990-01-01")), &Select::All)
        .unwrap();
    assert!(empty.relationships.is_empty());
    let q = Query::as_of(day("2026-03-01"));
    let whole = l.state(q, &Select::All).unwrap();
    let sized = l
        .state(
            Query {
                at_size: Some(l.size()),
                ..q
            },
            &Select::All,
        )
        .unwrap();
    assert_eq!(whole.relationships, sized.relationships);
    assert_eq!(whole.receipt, sized.receipt);
}

#[test]
fn diff_feb_to_apr_2026_shows_the_joint_statement_and_the_march_dispute() {
    let l = bundled();
    let (_, d) = l
        .diff(
            day("2026-02-01"),
            day("2026-04-01"),
            &Select::Pair(p("microsoft"), p("openai")),
        )
        .unwrap();
    assert_eq!(d.relationships.len(), 1);
    let r = &d.relationships[0];
    assert!(
        r.events
            .iter()
            .any(|e| e.as_str() == "2026-02-27-microsoft-openai-joint-statement-restated")
    );
    assert_eq!(r.disputes_opened.len(), 1);
    assert!(
        r.disputes_opened[0].event.as_str()
            == "2026-02-27-microsoft-weighs-suing-openai-and-amazon-restated"
    );
    assert_eq!(r.status, (Status::Active, Status::Disputed));
}

fn pactlog(store: &Path) -> Command {
    let mut c = Command::cargo_bin("pactlog").unwrap();
    c.env("PACTLOG_NOW", NOW)
        .env_remove("PACTLOG_STORE")
        .arg("--store")
        .arg(store)
        .current_dir(root());
    c
}

/// Compares `actual` with fixtures/expected/NAME; PACTLOG_BLESS=1 (or a missing file)
/// writes it and fails, so a new expectation is always reviewed before it is committed.
fn expect(name: &str, actual: &str) {
    let path = root().join("fixtures/expected").join(name);
    let bless = crate::support::blessing();
    match std::fs::read_to_string(&path) {
        Ok(want) if !bless => assert_eq!(actual, want, "output differs from {}", path.display()),
        _ => {
            std::fs::write(&path, actual).unwrap();
            panic!(
                "wrote {}: review it and commit it, then run again without PACTLOG_BLESS",
                path.display()
            );
        }
    }
}

#[test]
fn bundled_outputs_match_the_fixtures_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("db");
    pactlog(&store)
        .args(["import", "events/"])
        .assert()
        .success();
    let cases: [(&str, &[&str]); 6] = [
        (
            "state-2026-03-01.json",
            &["state", "--as-of", "2026-03-01", "--json"],
        ),
        ("state-2026-03-01.txt", &["state", "--as-of", "2026-03-01"]),
        (
            "state-2026-05-01-microsoft-openai.json",
            &[
                "state",
                "--as-of",
                "2026-05-01",
                "--pair",
                "microsoft",
                "openai",
                "--json",
            ],
        ),
        (
            "state-2022-06-01-known-2022-06-01.json",
            &[
                "state",
                "--as-of",
                "2022-06-01",
                "--known-at",
                "2022-06-01",
                "--json",
            ],
        ),
        (
            "diff-2026-02-01-2026-04-01-microsoft-openai.txt",
            &[
                "diff",
                "--from",
                "2026-02-01",
                "--to",
                "2026-04-01",
                "--pair",
                "microsoft",
                "openai",
            ],
        ),
        (
            "log-microsoft-openai.txt",
            &["log", "--pair", "microsoft", "openai"],
        ),
    ];
    let mut first_error = None;
    for (name, args) in cases {
        let out = pactlog(&store).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        // Run again: same prefix, same query, same bytes.
        let again = pactlog(&store).args(args).output().unwrap();
        assert_eq!(
            text.as_bytes(),
            &again.stdout[..],
            "{args:?} is not deterministic"
        );
        if let Err(e) = std::panic::catch_unwind(|| expect(name, &text)) {
            first_error.get_or_insert(e);
        }
    }
    if let Some(e) = first_error {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn bad_queries_exit_1_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("db");
    pactlog(&store)
        .args(["import", "events/"])
        .assert()
        .success();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "state",
                "--as-of",
                "2026-03-01",
                "--pair",
                "microsoft",
                "nobody",
            ],
            "unknown party \"nobody\"",
        ),
        (
            &["state", "--as-of", "2026-02-30"],
            "February 2026 has 28 days",
        ),
        (&["state", "--as-of", "March 1"], "--as-of"),
        (
            &["diff", "--from", "2026-04-01", "--to", "2026-02-01"],
            "--from 2026-04-01 is after --to 2026-02-01",
        ),
        (
            &["state", "--as-of", "2026-03-01", "--at-size", "100000"],
            "larger than the ledger",
        ),
    ];
    for (args, want) in cases {
        let out = pactlog(&store).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}
