//! The circuit check on the real FlyWire v783 escape wiring (every LC4/LPLC2 -> DNp01
//! synapse): LC4 -> DNp01 is a direct connection with the file's synapse count, and the
//! drive test shows the giant fibre answering its own eye far above the degree-preserving
//! null, which cannot keep that side specificity.
//!
//! In this file the giant fibres are the only neurons with inputs, so a degree-preserving
//! shuffle can only move each LC4 synapse between the two giant fibres: the null keeps a
//! direct LC4 -> DNp01 path, and what it loses is *which* giant fibre each eye drives.

use std::path::PathBuf;

use connectome::formats::{LoadParams, load};
use connectome::test_data::require;
use controller::circuit::drive::DriveSpec;
use controller::circuit::report::{DriveTest, ReadoutResponse};
use controller::circuit::{CheckParams, CircuitMap, check};

const ESCAPE: &str = "flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv";

fn map() -> CircuitMap {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/circuits/flywire783_escape.toml");
    CircuitMap::load(&p).unwrap()
}

/// Synapses from LC4 of one side onto the giant fibres, summed straight from the CSV.
fn lc4_synapses_in_file(side: &str) -> i64 {
    let text = std::fs::read_to_string(require(ESCAPE)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (syn, ty, sd) = (col("syn_count"), col("pre_type"), col("side"));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[ty] == "LC4" && f[sd] == side)
        .map(|f| f[syn].parse::<i64>().unwrap())
        .sum()
}

fn response<'a>(t: &'a DriveTest, side: &str) -> &'a ReadoutResponse {
    t.readouts
        .iter()
        .find(|r| r.readout == "escape" && r.side == side)
        .unwrap()
}

#[test]
fn lc4_reaches_the_giant_fibre_directly_with_its_real_synapse_count() {
    let c = load(&require(ESCAPE), &LoadParams::default()).unwrap();
    let opts = CheckParams {
        drive: None,
        ..Default::default()
    };
    let r = check(&c, "escape", &map(), &opts).unwrap();
    assert_eq!(r.dataset.wiring, "real");
    for side in ["left", "right"] {
        let p = r
            .paths
            .iter()
            .find(|p| p.sensor == "looming_lc4" && p.sensor_side == side && p.readout_side == side)
            .unwrap();
        assert_eq!(p.real.hops_any_sign, Some(1), "{side}");
        assert_eq!(p.real.hops_excitatory, Some(1), "{side}");
        assert_eq!(p.real.direct_synapses, lc4_synapses_in_file(side), "{side}");
        assert_eq!(p.real.strongest_path.len(), 2, "a single synapse");
        assert_eq!(p.real.strongest_path[1].r#type, "DNp01");
        assert_eq!(p.link, "connectome");
        // Nothing crosses the midline in the real file.
        let other = if side == "left" { "right" } else { "left" };
        let q = r
            .paths
            .iter()
            .find(|p| p.sensor == "looming_lc4" && p.sensor_side == side && p.readout_side == other)
            .unwrap();
        assert_eq!((q.real.hops_any_sign, q.real.direct_synapses), (None, 0));
        assert!(
            q.null.as_ref().unwrap().direct_synapses > 0,
            "the null crosses it"
        );
    }
    assert_eq!(
        (lc4_synapses_in_file("left"), lc4_synapses_in_file("right")),
        (374, 431)
    );
}

#[test]
fn the_giant_fibre_answers_its_own_eye_far_above_the_shuffled_null() {
    let c = load(&require(ESCAPE), &LoadParams::default()).unwrap();
    let opts = CheckParams {
        drive: Some(DriveSpec {
            duration_ms: 500.0,
            trials: 4,
            seed: 3,
        }),
        null_seed: Some(1),
        ..Default::default()
    };
    let r = check(&c, "escape", &map(), &opts).unwrap();
    let d = r.drive.unwrap();
    assert!(d.null.as_ref().unwrap().shuffled);
    for t in d.tests.iter().filter(|t| t.sensor == "looming_lc4") {
        let other = if t.side == "left" { "right" } else { "left" };
        let own = response(t, t.side);
        let (real, null) = (&own.real, own.null.as_ref().unwrap());
        assert!(real.change_hz > 100.0, "{}: {real:?}", t.side);
        let se = (real.change_se_hz.powi(2) + null.change_se_hz.powi(2))
            .sqrt()
            .max(0.5);
        assert!(
            real.change_hz > null.change_hz + 10.0 * se,
            "{}: real {real:?} null {null:?}",
            t.side
        );
        assert_eq!(
            real.triggered_trials,
            Some(4),
            "every trial triggers escape"
        );
        // The other giant fibre: silent on the real wiring, driven on the shuffle.
        let cross = response(t, other);
        assert_eq!(cross.real.change_hz, 0.0);
        assert!(cross.null.as_ref().unwrap().change_hz > 50.0, "{cross:?}");
    }
}
