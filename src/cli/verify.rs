//! `pactlog verify`: the full chain and Merkle check.

use super::{CliError, Code, Globals};
use clap::Args;
use serde_json::json;

/// Check the whole ledger: every record's BLAKE3 chain hash and Merkle leaf, strict
/// decoding, positions and links, then the Merkle root of the stored tree.
///
/// Prints the number of records checked, the head hash and the root. On failure names
/// the first bad record and why, and exits 3. A bare chain cannot show that its tail
/// was cut off or rewritten with recomputed hashes; signed checkpoints close that gap.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run_verify(g: &Globals, args: VerifyArgs) -> Result<Code, CliError> {
    let ledger = g.open_existing()?;
    let report = ledger.verify()?;
    if args.json {
        let v = json!({
            "ok": report.is_ok(),
            "checked": report.checked,
            "head": report.head.to_hex(),
            "root": report.root.map(|r| r.to_string()),
            "first_bad_seq": report.first_break.as_ref().map(|b| b.seq),
            "error": report.first_break.as_ref().map(ToString::to_string),
        });
        println!("{v}");
    } else if let Some(b) = &report.first_break {
        eprintln!("verify FAILED: {b}");
        eprintln!(
            "{} records before it check out; last good head {}",
            report.checked, report.head
        );
    } else {
        println!("ok: {} records checked", report.checked);
        println!("head {}", report.head);
        if let Some(root) = report.root {
            println!("root {root}");
        }
    }
    Ok(if report.is_ok() {
        Code::Ok
    } else {
        Code::Verify
    })
}
