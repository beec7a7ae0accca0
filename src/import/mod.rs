//! Import: event files -> validated, typed events -> one append.
//!
//! `import` reads `[[party]]` and `[[event]]` tables from TOML files (folders are read
//! recursively, `*.toml` in name order), checks everything it can (syntax, fields and
//! types, dates, amounts, party names, references between events, ids already in the
//! ledger) and reports every problem as `file:line: id: what is wrong`. Nothing is
//! appended unless everything is valid. An event already recorded with identical
//! content is skipped, so importing the same files twice changes nothing.

mod check;
mod fields;
mod parse;
mod restore;

pub use parse::Located;
pub use restore::{ExportError, RestoreReport, export, restore};

use crate::codec::{Entry, Timestamp};
use crate::ledger::{Ledger, LedgerError};
use crate::model::{Event, Party, PartyId, PartyRegistry, escape};
use crate::store::Store;
use fields::Lines;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// The largest event file accepted.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Records appended per atomic batch.
pub const BATCH: usize = 1000;

/// One problem in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// The event or party id, when known.
    pub id: Option<String>,
    /// What is wrong, and what to do.
    pub message: String,
}

impl fmt::Display for Problem {
    /// `file:line: id: message` on one line, with the file name, id and message escaped
    /// ([`escape`]): a hostile key, value or file name cannot act on the terminal or
    /// print a line of its own.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display().to_string();
        match &self.id {
            Some(id) => write!(
                f,
                "{}:{}: {}: {}",
                escape(&file),
                self.line,
                escape(id),
                escape(&self.message)
            ),
            None => write!(
                f,
                "{}:{}: {}",
                escape(&file),
                self.line,
                escape(&self.message)
            ),
        }
    }
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The input has problems; nothing was appended.
    #[error("{} problem{} found; nothing was imported", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Invalid(Vec<Problem>),
    /// A path could not be read.
    #[error("cannot read {}: {}", escape(&path.display().to_string()), escape(detail))]
    Read { path: PathBuf, detail: String },
    /// The ledger failed while appending.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Files read.
    pub files: usize,
    /// Party records appended.
    pub parties_added: usize,
    /// Event records appended.
    pub events_added: usize,
    /// Events already recorded with identical content.
    pub events_skipped: usize,
    /// Parties already recorded with identical content.
    pub parties_skipped: usize,
    /// Ledger size after the import.
    pub size: u64,
}

/// The validated content of a set of files, ready to append.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files read.
    pub files: usize,
    /// New or changed parties, in file order.
    pub parties: Vec<Party>,
    /// New events, in append order (references before the events that use them).
    pub events: Vec<Event>,
    /// Identical events already in the ledger.
    pub events_skipped: usize,
    /// Identical parties already in the ledger.
    pub parties_skipped: usize,
}

/// Lists the files an import of `paths` reads: files as given, folders recursively
/// (`*.toml`, sorted, hidden entries skipped), each file once.
///
/// # Errors
/// [`ImportError::Read`] for a path that does not exist or cannot be listed.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ImportError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| ImportError::Read {
            path: p.clone(),
            detail: e.to_string(),
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    // A file named twice (`events/ events/a.toml`) is read once: compare real locations.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    let read = std::fs::read_dir(dir).map_err(|e| ImportError::Read {
        path: dir.to_path_buf(),
        detail: e.to_string(),
    })?;
    let mut entries: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// One file's text, while it is being read.
struct Parsed {
    file: PathBuf,
    text: String,
    /// Line starts of `text`, computed once: a file may hold many thousand tables.
    lines: Lines,
}

impl Parsed {
    fn read(file: &Path) -> Result<Parsed, Problem> {
        let text = read_text(file)?;
        Ok(Parsed {
            file: file.to_path_buf(),
            lines: Lines::new(&text),
            text,
        })
    }

    fn toml(&self) -> Result<toml::Spanned<DeTable<'_>>, Problem> {
        DeTable::parse(&self.text).map_err(|e| {
            let line = e.span().map_or(1, |s| self.lines.line(s.start));
            let msg = e.message().trim();
            let at = e.span().map(|s| toml_position(self, s)).unwrap_or_default();
            Problem {
                file: self.file.clone(),
                line,
                id: None,
                message: format!("invalid TOML{at}: {msg}"),
            }
        })
    }
}

/// What a top-level table of an event file is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Party,
    Event,
}

/// The `[[party]]` and `[[event]]` tables of a file, with the line of each, in file
/// order; anything else at the top level goes to `problems`.
fn tables<'a, 'i>(
    p: &Parsed,
    doc: &'a DeTable<'i>,
    problems: &mut Vec<Problem>,
) -> Vec<(Kind, &'a DeTable<'i>, usize)> {
    let mut out = Vec::new();
    for (key, value) in doc.iter() {
        let line = p.lines.line(key.span().start);
        let (kind, items) = match (key.get_ref().as_ref(), value.get_ref()) {
            ("party", DeValue::Array(items)) => (Kind::Party, items),
            ("event", DeValue::Array(items)) => (Kind::Event, items),
            ("party" | "event", _) => {
                problems.push(Problem {
                    file: p.file.clone(),
                    line,
                    id: None,
                    message: format!(
                        "`{}` must be written as [[{}]] tables",
                        key.get_ref(),
                        key.get_ref()
                    ),
                });
                continue;
            }
            (other, _) => {
                problems.push(Problem {
                    file: p.file.clone(),
                    line,
                    id: None,
                    message: format!(
                        "unexpected top-level key `{}`: a file holds [[party]] and [[event]] tables",
                        crate::model::shorten(other)
                    ),
                });
                continue;
            }
        };
        let what = if kind == Kind::Party {
            "party"
        } else {
            "event"
        };
        for item in items {
            let line = p.lines.line(item.span().start);
            match item.get_ref() {
                DeValue::Table(t) => out.push((kind, t, line)),
                _ => problems.push(Problem {
                    file: p.file.clone(),
                    line,
                    id: None,
                    message: format!("each `{what}` must be a table ([[{what}]])"),
                }),
            }
        }
    }
    out
}

/// What one reading of a file found: the tables of one kind, typed.
struct Reading<T> {
    /// The file cannot be read.
    unreadable: Option<Problem>,
    /// The file is not valid TOML.
    syntax: Option<Problem>,
    /// Top-level keys that are not `[[party]]` or `[[event]]` tables.
    layout: Vec<Problem>,
    /// The tables read, and the problems found in them.
    found: Vec<Located<T>>,
    problems: Vec<Problem>,
    /// Whether the file has `[[event]]` tables.
    has_events: bool,
}

/// Reads `file` and types its tables of kind `want` with `typed`. The file's text and
/// parse tree are dropped before this returns.
fn read_tables<T>(
    file: &Path,
    want: Kind,
    typed: impl Fn(&Parsed, &DeTable<'_>, usize) -> (Option<T>, Vec<Problem>),
) -> Reading<T> {
    let mut reading = Reading {
        unreadable: None,
        syntax: None,
        layout: Vec::new(),
        found: Vec::new(),
        problems: Vec::new(),
        has_events: false,
    };
    let p = match Parsed::read(file) {
        Ok(p) => p,
        Err(problem) => {
            reading.unreadable = Some(problem);
            return reading;
        }
    };
    let doc = match p.toml() {
        Ok(doc) => doc,
        Err(problem) => {
            reading.syntax = Some(problem);
            return reading;
        }
    };
    for (kind, table, line) in tables(&p, doc.get_ref(), &mut reading.layout) {
        reading.has_events |= kind == Kind::Event;
        if kind != want {
            continue;
        }
        let (value, mut problems) = typed(&p, table, line);
        reading.problems.append(&mut problems);
        if let Some(value) = value {
            reading.found.push(Located {
                value,
                file: p.file.clone(),
                line,
            });
        }
    }
    reading
}

/// `work` applied to every file, on every core; the results in file order.
fn each_file<T: Send>(files: &[&Path], work: impl Fn(&Path) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(files.len());
    if threads <= 1 {
        return files.iter().map(|f| work(f)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else {
                            return out;
                        };
                        out.push((i, work(file)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// Reads and checks `paths` against `ledger` without changing anything.
///
/// Files are read twice, on every core: every file's parties first (so that events
/// anywhere can name them), then the events of the files that have any. A file's text
/// and parse tree are dropped once its tables are typed: a 100 000-event import peaked
/// at 833 MiB when every file's were held until the end, and at 264 MiB since.
///
/// # Errors
/// [`ImportError::Invalid`] with every problem found, [`ImportError::Read`] for
/// unreadable paths, [`ImportError::Ledger`] for storage errors.
pub fn plan<S: Store>(ledger: &Ledger<S>, paths: &[PathBuf]) -> Result<Plan, ImportError> {
    let files = collect_files(paths)?;
    // Reported in this order: unreadable files, TOML syntax, the files' layout,
    // parties, then events; each in file order.
    let (mut unreadable, mut syntax, mut layout) = (Vec::new(), Vec::new(), Vec::new());
    let mut problems_in_tables = Vec::new();
    let mut parties: Vec<Located<Party>> = Vec::new();
    let mut with_events = Vec::new();
    let all: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let readings = each_file(&all, |file| {
        read_tables(file, Kind::Party, |p, table, line| {
            parse::party(&p.file, &p.lines, line, table)
        })
    });
    for (file, mut r) in all.iter().zip(readings) {
        unreadable.extend(r.unreadable);
        syntax.extend(r.syntax);
        layout.append(&mut r.layout);
        problems_in_tables.append(&mut r.problems);
        parties.append(&mut r.found);
        if r.has_events {
            with_events.push(*file);
        }
    }
    let recorded = ledger.parties()?;
    let mut registry = recorded.clone();
    let places: Vec<(PartyId, PathBuf, usize)> = parties
        .iter()
        .map(|p| (p.value.id.clone(), p.file.clone(), p.line))
        .collect();
    let (new_parties, parties_skipped) =
        check::parties(recorded, &mut registry, parties, &mut problems_in_tables);
    confusable_parties(&registry, &new_parties, &places, &mut problems_in_tables);
    let readings = each_file(&with_events, |file| {
        read_tables(file, Kind::Event, |p, table, line| {
            parse::event(&p.file, &p.lines, line, table, &registry)
        })
    });
    let mut events: Vec<Located<Event>> =
        Vec::with_capacity(readings.iter().map(|r| r.found.len()).sum());
    for mut r in readings {
        // A file that changed since the first reading is reported as it reads now; its
        // layout problems were reported then.
        unreadable.extend(r.unreadable);
        syntax.extend(r.syntax);
        problems_in_tables.append(&mut r.problems);
        events.append(&mut r.found);
    }
    let mut problems = unreadable;
    problems.append(&mut syntax);
    problems.append(&mut layout);
    problems.append(&mut problems_in_tables);
    let had_problems = !problems.is_empty();
    let (events, events_skipped) = check::events(ledger, events, &mut problems, had_problems)?;
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    Ok(Plan {
        files: files.len(),
        parties: new_parties,
        events,
        events_skipped,
        parties_skipped,
    })
}

/// Reports every name of the `new` parties that looks like another party's name without
/// being it ([`PartyRegistry::confusables`]), at the line of the party's table.
fn confusable_parties(
    registry: &PartyRegistry,
    new: &[Party],
    places: &[(PartyId, PathBuf, usize)],
    problems: &mut Vec<Problem>,
) {
    let ids: Vec<PartyId> = new.iter().map(|p| p.id.clone()).collect();
    for c in registry.confusables(&ids) {
        let Some((_, file, line)) = places.iter().find(|(id, _, _)| *id == c.party) else {
            continue;
        };
        problems.push(Problem {
            file: file.clone(),
            line: *line,
            id: Some(c.party.to_string()),
            message: format!(
                "{} {:?} can be mistaken for {:?}, a name of party {} ({}): use a name that \
                 cannot be confused with another party's",
                c.field,
                crate::model::shorten(&c.name),
                crate::model::shorten(&c.other_name),
                c.other,
                c.why()
            ),
        });
    }
}

/// " at column C (`text`)" for a TOML error's span: the column, and the text it
/// covers when that is short and on one line.
fn toml_position(p: &Parsed, span: std::ops::Range<usize>) -> String {
    let Some(before) = p.text.get(..span.start) else {
        return String::new();
    };
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    match p.text.get(span) {
        Some(t) if !t.trim().is_empty() && !t.contains('\n') && t.chars().count() <= 40 => {
            format!(" at column {column} (`{}`)", t.trim())
        }
        _ => format!(" at column {column}"),
    }
}

fn read_text(file: &Path) -> Result<String, Problem> {
    let problem = |message: String| Problem {
        file: file.to_path_buf(),
        line: 1,
        id: None,
        message,
    };
    let meta = std::fs::metadata(file).map_err(|e| problem(format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(problem(format!(
            "file is {} bytes; the limit is {} bytes (16 MiB): split it into smaller files",
            meta.len(),
            MAX_FILE_BYTES
        )));
    }
    let bytes = std::fs::read(file).map_err(|e| problem(format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
        Problem {
            file: file.to_path_buf(),
            line: Lines::new(&text).line(offset),
            id: None,
            message: format!(
                "file is not valid UTF-8 (byte {} of the file): save it as UTF-8",
                offset + 1
            ),
        }
    })
}

/// Appends a checked plan in atomic batches of [`BATCH`] records, parties first.
///
/// # Errors
/// [`ImportError::Ledger`] when the store fails; batches acknowledged before the
/// failure stay (a re-run skips them and completes the import).
pub fn apply<S: Store>(
    ledger: &mut Ledger<S>,
    plan: Plan,
    at: Timestamp,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport {
        files: plan.files,
        parties_added: plan.parties.len(),
        events_added: plan.events.len(),
        events_skipped: plan.events_skipped,
        parties_skipped: plan.parties_skipped,
        size: ledger.size(),
    };
    // Batches are cut from the plan as the append goes, not from a copy of it.
    let mut entries = plan
        .parties
        .into_iter()
        .map(Entry::Party)
        .chain(plan.events.into_iter().map(Entry::Event))
        .peekable();
    let batches = std::iter::from_fn(|| {
        entries.peek()?;
        Some(entries.by_ref().take(BATCH).collect::<Vec<Entry>>())
    });
    ledger.append_all(batches, at, |_| {})?;
    report.size = ledger.size();
    Ok(report)
}

/// Whether `paths` is a single JSON Lines export (restored with [`restore`]).
pub fn is_export(paths: &[PathBuf]) -> bool {
    paths.len() == 1 && paths[0].extension().is_some_and(|e| e == "jsonl")
}

/// Checks `paths` and appends them: [`plan`] then [`apply`].
///
/// # Errors
/// As [`plan`] and [`apply`].
pub fn import<S: Store>(
    ledger: &mut Ledger<S>,
    paths: &[PathBuf],
    at: Timestamp,
) -> Result<ImportReport, ImportError> {
    let plan = plan(ledger, paths)?;
    apply(ledger, plan, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn event(id: &str, parties: &str) -> String {
        format!(
            "[[event]]\nid = \"{id}\"\ndate = \"2025-01-01\"\nkind = \"announcement\"\n\
             summary = \"A test event.\"\nconfidence = \"confirmed\"\nparties = [{parties}]\n\n\
             [[event.source]]\nurl = \"https://example.com/{id}\"\n\n"
        )
    }

    fn party(id: &str) -> String {
        format!("[[party]]\nid = \"{id}\"\nname = \"{id} Inc\"\n\n")
    }

    /// Files read twice on every core still read as one input: an event may name a party
    /// that only a later file defines, and problems come grouped by kind, each kind in
    /// file order, the same on every run.
    #[test]
    fn files_read_on_every_core_check_as_one_input_in_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        // Valid: events in "a", their parties only in "z".
        write("a.toml", &event("2025-01-01-a", "\"zeta\", \"omega\""));
        write("z.toml", &(party("zeta") + &party("omega")));
        let ledger = Ledger::open(MemoryStore::new()).unwrap();
        let valid = plan(&ledger, &[dir.path().to_path_buf()]).unwrap();
        assert_eq!((valid.parties.len(), valid.events.len()), (2, 1));

        // Then one problem of each kind, spread over files so that kinds and file order
        // disagree: b (an event naming an unknown party), c (not TOML), d (a stray key),
        // e (a party without a name), f (not UTF-8).
        write("b.toml", &event("2025-01-01-b", "\"zeta\", \"nobody\""));
        write("c.toml", "[[event]\nid = 1\n");
        write("d.toml", &(party("delta") + "stray = 1\n"));
        write("e.toml", "[[party]]\nid = \"epsilon\"\n");
        std::fs::write(dir.path().join("f.toml"), b"\xff\xfe").unwrap();
        let problems =
            |ledger: &Ledger<MemoryStore>| match plan(ledger, &[dir.path().to_path_buf()]) {
                Err(ImportError::Invalid(problems)) => problems
                    .iter()
                    .map(|p| {
                        format!(
                            "{}: {}",
                            p.file.file_name().unwrap().to_string_lossy(),
                            p.message
                        )
                    })
                    .collect::<Vec<_>>(),
                other => panic!("expected problems, got {other:?}"),
            };
        let first = problems(&ledger);
        let files: Vec<&str> = first.iter().map(|p| &p[..1]).collect();
        assert_eq!(files, ["f", "c", "d", "e", "b"], "{first:#?}");
        assert!(
            first[0].contains("UTF-8") && first[1].contains("invalid TOML"),
            "{first:#?}"
        );
        assert!(
            first[2].contains("stray") && first[4].contains("nobody"),
            "{first:#?}"
        );
        for _ in 0..5 {
            assert_eq!(problems(&ledger), first);
        }
    }
}
