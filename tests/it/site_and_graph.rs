//! `pactlog site` and `pactlog graph` as their users meet them: a static site whose
//! relative links all resolve on disk and which says what the server's pages say, that
//! never writes over files it did not make; and graphs that Graphviz's `dot` renders
//! (Debian's graphviz: the test skips where `dot` is missing, except under `CI=true`)
//! and that hold every edge the state implies, in DOT and in Mermaid.

use crate::pages::{counted, dataset, with_class};
use crate::support::html::{decode, ids, links, tags, text_of};
use crate::support::server::Server;
use crate::support::{TempStore, assert_code, repo_path, stderr_of, stdout_of};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const DAY: &str = "2026-03-20";

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                pending.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out
}

/// `href` (relative to the page at `page`) as a path under the site's root.
fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            ".." => {
                assert!(parts.pop().is_some(), "{page}: {href} leaves the site");
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn site(store: &TempStore, dir: &Path) -> std::process::Output {
    store
        .cmd()
        .arg("site")
        .arg(dir)
        .args(["--as-of", DAY])
        .output()
        .expect("run pactlog site")
}

#[test]
fn the_site_links_resolve_on_disk_and_say_what_the_server_says() {
    let store = dataset();
    let keys = crate::support::audit::keygen(store.dir.path(), "log.key");
    crate::support::audit::checkpoint(&store, &keys, "checkpoint.txt");
    let dir = store.dir.path().join("public");
    assert_code(&site(&store, &dir), 0, "site");
    let files = files_under(&dir);
    let log = store.json(&["log", "--json"]);
    let events = log.as_array().unwrap();
    for e in events {
        let id = e["id"].as_str().unwrap();
        assert!(files.contains(&format!("event/{id}.html")), "{id}");
        assert!(files.contains(&format!("proof/{id}.txt")), "{id}");
    }
    let mut pages = BTreeMap::new();
    for f in files.iter().filter(|f| f.ends_with(".html")) {
        pages.insert(f.clone(), std::fs::read_to_string(dir.join(f)).unwrap());
    }
    for (name, body) in &pages {
        for (tag, href) in links(body) {
            if href.starts_with("https://") || href == "data:," {
                assert!(
                    name.starts_with("event/") || href == "data:,",
                    "{name}: {href}"
                );
                continue;
            }
            assert!(
                !href.starts_with('/') && !href.contains("://"),
                "{name}: {href} is not relative"
            );
            let (path, fragment) = href.split_once('#').unwrap_or((&href, ""));
            let target = if path.is_empty() {
                name.clone()
            } else {
                resolve(name, path)
            };
            assert!(
                files.contains(&target),
                "{name}: <{} {href}> names no file",
                tag.name
            );
            if !fragment.is_empty() {
                assert!(
                    ids(&pages[&target]).iter().any(|i| i == fragment),
                    "{name}: {href}"
                );
            }
        }
    }
    let server = Server::start(&store.path, &[]);
    compare_with_server(&server, &dir, &pages);
    server.stop();
    let again = site(&store, &dir);
    assert_code(&again, 0, "a site over the site it wrote");
    assert_eq!(files_under(&dir), files, "the same files, replaced whole");
    let siblings: Vec<_> = std::fs::read_dir(store.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect();
    assert!(
        siblings.is_empty(),
        "no temporary folder left: {siblings:?}"
    );
}

fn compare_with_server(server: &Server, dir: &Path, pages: &BTreeMap<String, String>) {
    let marks = |body: &str| -> BTreeSet<String> {
        let all = tags(body);
        with_class(&all, &["mark"])
            .iter()
            .filter_map(|t| {
                t.attr("data-event")
                    .or(t.attr("data-term"))
                    .map(str::to_string)
            })
            .collect()
    };
    let pair_pages: Vec<&String> = pages.keys().filter(|p| p.starts_with("pair/")).collect();
    assert!(!pair_pages.is_empty());
    for name in pair_pages {
        let path = name.trim_end_matches(".html");
        let served = server.get(&format!("/{path}?as_of={DAY}")).text();
        let site = &pages[name];
        assert_eq!(
            text_of(site, "pre", "state"),
            text_of(&served, "pre", "state"),
            "{name}"
        );
        assert_eq!(marks(site), marks(&served), "{name}: the same marks");
    }
    for name in pages.keys().filter(|p| p.starts_with("event/")) {
        let path = name.trim_end_matches(".html");
        let served = server.get(&format!("/{path}")).text();
        let facts = |b: &str| {
            let start = b.find("<dl class=\"facts\">").unwrap();
            let end = b.find("</dl>").unwrap();
            strip_tags(&b[start..end])
        };
        assert_eq!(facts(&pages[name]), facts(&served), "{name}");
        let payload = |b: &str| {
            let start = b.find("<pre class=\"payload\"").unwrap();
            b[start..start + b[start..].find("</pre>").unwrap()].to_string()
        };
        assert_eq!(payload(&pages[name]), payload(&served), "{name}");
        let id = path.trim_start_matches("event/");
        let proof = server.get(&format!("/api/proof/inclusion/{id}"));
        let file = std::fs::read(dir.join(format!("proof/{id}.txt"))).unwrap();
        assert_eq!(file, proof.body, "{id}: the proof the server sends");
    }
    let served_index = server.get(&format!("/?as_of={DAY}")).text();
    let order = |b: &str| -> Vec<String> {
        links(b)
            .into_iter()
            .filter_map(|(_, h)| {
                let at = h.find("pair/")?;
                Some(
                    h[at..]
                        .trim_end_matches(".html")
                        .split('?')
                        .next()?
                        .to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        order(&pages["index.html"]),
        order(&served_index),
        "the index's rows"
    );
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    decode(&out)
}

#[test]
fn the_site_never_writes_over_files_it_did_not_make() {
    let store = dataset();
    let dir = store.dir.path().join("mine");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let out = site(&store, &dir);
    assert_code(&out, 1, "a folder of someone's files");
    assert!(
        stderr_of(&out).contains("pactlog did not write"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(files_under(&dir), BTreeSet::from(["notes.txt".to_string()]));
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );

    let file = store.dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    assert_code(&site(&store, &file), 1, "a file, not a folder");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");

    // A site someone added a file to, or whose marker was forged, is refused too.
    let public = store.dir.path().join("public");
    assert_code(&site(&store, &public), 0, "a new site");
    std::fs::write(public.join("event").join("added.html"), "mine").unwrap();
    let out = site(&store, &public);
    assert_code(&out, 1, "a site with a file added");
    assert!(
        stderr_of(&out).contains("added.html"),
        "{}",
        stderr_of(&out)
    );
    assert!(public.join("event/added.html").is_file());
    std::fs::write(dir.join(".pactlog-site"), "pactlog site\nnotes.txt\n").unwrap();
    let forged = site(&store, &dir);
    assert_code(&forged, 0, "a marker listing the folder's files is a site");
    assert!(
        !dir.join("notes.txt").exists(),
        "it was listed as written by the site"
    );
    let leftovers: Vec<_> = std::fs::read_dir(store.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Where Debian's `dot` is, or why the test cannot run.
fn dot_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .map(|d| d.join("dot"))
        .find(|p| p.is_file());
    if found.is_none() {
        crate::support::browser::skip_or_fail(
            "graph rendering",
            "Graphviz `dot` is not installed (apt-get install graphviz)",
        );
    }
    found
}

/// `dot -Tsvg` of `text`: the SVG, or the test fails with Graphviz's message.
fn render(dot: &Path, text: &str) -> String {
    let mut child = Command::new(dot)
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dot");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), text.as_bytes()).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "dot refused the graph: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whole units of an amount as the graph writes it (`11.6B`, `500M`, `1234567`).
fn units(text: &str) -> u128 {
    let (num, scale) = match text.chars().last() {
        Some('T') => (&text[..text.len() - 1], 12),
        Some('B') => (&text[..text.len() - 1], 9),
        Some('M') => (&text[..text.len() - 1], 6),
        Some('K') => (&text[..text.len() - 1], 3),
        _ => (text, 0),
    };
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    let digits = format!("{whole}{frac}");
    let value: u128 = digits.parse().unwrap_or_else(|_| panic!("amount {text}"));
    value * 10u128.pow(scale - frac.len() as u32)
}

/// The edges the state implies, independently of the graph code: (from, to, what), where
/// `what` is a term's words, `money CUR STATUS UNITS` or a dispute's words.
fn expected_edges(state: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    let s = |v: &Value| v.as_str().unwrap().to_string();
    for r in state["relationships"].as_array().unwrap() {
        for t in r["terms"].as_array().unwrap() {
            let word = if t["exclusive"] == true {
                "exclusive"
            } else {
                "non-exclusive"
            };
            let label = format!("{word} {} {}", s(&t["type"]), s(&t["scope"]));
            out.insert((s(&t["grantor"]), s(&t["holder"]), label));
        }
        let mut money: BTreeMap<(String, String, String, String), u128> = BTreeMap::new();
        for i in r["investments"].as_array().unwrap() {
            let key = (
                s(&i["investor"]),
                s(&i["investee"]),
                s(&i["currency"]),
                s(&i["status"]),
            );
            *money.entry(key).or_default() += s(&i["amount"]).parse::<u128>().unwrap();
        }
        for ((from, to, cur, status), total) in money {
            out.insert((from, to, format!("money {cur} {status} {total}")));
        }
        for d in r["disputes"].as_array().unwrap() {
            let by = s(&d["by"]);
            let other = [s(&r["parties"][0]), s(&r["parties"][1])]
                .into_iter()
                .find(|p| *p != by)
                .unwrap();
            let label = format!("dispute: {} ({})", s(&d["stage"]), s(&d["confidence"]));
            out.insert((by, other, label));
        }
    }
    out
}

/// A drawn label in the form [`expected_edges`] uses: money labels `AMOUNT CUR STATUS`
/// become `money CUR STATUS UNITS`.
fn normalize(label: &str) -> String {
    let words: Vec<&str> = label.split(' ').collect();
    match words.as_slice() {
        [amount, cur, status]
            if amount.starts_with(|c: char| c.is_ascii_digit()) && cur.len() == 3 =>
        {
            format!("money {cur} {status} {}", units(amount))
        }
        _ => label.to_string(),
    }
}

/// The edges of a Graphviz SVG: each `<g class="edge">` has a `<title>` `from->to` and
/// its label's `<text>`.
fn svg_edges(svg: &str) -> BTreeSet<(String, String, String)> {
    svg.split("class=\"edge\"")
        .skip(1)
        .map(|g| {
            let g = &g[..g.find("</g>").unwrap_or(g.len())];
            let title = decode(&g[g.find("<title>").unwrap() + 7..g.find("</title>").unwrap()]);
            let (from, to) = title.split_once("->").expect("an edge title");
            let texts: Vec<String> = g
                .split("<text")
                .skip(1)
                .map(|t| decode(&t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()]))
                .collect();
            (
                from.to_string(),
                to.to_string(),
                normalize(&texts.join(" ")),
            )
        })
        .collect()
}

#[test]
fn dot_renders_the_graph_with_every_edge_the_state_implies() {
    let Some(dot) = dot_binary() else { return };
    let store = dataset();
    for (day, party) in [
        (DAY, None),
        ("2025-01-01", None),
        (DAY, Some("openai")),
        ("2026-06-01", Some("MSFT")),
    ] {
        let mut args = vec!["state", "--as-of", day, "--json"];
        let mut graph = vec!["graph", "--as-of", day, "--format", "dot"];
        if let Some(p) = party {
            args.extend(["--party", p]);
            graph.extend(["--party", p]);
        }
        let state = store.json(&args);
        let out = store.cmd().args(&graph).output().unwrap();
        assert_code(&out, 0, "graph --format dot");
        let svg = render(&dot, &stdout_of(&out));
        assert!(svg.contains("<svg"), "an SVG");
        let wanted = expected_edges(&state);
        assert!(!wanted.is_empty(), "{day} {party:?}: edges to draw");
        assert_eq!(svg_edges(&svg), wanted, "{day} {party:?}");
    }
}

#[test]
fn hostile_names_stay_inside_their_dot_and_mermaid_strings() {
    let store = TempStore::new();
    store.import(&[&repo_path("fixtures/web/hostile")]);
    let mermaid = store
        .cmd()
        .args(["graph", "--as-of", "2025-03-01", "--format", "mermaid"])
        .output()
        .unwrap();
    assert_code(&mermaid, 0, "mermaid");
    let text = stdout_of(&mermaid);
    // Labels hold no markup character (check_mermaid reads each one).
    assert!(!text.contains('<') && !text.contains('\''), "{text}");
    check_mermaid(
        &text,
        &expected_edges(&store.json(&["state", "--as-of", "2025-03-01", "--json"])),
    );
    let Some(dot) = dot_binary() else { return };
    let out = store
        .cmd()
        .args(["graph", "--as-of", "2025-03-01", "--format", "dot"])
        .output()
        .unwrap();
    let svg = render(&dot, &stdout_of(&out));
    let labels: Vec<String> = svg
        .split("class=\"node\"")
        .skip(1)
        .map(|g| {
            let t = &g[g.find("<text").unwrap()..];
            decode(&t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()])
        })
        .collect();
    assert!(
        labels.contains(&"<script>alert('name')</script> Evil \"Corp\"".to_string()),
        "{labels:?}"
    );
}

/// Reads a Mermaid flowchart line by line: a front-matter title, `flowchart LR`, node
/// lines `ID["label"]` and edge lines `A ARROW|"label"| B`; every edge's nodes declared,
/// and the edges (labels decoded from `#NN;`) are `wanted`.
fn check_mermaid(text: &str, wanted: &BTreeSet<(String, String, String)>) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "---");
    assert!(lines[1].starts_with("title: Who holds what as of "));
    assert_eq!((lines[2], lines[3]), ("---", "flowchart LR"));
    let unquote = |s: &str| -> String {
        let inner = s
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .expect("quoted");
        assert!(!inner.contains(['"', '|', '[', ']', '<', '>']), "{inner}");
        decode(&inner.replace('#', "&#"))
    };
    let mut nodes = BTreeMap::new();
    let mut edges = BTreeSet::new();
    for line in &lines[4..] {
        let line = line.trim();
        if let Some((id, rest)) = line.split_once('[') {
            let label = rest.strip_suffix(']').expect("a node ends with ]");
            nodes.insert(id.to_string(), unquote(label));
            continue;
        }
        let (from, rest) = line.split_once(' ').expect("an edge line");
        let (arrow_label, to) = rest.rsplit_once(' ').expect("an edge line");
        let (arrow, label) = arrow_label.split_once('|').expect("an edge label");
        assert!(["==>", "-.->", "-->"].contains(&arrow), "{line}");
        let label = unquote(label.strip_suffix('|').expect("label ends with |"));
        edges.insert((from.to_string(), to.to_string(), normalize(&label)));
    }
    let by_id = |m: &str| {
        assert!(nodes.contains_key(m), "node {m} is declared");
        m.trim_start_matches("p_").replace('_', "-")
    };
    let edges: BTreeSet<_> = edges
        .into_iter()
        .map(|(f, t, l)| (by_id(&f), by_id(&t), l))
        .collect();
    assert_eq!(&edges, wanted);
}

#[test]
fn mermaid_holds_the_same_edges_as_dot() {
    let store = dataset();
    let state = store.json(&["state", "--as-of", DAY, "--json"]);
    let out = store
        .cmd()
        .args(["graph", "--as-of", DAY, "--format", "mermaid"])
        .output()
        .unwrap();
    assert_code(&out, 0, "mermaid");
    check_mermaid(&stdout_of(&out), &expected_edges(&state));
}

#[test]
fn a_pair_of_thousands_of_events_draws_aggregated_marks_in_an_svg_under_a_megabyte() {
    let store = TempStore::new();
    let dir = store.dir.path().join("many");
    std::fs::create_dir(&dir).unwrap();
    let n = many_events(&dir, 6000);
    store.import(&[&dir]);
    let log = store.json(&["log", "--pair", "alpha", "beta", "--json"]);
    let count = counted(&log, None).len();
    assert_eq!(count, n);
    let server = Server::start(&store.path, &[]);
    let page = server.get("/pair/alpha/beta?as_of=2026-01-01");
    assert_eq!(page.status, 200);
    server.stop();
    let body = page.text();
    let start = body.find("<svg").unwrap();
    let svg = &body[start..start + body[start..].find("</svg>").unwrap()];
    assert!(svg.len() < 1 << 20, "the SVG is {} bytes", svg.len());
    let all = tags(svg);
    let single = with_class(&all, &["event-mark"]).len();
    let agg = with_class(&all, &["agg"]);
    assert!(!agg.is_empty(), "aggregated marks");
    // Each aggregated mark's title says how many it holds; with the single marks, every
    // event is drawn once.
    let held: usize = svg
        .split("class=\"mark agg\"")
        .skip(1)
        .map(|g| {
            let t = &g[g.find("<title>").unwrap() + 7..];
            t.split(' ').next().unwrap().parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(
        single + held,
        n,
        "{single} single marks and {held} in {} aggregates",
        agg.len()
    );
    assert!(agg.len() + single <= 1200, "no more marks than pixels");
}

/// Writes `n` events of the pair alpha-beta (statements, investments and agreements over
/// 2000 to 2025) into `dir`; returns `n`.
fn many_events(dir: &Path, n: usize) -> usize {
    let mut text = String::from(
        "[[party]]\nid = \"alpha\"\nname = \"Alpha\"\n\n[[party]]\nid = \"beta\"\nname = \"Beta\"\n",
    );
    std::fs::write(dir.join("parties.toml"), text.split_off(0)).unwrap();
    for i in 0..n {
        let day = i * 9131 / n; // 25 years of days
        let date = jiff::civil::date(2000, 1, 1)
            .checked_add(jiff::Span::new().days(day as i64))
            .unwrap();
        let body = match i % 10 {
            0 => format!(
                "kind = \"agreement\"\n[[event.term]]\nkey = \"t\"\ntype = \"commitment\"\n\
                 grantor = \"alpha\"\nholder = \"beta\"\nscope = \"compute.s{i}\"\nexclusive = false\n"
            ),
            1 => "kind = \"investment\"\n[[event.tranche]]\ninvestor = \"alpha\"\ninvestee = \"beta\"\n\
                  amount = \"5M USD\"\n"
                .to_string(),
            _ => "kind = \"statement\"\nby = \"alpha\"\n".to_string(),
        };
        text.push_str(&format!(
            "[[event]]\nid = \"e{i}\"\ndate = \"{date}\"\nsummary = \"Event {i}.\"\n\
             confidence = \"confirmed\"\nparties = [\"alpha\", \"beta\"]\n{body}\
             [[event.source]]\nurl = \"https://example.com/{i}\"\n\n"
        ));
    }
    std::fs::write(dir.join("events.toml"), text).unwrap();
    n
}
