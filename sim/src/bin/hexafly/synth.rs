//! `hexafly connectome synth`: writes a seeded synthetic whole-brain-sized network in the
//! Shiu et al. layout (`Completeness_synth.csv` + `Connectivity_synth.parquet`) and as a
//! plain edge list (`edges.csv`), for benchmarks and the Brian 2 cross-check; or, with
//! `--surrogate SPEC`, builds a surrogate whole brain (connectome::surrogate), reports what
//! went into it and stores it in the connectome cache.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use connectome::synth::{self, SynthParams};

/// Arguments of `hexafly connectome synth`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folder (created if needed); required without --surrogate.
    #[arg(long, required_unless_present = "surrogate")]
    pub out: Option<PathBuf>,
    /// Build the surrogate whole brain of this spec (`*.surrogate.toml`, e.g.
    /// assets/surrogates/flywire783.surrogate.toml) into the connectome cache instead: every
    /// command then loads it from the spec path in well under a second. It is not written out
    /// as files, so its label as synthetic wiring cannot be lost.
    #[arg(long, conflicts_with_all = ["out", "neurons", "edges", "small"])]
    pub surrogate: Option<PathBuf>,
    /// Cache directory for --surrogate (default: $HEXAFLY_CACHE, else the platform cache dir).
    #[arg(long, requires = "surrogate")]
    pub cache_dir: Option<PathBuf>,
    /// Number of neurons (default: FlyWire v783 size; `--small` gives 20,000).
    #[arg(long)]
    pub neurons: Option<usize>,
    /// Number of connected (pre, post) pairs (default 15,000,000; `--small`: 1,000,000).
    #[arg(long)]
    pub edges: Option<usize>,
    /// Seed: the same seed writes identical files.
    #[arg(long, default_value_t = 1, value_parser = super::seed_parser())]
    pub seed: u64,
    /// Fraction of inhibitory (GABA/glutamate) neurons.
    #[arg(long, default_value_t = 0.35)]
    pub inhibitory: f64,
    /// Multiplier on every synapse count (sets how strongly the network drives itself).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// The small network of the Brian 2 cross-check (20,000 neurons, 1 M pairs).
    #[arg(long)]
    pub small: bool,
}

/// Runs `hexafly connectome synth`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(spec) = &args.surrogate {
        return surrogate(spec, args.cache_dir.as_deref());
    }
    let out = args.out.clone().context("--out is required")?;
    let base = if args.small {
        SynthParams::small()
    } else {
        SynthParams::default()
    };
    let params = SynthParams {
        neurons: args.neurons.unwrap_or(base.neurons),
        edges: args.edges.unwrap_or(base.edges),
        seed: args.seed,
        inhibitory: args.inhibitory,
        scale: args.scale,
        ..base
    };
    params
        .validate()
        .map_err(|e| anyhow::anyhow!("invalid synthetic network: {e}"))?;
    let t = Instant::now();
    let c = synth::generate(&params)
        .map_err(|e| anyhow::anyhow!("cannot generate the network: {e}"))?;
    let generated = t.elapsed();
    synth::write_all(&out, &c)
        .with_context(|| format!("cannot write the network into {}", out.display()))?;
    eprintln!(
        "wrote {} neurons, {} pairs, {} synapses into {} (generate {:.1} s, total {:.1} s)",
        c.n_neurons(),
        c.n_edges(),
        c.n_synapses(),
        out.display(),
        generated.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Builds the surrogate of `spec`, prints its composition and caches it.
fn surrogate(spec: &std::path::Path, cache_dir: Option<&std::path::Path>) -> anyhow::Result<()> {
    let t = Instant::now();
    let (c, comp) = connectome::surrogate::build_from_file(spec)?;
    let built = t.elapsed().as_secs_f64();
    let mut o = std::io::stdout().lock();
    use std::io::Write as _;
    writeln!(o, "surrogate  {} ({})", comp.name, spec.display())?;
    writeln!(
        o,
        "network    {} neurons, {} pairs, {} synapses (built in {built:.1} s)",
        c.n_neurons(),
        c.n_edges(),
        c.n_synapses()
    )?;
    writeln!(o, "real       {} pairs, as published", comp.real_pairs)?;
    for (name, kept, had) in &comp.planted {
        writeln!(
            o,
            "planted    {name}: {kept} pairs{}",
            if *had > 0 {
                format!(" ({had} already real, kept real)")
            } else {
                String::new()
            }
        )?;
    }
    writeln!(
        o,
        "background {} generated pairs; {} neurons without synthetic inputs, {} without \
         synthetic outputs",
        comp.background_pairs, comp.no_synthetic_inputs, comp.no_synthetic_outputs
    )?;
    writeln!(o, "wiring     SYNTHETIC: {}", comp.note())?;
    match cache_dir
        .map(std::path::Path::to_path_buf)
        .or_else(connectome::cache::default_cache_dir)
    {
        Some(dir) => {
            let opts = connectome::formats::LoadParams::default();
            let (file, key) = connectome::cache::cache_file(spec, &opts, &dir)?;
            connectome::cache::write_cache(&file, &key, &c)
                .with_context(|| format!("cannot write the cache {}", file.display()))?;
            writeln!(o, "cached     {}", file.display())?;
        }
        None => writeln!(o, "cached     no (no cache directory)")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(out: PathBuf, seed: u64) -> Args {
        Args {
            out: Some(out),
            surrogate: None,
            cache_dir: None,
            neurons: Some(400),
            edges: Some(5000),
            seed,
            inhibitory: 0.35,
            scale: 1.0,
            small: false,
        }
    }

    #[test]
    fn writes_the_three_files_identically_for_one_seed() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        run(args(a.clone(), 4)).unwrap();
        run(args(b.clone(), 4)).unwrap();
        for f in [
            "Completeness_synth.csv",
            "Connectivity_synth.parquet",
            "edges.csv",
        ] {
            assert_eq!(
                std::fs::read(a.join(f)).unwrap(),
                std::fs::read(b.join(f)).unwrap(),
                "{f}"
            );
        }
        let c =
            connectome::formats::load(&a.join("Connectivity_synth.parquet"), &Default::default())
                .unwrap();
        assert_eq!((c.n_neurons(), c.n_edges()), (400, 5000));
    }

    #[test]
    fn bad_arguments_say_which() {
        let dir = tempfile::tempdir().unwrap();
        let e = run(Args {
            inhibitory: -0.1,
            ..args(dir.path().into(), 1)
        })
        .unwrap_err();
        assert!(e.to_string().contains("inhibitory"), "{e}");
        let e = run(Args {
            scale: f64::NAN,
            ..args(dir.path().into(), 1)
        })
        .unwrap_err();
        assert!(e.to_string().contains("scale"), "{e}");
    }
}
