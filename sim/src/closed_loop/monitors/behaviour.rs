//! Time, bouts and brain activity per behaviour.

use std::collections::BTreeMap;

use crate::closed_loop::{Monitor, MonitorError, TickRecord};
use crate::record::activity::Tally;

/// Seconds, bouts, spikes and synaptic events per behaviour, and the switches between them.
#[derive(Debug, Clone, Default)]
pub struct BehaviourMonitor {
    time_s: BTreeMap<String, f64>,
    bouts: BTreeMap<String, u32>,
    current: Option<&'static str>,
    switches: u32,
    total: Tally,
    per_behaviour: BTreeMap<String, Tally>,
}

impl BehaviourMonitor {
    /// Seconds in each behaviour.
    pub fn time_s(&self) -> &BTreeMap<String, f64> {
        &self.time_s
    }

    /// Bouts of each behaviour (times it started, the first tick's included).
    pub fn bouts(&self) -> &BTreeMap<String, u32> {
        &self.bouts
    }

    /// Behaviour switches the arbiter made.
    pub fn switches(&self) -> u32 {
        self.switches
    }

    /// Spikes and synaptic events of the whole brain over the whole run.
    pub fn total(&self) -> Tally {
        self.total
    }

    /// Spikes and synaptic events of the whole brain in each behaviour.
    pub fn per_behaviour(&self) -> &BTreeMap<String, Tally> {
        &self.per_behaviour
    }
}

impl Monitor for BehaviourMonitor {
    fn observe(&mut self, r: &TickRecord<'_>) -> Result<(), MonitorError> {
        let d = &r.tick.decision;
        let dt = r.dt as f64;
        let name = d.behaviour.as_str();
        *self.time_s.entry(name.into()).or_default() += dt;
        if self.current != Some(name) {
            self.current = Some(name);
            *self.bouts.entry(name.into()).or_default() += 1;
        }
        self.total.add(dt, r.brain_spikes, r.synaptic_events);
        self.per_behaviour.entry(name.into()).or_default().add(
            dt,
            r.brain_spikes,
            r.synaptic_events,
        );
        if d.switched {
            self.switches += 1;
        }
        Ok(())
    }
}
