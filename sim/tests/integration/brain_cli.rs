//! `hexafly brain run`: output format, determinism across thread counts, and clear errors
//! for bad input spike files.

use super::common;
use std::path::Path;
use std::process::Output;

fn hexafly(args: &[&str], dir: &Path) -> Output {
    common::hexafly()
        .current_dir(dir)
        // Keep the binary cache inside the test's folder.
        .env("HEXAFLY_CACHE", dir.join("cache"))
        .args(args)
        .output()
        .unwrap()
}

fn setup() -> tempfile::TempDir {
    common::small_edge_list()
}

const RUN: [&str; 6] = [
    "brain",
    "run",
    "--connectome",
    "edges.csv",
    "--duration-ms",
    "500",
];

#[test]
fn spikes_are_written_sorted_on_the_step_grid_and_identical_at_any_thread_count() {
    let dir = setup();
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = format!("s{threads}.csv");
        let args: Vec<&str> = RUN
            .iter()
            .copied()
            .chain([
                "--out",
                &out,
                "--stimulate",
                "id=100,101,102,103,104",
                "--rate",
                "150",
            ])
            .chain(["--seed", "4", "--trials", "3", "--threads", threads])
            .collect();
        let o = hexafly(&args, dir.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(summary["trials"], 3);
        outs.push(std::fs::read_to_string(dir.path().join(&out)).unwrap());
    }
    assert_eq!(outs[0], outs[1]);
    let mut lines = outs[0].lines();
    assert_eq!(lines.next(), Some("neuron,t_ms,trial"));
    let rows: Vec<(u32, u64, u32)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let (whole, tenth) = f[1].split_once('.').expect("one decimal digit");
            assert_eq!(tenth.len(), 1);
            (
                whole.parse::<u32>().unwrap() * 10 + tenth.parse::<u32>().unwrap(),
                f[0].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect();
    assert!(rows.len() > 100);
    assert!(
        rows.windows(2).all(|w| w[0] <= w[1]),
        "sorted by time, then neuron"
    );
    assert!(rows.iter().any(|r| r.1 >= 200), "downstream neurons fire");
}

#[test]
fn explicit_input_spikes_drive_their_targets_one_step_later() {
    let dir = setup();
    std::fs::write(dir.path().join("in.csv"), "neuron,t_ms\n105,1.0\n105,7.3\n").unwrap();
    let args: Vec<&str> = RUN
        .iter()
        .copied()
        .chain(["--out", "o.csv", "--input-spikes", "in.csv"])
        .collect();
    let o = hexafly(&args, dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(dir.path().join("o.csv")).unwrap();
    let of105: Vec<&str> = text.lines().filter(|l| l.starts_with("105,")).collect();
    assert_eq!(of105, ["105,1.1", "105,7.4"]);
}

#[test]
fn bad_input_spike_files_are_rejected_with_file_line_and_expectation() {
    let cases = [
        (
            "neuron,time\n105,1.0\n",
            "in.csv, line 1",
            "header `neuron,t_ms`",
        ),
        (
            "neuron,t_ms\n105,1.0\nabc,2.0\n",
            "in.csv, line 3, column `neuron`",
            "integer neuron id",
        ),
        (
            "neuron,t_ms\n999,1.0\n",
            "in.csv, line 2, column `neuron`",
            "not in the connectome",
        ),
        (
            "neuron,t_ms\n105,0.05\n",
            "in.csv, line 2, column `t_ms`",
            "not on the 0.1 ms step grid",
        ),
        ("neuron,t_ms\n105,-1\n", "in.csv, line 2", ">= 0"),
        (
            "neuron,t_ms\n105,x\n",
            "in.csv, line 2",
            "expected a time in ms",
        ),
        ("neuron,t_ms\n105\n", "in.csv, line 2", "expected 2"),
        ("", "in.csv", "empty file"),
        // A spike file of a multi-trial run is not an input file.
        (
            "neuron,t_ms,trial\n105,1.0,0\n",
            "in.csv, line 1",
            "header `neuron,t_ms`",
        ),
        // The same event twice: Brian 2 refuses it; hexafly used to add it twice.
        (
            "neuron,t_ms\n105,1.0\n106,1.0\n105,1.00\n",
            "in.csv, line 4",
            "already has an input event at 1 ms (line 2)",
        ),
        ("neuron,t_ms\n105,1e308\n", "in.csv, line 2", "too long"),
    ];
    let dir = setup();
    for (content, at, what) in cases {
        std::fs::write(dir.path().join("in.csv"), content).unwrap();
        let args: Vec<&str> = RUN
            .iter()
            .copied()
            .chain(["--out", "o.csv", "--input-spikes", "in.csv"])
            .collect();
        let o = hexafly(&args, dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "accepted {content:?}");
        assert!(err.contains(at) && err.contains(what), "{content:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn input_spike_files_with_bom_quotes_crlf_tabs_or_swapped_columns_give_the_same_run() {
    let dir = setup();
    let variants: [(&str, &[u8]); 6] = [
        ("plain.csv", b"neuron,t_ms\n105,1.0\n104,0.3\n"),
        ("bom.csv", b"\xEF\xBB\xBFneuron,t_ms\n105,1.0\n104,0.3\n"),
        (
            "quoted.csv",
            b"\xEF\xBB\xBF\"neuron\",\"t_ms\"\r\n\"105\",\"1.0\"\r\n\"104\",\"0.3\"\r\n",
        ),
        ("tabs.tsv", b"neuron\tt_ms\n105\t1.0\n104\t0.3\n"),
        ("swapped.csv", b"t_ms,neuron\n1.0,105\n0.3,104\n"),
        ("blank_lines.csv", b"neuron,t_ms\n\n105,1.0\n104,0.3\n\n"),
    ];
    let mut outs = Vec::new();
    for (name, bytes) in variants {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let args: Vec<&str> = RUN
            .iter()
            .copied()
            .chain(["--out", "o.csv", "--input-spikes", name])
            .collect();
        let o = hexafly(&args, dir.path());
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        outs.push(std::fs::read_to_string(dir.path().join("o.csv")).unwrap());
    }
    assert!(
        outs[0].contains("105,1.1\n") && outs[0].contains("104,0.4\n"),
        "{}",
        outs[0]
    );
    for o in &outs[1..] {
        assert_eq!(o, &outs[0]);
    }
}

#[test]
fn bad_arguments_are_clear_errors() {
    let dir = setup();
    let cases: [(&[&str], &str); 14] = [
        (&["--rate=-3"], "--rate"),
        // One rule with experiments' `rate_hz`: 0 Hz drives nothing.
        (
            &["--stimulate", "all", "--rate", "0"],
            "--rate must be a number of Hz > 0",
        ),
        (&["--stimulate", "id=12345"], "12345"),
        (&["--silence", "type=("], "--silence"),
        (&["--trials", "0"], "--trials"),
        (&["--threads", "0"], "--threads 0: expected at least 1"),
        // Negative numbers after a space reach the validation (not a clap usage error).
        (
            &["--stimulate", "all", "--rate", "-3"],
            "--rate must be a number of Hz",
        ),
        (
            &["--inhibitory-fraction", "-0.5"],
            "--inhibitory-fraction must be in [0, 1]",
        ),
        // Above one event per step the Poisson input silently saturated.
        (&["--stimulate", "all", "--rate", "20000"], "at most 10000"),
        (&["--stimulate", "all", "--rate", "NaN"], "--rate must be"),
        // --rate without --stimulate drove nothing.
        (&["--rate", "100"], "expected --stimulate"),
        // Selectors that pick nothing were silently ignored.
        (
            &["--silence", "id=100 & id=101"],
            "--silence `id=100 & id=101` selects no neuron",
        ),
        (
            &["--record", "id=100 & id=101"],
            "--record `id=100 & id=101` selects no neuron",
        ),
        (
            &["--rate-of", "id=100 & id=101"],
            "--rate-of `id=100 & id=101` selects no neuron",
        ),
    ];
    for (extra, what) in cases {
        let args: Vec<&str> = RUN
            .iter()
            .copied()
            .chain(["--out", "o.csv"])
            .chain(extra.iter().copied())
            .collect();
        let o = hexafly(&args, dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(what),
            "{extra:?}: {err}"
        );
        // Every selector and output is checked before the simulation: nothing is written.
        assert!(!dir.path().join("o.csv").exists(), "{extra:?} wrote o.csv");
    }
}

#[test]
fn outputs_that_cannot_be_written_fail_before_the_simulation_and_threads_are_capped() {
    let dir = setup();
    std::fs::write(dir.path().join("a-file"), "").unwrap();
    let args: Vec<&str> = RUN
        .iter()
        .copied()
        .chain(["--out", "a-file/spikes.csv"])
        .collect();
    let o = hexafly(&args, dir.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("a-file/spikes.csv"),
        "{err}"
    );
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // More threads than cores: capped with a note, the same spikes.
    let args: Vec<&str> = RUN
        .iter()
        .copied()
        .chain(["--out", "many.csv", "--threads", "100000"])
        .collect();
    let o = hexafly(&args, dir.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("--threads 100000 is more than this machine's"),
        "{err}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(summary["threads"], cores);
}

#[test]
fn one_trial_split_across_two_threads_writes_the_same_spikes() {
    let dir = setup();
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = format!("one{threads}.csv");
        let args: Vec<&str> = RUN
            .iter()
            .copied()
            .chain([
                "--out",
                &out,
                "--stimulate",
                "id=100,101,102,103,104,110,120",
            ])
            .chain(["--seed", "8", "--threads", threads, "--split-trials"])
            .collect();
        let o = hexafly(&args, dir.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(summary["split"], if threads == "1" { 1 } else { 2 });
        outs.push(std::fs::read_to_string(dir.path().join(&out)).unwrap());
    }
    assert!(outs[0].lines().count() > 100);
    assert_eq!(outs[0], outs[1]);
}

#[test]
fn rates_are_averaged_over_trials_per_neuron_and_per_selection() {
    let dir = setup();
    let args: Vec<&str> = RUN
        .iter()
        .copied()
        .chain([
            "--out",
            "o.csv",
            "--stimulate",
            "id=100,101",
            "--trials",
            "4",
        ])
        .chain([
            "--rates-out",
            "rates.csv",
            "--rate-of",
            "id=100,101",
            "--rate-of",
            "id=139",
        ])
        .collect();
    let o = hexafly(&args, dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let driven = summary["rate_of"]["id=100,101"].as_f64().unwrap();
    // 150 Hz drive, minus events falling on the spike step: ~147.75 Hz expected.
    assert!((driven - 147.75).abs() < 8.0, "{driven}");
    assert_eq!(
        summary["rate_of"]["id=139"].as_f64().unwrap(),
        0.0,
        "neuron 139 receives only inhibitory synapses"
    );
    let text = std::fs::read_to_string(dir.path().join("rates.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("neuron,rate_hz"));
    let rates: Vec<(u64, f64)> = lines
        .map(|l| {
            let (a, b) = l.split_once(',').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    assert_eq!(rates.len(), 47, "every neuron of the network");
    let mean: f64 = rates
        .iter()
        .filter(|r| r.0 == 100 || r.0 == 101)
        .map(|r| r.1)
        .sum::<f64>()
        / 2.0;
    assert!((mean - driven).abs() < 1e-9);
}

#[test]
fn the_second_run_loads_from_the_cache_and_gives_the_same_spikes() {
    let dir = setup();
    let mut seen = Vec::new();
    for out in ["a.csv", "b.csv"] {
        let args: Vec<&str> = RUN
            .iter()
            .copied()
            .chain(["--out", out, "--stimulate", "id=100,101", "--seed", "2"])
            .collect();
        let o = hexafly(&args, dir.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        seen.push((
            summary["cache"].as_str().unwrap().to_owned(),
            std::fs::read_to_string(dir.path().join(out)).unwrap(),
        ));
    }
    assert_eq!(seen[0].0, "rebuilt");
    assert_eq!(seen[1].0, "hit");
    assert!(
        seen[0].1.lines().count() > 1,
        "the stimulated neurons must spike"
    );
    assert_eq!(seen[0].1, seen[1].1);
}
