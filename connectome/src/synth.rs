//! Synthetic whole-brain-sized networks for benchmarks and cross-checks.
//!
//! The real FlyWire edge list (139,255 neurons, ~15 M connected pairs, ~50 M synapses) is
//! too large to ship, so benchmarks run on a seeded network with the same size and the
//! statistics that matter for loading and for spiking activity:
//! - out-degree heavy-tailed (lognormal, like FlyWire's: median ~60 partners, some
//!   thousands), in-degree heavy-tailed through per-neuron target weights;
//! - synapse counts per pair from a discrete power law on 1..=`max_count`
//!   (FlyWire: most pairs have 1-5 synapses, a long tail to hundreds), times `scale`;
//! - a fraction of presynaptic neurons inhibitory (GABA or glutamate, signed by the
//!   default [`crate::SignRule`]), the rest cholinergic.
//!
//! Every row has its own ChaCha stream derived from the seed, so the network is the same
//! at any thread count, and the same seed always gives byte-identical files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{Distribution, LogNormal};
use rayon::prelude::*;

use crate::{Connectome, NeuronTable, SignRule, SynapseMatrix, Transmitter};

/// Id of synthetic neuron 0 (neuron `i` has `FIRST_ID + i`): 18 digits like FlyWire root
/// ids, but real v783 ids are about 7.2e17, so a synthetic id is never mistaken for one.
pub const FIRST_ID: u64 = 900_000_000_000_000_000;

/// Span of ids reserved for synthetic neurons above [`FIRST_ID`] (far more neurons than any
/// generated network has).
pub const SYNTHETIC_ID_SPAN: u64 = 10_000_000_000_000_000;

/// Whether `id` is the id of a synthetic neuron made by [`generate`], also after
/// composition: a composed id is the dataset id plus a multiple of
/// [`crate::formats::compose::NAMESPACE_STRIDE`], so the test applies to the id modulo it.
/// Reports use it to say when wiring is synthetic.
pub fn is_synthetic_id(id: u64) -> bool {
    let local = id % crate::formats::compose::NAMESPACE_STRIDE;
    (FIRST_ID..FIRST_ID + SYNTHETIC_ID_SPAN).contains(&local)
}

/// Parameters of [`generate`]. `Default` is the whole-brain benchmark network.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthParams {
    /// Number of neurons (FlyWire v783: 139,255).
    pub neurons: usize,
    /// Number of connected pairs (FlyWire v783: ~15 M). Rows are capped at half the
    /// network, so at most `neurons * (neurons / 2)`.
    pub edges: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Fraction of neurons whose synapses are inhibitory (FlyWire: ~35% GABA + glutamate).
    pub inhibitory: f64,
    /// Exponent of the synapse-count power law P(k) ~ k^-alpha.
    pub count_exponent: f64,
    /// Largest synapse count drawn before scaling.
    pub max_count: u32,
    /// Multiplies every synapse count (rounded, at least 1): the knob that sets how strongly
    /// the network drives itself under the 0.275 mV-per-synapse model.
    pub scale: f64,
    /// Sigma of the lognormal out-degree (and in-degree weight) distributions.
    pub degree_sigma: f64,
}

impl Default for SynthParams {
    /// Whole-brain size; counts and degree spread chosen so the Shiu LIF model driven by
    /// 200 neurons at 150 Hz neither stays silent beyond the driven set nor runs away
    /// (see BENCHMARKS.md "Loading" for the measured activity).
    fn default() -> Self {
        SynthParams {
            neurons: 139_255,
            edges: 15_000_000,
            seed: 1,
            inhibitory: 0.35,
            count_exponent: 2.15,
            max_count: 1000,
            scale: 1.0,
            degree_sigma: 1.0,
        }
    }
}

impl SynthParams {
    /// The small network of the Brian 2 cross-check: 20,000 neurons with the whole
    /// brain's mean out-degree scaled down so Brian 2 builds it in seconds.
    pub fn small() -> Self {
        SynthParams {
            neurons: 20_000,
            edges: 1_000_000,
            ..Self::default()
        }
    }

    /// Checks the parameters, saying which one is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.neurons < 2 || self.neurons > u32::MAX as usize {
            return Err(format!(
                "neurons = {}; expected 2..=4294967295",
                self.neurons
            ));
        }
        if !(0.0..=1.0).contains(&self.inhibitory) {
            return Err(format!(
                "inhibitory = {}; expected a fraction in 0..=1",
                self.inhibitory
            ));
        }
        if !(self.count_exponent > 1.0 && self.count_exponent.is_finite()) {
            return Err(format!(
                "count exponent = {}; expected > 1",
                self.count_exponent
            ));
        }
        if self.max_count == 0 {
            return Err("max count = 0; expected at least 1".into());
        }
        if !(self.scale > 0.0 && self.scale.is_finite()) {
            return Err(format!(
                "scale = {}; expected a positive number",
                self.scale
            ));
        }
        // Counts were clamped to i32::MAX without a word: say so instead of writing a
        // different count distribution than asked for.
        if (self.max_count as f64 * self.scale).round() > i32::MAX as f64 {
            return Err(format!(
                "scale = {} times the largest count {} exceeds a 32-bit synapse count; expected \
                 at most {}",
                self.scale,
                self.max_count,
                i32::MAX as f64 / self.max_count as f64
            ));
        }
        if !(self.degree_sigma >= 0.0 && self.degree_sigma.is_finite()) {
            return Err(format!(
                "degree sigma = {}; expected >= 0",
                self.degree_sigma
            ));
        }
        Ok(())
    }
}

/// Stream numbers of the independent random sequences (row `i` uses `ROWS + i`).
const STREAM_NEURONS: u64 = 0;
const STREAM_DEGREES: u64 = 1;
const STREAM_ROWS: u64 = 16;

fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

/// Generates the network. Neuron `i` has id `FIRST_ID + i`.
pub fn generate(p: &SynthParams) -> Result<Connectome, String> {
    p.validate()?;
    let n = p.neurons;
    let mut neurons = NeuronTable::new();
    for i in 0..n as u64 {
        neurons.insert(FIRST_ID + i);
    }
    // Exactly round(inhibitory * n) inhibitory neurons, chosen by a partial shuffle.
    let mut r = rng(p.seed, STREAM_NEURONS);
    let mut order: Vec<u32> = (0..n as u32).collect();
    let n_inh = (p.inhibitory * n as f64).round() as usize;
    for k in 0..n_inh {
        let j = r.random_range(k..n);
        order.swap(k, j);
    }
    for i in 0..n as u32 {
        neurons.set_transmitter(i, Transmitter::Acetylcholine);
    }
    for &i in &order[..n_inh] {
        // FlyWire's inhibitory neurons are roughly 60% GABA, 40% glutamate.
        let t = if r.random_bool(0.6) {
            Transmitter::Gaba
        } else {
            Transmitter::Glutamate
        };
        neurons.set_transmitter(i, t);
    }

    let sign_rule = SignRule::default();
    let signs: Vec<i32> = neurons
        .transmitters()
        .iter()
        .map(|&t| sign_rule.sign(t))
        .collect();
    let rows = wire_rows(p, &signs, None, None)?;

    let total: usize = rows.iter().map(|(t, _)| t.len()).sum();
    let mut row_start = Vec::with_capacity(n + 1);
    let mut targets = Vec::with_capacity(total);
    let mut counts = Vec::with_capacity(total);
    row_start.push(0u64);
    for (t, c) in rows {
        targets.extend_from_slice(&t);
        counts.extend_from_slice(&c);
        row_start.push(targets.len() as u64);
    }
    let synapses =
        SynapseMatrix::try_from_parts(row_start, targets, counts).map_err(|e| e.to_string())?;
    Ok(Connectome {
        format: "synthetic".into(),
        sources: Vec::new(),
        neurons,
        synapses,
        synthetic: Some(format!(
            "every synapse is generated (hexafly connectome synth, seed {})",
            p.seed
        )),
    })
}

/// One row of a synthetic network: sorted distinct targets and their signed counts.
pub(crate) type Row = (Vec<u32>, Vec<i32>);

/// One synthetic row per neuron: sorted distinct targets and signed counts (`signs[i]`
/// is the sign of neuron `i`'s synapses). `receives[j] == false` keeps neuron `j` free of
/// synthetic inputs (its in-weight is 0, so it is never drawn) and `sends[i] == false`
/// leaves row `i` empty; `None` means every neuron. Each row has its own ChaCha stream, so
/// the rows are the same at any thread count.
pub(crate) fn wire_rows(
    p: &SynthParams,
    signs: &[i32],
    receives: Option<&[bool]>,
    sends: Option<&[bool]>,
) -> Result<Vec<Row>, String> {
    let n = p.neurons;
    let mut degrees = out_degrees(p);
    if let Some(sends) = sends {
        degrees
            .iter_mut()
            .zip(sends)
            .filter(|(_, s)| !**s)
            .for_each(|(d, _)| *d = 0);
    }
    let mut r = rng(p.seed, STREAM_DEGREES);
    let in_dist = LogNormal::new(0.0, p.degree_sigma).map_err(|e| e.to_string())?;
    let mut in_weights: Vec<f64> = (0..n).map(|_| in_dist.sample(&mut r)).collect();
    if let Some(receives) = receives {
        let open = receives.iter().filter(|&&x| x).count();
        // A row must find its distinct targets among the neurons that may receive.
        let cap = open.saturating_sub(1);
        degrees.iter_mut().for_each(|d| *d = (*d).min(cap));
        in_weights
            .iter_mut()
            .zip(receives)
            .filter(|(_, r)| !**r)
            .for_each(|(w, _)| *w = 0.0);
    }
    let targets_dist = WeightedAliasIndex::new(in_weights).map_err(|e| e.to_string())?;
    let counts_cdf = power_law_cdf(p.count_exponent, p.max_count);
    Ok((0..n)
        .into_par_iter()
        .map(|i| {
            let mut r = rng(p.seed, STREAM_ROWS + i as u64);
            let mut row = Vec::with_capacity(degrees[i]);
            while row.len() < degrees[i] {
                let missing = degrees[i] - row.len();
                for _ in 0..missing {
                    let t = targets_dist.sample(&mut r) as u32;
                    if t as usize != i {
                        row.push(t);
                    }
                }
                row.sort_unstable();
                row.dedup();
            }
            let counts = row
                .iter()
                .map(|_| {
                    let u: f64 = r.random();
                    let k = counts_cdf.partition_point(|&c| c < u) as f64 + 1.0;
                    ((k * p.scale).round().max(1.0).min(i32::MAX as f64) as i32) * signs[i]
                })
                .collect();
            (row, counts)
        })
        .collect())
}

/// Lognormal out-degrees summing to `p.edges`, each capped at half the network so distinct
/// targets stay cheap to draw. Degrees are `min(cap, lambda * w_i)` with `lambda` solved so
/// the capped rows' share goes to the others (the total is kept whenever it fits, i.e.
/// `edges <= neurons * cap`), then rounded by the largest-remainder rule on the cumulative sum.
fn out_degrees(p: &SynthParams) -> Vec<usize> {
    let n = p.neurons;
    let mut r = rng(p.seed, STREAM_DEGREES + 1);
    let dist = LogNormal::new(0.0, p.degree_sigma).expect("sigma validated");
    let w: Vec<f64> = (0..n).map(|_| dist.sample(&mut r)).collect();
    let cap = (n / 2) as f64;
    let total = (p.edges as f64).min(cap * n as f64);
    let mut sorted = w.clone();
    sorted.sort_unstable_by(|a, b| b.total_cmp(a));
    // With the k largest rows capped: lambda = (total - k cap) / (sum of the other weights).
    let mut rest: f64 = w.iter().sum();
    let mut lambda = f64::INFINITY;
    for (k, &wk) in sorted.iter().enumerate() {
        let l = (total - k as f64 * cap) / rest;
        if l * wk <= cap {
            lambda = l;
            break;
        }
        rest -= wk;
    }
    let mut acc = 0.0;
    let mut prev = 0usize;
    w.iter()
        .map(|&x| {
            acc += (lambda * x).min(cap);
            let upto = acc.round() as usize;
            let d = upto - prev;
            prev = upto;
            d
        })
        .collect()
}

/// CDF of P(k) ~ k^-alpha on k = 1..=max (entry k-1 = P(K <= k)).
fn power_law_cdf(alpha: f64, max: u32) -> Vec<f64> {
    let w: Vec<f64> = (1..=max).map(|k| (k as f64).powf(-alpha)).collect();
    let z: f64 = w.iter().sum();
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = w
        .iter()
        .map(|x| {
            acc += x / z;
            acc
        })
        .collect();
    *cdf.last_mut().unwrap() = 1.0; // no rounding gap above the last bin
    cdf
}

/// Writes the plain edge list `pre,post,weight` (ids, signed counts), by row then target.
pub fn write_edge_list(path: &Path, c: &Connectome) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    w.write_all(b"pre,post,weight\n")?;
    let ids = c.neurons.ids();
    let mut line = String::with_capacity(64);
    for (pre, post, count) in c.synapses.iter() {
        use std::fmt::Write as _;
        line.clear();
        let _ = writeln!(
            line,
            "{},{},{}",
            ids[pre as usize], ids[post as usize], count
        );
        w.write_all(line.as_bytes())?;
    }
    w.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// Writes the network in both layouts into `dir`: `Completeness_synth.csv` +
/// `Connectivity_synth.parquet` (Shiu et al.) and `edges.csv` (plain edge list).
pub fn write_all(dir: &Path, c: &Connectome) -> std::io::Result<()> {
    crate::formats::shiu::write(dir, "synth", c)?;
    write_edge_list(&dir.join("edges.csv"), c)
}
