//! `pactlog proof`: inclusion and consistency proofs.

use super::{CliError, Code, Globals, audit_error};
use crate::view::json::{consistency_json, json_text};
use crate::view::text::consistency_text;
use clap::{Args, Subcommand};

/// Print Merkle proofs that auditors can check offline
///
/// Examples:
///   pactlog proof inclusion 2026-02-27-amazon-invests-50b-in-openai > proof.txt
///   pactlog proof consistency 10 28
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ProofArgs {
    #[command(subcommand)]
    command: ProofCommand,
}

#[derive(Subcommand, Debug)]
enum ProofCommand {
    Inclusion(InclusionArgs),
    Consistency(ConsistencyArgs),
}

/// Prove that an event (or party) is in the ledger
///
/// Prints a C2SP tlog-proof@v1: the header line, `extra <base64>` carrying the record's
/// canonical bytes, `index <seq>`, the inclusion path (base64 SHA-256 hashes, one per
/// line), a blank line, and the newest signed checkpoint. Check it offline with
/// `pactlog audit FILE --key-file VKEY`. Needs a checkpoint that covers the record.
///
/// Examples:
///   pactlog checkpoint --key-file log.key
///   pactlog proof inclusion 2026-02-27-amazon-invests-50b-in-openai > proof.txt
///   pactlog audit proof.txt --key-file log.pub
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct InclusionArgs {
    /// The event or party id
    id: String,
}

/// Prove that the ledger at size OLD is a prefix of the ledger at size NEW
///
/// Prints the two sizes and roots and the consistency path (RFC 6962 / RFC 9162), as
/// text or with --json.
///
/// Examples:
///   pactlog proof consistency 10 28
///   pactlog proof consistency 10 28 --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ConsistencyArgs {
    /// The older tree size
    old: u64,
    /// The newer tree size
    new: u64,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run_proof(g: &Globals, args: ProofArgs) -> Result<Code, CliError> {
    let ledger = g.open_existing()?;
    match args.command {
        ProofCommand::Inclusion(a) => {
            let seq = ledger.seq_of_id(&a.id)?.ok_or_else(|| {
                CliError::user(format!("no event or party {} in the ledger", a.id))
            })?;
            let proof = ledger.inclusion_proof(seq).map_err(audit_error)?;
            out!("{}", proof.to_text())?;
        }
        ProofCommand::Consistency(a) => {
            if a.old > a.new {
                return Err(CliError::user(format!(
                    "OLD ({}) must not be larger than NEW ({})",
                    a.old, a.new
                )));
            }
            let (old_root, new_root, proof) =
                ledger.consistency(a.old, a.new).map_err(audit_error)?;
            let (old, new) = ((a.old, &old_root), (a.new, &new_root));
            if a.json {
                outln!("{}", json_text(&consistency_json(old, new, &proof)))?;
            } else {
                out!("{}", consistency_text(old, new, &proof))?;
            }
        }
    }
    Ok(Code::Ok)
}
