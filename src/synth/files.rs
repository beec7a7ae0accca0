//! Synthetic events written as `events/*.toml` files, in the format `pactlog import` reads.

use super::values::ymd;
use crate::model::{Event, Money, Party, Payload, Source, TermRef};
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::Path;

/// Writes `parties` to `dir/parties.toml` and `events` to `dir/events-NNNN.toml`, at
/// most `per_file` events per file, in the format `pactlog import` reads.
///
/// Every file is created new: a file or a link already there of one of those names is
/// an error, never overwritten or written through.
///
/// # Errors
/// I/O errors creating or writing the files (`AlreadyExists` for a name taken).
pub fn write_event_files(
    dir: &Path,
    parties: &[Party],
    events: impl IntoIterator<Item = Event>,
    per_file: usize,
) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut out = io::BufWriter::new(create_new(&dir.join("parties.toml"))?);
    for p in parties {
        out.write_all(party_toml(p).as_bytes())?;
    }
    out.flush()?;
    let mut file = None;
    for (i, e) in events.into_iter().enumerate() {
        if i % per_file.max(1) == 0 {
            if let Some(mut f) = file.take() {
                io::Write::flush(&mut f)?;
            }
            let name = format!("events-{:04}.toml", i / per_file.max(1));
            file = Some(io::BufWriter::new(create_new(&dir.join(name))?));
        }
        if let Some(f) = file.as_mut() {
            f.write_all(event_toml(&e).as_bytes())?;
        }
    }
    if let Some(mut f) = file {
        f.flush()?;
    }
    Ok(())
}

/// A new file at `path` (`O_CREAT | O_EXCL`).
fn create_new(path: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// One `[[party]]` table, in the format `pactlog import` reads.
pub fn party_toml(p: &Party) -> String {
    let mut s = format!(
        "[[party]]\nid = {}\nname = {}\n",
        q(p.id.as_str()),
        q(&p.name)
    );
    if !p.aliases.is_empty() {
        let list: Vec<String> = p.aliases.iter().map(|a| q(a)).collect();
        let _ = writeln!(s, "aliases = [{}]", list.join(", "));
    }
    s.push('\n');
    s
}

/// A TOML basic string holding exactly `s`: quotes, backslashes and every control
/// character (which a basic string may not hold raw) escaped.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| q(&s)).collect();
    format!("[{}]", items.join(", "))
}

/// The `concerns` line of a legal event or statement, when it names any term.
fn concerns_line(s: &mut String, concerns: &[TermRef]) {
    if !concerns.is_empty() {
        let _ = writeln!(
            s,
            "concerns = {}",
            list(concerns.iter().map(|r| r.to_string()))
        );
    }
}

fn amount(m: &Money) -> String {
    q(&format!("{} {}", m.units, m.currency))
}

/// One `[[event]]` table, in the format `pactlog import` reads. Writing to a `String`
/// cannot fail, so results are ignored.
pub fn event_toml(e: &Event) -> String {
    let mut s = String::new();
    header_toml(&mut s, e);
    payload_fields_toml(&mut s, &e.payload);
    payload_tables_toml(&mut s, &e.payload);
    sources_toml(&mut s, &e.sources);
    s.push('\n');
    s
}

/// The fields every event has.
fn header_toml(s: &mut String, e: &Event) {
    let _ = writeln!(s, "[[event]]\nid = {}", q(e.id.as_str()));
    let _ = writeln!(s, "date = {}", q(e.date.as_str()));
    // An open-ended date has no latest day to default to: its disclosure is written out.
    if e.disclosed != e.date.latest() || e.date.has_open_end() {
        let _ = writeln!(s, "disclosed = {}", q(&ymd(e.disclosed)));
    }
    let _ = writeln!(s, "kind = {}", q(e.kind_name()));
    let _ = writeln!(s, "summary = {}", q(&e.summary));
    let _ = writeln!(s, "confidence = {}", q(e.confidence.as_str()));
    let _ = writeln!(
        s,
        "parties = {}",
        list(e.parties.iter().map(|p| p.to_string()))
    );
    if let Some(t) = &e.supersedes {
        let _ = writeln!(s, "supersedes = {}", q(t.as_str()));
    }
}

/// The payload's own fields, written before any table.
fn payload_fields_toml(s: &mut String, payload: &Payload) {
    match payload {
        Payload::Agreement { title, ends, .. } => {
            if let Some(t) = title {
                let _ = writeln!(s, "title = {}", q(t));
            }
            if !ends.is_empty() {
                let _ = writeln!(s, "ends = {}", list(ends.iter().map(|r| r.to_string())));
            }
        }
        Payload::TermEnded { ends, reason } => {
            let _ = writeln!(s, "ends = {}", list(ends.iter().map(|r| r.to_string())));
            if let Some(r) = reason {
                let _ = writeln!(s, "reason = {}", q(r));
            }
        }
        Payload::Legal {
            by,
            against,
            stage,
            claim,
            resolves,
            concerns,
            ..
        } => {
            let _ = writeln!(s, "by = {}", q(by.as_str()));
            let _ = writeln!(
                s,
                "against = {}",
                list(against.iter().map(|p| p.to_string()))
            );
            let _ = writeln!(s, "stage = {}", q(stage.as_str()));
            if let Some(c) = claim {
                let _ = writeln!(s, "claim = {}", q(c));
            }
            if let Some(r) = resolves {
                let _ = writeln!(s, "resolves = {}", q(r.as_str()));
            }
            concerns_line(s, concerns);
        }
        Payload::Statement {
            by,
            about,
            concerns,
        } => {
            let _ = writeln!(s, "by = {}", q(by.as_str()));
            if let Some(a) = about {
                let _ = writeln!(s, "about = {}", q(a.as_str()));
            }
            concerns_line(s, concerns);
        }
        Payload::ProductLaunch { by, product, stage } => {
            let _ = writeln!(s, "by = {}", q(by.as_str()));
            let _ = writeln!(s, "product = {}", q(product));
            let _ = writeln!(s, "stage = {}", q(stage.as_str()));
        }
        Payload::Payment { pays } => {
            let _ = writeln!(s, "pays = {}", list(pays.iter().map(|r| r.to_string())));
        }
        _ => {}
    }
}

/// The payload's tranches or terms, as tables.
fn payload_tables_toml(s: &mut String, payload: &Payload) {
    match payload {
        Payload::Investment { tranches } => {
            for t in tranches {
                let _ = writeln!(s, "\n[[event.tranche]]");
                if let Some(k) = &t.key {
                    let _ = writeln!(s, "key = {}", q(k.as_str()));
                }
                let _ = writeln!(s, "investor = {}", q(t.investor.as_str()));
                let _ = writeln!(s, "investee = {}", q(t.investee.as_str()));
                let _ = writeln!(s, "amount = {}", amount(&t.amount));
                if let Some(d) = &t.due {
                    let _ = writeln!(s, "due = {}", q(d.as_str()));
                }
                if let Some(c) = &t.condition {
                    let _ = writeln!(s, "condition = {}", q(c));
                }
                if let Some(d) = &t.lapses {
                    let _ = writeln!(s, "lapses = {}", q(d.as_str()));
                }
            }
        }
        Payload::Agreement { terms, .. } => {
            for t in terms {
                let _ = writeln!(s, "\n[[event.term]]");
                let _ = writeln!(s, "key = {}", q(t.key.as_str()));
                let _ = writeln!(s, "type = {}", q(t.kind.as_str()));
                let _ = writeln!(s, "grantor = {}", q(t.grantor.as_str()));
                let _ = writeln!(s, "holder = {}", q(t.holder.as_str()));
                let _ = writeln!(s, "scope = {}", q(t.scope.as_str()));
                let _ = writeln!(s, "exclusive = {}", t.exclusive);
                if let Some(m) = &t.amount {
                    let _ = writeln!(s, "amount = {}", amount(m));
                }
                if let Some(u) = &t.until {
                    let _ = writeln!(s, "until = {}", q(&u.to_string()));
                }
            }
        }
        _ => {}
    }
}

/// The `[[event.source]]` tables.
fn sources_toml(s: &mut String, sources: &[Source]) {
    for src in sources {
        let _ = writeln!(s, "\n[[event.source]]\nurl = {}", q(&src.url));
        if let Some(p) = &src.publisher {
            let _ = writeln!(s, "publisher = {}", q(p));
        }
        if let Some(d) = src.published {
            let _ = writeln!(s, "published = {}", q(&ymd(d)));
        }
    }
}
