//! `--pair A B` and `--party A`: which relationships a reading command is about; and
//! `--as-of`, `--known-at`, `--at-size`: the three time axes of a query.

use super::{CliError, parse_day, party};
use clap::Args;
use pactlog::model::Day;
use pactlog::{Ledger, Query, Select, SledStore};

/// The day a query is for, what was known then, and which ledger prefix answers it.
#[derive(Args, Debug)]
pub struct AxesArgs {
    /// The day (YYYY-MM-DD)
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    as_of: Day,

    /// Only events disclosed on or before this day
    #[arg(long, value_name = "DAY", value_parser = parse_day)]
    known_at: Option<Day>,

    /// Only the ledger's first N records
    #[arg(long, value_name = "N")]
    at_size: Option<u64>,
}

impl AxesArgs {
    /// The query these axes ask.
    pub fn query(&self) -> Query {
        Query {
            as_of: self.as_of,
            known_at: self.known_at,
            at_size: self.at_size,
        }
    }
}

/// The relationships to show (every one when neither flag is given).
#[derive(Args, Debug)]
pub struct ScopeArgs {
    /// Only the relationship between A and B (ids, names or aliases, any case)
    #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with = "party")]
    pair: Option<Vec<String>>,

    /// Only the relationships of A
    #[arg(long, value_name = "A")]
    party: Option<String>,
}

impl ScopeArgs {
    /// The selection, with names resolved through the ledger's parties.
    pub fn select(&self, ledger: &Ledger<SledStore>) -> Result<Select, CliError> {
        Ok(match (&self.pair, &self.party) {
            (Some(p), _) => {
                let a = party(ledger, &p[0])?;
                let b = party(ledger, &p[1])?;
                if a == b {
                    return Err(CliError::user(format!(
                        "--pair needs two different parties; both name {a}"
                    )));
                }
                Select::Pair(a, b)
            }
            (None, Some(p)) => Select::Party(party(ledger, p)?),
            (None, None) => Select::All,
        })
    }
}
