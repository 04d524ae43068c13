//! How long after each event of a timeline each behaviour first began.

use std::collections::BTreeMap;

use crate::closed_loop::{Monitor, MonitorError, TickRecord};
use crate::record::EventOnsets;

/// Per event: the time from it to the first onset of each behaviour after it.
#[derive(Debug, Clone)]
pub struct OnsetMonitor {
    /// Each event's tick (the first step at or after it).
    due: Vec<u64>,
    onsets: Vec<EventOnsets>,
}

impl OnsetMonitor {
    /// For events of these kinds at these times (seconds), in the order given; `due_tick`
    /// is the step index each happens at.
    pub fn new(events: impl IntoIterator<Item = (String, f64, u64)>) -> OnsetMonitor {
        let (due, onsets) = events
            .into_iter()
            .map(|(kind, at_s, due)| {
                let onsets = EventOnsets {
                    kind,
                    at_s,
                    onset_s: BTreeMap::new(),
                };
                (due, onsets)
            })
            .unzip();
        OnsetMonitor { due, onsets }
    }

    /// The onsets so far, one entry per event.
    pub fn onsets(&self) -> &[EventOnsets] {
        &self.onsets
    }
}

impl Monitor for OnsetMonitor {
    fn observe(&mut self, r: &TickRecord<'_>) -> Result<(), MonitorError> {
        let d = &r.tick.decision;
        if d.switched {
            let name = d.behaviour.as_str();
            for (&due, o) in self.due.iter().zip(&mut self.onsets) {
                if due <= r.tick_index {
                    o.onset_s.entry(name.into()).or_insert(r.t_s - o.at_s);
                }
            }
        }
        Ok(())
    }
}
