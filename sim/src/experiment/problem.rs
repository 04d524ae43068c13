//! What can be wrong with an experiment, typed: each problem names the key, its line (and
//! column) in the file when it came from one, and what was expected. Validation collects
//! every problem, so one run lists everything to fix.

use std::fmt;
use std::path::PathBuf;

/// One problem of an experiment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key path, `events[0].at_s` (`arbiter` for the whole table).
    pub key: String,
    /// 1-based line of the key in the file (none for a key the file does not have).
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.key)?;
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, " (line {l}, column {c})")?,
            (Some(l), None) => write!(f, " (line {l})")?,
            _ => {}
        }
        write!(f, ": {}", self.message)
    }
}

/// An experiment that does not validate: the file and every problem in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: invalid experiment:\n  {}", .file.display(), render(.problems))]
pub struct InvalidExperiment {
    /// The experiment file.
    pub file: PathBuf,
    /// Every problem found, in the order of the file's sections.
    pub problems: Vec<Problem>,
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}
