//! `pactlog show`: one event in full, with its record's seq, hash and time.

use super::{CliError, Code, Globals};
use crate::view::json::{json_text, show_json};
use clap::Args;
use pactlog::model::{EventId, Payload, Source, Term, Tranche, Until, escape};

/// Show one event in full
///
/// Prints its record (seq, chain hash, recorded_at), dates, parties, what its kind
/// carries (tranches, terms, legal stage...), and its sources.
///
/// Examples:
///   pactlog show 2026-02-27-amazon-invests-50b-in-openai
///   pactlog show 2026-02-27-amazon-invests-50b-in-openai --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// The event id
    id: String,

    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run_show(g: &Globals, args: ShowArgs) -> Result<Code, CliError> {
    let id = EventId::new(&args.id).map_err(|e| CliError::user(e.to_string()))?;
    let ledger = g.open_existing()?;
    let Some(seq) = ledger.event_seq(&id)? else {
        return Err(CliError::user(format!(
            "no event {id} in the ledger (try `pactlog log` to list events)"
        )));
    };
    let raw = ledger
        .raw(seq)?
        .ok_or_else(|| CliError::internal(format!("record {seq} is missing")))?;
    let record = raw.decode()?;
    let e = ledger.event_at(seq)?;
    if args.json {
        outln!(
            "{}",
            json_text(&show_json(&e, seq, &raw.hash, &record.recorded_at))
        )?;
        return Ok(Code::Ok);
    }
    let parties: Vec<&str> = e.parties.iter().map(|p| p.as_str()).collect();
    outln!("{}", e.id)?;
    outln!("  record       {} (recorded {})", seq, record.recorded_at)?;
    outln!("  hash         {}", raw.hash)?;
    outln!("  kind         {}", e.kind_name())?;
    outln!(
        "  date         {} [{} .. {}]",
        e.date,
        e.date.earliest(),
        e.date.latest()
    )?;
    outln!("  disclosed    {}", e.disclosed)?;
    outln!("  confidence   {}", e.confidence.as_str())?;
    outln!("  parties      {}", parties.join(", "))?;
    if let Some(s) = &e.supersedes {
        outln!("  supersedes   {s}")?;
    }
    outln!("  summary      {}", escape(&e.summary))?;
    for line in payload_lines(&e.payload)
        .into_iter()
        .chain(source_lines(&e.sources))
    {
        outln!("{line}")?;
    }
    Ok(Code::Ok)
}

/// The lines of a payload's own fields, text from input escaped.
fn payload_lines(payload: &Payload) -> Vec<String> {
    let mut out = Vec::new();
    match payload {
        Payload::Investment { tranches } => {
            if tranches.is_empty() {
                out.push("  tranches     (amount not disclosed)".to_string());
            }
            for t in tranches {
                out.push(format!("  tranche      {}", tranche_line(t)));
            }
        }
        Payload::Payment { pays } => {
            for r in pays {
                out.push(format!("  pays         {r}"));
            }
        }
        Payload::Agreement { title, terms, ends } => {
            if let Some(t) = title {
                out.push(format!("  title        {}", escape(t)));
            }
            out.extend(terms.iter().map(term_line));
            for r in ends {
                out.push(format!("  ends         {r}"));
            }
        }
        Payload::TermEnded { ends, reason } => {
            for r in ends {
                out.push(format!("  ends         {r}"));
            }
            if let Some(r) = reason {
                out.push(format!("  reason       {}", escape(r)));
            }
        }
        Payload::Legal { .. } => out.extend(legal_lines(payload)),
        Payload::Statement {
            by,
            about,
            concerns,
        } => {
            out.push(format!("  by           {by}"));
            if let Some(a) = about {
                out.push(format!("  about        {a}"));
            }
            for r in concerns {
                out.push(format!("  concerns     {r}"));
            }
        }
        Payload::ProductLaunch { by, product, stage } => {
            out.push(format!(
                "  product      {} by {by} ({})",
                escape(product),
                stage.as_str()
            ));
        }
        Payload::Announcement | Payload::Restructuring | Payload::Retraction | Payload::Other => {}
    }
    out
}

/// The lines of an event's sources.
fn source_lines(sources: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    for s in sources {
        let about: Vec<String> = s
            .publisher
            .iter()
            .map(|p| escape(p).into_owned())
            .chain(s.published.map(|d| d.to_string()))
            .collect();
        if about.is_empty() {
            out.push(format!("  source       {}", escape(&s.url)));
        } else {
            out.push(format!(
                "  source       {} ({})",
                escape(&s.url),
                about.join(", ")
            ));
        }
    }
    out
}

/// The lines of a legal event's fields (nothing for another payload).
fn legal_lines(payload: &Payload) -> Vec<String> {
    let Payload::Legal {
        by,
        against,
        stage,
        claim,
        resolves,
        concerns,
        ..
    } = payload
    else {
        return Vec::new();
    };
    let against: Vec<&str> = against.iter().map(|p| p.as_str()).collect();
    let mut out = vec![format!(
        "  legal        {by} against {} ({})",
        against.join(", "),
        stage.as_str()
    )];
    if let Some(c) = claim {
        out.push(format!("  claim        {}", escape(c)));
    }
    if let Some(r) = resolves {
        out.push(format!("  resolves     {r}"));
    }
    out.extend(concerns.iter().map(|r| format!("  concerns     {r}")));
    out
}

/// One granted term as recorded: key, type, grantor and holder, scope, exclusivity,
/// amount and until.
fn term_line(t: &Term) -> String {
    let until = match &t.until {
        None => "no end date".to_string(),
        Some(Until::Date(d)) => format!("until {d}"),
        Some(Until::Condition(c)) => format!("until: {}", escape(c)),
    };
    let excl = if t.exclusive {
        "exclusive"
    } else {
        "non-exclusive"
    };
    let amount = t
        .amount
        .map(|a| format!(", {}", a.short()))
        .unwrap_or_default();
    format!(
        "  term         {}: {} {} -> {} on {} ({excl}{amount}; {until})",
        t.key,
        t.kind.as_str(),
        t.grantor,
        t.holder,
        t.scope
    )
}

/// One tranche as recorded: its key, parties, amount and what it waits for (a payment is
/// recorded by its own event; `state` says whether one counts on a day).
fn tranche_line(t: &Tranche) -> String {
    let key = t.key.as_ref().map(|k| format!("{k}: ")).unwrap_or_default();
    let mut terms = Vec::new();
    if let Some(d) = &t.due {
        terms.push(format!("due {d}"));
    }
    if let Some(c) = &t.condition {
        terms.push(format!("conditional: {}", escape(c)));
    }
    if let Some(l) = &t.lapses {
        terms.push(format!("lapses {l}"));
    }
    if terms.is_empty() {
        terms.push("paid".to_string());
    }
    format!(
        "{key}{} -> {}: {} ({})",
        t.investor,
        t.investee,
        t.amount.short(),
        terms.join("; ")
    )
}
