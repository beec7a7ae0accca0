//! The problems an import reports, bounded: a file with a million broken lines must
//! not print a million lines or hold them all in memory. Each file lists its first
//! [`MAX_FILE_PROBLEMS`]; the rest are counted and named by one closing line per file.

use super::Problem;
use std::collections::HashMap;
use std::path::PathBuf;

/// The most problems listed for one file. The first ones are what to fix; a file with
/// more has a systematic mistake that those show.
pub const MAX_FILE_PROBLEMS: usize = 100;

/// The problems an import found: those listed (at most [`MAX_FILE_PROBLEMS`] per file,
/// then one line per file saying how many more it has), and how many there are in all.
/// Reads as the list of problems shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems {
    listed: Vec<Problem>,
    total: usize,
}

impl Problems {
    /// Every problem found, listed or not (the closing lines are not counted).
    pub fn total(&self) -> usize {
        self.total
    }

    /// The problems shown, in order, with the closing line of each file that has more.
    pub fn into_vec(self) -> Vec<Problem> {
        self.listed
    }
}

impl std::ops::Deref for Problems {
    type Target = [Problem];

    fn deref(&self) -> &[Problem] {
        &self.listed
    }
}

impl From<Vec<Problem>> for Problems {
    /// Problems already bounded (a restore stops at its first few).
    fn from(listed: Vec<Problem>) -> Self {
        let total = listed.len();
        Problems { listed, total }
    }
}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.listed.iter()
    }
}

/// Problems as they are found: each file's first [`MAX_FILE_PROBLEMS`] kept, the rest
/// counted (with the line of the first one left out).
#[derive(Default)]
pub(super) struct Collect {
    listed: Vec<Problem>,
    files: HashMap<PathBuf, Tally>,
    /// Files in the order their first problem was met.
    order: Vec<PathBuf>,
    total: usize,
}

#[derive(Default)]
struct Tally {
    listed: usize,
    unlisted: usize,
    first_unlisted: usize,
}

impl Collect {
    pub(super) fn push(&mut self, p: Problem) {
        self.total += 1;
        let tally = match self.files.get_mut(&p.file) {
            Some(t) => t,
            None => {
                self.order.push(p.file.clone());
                self.files.entry(p.file.clone()).or_default()
            }
        };
        if tally.listed < MAX_FILE_PROBLEMS {
            tally.listed += 1;
            self.listed.push(p);
        } else {
            if tally.unlisted == 0 {
                tally.first_unlisted = p.line;
            }
            tally.unlisted += 1;
        }
    }

    pub(super) fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        problems.into_iter().for_each(|p| self.push(p));
    }

    /// Takes in what another collection found, keeping each file's bound.
    pub(super) fn append(&mut self, other: Collect) {
        let Collect {
            listed,
            mut files,
            order,
            ..
        } = other;
        self.extend(listed);
        for file in order {
            let Some(t) = files.remove(&file).filter(|t| t.unlisted > 0) else {
                continue;
            };
            self.total += t.unlisted;
            let mine = match self.files.get_mut(&file) {
                Some(m) => m,
                None => {
                    self.order.push(file.clone());
                    self.files.entry(file).or_default()
                }
            };
            if mine.unlisted == 0 {
                mine.first_unlisted = t.first_unlisted;
            }
            mine.unlisted += t.unlisted;
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The problems, each file that has more than it lists closed by a line saying
    /// how many more and where the first of them is.
    pub(super) fn finish(mut self) -> Problems {
        for file in &self.order {
            let t = &self.files[file];
            if t.unlisted == 0 {
                continue;
            }
            self.listed.push(Problem {
                file: file.clone(),
                line: t.first_unlisted,
                id: None,
                message: format!(
                    "{} more problem{} in this file not listed (each file lists its first \
                     {MAX_FILE_PROBLEMS}): fix those and check again",
                    t.unlisted,
                    if t.unlisted == 1 { "" } else { "s" }
                ),
            });
        }
        Problems {
            listed: self.listed,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(file: &str, line: usize) -> Problem {
        Problem {
            file: file.into(),
            line,
            id: None,
            message: format!("broken at {line}"),
        }
    }

    /// Each file keeps its first problems and one closing line; the total counts all.
    #[test]
    fn each_file_lists_its_first_problems_and_counts_the_rest() {
        let mut reading = Collect::default();
        reading.extend((1..=250).map(|l| problem("a.toml", l)));
        let mut all = Collect::default();
        all.push(problem("b.toml", 7));
        all.append(reading);
        all.extend((251..=260).map(|l| problem("a.toml", l)));
        let found = all.finish();
        assert_eq!(found.total(), 261);
        assert_eq!(found.len(), 1 + MAX_FILE_PROBLEMS + 1);
        let last = found.last().unwrap();
        assert_eq!(last.file, PathBuf::from("a.toml"));
        assert_eq!(last.line, MAX_FILE_PROBLEMS + 1);
        assert!(last.message.starts_with("160 more problems"), "{last}");
        assert_eq!(found[0].file, PathBuf::from("b.toml"));
    }
}
