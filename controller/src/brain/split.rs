//! One trial split across threads: each thread owns a contiguous range of neurons (balanced
//! by incoming synapses) and the synapses onto them, integrates only its neurons, and
//! publishes its spikes of every step. A spike needs `delay` (18) steps to arrive, so a
//! thread only waits for the others to have published step `n - delay` before delivering
//! at step `n`: threads drift up to 18 steps apart and rarely block.
//!
//! Synchronisation is cheap: each thread publishes a step's spikes in a slot of its own and
//! then a step counter; the others read that counter only when the spikes they need next
//! are not yet known to be there (so mostly once per many steps, not every step), and read
//! the slots without locks.
//!
//! Every neuron sees the same events in the same order as in a single-threaded run
//! (arriving spikes are concatenated in range order, i.e. sorted by neuron; each driven
//! neuron has its own random stream), so the spikes are identical at any thread count.

use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use connectome::NeuronIndex;

use super::engine::Brain;
use super::input::InputSpikes;
use super::network::Network;
use super::trials::{Record, Stimulus, TrialResult, TrialSpec, thread_cpu_ns};

/// The spike lists of the last steps of one thread, one slot per step (step n in slot
/// n % len). Written only by their thread, read by the others (see [`run_trial_split`]).
struct Slots(Vec<UnsafeCell<Vec<NeuronIndex>>>);

// SAFETY: a slot is written by one thread at step n and read by others only once that
// thread's counter says step n is published (Release/Acquire), and it is written again
// (step n + len) only after every reader has moved past it: see run_trial_split.
unsafe impl Sync for Slots {}

/// The steps a thread has published, alone in its cache line: every thread stores its own
/// counter every step, so counters sharing a line would bounce it between the cores.
#[derive(Default)]
#[repr(align(128))]
struct StepCounter(AtomicU32);

/// A network prepared for split trials: the neuron ranges and each range's synapses.
#[derive(Debug, Clone)]
pub struct SplitNetwork {
    bounds: Vec<NeuronIndex>,
    parts: Vec<Arc<Network>>,
}

impl SplitNetwork {
    /// Splits `net` into `parts` ranges (at least 1).
    pub fn new(net: &Network, parts: usize) -> Self {
        let parts = parts.max(1);
        let bounds = net.balanced_ranges(parts);
        let parts = bounds
            .windows(2)
            .map(|w| Arc::new(net.restricted_to_targets(w[0], w[1])))
            .collect();
        SplitNetwork { bounds, parts }
    }

    /// Part p owns neurons `bounds()[p]..bounds()[p + 1]`.
    pub fn bounds(&self) -> &[NeuronIndex] {
        &self.bounds
    }

    /// Each part's network: the synapses onto its neurons.
    pub fn parts(&self) -> &[Arc<Network>] {
        &self.parts
    }

    /// Number of threads a trial uses.
    pub fn n_parts(&self) -> usize {
        self.parts.len()
    }
}

/// Runs one trial on `split.n_parts()` threads; same result as [`super::trials::run_trial`].
/// Also returns the CPU time (s) of all its threads together, where the platform reports it.
///
/// # Panics
/// As [`super::trials::run_trial`]; a panic in any thread reaches the caller.
pub fn run_trial_split(
    split: &SplitNetwork,
    stim: &Stimulus,
    spec: &TrialSpec,
    trial: u32,
) -> (TrialResult, Option<f64>) {
    if let Err(e) = spec.check(&split.parts[0]) {
        panic!("{e}");
    }
    let p_count = split.parts.len();
    let delay = split.parts[0].propagator().k.delay_steps;
    // A thread at step c reads the others' step c - delay. Another thread can be at most
    // at step c + delay + 1 (to deliver at step s it needs this thread's step s - delay),
    // so with 2 delay + 2 slots none is overwritten while it may still be read.
    let n_slots = 2 * delay as usize + 2;
    let published: Vec<Slots> = (0..p_count)
        .map(|_| Slots((0..n_slots).map(|_| UnsafeCell::new(Vec::new())).collect()))
        .collect();
    let done: Vec<StepCounter> = (0..p_count).map(|_| StepCounter::default()).collect();
    // Set by a thread that panics, so that the others stop waiting for its steps (they
    // would spin forever) and the panic reaches the caller.
    let failed = AtomicBool::new(false);
    type Outcome = (Vec<(u32, NeuronIndex)>, Vec<u32>, Option<f64>);
    let outcomes: Vec<std::thread::Result<Option<Outcome>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..p_count)
            .map(|p| {
                let (published, done, failed) = (&published, &done, &failed);
                s.spawn(move || {
                    let _flag = FlagOnPanic(failed);
                    let cpu_start = thread_cpu_ns();
                    let (lo, hi) = (split.bounds[p], split.bounds[p + 1]);
                    let mine = |i: NeuronIndex| (lo..hi).contains(&i);
                    let mut brain =
                        Brain::new(Arc::clone(&split.parts[p]), spec.seed, trial as u64);
                    brain.own_only(lo, hi);
                    for &(n, hz) in stim.poisson.iter().filter(|x| mine(x.0)) {
                        brain.set_rate(n, hz);
                    }
                    let own: Vec<(u32, NeuronIndex)> = stim
                        .input
                        .events()
                        .iter()
                        .filter(|e| mine(e.1))
                        .copied()
                        .collect();
                    brain.set_input_spikes(InputSpikes::new(own));
                    brain.set_noise(stim.noise.map(|z| z.for_trial(trial)));
                    let mut spikes = Vec::new();
                    let mut arriving = Vec::new();
                    // Steps of each thread known to be published (a lower bound).
                    let mut known = vec![0u32; p_count];
                    for n in 0..spec.steps {
                        #[cfg(test)]
                        tests::maybe_fail(p, n);
                        let fired = brain.fire_step();
                        match &spec.record {
                            Record::All => spikes.extend(fired.iter().map(|&i| (n, i))),
                            Record::Nothing => {}
                            Record::Only(mask) => spikes.extend(
                                fired.iter().filter(|&&i| mask[i as usize]).map(|&i| (n, i)),
                            ),
                        }
                        // SAFETY: only this thread writes its slots, and nobody reads slot
                        // n % n_slots now: readers are at steps >= n - delay - 1 (we waited for
                        // them), so they read steps >= n - 2 delay - 1 > n - n_slots, and
                        // step n itself only after the store below.
                        unsafe {
                            let slot = &mut *published[p].0[n as usize % n_slots].get();
                            slot.clear();
                            slot.extend_from_slice(fired);
                        }
                        done[p].0.store(n + 1, Ordering::Release);
                        arriving.clear();
                        if n >= delay {
                            let m = n - delay;
                            for q in 0..p_count {
                                if known[q] <= m {
                                    match wait_until(&done[q].0, m + 1, failed) {
                                        Some(c) => known[q] = c,
                                        None => return None, // another thread panicked
                                    }
                                }
                                // SAFETY: step m of thread q is published (Acquire above, or
                                // our own), and it will not be overwritten before we are
                                // past step m + delay (see the comment on n_slots).
                                let slot = unsafe { &*published[q].0[m as usize % n_slots].get() };
                                arriving.extend_from_slice(slot);
                            }
                        }
                        brain.receive_step(&arriving);
                    }
                    let cpu = cpu_start
                        .zip(thread_cpu_ns())
                        .map(|(a, b)| b.saturating_sub(a) as f64 * 1e-9);
                    Some((spikes, brain.spike_counts().to_vec(), cpu))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    // Re-raise the first panic (the threads that stopped because of it returned None).
    let outcomes: Vec<Outcome> = match outcomes
        .into_iter()
        .collect::<std::thread::Result<Vec<_>>>()
    {
        Ok(all) => all
            .into_iter()
            .map(|o| o.expect("a brain thread stops early only after another panicked"))
            .collect(),
        Err(payload) => std::panic::resume_unwind(payload),
    };
    let n = split.bounds[p_count] as usize;
    let mut counts = vec![0u32; n];
    let mut spikes = Vec::new();
    let mut cpu = Some(0.0);
    for (s, c, t) in outcomes {
        cpu = cpu.zip(t).map(|(a, b)| a + b);
        for (total, x) in counts.iter_mut().zip(c) {
            *total += x;
        }
        spikes.extend(s);
    }
    spikes.sort_unstable();
    (
        TrialResult {
            trial,
            spikes,
            counts,
        },
        cpu,
    )
}

/// Sets its flag when dropped during a panic (the thread's stack unwinding).
struct FlagOnPanic<'a>(&'a AtomicBool);

impl Drop for FlagOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Release);
        }
    }
}

/// Waits until `counter >= target` and returns its value, or `None` once `failed` is set
/// (the thread that would advance the counter panicked): spins briefly (the other thread
/// is usually a few microseconds behind), then yields the core (the machine may be
/// oversubscribed).
fn wait_until(counter: &AtomicU32, target: u32, failed: &AtomicBool) -> Option<u32> {
    let mut spins = 0u32;
    loop {
        let now = counter.load(Ordering::Acquire);
        if now >= target {
            return Some(now);
        }
        if failed.load(Ordering::Acquire) {
            return None;
        }
        if spins < 256 {
            std::hint::spin_loop();
            spins += 1;
        } else {
            std::thread::yield_now();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::brain::params::ModelParams;
    use crate::brain::trials::Record;

    /// (part + 1) << 32 | step at which that part's thread panics; 0 = never. Only the
    /// test below sets it, and no other unit test of the crate runs split trials.
    static FAIL_AT: AtomicU64 = AtomicU64::new(0);

    pub(super) fn maybe_fail(part: usize, step: u32) {
        let f = FAIL_AT.load(Ordering::Relaxed);
        if f != 0 && f == ((part as u64 + 1) << 32 | step as u64) {
            panic!("injected failure in part {part} at step {step}");
        }
    }

    #[test]
    fn a_panicking_thread_stops_the_others_and_reaches_the_caller() {
        let mut b = connectome::EdgeListBuilder::new();
        for i in 0..200u32 {
            b.push(i, (i * 7 + 3) % 200, 50);
        }
        let net = Network::new(&b.build(200), ModelParams::default(), &[]).unwrap();
        let split = SplitNetwork::new(&net, 3);
        let stim = Stimulus {
            poisson: (0..20).map(|i| (i * 10, 150.0)).collect(),
            input: InputSpikes::default(),
            noise: None,
        };
        let spec = TrialSpec {
            steps: 5000,
            trials: 1,
            seed: 1,
            record: Record::All,
        };
        for part in 0..3 {
            FAIL_AT.store((part as u64 + 1) << 32 | 1234, Ordering::Relaxed);
            // Without the flag the other threads wait for step 1234 of this one forever
            // and this test never ends.
            let r = std::panic::catch_unwind(|| run_trial_split(&split, &stim, &spec, 0));
            FAIL_AT.store(0, Ordering::Relaxed);
            let payload = r.expect_err("the panic must reach the caller");
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default();
            assert!(msg.contains(&format!("part {part} at step 1234")), "{msg}");
        }
        // And the runner still works afterwards.
        assert!(!run_trial_split(&split, &stim, &spec, 0).0.spikes.is_empty());
    }
}
