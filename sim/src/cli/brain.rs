//! `hexafly brain run`: simulate a connectome with the Shiu et al. 2024 LIF model and write
//! its spikes (`neuron,t_ms`, dataset ids, sorted by time then neuron).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use connectome::select::Selector;
use connectome::{Connectome, NeuronIndex};
use controller::brain::signs::{apply_signs, seeded_inhibitory};
use controller::brain::split::SplitNetwork;
use controller::brain::trials::{
    Record, Stimulus, TrialSpec, mean_rates, run_trials_split_timed, run_trials_timed,
    selection_rate,
};
use controller::brain::{InputSpikes, ModelParams, Network, Noise};

use connectome::source::DatasetSource;

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

/// Runs `hexafly brain run`.
pub fn run(args: Args) -> anyhow::Result<()> {
    println!("{}", simulate(args)?);
    Ok(())
}

/// `hexafly brain run` with these arguments (those after `brain run`): the same files and
/// the summary it prints, for callers that are not the command line (the Python package).
pub fn run_args(args: &[String]) -> anyhow::Result<serde_json::Value> {
    simulate(super::parse_args("hexafly brain run", args)?)
}

/// Runs the protocol, writes the spikes (and rates) and returns the summary.
fn simulate(args: Args) -> anyhow::Result<serde_json::Value> {
    let params = ModelParams::default();
    let dt_ms = params.dt_ms;
    let steps = ms_to_step(args.duration_ms, dt_ms)
        .with_context(|| format!("--duration-ms {:?}", args.duration_ms))?;
    if steps == 0 {
        bail!("--duration-ms must be > 0");
    }
    if args.trials == 0 {
        bail!("--trials must be >= 1");
    }
    let rate = args.rate.unwrap_or(DEFAULT_RATE_HZ);
    // The Poisson input is one Bernoulli draw per step: above 1/dt it would silently stay
    // at one event per step.
    let max_rate = 1000.0 / dt_ms;
    // The same rule as an experiment's `rate_hz`: a rate of 0 would drive nothing.
    if !(rate.is_finite() && rate > 0.0 && rate <= max_rate) {
        bail!(
            "--rate must be a number of Hz > 0 and at most {max_rate} (one event per {dt_ms} \
             ms step), got {rate}"
        );
    }
    // Where the outputs go is checked before anything loads or runs.
    crate::record::atomic::check_writable(&args.out)?;
    if let Some(p) = &args.rates_out {
        crate::record::atomic::check_writable(p)?;
    }
    if args.rate.is_some() && args.stimulate.is_empty() {
        bail!("--rate sets the rate of the --stimulate neurons; expected --stimulate SELECTOR too");
    }

    let t_load = Instant::now();
    let loaded = args
        .source
        .load(&args.connectome)
        .with_context(|| format!("loading {}", args.connectome.display()))?;
    let cache = loaded.cache;
    let shuffled = loaded.shuffled;
    let mut c: Connectome = loaded.connectome;
    if let Some(f) = args.inhibitory_fraction {
        if !(0.0..=1.0).contains(&f) {
            bail!("--inhibitory-fraction must be in [0, 1], got {f}");
        }
        let inh = seeded_inhibitory(&c.neurons, f, args.sign_seed);
        apply_signs(&mut c.synapses, &inh, c.neurons.ids())
            .with_context(|| format!("signing {}", args.connectome.display()))?;
    }
    let load_s = t_load.elapsed().as_secs_f64();

    // Every selector must pick at least one neuron: one that picks none is a typo or the
    // wrong dataset, and would silently stimulate, silence, record or measure nothing.
    let select = |what: &str, sels: &[String]| -> anyhow::Result<Vec<NeuronIndex>> {
        let mut all = Vec::new();
        for s in sels {
            let sel = Selector::parse(s).with_context(|| format!("{what} `{s}`"))?;
            let picked = sel
                .select(&c.neurons)
                .with_context(|| format!("{what} `{s}`"))?;
            if picked.is_empty() {
                bail!(
                    "{what} `{s}` selects no neuron of {}; expected a selector matching at least \
                     one (see `hexafly connectome info --by COLUMN` for the values)",
                    args.connectome.display()
                );
            }
            all.extend(picked);
        }
        all.sort_unstable();
        all.dedup();
        Ok(all)
    };
    let silenced = select("--silence", &args.silence)?;
    let rate_of_sel = args
        .rate_of
        .iter()
        .map(|s| select("--rate-of", std::slice::from_ref(s)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let stimulated = select("--stimulate", &args.stimulate)?;
    let input = match &args.input_spikes {
        Some(p) => read_input_spikes(p, &c, dt_ms, steps)?,
        None => InputSpikes::default(),
    };
    let record = match &args.record {
        Some(s) => {
            let idx = select("--record", std::slice::from_ref(s))?;
            let mut mask = vec![false; c.n_neurons()];
            for i in idx {
                mask[i as usize] = true;
            }
            Record::Only(mask)
        }
        None => Record::All,
    };

    let noise = match args.noise_mv {
        Some(mv) => Some(
            Noise::new(mv * 1e-3, params.t_mbr_ms * 1e-3, dt_ms * 1e-3, args.seed)
                .map_err(|e| anyhow::anyhow!("--noise-mv {mv}: {e}"))?,
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
        trials: args.trials,
        seed: args.seed,
        record,
    };
    // Split trials synchronise every thread each step: beyond the cores they only wait
    // (64 threads on 2 cores ran 200 times slower than 2).
    let threads = super::cap_threads("--threads", args.threads, usize::MAX)?;
    let n_edges = net.n_edges();
    // Split: each thread keeps only its share of the synapses and runs part of every
    // trial (the default for a single trial, which would leave the other threads idle,
    // unless other work holds the cores: then the split is slower than one thread);
    // otherwise whole trials run in parallel. The spikes are the same either way.
    let split_trials = !args.no_split_trials
        && (args.split_trials || (args.trials == 1 && cores_look_free(threads)));
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
    let sim_s = t_sim.elapsed().as_secs_f64();

    let mut spikes: Vec<(u32, NeuronIndex, u32)> = results
        .iter()
        .flat_map(|r| r.spikes.iter().map(move |&(s, n)| (s, n, r.trial)))
        .collect();
    spikes.sort_unstable_by_key(|&(s, n, t)| (s, c.neurons.id(n), t));
    write_spikes(&args.out, &spikes, &c, args.trials > 1, dt_ms)?;

    let rates = mean_rates(&results, steps, dt_ms * 1e-3);
    if let Some(p) = &args.rates_out {
        let mut w = BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        );
        writeln!(w, "neuron,rate_hz")?;
        for (i, r) in rates.iter().enumerate() {
            writeln!(w, "{},{}", c.neurons.id(i as NeuronIndex), r)?;
        }
        w.flush()?;
    }
    let mut rate_of = serde_json::Map::new();
    for (s, idx) in args.rate_of.iter().zip(&rate_of_sel) {
        rate_of.insert(s.clone(), serde_json::json!(selection_rate(&rates, idx)));
    }
    let total: u64 = results
        .iter()
        .map(|r| r.counts.iter().map(|&x| x as u64).sum::<u64>())
        .sum();
    let simulated_s = steps as f64 * dt_ms * 1e-3 * args.trials as f64;
    let summary = serde_json::json!({
        "neurons": c.n_neurons(),
        "edges": n_edges,
        "threads": threads,
        "split": split.as_ref().map_or(1, |s| s.n_parts()),
        "steps": steps,
        "trials": args.trials,
        "spikes": total,
        "recorded_spikes": spikes.len(),
        "stimulated": stimulated.len(),
        "silenced": silenced.len(),
        "load_s": load_s,
        "cache": cache,
        "shuffled": shuffled,
        "simulate_s": sim_s,
        "simulate_cpu_s": cpu_s,
        "realtime_factor": simulated_s / sim_s.max(1e-12),
        "rate_of": rate_of,
    });
    Ok(summary)
}

/// Poisson rate of --stimulate without --rate, Hz (Shiu et al. 2024).
const DEFAULT_RATE_HZ: f64 = 150.0;

/// Whether `threads` cores look free for a split trial: the 1-minute load average of the
/// machine (Linux `/proc/loadavg`) leaves that many cores idle. Elsewhere: yes.
fn cores_look_free(threads: usize) -> bool {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok());
    load.is_none_or(|l| l + threads as f64 <= cores as f64 + 0.5)
}

/// A time in ms as a step index; it must lie on the step grid.
fn ms_to_step(t_ms: f64, dt_ms: f64) -> anyhow::Result<u32> {
    if !t_ms.is_finite() || t_ms < 0.0 {
        bail!("time must be a finite number >= 0 ms, got {t_ms}");
    }
    let x = t_ms / dt_ms;
    let s = x.round();
    if (x - s).abs() > 1e-6 {
        bail!("time {t_ms} ms is not on the {dt_ms} ms step grid");
    }
    let max_steps = u32::MAX / 2;
    if s > max_steps as f64 {
        bail!(
            "time {t_ms:e} ms is too long; expected at most {:.1} ms",
            max_steps as f64 * dt_ms
        );
    }
    Ok(s as u32)
}

/// Reads `neuron,t_ms` input events (CSV or TSV, plain or `.gz`, through the same reader as
/// the connectome tables: byte order mark, quotes and CRLF are handled); every problem
/// names the file, line, column and what was expected. A (neuron, time) pair given twice is
/// an error, as in Brian 2: one step cannot deliver the same input event twice.
fn read_input_spikes(
    path: &Path,
    c: &Connectome,
    dt_ms: f64,
    steps: u32,
) -> anyhow::Result<InputSpikes> {
    use connectome::numbers::parse_id;
    use connectome::table_reader::{Record as Row, TableReader, open};

    let mut r = TableReader::new(open(path)?, path);
    let header = r.header()?.clone();
    let (Some(col_n), Some(col_t), 2) = (
        header.find("neuron"),
        header.find("t_ms"),
        header.names.len(),
    ) else {
        bail!(
            "{}: found the columns `{}`; expected the header `neuron,t_ms` (input events \
             apply to every trial)",
            r.location(1, None),
            header.names.join(",")
        );
    };
    let mut events: Vec<(u32, NeuronIndex, u64)> = Vec::new();
    let mut ignored = 0usize;
    let mut row = Row::default();
    while r.next_record(&mut row)? {
        let line = row.line;
        let text = |i: usize| String::from_utf8_lossy(row.bytes(i)).trim().to_owned();
        let id = parse_id(row.bytes(col_n)).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: expected an integer neuron id, found `{}`",
                r.location(line, Some("neuron")),
                text(col_n)
            )
        })?;
        let idx = c.neurons.index_of(id).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: neuron {id} is not in the connectome ({}); expected one of its ids",
                r.location(line, Some("neuron")),
                c.format
            )
        })?;
        let t_text = text(col_t);
        let t: f64 = t_text.parse().map_err(|_| {
            anyhow::anyhow!(
                "{}: expected a time in ms, found `{t_text}`",
                r.location(line, Some("t_ms"))
            )
        })?;
        let step = ms_to_step(t, dt_ms)
            .map_err(|e| anyhow::anyhow!("{}: {e}", r.location(line, Some("t_ms"))))?;
        if step >= steps {
            ignored += 1;
            continue;
        }
        events.push((step, idx, line));
    }
    events.sort_unstable();
    if let Some(w) = events
        .windows(2)
        .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
    {
        let (step, idx, line) = w[1];
        bail!(
            "{}: neuron {} already has an input event at {} ms (line {}); expected each \
             (neuron, t_ms) pair once (Brian 2 refuses repeated events in one step)",
            r.location(line, None),
            c.neurons.id(idx),
            (step as f64 * dt_ms * 1e6).round() / 1e6,
            w[0].2
        );
    }
    if ignored > 0 {
        tracing::warn!("{ignored} input events at or after the end of the run were ignored");
    }
    Ok(InputSpikes::new(
        events.into_iter().map(|(s, n, _)| (s, n)).collect(),
    ))
}

/// Writes spikes (already sorted) as `neuron,t_ms[,trial]` with exact decimal times.
fn write_spikes(
    path: &Path,
    spikes: &[(u32, NeuronIndex, u32)],
    c: &Connectome,
    with_trial: bool,
    dt_ms: f64,
) -> anyhow::Result<()> {
    let mut w = BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
    writeln!(
        w,
        "{}",
        if with_trial {
            "neuron,t_ms,trial"
        } else {
            "neuron,t_ms"
        }
    )?;
    // dt = 0.1 ms: write step/10 with one decimal digit, no floating-point noise.
    let tenth = (dt_ms - 0.1).abs() < 1e-15;
    for &(s, n, t) in spikes {
        let id = c.neurons.id(n);
        if tenth {
            write!(w, "{id},{}.{}", s / 10, s % 10)?;
        } else {
            write!(w, "{id},{}", s as f64 * dt_ms)?;
        }
        if with_trial {
            write!(w, ",{t}")?;
        }
        writeln!(w)?;
    }
    w.flush()?;
    Ok(())
}
