//! Why an experiment could not be read, prepared or run. Each variant names the file, the
//! key (with its line where the file has it) or the output at fault; the underlying error
//! is its source, so the printed chain reads `loading X (network.connectome): ...`.

use std::path::PathBuf;

use connectome::select::SelectError;
use connectome::source::SourceError;

use super::file::MAX_FILE_BYTES;
use super::problem::InvalidExperiment;
use crate::body::BodyError;
use crate::closed_loop::{LoopError, TickMismatch};
use crate::record::RecordError;
use crate::world::SceneError;

/// An error reading, preparing or running an experiment.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// The experiment file cannot be read.
    #[error("cannot read experiment file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file far larger than any experiment (a 58 MB file took 1.6 GB to parse).
    #[error(
        "{}: {bytes} bytes; an experiment file is at most {MAX_FILE_BYTES} bytes (is this an \
         experiment file?)",
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// The text is not TOML of an experiment's shape (the parser's message, lines clipped).
    #[error("{}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Where and what, as the TOML parser says.
        message: String,
    },
    /// Values out of range or inconsistent: every problem, each with its key and line.
    #[error(transparent)]
    Invalid(#[from] InvalidExperiment),
    /// A value set by key path ([`super::Experiment::set`]) that cannot be set there.
    #[error("{}: {message}", file.display())]
    Set {
        /// The experiment file.
        file: PathBuf,
        /// The key and what is wrong.
        message: String,
    },
    /// A dataset (connectome or annotations) that cannot be loaded.
    #[error("{what}")]
    Dataset {
        /// Which key and which path.
        what: String,
        /// Why (boxed: keeps the error small).
        #[source]
        source: Box<SourceError>,
    },
    /// A dataset the experiment needs is not installed.
    #[error(
        "{}: a dataset it needs is not installed; `hexafly fetch --for {}` installs every \
         dataset this experiment needs",
        file.display(),
        file.display()
    )]
    NotInstalled {
        /// The experiment file.
        file: PathBuf,
        /// Which dataset, and where it was looked for.
        #[source]
        source: Box<ExperimentError>,
    },
    /// The circuit map cannot be read or does not validate.
    #[error(transparent)]
    Circuit(#[from] controller::circuit::CircuitError),
    /// The connectome cannot be wired as the map says.
    #[error(transparent)]
    Wiring(#[from] controller::WiringError),
    /// A selector that does not parse or names a column the neurons do not have.
    #[error("{key}: `{selector}`")]
    Selector {
        /// The key (with the file and line where known).
        key: String,
        /// The selector.
        selector: String,
        /// Why (boxed: keeps the error small).
        #[source]
        source: Box<SelectError>,
    },
    /// A selector that picks no neuron: it would silently drive or silence nothing.
    #[error("{key}: `{selector}` selects no neuron of this connectome")]
    SelectsNothing {
        /// The key (with the file and line where known).
        key: String,
        /// The selector.
        selector: String,
    },
    /// The controller cannot be built from the experiment's settings.
    #[error(transparent)]
    Controller(#[from] controller::ControllerError),
    /// A brain setting out of range (`network.release_failure`, `membrane_noise_mv`).
    #[error("{key}: {message}")]
    Brain {
        /// The key.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The body file cannot be read.
    #[error(transparent)]
    Body(#[from] BodyError),
    /// The scene file cannot be read.
    #[error(transparent)]
    Scene(#[from] SceneError),
    /// The settled body stands outside the arena it starts in.
    #[error(
        "{}: the robot does not fit in the arena where it starts: its {part} stands at \
         ({x:.3}, {y:.3}) m, outside |x|, |y| <= `arena.half_size` {half_size} m of {scene}",
        file.display()
    )]
    DoesNotFit {
        /// The experiment file.
        file: PathBuf,
        /// The body part outside.
        part: String,
        /// Where it stands, m.
        x: f32,
        /// Where it stands, m.
        y: f32,
        /// The arena's half size, m.
        half_size: f32,
        /// The scene file (or "the default scene").
        scene: String,
    },
    /// The body's tick and the brain's window differ.
    #[error(transparent)]
    Tick(#[from] TickMismatch),
    /// A step of the loop failed (the body's state, a monitor's file).
    #[error(transparent)]
    Loop(#[from] LoopError),
    /// A run-folder file cannot be written.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// An activation the brain cannot carry.
    #[error(transparent)]
    Activation(#[from] controller::ActivationError),
    /// The caller's check stopped the run (an interrupt).
    #[error(transparent)]
    Stopped(Box<dyn std::error::Error + Send + Sync>),
    /// The run stopped part way; its folder, if recording, says so.
    #[error("the run failed at t = {at_s} s{where_}")]
    Failed {
        /// Simulated time reached, s (whole ticks).
        at_s: f64,
        /// Where the partial outputs are, or why they could not be closed.
        where_: String,
        /// Why the run stopped.
        #[source]
        source: Box<ExperimentError>,
    },
}

impl ExperimentError {
    /// Whether the error, or any of its causes (a surrogate naming the dataset it is built
    /// from, say), is a dataset that is not installed.
    pub fn is_missing_dataset(&self) -> bool {
        use connectome::datasets::DatasetError;
        // A boxed cause is seen in the chain as its box; a transparent one is not seen at all:
        // the variant itself is asked first.
        if let ExperimentError::Dataset { source, .. } = self
            && source.is_missing_dataset()
        {
            return true;
        }
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(c) = cause {
            let source_error = c
                .downcast_ref::<SourceError>()
                .or_else(|| c.downcast_ref::<Box<SourceError>>().map(|b| &**b));
            let missing = matches!(
                c.downcast_ref::<DatasetError>(),
                Some(DatasetError::Missing { .. })
            ) || matches!(
                c.downcast_ref::<ExperimentError>(),
                Some(ExperimentError::NotInstalled { .. })
            ) || source_error.is_some_and(SourceError::is_missing_dataset);
            if missing {
                return true;
            }
            cause = c.source();
        }
        false
    }
}
