//! pactlog's performance benchmarks (DESIGN.md 6), each against a baseline measured in
//! the same run, printed as a markdown table.
//!
//! `cargo bench --bench perf` runs 10k, 100k and 1M events (about 8 minutes on 2 cores);
//! `PACTLOG_BENCH_MAX=100000 cargo bench --bench perf` stops at 100k for a quick run.
//! `PACTLOG_BENCH_MIN=1000000` skips the smaller sizes; `PACTLOG_BENCH_ONLY=import,verify`
//! runs only those groups (of import, rss, files, verify, queries, proofs, cli) while
//! working on one of them; the README table comes from a full run.
//! `PACTLOG_BENCH_DIR` picks where the stores go (default: the system temp dir; they are
//! removed at the end unless `PACTLOG_BENCH_KEEP` is set, for profiling by hand).
//!
//! The binary also serves as its own helper process (selected by `PACTLOG_BENCH_CHILD`):
//! a bare sled open of a store (the floor of any CLI command), and the streaming 1M
//! import whose peak RSS is measured from `/proc/self/status` (VmHWM).

use pactlog::codec::ChainHash;
use pactlog::codec::{self, Entry, Record, Seq, Timestamp};
use pactlog::ledger::APPEND_BATCH as BATCH;
use pactlog::ledger::{Ledger, StoredRecord};
use pactlog::merkle::{self, Hash};
use pactlog::model::{Day, Event, Party, PartyId};
use pactlog::projection::{Fold, Query, Select};
use pactlog::store::SledStore;
use pactlog::synth::{Synth, SynthConfig};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SEED: u64 = 20_260_227;
const AT: Timestamp = Timestamp::from_unix(1_772_150_400);
const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

fn main() {
    if let Ok(mode) = std::env::var("PACTLOG_BENCH_CHILD") {
        child(&mode);
        return;
    }
    let max: usize = std::env::var("PACTLOG_BENCH_MAX")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let base = std::env::var_os("PACTLOG_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("pactlog-bench-{}", std::process::id()));
    std::fs::create_dir_all(&base).expect("bench dir");
    let mut table = Table::default();
    let min: usize = std::env::var("PACTLOG_BENCH_MIN")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(0);
    let sizes: Vec<usize> = SIZES
        .iter()
        .copied()
        .filter(|&n| n <= max && n >= min)
        .collect();
    for &n in &sizes {
        bench_size(n, &base, &mut table, n == *sizes.last().unwrap_or(&0));
    }
    if std::env::var_os("PACTLOG_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&base);
    }
    println!("{}", machine());
    table.print();
}

/// Rows of the result table.
#[derive(Default)]
struct Table {
    rows: Vec<[String; 5]>,
}

impl Table {
    fn row(&mut self, what: &str, n: usize, ours: String, base: String, ratio: String) {
        eprintln!("  {what} @{}: {ours} | {base} | {ratio}", size_name(n));
        self.rows
            .push([what.to_string(), size_name(n), ours, base, ratio]);
    }

    fn print(&self) {
        println!("| benchmark | events | pactlog | baseline | ratio |");
        println!("|---|---:|---:|---:|---:|");
        for r in &self.rows {
            println!("| {} | {} | {} | {} | {} |", r[0], r[1], r[2], r[3], r[4]);
        }
    }
}

fn size_name(n: usize) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1000 && n % 1000 == 0 => format!("{}k", n / 1000),
        n => n.to_string(),
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let date = Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("Machine: {cores} cores ({cpu}), {rustc}, {date}, seed {SEED}, sled 0.34.7.\n")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

fn pct(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, secs(t.elapsed()))
}

fn us(s: f64) -> String {
    if s >= 0.1 {
        format!("{:.2} s", s)
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

fn rate(n: usize, s: f64) -> String {
    format!("{:.0}k/s", n as f64 / s / 1e3)
}

/// The sled configuration of `SledStore::open`, for the raw baselines.
fn raw_sled(path: &Path) -> sled::Db {
    sled::Config::new()
        .path(path)
        .cache_capacity(64 * 1024 * 1024)
        .flush_every_ms(None)
        .open()
        .expect("raw sled open")
}

/// Every entry of a synthetic ledger of `n` events: parties first, then events.
fn dataset(n: usize) -> (Synth, Vec<Entry>) {
    let synth = Synth::new(SynthConfig::new(SEED, n));
    let mut entries: Vec<Entry> = synth.parties().into_iter().map(Entry::Party).collect();
    entries.extend(synth.events().map(Entry::Event));
    (synth, entries)
}

/// The `records` keys and values the ledger stores for `entries`, computed independently.
fn record_values(entries: &[Entry]) -> Vec<([u8; 8], Vec<u8>)> {
    let mut prev = ChainHash::ZERO;
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let record = Record {
                seq: Seq::new(i as u64),
                recorded_at: AT,
                prev,
                entry: e.clone(),
                format: pactlog::codec::Format::CURRENT,
            };
            let bytes = codec::encode(&record).expect("encode");
            let stored = StoredRecord {
                seq: record.seq,
                hash: ChainHash::of(&bytes),
                leaf: merkle::leaf_hash(&bytes),
                bytes,
            };
            prev = stored.hash;
            (record.seq.key(), stored.to_value())
        })
        .collect()
}

/// Whether the benchmark group `name` runs (`PACTLOG_BENCH_ONLY` unset: all of them).
fn wanted(name: &str) -> bool {
    std::env::var("PACTLOG_BENCH_ONLY")
        .map_or(true, |only| only.split(',').any(|g| g.trim() == name))
}

fn bench_size(n: usize, base: &Path, table: &mut Table, last: bool) {
    eprintln!("== {} events", size_name(n));
    let ((synth, entries), gen_s) = time(|| dataset(n));
    eprintln!("  generated {} records in {}", entries.len(), us(gen_s));
    let values = record_values(&entries);
    let records = entries.len();
    let store = base.join(format!("store-{n}"));
    let raw = base.join(format!("raw-{n}"));

    // Import vs raw sled, each in a fresh child process (as `pactlog import` runs), 3
    // times each, taking turns to go first; medians. The last pactlog run leaves the
    // store the later groups read.
    let feed = base.join(format!("entries-{n}.bin"));
    let raw_values = base.join(format!("values-{n}.bin"));
    write_feed(&feed, entries.iter());
    write_values(&raw_values, &values);
    drop(values);
    let reps = if !wanted("import") && !wanted("rss") && !wanted("files") {
        0
    } else {
        3
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let raw_run = || {
        let run = run_child(&format!("raw:{}:{}", raw_values.display(), raw.display()));
        let _ = std::fs::remove_dir_all(&raw);
        run
    };
    let our_run = || run_child(&format!("import:{}:{}", feed.display(), store.display()));
    for rep in 0..reps {
        // Each goes first in turn: the first child of a pair pays more for the
        // writeback of whatever the machine wrote just before.
        if rep % 2 == 0 {
            theirs.push(raw_run());
            ours.push(our_run());
        } else {
            ours.push(our_run());
            theirs.push(raw_run());
        }
    }
    if reps == 0 {
        run_child(&format!("import:{}:{}", feed.display(), store.display()));
    }
    if wanted("import") && reps > 0 {
        let (o, t) = (
            median(ours.iter().map(|c| c.secs).collect()),
            median(theirs.iter().map(|c| c.secs).collect()),
        );
        table.row(
            "import (append, flush per 1000)",
            n,
            format!(
                "{} ({:.1} µs/event)",
                rate(records, o),
                o * 1e6 / records as f64
            ),
            format!("raw sled {}", rate(records, t)),
            format!("{:.2}x", t / o),
        );
    }
    if last && wanted("rss") && reps > 0 {
        let gen_kib = run_child(&format!("gen:{}", feed.display())).hwm_kib;
        let imp = ours.last().copied().unwrap_or_default();
        let raw_run = theirs.last().copied().unwrap_or_default();
        let mib = |k: u64| format!("{:.0} MiB", k as f64 / 1024.0);
        table.row(
            "peak RSS of the import above (child process, VmHWM)",
            n,
            mib(imp.hwm_kib),
            format!(
                "raw sled {}; reading the entries alone {}",
                mib(raw_run.hwm_kib),
                mib(gen_kib)
            ),
            format!("{:.2}x", imp.hwm_kib as f64 / raw_run.hwm_kib.max(1) as f64),
        );
    }
    let _ = std::fs::remove_file(&feed);
    let _ = std::fs::remove_file(&raw_values);

    if wanted("files") && !ours.is_empty() {
        // What `pactlog import events/` does with TOML files: read, parse and check
        // every file, then append; against the library append above (same entries).
        let files = base.join(format!("events-{n}"));
        let parties: Vec<_> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Party(p) => Some(p.clone()),
                Entry::Event(_) => None,
            })
            .collect();
        pactlog::synth::write_event_files(&files, &parties, synth.events(), 1000)
            .expect("event files");
        let dir = base.join(format!("files-store-{n}"));
        let run = run_child(&format!("toml:{}:{}", files.display(), dir.display()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&files);
        let library = median(ours.iter().map(|c| c.secs).collect());
        table.row(
            "import of TOML event files (`pactlog import`: read, parse, check, append)",
            n,
            format!(
                "{} ({:.1} µs/event), peak RSS {:.0} MiB",
                rate(records, run.secs),
                run.secs * 1e6 / records as f64,
                run.hwm_kib as f64 / 1024.0
            ),
            format!("library append {}", rate(records, library)),
            format!("{:.2}x", library / run.secs),
        );
    }

    if wanted("verify") {
        // Verify vs raw scan + BLAKE3, each on a fresh open (warm OS cache), alternating;
        // and the most sled hands over: every core reading a share of the keys.
        let (mut ours, mut theirs, mut reads) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..3 {
            reads.push(parallel_read(&store));
            theirs.push(raw_scan(&store));
            let ledger = Ledger::open(SledStore::open(&store).expect("open")).expect("ledger");
            let (report, s) = time(|| ledger.verify().expect("verify"));
            assert!(report.is_ok(), "{:?}", report.first_break);
            assert_eq!(report.checked, records as u64);
            ours.push(s);
        }
        let (o, t) = (median(ours), median(theirs));
        table.row(
            "verify (full chain + Merkle)",
            n,
            format!("{} ({})", rate(records, o), us(o)),
            format!("scan+BLAKE3 {}", rate(records, t)),
            format!("{:.2}x slower", o / t),
        );
        let r = median(reads);
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        // The target is verify's rate against this ceiling (>= 0.8x).
        table.row(
            &format!("reading the records from sled, {cores} threads, nothing checked"),
            n,
            format!("{} ({})", rate(records, r), us(r)),
            format!("verify {}", rate(records, o)),
            format!("verify at {:.2}x of it", r / o),
        );
    }

    if wanted("proofs") {
        // As `pactlog proof` runs: a fresh open, nothing else read before.
        let ledger = Ledger::open(SledStore::open(&store).expect("open")).expect("ledger");
        proofs(n, &ledger, table, "fresh open");
    }
    // Queries, and proofs after them, as a long-running process (`pactlog serve`) makes
    // them: with its page cache, so that what the queries read does not evict what the
    // proofs read.
    let cached = SledStore::open_with_cache(&store, pactlog::LONG_RUNNING_CACHE_BYTES);
    let ledger = Ledger::open(cached.expect("open")).expect("ledger");
    if wanted("queries") {
        queries(n, &synth, &entries, &ledger, table);
    }
    if wanted("proofs") && wanted("queries") {
        // As a long-running process would: after the query workload above.
        proofs(n, &ledger, table, "after the queries");
    }
    drop(ledger);
    if last && wanted("cli") {
        cli(n, &entries, &store, table);
    }
    if std::env::var_os("PACTLOG_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&store);
    }
}

/// The ceiling of any verify through sled: `records` read on every core, each thread a
/// contiguous share of the keys, nothing done with the bytes but touching them.
fn parallel_read(dir: &Path) -> f64 {
    let db = raw_sled(dir);
    let tree = db.open_tree("records").expect("tree");
    let threads = std::thread::available_parallelism().map_or(1, |c| c.get()) as u64;
    let t = Instant::now();
    let end = tree.last().expect("last").map_or(0, |(k, _)| {
        u64::from_be_bytes(k.as_ref().try_into().expect("seq key")) + 1
    });
    let share = end.div_ceil(threads);
    let count: u64 = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..threads)
            .map(|i| {
                let tree = &tree;
                scope.spawn(move || {
                    let (lo, hi) = ((i * share).to_be_bytes(), ((i + 1) * share).to_be_bytes());
                    let mut touched = 0u8;
                    let mut count = 0u64;
                    for item in tree.range(lo..hi) {
                        let (_, v) = item.expect("read");
                        touched ^= v[v.len() - 1];
                        count += 1;
                    }
                    std::hint::black_box(touched);
                    count
                })
            })
            .collect();
        readers.into_iter().map(|r| r.join().expect("reader")).sum()
    });
    let s = secs(t.elapsed());
    assert_eq!(count, end, "every record read once");
    s
}

/// Raw baseline of verify: scan `records` and BLAKE3 every record's bytes.
fn raw_scan(dir: &Path) -> f64 {
    let db = raw_sled(dir);
    let tree = db.open_tree("records").expect("tree");
    let t = Instant::now();
    let mut bad = 0u64;
    for item in tree.iter() {
        let (_, v) = item.expect("scan");
        if ChainHash::of(&v[64..]).as_bytes()[..] != v[..32] {
            bad += 1;
        }
    }
    let s = secs(t.elapsed());
    assert_eq!(bad, 0);
    s
}

/// A random (pair, day) workload: pairs weighted by their events (hot pairs often),
/// days uniform over the synthetic span.
fn workload(entries: &[Entry], count: usize, seed: u64) -> Vec<(PartyId, PartyId, Day)> {
    let events: Vec<&Event> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Event(e) => Some(e),
            Entry::Party(_) => None,
        })
        .collect();
    let mut x = seed;
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

/// The naive reference: decode and fold every record.
fn reference_fold<S: pactlog::store::Store>(
    ledger: &Ledger<S>,
    query: Query,
    select: &Select,
) -> Vec<pactlog::projection::RelationshipState> {
    let mut fold = Fold::new(query, select.clone());
    for r in ledger.records(0, None) {
        let r = r.expect("record");
        if let Entry::Event(e) = &r.entry {
            fold.apply(r.seq, e);
        }
    }
    fold.finish()
}

fn queries<S: pactlog::store::Store>(
    n: usize,
    synth: &Synth,
    entries: &[Entry],
    ledger: &Ledger<S>,
    table: &mut Table,
) {
    let work = workload(entries, 2000, n as u64);
    let mut pair_t = Vec::new();
    for (a, b, day) in &work {
        let sel = Select::Pair(a.clone(), b.clone());
        let (ans, s) = time(|| ledger.state(Query::as_of(*day), &sel).expect("state"));
        std::hint::black_box(ans);
        pair_t.push(s);
    }
    let mut party_t = Vec::new();
    for (a, _, day) in work.iter().take(500) {
        let sel = Select::Party(a.clone());
        let (ans, s) = time(|| ledger.state(Query::as_of(*day), &sel).expect("state"));
        std::hint::black_box(ans);
        party_t.push(s);
    }
    // The busiest pair as of the last day: the worst case for an indexed query.
    let mut counts: HashMap<(&PartyId, &PartyId), usize> = HashMap::new();
    for e in entries {
        if let Entry::Event(e) = e {
            *counts.entry((&e.parties[0], &e.parties[1])).or_default() += 1;
        }
    }
    let (hot, hot_n) = counts
        .iter()
        .max_by_key(|(k, v)| (**v, **k))
        .map(|(k, v)| ((k.0.clone(), k.1.clone()), *v))
        .unwrap_or_else(|| (synth.pair_of_rank(0), 0));
    let hot_sel = Select::Pair(hot.0.clone(), hot.1.clone());
    let mut hot_t = Vec::new();
    for _ in 0..5 {
        let (_, s) = time(|| {
            ledger
                .state(Query::as_of(Day::from_days(20_818)), &hot_sel)
                .expect("state")
        });
        hot_t.push(s);
    }
    // Reference fold: a few queries from the workload; the answers must agree.
    let refs = if n >= 1_000_000 { 3 } else { 5 };
    let mut ref_t = Vec::new();
    for (a, b, day) in work.iter().take(refs) {
        let sel = Select::Pair(a.clone(), b.clone());
        let (want, s) = time(|| reference_fold(ledger, Query::as_of(*day), &sel));
        let got = ledger.state(Query::as_of(*day), &sel).expect("state");
        assert_eq!(
            got.relationships, want,
            "indexed and reference folds differ"
        );
        ref_t.push(s);
    }
    // The busiest pair goes through the parallel decoding path: it must agree too.
    let last_day = Query::as_of(Day::from_days(20_818));
    let (want, s) = time(|| reference_fold(ledger, last_day, &hot_sel));
    let got = ledger.state(last_day, &hot_sel).expect("state");
    assert_eq!(
        got.relationships, want,
        "busiest pair: indexed and reference differ"
    );
    ref_t.push(s);
    let r = median(ref_t);
    let p50 = pct(&pair_t, 0.5);
    table.row(
        "state --pair, random pair (by events) and day",
        n,
        format!(
            "p50 {} p90 {} p99 {}",
            us(p50),
            us(pct(&pair_t, 0.9)),
            us(pct(&pair_t, 0.99))
        ),
        format!("reference fold {}", us(r)),
        format!("{:.0}x faster", r / p50),
    );
    table.row(
        &format!("state --pair, busiest pair ({hot_n} events), last day"),
        n,
        format!("median {}", us(median(hot_t.clone()))),
        format!("reference fold {}", us(r)),
        format!("{:.0}x faster", r / median(hot_t)),
    );
    let p50 = pct(&party_t, 0.5);
    table.row(
        "state --party, random party (by events) and day",
        n,
        format!(
            "p50 {} p90 {} p99 {}",
            us(p50),
            us(pct(&party_t, 0.9)),
            us(pct(&party_t, 0.99))
        ),
        format!("reference fold {}", us(r)),
        format!("{:.0}x faster", r / p50),
    );
}

fn proofs<S: pactlog::store::Store>(n: usize, ledger: &Ledger<S>, table: &mut Table, when: &str) {
    let size = ledger.size();
    let tiles = ledger.tiles();
    let root = ledger.root_at(size).expect("root");
    let mut x = n as u64 | 1;
    let mut next = move |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let (mut gen_i, mut ver_i, mut gen_c, mut ver_c) = (vec![], vec![], vec![], vec![]);
    for _ in 0..1000 {
        let i = next(size);
        let leaf: Hash = ledger.raw(Seq::new(i)).expect("raw").expect("record").leaf;
        let (proof, s) = time(|| merkle::inclusion_proof(&tiles, i, size).expect("proof"));
        gen_i.push(s);
        let (ok, s) = time(|| root.verify_inclusion(&leaf, i, size, &proof.hashes));
        ok.expect("inclusion verifies");
        ver_i.push(s);
        let old = 1 + next(size - 1);
        let ((old_root, proof), s) = time(|| {
            let proof = merkle::consistency_proof(&tiles, old, size).expect("proof");
            (ledger.root_at(old).expect("old root"), proof)
        });
        gen_c.push(s);
        let (ok, s) = time(|| root.verify_consistency(size, &old_root, old, &proof.hashes));
        ok.expect("consistency verifies");
        ver_c.push(s);
    }
    let cell = |v: &[f64]| format!("p50 {} p99 {}", us(pct(v, 0.5)), us(pct(v, 0.99)));
    table.row(
        &format!("inclusion proof (generate; verify), {when}"),
        n,
        cell(&gen_i),
        cell(&ver_i),
        "-".into(),
    );
    table.row(
        &format!("consistency proof + old root (generate; verify), {when}"),
        n,
        cell(&gen_c),
        cell(&ver_c),
        "-".into(),
    );
}

/// Whole-process latency of `pactlog state --as-of D --pair A B` vs a process that only
/// opens the same sled store (this binary in helper mode), alternating, warm OS cache.
fn cli(n: usize, entries: &[Entry], store: &Path, table: &mut Table) {
    let exe = std::env::current_exe().expect("current exe");
    let work = workload(entries, 11, 99);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for (k, (a, b, day)) in work.iter().enumerate() {
        let (out, t_open) = time(|| {
            Command::new(&exe)
                .env("PACTLOG_BENCH_CHILD", format!("open:{}", store.display()))
                .output()
                .expect("helper")
        });
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (out, t_cli) = time(|| {
            Command::new(env!("CARGO_BIN_EXE_pactlog"))
                .arg("--store")
                .arg(store)
                .args(["state", "--as-of", &day.to_string(), "--pair"])
                .arg(a.as_str())
                .arg(b.as_str())
                .output()
                .expect("pactlog")
        });
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if k > 0 {
            // The first pair of runs warms the OS cache.
            theirs.push(t_open);
            ours.push(t_cli);
        }
    }
    let (o, t) = (median(ours), median(theirs));
    table.row(
        "CLI `state --as-of D --pair A B` (whole process)",
        n,
        format!("median {}", us(o)),
        format!("bare sled open {}", us(t)),
        format!("{:.2}x", o / t),
    );
}

/// Peak RSS of the streaming import in a child process, with a raw sled insert of the
/// same records as the reference. The child reads the entries from a file one by one
/// (length-prefixed bincode), so its peak is the ledger's, not the generator's.
/// What a child process measured: seconds of its timed loop and its peak RSS.
#[derive(Clone, Copy, Default)]
struct ChildRun {
    secs: f64,
    hwm_kib: u64,
}

/// Runs this binary as a helper (see [`child`]) and reads what it measured.
fn run_child(mode: &str) -> ChildRun {
    let exe = std::env::current_exe().expect("current exe");
    let out = Command::new(&exe)
        .env("PACTLOG_BENCH_CHILD", mode)
        .output()
        .expect("child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> String {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .unwrap_or("0")
            .to_string()
    };
    ChildRun {
        secs: field("secs=").parse().unwrap_or(0.0),
        hwm_kib: field("hwm_kib=").parse().unwrap_or(0),
    }
}

fn hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Helper modes, run in a child process.
fn child(mode: &str) {
    let mut parts = mode.splitn(3, ':');
    let what = parts.next().unwrap_or("");
    let arg = parts.next().unwrap_or("");
    match what {
        "open" => {
            // Exactly what `SledStore::open` does with sled, and nothing else.
            let db = raw_sled(Path::new(arg));
            for t in ["records", "ids", "pairs", "merkle", "meta", "checkpoints"] {
                std::hint::black_box(db.open_tree(t).expect("tree"));
            }
        }
        "write-feed" => {
            // For profiling by hand: PACTLOG_BENCH_CHILD=write-feed:N:PATH.
            let n: usize = arg.parse().expect("size");
            let (_, entries) = dataset(n);
            write_feed(Path::new(parts.next().expect("path")), entries.iter());
        }
        "gen" => {
            let t = Instant::now();
            let count = feed(Path::new(arg)).count();
            println!(
                "records={count} hwm_kib={} secs={}",
                hwm_kib(),
                secs(t.elapsed())
            );
        }
        "toml" => {
            // `pactlog import FILES` into a fresh store at DIR, as the CLI runs it.
            let dir = PathBuf::from(parts.next().expect("dir"));
            let _ = std::fs::remove_dir_all(&dir);
            let t = Instant::now();
            let mut ledger = Ledger::open(SledStore::open(&dir).expect("open")).expect("ledger");
            let report =
                pactlog::import::import(&mut ledger, &[PathBuf::from(arg)], AT).expect("import");
            println!(
                "records={} hwm_kib={} secs={}",
                report.size,
                hwm_kib(),
                secs(t.elapsed())
            );
        }
        "raw" | "import" | "import-in-memory" => {
            let dir = PathBuf::from(parts.next().expect("dir"));
            let _ = std::fs::remove_dir_all(&dir);
            let (count, timed) = match what {
                "raw" => stream_raw(&dir, Path::new(arg)),
                "import" => streamed_import(&dir, feed(Path::new(arg))),
                _ => timed_import(&dir, feed(Path::new(arg))),
            };
            println!("records={count} hwm_kib={} secs={timed}", hwm_kib());
        }
        other => panic!("unknown helper mode {other:?}"),
    }
}

/// Writes entries for [`feed`].
fn write_feed<'a>(path: &Path, entries: impl Iterator<Item = &'a Entry>) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("feed"));
    for e in entries {
        let bytes = bincode::serde::encode_to_vec(e, bincode::config::legacy()).expect("enc");
        out.write_all(&(bytes.len() as u32).to_le_bytes())
            .expect("write");
        out.write_all(&bytes).expect("write");
    }
    out.flush().expect("flush");
    // On disk before any child is timed, so that no child pays for its writeback.
    out.get_ref().sync_all().expect("sync");
}

/// Entries read back one at a time from a file written by [`write_feed`].
fn feed(path: &Path) -> impl Iterator<Item = Entry> {
    let mut input = std::io::BufReader::new(std::fs::File::open(path).expect("feed"));
    std::iter::from_fn(move || {
        let mut len = [0u8; 4];
        input.read_exact(&mut len).ok()?;
        let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
        input.read_exact(&mut bytes).expect("feed entry");
        let (entry, _) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::legacy()).expect("decode");
        Some(entry)
    })
}

/// pactlog, for profiling by hand (`import-in-memory:FEED:DIR`): the entries read,
/// decoded and checked into memory first, as `pactlog import` holds its checked plan,
/// and only the append timed; returns (count, secs).
fn timed_import(dir: &Path, entries: impl Iterator<Item = Entry>) -> (u64, f64) {
    let mut ledger = Ledger::open(SledStore::open(dir).expect("open")).expect("ledger");
    let (parties, events) = split(entries);
    let checked = ledger
        .check(parties, events)
        .expect("valid synthetic events");
    let (_, timed) = time(|| ledger.append(checked, AT).expect("append"));
    (ledger.size(), timed)
}

/// Events checked and appended per library call in [`streamed_import`]: a chunk is
/// held in memory while it is checked, then appended in batches of [`APPEND_BATCH`].
const CHUNK: usize = 32_768;

/// pactlog: the entries checked by the ledger's validator and appended, [`CHUNK`] at a
/// time, read and decoded from the feed as the import goes, so that the process's peak
/// memory is the import's own. This is the library's whole write path (decide, then
/// record). Timed as a whole, reading and decoding included; returns (count, secs).
fn streamed_import(dir: &Path, entries: impl Iterator<Item = Entry>) -> (u64, f64) {
    let mut entries = entries.peekable();
    let mut ledger = Ledger::open(SledStore::open(dir).expect("open")).expect("ledger");
    let (_, timed) = time(|| {
        while entries.peek().is_some() {
            let (parties, events) = split(entries.by_ref().take(CHUNK));
            let checked = ledger
                .check(parties, events)
                .expect("valid synthetic events");
            ledger.append(checked, AT).expect("append");
        }
    });
    (ledger.size(), timed)
}

/// Parties and events, each in feed order.
fn split(entries: impl Iterator<Item = Entry>) -> (Vec<Party>, Vec<Event>) {
    let (mut parties, mut events) = (Vec::new(), Vec::new());
    for entry in entries {
        match entry {
            Entry::Party(p) => parties.push(p),
            Entry::Event(e) => events.push(e),
        }
    }
    (parties, events)
}

/// Raw sled: the precomputed `records` keys and values (see [`write_values`]) read from a
/// file and inserted with one `apply_batch` and one flush per [`BATCH`], nothing else.
/// Timed as a whole, reading included, like [`streamed_import`]; returns (count, secs).
fn stream_raw(dir: &Path, values: &Path) -> (u64, f64) {
    let db = raw_sled(dir);
    let tree = db.open_tree("records").expect("tree");
    let mut input = std::io::BufReader::new(std::fs::File::open(values).expect("values"));
    let mut next = move || -> Option<([u8; 8], Vec<u8>)> {
        let mut head = [0u8; 12];
        input.read_exact(&mut head).ok()?;
        let mut key = [0u8; 8];
        key.copy_from_slice(&head[..8]);
        let mut value =
            vec![0u8; u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize];
        input.read_exact(&mut value).expect("value");
        Some((key, value))
    };
    let mut count = 0u64;
    let t = Instant::now();
    loop {
        let mut batch = sled::Batch::default();
        let mut n = 0;
        while n < BATCH {
            let Some((k, v)) = next() else { break };
            batch.insert(&k[..], v);
            n += 1;
        }
        if n == 0 {
            break;
        }
        tree.apply_batch(batch).expect("batch");
        tree.flush().expect("flush");
        count += n as u64;
    }
    (count, secs(t.elapsed()))
}

/// Writes `records` keys and values for [`stream_raw`]: key, u32 length, value.
fn write_values(path: &Path, values: &[([u8; 8], Vec<u8>)]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("values"));
    for (k, v) in values {
        out.write_all(k).expect("write");
        out.write_all(&(v.len() as u32).to_le_bytes())
            .expect("write");
        out.write_all(v).expect("write");
    }
    out.flush().expect("flush");
    out.get_ref().sync_all().expect("sync");
}
