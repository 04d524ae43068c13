//! On the real FlyWire v783 escape circuit (every LC4/LPLC2 -> DNp01 synapse): driving LC4
//! at 150 Hz makes the giant fibre DNp01 spike, and silencing DNp01's inputs removes its
//! spikes.

use std::sync::Arc;

use connectome::formats::{LoadParams, load};
use connectome::select::Selector;
use connectome::test_data::require;
use controller::brain::trials::{
    Record, Stimulus, TrialSpec, mean_rates, run_trials, selection_rate,
};
use controller::brain::{InputSpikes, ModelParams, Network};

fn rates(silence: &str) -> (f64, f64) {
    let c = load(
        &require("flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv"),
        &LoadParams::default(),
    )
    .unwrap();
    let pick = |s: &str| Selector::parse(s).unwrap().select(&c.neurons).unwrap();
    let (lc4, gf) = (pick("type=LC4"), pick("type=DNp01"));
    assert_eq!(gf.len(), 2, "two giant fibres");
    assert!(lc4.len() > 50);
    let silenced = if silence.is_empty() {
        Vec::new()
    } else {
        pick(silence)
    };
    let net = Arc::new(Network::new(&c.synapses, ModelParams::default(), &silenced).unwrap());
    let stim = Stimulus {
        poisson: lc4.iter().map(|&i| (i, 150.0)).collect(),
        input: InputSpikes::default(),
        noise: None,
    };
    let spec = TrialSpec {
        steps: 10_000,
        trials: 4,
        seed: 3,
        record: Record::Nothing,
    };
    let r = mean_rates(&run_trials(&net, &stim, &spec), spec.steps, 1e-4);
    (selection_rate(&r, &lc4), selection_rate(&r, &gf))
}

#[test]
fn driving_lc4_makes_the_giant_fibre_spike() {
    let (lc4, gf) = rates("");
    assert!(lc4 > 140.0, "LC4 at {lc4} Hz");
    assert!(gf > 10.0, "DNp01 at {gf} Hz");
}

#[test]
fn silencing_the_giant_fibre_inputs_removes_its_spikes() {
    let (lc4, gf) = rates("type=LC4,LPLC2");
    assert!(lc4 > 140.0, "LC4 still fires: {lc4} Hz");
    assert_eq!(gf, 0.0);
}
