//! Chains of corrections: an event is replaced as soon as any later link of its chain
//! exists under the query's filters, even when the link between them is not yet
//! disclosed, and whichever way the query reads the ledger (all, by pair, by party).

use pactlog::model::{Day, PartyId};
use pactlog::{Ledger, MemoryStore, Query, Select, Timestamp};

const PARTIES: &str = r#"
[[party]]
id = "acme"
name = "Acme"

[[party]]
id = "beta"
name = "Beta"

[[party]]
id = "gamma"
name = "Gamma"
"#;

/// `a` (10M from acme to beta) is corrected by `b` (disclosed 2026-03-01), which is
/// corrected by `c` (disclosed 2026-02-01), with the investees given.
fn chain(b_investee: &str, c_investee: &str) -> String {
    let event = |id: &str, disclosed: &str, supersedes: Option<&str>, investee: &str, m: u32| {
        let sup = supersedes.map_or(String::new(), |s| format!("supersedes = \"{s}\"\n"));
        format!(
            "[[event]]\nid = \"{id}\"\ndate = \"2026-01-10\"\ndisclosed = \"{disclosed}\"\n\
             kind = \"investment\"\nsummary = \"Acme invests.\"\nconfidence = \"reported\"\n{sup}\
             [[event.tranche]]\ninvestor = \"acme\"\ninvestee = \"{investee}\"\namount = \"{m}M USD\"\n\
             [[event.source]]\nurl = \"https://example.com/{id}\"\n\n"
        )
    };
    [
        event("a", "2026-01-10", None, "beta", 10),
        event("b", "2026-03-01", Some("a"), b_investee, 20),
        event("c", "2026-02-01", Some("b"), c_investee, 30),
    ]
    .concat()
}

fn ledger(events: &str) -> Ledger<MemoryStore> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("parties.toml"), PARTIES).unwrap();
    std::fs::write(dir.path().join("events.toml"), events).unwrap();
    let mut ledger = Ledger::open(MemoryStore::new()).unwrap();
    pactlog::import::import(
        &mut ledger,
        &[dir.path().to_path_buf()],
        Timestamp::from_unix(1_767_225_600),
    )
    .unwrap();
    ledger
}

/// The investments (in millions) each selection counts between acme and beta, known on
/// 2026-02-15 (after `c` was disclosed, before `b` was).
fn counted(ledger: &Ledger<MemoryStore>, select: &Select) -> Vec<u64> {
    let query = Query {
        as_of: Day::parse("2026-06-01").unwrap(),
        known_at: Some(Day::parse("2026-02-15").unwrap()),
        at_size: None,
    };
    let pair = (PartyId::new("acme").unwrap(), PartyId::new("beta").unwrap());
    let answer = ledger.state(query, select).unwrap();
    let mut out: Vec<u64> = answer
        .relationships
        .iter()
        .filter(|r| r.parties == pair)
        .flat_map(|r| r.investments.iter().map(|i| i.amount.units / 1_000_000))
        .collect();
    out.sort();
    out
}

fn selections() -> [Select; 3] {
    let (acme, beta) = (PartyId::new("acme").unwrap(), PartyId::new("beta").unwrap());
    [
        Select::All,
        Select::Pair(acme.clone(), beta),
        Select::Party(acme),
    ]
}

#[test]
fn a_correction_of_a_correction_replaces_the_original_while_the_middle_is_undisclosed() {
    let l = ledger(&chain("beta", "beta"));
    for select in selections() {
        assert_eq!(counted(&l, &select), vec![30], "{select:?}");
    }
}

#[test]
fn the_chain_is_followed_through_a_middle_link_between_other_parties() {
    // `b` moved the investment to gamma; `c` moved it back: acme-beta has only `c`.
    let l = ledger(&chain("gamma", "beta"));
    for select in selections() {
        assert_eq!(counted(&l, &select), vec![30], "{select:?}");
    }
}

#[test]
fn a_pair_query_reads_the_end_of_a_chain_that_left_the_pair() {
    // `b` and `c` both name gamma: acme-beta's only event is replaced, whichever way the
    // ledger is read (a pair query must find `c` through the pairs `b` is listed under).
    let l = ledger(&chain("gamma", "gamma"));
    for select in selections() {
        assert_eq!(counted(&l, &select), Vec::<u64>::new(), "{select:?}");
    }
}
