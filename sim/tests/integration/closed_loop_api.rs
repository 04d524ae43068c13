//! The closed loop as a library user drives it: `ClosedLoop::for_experiment` with monitors
//! attached computes what `hexafly run` reports for the same experiment (the run is that
//! loop with a timeline and a run folder), a monitor of one's own sees every step, joining
//! a body and a brain of different ticks is an error, and the README's "Use it as a
//! library" is the example the tests compile.

use std::path::{Path, PathBuf};

use connectome::test_data::require;
use sim::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The loom experiment on the real giant-fibre wiring, with no timeline events (a loop of
/// one's own has none): `hexafly run` and the bare loop must then agree exactly.
fn experiment(dir: &Path, control_ms: f64) -> Experiment {
    let edges = require("flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv");
    let text = format!(
        r#"
[run]
duration_s = 0.5
seed = 5
control_ms = {control_ms}

[network]
connectome = "{}"
circuit = "{}"

[[inputs]]
neurons = "type=LC4"
rate_hz = 80.0
start_s = 0.0

[reports]
spikes = ["type=DNp01"]
"#,
        edges.display(),
        root()
            .join("assets/circuits/flywire783_escape.toml")
            .display()
    );
    let path = dir.join("exp.toml");
    std::fs::write(&path, text).unwrap();
    Experiment::load(&path).unwrap()
}

/// Counts steps and the recorded spikes it was shown.
#[derive(Default)]
struct Counter {
    steps: u64,
    spikes: usize,
    last_t: f64,
}

impl Monitor for Counter {
    fn observe(&mut self, tick: &TickRecord<'_>) -> Result<(), MonitorError> {
        self.steps += 1;
        self.spikes += tick.spikes.len();
        self.last_t = tick.t_s;
        Ok(())
    }
}

#[test]
fn monitors_on_a_bare_loop_report_what_the_run_reports() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), 1.0);
    let summary = run(&exp, &dir.path().join("run")).unwrap();

    let brain = prepare(&exp).unwrap();
    let mut fly = ClosedLoop::for_experiment(&exp, &brain).unwrap();
    // The experiment's input, as a user gives it before the first step.
    let lc4 = brain.select("type=LC4").unwrap();
    fly.controller_mut().set_activation(&lc4, 80.0).unwrap();
    // Rates the brain cannot carry are refused when asked for, and change nothing: not a
    // number, negative, above one event per 0.1 ms step.
    for bad in [f64::NAN, -1.0, 10_000.5, f64::INFINITY] {
        let e = fly.activate(&lc4, bad).unwrap_err();
        assert!(e.to_string().contains("at most 10000 Hz"), "{e}");
        assert!(fly.controller_mut().set_activation(&lc4, bad).is_err());
    }
    fly.plan(Some(500));
    fly.attach(BehaviourMonitor::default());
    fly.attach(PathMonitor::new(fly.agent().pose()));
    fly.attach(Counter::default());
    while fly.ticks() < 500 {
        fly.step().unwrap();
    }
    let behaviour = fly.monitor::<BehaviourMonitor>().unwrap();
    assert_eq!(behaviour.time_s(), &summary.behaviour_time_s);
    assert_eq!(behaviour.bouts(), &summary.bouts);
    assert_eq!(behaviour.switches(), summary.switches);
    assert!(
        summary.behaviour_time_s.contains_key("escape"),
        "LC4 at 80 Hz drives an escape: {:?}",
        summary.behaviour_time_s
    );
    let path = fly.monitor::<PathMonitor>().unwrap();
    assert_eq!(path.path_length_m(), summary.path_length_m);
    assert_eq!(path.distance_m(&fly.agent().pose()), summary.distance_m);
    assert_eq!(
        fly.controller().brain().total_spikes(),
        summary.brain_spikes
    );
    let counter = fly.monitor::<Counter>().unwrap();
    assert_eq!(counter.steps, 500);
    assert_eq!(counter.last_t, 0.5);
    let parquet = std::fs::metadata(dir.path().join("run/spikes.parquet")).unwrap();
    assert!(counter.spikes > 0 && parquet.len() > 0);
    // A script labels its own outputs as the run does: the links and the wiring.
    let links = serde_json::to_value(brain.links(&exp)).unwrap();
    assert_eq!(links, serde_json::to_value(&summary.links).unwrap());
    assert!(
        summary
            .links
            .iter()
            .any(|l| l.link == "engineered" && l.kind == "arbiter")
    );
    assert_eq!(
        brain.wiring(),
        (summary.synthetic_wiring, summary.wiring_note)
    );
}

#[test]
fn a_body_and_a_brain_of_different_ticks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), 1.0);
    let brain = prepare(&exp).unwrap();
    let fly = ClosedLoop::for_experiment(&exp, &brain).unwrap();
    let slower = experiment(dir.path(), 2.0);
    let other = ClosedLoop::for_experiment(&slower, &prepare(&slower).unwrap()).unwrap();
    let (agent, controller) = (fly, other);
    let err = ClosedLoop::new(agent.into_parts().0, controller.into_parts().1)
        .err()
        .expect("different ticks")
        .to_string();
    assert!(
        err.contains("0.001") && err.contains("0.002") && err.contains("same tick"),
        "{err}"
    );
}

#[test]
fn the_readme_shows_the_library_example() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let example = std::fs::read_to_string(root().join("sim/examples/closed_loop.rs")).unwrap();
    let code = &example[example.find("use sim::prelude::*;").unwrap()..];
    let section = &readme[readme.find("## Use it as a library").expect("the section")..];
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a rust block");
    assert_eq!(
        block, code,
        "README.md's block is not sim/examples/closed_loop.rs"
    );
    assert!(code.lines().count() <= 25, "about 15 lines of loop");
}
