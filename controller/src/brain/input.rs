//! Explicit input spike trains: events that each add `f_poi x w_syn` to a neuron's v at a
//! given step, like Brian's SpikeGeneratorGroup feeding `v += w` synapses.

use connectome::NeuronIndex;

/// Input events sorted by (step, neuron). Repeated events add up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputSpikes {
    events: Vec<(u32, NeuronIndex)>,
}

impl InputSpikes {
    /// Builds from (step, neuron) pairs in any order.
    pub fn new(mut events: Vec<(u32, NeuronIndex)>) -> Self {
        events.sort_unstable();
        InputSpikes { events }
    }

    /// All events, sorted by step then neuron.
    pub fn events(&self) -> &[(u32, NeuronIndex)] {
        &self.events
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when there are no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The neurons that receive at least one event, sorted, without repeats.
    pub fn targets(&self) -> Vec<NeuronIndex> {
        let mut t: Vec<NeuronIndex> = self.events.iter().map(|&(_, n)| n).collect();
        t.sort_unstable();
        t.dedup();
        t
    }

    /// Index of the first event at or after `step`.
    pub fn first_at_or_after(&self, step: u32) -> usize {
        self.events.partition_point(|&(s, _)| s < step)
    }
}
