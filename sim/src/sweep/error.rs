//! Why a sweep could not be planned, run or tabulated. A problem of the grid names the key
//! or flag and where it was given; a problem of a run names its grid point.

use std::path::PathBuf;

use crate::experiment::ExperimentError;
use crate::record::RecordError;

/// An error planning, running, locking or tabulating a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The grid (`[sweep]`, `--set`, `--seeds`, `--shard`) is not a valid sweep: the
    /// message names the key or flag, where it was given and what was expected.
    #[error("{0}")]
    Grid(String),
    /// The swept experiment file cannot be read or does not validate.
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
    /// A grid point's experiment (or its network) is not valid or cannot be loaded.
    #[error("{point}")]
    Point {
        /// The key values of the grid point, or the network being loaded.
        point: String,
        /// Why.
        #[source]
        source: Box<ExperimentError>,
    },
    /// A sweep folder's file cannot be read or written.
    #[error("{action} {}", path.display())]
    Io {
        /// What was being done, e.g. `cannot lock`.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A run folder's file cannot be written or read.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The sweep folder is locked by another sweep or shard: nothing was run.
    #[error(
        "{} is in use: {holder} is writing it now (wait for it to end, or sweep into another \
         folder); nothing was run",
        dir.display()
    )]
    Locked {
        /// The sweep folder.
        dir: PathBuf,
        /// Who holds it.
        holder: String,
    },
    /// `sweep.json` that is not this version's record, or of another sweep.
    #[error("{}: {message}", path.display())]
    SweepRecord {
        /// The file (or folder).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A table could not be assembled.
    #[error("cannot write {}", path.display())]
    Table {
        /// The table.
        path: PathBuf,
        /// Why.
        #[source]
        source: csv::Error,
    },
    /// A run panicked (a bug): the sweep goes on with the other runs.
    #[error("the run panicked: {0}")]
    Panicked(String),
    /// The worker threads could not be started.
    #[error("cannot start the worker threads")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

impl SweepError {
    pub(crate) fn grid(message: impl Into<String>) -> SweepError {
        SweepError::Grid(message.into())
    }
}
