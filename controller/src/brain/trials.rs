//! Many trials of one stimulus protocol, in parallel, with recording and rates.
//!
//! Trial `i` draws its Poisson input from stream `i` of the seed, so the spikes of every
//! trial are the same whatever the number of threads and whichever thread runs it.

use std::sync::Arc;

use connectome::NeuronIndex;
use rayon::prelude::*;

use super::engine::Brain;
use super::input::InputSpikes;
use super::network::Network;

/// What drives the network in every trial.
#[derive(Debug, Clone, Default)]
pub struct Stimulus {
    /// Poisson-driven neurons and their rates (Hz).
    pub poisson: Vec<(NeuronIndex, f64)>,
    /// Explicit input spike trains (the same in every trial).
    pub input: InputSpikes,
    /// Membrane noise (None: none, Brian-exact); trial `i` gets its own noise
    /// ([`super::Noise::for_trial`]).
    pub noise: Option<super::noise::Noise>,
}

/// Which spikes to keep.
#[derive(Debug, Clone, Default)]
pub enum Record {
    /// Every spike.
    #[default]
    All,
    /// None (counts and rates are still kept).
    Nothing,
    /// Spikes of the neurons whose entry is true.
    Only(Vec<bool>),
}

/// How long and how often to run.
#[derive(Debug, Clone)]
pub struct TrialSpec {
    /// Steps per trial.
    pub steps: u32,
    /// Number of trials.
    pub trials: u32,
    /// Seed of the Poisson input.
    pub seed: u64,
    /// Which spikes to keep.
    pub record: Record,
}

impl TrialSpec {
    /// An error when the trials are longer than a brain can run ([`Brain::MAX_STEPS`]).
    pub fn check(&self, net: &Network) -> Result<(), super::engine::TimeLimit> {
        if self.steps > Brain::MAX_STEPS {
            return Err(super::engine::TimeLimit {
                steps: Brain::MAX_STEPS,
                dt_ms: net.propagator().k.dt * 1e3,
            });
        }
        Ok(())
    }
}

/// The outcome of one trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialResult {
    /// Trial number (0-based).
    pub trial: u32,
    /// Recorded spikes as (step, neuron), sorted by step then neuron.
    pub spikes: Vec<(u32, NeuronIndex)>,
    /// Spikes per neuron.
    pub counts: Vec<u32>,
}

/// Runs one trial.
///
/// # Panics
/// If `spec.steps` exceeds [`Brain::MAX_STEPS`] (check it with [`TrialSpec::check`]).
pub fn run_trial(net: &Arc<Network>, stim: &Stimulus, spec: &TrialSpec, trial: u32) -> TrialResult {
    if let Err(e) = spec.check(net) {
        panic!("{e}");
    }
    let mut brain = Brain::new(Arc::clone(net), spec.seed, trial as u64);
    for &(n, hz) in &stim.poisson {
        brain.set_rate(n, hz);
    }
    brain.set_input_spikes(stim.input.clone());
    brain.set_noise(stim.noise.map(|z| z.for_trial(trial)));
    let mut spikes = Vec::new();
    for s in 0..spec.steps {
        let fired = brain.step();
        match &spec.record {
            Record::All => spikes.extend(fired.iter().map(|&i| (s, i))),
            Record::Nothing => {}
            Record::Only(mask) => {
                spikes.extend(fired.iter().filter(|&&i| mask[i as usize]).map(|&i| (s, i)))
            }
        }
    }
    TrialResult {
        trial,
        spikes,
        counts: brain.spike_counts().to_vec(),
    }
}

/// Runs all trials on the current rayon pool; results are in trial order.
pub fn run_trials(net: &Arc<Network>, stim: &Stimulus, spec: &TrialSpec) -> Vec<TrialResult> {
    run_trials_timed(net, stim, spec)
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

/// Like [`run_trials`], with the CPU time (s) of the thread that ran each trial, where the
/// platform reports it (Linux); benchmarks on a shared machine use it beside wall time.
pub fn run_trials_timed(
    net: &Arc<Network>,
    stim: &Stimulus,
    spec: &TrialSpec,
) -> Vec<(TrialResult, Option<f64>)> {
    (0..spec.trials)
        .into_par_iter()
        .map(|t| {
            let start = thread_cpu_ns();
            let r = run_trial(net, stim, spec, t);
            let cpu = start
                .zip(thread_cpu_ns())
                .map(|(a, b)| b.saturating_sub(a) as f64 * 1e-9);
            (r, cpu)
        })
        .collect()
}

/// Runs the trials one after the other, each split across `split.n_parts()` threads
/// (for fewer trials than cores); same results as [`run_trials`].
pub fn run_trials_split_timed(
    split: &super::split::SplitNetwork,
    stim: &Stimulus,
    spec: &TrialSpec,
) -> Vec<(TrialResult, Option<f64>)> {
    (0..spec.trials)
        .map(|t| super::split::run_trial_split(split, stim, spec, t))
        .collect()
}

/// Nanoseconds this thread has run on a CPU (Linux `/proc/thread-self/schedstat`).
pub(crate) fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Mean firing rate (Hz) of every neuron, averaged over trials, as in Shiu et al.
pub fn mean_rates(results: &[TrialResult], steps: u32, dt_s: f64) -> Vec<f64> {
    let Some(first) = results.first() else {
        return Vec::new();
    };
    let mut sum = vec![0u64; first.counts.len()];
    for r in results {
        for (s, &c) in sum.iter_mut().zip(&r.counts) {
            *s += c as u64;
        }
    }
    let denom = results.len() as f64 * steps as f64 * dt_s;
    sum.into_iter()
        .map(|s| if denom > 0.0 { s as f64 / denom } else { 0.0 })
        .collect()
}

/// Mean rate (Hz) over a selection of neurons (0 for an empty selection).
pub fn selection_rate(rates: &[f64], selection: &[NeuronIndex]) -> f64 {
    if selection.is_empty() {
        return 0.0;
    }
    selection.iter().map(|&i| rates[i as usize]).sum::<f64>() / selection.len() as f64
}
