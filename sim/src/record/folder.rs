//! A run folder and how its run ended. `timeline.csv` and the spikes are written as the run
//! goes; `summary.json` is written last, atomically, and says how it ended:
//!
//! - `"status": "complete"`: the whole duration was simulated;
//! - `"status": "failed"`: the run stopped with an error at `failure.at_s`; the timeline
//!   and spikes hold everything up to then, the summary tallies that stretch;
//! - no `summary.json`: the run was killed (or is still going); the timeline holds its rows
//!   up to the last flush (at most one simulated second before the kill).
//!
//! Every reader (plots, replay, sweep tables) asks [`RunState::read`] first, so that no
//! partial folder is ever drawn or tabled as a complete run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::RecordError;

/// `schema` of `summary.json`.
pub const RUN_SCHEMA: &str = "hexafly.run/2";
/// The files of a run folder.
pub const TIMELINE_CSV: &str = "timeline.csv";
/// Recorded spikes.
pub const SPIKES_PARQUET: &str = "spikes.parquet";
/// Written last.
pub const SUMMARY_JSON: &str = "summary.json";

/// How a run ended, as `summary.json` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The whole duration was simulated.
    Complete,
    /// The run stopped with an error.
    Failed,
}

/// Why and when a run stopped early.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The error, with its causes.
    pub error: String,
    /// Simulated time reached, seconds (the timeline's last row is at or before it).
    pub at_s: f64,
}

/// The part of `summary.json` that says how the run ended.
#[derive(Debug, Clone, Deserialize)]
pub struct Ending {
    /// Format tag, [`RUN_SCHEMA`].
    pub schema: String,
    /// Complete or failed.
    pub status: Status,
    /// Set when failed.
    #[serde(default)]
    pub failure: Option<Failure>,
    /// Rows the run wrote to `timeline.csv`.
    pub timeline_rows: u64,
    /// Seed.
    pub seed: u64,
}

/// What a run folder holds.
#[derive(Debug, Clone)]
pub enum RunState {
    /// A summary of this format: the run ended (completed or failed).
    Ended(Ending),
    /// A timeline and no summary: killed, or still running.
    Incomplete {
        /// Its last complete row's time, if any row.
        last_t_s: Option<f64>,
    },
}

impl RunState {
    /// Reads `dir`'s state: [`RecordError::NotARunFolder`] when it is no run folder;
    /// [`RecordError::Io`], [`RecordError::NotJson`], [`RecordError::Schema`] or
    /// [`RecordError::NoStatus`] when its summary is unreadable or of another format.
    pub fn read(dir: &Path) -> Result<RunState, RecordError> {
        let summary = dir.join(SUMMARY_JSON);
        if summary.exists() {
            let text = std::fs::read_to_string(&summary).map_err(|source| RecordError::Io {
                action: "cannot read",
                path: summary.clone(),
                source,
            })?;
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|source| RecordError::NotJson {
                    path: summary.clone(),
                    source,
                })?;
            let schema = v.get("schema").and_then(|s| s.as_str()).unwrap_or("none");
            if schema != RUN_SCHEMA {
                return Err(RecordError::Schema {
                    path: summary,
                    found: schema.to_owned(),
                });
            }
            let ending: Ending =
                serde_json::from_value(v).map_err(|source| RecordError::NoStatus {
                    path: summary.clone(),
                    source,
                })?;
            return Ok(RunState::Ended(ending));
        }
        let timeline = dir.join(TIMELINE_CSV);
        if !timeline.exists() {
            return Err(RecordError::NotARunFolder {
                dir: dir.to_path_buf(),
            });
        }
        Ok(RunState::Incomplete {
            last_t_s: last_time(&timeline),
        })
    }

    /// `Ok` for a run that ended (complete or failed); [`RecordError::Incomplete`] for one
    /// that did not, and the errors of [`RunState::read`].
    pub fn ended(dir: &Path) -> Result<Ending, RecordError> {
        match RunState::read(dir)? {
            RunState::Ended(e) => Ok(e),
            RunState::Incomplete { last_t_s } => Err(RecordError::Incomplete {
                dir: dir.to_path_buf(),
                last_t_s,
            }),
        }
    }
}

/// The time of the last complete row of a timeline (a line cut short by a kill is not one).
fn last_time(path: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(path).ok()?;
    let complete = &text[..text.rfind('\n')?];
    let last = complete.lines().skip(1).last()?;
    last.split(',').next()?.parse().ok()
}

/// Makes `dir` ready for a new run: creates it, removes the outputs of an earlier run in it
/// (so a folder never mixes two runs) and checks that it can be written, before anything
/// is simulated.
pub fn start(dir: &Path) -> Result<PathBuf, RecordError> {
    std::fs::create_dir_all(dir).map_err(|source| RecordError::Io {
        action: "cannot create",
        path: dir.to_path_buf(),
        source,
    })?;
    for name in [SUMMARY_JSON, TIMELINE_CSV, SPIKES_PARQUET] {
        let p = dir.join(name);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|source| RecordError::Io {
                action: "cannot replace the earlier run's",
                path: p,
                source,
            })?;
        }
    }
    Ok(dir.to_path_buf())
}
