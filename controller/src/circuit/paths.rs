//! Paths from a sensory group to a readout group over the synapse matrix.
//!
//! - **Shortest path**: breadth-first search from every neuron of the source group at once
//!   (hops = synapses crossed), twice: over every synapse whatever its sign, and over
//!   excitatory synapses only (positive counts: a chain that a spike can actually carry
//!   forward).
//! - **Strongest path**: the widest (max-bottleneck) path, the path whose weakest synapse
//!   (fewest synapses, |count|) is largest, found with Dijkstra's algorithm on
//!   (bottleneck descending, hops ascending) over synapses of any sign; its signed counts are
//!   reported so that an inhibitory link on it is visible. Ties go to fewer hops, then to
//!   the lower neuron index, so the answer is deterministic.
//! - **Direct synapses**: the summed signed counts from the source group straight onto the
//!   readout group (the hop-1 connection).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use connectome::{NeuronIndex, SynapseMatrix};

/// Hop distance of every neuron from a source set (`u32::MAX` = unreachable).
pub fn hops_from(m: &SynapseMatrix, sources: &[NeuronIndex], excitatory_only: bool) -> Vec<u32> {
    let mut dist = vec![u32::MAX; m.n_neurons()];
    let mut queue = VecDeque::new();
    for &s in sources {
        if dist[s as usize] != 0 {
            dist[s as usize] = 0;
            queue.push_back(s);
        }
    }
    while let Some(a) = queue.pop_front() {
        let (targets, counts) = m.row(a);
        for (&b, &c) in targets.iter().zip(counts) {
            if (!excitatory_only || c > 0) && dist[b as usize] == u32::MAX {
                dist[b as usize] = dist[a as usize] + 1;
                queue.push_back(b);
            }
        }
    }
    dist
}

/// The widest-path tree from a source set: for each neuron, the best bottleneck (|count|,
/// `u32::MAX` at the sources, 0 = unreachable), its hops on that path and its parent.
#[derive(Debug, Clone)]
pub struct WidestTree {
    width: Vec<u32>,
    hops: Vec<u32>,
    parent: Vec<NeuronIndex>,
}

/// A strongest path: neurons from a source neuron to a readout neuron and the signed
/// counts of the synapses between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrongestPath {
    /// The weakest synapse count on the path (|count|).
    pub bottleneck: u32,
    /// Neurons along the path, source first.
    pub neurons: Vec<NeuronIndex>,
    /// Signed counts of the synapses, `neurons.len() - 1` of them.
    pub counts: Vec<i32>,
}

const NONE: NeuronIndex = NeuronIndex::MAX;

/// Dijkstra on (bottleneck desc, hops asc) from every source at once.
pub fn widest_from(m: &SynapseMatrix, sources: &[NeuronIndex]) -> WidestTree {
    let n = m.n_neurons();
    let mut t = WidestTree {
        width: vec![0; n],
        hops: vec![u32::MAX; n],
        parent: vec![NONE; n],
    };
    let mut heap = BinaryHeap::new();
    for &s in sources {
        t.width[s as usize] = u32::MAX;
        t.hops[s as usize] = 0;
        heap.push((u32::MAX, Reverse(0u32), Reverse(s)));
    }
    let mut done = vec![false; n];
    while let Some((w, Reverse(h), Reverse(a))) = heap.pop() {
        if done[a as usize] {
            continue;
        }
        done[a as usize] = true;
        let (targets, counts) = m.row(a);
        for (&b, &c) in targets.iter().zip(counts) {
            let nb = w.min(c.unsigned_abs());
            let nh = h + 1;
            let (bw, bh) = (t.width[b as usize], t.hops[b as usize]);
            if !done[b as usize] && nb > 0 && (nb > bw || nb == bw && nh < bh) {
                t.width[b as usize] = nb;
                t.hops[b as usize] = nh;
                t.parent[b as usize] = a;
                heap.push((nb, Reverse(nh), Reverse(b)));
            }
        }
    }
    t
}

impl WidestTree {
    /// The strongest path onto any neuron of `targets` (None when none is reachable or a
    /// target is itself a source, i.e. there is no synapse to cross).
    pub fn best_onto(&self, m: &SynapseMatrix, targets: &[NeuronIndex]) -> Option<StrongestPath> {
        let &best = targets
            .iter()
            .filter(|&&t| self.width[t as usize] > 0 && self.hops[t as usize] > 0)
            .max_by_key(|&&t| {
                (
                    self.width[t as usize],
                    Reverse(self.hops[t as usize]),
                    Reverse(t),
                )
            })?;
        if targets.iter().any(|&t| self.hops[t as usize] == 0) {
            return None;
        }
        let mut neurons = vec![best];
        let mut at = best;
        while self.hops[at as usize] > 0 {
            at = self.parent[at as usize];
            neurons.push(at);
        }
        neurons.reverse();
        let counts = neurons.windows(2).map(|p| m.get(p[0], p[1])).collect();
        Some(StrongestPath {
            bottleneck: self.width[best as usize],
            neurons,
            counts,
        })
    }
}

/// Shortest hop count from the source set onto any target (None: unreachable).
pub fn shortest_onto(dist: &[u32], targets: &[NeuronIndex]) -> Option<u32> {
    targets
        .iter()
        .map(|&t| dist[t as usize])
        .min()
        .filter(|&d| d != u32::MAX)
}

/// Summed signed counts from `sources` directly onto `targets`, and the number of
/// connected pairs.
pub fn direct_synapses(
    m: &SynapseMatrix,
    sources: &[NeuronIndex],
    targets: &[NeuronIndex],
) -> (i64, usize) {
    let mut is_target = vec![false; m.n_neurons()];
    for &t in targets {
        is_target[t as usize] = true;
    }
    let (mut sum, mut pairs) = (0i64, 0usize);
    for &s in sources {
        let (ts, cs) = m.row(s);
        for (&t, &c) in ts.iter().zip(cs) {
            if is_target[t as usize] {
                sum += c as i64;
                pairs += 1;
            }
        }
    }
    (sum, pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use connectome::EdgeListBuilder;

    #[test]
    fn shortest_strongest_and_direct_on_a_hand_checked_network() {
        // 0 -> 1 (2) -> 3 (2): short and weak; 0 -> 2 (9) -> 4 (-8) -> 3 (7): long and strong;
        // 5 -> 3 (50) is not reachable from 0.
        let mut b = EdgeListBuilder::new();
        for (a, c, w) in [
            (0, 1, 2),
            (1, 3, 2),
            (0, 2, 9),
            (2, 4, -8),
            (4, 3, 7),
            (5, 3, 50),
        ] {
            b.push(a, c, w);
        }
        let m = b.build(6);
        let any = hops_from(&m, &[0], false);
        let exc = hops_from(&m, &[0], true);
        assert_eq!(shortest_onto(&any, &[3]), Some(2));
        assert_eq!(
            shortest_onto(&exc, &[4]),
            None,
            "only an inhibitory synapse reaches 4"
        );
        let w = widest_from(&m, &[0]);
        let p = w.best_onto(&m, &[3]).unwrap();
        assert_eq!(p.bottleneck, 7);
        assert_eq!(p.neurons, vec![0, 2, 4, 3]);
        assert_eq!(p.counts, vec![9, -8, 7]);
        assert_eq!(direct_synapses(&m, &[0, 1], &[3, 2]), (11, 2));
        assert!(widest_from(&m, &[3]).best_onto(&m, &[0]).is_none());
    }
}
