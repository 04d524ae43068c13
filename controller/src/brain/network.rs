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
                // The engine indexes its neuron state by target without bounds checks.
                if let Some(&bad) = t.iter().find(|&&t| t as usize >= n) {
                    return Err(ParamsError(format!(
                        "synapse {pre} -> {bad} targets a neuron outside the {n} of the network"
                    )));
                }
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

    /// The same network keeping only the synapses onto neurons `lo..hi`: the share of
    /// the work of one thread when a trial is split across threads by target.
    pub fn restricted_to_targets(&self, lo: NeuronIndex, hi: NeuronIndex) -> Network {
        self.restricted_to(|t| (lo..hi).contains(&t))
    }

    /// The same network keeping only the synapses onto the neurons `keep` accepts.
    pub fn restricted_to(&self, keep: impl Fn(NeuronIndex) -> bool) -> Network {
        let mut row_start = Vec::with_capacity(self.row_start.len());
        let mut edges = Vec::new();
        row_start.push(0);
        for pre in 0..self.n_neurons() as NeuronIndex {
            edges.extend(self.row(pre).iter().filter(|e| keep(e.target)));
            row_start.push(edges.len());
        }
        edges.shrink_to_fit();
        Network {
            row_start,
            edges,
            params: self.params.clone(),
            prop: self.prop.clone(),
        }
    }

    /// Split points `0 = b_0 < ... < b_parts = n` giving each range of neurons about the
    /// same number of incoming synapses (the delivery work).
    pub fn balanced_ranges(&self, parts: usize) -> Vec<NeuronIndex> {
        let n = self.n_neurons();
        let work = self.work_per_target();
        let total: u64 = work.iter().sum();
        let mut bounds = vec![0 as NeuronIndex];
        let mut acc = 0u64;
        for (i, w) in work.iter().enumerate() {
            acc += w;
            let want = bounds.len() as u64 * total / parts as u64;
            if acc >= want && bounds.len() < parts {
                bounds.push(i as NeuronIndex + 1);
            }
        }
        while bounds.len() < parts {
            bounds.push(n as NeuronIndex);
        }
        bounds.push(n as NeuronIndex);
        bounds
    }

    /// The delivery work of each neuron as a target: its incoming synapses, plus one for
    /// its own state and threshold.
    pub fn work_per_target(&self) -> Vec<u64> {
        let mut work = vec![1u64; self.n_neurons()];
        for e in &self.edges {
            work[e.target as usize] += 1;
        }
        work
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
