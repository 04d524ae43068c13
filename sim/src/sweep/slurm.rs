//! `--emit-slurm FILE`: a Slurm batch script that runs the sweep as an array job, one shard
//! per array task (`--shard $SLURM_ARRAY_TASK_ID/N`), every path absolute so it runs from any
//! folder of any node that sees the same filesystem. Slurm does the scheduling, retries and
//! accounting; hexafly only slices the runs and merges the results (`hexafly sweep merge`).

use std::path::Path;

/// What the script runs.
#[derive(Debug, Clone)]
pub struct SlurmJob<'a> {
    /// The hexafly binary (absolute).
    pub exe: &'a Path,
    /// The experiment file (absolute).
    pub experiment: &'a Path,
    /// The sweep folder (absolute), shared by all tasks.
    pub out: &'a Path,
    /// `--set` items, as given.
    pub sets: &'a [String],
    /// `--seeds`, as given.
    pub seeds: Option<&'a str>,
    /// Runs at once per task (also `--cpus-per-task`); None: `$SLURM_CPUS_PER_TASK`, else 1.
    pub jobs: Option<usize>,
    /// Array tasks = shards.
    pub shards: usize,
    /// Runs in the whole sweep (for the comment).
    pub runs: usize,
    /// Extra `#SBATCH` options, as given (`--time=1:00:00`, `--partition=short`).
    pub sbatch: &'a [String],
}

/// The script's text.
pub fn script(job: &SlurmJob<'_>) -> String {
    let q = |p: &Path| shell_quote(&p.display().to_string());
    let out = q(job.out);
    let mut s = String::new();
    s.push_str("#!/bin/bash\n");
    s.push_str(&format!(
        "# hexafly sweep of {} as a Slurm array job: {} runs in {} shards (written by \
         `hexafly sweep --emit-slurm`).\n",
        job.experiment.display(),
        job.runs,
        job.shards
    ));
    s.push_str("#   submit:                 sbatch THIS_FILE\n");
    s.push_str(&format!(
        "#   when all tasks are done: {} sweep merge {out}\n",
        q(job.exe)
    ));
    s.push_str(
        "#   a failed or killed task can be resubmitted alone (sbatch --array=I THIS_FILE):\n\
         #   finished runs are kept, unfinished ones redone.\n",
    );
    s.push_str("#SBATCH --job-name=hexafly-sweep\n");
    s.push_str(&format!("#SBATCH --array=0-{}\n", job.shards - 1));
    s.push_str(&format!(
        "#SBATCH --output={}\n",
        job.out.join("slurm").join("%A_%a.out").display()
    ));
    if let Some(j) = job.jobs {
        s.push_str(&format!("#SBATCH --cpus-per-task={j}\n"));
    }
    for o in job.sbatch {
        s.push_str(&format!("#SBATCH {o}\n"));
    }
    s.push_str("set -euo pipefail\n");
    // One flag and its value per line.
    let mut cmd = vec![
        format!("{} sweep {}", q(job.exe), q(job.experiment)),
        format!("--out {out}"),
    ];
    for set in job.sets {
        cmd.push(format!("--set {}", shell_quote(set)));
    }
    if let Some(seeds) = job.seeds {
        cmd.push(format!("--seeds {}", shell_quote(seeds)));
    }
    cmd.push(match job.jobs {
        Some(j) => format!("--jobs {j}"),
        None => "--jobs \"${SLURM_CPUS_PER_TASK:-1}\"".into(),
    });
    cmd.push(format!(
        "--shard \"${{SLURM_ARRAY_TASK_ID}}/{}\"",
        job.shards
    ));
    s.push_str("exec ");
    s.push_str(&cmd.join(" \\\n  "));
    s.push('\n');
    s
}

/// Single-quotes `s` for a POSIX shell (a `'` becomes `'\''`); plain words stay bare.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("agent.hunger=0,0.5"), "agent.hunger=0,0.5");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("[0, 1]"), "'[0, 1]'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn the_script_runs_one_shard_per_task() {
        let sets = vec!["events.0.side=left,right".to_string()];
        let sbatch = vec!["--time=0:10:00".to_string()];
        let s = script(&SlurmJob {
            exe: Path::new("/opt/hexafly"),
            experiment: Path::new("/data/my exp.toml"),
            out: Path::new("/scratch/sweep"),
            sets: &sets,
            seeds: Some("1..10"),
            jobs: None,
            shards: 4,
            runs: 20,
            sbatch: &sbatch,
        });
        assert!(s.starts_with("#!/bin/bash\n"), "{s}");
        assert!(s.contains("#SBATCH --array=0-3\n"), "{s}");
        assert!(s.contains("#SBATCH --time=0:10:00\n"), "{s}");
        assert!(s.contains("#SBATCH --output=/scratch/sweep/slurm/%A_%a.out\n"));
        assert!(s.contains("'/data/my exp.toml'"), "{s}");
        assert!(s.contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\""), "{s}");
        assert!(s.contains("--jobs \"${SLURM_CPUS_PER_TASK:-1}\""), "{s}");
        assert!(s.contains("--seeds 1..10"), "{s}");
    }
}
