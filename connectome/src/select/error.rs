//! What can go wrong parsing or evaluating a selector.

use std::path::PathBuf;

use crate::error::Location;

/// A selector that does not parse, or that does not fit the dataset it is applied to.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// The text is not a valid selector.
    #[error("selector `{input}`: at position {position}: expected {expected}, found {found}")]
    Parse {
        /// The whole selector text.
        input: String,
        /// 1-based character position of the problem.
        position: usize,
        /// What the parser expected there.
        expected: String,
        /// What it found (a quoted snippet or `end of input`).
        found: String,
    },
    /// A test names a column the dataset does not have.
    #[error("selector `{selector}`: this dataset has no column `{column}`; available: {available}")]
    UnknownColumn {
        /// The selector text.
        selector: String,
        /// The missing column.
        column: String,
        /// Columns that exist (plus the pseudo-columns `id` and `nt`), comma separated.
        available: String,
    },
    /// An `id=` test or an id file names a neuron that is not in the dataset.
    #[error("selector `{selector}`: neuron id {id}{} is not in this dataset", .at.as_ref().map(|l| format!(" ({l})")).unwrap_or_default())]
    UnknownId {
        /// The selector text.
        selector: String,
        /// The id.
        id: u64,
        /// The id file and line, when it came from `id@FILE`.
        at: Option<Location>,
    },
    /// An `id@FILE` file has a line that is not an id.
    #[error("{location}: expected one neuron id (an unsigned integer) per line, found `{found}`")]
    BadIdLine {
        /// File and line.
        location: Location,
        /// The line's text.
        found: String,
    },
    /// An `id@FILE` file could not be read.
    #[error("{}: cannot read id file", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}
