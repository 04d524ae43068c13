//! Dataset formats: detection from a path and one loader per format.

use std::path::Path;

use crate::{Connectome, LoadError, SignRule};

pub mod feather;
pub mod shiu;

/// Options shared by all loaders.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// How presynaptic transmitters become synapse signs.
    pub sign_rule: SignRule,
}

/// Loads a dataset from `path` (format detection is being written).
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Connectome, LoadError> {
    let _ = opts;
    Err(LoadError::UnknownFormat { path: path.into(), reason: "loaders not written yet".into(), known: String::new() })
}

pub mod codex;
pub mod compose;
pub mod edge_list;
pub mod larva;
pub mod neuprint;
