//! The pages of `pactlog serve`, read over HTTP as a browser or a crawler reads them, on a
//! store imported from events/ and on a ledger of hostile names (fixtures/web/hostile/).
//! What the pages show is compared with what the CLI answers for the same question (run
//! before the server starts: a served store is locked), never with numbers written here.

use crate::support::html::{self, Tag, decode, links, tags, text_of};
use crate::support::server::{Answer, Server};
use crate::support::{TempStore, assert_code, events_dir, repo_path, stdout_of};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

const DAY: &str = "2026-03-20";
/// The most pages a crawl fetches.
const CRAWL_LIMIT: usize = 1500;

pub fn dataset() -> TempStore {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    store
}

/// The ids of the events of a pair's log that count under `known_at`: disclosed by then
/// and superseded by no other such event (DESIGN.md 4), worked out from `log --json`.
pub fn counted(log: &Value, known_at: Option<&str>) -> Vec<Value> {
    let known: Vec<&Value> = log
        .as_array()
        .expect("log --json is a list")
        .iter()
        .filter(|e| known_at.is_none_or(|k| e["disclosed"].as_str().unwrap() <= k))
        .collect();
    let superseded: BTreeSet<&str> = known
        .iter()
        .filter_map(|e| e["supersedes"].as_str())
        .collect();
    known
        .into_iter()
        .filter(|e| !superseded.contains(e["id"].as_str().unwrap()))
        .cloned()
        .collect()
}

/// The tags of a page whose `class` holds every one of `classes`.
pub fn with_class<'a>(tags: &'a [Tag], classes: &[&str]) -> Vec<&'a Tag> {
    tags.iter()
        .filter(|t| {
            let have: Vec<&str> = t.attr("class").unwrap_or("").split(' ').collect();
            classes.iter().all(|c| have.contains(c))
        })
        .collect()
}

fn page(server: &Server, path: &str) -> String {
    let a = server.get(path);
    assert_eq!(a.status, 200, "GET {path}: {}", a.text());
    assert_eq!(
        a.header("content-type"),
        Some("text/html; charset=utf-8"),
        "GET {path}"
    );
    a.text()
}

/// The `/pair/` links of a page, in order, as (a, b).
fn pair_links(page: &str) -> Vec<(String, String)> {
    links(page)
        .into_iter()
        .filter_map(|(_, href)| {
            let rest = href.strip_prefix("/pair/")?;
            let path = rest.split('?').next()?;
            let (a, b) = path.split_once('/')?;
            Some((a.to_string(), b.to_string()))
        })
        .collect()
}

fn relationship_sizes(state: &Value) -> BTreeMap<(String, String), usize> {
    state["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let p = |i: usize| r["parties"][i].as_str().unwrap().to_string();
            let n = r["events"].as_array().unwrap().len()
                + r["possible_events"].as_array().unwrap().len();
            ((p(0), p(1)), n)
        })
        .collect()
}

#[test]
fn the_index_lists_every_relationship_busiest_first_and_finds_parties_by_name_or_alias() {
    let store = dataset();
    let state = store.json(&["state", "--as-of", DAY, "--json"]);
    let sizes = relationship_sizes(&state);
    let server = Server::start(&store.path, &[]);
    let index = page(&server, &format!("/?as_of={DAY}"));
    let rows = pair_links(&index);
    let listed: BTreeSet<_> = rows.iter().cloned().collect();
    assert_eq!(listed.len(), rows.len(), "each relationship once");
    assert_eq!(
        listed,
        sizes.keys().cloned().collect::<BTreeSet<_>>(),
        "every relationship of the state on {DAY}"
    );
    let counts: Vec<usize> = rows.iter().map(|r| sizes[r]).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "busiest first: {counts:?}"
    );
    for (q, party) in [
        ("MSFT", "microsoft"),
        ("amazon web services", "amazon"),
        ("OpenAI", "openai"),
        ("Oracle", "oracle"),
    ] {
        let found = pair_links(&page(
            &server,
            &format!("/?as_of={DAY}&q={}", q.replace(' ', "+")),
        ));
        let wanted: BTreeSet<_> = sizes
            .keys()
            .filter(|(a, b)| a == party || b == party)
            .cloned()
            .collect();
        assert!(!wanted.is_empty(), "{party} has relationships");
        assert_eq!(found.into_iter().collect::<BTreeSet<_>>(), wanted, "q={q}");
    }
    let none = page(&server, &format!("/?as_of={DAY}&q=no-such-party-anywhere"));
    assert!(pair_links(&none).is_empty());
    assert!(none.contains(&format!("0 of {} relationships", sizes.len())));
    server.stop();
}

/// What the CLI says about the Microsoft-OpenAI relationship for one pair of axes.
struct PairFacts {
    path: String,
    as_of: String,
    marks: BTreeSet<String>,
    state_text: String,
    receipt: Value,
}

fn pair_facts(store: &TempStore, as_of: &str, known_at: Option<&str>) -> PairFacts {
    let log = store.json(&["log", "--pair", "microsoft", "openai", "--json"]);
    let mut args = vec!["state", "--pair", "microsoft", "openai", "--as-of", as_of];
    if let Some(k) = known_at {
        args.extend(["--known-at", k]);
    }
    let text = store.cmd().args(&args).output().expect("run pactlog");
    assert_code(&text, 0, "state");
    args.push("--json");
    let json = store.json(&args);
    let mut path = format!("/pair/microsoft/openai?as_of={as_of}");
    if let Some(k) = known_at {
        path.push_str(&format!("&known_at={k}"));
    }
    PairFacts {
        path,
        as_of: as_of.to_string(),
        marks: counted(&log, known_at)
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect(),
        state_text: stdout_of(&text),
        receipt: json["receipt"].clone(),
    }
}

#[test]
fn a_pair_page_draws_one_mark_per_counting_event_beside_the_cli_state_and_its_receipt() {
    let store = dataset();
    let facts: Vec<PairFacts> = [
        (DAY, None),
        ("2024-01-01", None),
        ("2026-06-01", Some("2026-03-01")),
        ("2026-06-01", Some("2025-06-30")),
    ]
    .into_iter()
    .map(|(d, k)| pair_facts(&store, d, k))
    .collect();
    assert_ne!(
        facts[2].marks, facts[3].marks,
        "known_at changes what counts"
    );
    let server = Server::start(&store.path, &[]);
    for f in &facts {
        let body = page(&server, &f.path);
        let all = tags(&body);
        let marks: Vec<&Tag> = with_class(&all, &["mark", "event-mark"]);
        let ids: Vec<String> = marks
            .iter()
            .map(|t| t.attr("data-event").unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), f.marks.len(), "{}: one mark per event", f.path);
        assert_eq!(
            ids.iter().cloned().collect::<BTreeSet<_>>(),
            f.marks,
            "{}",
            f.path
        );
        for m in &marks {
            let id = m.attr("data-event").unwrap();
            assert_eq!(m.attr("href"), Some(format!("/event/{id}").as_str()));
        }
        assert_eq!(
            text_of(&body, "pre", "state").as_deref(),
            Some(f.state_text.as_str()),
            "{}: the state panel is the CLI's `state`",
            f.path
        );
        for k in ["head", "root"] {
            let v = f.receipt[k].as_str().unwrap();
            assert!(body.contains(v), "{}: receipt {k} {v}", f.path);
        }
        let size = f.receipt["ledger_size"].to_string();
        assert!(body.contains(&format!("{size} records")), "{}", f.path);
        let cursor = with_class(&all, &["cursor"]);
        assert_eq!(cursor.len(), 1);
        assert_eq!(cursor[0].attr("data-day"), Some(f.as_of.as_str()));
    }
    server.stop();
}

#[test]
fn term_bars_end_where_the_event_that_ended_them_is_drawn() {
    let store = dataset();
    let log = store.json(&["log", "--pair", "microsoft", "openai", "--json"]);
    let events = counted(&log, None);
    let dates: BTreeMap<&str, &str> = events
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e["latest"].as_str().unwrap()))
        .collect();
    // The first counted ending of each term, by the ending event's latest day.
    let mut ended: BTreeMap<String, (String, String)> = BTreeMap::new();
    for e in &events {
        let p = &e["payload"];
        let ends = p["agreement"]["ends"]
            .as_array()
            .or(p["term-ended"]["ends"].as_array());
        for r in ends.into_iter().flatten() {
            let id = e["id"].as_str().unwrap().to_string();
            let day = dates[id.as_str()].to_string();
            let term = format!(
                "{}#{}",
                r["event"].as_str().unwrap(),
                r["key"].as_str().unwrap()
            );
            let slot = ended.entry(term).or_insert((id.clone(), day.clone()));
            if day < slot.1 {
                *slot = (id, day);
            }
        }
    }
    let server = Server::start(&store.path, &[]);
    let body = page(&server, &format!("/pair/microsoft/openai?as_of={DAY}"));
    server.stop();
    let all = tags(&body);
    let bars = with_class(&all, &["mark", "term"]);
    let mut exclusive_ended = 0;
    for bar in &bars {
        let term = bar.attr("data-term").unwrap();
        let Some((by, day)) = ended.get(term) else {
            continue;
        };
        let title = decode(&text_after(&body, &format!("data-term=\"{term}\"")));
        if !title.contains("until 2") {
            assert_eq!(
                bar.attr("data-end"),
                Some(day.as_str()),
                "{term} ended by {by}"
            );
            assert!(title.contains(&format!("by {by}")), "{term}: {title}");
        }
        if bar.attr("class").unwrap().contains("excl")
            && !bar.attr("class").unwrap().contains("nonex")
        {
            exclusive_ended += 1;
        }
    }
    assert!(
        exclusive_ended > 0,
        "some exclusive term was ended by an event"
    );
}

/// The `<title>` text following `marker` in `page`.
fn text_after(page: &str, marker: &str) -> String {
    let at = page.find(marker).expect("marker");
    let rest = &page[at..];
    let open = rest.find("<title>").expect("a title") + "<title>".len();
    let close = rest[open..].find("</title>").expect("its end");
    rest[open..open + close].to_string()
}

#[test]
fn an_event_page_shows_its_sources_record_corrections_and_a_proof_audit_accepts() {
    let store = dataset();
    let keys = crate::support::audit::keygen(store.dir.path(), "log.key");
    crate::support::audit::checkpoint(&store, &keys, "checkpoint.txt");
    let original = "2026-02-27-microsoft-weighs-suing-openai-and-amazon";
    let restated = format!("{original}-restated");
    let shown: Vec<Value> = [original, restated.as_str()]
        .iter()
        .map(|id| store.json(&["show", id, "--json"]))
        .collect();
    assert_eq!(shown[1]["supersedes"], original, "the dataset's correction");
    let server = Server::start(&store.path, &[]);
    let mut proofs = Vec::new();
    for s in &shown {
        let id = s["id"].as_str().unwrap();
        let body = page(&server, &format!("/event/{id}"));
        let refs = links(&body);
        for src in s["sources"].as_array().unwrap() {
            let url = src["url"].as_str().unwrap();
            let (tag, _) = refs
                .iter()
                .find(|(_, h)| h == url)
                .unwrap_or_else(|| panic!("{id}: no link to its source {url}"));
            assert!(tag.attr("rel").unwrap_or("").contains("noopener"));
        }
        assert!(body.contains(&format!("seq {}", s["seq"])), "{id}: seq");
        assert!(body.contains(s["hash"].as_str().unwrap()), "{id}: hash");
        assert!(
            body.contains(s["recorded_at"].as_str().unwrap()),
            "{id}: recorded_at"
        );
        let (_, proof) = refs
            .iter()
            .find(|(t, _)| t.attr("download").is_some())
            .unwrap_or_else(|| panic!("{id}: no proof to download"));
        let got = server.get(proof);
        assert_eq!(got.status, 200, "{proof}");
        proofs.push((id.to_string(), got.body));
    }
    let restated_page = page(&server, &format!("/event/{restated}"));
    let original_page = page(&server, &format!("/event/{original}"));
    let dd = |page: &str, dt: &str| -> Vec<String> {
        let at = page.find(&format!("<dt>{dt}</dt>")).expect(dt);
        let dd = &page[at..at + page[at..].find("</dd>").unwrap()];
        links(dd).into_iter().map(|(_, h)| h).collect()
    };
    assert_eq!(
        dd(&restated_page, "Supersedes"),
        [format!("/event/{original}")]
    );
    assert_eq!(
        dd(&original_page, "Superseded by"),
        [format!("/event/{restated}")]
    );
    assert!(dd(&restated_page, "Superseded by").is_empty());
    server.stop();
    for (id, proof) in proofs {
        let file = store.dir.path().join(format!("{id}.proof"));
        std::fs::write(&file, &proof).unwrap();
        let audit = crate::support::pactlog(&store.path)
            .arg("audit")
            .arg(&file)
            .args(["--key", &keys.vkey])
            .output()
            .unwrap();
        assert_code(&audit, 0, &format!("audit of {id}'s downloaded proof"));
    }
}

#[test]
fn without_a_checkpoint_an_event_page_offers_no_proof_and_says_why() {
    let store = dataset();
    let server = Server::start(&store.path, &[]);
    let id = "2019-07-22-microsoft-openai-azure-exclusivity";
    let body = page(&server, &format!("/event/{id}"));
    assert!(
        links(&body)
            .iter()
            .all(|(t, _)| t.attr("download").is_none())
    );
    assert!(body.contains("No signed checkpoint covers this event"));
    assert_eq!(
        server.get(&format!("/api/proof/inclusion/{id}")).status,
        409
    );
    server.stop();
}

#[test]
fn party_and_conflict_pages_list_what_the_cli_lists() {
    let store = dataset();
    let party = store.json(&["state", "--party", "openai", "--as-of", DAY, "--json"]);
    let conflicts = store.json(&["conflicts", "--as-of", DAY, "--json"]);
    let server = Server::start(&store.path, &[]);
    let body = page(&server, &format!("/party/openai?as_of={DAY}"));
    let listed: BTreeSet<_> = pair_links(&body).into_iter().collect();
    assert_eq!(listed, relationship_sizes(&party).keys().cloned().collect());
    assert!(body.contains("OpenAI LP"), "its aliases");
    let body = page(&server, &format!("/conflicts?as_of={DAY}"));
    let list = conflicts["conflicts"].as_array().expect("conflicts");
    assert!(!list.is_empty(), "the dataset has conflicts on {DAY}");
    let all = tags(&body);
    assert_eq!(with_class(&all, &["conflict"]).len(), list.len());
    let refs: BTreeSet<String> = links(&body).into_iter().map(|(_, h)| h).collect();
    for c in list {
        for t in c["terms"].as_array().unwrap() {
            let e = format!("/event/{}", t["event"].as_str().unwrap());
            assert!(refs.contains(&e), "the conflicts page links {e}");
        }
    }
    let later = page(&server, "/conflicts?as_of=2018-01-01");
    assert!(later.contains("0 conflicts"));
    server.stop();
}

/// Crawls every page reachable from `/`, fetching each URL once (at most
/// [`CRAWL_LIMIT`]), and checks each link: internal ones answer 200 and their fragment
/// names an element; external ones are only an event's source links.
fn crawl(server: &Server, start: &str, sources: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut seen: BTreeSet<String> = BTreeSet::from([start.to_string()]);
    let mut queue = VecDeque::from([start.to_string()]);
    let mut pages = BTreeMap::new();
    let mut fragments: Vec<(String, String, String)> = Vec::new();
    while let Some(url) = queue.pop_front() {
        assert!(seen.len() <= CRAWL_LIMIT, "more than {CRAWL_LIMIT} pages");
        let a: Answer = server.get(&url);
        assert_eq!(a.status, 200, "GET {url}: {}", a.text());
        let html = a.header("content-type") == Some("text/html; charset=utf-8");
        if !html {
            continue;
        }
        let body = a.text();
        for (tag, href) in links(&body) {
            check_reference(&url, &tag, &href, sources);
            if !href.starts_with('/') || href.starts_with("//") {
                continue;
            }
            let (path, fragment) = href.split_once('#').unwrap_or((&href, ""));
            let path = if path.is_empty() {
                url.clone()
            } else {
                path.to_string()
            };
            if !fragment.is_empty() {
                fragments.push((url.clone(), path.clone(), fragment.to_string()));
            }
            if seen.insert(path.clone()) {
                queue.push_back(path);
            }
        }
        pages.insert(url, body);
    }
    for (from, path, fragment) in fragments {
        let ids = html::ids(&pages[&path]);
        assert!(
            ids.contains(&fragment),
            "{from} links {path}#{fragment}: no such id"
        );
    }
    pages
}

/// A reference is internal (`/...`, `#...`), the `data:` favicon, or a link to one of
/// the events' sources from an event page.
fn check_reference(page: &str, tag: &Tag, href: &str, sources: &BTreeSet<String>) {
    if href.starts_with('#') || (href.starts_with('/') && !href.starts_with("//")) {
        return;
    }
    if href == "data:," {
        assert_eq!(
            (tag.name.as_str(), tag.attr("rel")),
            ("link", Some("icon")),
            "{page}"
        );
        return;
    }
    assert!(
        page.starts_with("/event/") && tag.name == "a" && sources.contains(href),
        "{page} refers to another host or scheme: <{} {href:?}>",
        tag.name
    );
    assert!(
        tag.attr("rel").unwrap_or("").contains("noopener"),
        "{page}: {href}"
    );
}

fn source_urls(store: &TempStore) -> BTreeSet<String> {
    let log = store.json(&["log", "--json"]);
    log.as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["sources"].as_array().unwrap().clone())
        .map(|s| s["url"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_link_of_every_page_resolves_and_none_leaves_the_server() {
    let store = dataset();
    let keys = crate::support::audit::keygen(store.dir.path(), "log.key");
    crate::support::audit::checkpoint(&store, &keys, "checkpoint.txt");
    let sources = source_urls(&store);
    let events = store.json(&["log", "--json"]).as_array().unwrap().len();
    let server = Server::start(&store.path, &[]);
    let pages = crawl(&server, &format!("/?as_of={DAY}"), &sources);
    let event_pages = pages.keys().filter(|p| p.starts_with("/event/")).count();
    assert_eq!(event_pages, events, "every event's page is reachable");
    assert!(pages.keys().any(|p| p.starts_with("/party/")));
    assert!(pages.keys().any(|p| p.starts_with("/conflicts")));
    for (url, body) in &pages {
        assert!(!body.contains("<script"), "{url}: pages need no script");
        assert!(!body.contains("url(http"), "{url}");
    }
    let css = server.get("/assets/style.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(!css.text().contains("http") && !css.text().contains("@import"));
    server.stop();
}

#[test]
fn hostile_names_and_summaries_are_shown_as_text() {
    let store = TempStore::new();
    store.import(&[&repo_path("fixtures/web/hostile")]);
    let sources = source_urls(&store);
    let server = Server::start(&store.path, &[]);
    let pages = crawl(&server, "/?as_of=2025-03-01", &sources);
    assert!(pages.len() >= 8, "{:?}", pages.keys());
    for (url, body) in &pages {
        for t in tags(body) {
            assert!(
                !["script", "img", "b", "i", "u", "iframe", "object"].contains(&t.name.as_str()),
                "{url}: a <{}> from the data",
                t.name
            );
            for (name, value) in &t.attrs {
                assert!(!name.starts_with("on"), "{url}: attribute {name}={value:?}");
            }
        }
        let hidden = body
            .chars()
            .find(|&c| pactlog::model::text::is_invisible(c));
        assert_eq!(
            hidden, None,
            "{url}: an invisible or bidi character shown raw"
        );
    }
    let party = &pages["/party/evil-corp"];
    let h1 = decode(&party[party.find("<h1>").unwrap() + 4..party.find("</h1>").unwrap()]);
    assert_eq!(h1, "<script>alert('name')</script> Evil \"Corp\"");
    let event = &pages["/event/2024-01-10-evil-quote-deal"];
    let href = "https://example.com/a\"><script>alert('href')</script>";
    assert!(links(event).iter().any(|(t, h)| t.name == "a" && h == href));
    assert!(
        decode(event).contains("\\u{202e}gpj.exe\\u{2066} end"),
        "bidi shown escaped"
    );
    server.stop();
}

#[test]
fn bad_parameters_get_an_html_page_with_a_client_error_status() {
    let store = dataset();
    let server = Server::start(&store.path, &[]);
    for (path, status, says) in [
        ("/?as_of=2026-13-45", 400, "as_of"),
        ("/?as_of=yesterday", 400, "as_of"),
        ("/?colour=blue", 400, "colour"),
        ("/pair/microsoft/openai?as_of=2026-02-30", 400, "as_of"),
        ("/pair/microsoft/openai?known_at=soon", 400, "known_at"),
        ("/pair/microsoft/nobody-at-all", 404, "nobody-at-all"),
        ("/pair/nobody/openai?as_of=2026-01-01", 404, "nobody"),
        ("/event/Not%20An%20Id", 400, "id"),
        ("/event/no-such-event", 404, "no-such-event"),
        ("/party/nobody-at-all", 404, "nobody-at-all"),
        ("/party/openai?as_of=%ZZ", 400, ""),
        ("/conflicts?as_of=2026-1-1", 400, "as_of"),
    ] {
        let a = server.get(path);
        assert_eq!(a.status, status, "GET {path}: {}", a.text());
        assert_eq!(
            a.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        let text = a.text();
        assert!(text.starts_with("<!DOCTYPE html>"), "{path}: {text}");
        assert!(decode(&text).contains(says), "{path}: {text}");
        assert!(!text.contains("panicked"));
    }
    assert_eq!(server.get("/").status, 200, "still serving");
    server.stop();
}

#[test]
fn pages_carry_an_etag_and_answer_304_to_a_client_that_holds_them() {
    let store = dataset();
    let server = Server::start(&store.path, &[]);
    let mut tags_seen = BTreeSet::new();
    for path in [
        format!("/pair/microsoft/openai?as_of={DAY}"),
        "/pair/microsoft/openai?as_of=2025-01-01".to_string(),
        format!("/?as_of={DAY}"),
        "/event/2019-07-22-microsoft-openai-azure-exclusivity".to_string(),
        format!("/party/openai?as_of={DAY}"),
        format!("/conflicts?as_of={DAY}"),
    ] {
        let first = server.get(&path);
        let tag = first.header("etag").expect("an etag").to_string();
        let again = server.get_with(&path, &[("if-none-match", &tag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        let other = server.get_with(&path, &[("if-none-match", "\"something-else\"")]);
        assert_eq!(other.status, 200);
        assert_eq!(other.body, first.body, "{path}: the same bytes");
        tags_seen.insert((path.split('?').next().unwrap().to_string(), tag));
    }
    let pair_tags: BTreeSet<_> = tags_seen
        .iter()
        .filter(|(p, _)| p.starts_with("/pair/"))
        .map(|(_, t)| t)
        .collect();
    assert_eq!(pair_tags.len(), 2, "another day, another tag");
    server.stop();
}
