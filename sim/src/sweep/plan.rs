//! The runs of a sweep, their stable ids, shards, and `sweep.json`.
//!
//! The plan is a pure function of `sweep.json` (the axes' values as canonical TOML text and
//! the seeds), never of the command line's spelling or of which process computes it: a local
//! sweep, each Slurm shard and `hexafly sweep merge` derive the same runs, indices and ids,
//! which is what lets shards share one output folder and merge give a local sweep's bytes.

use std::path::Path;

use super::SweepError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::spec::SweepSpec;

/// `schema` of `sweep.json`.
pub const SWEEP_SCHEMA: &str = "hexafly.sweep/1";

/// `sweep.json`: what a sweep is, so that a resumed or sharded sweep into the same folder
/// can check that it is the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepRecord {
    /// Format tag.
    pub schema: String,
    /// The experiment file (canonical path).
    pub experiment: String,
    /// sha256 of the experiment without `[sweep]`, as canonical TOML.
    pub experiment_sha256: String,
    /// The swept keys and their values (TOML text), in grid order.
    pub axes: Vec<RecordAxis>,
    /// Seeds of every grid point.
    pub seeds: Vec<u64>,
    /// Grid points (product of the axes' lengths).
    pub grid_points: usize,
    /// Runs (grid points x seeds).
    pub runs: usize,
}

/// One axis in `sweep.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordAxis {
    /// Dotted key (column name).
    pub key: String,
    /// Values as canonical TOML (`0.5`, `"left"`, `[0.0, 1.0]`).
    pub values: Vec<String>,
}

impl SweepRecord {
    /// The record of a parsed sweep.
    pub fn of(spec: &SweepSpec) -> SweepRecord {
        let axes: Vec<RecordAxis> = spec
            .axes
            .iter()
            .map(|a| RecordAxis {
                key: a.key.text.clone(),
                values: a.values.iter().map(|v| v.to_string()).collect(),
            })
            .collect();
        let grid_points = spec.points();
        SweepRecord {
            schema: SWEEP_SCHEMA.into(),
            experiment: spec.experiment.display().to_string(),
            experiment_sha256: spec.base_sha256(),
            axes,
            seeds: spec.seeds.clone(),
            grid_points,
            runs: grid_points * spec.seeds.len(),
        }
    }

    /// Reads `DIR/sweep.json`.
    pub fn read(dir: &Path) -> Result<SweepRecord, SweepError> {
        let path = dir.join(super::SWEEP_JSON);
        let text = std::fs::read_to_string(&path).map_err(|source| SweepError::Io {
            action: "cannot read (is this a sweep folder?)",
            path: path.clone(),
            source,
        })?;
        let r: SweepRecord = serde_json::from_str(&text).map_err(|e| SweepError::SweepRecord {
            path: path.clone(),
            message: format!("not a sweep record: {e}"),
        })?;
        if r.schema != SWEEP_SCHEMA {
            return Err(SweepError::SweepRecord {
                path,
                message: format!("schema `{}`, expected `{SWEEP_SCHEMA}`", r.schema),
            });
        }
        Ok(r)
    }

    /// Writes `DIR/sweep.json`, or, when the folder already holds one, checks that it is
    /// this sweep (resume, shards): a different one is an error saying what differs.
    pub fn write_or_check(&self, dir: &Path) -> Result<(), SweepError> {
        let path = dir.join(super::SWEEP_JSON);
        if path.exists() {
            let old = SweepRecord::read(dir)?;
            if let Some(diff) = self.difference(&old) {
                return Err(SweepError::SweepRecord {
                    path: dir.to_path_buf(),
                    message: format!(
                        "holds a different sweep ({diff}); resume it with the same experiment \
                         and the same --set/--seeds, or write this one to another --out"
                    ),
                });
            }
            return Ok(());
        }
        Ok(crate::record::write_json(&path, self)?)
    }

    /// What differs from `old`, in words; `None` when it is the same sweep.
    fn difference(&self, old: &SweepRecord) -> Option<String> {
        if self.experiment != old.experiment {
            return Some(format!(
                "experiment {} there, {} here",
                old.experiment, self.experiment
            ));
        }
        if self.experiment_sha256 != old.experiment_sha256 {
            return Some(format!(
                "the experiment file {} changed since (sha256 of its content without [sweep])",
                self.experiment
            ));
        }
        if self.axes != old.axes {
            let show = |r: &SweepRecord| {
                r.axes
                    .iter()
                    .map(|a| format!("{} = [{}]", a.key, a.values.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            return Some(format!(
                "swept keys `{}` there, `{}` here",
                show(old),
                show(self)
            ));
        }
        if self.seeds != old.seeds {
            return Some(format!(
                "seeds {:?} there, {:?} here",
                old.seeds, self.seeds
            ));
        }
        (self != old).then(|| "sweep.json differs".to_string())
    }
}

/// One run of the sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunPlan {
    /// Position in the run order (grid point major, seed minor); rows are sorted by it and
    /// shards take `index % N`.
    pub index: usize,
    /// Grid point (all non-seed parameters).
    pub point: usize,
    /// Value index of each axis.
    pub values: Vec<usize>,
    /// `run.seed`.
    pub seed: u64,
    /// Folder name under `runs/`: zero-padded index and the first 8 hex digits of the
    /// sha256 of its parameters (so a folder also says what it holds).
    pub id: String,
}

/// All runs of a sweep.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The sweep it was made from.
    pub record: SweepRecord,
    /// Runs in index order.
    pub runs: Vec<RunPlan>,
}

impl Plan {
    /// Plans the runs of a record.
    pub fn new(record: SweepRecord) -> Result<Plan, SweepError> {
        let points: usize = record.axes.iter().map(|a| a.values.len()).product();
        if points == 0 || record.seeds.is_empty() {
            return Err(SweepError::grid("empty grid: no runs to plan"));
        }
        if points != record.grid_points || points * record.seeds.len() != record.runs {
            return Err(SweepError::grid(
                "sweep.json: grid_points/runs do not match its axes and seeds",
            ));
        }
        let total = points * record.seeds.len();
        let width = total.saturating_sub(1).to_string().len().max(4);
        let mut runs = Vec::with_capacity(total);
        for point in 0..points {
            let mut values = vec![0; record.axes.len()];
            let mut rest = point;
            for (i, a) in record.axes.iter().enumerate().rev() {
                values[i] = rest % a.values.len();
                rest /= a.values.len();
            }
            for &seed in &record.seeds {
                let index = runs.len();
                let mut h = Sha256::new();
                h.update(b"hexafly.sweep.run/1\n");
                for (a, &v) in record.axes.iter().zip(&values) {
                    h.update(format!("{}={}\n", a.key, a.values[v]).as_bytes());
                }
                h.update(format!("seed={seed}\n").as_bytes());
                let hash = format!("{:x}", h.finalize());
                runs.push(RunPlan {
                    index,
                    point,
                    values: values.clone(),
                    seed,
                    id: format!("{index:0width$}-{}", &hash[..8]),
                });
            }
        }
        Ok(Plan { record, runs })
    }

    /// The runs of one shard (all runs without one).
    pub fn shard(&self, shard: Option<Shard>) -> Vec<&RunPlan> {
        self.runs
            .iter()
            .filter(|r| shard.is_none_or(|s| r.index % s.count == s.index))
            .collect()
    }

    /// The value of axis `axis` as a table cell: strings bare, everything else as TOML.
    pub fn cell(&self, axis: usize, value: usize) -> String {
        let text = &self.record.axes[axis].values[value];
        match text.parse::<toml::Value>() {
            Ok(toml::Value::String(s)) => s,
            _ => text.clone(),
        }
    }

    /// Grid points.
    pub fn points(&self) -> usize {
        self.record.grid_points
    }
}

/// One slice of a sweep: the runs whose index % `count` == `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The environment variable Slurm sets in each task of an array job.
pub const SLURM_TASK_VAR: &str = "SLURM_ARRAY_TASK_ID";

impl Shard {
    /// `I/N`.
    pub fn parse(s: &str) -> Result<Shard, SweepError> {
        let bad = || {
            SweepError::grid(format!(
                "--shard `{s}`: expected I/N, the 0-based shard index I below the shard count N \
                 (e.g. 0/4)"
            ))
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        Shard::new(index, count).map_err(|e| SweepError::grid(format!("--shard `{s}`: {e}")))
    }

    /// Checks `index < count`.
    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 {
            return Err("the shard count must be at least 1".into());
        }
        if index >= count {
            return Err(format!(
                "shard index {index} is not below the shard count {count} (shards are 0..{})",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// The shard of this process: `--shard I/N` as given, or with `--shards N` the index from
    /// `$SLURM_ARRAY_TASK_ID` (`task` is its value, passed in so tests need no environment).
    pub fn resolve(
        shard: Option<&str>,
        shards: Option<usize>,
        task: Option<&str>,
    ) -> Result<Option<Shard>, SweepError> {
        match (shard, shards) {
            (Some(_), Some(_)) => Err(SweepError::grid("give --shard I/N or --shards N, not both")),
            (Some(s), None) => Ok(Some(Shard::parse(s)?)),
            (None, Some(n)) => {
                let Some(task) = task else {
                    return Err(SweepError::grid(format!(
                        "--shards {n} takes the shard index from ${SLURM_TASK_VAR}, which is not \
                         set (outside a Slurm array job give --shard I/{n})"
                    )));
                };
                let i: usize = task.trim().parse().map_err(|_| {
                    SweepError::grid(format!("${SLURM_TASK_VAR} = `{task}` is not a shard index"))
                })?;
                let s = Shard::new(i, n).map_err(|e| {
                    SweepError::grid(format!(
                        "${SLURM_TASK_VAR} = {i} with --shards {n}: {e} (submit with \
                         --array=0-{})",
                        n.saturating_sub(1)
                    ))
                })?;
                Ok(Some(s))
            }
            (None, None) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(axes: &[(&str, &[&str])], seeds: &[u64]) -> SweepRecord {
        let points: usize = axes.iter().map(|a| a.1.len()).product();
        SweepRecord {
            schema: SWEEP_SCHEMA.into(),
            experiment: "/x.toml".into(),
            experiment_sha256: "0".into(),
            axes: axes
                .iter()
                .map(|(k, v)| RecordAxis {
                    key: k.to_string(),
                    values: v.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
            seeds: seeds.to_vec(),
            grid_points: points,
            runs: points * seeds.len(),
        }
    }

    #[test]
    fn runs_are_grid_major_seed_minor_with_stable_ids() {
        let p = Plan::new(record(
            &[("a", &["1", "2"]), ("b", &["\"x\"", "\"y\"", "\"z\""])],
            &[5, 6],
        ))
        .unwrap();
        assert_eq!(p.runs.len(), 12);
        assert_eq!(p.runs[0].values, vec![0, 0]);
        assert_eq!(p.runs[1].seed, 6);
        assert_eq!(p.runs[2].values, vec![0, 1]);
        assert_eq!(p.runs[6].values, vec![1, 0]);
        assert_eq!(p.runs[7].point, 3);
        assert!(p.runs[0].id.starts_with("0000-") && p.runs[0].id.len() == 13);
        let q = Plan::new(record(
            &[("a", &["1", "2"]), ("b", &["\"x\"", "\"y\"", "\"z\""])],
            &[5, 6],
        ))
        .unwrap();
        assert_eq!(p.runs, q.runs);
        assert_eq!(p.cell(1, 2), "z");
        assert_eq!(p.cell(0, 1), "2");
        let ids: std::collections::HashSet<_> = p.runs.iter().map(|r| &r.id).collect();
        assert_eq!(ids.len(), 12);
        // Shards partition the runs.
        let mut all: Vec<usize> = (0..5)
            .flat_map(|i| p.shard(Some(Shard::new(i, 5).unwrap())))
            .map(|r| r.index)
            .collect();
        all.sort();
        assert_eq!(all, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn shards() {
        assert_eq!(Shard::parse("1/3").unwrap(), Shard { index: 1, count: 3 });
        let e = Shard::parse("3/2").unwrap_err().to_string();
        assert!(e.contains("3/2") && e.contains("not below"), "{e}");
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("1").is_err());
        assert_eq!(
            Shard::resolve(None, Some(4), Some("2")).unwrap(),
            Some(Shard { index: 2, count: 4 })
        );
        let e = Shard::resolve(None, Some(4), None).unwrap_err().to_string();
        assert!(e.contains("SLURM_ARRAY_TASK_ID"), "{e}");
        let e = Shard::resolve(None, Some(4), Some("4"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--array=0-3"), "{e}");
        assert!(Shard::resolve(Some("0/2"), Some(2), None).is_err());
        assert_eq!(Shard::resolve(None, None, Some("3")).unwrap(), None);
    }
}
