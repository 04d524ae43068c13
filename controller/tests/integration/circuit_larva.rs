//! The larval map's readouts were chosen by `circuit check --propose`, not by hand (see
//! assets/circuits/README.md, "The larval map"): re-running the proposal on the real larval
//! wiring with the documented settings must still rank them first, and each must respond on
//! the real wiring and not on the shuffled null.

use std::path::PathBuf;

use connectome::formats::{LoadParams, load};
use connectome::test_data::require;
use controller::circuit::drive::DriveSpec;
use controller::circuit::report::CheckReport;
use controller::circuit::{CheckParams, CircuitMap, check};

fn ids(c: &connectome::Connectome, map: &CircuitMap, readout: &str) -> Vec<Vec<u64>> {
    let r = map.resolve(&c.neurons, "larva").unwrap();
    let k = map.readouts.iter().position(|x| x.name == readout).unwrap();
    r.readouts[k]
        .iter()
        .map(|g| {
            let mut v: Vec<u64> = g.neurons.iter().map(|&i| c.neurons.id(i)).collect();
            v.sort();
            v
        })
        .collect()
}

/// The documented proposal settings: 1 s, 4 trials, seed 0, null seed 1.
fn propose(c: &connectome::Connectome, map: &CircuitMap, sensor: &str) -> CheckReport {
    let opts = CheckParams {
        drive: Some(DriveSpec::default()),
        null_seed: Some(1),
        propose: Some(sensor.into()),
        top: 3,
        ..Default::default()
    };
    check(c, "larva", map, &opts).unwrap()
}

#[test]
fn larval_readouts_are_the_proposals_first_choices() {
    let c = load(
        &require("larva-winding2023/Supplementary-Data-S1.zip"),
        &LoadParams::default(),
    )
    .unwrap();
    let map = CircuitMap::load(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/circuits/larva.toml"),
    )
    .unwrap();

    let odor = propose(&c, &map, "odor");
    let p = odor.propose.as_ref().unwrap();
    assert_eq!(p.candidates_rule, "type~DN.*");
    let turn = &p.pairs_by_turn[0];
    assert_eq!(
        ids(&c, &map, "turn"),
        vec![vec![turn.left.id], vec![turn.right.id]]
    );
    assert!(turn.turn_score_hz > 5.0, "{turn:?}");
    assert!(
        turn.turn_score_hz > turn.null_turn_score_hz.unwrap() + 5.0,
        "{turn:?}"
    );
    let fwd = &p.pairs_by_response[0];
    let mut want = vec![fwd.left.id, fwd.right.id];
    want.sort();
    assert_eq!(ids(&c, &map, "forward"), vec![want]);
    assert!(
        fwd.change_hz > fwd.null_change_hz.unwrap() + 10.0,
        "{fwd:?}"
    );

    let taste = propose(&c, &map, "taste");
    let tp = taste.propose.as_ref().unwrap();
    let feed = &tp.pairs_by_response[0];
    let mut want = vec![feed.left.id, feed.right.id];
    want.sort();
    assert_eq!(ids(&c, &map, "feed"), vec![want]);
    assert!(
        feed.change_hz > feed.null_change_hz.unwrap() + 10.0,
        "{feed:?}"
    );
    // Every readout is engineered: chosen from the wiring, its command a modelling choice.
    assert!(odor.readouts.iter().all(|r| r.link == "engineered"));
    assert_eq!(odor.model.signs, "seeded");
}
