//! Exports as JSON Lines, and restoring them: byte-identical records, same head, same root.
//!
//! One line per record, in seq order:
//! `{"seq":0,"id":"openai","hash":"<hex BLAKE3 chain hash>","bytes":"<base64 canonical bytes>"}`.
//! Only `bytes` is authoritative; `seq`, `id` and `hash` are there for people and are
//! checked against the bytes on restore.

use super::{ImportError, Problem};
use crate::chain::ChainHash;
use crate::codec::{self, Record};
use crate::ledger::{Ledger, LedgerError};
use crate::store::Store;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::io::{BufRead, Write};
use std::path::Path;

/// Writes every record of `ledger` as JSON Lines to `out`.
///
/// # Errors
/// Storage errors, or the writer failing.
pub fn export<S: Store>(ledger: &Ledger<S>, out: &mut impl Write) -> Result<u64, ExportError> {
    let mut n = 0;
    for stored in ledger.raw_records(0, None) {
        let stored = stored?;
        let record = stored.decode()?;
        let line = serde_json::json!({
            "seq": stored.seq.get(),
            "id": record.entry.id(),
            "hash": stored.hash.to_hex(),
            "bytes": STANDARD.encode(&stored.bytes),
        });
        writeln!(out, "{line}").map_err(|e| ExportError::Write(e.to_string()))?;
        n += 1;
    }
    out.flush().map_err(|e| ExportError::Write(e.to_string()))?;
    Ok(n)
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading the ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Writing the output failed.
    #[error("cannot write the export: {0}")]
    Write(String),
}

/// What a restore did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Records in the file.
    pub records: u64,
    /// Records appended (the rest were already in the ledger, byte for byte).
    pub appended: u64,
}

/// Reads an export and appends the records the ledger does not have yet. Records the
/// ledger already has must be byte-identical; any difference is refused, nothing is
/// appended, and the first differing line is named.
///
/// # Errors
/// [`ImportError::Invalid`] for a malformed line, a bad hash or a divergence;
/// [`ImportError::Read`] when the file cannot be read; ledger errors.
pub fn restore<S: Store>(
    ledger: &mut Ledger<S>,
    path: &Path,
) -> Result<RestoreReport, ImportError> {
    let file = std::fs::File::open(path).map_err(|e| ImportError::Read {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    let problem = |line: usize, message: String| Problem {
        file: path.to_path_buf(),
        line,
        id: None,
        message,
    };
    let mut problems = Vec::new();
    // (line number, record, its chain hash), for every line that reads as a record.
    let mut records: Vec<(usize, Record, ChainHash)> = Vec::new();
    let mut position = 0u64;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| ImportError::Read {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        // The seq a line must hold is its position among the file's records, so one bad
        // line is one problem, not a cascade over every line after it.
        match read_line(&line, position) {
            Ok((r, hash)) => records.push((n, r, hash)),
            Err(m) => problems.push(problem(n, m)),
        }
        position += 1;
        if problems.len() >= 20 {
            break;
        }
    }
    // The whole file must be one chain from record 0 before anything is appended: a
    // line rewritten with a recomputed hash breaks the next line's link.
    // Links are checked between neighbours that both read well: a line already reported
    // is not reported again through its successor.
    let mut prev: Option<(u64, ChainHash)> = None;
    for (n, r, hash) in &records {
        let want = match (r.seq.get(), prev) {
            (0, _) => Some(ChainHash::ZERO),
            (s, Some((p, h))) if p + 1 == s => Some(h),
            _ => None,
        };
        if want.is_some_and(|w| w != r.prev) && problems.len() < 20 {
            problems.push(problem(
                *n,
                format!(
                    "record {}: its prev hash is not the hash of record {} before it (the export was edited)",
                    r.seq,
                    r.seq.get().saturating_sub(1)
                ),
            ));
        }
        prev = Some((r.seq.get(), *hash));
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    let total = records.len() as u64;
    let have = ledger.size().min(total);
    for (n, r, hash) in records.iter().take(have as usize) {
        let ours = ledger.raw(r.seq)?.map(|s| s.hash);
        if ours != Some(*hash) {
            return Err(ImportError::Invalid(vec![problem(
                *n,
                format!(
                    "record {} differs from the one in the ledger: the export and the ledger have diverged",
                    r.seq
                ),
            )]));
        }
    }
    let records: Vec<Record> = records.into_iter().map(|(_, r, _)| r).collect();
    let new: Vec<Record> = records.into_iter().skip(have as usize).collect();
    let appended = new.len() as u64;
    let mut it = new.into_iter().peekable();
    let batches = std::iter::from_fn(move || {
        it.peek()?;
        Some(it.by_ref().take(super::BATCH).collect::<Vec<Record>>())
    });
    ledger.append_record_batches(batches)?;
    Ok(RestoreReport {
        records: total,
        appended,
    })
}

fn read_line(line: &str, expected: u64) -> Result<(Record, ChainHash), String> {
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    let b64 = v
        .get("bytes")
        .and_then(|b| b.as_str())
        .ok_or("missing \"bytes\" (base64 canonical record)")?;
    let bytes = STANDARD
        .decode(b64)
        .map_err(|e| format!("\"bytes\" is not base64: {e}"))?;
    // The hash first: when bytes were edited, that is the news, not how they fail to decode.
    let hash = ChainHash::of(&bytes);
    if let Some(h) = v.get("hash").and_then(|h| h.as_str())
        && h != hash.to_hex()
    {
        return Err(format!(
            "\"hash\" {h} is not the BLAKE3 chain hash of the bytes ({hash})"
        ));
    }
    let record = codec::decode(&bytes).map_err(|e| format!("record bytes are invalid: {e}"))?;
    if record.seq.get() != expected {
        return Err(format!(
            "expected record {expected}, found record {}",
            record.seq
        ));
    }
    if let Some(s) = v.get("seq").and_then(serde_json::Value::as_u64)
        && s != expected
    {
        return Err(format!(
            "\"seq\" {s} does not match the record's own seq {expected}"
        ));
    }
    Ok((record, hash))
}
