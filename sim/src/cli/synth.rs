//! `hexafly synth` (being written).

/// Arguments of `hexafly synth`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `hexafly synth`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`synth` is not written yet")
}
