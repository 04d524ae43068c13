//! `hexafly connectome export`: a dataset, or the part of it a circuit needs, written as two
//! plain tables (`edges.csv.gz`, `neurons.csv.gz`; connectome::export) that a compose
//! manifest loads back. This is how the compact circuit shipped in
//! `assets/connectomes/flywire783_mission/` is made from the registry's datasets.

use std::path::PathBuf;

use connectome::select::Selector;

use connectome::source::DatasetSource;

/// Arguments of `hexafly connectome export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset path (any supported format), or the name of a known dataset in the data dir.
    pub path: PathBuf,
    /// Folder to write `edges.csv.gz` and `neurons.csv.gz` into.
    #[arg(long)]
    pub out: PathBuf,
    /// Also keep the neurons this selector picks, even without an edge (repeatable). Neurons
    /// with at least one edge are always kept.
    #[arg(long, value_name = "SELECTOR")]
    pub keep: Vec<String>,
    /// How the dataset is found and loaded.
    #[command(flatten)]
    pub source: DatasetSource,
}

/// Runs `hexafly connectome export`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let selectors = args
        .keep
        .iter()
        .map(|s| Selector::parse(s).map_err(|e| anyhow::anyhow!("--keep `{s}`: {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let loaded = args.source.load(&args.path)?;
    let c = &loaded.connectome;
    let mut keep = vec![false; c.n_neurons()];
    for (pre, post, _) in c.synapses.iter() {
        keep[pre as usize] = true;
        keep[post as usize] = true;
    }
    for (s, text) in selectors.iter().zip(&args.keep) {
        let mask = s
            .mask_in(&c.neurons, None)
            .map_err(|e| anyhow::anyhow!("--keep `{text}`: {e}"))?;
        let n = mask.iter().filter(|m| **m).count();
        if n == 0 {
            anyhow::bail!(
                "--keep `{text}` selects no neuron of {}",
                loaded.path.display()
            );
        }
        eprintln!("--keep `{text}`: {n} neurons");
        for (k, m) in keep.iter_mut().zip(mask) {
            *k |= m;
        }
    }
    let out = connectome::export::export(c, &keep, &args.out)?;
    eprintln!(
        "wrote {} neurons to {} and {} pairs to {}",
        out.neurons,
        out.neurons_file.display(),
        out.edges,
        out.edges_file.display()
    );
    Ok(())
}
