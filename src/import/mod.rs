//! Import: event files -> validated, typed events -> appended in atomic batches.
//!
//! `import` reads `[[party]]` and `[[event]]` tables from TOML files (folders are read
//! recursively, `*.toml` in name order), checks everything it can (syntax, fields and
//! types, dates, amounts, party names, references between events, ids already in the
//! ledger) and reports every problem as `file:line: id: what is wrong`. Nothing is
//! appended unless everything is valid. An event already recorded with identical
//! content is skipped, so importing the same files twice changes nothing.
//!
//! [`import`] runs in two passes (`stage.rs`): it checks every file keeping the facts of
//! the events (what the checks between events need), then reads the files again and
//! appends their events a window at a time, so that its memory does not grow with the
//! events of the run. [`plan`] runs both passes and returns every checked event at once,
//! for callers that want them (`pactlog check`, the server's bounded request bodies).
//!
//! Files are read through [`crate::input`] (regular files only, at most
//! [`MAX_FILE_BYTES`]). A folder walk reads each real folder once and stays inside the
//! folder given; the links it does not follow are reported ([`Files::skipped`]).

mod fields;
mod parse;
mod problems;
mod restore;
mod stage;
mod walk;

pub use parse::Located;
pub use problems::{MAX_FILE_PROBLEMS, Problems};
pub use restore::{
    ExportError, RestoreReport, Restoring, export, export_line, export_reporting, restore,
    restore_records, restore_reporting,
};
pub use walk::{Files, MAX_DEPTH, SkipReason, SkippedLink, collect_files};

use crate::codec::Timestamp;
use crate::ledger::{CheckReport, Checked, Ledger, LedgerError};
use crate::model::escape;
use crate::model::rules::Flaw;
use crate::store::Store;
use fields::Lines;
use problems::Collect;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// The largest event file accepted: files are parsed whole, and 16 MiB holds tens of
/// thousands of events, more than anyone writes by hand; bigger inputs split into files.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The most values (keys and array items) an event file may hold. A file is parsed
/// whole, and its parse tree costs a few hundred bytes a value, so this bounds what
/// reading one file costs (about 200 MB at worst) whatever its shape. Event files hold
/// about one value per 35 bytes, so a file that reaches [`MAX_FILE_BYTES`] holds fewer.
pub const MAX_FILE_VALUES: usize = 500_000;

/// An upper bound on the values a TOML text holds, without parsing it: every key-value
/// has an `=`, every array item but the first follows a `,` and the first a `[`. Those
/// characters inside strings and comments only raise the bound.
fn value_bound(text: &str) -> usize {
    text.bytes()
        .filter(|b| matches!(b, b'=' | b',' | b'['))
        .count()
}

/// The longest line of an export: a record's canonical bytes are at most
/// the record format's limit (4 MiB), which base64 makes 4/3 as long; the other
/// fields (`seq`, `id`, `hash`) take well under 64 KiB. A longer line cannot hold a
/// record, so it is refused without reading the rest of it.
pub const MAX_EXPORT_LINE_BYTES: usize =
    crate::codec::MAX_RECORD_BYTES.div_ceil(3) * 4 + (64 << 10);

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
    #[error("{} problem{} found; nothing was imported", .0.total(), if .0.total() == 1 { "" } else { "s" })]
    Invalid(Problems),
    /// A path could not be read.
    #[error("cannot read {}: {}", escape(&path.display().to_string()), escape(detail))]
    Read { path: PathBuf, detail: String },
    /// A folder given holds no event file.
    #[error("no event files found in {}: a folder is read for *.toml files (hidden ones are skipped)", path.display())]
    NoFiles { path: PathBuf },
    /// A folder walk met a folder nested deeper than [`walk::MAX_DEPTH`] levels.
    #[error("{} is nested more than {} folders deep inside the folder given; import it by naming it (or a folder nearer to it) on the command line", escape(&path.display().to_string()), walk::MAX_DEPTH)]
    TooDeep { path: PathBuf },
    /// A file changed after it was checked, before all of its events were appended:
    /// nothing of the batch that needed it was appended (the batches before it stay).
    #[error("{} changed while it was being imported, after the files were checked; the import stopped before appending anything read from it as it is now (records appended before stay): run the import again", escape(&path.display().to_string()))]
    Changed { path: PathBuf },
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
    /// Links the folder walks did not follow.
    pub skipped: Vec<SkippedLink>,
}

/// The checked content of a set of files, ready to append.
#[derive(Debug)]
pub struct Plan {
    /// Files read.
    pub files: usize,
    /// What the validator built: new parties and events, in append order.
    pub checked: Checked,
    /// Links the folder walks did not follow.
    pub skipped: Vec<SkippedLink>,
}

/// One file's text, while it is being read.
struct Parsed {
    file: PathBuf,
    text: String,
    /// Line starts of `text`, computed once: a file may hold many thousand tables.
    lines: Lines,
}

/// How an import gets a file's text: from the file system, or from texts handed over
/// (a request's body).
type Reader<'a> = dyn Fn(&Path) -> Result<String, Problem> + Sync + 'a;

impl Parsed {
    fn read(file: &Path, read: &Reader<'_>) -> Result<Parsed, Problem> {
        let text = read(file)?;
        Ok(Parsed {
            file: file.to_path_buf(),
            lines: Lines::new(&text),
            text,
        })
    }

    fn toml(&self) -> Result<toml::Spanned<DeTable<'_>>, Problem> {
        let values = value_bound(&self.text);
        if values > MAX_FILE_VALUES {
            return Err(Problem {
                file: self.file.clone(),
                line: 1,
                id: None,
                message: format!(
                    "the file may hold up to {values} values (keys and array items, counted \
                     by `=`, `,` and `[`); a file is read whole and holds at most \
                     {MAX_FILE_VALUES}: split it into smaller files"
                ),
            });
        }
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
    problems: &mut Collect,
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
    layout: Collect,
    /// The tables read, each with its line, and the problems found in them (bounded
    /// per file).
    found: Vec<(T, usize)>,
    problems: Collect,
    /// Whether the file has `[[event]]` tables.
    has_events: bool,
    /// BLAKE3 of the file's bytes, when it could be read.
    digest: Option<[u8; 32]>,
}

/// Reads `file` and types its tables of kind `want` with `typed`, which is told the
/// ordinal of each table among those of its kind in the file (from 0). The file's text
/// and parse tree are dropped before this returns.
fn read_tables<T>(
    file: &Path,
    read: &Reader<'_>,
    want: Kind,
    typed: impl Fn(&Parsed, &DeTable<'_>, usize, usize) -> (Option<T>, Vec<Problem>),
) -> Reading<T> {
    let mut reading = Reading {
        unreadable: None,
        syntax: None,
        layout: Collect::default(),
        found: Vec::new(),
        problems: Collect::default(),
        has_events: false,
        digest: None,
    };
    let p = match Parsed::read(file, read) {
        Ok(p) => p,
        Err(problem) => {
            reading.unreadable = Some(problem);
            return reading;
        }
    };
    reading.digest = Some(*blake3::hash(p.text.as_bytes()).as_bytes());
    let doc = match p.toml() {
        Ok(doc) => doc,
        Err(problem) => {
            reading.syntax = Some(problem);
            return reading;
        }
    };
    let mut ordinal = 0;
    for (kind, table, line) in tables(&p, doc.get_ref(), &mut reading.layout) {
        reading.has_events |= kind == Kind::Event;
        if kind != want {
            continue;
        }
        let (value, problems) = typed(&p, table, line, ordinal);
        ordinal += 1;
        reading.problems.extend(problems);
        if let Some(value) = value {
            reading.found.push((value, line));
        }
    }
    reading
}

/// `work` applied to every file (or job), on every core; the results in order.
fn each_file<I: Sync, T: Send>(files: &[I], work: impl Fn(&I) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(files.len());
    if threads <= 1 {
        return files.iter().map(&work).collect();
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

/// Problems found while reading, reported in this order: unreadable files, TOML syntax,
/// the files' layout, then the tables (parties, then events); each in file order.
#[derive(Default)]
struct Found {
    unreadable: Vec<Problem>,
    syntax: Vec<Problem>,
    layout: Collect,
    tables: Collect,
}

impl Found {
    fn take<T>(&mut self, r: &mut Reading<T>) {
        self.unreadable.extend(r.unreadable.take());
        self.syntax.extend(r.syntax.take());
        self.layout.append(std::mem::take(&mut r.layout));
        self.tables.append(std::mem::take(&mut r.problems));
    }

    fn all(self) -> Collect {
        let mut out = Collect::default();
        out.extend(self.unreadable);
        out.extend(self.syntax);
        out.append(self.layout);
        out.append(self.tables);
        out
    }
}

/// A party or event as read, kept only when it is well-formed ([`rules`]): `flaws`
/// gives its id and the rules it breaks, each reported at the line of its field. The
/// validator applies the same rules to what it is given; applying them here, while the
/// file's tables are at hand, names the line of the field at fault.
fn within_rules<T>(
    p: &Parsed,
    table: &DeTable<'_>,
    line: usize,
    (value, mut problems): (Option<T>, Vec<Problem>),
    flaws: impl Fn(&T) -> (String, Vec<Flaw>),
) -> (Option<T>, Vec<Problem>) {
    let Some(value) = value else {
        return (None, problems);
    };
    let (id, found) = flaws(&value);
    if found.is_empty() {
        return (Some(value), problems);
    }
    problems.extend(found.into_iter().map(|flaw| Problem {
        file: p.file.clone(),
        line: fields::line_of(&p.lines, table, line, flaw.place),
        id: Some(id.clone()),
        message: flaw.message,
    }));
    (None, problems)
}

/// Reads and checks `paths` against `ledger` without changing anything.
///
/// Files are read on every core: every file's parties first (so that events anywhere
/// can name them), then the events of the files that have any, whose facts the ledger's
/// validator checks (its problems are mapped back to file and line); then the events
/// are read again into the checked batch, which holds every new event. A file's text
/// and parse tree are dropped once its tables are typed.
///
/// # Errors
/// [`ImportError::Invalid`] with every problem found, [`ImportError::Read`] for
/// unreadable paths, [`ImportError::Changed`] for a file changed between the readings,
/// [`ImportError::Ledger`] for storage errors.
pub fn plan<S: Store>(ledger: &Ledger<S>, paths: &[PathBuf]) -> Result<Plan, ImportError> {
    plan_files(ledger, collect_files(paths)?)
}

/// [`plan`] of the files [`collect_files`] listed.
///
/// # Errors
/// As [`plan`].
pub fn plan_files<S: Store>(ledger: &Ledger<S>, found_files: Files) -> Result<Plan, ImportError> {
    stage::plan_read(ledger, found_files, &read_text)
}

/// An event file handed over as bytes (the body of a request), with the name its sender
/// gave it: problems name it as they name a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedText {
    /// The name, as sent.
    pub name: PathBuf,
    /// The file's bytes (UTF-8, at most [`MAX_FILE_BYTES`]).
    pub bytes: Vec<u8>,
}

/// [`plan`] of files handed over as bytes: the same checks and problems as for files of
/// those names, in the order given.
///
/// # Errors
/// As [`plan`]; [`ImportError::Invalid`] also when two files have one name.
pub fn plan_texts<S: Store>(
    ledger: &Ledger<S>,
    texts: Vec<NamedText>,
) -> Result<Plan, ImportError> {
    let mut by_name = std::collections::BTreeMap::new();
    let mut names = Vec::with_capacity(texts.len());
    for t in texts {
        if by_name.contains_key(&t.name) {
            return Err(ImportError::Invalid(
                vec![Problem {
                    file: t.name,
                    line: 1,
                    id: None,
                    message: "two files have this name: name each file once".into(),
                }]
                .into(),
            ));
        }
        names.push(t.name.clone());
        by_name.insert(t.name, t.bytes);
    }
    let read = |name: &Path| -> Result<String, Problem> {
        let bytes = by_name.get(name).cloned().unwrap_or_default();
        crate::input::text_of(name, bytes, MAX_FILE_BYTES).map_err(|e| refused(name, e))
    };
    let files = Files {
        files: names,
        skipped: Vec::new(),
    };
    stage::plan_read(ledger, files, &read)
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
    crate::input::read_text(file, MAX_FILE_BYTES).map_err(|e| refused(file, e))
}

/// The problem of a file the bounded reader refused.
fn refused(file: &Path, e: crate::input::InputError) -> Problem {
    use crate::input::Refusal;
    let line = match e.refusal {
        Refusal::NotUtf8 { line, .. } => line,
        _ => 1,
    };
    let message = match e.refusal {
        Refusal::TooLarge { .. } => format!("{}: split it into smaller files", e.refusal),
        Refusal::Io(io) => format!("cannot read: {io}"),
        other => other.to_string(),
    };
    Problem {
        file: file.to_path_buf(),
        line,
        id: None,
        message,
    }
}

/// Appends a checked plan in atomic batches of `APPEND_BATCH` records, parties first.
///
/// # Errors
/// [`ImportError::Ledger`] when the store fails (or the ledger changed since the plan
/// was made); batches acknowledged before the failure stay (a re-run skips them and
/// completes the import).
pub fn apply<S: Store>(
    ledger: &mut Ledger<S>,
    plan: Plan,
    at: Timestamp,
) -> Result<ImportReport, ImportError> {
    apply_reporting(ledger, plan, at, |_| {})
}

/// [`apply`], telling `appended` how many records are appended and durable after each
/// store batch.
///
/// # Errors
/// As [`apply`].
pub fn apply_reporting<S: Store>(
    ledger: &mut Ledger<S>,
    plan: Plan,
    at: Timestamp,
    mut appended: impl FnMut(u64),
) -> Result<ImportReport, ImportError> {
    let checked = plan.checked.report();
    let mut done = 0;
    ledger.append_reporting(plan.checked, at, |batch| {
        done += batch.count;
        appended(done);
    })?;
    Ok(ImportReport {
        files: plan.files,
        parties_added: checked.parties_added,
        events_added: checked.events_added,
        events_skipped: checked.events_skipped,
        parties_skipped: checked.parties_skipped,
        size: ledger.size(),
        skipped: plan.skipped,
    })
}

/// Whether `paths` is a single JSON Lines export (restored with [`restore`]).
pub fn is_export(paths: &[PathBuf]) -> bool {
    paths.len() == 1 && paths[0].extension().is_some_and(|e| e == "jsonl")
}

/// Checks `paths` and appends them, in two passes ([`import_reporting`]).
///
/// # Errors
/// As [`import_reporting`].
pub fn import<S: Store>(
    ledger: &mut Ledger<S>,
    paths: &[PathBuf],
    at: Timestamp,
) -> Result<ImportReport, ImportError> {
    import_files(ledger, collect_files(paths)?, at)
}

/// [`import`] of the files [`collect_files`] listed.
///
/// # Errors
/// As [`import_reporting`].
pub fn import_files<S: Store>(
    ledger: &mut Ledger<S>,
    files: Files,
    at: Timestamp,
) -> Result<ImportReport, ImportError> {
    import_reporting(ledger, files, at, |_| {}, |_| {})
}

/// [`import_files`] in two passes, holding the facts of the run and one window of
/// events, never the whole run (see `stage.rs`): every file is read and checked, then
/// `checked` is told what will be appended, then the events are read again and
/// appended in atomic batches, `appended` told how many records are durable after each.
///
/// # Errors
/// [`ImportError::Invalid`] with every problem found (nothing appended),
/// [`ImportError::Read`] for unreadable paths, [`ImportError::Changed`] when a file
/// changed between the passes, [`ImportError::Ledger`] for storage errors. Batches
/// acknowledged before a failure stay; a re-run skips them and completes the import.
pub fn import_reporting<S: Store>(
    ledger: &mut Ledger<S>,
    files: Files,
    at: Timestamp,
    checked: impl FnOnce(CheckReport),
    appended: impl FnMut(u64),
) -> Result<ImportReport, ImportError> {
    let staging = stage::stage_read(ledger, files, &read_text)?;
    checked(staging.report());
    stage::append_staged(ledger, staging, &read_text, at, appended)
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
        assert_eq!(
            (valid.checked.parties().len(), valid.checked.events().len()),
            (2, 1)
        );

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
