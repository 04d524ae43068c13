//! The circuit check on the adult FlyWire v783 subsets composed as one network
//! (assets/manifests/flywire783_subsets.toml). Here the shuffle can move LC4 synapses off
//! the giant fibres onto any of 4,146 neurons, and the null loses what the real wiring
//! has: the giant fibre fires within a few milliseconds of its own eye's LC4 drive through
//! direct synapses, while on the shuffle it fires only after activity builds up through the
//! network; and odor, which reaches no descending neuron inside these subsets, drives them
//! all once the wiring is shuffled.

use std::path::PathBuf;

use connectome::formats::{LoadParams, load};
use connectome::test_data::require;
use controller::circuit::drive::DriveSpec;
use controller::circuit::{CheckParams, CircuitMap, check};

fn asset(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets")
        .join(rel)
}

#[test]
fn giant_fibre_latency_and_odor_specificity_beat_the_shuffled_null() {
    require("flywire-783-olfaction/olfaction_ORN_outputs_edges.csv");
    let c = load(
        &asset("manifests/flywire783_subsets.toml"),
        &LoadParams::default(),
    )
    .unwrap();
    let map = CircuitMap::load(&asset("circuits/flywire783_subsets.toml")).unwrap();
    let opts = CheckParams {
        drive: Some(DriveSpec {
            duration_ms: 300.0,
            trials: 2,
            seed: 5,
        }),
        null_seed: Some(1),
        ..Default::default()
    };
    let r = check(&c, "subsets", &map, &opts).unwrap();
    // Direct LC4 -> ipsilateral DNp01 synapses survive composition with their file counts.
    let p = r
        .paths
        .iter()
        .find(|p| {
            p.sensor == "looming_lc4"
                && p.sensor_side == "left"
                && p.readout == "escape"
                && p.readout_side == "left"
        })
        .unwrap();
    assert_eq!(
        (p.real.hops_any_sign, p.real.direct_synapses),
        (Some(1), 374)
    );
    assert!(
        p.null.as_ref().unwrap().direct_synapses < 100,
        "{:?}",
        p.null
    );
    let d = r.drive.unwrap();
    for t in d.tests.iter().filter(|t| t.sensor == "looming_lc4") {
        let own = t
            .readouts
            .iter()
            .find(|x| x.readout == "escape" && x.side == t.side)
            .unwrap();
        let real_ms = own
            .real
            .first_trigger_ms
            .expect("the real giant fibre fires");
        assert!(real_ms < 10.0, "{}: first spike at {real_ms} ms", t.side);
        let null_ms = own
            .null
            .as_ref()
            .unwrap()
            .first_trigger_ms
            .unwrap_or(f64::INFINITY);
        assert!(
            null_ms > real_ms + 10.0,
            "{}: real {real_ms} ms, shuffled {null_ms} ms",
            t.side
        );
    }
    for t in d.tests.iter().filter(|t| t.sensor == "odor_food") {
        for x in &t.readouts {
            assert!(
                x.real.change_hz.abs() < 1.0,
                "odor reaches {} on real wiring: {x:?}",
                x.readout
            );
        }
        let esc = t.readouts.iter().find(|x| x.readout == "escape").unwrap();
        assert!(esc.null.as_ref().unwrap().change_hz > 20.0, "{esc:?}");
    }
}
