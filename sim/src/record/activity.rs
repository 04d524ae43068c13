//! The brain as a robot engineer sees it: how much it spikes and signals, per run and per
//! behaviour, and what that would cost on neuromorphic hardware, event-driven (what
//! hexafly simulates) against a dense clock-driven update of the same network.
//!
//! Energy model (configurable constants, defaults from Intel's Loihi, Davies et al. 2018,
//! IEEE Micro 38(1):82-99, Table 2): a synaptic event (one spike delivered over one
//! connection) costs 23.6 pJ, a neuron update 52 pJ. Event-driven, the cost is the synaptic
//! events plus one update per spike; clock-driven, every neuron is updated every 0.1 ms step
//! and the synaptic events are the same. With membrane noise on, every neuron changes every
//! step, so the event-driven figure pays the dense updates too (it equals the clock-driven
//! one). These are estimates of a chip's dynamic energy for this workload, not of the fly's
//! metabolism.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Loihi's energy per synaptic event, pJ (Davies et al. 2018).
pub const SYNAPTIC_EVENT_PJ: f64 = 23.6;
/// Loihi's energy per neuron update, pJ (Davies et al. 2018).
pub const NEURON_UPDATE_PJ: f64 = 52.0;

/// Spikes and synaptic events over some time.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Seconds.
    pub seconds: f64,
    /// Spikes.
    pub spikes: u64,
    /// Synaptic events transmitted.
    pub events: u64,
}

impl Tally {
    /// Adds `other`.
    pub fn add(&mut self, seconds: f64, spikes: u64, events: u64) {
        self.seconds += seconds;
        self.spikes += spikes;
        self.events += events;
    }
}

/// `summary.json`'s `activity` block.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Activity {
    /// Probability that a synaptic event fails (the experiment's `network.release_failure`).
    pub release_failure: f64,
    /// Membrane noise sd, mV (the experiment's `network.membrane_noise_mv`; 0: none).
    pub membrane_noise_mv: f64,
    /// Spikes per second of the whole brain.
    pub spikes_per_s: f64,
    /// Synaptic events per second.
    pub synaptic_events_per_s: f64,
    /// Fraction of neurons that spiked at least once.
    pub active_fraction: f64,
    /// Energy estimate per simulated second, event-driven, microjoules.
    pub event_driven_uj_per_s: f64,
    /// The same network updated densely every step, microjoules per simulated second.
    pub clock_driven_uj_per_s: f64,
    /// Constants and their source.
    pub energy_model: EnergyModel,
    /// Per behaviour: spikes and events per second while it ran.
    pub by_behaviour: BTreeMap<String, BehaviourActivity>,
}

/// The constants of the estimate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnergyModel {
    /// pJ per synaptic event.
    pub synaptic_event_pj: f64,
    /// pJ per neuron update.
    pub neuron_update_pj: f64,
    /// Where they come from.
    pub source: String,
}

/// Activity while one behaviour ran.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BehaviourActivity {
    /// Seconds in it.
    pub seconds: f64,
    /// Spikes per second.
    pub spikes_per_s: f64,
    /// Synaptic events per second.
    pub synaptic_events_per_s: f64,
    /// Event-driven energy estimate, microjoules per second.
    pub event_driven_uj_per_s: f64,
}

/// The brain options that change its cost: `network.release_failure` and
/// `network.membrane_noise_mv` of the experiment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BrainParams {
    /// Release failure probability.
    pub release_failure: f64,
    /// Membrane noise sd, mV.
    pub membrane_noise_mv: f64,
}

/// The activity block from the totals, per-behaviour tallies, network size, active neurons
/// and the brain's step (seconds).
pub fn activity(
    total: Tally,
    by_behaviour: &BTreeMap<String, Tally>,
    neurons: usize,
    active: usize,
    step_s: f64,
    options: BrainParams,
) -> Activity {
    let per_s = |x: u64, t: f64| if t > 0.0 { x as f64 / t } else { 0.0 };
    let updates_per_s = neurons as f64 / step_s;
    // Neuron updates: one per spike, or every neuron every step when noise moves them all.
    let noisy = options.membrane_noise_mv > 0.0;
    let event_uj = |spikes: f64, events: f64| {
        let updates = if noisy { updates_per_s } else { spikes };
        (events * SYNAPTIC_EVENT_PJ + updates * NEURON_UPDATE_PJ) * 1e-6
    };
    let (sps, eps) = (
        per_s(total.spikes, total.seconds),
        per_s(total.events, total.seconds),
    );
    Activity {
        release_failure: options.release_failure,
        membrane_noise_mv: options.membrane_noise_mv,
        spikes_per_s: sps,
        synaptic_events_per_s: eps,
        active_fraction: if neurons > 0 {
            active as f64 / neurons as f64
        } else {
            0.0
        },
        event_driven_uj_per_s: event_uj(sps, eps),
        clock_driven_uj_per_s: (eps * SYNAPTIC_EVENT_PJ + updates_per_s * NEURON_UPDATE_PJ) * 1e-6,
        energy_model: EnergyModel {
            synaptic_event_pj: SYNAPTIC_EVENT_PJ,
            neuron_update_pj: NEURON_UPDATE_PJ,
            source: "Intel Loihi, Davies et al. 2018 IEEE Micro 38(1):82-99, Table 2".into(),
        },
        by_behaviour: by_behaviour
            .iter()
            .map(|(b, t)| {
                let (s, e) = (per_s(t.spikes, t.seconds), per_s(t.events, t.seconds));
                (
                    b.clone(),
                    BehaviourActivity {
                        seconds: t.seconds,
                        spikes_per_s: s,
                        synaptic_events_per_s: e,
                        event_driven_uj_per_s: event_uj(s, e),
                    },
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_driven_costs_the_events_and_clock_driven_every_update() {
        let total = Tally {
            seconds: 2.0,
            spikes: 1000,
            events: 100_000,
        };
        let mut by = BTreeMap::new();
        by.insert("walk".to_string(), total);
        let a = activity(total, &by, 10_000, 200, 1e-4, BrainParams::default());
        assert_eq!((a.spikes_per_s, a.synaptic_events_per_s), (500.0, 50_000.0));
        assert!((a.active_fraction - 0.02).abs() < 1e-12);
        // 50,000 x 23.6 pJ + 500 x 52 pJ = 1.206 uJ per second.
        assert!((a.event_driven_uj_per_s - 1.206).abs() < 1e-9);
        // + 10,000 neurons x 10,000 steps x 52 pJ = 5,200 uJ per second.
        assert!((a.clock_driven_uj_per_s - (1.18 + 5200.0)).abs() < 1e-6);
        assert_eq!(a.by_behaviour["walk"].spikes_per_s, 500.0);
        // With membrane noise every neuron is updated every step, event-driven or not.
        let noisy = BrainParams {
            membrane_noise_mv: 2.0,
            ..Default::default()
        };
        let a = activity(total, &by, 10_000, 200, 1e-4, noisy);
        assert!((a.event_driven_uj_per_s - a.clock_driven_uj_per_s).abs() < 1e-9);
        assert_eq!(a.membrane_noise_mv, 2.0);
    }
}
