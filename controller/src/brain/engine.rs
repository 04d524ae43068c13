//! The spiking engine: one simulation (trial) of a [`Network`], advanced step by step.
//!
//! Per step it does what Brian 2 does, in Brian's order (state update, threshold, synaptic
//! and input delivery, reset), but only where something can happen:
//! - every neuron is kept as the two time-invariant coefficients of its exact solution
//!   (see [`Propagator`]), so a neuron that receives nothing costs nothing, and a delivery
//!   is two multiply-adds with factors shared by the whole step;
//! - neurons that may reach threshold on their own are *active*: their v is evaluated every
//!   step for the threshold test; the others are *passive* and looked at only when an
//!   excitatory event reaches them;
//! - spikes wait in a ring of `delay + 1` per-step lists and are delivered through the CSR
//!   rows of the spiking neurons.
//!
//! A neuron that spikes is reset and ignores all input while refractory (Brian's reset
//! `g = 0` overwrites what arrives in its spike step, and `not_refractory` blocks the rest):
//! its coefficients are NaN, which swallows every event without a test in the delivery
//! loop, until the step its refractory period ends, when it is set to the reset state.
//! Nothing here allocates per step once the buffers have grown to the activity level.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use connectome::NeuronIndex;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::input::InputSpikes;
use super::network::Network;
use super::propagator::{Propagator, StepFactors};

/// How many edges ahead the delivery loop prefetches target neurons.
const PREFETCH: usize = 16;
/// Coefficients below this are flushed to 0 when re-basing (their v is < 1e-200 V away
/// from rest), so that long-idle neurons never turn into slow subnormal numbers.
const FLUSH: f64 = 1e-200;

/// One neuron: the coefficients of `u = v - v0 = a Pm + b Ps` (see [`Propagator`]); NaN
/// while refractory. 16 bytes: four per cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Cell {
    a: f64,
    b: f64,
}

const REST: Cell = Cell { a: 0.0, b: 0.0 };
const BLOCKED: Cell = Cell {
    a: f64::NAN,
    b: f64::NAN,
};

/// A brain asked to run past [`Brain::MAX_STEPS`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "a brain simulates at most {steps} steps ({hours:.1} h at dt = {dt_ms} ms); split longer runs",
    hours = *steps as f64 * dt_ms / 3.6e6
)]
pub struct TimeLimit {
    /// The limit, in steps.
    pub steps: u32,
    /// The step, ms.
    pub dt_ms: f64,
}

/// A neuron driven by Poisson input.
#[derive(Debug, Clone, Copy)]
struct Drive {
    neuron: NeuronIndex,
    /// ln(1 - p) of its per-step event probability p.
    log_q: f64,
    /// The step of its next event.
    next: u32,
}

/// One bit per neuron.
#[derive(Debug, Clone)]
struct BitSet(Vec<u64>);

impl BitSet {
    fn new(n: usize) -> Self {
        BitSet(vec![0; n.div_ceil(64)])
    }
    #[inline(always)]
    fn get(&self, i: NeuronIndex) -> bool {
        self.0[i as usize >> 6] >> (i & 63) & 1 != 0
    }
    #[inline(always)]
    fn set(&mut self, i: NeuronIndex) {
        self.0[i as usize >> 6] |= 1 << (i & 63);
    }
    #[inline(always)]
    fn clear(&mut self, i: NeuronIndex) {
        self.0[i as usize >> 6] &= !(1 << (i & 63));
    }
}

/// One running simulation of a network. Step numbers are `u32`: a brain runs up to
/// [`Brain::MAX_STEPS`] steps (2^31 - 1, 59.7 h of simulated time at 0.1 ms).
///
/// ```
/// use std::sync::Arc;
/// use connectome::EdgeListBuilder;
/// use controller::brain::{Brain, Network, params::ModelParams};
///
/// // Neuron 0 onto neuron 1 with 40 synapses (40 x 0.275 mV, past threshold).
/// let mut edges = EdgeListBuilder::with_capacity(1);
/// edges.push(0, 1, 40);
/// let net = Network::new(&edges.build(2), ModelParams::default(), &[]).unwrap();
/// let mut brain = Brain::new(Arc::new(net), 1, 0);
/// brain.set_rate(0, 200.0); // Poisson input, Hz
/// brain.advance(10_000); // 1 s of 0.1 ms steps
/// let counts = brain.spike_counts();
/// assert!(counts[0] > 100 && counts[1] > 0, "{counts:?}");
/// ```
#[derive(Debug, Clone)]
pub struct Brain {
    net: Arc<Network>,
    cells: Vec<Cell>,
    /// The neurons this brain simulates (all, or one thread's share of a split trial):
    /// the others never change, so re-basing skips them.
    owned: Vec<std::ops::Range<usize>>,
    /// First step of the current epoch (the coefficients' time origin E).
    epoch_start: u32,
    active: ActiveSet,
    /// Neurons that have no refractory period (driven ones).
    no_refractory: BitSet,
    /// Neurons silenced at run time ([`Brain::set_silenced`]): they spike, but their
    /// spikes are not delivered. None until the first call, so that plain runs pay nothing.
    muted: Option<BitSet>,
    /// Refractory neurons as (step their refractory period ends, neuron), one queue per
    /// period length so that each stays in order.
    refractory: [VecDeque<(u32, NeuronIndex)>; 2],
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
    /// Neurons with a Poisson rate > 0, sorted by neuron.
    driven: Vec<Drive>,
    input: InputSpikes,
    input_cursor: usize,
    counts: Vec<u32>,
    total_spikes: u64,
    /// Synaptic release failure ([`Brain::set_release`]); `None`: every event transmits.
    release: Option<super::release::Release>,
    /// Synaptic events transmitted (spike x connection), for activity and energy reports.
    events: u64,
    /// Membrane noise ([`Brain::set_noise`]); `None`: none, and no dense update.
    noise: Option<super::noise::Noise>,
}

impl Brain {
    /// A brain at rest at step 0. Poisson input draws from ChaCha8 seeded with `seed`,
    /// stream `stream` (use the trial number): trials are independent and reproducible.
    pub fn new(net: Arc<Network>, seed: u64, stream: u64) -> Self {
        let n = net.n_neurons();
        let ring = (0..=net.propagator().k.delay_steps)
            .map(|_| Vec::new())
            .collect();
        Brain {
            cells: vec![REST; n],
            owned: std::iter::once(0..n).collect(),
            epoch_start: 0,
            active: ActiveSet::new(n),
            no_refractory: BitSet::new(n),
            muted: None,
            refractory: [VecDeque::new(), VecDeque::new()],
            ring,
            spikes_now: Vec::new(),
            step: 0,
            seed,
            stream,
            drive_rngs: HashMap::new(),
            driven: Vec::new(),
            input: InputSpikes::default(),
            input_cursor: 0,
            counts: vec![0; n],
            total_spikes: 0,
            release: None,
            events: 0,
            noise: None,
            net,
        }
    }

    /// For one thread of a split trial: only neurons `lo..hi` receive input here.
    pub(crate) fn own_only(&mut self, lo: NeuronIndex, hi: NeuronIndex) {
        self.owned = std::iter::once(lo as usize..hi as usize).collect();
    }

    /// For one thread of a closed loop's brain: only the neurons of `ranges` receive
    /// input here.
    pub(crate) fn own_ranges(&mut self, ranges: Vec<std::ops::Range<usize>>) {
        self.owned = ranges;
    }

    /// The network being simulated.
    pub fn network(&self) -> &Arc<Network> {
        &self.net
    }

    /// The most steps one brain simulates (59.7 h at 0.1 ms): step numbers, refractory
    /// ends and active windows stay far from `u32` overflow.
    pub const MAX_STEPS: u32 = i32::MAX as u32;

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
        check_rate(neuron, hz, self.cells.len());
        let p = hz * self.net.propagator().k.dt;
        let at = self.driven.partition_point(|d| d.neuron < neuron);
        let was = self.driven.get(at).is_some_and(|d| d.neuron == neuron);
        if p == 0.0 {
            if was {
                self.driven.remove(at);
            }
            return;
        }
        // ln(1 - p) < 0 for 0 < p < 1; p >= 1 (an event every step) is -inf.
        let log_q = if p >= 1.0 {
            f64::NEG_INFINITY
        } else {
            (-p).ln_1p()
        };
        self.no_refractory.set(neuron);
        // Memoryless: redrawing the waiting time from now on is exact.
        let (seed, stream) = (self.seed, self.stream);
        let rng = self.drive_rngs.entry(neuron).or_insert_with(|| {
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            r.set_stream(stream);
            // 2^36 words per neuron: far more draws than any run makes.
            r.set_word_pos((neuron as u128) << 36);
            r
        });
        let drive = Drive {
            neuron,
            log_q,
            next: self.step.saturating_add(waiting_steps(rng, log_q) - 1),
        };
        if was {
            self.driven[at] = drive;
        } else {
            self.driven.insert(at, drive);
        }
    }

    /// Silences (or un-silences) a neuron from now on: it still spikes, but its spikes
    /// reach no synapse, as Shiu et al.'s silencing (outgoing weights zero). Spikes already
    /// fired and on their way are not delivered either. Same as building the network with
    /// the neuron silenced, when done before the first step.
    ///
    /// # Panics
    /// If `neuron` is out of range (a caller bug).
    pub fn set_silenced(&mut self, neuron: NeuronIndex, silenced: bool) {
        assert!(
            (neuron as usize) < self.cells.len(),
            "neuron {neuron} outside the network"
        );
        let n = self.cells.len();
        let muted = self.muted.get_or_insert_with(|| BitSet::new(n));
        if silenced {
            muted.set(neuron);
        } else {
            muted.clear(neuron);
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
            assert!(
                (t as usize) < self.cells.len(),
                "input to neuron {t} outside the network"
            );
            self.no_refractory.set(t);
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

    /// Makes synaptic events fail with the model's probability from now on (`None`: every
    /// event transmits, the default, spike for spike identical to Brian 2).
    pub fn set_release(&mut self, release: Option<super::release::Release>) {
        self.release = release;
    }

    /// Gives every non-refractory neuron membrane noise from now on (`None`: none, the
    /// default, spike for spike identical to Brian 2). With noise every neuron is updated
    /// every step (see [`super::noise`]).
    pub fn set_noise(&mut self, noise: Option<super::noise::Noise>) {
        self.noise = noise;
    }

    /// Synaptic events transmitted so far (each spike delivered to each of its connections;
    /// muted neurons' spikes and failed events are not counted).
    pub fn synaptic_events(&self) -> u64 {
        self.events
    }

    /// Number of neurons currently tested against threshold every step.
    pub fn n_active(&self) -> usize {
        self.active.list.len()
    }

    /// (v, g) of a neuron in volts, as Brian would report them after the last completed step.
    pub fn state(&self, neuron: NeuronIndex) -> (f64, f64) {
        let k = &self.net.propagator().k;
        let c = self.cells[neuron as usize];
        if self.step == 0 {
            return (k.v_rest, 0.0);
        }
        if c.a.is_nan() {
            return (k.v_reset, 0.0); // refractory: frozen at the reset state
        }
        self.net
            .propagator()
            .state(c.a, c.b, self.step - 1 - self.epoch_start)
    }

    /// Advances `n` steps.
    pub fn advance(&mut self, n: u32) {
        for _ in 0..n {
            self.step();
        }
    }

    /// Simulates one step and returns the neurons that spiked in it, sorted.
    ///
    /// # Panics
    /// Past [`Brain::MAX_STEPS`] steps (use [`Brain::try_step`] to get an error instead).
    pub fn step(&mut self) -> &[NeuronIndex] {
        if let Err(e) = self.check_time() {
            panic!("{e}");
        }
        self.step_unchecked()
    }

    /// [`Brain::step`], or an error once [`Brain::MAX_STEPS`] steps are done.
    pub fn try_step(&mut self) -> Result<&[NeuronIndex], TimeLimit> {
        self.check_time()?;
        Ok(self.step_unchecked())
    }

    fn check_time(&self) -> Result<(), TimeLimit> {
        if self.step >= Self::MAX_STEPS {
            return Err(TimeLimit {
                steps: Self::MAX_STEPS,
                dt_ms: self.net.propagator().k.dt * 1e3,
            });
        }
        Ok(())
    }

    fn step_unchecked(&mut self) -> &[NeuronIndex] {
        let n = self.step;
        let slots = self.ring.len();
        let mut spikes = self.fire(n);
        std::mem::swap(&mut self.ring[n as usize % slots], &mut spikes);
        self.spikes_now = spikes; // the list that was in the slot, reused next step
        // Spikes of step n - delay (for delay 0 this is the slot just written).
        let arriving = std::mem::take(&mut self.ring[(n as usize + 1) % slots]);
        self.receive(n, &arriving);
        self.ring[(n as usize + 1) % slots] = arriving;
        self.step = n + 1;
        &self.ring[n as usize % slots]
    }

    /// First half of a step for a network split across threads: state update, threshold
    /// and reset; returns this brain's spikes of the step, sorted. (The split runner
    /// checks the step count against [`Brain::MAX_STEPS`] before it starts.)
    pub(crate) fn fire_step(&mut self) -> &[NeuronIndex] {
        self.spikes_now = self.fire(self.step);
        &self.spikes_now
    }

    /// Second half: deliver `arriving` (all spikes of step - delay, sorted) and the input.
    pub(crate) fn receive_step(&mut self, arriving: &[NeuronIndex]) {
        self.receive(self.step, arriving);
        self.step += 1;
    }

    /// Ends the refractory periods that end at step n, starts a new epoch when the current
    /// one is over, then tests the active neurons against threshold and resets those that
    /// spiked.
    fn fire(&mut self, n: u32) -> Vec<NeuronIndex> {
        // (Borrowed, not cloned: an Arc clone per step would write the reference count,
        // a cache line that other threads of a split trial may be reading.)
        let prop = self.net.propagator();
        let k = &prop.k;
        end_refractory(
            &mut self.refractory,
            &mut self.cells,
            &mut self.active,
            self.epoch_start,
            prop,
            n,
        );
        if n - self.epoch_start == prop.epoch_steps() {
            for r in &self.owned {
                rebase(&mut self.cells[r.clone()], prop);
            }
            self.epoch_start = n;
        }
        let f = *prop.factors(n - self.epoch_start);
        if let Some(noise) = &self.noise {
            for r in &self.owned {
                add_noise(
                    noise,
                    &mut self.cells,
                    r.clone(),
                    &mut self.active,
                    prop,
                    &f,
                    n,
                );
            }
        }
        let mut spikes = std::mem::take(&mut self.spikes_now);
        spikes.clear();
        let cells = &self.cells;
        let ActiveSet {
            list,
            is_active,
            until,
        } = &mut self.active;
        list.retain(|&i| {
            let c = cells[i as usize];
            // Brian: v > v_th after the state update of step n.
            let keep = if k.v_rest + (c.a * f.pm + c.b * f.ps) > k.v_th {
                spikes.push(i);
                false
            } else {
                n < until[i as usize]
            };
            if !keep {
                is_active.clear(i);
            }
            keep
        });
        spikes.sort_unstable();
        // Count, reset, and block input while refractory. (Brian resets after delivery,
        // but the reset g = 0 overwrites what is delivered in the spike step.)
        for &i in &spikes {
            self.cells[i as usize] = BLOCKED;
            let long = !self.no_refractory.get(i);
            let r = if long { k.refractory_steps } else { 1 };
            self.refractory[long as usize].push_back((n + r, i));
            self.counts[i as usize] += 1;
        }
        self.total_spikes += spikes.len() as u64;
        spikes
    }

    /// Delivery of the spikes of step n - delay, then the input events of step n.
    fn receive(&mut self, n: u32, arriving: &[NeuronIndex]) {
        let net = &*self.net;
        let prop = net.propagator();
        let f = *prop.factors(n - self.epoch_start);
        let cells = &mut self.cells[..];
        let activity = &mut self.active;
        // Deliveries hit random neurons: each row's targets are prefetched PREFETCH edges
        // ahead, and the head of the next row when a row starts, so that many cache misses
        // are in flight at once.
        let base = cells.as_ptr();
        if let Some(&first) = arriving.first() {
            prefetch_head(net.row(first), base);
        }
        debug_assert_eq!(cells.len(), net.n_neurons());
        for (r, &pre) in arriving.iter().enumerate() {
            if self.muted.as_ref().is_some_and(|m| m.get(pre)) {
                continue;
            }
            let row = net.row(pre);
            if let Some(release) = self.release {
                // Failures: decide each event (no prefetching; this path is for studies).
                for e in row {
                    if release.transmits(n, pre, e.target) {
                        deliver(cells, activity, prop, &f, n, e);
                        self.events += 1;
                    }
                }
                continue;
            }
            self.events += row.len() as u64;
            if let Some(&next) = arriving.get(r + 1) {
                prefetch_head(net.row(next), base);
            }
            let ahead = row.get(PREFETCH..).unwrap_or(&[]);
            let (body, tail) = row.split_at(ahead.len());
            for (e, later) in body.iter().zip(ahead) {
                prefetch(base.wrapping_add(later.target as usize));
                deliver(cells, activity, prop, &f, n, e);
            }
            for e in tail {
                deliver(cells, activity, prop, &f, n, e);
            }
        }
        let events = self.input.events();
        while let Some(&(s, j)) = events.get(self.input_cursor) {
            if s > n {
                break;
            }
            self.input_cursor += 1;
            if s == n {
                kick(cells, activity, prop, &f, n, j);
            }
        }
        for d in &mut self.driven {
            if d.next == n {
                kick(cells, activity, prop, &f, n, d.neuron);
                let rng = self
                    .drive_rngs
                    .get_mut(&d.neuron)
                    .expect("a driven neuron has a stream");
                d.next = n.saturating_add(waiting_steps(rng, d.log_q));
            }
        }
    }
}

/// The checks of [`Brain::set_rate`] on a network of `n` neurons (caller bugs: panics).
pub(crate) fn check_rate(neuron: NeuronIndex, hz: f64, n: usize) {
    assert!(
        hz.is_finite() && hz >= 0.0,
        "Poisson rate must be finite and >= 0, got {hz}"
    );
    assert!((neuron as usize) < n, "neuron {neuron} outside the network");
}

/// Refractory periods ending at step n: the neuron takes the reset state it kept frozen
/// since its spike (v = v_reset, g = 0 after step n - 1) and accepts input.
fn end_refractory(
    queues: &mut [VecDeque<(u32, NeuronIndex)>; 2],
    cells: &mut [Cell],
    activity: &mut ActiveSet,
    epoch_start: u32,
    prop: &Propagator,
    n: u32,
) {
    let k = &prop.k;
    for queue in queues {
        while let Some(&(end, i)) = queue.front() {
            if end > n {
                break;
            }
            queue.pop_front();
            let f = prop.factors(n - 1 - epoch_start);
            let a = (k.v_reset - k.v_rest) / f.pm;
            cells[i as usize] = Cell { a, b: 0.0 };
            if let Some(steps) = prop.last_chance(a * f.pm, 0.0) {
                activity.activate(i, n - 1, steps);
            }
        }
    }
}

/// The state update's noise at step n for the neurons in `owned`: v += kick (NaN, a
/// refractory neuron, stays NaN). A positive kick raises the neuron's whole future
/// trajectory, so its window is recomputed as after an input kick; a negative one lowers it,
/// and the window it has stays valid (the argument of [`deliver`]).
fn add_noise(
    noise: &super::noise::Noise,
    cells: &mut [Cell],
    owned: std::ops::Range<usize>,
    activity: &mut ActiveSet,
    prop: &Propagator,
    f: &StepFactors,
    n: u32,
) {
    let inv_pm = 1.0 / f.pm;
    for i in owned {
        let dv = noise.kick(n, i as NeuronIndex);
        let c = &mut cells[i];
        c.a += dv * inv_pm;
        if dv > 0.0
            && let Some(steps) = prop.last_chance(c.a * f.pm, c.b * f.ps)
        {
            activity.activate(i as NeuronIndex, n, steps);
        }
    }
}

/// Moves the time origin of these coefficients to the end of the epoch.
fn rebase(cells: &mut [Cell], prop: &Propagator) {
    let f = prop.factors(prop.epoch_steps());
    let flush = |x: f64| if x.abs() < FLUSH { 0.0 } else { x };
    for c in cells {
        c.a = flush(c.a * f.pm);
        c.b = flush(c.b * f.ps);
    }
}

/// One synapse of a spike arriving at step n: Brian's `g += w` with w = count * w_syn
/// (a no-op on a refractory NaN cell).
#[inline(always)]
fn deliver(
    cells: &mut [Cell],
    activity: &mut ActiveSet,
    prop: &Propagator,
    f: &StepFactors,
    n: u32,
    e: &super::network::Edge,
) {
    // SAFETY: every target of a Network is < its n_neurons (checked by Network::new),
    // and a Brain has one cell per neuron of its network.
    let c = unsafe { cells.get_unchecked_mut(e.target as usize) };
    let w = e.count as f64;
    c.a += w * f.syn_a;
    c.b += w * f.syn_b;
    // The neuron may now reach threshold on its own: test it (cheap bound first). Later
    // deliveries in this step re-test. Less g lowers the whole future trajectory (the PSP
    // kernel is positive), so after an inhibitory event a passive neuron stays passive and
    // an active one keeps its window: the window ends after the last step at which the
    // trajectory before the event could be above threshold (Propagator::last_chance), and
    // the lowered one can only be above threshold where that one was. (A window ending at
    // the old peak would not hold: inhibition can move the peak, and the crossing, later.)
    if e.count > 0 {
        let (a_now, b_now) = (c.a * f.pm, c.b * f.ps);
        if prop.may_reach(a_now + b_now, f.bound_b * c.b.abs())
            && let Some(steps) = prop.last_chance(a_now, b_now)
        {
            activity.activate(e.target, n, steps);
        }
    }
}

/// An input event: v += f_poi * w_syn (dropped while refractory: NaN stays NaN).
#[inline]
fn kick(
    cells: &mut [Cell],
    activity: &mut ActiveSet,
    prop: &Propagator,
    f: &StepFactors,
    n: u32,
    j: NeuronIndex,
) {
    let c = &mut cells[j as usize];
    c.a += f.kick_a;
    if let Some(steps) = prop.last_chance(c.a * f.pm, c.b * f.ps) {
        activity.activate(j, n, steps);
    }
}

/// The neurons tested against threshold every step.
#[derive(Debug, Clone)]
struct ActiveSet {
    list: Vec<NeuronIndex>,
    is_active: BitSet,
    /// Per active neuron: the last step at which it may still exceed threshold without
    /// further input (see [`Propagator::last_chance`]).
    until: Vec<u32>,
}

impl ActiveSet {
    fn new(n: usize) -> Self {
        ActiveSet {
            list: Vec::new(),
            is_active: BitSet::new(n),
            until: vec![0; n],
        }
    }

    /// Neuron i, in the state after step `now`, may exceed threshold up to `steps` steps
    /// later: test it every step until then. The new window replaces the old one: it is
    /// that of the neuron's trajectory as it now is.
    #[inline]
    fn activate(&mut self, i: NeuronIndex, now: u32, steps: u32) {
        self.until[i as usize] = now.saturating_add(steps);
        if !self.is_active.get(i) {
            self.is_active.set(i);
            self.list.push(i);
        }
    }
}

/// Prefetches the cells of the first targets of a row.
#[inline(always)]
fn prefetch_head(row: &[super::network::Edge], cells: *const Cell) {
    for e in row.iter().take(PREFETCH) {
        prefetch(cells.wrapping_add(e.target as usize));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brain::params::ModelParams;

    #[test]
    fn running_past_the_step_limit_is_an_error_not_a_wrapped_counter() {
        let mut b = connectome::EdgeListBuilder::new();
        b.push(0, 1, 10);
        let net = Network::new(&b.build(2), ModelParams::default(), &[]).unwrap();
        let mut brain = Brain::new(Arc::new(net), 0, 0);
        // Jump to the last step (a quiet network at rest, epoch re-based there).
        brain.step = Brain::MAX_STEPS - 1;
        brain.epoch_start = Brain::MAX_STEPS - 1;
        assert!(brain.try_step().is_ok());
        let e = brain.try_step().unwrap_err();
        assert_eq!(e.steps, Brain::MAX_STEPS);
        assert!(e.to_string().contains("59.7 h"), "{e}");
        assert_eq!(brain.time_step(), Brain::MAX_STEPS, "nothing advanced");
        let r = std::panic::catch_unwind(move || {
            brain.step();
        });
        assert!(r.is_err(), "step() past the limit panics with the message");
    }
}
