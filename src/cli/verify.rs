//! `pactlog verify`: the full chain and Merkle check, optionally against a checkpoint.

use super::audit::read_signed_text;
use super::key::{VerifierKeyArg, key_named};
use super::progress::Progress;
use super::witnesses::{Required, WitnessKeysArg, cosigned_json};
use super::{CliError, Code, Globals, audit_error};
use crate::view::json::json_line;
use clap::Args;
use pactlog::checkpoint::{Cosigned, MAX_NOTE_FILE_BYTES, VerifierKey};
use pactlog::model::escape;
use pactlog::{CheckpointCheck, VerifyReport};
use serde_json::json;
use std::path::PathBuf;

/// Check the whole ledger, record by record, and its Merkle root
///
/// Checks every record's BLAKE3 chain hash and Merkle leaf, strict decoding, positions
/// and links, then the Merkle root of the stored tree. Prints the number of records checked, the head hash and the root. On failure names
/// the first bad record and why, and exits 3.
///
/// It also compares the store with its witness (the file pactlog-witness beside the sled
/// files, updated after every flushed append): a store that holds fewer records than were
/// acknowledged, or another last record, fails and the missing records are named (sled's
/// recovery silently drops the log after a damaged byte). Other commands refuse such a
/// store (exit 2).
///
/// Someone who can rewrite the sled files can rewrite the witness too: a tail cut off,
/// or records rewritten with recomputed hashes, then pass a bare verify. With
/// --checkpoint FILE and the log's verifier key (--key VKEY, the key itself, never read
/// as a file name; or --key-file FILE) it also checks a checkpoint signed earlier: its
/// signature, that it is this log's (origin = the key's name, one pactlog-head line),
/// that the ledger still holds every record it covers (not truncated or rolled back),
/// and that those records still give its root and chain head (not rewritten), with a
/// consistency proof to the current tree. A note without a pactlog-head line (pactlog
/// never signs one) is checked by its root, and the verdict says the head went
/// unchecked. The verdict names the key (name and key id).
///
/// With --witness VKEY (repeatable) or --witness-file FILE, the checkpoint must also
/// carry valid cosignatures (C2SP cosignature/v1) by --quorum K distinct listed
/// witnesses, all of them by default; the verdict names those that cosigned. Fewer is a
/// verification failure (exit 3): the log's key holder may be showing you a history the
/// witnesses did not see.
///
/// Examples:
///   pactlog verify
///   pactlog verify --checkpoint checkpoint.txt --key-file log.pub
///   pactlog verify --checkpoint checkpoint.txt --key-file log.pub --witness-file witnesses.txt --quorum 2
///   pactlog verify --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct VerifyArgs {
    /// A signed checkpoint note (from `pactlog checkpoint`), or - for standard input.
    /// A note that does not read as one fails the verification (exit 3); a file that
    /// cannot be read at all (missing, not a regular file, too big) is bad input (exit 1)
    #[arg(long, value_name = "FILE", requires = "verifier")]
    checkpoint: Option<PathBuf>,

    #[command(flatten)]
    key: VerifierKeyArg,

    #[command(flatten)]
    witnesses: WitnessKeysArg,

    /// The log's origin for --checkpoint, when it is not the key's name (checking a
    /// witness's cosignature)
    #[arg(long, value_name = "LOG", requires = "checkpoint")]
    origin: Option<String>,

    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run_verify(g: &Globals, args: VerifyArgs) -> Result<Code, CliError> {
    // The key and the note first: a usage error should not wait for a full verify.
    let required = args.witnesses.read()?;
    if required.is_some() && args.checkpoint.is_none() {
        return Err(CliError::user(
            "witnesses cosign checkpoints: give the checkpoint with --checkpoint FILE",
        ));
    }
    let checkpoint = match (&args.checkpoint, args.key.read()?) {
        (Some(file), Some(key)) => Some((
            read_signed_text(file, MAX_NOTE_FILE_BYTES, "checkpoint")?,
            key,
        )),
        (None, Some(_)) => {
            return Err(CliError::user(
                "a verifier key checks a checkpoint: give it with --checkpoint FILE",
            ));
        }
        _ => None,
    };
    let ledger = g.open_to_verify()?;
    let progress = Progress::start(g.quiet, "verifying", Some(ledger.size()));
    let report = ledger.verify_reporting(|n| progress.set(n))?;
    progress.finish();
    // A checkpoint that is malformed, badly signed or not a prefix fails the verification
    // (exit 3), as in `audit`; storage errors stay internal.
    let checked = checkpoint.map(|(note, key)| {
        let result = ledger
            .check_checkpoint_of(&note, &key, args.origin.as_deref())
            .map_err(|e| {
                let named = key_named(key.name(), key.key_id());
                let mut err = audit_error(e).with_context(&format!("checked with the key {named}"));
                err.force_verify();
                err
            })
            .and_then(|c| {
                let cosigned = required.as_ref().map(|r| r.check(&note)).transpose()?;
                Ok((c, cosigned))
            });
        (key, result)
    });
    let cp_failed = matches!(checked, Some((_, Err(_))));
    if args.json {
        let mut v = verdict_json(&report, checked.as_ref());
        if let Some(r) = &required {
            v["quorum"] = json!(r.quorum);
            v["witnesses_listed"] = json!(r.keys.len());
        }
        outln!("{}", json_line(&v))?;
    } else {
        print_verdict(&report, cp_failed)?;
        if let Some((key, result)) = &checked {
            print_checkpoint_verdict(key, result, required.as_ref())?;
        }
    }
    if let Some((_, Err(e))) = checked
        && e.exit_code() != Code::Verify
    {
        return Err(e);
    }
    Ok(if report.is_ok() && !cp_failed {
        Code::Ok
    } else {
        Code::Verify
    })
}

/// A checkpoint checked with a key: what the check found, and the listed witnesses that
/// cosigned it (when witnesses were required).
type Checked = (
    VerifierKey,
    Result<(CheckpointCheck, Option<Vec<Cosigned>>), CliError>,
);

/// `verify --json`: the chain's verdict, and the checkpoint's with the key it used.
fn verdict_json(report: &VerifyReport, checked: Option<&Checked>) -> serde_json::Value {
    let result = checked.map(|(_, r)| r);
    let key = checked.map(|(k, _)| k);
    let (cp_ok, cp_error) = match result {
        None => (serde_json::Value::Null, serde_json::Value::Null),
        Some(Ok(_)) => (json!(true), serde_json::Value::Null),
        Some(Err(e)) => (json!(false), json!(e.message())),
    };
    json!({
        "ok": report.is_ok() && !matches!(result, Some(Err(_))),
        "checked": report.checked,
        "head": report.head.to_hex(),
        "root": report.root.map(|r| r.to_string()),
        "first_bad_seq": report.first_break.as_ref().map(|b| b.seq),
        "error": report.first_break.as_ref().map(ToString::to_string),
        "checkpoint_ok": cp_ok,
        "checkpoint_error": cp_error,
        "checkpoint_key": key.map(VerifierKey::name),
        "checkpoint_key_id": key.map(|k| format!("{:08x}", k.key_id())),
        "checkpoint_head_checked": result.and_then(|r| r.as_ref().ok()).map(|(c, _)| c.head_checked),
        "witnesses_cosigned": result
            .and_then(|r| r.as_ref().ok())
            .and_then(|(_, w)| w.as_deref())
            .map(cosigned_json),
    })
}

/// The chain's verdict, as text.
fn print_verdict(report: &VerifyReport, cp_failed: bool) -> Result<(), CliError> {
    if let Some(b) = &report.first_break {
        errln!("verify FAILED: {}", escape(&b.to_string()));
        errln!(
            "{} records before it check out; last good head {}",
            report.checked,
            report.head
        );
        return Ok(());
    }
    // "ok" only when every check asked for passed.
    let verdict = if cp_failed { "chain intact" } else { "ok" };
    outln!("{verdict}: {} records checked", report.checked)?;
    outln!("head {}", report.head)?;
    if let Some(root) = report.root {
        outln!("root {root}")?;
    }
    Ok(())
}

/// The checkpoint's verdict, as text, naming the key it was checked with.
fn print_checkpoint_verdict(
    key: &VerifierKey,
    result: &Result<(CheckpointCheck, Option<Vec<Cosigned>>), CliError>,
    required: Option<&Required>,
) -> Result<(), CliError> {
    match result {
        Ok((c, cosigned)) => {
            outln!(
                "checkpoint ok: \"{}\" at size {} is a prefix of this ledger ({} records; consistency proof of {} hashes verified), signed by {}",
                escape(&c.origin),
                c.checkpoint_size,
                c.ledger_size,
                c.proof.len(),
                key_named(key.name(), key.key_id())
            )?;
            if !c.head_checked {
                outln!(
                    "checkpoint head unchecked: the note has no pactlog-head line, so only its root was compared"
                )?;
            }
            if let (Some(r), Some(w)) = (required, cosigned) {
                outln!("checkpoint {}", r.verdict(w))?;
            }
        }
        Err(e) => errln!("checkpoint FAILED: {}", escape(e.message())),
    }
    Ok(())
}
