//! `hexafly info` (being written).

/// Arguments of `hexafly info`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `hexafly info`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`info` is not written yet")
}
