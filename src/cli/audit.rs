//! `pactlog audit`: check a proof file offline.

use super::key::{VerifierKeyArg, key_named};
use super::witnesses::{WitnessKeysArg, cosigned_json};
use super::{CliError, Code, audit_error, read_input};
use crate::view::json::{event_json, json_line};
use clap::Args;
use pactlog::checkpoint::{Cosigned, MAX_PROOF_FILE_BYTES, TlogProof, VerifierKey};
use pactlog::input::unix_newlines;
use pactlog::model::escape;
use pactlog::{AuditedRecord, Entry, audit_inclusion_of};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Check an inclusion proof file offline: no store is needed
///
/// Checks, in order: the checkpoint's Ed25519 signature by the key (C2SP signed note),
/// that the checkpoint is one of this log's (its origin is the key's name, it signs one
/// chain head at most), the inclusion path from the record's bytes to the signed Merkle
/// root (RFC 6962), and that the bytes decode strictly to a pactlog record at the proven
/// index. Prints the record and the key (name and key id) it was checked with. Exit 0
/// when everything holds, 3 when anything does not.
///
/// The key is given as text with --key (never read as a file name) or as a file with
/// --key-file.
///
/// A proof file with Windows line endings (CRLF on every line) is checked as the same
/// file with Unix ones: the signature is over that text.
///
/// With --witness VKEY (repeatable) or --witness-file FILE, the proof's checkpoint must
/// also carry valid cosignatures by --quorum K distinct listed witnesses (all of them by
/// default), and the verdict names them: a proof against a checkpoint the witnesses did
/// not cosign fails (exit 3).
///
/// Examples:
///   pactlog audit proof.txt --key-file log.pub
///   pactlog audit proof.txt --key-file log.pub --witness 'witness.example/w1+5c3e8d1a+BL...'
///   pactlog audit proof.txt --key 'example.org/log+c74f20a3+AbC...'
///   pactlog proof inclusion openai | pactlog audit - --key-file log.pub --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct AuditArgs {
    /// The proof file (from `pactlog proof inclusion ID`), or - for standard input
    #[arg(requires = "verifier")]
    proof: PathBuf,

    #[command(flatten)]
    key: VerifierKeyArg,

    #[command(flatten)]
    witnesses: WitnessKeysArg,

    /// The log's origin, when it is not the key's name (checking a witness's
    /// cosignature): the checkpoint must name this log
    #[arg(long, value_name = "LOG")]
    origin: Option<String>,

    /// Print JSON: {"ok", "index", "origin", "tree_size", "key", "key_id",
    /// "recorded_at", "witnesses_cosigned" ([{"name", "key_id", "timestamp"}] or null),
    /// and "event" or "party"}
    #[arg(long)]
    json: bool,
}

pub fn run_audit(args: AuditArgs) -> Result<Code, CliError> {
    let key = args
        .key
        .read()?
        .ok_or_else(|| CliError::user("give the verifier key with --key or --key-file"))?;
    let required = args.witnesses.read()?;
    let signer = key_named(key.name(), key.key_id());
    let text = read_signed_text(&args.proof, MAX_PROOF_FILE_BYTES, "proof file")?;
    let audited = audit_inclusion_of(&text, &key, args.origin.as_deref()).map_err(|e| {
        let mut err = audit_error(e).with_context(&format!("checked with the key {signer}"));
        err.force_verify();
        err
    })?;
    let cosigned = match &required {
        Some(r) => {
            let proof = TlogProof::parse(&text).map_err(|e| {
                let mut err = CliError::user(format!("the proof file: {e}"));
                err.force_verify();
                err
            })?;
            Some(r.check(proof.checkpoint_note())?)
        }
        None => None,
    };
    if args.json {
        outln!(
            "{}",
            json_line(&audited_json(&audited, &key, cosigned.as_deref()))
        )?;
        return Ok(Code::Ok);
    }
    let r = &audited.record;
    // Every line is one field; text from the proof is escaped so that it cannot start a
    // line of its own (a summary holding "\nok: record 0 ..." stays inside its field).
    outln!(
        "ok: record {} is in the log \"{}\" of {} records signed by {signer}",
        r.seq,
        escape(&audited.origin),
        audited.size,
    )?;
    outln!("recorded_at {}", r.recorded_at)?;
    match &r.entry {
        Entry::Event(e) => {
            outln!(
                "event {} ({}, {}, {})",
                e.id,
                e.kind_name(),
                e.date,
                e.confidence.as_str()
            )?;
            outln!("summary {}", escape(&e.summary))?;
        }
        Entry::Party(p) => outln!("party {} ({})", p.id, escape(&p.name))?,
    }
    if let (Some(r), Some(c)) = (&required, &cosigned) {
        outln!("checkpoint {}", r.verdict(c))?;
    }
    Ok(Code::Ok)
}

fn audited_json(
    audited: &AuditedRecord,
    key: &VerifierKey,
    cosigned: Option<&[Cosigned]>,
) -> serde_json::Value {
    let r = &audited.record;
    let mut v = json!({
        "ok": true,
        "index": r.seq.get(),
        "origin": audited.origin,
        "tree_size": audited.size,
        "key": key.name(),
        "key_id": format!("{:08x}", key.key_id()),
        "recorded_at": r.recorded_at.to_string(),
        "witnesses_cosigned": cosigned.map(cosigned_json),
    });
    match &r.entry {
        Entry::Event(e) => v["event"] = event_json(e),
        Entry::Party(p) => {
            v["party"] = json!({"id": p.id, "name": p.name, "aliases": p.aliases});
        }
    }
    v
}

/// Reads a file holding a signed note (a proof or a checkpoint) through the bounded
/// reader. What does not read as such a note is a verification failure (exit 3): an
/// empty file, or line endings other than all LF or all CRLF (which
/// [`unix_newlines`] explains). Not being able to read the file at all is exit 1.
pub fn read_signed_text(path: &Path, limit: u64, what: &str) -> Result<String, CliError> {
    let text = read_input(path, limit, &format!("the {what}"))?;
    let shown = pactlog::input::shown(path);
    let mut err = if text.is_empty() {
        CliError::user(format!("the {what} {shown} is empty"))
    } else {
        match unix_newlines(text) {
            Ok(text) => return Ok(text),
            Err(e) => CliError::user(format!("the {what} {shown}: {e}")),
        }
    };
    err.force_verify();
    Err(err)
}
