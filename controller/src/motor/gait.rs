//! Tripod central pattern generator with commanded forward speed and turn rate.
//!
//! One phase oscillator drives both tripods half a cycle apart. In stance a tarsus moves
//! backwards in the body frame with exactly the velocity the body should have relative to the
//! ground (forward speed plus rotation about the thorax), so that with no slip the body moves
//! at the commanded speed; the stepping frequency rises when the stride would leave the leg's
//! workspace. Slip and compliance make the real body slower, so two integral loops close on
//! the measured speed (optic flow) and yaw rate (halteres) and raise the internal command until
//! the measured values match: the speed is made real by the legs, never by moving the body.

use crate::anatomy::LegId;
use crate::motor::command::MotorParams;
use crate::motor::kinematics::BodyGeometry;

/// State of the tripod pattern generator.
#[derive(Debug, Clone, PartialEq)]
pub struct TripodGait {
    phase: f32,
    speed: f32,
    turn: f32,
    speed_i: f32,
    turn_i: f32,
    measured_speed: f32,
    measured_turn: f32,
}

/// Smooth 0..1 ramp with zero slope at both ends.
pub(crate) fn smoothstep(x: f32) -> f32 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

impl Default for TripodGait {
    fn default() -> Self {
        Self::new()
    }
}

impl TripodGait {
    /// A gait at rest, phase 0.
    pub fn new() -> Self {
        TripodGait {
            phase: 0.0,
            speed: 0.0,
            turn: 0.0,
            speed_i: 0.0,
            turn_i: 0.0,
            measured_speed: 0.0,
            measured_turn: 0.0,
        }
    }

    /// Restarts the filters and integrators (the phase continues).
    pub fn reset(&mut self) {
        *self = TripodGait {
            phase: self.phase,
            ..TripodGait::new()
        };
    }

    /// Current oscillator phase, 0..1.
    pub fn phase(&self) -> f32 {
        self.phase
    }

    /// Advances by `dt` seconds towards `speed` (m/s) and `turn` (rad/s), with the measured body
    /// speed and yaw rate as feedback, and returns the tarsus targets in the body frame.
    pub fn step(
        &mut self,
        geom: &BodyGeometry,
        p: &MotorParams,
        speed: f32,
        turn: f32,
        measured: Option<(f32, f32)>,
        dt: f32,
    ) -> [[f32; 3]; 6] {
        let a = dt / (p.command_tau + dt);
        self.speed += a * (speed - self.speed);
        self.turn += a * (turn - self.turn);
        if let Some((v, w)) = measured {
            let b = dt / (p.feedback_tau + dt);
            self.measured_speed += b * (v - self.measured_speed);
            self.measured_turn += b * (w - self.measured_turn);
            // Integrate the error against the filtered command; the integrator is bounded so a
            // body that cannot reach the speed (blocked, lifted) does not wind up without limit.
            self.speed_i += p.speed_ki * (self.speed - self.measured_speed) * dt;
            self.turn_i += p.turn_ki * (self.turn - self.measured_turn) * dt;
            let sl = 0.5 * self.speed.abs() + 0.02;
            let tl = 0.5 * self.turn.abs() + 0.1;
            self.speed_i = self.speed_i.clamp(-sl, sl);
            self.turn_i = self.turn_i.clamp(-tl, tl);
        }
        let v = self.speed + self.speed_i;
        let w = self.turn + self.turn_i;

        // Stepping frequency: lowest that keeps every stride within the workspace.
        let mut demand: f32 = 0.0;
        for leg in LegId::ALL {
            let n = geom.neutral_foot(leg);
            let vel = [v - w * n[1], w * n[0]];
            demand = demand.max((vel[0] * vel[0] + vel[1] * vel[1]).sqrt());
        }
        let freq =
            (demand * p.duty / (2.0 * p.max_half_stride)).clamp(p.min_step_hz, p.max_step_hz);
        self.phase = (self.phase + freq * dt).rem_euclid(1.0);
        let stance_t = p.duty / freq;

        let mut feet = [[0.0; 3]; 6];
        for leg in LegId::ALL {
            let n = geom.neutral_foot(leg);
            // Ground velocity the body should have at this foot; the foot moves the opposite
            // way in the body frame during stance.
            let vel = [v - w * n[1], w * n[0]];
            let mut half = [vel[0] * stance_t * 0.5, vel[1] * stance_t * 0.5];
            let len = (half[0] * half[0] + half[1] * half[1]).sqrt();
            if len > p.max_half_stride {
                half = [
                    half[0] * p.max_half_stride / len,
                    half[1] * p.max_half_stride / len,
                ];
            }
            let lp = (self.phase + 0.5 * leg.tripod() as f32).rem_euclid(1.0);
            let (k, lift) = if lp < p.duty {
                let s = lp / p.duty;
                (1.0 - 2.0 * s, 0.0)
            } else {
                let s = (lp - p.duty) / (1.0 - p.duty);
                (
                    -1.0 + 2.0 * smoothstep(s),
                    p.step_height * (std::f32::consts::PI * s).sin(),
                )
            };
            feet[leg.index()] = [n[0] + k * half[0], n[1] + k * half[1], n[2] + lift];
        }
        feet
    }
}
