//! The closed loop's brain on one or more threads, advanced by its caller a window at a time.
//!
//! Its neurons are split by target as in [`super::split`]: part 0 runs on the caller's
//! thread, every other part on a thread of its own. A spike needs `delay` (18) steps to
//! arrive, so within a chunk of at most `delay` steps no part needs another part's spikes of
//! the same chunk: the parts run a chunk without talking to each other and exchange their
//! spikes once at its end (one hand-off per control window of up to 1.8 ms).
//!
//! Every neuron sees the same events in the same order as in one [`Brain`] (arriving spikes
//! are concatenated in range order, i.e. sorted by neuron; each driven neuron draws from its
//! own random stream), so the spikes are identical at any thread count.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use connectome::NeuronIndex;

use super::engine::Brain;
use super::network::Network;
use super::noise::Noise;
use super::release::Release;
use super::split::SplitNetwork;

/// A change a worker applies before its next chunk.
#[derive(Debug, Clone, Copy)]
enum Change {
    Rate(NeuronIndex, f64),
    Silence(NeuronIndex, bool),
    Release(Option<Release>),
    Noise(Option<Noise>),
}

/// One chunk for a worker: the changes since the last one, then `arriving.len()` steps
/// (`arriving[i]`: every part's spikes that arrive at the chunk's step i).
struct Job {
    changes: Vec<Change>,
    arriving: Arc<Vec<Vec<NeuronIndex>>>,
}

/// A worker's chunk done: its spikes per step, and its synaptic events so far.
struct Done {
    fired: Vec<Vec<NeuronIndex>>,
    events: u64,
}

/// A thread simulating one part.
struct Worker {
    jobs: Option<Sender<Job>>,
    done: Receiver<Done>,
    thread: Option<JoinHandle<()>>,
    /// Changes to send with the next chunk.
    pending: Vec<Change>,
    events: u64,
}

impl Worker {
    /// The worker's chunk result, or the worker's panic raised here.
    fn finish(&mut self) -> Done {
        match recv_spinning(&self.done) {
            Ok(d) => d,
            Err(_) => {
                let thread = self.thread.take().expect("a worker is joined once");
                match thread.join() {
                    Err(payload) => std::panic::resume_unwind(payload),
                    Ok(()) => panic!("a brain thread stopped without an answer"),
                }
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the job channel ends the thread's loop.
        self.jobs.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The brain of a closed loop, on `threads` threads (see the module doc).
pub struct ThreadedBrain {
    net: Arc<Network>,
    /// Part p owns neurons `bounds[p]..bounds[p + 1]`.
    bounds: Vec<NeuronIndex>,
    local: Brain,
    workers: Vec<Worker>,
    delay: usize,
    /// Every part's spikes of the last `delay` steps, oldest (step `step - delay`) first.
    history: VecDeque<Vec<NeuronIndex>>,
    /// Every part's spikes of each step of the last [`ThreadedBrain::run`].
    fired: Vec<Vec<NeuronIndex>>,
    counts: Vec<u32>,
    total_spikes: u64,
    step: u32,
}

impl std::fmt::Debug for ThreadedBrain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadedBrain")
            .field("threads", &self.threads())
            .field("step", &self.step)
            .finish_non_exhaustive()
    }
}

impl ThreadedBrain {
    /// A brain at rest at step 0 on `threads` threads (at least 1; 1 when the model's
    /// delay is 0, which leaves nothing to run apart). `seed` and `stream` as in
    /// [`Brain::new`]: the same spikes at any thread count.
    pub fn new(net: Arc<Network>, threads: usize, seed: u64, stream: u64) -> Self {
        let delay = net.propagator().k.delay_steps as usize;
        let threads = if delay == 0 { 1 } else { threads.max(1) };
        let n = net.n_neurons();
        let (bounds, local, workers) = if threads == 1 {
            let local = Brain::new(Arc::clone(&net), seed, stream);
            (vec![0, n as NeuronIndex], local, Vec::new())
        } else {
            let split = SplitNetwork::new(&net, threads);
            let bounds = split.bounds().to_vec();
            let mut parts = split.parts().iter().enumerate().map(|(p, part)| {
                let mut b = Brain::new(Arc::clone(part), seed, stream);
                b.own_only(bounds[p], bounds[p + 1]);
                b
            });
            let local = parts.next().expect("at least one part");
            let workers = parts.map(spawn).collect();
            (bounds, local, workers)
        };
        ThreadedBrain {
            bounds,
            local,
            workers,
            delay,
            history: (0..delay).map(|_| Vec::new()).collect(),
            fired: Vec::new(),
            counts: vec![0; n],
            total_spikes: 0,
            step: 0,
            net,
        }
    }

    /// Threads simulating this brain (the caller's included).
    pub fn threads(&self) -> usize {
        1 + self.workers.len()
    }

    /// The network (whole, not a thread's part).
    pub fn network(&self) -> &Arc<Network> {
        &self.net
    }

    /// The next step to be simulated.
    pub fn time_step(&self) -> u32 {
        self.step
    }

    /// The part owning `neuron`: 0 is the local brain, p > 0 worker p - 1.
    fn owner(&self, neuron: NeuronIndex) -> usize {
        self.bounds[1..].partition_point(|&b| b <= neuron)
    }

    /// As [`Brain::set_rate`], from the next step on.
    ///
    /// # Panics
    /// As [`Brain::set_rate`] (caller bugs).
    pub fn set_rate(&mut self, neuron: NeuronIndex, hz: f64) {
        // Here, not only in the part's own brain: a worker's panic would surface a chunk later.
        super::engine::check_rate(neuron, hz, self.counts.len());
        match self.owner(neuron) {
            0 => self.local.set_rate(neuron, hz),
            p => self.workers[p - 1].pending.push(Change::Rate(neuron, hz)),
        }
    }

    /// As [`Brain::set_silenced`], in every part (a neuron's synapses reach all parts).
    pub fn set_silenced(&mut self, neuron: NeuronIndex, silenced: bool) {
        self.local.set_silenced(neuron, silenced);
        self.tell_all(Change::Silence(neuron, silenced));
    }

    /// As [`Brain::set_release`].
    pub fn set_release(&mut self, release: Option<Release>) {
        self.local.set_release(release);
        self.tell_all(Change::Release(release));
    }

    /// As [`Brain::set_noise`].
    pub fn set_noise(&mut self, noise: Option<Noise>) {
        self.local.set_noise(noise);
        self.tell_all(Change::Noise(noise));
    }

    fn tell_all(&mut self, c: Change) {
        for w in &mut self.workers {
            w.pending.push(c);
        }
    }

    /// Spikes per neuron since the start.
    pub fn spike_counts(&self) -> &[u32] {
        &self.counts
    }

    /// Total spikes since the start.
    pub fn total_spikes(&self) -> u64 {
        self.total_spikes
    }

    /// Synaptic events transmitted so far (see [`Brain::synaptic_events`]).
    pub fn synaptic_events(&self) -> u64 {
        self.local.synaptic_events() + self.workers.iter().map(|w| w.events).sum::<u64>()
    }

    /// Advances `n` steps, discarding the spikes (they are counted).
    pub fn advance(&mut self, n: u32) {
        self.run(n);
    }

    /// Advances `n` steps and returns the neurons that spiked in each, sorted.
    ///
    /// # Panics
    /// Past [`Brain::MAX_STEPS`] steps, as [`Brain::step`].
    pub fn run(&mut self, n: u32) -> &[Vec<NeuronIndex>] {
        assert!(
            self.step
                .checked_add(n)
                .is_some_and(|e| e <= Brain::MAX_STEPS),
            "a brain simulates at most {} steps",
            Brain::MAX_STEPS
        );
        self.fired.clear();
        let mut left = n as usize;
        while left > 0 {
            let chunk = if self.delay == 0 {
                left
            } else {
                left.min(self.delay)
            };
            self.run_chunk(chunk);
            left -= chunk;
        }
        &self.fired
    }

    /// `k` steps (k <= delay unless the delay is 0, with one part).
    fn run_chunk(&mut self, k: usize) {
        let arriving: Arc<Vec<Vec<NeuronIndex>>> =
            Arc::new(self.history.iter().take(k).cloned().collect());
        for w in &mut self.workers {
            let job = Job {
                changes: std::mem::take(&mut w.pending),
                arriving: Arc::clone(&arriving),
            };
            let sent = w.jobs.as_ref().is_some_and(|tx| tx.send(job).is_ok());
            if !sent {
                // The thread is gone: finish() raises its panic.
                w.finish();
            }
        }
        let first = self.fired.len();
        for i in 0..k {
            let fired = self.local.fire_step().to_vec();
            if self.delay == 0 {
                self.local.receive_step(&fired);
            } else {
                self.local.receive_step(&arriving[i]);
            }
            self.fired.push(fired);
        }
        for w in &mut self.workers {
            let done = w.finish();
            w.events = done.events;
            for (all, theirs) in self.fired[first..].iter_mut().zip(done.fired) {
                all.extend(theirs); // parts in range order: stays sorted
            }
        }
        for spikes in &self.fired[first..] {
            for &i in spikes {
                self.counts[i as usize] += 1;
            }
            self.total_spikes += spikes.len() as u64;
            if self.delay > 0 {
                self.history.pop_front();
                self.history.push_back(spikes.clone());
            }
        }
        self.step += k as u32;
    }
}

/// Polls before it blocks: the other side usually answers within a control window's
/// physics step (~0.1-0.3 ms), and waking a blocked thread costs a system call on both
/// sides, each tick. Bounded, so that an idle brain does not hold a core.
fn recv_spinning<T>(rx: &Receiver<T>) -> Result<T, std::sync::mpsc::RecvError> {
    const POLLS: u32 = 20_000;
    for _ in 0..POLLS {
        match rx.try_recv() {
            Ok(x) => return Ok(x),
            Err(std::sync::mpsc::TryRecvError::Empty) => std::hint::spin_loop(),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => break,
        }
    }
    rx.recv()
}

/// Starts the thread of one part.
fn spawn(mut brain: Brain) -> Worker {
    let (jobs, inbox) = channel::<Job>();
    let (outbox, done) = channel::<Done>();
    let thread = std::thread::Builder::new()
        .name("hexafly-brain".into())
        .spawn(move || {
            while let Ok(job) = recv_spinning(&inbox) {
                for c in job.changes {
                    match c {
                        Change::Rate(n, hz) => brain.set_rate(n, hz),
                        Change::Silence(n, s) => brain.set_silenced(n, s),
                        Change::Release(r) => brain.set_release(r),
                        Change::Noise(z) => brain.set_noise(z),
                    }
                }
                let fired = job
                    .arriving
                    .iter()
                    .map(|arriving| {
                        let f = brain.fire_step().to_vec();
                        brain.receive_step(arriving);
                        f
                    })
                    .collect();
                let events = brain.synaptic_events();
                if outbox.send(Done { fired, events }).is_err() {
                    return;
                }
            }
        })
        .expect("cannot start a brain thread");
    Worker {
        jobs: Some(jobs),
        done,
        thread: Some(thread),
        pending: Vec::new(),
        events: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brain::ModelParams;
    use connectome::EdgeListBuilder;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A random recurrent network with strong enough excitation to spread activity.
    fn net(seed: u64, n: usize) -> Arc<Network> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut edges = EdgeListBuilder::new();
        for pre in 0..n as NeuronIndex {
            for _ in 0..12 {
                let post = rng.random_range(0..n as NeuronIndex);
                let count = if rng.random_bool(0.75) {
                    rng.random_range(5..60)
                } else {
                    -rng.random_range(5..60)
                };
                edges.push(pre, post, count);
            }
        }
        let m = edges.build(n);
        Arc::new(Network::new(&m, ModelParams::default(), &[]).unwrap())
    }

    /// What the closed loop does before window `w` of 10 steps: rates changed on 20
    /// neurons, and a neuron silenced half way.
    fn schedule(w: u32, n: usize) -> (Vec<(NeuronIndex, f64)>, Option<NeuronIndex>) {
        let rates = (0..20u32)
            .map(|i| {
                let neuron = ((w as usize * 37 + i as usize * 101) % n) as NeuronIndex;
                let hz = if (w + i).is_multiple_of(3) {
                    0.0
                } else {
                    120.0
                };
                (neuron, hz)
            })
            .collect();
        (rates, (w == 30).then_some(5))
    }

    fn drive(b: &mut ThreadedBrain, n: usize) -> Vec<Vec<NeuronIndex>> {
        let mut out = Vec::new();
        for w in 0..60u32 {
            let (rates, silence) = schedule(w, n);
            for (neuron, hz) in rates {
                b.set_rate(neuron, hz);
            }
            if let Some(s) = silence {
                b.set_silenced(s, true);
            }
            out.extend(b.run(10).iter().cloned());
        }
        out
    }

    #[test]
    fn the_spikes_are_the_same_at_any_thread_count_and_those_of_one_brain() {
        let n = 2000;
        let network = net(3, n);
        let mut one = ThreadedBrain::new(Arc::clone(&network), 1, 7, 0);
        let want = drive(&mut one, n);
        let total: usize = want.iter().map(Vec::len).sum();
        assert!(total > 2000, "the test network is active: {total} spikes");
        // The plain engine, stepped directly, agrees with the one-thread runner.
        let mut plain = Brain::new(Arc::clone(&network), 7, 0);
        let mut plain_spikes = Vec::new();
        for w in 0..60u32 {
            let (rates, silence) = schedule(w, n);
            for (neuron, hz) in rates {
                plain.set_rate(neuron, hz);
            }
            if let Some(s) = silence {
                plain.set_silenced(s, true);
            }
            for _ in 0..10 {
                plain_spikes.push(plain.step().to_vec());
            }
        }
        assert_eq!(want, plain_spikes);
        for threads in [2, 3] {
            let mut b = ThreadedBrain::new(Arc::clone(&network), threads, 7, 0);
            assert_eq!(b.threads(), threads);
            assert_eq!(drive(&mut b, n), want, "{threads} threads");
            assert_eq!(b.spike_counts(), one.spike_counts());
            assert_eq!(b.total_spikes(), one.total_spikes());
            assert_eq!(b.synaptic_events(), one.synaptic_events());
        }
    }

    #[test]
    fn windows_longer_than_the_delay_run_in_chunks() {
        let network = net(4, 500);
        let mut one = ThreadedBrain::new(Arc::clone(&network), 1, 1, 0);
        let mut two = ThreadedBrain::new(Arc::clone(&network), 2, 1, 0);
        for b in [&mut one, &mut two] {
            for i in 0..50 {
                b.set_rate(i * 7, 200.0);
            }
        }
        let a: Vec<_> = one.run(45).to_vec();
        assert_eq!(two.run(45), &a[..]);
        assert_eq!(one.time_step(), 45);
        assert_eq!(two.time_step(), 45);
    }
}
