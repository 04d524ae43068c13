//! Why the viewer could not show a run.

use std::path::PathBuf;

use crate::experiment::ExperimentError;
use crate::plot::PlotError;

/// An error showing a live run or replaying a recorded one.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The experiment cannot be loaded, prepared or run.
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
    /// The run folder to replay cannot be read (boxed: keeps the error small).
    #[error(transparent)]
    RunFolder(Box<PlotError>),
    /// A run folder whose experiment file cannot be found again.
    #[error("cannot replay {}: {notes}", dir.display())]
    CannotReplay {
        /// The run folder.
        dir: PathBuf,
        /// What the folder's reader noted.
        notes: String,
    },
    /// The simulation thread could not start, or ended without a word.
    #[error("the simulation thread {0}")]
    Thread(&'static str),
    /// The simulation thread could not be spawned.
    #[error("cannot start the simulation thread")]
    Spawn(#[from] std::io::Error),
    /// The window (or the offscreen renderer) failed.
    #[error("{0}")]
    Window(String),
}

impl From<PlotError> for ViewError {
    fn from(e: PlotError) -> ViewError {
        ViewError::RunFolder(Box::new(e))
    }
}
