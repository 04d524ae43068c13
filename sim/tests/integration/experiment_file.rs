//! Bad experiment files are errors naming the file, the line and the key.

use sim::experiment::Experiment;

const GOOD: &str = r#"
[run]
duration_s = 2.0

[network]
connectome = "x.csv"
circuit = "m.toml"

[[inputs]]
neurons = "type=LC4"
rate_hz = 100.0

[[events]]
kind = "loom"
at_s = 1.0
side = "left"
"#;

fn error(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exp.toml");
    std::fs::write(&path, text).unwrap();
    let e = Experiment::load(&path).expect_err("must be refused");
    let msg = sim::error_chain(&e);
    assert!(msg.contains("exp.toml"), "names the file: {msg}");
    msg
}

#[test]
fn a_good_file_parses() {
    let e = Experiment::parse(GOOD, std::path::Path::new("exp.toml")).unwrap();
    assert_eq!(e.events.len(), 1);
    assert_eq!(e.inputs[0].rate_hz, 100.0);
}

#[test]
fn unknown_keys_bad_selectors_late_events_and_bad_rates_name_line_and_key() {
    let m = error(&GOOD.replace("duration_s = 2.0", "duration_s = 2.0\ndurations = 3"));
    assert!(
        m.contains("unknown field `durations`") && m.contains("line 4"),
        "{m}"
    );

    let m = error(&GOOD.replace("type=LC4", "type=LC4 &"));
    assert!(m.contains("`inputs[0].neurons` (line 10)"), "{m}");

    let m = error(&GOOD.replace("at_s = 1.0", "at_s = 5.0"));
    assert!(
        m.contains("`events[0].at_s` (line 15)") && m.contains("outside the run"),
        "{m}"
    );

    let m = error(&GOOD.replace("rate_hz = 100.0", "rate_hz = -5.0"));
    assert!(
        m.contains("`inputs[0].rate_hz` (line 11)") && m.contains("-5"),
        "{m}"
    );

    let m = error(&GOOD.replace("rate_hz = 100.0", "rate_hz = nan"));
    assert!(
        m.contains("inputs[0].rate_hz") && m.contains("line 11"),
        "{m}"
    );

    let m = error(&GOOD.replace("side = \"left\"", "side = \"up\""));
    assert!(m.contains("line 13") && m.contains("`up`"), "{m}");

    let m = error(&GOOD.replace("[run]", "[run]\ncontrol_ms = 15.0"));
    assert!(
        m.contains("`run.control_ms` (line 3)") && m.contains("at most 2"),
        "{m}"
    );

    let m = error(&format!("{GOOD}\n[arbiter]\nmax_speed = -1.0\n"));
    assert!(m.contains("arbiter.max_speed"), "{m}");
}

#[test]
fn a_run_on_a_synthetic_network_says_its_wiring_is_synthetic() {
    let dir = tempfile::tempdir().unwrap();
    let net = connectome::synth::generate(&connectome::synth::SynthParams {
        neurons: 300,
        edges: 3000,
        ..Default::default()
    })
    .unwrap();
    let edges = dir.path().join("edges.csv");
    let mut text = String::from("pre,post,weight\n");
    let ids = net.neurons.ids();
    let (rows, targets, counts) = net.synapses.parts();
    for pre in 0..net.n_neurons() {
        for e in rows[pre] as usize..rows[pre + 1] as usize {
            let post = ids[targets[e] as usize];
            text.push_str(&format!("{},{post},{}\n", ids[pre], counts[e]));
        }
    }
    std::fs::write(&edges, text).unwrap();
    let first: Vec<String> = ids[..4].iter().map(|i| i.to_string()).collect();
    let map = dir.path().join("map.toml");
    std::fs::write(
        &map,
        format!(
            "name = \"t\"\n[[readout]]\nname = \"fwd\"\ncommand = \"forward\"\nneurons = \"id={}\"\n\
             filter = {{ tau_ms = 20.0 }}\nlink = \"engineered\"\nnote = \"test\"\n",
            first.join(",")
        ),
    )
    .unwrap();
    let exp = dir.path().join("exp.toml");
    std::fs::write(
        &exp,
        format!(
            "[run]\nduration_s = 0.05\n[network]\nconnectome = \"{}\"\ncircuit = \"{}\"\n",
            edges.display(),
            map.display()
        ),
    )
    .unwrap();
    let e = Experiment::load(&exp).unwrap();
    let s = sim::experiment::run(&e, &dir.path().join("out")).unwrap();
    assert!(s.synthetic_wiring, "{}", s.wiring_note);
    assert!(s.wiring_note.contains("SYNTHETIC"), "{}", s.wiring_note);
}

#[test]
fn keys_set_as_values_are_checked_as_the_file_is_and_a_refused_set_changes_nothing() {
    use sim::experiment::file::EventSpec;
    let path = std::path::Path::new("exp.toml");
    let mut e = Experiment::parse(GOOD, path).unwrap();
    e.set("events[0].side", "right").unwrap();
    e.set("inputs.0.rate_hz", 250.0).unwrap();
    e.set("agent.hunger", 0.5).unwrap();
    assert!(matches!(&e.events[0], EventSpec::Loom { side, .. } if side.sign() < 0.0));
    assert_eq!(e.inputs[0].rate_hz, 250.0);
    assert_eq!(e.agent.hunger, 0.5);
    let before = e.clone();
    for (key, value, says) in [
        (
            "agent.hungry",
            toml::Value::from(0.5),
            "unknown field `hungry`",
        ),
        (
            "agent.hunger",
            toml::Value::from(1.5),
            "expected 0..1, got 1.5",
        ),
        ("events[0].at_s", toml::Value::from(9.0), "outside the run"),
        ("events[3].at_s", toml::Value::from(1.0), "no entry 3"),
        (
            "run.duration_s",
            toml::Value::from("long"),
            "run.duration_s",
        ),
        ("agent.hunger", toml::Value::from(f64::NAN), "finite"),
        ("agent..hunger", toml::Value::from(0.5), "not a key"),
    ] {
        let msg = sim::error_chain(&e.set(key, value).expect_err(key));
        assert!(
            msg.contains("exp.toml") && msg.contains(says),
            "{key}: {msg}"
        );
        assert_eq!(e, before, "{key}: a refused set changed the experiment");
    }
    // Values right only together are set together: a shorter run and an earlier event.
    e.set_all([
        ("run.duration_s", toml::Value::from(0.5)),
        ("events[0].at_s", toml::Value::from(0.25)),
    ])
    .unwrap();
    assert_eq!(e.run.duration_s, 0.5);
}

#[test]
fn a_file_with_a_sweep_table_loads_as_the_experiment_it_sweeps() {
    let text = format!("{GOOD}\n[sweep]\n\"agent.hunger\" = [0.0, 1.0]\nseeds = 3\n");
    let e = Experiment::parse(&text, std::path::Path::new("exp.toml")).unwrap();
    assert_eq!(e.events.len(), 1);
    let bad = text.replace("rate_hz = 100.0", "rate_hz = -1.0");
    let msg = sim::error_chain(&Experiment::parse(&bad, "exp.toml".as_ref()).unwrap_err());
    assert!(msg.contains("inputs[0].rate_hz` (line 11)"), "{msg}");
}

#[test]
fn problems_are_typed_with_key_line_and_message() {
    use sim::experiment::{ExperimentError, Problem};
    let bad = GOOD
        .replace("rate_hz = 100.0", "rate_hz = -1.0")
        .replace("at_s = 1.0", "at_s = 9.0");
    let e = Experiment::parse(&bad, "exp.toml".as_ref()).unwrap_err();
    let ExperimentError::Invalid(invalid) = e else {
        panic!("expected ExperimentError::Invalid, got {e:?}");
    };
    assert_eq!(invalid.file, std::path::Path::new("exp.toml"));
    let keys: Vec<(&str, Option<usize>)> = invalid
        .problems
        .iter()
        .map(|p| (p.key.as_str(), p.line))
        .collect();
    assert_eq!(
        keys,
        [
            ("inputs[0].rate_hz", Some(11)),
            ("events[0].at_s", Some(15))
        ]
    );
    assert!(invalid.problems[1].message.contains("outside the run"));
    // The value validates the same way, and says the same thing.
    let mut good = Experiment::parse(GOOD, "exp.toml".as_ref()).unwrap();
    assert_eq!(good.validate(), Ok(()));
    good.run.duration_s = 0.5;
    let problems: Vec<Problem> = good.validate().unwrap_err().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].key, "events[0].at_s");
    assert_eq!(
        problems[0].to_string(),
        "`events[0].at_s` (line 15): a loom event at 1 s is outside the run (from 0 to before \
         0.5 s)"
    );
}
