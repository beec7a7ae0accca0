//! `pactlog site`: the pages of `pactlog serve` as static files with relative links.
//!
//! The site is built whole in a new hidden folder beside DIR, then renamed into place,
//! so a reader never sees half a site and nothing is written over a file pactlog did
//! not make: DIR must not exist, be empty, or hold a site this command wrote and nothing
//! else (its `.pactlog-site` file lists every file it wrote), which is then replaced
//! whole.

use super::{CliError, Code, Globals, now, parse_day};
use crate::web::links::{Axes, Links};
use crate::web::{self, pages};
use clap::Args;
use pactlog::model::{Day, EventId};
use pactlog::{Ledger, Query, Select, SledStore};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The file that marks a folder as a site this command wrote: a first line naming it,
/// then the path of every file it wrote, one a line.
const MARKER: &str = ".pactlog-site";
/// The largest marker read back (a site of a million files lists under 100 MB).
const MAX_MARKER: u64 = 128 << 20;

/// Write the pages (relationships, timelines, events, parties, conflicts) as a static site
///
/// Writes DIR/index.html (every relationship on the day, busiest first),
/// DIR/pair/A/B.html (each relationship's timeline and state), DIR/event/ID.html,
/// DIR/party/ID.html, DIR/conflicts.html, DIR/assets/style.css and, when the ledger has
/// a signed checkpoint, DIR/proof/ID.txt (each event's inclusion proof). Links are
/// relative: any static host serves the folder, as does a browser from disk.
///
/// DIR must not exist, be an empty folder, or be a site written by this command (it
/// holds `.pactlog-site`, the list of the files it wrote) holding nothing else; that
/// site is replaced whole. A file added to it since is never removed: the command
/// refuses and names it. The site is written to a new folder beside DIR and renamed
/// into place.
///
/// Examples:
///   pactlog site public/
///   pactlog site public/ --as-of 2026-03-20
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct SiteArgs {
    /// The folder to write the site to
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// The day the pages are for (YYYY-MM-DD) [default: today, or PACTLOG_NOW's day]
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    as_of: Option<Day>,
}

pub fn run_site(g: &Globals, args: SiteArgs) -> Result<Code, CliError> {
    let target = check_target(&args.dir)?;
    let ledger = g.open_existing()?;
    let as_of = day_or_today(args.as_of)?;
    let count = write_pages(&ledger, &target, as_of)?;
    errln!(
        "wrote {count} files for {as_of} to {}",
        pactlog::input::shown(&args.dir)
    );
    Ok(Code::Ok)
}

/// `day`, or today (PACTLOG_NOW's day when it is set).
pub fn day_or_today(day: Option<Day>) -> Result<Day, CliError> {
    match day {
        Some(d) => Ok(d),
        None => Ok(web::day_of(now()?)),
    }
}

/// Writes the site of `ledger` on `as_of` to `target` (checked by [`check_target`]),
/// replacing it whole; returns the number of files.
pub fn write_pages(
    ledger: &Ledger<SledStore>,
    target: &Path,
    as_of: Day,
) -> Result<usize, CliError> {
    let files = build(ledger, as_of)?;
    write_site(target, &files)?;
    Ok(files.len())
}

/// Refuses a DIR the site may not replace.
pub fn check_target(dir: &Path) -> Result<PathBuf, CliError> {
    let shown = pactlog::input::shown(dir);
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(dir.to_path_buf()),
        Err(e) => Err(CliError::user(format!("cannot use {shown}: {e}"))),
        Ok(m) if !m.is_dir() => Err(CliError::user(format!(
            "{shown} is not a folder: give a new folder's name"
        ))),
        Ok(_) if is_empty(dir) => Ok(dir.to_path_buf()),
        Ok(_) => match foreign_entry(dir)? {
            None => Ok(dir.to_path_buf()),
            Some(what) => Err(CliError::user(format!(
                "{shown} holds {what}, which pactlog did not write: give a new or empty \
                 folder, or one a previous `pactlog site` wrote and nothing else changed"
            ))),
        },
    }
}

/// The first entry of `dir` that a previous site did not write (every entry, when `dir`
/// holds no site): `None` when `dir` is exactly a previous site.
fn foreign_entry(dir: &Path) -> Result<Option<String>, CliError> {
    let marker = dir.join(MARKER);
    let listed = match fs::symlink_metadata(&marker) {
        Ok(m) if m.is_file() && m.len() <= MAX_MARKER => fs::read_to_string(&marker).ok(),
        _ => None,
    };
    let Some(listed) = listed.filter(|l| l.starts_with("pactlog site")) else {
        return Ok(Some("files".to_string()));
    };
    let mut files: std::collections::BTreeSet<&str> = listed.lines().skip(1).collect();
    files.insert(MARKER);
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        let entries = fs::read_dir(dir.join(&rel)).map_err(|e| {
            CliError::user(format!("cannot read {}: {e}", dir.join(&rel).display()))
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| CliError::user(e.to_string()))?;
            let path = rel.join(entry.file_name());
            let shown = pactlog::input::shown(&path);
            let kind = entry
                .file_type()
                .map_err(|e| CliError::user(e.to_string()))?;
            if kind.is_dir() {
                pending.push(path);
            } else if !kind.is_file() || !path.to_str().is_some_and(|p| files.contains(p)) {
                return Ok(Some(shown));
            }
        }
    }
    Ok(None)
}

fn is_empty(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

/// Every file of the site: its path under DIR and its bytes.
fn build(ledger: &Ledger<SledStore>, as_of: Day) -> Result<Vec<(String, String)>, CliError> {
    let query = Query::as_of(as_of);
    let axes = Axes {
        as_of: Some(as_of),
        known_at: None,
    };
    let parties = ledger.parties()?;
    let covered = ledger.latest_checkpoint()?.map_or(0, |c| c.size);
    let proofs = covered > 0;
    let at = |depth| Links::Site { depth, proofs };
    let internal = |e: pactlog::QueryError| CliError::internal(e.to_string());
    let state = ledger.state(query, &Select::All).map_err(internal)?;
    let mut files = vec![
        ("assets/style.css".to_string(), web::STYLE.to_string()),
        (
            "index.html".to_string(),
            pages::index_page(&at(0), &state, parties, None),
        ),
    ];
    let conflicts = ledger.conflicts(query, &Select::All).map_err(internal)?;
    files.push((
        "conflicts.html".to_string(),
        pages::conflicts_page(&at(0), &conflicts),
    ));
    for r in &state.relationships {
        let (a, b) = &r.parties;
        let answer = ledger.timeline(query, a, b).map_err(internal)?;
        files.push((
            format!("pair/{a}/{b}.html"),
            pages::pair_page(&at(2), &axes, &answer, parties),
        ));
    }
    for p in parties.iter() {
        let mine = ledger
            .state(query, &Select::Party(p.id.clone()))
            .map_err(internal)?;
        let own = pages::own_events(ledger.log(&Select::Party(p.id.clone()))?);
        files.push((
            format!("party/{}.html", p.id),
            pages::party_page(&at(1), p, &mine, &own, parties),
        ));
    }
    event_files(ledger, &at(1), covered, &mut files)?;
    let mut marker = format!("pactlog site as of {as_of}\n");
    for (path, _) in &files {
        marker.push_str(path);
        marker.push('\n');
    }
    files.push((MARKER.to_string(), marker));
    Ok(files)
}

/// Each event's page and, for those the newest signed checkpoint covers (the first
/// `covered` records), its inclusion proof.
fn event_files(
    ledger: &Ledger<SledStore>,
    links: &Links,
    covered: u64,
    files: &mut Vec<(String, String)>,
) -> Result<(), CliError> {
    let log = ledger.log(&Select::All)?;
    let mut successors: BTreeMap<&EventId, Vec<EventId>> = BTreeMap::new();
    for l in &log {
        if let Some(t) = &l.event.supersedes {
            successors.entry(t).or_default().push(l.event.id.clone());
        }
    }
    let parties = ledger.parties()?;
    for l in &log {
        let raw = ledger
            .raw(l.seq)?
            .ok_or_else(|| CliError::internal(format!("record {} is missing", l.seq)))?;
        let record = raw.decode()?;
        let facts = pages::EventRecord {
            seq: l.seq,
            hash: &raw.hash,
            recorded_at: &record.recorded_at,
            superseded_by: successors.get(&l.event.id).map_or(&[], Vec::as_slice),
            provable: l.seq.get() < covered,
        };
        let id = &l.event.id;
        files.push((
            format!("event/{id}.html"),
            pages::event_page(links, &l.event, &facts, parties),
        ));
        if facts.provable {
            let proof = ledger.inclusion_proof(l.seq).map_err(super::audit_error)?;
            files.push((format!("proof/{id}.txt"), proof.to_text()));
        }
    }
    Ok(())
}

/// Writes `files` into a new folder beside `target`, then puts it in `target`'s place
/// (the previous site, if any, is removed after).
fn write_site(target: &Path, files: &[(String, String)]) -> Result<(), CliError> {
    let io = |what: &Path, e: std::io::Error| {
        CliError::internal(format!("cannot write {}: {e}", what.display()))
    };
    let fresh = sibling(target, "partial")?;
    for (path, body) in files {
        let file = fresh.join(path);
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
            .and_then(|mut f| std::io::Write::write_all(&mut f, body.as_bytes()))
            .map_err(|e| io(&file, e))?;
    }
    let old = if fs::symlink_metadata(target).is_ok() {
        let old = sibling(target, "old")?;
        fs::remove_dir(&old).map_err(|e| io(&old, e))?;
        fs::rename(target, &old).map_err(|e| io(target, e))?;
        Some(old)
    } else {
        None
    };
    fs::rename(&fresh, target).map_err(|e| io(target, e))?;
    if let Some(old) = old {
        fs::remove_dir_all(&old).map_err(|e| io(&old, e))?;
    }
    Ok(())
}

/// A new, empty hidden folder beside `target`: `.NAME.<random>.<what>`.
fn sibling(target: &Path, what: &str) -> Result<PathBuf, CliError> {
    let name = target
        .file_name()
        .ok_or_else(|| CliError::user(format!("{} does not name a folder", target.display())))?
        .to_string_lossy()
        .into_owned();
    for _ in 0..8 {
        let mut random = [0u8; 8];
        getrandom::getrandom(&mut random).map_err(|e| CliError::internal(e.to_string()))?;
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let path = target.with_file_name(format!(".{name}.{suffix}.{what}"));
        match fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(CliError::user(format!(
                    "cannot write beside {}: {e}",
                    target.display()
                )));
            }
        }
    }
    Err(CliError::internal(format!(
        "cannot make a new folder beside {}",
        target.display()
    )))
}
