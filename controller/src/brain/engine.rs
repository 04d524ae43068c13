//! The spiking engine: one simulation (trial) of a [`Network`], advanced step by step.
//!
//! Per step it does what Brian 2 does, in Brian's order (state update, threshold, synaptic
//! and input delivery, reset), but only for the neurons where something can happen:
//! - neurons that may reach threshold on their own are *active* and integrated every step
//!   with Brian's exact one-step formula;
//! - all others are *passive*: their state is brought up to date lazily (exactly, see
//!   [`Propagator`]) when an event reaches them, and re-classified afterwards;
//! - spikes wait in a ring of `delay + 1` per-step lists and are delivered through the CSR
//!   rows of the spiking neurons.
//!
//! A neuron that spikes is reset to rest and ignores all input while refractory (Brian
//! drops `g += w` and `v += w` when `not_refractory` is false), so it becomes passive.
//! Nothing here allocates per step once the buffers have grown to the activity level.

use std::collections::HashMap;
use std::sync::Arc;

use connectome::NeuronIndex;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::input::InputSpikes;
use super::network::Network;
use super::propagator::Propagator;

const ACTIVE: u32 = 1;
/// How many edges ahead the delivery loop prefetches target neurons.
const PREFETCH: usize = 16;
const NO_REFRACTORY: u32 = 2;

/// State of one neuron. 32 bytes: two per cache line, one line touched per delivery.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Cell {
    v: f64,
    g: f64,
    /// First step whose integration has not been applied yet.
    next: u32,
    /// Input arriving before this step is dropped (refractory).
    accept_from: u32,
    /// Keeps the cell at 32 bytes (aligned pairs per cache line).
    _pad: u32,
    flags: u32,
}

/// One running simulation of a network. Step numbers are `u32`: a brain runs up to
/// 2^31 steps (2.5 days of simulated time at 0.1 ms).
#[derive(Debug, Clone)]
pub struct Brain {
    net: Arc<Network>,
    cells: Vec<Cell>,
    active: Vec<NeuronIndex>,
    /// Spikes of step s are in `ring[s % ring.len()]` until delivered at s + delay.
    ring: Vec<Vec<NeuronIndex>>,
    spikes_now: Vec<NeuronIndex>,
    step: u32,
    /// Seed and stream of the Poisson input; each driven neuron draws from its own ChaCha8
    /// block range, so its input does not depend on which other neurons are driven or on
    /// how the network is split across threads.
    seed: u64,
    stream: u64,
    drive_rngs: HashMap<NeuronIndex, ChaCha8Rng>,
    /// Neurons with a Poisson rate > 0, sorted.
    driven: Vec<NeuronIndex>,
    /// Per neuron: ln(1 - p) of its per-step event probability p (0 = not driven).
    drive_log_q: Vec<f64>,
    /// Per neuron: the step of its next Poisson event.
    next_event: Vec<u32>,
    input: InputSpikes,
    input_cursor: usize,
    counts: Vec<u32>,
    total_spikes: u64,
}

impl Brain {
    /// A brain at rest at step 0. Poisson input draws from ChaCha8 seeded with `seed`,
    /// stream `stream` (use the trial number): trials are independent and reproducible.
    pub fn new(net: Arc<Network>, seed: u64, stream: u64) -> Self {
        let n = net.n_neurons();
        let k = &net.propagator().k;
        let rest = Cell {
            v: k.v_rest,
            g: 0.0,
            next: 0,
            accept_from: 0,
            _pad: 0,
            flags: 0,
        };
        let ring = (0..=k.delay_steps).map(|_| Vec::new()).collect();
        Brain {
            cells: vec![rest; n],
            active: Vec::new(),
            ring,
            spikes_now: Vec::new(),
            step: 0,
            seed,
            stream,
            drive_rngs: HashMap::new(),
            driven: Vec::new(),
            drive_log_q: vec![0.0; n],
            next_event: vec![u32::MAX; n],
            input: InputSpikes::default(),
            input_cursor: 0,
            counts: vec![0; n],
            total_spikes: 0,
            net,
        }
    }

    /// The network being simulated.
    pub fn network(&self) -> &Arc<Network> {
        &self.net
    }

    /// The next step to be simulated (= steps done so far).
    pub fn time_step(&self) -> u32 {
        self.step
    }

    /// Sets the Poisson input rate (Hz) of one neuron; 0 stops it. A neuron that is ever
    /// driven loses its refractory period for good, as in Shiu et al. (`rfc = 0`).
    ///
    /// # Panics
    /// If `neuron` is out of range or `hz` is negative or not finite (caller bugs).
    pub fn set_rate(&mut self, neuron: NeuronIndex, hz: f64) {
        assert!(
            hz.is_finite() && hz >= 0.0,
            "Poisson rate must be finite and >= 0, got {hz}"
        );
        let p = hz * self.net.propagator().k.dt;
        let i = neuron as usize;
        let was = self.drive_log_q[i] != 0.0;
        // ln(1 - p) < 0 for 0 < p < 1; p >= 1 (an event every step) is -inf.
        let log_q = if p >= 1.0 {
            f64::NEG_INFINITY
        } else {
            (-p).ln_1p()
        };
        self.drive_log_q[i] = log_q;
        let now = log_q != 0.0;
        if now {
            self.cells[i].flags |= NO_REFRACTORY;
            // Memoryless: redrawing the waiting time from now on is exact.
            let (seed, stream) = (self.seed, self.stream);
            let rng = self.drive_rngs.entry(neuron).or_insert_with(|| {
                let mut r = ChaCha8Rng::seed_from_u64(seed);
                r.set_stream(stream);
                // 2^36 words per neuron: far more draws than any run makes.
                r.set_word_pos((neuron as u128) << 36);
                r
            });
            self.next_event[i] = self.step.saturating_add(waiting_steps(rng, log_q) - 1);
        } else {
            self.next_event[i] = u32::MAX;
        }
        match (was, now) {
            (false, true) => {
                let at = self.driven.partition_point(|&d| d < neuron);
                self.driven.insert(at, neuron);
            }
            (true, false) => self.driven.retain(|&d| d != neuron),
            _ => {}
        }
    }

    /// Sets the same Poisson rate on many neurons.
    pub fn set_rates(&mut self, neurons: &[NeuronIndex], hz: f64) {
        for &n in neurons {
            self.set_rate(n, hz);
        }
    }

    /// Replaces the explicit input spike trains. Their targets lose their refractory
    /// period (they are driven neurons). Events before the current step are ignored.
    ///
    /// # Panics
    /// If an event names a neuron outside the network (a caller bug: map ids first).
    pub fn set_input_spikes(&mut self, input: InputSpikes) {
        for t in input.targets() {
            self.cells[t as usize].flags |= NO_REFRACTORY;
        }
        self.input_cursor = input.first_at_or_after(self.step);
        self.input = input;
    }

    /// Spikes per neuron since the start.
    pub fn spike_counts(&self) -> &[u32] {
        &self.counts
    }

    /// Total spikes since the start.
    pub fn total_spikes(&self) -> u64 {
        self.total_spikes
    }

    /// Number of neurons currently integrated every step.
    pub fn n_active(&self) -> usize {
        self.active.len()
    }

    /// (v, g) of a neuron in volts, as Brian would report them after the last completed step.
    pub fn state(&self, neuron: NeuronIndex) -> (f64, f64) {
        let c = self.cells[neuron as usize];
        let (mut v, mut g) = (c.v, c.g);
        if c.next < self.step {
            self.net
                .propagator()
                .advance(&mut v, &mut g, self.step - c.next);
        }
        (v, g)
    }

    /// Advances `n` steps.
    pub fn advance(&mut self, n: u32) {
        for _ in 0..n {
            self.step();
        }
    }

    /// Simulates one step and returns the neurons that spiked in it, sorted.
    pub fn step(&mut self) -> &[NeuronIndex] {
        let n = self.step;
        let slots = self.ring.len();
        let mut spikes = self.fire(n);
        std::mem::swap(&mut self.ring[n as usize % slots], &mut spikes);
        self.spikes_now = spikes; // the list that was in the slot, reused next step
        // Spikes of step n - delay (for delay 0 this is the slot just written).
        let arriving = std::mem::take(&mut self.ring[(n as usize + 1) % slots]);
        self.receive(n, &arriving);
        self.ring[(n as usize + 1) % slots] = arriving;
        // Warm the first targets of the next step's deliveries (spikes of n + 1 - delay).
        let upcoming = &self.ring[(n as usize + 2) % slots];
        let mut pf = PrefetchCursor::new(&self.net, upcoming);
        for _ in 0..PREFETCH {
            pf.advance(&self.net, upcoming, self.cells.as_ptr());
        }
        self.step = n + 1;
        &self.ring[n as usize % slots]
    }

    /// First half of a step for a network split across threads: state update, threshold
    /// and reset; returns this brain's spikes of the step, sorted.
    pub(crate) fn fire_step(&mut self) -> &[NeuronIndex] {
        self.spikes_now = self.fire(self.step);
        &self.spikes_now
    }

    /// Second half: deliver `arriving` (all spikes of step - delay, sorted) and the input.
    pub(crate) fn receive_step(&mut self, arriving: &[NeuronIndex]) {
        self.receive(self.step, arriving);
        self.step += 1;
    }

    /// State update and threshold of the active neurons, then reset of those that spiked.
    fn fire(&mut self, n: u32) -> Vec<NeuronIndex> {
        let net = Arc::clone(&self.net);
        let prop = net.propagator();
        let k = &prop.k;
        let mut spikes = std::mem::take(&mut self.spikes_now);
        spikes.clear();
        let cells = &mut self.cells;
        self.active.retain(|&i| {
            let c = &mut cells[i as usize];
            debug_assert_eq!(c.next, n);
            prop.step1(&mut c.v, &mut c.g);
            c.next = n + 1;
            let keep = if c.v > k.v_th {
                spikes.push(i);
                false
            } else {
                prop.may_cross(c.v, c.g)
            };
            if !keep {
                c.flags &= !ACTIVE;
            }
            keep
        });
        spikes.sort_unstable();
        // Count, reset, and block input while refractory. (Brian resets after delivery,
        // but delivery to a neuron that just spiked is dropped, so the order cannot matter.)
        for &i in &spikes {
            let c = &mut cells[i as usize];
            let r = if c.flags & NO_REFRACTORY != 0 {
                1
            } else {
                k.refractory_steps
            };
            c.v = k.v_reset;
            c.g = 0.0;
            c.next = n + r;
            c.accept_from = n + r;
            self.counts[i as usize] += 1;
        }
        self.total_spikes += spikes.len() as u64;
        spikes
    }

    /// Delivery of the spikes of step n - delay, then the input events of step n.
    fn receive(&mut self, n: u32, arriving: &[NeuronIndex]) {
        let net = Arc::clone(&self.net);
        let prop = net.propagator();
        let k = &prop.k;
        let cells = &mut self.cells;
        // Deliveries hit random neurons, so this loop is bound by memory latency: a second
        // cursor runs PREFETCH edges ahead (across row boundaries) asking for the target
        // cells, so that many cache misses are in flight at once.
        let base = cells.as_ptr();
        let mut pf = PrefetchCursor::new(&net, arriving);
        for _ in 0..PREFETCH {
            pf.advance(&net, arriving, base);
        }
        for &pre in arriving {
            for e in net.row(pre) {
                pf.advance(&net, arriving, base);
                let c = &mut cells[e.target as usize];
                if n < c.accept_from {
                    continue;
                }
                if c.next <= n {
                    prop.advance(&mut c.v, &mut c.g, n + 1 - c.next);
                    c.next = n + 1;
                }
                // Brian: g += w with w = count * w_syn.
                c.g += e.count as f64 * k.w_syn;
                // The neuron may now reach threshold on its own. Later deliveries in
                // this step re-check; an early activation is merely conservative. Less g
                // lowers the whole future trajectory (the PSP kernel is positive), so an
                // inhibitory event never makes a passive neuron able to fire.
                if e.count > 0 && c.flags & ACTIVE == 0 && prop.may_cross(c.v, c.g) {
                    c.flags |= ACTIVE;
                    self.active.push(e.target);
                }
            }
        }
        let events = self.input.events();
        while let Some(&(s, j)) = events.get(self.input_cursor) {
            if s > n {
                break;
            }
            self.input_cursor += 1;
            if s == n {
                Self::kick(cells, &mut self.active, prop, j, n);
            }
        }
        for d in 0..self.driven.len() {
            let j = self.driven[d];
            if self.next_event[j as usize] == n {
                Self::kick(cells, &mut self.active, prop, j, n);
                let rng = self
                    .drive_rngs
                    .get_mut(&j)
                    .expect("a driven neuron has a stream");
                let wait = waiting_steps(rng, self.drive_log_q[j as usize]);
                self.next_event[j as usize] = n.saturating_add(wait);
            }
        }
    }

    /// An input event: v += f_poi * w_syn unless refractory.
    #[inline]
    fn kick(
        cells: &mut [Cell],
        active: &mut Vec<NeuronIndex>,
        prop: &Propagator,
        j: NeuronIndex,
        n: u32,
    ) {
        let c = &mut cells[j as usize];
        if n < c.accept_from {
            return;
        }
        if c.next <= n {
            prop.advance(&mut c.v, &mut c.g, n + 1 - c.next);
            c.next = n + 1;
        }
        c.v += prop.k.w_input;
        if c.flags & ACTIVE == 0 && prop.may_cross(c.v, c.g) {
            c.flags |= ACTIVE;
            active.push(j);
        }
    }
}

/// Hints the CPU to load the cache line holding `p` (no effect on results).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint; it never faults, even on an invalid address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Steps until the next event of a Bernoulli(p)-per-step process (>= 1), given
/// `log_q = ln(1 - p)`: geometric, drawn by inversion, so the Poisson input costs one draw
/// per event instead of one per step.
fn waiting_steps(rng: &mut ChaCha8Rng, log_q: f64) -> u32 {
    // u in (0, 1]: 53 random bits, never 0 so the log is finite.
    let u = ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0);
    let k = (u.ln() / log_q).floor() + 1.0;
    if k >= (u32::MAX / 2) as f64 {
        u32::MAX / 2
    } else {
        k as u32
    }
}

/// Walks the edges of a list of spiking neurons, prefetching each target's cell.
struct PrefetchCursor<'a> {
    row: usize,
    edges: &'a [super::network::Edge],
    at: usize,
}

impl<'a> PrefetchCursor<'a> {
    fn new(net: &'a Network, spikes: &[NeuronIndex]) -> Self {
        PrefetchCursor {
            row: 0,
            edges: spikes.first().map_or(&[], |&p| net.row(p)),
            at: 0,
        }
    }

    /// Prefetches the next edge's target, moving to the next row when one is exhausted.
    #[inline(always)]
    fn advance(&mut self, net: &'a Network, spikes: &[NeuronIndex], cells: *const Cell) {
        loop {
            if let Some(e) = self.edges.get(self.at) {
                self.at += 1;
                prefetch(cells.wrapping_add(e.target as usize));
                return;
            }
            self.row += 1;
            match spikes.get(self.row) {
                Some(&p) => {
                    self.edges = net.row(p);
                    self.at = 0;
                }
                None => return,
            }
        }
    }
}
