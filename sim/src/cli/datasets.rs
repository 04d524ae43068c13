//! `hexafly datasets` (being written).

/// Arguments of `hexafly datasets`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `hexafly datasets`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`datasets` is not written yet")
}

/// Arguments of `hexafly fetch`.
#[derive(Debug, clap::Args)]
pub struct FetchArgs {}

/// Runs `hexafly fetch`.
pub fn fetch(_args: FetchArgs) -> anyhow::Result<()> {
    anyhow::bail!("`fetch` is not written yet")
}
