//! `hexafly brain` (being written).

/// Arguments of `hexafly brain`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `hexafly brain`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`brain` is not written yet")
}
