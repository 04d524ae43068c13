//! `hexafly body` (being written).

/// Arguments of `hexafly body`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `hexafly body`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`body` is not written yet")
}
