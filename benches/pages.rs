//! The timeline page of the busiest pair of a synthetic ledger (src/synth.rs), served by
//! `pactlog serve` on loopback: how long the page takes against the `/api/state` answer
//! for the same pair and day (the baseline, measured in the same run), and how big its
//! SVG is. The page must come in under 1 s with an SVG under 1 MB: past one event per
//! two pixels the timeline draws aggregated marks.
//!
//! `cargo bench --bench pages` runs 10k and 100k events; `PACTLOG_BENCH_MAX=1000000` adds
//! 1M. `PACTLOG_BENCH_DIR` picks where the stores go.

use pactlog::codec::Timestamp;
use pactlog::model::{Event, PartyId};
use pactlog::synth::{Synth, SynthConfig};
use pactlog::{Checked, Ledger, SledStore};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SEED: u64 = 20_260_227;
const AT: Timestamp = Timestamp::from_unix(1_772_150_400);
const DAY: &str = "2026-03-01";
const ROUNDS: usize = 15;

fn main() {
    let max: usize = std::env::var("PACTLOG_BENCH_MAX")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(100_000);
    let base = std::env::var_os("PACTLOG_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("pactlog-pages-bench-{}", std::process::id()));
    std::fs::create_dir_all(&base).expect("bench dir");
    println!(
        "| benchmark | events | pactlog (median, max) | baseline /api/state (median) | ratio | SVG |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for n in [10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|&n| n <= max)
    {
        bench(n, &base.join(n.to_string()));
    }
    let _ = std::fs::remove_dir_all(&base);
}

/// The synthetic events, checked by the validator (the generator makes only events it
/// accepts), and the events themselves.
fn checked(ledger: &Ledger<SledStore>, synth: &Synth) -> (Checked, Vec<Event>) {
    let events: Vec<Event> = synth.events().collect();
    match ledger.check(synth.parties(), events.clone()) {
        Ok(c) => (c, events),
        Err(e) => panic!("check: {e}"),
    }
}

/// The pair named together by the most events (an event of three parties counts for
/// each of its pairs), and how many.
fn busiest(events: &[Event]) -> ((PartyId, PartyId), usize) {
    let mut counts: BTreeMap<(PartyId, PartyId), usize> = BTreeMap::new();
    for e in events {
        for (i, a) in e.parties.iter().enumerate() {
            for b in &e.parties[i + 1..] {
                let key = if a <= b {
                    (a.clone(), b.clone())
                } else {
                    (b.clone(), a.clone())
                };
                *counts.entry(key).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, c)| *c)
        .expect("the ledger has pairs")
}

fn bench(n: usize, dir: &Path) {
    eprintln!("== {n} events");
    std::fs::create_dir_all(dir).expect("dir");
    let store = dir.join("pactlog.db");
    let synth = Synth::new(SynthConfig::new(SEED, n));
    let mut ledger = Ledger::open(SledStore::open(&store).expect("open")).expect("ledger");
    let checked = checked(&ledger, &synth);
    let ((a, b), events) = busiest(&checked.1);
    ledger.append(checked.0, AT).expect("append");
    drop(ledger);
    let server = Server::start(&store);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let page = format!("{}/pair/{a}/{b}?as_of={DAY}", server.url);
    let state = format!("{}/api/state?as_of={DAY}&pair={a},{b}", server.url);
    let (page_times, body) = time(&agent, &page);
    let (state_times, _) = time(&agent, &state);
    let svg = svg_of(&body);
    let aggregated = svg.matches("class=\"mark agg\"").count();
    let (pm, px, sm) = (median(&page_times), max(&page_times), median(&state_times));
    println!(
        "| page of the busiest pair ({events} events, {aggregated} aggregated marks) | {n} | \
         {} ({}) | {} | {:.1}x | {:.0} KB |",
        ms(pm),
        ms(px),
        ms(sm),
        pm / sm,
        svg.len() as f64 / 1024.0
    );
    if px >= 1.0 || svg.len() >= 1 << 20 {
        eprintln!("over budget: the page must come in under 1 s with an SVG under 1 MB");
    }
    drop(server);
}

/// Seconds of each of [`ROUNDS`] requests for `url` after one to warm up, and the body.
fn time(agent: &ureq::Agent, url: &str) -> (Vec<f64>, String) {
    let mut body = String::new();
    let mut times = Vec::new();
    for i in 0..=ROUNDS {
        let t = Instant::now();
        body = agent
            .get(url)
            .call()
            .expect("an answer")
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .expect("a body");
        if i > 0 {
            times.push(t.elapsed().as_secs_f64());
        }
    }
    (times, body)
}

fn svg_of(page: &str) -> &str {
    let start = page.find("<svg").expect("an SVG");
    let end = start + page[start..].find("</svg>").expect("its end") + "</svg>".len();
    &page[start..end]
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

fn ms(s: f64) -> String {
    format!("{:.1} ms", s * 1000.0)
}

/// `pactlog serve` on a free loopback port, stopped on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(store: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pactlog"))
            .arg("--store")
            .arg(store)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("listening line");
        let url = line.trim().trim_start_matches("listening on ").to_string();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
