//! `hexafly body run` end to end.

use super::common;
use std::process::Command;

fn hexafly() -> Command {
    common::hexafly()
}

#[test]
fn body_run_writes_trajectory_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = hexafly()
        .args([
            "body",
            "run",
            "--pattern",
            "walk",
            "--speed",
            "0.1",
            "--turn",
            "0.2",
            "--duration",
            "2",
            "--seed",
            "3",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    for key in [
        "distance_m",
        "mean_speed_m_s",
        "yaw_rate_rad_s",
        "real_time_factor",
    ] {
        assert!(
            summary[key].as_f64().is_some(),
            "{key} missing in {summary}"
        );
    }
    assert_eq!(summary["fell"], serde_json::json!(false));
    assert!(summary["distance_m"].as_f64().unwrap() > 0.1);
    let csv = std::fs::read_to_string(dir.path().join("trajectory.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "t,x,y,z,roll,pitch,yaw,contact_lf,contact_lm,contact_lh,contact_rf,contact_rm,contact_rh"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 201, "2 s at 10 ms plus the initial row");
    assert!(rows.iter().all(|r| r.split(',').count() == 13));
}

#[test]
fn escape_on_the_right_moves_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = hexafly()
        .args([
            "body",
            "run",
            "--pattern",
            "escape",
            "--threat-side",
            "right",
            "--duration",
            "0.5",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("trajectory.csv")).unwrap();
    let y: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(
        y.last().unwrap() - y[0] > 0.005,
        "y went from {} to {}",
        y[0],
        y.last().unwrap()
    );
}

#[test]
fn bad_arguments_and_files_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = hexafly()
        .args([
            "body",
            "run",
            "--pattern",
            "fly",
            "--duration",
            "1",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let body = dir.path().join("bad.toml");
    std::fs::write(&body, "name = \"x\"\nscale = [\n").unwrap();
    let out = hexafly()
        .args([
            "body",
            "run",
            "--pattern",
            "stand",
            "--duration",
            "1",
            "--body",
        ])
        .arg(&body)
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("line"), "{err}");
    let out = hexafly()
        .args([
            "body",
            "run",
            "--pattern",
            "stand",
            "--duration=-1",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn absurd_durations_and_sampling_are_refused_before_running() {
    // --duration 1e30 used to abort with `capacity overflow`; negative values with a space
    // were a clap usage error instead of saying what is expected.
    let dir = tempfile::tempdir().unwrap();
    for (args, wanted) in [
        (&["--duration", "1e30"][..], "is too long: at most"),
        (
            &["--duration", "-1"][..],
            "--duration must be a positive number",
        ),
        (
            &["--duration", "1", "--sample-ms", "inf"][..],
            "--sample-ms must be a positive",
        ),
        (
            &["--duration", "1", "--sample-ms", "-5"][..],
            "--sample-ms must be a positive",
        ),
        (
            &["--duration", "1000000", "--sample-ms", "0.001"][..],
            "trajectory rows; at most",
        ),
    ] {
        let out = hexafly()
            .args(["body", "run", "--pattern", "stand", "--out"])
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(wanted) && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}
