//! Loader for FlyWire's `proofread_connections_783.feather` (Zenodo record 10676866).
//!
//! The file is Arrow IPC ("feather v2", lz4 or zstd compressed) with one row per
//! (pre, post, neuropil): `pre_pt_root_id`, `post_pt_root_id`, `neuropil`, `syn_count`
//! and the mean transmitter predictions of those synapses `gaba_avg`, `ach_avg`,
//! `glut_avg`, `oct_avg`, `ser_avg`, `da_avg`.
//!
//! - Rows of one pair are summed over neuropils (the model sees neuron-to-neuron counts).
//! - A neuron's transmitter is the argmax of its synapse-count-weighted mean prediction
//!   over all its output rows. That is the mean over all its presynaptic sites, i.e. the
//!   neuron-level call FlyWire publishes and Shiu et al. used for the synapse signs.
//! - Signs then come from [`LoadParams::sign_rule`]; neurons that only receive synapses
//!   keep [`Transmitter::Unknown`].
//! - Neuron order is the order of first appearance in the file (pre before post in a row),
//!   so the same file always gives the same indices.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::BufReader;
use std::path::Path;

use arrow_ipc::reader::FileReader;

use crate::formats::LoadParams;
use crate::formats::shiu::arrow_columns::{f64_column, int64_column, require_column};
use crate::{Connectome, EdgeListBuilder, LoadError, Location, NeuronTable, Transmitter};

/// Edge columns that must be present.
pub const EDGE_COLUMNS: [&str; 3] = ["pre_pt_root_id", "post_pt_root_id", "syn_count"];

/// Transmitter prediction columns and the transmitter each one stands for. The order is
/// also the tie-break order of the argmax.
pub const TRANSMITTER_COLUMNS: [(&str, Transmitter); 6] = [
    ("ach_avg", Transmitter::Acetylcholine),
    ("gaba_avg", Transmitter::Gaba),
    ("glut_avg", Transmitter::Glutamate),
    ("oct_avg", Transmitter::Octopamine),
    ("ser_avg", Transmitter::Serotonin),
    ("da_avg", Transmitter::Dopamine),
];

const EXPECTED: &str = "the FlyWire proofread_connections feather layout (pre_pt_root_id, post_pt_root_id, \
     neuropil, syn_count, gaba_avg, ach_avg, glut_avg, oct_avg, ser_avg, da_avg)";

/// Loads a `proofread_connections_*.feather` file.
pub fn load(path: &Path, opts: &LoadParams) -> Result<Connectome, LoadError> {
    let arrow_err = |e: arrow_schema::ArrowError| {
        LoadError::invalid(
            Location::file(path),
            format!("not a readable Arrow IPC (feather v2) file: {e}"),
        )
    };
    let open = || {
        File::open(path)
            .map(BufReader::new)
            .map_err(|e| LoadError::io(path, e))
    };
    // Opening reads only the footer; the second open projects away `neuropil` (strings we
    // would decode and then ignore).
    let schema = FileReader::try_new(open()?, None)
        .map_err(arrow_err)?
        .schema();
    let mut projection = Vec::new();
    for name in EDGE_COLUMNS
        .iter()
        .copied()
        .chain(TRANSMITTER_COLUMNS.iter().map(|(c, _)| *c))
    {
        projection.push(require_column(&schema, name, path, EXPECTED)?);
    }
    let reader = FileReader::try_new(open()?, Some(projection)).map_err(arrow_err)?;

    let mut neurons = NeuronTable::new();
    // 34 M id lookups for the whole brain: a multiplicative hash on the (already random)
    // root ids is several times faster than the default SipHash in NeuronTable.
    let mut index: HashMap<u64, u32, BuildHasherDefault<IdHasher>> = HashMap::default();
    let mut index_of = |id: u64, neurons: &mut NeuronTable| {
        *index.entry(id).or_insert_with(|| neurons.insert(id).0)
    };
    let mut edges = EdgeListBuilder::new();
    // Per neuron: synapse-weighted sums of the six predictions.
    let mut nt_sums: Vec<[f64; 6]> = Vec::new();
    let mut first_row = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| {
            LoadError::invalid(
                Location::file(path),
                format!("cannot decode record batch: {e}"),
            )
        })?;
        let schema = batch.schema();
        let col = |name: &str| require_column(&schema, name, path, EXPECTED);
        let pre = int64_column(&batch, col("pre_pt_root_id")?, path, first_row)?;
        let post = int64_column(&batch, col("post_pt_root_id")?, path, first_row)?;
        let count = int64_column(&batch, col("syn_count")?, path, first_row)?;
        let mut preds = Vec::with_capacity(TRANSMITTER_COLUMNS.len());
        for (name, _) in TRANSMITTER_COLUMNS {
            preds.push(f64_column(&batch, col(name)?, path)?);
        }
        for r in 0..batch.num_rows() {
            let row = first_row + r as u64;
            let bad = |c: &str, msg: String| {
                LoadError::invalid(
                    Location::file(path).at_column(c),
                    format!("row {row}: {msg}"),
                )
            };
            let id = |c: &str, v: i64| {
                u64::try_from(v).map_err(|_| {
                    bad(
                        c,
                        format!("{v} is not a root id; expected a non-negative integer"),
                    )
                })
            };
            let (p, q) = (
                id("pre_pt_root_id", pre.value(r))?,
                id("post_pt_root_id", post.value(r))?,
            );
            let c = count.value(r);
            if c <= 0 || c > i32::MAX as i64 {
                return Err(bad(
                    "syn_count",
                    format!("{c}; expected a positive synapse count"),
                ));
            }
            let pi = index_of(p, &mut neurons);
            let qi = index_of(q, &mut neurons);
            if nt_sums.len() < neurons.len() {
                nt_sums.resize(neurons.len(), [0.0; 6]);
            }
            let sums = &mut nt_sums[pi as usize];
            for (k, pred) in preds.iter().enumerate() {
                sums[k] += pred[r] * c as f64;
            }
            edges.push(pi, qi, c as i32);
        }
        first_row += batch.num_rows() as u64;
    }
    for (i, sums) in nt_sums.iter().enumerate() {
        neurons.set_transmitter(i as u32, argmax_transmitter(sums));
    }
    let mut synapses = edges
        .try_build(neurons.len())
        .map_err(|pair| super::edges::overflow_error(path, &neurons, pair))?;
    // Counts were pushed unsigned because a neuron's transmitter is known only after its
    // last row; signs are applied per presynaptic row now.
    let signs: Vec<i32> = neurons
        .transmitters()
        .iter()
        .map(|&t| opts.sign_rule.sign(t))
        .collect();
    let row_start = synapses.parts().0.to_vec();
    let counts = synapses.counts_mut();
    for (pre, w) in row_start.windows(2).enumerate() {
        for c in &mut counts[w[0] as usize..w[1] as usize] {
            *c *= signs[pre];
        }
    }
    Ok(Connectome {
        format: crate::formats::Format::Feather.name().into(),
        sources: vec![path.to_owned()],
        neurons,
        synapses,
        synthetic: None,
    })
}

/// The transmitter with the largest summed prediction; `Unknown` when all are zero.
fn argmax_transmitter(sums: &[f64; 6]) -> Transmitter {
    let mut best = (0.0, Transmitter::Unknown);
    for (k, &s) in sums.iter().enumerate() {
        if s > best.0 {
            best = (s, TRANSMITTER_COLUMNS[k].1);
        }
    }
    best.1
}

/// Hasher for u64 ids: fold the high bits into the low ones, then one multiply by a 64-bit
/// odd constant, so both the low bits (bucket) and the top bits (tag) that hashbrown uses
/// depend on the whole id. Not DoS-resistant, which a local file does not need.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, id: u64) {
        self.0 = (id ^ (id >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
