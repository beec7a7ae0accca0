//! Reading typed fields out of a spanned TOML table, with every problem kept.

use super::Problem;
use crate::model::rules::{Place, Table};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Maps byte offsets of one file to 1-based line numbers.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    pub(crate) fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// One `[[event]]` or `[[party]]` table being read: hands out fields by name, records
/// problems with the field's line, and reports fields nobody asked for.
pub(crate) struct Fields<'t, 'i> {
    pub(crate) file: &'t Path,
    pub(crate) lines: &'t Lines,
    /// The table's own line (its header).
    pub(crate) line: usize,
    /// The id, once known, for messages.
    pub(crate) id: Option<String>,
    /// Where in the table we are ("term 2"), for messages.
    pub(crate) context: String,
    entries: BTreeMap<&'t str, &'t Spanned<DeValue<'i>>>,
    used: Vec<&'t str>,
    pub(crate) problems: Vec<Problem>,
}

impl<'t, 'i> Fields<'t, 'i> {
    pub(crate) fn new(
        file: &'t Path,
        lines: &'t Lines,
        line: usize,
        table: &'t DeTable<'i>,
    ) -> Fields<'t, 'i> {
        let entries = table
            .iter()
            .map(|(k, v)| (k.get_ref().as_ref(), v))
            .collect();
        Fields {
            file,
            lines,
            line,
            id: None,
            context: String::new(),
            entries,
            used: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// A nested table (a term, a tranche, a source) read with the same file and id.
    pub(crate) fn nested(
        &self,
        table: &'t DeTable<'i>,
        line: usize,
        context: String,
    ) -> Fields<'t, 'i> {
        let mut f = Fields::new(self.file, self.lines, line, table);
        f.id = self.id.clone();
        f.context = context;
        f
    }

    pub(crate) fn problem_at(&mut self, line: usize, message: impl Into<String>) {
        let message = message.into();
        let message = if self.context.is_empty() {
            message
        } else {
            format!("{}: {message}", self.context)
        };
        self.problems.push(Problem {
            file: self.file.to_path_buf(),
            line,
            id: self.id.clone(),
            message,
        });
    }

    pub(crate) fn problem(&mut self, message: impl Into<String>) {
        self.problem_at(self.line, message);
    }

    fn take(&mut self, key: &'t str) -> Option<&'t Spanned<DeValue<'i>>> {
        let v = self.entries.get(key).copied();
        if v.is_some() {
            self.used.push(key);
        }
        v
    }

    pub(crate) fn line_of(&self, v: &Spanned<DeValue<'_>>) -> usize {
        self.lines.line(v.span().start)
    }

    /// Whether the field is present (without using it).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// An optional string field, with its line.
    pub(crate) fn opt_str(&mut self, key: &'t str) -> Option<(String, usize)> {
        self.opt_str_hinted(key, "")
    }

    /// An optional string field whose type error ends with `hint` (what to write).
    pub(crate) fn opt_str_hinted(&mut self, key: &'t str, hint: &str) -> Option<(String, usize)> {
        let v = self.take(key)?;
        let line = self.line_of(v);
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), line)),
            other => {
                self.problem_at(
                    line,
                    format!("`{key}` must be a string, not {}{hint}", describe(other)),
                );
                None
            }
        }
    }

    /// A required string field.
    pub(crate) fn req_str(&mut self, key: &'t str) -> Option<(String, usize)> {
        if !self.has(key) {
            self.problem(format!("missing `{key}`"));
            return None;
        }
        self.opt_str(key)
    }

    /// A required day-like field (see [`Fields::opt_date_text`]).
    pub(crate) fn req_date_text(&mut self, key: &'t str) -> Option<(String, usize)> {
        if !self.has(key) {
            self.problem(format!("missing `{key}`"));
            return None;
        }
        self.opt_date_text(key)
    }

    /// An optional day-like field: a string, or a TOML local date (`2026-02-27` unquoted).
    pub(crate) fn opt_date_text(&mut self, key: &'t str) -> Option<(String, usize)> {
        let v = self.take(key)?;
        let line = self.line_of(v);
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), line)),
            DeValue::Datetime(d) if d.date.is_some() && d.time.is_none() => {
                Some((d.to_string(), line))
            }
            other => {
                self.problem_at(
                    line,
                    format!(
                        "`{key}` must be a date like \"2026-02-27\", not {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }

    /// An optional boolean.
    pub(crate) fn opt_bool(&mut self, key: &'t str) -> Option<bool> {
        let v = self.take(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                let line = self.line_of(v);
                self.problem_at(
                    line,
                    format!("`{key}` must be true or false, not {}", describe(other)),
                );
                None
            }
        }
    }

    /// An optional array of strings (a single string is accepted as a one-item list).
    pub(crate) fn opt_str_list(&mut self, key: &'t str) -> Option<(Vec<String>, usize)> {
        let v = self.take(key)?;
        let line = self.line_of(v);
        match v.get_ref() {
            DeValue::String(s) => Some((vec![s.to_string()], line)),
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item.get_ref() {
                        DeValue::String(s) => out.push(s.to_string()),
                        other => {
                            self.problem_at(
                                line,
                                format!("`{key}` must list strings, but holds {}", describe(other)),
                            );
                            return None;
                        }
                    }
                }
                Some((out, line))
            }
            other => {
                self.problem_at(
                    line,
                    format!("`{key}` must be a list of strings, not {}", describe(other)),
                );
                None
            }
        }
    }

    /// An optional array of tables (`[[event.term]]`), each with its line.
    pub(crate) fn opt_tables(&mut self, key: &'t str) -> Vec<(&'t DeTable<'i>, usize)> {
        let Some(v) = self.take(key) else {
            return Vec::new();
        };
        let line = self.line_of(v);
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item.get_ref() {
                        DeValue::Table(t) => out.push((t, self.lines.line(item.span().start))),
                        other => self.problem_at(
                            line,
                            format!("`{key}` must hold tables, but holds {}", describe(other)),
                        ),
                    }
                }
                out
            }
            DeValue::Table(t) => vec![(t, line)],
            other => {
                self.problem_at(
                    line,
                    format!(
                        "`{key}` must be tables ([[event.{key}]]), not {}",
                        describe(other)
                    ),
                );
                Vec::new()
            }
        }
    }

    /// Reports every field that was not read: unknown, or not allowed for this kind.
    pub(crate) fn finish(&mut self, allowed_hint: &str) {
        let unused: Vec<(&str, usize)> = self
            .entries
            .iter()
            .filter(|(k, _)| !self.used.contains(k))
            .map(|(k, v)| (*k, self.lines.line(v.span().start)))
            .collect();
        for (key, line) in unused {
            self.problem_at(
                line,
                format!(
                    "unexpected field `{}`{allowed_hint}",
                    crate::model::shorten(key)
                ),
            );
        }
    }
}

/// A short description of a TOML value's type, for messages.
pub(crate) fn describe(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The line of `place` in the `[[event]]` or `[[party]]` table `table` whose header is
/// on `line`: the line of the field at fault, else of its nested table, else `line`.
pub(crate) fn line_of(lines: &Lines, table: &DeTable<'_>, line: usize, place: Place) -> usize {
    fn get<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
        t.iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }
    let (nested, n) = match place.table {
        Table::Own => (None, 0),
        Table::Source(n) => (Some("source"), n),
        Table::Tranche(n) => (Some("tranche"), n),
        Table::Term(n) => (Some("term"), n),
    };
    let (table, line) = match nested.and_then(|key| get(table, key)) {
        None => (table, line),
        Some(v) => match v.get_ref() {
            DeValue::Array(items) => match items.get(n).map(|i| (i, i.get_ref())) {
                Some((item, DeValue::Table(t))) => (t, lines.line(item.span().start)),
                _ => return line,
            },
            DeValue::Table(t) if n == 0 => (t, lines.line(v.span().start)),
            _ => return line,
        },
    };
    place
        .key
        .and_then(|key| get(table, key))
        .map_or(line, |v| lines.line(v.span().start))
}
