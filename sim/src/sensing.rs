//! Sensors computed from world and body each control tick: odor at the antennae, taste on
//! contact with food, looming per eye, wind, touch, proprioception and self-motion.

use controller::anatomy::{LegId, Side};
use controller::sensors::{InternalState, LegSense, Looming, Sensors, Taste};
use rapier3d::prelude::*;

use crate::body::Body;
use crate::world::World;

/// Half-width of the binocular overlap: each eye sees this far across the midline, radians.
const EYE_OVERLAP: f32 = 0.35;
/// Largest height of a taste organ above the food surface that still counts as contact, metres.
const TASTE_CONTACT: f32 = 0.012;
/// Each antenna's obstacle feeler: a segment from the antenna this long, metres...
const FEELER_REACH: f32 = 0.04;
/// ...pointing this far outward from straight ahead, radians...
const FEELER_ANGLE: f32 = 0.5;
/// ...that senses walls and obstacles up to this far from it, metres (nearness 1 at 0).
const OBSTACLE_RANGE: f32 = 0.08;

fn arr(v: Vector) -> [f32; 3] {
    [v.x, v.y, v.z]
}

/// Odor concentration below which the receptors see nothing (the log of the concentration
/// is taken of `c + ODOR_FLOOR`), arbitrary units.
const ODOR_FLOOR: f32 = 0.01;
/// Time constant of the odor's rate of change, seconds (the phasic part of a receptor
/// neuron's response lasts some 100 ms: Nagel & Wilson 2011).
const ODOR_CHANGE_TAU_S: f32 = 0.1;

/// `now.odor_change`: the rate of change of the log odor concentration at each antenna
/// from `before` (the last tick, `dt` seconds ago), low-pass filtered.
pub fn odor_change(before: &Sensors, now: &mut Sensors, dt: f32) {
    let alpha = 1.0 - (-dt / ODOR_CHANGE_TAU_S).exp();
    for i in 0..2 {
        let rate = ((now.odor[i] + ODOR_FLOOR).ln() - (before.odor[i] + ODOR_FLOOR).ln()) / dt;
        let y = before.odor_change[i];
        now.odor_change[i] = if rate.is_finite() {
            y + (rate - y) * alpha
        } else {
            y
        };
    }
}

/// Everything the body senses now (all but [`odor_change`], which needs the last tick).
pub fn sense(world: &World, body: &Body, internal: &InternalState) -> Sensors {
    let phys = &world.physics;
    let pose = body.thorax_pose(phys);
    let inv = pose.rotation.inverse();
    let t = world.time as f32;

    let mut s = Sensors {
        time_s: world.time,
        internal: *internal,
        dust_load: internal.dust,
        ..Sensors::default()
    };
    for side in Side::BOTH {
        s.odor[side.index()] = world.odor_at(arr(body.antenna(phys, side)));
    }

    // Obstacles: nearness to the closest point of each antenna's feeler, as antennal touch
    // and the eyes' view of a close surface would report it.
    let ahead = pose.rotation * Vector::X;
    let (sy, cy) = ahead.y.atan2(ahead.x).sin_cos();
    for side in Side::BOTH {
        let base = body.antenna(phys, side);
        let out = match side {
            Side::Left => FEELER_ANGLE,
            Side::Right => -FEELER_ANGLE,
        };
        let (so, co) = out.sin_cos();
        let dir = [cy * co - sy * so, sy * co + cy * so];
        let d = world.obstacle_distance((0..=4).map(|k| {
            let r = FEELER_REACH * k as f32 / 4.0;
            [base.x + r * dir[0], base.y + r * dir[1]]
        }));
        s.obstacle[side.index()] = (1.0 - d / OBSTACLE_RANGE).clamp(0.0, 1.0);
    }

    // Taste: a labellum or tarsus on a food patch, low enough to touch it.
    let tip = body.proboscis_tip(phys);
    let feet = body.feet_positions(phys);
    let contacts = body.foot_contacts(phys);
    let mut taste = Taste::default();
    for f in &world.scene.food {
        let on = |p: Vector, r: f32| {
            let (dx, dy) = (p.x - f.position[0], p.y - f.position[1]);
            (dx * dx + dy * dy).sqrt() <= f.radius
                && p.z - world.ground_height(p.x, p.y) <= TASTE_CONTACT + r
        };
        if body.proboscis() > 0.5 && on(tip, 0.0) {
            taste.proboscis = taste.proboscis.max(f.sugar);
        }
        for (k, leg) in [LegId::LF, LegId::RF].into_iter().enumerate() {
            if contacts[leg.index()] && on(feet[leg.index()], body.spec().legs.tarsus_radius) {
                taste.tarsi[k] = taste.tarsi[k].max(f.sugar);
            }
        }
    }
    s.taste = taste;

    // Looming: angular size 2 asin(R / d) of each threat as seen from each eye, its rate of
    // change from the relative velocity, and which eye's field of view it falls in.
    let vel = body.linvel(phys);
    for side in Side::BOTH {
        let eye = body.eye(phys, side);
        let mut best = Looming::default();
        for th in &world.scene.threats {
            let Some(c) = th.position(t) else { continue };
            let rel = Vector::new(c[0], c[1], c[2]) - eye;
            let d = rel.length().max(th.radius * 1.0001);
            let local = inv * rel;
            let azimuth = local.y.atan2(local.x);
            let visible = match side {
                Side::Left => azimuth >= -EYE_OVERLAP,
                Side::Right => azimuth <= EYE_OVERLAP,
            };
            if !visible {
                continue;
            }
            let angle = 2.0 * (th.radius / d).min(1.0).asin();
            let rel_vel = Vector::new(th.velocity[0], th.velocity[1], th.velocity[2]) - vel;
            let d_dot = rel.dot(rel_vel) / d;
            let expansion =
                -2.0 * th.radius * d_dot / (d * (d * d - th.radius * th.radius).max(1e-12).sqrt());
            if angle > best.angle {
                best = Looming {
                    angle,
                    expansion,
                    azimuth,
                };
            }
        }
        s.looming[side.index()] = best;
    }

    // Air flow felt by the antennae: wind minus own motion, in the body frame.
    let air = inv
        * Vector::new(
            world.scene.wind[0] - vel.x,
            world.scene.wind[1] - vel.y,
            0.0,
        );
    s.wind = [air.x, air.y];

    // Touch: head, thorax or abdomen in contact with an obstacle (not the floor), by side.
    for &c in body.body_colliders() {
        for pair in phys.narrow_phase.contact_pairs_with(c) {
            let other = if pair.collider1 == c {
                pair.collider2
            } else {
                pair.collider1
            };
            if other == world.ground() || !pair.has_any_active_contact() {
                continue;
            }
            for m in pair.manifolds() {
                for pt in &m.points {
                    let (coll, local) = if pair.collider1 == c {
                        (c, pt.local_p1)
                    } else {
                        (c, pt.local_p2)
                    };
                    let world_p = phys.colliders[coll].position().transform_point(local);
                    let lp = inv * (world_p - pose.translation);
                    let side = if lp.y >= 0.0 { Side::Left } else { Side::Right };
                    s.touch[side.index()] = 1.0;
                }
            }
        }
    }

    let angles = body.leg_angles(phys);
    for leg in LegId::ALL {
        s.legs[leg.index()] = LegSense {
            angles: angles[leg.index()],
            contact: contacts[leg.index()],
        };
    }
    let v_body = inv * vel;
    s.body_velocity = [v_body.x, v_body.y];
    s.yaw_rate = body.angvel(phys).z;
    s
}
