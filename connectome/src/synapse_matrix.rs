//! The synapse matrix in compressed sparse row (CSR) layout.
//!
//! Row `i` holds the outgoing synapses of presynaptic neuron `i`:
//! `targets[row_start[i]..row_start[i + 1]]` are the postsynaptic neuron indices (strictly
//! increasing within a row) and `counts[..]` at the same positions are the signed synapse
//! counts (negative = inhibitory). `row_start` has `n + 1` entries, starts at 0 and never
//! decreases. Rows are presynaptic because a spiking engine walks a spiking neuron's
//! outgoing synapses.

use serde::{Deserialize, Serialize};

use crate::neuron::NeuronIndex;

/// Signed synapse counts, CSR with rows = presynaptic neurons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynapseMatrix {
    row_start: Vec<u64>,
    targets: Vec<NeuronIndex>,
    counts: Vec<i32>,
}

/// Why raw CSR buffers were rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CSR synapse matrix: {0}")]
pub struct CsrError(pub String);

impl SynapseMatrix {
    /// An `n x n` matrix with no synapses.
    pub fn empty(n: usize) -> Self {
        SynapseMatrix {
            row_start: vec![0; n + 1],
            targets: vec![],
            counts: vec![],
        }
    }

    /// Builds from raw buffers, checking every invariant in the module doc.
    pub fn try_from_parts(
        row_start: Vec<u64>,
        targets: Vec<NeuronIndex>,
        counts: Vec<i32>,
    ) -> Result<Self, CsrError> {
        let n = row_start
            .len()
            .checked_sub(1)
            .ok_or_else(|| CsrError("row_start is empty".into()))?;
        if row_start[0] != 0 {
            return Err(CsrError("row_start[0] != 0".into()));
        }
        if *row_start.last().unwrap() as usize != targets.len() || targets.len() != counts.len() {
            return Err(CsrError(format!(
                "row_start ends at {} but there are {} targets and {} counts",
                row_start.last().unwrap(),
                targets.len(),
                counts.len()
            )));
        }
        for (i, w) in row_start.windows(2).enumerate() {
            if w[1] < w[0] {
                return Err(CsrError(format!("row_start decreases at row {i}")));
            }
            let row = &targets[w[0] as usize..w[1] as usize];
            if row.iter().any(|&t| t as usize >= n) {
                return Err(CsrError(format!("row {i} has a target >= {n}")));
            }
            if row.windows(2).any(|p| p[1] <= p[0]) {
                return Err(CsrError(format!(
                    "row {i} targets are not strictly increasing"
                )));
            }
        }
        Ok(SynapseMatrix {
            row_start,
            targets,
            counts,
        })
    }

    /// Number of neurons (rows = columns).
    pub fn n_neurons(&self) -> usize {
        self.row_start.len() - 1
    }

    /// Number of stored (pre, post) pairs.
    pub fn n_edges(&self) -> usize {
        self.targets.len()
    }

    /// Total number of synapses: the sum of |count| over all edges.
    pub fn n_synapses(&self) -> u64 {
        self.counts.iter().map(|c| c.unsigned_abs() as u64).sum()
    }

    /// Outgoing synapses of `pre`: (targets, signed counts).
    pub fn row(&self, pre: NeuronIndex) -> (&[NeuronIndex], &[i32]) {
        let a = self.row_start[pre as usize] as usize;
        let b = self.row_start[pre as usize + 1] as usize;
        (&self.targets[a..b], &self.counts[a..b])
    }

    /// Signed count of the synapse `pre -> post` (0 if none).
    pub fn get(&self, pre: NeuronIndex, post: NeuronIndex) -> i32 {
        let (t, c) = self.row(pre);
        t.binary_search(&post).map_or(0, |k| c[k])
    }

    /// Iterates over all edges as (pre, post, signed count), by row then target.
    pub fn iter(&self) -> impl Iterator<Item = (NeuronIndex, NeuronIndex, i32)> + '_ {
        (0..self.n_neurons() as NeuronIndex).flat_map(move |pre| {
            let (t, c) = self.row(pre);
            t.iter().zip(c).map(move |(&post, &w)| (pre, post, w))
        })
    }

    /// The raw CSR buffers (row_start, targets, counts).
    pub fn parts(&self) -> (&[u64], &[NeuronIndex], &[i32]) {
        (&self.row_start, &self.targets, &self.counts)
    }

    /// Mutable counts (same order as [`SynapseMatrix::parts`]); the structure stays fixed.
    pub fn counts_mut(&mut self) -> &mut [i32] {
        &mut self.counts
    }

    /// Heap bytes used by the matrix.
    pub fn heap_bytes(&self) -> usize {
        self.row_start.len() * 8 + self.targets.len() * 4 + self.counts.len() * 4
    }
}

/// Collects edges in any order, then builds a [`SynapseMatrix`].
///
/// Repeated (pre, post) pairs are summed (FlyWire exports one row per neuropil) or rejected,
/// as the caller decides with [`EdgeListBuilder::duplicates`].
#[derive(Debug, Default, Clone)]
pub struct EdgeListBuilder {
    edges: Vec<(NeuronIndex, NeuronIndex, i32)>,
}

impl EdgeListBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with room for `n` edges.
    pub fn with_capacity(n: usize) -> Self {
        EdgeListBuilder {
            edges: Vec::with_capacity(n),
        }
    }

    /// Adds `count` signed synapses from `pre` to `post`.
    pub fn push(&mut self, pre: NeuronIndex, post: NeuronIndex, count: i32) {
        self.edges.push((pre, post, count));
    }

    /// Number of edges pushed so far (before merging duplicates).
    pub fn len(&self) -> usize {
        self.edges.len()
    }

    /// True when nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Takes the edges pushed so far (pre, post, count), in push order, leaving none.
    pub fn drain(&mut self) -> Vec<(NeuronIndex, NeuronIndex, i32)> {
        std::mem::take(&mut self.edges)
    }

    /// Sorts the edges and returns the (pre, post) pairs that occur more than once.
    pub fn duplicates(&mut self) -> Vec<(NeuronIndex, NeuronIndex)> {
        self.edges.sort_unstable_by_key(|&(a, b, _)| (a, b));
        let mut out: Vec<(NeuronIndex, NeuronIndex)> = Vec::new();
        for w in self.edges.windows(2) {
            if (w[0].0, w[0].1) == (w[1].0, w[1].1) && out.last() != Some(&(w[0].0, w[0].1)) {
                out.push((w[0].0, w[0].1));
            }
        }
        out
    }

    /// Builds an `n x n` matrix, summing repeated pairs and dropping pairs that sum to 0.
    ///
    /// # Panics
    /// If an edge names a neuron index `>= n` (a loader bug, not a data error), or if a
    /// repeated pair sums beyond an `i32` (loaders of files use [`EdgeListBuilder::try_build`]).
    pub fn build(self, n: usize) -> SynapseMatrix {
        self.try_build(n).unwrap_or_else(|(pre, post)| {
            panic!("the synapse count of {pre} -> {post} overflows a 32-bit count")
        })
    }

    /// Like [`EdgeListBuilder::build`], but a repeated pair whose counts sum beyond an `i32`
    /// is returned as `Err((pre, post))` (indexes) instead of wrapping around to a count of
    /// the wrong size and sign.
    ///
    /// # Panics
    /// If an edge names a neuron index `>= n` (a loader bug, not a data error).
    pub fn try_build(mut self, n: usize) -> Result<SynapseMatrix, (NeuronIndex, NeuronIndex)> {
        self.edges.sort_unstable_by_key(|&(a, b, _)| (a, b));
        let mut row_start = vec![0u64; n + 1];
        let mut targets = Vec::with_capacity(self.edges.len());
        let mut counts: Vec<i32> = Vec::with_capacity(self.edges.len());
        let mut last: Option<(NeuronIndex, NeuronIndex)> = None;
        for (pre, post, c) in self.edges {
            assert!(
                (pre as usize) < n && (post as usize) < n,
                "edge {pre}->{post} outside {n} neurons"
            );
            if last == Some((pre, post)) {
                let sum = counts.last_mut().expect("a pair was pushed");
                *sum = sum.checked_add(c).ok_or((pre, post))?;
            } else {
                if counts.last() == Some(&0) {
                    targets.pop();
                    counts.pop();
                    row_start[last.unwrap().0 as usize + 1] -= 1;
                }
                targets.push(post);
                counts.push(c);
                row_start[pre as usize + 1] += 1;
                last = Some((pre, post));
            }
        }
        if counts.last() == Some(&0) {
            targets.pop();
            counts.pop();
            row_start[last.unwrap().0 as usize + 1] -= 1;
        }
        for i in 0..n {
            row_start[i + 1] += row_start[i];
        }
        Ok(SynapseMatrix {
            row_start,
            targets,
            counts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_sums_duplicates_and_sorts() {
        let mut b = EdgeListBuilder::new();
        b.push(2, 0, 3);
        b.push(0, 1, 4);
        b.push(0, 1, -1);
        b.push(1, 1, 2);
        b.push(1, 2, 5);
        b.push(1, 2, -5); // sums to zero: dropped
        assert_eq!(b.clone().duplicates(), vec![(0, 1), (1, 2)]);
        let m = b.build(3);
        assert_eq!(m.n_edges(), 3);
        assert_eq!(m.get(0, 1), 3);
        assert_eq!(m.get(1, 1), 2);
        assert_eq!(m.get(1, 2), 0);
        assert_eq!(m.get(2, 0), 3);
        assert_eq!(m.n_synapses(), 8);
        let (rs, t, c) = m.parts();
        assert!(SynapseMatrix::try_from_parts(rs.to_vec(), t.to_vec(), c.to_vec()).is_ok());
    }

    #[test]
    fn try_from_parts_rejects_bad_buffers() {
        assert!(SynapseMatrix::try_from_parts(vec![0, 1], vec![1], vec![1]).is_err());
        assert!(SynapseMatrix::try_from_parts(vec![0, 2, 2], vec![1, 1], vec![1, 1]).is_err());
        assert!(SynapseMatrix::try_from_parts(vec![0, 2, 1], vec![0, 1], vec![1, 1]).is_err());
        assert!(SynapseMatrix::try_from_parts(vec![], vec![], vec![]).is_err());
    }
}
