//! Errors from reading user data: every one names the file and, where it applies, the line
//! and column, and says what was expected.

use std::fmt;
use std::path::PathBuf;

/// Where in a source a problem was found. Lines are 1-based and count the header line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file (for a member of a zip: `archive.zip!member.csv`).
    pub file: PathBuf,
    /// 1-based line, if known.
    pub line: Option<u64>,
    /// Column name (or 1-based index written as `#3`), if known.
    pub column: Option<String>,
}

impl Location {
    /// A location naming only a file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            line: None,
            column: None,
        }
    }
    /// This location at a line.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }
    /// This location at a column.
    pub fn at_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column `{col}`")?;
        }
        Ok(())
    }
}

/// Anything that can go wrong turning files into a [`crate::Connectome`].
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be opened or read.
    // The cause is the error's `source()`, printed by the CLI's `{:#}` chain; repeating it
    // in the message would print it twice.
    #[error("{location}: cannot read")]
    Io {
        /// Where (boxed: keeps `Result<_, LoadError>` small on the hot paths).
        location: Box<Location>,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The content does not have the shape we expected.
    #[error("{location}: {message}")]
    Invalid {
        /// Where (boxed: keeps `Result<_, LoadError>` small on the hot paths).
        location: Box<Location>,
        /// What was found and what was expected.
        message: String,
    },
    /// A required column is absent.
    #[error("{location}: missing column `{column}` (found columns: {found}); expected {expected}")]
    MissingColumn {
        /// Where (the header line).
        location: Box<Location>,
        /// The column that was looked for.
        column: String,
        /// The columns that are present, comma separated.
        found: String,
        /// A description of the expected layout.
        expected: String,
    },
    /// The path's format could not be recognised.
    #[error(
        "{path}: cannot tell the dataset format ({reason}); pass --format with one of: {known}"
    )]
    UnknownFormat {
        /// The path.
        path: PathBuf,
        /// Why detection failed.
        reason: String,
        /// The known format names.
        known: String,
    },
    /// A `dataset:` reference in a file that cannot be resolved (unknown dataset, or not
    /// installed in the data directory: the message names the `hexafly fetch` command).
    // The cause is the error's `source()` (see `Io`).
    #[error("{}: a dataset it names is not available", .file.display())]
    Dataset {
        /// The file that holds the reference.
        file: PathBuf,
        /// Why it does not resolve.
        #[source]
        source: crate::datasets::DatasetError,
    },
    /// A dataset file that should be there is not.
    #[error("{path}: not found; {hint}")]
    NotFound {
        /// The missing path.
        path: PathBuf,
        /// What to do about it.
        hint: String,
    },
}

impl LoadError {
    /// Resolves a path written in `file` (whose directory is `base`): a `dataset:`
    /// reference in the data directory of `opts`, else relative to `base`.
    pub fn resolve(
        file: &std::path::Path,
        base: &std::path::Path,
        written: &std::path::Path,
        opts: &crate::formats::LoadParams,
    ) -> Result<PathBuf, LoadError> {
        crate::datasets::resolve(written, base, opts.data_dir.as_deref()).map_err(|source| {
            LoadError::Dataset {
                file: file.to_path_buf(),
                source,
            }
        })
    }
    /// An [`LoadError::Invalid`] at a location.
    pub fn invalid(location: Location, message: impl Into<String>) -> Self {
        LoadError::Invalid {
            location: Box::new(location),
            message: message.into(),
        }
    }
    /// An [`LoadError::Io`] for a file.
    pub fn io(file: impl Into<PathBuf>, source: std::io::Error) -> Self {
        LoadError::Io {
            location: Box::new(Location::file(file)),
            source,
        }
    }
}
