//! The controller's tick on more than one brain thread, running ahead between ticks
//! (`Controller::run_ahead`): the same decisions and spikes as on one thread, with the
//! timeline's kind of changes (activation of a neuron outside the sensory groups, silencing)
//! made between a tick and the next run_ahead. On the FlyWire v783 LC4/LPLC2 -> giant fibre
//! edges shipped in assets/ (no ../shared needed).

use std::path::PathBuf;
use std::sync::Arc;

use connectome::NeuronIndex;
use connectome::formats::{LoadParams, load};
use controller::brain::Network;
use controller::circuit::CircuitMap;
use controller::circuit::resolve::Resolved;
use controller::sensors::Sensors;
use controller::{Controller, ControllerError, ControllerParams};

struct Setup {
    network: Arc<Network>,
    map: CircuitMap,
    resolved: Resolved,
}

fn setup() -> Setup {
    let assets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets");
    let edges = assets.join("connectomes/flywire783_escape/escape_LC4_LPLC2_to_GF_edges.csv");
    let connectome = load(&edges, &LoadParams::default()).unwrap();
    let map = CircuitMap::load(&assets.join("circuits/flywire783_escape.toml")).unwrap();
    let resolved = map.resolve(&connectome.neurons, "escape subset").unwrap();
    let network = Network::new(&connectome.synapses, map.model_or_default().params(), &[]).unwrap();
    Setup {
        network: Arc::new(network),
        map,
        resolved,
    }
}

/// 300 ticks of 1 ms: a loom on the left eye from 50 ms; a neuron outside the sensory
/// groups driven at 200 Hz from tick 100 to 200; the first sensory neuron silenced from 150.
fn run(s: &Setup, threads: usize, share: f64) -> (Vec<String>, Vec<(u32, NeuronIndex)>) {
    let cfg = ControllerParams {
        brain_threads: threads,
        brain_local_share: share,
        record: (0..s.network.n_neurons() as NeuronIndex).collect(),
        ..ControllerParams::default()
    };
    let mut ctl = Controller::new(Arc::clone(&s.network), &s.map, &s.resolved, &cfg).unwrap();
    let sensory = Resolved::union(&s.resolved.sensors.concat());
    let other = (0..s.network.n_neurons() as NeuronIndex)
        .find(|n| !sensory.contains(n))
        .unwrap();
    let mut sensors = Sensors::default();
    let mut decisions = Vec::new();
    for tick in 0..300u32 {
        if tick >= 50 {
            let eye = &mut sensors.looming[0];
            eye.expansion = 8.0;
            eye.angle += 8.0 * 1e-3;
            eye.azimuth = 1.4;
        }
        let out = ctl.tick(&sensors);
        decisions.push(format!(
            "{} {:?} {:?}",
            out.decision.behaviour.as_str(),
            out.decision.reason,
            out.first_trigger_spike
        ));
        // The next tick's changes, then the brain's other threads start its window.
        match tick + 1 {
            100 => ctl.set_activation(&[other], 200.0).unwrap(),
            150 => ctl.set_silenced(&sensory[..1], true),
            200 => ctl.set_activation(&[other], 0.0).unwrap(),
            _ => {}
        }
        ctl.run_ahead();
    }
    (decisions, ctl.take_spikes())
}

#[test]
fn running_ahead_on_two_threads_decides_and_spikes_as_one_thread() {
    let s = setup();
    let (want, spikes) = run(&s, 1, 0.5);
    assert!(
        want.iter().any(|d| d.starts_with("escape")),
        "the loom triggers an escape"
    );
    assert!(spikes.len() > 100, "{} spikes", spikes.len());
    for (threads, share) in [(2, 0.0), (2, 0.4), (3, 0.0)] {
        let (got, got_spikes) = run(&s, threads, share);
        assert_eq!(got, want, "{threads} threads, share {share}");
        assert_eq!(got_spikes, spikes, "{threads} threads, share {share}");
    }
}

#[test]
fn a_local_share_outside_0_to_1_is_an_error() {
    let s = setup();
    let cfg = ControllerParams {
        brain_threads: 2,
        brain_local_share: 1.5,
        ..ControllerParams::default()
    };
    let err = Controller::new(Arc::clone(&s.network), &s.map, &s.resolved, &cfg).unwrap_err();
    assert_eq!(err, ControllerError::LocalShare(1.5));
    assert!(err.to_string().contains("from 0 to 1, got 1.5"), "{err}");
}
