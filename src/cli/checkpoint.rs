//! `pactlog checkpoint`: sign the current head, and collect witnesses' cosignatures.

use super::key::{SigningKeyArg, key_named};
use super::witness_client::{Asked, collect, keep};
use super::{CliError, Code, Globals, audit_error};
use crate::view::json::json_line;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::Args;
use pactlog::checkpoint::{
    CosignerKey, MAX_NOTE_FILE_BYTES, Note, NoteSignature, SigningKey, check_quorum,
    open_checkpoint,
};
use pactlog::model::escape;
use pactlog::{Ledger, SledStore};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Sign a checkpoint of the ledger's current head and print it
///
/// The note is a C2SP tlog-checkpoint, signed. The checkpoint commits to the RFC 6962 Merkle root of every record so far (and, in an
/// extension line, the BLAKE3 chain head). It is stored in the ledger, and the newest one
/// is what `pactlog proof inclusion` proves against. Signing refuses when the ledger is
/// not consistent with the last checkpoint signed (truncated, rolled back or rewritten).
/// Publish the note: anyone holding it can later prove the ledger was not rewritten.
/// The note names the key that signed it (its signature line); --json also gives its
/// key id.
///
/// With --witness URL (repeatable), it then asks each witness (C2SP tlog-witness POST
/// URL/add-checkpoint, such as `pactlog serve --witness-key-file`) to cosign, sending the
/// consistency proof from the checkpoint signed before this one (a witness at another
/// size answers 409 with it, and is asked once more from there). The cosignatures by the
/// keys given with --witness-key (`pactlog witness vkey`) are added to the note, printed
/// and stored (so /checkpoint, publish and proofs carry them); lines by other keys are
/// dropped. What each witness did goes to standard error; one that fails is not fatal,
/// unless --quorum K asked for K distinct listed witnesses and fewer cosigned: then the
/// note is not printed, and the exit code is 3 (the checkpoint stays signed and stored).
///
/// Offline, --cosigned FILE (repeatable) takes the cosignatures from a copy of this very
/// checkpoint that a witness cosigned (`pactlog witness cosign --note`), with the same
/// rules.
///
/// Examples:
///   pactlog checkpoint --key-file log.key > checkpoint.txt
///   pactlog checkpoint --key-file log.key --json
///   pactlog checkpoint --key-file log.key --witness http://127.0.0.1:9100 --witness-key "$(cat witness.vkey)" --quorum 1
///   pactlog checkpoint --key-file log.key --cosigned cosigned.txt --witness-key "$(cat witness.vkey)"
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CheckpointArgs {
    #[command(flatten)]
    key: SigningKeyArg,

    /// A witness to ask for a cosignature: the URL its add-checkpoint is under
    /// (URL/add-checkpoint). Repeatable
    #[arg(long = "witness", value_name = "URL", requires = "witness_key")]
    witness: Vec<String>,

    /// A witness's cosigner key (`pactlog witness vkey`, type 0x04): only cosignatures
    /// by these keys are kept. Repeatable
    #[arg(long = "witness-key", value_name = "VKEY")]
    witness_key: Vec<String>,

    /// A copy of this checkpoint cosigned by a witness (`pactlog witness cosign --note`),
    /// whose cosignatures by --witness-key keys are added. Repeatable
    #[arg(long, value_name = "FILE", requires = "witness_key")]
    cosigned: Vec<PathBuf>,

    /// Fail (exit 3, nothing printed) unless at least K distinct listed witnesses cosigned
    #[arg(long, value_name = "K", requires = "witness_key")]
    quorum: Option<usize>,

    /// Print JSON: {"origin", "size", "root" (base64), "head" (hex), "key", "key_id",
    /// "note" (the signed note, verbatim, with the cosignatures collected), "witnesses"
    /// ([{"url", "cosigned_by": [{"name", "key_id"}], "error"}])}
    #[arg(long)]
    json: bool,
}

pub fn run_checkpoint(g: &Globals, args: CheckpointArgs) -> Result<Code, CliError> {
    let key = args.key.read()?;
    let witness_keys = witness_keys(&args)?;
    let mut ledger = g.open_to_verify()?;
    let previous = ledger.latest_checkpoint()?.map_or(0, |c| c.size);
    // The note is stored only once it is printed: a checkpoint nobody saw is not one
    // the ledger should prove against. Witnesses are asked about a stored checkpoint
    // (their cosignatures are kept with it), so with witnesses it is stored first.
    let pending = ledger.prepare_checkpoint(&key).map_err(audit_error)?;
    let mut note = pending.note.clone();
    let mut pending = Some(pending);
    let mut asked = Vec::new();
    if !witness_keys.is_empty() {
        if let Some(p) = pending.take() {
            ledger.record_checkpoint(p).map_err(audit_error)?;
        }
        (note, asked) = cosign(&mut ledger, &key, note, previous, &witness_keys, &args)?;
    }
    if !args.json {
        out!("{note}")?;
        super::out::flush()?;
        if let Some(p) = pending {
            ledger.record_checkpoint(p).map_err(audit_error)?;
        }
        return Ok(Code::Ok);
    }
    let (checkpoint, _) = open_checkpoint(&note, &[key.verifier_key()]).map_err(|e| {
        CliError::internal(format!("the checkpoint just signed does not open: {e}"))
    })?;
    let mut v = json!({
        "origin": checkpoint.origin(),
        "size": checkpoint.size(),
        "root": STANDARD.encode(checkpoint.root()),
        "head": ledger.head().to_hex(),
        "key": key.name(),
        "key_id": format!("{:08x}", key.key_id()),
        "note": note,
    });
    if !witness_keys.is_empty() {
        v["witnesses"] = asked.iter().map(asked_json).collect();
    }
    outln!("{}", json_line(&v))?;
    super::out::flush()?;
    if let Some(p) = pending {
        ledger.record_checkpoint(p).map_err(audit_error)?;
    }
    Ok(Code::Ok)
}

/// The keys of --witness-key, and a --quorum that they can meet.
fn witness_keys(args: &CheckpointArgs) -> Result<Vec<CosignerKey>, CliError> {
    let mut keys: Vec<CosignerKey> = Vec::new();
    for text in &args.witness_key {
        let k = CosignerKey::parse(text).map_err(|e| {
            CliError::user(format!(
                "--witness-key {:?}: not a witness's cosigner key ({e}); give the key \
                 `pactlog witness vkey` prints",
                text.chars().take(100).collect::<String>()
            ))
        })?;
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    if !keys.is_empty() && args.witness.is_empty() && args.cosigned.is_empty() {
        return Err(CliError::user(
            "--witness-key names whose cosignatures to keep: ask witnesses with --witness \
             URL, or give cosigned copies with --cosigned FILE",
        ));
    }
    if let Some(k) = args.quorum
        && (k == 0 || k > keys.len())
    {
        return Err(CliError::user(format!(
            "--quorum {k}: want 1 to {} (the distinct --witness-key keys given)",
            keys.len()
        )));
    }
    Ok(keys)
}

/// Collects the witnesses' cosignatures on `note`, stores the cosigned note, reports
/// each witness on standard error and checks the quorum.
fn cosign(
    ledger: &mut Ledger<SledStore>,
    key: &SigningKey,
    note: String,
    previous: u64,
    keys: &[CosignerKey],
    args: &CheckpointArgs,
) -> Result<(String, Vec<Asked>), CliError> {
    let (mut cosigned, mut asked) =
        collect(ledger, &note, previous, keys, &args.witness).map_err(CliError::internal)?;
    let base = Note::parse(&note)
        .map_err(|e| CliError::internal(format!("the checkpoint just signed: {e}")))?;
    for file in &args.cosigned {
        let shown = pactlog::input::shown(file);
        let lines = cosigned_lines(file, &base);
        let done = keep(&base, &mut cosigned, keys, &shown, lines).map_err(CliError::user)?;
        asked.push(done);
    }
    let text = cosigned.to_text();
    if text != note {
        ledger
            .store_cosigned(&text, &key.verifier_key())
            .map_err(audit_error)?;
    }
    for a in &asked {
        match &a.error {
            None => errln!("witness {}: cosigned by {}", escape(&a.url), names(a)),
            Some(e) => errln!("witness {}: no cosignature: {}", escape(&a.url), escape(e)),
        }
    }
    if let Some(k) = args.quorum
        && let Err(e) = check_quorum(&cosigned, keys, k)
    {
        let mut err = CliError::user(format!(
            "the checkpoint of {} records is signed and stored, but {e}",
            ledger.size()
        ));
        err.force_verify();
        return Err(err);
    }
    Ok((text, asked))
}

/// The signature lines of `file`, a cosigned copy of `base`.
fn cosigned_lines(file: &Path, base: &Note) -> Result<Vec<NoteSignature>, String> {
    let text = pactlog::input::read_text(file, MAX_NOTE_FILE_BYTES)
        .map_err(|e| format!("cannot read it: {}", e.refusal))?;
    let note = Note::parse(&text).map_err(|e| format!("not a signed note: {e}"))?;
    if note.text() != base.text() {
        return Err(
            "it is a copy of another checkpoint than the one just signed \
                    (the ledger's head): cosign the newest checkpoint"
                .into(),
        );
    }
    Ok(note.signatures().to_vec())
}

fn names(a: &Asked) -> String {
    a.cosigned_by
        .iter()
        .map(|k| key_named(k.name(), k.key_id()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn asked_json(a: &Asked) -> serde_json::Value {
    let by: Vec<_> = a
        .cosigned_by
        .iter()
        .map(|k| json!({"name": k.name(), "key_id": format!("{:08x}", k.key_id())}))
        .collect();
    json!({"url": a.url, "cosigned_by": by, "error": a.error})
}
