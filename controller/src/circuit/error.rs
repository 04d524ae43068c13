//! What can be wrong with a circuit map: every problem names the file, the line (and
//! column) and the key, and says what was expected. Problems are collected, not stopped at
//! the first, so one run lists everything to fix.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a circuit map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the key (None when the key is absent from the file).
    pub line: Option<usize>,
    /// 1-based column (characters) of the key.
    pub column: Option<usize>,
    /// Key path, e.g. `sensor[2].left` or `readout[0].filter.tau_ms` (empty for the whole file).
    pub key: String,
    /// What was found and what was expected.
    pub message: String,
}

/// Why a circuit map could not be loaded, resolved or checked.
#[derive(Debug, thiserror::Error)]
pub enum CircuitError {
    /// The file could not be read.
    #[error("{}: cannot read the circuit map", .path.display())]
    Io {
        /// The map file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The map has problems (one line each in the message).
    #[error("{}", render(.file, .problems))]
    Invalid {
        /// The map file.
        file: PathBuf,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// The network could not be built or simulated (model parameters, rewiring).
    #[error("circuit check: {0}")]
    Check(String),
}

fn render(file: &Path, problems: &[Problem]) -> String {
    let mut out = String::new();
    for (k, p) in problems.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}", file.display()));
        if let Some(l) = p.line {
            out.push_str(&format!(", line {l}"));
            if let Some(c) = p.column {
                out.push_str(&format!(", column {c}"));
            }
        }
        if !p.key.is_empty() {
            out.push_str(&format!(", key `{}`", p.key));
        }
        out.push_str(&format!(": {}", p.message));
    }
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        write!(f, "`{}`: {}", self.key, self.message)
    }
}
