//! Adversarial test networks: many small, independent motifs, each built to probe one
//! shortcut of the event-driven engine where it is most likely to break. A motif is a
//! target neuron (or a small cluster) and "driver" neurons that receive explicit input
//! events (so they fire exactly one step later) and reach the target through synapses of
//! chosen signed counts after the synaptic delay. Used by the tests against the dense
//! transcription of Brian's algorithm ([`super::reference`]) and against Brian 2 itself;
//! useful to anyone checking another engine of the same model.
//!
//! The kinds (weights are signed synapse counts, 0.275 mV each in the default model; one
//! input event alone on a neuron at rest peaks 7 mV above rest at about 162 synapses):
//! - [`MotifKind::LatePeak`]: inhibition first, then excitation and inhibition together,
//!   so the trajectory's peak (and its threshold crossing) moves later than that of the
//!   excitation alone (a window ending at the first peak would miss the spike).
//! - [`MotifKind::Grazing`]: one or two excitatory events near the single-event threshold,
//!   so peaks graze the threshold within a fraction of a step's rise.
//! - [`MotifKind::Refractory`]: a strong event fires the target, then events arrive around
//!   the end of its refractory period (2.2 ms) and in its spike step.
//! - [`MotifKind::Feedback`]: a driven target excites an interneuron that inhibits it back.
//! - [`MotifKind::Cluster`]: a small random recurrent cluster with mixed signs.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use connectome::NeuronIndex;

/// What a motif probes (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MotifKind {
    /// Inhibition, then excitation and inhibition together: the peak moves later.
    LatePeak,
    /// Peaks that graze the threshold.
    Grazing,
    /// Arrivals around the end of the refractory period and in the spike step.
    Refractory,
    /// A driven target inhibited back by an interneuron it excites.
    Feedback,
    /// A small random recurrent cluster with mixed signs.
    Cluster,
}

impl MotifKind {
    /// Every kind, in the order [`motifs`] cycles through them.
    pub const ALL: [MotifKind; 5] = [
        MotifKind::LatePeak,
        MotifKind::Grazing,
        MotifKind::Refractory,
        MotifKind::Feedback,
        MotifKind::Cluster,
    ];
}

/// A network of independent motifs and its input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Motifs {
    /// Neurons 0..n_neurons.
    pub n_neurons: usize,
    /// `(pre, post, signed count)`, one per pair, sorted.
    pub edges: Vec<(NeuronIndex, NeuronIndex, i32)>,
    /// Input events `(step, neuron)`, sorted.
    pub input: Vec<(u32, NeuronIndex)>,
    /// The kind of each motif and its first neuron, in order.
    pub kinds: Vec<(MotifKind, NeuronIndex)>,
}

/// `count` motifs cycling through `kinds`, each starting at a random step in `0..span`
/// (so the last events come before `span + 400` steps), seeded.
pub fn motifs(kinds: &[MotifKind], count: usize, span: u32, seed: u64) -> Motifs {
    assert!(!kinds.is_empty() && span > 0, "need kinds and a span");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut m = Motifs::default();
    for i in 0..count {
        let kind = kinds[i % kinds.len()];
        let t0 = rng.random_range(0..span);
        m.kinds.push((kind, m.n_neurons as NeuronIndex));
        let mut b = Builder {
            m: &mut m,
            rng: &mut rng,
        };
        match kind {
            MotifKind::LatePeak => b.late_peak(t0),
            MotifKind::Grazing => b.grazing(t0),
            MotifKind::Refractory => b.refractory(t0),
            MotifKind::Feedback => b.feedback(t0),
            MotifKind::Cluster => b.cluster(t0),
        }
    }
    // Two events of one driver in one step would be one input event twice (Brian 2
    // refuses that in a SpikeGeneratorGroup): keep one.
    m.input.sort_unstable();
    m.input.dedup();
    // One row per pair, as edge lists give them: repeats of a pair (random clusters) add
    // up, and a pair whose counts cancel has no synapse.
    m.edges.sort_unstable_by_key(|e| (e.0, e.1));
    let mut merged: Vec<(NeuronIndex, NeuronIndex, i32)> = Vec::with_capacity(m.edges.len());
    for e in m.edges.drain(..) {
        match merged.last_mut() {
            Some(last) if (last.0, last.1) == (e.0, e.1) => last.2 += e.2,
            _ => merged.push(e),
        }
    }
    merged.retain(|e| e.2 != 0);
    m.edges = merged;
    m
}

struct Builder<'a> {
    m: &'a mut Motifs,
    rng: &'a mut ChaCha8Rng,
}

impl Builder<'_> {
    fn neuron(&mut self) -> NeuronIndex {
        self.m.n_neurons += 1;
        (self.m.n_neurons - 1) as NeuronIndex
    }

    /// A driver onto `target` with `count` synapses, given input events at `steps`: it
    /// fires one step after each, and its spikes arrive after the synaptic delay.
    fn driver(&mut self, target: NeuronIndex, count: i32, steps: &[u32]) -> NeuronIndex {
        let d = self.neuron();
        self.m.edges.push((d, target, count));
        self.m.input.extend(steps.iter().map(|&s| (s, d)));
        d
    }

    fn late_peak(&mut self, t0: u32) {
        // Weights from the region where the peak moves most (searched numerically: about
        // 1 in 120 of these motifs fires after the peak of the excitation-first
        // trajectory, against 1 in 400 for weights spread over the whole legal range).
        let target = self.neuron();
        let prior = self.rng.random_range(150..400);
        self.driver(target, -prior, &[t0]);
        let t1 = t0 + self.rng.random_range(0..200);
        let excite = self.rng.random_range(450..900);
        let inhibit = (excite as f64 * self.rng.random_range(0.3..0.65)) as i32;
        // The excitatory driver has the lower index, so its spike is delivered first in
        // the step and the inhibitory one lands on a trajectory whose window is set.
        self.driver(target, excite, &[t1]);
        self.driver(target, -inhibit, &[t1]);
        if self.rng.random_bool(0.3) {
            // A second inhibitory event a little later moves the peak once more.
            let late = self.rng.random_range(20..200);
            let at = t1 + self.rng.random_range(1..40);
            self.driver(target, -late, &[at]);
        }
    }

    fn grazing(&mut self, t0: u32) {
        let target = self.neuron();
        let first = self.rng.random_range(150..176);
        self.driver(target, first, &[t0]);
        if self.rng.random_bool(0.5) {
            let second = self.rng.random_range(-20..40);
            if second != 0 {
                let at = t0 + self.rng.random_range(0..120);
                self.driver(target, second, &[at]);
            }
        }
    }

    fn refractory(&mut self, t0: u32) {
        let target = self.neuron();
        let strong = self.rng.random_range(300..2000);
        self.driver(target, strong, &[t0]);
        // The target fires a few steps after the strong event arrives and is refractory
        // for 22 steps: events from 0 to 40 steps later land in, at and after its end.
        for _ in 0..self.rng.random_range(1..4) {
            let count =
                self.rng.random_range(100..1500) * if self.rng.random_bool(0.3) { -1 } else { 1 };
            let at = t0 + self.rng.random_range(0..40);
            self.driver(target, count, &[at]);
        }
    }

    fn feedback(&mut self, t0: u32) {
        let target = self.neuron();
        let inter = self.neuron();
        self.m
            .edges
            .push((target, inter, self.rng.random_range(100..600)));
        self.m
            .edges
            .push((inter, target, -self.rng.random_range(50..500)));
        let events: Vec<u32> = (0..self.rng.random_range(2..8))
            .map(|_| t0 + self.rng.random_range(0..300))
            .collect();
        let count = self.rng.random_range(150..500);
        self.driver(target, count, &events);
    }

    fn cluster(&mut self, t0: u32) {
        let size = self.rng.random_range(3..7);
        let first = self.m.n_neurons as NeuronIndex;
        for _ in 0..size {
            self.neuron();
        }
        for _ in 0..size * 2 {
            let pre = first + self.rng.random_range(0..size);
            let post = first + self.rng.random_range(0..size);
            let sign = if self.rng.random_bool(0.35) { -1 } else { 1 };
            self.m
                .edges
                .push((pre, post, sign * self.rng.random_range(20..400)));
        }
        for _ in 0..self.rng.random_range(1..5) {
            let target = first + self.rng.random_range(0..size);
            let count = self.rng.random_range(-200..600);
            if count != 0 {
                let events: Vec<u32> = (0..self.rng.random_range(1..4))
                    .map(|_| t0 + self.rng.random_range(0..300))
                    .collect();
                self.driver(target, count, &events);
            }
        }
    }
}
