//! Why a step of the closed loop failed.

use controller::ActivationError;

use super::MonitorError;
use crate::body::state::BodyStateError;

/// Why [`ClosedLoop::step`](super::ClosedLoop::step) (or finishing the monitors) failed.
/// The messages are those of the cause.
#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    /// The body left a valid state (NaN, sunk through the ground, out of the arena): the
    /// tick is not counted or observed.
    #[error(transparent)]
    Body(#[from] BodyStateError),
    /// A queued activation the brain cannot carry.
    #[error(transparent)]
    Activation(#[from] ActivationError),
    /// A monitor failed (the built-in ones: writing their files).
    #[error(transparent)]
    Monitor(MonitorError),
}
