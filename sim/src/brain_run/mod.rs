//! The brain alone (`hexafly brain run`, Python's `hexafly.brain.run`): a connectome run
//! with the Shiu et al. 2024 LIF model under Poisson drive, silencing and explicit input
//! events, for one or several seeded trials; writes the spikes (`neuron,t_ms`, dataset ids,
//! sorted by time then neuron) and optionally every neuron's mean rate.
//!
//! ```no_run
//! use sim::brain_run::{BrainRunParams, run};
//!
//! let mut p = BrainRunParams::new("flywire_escape".into(), 300.0, "spikes.csv".into());
//! p.stimulate = vec!["type=LC4".into()];
//! p.rate_of = vec!["type=GF".into()];
//! let summary = run(&p)?;
//! println!("{} spikes, GF at {:?} Hz", summary.spikes, summary.rate_of["type=GF"]);
//! # Ok::<(), sim::brain_run::BrainRunError>(())
//! ```

mod error;
mod files;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use connectome::select::Selector;
use connectome::source::DatasetSource;
use connectome::{Connectome, NeuronIndex};
use controller::brain::signs::{apply_signs, seeded_inhibitory};
use controller::brain::split::SplitNetwork;
use controller::brain::trials::{
    Record, Stimulus, TrialSpec, mean_rates, run_trials_split_timed, run_trials_timed,
    selection_rate,
};
use controller::brain::{InputSpikes, ModelParams, Network, Noise};
use serde::Serialize;

pub use error::BrainRunError;

/// Poisson rate of the stimulated neurons when none is given, Hz (Shiu et al. 2024).
pub const DEFAULT_RATE_HZ: f64 = 150.0;

/// Whether each trial is split across the threads by target neuron (the spikes are the
/// same either way).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SplitTrials {
    /// Split a single trial when the load average says the cores are free; several trials
    /// run whole, in parallel.
    #[default]
    Auto,
    /// Always split (pays off only when every thread gets a core of its own).
    Always,
    /// Never split: only whole trials run in parallel.
    Never,
}

/// What a brain-alone run does. Selectors are those of `connectome::select`.
#[derive(Debug, Clone)]
pub struct BrainRunParams {
    /// Connectome path (any supported format), or the name of a dataset in the data dir.
    pub connectome: PathBuf,
    /// How the connectome is found and loaded.
    pub source: DatasetSource,
    /// Simulated time per trial (ms, on the 0.1 ms step grid).
    pub duration_ms: f64,
    /// Spike output CSV (`neuron,t_ms`; with several trials also `trial`).
    pub out: PathBuf,
    /// Explicit input events CSV `neuron,t_ms`: each adds 250 x 0.275 mV to v.
    pub input_spikes: Option<PathBuf>,
    /// Neurons driven by Poisson input.
    pub stimulate: Vec<String>,
    /// Poisson rate of the stimulated neurons (Hz, at most one event per step); `None`:
    /// [`DEFAULT_RATE_HZ`].
    pub rate: Option<f64>,
    /// Neurons whose outgoing synapses are removed.
    pub silence: Vec<String>,
    /// Seed of the Poisson input and noise (trial i uses stream i).
    pub seed: u64,
    /// Worker threads (`None`: every core).
    pub threads: Option<usize>,
    /// Whether trials are split across threads.
    pub split_trials: SplitTrials,
    /// Number of trials; rates are averaged over them.
    pub trials: u32,
    /// Where to write every neuron's mean rate over trials (`neuron,rate_hz`).
    pub rates_out: Option<PathBuf>,
    /// Selections whose mean rate the summary reports.
    pub rate_of: Vec<String>,
    /// Record only this selection's spikes (rates still cover every neuron).
    pub record: Option<String>,
    /// For datasets without transmitters: this fraction of neurons is made inhibitory by a
    /// seeded hash of their id, overriding loaded signs.
    pub inhibitory_fraction: Option<f64>,
    /// Seed of `inhibitory_fraction`.
    pub sign_seed: u64,
    /// Membrane noise: the standard deviation (mV) of v around rest without input; off by
    /// default (spikes identical to Brian 2).
    pub noise_mv: Option<f64>,
}

impl BrainRunParams {
    /// One trial of `duration_ms` on `connectome` with no drive, spikes to `out`.
    pub fn new(connectome: PathBuf, duration_ms: f64, out: PathBuf) -> BrainRunParams {
        BrainRunParams {
            connectome,
            source: DatasetSource::default(),
            duration_ms,
            out,
            input_spikes: None,
            stimulate: Vec::new(),
            rate: None,
            silence: Vec::new(),
            seed: 0,
            threads: None,
            split_trials: SplitTrials::Auto,
            trials: 1,
            rates_out: None,
            rate_of: Vec::new(),
            record: None,
            inhibitory_fraction: None,
            sign_seed: 0,
            noise_mv: None,
        }
    }
}

/// What a brain-alone run reports (`hexafly brain run` prints it as JSON).
#[derive(Debug, Clone, Serialize)]
pub struct BrainRunSummary {
    /// Neurons in the connectome.
    pub neurons: usize,
    /// Synaptic pairs compiled.
    pub edges: usize,
    /// Worker threads used.
    pub threads: usize,
    /// Parts each trial was split into (1: not split).
    pub split: usize,
    /// Steps per trial.
    pub steps: u32,
    /// Trials run.
    pub trials: u32,
    /// Spikes of every neuron over every trial.
    pub spikes: u64,
    /// Spikes written to the output (those of the recorded selection).
    pub recorded_spikes: usize,
    /// Neurons under Poisson drive.
    pub stimulated: usize,
    /// Neurons silenced.
    pub silenced: usize,
    /// Seconds to load (and sign) the connectome.
    pub load_s: f64,
    /// How the binary cache served the load.
    pub cache: &'static str,
    /// The seed of the degree-preserving shuffle, when the wiring was shuffled.
    pub shuffled: Option<u64>,
    /// Wall seconds simulating.
    pub simulate_s: f64,
    /// CPU seconds simulating, where the platform reports them.
    pub simulate_cpu_s: Option<f64>,
    /// Simulated seconds (all trials) per wall second.
    pub realtime_factor: f64,
    /// Mean rate (Hz) of each `rate_of` selection, by selector.
    pub rate_of: BTreeMap<String, f64>,
}

/// Runs the protocol, writes the spikes (and rates) and returns the summary. Every
/// parameter, selector and output path is checked before anything is simulated.
pub fn run(p: &BrainRunParams) -> Result<BrainRunSummary, BrainRunError> {
    let params = ModelParams::default();
    let dt_ms = params.dt_ms;
    let steps = files::ms_to_step(p.duration_ms, dt_ms)
        .map_err(|e| BrainRunError::param("duration_ms", format!("{:?}: {e}", p.duration_ms)))?;
    if steps == 0 {
        return Err(BrainRunError::param("duration_ms", "must be > 0"));
    }
    if p.trials == 0 {
        return Err(BrainRunError::param("trials", "must be >= 1"));
    }
    if p.threads == Some(0) {
        return Err(BrainRunError::param("threads", "0: expected at least 1"));
    }
    let rate = p.rate.unwrap_or(DEFAULT_RATE_HZ);
    // The Poisson input is one Bernoulli draw per step: above 1/dt it would silently stay
    // at one event per step. A rate of 0 would drive nothing (as an experiment's `rate_hz`).
    let max_rate = 1000.0 / dt_ms;
    if !(rate.is_finite() && rate > 0.0 && rate <= max_rate) {
        return Err(BrainRunError::param(
            "rate",
            format!(
                "must be a number of Hz > 0 and at most {max_rate} (one event per {dt_ms} ms \
                 step), got {rate}"
            ),
        ));
    }
    if let Some(f) = p.inhibitory_fraction
        && !(0.0..=1.0).contains(&f)
    {
        return Err(BrainRunError::param(
            "inhibitory_fraction",
            format!("must be in [0, 1], got {f}"),
        ));
    }
    // Where the outputs go is checked before anything loads or runs.
    for out in std::iter::once(&p.out).chain(&p.rates_out) {
        crate::record::atomic::check_writable(out)?;
    }
    if p.rate.is_some() && p.stimulate.is_empty() {
        return Err(BrainRunError::RateWithoutStimulus);
    }

    let t_load = Instant::now();
    let loaded = p
        .source
        .load(&p.connectome)
        .map_err(|source| BrainRunError::Load {
            path: p.connectome.clone(),
            source: Box::new(source),
        })?;
    let (cache, shuffled) = (loaded.cache, loaded.shuffled);
    let mut c: Connectome = loaded.connectome;
    if let Some(f) = p.inhibitory_fraction {
        let inh = seeded_inhibitory(&c.neurons, f, p.sign_seed);
        apply_signs(&mut c.synapses, &inh, c.neurons.ids()).map_err(|source| {
            BrainRunError::Signs {
                path: p.connectome.clone(),
                source,
            }
        })?;
    }
    let load_s = t_load.elapsed().as_secs_f64();

    let select = |param, sels: &[String]| select_all(&c, &p.connectome, param, sels);
    let silenced = select("silence", &p.silence)?;
    let rate_of_sel = p
        .rate_of
        .iter()
        .map(|s| select("rate_of", std::slice::from_ref(s)))
        .collect::<Result<Vec<_>, _>>()?;
    let stimulated = select("stimulate", &p.stimulate)?;
    let input = match &p.input_spikes {
        Some(path) => files::read_input_spikes(path, &c, dt_ms, steps)?,
        None => InputSpikes::default(),
    };
    let record = match &p.record {
        Some(s) => {
            let mut mask = vec![false; c.n_neurons()];
            for i in select("record", std::slice::from_ref(s))? {
                mask[i as usize] = true;
            }
            Record::Only(mask)
        }
        None => Record::All,
    };
    let noise = match p.noise_mv {
        Some(mv) => Some(
            Noise::new(mv * 1e-3, params.t_mbr_ms * 1e-3, dt_ms * 1e-3, p.seed)
                .map_err(|e| BrainRunError::param("noise_mv", format!("{mv}: {e}")))?,
        ),
        None => None,
    };

    let net = Arc::new(Network::new(&c.synapses, params, &silenced)?);
    let stim = Stimulus {
        poisson: stimulated.iter().map(|&i| (i, rate)).collect(),
        input,
        noise,
    };
    let spec = TrialSpec {
        steps,
        trials: p.trials,
        seed: p.seed,
        record,
    };
    let threads = p
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let n_edges = net.n_edges();
    // Split: each thread keeps only its share of the synapses and runs part of every
    // trial (the default for a single trial, which would leave the other threads idle,
    // unless other work holds the cores: then the split is slower than one thread);
    // otherwise whole trials run in parallel. The spikes are the same either way.
    let split_trials = match p.split_trials {
        SplitTrials::Always => true,
        SplitTrials::Never => false,
        SplitTrials::Auto => p.trials == 1 && cores_look_free(threads),
    };
    let (split, whole) = if split_trials && threads > 1 {
        let s = SplitNetwork::new(&net, threads);
        drop(net);
        (Some(s), None)
    } else {
        (None, Some(net))
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let t_sim = Instant::now();
    let timed = match (&split, &whole) {
        (Some(split), _) => run_trials_split_timed(split, &stim, &spec),
        (None, Some(net)) => pool.install(|| run_trials_timed(net, &stim, &spec)),
        (None, None) => unreachable!("one of the two is always built"),
    };
    let cpu_s: Option<f64> = timed.iter().map(|t| t.1).sum();
    let results: Vec<_> = timed.into_iter().map(|t| t.0).collect();
    let simulate_s = t_sim.elapsed().as_secs_f64();

    let mut spikes: Vec<(u32, NeuronIndex, u32)> = results
        .iter()
        .flat_map(|r| r.spikes.iter().map(move |&(s, n)| (s, n, r.trial)))
        .collect();
    spikes.sort_unstable_by_key(|&(s, n, t)| (s, c.neurons.id(n), t));
    files::write_spikes(&p.out, &spikes, &c, p.trials > 1, dt_ms)?;

    let rates = mean_rates(&results, steps, dt_ms * 1e-3);
    if let Some(path) = &p.rates_out {
        files::write_rates(path, &rates, &c)?;
    }
    let rate_of = p
        .rate_of
        .iter()
        .zip(&rate_of_sel)
        .map(|(s, idx)| (s.clone(), selection_rate(&rates, idx)))
        .collect();
    let total: u64 = results
        .iter()
        .map(|r| r.counts.iter().map(|&x| x as u64).sum::<u64>())
        .sum();
    let simulated_s = steps as f64 * dt_ms * 1e-3 * p.trials as f64;
    Ok(BrainRunSummary {
        neurons: c.n_neurons(),
        edges: n_edges,
        threads,
        split: split.as_ref().map_or(1, |s| s.n_parts()),
        steps,
        trials: p.trials,
        spikes: total,
        recorded_spikes: spikes.len(),
        stimulated: stimulated.len(),
        silenced: silenced.len(),
        load_s,
        cache,
        shuffled,
        simulate_s,
        simulate_cpu_s: cpu_s,
        realtime_factor: simulated_s / simulate_s.max(1e-12),
        rate_of,
    })
}

/// The neurons picked by every selector of `param`, sorted, each once. Every selector must
/// pick at least one neuron.
fn select_all(
    c: &Connectome,
    path: &std::path::Path,
    param: &'static str,
    sels: &[String],
) -> Result<Vec<NeuronIndex>, BrainRunError> {
    let mut all = Vec::new();
    for s in sels {
        let failed = |source| BrainRunError::Selector {
            param,
            selector: s.clone(),
            source: Box::new(source),
        };
        let picked = Selector::parse(s)
            .and_then(|sel| sel.select(&c.neurons))
            .map_err(failed)?;
        if picked.is_empty() {
            return Err(BrainRunError::SelectsNothing {
                param,
                selector: s.clone(),
                connectome: path.to_path_buf(),
            });
        }
        all.extend(picked);
    }
    all.sort_unstable();
    all.dedup();
    Ok(all)
}

/// Whether `threads` cores look free for a split trial: the 1-minute load average of the
/// machine (Linux `/proc/loadavg`) leaves that many cores idle. Elsewhere: yes.
fn cores_look_free(threads: usize) -> bool {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok());
    load.is_none_or(|l| l + threads as f64 <= cores as f64 + 0.5)
}
