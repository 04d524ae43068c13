//! The surrogate specification file (`*.surrogate.toml`): which neuron table, which real
//! wiring, what synthetic background and which planted paths. Format and example:
//! `assets/surrogates/README.md`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{LoadError, Location};
use crate::select::Selector;
use crate::synth::SynthParams;

/// A parsed surrogate specification.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurrogateSpec {
    /// Name written into every report on the network.
    pub name: String,
    /// One line on what it is for.
    #[serde(default)]
    pub description: String,
    /// Seed of every random choice (background and planted partners).
    pub seed: u64,
    /// A dataset (any format, path relative to the spec) whose neurons, annotations and
    /// transmitters are the surrogate's neurons. Its edges, if it has any, are real wiring.
    pub neurons: PathBuf,
    /// Datasets of real wiring overlaid on the background (paths relative to the spec).
    /// Every id they name must be in `neurons`; a real pair always keeps its real count.
    #[serde(default)]
    pub real: Vec<PathBuf>,
    /// The synthetic wiring everywhere else.
    pub background: Background,
    /// Planted edges for pathways the real subsets lack.
    #[serde(default, rename = "plant")]
    pub plants: Vec<Plant>,
}

/// The synthetic background: the statistics of [`SynthParams`] on the real neuron table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Background {
    /// Connected pairs to generate (FlyWire v783: ~15 M).
    pub edges: usize,
    /// Exponent of the synapse-count power law (default as `SynthParams`).
    #[serde(default = "defaults::count_exponent")]
    pub count_exponent: f64,
    /// Largest count drawn.
    #[serde(default = "defaults::max_count")]
    pub max_count: u32,
    /// Multiplier on every generated count.
    #[serde(default = "defaults::scale")]
    pub scale: f64,
    /// Lognormal sigma of out-degrees and in-degree weights.
    #[serde(default = "defaults::degree_sigma")]
    pub degree_sigma: f64,
    /// Selectors of neurons that get no synthetic inputs (their inputs are real or planted).
    #[serde(default)]
    pub no_synthetic_inputs: Vec<String>,
    /// Selectors of neurons that get no synthetic outputs (their outputs are all real).
    #[serde(default)]
    pub no_synthetic_outputs: Vec<String>,
}

mod defaults {
    use crate::synth::SynthParams;
    pub fn count_exponent() -> f64 {
        SynthParams::default().count_exponent
    }
    pub fn max_count() -> u32 {
        SynthParams::default().max_count
    }
    pub fn scale() -> f64 {
        SynthParams::default().scale
    }
    pub fn degree_sigma() -> f64 {
        SynthParams::default().degree_sigma
    }
}

/// One planted layer: every neuron of `to` gets `fan_in` partners drawn from `from`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plant {
    /// Name in reports.
    pub name: String,
    /// Presynaptic selector.
    pub from: String,
    /// Postsynaptic selector.
    pub to: String,
    /// Presynaptic partners per target (all of `from` when it has fewer).
    pub fan_in: usize,
    /// Synapse count of each planted pair (signed by the presynaptic transmitter).
    pub synapses: u32,
    /// Draw partners only from `from` neurons on the target's side.
    #[serde(default)]
    pub same_side: bool,
    /// Why this path is planted and how its numbers were chosen.
    #[serde(default)]
    pub note: String,
}

impl SurrogateSpec {
    /// Reads and checks a spec file.
    pub fn load(path: &Path) -> Result<SurrogateSpec, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, e))?;
        SurrogateSpec::parse(&text, path)
    }

    /// Parses and checks a spec; `file` names it in errors, with the line.
    pub fn parse(text: &str, file: &Path) -> Result<SurrogateSpec, LoadError> {
        let spec: SurrogateSpec = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_at(text, s.start));
            LoadError::invalid(
                at(file, line),
                format!(
                    "{}; expected a surrogate spec (name, seed, neurons, real, [background], \
                     [[plant]])",
                    e.message()
                ),
            )
        })?;
        spec.check(text, file)?;
        Ok(spec)
    }

    fn check(&self, text: &str, file: &Path) -> Result<(), LoadError> {
        let bad =
            |needle: &str, msg: String| LoadError::invalid(at(file, find_line(text, needle)), msg);
        self.synth_params(0)
            .validate()
            .map_err(|e| bad("[background]", format!("[background]: {e}")))?;
        for (key, list) in [
            ("no_synthetic_inputs", &self.background.no_synthetic_inputs),
            (
                "no_synthetic_outputs",
                &self.background.no_synthetic_outputs,
            ),
        ] {
            for s in list {
                Selector::parse(s)
                    .map_err(|e| bad(s, format!("`background.{key}` selector `{s}`: {e}")))?;
            }
        }
        for p in &self.plants {
            let here = format!("name = \"{}\"", p.name);
            for (key, s) in [("from", &p.from), ("to", &p.to)] {
                Selector::parse(s).map_err(|e| {
                    bad(
                        &here,
                        format!("plant `{}`: `{key}` selector `{s}`: {e}", p.name),
                    )
                })?;
            }
            if p.fan_in == 0 || p.synapses == 0 {
                return Err(bad(
                    &here,
                    format!(
                        "plant `{}`: fan_in = {} and synapses = {}; expected both >= 1",
                        p.name, p.fan_in, p.synapses
                    ),
                ));
            }
            if p.synapses > i32::MAX as u32 {
                return Err(bad(
                    &here,
                    format!(
                        "plant `{}`: synapses = {} exceeds a 32-bit count",
                        p.name, p.synapses
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The background's generator parameters on a network of `neurons`.
    pub fn synth_params(&self, neurons: usize) -> SynthParams {
        let b = &self.background;
        SynthParams {
            neurons: neurons.max(2),
            edges: b.edges,
            seed: self.seed,
            count_exponent: b.count_exponent,
            max_count: b.max_count,
            scale: b.scale,
            degree_sigma: b.degree_sigma,
            ..SynthParams::default()
        }
    }

    /// The 1-based line of the plant named `name` in `text` (for build-time errors).
    pub fn plant_line(text: &str, name: &str) -> Option<u64> {
        find_line(text, &format!("name = \"{name}\""))
    }
}

fn at(file: &Path, line: Option<u64>) -> Location {
    let loc = Location::file(file);
    match line {
        Some(l) => loc.at_line(l),
        None => loc,
    }
}

fn line_at(text: &str, byte: usize) -> u64 {
    1 + text[..byte.min(text.len())].matches('\n').count() as u64
}

/// The 1-based line of the first occurrence of `needle` in `text`.
pub(crate) fn find_line(text: &str, needle: &str) -> Option<u64> {
    text.find(needle).map(|b| line_at(text, b))
}
