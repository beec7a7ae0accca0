//! Pages and pictures: the library's answers as HTML pages with inline SVG timelines
//! ([`pages`], [`timeline`]) and as DOT or Mermaid graphs ([`graph`]). Pure functions of
//! the answers, with no I/O and no HTTP: `pactlog serve` sends these pages, `pactlog
//! site` writes them to files, `pactlog graph` prints the graphs.
//!
//! Every asset is embedded in the binary ([`STYLE`]); pages make no request to any other
//! host and work without JavaScript (links, forms and query strings). Every text that
//! comes from events is escaped by [`html::esc`].

pub mod graph;
pub mod html;
pub mod links;
pub mod pages;
pub mod timeline;

/// The style sheet every page links to (`assets/style.css`).
pub const STYLE: &str = include_str!("style.css");

use pactlog::Timestamp;
use pactlog::model::Day;

/// The UTC day of an instant: the day pages are for when none is asked.
pub fn day_of(t: Timestamp) -> Day {
    // Timestamps the clock gives are within the calendar, so the days fit an i32;
    // `from_days` clamps anything else.
    let days = t.unix().div_euclid(86_400);
    Day::from_days(i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX }))
}
