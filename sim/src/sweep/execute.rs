//! Running a sweep: the runs of this shard that are not done yet, in parallel on a rayon
//! pool, one run folder each, with progress on stderr and the tables refreshed now and then.
//!
//! Resume is by construction: a run is done exactly when `runs/<id>/summary.json` is complete
//! (it is written last, atomically, by the runner). A folder without one is what a kill left
//! behind; it is deleted and the run redone. Networks are loaded once per distinct
//! `[network]` table (the only part of an experiment the loaded network depends on), so a
//! sweep over seeds, agent state or events loads its connectome once.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::SweepError;
use super::plan::{Plan, RunPlan, Shard, SweepRecord};
use super::spec::SweepSpec;
use super::table::{TablesReport, read_summary, write_tables};
use crate::error_chain as chain;
use crate::experiment::Experiment;
use crate::experiment::prepare;
use crate::experiment::run::run_prepared;
use crate::record::write_json;

/// How to run a sweep.
#[derive(Debug, Clone)]
pub struct SweepParams {
    /// Runs at once (None: rayon's default, the number of CPUs or $RAYON_NUM_THREADS).
    pub jobs: Option<usize>,
    /// Only this slice of the runs; a shard writes run folders only (the tables are
    /// `hexafly sweep merge`'s job, once every shard is done).
    pub shard: Option<Shard>,
    /// Progress bar (None: a bar when stderr is a terminal, else plain lines).
    pub bar: Option<bool>,
    /// Rebuild the tables at most this often while running (partial results visible).
    pub refresh: Duration,
}

impl Default for SweepParams {
    fn default() -> Self {
        SweepParams {
            jobs: None,
            shard: None,
            bar: None,
            refresh: Duration::from_secs(10),
        }
    }
}

/// What a sweep did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Runs in the whole sweep.
    pub planned: usize,
    /// Runs of this shard (all without one).
    pub selected: usize,
    /// Of those, done before this call.
    pub already_done: usize,
    /// Run by this call.
    pub ran: usize,
    /// Failed runs: id and error (also in runs/<id>/error.txt).
    pub failed: Vec<(String, String)>,
    /// The tables (None for a shard).
    pub tables: Option<TablesReport>,
}

impl Outcome {
    /// `Ok` when no run failed; otherwise the failed runs, as an error.
    pub fn all_succeeded(&self) -> Result<(), RunsFailed> {
        match self.failed.is_empty() {
            true => Ok(()),
            false => Err(RunsFailed {
                failed: self.failed.clone(),
            }),
        }
    }
}

/// Runs of a sweep that failed (never empty); each run folder's `error.txt` says why, and
/// the sweep's other runs and tables are written.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} run(s) failed (each folder's error.txt says why); the first, {}: {}",
    failed.len(),
    failed[0].0,
    failed[0].1
)]
pub struct RunsFailed {
    /// Id and error of each failed run.
    pub failed: Vec<(String, String)>,
}

/// Runs the sweep `spec` into `out` (see the module doc).
pub fn run_sweep(spec: &SweepSpec, out: &Path, opts: &SweepParams) -> Result<Outcome, SweepError> {
    let record = SweepRecord::of(spec);
    let plan = Plan::new(record.clone())?;
    std::fs::create_dir_all(out.join(super::RUNS_DIR))
        .map_err(|source| io("cannot create", out, source))?;
    let _lock = super::lock::lock(out, opts.shard)?;
    record.write_or_check(out)?;
    let runs_dir = out.join(super::RUNS_DIR);
    let selected = plan.shard(opts.shard);
    let pending: Vec<&RunPlan> = selected
        .iter()
        .copied()
        .filter(|r| read_summary(&runs_dir.join(&r.id), r.seed).is_none())
        .collect();
    let mut outcome = Outcome {
        planned: plan.runs.len(),
        selected: selected.len(),
        already_done: selected.len() - pending.len(),
        ..Outcome::default()
    };
    tracing::info!(
        target: crate::PROGRESS,
        "sweep: {} runs ({} grid point{} x {} seed{}){}: {} done, {} to run",
        plan.runs.len(),
        plan.points(),
        if plan.points() == 1 { "" } else { "s" },
        record.seeds.len(),
        if record.seeds.len() == 1 { "" } else { "s" },
        opts.shard.map_or(String::new(), |s| format!(
            ", shard {s} of them {}",
            selected.len()
        )),
        outcome.already_done,
        pending.len()
    );

    // Each pending run's experiment, grouped by network (first appearance order).
    let mut groups: Vec<(Experiment, Vec<(&RunPlan, Experiment)>)> = Vec::new();
    for r in &pending {
        let exp = spec.experiment(&r.values, r.seed)?;
        match groups.iter_mut().find(|g| g.0.network == exp.network) {
            Some(g) => g.1.push((r, exp)),
            None => groups.push((exp.clone(), vec![(r, exp)])),
        }
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.unwrap_or(0))
        .build()?;
    let progress = Progress::new(pending.len(), opts.bar);
    let failed: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    let last_refresh = Mutex::new(Instant::now());
    let write_partial = opts.shard.is_none();
    for (first, runs) in &groups {
        let prepared = prepare(first).map_err(|e| SweepError::Point {
            point: format!(
                "loading the network of {} ({} runs)",
                first.network.connectome.display(),
                runs.len()
            ),
            source: Box::new(e),
        })?;
        pool.install(|| {
            runs.par_iter().for_each(|(r, exp)| {
                let dir = runs_dir.join(&r.id);
                let t0 = Instant::now();
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    start_folder(&dir, &plan, r)?;
                    run_prepared(exp, &prepared, &dir).map_err(SweepError::from)
                }))
                .unwrap_or_else(|p| {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "unknown panic".into());
                    Err(SweepError::Panicked(msg))
                });
                let ok = match result {
                    Ok(_) => true,
                    Err(e) => {
                        let msg = chain(&e);
                        let _ = std::fs::write(dir.join(super::ERROR_TXT), format!("{msg}\n"));
                        failed
                            .lock()
                            .expect("not poisoned")
                            .push((r.id.clone(), msg));
                        false
                    }
                };
                progress.done(&r.id, ok, t0.elapsed());
                if write_partial
                    && let Ok(mut last) = last_refresh.try_lock()
                    && last.elapsed() >= opts.refresh
                {
                    if let Err(e) = write_tables(out, &plan) {
                        tracing::warn!("refreshing the tables: {e:#}");
                    }
                    *last = Instant::now();
                }
            })
        });
    }
    progress.finish();
    let mut failed = failed.into_inner().expect("not poisoned");
    failed.sort();
    outcome.ran = pending.len() - failed.len();
    outcome.failed = failed;
    if opts.shard.is_none() {
        outcome.tables = Some(write_tables(out, &plan)?);
    }
    Ok(outcome)
}

/// Clears what an interrupted attempt left in the run's folder and writes `params.json`
/// (what the folder holds, for people and scripts reading it alone).
fn start_folder(dir: &Path, plan: &Plan, r: &RunPlan) -> Result<(), SweepError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|source| io("cannot clear the unfinished run", dir, source))?;
    }
    std::fs::create_dir_all(dir).map_err(|source| io("cannot create", dir, source))?;
    let params: serde_json::Map<String, serde_json::Value> = plan
        .record
        .axes
        .iter()
        .zip(&r.values)
        .map(|(a, &v)| {
            (
                a.key.clone(),
                serde_json::Value::String(a.values[v].clone()),
            )
        })
        .collect();
    let params = serde_json::json!({
        "schema": "hexafly.sweep-run/1",
        "run_id": r.id,
        "index": r.index,
        "point": r.point,
        "params_toml": params,
        "seed": r.seed,
        "experiment": plan.record.experiment,
    });
    Ok(write_json(&dir.join(super::PARAMS_JSON), &params)?)
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> SweepError {
    SweepError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// A progress bar with ETA on a terminal, otherwise one line per finished run as a
/// [`crate::PROGRESS`] event.
struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: Mutex<usize>,
    start: Instant,
}

impl Progress {
    fn new(total: usize, bar: Option<bool>) -> Progress {
        let tty = bar.unwrap_or_else(|| std::io::stderr().is_terminal());
        let bar = (tty && total > 0).then(|| {
            ProgressBar::new(total as u64).with_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} runs, {elapsed} elapsed, eta {eta} {msg}",
                )
                .expect("valid template"),
            )
        });
        Progress {
            bar,
            total,
            done: Mutex::new(0),
            start: Instant::now(),
        }
    }

    fn done(&self, id: &str, ok: bool, took: Duration) {
        let mut n = self.done.lock().expect("not poisoned");
        *n += 1;
        match &self.bar {
            Some(b) => {
                if !ok {
                    b.println(format!("run {id} FAILED (see runs/{id}/error.txt)"));
                }
                b.inc(1);
            }
            None => {
                let elapsed = self.start.elapsed().as_secs_f64();
                let eta = elapsed / *n as f64 * (self.total - *n) as f64;
                tracing::info!(
                    target: crate::PROGRESS,
                    "sweep: [{}/{}] run {id} {} in {:.1} s; {:.0} s elapsed, eta {:.0} s",
                    *n,
                    self.total,
                    if ok { "done" } else { "FAILED" },
                    took.as_secs_f64(),
                    elapsed,
                    eta
                );
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
