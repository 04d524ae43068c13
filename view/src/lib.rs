//! hexafly's 3D viewer. It draws what a simulation sends ([`frame::SceneInfo`] once, then
//! [`frame::Frame`]s) and sends back what the user asks for ([`frame::Command`]); it knows
//! nothing of physics or brains and adds no behaviour of its own, so a run looks the same
//! with or without it. Each feature is a plugin: the world, the robot, the camera, the
//! panels, the spike raster, the controls and the screenshot.

pub mod frame;

mod app;
mod camera;
mod capture;
mod controls;
mod ground;
mod hud;
mod raster;
mod robot;
mod world3d;

pub use app::{ViewOptions, run};
pub use controls::parse_panel;
