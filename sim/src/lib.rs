//! hexafly's simulation side: the body and world in rapier3d (headless, deterministic),
//! experiments, recording, and the command-line interface.
#![warn(missing_docs)]

pub mod cli;
pub mod body;
pub mod world;
pub mod agent;
pub mod sensing;
pub mod trial;
mod toml_numbers;
