//! Experiments: the experiment file ([`file`]) and the headless runner ([`run`]).

pub mod defaults;
mod error;
pub mod file;
pub mod key_path;
pub mod prepare;
pub mod problem;
pub mod run;
pub mod session;

pub use crate::record::Summary;
pub use error::ExperimentError;
pub use file::Experiment;
pub use prepare::{Prepared, prepare};
pub use problem::{InvalidExperiment, Problem};
pub use run::run;
pub use session::Session;
