//! Reading spike counts of neuron groups from a running brain in a closed loop:
//! "how many times did the giant fibres fire since I last asked?".

use connectome::NeuronIndex;

use super::engine::Brain;
use super::threaded::ThreadedBrain;

/// A running simulation that counts each neuron's spikes.
pub trait SpikeCounts {
    /// Spikes per neuron since the start.
    fn spike_counts(&self) -> &[u32];
}

impl SpikeCounts for Brain {
    fn spike_counts(&self) -> &[u32] {
        Brain::spike_counts(self)
    }
}

impl SpikeCounts for ThreadedBrain {
    fn spike_counts(&self) -> &[u32] {
        ThreadedBrain::spike_counts(self)
    }
}

/// A group of neurons whose spikes are read incrementally. Reading sums the brain's
/// per-neuron counters over the group, so it costs O(group size) per read and nothing per
/// simulation step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readout {
    neurons: Vec<NeuronIndex>,
    last_total: u64,
}

impl Readout {
    /// A readout of these neurons, counting from the brain's current state.
    pub fn new(brain: &impl SpikeCounts, neurons: Vec<NeuronIndex>) -> Self {
        let mut r = Readout {
            neurons,
            last_total: 0,
        };
        r.last_total = r.total(brain);
        r
    }

    /// The neurons read.
    pub fn neurons(&self) -> &[NeuronIndex] {
        &self.neurons
    }

    /// Spikes of the group since its creation.
    fn total(&self, brain: &impl SpikeCounts) -> u64 {
        let counts = brain.spike_counts();
        self.neurons
            .iter()
            .map(|&i| counts[i as usize] as u64)
            .sum()
    }

    /// Spikes of the group since the previous call (or since creation).
    pub fn take(&mut self, brain: &impl SpikeCounts) -> u64 {
        let t = self.total(brain);
        let d = t - self.last_total;
        self.last_total = t;
        d
    }
}
