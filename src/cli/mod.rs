//! Command-line front end: one file per command, each with an `XArgs` (its doc comment
//! is the `--help` text) and a `run_x` that makes one library call and renders.
//! Standard output is written only through the `out` module's macros (see there).

#[macro_use]
mod out;

mod audit;
mod check;
mod checkpoint;
mod completions;
mod conflicts;
mod diff;
mod export;
mod follow;
mod format;
mod graph;
mod http_source;
mod import;
mod key;
mod log;
mod man;
mod progress;
mod proof;
mod publish;
mod scope;
mod send;
mod serve;
mod show;
mod site;
mod state;
mod verify;
mod witness;
mod witness_client;
mod witnesses;

#[cfg(test)]
mod help_tests;

use clap::{Parser, Subcommand};
use pactlog::import::{ImportError, Problem};
use pactlog::model::{Day, PartyId, escape};
use pactlog::{AuditError, Ledger, LedgerError, SledStore, StoreError, Timestamp};
use std::fmt;
use std::path::{Path, PathBuf};

/// pactlog: a tamper-evident ledger of how corporate partnerships change over time
///
/// Events (investments, agreements and the terms they grant, legal threats,
/// statements) are appended as immutable, hash-chained records to an embedded store.
/// `pactlog COMMAND --help` describes each command, with examples.
///
/// Exit codes: 0 ok; 1 bad input or usage; 2 internal or storage error; 3 verification
/// failed (tampering, broken chain, bad proof or signature).
///
/// Environment:
///   PACTLOG_STORE           the store folder when --store is not given
///   PACTLOG_NOW             the time appends are recorded at (RFC 3339), for
///                           reproducible stores; the clock otherwise
///   PACTLOG_PROGRESS_DELAY  seconds before a progress bar shows (default 2)
///
/// Examples:
///   pactlog import events/
///   pactlog log --pair microsoft openai
///   pactlog state --as-of 2026-03-01 --pair microsoft openai
///   pactlog --store /srv/pactlog.db verify
#[derive(Parser, Debug)]
#[command(
    name = "pactlog",
    version,
    about,
    long_about,
    verbatim_doc_comment,
    max_term_width = 100
)]
pub struct Cli {
    /// The store folder [default: $PACTLOG_STORE, else ./pactlog.db]
    #[arg(long, global = true, value_name = "PATH")]
    store: Option<PathBuf>,

    /// Draw no progress bar (import, verify and export draw one on a terminal when they
    /// run for more than two seconds, or PACTLOG_PROGRESS_DELAY seconds); output, notes
    /// and errors are unchanged
    #[arg(long, short, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Import(import::ImportArgs),
    Check(check::CheckArgs),
    Log(log::LogArgs),
    Show(show::ShowArgs),
    State(state::StateArgs),
    Conflicts(conflicts::ConflictsArgs),
    Diff(diff::DiffArgs),
    Graph(graph::GraphArgs),
    Verify(verify::VerifyArgs),
    Key(key::KeyArgs),
    Checkpoint(checkpoint::CheckpointArgs),
    Proof(proof::ProofArgs),
    Audit(audit::AuditArgs),
    Export(export::ExportArgs),
    Publish(publish::PublishArgs),
    Follow(follow::FollowArgs),
    Witness(witness::WitnessArgs),
    Serve(serve::ServeArgs),
    Site(site::SiteArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
}

/// Exit status of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// Success.
    Ok = 0,
    /// The user's input or usage is wrong.
    User = 1,
    /// Something failed inside (storage, I/O).
    Internal = 2,
    /// A verification failed: the ledger, a proof or a signature is not what it claims.
    Verify = 3,
}

impl From<Code> for std::process::ExitCode {
    fn from(c: Code) -> Self {
        std::process::ExitCode::from(c as u8)
    }
}

/// An error to show the user, with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    code: Code,
    message: String,
    /// Every problem of an import, printed before the message.
    problems: Vec<Problem>,
    /// Notes that explain the error (links an import did not follow), printed first.
    notes: Vec<String>,
    /// Standard output was closed by its reader: end quietly (see the `out` module).
    quiet: bool,
}

impl CliError {
    fn new(code: Code, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
            problems: Vec::new(),
            notes: Vec::new(),
            quiet: false,
        }
    }

    /// The user's fault (exit 1).
    pub fn user(message: impl Into<String>) -> CliError {
        CliError::new(Code::User, message)
    }

    /// Internal or storage (exit 2).
    pub fn internal(message: impl Into<String>) -> CliError {
        CliError::new(Code::Internal, message)
    }

    /// The reader of standard output went away: the command stops, prints nothing more
    /// (not even this) and exits 0.
    pub fn closed() -> CliError {
        CliError {
            quiet: true,
            ..CliError::new(Code::Ok, "standard output was closed")
        }
    }

    /// The error with `notes` to print before it.
    pub fn with_notes(self, notes: Vec<String>) -> CliError {
        CliError { notes, ..self }
    }

    /// The error with the problems of an import, printed before it.
    pub fn with_problems(self, problems: Vec<Problem>) -> CliError {
        CliError { problems, ..self }
    }

    /// Whether this is the quiet stop of [`CliError::closed`].
    pub fn is_closed(&self) -> bool {
        self.quiet
    }

    /// Marks the error as a verification failure (exit 3): used where any problem with
    /// the input means "this does not check out" (an auditor's proof file).
    pub fn force_verify(&mut self) {
        if self.code == Code::User {
            self.code = Code::Verify;
        }
    }

    /// The same error, its message followed by `context` (what the command used, such
    /// as the key it checked with).
    pub fn with_context(mut self, context: &str) -> CliError {
        self.message = format!("{}; {context}", self.message);
        self
    }

    /// The message, without the `error: ` prefix of the terminal form.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The exit code.
    pub fn exit_code(&self) -> Code {
        self.code
    }

    /// The JSON form printed under `--json`: `{"error": {"code": 1, "message": "...",
    /// "problems": [{"file", "line", "id", "message"}], "notes": ["..."]}}`.
    pub fn to_json(&self) -> serde_json::Value {
        crate::view::json::error_json(self.code as u8, &self.message, &self.problems, &self.notes)
    }
}

impl fmt::Display for CliError {
    /// Each detail on its line, then the message; text from input in them (file names,
    /// quoted values) is escaped so that it cannot act on the terminal or add lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.notes {
            writeln!(f, "note: {}", escape(n))?;
        }
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        write!(f, "error: {}", escape(&self.message))
    }
}

/// Whether the command line asks for JSON (`--json`, `--format json` or
/// `--format=json` before any `--`): errors are then printed as [`CliError::to_json`].
pub fn wants_json(args: impl IntoIterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<_> = args.into_iter().skip(1).take_while(|a| a != "--").collect();
    args.iter().any(|a| a == "--json" || a == "--format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json")
}

/// Prints `err` on standard error (as JSON when `json`; nothing for a closed standard
/// output) and returns its exit code.
pub fn fail(err: &CliError, json: bool) -> Code {
    if err.is_closed() {
        return err.exit_code();
    }
    if json {
        errln!("{}", err.to_json());
    } else {
        errln!("{err}");
    }
    err.exit_code()
}

/// Prints a usage error of the argument parser (as JSON when `json`); exit 1. `--help`
/// and `--version` are not errors: printed to standard output, exit 0.
pub fn usage(e: &clap::Error, json: bool) -> Code {
    if !e.use_stderr() {
        let _ = e.print();
        return Code::Ok;
    }
    if json {
        let message = e.render().to_string();
        let message = message.trim().trim_start_matches("error: ");
        fail(&CliError::user(message), true)
    } else {
        let _ = e.print();
        Code::User
    }
}

impl From<LedgerError> for CliError {
    fn from(e: LedgerError) -> Self {
        CliError::internal(e.to_string())
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused { .. } => CliError::user(e.to_string()),
            other => CliError::internal(other.to_string()),
        }
    }
}

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Invalid(problems) => {
                let message = format!(
                    "{} problem{} found; nothing was imported",
                    problems.total(),
                    if problems.total() == 1 { "" } else { "s" }
                );
                CliError {
                    problems: problems.into_vec(),
                    ..CliError::user(message)
                }
            }
            ImportError::Read { .. }
            | ImportError::NoFiles { .. }
            | ImportError::TooDeep { .. }
            | ImportError::Changed { .. } => CliError::user(e.to_string()),
            other => CliError::internal(other.to_string()),
        }
    }
}

/// Maps auditor errors: verification failures exit 3, usage problems 1, the rest 2.
pub fn audit_error(e: AuditError) -> CliError {
    let code = if e.is_verification_failure() {
        Code::Verify
    } else {
        match &e {
            AuditError::Ledger(_) | AuditError::Merkle(_) => Code::Internal,
            _ => Code::User,
        }
    };
    CliError::new(code, e.to_string())
}

/// Global options every command sees.
pub struct Globals {
    pub store: PathBuf,
    /// No progress bars (`--quiet`).
    quiet: bool,
    /// sled's page cache for this process, in bytes.
    cache_bytes: u64,
}

/// What [`Globals::open_for_import`] created, to remove if the import fails: a store is
/// created only by a write that succeeds.
pub struct Created {
    /// The topmost folder the open created, or the store folder when it existed empty.
    folder: PathBuf,
    /// Whether `folder` existed (empty) before: then only what is in it is removed.
    existed: bool,
}

impl Created {
    /// Removes what the open created. The ledger must be closed first.
    pub fn remove(self) {
        if !self.existed {
            let _ = std::fs::remove_dir_all(&self.folder);
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.folder) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let _ = if path.is_dir() && !path.is_symlink() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

impl Globals {
    /// Opens the ledger for an import: an existing store, or a new one where nothing is
    /// (or in an empty folder). Refuses a path that holds something else, so that sled
    /// files are never written into a folder of event files. Returns what was created,
    /// for the caller to remove if the import fails.
    pub fn open_for_import(&self) -> Result<(Ledger<SledStore>, Option<Created>), CliError> {
        let created = match std::fs::metadata(&self.store) {
            Err(_) => {
                // The topmost missing folder on the way to the store.
                let mut folder = self.store.clone();
                while let Some(parent) = folder.parent() {
                    if parent.as_os_str().is_empty() || parent.exists() {
                        break;
                    }
                    folder = parent.to_path_buf();
                }
                Some(Created {
                    folder,
                    existed: false,
                })
            }
            Ok(m) if m.is_dir() && is_empty_dir(&self.store) => Some(Created {
                folder: self.store.clone(),
                existed: true,
            }),
            Ok(_) => {
                self.must_be_store()?;
                None
            }
        };
        // A store that fails to open is left alone: it may be another process's, created
        // since the check above (then it is locked), and this run owns nothing in it.
        Ok((self.open_checked()?, created))
    }

    /// Opens an existing ledger (reading commands never create one), refusing a store
    /// that does not hold what its witness says was acknowledged (exit 2): its answers
    /// would silently miss records.
    pub fn open_existing(&self) -> Result<Ledger<SledStore>, CliError> {
        self.must_be_store()?;
        self.open_checked()
    }

    /// Opens an existing ledger without the witness check, for the commands that check
    /// the whole store themselves and report what they find (`verify`, `checkpoint`).
    pub fn open_to_verify(&self) -> Result<Ledger<SledStore>, CliError> {
        self.must_be_store()?;
        Ok(Ledger::open(self.open_store()?)?)
    }

    /// Opens the store; when it is locked by `pactlog serve`, says where the server is.
    /// These options with a page cache of `bytes` for the store (a long-running
    /// process: `serve`).
    pub fn with_cache(&self, bytes: u64) -> Globals {
        Globals {
            store: self.store.clone(),
            quiet: self.quiet,
            cache_bytes: bytes,
        }
    }

    fn open_store(&self) -> Result<SledStore, CliError> {
        SledStore::open_with_cache(&self.store, self.cache_bytes).map_err(|e| {
            match (&e, crate::server::serving_at(&self.store)) {
                (StoreError::Locked { .. }, Some(url)) => CliError::internal(format!(
                    "{} is in use by `pactlog serve` at {url}: ask it (for example \
                 curl '{url}/api/state?as_of=2026-03-01'), or stop it first",
                    self.store.display()
                )),
                _ => e.into(),
            }
        })
    }

    fn open_checked(&self) -> Result<Ledger<SledStore>, CliError> {
        let ledger = Ledger::open(self.open_store()?)?;
        if let Some(b) = ledger.check_witness()? {
            return Err(CliError::internal(format!(
                "refusing to use the store: {b}"
            )));
        }
        Ok(ledger)
    }

    /// Refuses (exit 1) a path that is not a store, before sled would make it one.
    fn must_be_store(&self) -> Result<(), CliError> {
        let path = self.store.display();
        let hint = "import events first (pactlog import events/), or pass --store PATH";
        match std::fs::metadata(&self.store) {
            Err(_) => Err(CliError::user(format!("no store at {path}: {hint}"))),
            Ok(m) if !m.is_dir() => Err(CliError::user(format!(
                "{path} is a file, not a pactlog store (a store is a folder): pass --store with the store's folder"
            ))),
            Ok(_) if is_store(&self.store) => Ok(()),
            Ok(_) if is_empty_dir(&self.store) => Err(CliError::user(format!(
                "no store at {path} (the folder is empty): {hint}"
            ))),
            Ok(_) => Err(CliError::user(format!(
                "{path} is not a pactlog store (a store folder holds the files `db` and `conf`): \
                 pass --store with the store's folder, or a new path for an import to create one"
            ))),
        }
    }
}

/// Whether `path` holds a store: sled's `db` or `conf` (a store whose creation was
/// killed before sled wrote both is still one: the next import completes it). Other files
/// beside them are not sled's and change nothing.
fn is_store(path: &Path) -> bool {
    path.join("db").is_file() || path.join("conf").is_file()
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

/// The time to record appends at: `PACTLOG_NOW` (RFC 3339) when set, else the clock.
pub fn now() -> Result<Timestamp, CliError> {
    match std::env::var("PACTLOG_NOW") {
        Ok(s) if !s.is_empty() => {
            Timestamp::parse(&s).map_err(|e| CliError::user(format!("PACTLOG_NOW: {e}")))
        }
        _ => Ok(Timestamp::now()),
    }
}

/// Parses a day argument (YYYY-MM-DD).
pub fn parse_day(s: &str) -> Result<Day, String> {
    Day::parse(s).map_err(|e| e.to_string())
}

/// Resolves a party name typed on the command line.
pub fn party(ledger: &Ledger<SledStore>, name: &str) -> Result<PartyId, CliError> {
    ledger
        .resolve_party(name)?
        .map_err(|e| CliError::user(e.to_string()))
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<Code, CliError> {
    let store = cli
        .store
        .or_else(|| {
            std::env::var_os("PACTLOG_STORE")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from("pactlog.db"));
    let g = Globals {
        store,
        quiet: cli.quiet,
        cache_bytes: pactlog::DEFAULT_CACHE_BYTES,
    };
    let code = match cli.command {
        Command::Import(args) => import::run_import(&g, args),
        Command::Check(args) => check::run_check(&g, args),
        Command::Log(args) => log::run_log(&g, args),
        Command::Show(args) => show::run_show(&g, args),
        Command::State(args) => state::run_state(&g, args),
        Command::Conflicts(args) => conflicts::run_conflicts(&g, args),
        Command::Diff(args) => diff::run_diff(&g, args),
        Command::Graph(args) => graph::run_graph(&g, args),
        Command::Verify(args) => verify::run_verify(&g, args),
        Command::Key(args) => key::run_key(args),
        Command::Checkpoint(args) => checkpoint::run_checkpoint(&g, args),
        Command::Proof(args) => proof::run_proof(&g, args),
        Command::Audit(args) => audit::run_audit(args),
        Command::Export(args) => export::run_export(&g, args),
        Command::Publish(args) => publish::run_publish(&g, args),
        Command::Follow(args) => follow::run_follow(&g, args),
        Command::Witness(args) => witness::run_witness(&g, args),
        Command::Serve(args) => serve::run_serve(&g, args),
        Command::Site(args) => site::run_site(&g, args),
        Command::Completions(args) => completions::run_completions(args),
        Command::Man(args) => man::run_man(args),
    }?;
    out::flush()?;
    Ok(code)
}

/// Reads a text file the user named (standard input for `-`) through the bounded
/// reader; `what` names it in the error (exit 1).
pub fn read_input(path: &Path, limit: u64, what: &str) -> Result<String, CliError> {
    pactlog::input::read_text(path, limit).map_err(|e| {
        let shown = pactlog::input::shown(path);
        CliError::user(format!("cannot read {what} {shown}: {}", e.refusal))
    })
}
