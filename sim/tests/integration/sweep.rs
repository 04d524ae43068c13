//! `hexafly sweep`, run as the real binary on a tiny version of the loom experiment (loom_escape.toml) (the
//! shipped FlyWire escape subset, 0.3 s): a 2 x 10 sweep killed half way resumes to exactly
//! 20 rows without redoing finished runs; runs.csv and aggregate.csv are byte-identical at
//! --jobs 1 and 2, after a resume, and for two shards (one through the emitted Slurm script,
//! one through --shards and $SLURM_ARRAY_TASK_ID) joined by `hexafly sweep merge`, and for
//! the script submitted to a real one-node Slurm cluster (CI starts one); bad specifications
//! are errors that name the key and where it came from.

use super::common::{self, assets};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The loom experiment made tiny (0.3 s after 0.05 s settling, loom at 0.1 s), its paths
/// absolute, with `sweep` appended as the [sweep] table.
fn tiny_experiment(dir: &Path, sweep: &str) -> PathBuf {
    let exp_dir = assets().join("experiments");
    let text = std::fs::read_to_string(exp_dir.join("loom_escape.toml")).unwrap();
    let mut doc: toml::Table = toml::from_str(&text).unwrap();
    let abs = |v: &mut toml::Value| {
        if let toml::Value::String(s) = v {
            let p = std::fs::canonicalize(exp_dir.join(&*s)).unwrap();
            *s = p.display().to_string();
        }
    };
    let run = doc["run"].as_table_mut().unwrap();
    run.insert("duration_s".into(), toml::Value::Float(0.3));
    run.insert("settle_s".into(), toml::Value::Float(0.05));
    run.insert("seed".into(), toml::Value::Integer(1));
    let net = doc["network"].as_table_mut().unwrap();
    abs(net.get_mut("connectome").unwrap());
    abs(net.get_mut("circuit").unwrap());
    if let Some(f) = doc
        .get_mut("scene")
        .and_then(|s| s.as_table_mut())
        .and_then(|s| s.get_mut("file"))
    {
        abs(f);
    }
    let events = doc["events"].as_array_mut().unwrap();
    events[0]
        .as_table_mut()
        .unwrap()
        .insert("at_s".into(), toml::Value::Float(0.1));
    let path = dir.join("tiny.toml");
    std::fs::write(
        &path,
        format!("{}\n[sweep]\n{sweep}", toml::to_string(&doc).unwrap()),
    )
    .unwrap();
    path
}

const GRID: &str = "\"events.0.side\" = [\"left\", \"right\"]\nseeds = 10\n";

fn hexafly(cache: &Path, args: &[&str]) -> Output {
    common::hexafly()
        .args(args)
        .env("HEXAFLY_CACHE", cache)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .expect("hexafly runs")
}

fn ok(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "hexafly failed: {err}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn failed(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "expected an error, got {err}");
    err
}

fn finished(out: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(out.join("runs"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().join("summary.json").exists())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The sweep run once, uninterrupted, at --jobs 1: what every other way must reproduce.
struct Reference {
    _dir: tempfile::TempDir,
    cache: PathBuf,
    experiment: PathBuf,
    runs_csv: String,
    aggregate_csv: String,
}

fn reference() -> &'static Reference {
    static R: OnceLock<Reference> = OnceLock::new();
    R.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let experiment = tiny_experiment(dir.path(), GRID);
        let out = dir.path().join("ref");
        ok(&hexafly(
            &cache,
            &[
                "sweep",
                experiment.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--jobs",
                "1",
            ],
        ));
        Reference {
            cache,
            experiment,
            runs_csv: read(&out.join("runs.csv")),
            aggregate_csv: read(&out.join("aggregate.csv")),
            _dir: dir,
        }
    })
}

#[test]
fn reference_sweep_has_one_row_per_run_and_an_interval_per_point() {
    let r = reference();
    let lines: Vec<&str> = r.runs_csv.lines().collect();
    assert_eq!(lines.len(), 21, "{}", r.runs_csv);
    let header: Vec<&str> = lines[0].split(',').collect();
    for col in [
        "run_id",
        "index",
        "point",
        "events[0].side",
        "seed",
        "time_escape_s",
        "escaped",
        "distance_m",
        "brain_spikes",
        "onset_escape_s",
        "loom_gf_spike_s",
    ] {
        assert!(header.contains(&col), "runs.csv lacks {col}: {}", lines[0]);
    }
    for col in ["wall_s", "real_time_factor"] {
        assert!(
            !header.contains(&col),
            "wall-clock {col} belongs in timing.csv"
        );
    }
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for (i, l) in lines[1..].iter().enumerate() {
        let cells: Vec<&str> = l.split(',').collect();
        assert_eq!(cells[col("index")], i.to_string());
        assert_eq!(cells[col("seed")], (i % 10 + 1).to_string());
        assert_eq!(
            cells[col("events[0].side")],
            if i < 10 { "left" } else { "right" }
        );
        // The loom drives the real giant-fibre wiring: every run escapes, after the loom.
        assert_eq!(cells[col("escaped")], "1", "{l}");
        let onset: f64 = cells[col("onset_escape_s")].parse().unwrap();
        assert!(onset > 0.0 && onset < 0.1, "{l}");
    }
    // aggregate.csv: per point and figure n = 10, and the interval holds the mean.
    let agg: Vec<&str> = r.aggregate_csv.lines().collect();
    assert_eq!(
        agg[0],
        "point,events[0].side,figure,n,mean,sd,ci95_low,ci95_high"
    );
    let spikes: Vec<Vec<&str>> = agg[1..]
        .iter()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[2] == "brain_spikes")
        .collect();
    assert_eq!(spikes.len(), 2);
    for c in spikes {
        assert_eq!(c[3], "10");
        let (mean, sd, lo, hi): (f64, f64, f64, f64) = (
            c[4].parse().unwrap(),
            c[5].parse().unwrap(),
            c[6].parse().unwrap(),
            c[7].parse().unwrap(),
        );
        assert!(sd > 0.0, "seeds differ in spikes");
        // t(0.975, 9) = 2.262157
        let half = 2.262157 * sd / 10f64.sqrt();
        assert!((hi - mean - half).abs() < 1e-4 * half && (mean - lo - half).abs() < 1e-4 * half);
    }
}

#[test]
fn killed_sweep_resumes_to_exactly_20_rows_identical_at_jobs_1_and_2() {
    let r = reference();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let args = |jobs: &str| {
        vec![
            "sweep".to_string(),
            r.experiment.display().to_string(),
            "--out".into(),
            out.display().to_string(),
            "--jobs".into(),
            jobs.into(),
            "--refresh".into(),
            "0".into(),
        ]
    };
    // Start it, and kill -9 it once a few runs are finished.
    let mut child = common::hexafly()
        .args(args("1"))
        .env("HEXAFLY_CACHE", &r.cache)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while finished(&out).len() < 6 {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "no runs finished in 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done = finished(&out);
    assert!(
        done.len() < 20,
        "the sweep ended before it was killed; the test needs longer runs"
    );
    // The tables were refreshed while it ran (--refresh 0: after every run).
    let partial = read(&out.join("runs.csv")).lines().count() - 1;
    assert!(
        (1..=done.len()).contains(&partial),
        "{partial} rows for {} finished runs",
        done.len()
    );
    // One finished run loses its summary too (as if killed between writing its timeline
    // and its summary): it must be redone, the others kept as they are.
    let lost = &done[0];
    std::fs::remove_file(out.join("runs").join(lost).join("summary.json")).unwrap();
    let kept: Vec<(String, String, std::time::SystemTime)> = done[1..]
        .iter()
        .map(|id| {
            let p = out.join("runs").join(id).join("summary.json");
            (
                id.clone(),
                read(&p),
                std::fs::metadata(&p).unwrap().modified().unwrap(),
            )
        })
        .collect();

    let o = hexafly(
        &r.cache,
        &args("2").iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let stdout = ok(&o);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!(
            "{} done, {} to run",
            done.len() - 1,
            21 - done.len()
        )),
        "{stderr}"
    );
    assert!(stdout.contains("20 of 20 runs done"), "{stdout}");
    assert_eq!(finished(&out).len(), 20);
    assert_eq!(std::fs::read_dir(out.join("runs")).unwrap().count(), 20);
    for (id, text, mtime) in &kept {
        let p = out.join("runs").join(id).join("summary.json");
        assert_eq!(&read(&p), text, "{id} was redone");
        assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), *mtime);
    }
    let runs_csv = read(&out.join("runs.csv"));
    assert_eq!(runs_csv.lines().count(), 21, "{runs_csv}");
    assert_eq!(
        runs_csv, r.runs_csv,
        "resumed at --jobs 2 vs one go at --jobs 1"
    );
    assert_eq!(read(&out.join("aggregate.csv")), r.aggregate_csv);
    assert_eq!(read(&out.join("timing.csv")).lines().count(), 21);

    // Once more: nothing to run, the same tables.
    let o = hexafly(
        &r.cache,
        &args("2").iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(ok(&o).contains("(0 now, 20 before)"));
    assert_eq!(read(&out.join("runs.csv")), r.runs_csv);
}

/// `--emit-slurm` of the reference sweep in 2 shards into `out`, the script at `script`.
fn emit_slurm(r: &Reference, out: &Path, script: &Path) {
    ok(&hexafly(
        &r.cache,
        &[
            "sweep",
            r.experiment.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--shards",
            "2",
            "--emit-slurm",
            script.to_str().unwrap(),
            "--sbatch=--time=0:10:00",
        ],
    ));
}

#[test]
fn slurm_shards_and_merge_equal_the_local_sweep() {
    let r = reference();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cluster");
    let script = dir.path().join("sweep.sbatch");
    let exp = r.experiment.to_str().unwrap();
    emit_slurm(r, &out, &script);
    assert!(finished(&out).is_empty(), "--emit-slurm runs nothing");
    let text = read(&script);
    assert!(text.contains("#SBATCH --array=0-1\n"), "{text}");
    assert!(text.contains("#SBATCH --time=0:10:00\n"), "{text}");
    assert!(
        text.contains("--shard \"${SLURM_ARRAY_TASK_ID}/2\""),
        "{text}"
    );
    assert!(text.contains(exp), "absolute experiment path: {text}");
    assert!(out.join("sweep.json").exists() && out.join("slurm").is_dir());

    // Array task 0, as Slurm would start it.
    let o = Command::new("bash")
        .arg(&script)
        .env("SLURM_ARRAY_TASK_ID", "0")
        .env("SLURM_CPUS_PER_TASK", "1")
        .env("HEXAFLY_CACHE", &r.cache)
        .output()
        .unwrap();
    let s = ok(&o);
    assert!(
        s.contains("10 of 10 runs done") && s.contains("shard 0/2"),
        "{s}"
    );
    assert!(
        !out.join("runs.csv").exists(),
        "shards leave the tables to merge"
    );
    // Merge with a shard missing: the finished half, and an error naming what is missing.
    let o = hexafly(&r.cache, &["sweep", "merge", out.to_str().unwrap()]);
    let e = failed(&o);
    assert!(e.contains("10 run(s) not finished (indices 1, 3, 5"), "{e}");
    assert_eq!(read(&out.join("runs.csv")).lines().count(), 11);

    // Task 1 through --shards and $SLURM_ARRAY_TASK_ID.
    let o = common::hexafly()
        .args([
            "sweep",
            exp,
            "--out",
            out.to_str().unwrap(),
            "--shards",
            "2",
        ])
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("HEXAFLY_CACHE", &r.cache)
        .output()
        .unwrap();
    assert!(ok(&o).contains("shard 1/2"));
    let o = hexafly(&r.cache, &["sweep", "merge", out.to_str().unwrap()]);
    assert!(ok(&o).contains("20 rows"));
    assert_eq!(
        read(&out.join("runs.csv")),
        r.runs_csv,
        "merged shards vs local"
    );
    assert_eq!(read(&out.join("aggregate.csv")), r.aggregate_csv);
}

/// Whether a Slurm cluster answers here. CI starts one (`scripts/slurm-one-node.sh`) and sets
/// HEXAFLY_REQUIRE_SLURM, so there a missing cluster fails the test instead of skipping it.
fn slurm_cluster() -> bool {
    let up = Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("idle"))
        .unwrap_or(false);
    if !up {
        assert!(
            std::env::var_os("HEXAFLY_REQUIRE_SLURM").is_none(),
            "HEXAFLY_REQUIRE_SLURM is set but no Slurm node is idle (`sinfo` failed or shows none)"
        );
        eprintln!(
            "skipped: no Slurm cluster here (`sinfo` shows no idle node); as root, \
             scripts/slurm-one-node.sh starts one"
        );
    }
    up
}

/// The emitted script submitted for real (`sbatch --wait`) to a one-node Slurm cluster: both
/// array tasks run under slurmd, and `sweep merge` gives exactly the local sweep's tables.
#[test]
fn a_real_slurm_array_job_merges_to_the_local_sweep() {
    if !slurm_cluster() {
        return;
    }
    let r = reference();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cluster");
    let script = dir.path().join("sweep.sbatch");
    emit_slurm(r, &out, &script);
    // The job inherits this environment (sbatch's default --export=ALL), the cache included.
    let o = Command::new("timeout")
        .args(["900", "sbatch", "--wait", "--parsable"])
        .arg(&script)
        .current_dir(dir.path())
        .env("HEXAFLY_CACHE", &r.cache)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .expect("sbatch runs");
    let job = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let logs: Vec<String> = std::fs::read_dir(out.join("slurm"))
        .map(|d| {
            d.flatten()
                .map(|e| format!("{}:\n{}", e.path().display(), read(&e.path())))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        o.status.success(),
        "sbatch --wait failed: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        logs.join("\n")
    );
    assert_eq!(
        logs.len(),
        2,
        "one log per array task of job {job}: {logs:?}"
    );
    for shard in ["shard 0/2", "shard 1/2"] {
        assert!(logs.iter().any(|l| l.contains(shard)), "{shard}: {logs:?}");
    }
    assert_eq!(finished(&out).len(), 20, "both tasks ran their runs");
    let o = hexafly(&r.cache, &["sweep", "merge", out.to_str().unwrap()]);
    assert!(ok(&o).contains("20 rows"));
    assert_eq!(read(&out.join("runs.csv")), r.runs_csv, "cluster vs local");
    assert_eq!(read(&out.join("aggregate.csv")), r.aggregate_csv);
}

#[test]
fn bad_specifications_are_errors_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let exp = tiny_experiment(dir.path(), "seeds = [7]\n");
    let exp_s = exp.to_str().unwrap();
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();
    let sweep = |extra: &[&str]| {
        let mut a = vec!["sweep", exp_s, "--out", out_s];
        a.extend(extra);
        failed(&hexafly(&cache, &a))
    };

    let e = sweep(&["--set", "agent.hungr=0.5,1"]);
    assert!(
        e.contains("`agent.hungr`") && e.contains("--set") && e.contains("unknown key"),
        "{e}"
    );
    let e = sweep(&["--set", "events.4.at_s=0.1"]);
    assert!(
        e.contains("`events[4].at_s`") && e.contains("unknown key") && e.contains("no entry 4"),
        "{e}"
    );
    let e = sweep(&["--set", "agent.hunger="]);
    assert!(
        e.contains("empty grid") && e.contains("agent.hunger"),
        "{e}"
    );
    let e = sweep(&["--shard", "3/2"]);
    assert!(e.contains("3/2") && e.contains("not below"), "{e}");
    let e = sweep(&["--set", "agent.hunger=0.5,2"]);
    assert!(
        e.contains("`agent.hunger` = 2") && e.contains("expected 0..1"),
        "{e}"
    );
    // Values that only fail together: the point is named.
    let e = sweep(&["--set", "run.duration_s=0.3,0.05"]);
    assert!(
        e.contains("`run.duration_s` = 0.05") && e.contains("outside the run"),
        "{e}"
    );
    let e = sweep(&["--shards", "2"]);
    assert!(e.contains("SLURM_ARRAY_TASK_ID"), "{e}");
    let e = sweep(&["--seeds", "0"]);
    assert!(e.contains("empty grid"), "{e}");
    assert!(!out.exists(), "nothing is written for a bad sweep");

    // In the file: the key, the file and its line.
    let bad = tiny_experiment(dir.path(), "seeds = 2\n\"agent.hungry\" = [0.1, 0.2]\n");
    let text = read(&bad);
    let line = text
        .lines()
        .position(|l| l.contains("agent.hungry"))
        .unwrap()
        + 1;
    let e = failed(&hexafly(
        &cache,
        &["sweep", bad.to_str().unwrap(), "--out", out_s],
    ));
    assert!(
        e.contains("`agent.hungry`")
            && e.contains(&format!("tiny.toml line {line}"))
            && e.contains("unknown key"),
        "{e}"
    );
    let empty = tiny_experiment(dir.path(), "\"agent.hunger\" = []\n");
    let e = failed(&hexafly(
        &cache,
        &["sweep", empty.to_str().unwrap(), "--out", out_s],
    ));
    assert!(
        e.contains("empty grid") && e.contains("`agent.hunger`"),
        "{e}"
    );

    // A folder holding another sweep is not resumed into.
    let exp = tiny_experiment(dir.path(), "seeds = [7]\n");
    ok(&hexafly(
        &cache,
        &["sweep", exp_s, "--out", out_s, "--set", "agent.hunger=0.1"],
    ));
    let e = sweep(&["--set", "agent.hunger=0.2"]);
    assert!(
        e.contains("holds a different sweep") && e.contains("agent.hunger"),
        "{e}"
    );
    // ... and `hexafly run` runs a file with a [sweep] table as its experiment.
    let run = dir.path().join("run");
    ok(&hexafly(
        &cache,
        &["run", exp.to_str().unwrap(), "--out", run.to_str().unwrap()],
    ));
    assert!(run.join("summary.json").exists());
}
