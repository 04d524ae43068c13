//! One trial split across threads: each thread owns a contiguous range of neurons (balanced
//! by incoming synapses) and the synapses onto them, integrates only its neurons, and
//! publishes its spikes of every step. A spike needs `delay` (18) steps to arrive, so a
//! thread only waits for the others to have published step `n - delay` before delivering
//! at step `n`: threads drift up to 18 steps apart and rarely block.
//!
//! Every neuron sees the same events in the same order as in a single-threaded run
//! (arriving spikes are concatenated in range order, i.e. sorted by neuron; each driven
//! neuron has its own random stream), so the spikes are identical at any thread count.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use connectome::NeuronIndex;

use super::engine::Brain;
use super::input::InputSpikes;
use super::network::Network;
use super::trials::{Record, Stimulus, TrialResult, TrialSpec, thread_cpu_ns};

/// Published spike lists kept per thread: must exceed the largest drift (delay + 1).
const SLOTS: usize = 64;

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

    /// Number of threads a trial uses.
    pub fn n_parts(&self) -> usize {
        self.parts.len()
    }
}

/// Runs one trial on `split.n_parts()` threads; same result as [`super::trials::run_trial`].
/// Also returns the CPU time (s) of all its threads together, where the platform reports it.
pub fn run_trial_split(
    split: &SplitNetwork,
    stim: &Stimulus,
    spec: &TrialSpec,
    trial: u32,
) -> (TrialResult, Option<f64>) {
    let p_count = split.parts.len();
    let delay = split.parts[0].propagator().k.delay_steps;
    assert!(
        (delay as usize) < SLOTS - 1,
        "delay of {delay} steps exceeds the split runner's window"
    );
    let published: Vec<Vec<Mutex<Vec<NeuronIndex>>>> = (0..p_count)
        .map(|_| (0..SLOTS).map(|_| Mutex::new(Vec::new())).collect())
        .collect();
    let done: Vec<AtomicU32> = (0..p_count).map(|_| AtomicU32::new(0)).collect();
    type Outcome = (Vec<(u32, NeuronIndex)>, Vec<u32>, Option<f64>);
    let outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..p_count)
            .map(|p| {
                let (published, done) = (&published, &done);
                s.spawn(move || {
                    let cpu_start = thread_cpu_ns();
                    let (lo, hi) = (split.bounds[p], split.bounds[p + 1]);
                    let mine = |i: NeuronIndex| (lo..hi).contains(&i);
                    let mut brain =
                        Brain::new(Arc::clone(&split.parts[p]), spec.seed, trial as u64);
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
                    let mut spikes = Vec::new();
                    let mut arriving = Vec::new();
                    for n in 0..spec.steps {
                        let fired = brain.fire_step();
                        match &spec.record {
                            Record::All => spikes.extend(fired.iter().map(|&i| (n, i))),
                            Record::Nothing => {}
                            Record::Only(mask) => spikes.extend(
                                fired.iter().filter(|&&i| mask[i as usize]).map(|&i| (n, i)),
                            ),
                        }
                        {
                            let mut slot = published[p][n as usize % SLOTS].lock().unwrap();
                            slot.clear();
                            slot.extend_from_slice(fired);
                        }
                        done[p].store(n + 1, Ordering::Release);
                        arriving.clear();
                        if n >= delay {
                            let m = n - delay;
                            for q in 0..p_count {
                                wait_until(&done[q], m + 1);
                                arriving.extend_from_slice(
                                    &published[q][m as usize % SLOTS].lock().unwrap(),
                                );
                            }
                        }
                        brain.receive_step(&arriving);
                    }
                    let cpu = cpu_start
                        .zip(thread_cpu_ns())
                        .map(|(a, b)| b.saturating_sub(a) as f64 * 1e-9);
                    (spikes, brain.spike_counts().to_vec(), cpu)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a brain thread panicked"))
            .collect()
    });
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

/// Waits until `counter >= target`: spins briefly (the other thread is usually a few
/// microseconds behind), then yields the core (the machine may be oversubscribed).
fn wait_until(counter: &AtomicU32, target: u32) {
    let mut spins = 0u32;
    while counter.load(Ordering::Acquire) < target {
        if spins < 256 {
            std::hint::spin_loop();
            spins += 1;
        } else {
            std::thread::yield_now();
        }
    }
}
