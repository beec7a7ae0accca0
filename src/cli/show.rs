//! `pactlog show`: one event in full, with its record's seq, hash and time.

use super::render::{event_json, json_text};
use super::{CliError, Code, Globals};
use clap::Args;
use pactlog::model::{EventId, Payload, Tranche, Until, escape};
use serde_json::json;

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
        let mut v = event_json(&e);
        v["seq"] = json!(seq.get());
        v["hash"] = json!(raw.hash.to_hex());
        v["recorded_at"] = json!(record.recorded_at.to_string());
        outln!("{}", json_text(&v)?)?;
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
    match &e.payload {
        Payload::Investment { tranches } => {
            if tranches.is_empty() {
                outln!("  tranches     (amount not disclosed)")?;
            }
            for t in tranches {
                outln!("  tranche      {}", tranche_line(t))?;
            }
        }
        Payload::Payment { pays } => {
            for r in pays {
                outln!("  pays         {r}")?;
            }
        }
        Payload::Agreement { title, terms, ends } => {
            if let Some(t) = title {
                outln!("  title        {}", escape(t))?;
            }
            for t in terms {
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
                outln!(
                    "  term         {}: {} {} -> {} on {} ({excl}{amount}; {until})",
                    t.key,
                    t.kind.as_str(),
                    t.grantor,
                    t.holder,
                    t.scope
                )?;
            }
            for r in ends {
                outln!("  ends         {r}")?;
            }
        }
        Payload::TermEnded { ends, reason } => {
            for r in ends {
                outln!("  ends         {r}")?;
            }
            if let Some(r) = reason {
                outln!("  reason       {}", escape(r))?;
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
            let against: Vec<&str> = against.iter().map(|p| p.as_str()).collect();
            outln!(
                "  legal        {by} against {} ({})",
                against.join(", "),
                stage.as_str()
            )?;
            if let Some(c) = claim {
                outln!("  claim        {}", escape(c))?;
            }
            if let Some(r) = resolves {
                outln!("  resolves     {r}")?;
            }
            for r in concerns {
                outln!("  concerns     {r}")?;
            }
        }
        Payload::Statement {
            by,
            about,
            concerns,
        } => {
            outln!("  by           {by}")?;
            if let Some(a) = about {
                outln!("  about        {a}")?;
            }
            for r in concerns {
                outln!("  concerns     {r}")?;
            }
        }
        Payload::ProductLaunch { by, product, stage } => {
            outln!(
                "  product      {} by {by} ({})",
                escape(product),
                stage.as_str()
            )?;
        }
        Payload::Announcement | Payload::Restructuring | Payload::Retraction | Payload::Other => {}
    }
    for s in &e.sources {
        let about: Vec<String> = s
            .publisher
            .iter()
            .map(|p| escape(p).into_owned())
            .chain(s.published.map(|d| d.to_string()))
            .collect();
        if about.is_empty() {
            outln!("  source       {}", escape(&s.url))?;
        } else {
            outln!("  source       {} ({})", escape(&s.url), about.join(", "))?;
        }
    }
    Ok(Code::Ok)
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
