//! hexafly's simulation side: the body and world in rapier3d (headless, deterministic), the
//! closed loop, experiments, the brain alone, recording, sweeps and plots. The `hexafly`
//! binary (`src/bin/hexafly/`) is a thin command line over this library.
#![warn(missing_docs)]

pub mod agent;
pub mod assets;
pub mod body;
pub mod brain_run;
pub mod closed_loop;
pub mod experiment;
pub mod plot;
pub mod record;
pub mod sensing;
pub mod sweep;
mod toml_numbers;
#[cfg(feature = "viewer")]
pub mod viewer;
pub mod world;

/// An error and its causes on one line, `outer: inner: innermost`, as the `hexafly` binary
/// prints errors: what `summary.json`, a sweep's `error.txt` and the figures' notes record
/// of a failure.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The `tracing` target of progress lines of long work (a sweep's runs), at `INFO`: the
/// `hexafly` binary shows them on stderr; a program of its own shows them by enabling
/// this target in its subscriber.
pub const PROGRESS: &str = "hexafly::progress";

/// The types a script touches first: `use sim::prelude::*;`.
pub mod prelude {
    pub use crate::agent::{Agent, Start};
    pub use crate::closed_loop::monitors::{
        BehaviourMonitor, LatencyMonitor, OnsetMonitor, PathMonitor, SpikeMonitor, TimelineMonitor,
    };
    pub use crate::closed_loop::{
        ClosedLoop, LastTick, LoopError, Monitor, MonitorError, TickRecord,
    };
    pub use crate::experiment::{Experiment, Prepared, Session, Summary, prepare, run};
    pub use controller::arbiter::Behaviour;
    pub use controller::motor::MotorCommand;
}
