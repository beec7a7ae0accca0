//! `pactlog witness`: a C2SP tlog-witness run from files (the same witness `pactlog
//! serve --witness-key-file` runs over HTTP), and the log side's request builder.

use super::key::{VerifierKeyArg, key_named, read_signing_key};
use super::{CliError, Code, Globals, audit_error, now, read_input};
use crate::view::json::json_line;
use clap::{Args, Subcommand};
use pactlog::checkpoint::{Checkpoint, Cosigner, MAX_NOTE_FILE_BYTES, Note};
use pactlog::cosigner::{AddCheckpoint, CosignerError, MAX_REQUEST_BYTES, WitnessState};
use pactlog::model::escape;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Witness a log: cosign its checkpoints only when consistent with the last one cosigned
///
/// A witness (C2SP tlog-witness) keeps, per log it watches, the latest checkpoint it
/// cosigned, in a state folder (--state DIR), and cosigns a new checkpoint only when the
/// log's key signed it and a consistency proof shows it extends that one. An auditor who
/// requires its cosignature (`pactlog verify --checkpoint F --witness VKEY`) cannot be
/// shown a forked history the witness did not see. Give a witness a key of its own
/// (`pactlog key generate`), never a log's.
///
/// The same witness answers over HTTP as `pactlog serve --witness-key-file F
/// --witness-state DIR` (POST /add-checkpoint).
///
/// Examples:
///   pactlog key generate witness.example/w1 --out witness.key
///   pactlog witness vkey --key-file witness.key
///   pactlog witness add-log --state wstate --key-file log.pub
///   pactlog witness request --old 0 > request.txt
///   pactlog witness cosign --state wstate --key-file witness.key request.txt
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct WitnessArgs {
    #[command(subcommand)]
    command: WitnessCommand,
}

#[derive(Subcommand, Debug)]
enum WitnessCommand {
    AddLog(AddLogArgs),
    Cosign(CosignArgs),
    Vkey(VkeyArgs),
    Request(RequestArgs),
}

/// Start watching a log: its origin and the verifier key that signs its checkpoints
///
/// Records the log in the state folder (created if missing) with no checkpoint
/// cosigned yet: the first request must then start from `old 0`. Adding a log already
/// watched with the same key changes nothing; with another key it is refused (exit 1).
///
/// Examples:
///   pactlog witness add-log --state wstate --key-file log.pub
///   pactlog witness add-log --state wstate --origin example.com/log --key 'example.com/log+1234abcd+AQ...'
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct AddLogArgs {
    /// The witness's state folder
    #[arg(long, value_name = "DIR")]
    state: PathBuf,

    /// The log's origin line [default: the key's name, as pactlog's logs use]
    #[arg(long, value_name = "ORIGIN")]
    origin: Option<String>,

    #[command(flatten)]
    key: VerifierKeyArg,

    /// Print JSON: {"origin", "key", "key_id", "added"}
    #[arg(long)]
    json: bool,
}

/// Cosign an add-checkpoint request offline: prints the cosignature line
///
/// REQUEST (a file, or - for standard input) is a C2SP tlog-witness add-checkpoint body:
/// `old <size>`, the consistency proof (one base64 hash a line, at most 63), a blank
/// line, the signed checkpoint (`pactlog witness request` writes one). The witness checks
/// that the log's key signed the checkpoint, that `old` is the size it last cosigned for
/// that log, and the proof from there; only then it records the checkpoint and prints its
/// cosignature: one `cosignature/v1` signature line, the body of the spec's answer, to
/// append to the note. With --note it prints the cosigned checkpoint instead: the note
/// with that line added (--json gives both).
/// The time signed is the clock's, or PACTLOG_NOW's.
///
/// A refused request records nothing. Exit 3 when the checkpoint does not check out
/// (not signed by the log's key, another root at the size cosigned, a stale old size,
/// a proof that fails: HTTP 403, 409, 422 over the wire), 1 for a malformed request or a
/// log not watched (400, 404), 2 when the state folder fails.
///
/// Examples:
///   pactlog witness cosign --state wstate --key-file witness.key request.txt
///   pactlog witness cosign --state wstate --key-file witness.key request.txt --note > cosigned.txt
///   pactlog witness request --old 0 | pactlog witness cosign --state wstate --key-file witness.key - --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CosignArgs {
    /// The witness's state folder (logs are added with `witness add-log`)
    #[arg(long, value_name = "DIR")]
    state: PathBuf,

    /// The witness's private key file (from `pactlog key generate`)
    #[arg(long, value_name = "FILE")]
    key_file: PathBuf,

    /// The add-checkpoint request body, or - for standard input
    #[arg(value_name = "REQUEST", default_value = "-")]
    request: PathBuf,

    /// Print the cosigned checkpoint (the note with the cosignature added), not the line
    #[arg(long, conflicts_with = "json")]
    note: bool,

    /// Print JSON: {"ok", "origin", "size", "old", "witness", "key_id", "timestamp",
    /// "cosignature" (the line), "note" (the checkpoint with the line added)}
    #[arg(long)]
    json: bool,
}

/// Print a witness's cosigner key: what auditors pass to --witness
///
/// The key is `name+keyid+base64(0x04 || public key)`: the signature type 0x04 of
/// `cosignature/v1`, so it is not the verifier key `key generate` wrote beside the
/// private key (type 0x01), and one is never taken for the other.
///
/// Examples:
///   pactlog witness vkey --key-file witness.key > witness.vkey
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct VkeyArgs {
    /// The witness's private key file (from `pactlog key generate`)
    #[arg(long, value_name = "FILE")]
    key_file: PathBuf,
}

/// Write the add-checkpoint request for a checkpoint of this store
///
/// For the log's operator: the request asks a witness that last cosigned OLD records of
/// this log to cosign the checkpoint (by default the newest one the store signed, with
/// any cosignatures it has; or --checkpoint FILE): `old OLD`, the consistency proof from
/// OLD to its size, a blank line, the note. Use --old 0 for a witness that never cosigned
/// this log (a witness that did answers with the size it last cosigned). `pactlog
/// checkpoint --witness URL` does all of this over HTTP.
///
/// Examples:
///   pactlog witness request --old 0 > request.txt
///   pactlog witness request --old 120 --checkpoint checkpoint.txt > request.txt
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct RequestArgs {
    /// The size of the checkpoint the witness last cosigned (0 if none)
    #[arg(long, value_name = "SIZE")]
    old: u64,

    /// The checkpoint note to send [default: the newest one the store signed]
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
}

pub fn run_witness(g: &Globals, args: WitnessArgs) -> Result<Code, CliError> {
    match args.command {
        WitnessCommand::AddLog(a) => run_add_log(a),
        WitnessCommand::Cosign(a) => run_cosign(a),
        WitnessCommand::Vkey(a) => {
            let key = read_signing_key(&a.key_file)?;
            outln!("{}", Cosigner::new(key).verifier_key())?;
            Ok(Code::Ok)
        }
        WitnessCommand::Request(a) => run_request(g, a),
    }
}

fn run_add_log(args: AddLogArgs) -> Result<Code, CliError> {
    let key = args.key.read()?.ok_or_else(|| {
        CliError::user("give the log's verifier key with --key VKEY or --key-file FILE")
    })?;
    let origin = args.origin.unwrap_or_else(|| key.name().to_string());
    let state = WitnessState::open(&args.state).map_err(witness_error)?;
    let added = state.add_log(&origin, key.clone()).map_err(witness_error)?;
    if args.json {
        let v = json!({
            "origin": origin,
            "key": key.name(),
            "key_id": format!("{:08x}", key.key_id()),
            "added": added,
        });
        outln!("{}", json_line(&v))?;
        return Ok(Code::Ok);
    }
    let verb = if added {
        "now watching"
    } else {
        "already watching"
    };
    outln!(
        "{verb} the log \"{}\" signed by {}",
        escape(&origin),
        key_named(key.name(), key.key_id())
    )?;
    Ok(Code::Ok)
}

fn run_cosign(args: CosignArgs) -> Result<Code, CliError> {
    let cosigner = Cosigner::new(read_signing_key(&args.key_file)?);
    let body = read_input(&args.request, MAX_REQUEST_BYTES as u64, "the request")?;
    let request = AddCheckpoint::parse(&body).map_err(witness_error)?;
    let timestamp = unix_now()?;
    let state = WitnessState::open(&args.state).map_err(witness_error)?;
    let line = state
        .add_checkpoint(&request, &cosigner, timestamp)
        .map_err(witness_error)?;
    if !args.json && !args.note {
        out!("{}", line.to_line())?;
        return Ok(Code::Ok);
    }
    // The request was checked: its note parses, and so does its body.
    let mut note = Note::parse(&request.note)
        .map_err(|e| CliError::internal(format!("the note just cosigned: {e}")))?;
    let cp = Checkpoint::parse_body(note.text())
        .map_err(|e| CliError::internal(format!("the checkpoint just cosigned: {e}")))?;
    note.push_signature(line.clone())
        .map_err(|e| CliError::user(format!("the note cannot take one more signature: {e}")))?;
    if args.note {
        out!("{}", note.to_text())?;
        return Ok(Code::Ok);
    }
    let v = json!({
        "ok": true,
        "origin": cp.origin(),
        "size": cp.size(),
        "old": request.old,
        "witness": cosigner.name(),
        "key_id": format!("{:08x}", cosigner.verifier_key().key_id()),
        "timestamp": timestamp,
        "cosignature": line.to_line(),
        "note": note.to_text(),
    });
    outln!("{}", json_line(&v))?;
    Ok(Code::Ok)
}

fn run_request(g: &Globals, args: RequestArgs) -> Result<Code, CliError> {
    let ledger = g.open_existing()?;
    let note =
        match &args.checkpoint {
            Some(file) => read_note(file)?,
            None => ledger
                .latest_checkpoint()?
                .ok_or_else(|| {
                    CliError::user(
                        "the store has signed no checkpoint: run `pactlog checkpoint --key-file \
                         SKEY` first, or give --checkpoint FILE",
                    )
                })?
                .note,
        };
    let request = ledger
        .witness_request(args.old, &note)
        .map_err(audit_error)?;
    out!("{}", request.to_text())?;
    Ok(Code::Ok)
}

fn read_note(file: &Path) -> Result<String, CliError> {
    read_input(file, MAX_NOTE_FILE_BYTES, "the checkpoint")
}

/// Now as cosignatures record it: seconds since the Unix epoch (PACTLOG_NOW's, if set).
pub fn unix_now() -> Result<u64, CliError> {
    let t = now()?;
    u64::try_from(t.unix()).map_err(|_| {
        CliError::user(format!(
            "the time {t} is before 1970: a cosignature cannot carry it"
        ))
    })
}

/// A witness's refusal as the CLI reports it: what the checkpoint fails is a
/// verification failure (exit 3), a malformed request or unknown log bad input (1),
/// the state folder internal (2). The message names the HTTP status the refusal has.
pub fn witness_error(e: CosignerError) -> CliError {
    let message = format!("witness refused (HTTP {}): {e}", e.http_status());
    if e.is_verification_failure() {
        let mut err = CliError::user(message);
        err.force_verify();
        err
    } else if matches!(e, CosignerError::Storage(_)) {
        CliError::internal(message)
    } else {
        CliError::user(message)
    }
}
