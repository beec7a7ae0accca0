//! Who holds what on a day, as a graph: parties are nodes; terms in force (exclusive or
//! not), money by status and open disputes are labelled edges. Written as Graphviz DOT
//! or as a Mermaid flowchart, from a `state` answer.

use pactlog::model::{PartyId, PartyRegistry};
use pactlog::{StateAnswer, investment_totals};
use std::collections::BTreeSet;
use std::fmt::Write;

/// What an edge stands for (and how it is drawn).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// An exclusive term in force: grantor to holder, solid and bold.
    Exclusive,
    /// A non-exclusive term in force: grantor to holder, dashed.
    NonExclusive,
    /// Money from investor to investee, one edge per status and currency.
    Money,
    /// An open dispute: from who threatens or acts to whom it is against.
    Dispute,
}

/// One labelled edge.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// Where it starts.
    pub from: PartyId,
    /// Where it ends.
    pub to: PartyId,
    /// What it stands for.
    pub kind: EdgeKind,
    /// Its text.
    pub label: String,
}

/// Every edge of the graph of `state`, in a stable order.
pub fn edges(state: &StateAnswer) -> Vec<Edge> {
    let mut out = Vec::new();
    for r in &state.relationships {
        for t in &r.terms {
            let (kind, word) = if t.exclusive {
                (EdgeKind::Exclusive, "exclusive")
            } else {
                (EdgeKind::NonExclusive, "non-exclusive")
            };
            out.push(Edge {
                from: t.grantor.clone(),
                to: t.holder.clone(),
                kind,
                label: format!("{word} {} {}", t.kind.as_str(), t.scope),
            });
        }
        let mut flows: BTreeSet<(&PartyId, &PartyId)> = BTreeSet::new();
        for i in &r.investments {
            flows.insert((&i.investor, &i.investee));
        }
        for (from, to) in flows {
            let theirs: Vec<_> = r
                .investments
                .iter()
                .filter(|i| &i.investor == from && &i.investee == to)
                .cloned()
                .collect();
            for (currency, statuses) in investment_totals(&theirs) {
                for (status, units) in statuses {
                    out.push(Edge {
                        from: from.clone(),
                        to: to.clone(),
                        kind: EdgeKind::Money,
                        label: format!("{} {currency} {}", short_units(units), status.as_str()),
                    });
                }
            }
        }
        for d in &r.disputes {
            let to = if d.by == r.parties.0 {
                &r.parties.1
            } else {
                &r.parties.0
            };
            out.push(Edge {
                from: d.by.clone(),
                to: to.clone(),
                kind: EdgeKind::Dispute,
                label: format!("dispute: {} ({})", d.stage.as_str(), d.confidence.as_str()),
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// An amount in whole units with the suffix `Money::short` uses (T, B, M, K) when exact.
fn short_units(units: u128) -> String {
    for (zeros, suffix) in [(12u32, "T"), (9, "B"), (6, "M"), (3, "K")] {
        let scale = 10u128.pow(zeros);
        if units < scale {
            continue;
        }
        if !units.is_multiple_of(scale / 1000) {
            break;
        }
        let whole = units / scale;
        let frac = format!("{:03}", (units % scale) / (scale / 1000));
        let frac = frac.trim_end_matches('0');
        return if frac.is_empty() {
            format!("{whole}{suffix}")
        } else {
            format!("{whole}.{frac}{suffix}")
        };
    }
    units.to_string()
}

/// The parties the edges name, with their names.
fn nodes<'a>(edges: &'a [Edge], parties: &'a PartyRegistry) -> Vec<(&'a PartyId, &'a str)> {
    let ids: BTreeSet<&PartyId> = edges.iter().flat_map(|e| [&e.from, &e.to]).collect();
    ids.into_iter()
        .map(|id| (id, parties.get(id).map_or(id.as_str(), |p| p.name.as_str())))
        .collect()
}

/// `text` as the inside of a DOT double-quoted string.
pub fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The graph in Graphviz DOT.
pub fn dot(state: &StateAnswer, parties: &PartyRegistry) -> String {
    let edges = edges(state);
    let mut out = format!(
        "digraph pactlog {{\n  label=\"Who holds what as of {}\";\n  rankdir=LR;\n  \
         node [shape=box, style=rounded];\n",
        state.query.as_of
    );
    for (id, name) in nodes(&edges, parties) {
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\"];",
            dot_quote(id.as_str()),
            dot_quote(name)
        );
    }
    for e in &edges {
        let style = match e.kind {
            EdgeKind::Exclusive => "style=bold, color=\"#1f4e99\"",
            EdgeKind::NonExclusive => "style=dashed, color=\"#4a7fc9\"",
            EdgeKind::Money => "color=\"#2e7d32\"",
            EdgeKind::Dispute => "style=dotted, color=\"#b71c1c\"",
        };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\", {style}];",
            dot_quote(e.from.as_str()),
            dot_quote(e.to.as_str()),
            dot_quote(&e.label)
        );
    }
    out.push_str("}\n");
    out
}

/// `text` as a Mermaid label: every character but letters, digits, spaces and plain
/// punctuation becomes an entity code (`#35;`), so no label can end its string or
/// start markup.
pub fn mermaid_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || " .,:()/_-+".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

/// A Mermaid node id for a party (ids are `[a-z0-9-]+`, so `_` for `-` is unique).
fn mermaid_id(id: &PartyId) -> String {
    format!("p_{}", id.as_str().replace('-', "_"))
}

/// The graph as a Mermaid flowchart.
pub fn mermaid(state: &StateAnswer, parties: &PartyRegistry) -> String {
    let edges = edges(state);
    let mut out = format!(
        "---\ntitle: Who holds what as of {}\n---\nflowchart LR\n",
        state.query.as_of
    );
    for (id, name) in nodes(&edges, parties) {
        let _ = writeln!(out, "  {}[\"{}\"]", mermaid_id(id), mermaid_quote(name));
    }
    for e in &edges {
        let arrow = match e.kind {
            EdgeKind::Exclusive => "==>",
            EdgeKind::NonExclusive | EdgeKind::Dispute => "-.->",
            EdgeKind::Money => "-->",
        };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            mermaid_id(&e.from),
            mermaid_quote(&e.label),
            mermaid_id(&e.to)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_labels_inside_their_strings() {
        assert_eq!(dot_quote("a \"b\" \\ c\nd"), "a \\\"b\\\" \\\\ c\\nd");
        assert_eq!(mermaid_quote("x\"]|<y>"), "x#34;#93;#124;#60;y#62;");
        assert_eq!(short_units(11_600_000_000), "11.6B");
        assert_eq!(short_units(1_000), "1K");
        assert_eq!(short_units(1_234_567), "1234567");
    }
}
