//! Bad circuit maps are errors that name the file, the line and the key, and say what was
//! expected; never a panic. Each case starts from a valid map and breaks one thing.

use std::path::Path;

use connectome::NeuronTable;
use controller::circuit::{CircuitError, CircuitMap};

const GOOD: &str = r#"name = "toy"

[[sensor]]
name = "looming"
field = "looming.expansion"
left = "type=LC4 & side=left"
right = "type=LC4 & side=right"
encoding = { curve = "saturating", max_hz = 200.0, half_at = 5.0 }
gain.arousal = 0.5
link = "connectome"
note = "LC4 per eye"

[[readout]]
name = "turn"
command = "turn"
left = "type=DNa02 & side=left"
right = "type=DNa02 & side=right"
filter = { tau_ms = 50.0, baseline_rest_ms = 500.0 }
link = "connectome"
note = "steering"
"#;

fn table() -> NeuronTable {
    let mut t = NeuronTable::new();
    for (id, ty, side) in [
        (1, "LC4", "left"),
        (2, "LC4", "right"),
        (3, "DNa02", "left"),
        (4, "DNa02", "right"),
    ] {
        let (i, _) = t.insert(id);
        t.set_annotation(i, "type", ty);
        t.set_annotation(i, "side", side);
    }
    t
}

/// Writes `text` as `bad.toml` in a temp dir, loads and resolves it; returns the error text.
fn error_of(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    let result = CircuitMap::load(&path).and_then(|m| m.resolve(&table(), "toy").map(|_| ()));
    match result {
        Ok(()) => panic!("expected an error for:\n{text}"),
        Err(e) => {
            let s = e.to_string();
            assert!(
                s.contains(&path.display().to_string()),
                "names the file: {s}"
            );
            s
        }
    }
}

/// `GOOD` with `from` replaced by `to` (which must occur).
fn broken(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1)
}

fn assert_has(e: &str, parts: &[&str]) {
    for p in parts {
        assert!(e.contains(p), "`{p}` missing from: {e}");
    }
}

#[test]
fn the_good_map_loads_and_resolves() {
    let m = CircuitMap::parse(GOOD, Path::new("good.toml")).unwrap();
    let r = m.resolve(&table(), "toy").unwrap();
    assert_eq!(r.sensors[0][0].neurons, vec![0]);
    assert_eq!(r.readouts[0][1].neurons, vec![3]);
}

#[test]
fn unknown_key() {
    let e = error_of(&broken(
        "note = \"steering\"",
        "note = \"steering\"\nthreshold = 3",
    ));
    assert_has(
        &e,
        &[
            "line 21",
            "readout[0].threshold",
            "unknown field `threshold`",
            "expected",
        ],
    );
}

#[test]
fn unknown_sensors_field() {
    let e = error_of(&broken(
        "field = \"looming.expansion\"",
        "field = \"looming.speed\"",
    ));
    assert_has(
        &e,
        &[
            "line 5",
            "sensor[0].field",
            "unknown Sensors field `looming.speed`",
            "looming.expansion",
        ],
    );
}

#[test]
fn unknown_internal_state_gain() {
    let e = error_of(&broken("gain.arousal = 0.5", "gain.thirst = 0.5"));
    assert_has(&e, &["line 9", "sensor[0].gain", "thirst", "hunger"]);
}

#[test]
fn unknown_command() {
    let e = error_of(&broken("command = \"turn\"", "command = \"jump\""));
    assert_has(&e, &["line 15", "readout[0].command", "jump", "escape"]);
}

#[test]
fn selector_that_selects_nothing() {
    let e = error_of(&broken(
        "left = \"type=DNa02 & side=left\"",
        "left = \"type=DNa03 & side=left\"",
    ));
    assert_has(
        &e,
        &[
            "line 16",
            "readout[0].left",
            "selects no neuron",
            "expected at least one",
        ],
    );
}

#[test]
fn selector_naming_an_unknown_column() {
    let e = error_of(&broken(
        "right = \"type=LC4 & side=right\"",
        "right = \"hemibrain_type=LC4 & side=right\"",
    ));
    assert_has(
        &e,
        &[
            "line 7",
            "sensor[0].right",
            "no column `hemibrain_type`",
            "available: type, side",
        ],
    );
}

#[test]
fn selector_that_does_not_parse() {
    let e = error_of(&broken(
        "left = \"type=LC4 & side=left\"",
        "left = \"type=LC4 & (side=left\"",
    ));
    assert_has(&e, &["line 6", "sensor[0].left", "expected"]);
}

#[test]
fn nan_and_infinite_numbers() {
    let e = error_of(&broken("half_at = 5.0", "half_at = nan"));
    assert_has(
        &e,
        &[
            "line 8",
            "sensor[0].encoding.half_at",
            "`nan` is not a finite number",
        ],
    );
    let e = error_of(&broken("tau_ms = 50.0", "tau_ms = -inf"));
    assert_has(&e, &["line 18", "readout[0].filter.tau_ms", "finite"]);
}

#[test]
fn rate_above_one_event_per_step() {
    let e = error_of(&broken("max_hz = 200.0", "max_hz = 20000.0"));
    assert_has(
        &e,
        &[
            "line 8",
            "sensor[0].encoding.max_hz",
            "20000 Hz",
            "0 to 10000 Hz",
        ],
    );
    // Within the limit alone, above it with every gain at full state.
    let e = error_of(&broken("max_hz = 200.0", "max_hz = 9000.0"));
    assert_has(
        &e,
        &["line 9", "sensor[0].gain", "13500 Hz", "at most 10000 Hz"],
    );
}

#[test]
fn negative_values() {
    let e = error_of(&broken("tau_ms = 50.0", "tau_ms = -5.0"));
    assert_has(&e, &["line 18", "readout[0].filter.tau_ms", "not positive"]);
    let e = error_of(&broken("gain.arousal = 0.5", "gain.arousal = -0.5"));
    assert_has(&e, &["line 9", "sensor[0].gain.arousal", "negative"]);
}

#[test]
fn sides_must_match_the_field() {
    // A sided field read by one unsided group.
    let e = error_of(&broken(
        "left = \"type=LC4 & side=left\"\nright = \"type=LC4 & side=right\"",
        "neurons = \"type=LC4\"",
    ));
    assert_has(
        &e,
        &["line 6", "sensor[0].neurons", "left and a right value"],
    );
    // Turning needs both sides.
    let e = error_of(&broken("right = \"type=DNa02 & side=right\"\n", ""));
    assert_has(
        &e,
        &["line 16", "readout[0].left", "`left` without `right`"],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = broken("field = \"looming.expansion\"", "field = \"smell\"").replacen(
        "tau_ms = 50.0",
        "tau_ms = 0.0",
        1,
    );
    let e = error_of(&text);
    assert_eq!(e.lines().count(), 2, "{e}");
    assert_has(&e, &["line 5", "line 18"]);
}

#[test]
fn a_missing_file_and_a_syntax_error_are_errors_too() {
    let e = CircuitMap::load(Path::new("/nonexistent/map.toml")).unwrap_err();
    assert!(matches!(e, CircuitError::Io { .. }), "{e}");
    assert!(e.to_string().contains("/nonexistent/map.toml"));
    let e = error_of(&broken("name = \"toy\"", "name = \"toy"));
    assert_has(&e, &["line 1"]);
}
