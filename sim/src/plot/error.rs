//! What can go wrong reading a run or sweep folder for plotting and drawing its figures.
//! Every problem with a file names the file (and the line and column where there is one).

use crate::experiment::ExperimentError;
use std::path::PathBuf;
use std::sync::Arc;

use crate::record::RecordError;
use crate::world::SceneError;

/// An error plotting a run or sweep folder.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Reading a run folder's files (its state, summary or timeline).
    #[error(transparent)]
    Record(#[from] RecordError),
    /// A timeline that is CSV of the right shape but not a timeline's (a renamed column, a
    /// field that is not a number): shared by every figure that needs it, so kept behind an
    /// `Arc`; the figures that do not need it are still drawn.
    #[error(transparent)]
    Timeline(Arc<RecordError>),
    /// The run's scene file.
    #[error(transparent)]
    Scene(#[from] SceneError),
    /// The experiment file a run came from cannot be loaded (boxed: keeps the error small).
    #[error(transparent)]
    Experiment(Box<ExperimentError>),
    /// The connectome the experiment names (for grouping the raster's neurons).
    #[error(transparent)]
    Dataset(#[from] connectome::source::SourceError),
    /// A `reports.spikes` selection of the experiment that does not parse or select.
    #[error("`{selector}`")]
    Selection {
        /// The selection.
        selector: String,
        /// Why.
        #[source]
        source: connectome::select::SelectError,
    },
    /// A run whose summary names no experiment file.
    #[error("no experiment file")]
    NoExperimentFile,
    /// The path to plot is not a folder.
    #[error("{} is not a folder", dir.display())]
    NotAFolder {
        /// The path.
        dir: PathBuf,
    },
    /// A folder that is neither a run's nor a sweep's.
    #[error(
        "{} is neither a run folder (summary.json, timeline.csv: `hexafly run --out`) nor a \
         sweep folder (sweep.json, aggregate.csv: `hexafly sweep --out`)",
        dir.display()
    )]
    NotRunOrSweep {
        /// The folder.
        dir: PathBuf,
    },
    /// Sweep figures named for a run folder.
    #[error("--figure chooses sweep figures; {} is a run folder", dir.display())]
    FiguresOfARun {
        /// The run folder.
        dir: PathBuf,
    },
    /// A file or folder operation failed.
    #[error("{action} {}", path.display())]
    Io {
        /// What was being done, e.g. `cannot read`.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file that is not JSON.
    #[error("{}: not JSON", path.display())]
    NotJson {
        /// The file.
        path: PathBuf,
        /// Where and why.
        #[source]
        source: serde_json::Error,
    },
    /// A sweep run's parameter (`params.json`) that is not a TOML value.
    #[error("{}: `{key}` = {text}", path.display())]
    ParamValue {
        /// `params.json`.
        path: PathBuf,
        /// The parameter.
        key: String,
        /// Its value as written.
        text: String,
        /// Why it does not parse (boxed: the toml error is large).
        #[source]
        source: Box<toml::de::Error>,
    },
    /// A sweep run's parameters that the experiment refuses.
    #[error("{}: the run's parameters", path.display())]
    Params {
        /// `params.json`.
        path: PathBuf,
        /// Why, from the experiment (boxed: keeps the error small).
        #[source]
        source: Box<ExperimentError>,
    },
    /// A timeline without rows.
    #[error("{}: no rows (the run recorded nothing)", path.display())]
    EmptyTimeline {
        /// The timeline.
        path: PathBuf,
    },
    /// A timeline with fewer or more rows than the summary says the run wrote.
    #[error(
        "{}: {rows} rows, but {} says the run wrote {expected}: the file was cut short or edited",
        path.display(),
        summary.display()
    )]
    CutShort {
        /// The timeline.
        path: PathBuf,
        /// Its rows.
        rows: usize,
        /// The summary.
        summary: PathBuf,
        /// The rows the summary counts.
        expected: u64,
    },
    /// A timeline column asked for by name that the timeline does not have.
    #[error("{}: no `{column}` column (columns: {})", path.display(), columns.join(", "))]
    NoColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The columns it has.
        columns: Vec<String>,
    },
    /// A run with no readout column to draw.
    #[error("{}: no `readout_*` column (columns: {})", path.display(), columns.join(", "))]
    NoReadouts {
        /// The timeline.
        path: PathBuf,
        /// The columns it has.
        columns: Vec<String>,
    },
    /// A timeline whose positions are all missing or not finite.
    #[error("{}: no finite x_m/y_m", path.display())]
    NoPositions {
        /// The timeline.
        path: PathBuf,
    },
    /// A Parquet file that cannot be read as one.
    #[error("{}: not a Parquet file", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// A row group of a Parquet file that cannot be read.
    #[error("reading {}", path.display())]
    ParquetBatch {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: arrow_schema::ArrowError,
    },
    /// A Parquet column of another type than expected.
    #[error("{}: `{column}` is not {expected}", path.display())]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
        /// Its expected type.
        expected: &'static str,
    },
    /// Spikes without a neuron id or a time.
    #[error("{}: null neuron ids or times", path.display())]
    NullSpikes {
        /// The file.
        path: PathBuf,
    },
    /// `aggregate.csv` missing (or unreadable).
    #[error(
        "cannot read {} (run `hexafly sweep merge {}` to write it)",
        path.display(),
        dir.display()
    )]
    NoAggregate {
        /// `aggregate.csv`.
        path: PathBuf,
        /// The sweep folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: csv::Error,
    },

    /// A CSV cell that should hold a number.
    #[error("{} line {line}, column `{column}`: `{found}` is not a number", path.display())]
    NotANumber {
        /// The file.
        path: PathBuf,
        /// 1-based line (the header is line 1).
        line: u64,
        /// The column.
        column: String,
        /// What it holds.
        found: String,
    },
    /// A CSV file with a header and no rows.
    #[error("{}: no rows", path.display())]
    NoRows {
        /// The file.
        path: PathBuf,
    },
    /// A sweep table without the time-in-behaviour figures.
    #[error("{}: no `time_<behaviour>_s` figures", path.display())]
    NoBehaviourTimes {
        /// `aggregate.csv`.
        path: PathBuf,
    },
    /// A sweep figure asked for that the table does not have.
    #[error(
        "{}: no figure `{name}`; figures: {}, {}",
        path.display(),
        available.join(", "),
        super::sweep::TIME_IN_BEHAVIOUR
    )]
    UnknownFigure {
        /// `aggregate.csv`.
        path: PathBuf,
        /// The figure asked for.
        name: String,
        /// The table's figures.
        available: Vec<String>,
    },
    /// A sweep with more grid points than the paths figure has panels for.
    #[error("{}: {points} grid points; the paths figure draws at most {max}", path.display())]
    TooManyPanels {
        /// `runs.csv`.
        path: PathBuf,
        /// Grid points.
        points: usize,
        /// Most panels.
        max: usize,
    },
    /// A PNG that could not be encoded or written.
    #[error("writing {}", path.display())]
    Png {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: png::EncodingError,
    },
    /// Drawing failed. Kept as text: a drawing backend's error type need not be `'static`,
    /// so it cannot be kept as a source.
    #[error("drawing: {message}")]
    Draw {
        /// The backend's error, as it displays.
        message: String,
    },
}
