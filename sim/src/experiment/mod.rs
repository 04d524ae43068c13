//! Experiments: the experiment file ([`file`]) and the headless runner ([`run`]).

pub mod activity;
pub mod defaults;
pub mod file;
pub mod run;
pub mod session;

pub use file::Experiment;
pub use run::{Summary, run};
pub use session::Session;
