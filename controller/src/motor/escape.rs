//! Escape jump: the middle legs (and, less, the others) extend fast, pushing the body up and
//! away from the threat, then the legs return to standing for the landing. The run escape is
//! the tripod gait with a heading loop and lives in [`super::MotorPatterns`].

use crate::anatomy::{LegId, Segment};
use crate::motor::command::MotorParams;
use crate::motor::gait::smoothstep;
use crate::motor::kinematics::BodyGeometry;

/// Tarsus targets `t` seconds into a jump away from a threat at `threat_azimuth` (body frame).
pub fn jump_feet(
    geom: &BodyGeometry,
    p: &MotorParams,
    threat_azimuth: f32,
    t: f32,
) -> [[f32; 3]; 6] {
    // Fraction of the full push: fast rise, short hold, slow return for the landing.
    let hold = 0.05;
    let k = if t < p.jump_push_s {
        smoothstep(t / p.jump_push_s)
    } else if t < p.jump_push_s + hold {
        1.0
    } else {
        1.0 - smoothstep((t - p.jump_push_s - hold) / p.jump_recover_s)
    };
    let toward = [threat_azimuth.cos(), threat_azimuth.sin()];
    let mut feet = [[0.0; 3]; 6];
    for leg in LegId::ALL {
        let mut f = geom.neutral_foot(leg);
        let share = if leg.segment() == Segment::Middle {
            1.0
        } else {
            0.6
        };
        // Feet pushed towards the threat move the body away from it (reaction on the ground).
        f[0] += k * share * p.jump_slide * toward[0];
        f[1] += k * share * p.jump_slide * toward[1];
        f[2] -= k * share * p.jump_push;
        feet[leg.index()] = f;
    }
    feet
}

/// Whether a jump that started `t` seconds ago has landed and recovered.
pub fn jump_done(p: &MotorParams, t: f32) -> bool {
    t >= p.jump_push_s + 0.05 + p.jump_recover_s
}
