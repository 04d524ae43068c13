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
    let msg = format!("{e:#}");
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
