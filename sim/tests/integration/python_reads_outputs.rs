//! A run folder is readable by the tools users analyse it with: pandas reads timeline.csv
//! and (through pyarrow) spikes.parquet, and json reads summary.json, with the documented
//! columns; a sweep's runs.csv and aggregate.csv pivot as the README shows. Needs a Python with pandas and pyarrow (scripts/requirements-analysis.txt):
//! `$HEXAFLY_PYTHON`, else `.venv/bin/python` in the workspace (CI: `.ci/run` installs it).

use super::common;
use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let p = std::env::var_os("HEXAFLY_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv/bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import pandas, pyarrow"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{} cannot import pandas and pyarrow: `.venv/bin/pip install -r \
         scripts/requirements-analysis.txt` in the workspace root, or set HEXAFLY_PYTHON",
        p.display()
    );
    p
}

/// Runs `script` with `arg` and fails the test with its output unless it succeeds.
fn run_python(py: &Path, script: &str, arg: &Path) {
    let o = Command::new(py)
        .args(["-c", script])
        .arg(arg)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "python failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    eprintln!("{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn pandas_reads_the_timeline_spikes_and_summary_of_a_run() {
    let py = python();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = common::hexafly()
        .args(["run", "--out"])
        .arg(&out)
        .env("HEXAFLY_CACHE", dir.path().join("cache"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let script = r#"
import json, sys
import pandas as pd
run = sys.argv[1]
t = pd.read_csv(f"{run}/timeline.csv")
s = pd.read_parquet(f"{run}/spikes.parquet")
m = json.load(open(f"{run}/summary.json"))
assert {"t_s", "behaviour", "x_m", "y_m", "drive_forward", "escape_spikes"} <= set(t.columns), t.columns
assert list(s.columns) == ["neuron", "t_ms", "step"], s.columns
assert str(s["neuron"].dtype) == "uint64" and len(s) > 0
assert (s["t_ms"] * 10).round().astype("int64").equals(s["step"].astype("int64"))
escape = t[t["behaviour"] == "escape"]
assert len(escape) > 0
first_gf = s[s["t_ms"] >= 1000.0]["t_ms"].min()
print(f"rows {len(t)} spikes {len(s)} escape from {escape['t_s'].min():.3f} s "
      f"first spike after the loom {first_gf:.1f} ms; {m['wiring_note']}")
"#;
    run_python(&py, script, &out);
}

#[test]
fn pandas_reads_a_sweeps_runs_and_aggregate_tables() {
    let py = python();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sw");
    let exp =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/experiments/loom_escape.toml");
    let o = common::hexafly()
        .arg("sweep")
        .arg(&exp)
        .args(["--out"])
        .arg(&out)
        .args([
            "--set",
            "run.duration_s=1.3",
            "--set",
            "events.0.side=left,right",
            "--seeds",
            "2",
        ])
        .env("HEXAFLY_CACHE", dir.path().join("cache"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let script = r#"
import sys
import pandas as pd
sw = sys.argv[1]
runs = pd.read_csv(f"{sw}/runs.csv")
agg = pd.read_csv(f"{sw}/aggregate.csv")
assert len(runs) == 4, runs
assert set(runs["events[0].side"]) == {"left", "right"}
assert runs["escaped"].eq(1).all(), runs["escaped"]
table = agg.pivot(index="events[0].side", columns="figure", values="mean")
assert (table["escaped"] == 1).all()
assert (table["loom_gf_spike_s"] < 0.05).all(), table["loom_gf_spike_s"]
print(table[["escaped", "loom_gf_spike_s", "time_escape_s"]])
"#;
    run_python(&py, script, &out);
}
