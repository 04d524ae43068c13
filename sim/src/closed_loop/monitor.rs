//! What a monitor is: anything that observes every step of a [`ClosedLoop`](super::ClosedLoop)
//! through a [`TickRecord`] and keeps or writes what it needs of it.

use std::any::Any;

use connectome::NeuronIndex;
use controller::Controller;
use controller::sensors::InternalState;
use controller::tick::Tick;

use crate::agent::Agent;

/// One step of the loop, as the monitors see it (after the body's step).
pub struct TickRecord<'a> {
    /// The step's index: 0 for the first.
    pub tick_index: u64,
    /// Simulated time at the end of the step, seconds (`tick_index + 1` ticks).
    pub t_s: f64,
    /// The control tick, seconds.
    pub dt: f32,
    /// What the brain window gave: decision, drives, first escape-trigger spike.
    pub tick: &'a Tick,
    /// The recorded spikes of the window, as (brain step since the loop started, neuron).
    pub spikes: &'a [(u32, NeuronIndex)],
    /// Spikes of the whole brain in the window.
    pub brain_spikes: u64,
    /// Synaptic events of the whole brain in the window.
    pub synaptic_events: u64,
    /// The internal state before the step.
    pub internal_before: InternalState,
    /// Whether the internal state is held fixed ([`ClosedLoop::hold_internal`]).
    ///
    /// [`ClosedLoop::hold_internal`]: super::ClosedLoop::hold_internal
    pub internal_held: bool,
    /// The body and world after the step.
    pub agent: &'a Agent,
    /// The brain after the step.
    pub controller: &'a Controller,
}

/// Why a monitor failed: any error, as a monitor of a script's own may fail for reasons
/// of its own (the built-in ones fail only writing their files).
pub type MonitorError = Box<dyn std::error::Error + Send + Sync>;

/// Observes a closed loop, one [`TickRecord`] per step; attached with
/// [`ClosedLoop::attach`](super::ClosedLoop::attach), read back with
/// [`ClosedLoop::monitor`](super::ClosedLoop::monitor).
pub trait Monitor: Any + Send {
    /// Takes in one step.
    fn observe(&mut self, tick: &TickRecord<'_>) -> Result<(), MonitorError>;

    /// Puts what was observed so far into its files (called every simulated second), so
    /// that a run killed keeps it. Nothing by default.
    fn flush(&mut self) -> Result<(), MonitorError> {
        Ok(())
    }

    /// Closes its files at the end of the run. Nothing by default.
    fn finish(&mut self) -> Result<(), MonitorError> {
        Ok(())
    }
}
