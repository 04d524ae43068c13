//! What the body senses, as the controller sees it: one [`Sensors`] value per control tick,
//! computed by the simulation from the world and the body. Per-side arrays are indexed by
//! [`Side::index`](crate::anatomy::Side::index) (left 0, right 1); per-leg arrays by
//! [`LegId::index`](crate::anatomy::LegId::index).

use serde::{Deserialize, Serialize};

/// Looming stimulus seen by one eye.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Looming {
    /// Angular size of the object (full angle subtended), radians; 0 when not in this eye's field.
    pub angle: f32,
    /// Rate of change of `angle`, rad/s (> 0 while approaching).
    pub expansion: f32,
    /// Azimuth of the object in the body frame, radians (0 ahead, > 0 to the left).
    pub azimuth: f32,
}

/// Taste (gustatory receptor) activation, 0..1 per organ.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Taste {
    /// Labellum at the proboscis tip.
    pub proboscis: f32,
    /// Front-leg tarsi, left and right.
    pub tarsi: [f32; 2],
}

/// Proprioception of one leg.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LegSense {
    /// Measured coxa, femur, tibia angles (radians, [`LegJoint`](crate::anatomy::LegJoint) order).
    pub angles: [f32; 3],
    /// Whether the tarsus touches the ground or an obstacle.
    pub contact: bool,
}

/// Internal state of the agent. It lives with the agent in the simulation and is reported
/// here so the controller can modulate behaviour with it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InternalState {
    /// Hunger, 0 (sated) to 1 (starving): rises over time, falls while feeding.
    pub hunger: f32,
    /// Dust on head and antennae, 0 (clean) to 1: rises with dust events, falls while grooming.
    pub dust: f32,
    /// Arousal, 0 (calm) to 1: rises with looming, touch and wind, decays back.
    pub arousal: f32,
}

impl Default for InternalState {
    fn default() -> Self {
        InternalState {
            hunger: 0.3,
            dust: 0.0,
            arousal: 0.0,
        }
    }
}

/// Everything the body senses in one control tick.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Sensors {
    /// Simulated time of this sample, seconds.
    pub time_s: f64,
    /// Odor concentration at the left and right antenna (arbitrary units, source strength scaled).
    pub odor: [f32; 2],
    /// Rate of change of the log odor concentration at each antenna, 1/s (> 0 while the
    /// odor grows), low-pass filtered: what an olfactory receptor neuron's phasic response
    /// follows (Nagel & Wilson 2011 Nat Neurosci).
    pub odor_change: [f32; 2],
    /// Taste on contact of proboscis or front tarsi with food.
    pub taste: Taste,
    /// Looming stimulus per eye (left, right).
    pub looming: [Looming; 2],
    /// Dust currently loading the head and antennae (same as `internal.dust`, as felt by
    /// Johnston's organ and head bristles).
    pub dust_load: f32,
    /// Air flow felt by the antennae in the body frame, m/s: [forward, leftward] components of
    /// the air velocity relative to the moving body.
    pub wind: [f32; 2],
    /// Mechanical touch of the head/body on obstacles, left and right, 0..1.
    pub touch: [f32; 2],
    /// Nearness of a wall or obstacle ahead on each side, 0 (nothing within reach of the
    /// antenna's feeler) to 1 (touching it).
    pub obstacle: [f32; 2],
    /// Leg joint angles and tarsal contacts.
    pub legs: [LegSense; 6],
    /// Self-motion estimate (optic flow): body velocity in the body frame, [forward, leftward] m/s.
    pub body_velocity: [f32; 2],
    /// Yaw rate from the halteres, rad/s (> 0 turning left).
    pub yaw_rate: f32,
    /// Internal state (hunger, dust, arousal).
    pub internal: InternalState,
}
