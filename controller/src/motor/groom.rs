//! Antennal grooming: the front tarsi rise to the head and sweep back and forth between the
//! antennae and the top of the head (both legs together, mirrored), while the middle and hind
//! legs hold the body, the middle legs shifted forward so the centre of mass stays over the
//! four supporting tarsi.

use crate::anatomy::{LegId, Segment};
use crate::motor::command::MotorParams;
use crate::motor::kinematics::BodyGeometry;

/// Tarsus targets `t` seconds into grooming.
pub fn groom_feet(geom: &BodyGeometry, p: &MotorParams, t: f32) -> [[f32; 3]; 6] {
    let s = 0.5 - 0.5 * (std::f32::consts::TAU * p.groom_hz * t).cos();
    let mut feet = [[0.0; 3]; 6];
    for leg in LegId::ALL {
        let mut f = geom.neutral_foot(leg);
        match leg.segment() {
            Segment::Front => {
                let side = leg.side();
                let ant = geom.antennae[side.index()];
                let h = geom.head_center;
                let r = geom.head_radius;
                // Just in front of and above the antenna, then back over the top of the head
                // on the same side: the tarsus wipes the antenna and the head capsule.
                let a = [
                    ant[0] + 0.3 * r,
                    ant[1] + side.sign() * 0.3 * r,
                    ant[2] + 0.3 * r,
                ];
                let b = [h[0] - 0.2 * r, h[1] + side.sign() * 0.6 * r, h[2] + 0.9 * r];
                for k in 0..3 {
                    f[k] = a[k] + (b[k] - a[k]) * s;
                }
            }
            Segment::Middle => f[0] += p.groom_mid_forward,
            Segment::Hind => {}
        }
        feet[leg.index()] = f;
    }
    feet
}
