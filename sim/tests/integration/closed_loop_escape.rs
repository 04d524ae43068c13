//! The closed loop on the real FlyWire v783 giant-fibre wiring: a loom drives LC4/LPLC2,
//! the giant fibres (DNp01) spike and trigger an escape away from the threat; silencing
//! DNp01 abolishes it; the degree-preserving shuffle is run and reported.

use std::path::Path;

use super::common::assets;
use connectome::test_data::require;
use sim::experiment::run::run_on_threads;
use sim::experiment::{Experiment, Summary, run};

fn experiment(dir: &Path, side: &str, extra: &str) -> Experiment {
    let edges = require("flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv");
    let text = format!(
        r#"
[run]
duration_s = 1.6
seed = 3

[network]
connectome = "{}"
circuit = "{}"

[[events]]
kind = "loom"
at_s = 0.8
side = "{side}"

[reports]
spikes = ["type=DNp01"]
{extra}
"#,
        edges.display(),
        assets().join("circuits/flywire783_escape.toml").display()
    );
    let path = dir.join("exp.toml");
    std::fs::write(&path, text).unwrap();
    Experiment::load(&path).unwrap()
}

fn escape_time(s: &Summary) -> f64 {
    s.behaviour_time_s.get("escape").copied().unwrap_or(0.0)
}

#[test]
fn a_loom_from_either_side_triggers_a_giant_fibre_escape_away_from_it() {
    for (side, away_sign) in [("left", -1.0f32), ("right", 1.0)] {
        let dir = tempfile::tempdir().unwrap();
        let s = run(&experiment(dir.path(), side, ""), &dir.path().join("out")).unwrap();
        let chain = &s.latency[0];
        let spike = chain.first_trigger_spike_s.expect("a giant-fibre spike");
        let command = chain.escape_command_s.expect("an escape command");
        let lift = chain.lift_off_s.expect("lift-off");
        eprintln!("{side}: spike {spike:.4} s, command {command:.4} s, lift-off {lift:.4} s");
        // The command comes in the control window of the spike (1 ms), lift-off after it.
        assert!(spike >= 0.0 && command >= spike && command - spike <= 0.001 + 1e-6);
        assert!(lift > command && lift < 0.2, "lift-off {lift}");
        assert!(escape_time(&s) > 0.3, "{:?}", s.behaviour_time_s);
        assert_eq!(s.onsets[0].onset_s.get("escape").copied(), Some(command));
        // Away from the threat: the body moves to the side opposite the loom.
        let [_, leftward] = chain.displacement_m.expect("displacement after 0.5 s");
        assert!(
            leftward * away_sign > 0.01,
            "{side} loom: leftward displacement {leftward} m"
        );
        assert!(!s.synthetic_wiring, "{}", s.wiring_note);
        assert!(s.links.iter().any(|l| l.link == "engineered"));
    }
}

#[test]
fn silencing_the_giant_fibres_abolishes_the_escape() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        "left",
        "\n[[modifications]]\nneurons = \"type=DNp01\"\nkind = \"silence\"\n",
    );
    let s = run(&exp, &dir.path().join("out")).unwrap();
    assert_eq!(escape_time(&s), 0.0, "{:?}", s.behaviour_time_s);
    assert_eq!(s.latency[0].escape_command_s, None);
    // The giant fibres still spike (silencing cuts their output, as in Shiu et al.), so
    // the control is specific: the escape needs their output, not just their activity.
    let spikes = std::fs::metadata(dir.path().join("out/spikes.parquet")).unwrap();
    assert!(spikes.len() > 0);
}

#[test]
fn the_shuffled_wiring_is_run_and_labelled_as_the_null_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = experiment(dir.path(), "left", "");
    exp.network.shuffle = Some(11);
    let s = run(&exp, &dir.path().join("out")).unwrap();
    assert!(
        s.synthetic_wiring && s.shuffled == Some(11),
        "{}",
        s.wiring_note
    );
    eprintln!(
        "shuffled wiring (seed 11): escape {:.2} s, first giant-fibre spike {:?}",
        escape_time(&s),
        s.latency[0].first_trigger_spike_s
    );
}

#[test]
fn the_same_file_and_seed_give_identical_outputs_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "left", "");
    let mut outs = Vec::new();
    for threads in [1, 2] {
        let out = dir.path().join(format!("out{threads}"));
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            // The brain on as many threads (controller::brain::ThreadedBrain).
            .install(|| run_on_threads(&exp, &out, threads))
            .unwrap();
        outs.push(out);
    }
    for f in ["timeline.csv", "spikes.parquet"] {
        let a = std::fs::read(outs[0].join(f)).unwrap();
        let b = std::fs::read(outs[1].join(f)).unwrap();
        assert!(a == b && !a.is_empty(), "{f} differs");
    }
    // summary.json differs only in its wall-clock fields.
    let strip = |p: &Path| {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(p.join("summary.json")).unwrap()).unwrap();
        let o = v.as_object_mut().unwrap();
        o.remove("wall_s");
        o.remove("real_time_factor");
        v
    };
    assert_eq!(strip(&outs[0]), strip(&outs[1]));
}
