//! Leg geometry and kinematics in the body frame (x forward, y left, z up, origin at the
//! thorax centre). Motor patterns plan tarsus positions in Cartesian space, where strides,
//! turning and reaching for the head are simple, and convert them to joint angles here.

use serde::{Deserialize, Serialize};

use crate::anatomy::{LegId, Side};

/// Geometry of one leg, as far as the controller needs it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LegGeometry {
    /// Body-coxa joint position in the body frame, metres.
    pub mount: [f32; 3],
    /// Angle of the leg's rest direction from the lateral axis, radians (> 0 points forward).
    pub rest_yaw: f32,
    /// Coxa length (horizontal, from the body-coxa to the coxa-femur joint), metres.
    pub coxa: f32,
    /// Femur length, metres.
    pub femur: f32,
    /// Tibia length (to the tarsus contact point), metres.
    pub tibia: f32,
    /// Joint limits, [min, max] radians per joint (coxa, femur, tibia).
    pub limits: [[f32; 2]; 3],
}

/// Side of a leg from its mount (left legs have y > 0).
fn side_sign(leg: &LegGeometry) -> f32 {
    if leg.mount[1] >= 0.0 {
        Side::Left.sign()
    } else {
        Side::Right.sign()
    }
}

impl LegGeometry {
    /// Horizontal unit direction of the leg for a given coxa angle.
    pub fn direction(&self, coxa: f32) -> [f32; 2] {
        let psi = self.rest_yaw + coxa;
        [psi.sin(), side_sign(self) * psi.cos()]
    }

    /// Tarsus position in the body frame for joint angles (coxa, femur, tibia).
    pub fn forward(&self, q: [f32; 3]) -> [f32; 3] {
        let d = self.direction(q[0]);
        let r = self.coxa + self.femur * q[1].cos() + self.tibia * (q[1] - q[2]).cos();
        let z = self.femur * q[1].sin() + self.tibia * (q[1] - q[2]).sin();
        [
            self.mount[0] + d[0] * r,
            self.mount[1] + d[1] * r,
            self.mount[2] + z,
        ]
    }

    /// Joint angles that put the tarsus at `p` (body frame), knee up, clamped to the joint
    /// limits; targets out of reach give the nearest reachable pose along the same line.
    pub fn inverse(&self, p: [f32; 3]) -> [f32; 3] {
        let s = side_sign(self);
        let dx = p[0] - self.mount[0];
        let dy = p[1] - self.mount[1];
        let z = p[2] - self.mount[2];
        let psi = dx.atan2(s * dy);
        let coxa = wrap_angle(psi - self.rest_yaw);
        let r = (dx * dx + dy * dy).sqrt() - self.coxa;
        let (lf, lt) = (self.femur, self.tibia);
        let reach_max = (lf + lt) * 0.999;
        let reach_min = (lf - lt).abs() * 1.001 + 1e-6;
        let dist = (r * r + z * z).sqrt().clamp(reach_min, reach_max);
        let cos_a = ((lf * lf + dist * dist - lt * lt) / (2.0 * lf * dist)).clamp(-1.0, 1.0);
        let femur = z.atan2(r) + cos_a.acos();
        let tibia_abs = (z - lf * femur.sin()).atan2(r - lf * femur.cos());
        let tibia = femur - tibia_abs;
        let q = [coxa, femur, wrap_angle(tibia)];
        let mut out = [0.0; 3];
        for j in 0..3 {
            out[j] = q[j].clamp(self.limits[j][0], self.limits[j][1]);
        }
        out
    }
}

/// Wraps an angle to (-pi, pi].
pub fn wrap_angle(a: f32) -> f32 {
    let two_pi = std::f32::consts::TAU;
    let mut x = (a + std::f32::consts::PI).rem_euclid(two_pi) - std::f32::consts::PI;
    if x <= -std::f32::consts::PI {
        x += two_pi;
    }
    x
}

/// The body as the motor patterns see it: leg geometry plus the few head points that grooming
/// and feeding aim at. Built by the simulation from the body description (assets/bodies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyGeometry {
    /// Per leg, [`LegId::index`] order.
    pub legs: [LegGeometry; 6],
    /// Height of the thorax origin above flat ground when standing, metres.
    pub stance_height: f32,
    /// Horizontal distance from the body-coxa joint to the tarsus at rest, metres.
    pub stance_reach: f32,
    /// Neck pivot in the body frame, metres.
    pub neck: [f32; 3],
    /// Head centre in the body frame at neck angle 0, metres.
    pub head_center: [f32; 3],
    /// Head radius, metres.
    pub head_radius: f32,
    /// Antenna sensor points (left, right) in the body frame at neck angle 0, metres.
    pub antennae: [[f32; 3]; 2],
}

impl BodyGeometry {
    /// Rest (neutral standing) tarsus position of a leg in the body frame.
    pub fn neutral_foot(&self, leg: LegId) -> [f32; 3] {
        let g = &self.legs[leg.index()];
        let d = g.direction(0.0);
        let r = g.coxa + self.stance_reach;
        [
            g.mount[0] + d[0] * r,
            g.mount[1] + d[1] * r,
            -self.stance_height,
        ]
    }

    /// Where a point fixed to the head (given at neck angle 0) is for neck pitch `neck`
    /// (> 0 head down).
    pub fn head_point(&self, p0: [f32; 3], neck: f32) -> [f32; 3] {
        let (s, c) = neck.sin_cos();
        let dx = p0[0] - self.neck[0];
        let dz = p0[2] - self.neck[2];
        // Rotation about +y by `neck`: x' = c x + s z, z' = -s x + c z (head down for neck > 0).
        [
            self.neck[0] + c * dx + s * dz,
            p0[1],
            self.neck[2] - s * dx + c * dz,
        ]
    }

    /// Joint angles of every leg that put each tarsus at `feet`.
    pub fn inverse_all(&self, feet: &[[f32; 3]; 6]) -> [[f32; 3]; 6] {
        let mut q = [[0.0; 3]; 6];
        for (i, leg) in self.legs.iter().enumerate() {
            q[i] = leg.inverse(feet[i]);
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg(mount_y: f32, rest_yaw: f32) -> LegGeometry {
        let lim = [-3.0, 3.0];
        LegGeometry {
            mount: [0.02, mount_y, -0.01],
            rest_yaw,
            coxa: 0.02,
            femur: 0.07,
            tibia: 0.09,
            limits: [lim, lim, lim],
        }
    }

    #[test]
    fn inverse_kinematics_reaches_the_target_on_both_sides() {
        for l in [leg(0.04, 0.5), leg(-0.04, -0.4), leg(0.04, 0.0)] {
            for target in [[0.05, 0.1, -0.07], [-0.02, 0.12, -0.06], [0.1, 0.08, 0.0]] {
                let t = if l.mount[1] < 0.0 {
                    [target[0], -target[1], target[2]]
                } else {
                    target
                };
                let q = l.inverse(t);
                let p = l.forward(q);
                for k in 0..3 {
                    assert!((p[k] - t[k]).abs() < 1e-4, "{t:?} -> {q:?} -> {p:?}");
                }
            }
        }
    }

    #[test]
    fn protraction_is_positive_coxa_on_both_sides() {
        for l in [leg(0.04, 0.0), leg(-0.04, 0.0)] {
            let ahead = l.forward([0.3, 0.3, 1.2]);
            let behind = l.forward([-0.3, 0.3, 1.2]);
            assert!(ahead[0] > behind[0]);
        }
    }

    #[test]
    fn wrap_stays_in_range() {
        for a in [-10.0f32, -3.2, 0.0, 3.2, 7.0] {
            let w = wrap_angle(a);
            assert!(w > -std::f32::consts::PI - 1e-6 && w <= std::f32::consts::PI + 1e-6);
            assert!(
                ((a - w) / std::f32::consts::TAU).fract().abs() < 1e-4
                    || ((a - w) / std::f32::consts::TAU).fract().abs() > 1.0 - 1e-4
            );
        }
    }
}
