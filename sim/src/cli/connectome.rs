//! `hexafly connectome ...`: dataset inspection and generation.

use clap::Subcommand;

/// Subcommands of `hexafly connectome`.
#[derive(Debug, Subcommand)]
pub enum ConnectomeCommand {}

/// Runs a `connectome` subcommand.
pub fn run(cmd: ConnectomeCommand) -> anyhow::Result<()> {
    match cmd {}
}
