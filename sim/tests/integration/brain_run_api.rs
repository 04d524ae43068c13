//! `sim::brain_run` as a library: the same spikes as `hexafly brain run`, a typed summary,
//! and errors that name the parameter by its field (the command line by its flag).

use super::common;
use sim::brain_run::{BrainRunError, BrainRunParams, run};

fn setup() -> tempfile::TempDir {
    common::small_edge_list()
}

fn params(dir: &std::path::Path, out: &str) -> BrainRunParams {
    let mut p = BrainRunParams::new(dir.join("edges.csv"), 300.0, dir.join(out));
    p.source.cache_dir = Some(dir.join("cache"));
    p.stimulate = vec!["id=100,101,102".into()];
    p.rate = Some(200.0);
    p.rate_of = vec!["id=200,201".into()];
    p.seed = 3;
    p.trials = 2;
    p.threads = Some(1);
    p
}

#[test]
fn the_library_writes_the_spikes_of_the_command_line_and_a_typed_summary() {
    let dir = setup();
    let summary = run(&params(dir.path(), "lib.csv")).unwrap();
    assert_eq!(
        (summary.neurons, summary.trials, summary.stimulated),
        (47, 2, 3)
    );
    assert!(summary.spikes > 0 && summary.recorded_spikes as u64 == summary.spikes);
    assert!(summary.rate_of["id=200,201"] > 0.0, "{summary:?}");

    let o = common::hexafly()
        .current_dir(dir.path())
        .env("HEXAFLY_CACHE", dir.path().join("cache"))
        .args([
            "brain",
            "run",
            "--connectome",
            "edges.csv",
            "--duration-ms",
            "300",
        ])
        .args([
            "--out",
            "cli.csv",
            "--stimulate",
            "id=100,101,102",
            "--rate",
            "200",
        ])
        .args(["--rate-of", "id=200,201", "--seed", "3", "--trials", "2"])
        .args(["--threads", "1"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::stderr(&o));
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    assert_eq!(read("lib.csv"), read("cli.csv"));
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(printed["spikes"], summary.spikes);
    assert_eq!(
        printed["rate_of"]["id=200,201"],
        summary.rate_of["id=200,201"]
    );
}

#[test]
fn errors_name_the_field_in_the_library_and_the_flag_on_the_command_line() {
    let dir = setup();
    let mut p = params(dir.path(), "never.csv");
    p.silence = vec!["id=100 & id=101".into()];
    let e = run(&p).unwrap_err();
    assert!(
        matches!(
            e,
            BrainRunError::SelectsNothing {
                param: "silence",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("silence `id=100 & id=101` selects no neuron"),
        "{e}"
    );
    assert!(
        e.describe(|f| format!("--{f}"))
            .starts_with("--silence `id=100"),
        "{e}"
    );

    let mut p = params(dir.path(), "never.csv");
    p.duration_ms = 0.05;
    let e = run(&p).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("duration_ms 0.05: time 0.05 ms is not on"),
        "{e}"
    );

    let mut p = params(dir.path(), "never.csv");
    p.stimulate.clear();
    let e = run(&p).unwrap_err();
    assert!(matches!(e, BrainRunError::RateWithoutStimulus), "{e:?}");
    assert!(!dir.path().join("never.csv").exists());
}
