//! What the answers look like: JSON for machines ([`json`]), CSV for spreadsheets
//! ([`csv`]) and text for people ([`text`]). One rendering per answer, called by the CLI
//! and by the server alike, so a query gives the same bytes in a terminal and over HTTP.

pub mod csv;
pub mod json;
pub mod text;
