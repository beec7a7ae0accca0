//! `pactlog verify`: the full chain and Merkle check, optionally against a checkpoint.

use super::audit::read_signed_text;
use super::key::read_verifier_key;
use super::progress::Progress;
use super::{CliError, Code, Globals, audit_error};
use crate::view::json::json_line;
use clap::Args;
use pactlog::checkpoint::MAX_NOTE_FILE_BYTES;
use pactlog::model::escape;
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
/// --checkpoint FILE --key VKEY it also checks a checkpoint signed earlier: its
/// signature, that the ledger still holds every record it covers (not truncated or
/// rolled back), and that those records still give its root (not rewritten), with a
/// consistency proof to the current tree.
///
/// Examples:
///   pactlog verify
///   pactlog verify --checkpoint checkpoint.txt --key log.pub
///   pactlog verify --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct VerifyArgs {
    /// A signed checkpoint note (from `pactlog checkpoint`), or - for standard input.
    /// A note that does not read as one fails the verification (exit 3)
    #[arg(long, value_name = "FILE", requires = "key")]
    checkpoint: Option<PathBuf>,

    /// The verifier key for --checkpoint (text or a file holding it)
    #[arg(long, value_name = "VKEY", requires = "checkpoint")]
    key: Option<String>,

    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run_verify(g: &Globals, args: VerifyArgs) -> Result<Code, CliError> {
    // The key and the note first: a usage error should not wait for a full verify.
    let checkpoint = match (&args.checkpoint, &args.key) {
        (Some(file), Some(key)) => Some((
            read_signed_text(file, MAX_NOTE_FILE_BYTES, "checkpoint")?,
            read_verifier_key(key)?,
        )),
        _ => None,
    };
    let ledger = g.open_to_verify()?;
    let progress = Progress::start(g.quiet, "verifying", Some(ledger.size()));
    let report = ledger.verify_reporting(|n| progress.set(n))?;
    progress.finish();
    // A checkpoint that is malformed, badly signed or not a prefix fails the verification
    // (exit 3), as in `audit`; storage errors stay internal.
    let checkpoint_result = checkpoint.map(|(note, key)| {
        ledger.check_checkpoint(&note, &key).map_err(|e| {
            let mut err = audit_error(e);
            err.force_verify();
            err
        })
    });
    let cp_failed = matches!(checkpoint_result, Some(Err(_)));
    if args.json {
        let (cp_ok, cp_error) = match &checkpoint_result {
            None => (serde_json::Value::Null, serde_json::Value::Null),
            Some(Ok(_)) => (json!(true), serde_json::Value::Null),
            Some(Err(e)) => (json!(false), json!(e.message())),
        };
        let v = json!({
            "ok": report.is_ok() && !cp_failed,
            "checked": report.checked,
            "head": report.head.to_hex(),
            "root": report.root.map(|r| r.to_string()),
            "first_bad_seq": report.first_break.as_ref().map(|b| b.seq),
            "error": report.first_break.as_ref().map(ToString::to_string),
            "checkpoint_ok": cp_ok,
            "checkpoint_error": cp_error,
        });
        outln!("{}", json_line(&v))?;
    } else {
        if let Some(b) = &report.first_break {
            errln!("verify FAILED: {}", escape(&b.to_string()));
            errln!(
                "{} records before it check out; last good head {}",
                report.checked,
                report.head
            );
        } else {
            // "ok" only when every check asked for passed.
            let verdict = if cp_failed { "chain intact" } else { "ok" };
            outln!("{verdict}: {} records checked", report.checked)?;
            outln!("head {}", report.head)?;
            if let Some(root) = report.root {
                outln!("root {root}")?;
            }
        }
        match &checkpoint_result {
            Some(Ok(c)) => println!(
                "checkpoint ok: \"{}\" at size {} is a prefix of this ledger ({} records; consistency proof of {} hashes verified)",
                escape(&c.origin),
                c.checkpoint_size,
                c.ledger_size,
                c.proof.len()
            ),
            Some(Err(e)) => eprintln!("checkpoint FAILED: {}", escape(e.message())),
            None => {}
        }
    }
    if let Some(Err(e)) = checkpoint_result
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
