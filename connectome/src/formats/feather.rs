//! Loader: feather (being written).

use std::path::Path;

use crate::formats::LoadOptions;
use crate::{Connectome, LoadError};

/// Loads a feather dataset.
pub fn load(path: &Path, _opts: &LoadOptions) -> Result<Connectome, LoadError> {
    Err(LoadError::invalid(crate::Location::file(path), "feather loader not written yet"))
}
