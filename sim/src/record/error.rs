//! What can go wrong writing or reading a run folder. Every variant names the file; the
//! underlying io, csv, Parquet or JSON error is its source, so an error printed with its
//! chain reads `cannot write run/timeline.csv: No space left on device`.

use std::path::PathBuf;

use super::folder::{RUN_SCHEMA, SUMMARY_JSON, TIMELINE_CSV};

/// An error writing or reading a run folder's files.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A file operation failed.
    #[error("{action} {}", path.display())]
    Io {
        /// What was being done, e.g. `cannot write`.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A finished file could not be renamed to its own name.
    #[error("cannot move {} to {}", from.display(), to.display())]
    Move {
        /// The temporary file.
        from: PathBuf,
        /// Its own name.
        to: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A path to write that ends in no file name (`..`, `/`).
    #[error("{} names no file", path.display())]
    NoFileName {
        /// The path.
        path: PathBuf,
    },
    /// The folder of an output could not be made.
    #[error("cannot create {} for {}", dir.display(), path.display())]
    NoFolder {
        /// The folder.
        dir: PathBuf,
        /// The output in it.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An output path that is a folder.
    #[error("{} is a folder; expected a file name to write", path.display())]
    IsAFolder {
        /// The path.
        path: PathBuf,
    },
    /// An output whose folder takes no new file (read-only, full).
    #[error("cannot write {}: its folder takes no new file", path.display())]
    NotWritable {
        /// The output.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Writing or finishing the spikes' Parquet file failed.
    #[error("{action} {}", path.display())]
    Parquet {
        /// What was being done, e.g. `cannot finish`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The spikes of a flush could not be assembled into a Parquet row group.
    #[error("cannot write {}", path.display())]
    Arrow {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: arrow_schema::ArrowError,
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
    /// A `summary.json` of another format.
    #[error(
        "{}: schema `{found}`, expected `{RUN_SCHEMA}` (a run folder of another hexafly \
         version: run it again)",
        path.display()
    )]
    Schema {
        /// The summary.
        path: PathBuf,
        /// Its `schema` (`none` when it has none).
        found: String,
    },
    /// A `summary.json` of this format that says nothing complete about how the run ended.
    #[error("{}: no complete `status`", path.display())]
    NoStatus {
        /// The summary.
        path: PathBuf,
        /// The missing or malformed field.
        #[source]
        source: serde_json::Error,
    },
    /// A `summary.json` that does not parse into the run format's summary.
    #[error("{}: not a summary of schema {RUN_SCHEMA}", path.display())]
    NotASummary {
        /// The summary.
        path: PathBuf,
        /// The missing or malformed field.
        #[source]
        source: serde_json::Error,
    },
    /// A folder with neither a summary nor a timeline.
    #[error(
        "{} is no run folder (no {SUMMARY_JSON}, no {TIMELINE_CSV}: `hexafly run --out` \
         writes one)",
        dir.display()
    )]
    NotARunFolder {
        /// The folder.
        dir: PathBuf,
    },
    /// A run folder whose run did not end (killed, or still running).
    #[error(
        "{}: an incomplete run: {} and no {SUMMARY_JSON} (the run was killed, or is still \
         running); only a run that ended can be read as one",
        dir.display(),
        match last_t_s {
            Some(t) => format!("its timeline has rows up to t = {t} s"),
            None => "its timeline has no row".into(),
        }
    )]
    Incomplete {
        /// The folder.
        dir: PathBuf,
        /// Time of the timeline's last complete row, if any.
        last_t_s: Option<f64>,
    },
    /// A CSV file that cannot be opened.
    #[error("cannot read {}", path.display())]
    CsvOpen {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: csv::Error,
    },
    /// A CSV file without a readable header row.
    #[error("{}: no header row", path.display())]
    CsvHeader {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: csv::Error,
    },
    /// A CSV line that cannot be read as a record.
    #[error("{} line {line}", path.display())]
    CsvLine {
        /// The file.
        path: PathBuf,
        /// 1-based line (the header is line 1).
        line: u64,
        /// Why.
        #[source]
        source: csv::Error,
    },
    /// A timeline line that is not a row of a timeline.
    #[error("{} line {line}", path.display())]
    TimelineRow {
        /// The file.
        path: PathBuf,
        /// 1-based line (the header is line 1).
        line: u64,
        /// Which column and what it held.
        #[source]
        source: TimelineRowError,
    },
}

/// What is wrong with one row (or the header) of a timeline, without the file: the reader
/// that has the file wraps it in [`RecordError::TimelineRow`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimelineRowError {
    /// The header does not start with [`super::timeline::FIXED_COLUMNS`].
    #[error(
        "no `{expected}` column {}: the header does not start with the timeline's columns {}",
        match found {
            Some(f) => format!("(column {} is `{f}`)", column + 1),
            None => format!("(the header ends after {column} columns)"),
        },
        super::timeline::FIXED_COLUMNS.join(",")
    )]
    Header {
        /// 0-based index of the first column that differs.
        column: usize,
        /// The column a timeline has there.
        expected: &'static str,
        /// The column the header has there, if it is that long.
        found: Option<String>,
    },
    /// A row with more or fewer fields than the header.
    #[error("{found} fields, the header has {expected}")]
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Columns of the header.
        expected: usize,
    },
    /// A numeric column holding something else.
    #[error("`{column}`: expected a number, found `{found}`")]
    NotANumber {
        /// The column.
        column: String,
        /// What it held.
        found: String,
    },
    /// `escape_spikes` holding something other than a whole number.
    #[error("`escape_spikes`: expected a whole number, found `{found}`")]
    NotACount {
        /// What it held.
        found: String,
    },
    /// A column after the fixed ones that is neither `readout_<name>` nor
    /// `input_<group>_hz`.
    #[error("`{column}`: not a column of a timeline")]
    UnknownColumn {
        /// The column.
        column: String,
    },
}
