//! The closed loop's brain on one or more threads, advanced by its caller a window at a time.
//!
//! Its neurons are split by target as in [`super::split`]: part 0 runs on the caller's
//! thread, every other part on a thread of its own. A spike needs `delay` (18) steps to
//! arrive, so within a chunk of at most `delay` steps no part needs another part's spikes of
//! the same chunk: the parts run a chunk without talking to each other and exchange their
//! spikes once at its end (one hand-off per control window of up to 1.8 ms).
//!
//! Every neuron sees the same events in the same order as in one [`Brain`] (arriving spikes
//! are sorted by neuron; each driven neuron draws from its own random stream), so the spikes
//! are identical at any thread count.
//!
//! Running ahead ([`ThreadedBrain::run_ahead`]): the other parts' next window needs only
//! spikes at least `delay` steps old, so they can start it as soon as this window ends,
//! while the caller's thread does the body's physics and sensing. The neurons whose input
//! the caller changes between windows (the sensory neurons, [`ThreadedBrain::with_layout`]'s
//! `pinned`) live in part 0, on the caller's thread, and every other change is made before
//! `run_ahead`; the spikes stay those of one [`Brain`].

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use connectome::NeuronIndex;

use super::engine::Brain;
use super::network::Network;
use super::noise::Noise;
use super::release::Release;

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
    /// The part owning each neuron (0: the caller's thread); empty with one part.
    owner: Vec<u16>,
    /// Whether part 0's neurons are a prefix, so that concatenating the parts' spikes keeps
    /// them sorted.
    contiguous: bool,
    /// The other parts' chunk started by [`ThreadedBrain::run_ahead`], not yet collected.
    ahead: Option<Arc<Vec<Vec<NeuronIndex>>>>,
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
        let share = 1.0 / threads.max(1) as f64;
        Self::with_layout(net, threads, seed, stream, &[], share)
    }

    /// As [`ThreadedBrain::new`], with the neurons `pinned` on the caller's thread (part
    /// 0), which gets about `local_share` (0 to 1) of the delivery work, the pinned
    /// neurons' included; the other threads share the rest equally. Any layout gives the
    /// same spikes; a caller that runs ahead pins the neurons it changes between windows
    /// and gives itself less brain work to leave room for its own.
    ///
    /// # Panics
    /// If `local_share` is not in [0, 1] or a pinned neuron is outside the network
    /// (caller bugs).
    pub fn with_layout(
        net: Arc<Network>,
        threads: usize,
        seed: u64,
        stream: u64,
        pinned: &[NeuronIndex],
        local_share: f64,
    ) -> Self {
        assert!(
            (0.0..=1.0).contains(&local_share),
            "local_share must be in [0, 1], got {local_share}"
        );
        let delay = net.propagator().k.delay_steps as usize;
        let threads = if delay == 0 { 1 } else { threads.max(1) };
        assert!(
            threads <= u16::MAX as usize,
            "a brain runs on at most {} threads, not {threads}",
            u16::MAX
        );
        let n = net.n_neurons();
        let (owner, contiguous, local, workers) = if threads == 1 {
            let local = Brain::new(Arc::clone(&net), seed, stream);
            (Vec::new(), true, local, Vec::new())
        } else {
            let owner = layout(&net, threads, pinned, local_share);
            let contiguous = owner.windows(2).all(|w| w[0] <= w[1]);
            let mut parts = (0..threads).map(|p| {
                let part = Arc::new(net.restricted_to(|t| owner[t as usize] as usize == p));
                let mut b = Brain::new(part, seed, stream);
                b.own_ranges(runs_of(&owner, p as u16));
                b
            });
            let local = parts.next().expect("at least one part");
            let workers = parts.map(spawn).collect();
            (owner, contiguous, local, workers)
        };
        ThreadedBrain {
            owner,
            contiguous,
            ahead: None,
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
        self.owner.get(neuron as usize).map_or(0, |&p| p as usize)
    }

    /// A change reaching the other parts while they run ahead would come too late for
    /// them: the caller must make its changes before [`ThreadedBrain::run_ahead`].
    fn check_not_ahead(&self, what: &str) {
        assert!(
            self.ahead.is_none(),
            "{what} while the brain's other threads run ahead: make changes before run_ahead"
        );
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
            p => {
                self.check_not_ahead("a rate change on a neuron of another thread");
                self.workers[p - 1].pending.push(Change::Rate(neuron, hz));
            }
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
        if !self.workers.is_empty() {
            self.check_not_ahead("silencing, release failure or noise changed");
        }
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
        if let Some(arriving) = self.ahead.take() {
            let k = arriving.len();
            assert!(
                left >= k,
                "the brain runs {k} steps ahead; run at least that many, not {left}"
            );
            self.finish_chunk(arriving, k);
            left -= k;
        }
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

    /// Starts the other threads on the next `n` steps (at most the delay) now, so that
    /// they run while the caller does something else; the next [`ThreadedBrain::run`]
    /// (of at least `n` steps) finishes them. Until then the caller may change only its
    /// own (pinned) neurons' rates. Does nothing on one thread.
    ///
    /// # Panics
    /// If already running ahead, or if `n` exceeds the delay (caller bugs).
    pub fn run_ahead(&mut self, n: u32) {
        if self.workers.is_empty() || n == 0 {
            return;
        }
        assert!(self.ahead.is_none(), "the brain already runs ahead");
        assert!(
            n as usize <= self.delay,
            "the brain runs ahead at most {} steps, not {n}",
            self.delay
        );
        self.ahead = Some(self.start_chunk(n as usize));
    }

    /// `k` steps (k <= delay unless the delay is 0, with one part).
    fn run_chunk(&mut self, k: usize) {
        let arriving = self.start_chunk(k);
        self.finish_chunk(arriving, k);
    }

    /// Sends the other parts their next `k` steps; returns what arrives in them.
    fn start_chunk(&mut self, k: usize) -> Arc<Vec<Vec<NeuronIndex>>> {
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
        arriving
    }

    /// Runs part 0 through the chunk the others were sent, then merges their spikes.
    fn finish_chunk(&mut self, arriving: Arc<Vec<Vec<NeuronIndex>>>, k: usize) {
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
                all.extend(theirs);
            }
        }
        if !self.contiguous {
            for all in &mut self.fired[first..] {
                all.sort_unstable();
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

/// The part of each neuron: the pinned ones and a prefix of the others in part 0, with
/// about `local_share` of the work ([`Network::work_per_target`]), the rest in consecutive
/// ranges of equal work.
fn layout(net: &Network, parts: usize, pinned: &[NeuronIndex], local_share: f64) -> Vec<u16> {
    let n = net.n_neurons();
    let work = net.work_per_target();
    let mut owner = vec![u16::MAX; n];
    let mut local = 0u64;
    for &p in pinned {
        assert!((p as usize) < n, "pinned neuron {p} outside the network");
        if owner[p as usize] != 0 {
            owner[p as usize] = 0;
            local += work[p as usize];
        }
    }
    let total: u64 = work.iter().sum();
    let want_local = (local_share * total as f64) as u64;
    let mut i = 0;
    while i < n && local < want_local {
        if owner[i] != 0 {
            owner[i] = 0;
            local += work[i];
        }
        i += 1;
    }
    let rest = (total - local).max(1);
    let others = (parts - 1) as u64;
    let mut acc = 0u64;
    for (o, w) in owner.iter_mut().zip(&work).skip(i) {
        if *o == 0 {
            continue;
        }
        // Parts 1..parts by cumulative work: part 1 + floor(acc * others / rest).
        *o = (1 + (acc * others / rest).min(others - 1)) as u16;
        acc += w;
    }
    owner
}

/// The ranges of consecutive neurons owned by `part`.
fn runs_of(owner: &[u16], part: u16) -> Vec<std::ops::Range<usize>> {
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, &o) in owner.iter().enumerate() {
        if o != part {
            continue;
        }
        match runs.last_mut() {
            Some(r) if r.end == i => r.end = i + 1,
            _ => runs.push(i..i + 1),
        }
    }
    runs
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

    /// As `drive`, running the other threads ahead between windows: the silencing (which
    /// reaches every thread) is made before run_ahead, the rates (on pinned neurons) after.
    fn drive_ahead(b: &mut ThreadedBrain, n: usize) -> Vec<Vec<NeuronIndex>> {
        let mut out = Vec::new();
        for w in 0..60u32 {
            let (rates, _) = schedule(w, n);
            for (neuron, hz) in rates {
                b.set_rate(neuron, hz);
            }
            out.extend(b.run(10).iter().cloned());
            if let Some(s) = schedule(w + 1, n).1 {
                b.set_silenced(s, true);
            }
            b.run_ahead(10);
        }
        out
    }

    /// Every neuron whose rate the schedule sets.
    fn scheduled(n: usize) -> Vec<NeuronIndex> {
        (0..60)
            .flat_map(|w| schedule(w, n).0)
            .map(|r| r.0)
            .collect()
    }

    #[test]
    fn running_ahead_gives_the_spikes_of_one_brain_at_any_layout() {
        let n = 2000;
        let network = net(3, n);
        let mut one = ThreadedBrain::new(Arc::clone(&network), 1, 7, 0);
        let want = drive(&mut one, n);
        let pinned = scheduled(n);
        for (threads, share) in [(1, 0.5), (2, 0.0), (2, 0.3), (2, 0.8), (3, 0.1)] {
            let mut b =
                ThreadedBrain::with_layout(Arc::clone(&network), threads, 7, 0, &pinned, share);
            assert_eq!(
                drive_ahead(&mut b, n),
                want,
                "{threads} threads, share {share}"
            );
            assert_eq!(b.spike_counts(), one.spike_counts());
        }
    }

    #[test]
    fn a_pinned_layout_without_running_ahead_agrees_too() {
        let n = 2000;
        let network = net(5, n);
        let mut one = ThreadedBrain::new(Arc::clone(&network), 1, 2, 0);
        let want = drive(&mut one, n);
        let mut b = ThreadedBrain::with_layout(Arc::clone(&network), 2, 2, 0, &scheduled(n), 0.2);
        assert_eq!(drive(&mut b, n), want);
        assert_eq!(b.synaptic_events(), one.synaptic_events());
    }

    #[test]
    #[should_panic(expected = "while the brain's other threads run ahead")]
    fn a_late_change_to_another_thread_is_refused() {
        let network = net(4, 500);
        let mut b = ThreadedBrain::with_layout(network, 2, 1, 0, &[0, 1, 2], 0.0);
        b.run(10);
        b.run_ahead(10);
        b.set_rate(400, 100.0);
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
