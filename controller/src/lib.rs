//! The hexafly controller: the brain and everything between senses and joint targets.
//!
//! It sees the world only through sensor values and answers with motor commands; it never
//! imports physics or rendering crates.
#![warn(missing_docs)]

pub mod anatomy;
pub mod arbiter;
pub mod brain;
pub mod circuit;
pub mod decode;
pub mod encode;
pub mod motor;
pub mod sensors;
pub mod steer;
pub mod tick;
pub mod wiring;

pub use tick::{ActivationError, Controller, ControllerError, ControllerParams, Tick};
pub use wiring::{Wiring, WiringError};

/// The types a robot's code touches first: `use controller::prelude::*;`.
pub mod prelude {
    pub use crate::arbiter::{ArbiterParams, Behaviour, Decision};
    pub use crate::circuit::CircuitMap;
    pub use crate::motor::MotorCommand;
    pub use crate::sensors::{InternalState, Sensors};
    pub use crate::tick::{Controller, ControllerParams, Tick};
    pub use crate::wiring::Wiring;
}
