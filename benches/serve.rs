//! `pactlog serve` under load (DESIGN.md 6): random pair `state` queries from 64
//! concurrent keep-alive connections on loopback, alone and while 100k events are
//! imported through the API, against the CLI's whole-process query on the same store.
//!
//! `cargo bench --bench serve` runs 100k and 1M events; `PACTLOG_BENCH_MAX=100000` stops
//! at 100k. `PACTLOG_BENCH_SECS` sets how long each load phase runs (default 15).
//! `PACTLOG_BENCH_DIR` picks where the stores go. The client is this binary's own: one
//! thread per connection, each sending one request at a time and timing it, so the
//! numbers include the client's share of the two cores.

use pactlog::codec::{Entry, Timestamp};
use pactlog::model::{Day, Event, PartyId};
use pactlog::synth::{Synth, SynthConfig, write_event_files};
use pactlog::{Ledger, SledStore};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const SEED: u64 = 20_260_227;
const AT: Timestamp = Timestamp::from_unix(1_772_150_400);
const CONNECTIONS: usize = 64;
const IMPORTED: usize = 100_000;
const TOKEN: &str = "a-benchmark-token-of-enough-length";

fn main() {
    let max: usize = env_num("PACTLOG_BENCH_MAX").unwrap_or(1_000_000);
    let secs = env_num("PACTLOG_BENCH_SECS").unwrap_or(15) as u64;
    let base = std::env::var_os("PACTLOG_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("pactlog-serve-bench-{}", std::process::id()));
    std::fs::create_dir_all(&base).expect("bench dir");
    println!("| benchmark | events | pactlog | baseline | ratio |");
    println!("|---|---:|---:|---:|---:|");
    for n in [100_000, 1_000_000].into_iter().filter(|&n| n <= max) {
        bench(n, &base.join(n.to_string()), Duration::from_secs(secs));
    }
    let _ = std::fs::remove_dir_all(&base);
}

fn env_num(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.replace('_', "").parse().ok()
}

fn bench(n: usize, dir: &Path, phase: Duration) {
    eprintln!("== {n} events");
    std::fs::create_dir_all(dir).expect("dir");
    let store = dir.join("pactlog.db");
    let synth = Synth::new(SynthConfig::new(SEED, n + IMPORTED));
    let events: Vec<Event> = synth.events().collect();
    let (first, rest) = events.split_at(n);
    let mut ledger = Ledger::open(SledStore::open(&store).expect("open")).expect("ledger");
    let checked = ledger
        .check(synth.parties(), first.to_vec())
        .expect("check");
    ledger.append(checked, AT).expect("append");
    drop(ledger);
    let files = dir.join("more");
    write_event_files(&files, &[], rest.iter().cloned(), 5_000).expect("files");
    let _ = std::fs::remove_file(files.join("parties.toml"));
    let entries: Vec<Entry> = first.iter().cloned().map(Entry::Event).collect();
    let work = workload(&entries, 20_000);

    let cli = cli_latencies(&store, &work[..30]);
    let token = dir.join("token");
    std::fs::write(&token, TOKEN).expect("token");
    let mut server = Server::start(&store, &token);
    let alone = load(&server.addr, &work, phase, None);
    report(n, "alone", &alone, &cli);
    let importing = load(&server.addr, &work, phase * 4, Some(&files));
    report(
        n,
        "while 100k events are imported through the API",
        &importing,
        &cli,
    );
    server.stop();
}

/// Random pairs (by events) and days, as the library benchmark draws them.
fn workload(entries: &[Entry], count: usize) -> Vec<(PartyId, PartyId, Day)> {
    let events: Vec<&Event> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Event(e) => Some(e),
            Entry::Party(_) => None,
        })
        .collect();
    let mut x = 99u64;
    let mut next = move || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        x >> 33
    };
    (0..count)
        .map(|_| {
            let e = events[(next() as usize) % events.len()];
            let day = Day::from_days(9131 + (next() % 11_700) as i32);
            (e.parties[0].clone(), e.parties[1].clone(), day)
        })
        .collect()
}

fn path_of((a, b, day): &(PartyId, PartyId, Day)) -> String {
    format!("/api/state?as_of={day}&pair={a},{b}")
}

/// Seconds of each whole-process `pactlog state --json --pair A B` (the first warms up).
fn cli_latencies(store: &Path, work: &[(PartyId, PartyId, Day)]) -> Vec<f64> {
    let mut out = Vec::new();
    for (i, (a, b, day)) in work.iter().enumerate() {
        let t = Instant::now();
        let o = Command::new(env!("CARGO_BIN_EXE_pactlog"))
            .arg("--store")
            .arg(store)
            .args([
                "state",
                "--json",
                "--as-of",
                &day.to_string(),
                "--pair",
                a.as_str(),
                b.as_str(),
            ])
            .output()
            .expect("pactlog");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        if i > 0 {
            out.push(t.elapsed().as_secs_f64());
        }
    }
    out
}

/// What a load phase measured.
struct Load {
    latencies: Vec<f64>,
    errors: usize,
    secs: f64,
    /// Seconds the import took, and the records it added, when there was one.
    import: Option<(f64, u64)>,
}

/// Runs the query load for `phase` (or, with `import`, until the import is done and at
/// least `phase / 4` has passed).
fn load(
    addr: &str,
    work: &[(PartyId, PartyId, Day)],
    phase: Duration,
    import: Option<&Path>,
) -> Load {
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let (mut latencies, errors, import) = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..CONNECTIONS)
            .map(|c| {
                let stop = &stop;
                scope.spawn(move || client(addr, work, c, stop))
            })
            .collect();
        let import = import.map(|dir| {
            let t = Instant::now();
            let added = post_folder(addr, dir);
            (t.elapsed().as_secs_f64(), added)
        });
        let least = if import.is_some() { phase / 4 } else { phase };
        while start.elapsed() < least {
            std::thread::sleep(Duration::from_millis(50));
        }
        stop.store(true, Ordering::SeqCst);
        let mut all = (Vec::new(), 0, import);
        for c in clients {
            let (l, e) = c.join().expect("client");
            all.0.extend(l);
            all.1 += e;
        }
        all
    });
    latencies.sort_by(f64::total_cmp);
    Load {
        latencies,
        errors,
        secs: start.elapsed().as_secs_f64(),
        import,
    }
}

/// One connection: requests one at a time until told to stop (bounded by `stop`).
fn client(
    addr: &str,
    work: &[(PartyId, PartyId, Day)],
    c: usize,
    stop: &AtomicBool,
) -> (Vec<f64>, usize) {
    let mut conn = Conn::new(addr);
    let (mut out, mut errors) = (Vec::new(), 0);
    let mut i = c * 997;
    while !stop.load(Ordering::Relaxed) {
        let path = path_of(&work[i % work.len()]);
        i += 1;
        let t = Instant::now();
        match conn.get(&path) {
            Some(200) => out.push(t.elapsed().as_secs_f64()),
            _ => {
                errors += 1;
                conn = Conn::new(addr);
            }
        }
    }
    (out, errors)
}

/// A keep-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn new(addr: &str) -> Conn {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_nodelay(true).expect("nodelay");
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        Conn {
            reader: BufReader::new(s),
        }
    }

    /// The status of `GET path`, its body read and dropped; `None` on a broken connection.
    fn get(&mut self, path: &str) -> Option<u16> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
        self.reader.get_mut().write_all(req.as_bytes()).ok()?;
        let mut line = String::new();
        self.reader.read_line(&mut line).ok()?;
        let status = line.split_whitespace().nth(1)?.parse().ok()?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).ok()?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().ok()?;
            }
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).ok()?;
        Some(status)
    }
}

/// Imports every file of `dir` through the API, a file per request; the records added.
fn post_folder(addr: &str, dir: &Path) -> u64 {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("files")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut added = 0;
    for f in files {
        let body = std::fs::read(&f).expect("read");
        let mut s = TcpStream::connect(addr).expect("connect");
        let head = format!(
            "POST /api/import?name={} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\
             Authorization: Bearer {TOKEN}\r\nContent-Type: application/toml\r\nContent-Length: {}\r\n\r\n",
            f.file_name().and_then(|n| n.to_str()).unwrap_or("f.toml"),
            body.len()
        );
        s.write_all(head.as_bytes()).expect("send");
        s.write_all(&body).expect("send");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("answer");
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "{}",
            &answer[..answer.len().min(600)]
        );
        let events = answer
            .split("\"events_added\":")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0);
        added += events;
    }
    added
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(s: f64) -> String {
    format!("{:.2} ms", s * 1000.0)
}

fn report(n: usize, when: &str, l: &Load, cli: &[f64]) {
    let mut cli = cli.to_vec();
    cli.sort_by(f64::total_cmp);
    let qps = l.latencies.len() as f64 / l.secs;
    let cli_qps = 1.0 / pct(&cli, 0.5);
    let import = l
        .import
        .map(|(s, added)| {
            format!(
                ", import {added} events in {s:.1} s ({:.0}/s)",
                added as f64 / s
            )
        })
        .unwrap_or_default();
    println!(
        "| serve: random pair `state`, {CONNECTIONS} connections, {when} | {} | {qps:.0} q/s, p50 {} p99 {} max {}, {} errors{import} | CLI whole process p50 {} ({cli_qps:.0} q/s one at a time) | {:.0}x the CLI's rate |",
        if n >= 1_000_000 {
            format!("{}M", n / 1_000_000)
        } else {
            format!("{}k", n / 1000)
        },
        ms(pct(&l.latencies, 0.5)),
        ms(pct(&l.latencies, 0.99)),
        ms(l.latencies.last().copied().unwrap_or(0.0)),
        l.errors,
        ms(pct(&cli, 0.5)),
        qps / cli_qps,
    );
}

/// The server under test, killed if the benchmark stops early.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(store: &Path, token: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pactlog"))
            .arg("--store")
            .arg(store)
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--max-body",
                "1000000000",
                "--token-file",
            ])
            .arg(token)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("listening line");
        let addr = line
            .trim()
            .trim_start_matches("listening on http://")
            .to_string();
        Server { child, addr }
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
