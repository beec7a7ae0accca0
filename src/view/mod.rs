//! What the answers look like: JSON for machines ([`json`]), CSV for spreadsheets
//! ([`csv`]) and text for people ([`text`]). One rendering per answer, called by the CLI
//! and by the server alike, so a query gives the same bytes in a terminal and over HTTP.

pub mod csv;
pub mod json;
pub mod text;

/// How an answer is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people
    Table,
    /// JSON
    Json,
    /// CSV (RFC 4180) with a header row, for spreadsheets
    Csv,
}

impl Format {
    /// The name users give (`--format NAME`, `format=NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }

    /// The media type of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Table => "text/plain; charset=utf-8",
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8; header=present",
        }
    }
}
