//! Helpers shared by the integration tests: temporary stores, the `pactlog` command with
//! a fixed clock, paths of the bundled data, the proptest configuration, and damage
//! verdicts. The submodules hold what fewer tests need: proof files and keys (`audit`),
//! hostile files and pipes (`hostile`), the one generator of random ledgers and the
//! query days asked of them (`ledgers`), the naive reference fold of the projection
//! properties (`reference`), a WebDriver client for the browser tests (`browser`) and a
//! reader of the pages' markup (`html`).

pub mod audit;
pub mod browser;
pub mod hostile;
pub mod html;
pub mod ledgers;
pub mod reference;
pub mod server;
pub mod static_http;

use assert_cmd::Command;
use proptest::test_runner::Config as ProptestConfig;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Whether tests rewrite their expected files instead of comparing with them: exactly
/// `PACTLOG_BLESS=1`, the one bless rule of every test that pins output (golden vectors,
/// fixtures/expected, the outputs shown in README.md and docs/). A test that writes fails,
/// so that what it wrote is reviewed before it is committed.
pub fn blessing() -> bool {
    std::env::var("PACTLOG_BLESS").is_ok_and(|v| v == "1")
}

/// A command's standard output, as text.
pub fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A command's standard error, as text.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, with both streams in the failure message.
pub fn assert_code(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: expected exit {code}\nstdout: {}\nstderr: {}",
        stdout_of(out),
        stderr_of(out)
    );
}

/// The instant every CLI test records at (`PACTLOG_NOW`).
pub const NOW: &str = "2026-01-01T00:00:00Z";

/// A path inside the repository.
pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The bundled dataset.
pub fn events_dir() -> PathBuf {
    repo_path("events")
}

/// The tiny fictional dataset of the tests (3 parties, 11 events, plain dates only).
pub fn small_fixture() -> PathBuf {
    repo_path("fixtures/import/small")
}

/// Records an import of `small_fixture()` appends.
pub const SMALL_SIZE: u64 = 14;

/// A store path in a fresh temporary folder (the store itself does not exist yet).
pub struct TempStore {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempStore {
    pub fn new() -> TempStore {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let path = dir.path().join("pactlog.db");
        TempStore { dir, path }
    }

    /// `pactlog --store <this store>` with the fixed clock.
    pub fn cmd(&self) -> Command {
        pactlog(&self.path)
    }

    /// Runs `pactlog --store <this> <args>` and parses stdout as JSON; the command must
    /// succeed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd().args(args).output().expect("run pactlog");
        assert!(
            out.status.success(),
            "pactlog {args:?} failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "pactlog {args:?} printed no JSON ({e}):\n{}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Imports `paths` and returns the `import --json` report; the import must succeed.
    pub fn import(&self, paths: &[&Path]) -> serde_json::Value {
        let mut args: Vec<String> = vec!["import".into(), "--json".into()];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.json(&args)
    }
}

/// `pactlog --store <store>` with `PACTLOG_NOW` fixed, `PACTLOG_STORE` cleared and the
/// working directory set to a place where a stray default store would be harmless.
pub fn pactlog(store: &Path) -> Command {
    let mut cmd =
        Command::cargo_bin("pactlog").expect("the pactlog binary is built for integration tests");
    cmd.arg("--store").arg(store);
    cmd.env("PACTLOG_NOW", NOW);
    cmd.env_remove("PACTLOG_STORE");
    cmd.current_dir(store.parent().unwrap_or(Path::new(".")));
    cmd
}

/// A proptest config with `default` cases unless `PROPTEST_CASES` says otherwise. Failure
/// files are not written (they would land beside the test sources).
pub fn cases(default: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    }
    config.failure_persistence = None;
    config
}

/// What a `pactlog` command did, for tests that judge damage reports.
pub struct Verdict {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Verdict {
    /// The verdict of a finished command.
    pub fn of(out: &std::process::Output) -> Verdict {
        Verdict {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Everything it printed, for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "exit {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Exit 3, a message that holds every one of `wanted`, no panic, no success line.
    pub fn assert_tampering(&self, wanted: &[&str]) {
        assert_eq!(self.code, Some(3), "{}", self.describe());
        self.assert_says(wanted);
    }

    /// Every one of `wanted` said, no panic, no success line.
    pub fn assert_says(&self, wanted: &[&str]) {
        let all = format!("{}{}", self.stdout, self.stderr);
        for w in wanted {
            assert!(all.contains(w), "no {w:?} in:\n{}", self.describe());
        }
        assert!(!all.contains("panicked"), "a panic:\n{}", self.describe());
        assert!(
            !self.stdout.starts_with("ok"),
            "reported success:\n{}",
            self.describe()
        );
    }
}

/// The option that gives `key` to `audit` or `verify`: `--key-file` for the name of a
/// file, `--key` for the key text itself.
pub fn key_flag(key: &str) -> &'static str {
    if Path::new(key).is_file() {
        "--key-file"
    } else {
        "--key"
    }
}

/// Appends the synthetic events `events` of the ledger `SynthConfig::new(seed, total)`
/// (with its parties when the range starts at 0) to the store at `store`, recorded `at`
/// (seconds since the epoch), through the one write path.
pub fn append_synth(
    store: &Path,
    seed: u64,
    total: usize,
    events: std::ops::Range<usize>,
    at: i64,
) {
    use pactlog::synth::{Synth, SynthConfig};
    let synth = Synth::new(SynthConfig::new(seed, total));
    let mut ledger = pactlog::Ledger::open(pactlog::SledStore::open(store).unwrap()).unwrap();
    let parties = if events.start == 0 {
        synth.parties()
    } else {
        Vec::new()
    };
    let chosen = synth
        .events()
        .skip(events.start)
        .take(events.len())
        .collect();
    let checked = ledger.check(parties, chosen).unwrap();
    ledger
        .append(checked, pactlog::codec::Timestamp::from_unix(at))
        .unwrap();
}
