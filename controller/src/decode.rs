//! Descending-neuron readouts -> command drives. Every rate readout is the group's spike
//! rate per neuron, exponentially filtered with the map's time constant, minus its
//! baseline (fixed, or measured with the brain at rest before the run starts: DNa
//! neurons carry a static bias). A turn readout is its left group minus its right group
//! (left more active = turn left). Escape readouts are spike triggers, read step by step
//! from the spikes themselves: they fire the moment the map's count of spikes falls within
//! its window, not when a filtered rate crosses a line.

use std::collections::VecDeque;

use connectome::NeuronIndex;
use serde::Serialize;

use crate::anatomy::Side;
use crate::brain::{Readout, ThreadedBrain};
use crate::circuit::map::{Baseline, CircuitMap, Command, Link, Trigger};
use crate::circuit::resolve::Resolved;

/// The drives the arbiter decides from, one value per command (Hz above baseline; turn:
/// left minus right), summed over the readouts of each command.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Drives {
    /// Forward walking drive (Hz).
    pub forward: f64,
    /// Backward walking drive (Hz).
    pub backward: f64,
    /// Turning drive, left minus right (Hz; > 0 turns left).
    pub turn: f64,
    /// Grooming drive (Hz).
    pub groom: f64,
    /// Feeding drive (Hz).
    pub feed: f64,
    /// Escape trigger spikes in this control window.
    pub escape_spikes: u32,
    /// Whether an escape trigger fired in this control window.
    pub escape: bool,
}

/// One rate group of a readout.
#[derive(Debug, Clone)]
struct RateGroup {
    side: Option<Side>,
    /// Every neuron of the group (the counter reads those not silenced).
    neurons: Vec<NeuronIndex>,
    counter: Readout,
    n: usize,
    rate: f64,
    baseline: f64,
}

/// One readout as decoded.
#[derive(Debug, Clone)]
struct Decoded {
    name: String,
    command: Command,
    link: Link,
    tau_s: f64,
    baseline: Baseline,
    groups: Vec<RateGroup>,
    trigger: Option<TriggerState>,
    value: f64,
}

#[derive(Debug, Clone)]
struct TriggerState {
    trigger: Trigger,
    /// Steps of recent spikes of the group, within the window.
    recent: VecDeque<u32>,
    spikes_now: u32,
    fired_now: bool,
}

/// The decoder of one circuit map on one dataset.
#[derive(Debug, Clone)]
pub struct Decoder {
    readouts: Vec<Decoded>,
    /// Per neuron: index + 1 of the escape readout it belongs to, 0 if none.
    watch: Vec<u16>,
    /// Silenced neurons: their output reaches nothing, so the motor side does not read it.
    muted: Vec<bool>,
    dt_ms: f64,
}

impl Decoder {
    /// A decoder for `map` resolved on a dataset as `resolved`, counting from `brain`'s
    /// current state.
    pub fn new(map: &CircuitMap, resolved: &Resolved, brain: &ThreadedBrain) -> Decoder {
        let n = brain.network().n_neurons();
        let dt_ms = brain.network().propagator().k.dt * 1e3;
        let mut watch = vec![0u16; n];
        let mut readouts = Vec::new();
        for (k, (spec, groups)) in map.readouts.iter().zip(&resolved.readouts).enumerate() {
            let trigger = spec.trigger.map(|trigger| {
                for g in groups {
                    for &i in &g.neurons {
                        watch[i as usize] = (k + 1) as u16;
                    }
                }
                TriggerState {
                    trigger,
                    recent: VecDeque::new(),
                    spikes_now: 0,
                    fired_now: false,
                }
            });
            let (tau_s, baseline) = spec
                .filter
                .map(|f| (f.tau_ms * 1e-3, f.baseline))
                .unwrap_or((0.0, Baseline::None));
            readouts.push(Decoded {
                name: spec.name.clone(),
                command: spec.command,
                link: spec.link,
                tau_s,
                baseline,
                groups: groups
                    .iter()
                    .map(|g| RateGroup {
                        side: g.side,
                        neurons: g.neurons.clone(),
                        counter: Readout::new(brain, g.neurons.clone()),
                        n: g.neurons.len().max(1),
                        rate: 0.0,
                        baseline: match baseline {
                            Baseline::Fixed(hz) => hz,
                            _ => 0.0,
                        },
                    })
                    .collect(),
                trigger,
                value: 0.0,
            });
        }
        Decoder {
            readouts,
            watch,
            muted: vec![false; n],
            dt_ms,
        }
    }

    /// The longest "measured at rest" baseline of the map (ms), 0 if none: how long the
    /// controller lets the brain run without drive before the loop starts.
    pub fn rest_ms(&self) -> f64 {
        self.readouts
            .iter()
            .map(|r| match r.baseline {
                Baseline::MeasuredAtRest(ms) => ms,
                _ => 0.0,
            })
            .fold(0.0, f64::max)
    }

    /// Sets the "measured at rest" baselines from the spikes since the decoder was made
    /// (`elapsed_s` of brain time without sensory drive) and restarts the counters.
    pub fn calibrate(&mut self, brain: &ThreadedBrain, elapsed_s: f64) {
        for r in &mut self.readouts {
            for g in &mut r.groups {
                let spikes = g.counter.take(brain) as f64;
                if matches!(r.baseline, Baseline::MeasuredAtRest(_)) && elapsed_s > 0.0 {
                    g.baseline = spikes / (g.n as f64 * elapsed_s);
                }
                g.rate = g.baseline;
            }
            if let Some(t) = &mut r.trigger {
                t.recent.clear();
            }
        }
    }

    /// Silences (or restores) neurons for the readouts: a silenced neuron's output reaches
    /// no synapse, and the motor side downstream of a descending neuron is one more
    /// synapse, so its spikes no longer count (a group's rate is still per neuron of the
    /// whole group). Counting restarts from `brain`'s state now.
    pub fn set_silenced(&mut self, brain: &ThreadedBrain, neurons: &[NeuronIndex], silenced: bool) {
        for &i in neurons {
            self.muted[i as usize] = silenced;
        }
        for r in &mut self.readouts {
            for g in &mut r.groups {
                let live: Vec<NeuronIndex> = g
                    .neurons
                    .iter()
                    .copied()
                    .filter(|&i| !self.muted[i as usize])
                    .collect();
                g.counter = Readout::new(brain, live);
            }
        }
    }

    /// Watches the spikes of one brain step for escape triggers (call with every step's
    /// spikes, in order); returns how many of them belong to a trigger group.
    pub fn observe(&mut self, step: u32, fired: &[NeuronIndex]) -> u32 {
        let mut seen = 0;
        for &i in fired {
            let w = self.watch[i as usize];
            if w == 0 || self.muted[i as usize] {
                continue;
            }
            let Some(t) = self.readouts[w as usize - 1].trigger.as_mut() else {
                continue;
            };
            t.recent.push_back(step);
            t.spikes_now += 1;
            seen += 1;
            let window = (t.trigger.window_ms / self.dt_ms).round() as u32;
            while t.recent.front().is_some_and(|&s| s + window < step) {
                t.recent.pop_front();
            }
            if t.recent.len() as u32 >= t.trigger.spikes {
                t.fired_now = true;
            }
        }
        seen
    }

    /// Ends a control window of `window_s` seconds: updates the filtered rates and returns
    /// the drives.
    pub fn finish_window(&mut self, brain: &ThreadedBrain, window_s: f64) -> Drives {
        let mut d = Drives::default();
        for r in &mut self.readouts {
            if let Some(t) = &mut r.trigger {
                d.escape_spikes += t.spikes_now;
                d.escape |= t.fired_now;
                r.value = t.spikes_now as f64;
                t.spikes_now = 0;
                t.fired_now = false;
                for g in &mut r.groups {
                    g.counter.take(brain);
                }
                continue;
            }
            let alpha = if r.tau_s > 0.0 {
                1.0 - (-window_s / r.tau_s).exp()
            } else {
                1.0
            };
            for g in &mut r.groups {
                let now = g.counter.take(brain) as f64 / (g.n as f64 * window_s);
                g.rate += (now - g.rate) * alpha;
            }
            let above = |g: &RateGroup| g.rate - g.baseline;
            r.value = match r.command {
                Command::Turn => r
                    .groups
                    .iter()
                    .map(|g| match g.side {
                        Some(Side::Right) => -above(g),
                        _ => above(g),
                    })
                    .sum(),
                _ => r.groups.iter().map(above).sum(),
            };
            match r.command {
                Command::Forward => d.forward += r.value,
                Command::Backward => d.backward += r.value,
                Command::Turn => d.turn += r.value,
                Command::Groom => d.groom += r.value,
                Command::Feed => d.feed += r.value,
                Command::Escape => {}
            }
        }
        d
    }

    /// Readout names, commands and links, in the order of [`Decoder::values`].
    pub fn describe(&self) -> Vec<(String, Command, Link)> {
        self.readouts
            .iter()
            .map(|r| (r.name.clone(), r.command, r.link))
            .collect()
    }

    /// Each readout's value at the last window (Hz above baseline; turn: left minus
    /// right; escape: trigger spikes in the window).
    pub fn values(&self) -> Vec<f64> {
        self.readouts.iter().map(|r| r.value).collect()
    }
}
