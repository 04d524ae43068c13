//! `hexafly sweep EXP.toml --out DIR [--set KEY=V1,V2,...]... [--seeds N|a,b,c] [--jobs N]
//! [--shard I/N | --shards N] [--emit-slurm FILE]` and `hexafly sweep merge DIR`. The work is
//! in `sim::sweep`; this file parses the flags and reports.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use sim::record::write_atomic;
use sim::sweep::plan::SLURM_TASK_VAR;
use sim::sweep::slurm::{SlurmJob, script};
use sim::sweep::{
    Plan, RUNS_CSV, Shard, SweepParams, SweepRecord, SweepSpec, TablesReport, merge, run_sweep,
};

/// Arguments of `hexafly sweep`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// The experiment file; its `[sweep]` table (if any) gives the grid.
    #[arg(required = true)]
    pub experiment: Option<PathBuf>,
    /// Sweep folder: sweep.json, runs/<run_id>/, runs.csv, aggregate.csv, timing.csv.
    /// Rerunning the same sweep into it resumes.
    #[arg(long, required = true)]
    pub out: Option<PathBuf>,
    /// Sweep a key of the experiment file over values (TOML values; not-TOML words are
    /// strings), e.g. `agent.hunger=0,0.5,1` or `events[0].side=left,right`; repeatable; wins
    /// over the file's [sweep] for the same key.
    #[arg(long = "set", value_name = "KEY=V1,V2,...")]
    pub set: Vec<String>,
    /// Seeds of every grid point: N (N seeds from the file's run.seed on), or a list such as
    /// `1,2,3` or `1..10` (inclusive); wins over `seeds` in [sweep].
    #[arg(long, value_name = "N|LIST")]
    pub seeds: Option<String>,
    /// Runs at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only shard I of N (runs with index % N == I, 0-based); writes run folders only,
    /// join them with `hexafly sweep merge DIR`.
    #[arg(long, value_name = "I/N", conflicts_with = "shards")]
    pub shard: Option<String>,
    /// N shards: with --emit-slurm the array size; otherwise run the shard named by
    /// $SLURM_ARRAY_TASK_ID (error when it is not set).
    #[arg(long, value_name = "N")]
    pub shards: Option<usize>,
    /// Rebuild runs.csv and aggregate.csv at most every this many seconds while running, so
    /// partial results are visible (they are always rebuilt at the end).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub refresh: f64,
    /// Write an `sbatch --array=0-(N-1)` script running the N shards (--shards N) and exit
    /// without running.
    #[arg(long, value_name = "FILE", requires = "shards")]
    pub emit_slurm: Option<PathBuf>,
    /// An extra #SBATCH option for --emit-slurm (e.g. `--sbatch=--time=1:00:00`); repeatable.
    #[arg(
        long,
        value_name = "OPTION",
        allow_hyphen_values = true,
        requires = "emit_slurm"
    )]
    pub sbatch: Vec<String>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Rebuild runs.csv, aggregate.csv and timing.csv from all run folders under DIR (after
    /// the shards of a cluster sweep are done).
    Merge(MergeArgs),
}

/// Arguments of `hexafly sweep merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The sweep folder (holds sweep.json).
    pub dir: PathBuf,
    /// Succeed even when some runs are missing (the tables hold the finished ones).
    #[arg(long)]
    pub allow_missing: bool,
}

/// Runs `hexafly sweep`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(Command::Merge(m)) = args.command {
        return run_merge(m);
    }
    let (Some(experiment), Some(out)) = (args.experiment.as_ref(), args.out.as_ref()) else {
        bail!("hexafly sweep needs EXPERIMENT and --out DIR");
    };
    if args.jobs == Some(0) {
        bail!("--jobs 0: expected at least 1");
    }
    let spec = SweepSpec::load(experiment, &args.set, args.seeds.as_deref())?;
    if let Some(file) = &args.emit_slurm {
        return emit_slurm(&args, &spec, out, file);
    }
    let task = std::env::var(SLURM_TASK_VAR).ok();
    let shard = Shard::resolve(args.shard.as_deref(), args.shards, task.as_deref())?;
    if !(args.refresh >= 0.0 && args.refresh.is_finite()) {
        bail!("--refresh {}: expected seconds >= 0", args.refresh);
    }
    let opts = SweepParams {
        jobs: Some(super::cap_threads("--jobs", args.jobs, usize::MAX)?),
        shard,
        refresh: std::time::Duration::from_secs_f64(args.refresh),
        ..SweepParams::default()
    };
    let o = run_sweep(&spec, out, &opts)?;
    let done = o.already_done + o.ran;
    println!(
        "sweep: {} of {} runs done ({} now, {} before){}",
        done,
        o.selected,
        o.ran,
        o.already_done,
        shard.map_or(String::new(), |s| format!(
            " in shard {s}; all shards: {} runs",
            o.planned
        ))
    );
    match &o.tables {
        Some(t) => report_tables(out, t),
        None => println!(
            "when every shard is done: hexafly sweep merge {}",
            out.display()
        ),
    }
    o.all_succeeded()?;
    Ok(())
}

fn run_merge(m: MergeArgs) -> anyhow::Result<()> {
    let t = merge(&m.dir)?;
    report_tables(&m.dir, &t);
    if !t.missing.is_empty() && !m.allow_missing {
        let show: Vec<String> = t.missing.iter().take(10).map(|i| i.to_string()).collect();
        bail!(
            "{} run(s) not finished (indices {}{}): rerun their shards, or --allow-missing",
            t.missing.len(),
            show.join(", "),
            if t.missing.len() > 10 { ", ..." } else { "" }
        );
    }
    Ok(())
}

fn report_tables(dir: &Path, t: &TablesReport) {
    println!(
        "{}: {} rows; aggregate.csv, timing.csv beside it",
        dir.join(RUNS_CSV).display(),
        t.rows
    );
    if !t.strays.is_empty() {
        eprintln!(
            "note: {} folder(s) under runs/ are not runs of this sweep (e.g. {}); ignored",
            t.strays.len(),
            t.strays[0]
        );
    }
}

fn emit_slurm(args: &Args, spec: &SweepSpec, out: &Path, file: &Path) -> anyhow::Result<()> {
    if args.shard.is_some() {
        bail!("--emit-slurm takes --shards N (the array size), not --shard");
    }
    let shards = args.shards.context("--emit-slurm needs --shards N")?;
    Shard::new(0, shards).map_err(|e| anyhow::anyhow!("--shards {shards}: {e}"))?;
    let record = SweepRecord::of(spec);
    let plan = Plan::new(record.clone())?;
    std::fs::create_dir_all(out.join("slurm"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    record.write_or_check(out)?;
    let out_abs = std::fs::canonicalize(out)?;
    let exe = std::env::current_exe().context("cannot find the hexafly binary")?;
    let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
    let text = script(&SlurmJob {
        exe: &exe,
        experiment: &spec.experiment,
        out: &out_abs,
        sets: &args.set,
        seeds: args.seeds.as_deref(),
        jobs: args.jobs,
        shards,
        runs: plan.runs.len(),
        sbatch: &args.sbatch,
    });
    write_atomic(file, |w| {
        use std::io::Write;
        w.write_all(text.as_bytes())?;
        Ok::<_, anyhow::Error>(())
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755))?;
    }
    if shards > plan.runs.len() {
        eprintln!(
            "note: {shards} shards for {} runs: {} tasks will have nothing to do",
            plan.runs.len(),
            shards - plan.runs.len()
        );
    }
    println!(
        "wrote {} ({} runs in {shards} array tasks)\nsubmit: sbatch {}\nthen:   {} sweep merge {}",
        file.display(),
        plan.runs.len(),
        file.display(),
        exe.display(),
        out_abs.display()
    );
    Ok(())
}
