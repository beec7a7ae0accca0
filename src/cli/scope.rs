//! `--pair A B` and `--party A`: which relationships a reading command is about.

use super::{CliError, party};
use clap::Args;
use pactlog::{Ledger, Select, SledStore};

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
