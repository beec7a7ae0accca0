//! Work that one input could make unbounded: the parties and lists of one event, the
//! depth of a folder walk, the problems one file can raise and the values one file can
//! hold. Each is bounded by a documented limit (docs/format.md, "Limits"), and the
//! limits hold at their edges: the largest allowed input is accepted, one more refused.

use crate::support;

use pactlog::import::{MAX_DEPTH, MAX_FILE_PROBLEMS, MAX_FILE_VALUES};
use pactlog::model::rules::{MAX_EVENT_LIST, MAX_EVENT_PARTIES};
use std::fmt::Write as _;
use std::path::Path;
use support::TempStore;
use support::hostile::*;

/// `n` parties `p000`, `p001`... (ids in sorted order, names far apart).
fn parties(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let name: String = format!("{i:03}")
            .bytes()
            .map(|d| {
                [
                    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                ][usize::from(d - b'0')]
            })
            .collect::<Vec<_>>()
            .join(" ");
        writeln!(out, "[[party]]\nid = \"p{i:03}\"\nname = \"Co {name}\"\n").unwrap();
    }
    out
}

fn event_head(id: &str, kind: &str, parties: &[String]) -> String {
    let list: Vec<String> = parties.iter().map(|p| format!("\"{p}\"")).collect();
    format!(
        "[[event]]\nid = \"{id}\"\ndate = \"2025-01-01\"\nkind = \"{kind}\"\nsummary = \"s\"\n\
         confidence = \"confirmed\"\nparties = [{}]\n",
        list.join(", ")
    )
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("p{i:03}")).collect()
}

/// An announcement naming `n` parties.
fn announcement(n: usize) -> String {
    event_head("2025-01-01-many", "announcement", &ids(n))
        + "[[event.source]]\nurl = \"https://example.com/a\"\n"
}

/// An agreement of `n` terms between two parties, with `sources` sources.
fn agreement(terms: usize, sources: usize) -> String {
    let mut out = event_head("2025-01-01-terms", "agreement", &ids(2));
    for i in 0..terms {
        writeln!(
            out,
            "[[event.term]]\nkey = \"k{i}\"\ntype = \"other\"\ngrantor = \"p000\"\n\
             holder = \"p001\"\nscope = \"s.x{i}\"\nexclusive = false"
        )
        .unwrap();
    }
    for i in 0..sources {
        writeln!(out, "[[event.source]]\nurl = \"https://example.com/{i}\"").unwrap();
    }
    out
}

/// Imports `parties(np)` and `events` into a fresh store.
fn import(np: usize, events: &str) -> (TempStore, std::process::Output) {
    let store = TempStore::new();
    let dir = store.dir.path();
    std::fs::write(dir.join("parties.toml"), parties(np)).unwrap();
    std::fs::write(dir.join("events.toml"), events).unwrap();
    let out = run(store
        .cmd()
        .arg("import")
        .arg(dir.join("parties.toml"))
        .arg(dir.join("events.toml")));
    (store, out)
}

#[test]
fn an_event_names_at_most_the_documented_number_of_parties() {
    let (store, out) = import(MAX_EVENT_PARTIES, &announcement(MAX_EVENT_PARTIES));
    assert_ok(&out);
    // Every pair of the 64 is a relationship, and each answers.
    let state = store.json(&[
        "state",
        "--as-of",
        "2025-06-01",
        "--pair",
        "p000",
        "p063",
        "--json",
    ]);
    assert!(state.to_string().contains("2025-01-01-many"), "{state}");

    let n = MAX_EVENT_PARTIES + 1;
    let (store, out) = import(n, &announcement(n));
    assert_fails(
        &out,
        1,
        &format!(
            "`parties` holds {n} parties; one event or party holds at most {MAX_EVENT_PARTIES}"
        ),
    );
    assert!(!store.path.exists(), "a refused import left a store");
}

#[test]
fn an_event_lists_at_most_the_documented_number_of_terms_and_sources() {
    let (_store, out) = import(2, &agreement(MAX_EVENT_LIST, MAX_EVENT_LIST));
    assert_ok(&out);
    let n = MAX_EVENT_LIST + 1;
    let (_store, out) = import(2, &agreement(n, 1));
    assert_fails(
        &out,
        1,
        &format!("`term` holds {n} terms; one event or party holds at most {MAX_EVENT_LIST}"),
    );
    let (_store, out) = import(2, &agreement(1, n));
    assert_fails(&out, 1, &format!("`source` holds {n} sources"));

    let aliases: Vec<String> = (0..n).map(|i| format!("\"Alias {i:04}\"")).collect();
    let party = format!(
        "[[party]]\nid = \"many\"\nname = \"Many Names\"\naliases = [{}]\n",
        aliases.join(", ")
    );
    let (_store, out) = import(0, &party);
    assert_fails(
        &out,
        1,
        &format!(
            "`aliases` holds {n} aliases; one event or party holds at most {MAX_EVENT_LIST}: keep the names"
        ),
    );
}

/// `depth` folders nested in `root`, the innermost holding an event file.
fn nest(root: &Path, depth: usize, events: &str) {
    let mut dir = root.to_path_buf();
    for _ in 0..depth {
        dir.push("d");
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("e.toml"), events).unwrap();
}

#[test]
fn a_folder_walk_reads_the_documented_depth_and_refuses_deeper() {
    let store = TempStore::new();
    let ok = store.dir.path().join("ok");
    nest(&ok, MAX_DEPTH, &parties(2));
    assert_ok(&run(store.cmd().arg("check").arg(&ok)));

    // Twenty times deeper: refused by name, not walked.
    let deep = store.dir.path().join("deep");
    nest(&deep, MAX_DEPTH * 20, &parties(2));
    let too_deep = store.dir.path().join("too-deep");
    nest(&too_deep, MAX_DEPTH + 1, &parties(2));
    let out = run(store.cmd().arg("check").arg(&too_deep));
    assert_fails(&out, 1, "is nested more than");
    let out = run(store.cmd().arg("check").arg(&deep));
    assert_fails(
        &out,
        1,
        &format!("is nested more than {MAX_DEPTH} folders deep inside the folder given"),
    );
}

#[test]
fn a_file_lists_its_first_problems_and_counts_the_rest() {
    let unknown = 3 * MAX_FILE_PROBLEMS;
    let mut events = announcement(2);
    let at = events.find("[[event.source]]").unwrap();
    let keys: String = (0..unknown).map(|i| format!("stray{i:04} = 1\n")).collect();
    events.insert_str(at, &keys);
    let (store, out) = import(2, &events);
    assert_fails(
        &out,
        1,
        &format!("{unknown} problems found; nothing was imported"),
    );
    let lines = stderr(&out)
        .lines()
        .filter(|l| l.contains("events.toml:"))
        .count();
    assert_eq!(lines, MAX_FILE_PROBLEMS + 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "{} more problems in this file not listed",
            unknown - MAX_FILE_PROBLEMS
        )),
        "{}",
        stderr(&out)
    );
    let check = store
        .cmd()
        .arg("check")
        .arg("--json")
        .arg(store.dir.path().join("events.toml"))
        .arg(store.dir.path().join("parties.toml"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(json["problems_total"], unknown);
    assert_eq!(
        json["problems"].as_array().unwrap().len(),
        MAX_FILE_PROBLEMS + 1
    );
}

#[test]
fn a_file_of_too_many_values_is_refused_before_it_is_parsed() {
    let store = TempStore::new();
    let file = store.dir.path().join("array.toml");
    let items = vec!["1"; MAX_FILE_VALUES + 1].join(",");
    std::fs::write(&file, format!("x = [{items}]\n")).unwrap();
    let out = run(store.cmd().arg("check").arg(&file));
    assert_fails(
        &out,
        1,
        &format!("a file is read whole and holds at most {MAX_FILE_VALUES}"),
    );
}
