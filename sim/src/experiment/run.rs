//! Runs an experiment headless: [`prepare`](super::prepare()) loads the connectome and
//! circuit map and compiles the network, then a [`Session`] advances brain and body in
//! lockstep to the end and writes the run folder (`timeline.csv`, `spikes.parquet`,
//! `summary.json`).

use std::path::Path;

use super::ExperimentError;
use super::file::Experiment;
use super::prepare::{Prepared, prepare};
use super::session::Session;
use crate::record::Summary;

/// Runs the experiment and writes its run folder `out`; returns the summary.
pub fn run(exp: &Experiment, out: &Path) -> Result<Summary, ExperimentError> {
    run_on_threads(exp, out, 1)
}

/// [`run`] with the brain on `threads` threads (0 counts as 1): the same outputs, sooner on
/// a machine with cores to spare.
pub fn run_on_threads(
    exp: &Experiment,
    out: &Path,
    threads: usize,
) -> Result<Summary, ExperimentError> {
    // The run folder first: one that cannot be written is found before the network loads.
    crate::record::folder::start(out)?;
    let mut p = prepare(exp)?;
    p.brain_threads = threads;
    run_prepared(exp, &p, out)
}

/// [`run`] on an already prepared network (sweeps prepare once).
pub fn run_prepared(
    exp: &Experiment,
    p: &Prepared,
    out: &Path,
) -> Result<Summary, ExperimentError> {
    run_prepared_checked(exp, p, out, &mut |_| Ok(()))
}

/// [`run_prepared`] that calls `check` with the number of ticks done after each tick: an
/// error from it (an interrupt) stops the run as a failure, its folder keeping what was
/// computed.
pub fn run_prepared_checked(
    exp: &Experiment,
    p: &Prepared,
    out: &Path,
    check: &mut dyn FnMut(u64) -> Result<(), Box<dyn std::error::Error + Send + Sync>>,
) -> Result<Summary, ExperimentError> {
    let mut session = Session::recording(exp, p, out)?;
    while !session.done() {
        let stepped = session
            .step()
            .and_then(|()| check(session.ticks_done()).map_err(ExperimentError::Stopped));
        if let Err(e) = stepped {
            return Err(session.fail(e));
        }
    }
    session.finish()
}
