//! Degree-preserving rewiring of a synapse matrix: the null model that circuit checks
//! compare real wiring against ("does this sensor reach that readout because of *how* the
//! neurons are wired, or only because of how many partners each has?").
//!
//! # What is preserved
//!
//! [`degree_preserving_shuffle`] keeps, exactly:
//! - every neuron's out-degree and in-degree (number of distinct partners);
//! - every presynaptic neuron's own multiset of signed counts (a synapse keeps its count
//!   and sign when its target moves), hence each neuron's total output, Dale's law (all of
//!   a neuron's synapses keep the sign of its transmitter) and the whole multiset of counts;
//! - the autapses (`i -> i` synapses) of the original, left in place;
//! - a simple graph: no (pre, post) pair twice, no new autapse.
//!
//! What changes is *who* connects to whom: in-strength (summed input counts) of a neuron is
//! not preserved, and paths through the network are randomised.
//!
//! # How it works
//!
//! Configuration model by target permutation, repaired by swaps. The non-autapse edges keep
//! their presynaptic neuron and count; their targets are permuted uniformly at random
//! (Fisher-Yates with a ChaCha8 stream of the seed). That already preserves both degree
//! sequences but may create repeated pairs and autapses; each such edge then swaps its
//! target with a randomly drawn edge whenever the swap leaves both edges valid (a
//! double-edge swap, which preserves every degree), until none is left. A graph too dense
//! to rewire this way (e.g. a complete graph, whose only simple realisation is itself) is
//! an error rather than a silent copy.
//!
//! The result depends only on the matrix and the seed: same seed, same matrix.

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::neuron::NeuronIndex;
use crate::synapse_matrix::{EdgeListBuilder, SynapseMatrix};

/// Why a matrix could not be rewired.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot rewire the wiring degree-preservingly: {stuck} of {edges} edges still repeat a pair \
     or form an autapse after {attempts} swap attempts (the network is too dense for a simple \
     degree-preserving shuffle)"
)]
pub struct ShuffleError {
    /// Edges that could not be placed.
    pub stuck: usize,
    /// Edges that were rewired.
    pub edges: usize,
    /// Swap attempts made.
    pub attempts: u64,
}

/// Swap attempts allowed per edge to repair, plus a floor for tiny networks.
const ATTEMPTS_PER_EDGE: u64 = 200;
const MIN_ATTEMPTS: u64 = 100_000;

fn key(pre: NeuronIndex, post: NeuronIndex) -> u64 {
    (pre as u64) << 32 | post as u64
}

/// A seeded degree-preserving shuffle of `m` (see the module documentation for what it
/// preserves and how).
///
/// # Example
/// ```
/// use connectome::EdgeListBuilder;
/// use connectome::shuffle::degree_preserving_shuffle;
///
/// let mut b = EdgeListBuilder::new();
/// for (pre, post, n) in [(0, 1, 3), (1, 2, 5), (2, 3, -2), (3, 0, 4), (0, 2, 1), (1, 3, 7)] {
///     b.push(pre, post, n);
/// }
/// let m = b.build(4);
/// let s = degree_preserving_shuffle(&m, 7).unwrap();
/// assert_eq!(s.n_edges(), m.n_edges());
/// assert_eq!(s, degree_preserving_shuffle(&m, 7).unwrap());
/// ```
pub fn degree_preserving_shuffle(
    m: &SynapseMatrix,
    seed: u64,
) -> Result<SynapseMatrix, ShuffleError> {
    let n = m.n_neurons();
    let mut autapses: Vec<(NeuronIndex, i32)> = Vec::new();
    let mut pre: Vec<NeuronIndex> = Vec::with_capacity(m.n_edges());
    let mut post: Vec<NeuronIndex> = Vec::with_capacity(m.n_edges());
    let mut count: Vec<i32> = Vec::with_capacity(m.n_edges());
    for (a, b, c) in m.iter() {
        if a == b {
            autapses.push((a, c));
        } else {
            pre.push(a);
            post.push(b);
            count.push(c);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Fisher-Yates over the targets: the in-degree multiset stays, sources stay.
    for i in (1..post.len()).rev() {
        let j = rng.random_range(0..=i);
        post.swap(i, j);
    }
    let e = post.len();
    // Pairs present; an autapse of the original counts as present so no edge lands on it.
    let mut present: HashSet<u64> = HashSet::with_capacity(e + autapses.len());
    for &(a, _) in &autapses {
        present.insert(key(a, a));
    }
    // `owns[k]`: edge k's pair is the one recorded in `present` (false for a repeat or an
    // autapse, which must move).
    let mut owns = vec![false; e];
    let mut bad: Vec<usize> = Vec::new();
    for k in 0..e {
        if pre[k] != post[k] && present.insert(key(pre[k], post[k])) {
            owns[k] = true;
        } else {
            bad.push(k);
        }
    }
    let budget = (bad.len() as u64 * ATTEMPTS_PER_EDGE).max(MIN_ATTEMPTS);
    let mut attempts = 0u64;
    let mut stuck = 0usize;
    for k in bad {
        while attempts < budget && e > 1 {
            attempts += 1;
            let j = rng.random_range(0..e);
            // Only a valid edge (one that owns its pair) can give its target away.
            if j == k || !owns[j] {
                continue;
            }
            let (a, b) = (pre[k], post[k]);
            let (c, d) = (pre[j], post[j]);
            // After the swap: a -> d and c -> b; edge j's old pair c -> d is released.
            if a == d || c == b || present.contains(&key(a, d)) || present.contains(&key(c, b)) {
                continue;
            }
            present.remove(&key(c, d));
            present.insert(key(a, d));
            present.insert(key(c, b));
            post[k] = d;
            post[j] = b;
            owns[k] = true;
            break;
        }
        if !owns[k] {
            stuck += 1;
        }
    }
    if stuck > 0 {
        return Err(ShuffleError {
            stuck,
            edges: e,
            attempts,
        });
    }
    let mut out = EdgeListBuilder::with_capacity(e + autapses.len());
    for k in 0..e {
        out.push(pre[k], post[k], count[k]);
    }
    for (a, c) in autapses {
        out.push(a, a, c);
    }
    Ok(out.build(n))
}
