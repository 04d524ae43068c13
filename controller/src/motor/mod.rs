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
            MotorCommand::Groom => self.targets_from_feet(&groom::groom_feet(&self.geom, p, t), 0.0, 0.0),
            MotorCommand::Escape {
                mode: EscapeMode::Jump,
                threat_azimuth,
            } => {
                if escape::jump_done(p, t) {
                    self.stand_targets()
                } else {
                    self.targets_from_feet(&escape::jump_feet(&self.geom, p, threat_azimuth, t), 0.0, 0.0)
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
