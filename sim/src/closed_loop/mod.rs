//! The closed loop: an [`Agent`] (body, world, senses, internal state) and a [`Controller`]
//! (the connectome with its encoder, decoder and arbiter) advanced together one control
//! tick at a time, in the one order every user of hexafly shares: `hexafly run`, sweeps, the
//! viewer, Python and a loop of your own.
//!
//! One [`ClosedLoop::step`]:
//! 1. the brain runs one window on what the body senses now and the arbiter decides
//!    ([`Controller::tick`]);
//! 2. activation and silencing asked for since the last step are made, for the next window;
//! 3. the brain's other threads start on the next window ([`Controller::run_ahead`]) while
//!    this one moves the body: the same spikes at any thread count;
//! 4. the body carries out the motor command for one tick of physics, and senses anew;
//! 5. every attached [`Monitor`] observes the tick ([`TickRecord`]), in the manner of
//!    Brian 2's monitors; those writing files flush every simulated second.
//!
//! ```no_run
//! use sim::prelude::*;
//!
//! # fn main() -> anyhow::Result<()> {
//! let exp = Experiment::load("assets/experiments/loom_escape.toml".as_ref())?;
//! let brain = prepare(&exp)?;
//! let mut fly = ClosedLoop::for_experiment(&exp, &brain)?;
//! fly.attach(BehaviourMonitor::default());
//! fly.activate(&brain.select("type=LC4")?, 80.0)?; // from the second window on
//! for _ in 0..500 {
//!     let tick = fly.step()?;
//!     if tick.decision.switched {
//!         println!("{:.3} s: {}", tick.t_s, tick.decision.behaviour.as_str());
//!     }
//! }
//! let seen = fly.monitor::<BehaviourMonitor>().expect("attached");
//! println!("{:?}", seen.time_s());
//! # Ok(())
//! # }
//! ```

mod error;
pub mod monitor;
pub mod monitors;

use std::any::Any;

use connectome::NeuronIndex;
use controller::arbiter::Decision;
use controller::decode::Drives;
use controller::motor::MotorCommand;
use controller::sensors::InternalState;
use controller::{ActivationError, Controller};

use crate::agent::Agent;
pub use error::LoopError;
pub use monitor::{Monitor, MonitorError, TickRecord};

/// What one step decided, for anyone drawing or inspecting the loop.
#[derive(Debug, Clone, Copy)]
pub struct LastTick {
    /// Simulated time at the end of the tick (after settling), seconds.
    pub t_s: f64,
    /// The arbiter's decision.
    pub decision: Decision,
    /// The drives it decided from.
    pub drives: Drives,
}

/// A change to the brain's input or wiring, made between two windows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BrainChange {
    /// Poisson input at this rate, Hz (0 stops it).
    Activate(f64),
    /// Silenced (true) or restored (false).
    Silence(bool),
}

impl BrainChange {
    /// Makes the change on `neurons` of `controller` now; a rate the brain cannot carry
    /// is refused and changes nothing.
    pub fn apply(
        self,
        controller: &mut Controller,
        neurons: &[NeuronIndex],
    ) -> Result<(), ActivationError> {
        match self {
            BrainChange::Activate(hz) => controller.set_activation(neurons, hz)?,
            BrainChange::Silence(on) => controller.set_silenced(neurons, on),
        }
        Ok(())
    }
}

/// A body and a brain in a closed loop; see the [module](self) for the order of a step.
pub struct ClosedLoop {
    agent: Agent,
    controller: Controller,
    /// The control tick in microseconds: time is `ticks` ticks, exactly.
    tick_us: u64,
    ticks: u64,
    /// Ticks the loop is planned to run: the brain does not run ahead past the last.
    planned: Option<u64>,
    /// The internal state held fixed after every body step, if any.
    held: Option<InternalState>,
    pending: Vec<(Vec<NeuronIndex>, BrainChange)>,
    command_override: Option<MotorCommand>,
    monitors: Vec<Box<dyn Monitor>>,
    window_spikes: Vec<(u32, NeuronIndex)>,
    last: Option<LastTick>,
}

/// Why an agent and a controller cannot be joined.
#[derive(Debug, thiserror::Error)]
#[error(
    "the agent's control tick ({agent_s} s) is not the controller's window ({controller_s} s): \
     build both with the same tick"
)]
pub struct TickMismatch {
    /// The agent's control tick, s.
    pub agent_s: f64,
    /// The controller's window, s.
    pub controller_s: f64,
}

impl ClosedLoop {
    /// Joins `agent` and `controller`, whose ticks must be the same (the agent's
    /// `control_dt`, the controller's `window_ms`). Time starts at 0.
    pub fn new(agent: Agent, controller: Controller) -> Result<ClosedLoop, TickMismatch> {
        let controller_s = controller.window_ms() * 1e-3;
        let agent_s = agent.control_dt() as f64;
        if (agent_s - controller_s).abs() > 1e-6 * controller_s {
            return Err(TickMismatch {
                agent_s,
                controller_s,
            });
        }
        Ok(ClosedLoop {
            tick_us: (controller.window_ms() * 1e3).round() as u64,
            agent,
            controller,
            ticks: 0,
            planned: None,
            held: None,
            pending: Vec::new(),
            command_override: None,
            monitors: Vec::new(),
            window_spikes: Vec::new(),
            last: None,
        })
    }

    /// The agent and the controller, apart again (the monitors are dropped).
    pub fn into_parts(self) -> (Agent, Controller) {
        (self.agent, self.controller)
    }

    /// Attaches a monitor: it observes every step from the next on.
    pub fn attach(&mut self, monitor: impl Monitor) {
        self.monitors.push(Box::new(monitor));
    }

    /// The first attached monitor of type `M`.
    pub fn monitor<M: Monitor>(&self) -> Option<&M> {
        self.monitors
            .iter()
            .find_map(|m| (m.as_ref() as &dyn Any).downcast_ref::<M>())
    }

    /// The first attached monitor of type `M`, to change.
    pub fn monitor_mut<M: Monitor>(&mut self) -> Option<&mut M> {
        self.monitors
            .iter_mut()
            .find_map(|m| (m.as_mut() as &mut dyn Any).downcast_mut::<M>())
    }

    /// Says how many ticks the loop will run: after the last, the brain does not start on
    /// a window that would never be read (its spike counts then end with the run).
    pub fn plan(&mut self, ticks: Option<u64>) {
        self.planned = ticks;
    }

    /// Holds the internal state (hunger, dust, arousal) at `state` after every body step,
    /// or lets it change again (`None`).
    pub fn hold_internal(&mut self, state: Option<InternalState>) {
        if let Some(s) = state {
            self.agent.set_internal(s);
        }
        self.held = state;
    }

    /// Drives the body with `command` from the next step on, in place of the arbiter's
    /// choice (`None` gives the body back to the arbiter). The brain still runs, is read
    /// and decides; the monitors still see the arbiter's decision.
    pub fn override_command(&mut self, command: Option<MotorCommand>) {
        self.command_override = command;
    }

    /// Poisson input at `rate_hz` (0 stops it) on `neurons` from the window after the next
    /// step's. Before the first step, [`ClosedLoop::controller_mut`] sets it at once. A
    /// rate that is not a finite number from 0 to one event per brain step is refused here,
    /// not when the change is made.
    pub fn activate(
        &mut self,
        neurons: &[NeuronIndex],
        rate_hz: f64,
    ) -> Result<(), ActivationError> {
        self.change(neurons.to_vec(), BrainChange::Activate(rate_hz))
    }

    /// Silences (or restores) `neurons` from the window after the next step's.
    pub fn silence(&mut self, neurons: &[NeuronIndex], silenced: bool) {
        // A silencing is always valid.
        let _ = self.change(neurons.to_vec(), BrainChange::Silence(silenced));
    }

    /// Queues a change to the brain, made right after the next step's window, before the
    /// brain runs ahead (so at any thread count it starts with the same window).
    /// An activation's rate is checked now ([`Controller::check_activation`]).
    pub fn change(
        &mut self,
        neurons: Vec<NeuronIndex>,
        change: BrainChange,
    ) -> Result<(), ActivationError> {
        if let BrainChange::Activate(hz) = change {
            self.controller.check_activation(hz)?;
        }
        self.pending.push((neurons, change));
        Ok(())
    }

    /// Advances one control tick (see the [module](self)). An invalid body state (NaN,
    /// sunk through the ground) is an error, and the tick is not counted or observed.
    pub fn step(&mut self) -> Result<LastTick, LoopError> {
        let k = self.ticks;
        let internal_before = *self.agent.internal();
        let brain = self.controller.brain();
        let (spikes_before, events_before) = (brain.total_spikes(), brain.synaptic_events());
        let tick = self.controller.tick(self.agent.sensors());
        self.window_spikes = self.controller.take_spikes();
        for (neurons, change) in std::mem::take(&mut self.pending) {
            // Checked when queued ([`ClosedLoop::change`]): this cannot fail.
            change.apply(&mut self.controller, &neurons)?;
        }
        if self.planned.is_none_or(|n| k + 1 < n) {
            self.controller.run_ahead();
        }
        let command = self
            .command_override
            .as_ref()
            .unwrap_or(&tick.decision.command);
        self.agent.step(command);
        self.agent.check_state()?;
        if let Some(s) = self.held {
            self.agent.set_internal(s);
        }
        self.ticks = k + 1;
        let brain = self.controller.brain();
        let record = TickRecord {
            tick_index: k,
            t_s: self.time_at(k + 1),
            dt: self.agent.control_dt(),
            tick: &tick,
            spikes: &self.window_spikes,
            brain_spikes: brain.total_spikes() - spikes_before,
            synaptic_events: brain.synaptic_events() - events_before,
            internal_before,
            internal_held: self.held.is_some(),
            agent: &self.agent,
            controller: &self.controller,
        };
        for m in &mut self.monitors {
            m.observe(&record).map_err(LoopError::Monitor)?;
        }
        // Every simulated second, what the monitors computed goes to their files.
        let second = |k: u64| k * self.tick_us / 1_000_000;
        if second(k + 1) != second(k) {
            for m in &mut self.monitors {
                m.flush().map_err(LoopError::Monitor)?;
            }
        }
        let last = LastTick {
            t_s: record.t_s,
            decision: tick.decision,
            drives: tick.drives,
        };
        self.last = Some(last);
        Ok(last)
    }

    /// Ends every monitor's work (closing its files); the first error, after trying all.
    pub fn finish_monitors(&mut self) -> Result<(), LoopError> {
        let mut first = Ok(());
        for m in &mut self.monitors {
            let r = m.finish();
            if first.is_ok() {
                first = r;
            }
        }
        first.map_err(LoopError::Monitor)
    }

    /// Simulated time since the start, seconds: a whole number of ticks.
    pub fn time_s(&self) -> f64 {
        self.time_at(self.ticks)
    }

    /// Time at the start of tick `k`, seconds (the nearest f64 to `k` ticks: no drift).
    fn time_at(&self, k: u64) -> f64 {
        (k * self.tick_us) as f64 * 1e-6
    }

    /// Control ticks done.
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// The control tick in whole microseconds.
    pub fn tick_us(&self) -> u64 {
        self.tick_us
    }

    /// The recorded spikes of the last step's window, as (brain step since the loop
    /// started, neuron).
    pub fn window_spikes(&self) -> &[(u32, NeuronIndex)] {
        &self.window_spikes
    }

    /// The last step's decision and drives (none before the first step).
    pub fn last(&self) -> Option<LastTick> {
        self.last
    }

    /// The body, its world and internal state.
    pub fn agent(&self) -> &Agent {
        &self.agent
    }

    /// The body, its world and internal state, to change between steps (add food, a
    /// threat, dust).
    pub fn agent_mut(&mut self) -> &mut Agent {
        &mut self.agent
    }

    /// The brain with its encoder, decoder and arbiter.
    pub fn controller(&self) -> &Controller {
        &self.controller
    }

    /// The controller, to change before the first step (after it, use
    /// [`ClosedLoop::activate`] and [`ClosedLoop::silence`], which wait for the window
    /// boundary the brain's threads share).
    pub fn controller_mut(&mut self) -> &mut Controller {
        &mut self.controller
    }
}
