//! `hexafly run [EXPERIMENT.toml] --out DIR`: one experiment, headless. The work is in
//! `sim::experiment`; this file parses the flags and prints the summary's headline.

use std::path::PathBuf;

use sim::experiment::run::run_on_threads;

/// Arguments of `hexafly run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The experiment file (default: assets/experiments/default.toml).
    pub experiment: Option<PathBuf>,
    /// Run folder to write (timeline.csv, spikes.parquet, summary.json).
    #[arg(long)]
    pub out: PathBuf,
    /// Print the whole summary as JSON instead of a few lines.
    #[arg(long)]
    pub json: bool,
    /// Threads for the brain (default: 2 where the machine has two cores or more). The
    /// outputs are the same at any count.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// The bundled default experiment.
pub fn default_experiment() -> PathBuf {
    sim::experiment::defaults::small()
}

/// Runs `hexafly run`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let path = args.experiment.unwrap_or_else(default_experiment);
    let exp = sim::experiment::Experiment::load(&path)?;
    let threads = super::cap_threads("--threads", args.threads, 2)?;
    let s = run_on_threads(&exp, &args.out, threads)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    println!(
        "{}: {:.1} s on {} ({} neurons, {} pairs; {}), {:.1}x real time",
        path.display(),
        s.duration_s,
        s.dataset,
        s.neurons,
        s.edges,
        s.wiring_note,
        s.real_time_factor
    );
    let times: Vec<String> = s
        .behaviour_time_s
        .iter()
        .map(|(b, t)| format!("{b} {t:.2} s"))
        .collect();
    println!("behaviour: {}", times.join(", "));
    for l in &s.latency {
        println!(
            "loom at {:.2} s: first giant-fibre spike {}, escape command {}, lift-off {}",
            l.event_s,
            ms(l.first_trigger_spike_s),
            ms(l.escape_command_s),
            ms(l.lift_off_s)
        );
    }
    println!("run folder: {}", args.out.display());
    Ok(())
}

fn ms(x: Option<f64>) -> String {
    x.map_or("none".into(), |s| format!("+{:.1} ms", s * 1e3))
}
