//! What the viewer is told and what it answers, as plain data. The simulation side fills
//! these from its own state; the viewer never computes behaviour, physics or brain activity,
//! it only draws them and passes the user's [`Command`]s back.
//!
//! Coordinates are the simulation's: metres, x forward/east, y left/north, z up.

use std::sync::mpsc::{Receiver, Sender};

/// A rigid placement: translation (m) and rotation (unit quaternion x, y, z, w).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    /// Translation, metres.
    pub translation: [f32; 3],
    /// Rotation as a unit quaternion (x, y, z, w).
    pub rotation: [f32; 4],
}

/// A collision shape in its own frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// A box with these half extents.
    Cuboid {
        /// Half extents, metres.
        half: [f32; 3],
    },
    /// A capsule around the segment a-b.
    Capsule {
        /// One end of the axis.
        a: [f32; 3],
        /// The other end.
        b: [f32; 3],
        /// Radius, metres.
        radius: f32,
    },
    /// A sphere.
    Ball {
        /// Radius, metres.
        radius: f32,
    },
}

/// What a piece of the robot is, for its material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// Thorax and abdomen.
    Body,
    /// Head.
    Head,
    /// Leg segment.
    Leg,
    /// Foot (tarsus).
    Foot,
}

/// One collider of the robot.
#[derive(Debug, Clone)]
pub struct Part {
    /// Human name ("thorax", "left front tibia").
    pub name: String,
    /// Its shape, in the collider's frame.
    pub shape: Shape,
    /// What it is.
    pub kind: PartKind,
}

/// A scalar field on a square grid over the arena, row-major from (-h, -h), x fastest.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grid {
    /// Samples per side.
    pub n: usize,
    /// Half the side of the square, metres.
    pub half_size: f32,
    /// n * n values.
    pub values: Vec<f32>,
}

impl Grid {
    /// Position of sample (i, j) (column i along x, row j along y).
    pub fn xy(&self, i: usize, j: usize) -> [f32; 2] {
        let step = 2.0 * self.half_size / (self.n.max(2) - 1) as f32;
        [
            -self.half_size + i as f32 * step,
            -self.half_size + j as f32 * step,
        ]
    }
}

/// Whether a link of the loop is carried by the wiring or is a modelling choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Carried by the connectome.
    Connectome,
    /// Engineered (a stated modelling choice).
    Engineered,
}

/// A labelled quantity on screen (a readout, a drive).
#[derive(Debug, Clone)]
pub struct Gauge {
    /// Name.
    pub name: String,
    /// Where it comes from.
    pub link: Link,
    /// The value drawn as a full bar (Hz, or spikes for a trigger).
    pub full_scale: f32,
}

/// A food source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Food {
    /// Centre (x, y), metres.
    pub position: [f32; 2],
    /// Radius, metres.
    pub radius: f32,
    /// Sugar content (0..1).
    pub sugar: f32,
}

/// A group of rows of the spike raster.
#[derive(Debug, Clone)]
pub struct RasterGroup {
    /// The selection, as typed.
    pub label: String,
    /// Its neurons (rows).
    pub rows: u32,
}

/// Everything that does not change while the experiment runs.
#[derive(Debug, Clone)]
pub struct SceneInfo {
    /// Window title: experiment and dataset.
    pub title: String,
    /// One line on the dataset (name, neurons, synapse pairs).
    pub dataset: String,
    /// Whether any wiring is synthetic (surrogate, generated) or shuffled.
    pub synthetic: bool,
    /// The wiring in words (shown as a banner when synthetic).
    pub wiring_note: String,
    /// The loop's links: (kind, name, link).
    pub links: Vec<(String, String, Link)>,
    /// Ground heights over the arena.
    pub ground: Grid,
    /// Fixed obstacles.
    pub obstacles: Vec<(Shape, Pose)>,
    /// The robot's colliders, in the order of [`Frame::parts`].
    pub parts: Vec<Part>,
    /// The descending-neuron readouts, in the order of [`Frame::readouts`].
    pub readouts: Vec<Gauge>,
    /// The arbiter's inputs, in the order of [`Frame::drives`].
    pub drives: Vec<Gauge>,
    /// Raster rows by selection, top to bottom.
    pub raster: Vec<RasterGroup>,
    /// Span of the raster, seconds.
    pub raster_window_s: f32,
    /// Planned duration of the experiment, seconds (the run stops there).
    pub duration_s: f64,
    /// A length that frames the robot (its body length), metres.
    pub body_length_m: f32,
}

/// The state after some control ticks.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    /// Simulated time, seconds.
    pub t_s: f64,
    /// World pose of each robot collider.
    pub parts: Vec<Pose>,
    /// Looming objects in flight: centre and radius.
    pub threats: Vec<([f32; 3], f32)>,
    /// Food sources now.
    pub food: Vec<Food>,
    /// The odor at the ground, when it changed since the last frame.
    pub odor: Option<Grid>,
    /// Behaviour now.
    pub behaviour: String,
    /// The arbiter's reason for it.
    pub reason: String,
    /// The arbiter's inputs (drives), in [`SceneInfo::drives`] order.
    pub drives: Vec<f32>,
    /// Hunger, dust, arousal (0..1).
    pub internal: [f32; 3],
    /// Readout values, in [`SceneInfo::readouts`] order.
    pub readouts: Vec<f32>,
    /// Spikes since the last frame: (time s, raster row).
    pub spikes: Vec<(f32, u32)>,
    /// The proboscis, base to tip, when extended.
    pub proboscis: Option<[[f32; 3]; 2]>,
    /// Whether the simulation is paused.
    pub paused: bool,
    /// Requested speed (simulated seconds per wall second).
    pub speed: f32,
    /// Speed actually reached over the last second.
    pub achieved_speed: f32,
}

/// A side, for looming stimuli.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The robot's left.
    Left,
    /// The robot's right.
    Right,
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Pause or resume.
    TogglePause,
    /// Advance one control tick (while paused).
    Step,
    /// Simulated seconds per wall second.
    Speed(f32),
    /// A looming object approaching from a side.
    Loom(Side),
    /// Add dust.
    Dust,
    /// Put a food source at (x, y).
    DropFood([f32; 2]),
    /// Drive a selection with Poisson input at a rate (Hz; 0 stops).
    Activate {
        /// Selector (the same syntax as everywhere).
        selector: String,
        /// Rate, Hz.
        rate_hz: f64,
    },
    /// Silence (true) or restore (false) a selection.
    Silence {
        /// Selector.
        selector: String,
        /// Silence or restore.
        on: bool,
    },
    /// Stop and write what was simulated.
    Quit,
}

/// What the simulation side sends.
#[derive(Debug, Clone)]
pub enum Update {
    /// A new state.
    Frame(Box<Frame>),
    /// A one-line message for the user (a command's result or error).
    Status(String),
    /// The run ended (duration reached, or an error), with a message.
    Ended(String),
}

/// The two ends the viewer holds: updates in, commands out.
pub struct Channels {
    /// What the simulation sends.
    pub updates: Receiver<Update>,
    /// Where the user's commands go.
    pub commands: Sender<Command>,
}
