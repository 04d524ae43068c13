//! Fly connectome datasets as one in-memory model.
//!
//! Every loader (larval Data S1 zip, FlyWire Codex exports, the Shiu et al. model files,
//! Zenodo feather, neuPrint exports, plain edge lists) produces the same [`Connectome`]:
//! a [`NeuronTable`] (dataset ids and annotations) and a [`SynapseMatrix`] in CSR layout whose
//! rows are presynaptic neurons and whose values are signed synapse counts.
//!
//! This crate holds data and nothing else: no simulation, no physics, no rendering.
#![warn(missing_docs)]

pub mod connectome;
pub mod error;
pub mod neuron;
pub mod synapse_matrix;
pub mod transmitter;

pub use connectome::Connectome;
pub use error::{LoadError, Location};
pub use neuron::{NeuronIndex, NeuronTable};
pub use synapse_matrix::{EdgeListBuilder, SynapseMatrix};
pub use transmitter::{SignRule, Transmitter};
pub mod cache;
pub mod datasets;
pub mod export;
pub mod formats;
pub mod numbers;
pub mod select;
pub mod shuffle;
pub mod source;
pub mod surrogate;
pub mod synth;
pub mod table_reader;
pub mod test_data;

/// The types a script touches first: `use connectome::prelude::*;`.
pub mod prelude {
    pub use crate::connectome::Connectome;
    pub use crate::datasets::{Registry, data_dir, fetch};
    pub use crate::formats::{LoadParams, load};
    pub use crate::neuron::{NeuronIndex, NeuronTable};
    pub use crate::select::Selector;
    pub use crate::synapse_matrix::{EdgeListBuilder, SynapseMatrix};
}
