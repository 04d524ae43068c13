//! Surrogate whole brains: a real neuron table, real wiring where the data has it,
//! synthetic wiring everywhere else, and planted paths for pathways the real subsets lack.
//!
//! The full FlyWire edge list is not on every machine, yet circuit maps written for the
//! whole brain must run at whole-brain scale. A surrogate keeps everything that is known —
//! the v783 neuron table (ids, types, sides, transmitters, so the FlyWire map resolves
//! unchanged) and every real synapse subset given — and fills the rest:
//! 1. **real**: every pair of the `real` datasets with its real count; never changed;
//! 2. **planted**: for each `[[plant]]`, every `to` neuron gets `fan_in` partners drawn
//!    from `from` (same side when asked) with `synapses` each, signed by the partner's
//!    transmitter; a pair the real data already has keeps its real count;
//! 3. **background**: [`crate::synth`]'s heavy-tailed statistics over the real table, signs
//!    from the real transmitters; neurons listed in `no_synthetic_inputs` (e.g. descending and
//!    motor neurons, so that a readout responds only through real or declared wiring) get no
//!    synthetic inputs, and `no_synthetic_outputs` (e.g. the ORNs, whose outputs are all
//!    real) no synthetic outputs.
//!
//! The network's [`Connectome::synthetic`] says all this in words, so every report made on
//! it says the wiring is synthetic. The same spec and seed give the same network at any
//! thread count. The format is `*.surrogate.toml` (detected by that suffix).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{LoadError, Location};
use crate::formats::{self, LoadParams};
use crate::neuron::columns;
use crate::select::Selector;
use crate::{Connectome, SignRule, SynapseMatrix};

mod spec;

pub use spec::{Background, Plant, SurrogateSpec};

/// The format name in reports.
pub const FORMAT: &str = "surrogate";

/// Stream of plant `k`'s partner draws (the background uses streams below 2^32).
const STREAM_PLANTS: u64 = 1 << 40;

/// What went into a surrogate, for reports.
#[derive(Debug, Clone, Serialize)]
pub struct Composition {
    /// Spec name.
    pub name: String,
    /// Spec seed.
    pub seed: u64,
    /// Neurons.
    pub neurons: usize,
    /// Real pairs (from the `real` datasets and the neuron dataset's own edges).
    pub real_pairs: usize,
    /// Planted pairs per plant (name, pairs kept, pairs the real data already had).
    pub planted: Vec<(String, usize, usize)>,
    /// Generated background pairs.
    pub background_pairs: usize,
    /// Neurons without synthetic inputs / outputs.
    pub no_synthetic_inputs: usize,
    /// Neurons without synthetic outputs.
    pub no_synthetic_outputs: usize,
}

impl Composition {
    /// The [`Connectome::synthetic`] note.
    pub fn note(&self) -> String {
        let planted: Vec<String> = self
            .planted
            .iter()
            .map(|(n, k, _)| format!("{n} {k}"))
            .collect();
        format!(
            "surrogate `{}` (seed {}): {} real pairs kept as published; {} planted pairs \
             ({}); {} generated background pairs — synthetic wiring, not the connectome",
            self.name,
            self.seed,
            self.real_pairs,
            self.planted.iter().map(|p| p.1).sum::<usize>(),
            planted.join(", "),
            self.background_pairs
        )
    }
}

/// Loads and builds the surrogate described by the spec at `path`.
pub fn load(path: &Path, opts: &LoadParams) -> Result<Connectome, LoadError> {
    build_from_file_with(path, opts).map(|(c, _)| c)
}

/// Like [`load`], also returning what went into the network.
pub fn build_from_file(path: &Path) -> Result<(Connectome, Composition), LoadError> {
    build_from_file_with(path, &LoadParams::default())
}

/// Like [`build_from_file`], finding `dataset:` references in `opts.data_dir`.
pub fn build_from_file_with(
    path: &Path,
    opts: &LoadParams,
) -> Result<(Connectome, Composition), LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, e))?;
    let spec = SurrogateSpec::parse(&text, path)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    build(&spec, &base, path, &text, opts)
}

/// Builds a parsed spec; relative paths resolve against `base`, errors name `file`
/// (whose text, `text`, gives their lines).
pub fn build(
    spec: &SurrogateSpec,
    base: &Path,
    file: &Path,
    text: &str,
    opts: &LoadParams,
) -> Result<(Connectome, Composition), LoadError> {
    let resolve = |p: &PathBuf| LoadError::resolve(file, base, p, opts);
    // The parts load with the defaults but for the data directory of their references.
    let part_opts = LoadParams {
        data_dir: opts.data_dir.clone(),
        ..LoadParams::default()
    };
    let neurons_path = resolve(&spec.neurons)?;
    let table_set = formats::load(&neurons_path, &part_opts)?;
    let mut sources = vec![file.to_path_buf()];
    sources.extend(table_set.sources.iter().cloned());
    let table = table_set.neurons;
    let n = table.len();
    if n < 2 {
        return Err(LoadError::invalid(
            Location::file(file),
            format!(
                "`neurons` = {} has {n} neurons; expected a neuron table",
                neurons_path.display()
            ),
        ));
    }

    // Real pairs, as (pre, post) -> signed count in the table's indexes.
    let mut real: HashMap<(u32, u32), i32> = HashMap::new();
    let add_real = |c: &Connectome, src: &Path, real: &mut HashMap<(u32, u32), i32>| {
        let ids = c.neurons.ids();
        for (pre, post, count) in c.synapses.iter() {
            let map = |k: u32| {
                table.index_of(ids[k as usize]).ok_or_else(|| {
                    LoadError::invalid(
                        Location::file(src),
                        format!(
                            "neuron {} of this real wiring is not in the surrogate's neuron \
                             table {}; expected the same id space",
                            ids[k as usize],
                            neurons_path.display()
                        ),
                    )
                })
            };
            // Overlapping real subsets report the same synapses: keep the largest count.
            let e = real.entry((map(pre)?, map(post)?)).or_insert(count);
            if count.unsigned_abs() > e.unsigned_abs() {
                *e = count;
            }
        }
        Ok::<(), LoadError>(())
    };
    add_real(
        &Connectome {
            neurons: table.clone(),
            synapses: table_set.synapses.clone(),
            ..Connectome::default()
        },
        &neurons_path,
        &mut real,
    )?;
    for r in &spec.real {
        let p = resolve(r)?;
        let c = formats::load(&p, &part_opts)?;
        add_real(&c, &p, &mut real)?;
        sources.extend(c.sources);
    }

    let select = |s: &str, what: &str| -> Result<Vec<bool>, LoadError> {
        let loc = Location::file(file);
        let loc = match spec::find_line(text, s) {
            Some(l) => loc.at_line(l),
            None => loc,
        };
        let sel = Selector::parse(s)
            .map_err(|e| LoadError::invalid(loc.clone(), format!("{what} `{s}`: {e}")))?;
        let mask = sel
            .mask_in(&table, Some(base))
            .map_err(|e| LoadError::invalid(loc.clone(), format!("{what} `{s}`: {e}")))?;
        if !mask.contains(&true) {
            return Err(LoadError::invalid(
                loc,
                format!(
                    "{what} `{s}` selects no neuron of {}",
                    neurons_path.display()
                ),
            ));
        }
        Ok(mask)
    };
    let any_of = |list: &[String], what: &str| -> Result<Vec<bool>, LoadError> {
        let mut m = vec![false; n];
        for s in list {
            for (a, b) in m.iter_mut().zip(select(s, what)?) {
                *a |= b;
            }
        }
        Ok(m)
    };
    let closed_in = any_of(
        &spec.background.no_synthetic_inputs,
        "background.no_synthetic_inputs",
    )?;
    let closed_out = any_of(
        &spec.background.no_synthetic_outputs,
        "background.no_synthetic_outputs",
    )?;

    let rule = SignRule::default();
    let signs: Vec<i32> = table.transmitters().iter().map(|&t| rule.sign(t)).collect();

    // Planted pairs.
    let mut planted: HashMap<(u32, u32), i32> = HashMap::new();
    let mut planted_report = Vec::new();
    for (k, p) in spec.plants.iter().enumerate() {
        let what = format!("plant `{}`", p.name);
        let from = select(&p.from, &format!("{what}: `from`"))?;
        let to = select(&p.to, &format!("{what}: `to`"))?;
        let from: Vec<u32> = (0..n as u32).filter(|&i| from[i as usize]).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
        rng.set_stream(STREAM_PLANTS + k as u64);
        let (mut kept, mut had) = (0, 0);
        for t in (0..n as u32).filter(|&i| to[i as usize]) {
            let side = table.annotation(t, columns::SIDE);
            let pool: Vec<u32> = from
                .iter()
                .copied()
                .filter(|&f| f != t && (!p.same_side || table.annotation(f, columns::SIDE) == side))
                .collect();
            if pool.is_empty() {
                let loc = Location::file(file);
                let loc = match SurrogateSpec::plant_line(text, &p.name) {
                    Some(l) => loc.at_line(l),
                    None => loc,
                };
                return Err(LoadError::invalid(
                    loc,
                    format!(
                        "{what}: target {} (side `{side}`) has no partner in `from`{}",
                        table.id(t),
                        if p.same_side { " on its side" } else { "" }
                    ),
                ));
            }
            let m = p.fan_in.min(pool.len());
            let mut chosen: Vec<u32> = sample(&mut rng, pool.len(), m)
                .into_iter()
                .map(|j| pool[j])
                .collect();
            chosen.sort_unstable();
            for f in chosen {
                if real.contains_key(&(f, t)) {
                    had += 1;
                    continue;
                }
                planted.insert((f, t), p.synapses as i32 * signs[f as usize]);
                kept += 1;
            }
        }
        planted_report.push((p.name.clone(), kept, had));
    }

    // Background, then merge row by row: real > planted > background.
    let params = spec.synth_params(n);
    let receives: Vec<bool> = closed_in.iter().map(|&c| !c).collect();
    let sends: Vec<bool> = closed_out.iter().map(|&c| !c).collect();
    let rows = crate::synth::wire_rows(&params, &signs, Some(&receives), Some(&sends))
        .map_err(|e| LoadError::invalid(Location::file(file), e))?;
    let mut extra: Vec<Vec<(u32, u8, i32)>> = vec![Vec::new(); n];
    for (&(pre, post), &c) in &real {
        extra[pre as usize].push((post, 0, c));
    }
    for (&(pre, post), &c) in &planted {
        extra[pre as usize].push((post, 1, c));
    }
    let merged: Vec<(Vec<u32>, Vec<i32>, usize)> = rows
        .into_par_iter()
        .zip(extra.into_par_iter())
        .map(|((targets, counts), mut ex)| {
            let generated = targets.len();
            ex.extend(targets.into_iter().zip(counts).map(|(t, c)| (t, 2, c)));
            // Lowest rank first per target: real (0), planted (1), background (2).
            ex.sort_unstable_by_key(|&(t, rank, _)| (t, rank));
            ex.dedup_by_key(|e| e.0);
            let background = ex.iter().filter(|e| e.1 == 2).count();
            debug_assert!(background <= generated);
            let (t, c) = ex.into_iter().map(|(t, _, c)| (t, c)).unzip();
            (t, c, background)
        })
        .collect();

    let total: usize = merged.iter().map(|r| r.0.len()).sum();
    let mut row_start = Vec::with_capacity(n + 1);
    let mut targets = Vec::with_capacity(total);
    let mut counts = Vec::with_capacity(total);
    let mut background_pairs = 0;
    row_start.push(0u64);
    for (t, c, b) in merged {
        targets.extend_from_slice(&t);
        counts.extend_from_slice(&c);
        background_pairs += b;
        row_start.push(targets.len() as u64);
    }
    let synapses = SynapseMatrix::try_from_parts(row_start, targets, counts)
        .map_err(|e| LoadError::invalid(Location::file(file), e.to_string()))?;
    let composition = Composition {
        name: spec.name.clone(),
        seed: spec.seed,
        neurons: n,
        real_pairs: real.len(),
        planted: planted_report,
        background_pairs,
        no_synthetic_inputs: closed_in.iter().filter(|&&c| c).count(),
        no_synthetic_outputs: closed_out.iter().filter(|&&c| c).count(),
    };
    sources.sort();
    sources.dedup();
    Ok((
        Connectome {
            format: FORMAT.into(),
            sources,
            neurons: table,
            synapses,
            synthetic: Some(composition.note()),
        },
        composition,
    ))
}
