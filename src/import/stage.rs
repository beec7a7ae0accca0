//! Importing in two passes, so that the memory of an import is bounded by what the
//! references between events need, not by the size of the run.
//!
//! Pass 1 ([`stage_read`]) reads every file on every core, types and checks every
//! party and event, and keeps of each event only its facts ([`EventFacts`]: id, date,
//! parties, references, the keys and parties of its terms and tranches, a digest),
//! where it came from, and the BLAKE3 digest of each file's bytes. The validator checks
//! the facts as it checks events and stages the new ones in append order
//! ([`Staged`]): every problem is found, and reported, before anything is appended.
//!
//! Pass 2 ([`append_staged`]) takes the staged events a window of [`WINDOW`] at a
//! time in append order, reads the files that hold them again (on every core), and
//! hands the events to [`Staged::batch`], which builds the [`crate::ledger::Checked`]
//! batch appended next only when each event is the one checked at its place. A file
//! whose bytes differ from pass 1's stops the import before anything read from it is
//! appended ([`ImportError::Changed`]). The append order is the validator's, whatever
//! the windows: the chain is the one a single batch of the same events gives.
//!
//! Files whose events are in date order (as files are usually written) are read about
//! once in pass 2; events of one window spread over many files make it read those
//! files once per window.

use super::problems::Collect;
use super::walk::{Files, SkippedLink};
use super::{
    Found, ImportError, ImportReport, Kind, Plan, Problem, Reader, each_file, parse, read_tables,
    within_rules,
};
use crate::codec::Timestamp;
use crate::ledger::{self as validate, CheckReport, EventFacts, Item, Ledger, Staged};
use crate::model::{Event, Party, PartyRegistry, rules};
use crate::store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Events read again and appended per window of pass 2: enough that a window's files
/// are parsed once for many events, few enough that a window's events stay a small
/// part of an import's memory.
pub const WINDOW: usize = 32_768;

/// Where an input event came from: its file (an index into the files read), its line,
/// and its place among the file's `[[event]]` tables (from 0).
#[derive(Clone, Copy, Debug)]
struct Origin {
    file: u32,
    line: u32,
    table: u32,
}

/// Where each input party and event came from, to name it in problems and to read it
/// again.
pub(super) struct Places {
    files: Vec<PathBuf>,
    parties: Vec<(PathBuf, usize)>,
    events: Vec<Origin>,
}

impl Places {
    fn of(&self, item: Item) -> (&Path, usize) {
        match item {
            Item::Party(i) => (&self.parties[i].0, self.parties[i].1),
            Item::Event(i) => {
                let o = self.events[i];
                (&self.files[o.file as usize], o.line as usize)
            }
        }
    }

    /// A validator's problem, at the file and line of its party or event.
    fn problem(&self, p: &validate::Problem) -> Problem {
        let (file, line) = self.of(p.item);
        Problem {
            file: file.to_path_buf(),
            line,
            id: Some(p.id.clone()),
            message: p.describe(|other| {
                let (file, line) = self.of(other);
                format!("{}:{line}", file.display())
            }),
        }
    }
}

/// Files checked and staged by pass 1, to be appended by pass 2.
pub(super) struct Staging {
    places: Places,
    /// BLAKE3 of each file's bytes as its events were read (`None`: no events read).
    digests: Vec<Option<[u8; 32]>>,
    /// The parties events name: the ledger's and the input's.
    registry: PartyRegistry,
    staged: Staged,
    skipped: Vec<SkippedLink>,
}

impl Staging {
    /// What the staged run holds.
    pub(super) fn report(&self) -> CheckReport {
        self.staged.report()
    }
}

/// The parties of every file, with where each came from, and the files (by index) that
/// hold events.
fn read_parties(
    files: &[PathBuf],
    read: &Reader<'_>,
    found: &mut Found,
) -> (Vec<Party>, Vec<(PathBuf, usize)>, Vec<usize>) {
    let all: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let readings = each_file(&all, |file| {
        read_tables(file, read, Kind::Party, |p, table, line, _| {
            let parsed = parse::party(&p.file, &p.lines, line, table);
            within_rules(p, table, line, parsed, |party| {
                (party.id.to_string(), rules::party_flaws(party))
            })
        })
    });
    let (mut parties, mut places, mut with_events) = (Vec::new(), Vec::new(), Vec::new());
    for (i, mut r) in readings.into_iter().enumerate() {
        found.take(&mut r);
        for (party, line) in r.found {
            parties.push(party);
            places.push((files[i].clone(), line));
        }
        if r.has_events {
            with_events.push(i);
        }
    }
    (parties, places, with_events)
}

/// The facts of an event read from a file (its table ordinal beside them), or the
/// problem of an event that cannot be recorded.
fn facts_of(event: Event, file: &Path, line: usize) -> Result<EventFacts, Problem> {
    EventFacts::of(&event).map_err(|e| Problem {
        file: file.to_path_buf(),
        line,
        id: Some(event.id.to_string()),
        message: format!("the event cannot be recorded: {e}"),
    })
}

/// Files whose events pass 1 reads before it gathers their facts.
const FILES_AT_ONCE: usize = 64;

/// The events of `file`, typed and checked on their own, as facts with the ordinal of
/// each among the file's `[[event]]` tables.
fn read_facts(
    file: &Path,
    read: &Reader<'_>,
    registry: &PartyRegistry,
) -> super::Reading<(EventFacts, usize)> {
    read_tables(file, read, Kind::Event, |p, table, line, ordinal| {
        let parsed = parse::event(&p.file, &p.lines, line, table, registry);
        let (event, mut problems) = within_rules(p, table, line, parsed, |event| {
            (event.id.to_string(), rules::event_flaws(event))
        });
        match event.map(|e| facts_of(e, &p.file, line)) {
            Some(Ok(facts)) => (Some((facts, ordinal)), problems),
            Some(Err(problem)) => {
                problems.push(problem);
                (None, problems)
            }
            None => (None, problems),
        }
    })
}

/// Pass 1: reads and checks `files` against `ledger`, keeping the facts of the events
/// (see the module docs). Problems come in the order [`super::plan`] documents.
///
/// # Errors
/// [`ImportError::Invalid`] with every problem found, [`ImportError::Ledger`] for
/// storage errors.
pub(super) fn stage_read<S: Store>(
    ledger: &Ledger<S>,
    found_files: Files,
    read: &Reader<'_>,
) -> Result<Staging, ImportError> {
    let Files { files, skipped } = found_files;
    let mut found = Found::default();
    let (parties, party_places, with_events) = read_parties(&files, read, &mut found);
    let mut validator = ledger.validator()?;
    let party_problems = validator.parties(parties)?;
    let registry = validator.registry();
    let mut places = Places {
        files,
        parties: party_places,
        events: Vec::new(),
    };
    // Party problems come before the events' own, as the parties were read first.
    found
        .tables
        .extend(party_problems.iter().map(|p| places.problem(p)));
    let mut digests = vec![None; places.files.len()];
    let mut facts = Vec::new();
    // A group of files at a time: what the readings of a group hold is gathered into
    // `facts` before the next group is read, so the facts are held once.
    for group in with_events.chunks(FILES_AT_ONCE) {
        let event_files: Vec<&Path> = group.iter().map(|&i| places.files[i].as_path()).collect();
        let readings = each_file(&event_files, |file| read_facts(file, read, registry));
        for (&i, mut r) in group.iter().zip(readings) {
            // A file that changed since the first reading is reported as it reads now;
            // its layout problems were reported then.
            r.layout = Collect::default();
            found.take(&mut r);
            digests[i] = r.digest;
            for ((f, table), line) in r.found {
                facts.push(f);
                places.events.push(Origin {
                    file: index_u32(i),
                    line: index_u32(line),
                    table: index_u32(table),
                });
            }
        }
    }
    let event_problems = validator.event_facts(facts)?;
    let mut problems = found.all();
    problems.extend(event_problems.iter().map(|p| places.problem(p)));
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems.finish()));
    }
    let registry = validator.registry().clone();
    let staged = validator.finish_staged().map_err(|r| {
        let mut problems = Collect::default();
        problems.extend(r.0.iter().map(|p| places.problem(p)));
        ImportError::Invalid(problems.finish())
    })?;
    Ok(Staging {
        places,
        digests,
        registry,
        staged,
        skipped,
    })
}

/// `n` as a u32: files, lines and tables of one import are counted far below 2^32 (a
/// file holds at most [`super::MAX_FILE_BYTES`] bytes); a larger count saturates, which
/// names a wrong line but never a wrong event (events are found again by file and
/// table, and every one is checked by its digest).
fn index_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The staged events at `positions` (in that order), read again from their files.
///
/// # Errors
/// [`ImportError::Changed`] naming a file whose bytes are not those of pass 1.
fn read_again(
    staging: &Staging,
    read: &Reader<'_>,
    positions: &[usize],
) -> Result<Vec<Event>, ImportError> {
    // For each file: the tables wanted, each with the slot its event goes to.
    let mut by_file: BTreeMap<u32, Vec<(u32, usize)>> = BTreeMap::new();
    for (slot, &position) in positions.iter().enumerate() {
        let o = staging.places.events[position];
        by_file.entry(o.file).or_default().push((o.table, slot));
    }
    let jobs: Vec<(u32, Vec<(u32, usize)>)> = by_file
        .into_iter()
        .map(|(file, mut wanted)| {
            wanted.sort_unstable();
            (file, wanted)
        })
        .collect();
    let registry = &staging.registry;
    let files = &staging.places.files;
    let readings = each_file(&jobs, |(file, wanted)| {
        read_tables(
            &files[*file as usize],
            read,
            Kind::Event,
            |p, table, line, ordinal| {
                let ordinal = index_u32(ordinal);
                if wanted.binary_search_by_key(&ordinal, |(t, _)| *t).is_err() {
                    return (None, Vec::new());
                }
                let (event, _) = parse::event(&p.file, &p.lines, line, table, registry);
                (event.map(|e| (e, ordinal)), Vec::new())
            },
        )
    });
    let mut slots: Vec<Option<Event>> = (0..positions.len()).map(|_| None).collect();
    for ((file, wanted), r) in jobs.iter().zip(readings) {
        let path = &files[*file as usize];
        let changed = || ImportError::Changed { path: path.clone() };
        if r.digest.is_none() || r.digest != staging.digests[*file as usize] {
            return Err(changed());
        }
        for ((event, ordinal), _) in r.found {
            let k = wanted
                .binary_search_by_key(&ordinal, |(t, _)| *t)
                .map_err(|_| changed())?;
            slots[wanted[k].1] = Some(event);
        }
        if wanted.iter().any(|(_, slot)| slots[*slot].is_none()) {
            return Err(changed());
        }
    }
    Ok(slots.into_iter().flatten().collect())
}

/// Pass 2: appends what pass 1 staged, a window at a time (see the module docs),
/// telling `appended` how many records are appended and durable after each store batch.
///
/// # Errors
/// [`ImportError::Changed`] when a file changed since pass 1; [`ImportError::Ledger`]
/// when the store fails. Batches acknowledged before either stay: a re-run checks the
/// files as they are then, skips what is recorded and appends the rest.
pub(super) fn append_staged<S: Store>(
    ledger: &mut Ledger<S>,
    mut staging: Staging,
    read: &Reader<'_>,
    at: Timestamp,
    mut appended: impl FnMut(u64),
) -> Result<ImportReport, ImportError> {
    let report = staging.report();
    let mut done = 0;
    while !staging.staged.is_done() {
        let positions: Vec<usize> = staging.staged.remaining().take(WINDOW).collect();
        let events = read_again(&staging, read, &positions)?;
        let checked = staging.staged.batch(ledger, events)?;
        ledger.append_reporting(checked, at, |batch| {
            done += batch.count;
            appended(done);
        })?;
    }
    Ok(ImportReport {
        files: staging.places.files.len(),
        parties_added: report.parties_added,
        events_added: report.events_added,
        events_skipped: report.events_skipped,
        parties_skipped: report.parties_skipped,
        size: ledger.size(),
        skipped: staging.skipped,
    })
}

/// [`super::plan`] of `found_files`, each read by `read`: both passes, the events read
/// again all at once into one checked batch.
///
/// # Errors
/// As [`super::plan`]; [`ImportError::Changed`] when a file changed between the passes.
pub(super) fn plan_read<S: Store>(
    ledger: &Ledger<S>,
    found_files: Files,
    read: &Reader<'_>,
) -> Result<Plan, ImportError> {
    let mut staging = stage_read(ledger, found_files, read)?;
    let positions: Vec<usize> = staging.staged.remaining().collect();
    let events = read_again(&staging, read, &positions)?;
    let checked = staging.staged.batch(ledger, events)?;
    Ok(Plan {
        files: staging.places.files.len(),
        checked,
        skipped: staging.skipped,
    })
}
