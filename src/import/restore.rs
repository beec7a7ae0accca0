//! Exports as JSON Lines, and restoring them: byte-identical records, same head, same root.
//!
//! One line per record, in seq order:
//! `{"seq":0,"id":"openai","hash":"<hex BLAKE3 chain hash>","bytes":"<base64 canonical bytes>"}`.
//! Only `bytes` is authoritative; `seq`, `id` and `hash` are there for people and are
//! checked against the bytes on restore: a line holds these four fields and nothing
//! else, each once, `seq` a JSON integer and the others strings.

use super::{ImportError, Problem};
use crate::chain::{self, Break};
use crate::codec::{ChainHash, Record};
use crate::ledger::{APPEND_BATCH, Ledger, LedgerError, ReplayedRecords, StoredRecord};
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
    export_reporting(ledger, out, |_| {})
}

/// [`export`], telling `progress` the number of records written after each one.
///
/// # Errors
/// As [`export`].
pub fn export_reporting<S: Store>(
    ledger: &Ledger<S>,
    out: &mut impl Write,
    mut progress: impl FnMut(u64),
) -> Result<u64, ExportError> {
    let mut n = 0;
    for stored in ledger.raw_records(0, None) {
        let line = export_line(&stored?)?;
        writeln!(out, "{line}").map_err(|e| ExportError::Write(e.to_string()))?;
        n += 1;
        progress(n);
    }
    out.flush().map_err(|e| ExportError::Write(e.to_string()))?;
    Ok(n)
}

/// One record as a line of an export (without the line end):
/// `{"seq":N,"id":"...","hash":"<hex>","bytes":"<base64>"}`.
///
/// # Errors
/// [`LedgerError::Corrupt`] when the bytes do not decode (the id is read from them).
pub fn export_line(stored: &StoredRecord) -> Result<String, LedgerError> {
    let record = stored.decode()?;
    Ok(serde_json::json!({
        "seq": stored.seq.get(),
        "id": record.entry.id(),
        "hash": stored.hash.to_hex(),
        "bytes": STANDARD.encode(&stored.bytes),
    })
    .to_string())
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

/// The most problems one restore reports: one is enough to act, the rest say how far
/// the damage goes.
const MAX_PROBLEMS: usize = 20;

/// Reads an export and appends the records the ledger does not have yet. Records the
/// ledger already has must be byte-identical; the others must continue the chain and
/// pass the same domain rules as an import (parties defined before they are named,
/// ids given once, references to events recorded before them: see
/// `Replay` (src/ledger/validate/replay.rs)). Any problem is refused with the line it is on, and
/// nothing is appended.
///
/// The file is read twice, so that an export of any size restores in bounded memory:
/// first to check every line, then to append the records after the ledger's end, batch
/// by batch. The ledger appends only the records the first reading admitted (it
/// compares chain hashes), so a file that changes between the two readings is refused
/// at the first record that differs (the batches appended before it were checked, and
/// stay: run the restore again).
///
/// # Errors
/// [`ImportError::Invalid`] for a malformed line, a bad hash, a broken rule or a
/// divergence; [`ImportError::Read`] when the file cannot be read; ledger errors.
pub fn restore<S: Store>(
    ledger: &mut Ledger<S>,
    path: &Path,
) -> Result<RestoreReport, ImportError> {
    restore_reporting(ledger, path, |_| {})
}

/// How far a restore has come, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Restoring {
    /// The first reading has checked this many lines.
    Checked(u64),
    /// This many records are appended and durable.
    Appended(u64),
}

/// [`restore`], telling `progress` how far it has come ([`Restoring`]).
///
/// # Errors
/// As [`restore`].
pub fn restore_reporting<S: Store>(
    ledger: &mut Ledger<S>,
    path: &Path,
    mut progress: impl FnMut(Restoring),
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
    restore_readings(ledger, path, open, &mut progress)
}

/// [`restore`], the file (named `path` in problems) read through `open`, once per reading.
fn restore_readings<S: Store, R: BufRead + Send>(
    ledger: &mut Ledger<S>,
    path: &Path,
    mut open: impl FnMut() -> Result<R, ImportError>,
    progress: &mut dyn FnMut(Restoring),
) -> Result<RestoreReport, ImportError> {
    let problem = |line: usize, message: String| Problem {
        file: path.to_path_buf(),
        line,
        id: None,
        message,
    };
    let have = ledger.size();
    let checked = first_reading(ledger, path, open()?, &mut |n| {
        progress(Restoring::Checked(n));
    })?;
    if !checked.problems.is_empty() {
        return Err(ImportError::Invalid(checked.problems.into()));
    }
    let total = checked.total;
    // Second reading: the records after the ledger's end, as they were admitted. The
    // lines before it were compared with the ledger in the first and are not decoded.
    let mut changed: Option<(usize, String)> = None;
    let mut records = lines(open()?)
        .enumerate()
        .skip(usize::try_from(have).unwrap_or(usize::MAX))
        .map_while(|(position, (n, line))| {
            match line
                .map_err(|e| e.to_string())
                .and_then(|l| read_line(&l, position as u64))
            {
                Ok((record, _)) => Some(record),
                Err(m) => {
                    changed = Some((n, m));
                    None
                }
            }
        })
        .peekable();
    let batches = std::iter::from_fn(|| {
        records.peek()?;
        Some(records.by_ref().take(APPEND_BATCH).collect::<Vec<Record>>())
    });
    let mut appended = 0;
    let appended = ledger.append_replayed(&checked.admitted, batches, &mut |batch| {
        appended += batch.count;
        progress(Restoring::Appended(appended));
    });
    let changed_at = |line: usize, why: &str| {
        ImportError::Invalid(
            vec![problem(
                line,
                format!("the export changed while it was restored: {why}"),
            )]
            .into(),
        )
    };
    if let Some((n, m)) = changed {
        return Err(changed_at(n, &m));
    }
    if let Err(e) = appended {
        return Err(match stopped_at(&e) {
            Some(seq) => changed_at(
                checked.line_of(seq),
                "this record is not the one checked; run the restore again",
            ),
            None => e.into(),
        });
    }
    if ledger.tip() != checked.admitted.tip() {
        return Err(changed_at(
            1,
            "it ends before the record checked last; run the restore again",
        ));
    }
    Ok(RestoreReport {
        records: total,
        appended: ledger.size().saturating_sub(have),
    })
}
/// Appends `records`, canonical bytes of the records after the ledger's end made
/// elsewhere (a followed log's entry bundles), through the same checks as [`restore`]:
/// each must decode strictly, continue the chain and pass the domain rules, or nothing
/// is appended. `locate` names where record `seq` came from (file and 1-based
/// position) in the problems.
///
/// # Errors
/// [`ImportError::Invalid`] naming every refused record (at most 20); ledger errors.
pub fn restore_records<S: Store>(
    ledger: &mut Ledger<S>,
    records: &[Vec<u8>],
    locate: &dyn Fn(u64) -> (std::path::PathBuf, usize),
) -> Result<RestoreReport, ImportError> {
    let have = ledger.size();
    let problem = |seq: u64, id: Option<String>, message: String| {
        let (file, line) = locate(seq);
        Problem {
            file,
            line,
            id,
            message,
        }
    };
    let mut replay = ledger.replay()?;
    let mut decoded = Vec::with_capacity(records.len());
    for (seq, bytes) in (have..).zip(records) {
        let hash = ChainHash::of(bytes);
        let record = chain::check_bytes(bytes, &hash)
            .map_err(|kind| problem(seq, None, Break { seq, kind }.to_string()));
        let refusals = match record {
            Err(p) => vec![p],
            Ok(record) => match replay.admit(&record, hash)? {
                Ok(()) => {
                    decoded.push(record);
                    continue;
                }
                Err(broken) => broken
                    .into_iter()
                    .map(|r| problem(seq, r.id, r.message))
                    .collect(),
            },
        };
        let mut refusals = refusals;
        refusals.truncate(MAX_PROBLEMS);
        return Err(ImportError::Invalid(refusals.into()));
    }
    let admitted = replay.finish();
    let mut rest = decoded.into_iter().peekable();
    let batches = std::iter::from_fn(move || {
        rest.peek()?;
        Some(rest.by_ref().take(APPEND_BATCH).collect::<Vec<Record>>())
    });
    ledger.append_replayed(&admitted, batches, &mut |_| {})?;
    Ok(RestoreReport {
        records: records.len() as u64,
        appended: ledger.size() - have,
    })
}

/// The record an append of restored records stopped at because it was not the one
/// admitted (the file changed), if that is why it stopped.
fn stopped_at(e: &LedgerError) -> Option<u64> {
    match e {
        LedgerError::NotAdmitted { seq } => Some(*seq),
        LedgerError::Break(b) => Some(b.seq),
        _ => None,
    }
}

/// What the first reading found.
struct FirstReading {
    /// Records in the file.
    total: u64,
    /// At most [`MAX_PROBLEMS`], in line order.
    problems: Vec<Problem>,
    /// The records after the ledger's end, admitted.
    admitted: ReplayedRecords,
    /// The ledger's size before the restore.
    have: u64,
    /// The line of each admitted record.
    lines: Vec<usize>,
}

impl FirstReading {
    fn line_of(&self, seq: u64) -> usize {
        seq.checked_sub(self.have)
            .and_then(|i| self.lines.get(usize::try_from(i).ok()?))
            .copied()
            .unwrap_or(1)
    }
}

/// Reads every line: each must hold a record whose bytes match its hash; the records
/// the ledger has must be the ledger's, byte for byte; the rest are admitted through
/// the ledger's [`crate::ledger::Replay`]. After the first problem (or a divergence from
/// the ledger), later records are no longer admitted (each would only repeat it), but
/// every line is still read, so that each malformed line is reported once.
fn first_reading<S: Store>(
    ledger: &Ledger<S>,
    path: &Path,
    reading: impl BufRead + Send,
    checked: &mut dyn FnMut(u64),
) -> Result<FirstReading, ImportError> {
    let problem = |line: usize, message: String| Problem {
        file: path.to_path_buf(),
        line,
        id: None,
        message,
    };
    let have = ledger.size();
    let mut replay = ledger.replay()?;
    let (mut problems, mut lines_of, mut diverged) = (Vec::new(), Vec::new(), None);
    let mut total = 0u64;
    for (n, line) in lines(reading) {
        let line = line.map_err(|e| ImportError::Read {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let position = total;
        total += 1;
        checked(total);
        let (record, hash) = match read_line(&line, position) {
            Ok(read) => read,
            Err(m) => {
                problems.push(problem(n, m));
                if problems.len() >= MAX_PROBLEMS {
                    break;
                }
                continue;
            }
        };
        if position < have {
            if diverged.is_none() && ledger.raw(record.seq)?.map(|s| s.hash) != Some(hash) {
                diverged = Some(problem(
                    n,
                    format!(
                        "record {} differs from the one in the ledger: the export and the ledger have diverged",
                        record.seq
                    ),
                ));
            }
        } else if problems.is_empty() && diverged.is_none() {
            match replay.admit(&record, hash)? {
                Ok(()) => lines_of.push(n),
                Err(broken) => problems.extend(broken.into_iter().map(|r| Problem {
                    id: r.id,
                    ..problem(n, r.message)
                })),
            }
        }
    }
    problems.truncate(MAX_PROBLEMS);
    if problems.is_empty() {
        problems.extend(diverged);
    }
    Ok(FirstReading {
        total,
        problems,
        admitted: replay.finish(),
        have,
        lines: lines_of,
    })
}

/// The non-empty lines of a reading, with their 1-based line numbers. A line longer
/// than any record's can be ends the reading with an error, read no further than that.
fn lines(
    reading: impl BufRead + Send,
) -> impl Iterator<Item = (usize, Result<String, std::io::Error>)> + Send {
    crate::input::BoundedLines::new(reading, super::MAX_EXPORT_LINE_BYTES)
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| line.as_ref().map_or(true, |l| !l.trim().is_empty()))
}

/// One line of an export, as written: exactly these four fields, each once, `seq` a
/// JSON integer and the others strings.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    seq: u64,
    id: String,
    hash: String,
    bytes: String,
}

/// Reads one line of an export: the record in its `bytes`, which must hash to its
/// `hash` and decode strictly (the chain rule's [`chain::check_bytes`]), and its chain
/// hash. Every field is checked against the bytes: `seq` must be the record's (and so
/// the line's position `expected`, which the chain rule checks), `id` the id of its
/// party or event. A line with another field, a field twice, or a field of another type
/// is refused.
fn read_line(line: &str, expected: u64) -> Result<(Record, ChainHash), String> {
    let l: Line = serde_json::from_str(line).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!(
            "not an export line ({e}): a line holds \"seq\" (an integer), \"id\", \"hash\" \
             and \"bytes\", each once"
        ),
        _ => format!("not a JSON object: {e}"),
    })?;
    let bytes = STANDARD
        .decode(&l.bytes)
        .map_err(|e| format!("\"bytes\" is not base64: {e}"))?;
    let hash = ChainHash::from_hex(&l.hash).ok_or_else(|| {
        format!(
            "\"hash\" {} is not 64 hex digits",
            crate::model::shorten(&l.hash)
        )
    })?;
    let record = chain::check_bytes(&bytes, &hash).map_err(|kind| {
        Break {
            seq: expected,
            kind,
        }
        .to_string()
    })?;
    if l.seq != record.seq.get() {
        return Err(format!(
            "\"seq\" {} does not match the record's own seq {}",
            l.seq, record.seq
        ));
    }
    if l.id != record.entry.id() {
        return Err(format!(
            "\"id\" {:?} does not match the record's own id {}",
            crate::model::shorten(&l.id),
            record.entry.id()
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
            .append_entries(vec![entries], Timestamp::from_unix(1_772_150_400), |_| {})
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
        let result = restore_readings(
            &mut target,
            Path::new("x.jsonl"),
            || Ok(Cursor::new(readings.next().expect("read twice, no more"))),
            &mut |_| {},
        );
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

        // Read the same twice, it restores whole, reporting its progress: every line
        // checked, then every record appended, in whole batches.
        let mut same = Ledger::open(MemoryStore::new()).unwrap();
        let mut steps = Vec::new();
        let report = restore_readings(
            &mut same,
            Path::new("x.jsonl"),
            || Ok(Cursor::new(original.clone())),
            &mut |step| steps.push(step),
        )
        .unwrap();
        assert_eq!(report.appended, source.size());
        assert_eq!(same.head(), source.head());
        let n = source.size();
        let checked = steps.iter().filter(|s| matches!(s, Restoring::Checked(_)));
        assert_eq!(checked.count() as u64, n);
        let split = n as usize;
        assert_eq!(steps[split - 1], Restoring::Checked(n));
        assert_eq!(steps.last(), Some(&Restoring::Appended(n)));
        assert!(steps[split..].len() > 1, "{:?}", &steps[split..]);
        assert!(
            steps[split..]
                .iter()
                .all(|s| matches!(s, Restoring::Appended(_)))
        );
    }
}
