//! `pactlog graph`: who holds what on a day, as a Graphviz DOT or Mermaid graph.

use super::scope::AxesArgs;
use super::state::query_error;
use super::{CliError, Code, Globals, party};
use crate::web::graph::{dot, mermaid};
use clap::{Args, ValueEnum};
use pactlog::Select;

/// Draw who holds what on a day: parties as nodes, terms, money and disputes as edges
///
/// Edges, each labelled:
///   exclusive      an exclusive term in force, grantor -> holder (bold)
///   non-exclusive  a non-exclusive term in force, grantor -> holder (dashed)
///   money          the tranches from investor -> investee, one edge per status and
///                  currency, with the total (paid, scheduled, unreported, overdue,
///                  conditional, lapsed)
///   dispute        an open dispute, from who threatens or acts to whom it is against,
///                  with its stage and confidence (dotted)
/// With --party, only the relationships of that party.
///
/// Examples:
///   pactlog graph --as-of 2026-03-20 --format dot | dot -Tsvg > graph.svg
///   pactlog graph --as-of 2026-03-20 --party openai --format mermaid
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct GraphArgs {
    #[command(flatten)]
    axes: AxesArgs,

    /// Only the relationships of A (an id, name or alias, any case)
    #[arg(long, value_name = "A")]
    party: Option<String>,

    /// The graph language
    #[arg(long, value_enum, default_value = "dot")]
    format: GraphFormat,
}

/// A graph language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    /// Graphviz DOT
    Dot,
    /// A Mermaid flowchart
    Mermaid,
}

pub fn run_graph(g: &Globals, args: GraphArgs) -> Result<Code, CliError> {
    let ledger = g.open_existing()?;
    let select = match &args.party {
        Some(p) => Select::Party(party(&ledger, p)?),
        None => Select::All,
    };
    let state = ledger
        .state(args.axes.query(), &select)
        .map_err(query_error)?;
    let parties = ledger.parties()?;
    match args.format {
        GraphFormat::Dot => out!("{}", dot(&state, parties))?,
        GraphFormat::Mermaid => out!("{}", mermaid(&state, parties))?,
    }
    Ok(Code::Ok)
}
