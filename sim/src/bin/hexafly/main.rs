//! The `hexafly` binary: the command line, a thin layer over the `sim` library (flags in,
//! the library's parameters out, its results printed). Each command lives in its own file;
//! this one only parses and dispatches. The commands named in DESIGN.md ("Stable CLI") are called by outside
//! checks: extend them, never break them.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod body;
mod brain;
mod circuit;
mod datasets;
mod export;
mod info;
mod plot;
mod run;
mod sweep;
mod synth;
mod view;

/// hexafly: a six-legged robot whose brain is a fruit-fly connectome.
#[derive(Debug, Parser)]
#[command(name = "hexafly", version, about)]
pub struct Cli {
    /// Without a command: the 3D viewer on the default experiment (`hexafly view`).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect and generate connectome datasets.
    #[command(subcommand)]
    Connectome(ConnectomeCommand),
    /// Run the spiking brain alone on a connectome.
    #[command(subcommand)]
    Brain(BrainCommand),
    /// Drive the body alone with one motor pattern.
    #[command(subcommand)]
    Body(BodyCommand),
    /// Check a circuit map against a connectome's wiring.
    #[command(subcommand)]
    Circuit(CircuitCommand),
    /// Run an experiment headless (no file: the default experiment) and write its run folder.
    Run(run::Args),
    /// Run an experiment over a grid of parameters x seeds (resumable; Slurm array shards),
    /// or merge a sweep folder (`hexafly sweep merge DIR`).
    Sweep(sweep::Args),
    /// Draw the figures of a run folder or a sweep folder (PNG and SVG).
    Plot(plot::Args),
    /// List known public datasets and whether each is present.
    Datasets(datasets::Args),
    /// Install known public datasets into the data directory (download, or `--from` a folder).
    Fetch(datasets::FetchArgs),
    /// Show an experiment in the 3D viewer (no file: the default experiment); without a
    /// display, run it headless with plots and an offscreen frame.
    View(view::Args),
}

#[derive(Debug, Subcommand)]
enum ConnectomeCommand {
    /// Counts and annotations of a dataset.
    Info(info::Args),
    /// Generate a synthetic whole-brain-sized network (for benchmarks).
    Synth(synth::Args),
    /// Write a dataset (its connected neurons, plus selected ones) as two plain tables.
    Export(export::Args),
}

#[derive(Debug, Subcommand)]
enum BrainCommand {
    /// Simulate the network and write its spikes.
    Run(brain::Args),
}

#[derive(Debug, Subcommand)]
enum CircuitCommand {
    /// Selector counts, sensor -> readout paths and a drive test against shuffled wiring.
    Check(circuit::Args),
}

#[derive(Debug, Subcommand)]
enum BodyCommand {
    /// Run the body with one motor pattern, headless.
    Run(body::Args),
}

/// Entry point: runs the command and maps errors to exit code 1 (usage errors: 2).
fn main() -> ExitCode {
    report_file_size_limits();
    // Warnings, and the library's progress lines (sim::PROGRESS); HEXAFLY_LOG overrides.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEXAFLY_LOG")
                .unwrap_or_else(|_| format!("warn,{}=info", sim::PROGRESS).into()),
        )
        .without_time()
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let command = cli
        .command
        .unwrap_or_else(|| Command::View(view::Args::default()));
    let result = match command {
        Command::Connectome(ConnectomeCommand::Info(a)) => info::run(a),
        Command::Connectome(ConnectomeCommand::Synth(a)) => synth::run(a),
        Command::Connectome(ConnectomeCommand::Export(a)) => export::run(a),
        Command::Brain(BrainCommand::Run(a)) => brain::run(a),
        Command::Body(BodyCommand::Run(a)) => body::run(a),
        Command::Circuit(CircuitCommand::Check(a)) => circuit::run(a),
        Command::Run(a) => run::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Datasets(a) => datasets::run(a),
        Command::Fetch(a) => datasets::fetch(a),
        Command::View(a) => view::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The one rule for `--threads` and `--jobs`: at least 1; more than this machine's cores is
/// capped to them with a note (every output is the same at any count, and threads beyond
/// the cores only wait for each other); `None` is `default`.
fn cap_threads(flag: &str, requested: Option<usize>, default: usize) -> anyhow::Result<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match requested {
        None => Ok(default.clamp(1, cores)),
        Some(0) => anyhow::bail!("{flag} 0: expected at least 1"),
        Some(n) if n > cores => {
            eprintln!(
                "note: {flag} {n} is more than this machine's {cores} core{}: using {cores} \
                 (the outputs are the same at any count)",
                if cores == 1 { "" } else { "s" }
            );
            Ok(cores)
        }
        Some(n) => Ok(n),
    }
}

/// The one range of seeds, as in experiment files and sweeps: 0 to 2^63 - 1 (a TOML
/// integer).
fn seed_parser() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(..=sim::experiment::file::MAX_SEED)
}

/// Under a file-size limit (`ulimit -f`) the kernel kills a process that writes past it with
/// SIGXFSZ, silently, leaving half a file. Ignored, the write fails instead with "File too
/// large", which hexafly reports naming the file (and a run records in its summary).
fn report_file_size_limits() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN at startup, before any thread.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}
