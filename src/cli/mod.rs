//! Command-line front end: one file per command, each with an `XArgs` (its doc comment
//! is the `--help` text) and a `run_x` that makes one library call and renders.

mod audit;
mod checkpoint;
mod diff;
mod export;
mod import;
mod key;
mod log;
mod proof;
mod render;
mod show;
mod state;
mod verify;

use clap::{Parser, Subcommand};
use pactlog::codec::Timestamp;
use pactlog::import::ImportError;
use pactlog::ledger::{Ledger, LedgerError};
use pactlog::model::{Day, PartyId, escape};
use pactlog::store::{SledStore, StoreError};
use std::fmt;
use std::path::PathBuf;

/// pactlog: a tamper-evident ledger of how corporate partnerships change over time.
///
/// Events (investments, agreements and the terms they grant, legal threats,
/// statements) are appended as immutable, hash-chained records to an embedded store.
/// Start with `pactlog import events/`, then `pactlog log --pair microsoft openai`.
///
/// Exit codes: 0 ok; 1 bad input or usage; 2 internal or storage error; 3 verification
/// failed (tampering, broken chain, bad proof or signature).
#[derive(Parser, Debug)]
#[command(name = "pactlog", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    /// The store folder [default: $PACTLOG_STORE, else ./pactlog.db]
    #[arg(long, global = true, value_name = "PATH")]
    store: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Import(import::ImportArgs),
    Log(log::LogArgs),
    Show(show::ShowArgs),
    State(state::StateArgs),
    Diff(diff::DiffArgs),
    Verify(verify::VerifyArgs),
    Key(key::KeyArgs),
    Checkpoint(checkpoint::CheckpointArgs),
    Proof(proof::ProofArgs),
    Audit(audit::AuditArgs),
    Export(export::ExportArgs),
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
    /// Lines printed before the message (e.g. every problem of an import).
    details: Vec<String>,
}

impl CliError {
    /// The user's fault (exit 1).
    pub fn user(message: impl Into<String>) -> CliError {
        CliError {
            code: Code::User,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Internal or storage (exit 2).
    pub fn internal(message: impl Into<String>) -> CliError {
        CliError {
            code: Code::Internal,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Marks the error as a verification failure (exit 3): used where any problem with
    /// the input means "this does not check out" (an auditor's proof file).
    pub fn force_verify(&mut self) {
        if self.code == Code::User {
            self.code = Code::Verify;
        }
    }

    /// The message, without the `error: ` prefix of the terminal form.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The exit code.
    pub fn exit_code(&self) -> Code {
        self.code
    }
}

impl fmt::Display for CliError {
    /// Each detail on its line, then the message; text from input in them (file names,
    /// quoted values) is escaped so that it cannot act on the terminal or add lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.details {
            writeln!(f, "{}", escape(d))?;
        }
        write!(f, "error: {}", escape(&self.message))
    }
}

impl From<LedgerError> for CliError {
    fn from(e: LedgerError) -> Self {
        CliError::internal(e.to_string())
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::internal(e.to_string())
    }
}

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Invalid(problems) => {
                let message = format!(
                    "{} problem{} found; nothing was imported",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                );
                CliError {
                    code: Code::User,
                    message,
                    details: problems.iter().map(ToString::to_string).collect(),
                }
            }
            ImportError::Read { .. } => CliError::user(e.to_string()),
            other => CliError::internal(other.to_string()),
        }
    }
}

/// Maps auditor errors: verification failures exit 3, usage problems 1, the rest 2.
pub fn audit_error(e: pactlog::ledger::audit::AuditError) -> CliError {
    use pactlog::ledger::audit::AuditError;
    let code = if e.is_verification_failure() {
        Code::Verify
    } else {
        match &e {
            AuditError::Ledger(_) | AuditError::Merkle(_) => Code::Internal,
            _ => Code::User,
        }
    };
    CliError {
        code,
        message: e.to_string(),
        details: Vec::new(),
    }
}

/// Global options every command sees.
pub struct Globals {
    store: PathBuf,
}

impl Globals {
    /// Opens the ledger, creating the store if it does not exist. Refuses (exit 2) a
    /// store that does not hold what its witness says was acknowledged: its answers would
    /// silently miss records.
    pub fn open_or_create(&self) -> Result<Ledger<SledStore>, CliError> {
        let ledger = Ledger::open(SledStore::open(&self.store)?)?;
        if let Some(b) = ledger.check_witness()? {
            return Err(CliError::internal(format!(
                "refusing to use the store: {b}"
            )));
        }
        Ok(ledger)
    }

    /// Opens an existing ledger (reading commands never create one), refusing a store
    /// that lost acknowledged records as [`Globals::open_or_create`] does.
    pub fn open_existing(&self) -> Result<Ledger<SledStore>, CliError> {
        self.must_exist()?;
        self.open_or_create()
    }

    /// Opens an existing ledger without the witness check, for the commands that check
    /// the whole store themselves and report what they find (`verify`, `checkpoint`).
    pub fn open_to_verify(&self) -> Result<Ledger<SledStore>, CliError> {
        self.must_exist()?;
        Ok(Ledger::open(SledStore::open(&self.store)?)?)
    }

    fn must_exist(&self) -> Result<(), CliError> {
        if self.store.exists() {
            return Ok(());
        }
        Err(CliError::user(format!(
            "no store at {}: import events first (pactlog import events/), or pass --store PATH",
            self.store.display()
        )))
    }
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
    let g = Globals { store };
    match cli.command {
        Command::Import(args) => import::run_import(&g, args),
        Command::Log(args) => log::run_log(&g, args),
        Command::Show(args) => show::run_show(&g, args),
        Command::State(args) => state::run_state(&g, args),
        Command::Diff(args) => diff::run_diff(&g, args),
        Command::Verify(args) => verify::run_verify(&g, args),
        Command::Key(args) => key::run_key(args),
        Command::Checkpoint(args) => checkpoint::run_checkpoint(&g, args),
        Command::Proof(args) => proof::run_proof(&g, args),
        Command::Audit(args) => audit::run_audit(args),
        Command::Export(args) => export::run_export(&g, args),
    }
}
