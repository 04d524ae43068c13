//! A loaded dataset: neurons plus their synapse matrix.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::neuron::NeuronTable;
use crate::synapse_matrix::SynapseMatrix;

/// One in-memory connectome, whatever format it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connectome {
    /// The format name it was loaded with (e.g. `larva-s1`, `flywire-codex`, `edge-list`).
    pub format: String,
    /// The files it was built from.
    pub sources: Vec<PathBuf>,
    /// Neurons and annotations; index `i` is row/column `i` of `synapses`.
    pub neurons: NeuronTable,
    /// Signed synapse counts, rows = presynaptic.
    pub synapses: SynapseMatrix,
}

impl Connectome {
    /// Number of neurons.
    pub fn n_neurons(&self) -> usize {
        self.neurons.len()
    }
    /// Number of (pre, post) pairs with synapses.
    pub fn n_edges(&self) -> usize {
        self.synapses.n_edges()
    }
    /// Total synapse count (sum of |counts|).
    pub fn n_synapses(&self) -> u64 {
        self.synapses.n_synapses()
    }
}
