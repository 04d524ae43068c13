//! One tick of the closed loop: Sensors -> encoder -> brain (one control window of 0.1 ms
//! steps) -> readouts -> arbiter -> motor command. [`Controller`] owns the brain and is all
//! a robot needs: feed it a [`Sensors`] value per tick, get a [`Tick`] with the command and
//! everything that led to it.

use std::sync::Arc;

use connectome::NeuronIndex;

use crate::arbiter::{Arbiter, ArbiterParams, Decision};
use crate::brain::{Network, ThreadedBrain};
use crate::circuit::map::CircuitMap;
use crate::circuit::resolve::Resolved;
use crate::decode::{Decoder, Drives};
use crate::encode::Encoder;
use crate::sensors::Sensors;

/// Longest control window (ms): the giant fibre -> takeoff budget is ~7 ms, so a decision
/// must come within a few ms of the spikes (DESIGN: at most 20 steps of 0.1 ms).
pub const MAX_WINDOW_MS: f64 = 2.0;

/// How the controller runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerParams {
    /// Brain time per control tick (ms), a whole number of brain steps, at most
    /// [`MAX_WINDOW_MS`].
    pub window_ms: f64,
    /// Arbiter thresholds and gains.
    pub arbiter: ArbiterParams,
    /// Seed of the brain's Poisson input.
    pub seed: u64,
    /// Neurons whose spikes are kept (see [`Controller::take_spikes`]).
    pub record: Vec<NeuronIndex>,
    /// Threads the brain runs on (see [`ThreadedBrain`]): the same spikes at any count.
    pub brain_threads: usize,
    /// The caller's thread's share of the brain's work with more than one thread (see
    /// [`ThreadedBrain::with_layout`]); less than half leaves it room for the body while
    /// the other threads run ahead ([`Controller::run_ahead`]). Speed only: the spikes
    /// are the same at any share.
    pub brain_local_share: f64,
}

impl Default for ControllerParams {
    fn default() -> Self {
        ControllerParams {
            window_ms: 1.0,
            arbiter: ArbiterParams::default(),
            seed: 0,
            record: Vec::new(),
            brain_threads: 1,
            brain_local_share: 0.5,
        }
    }
}

/// Why a controller could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControllerError {
    /// The control window is not a whole number of brain steps in (0, MAX_WINDOW_MS].
    #[error(
        "control window {window_ms} ms must be a whole number of {dt_ms} ms brain steps, \
         > 0 and at most {MAX_WINDOW_MS} ms"
    )]
    Window {
        /// The window asked for.
        window_ms: f64,
        /// The brain step.
        dt_ms: f64,
    },
    /// An arbiter parameter is out of range.
    #[error("{0}")]
    Arbiter(String),
    /// `brain_local_share` is not a fraction from 0 to 1.
    #[error("brain_local_share must be from 0 to 1, got {0}")]
    LocalShare(f64),
}

/// A Poisson rate the brain cannot carry: not a number, negative, or above one event per
/// brain step.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error(
    "activation rate {rate_hz} Hz: expected a finite rate >= 0 and at most {max_hz} Hz \
     (one event per brain step)"
)]
pub struct ActivationError {
    /// The rate asked for.
    pub rate_hz: f64,
    /// One event per brain step.
    pub max_hz: f64,
}

/// What one tick did.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// The arbiter's decision and the motor command.
    pub decision: Decision,
    /// The drives it decided from.
    pub drives: Drives,
    /// Step (since the loop started) of the first escape-trigger spike in this window.
    pub first_trigger_spike: Option<u32>,
}

/// The brain in the loop, with its encoder, decoder and arbiter: sensor values in, a
/// behaviour and a motor command out, one [`Controller::tick`] (one brain window) at a time.
/// Build one from a connectome and a circuit map with [`crate::Wiring`].
///
/// ```no_run
/// use controller::sensors::Sensors;
/// use controller::{ControllerParams, Wiring};
/// # fn wiring() -> Wiring { unimplemented!() }
///
/// let wiring: Wiring = wiring(); // Wiring::compile(connectome, map, "dataset")
/// let mut brain = wiring.controller(&ControllerParams::default()).unwrap();
/// let mut sensors = Sensors::default();
/// sensors.looming[0].expansion = 8.0; // what your robot's eyes see
/// let tick = brain.tick(&sensors);
/// println!("{} -> {:?}", tick.decision.behaviour.as_str(), tick.decision.command);
/// ```
#[derive(Debug)]
pub struct Controller {
    brain: ThreadedBrain,
    encoder: Encoder,
    decoder: Decoder,
    arbiter: Arbiter,
    window_steps: u32,
    dt_ms: f64,
    /// Brain step at which the loop started (after the rest used to measure baselines).
    start_step: u32,
    /// Activation (experiment-driven Poisson rates) of sensory neurons, added by the
    /// encoder to their sensory drive at every tick.
    activation_sensory: Vec<(NeuronIndex, f64)>,
    /// Activation of the other neurons, set on the brain when it changes.
    activation_other: Vec<(NeuronIndex, f64)>,
    /// Whether each neuron is driven by the encoder (its rate may change at any tick).
    sensory: Vec<bool>,
    record: Vec<bool>,
    spikes: Vec<(u32, NeuronIndex)>,
}

impl Controller {
    /// A controller of `net` with `map` resolved on its dataset as `resolved`. Before the
    /// loop starts, the brain runs without sensory drive for the longest "measured at
    /// rest" baseline of the map, which sets those baselines.
    pub fn new(
        net: Arc<Network>,
        map: &CircuitMap,
        resolved: &Resolved,
        cfg: &ControllerParams,
    ) -> Result<Controller, ControllerError> {
        let dt_ms = net.propagator().k.dt * 1e3;
        let steps = cfg.window_ms / dt_ms;
        if !(cfg.window_ms > 0.0
            && cfg.window_ms <= MAX_WINDOW_MS + 1e-12
            && (steps - steps.round()).abs() < 1e-9)
        {
            return Err(ControllerError::Window {
                window_ms: cfg.window_ms,
                dt_ms,
            });
        }
        let problems = cfg.arbiter.problems();
        if !problems.is_empty() {
            return Err(ControllerError::Arbiter(problems.join("; ")));
        }
        let n = net.n_neurons();
        if !(0.0..=1.0).contains(&cfg.brain_local_share) {
            return Err(ControllerError::LocalShare(cfg.brain_local_share));
        }
        let encoder = Encoder::new(map, resolved, dt_ms);
        // The encoder changes its neurons' rates at every tick: they stay on this thread,
        // so that the others can run ahead (run_ahead).
        let pinned = Resolved::union(&resolved.sensors.concat());
        let mut brain = ThreadedBrain::with_layout(
            net,
            cfg.brain_threads,
            cfg.seed,
            0,
            &pinned,
            cfg.brain_local_share,
        );
        let mut sensory = vec![false; n];
        for &i in &pinned {
            sensory[i as usize] = true;
        }
        let mut decoder = Decoder::new(map, resolved, &brain);
        let rest_steps = (decoder.rest_ms() / dt_ms).round() as u32;
        brain.advance(rest_steps);
        decoder.calibrate(&brain, rest_steps as f64 * dt_ms * 1e-3);
        let mut record = vec![false; n];
        for &i in &cfg.record {
            record[i as usize] = true;
        }
        Ok(Controller {
            start_step: brain.time_step(),
            brain,
            encoder,
            decoder,
            arbiter: Arbiter::new(cfg.arbiter.clone()),
            window_steps: steps.round() as u32,
            dt_ms,
            activation_sensory: Vec::new(),
            activation_other: Vec::new(),
            sensory,
            record,
            spikes: Vec::new(),
        })
    }

    /// One control tick: encode `sensors`, run the brain for one window, decode, decide.
    pub fn tick(&mut self, sensors: &Sensors) -> Tick {
        self.encoder
            .apply(sensors, &self.activation_sensory, &mut self.brain);
        let mut first = None;
        let start = self.brain.time_step();
        let fired_steps = self.brain.run(self.window_steps);
        for (step, fired) in (start..).zip(fired_steps) {
            self.spikes.extend(
                fired
                    .iter()
                    .filter(|&&i| self.record[i as usize])
                    .map(|&i| (step - self.start_step, i)),
            );
            if self.decoder.observe(step, fired) > 0 && first.is_none() {
                first = Some(step - self.start_step);
            }
        }
        let window_s = self.window_steps as f64 * self.dt_ms * 1e-3;
        let drives = self.decoder.finish_window(&self.brain, window_s);
        let decision = self.arbiter.decide(&drives, sensors, window_s as f32);
        Tick {
            decision,
            drives,
            first_trigger_spike: first,
        }
    }

    /// Adds (or with `hz = 0` removes) an experiment-driven Poisson input on `neurons`,
    /// on top of the sensory drive, from the next tick on.
    /// Neurons outside the encoder's get their new rate now (nothing else changes it);
    /// the encoder adds the others' to their sensory drive at the next tick.
    /// A rate that is not a finite number from 0 to one event per step is refused and
    /// changes nothing ([`Controller::check_activation`]).
    pub fn set_activation(
        &mut self,
        neurons: &[NeuronIndex],
        hz: f64,
    ) -> Result<(), ActivationError> {
        self.check_activation(hz)?;
        let (sensory, mut others): (Vec<NeuronIndex>, Vec<NeuronIndex>) =
            neurons.iter().partition(|&&n| self.sensory[n as usize]);
        self.activation_sensory.retain(|e| !sensory.contains(&e.0));
        if hz > 0.0 {
            self.activation_sensory
                .extend(sensory.iter().map(|&n| (n, hz)));
        }
        self.activation_sensory.sort_unstable_by_key(|e| e.0);
        // A neuron listed k times gets k times the rate, as the encoder sums repeats.
        others.sort_unstable();
        let max_hz = self.encoder.max_hz();
        for repeats in others.chunk_by(|a, b| a == b) {
            let n = repeats[0];
            let new = repeats.iter().map(|_| hz).sum::<f64>().min(max_hz);
            let at = self.activation_other.partition_point(|a| a.0 < n);
            let old = match self.activation_other.get(at) {
                Some(a) if a.0 == n => a.1,
                _ => 0.0,
            };
            if old == new {
                continue;
            }
            self.brain.set_rate(n, new);
            match (old > 0.0, new > 0.0) {
                (true, true) => self.activation_other[at].1 = new,
                (true, false) => {
                    self.activation_other.remove(at);
                }
                (false, _) => self.activation_other.insert(at, (n, new)),
            }
        }
        Ok(())
    }

    /// Whether [`Controller::set_activation`] takes `hz`: a finite rate from 0 to one event
    /// per brain step. (A neuron listed k times, or also driven by the senses, gets the sum,
    /// which saturates at one event per step as any Poisson drive does.)
    pub fn check_activation(&self, hz: f64) -> Result<(), ActivationError> {
        let max_hz = self.encoder.max_hz();
        match hz.is_finite() && (0.0..=max_hz).contains(&hz) {
            true => Ok(()),
            false => Err(ActivationError {
                rate_hz: hz,
                max_hz,
            }),
        }
    }

    /// Starts the brain's other threads on the next window while the caller moves the
    /// body (see [`ThreadedBrain::run_ahead`]): the next [`Controller::tick`] finishes
    /// it. Activation and silencing must come before this call; the sensory drive is set
    /// by the tick on this thread's own neurons. Nothing on one thread; the same spikes
    /// either way.
    pub fn run_ahead(&mut self) {
        self.brain.run_ahead(self.window_steps);
    }

    /// Silences (or restores) `neurons` from now on: they spike, their synapses carry
    /// nothing.
    /// The readouts stop reading them too (see [`Decoder::set_silenced`]).
    pub fn set_silenced(&mut self, neurons: &[NeuronIndex], silenced: bool) {
        for &n in neurons {
            self.brain.set_silenced(n, silenced);
        }
        self.decoder.set_silenced(&self.brain, neurons, silenced);
    }

    /// Recorded spikes since the last call, as (step since the loop started, neuron).
    pub fn take_spikes(&mut self) -> Vec<(u32, NeuronIndex)> {
        std::mem::take(&mut self.spikes)
    }

    /// Synaptic release failure from now on (`None`, the default: every event transmits);
    /// see [`crate::brain::release`].
    pub fn set_release(&mut self, release: Option<crate::brain::Release>) {
        self.brain.set_release(release);
    }

    /// Membrane noise from now on (`None`, the default: none); see [`crate::brain::noise`].
    pub fn set_noise(&mut self, noise: Option<crate::brain::Noise>) {
        self.brain.set_noise(noise);
    }

    /// The brain.
    pub fn brain(&self) -> &ThreadedBrain {
        &self.brain
    }

    /// The encoder (input rates per sensory group).
    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// The decoder (readout values).
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The arbiter.
    pub fn arbiter(&self) -> &Arbiter {
        &self.arbiter
    }

    /// Brain steps per control tick.
    pub fn window_steps(&self) -> u32 {
        self.window_steps
    }

    /// The control tick (one brain window), milliseconds.
    pub fn window_ms(&self) -> f64 {
        self.window_steps as f64 * self.dt_ms
    }
}
