//! `hexafly brain run`: the flags of `sim::brain_run`, which simulates a connectome with the
//! Shiu et al. 2024 LIF model and writes its spikes.

use std::path::PathBuf;

use connectome::source::DatasetSource;
use sim::brain_run::{BrainRunError, BrainRunParams, SplitTrials};

/// Arguments of `hexafly brain run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Connectome path (any supported format), or the name of a known dataset in the data dir.
    #[arg(long)]
    pub connectome: PathBuf,
    /// How the connectome is found and loaded (format, annotations, cache, dataset names).
    #[command(flatten)]
    pub source: DatasetSource,
    /// Simulated time per trial (ms, a multiple of the 0.1 ms step).
    #[arg(long, allow_hyphen_values = true)]
    pub duration_ms: f64,
    /// Spike output CSV (`neuron,t_ms`; with --trials > 1 also `trial`).
    #[arg(long)]
    pub out: PathBuf,
    /// Explicit input events CSV `neuron,t_ms`: each adds 250 x 0.275 mV to v.
    #[arg(long)]
    pub input_spikes: Option<PathBuf>,
    /// Neurons driven by Poisson input (selector, repeatable).
    #[arg(long)]
    pub stimulate: Vec<String>,
    /// Poisson rate of the stimulated neurons (Hz, at most one event per 0.1 ms step);
    /// default 150.
    #[arg(long, allow_hyphen_values = true)]
    pub rate: Option<f64>,
    /// Neurons whose outgoing synapses are removed (selector, repeatable).
    #[arg(long)]
    pub silence: Vec<String>,
    /// Seed of the Poisson input (trial i uses stream i).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true, value_parser = super::seed_parser())]
    pub seed: u64,
    /// Worker threads; default: all cores. Trials run in parallel (see --split-trials).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Split each trial across the threads by target neuron (identical spikes). Pays off
    /// only when the threads get cores of their own; the default for a single trial when
    /// the load average says the cores are free.
    #[arg(long, conflicts_with = "no_split_trials")]
    pub split_trials: bool,
    /// Never split a trial across threads (run whole trials in parallel only).
    #[arg(long)]
    pub no_split_trials: bool,
    /// Number of trials; rates are averaged over them.
    #[arg(long, default_value_t = 1)]
    pub trials: u32,
    /// Write the mean rate of every neuron over trials (`neuron,rate_hz`).
    #[arg(long)]
    pub rates_out: Option<PathBuf>,
    /// Report the mean rate of a selection in the summary (repeatable).
    #[arg(long)]
    pub rate_of: Vec<String>,
    /// Record only the spikes of this selection (rates still cover every neuron).
    #[arg(long)]
    pub record: Option<String>,
    /// For datasets without transmitters: make this fraction of neurons inhibitory by a
    /// seeded hash of their id (see controller::brain::signs), overriding loaded signs.
    #[arg(long, allow_hyphen_values = true)]
    pub inhibitory_fraction: Option<f64>,
    /// Seed of --inhibitory-fraction.
    #[arg(long, default_value_t = 0)]
    pub sign_seed: u64,
    /// Membrane noise: the standard deviation (mV) of every neuron's v around rest without
    /// input (an Ornstein-Uhlenbeck process, Brian's `sigma*sqrt(2/tau)*xi`); seeded by
    /// --seed, per trial. Off by default (spikes identical to Brian 2); on, every neuron is
    /// updated every step.
    #[arg(long, allow_hyphen_values = true)]
    pub noise_mv: Option<f64>,
}

/// Runs `hexafly brain run`: prints the summary as JSON.
pub fn run(args: Args) -> anyhow::Result<()> {
    let params = args.into_params()?;
    let summary = sim::brain_run::run(&params).map_err(with_flags)?;
    println!("{}", serde_json::to_string(&summary)?);
    Ok(())
}

impl Args {
    /// The library's parameters; `--threads` follows the command line's one rule.
    fn into_params(self) -> anyhow::Result<BrainRunParams> {
        let split_trials = match (self.split_trials, self.no_split_trials) {
            (true, _) => SplitTrials::Always,
            (_, true) => SplitTrials::Never,
            _ => SplitTrials::Auto,
        };
        let threads = super::cap_threads("--threads", self.threads, usize::MAX)?;
        Ok(BrainRunParams {
            connectome: self.connectome,
            source: self.source,
            duration_ms: self.duration_ms,
            out: self.out,
            input_spikes: self.input_spikes,
            stimulate: self.stimulate,
            rate: self.rate,
            silence: self.silence,
            seed: self.seed,
            threads: Some(threads),
            split_trials,
            trials: self.trials,
            rates_out: self.rates_out,
            rate_of: self.rate_of,
            record: self.record,
            inhibitory_fraction: self.inhibitory_fraction,
            sign_seed: self.sign_seed,
            noise_mv: self.noise_mv,
        })
    }
}

/// The library's error with its parameters written as this command's flags.
fn with_flags(e: BrainRunError) -> anyhow::Error {
    let flag = |param: &str| format!("--{}", param.replace('_', "-"));
    let text = e.describe(flag);
    match e {
        BrainRunError::Selector { source, .. } => anyhow::Error::new(*source).context(text),
        BrainRunError::Param { .. }
        | BrainRunError::RateWithoutStimulus
        | BrainRunError::SelectsNothing { .. } => anyhow::anyhow!(text),
        other => other.into(),
    }
}
