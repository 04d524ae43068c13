//! Sensors -> Poisson input rates onto sensory neuron groups, through the circuit map's
//! encoding curves and internal-state gains. Each group reads its sensor field on its own
//! side (both sides' groups of an unsided field read the same value); a neuron in several
//! groups gets the sum of their rates, capped at one event per step.

use connectome::NeuronIndex;

use crate::anatomy::Side;
use crate::brain::ThreadedBrain;
use crate::circuit::encoding::Encoding;
use crate::circuit::fields::SensorField;
use crate::circuit::map::CircuitMap;
use crate::circuit::resolve::Resolved;
use crate::sensors::Sensors;

/// One sensory group as the encoder drives it.
#[derive(Debug, Clone)]
struct Group {
    sensor: usize,
    field: SensorField,
    side: Side,
    encoding: Encoding,
    neurons: Vec<NeuronIndex>,
}

/// The encoder of one circuit map on one dataset.
#[derive(Debug, Clone)]
pub struct Encoder {
    groups: Vec<Group>,
    /// Rate each driven neuron got at the last tick (Hz), to touch the brain only on change.
    applied: Vec<(NeuronIndex, f64)>,
    /// Rate of each group at the last tick (Hz), in group order.
    rates: Vec<f64>,
    max_hz: f64,
}

impl Encoder {
    /// An encoder for `map` resolved on a dataset as `resolved`; `dt_ms` is the brain step
    /// (no neuron gets more than one input event per step).
    pub fn new(map: &CircuitMap, resolved: &Resolved, dt_ms: f64) -> Encoder {
        let mut groups = Vec::new();
        for (k, (spec, resolved_groups)) in map.sensors.iter().zip(&resolved.sensors).enumerate() {
            for g in resolved_groups {
                groups.push(Group {
                    sensor: k,
                    field: spec.field,
                    side: g.side.unwrap_or(Side::Left),
                    encoding: spec.encoding.clone(),
                    neurons: g.neurons.clone(),
                });
            }
        }
        let n = groups.len();
        Encoder {
            groups,
            applied: Vec::new(),
            rates: vec![0.0; n],
            max_hz: 1e3 / dt_ms,
        }
    }

    /// Names of the groups, `sensor` or `sensor.left` / `sensor.right`, in the order of
    /// [`Encoder::rates`].
    pub fn group_names(&self, map: &CircuitMap) -> Vec<String> {
        let sided = |k: usize| self.groups.iter().filter(|g| g.sensor == k).count() > 1;
        self.groups
            .iter()
            .map(|g| {
                let name = &map.sensors[g.sensor].name;
                if sided(g.sensor) {
                    let side = if g.side == Side::Left {
                        "left"
                    } else {
                        "right"
                    };
                    format!("{name}.{side}")
                } else {
                    name.clone()
                }
            })
            .collect()
    }

    /// The highest rate a neuron can get (one event per brain step), Hz.
    pub fn max_hz(&self) -> f64 {
        self.max_hz
    }

    /// Input rate of each group at the last [`Encoder::apply`] (Hz).
    pub fn rates(&self) -> &[f64] {
        &self.rates
    }

    /// Sets the brain's sensory input rates for these sensors (the internal state comes
    /// with them). `extra` adds experiment-driven rates per neuron (activation), summed.
    pub fn apply(
        &mut self,
        sensors: &Sensors,
        extra: &[(NeuronIndex, f64)],
        brain: &mut ThreadedBrain,
    ) {
        let mut wanted: Vec<(NeuronIndex, f64)> = extra.to_vec();
        for (g, rate) in self.groups.iter().zip(&mut self.rates) {
            let x = g.field.read(sensors, g.side) as f64;
            *rate = g.encoding.rate_hz(x, &sensors.internal);
            if *rate > 0.0 {
                wanted.extend(g.neurons.iter().map(|&n| (n, *rate)));
            }
        }
        wanted.sort_unstable_by_key(|w| w.0);
        let mut merged: Vec<(NeuronIndex, f64)> = Vec::with_capacity(wanted.len());
        for (n, r) in wanted {
            match merged.last_mut() {
                Some(last) if last.0 == n => last.1 += r,
                _ => merged.push((n, r)),
            }
        }
        for m in &mut merged {
            m.1 = m.1.min(self.max_hz);
        }
        // Neurons no longer driven go to 0; changed rates are set (in neuron order, so
        // the random draws are the same at every run).
        let (mut i, mut j) = (0, 0);
        while i < self.applied.len() || j < merged.len() {
            let old = self.applied.get(i).copied();
            let new = merged.get(j).copied();
            match (old, new) {
                (Some(o), Some(w)) if o.0 == w.0 => {
                    if o.1 != w.1 {
                        brain.set_rate(w.0, w.1);
                    }
                    i += 1;
                    j += 1;
                }
                (Some(o), Some(w)) if o.0 < w.0 => {
                    brain.set_rate(o.0, 0.0);
                    i += 1;
                }
                (Some(o), None) => {
                    brain.set_rate(o.0, 0.0);
                    i += 1;
                }
                (_, Some(w)) => {
                    brain.set_rate(w.0, w.1);
                    j += 1;
                }
                (None, None) => unreachable!("loop condition"),
            }
        }
        self.applied = merged;
    }
}
