//! `hexafly circuit check`: a circuit map against a dataset's wiring (selectors resolved
//! with counts, sensor -> readout paths, drive test against a degree-preserving shuffle,
//! optional readout proposal). The work is in `controller::circuit`; this file parses the
//! flags, loads the dataset and prints.

use std::path::PathBuf;

use anyhow::{Context, bail};
use connectome::select::Selector;
use controller::circuit::drive::DriveSpec;
use controller::circuit::{CheckParams, CircuitMap, check, text};

use connectome::source::DatasetSource;

/// Arguments of `hexafly circuit check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Connectome path (any supported format), or the name of a known dataset.
    #[arg(long)]
    pub connectome: PathBuf,
    /// How the connectome is found and loaded (format, annotations, cache, dataset names).
    #[command(flatten)]
    pub source: DatasetSource,
    /// The circuit map (TOML, see assets/circuits/README.md).
    #[arg(long)]
    pub circuit: PathBuf,
    /// Print the report as JSON (schema `hexafly.circuit-check/1`).
    #[arg(long)]
    pub json: bool,
    /// Skip the null model. (Its seed is `--shuffle SEED`, default 1: the degree-preserving
    /// shuffle of the wiring that every path and drive number is shown beside; the real
    /// columns always use the wiring as loaded.)
    #[arg(long, conflicts_with = "shuffle")]
    pub no_shuffle: bool,
    /// Trials per drive-test condition.
    #[arg(long, default_value_t = 4)]
    pub trials: u32,
    /// Seed of the drive test's Poisson input.
    #[arg(long, default_value_t = 0, value_parser = super::seed_parser())]
    pub seed: u64,
    /// Drive time per condition (ms).
    #[arg(long, default_value_t = 1000.0, allow_hyphen_values = true)]
    pub duration_ms: f64,
    /// Only resolve selectors and measure paths (no simulation).
    #[arg(long, conflicts_with = "propose")]
    pub no_drive: bool,
    /// Rank candidate readouts by their response to left vs right drive of this sensor.
    #[arg(long)]
    pub propose: Option<String>,
    /// Candidate neurons for --propose (default: descending neurons, see the README).
    #[arg(long, requires = "propose")]
    pub candidates: Option<String>,
    /// Synapse weight (mV) instead of the map's `[model]` one (to choose a dataset's weight;
    /// reports say it was overridden).
    #[arg(long, allow_hyphen_values = true)]
    pub w_syn_mv: Option<f64>,
    /// Candidates listed per ranking.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// Runs `hexafly circuit check`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if args.trials == 0 {
        bail!("--trials must be >= 1");
    }
    if !(args.duration_ms.is_finite() && args.duration_ms > 0.0) {
        bail!(
            "--duration-ms must be a number of ms > 0, got {}",
            args.duration_ms
        );
    }
    let candidates = args
        .candidates
        .as_deref()
        .map(Selector::parse)
        .transpose()
        .context("--candidates")?;
    // The map first: a broken map is reported before a long load.
    let map = CircuitMap::load(&args.circuit)?;
    let loaded = args
        .source
        .load_unshuffled(&args.connectome)
        .with_context(|| format!("loading {}", args.connectome.display()))?;
    let opts = CheckParams {
        drive: (!args.no_drive).then_some(DriveSpec {
            duration_ms: args.duration_ms,
            trials: args.trials,
            seed: args.seed,
        }),
        null_seed: (!args.no_shuffle).then_some(args.source.shuffle.unwrap_or(1)),
        propose: args.propose,
        top: args.top,
        candidates,
        w_syn_mv: args.w_syn_mv,
    };
    let label = args.connectome.display().to_string();
    let report = check(&loaded.connectome, &label, &map, &opts)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", text::render(&report));
    }
    Ok(())
}
