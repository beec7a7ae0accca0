//! `--format table|json|csv` and its short form `--json`, for the reading commands.

use super::CliError;
pub use crate::view::Format;
use clap::Args;

/// The output format options.
#[derive(Args, Debug)]
pub struct FormatArgs {
    /// Output format [default: table]. CSV follows RFC 4180 (CRLF line ends, fields with
    /// a comma, quote or line break quoted) with a header row; a cell that begins with
    /// = + - @ (or a tab or carriage return) gets a leading ' so that a spreadsheet does
    /// not run it as a formula
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<Format>,

    /// Print JSON (short for --format json)
    #[arg(long)]
    json: bool,
}

impl FormatArgs {
    /// The format asked for; `--json` with another `--format` is a usage error.
    pub fn format(&self) -> Result<Format, CliError> {
        match (self.json, self.format) {
            (false, f) => Ok(f.unwrap_or(Format::Table)),
            (true, None | Some(Format::Json)) => Ok(Format::Json),
            (true, Some(other)) => Err(CliError::user(format!(
                "--json is short for --format json: it cannot be combined with --format {}",
                other.name()
            ))),
        }
    }
}
