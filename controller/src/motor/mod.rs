//! Motor pattern generators: a behaviour command in, joint targets out.
//!
//! [`MotorPatterns`] owns one generator per behaviour (tripod walking, grooming, escape jump or
//! run, feeding, standing), plans tarsus positions in the body frame and converts them with
//! the leg kinematics of the body description. A change of behaviour blends from the last
//! targets to the new pattern (smoothstep in joint space), and every target is slew-limited,
//! so no joint target ever jumps. No physics here: the simulation tracks the targets with its
//! joint motors.

pub mod command;
pub mod escape;
pub mod gait;
pub mod groom;
pub mod kinematics;

pub use command::{EscapeMode, MotorCommand, MotorParams, PatternKind};
pub use gait::TripodGait;
pub use kinematics::{BodyGeometry, LegGeometry};

use crate::anatomy::{JointTargets, LegId};
use crate::sensors::Sensors;
use gait::smoothstep;
use kinematics::wrap_angle;

/// Largest proboscis extension speed, full lengths per second.
const PROBOSCIS_SPEED: f32 = 4.0;

/// The motor pattern generators of one body, with their blending state.
#[derive(Debug, Clone)]
pub struct MotorPatterns {
    geom: BodyGeometry,
    params: MotorParams,
    gait: TripodGait,
    kind: Option<PatternKind>,
    /// Seconds since the current pattern started.
    elapsed: f32,
    blend_from: JointTargets,
    blend_len: f32,
    last: Option<JointTargets>,
    /// Yaw turned since the current pattern started (integrated haltere signal), radians.
    turned: f32,
}

impl MotorPatterns {
    /// Generators for a body with this geometry and these parameters.
    pub fn new(geom: BodyGeometry, params: MotorParams) -> Self {
        MotorPatterns {
            geom,
            params,
            gait: TripodGait::new(),
            kind: None,
            elapsed: 0.0,
            blend_from: JointTargets::default(),
            blend_len: 0.0,
            last: None,
            turned: 0.0,
        }
    }

    /// The body geometry the patterns plan for.
    pub fn geometry(&self) -> &BodyGeometry {
        &self.geom
    }

    /// The pattern parameters.
    pub fn params(&self) -> &MotorParams {
        &self.params
    }

    /// The pattern running now (`None` before the first step).
    pub fn kind(&self) -> Option<PatternKind> {
        self.kind
    }

    /// Joint targets of the neutral standing pose.
    pub fn stand_targets(&self) -> JointTargets {
        self.targets_from_feet(&self.neutral_feet(), 0.0, 0.0)
    }

    fn neutral_feet(&self) -> [[f32; 3]; 6] {
        let mut feet = [[0.0; 3]; 6];
        for leg in LegId::ALL {
            feet[leg.index()] = self.geom.neutral_foot(leg);
        }
        feet
    }

    fn targets_from_feet(&self, feet: &[[f32; 3]; 6], neck: f32, proboscis: f32) -> JointTargets {
        JointTargets {
            legs: self.geom.inverse_all(feet),
            neck,
            proboscis,
        }
    }

    /// Advances the patterns by `dt` seconds under `cmd` and returns the joint targets.
    /// `sensors` closes the speed, turn and heading loops (optic flow, halteres); without it the
    /// gait runs open loop on its geometric calibration.
    pub fn step(&mut self, cmd: &MotorCommand, sensors: Option<&Sensors>, dt: f32) -> JointTargets {
        let kind = cmd.kind();
        if self.kind != Some(kind) {
            self.kind = Some(kind);
            self.elapsed = 0.0;
            self.turned = 0.0;
            self.gait.reset();
            self.blend_from = self.last.unwrap_or_else(|| self.stand_targets());
            self.blend_len = if kind == PatternKind::Escape {
                self.params.escape_blend_s
            } else {
                self.params.blend_s
            };
        } else {
            self.elapsed += dt;
        }
        if let Some(s) = sensors {
            self.turned += s.yaw_rate * dt;
        }
        let measured = sensors.map(|s| (s.body_velocity[0], s.yaw_rate));
        let t = self.elapsed;
        let p = &self.params;
        let raw = match *cmd {
            MotorCommand::Stand => self.stand_targets(),
            MotorCommand::Walk { speed, turn } => {
                let feet = self.gait.step(&self.geom, p, speed, turn, measured, dt);
                self.targets_from_feet(&feet, 0.0, 0.0)
            }
            MotorCommand::Groom => {
                self.targets_from_feet(&groom::groom_feet(&self.geom, p, t), 0.0, 0.0)
            }
            MotorCommand::Escape {
                mode: EscapeMode::Jump,
                threat_azimuth,
            } => {
                if escape::jump_done(p, t) {
                    self.stand_targets()
                } else {
                    self.targets_from_feet(
                        &escape::jump_feet(&self.geom, p, threat_azimuth, t),
                        0.0,
                        0.0,
                    )
                }
            }
            MotorCommand::Escape {
                mode: EscapeMode::Run,
                threat_azimuth,
            } => {
                // Heading error to "directly away from the threat", updated by how far the body
                // has turned since the escape began.
                let err = wrap_angle(threat_azimuth + std::f32::consts::PI - self.turned);
                let turn = (4.0 * err).clamp(-p.run_turn, p.run_turn);
                let (run_speed, run_turn) = (p.run_speed, p.run_turn);
                let feet = self.gait.step(
                    &self.geom,
                    &self.params,
                    run_speed,
                    turn.clamp(-run_turn, run_turn),
                    measured,
                    dt,
                );
                self.targets_from_feet(&feet, 0.0, 0.0)
            }
            MotorCommand::Feed => {
                let neck = p.feed_neck * smoothstep(t / 0.3);
                let proboscis = smoothstep((t - p.feed_proboscis_delay_s) / 0.3);
                self.targets_from_feet(&self.neutral_feet(), neck, proboscis)
            }
        };
        let out = self.blend_and_limit(raw, dt);
        self.last = Some(out);
        out
    }

    fn blend_and_limit(&self, raw: JointTargets, dt: f32) -> JointTargets {
        let w = if self.blend_len > 0.0 {
            smoothstep(self.elapsed / self.blend_len)
        } else {
            1.0
        };
        let from = self.blend_from.as_array();
        let to = raw.as_array();
        let mut out = [0.0f32; 20];
        for i in 0..20 {
            out[i] = from[i] + (to[i] - from[i]) * w;
        }
        if let Some(last) = self.last {
            let prev = last.as_array();
            for i in 0..20 {
                let lim = if i == 19 {
                    PROBOSCIS_SPEED * dt
                } else {
                    self.params.max_joint_speed * dt
                };
                out[i] = out[i].clamp(prev[i] - lim, prev[i] + lim);
            }
        }
        JointTargets::from_array(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anatomy::Side;

    /// A plausible body for pattern tests (the sim crate builds the real one from TOML).
    fn geometry() -> BodyGeometry {
        let lim = [[-1.4, 1.5], [-1.0, 1.7], [0.0, 2.8]];
        let leg = |x: f32, side: Side, yaw_deg: f32| LegGeometry {
            mount: [x, 0.035 * side.sign(), -0.012],
            rest_yaw: yaw_deg.to_radians(),
            coxa: 0.015,
            femur: 0.07,
            tibia: 0.085,
            limits: lim,
        };
        BodyGeometry {
            legs: [
                leg(0.045, Side::Left, 40.0),
                leg(0.0, Side::Left, 0.0),
                leg(-0.045, Side::Left, -40.0),
                leg(0.045, Side::Right, 40.0),
                leg(0.0, Side::Right, 0.0),
                leg(-0.045, Side::Right, -40.0),
            ],
            stance_height: 0.07,
            stance_reach: 0.085,
            neck: [0.062, 0.0, 0.0],
            head_center: [0.088, 0.0, 0.006],
            head_radius: 0.026,
            antennae: [[0.112, 0.012, 0.026], [0.112, -0.012, 0.026]],
        }
    }

    fn commands() -> Vec<MotorCommand> {
        vec![
            MotorCommand::Stand,
            MotorCommand::Walk {
                speed: 0.15,
                turn: 0.3,
            },
            MotorCommand::Groom,
            MotorCommand::Escape {
                mode: EscapeMode::Jump,
                threat_azimuth: 1.0,
            },
            MotorCommand::Feed,
            MotorCommand::Escape {
                mode: EscapeMode::Run,
                threat_azimuth: -2.0,
            },
            MotorCommand::Walk {
                speed: -0.08,
                turn: 0.0,
            },
        ]
    }

    #[test]
    fn every_transition_is_smooth() {
        let dt = 0.001;
        let cmds = commands();
        for a in &cmds {
            for b in &cmds {
                let mut m = MotorPatterns::new(geometry(), MotorParams::default());
                let mut last = None::<JointTargets>;
                for (cmd, ticks) in [(a, 400), (b, 600)] {
                    for _ in 0..ticks {
                        let t = m.step(cmd, None, dt);
                        if let Some(prev) = last {
                            let jump = t.max_abs_diff(&prev);
                            assert!(
                                jump <= m.params().max_joint_speed * dt + 1e-5,
                                "{a:?} -> {b:?}: step of {jump} rad"
                            );
                        }
                        last = Some(t);
                    }
                }
            }
        }
    }

    #[test]
    fn without_blending_and_slew_limits_switching_would_jump() {
        // The smoothness test above can fail: the raw patterns are far apart.
        let p = MotorParams {
            blend_s: 0.0,
            escape_blend_s: 0.0,
            max_joint_speed: 1e6,
            ..MotorParams::default()
        };
        let mut m = MotorPatterns::new(geometry(), p);
        let stand = m.step(&MotorCommand::Stand, None, 0.001);
        let groom = m.step(&MotorCommand::Groom, None, 0.001);
        assert!(groom.max_abs_diff(&stand) > 0.5);
    }

    #[test]
    fn grooming_targets_reach_the_head() {
        let g = geometry();
        let p = MotorParams::default();
        let mut closest = f32::MAX;
        for k in 0..1000 {
            let feet = groom::groom_feet(&g, &p, k as f32 * 0.001);
            let q = g.legs[LegId::LF.index()].inverse(feet[LegId::LF.index()]);
            let f = g.legs[LegId::LF.index()].forward(q);
            let d: f32 = (0..3)
                .map(|i| (f[i] - g.head_center[i]).powi(2))
                .sum::<f32>()
                .sqrt();
            closest = closest.min(d);
        }
        assert!(
            closest < 1.5 * g.head_radius,
            "closest planned tarsus-head distance {closest}"
        );
    }

    #[test]
    fn gait_alternates_tripods_and_strides_with_the_command() {
        let g = geometry();
        let p = MotorParams::default();
        let mut gait = TripodGait::new();
        let mut lifted = [0usize; 2];
        let mut x_range = [f32::MAX, f32::MIN];
        for _ in 0..3000 {
            let feet = gait.step(&g, &p, 0.1, 0.0, None, 0.001);
            for leg in LegId::ALL {
                let f = feet[leg.index()];
                if f[2] > -g.stance_height + 1e-4 {
                    lifted[leg.tripod()] += 1;
                }
            }
            // Never both tripods in the air at once.
            let up: Vec<bool> = LegId::ALL
                .iter()
                .map(|l| feet[l.index()][2] > -g.stance_height + 1e-4)
                .collect();
            assert!(
                !(up[0] && up[3]),
                "LF and RF (different tripods) both lifted"
            );
            let lf = feet[LegId::LF.index()][0];
            x_range = [x_range[0].min(lf), x_range[1].max(lf)];
        }
        assert!(lifted[0] > 0 && lifted[1] > 0);
        assert!(x_range[1] - x_range[0] > 0.02, "stride {x_range:?}");
    }
}
