//! The Microsoft-OpenAI page as a person sees it, in headless Chromium driven through
//! WebDriver (`support::browser`): the marks drawn, where a bar ends, how a rumor looks,
//! what the day form does, where a mark leads, the console, axe-core's accessibility
//! findings, and screenshots at desktop and phone widths in target/screenshots/
//! (`PACTLOG_SCREENSHOTS=DIR` also copies the desktop one to DIR/timeline.png).
//!
//! Needs Debian's `chromium` and `chromium-driver`, and axe-core (`npm install --prefix
//! target/npm axe-core@4.10.3`, or `PACTLOG_AXE=path/to/axe.min.js`); where one is
//! missing the test says so and skips, except under `CI=true`, where it fails.

use crate::pages::{counted, dataset};
use crate::support::browser::{Browser, skip_or_fail};
use crate::support::server::Server;
use crate::support::{TempStore, assert_code, repo_path, stdout_of};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;

const DAY: &str = "2026-03-20";
const OTHER_DAY: &str = "2025-06-01";
const PAIR: &str = "/pair/microsoft/openai";
/// The exclusive term the April 2026 amendment ended, and the legal threat reported
/// as a rumor (events/microsoft-openai.toml).
const STATELESS: &str = "2025-10-28-microsoft-openai-definitive-agreement#api-exclusive-stateless";
const THREAT: &str = "2026-02-27-microsoft-weighs-suing-openai-and-amazon-restated";

/// Where the build's files go: `CARGO_TARGET_DIR`, else target/.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_path("target"), PathBuf::from)
}

/// axe-core's script: `PACTLOG_AXE`, else where .ci/run installs it.
fn axe_source() -> Result<String, String> {
    let path = std::env::var_os("PACTLOG_AXE").map_or_else(
        || target_dir().join("npm/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "no axe-core at {} ({e}): npm install --prefix target/npm axe-core@4.10.3",
            path.display()
        )
    })
}

/// The CLI's answers the page must show, asked before the server locks the store.
struct Facts {
    marks: BTreeSet<String>,
    state: String,
    other_state: String,
    ended_by: String,
}

fn facts(store: &TempStore) -> Facts {
    let log = store.json(&["log", "--pair", "microsoft", "openai", "--json"]);
    let events = counted(&log, None);
    let ended_by = events
        .iter()
        .find(|e| {
            e["payload"]["agreement"]["ends"]
                .as_array()
                .is_some_and(|ends| {
                    ends.iter().any(|r| {
                        format!(
                            "{}#{}",
                            r["event"].as_str().unwrap(),
                            r["key"].as_str().unwrap()
                        ) == STATELESS
                    })
                })
        })
        .map(|e| e["id"].as_str().unwrap().to_string())
        .expect("an event ends the stateless API exclusivity");
    let state = |day: &str| {
        let out = store
            .cmd()
            .args(["state", "--pair", "microsoft", "openai", "--as-of", day])
            .output()
            .unwrap();
        assert_code(&out, 0, "state");
        stdout_of(&out)
    };
    Facts {
        marks: events
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect(),
        state: state(DAY),
        other_state: state(OTHER_DAY),
        ended_by,
    }
}

#[test]
fn the_microsoft_openai_timeline_in_chromium() {
    let axe = match axe_source() {
        Ok(a) => a,
        Err(why) => return skip_or_fail("the browser tests", &why),
    };
    let store = dataset();
    let facts = facts(&store);
    let server = Server::start(&store.path, &[]);
    let browser = match Browser::start(1280, 800) {
        Ok(b) => b,
        Err(why) => return skip_or_fail("the browser tests", &why),
    };
    browser.viewport(1280, 800, false);
    browser.goto(&format!("{}{PAIR}?as_of={DAY}", server.url));
    marks_are_the_counting_events(&browser, &facts);
    the_bar_ends_at_the_amendment(&browser, &facts);
    the_threat_looks_like_a_rumor(&browser);
    screenshots(&browser);
    the_day_form_changes_the_state_and_the_url(&browser, &facts);
    a_mark_opens_its_event(&browser);
    let mut pages = vec![format!("{PAIR}?as_of={DAY}")];
    pages.extend([
        format!("/?as_of={DAY}"),
        format!("/event/{THREAT}"),
        format!("/party/openai?as_of={DAY}"),
        format!("/conflicts?as_of={DAY}"),
    ]);
    for page in &pages {
        browser.goto(&format!("{}{page}", server.url));
        no_serious_accessibility_violations(&browser, &axe, page);
    }
    let errors: Vec<_> = browser
        .console()
        .into_iter()
        .filter(|(level, _)| level == "SEVERE" || level == "WARNING")
        .collect();
    assert!(errors.is_empty(), "console: {errors:?}");
    drop(browser);
    server.stop();
}

fn marks_are_the_counting_events(browser: &Browser, facts: &Facts) {
    let drawn = browser.run(
        "return [...document.querySelectorAll('a.event-mark')].filter(a => { \
           const r = a.getBoundingClientRect(); return r.width > 0 && r.height > 0; \
         }).map(a => a.getAttribute('data-event'));",
        vec![],
    );
    let drawn: Vec<String> = serde_json::from_value(drawn).unwrap();
    assert_eq!(drawn.len(), facts.marks.len(), "one visible mark per event");
    assert_eq!(drawn.into_iter().collect::<BTreeSet<_>>(), facts.marks);
}

fn the_bar_ends_at_the_amendment(browser: &Browser, facts: &Facts) {
    let v = browser.run(
        "const bar = document.querySelector(`a.term[data-term=\"${arguments[0]}\"] rect.bar`); \
         const mark = document.querySelector(`a.event-mark[data-event=\"${arguments[1]}\"] circle`); \
         if (!bar || !mark) return null; \
         const b = bar.getBoundingClientRect(), m = mark.getBoundingClientRect(); \
         return {end: b.right, at: m.left + m.width / 2, \
                 excl: bar.parentNode.classList.contains('excl')};",
        vec![json!(STATELESS), json!(facts.ended_by)],
    );
    assert_ne!(
        v,
        Value::Null,
        "the bar of {STATELESS} and the mark of {}",
        facts.ended_by
    );
    assert_eq!(v["excl"], true, "drawn as exclusive");
    let (end, at) = (v["end"].as_f64().unwrap(), v["at"].as_f64().unwrap());
    assert!(
        (end - at).abs() < 1.5,
        "the exclusivity bar ends at x={end}, the amendment {} is drawn at x={at}",
        facts.ended_by
    );
}

fn the_threat_looks_like_a_rumor(browser: &Browser) {
    let v = browser.run(
        "const style = (sel) => { const e = document.querySelector(sel); \
           if (!e) return null; const s = getComputedStyle(e); \
           return {dash: s.strokeDasharray, fill: s.fill}; }; \
         const label = document.querySelector(`a.dispute[data-event=\"${arguments[0]}\"] text`); \
         return {dispute: style(`a.dispute[data-event=\"${arguments[0]}\"] rect.bar`), \
                 mark: style(`a.event-mark[data-event=\"${arguments[0]}\"] circle, a.event-mark[data-event=\"${arguments[0]}\"] rect`), \
                 confirmed: style('a.event-mark.c-confirmed circle'), \
                 label: label ? label.textContent : null, \
                 q: !!document.querySelector(`a.event-mark[data-event=\"${arguments[0]}\"] .rumor-q`)};",
        vec![json!(THREAT)],
    );
    let dash = |k: &str| v[k]["dash"].as_str().unwrap_or("missing").to_string();
    assert_ne!(
        dash("dispute"),
        "none",
        "the rumored dispute is dashed: {v}"
    );
    assert_ne!(dash("mark"), "none", "the rumor's mark is dashed: {v}");
    assert_eq!(dash("confirmed"), "none", "a confirmed mark is not: {v}");
    assert_ne!(v["mark"]["fill"], v["confirmed"]["fill"], "{v}");
    assert!(
        v["label"].as_str().unwrap_or("").starts_with("rumor:"),
        "the dispute says rumor: {v}"
    );
    assert_eq!(v["q"], true, "the rumor's mark carries a ?");
}

fn screenshots(browser: &Browser) {
    let dir = target_dir().join("screenshots");
    browser.screenshot(&dir.join("pair-desktop.png"));
    if let Some(docs) = std::env::var_os("PACTLOG_SCREENSHOTS") {
        let to = repo_path(&PathBuf::from(docs).join("timeline.png").to_string_lossy());
        std::fs::copy(dir.join("pair-desktop.png"), &to).expect("copy the screenshot");
    }
    browser.viewport(390, 844, true);
    let width = browser.run(
        "return [window.innerWidth, document.documentElement.scrollWidth];",
        vec![],
    );
    assert_eq!(width[0], 390, "a phone's width");
    assert!(
        width[1].as_u64().unwrap() <= 390,
        "nothing but the scrolling picture is wider than the phone: {width}"
    );
    browser.screenshot(&dir.join("pair-phone.png"));
    browser.viewport(1280, 800, false);
}

fn the_day_form_changes_the_state_and_the_url(browser: &Browser, facts: &Facts) {
    let state = browser.one("#state");
    assert_eq!(browser.text(&state), facts.state.trim_end());
    let input = browser.one("#as_of");
    browser.run(
        "arguments[0].value = arguments[1];",
        vec![Browser::arg(&input), json!(OTHER_DAY)],
    );
    browser.click(&browser.one("form.axes button"));
    let url = browser.wait_url("the form's answer", |u| {
        u.contains(&format!("as_of={OTHER_DAY}"))
    });
    assert!(url.contains(PAIR), "{url}");
    let state = browser.one("#state");
    assert_eq!(browser.text(&state), facts.other_state.trim_end());
    assert_ne!(facts.state, facts.other_state);
    let cursor = browser.one("g.cursor");
    assert_eq!(
        browser.run(
            "return arguments[0].getAttribute('data-day');",
            vec![Browser::arg(&cursor)]
        ),
        OTHER_DAY
    );
}

fn a_mark_opens_its_event(browser: &Browser) {
    let id = "2019-07-22-microsoft-openai-azure-exclusivity";
    let mark = browser.one(&format!("a.event-mark[data-event=\"{id}\"]"));
    browser.click(&mark);
    browser.wait_url("the event page", |u| u.ends_with(&format!("/event/{id}")));
    assert_eq!(browser.text(&browser.one("h1")), id);
}

fn no_serious_accessibility_violations(browser: &Browser, axe: &str, page: &str) {
    let script = format!(
        "{axe}\n;return axe.run(document, {{resultTypes: ['violations']}}).then(r => \
         r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical') \
         .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + \
         v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')));"
    );
    let found = browser.run(&script, vec![]);
    assert_eq!(found, json!([]), "axe-core on {page}");
}
