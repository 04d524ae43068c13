//! The `hexafly` command line. Each command group lives in its own file; this one only
//! parses and dispatches. The commands named in DESIGN.md ("Stable CLI") are called by
//! outside checks: extend them, never break them.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod connectome;

/// hexafly: a six-legged robot whose brain is a fruit-fly connectome.
#[derive(Debug, Parser)]
#[command(name = "hexafly", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect and generate connectome datasets.
    #[command(subcommand)]
    Connectome(connectome::ConnectomeCommand),
}

/// Entry point: runs the command and maps errors to exit code 1 (usage errors: 2).
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("HEXAFLY_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Connectome(c) => connectome::run(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
