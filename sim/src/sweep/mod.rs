//! Sweeps: one experiment file run over a grid of parameter values times seeds, in parallel
//! on one machine or sliced into the tasks of a Slurm array job, with tables of the results.
//!
//! - [`spec`]: the grid (`[sweep]` table of the experiment file and `--set`, seeds),
//!   validated before anything runs;
//! - [`plan`]: the runs, their stable ids, shards, and `sweep.json` (what resume and merge
//!   check);
//! - [`execute`]: running the runs not done yet (resume), progress;
//! - [`table`]: `runs.csv`, `aggregate.csv`, `timing.csv`, rebuilt from the run folders;
//! - [`stats`]: mean, sd, the t-based 95% confidence interval;
//! - [`slurm`]: the `sbatch --array` script;
//! - [`lock`]: one sweep at a time in a folder (shards side by side).
//!
//! A sweep folder holds `sweep.json`, `runs/<run_id>/` (a `hexafly run` folder plus
//! `params.json`), `runs.csv`, `aggregate.csv` and `timing.csv`.

use std::path::Path;

mod error;
pub mod execute;
pub mod lock;
pub mod plan;
pub mod slurm;
pub mod spec;
pub mod stats;
pub mod table;

pub use error::SweepError;
pub use execute::{Outcome, RunsFailed, SweepParams, run_sweep};
pub use plan::{Plan, RunPlan, Shard, SweepRecord};
pub use spec::SweepSpec;
pub use table::{TablesReport, write_tables};

/// The sweep's record (grid spec) in the sweep folder.
pub const SWEEP_JSON: &str = "sweep.json";
/// Folder of the run folders.
pub const RUNS_DIR: &str = "runs";
/// One row per finished run.
pub const RUNS_CSV: &str = "runs.csv";
/// Per grid point and figure: n, mean, sd, 95% CI.
pub const AGGREGATE_CSV: &str = "aggregate.csv";
/// Wall-clock figures per run.
pub const TIMING_CSV: &str = "timing.csv";
/// What a run folder holds (parameters, seed, index).
pub const PARAMS_JSON: &str = "params.json";
/// Why a run failed.
pub const ERROR_TXT: &str = "error.txt";

/// Rebuilds the tables of the sweep folder `dir` from its run folders (shards that wrote
/// into the same folder, a copy gathered from elsewhere): exactly what a local sweep writes
/// at its end.
pub fn merge(dir: &Path) -> Result<TablesReport, SweepError> {
    let _lock = lock::lock(dir, None)?;
    let plan = Plan::new(SweepRecord::read(dir)?)?;
    write_tables(dir, &plan)
}
