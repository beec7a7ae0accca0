//! `pactlog conflicts`: terms in force that collide on a day, and the claims about them.

use super::render::{answer_heading, conflict_json, json_text, receipt_json, term_line};
use super::scope::{AxesArgs, ScopeArgs};
use super::state::query_error;
use super::{CliError, Code, Globals};
use clap::Args;
use pactlog::ConflictAnswer;
use serde_json::{Value, json};

/// List terms in force that collide on a day, with the claims about them
///
/// Kinds, each between two terms in force on --as-of:
///   overlap    same grantor, different holders, at least one exclusive, and scopes
///              equal or one a prefix of the other segment by segment (cloud.api
///              overlaps cloud.api.stateless, not cloud.apis);
///   contested  named together in the `concerns` of one legal event or statement that
///              counts, whatever their scopes (the parties disagree on whether they
///              collide); a settled claim still shows, marked closed;
///   adjacent   both exclusive, same grantor, different holders, sibling scopes
///              (cloud.api.stateless and cloud.api.stateful): not a collision by the
///              paths, but where disputes come from.
/// Each conflict lists every legal event or statement that names either term, with its
/// stage, confidence and whether it is still open (a statement is neither: "-").
///
/// The time axes (--as-of, --known-at, --at-size) and the receipt are those of `state`.
/// With --pair or --party, a conflict is listed when either term's grantor and holder
/// are selected. Exits 0 whether or not there are conflicts.
///
/// Examples:
///   pactlog conflicts --as-of 2026-03-20 --party openai
///   pactlog conflicts --as-of 2026-03-20 --known-at 2026-03-01 --pair openai amazon --json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ConflictsArgs {
    #[command(flatten)]
    axes: AxesArgs,

    #[command(flatten)]
    scope: ScopeArgs,

    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run_conflicts(g: &Globals, args: ConflictsArgs) -> Result<Code, CliError> {
    let ledger = g.open_existing()?;
    let select = args.scope.select(&ledger)?;
    let answer = ledger
        .conflicts(args.axes.query(), &select)
        .map_err(query_error)?;
    if args.json {
        outln!("{}", json_text(&conflicts_json(&answer))?)?;
    } else {
        out!("{}", conflicts_text(&answer))?;
    }
    Ok(Code::Ok)
}

fn conflicts_json(a: &ConflictAnswer) -> Value {
    json!({
        "as_of": a.query.as_of.to_string(),
        "known_at": a.query.known_at.map(|d| d.to_string()),
        "at_size": a.query.at_size,
        "receipt": receipt_json(&a.receipt),
        "conflicts": a.conflicts.iter().map(conflict_json).collect::<Vec<_>>(),
    })
}

/// One block per conflict, one line per field.
fn conflicts_text(a: &ConflictAnswer) -> String {
    let mut out = answer_heading("Conflicts", &a.query, &a.receipt);
    if a.conflicts.is_empty() {
        out.push_str("\nno conflicts between terms in force\n");
    }
    for (n, c) in a.conflicts.iter().enumerate() {
        out.push_str(&format!("\nconflict {}: {}\n", n + 1, c.kind.as_str()));
        match &c.grantor {
            Some(g) => out.push_str(&format!("  grantor   {g}\n")),
            None => out.push_str("  grantor   (the terms have different grantors)\n"),
        }
        for t in &c.terms {
            out.push_str(&format!("  term      {}\n", term_line(t)));
        }
        if c.disputes.is_empty() {
            out.push_str("  disputes  none\n");
        }
        for d in &c.disputes {
            let stage = d.stage.map_or("statement", |s| s.as_str());
            let open = match d.open {
                Some(true) => "open",
                Some(false) => "closed",
                None => "-",
            };
            out.push_str(&format!(
                "  dispute   {} by {}  stage {stage}  confidence {}  {open}\n",
                d.event,
                d.by,
                d.confidence.as_str()
            ));
        }
    }
    out
}
