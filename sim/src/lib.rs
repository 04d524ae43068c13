//! hexafly's simulation side: the body and world in rapier3d (headless, deterministic),
//! experiments, recording, and the command-line interface.
#![warn(missing_docs)]

pub mod agent;
pub mod assets;
pub mod body;
pub mod cli;
pub mod dataset;
pub mod experiment;
pub mod plot;
pub mod record;
pub mod sensing;
pub mod sweep;
mod toml_numbers;
pub mod trial;
#[cfg(feature = "viewer")]
pub mod viewer;
pub mod world;
