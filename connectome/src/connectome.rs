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
    /// Why (some of) the wiring is synthetic — generated, surrogate or planted — in words;
    /// `None` when every synapse comes from the data. Kept through the cache and written by
    /// every report made on the dataset, so a synthetic network is never taken for data.
    #[serde(default)]
    pub synthetic: Option<String>,
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
    /// Why the wiring is synthetic, in words, or `None` when it is all data: the
    /// [`Connectome::synthetic`] note, else a count of neurons with generated ids
    /// ([`crate::synth::is_synthetic_id`], which also catches generated networks read back
    /// from files). Reports print this wherever they name a dataset.
    pub fn synthetic_note(&self) -> Option<String> {
        if let Some(s) = &self.synthetic {
            return Some(s.clone());
        }
        let generated = self
            .neurons
            .ids()
            .iter()
            .filter(|&&id| crate::synth::is_synthetic_id(id))
            .count();
        (generated > 0).then(|| {
            format!(
                "{generated} of {} neurons are generated (hexafly connectome synth), and so is \
                 their wiring",
                self.n_neurons()
            )
        })
    }
    /// Total synapse count (sum of |counts|).
    pub fn n_synapses(&self) -> u64 {
        self.synapses.n_synapses()
    }
}
