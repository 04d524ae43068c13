//! The compiled network: the synapse matrix in the layout the engine walks, plus the model.

use connectome::{NeuronIndex, SynapseMatrix};

use super::params::{ModelParams, ParamsError};
use super::propagator::Propagator;

/// One outgoing synapse: target and signed count, interleaved so that delivering a spike
/// streams through one array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub struct Edge {
    /// Postsynaptic neuron.
    pub target: NeuronIndex,
    /// Signed synapse count (weight = count x w_syn).
    pub count: i32,
}

/// An immutable network shared by all trials (and threads) that simulate it.
#[derive(Debug, Clone)]
pub struct Network {
    row_start: Vec<usize>,
    edges: Vec<Edge>,
    params: ModelParams,
    prop: Propagator,
}

impl Network {
    /// Compiles `matrix` with `params`. Neurons in `silenced` keep receiving input but
    /// their outgoing synapses are dropped, which is exactly Brian's `w = 0` for them
    /// (adding 0.0 to g changes nothing).
    pub fn new(
        matrix: &SynapseMatrix,
        params: ModelParams,
        silenced: &[NeuronIndex],
    ) -> Result<Self, ParamsError> {
        let prop = Propagator::new(params.constants()?);
        let n = matrix.n_neurons();
        let mut mute = vec![false; n];
        for &s in silenced {
            let slot = mute
                .get_mut(s as usize)
                .ok_or_else(|| ParamsError(format!("silenced neuron index {s} >= {n}")))?;
            *slot = true;
        }
        let mut row_start = Vec::with_capacity(n + 1);
        let mut edges = Vec::with_capacity(matrix.n_edges());
        row_start.push(0);
        for pre in 0..n as NeuronIndex {
            if !mute[pre as usize] {
                let (t, c) = matrix.row(pre);
                edges.extend(
                    t.iter()
                        .zip(c)
                        .map(|(&target, &count)| Edge { target, count }),
                );
            }
            row_start.push(edges.len());
        }
        Ok(Network {
            row_start,
            edges,
            params,
            prop,
        })
    }

    /// Number of neurons.
    pub fn n_neurons(&self) -> usize {
        self.row_start.len() - 1
    }

    /// Number of synapses (edges) that can carry spikes.
    pub fn n_edges(&self) -> usize {
        self.edges.len()
    }

    /// Outgoing synapses of `pre`.
    #[inline]
    pub fn row(&self, pre: NeuronIndex) -> &[Edge] {
        &self.edges[self.row_start[pre as usize]..self.row_start[pre as usize + 1]]
    }

    /// The model parameters.
    pub fn params(&self) -> &ModelParams {
        &self.params
    }

    /// The propagator (step constants and closed-form tables).
    pub fn propagator(&self) -> &Propagator {
        &self.prop
    }

    /// Heap bytes held by the network.
    pub fn heap_bytes(&self) -> usize {
        self.row_start.len() * std::mem::size_of::<usize>()
            + self.edges.len() * std::mem::size_of::<Edge>()
    }
}
