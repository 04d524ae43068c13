//! The spiking brain: the whole-brain leaky integrate-and-fire model of Shiu et al. 2024,
//! reproducing Brian 2's spikes step for step, simulated event-driven.
//!
//! - [`params`]: the model parameters and Brian's exact per-step constants.
//! - [`propagator`]: the exact solution as time-invariant coefficients (per-step factors,
//!   epochs); threshold reachability and the last step a neuron may still cross.
//! - [`network`]: the compiled network (CSR of targets and signed counts, silencing).
//! - [`engine`]: [`Brain`], one simulation advanced step by step (closed-loop API).
//! - [`input`]: explicit input spike trains.
//! - `reference`: Brian 2's algorithm transcribed literally, dense: the engine's oracle
//!   (with the `oracles` feature, for tests).
//! - `motifs`: adversarial small networks that probe the engine's shortcuts (`oracles`).
//! - [`release`]: synaptic release failure (off by default), seeded, thread-count invariant.
//! - [`noise`]: membrane noise (off by default), seeded, thread-count invariant.
//! - [`readout`]: spike counts of neuron groups since the last read (closed loop).
//! - [`signs`]: a seeded sign rule for datasets without transmitters.
//! - [`split`]: one trial split across threads by target neuron (same spikes).
//! - [`threaded`]: the closed loop's brain on one or more threads, a window at a time.
//! - [`trials`]: many seeded trials in parallel, spike recording and rates.

pub mod engine;
pub mod input;
#[cfg(any(test, feature = "oracles"))]
pub mod motifs;
pub mod network;
pub mod noise;
pub mod params;
pub mod propagator;
pub mod readout;
#[cfg(any(test, feature = "oracles"))]
pub mod reference;
pub mod release;
pub mod signs;
pub mod split;
pub mod threaded;
pub mod trials;

pub use engine::{Brain, TimeLimit};
pub use input::InputSpikes;
pub use network::Network;
pub use noise::Noise;
pub use params::ModelParams;
pub use readout::Readout;
pub use release::Release;
pub use threaded::ThreadedBrain;
