//! Whether the robot's physical state is usable: every rigid body of the robot (thorax, head and
//! the 18 leg segments) has a finite pose and velocity, stays near the arena and moves no faster
//! than a physical bound. A NaN or an exploded state is an error naming the simulated time and the
//! body part, never something a trial may read as "standing" or "not fallen".
//!
//! The bounds are far above anything the working body reaches, so they only fire on numerical
//! blow-ups (which grow from metres to 1e10 and beyond within a few steps) or on a body that has
//! left the world:
//!
//! - Position: at most `2 * arena half size + 10 m` from the arena centre (the origin, ground
//!   level). The arena's farthest point, a corner, is `1.41 * half size` out, and the body is
//!   under 0.4 m across at scale 1 (4 m at the largest scale), so a body on or near the arena is
//!   always well inside; the margin also leaves a body that walks off the edge over a second of
//!   free fall (10 m takes 1.4 s) before its state counts as exploded.
//! - Linear speed: at most [`MAX_LINEAR_SPEED`] (200 m/s) for any part. Measured peaks of
//!   healthy motion (every tick of walking, turning, walking backwards, grooming, feeding,
//!   jump escapes to both sides and ahead, a run escape, on flat and rough ground;
//!   `sim/tests/integration/body_state.rs`, which asserts a tenfold margin): 1.5 m/s, the
//!   head during a jump escape, on the bundled body; 10.9 m/s on the same body at the
//!   largest `scale` (10), whose tarsi sweep ten times farther at the same angular rates. Free fall reaches 200 m/s
//!   only after 2 km, beyond the position bound of any arena (half size at most 1 km).
//! - Angular speed: at most [`MAX_ANGULAR_SPEED`] (2000 rad/s, about 320 revolutions per
//!   second) for any part. Joint targets slew at most `motor.max_joint_speed` (40 rad/s by
//!   default); measured healthy peaks are 21 rad/s (a middle femur in a jump escape), 17 rad/s
//!   at scale 10 and 31 rad/s with leg motor gains and torque limits raised to 1e9.
//! - Rotation: a finite quaternion of unit length within [`MAX_ROTATION_NORM_ERROR`] (1e-3;
//!   rapier keeps it within 2e-5, measured).
//!
//! The check costs about 1.4 us per call in the dev profile (20 bodies), under 1% of a control
//! tick; [`crate::agent::Agent::step`] runs it before each tick and after every physics step.

use std::fmt;

use controller::anatomy::{LegId, Segment, Side};
use rapier3d::prelude::*;

use super::Body;

/// Largest linear speed of any body part, m/s (see the module documentation).
pub const MAX_LINEAR_SPEED: f32 = 200.0;
/// Largest angular speed of any body part, rad/s (see the module documentation).
pub const MAX_ANGULAR_SPEED: f32 = 2000.0;
/// Margin added to twice the arena half size to give the farthest a part may be from the arena
/// centre, metres (see the module documentation).
pub const POSITION_MARGIN: f32 = 10.0;
/// Largest deviation of a part's rotation quaternion from unit length.
pub const MAX_ROTATION_NORM_ERROR: f32 = 1e-3;

/// Farthest a body part may be from the arena centre (origin, ground level) in an arena of
/// half width `half_size`, metres: `2 * half_size + POSITION_MARGIN`.
pub fn max_distance(half_size: f32) -> f32 {
    2.0 * half_size + POSITION_MARGIN
}

/// One segment of a leg (each a rigid body; the tarsus sphere is a collider on the tibia).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegSegment {
    /// Coxa (first segment, at the thorax).
    Coxa,
    /// Femur.
    Femur,
    /// Tibia (carries the tarsus).
    Tibia,
}

impl LegSegment {
    /// Segments from the thorax outwards.
    pub const ALL: [LegSegment; 3] = [LegSegment::Coxa, LegSegment::Femur, LegSegment::Tibia];

    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            LegSegment::Coxa => "coxa",
            LegSegment::Femur => "femur",
            LegSegment::Tibia => "tibia",
        }
    }
}

/// A rigid body of the robot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyPart {
    /// The thorax, root of the multibody (the abdomen is a collider on it, not a body).
    Thorax,
    /// The head (on the neck joint; the proboscis is a massless sensor on it).
    Head,
    /// A leg segment.
    Leg(LegId, LegSegment),
}

impl fmt::Display for BodyPart {
    /// Human names: "thorax", "head", "left front tibia", "right hind coxa".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyPart::Thorax => f.write_str("thorax"),
            BodyPart::Head => f.write_str("head"),
            BodyPart::Leg(leg, seg) => {
                let side = match leg.side() {
                    Side::Left => "left",
                    Side::Right => "right",
                };
                let pair = match leg.segment() {
                    Segment::Front => "front",
                    Segment::Middle => "middle",
                    Segment::Hind => "hind",
                };
                write!(f, "{side} {pair} {}", seg.name())
            }
        }
    }
}

/// A physical quantity of a rigid body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// Position of the body's origin, metres.
    Position,
    /// Orientation quaternion.
    Rotation,
    /// Linear velocity, m/s.
    LinearVelocity,
    /// Angular velocity, rad/s.
    AngularVelocity,
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Quantity::Position => "position",
            Quantity::Rotation => "rotation",
            Quantity::LinearVelocity => "linear velocity",
            Quantity::AngularVelocity => "angular velocity",
        })
    }
}

/// What is wrong with a body part's state.
#[derive(Debug, Clone, PartialEq)]
pub enum StateFault {
    /// A component is NaN or infinite (`values`: the vector, or the quaternion x, y, z, w).
    NotFinite {
        /// Which quantity.
        quantity: Quantity,
        /// Its components.
        values: Vec<f32>,
    },
    /// The part is farther from the arena centre than the bound.
    TooFar {
        /// Distance from the arena centre (origin, ground level), metres.
        distance_m: f64,
        /// The bound, metres.
        limit_m: f32,
    },
    /// A linear or angular speed above its bound.
    TooFast {
        /// [`Quantity::LinearVelocity`] or [`Quantity::AngularVelocity`].
        quantity: Quantity,
        /// The speed (m/s or rad/s).
        speed: f64,
        /// The bound (same unit).
        limit: f32,
    },
    /// The rotation quaternion is not of unit length.
    NotUnitRotation {
        /// Its norm.
        norm: f32,
    },
    /// The part's rigid body is no longer in the physics world.
    Missing,
    /// The part is far below the lowest ground of the arena: it fell off or through it.
    BelowGround {
        /// Its height, metres.
        z_m: f32,
        /// The lowest height a body on the arena reaches, metres.
        floor_m: f32,
    },
}

impl fmt::Display for StateFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateFault::NotFinite { quantity, values } => {
                let kind = if values.iter().any(|v| v.is_nan()) {
                    "NaN"
                } else {
                    "infinite"
                };
                let list: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                write!(f, "{quantity} is {kind} ({})", list.join(", "))
            }
            StateFault::TooFar {
                distance_m,
                limit_m,
            } => write!(
                f,
                "position is {distance_m:.4e} m from the arena centre, beyond the limit of \
                 {limit_m} m (2 x arena half size + {POSITION_MARGIN} m): the body exploded or \
                 left the world"
            ),
            StateFault::TooFast {
                quantity,
                speed,
                limit,
            } => {
                let (what, unit) = match quantity {
                    Quantity::AngularVelocity => ("angular speed", "rad/s"),
                    _ => ("linear speed", "m/s"),
                };
                write!(
                    f,
                    "{what} is {speed:.4e} {unit}, above the physical limit of {limit} {unit}: \
                     the simulation exploded"
                )
            }
            StateFault::NotUnitRotation { norm } => write!(
                f,
                "rotation quaternion has norm {norm}, not 1 (within {MAX_ROTATION_NORM_ERROR})"
            ),
            StateFault::Missing => f.write_str("is missing from the physics world"),
            StateFault::BelowGround { z_m, floor_m } => write!(
                f,
                "is at z = {z_m:.3} m, more than {FALL_MARGIN_M} m below the arena's lowest \
                 ground ({floor_m:.3} m): the body fell off the arena or through the ground"
            ),
        }
    }
}

/// The robot's physical state is invalid: a part's pose or velocity is not finite or is beyond
/// a physical bound (module documentation).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("body state invalid at t = {time_s:.3} s: {part} {what}")]
pub struct BodyStateError {
    /// Simulated time, seconds (world clock, from the start of the simulation).
    pub time_s: f64,
    /// The body part.
    pub part: BodyPart,
    /// What is wrong.
    pub what: StateFault,
}

fn norm64(v: Vector) -> f64 {
    let (x, y, z) = (v.x as f64, v.y as f64, v.z as f64);
    (x * x + y * y + z * z).sqrt()
}

/// Checks one rigid body's state; `max_distance` bounds its distance from the origin.
pub fn check_rigid_body(rb: &RigidBody, max_distance: f32) -> Result<(), StateFault> {
    let p = rb.position();
    let t = p.translation;
    let q = p.rotation;
    let (v, w) = (rb.linvel(), rb.angvel());
    // Arrays on the hot path; a Vec only for the error.
    let finite = |quantity, values: &[f32]| {
        if values.iter().all(|x| x.is_finite()) {
            Ok(())
        } else {
            Err(StateFault::NotFinite {
                quantity,
                values: values.to_vec(),
            })
        }
    };
    finite(Quantity::Position, &[t.x, t.y, t.z])?;
    finite(Quantity::Rotation, &[q.x, q.y, q.z, q.w])?;
    finite(Quantity::LinearVelocity, &[v.x, v.y, v.z])?;
    finite(Quantity::AngularVelocity, &[w.x, w.y, w.z])?;
    let distance = norm64(t);
    if distance > max_distance as f64 {
        return Err(StateFault::TooFar {
            distance_m: distance,
            limit_m: max_distance,
        });
    }
    let norm = q.length();
    if (norm - 1.0).abs() > MAX_ROTATION_NORM_ERROR {
        return Err(StateFault::NotUnitRotation { norm });
    }
    for (quantity, speed, limit) in [
        (Quantity::LinearVelocity, norm64(v), MAX_LINEAR_SPEED),
        (Quantity::AngularVelocity, norm64(w), MAX_ANGULAR_SPEED),
    ] {
        if speed > limit as f64 {
            return Err(StateFault::TooFast {
                quantity,
                speed,
                limit,
            });
        }
    }
    Ok(())
}

/// Checks every rigid body of `body` in `world` (thorax, head, then the legs from the thorax
/// outwards) and reports the first invalid one; `half_size` is the arena's half width, `time_s`
/// the simulated time to name in the error.
pub fn check_body(
    body: &Body,
    world: &PhysicsWorld,
    half_size: f32,
    time_s: f64,
) -> Result<(), BodyStateError> {
    let limit = max_distance(half_size);
    for (part, handle) in body.parts() {
        let what = match world.bodies.get(handle) {
            Some(rb) => check_rigid_body(rb, limit),
            None => Err(StateFault::Missing),
        };
        what.map_err(|what| BodyStateError { time_s, part, what })?;
    }
    Ok(())
}

/// How far below the arena's lowest ground the thorax may be before the body counts as
/// fallen off the world, metres. The thorax of a standing, walking or jumping robot is
/// always above the ground; half a metre below it is half a metre of free fall (0.3 s).
pub const FALL_MARGIN_M: f32 = 0.5;

/// Checks that the thorax has not fallen below the ground: with the walls off, a robot that
/// walks off the edge would otherwise fall for seconds and its run read as a success.
/// `floor_m` is the lowest ground of the arena (minus the rough terrain's amplitude).
pub fn check_above_ground(
    body: &Body,
    world: &PhysicsWorld,
    floor_m: f32,
    time_s: f64,
) -> Result<(), BodyStateError> {
    let z = body.thorax_pose(world).translation.z;
    if z < floor_m - FALL_MARGIN_M {
        return Err(BodyStateError {
            time_s,
            part: BodyPart::Thorax,
            what: StateFault::BelowGround { z_m: z, floor_m },
        });
    }
    Ok(())
}
