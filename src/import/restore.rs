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
/// The file is read twice, so that an export of any size restores in bounded memory:
/// first to check every line, the chain from record 0 and the records the ledger has;
/// then to append the rest, batch by batch. A file that changes between the two readings
/// is refused at the first line that no longer reads as checked (the batches appended
/// before it are whole, chained records, and stay: run the restore again).
///
/// # Errors
/// [`ImportError::Invalid`] for a malformed line, a bad hash or a divergence;
/// [`ImportError::Read`] when the file cannot be read; ledger errors.
pub fn restore<S: Store>(
    ledger: &mut Ledger<S>,
    path: &Path,
) -> Result<RestoreReport, ImportError> {
    // Through the bounded reader: a FIFO or a device is refused, not read twice.
    let open = || {
        crate::input::open(path)
            .map(std::io::BufReader::new)
            .map_err(|e| ImportError::Read {
                path: path.to_path_buf(),
                detail: e.refusal.to_string(),
            })
    };
    restore_readings(ledger, path, open)
}

/// [`restore`], the file (named `path` in problems) read through `open`, once per reading.
fn restore_readings<S: Store, R: BufRead + Send>(
    ledger: &mut Ledger<S>,
    path: &Path,
    mut open: impl FnMut() -> Result<R, ImportError>,
) -> Result<RestoreReport, ImportError> {
    let problem = |line: usize, message: String| Problem {
        file: path.to_path_buf(),
        line,
        id: None,
        message,
    };
    // Reading problems come first, then broken links, at most 20 in all.
    let mut problems = Vec::new();
    let mut links = Vec::new();
    let mut diverged = None;
    // The seq and chain hash of the last record that read well.
    let mut prev: Option<(u64, ChainHash)> = None;
    let have = ledger.size();
    let mut total = 0u64;
    for (n, line) in lines(open()?) {
        // The seq a line must hold is its position among the file's records, so one bad
        // line is one problem, not a cascade over every line after it.
        let line = line.map_err(|e| ImportError::Read {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        match read_line(&line, total) {
            Ok((r, hash)) => {
                // The whole file must be one chain from record 0 before anything is
                // appended: a line rewritten with a recomputed hash breaks the next
                // line's link. Links are checked between neighbours that both read
                // well: a line already reported is not reported again through its
                // successor.
                let want = match (r.seq.get(), prev) {
                    (0, _) => Some(ChainHash::ZERO),
                    (s, Some((p, h))) if p + 1 == s => Some(h),
                    _ => None,
                };
                if want.is_some_and(|w| w != r.prev) && links.len() < 20 {
                    links.push(problem(
                        n,
                        format!(
                            "record {}: its prev hash is not the hash of record {} before it (the export was edited)",
                            r.seq,
                            r.seq.get().saturating_sub(1)
                        ),
                    ));
                }
                if r.seq.get() < have
                    && diverged.is_none()
                    && ledger.raw(r.seq)?.map(|s| s.hash) != Some(hash)
                {
                    diverged = Some(problem(
                        n,
                        format!(
                            "record {} differs from the one in the ledger: the export and the ledger have diverged",
                            r.seq
                        ),
                    ));
                }
                prev = Some((r.seq.get(), hash));
            }
            Err(m) => problems.push(problem(n, m)),
        }
        total += 1;
        if problems.len() >= 20 {
            break;
        }
    }
    problems.append(&mut links);
    problems.truncate(20);
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    if let Some(d) = diverged {
        return Err(ImportError::Invalid(vec![d]));
    }
    let checked_head = prev.map(|(_, h)| h);
    // Second reading: the records after the ledger's end, as they were checked. The
    // lines before it were compared with the ledger above and are not decoded again.
    let mut changed: Option<ImportError> = None;
    let mut records = lines(open()?)
        .enumerate()
        .skip(have as usize)
        .map_while(|(position, (n, line))| {
            let read = line
                .map_err(|e| e.to_string())
                .and_then(|line| read_line(&line, position as u64));
            match read {
                Ok((r, _)) => Some(r),
                Err(m) => {
                    changed = Some(ImportError::Invalid(vec![problem(
                        n,
                        format!("the export changed while it was restored: {m}"),
                    )]));
                    None
                }
            }
        })
        .peekable();
    let batches = std::iter::from_fn(|| {
        records.peek()?;
        Some(records.by_ref().take(super::BATCH).collect::<Vec<Record>>())
    });
    let report = ledger.append_record_batches(batches);
    if let Some(e) = changed {
        return Err(e);
    }
    report?;
    let appended = ledger.size().saturating_sub(have);
    if total > have && Some(ledger.head()) != checked_head {
        return Err(ImportError::Invalid(vec![problem(
            1,
            "the export changed while it was restored: its last record is not the one checked; \
             run the restore again"
                .into(),
        )]));
    }
    Ok(RestoreReport {
        records: total,
        appended,
    })
}

/// The non-empty lines of a reading, with their 1-based line numbers. A line longer
/// than any record's can be ends the reading with an error, read no further than that.
fn lines(
    reading: impl BufRead + Send,
) -> impl Iterator<Item = (usize, Result<String, std::io::Error>)> + Send {
    crate::input::BoundedLines::new(reading, crate::input::MAX_EXPORT_LINE_BYTES)
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| line.as_ref().map_or(true, |l| !l.trim().is_empty()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Entry, Timestamp};
    use crate::store::MemoryStore;
    use crate::synth::{Synth, SynthConfig};
    use std::io::Cursor;

    /// An export that changes between the two readings is refused at the first line that
    /// no longer reads as checked; the batches appended before it are whole and chained.
    #[test]
    fn an_export_that_changes_between_the_two_readings_is_refused_where_it_changed() {
        let synth = Synth::new(SynthConfig::new(7, 1200));
        let mut entries: Vec<_> = synth.parties().into_iter().map(Entry::Party).collect();
        entries.extend(synth.events().map(Entry::Event));
        let mut source = Ledger::open(MemoryStore::new()).unwrap();
        source
            .append_all(vec![entries], Timestamp::from_unix(1_772_150_400), |_| {})
            .unwrap();
        let mut original = Vec::new();
        export(&source, &mut original).unwrap();
        let mut lines: Vec<String> = String::from_utf8(original.clone())
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        let at = 1050;
        let hash = source.head_at(at as u64 + 1).unwrap().to_hex();
        lines[at] = lines[at].replace(&hash, &"0".repeat(64));
        let edited = (lines.join("\n") + "\n").into_bytes();

        let mut readings = vec![edited, original.clone()].into_iter().rev();
        let mut target = Ledger::open(MemoryStore::new()).unwrap();
        let result = restore_readings(&mut target, Path::new("x.jsonl"), || {
            Ok(Cursor::new(readings.next().expect("read twice, no more")))
        });
        let Err(ImportError::Invalid(problems)) = result else {
            panic!("a changed export was not refused as bad input: {result:?}");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, at + 1, "{problems:?}");
        assert!(
            problems[0]
                .message
                .contains("changed while it was restored"),
            "{problems:?}"
        );
        assert_eq!(
            target.size(),
            at as u64,
            "the records before the change stay"
        );
        assert_eq!(target.head(), source.head_at(at as u64).unwrap());
        assert!(target.verify().unwrap().is_ok());

        // Read the same twice, it restores whole.
        let mut same = Ledger::open(MemoryStore::new()).unwrap();
        let report = restore_readings(&mut same, Path::new("x.jsonl"), || {
            Ok(Cursor::new(original.clone()))
        })
        .unwrap();
        assert_eq!(report.appended, source.size());
        assert_eq!(same.head(), source.head());
    }
}
