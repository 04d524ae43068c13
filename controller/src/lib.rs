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

pub use tick::{Controller, ControllerConfig, ControllerError, Tick};
pub use wiring::{Wiring, WiringError};
