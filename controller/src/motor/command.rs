//! The behaviour command a motor pattern generator carries out, and the tunable parameters of
//! the patterns (read from the `[motor]` table of a body description).

use serde::{Deserialize, Serialize};

/// How to escape a threat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EscapeMode {
    /// Thrust from the middle legs that throws the body up and away from the threat.
    Jump,
    /// Turn away from the threat and run at full speed.
    Run,
}

/// One behaviour, as chosen by the behaviour arbiter (or by hand in `hexafly body run`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MotorCommand {
    /// Stand still on six legs.
    Stand,
    /// Tripod walking; negative speed walks backwards.
    Walk {
        /// Forward speed, m/s.
        speed: f32,
        /// Turn rate, rad/s (> 0 turns left).
        turn: f32,
    },
    /// Antennal grooming: front legs sweep over head and antennae while four legs hold.
    Groom,
    /// Escape from a threat.
    Escape {
        /// Jump or run.
        mode: EscapeMode,
        /// Azimuth of the threat in the body frame when the escape starts, radians (0 ahead,
        /// > 0 left).
        threat_azimuth: f32,
    },
    /// Feeding: stop, lower the head, extend the proboscis.
    Feed,
}

impl MotorCommand {
    /// Which pattern generator runs this command (parameter changes inside the same kind do
    /// not restart it).
    pub fn kind(&self) -> PatternKind {
        match self {
            MotorCommand::Stand => PatternKind::Stand,
            MotorCommand::Walk { .. } => PatternKind::Walk,
            MotorCommand::Groom => PatternKind::Groom,
            MotorCommand::Escape { .. } => PatternKind::Escape,
            MotorCommand::Feed => PatternKind::Feed,
        }
    }
}

/// The five pattern generators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PatternKind {
    /// Standing.
    Stand,
    /// Tripod walking.
    Walk,
    /// Antennal grooming.
    Groom,
    /// Escape jump or run.
    Escape,
    /// Feeding.
    Feed,
}

/// Tunable parameters of the motor patterns. Every field has a default suited to the bundled
/// hexapod; a body file may override any of them in its `[motor]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MotorParams {
    /// Slowest stepping frequency, Hz.
    pub min_step_hz: f32,
    /// Fastest stepping frequency, Hz.
    pub max_step_hz: f32,
    /// Largest tarsus excursion from its neutral point along the ground, metres.
    pub max_half_stride: f32,
    /// Swing lift height, metres.
    pub step_height: f32,
    /// Fraction of the cycle a leg is on the ground (0.5 for a pure tripod).
    pub duty: f32,
    /// Time constant of the speed/turn command filter, seconds.
    pub command_tau: f32,
    /// Integral gain of the speed loop closed on the optic-flow speed estimate, 1/s.
    pub speed_ki: f32,
    /// Integral gain of the turn loop closed on the haltere yaw-rate estimate, 1/s.
    pub turn_ki: f32,
    /// Time constant of the low-pass filter on measured speed and yaw rate, seconds.
    pub feedback_tau: f32,
    /// Blend time from one pattern to another, seconds.
    pub blend_s: f32,
    /// Blend time into escape (short: escape must act within 200 ms), seconds.
    pub escape_blend_s: f32,
    /// Largest joint target speed, rad/s: the hard guarantee against joint jumps.
    pub max_joint_speed: f32,
    /// Grooming sweep frequency, Hz.
    pub groom_hz: f32,
    /// How far the middle legs move forward while grooming (keeps the centre of mass over the
    /// four supporting legs), metres.
    pub groom_mid_forward: f32,
    /// Jump: how far the middle legs push down, metres.
    pub jump_push: f32,
    /// Jump: how far the feet push towards the threat (moving the body away), metres.
    pub jump_slide: f32,
    /// Jump: duration of the push, seconds.
    pub jump_push_s: f32,
    /// Jump: time to return to standing after the push, seconds.
    pub jump_recover_s: f32,
    /// Run escape: running speed, m/s.
    pub run_speed: f32,
    /// Run escape: largest turn rate, rad/s.
    pub run_turn: f32,
    /// Feeding: neck pitch, radians (> 0 head down).
    pub feed_neck: f32,
    /// Feeding: delay before the proboscis extends (head lowers first), seconds.
    pub feed_proboscis_delay_s: f32,
}

impl MotorParams {
    /// The fastest walk the gait can carry out, m/s: the longest stride
    /// (`2 * max_half_stride`) in every stance, at the highest stepping rate (a stance
    /// lasts `duty / max_step_hz`). A faster command could only be met by strides that leave
    /// the legs' workspace, so it is refused rather than quietly capped.
    pub fn max_walk_speed(&self) -> f32 {
        2.0 * self.max_half_stride * self.max_step_hz / self.duty
    }

    /// Every field that is out of its range, one message per field naming it as
    /// `motor.FIELD` (the table a body file sets them in); empty when all are usable. The
    /// patterns divide by or clamp with several of them, so an out-of-range value would
    /// give NaN joint targets or a panic instead of a motion.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut need = |name: &str, v: f32, ok: bool, what: &str| {
            if !(v.is_finite() && ok) {
                out.push(format!("`motor.{name}` must be {what}, got {v}"));
            }
        };
        let positive = "a number > 0";
        let non_negative = "a number >= 0";
        need(
            "min_step_hz",
            self.min_step_hz,
            self.min_step_hz > 0.0,
            positive,
        );
        need(
            "max_step_hz",
            self.max_step_hz,
            self.max_step_hz >= self.min_step_hz,
            "a number >= `motor.min_step_hz`",
        );
        need(
            "max_half_stride",
            self.max_half_stride,
            self.max_half_stride > 0.0,
            positive,
        );
        need(
            "step_height",
            self.step_height,
            self.step_height >= 0.0,
            non_negative,
        );
        need(
            "duty",
            self.duty,
            self.duty > 0.0 && self.duty < 1.0,
            "a fraction strictly between 0 and 1",
        );
        for (name, v) in [
            ("command_tau", self.command_tau),
            ("speed_ki", self.speed_ki),
            ("turn_ki", self.turn_ki),
            ("feedback_tau", self.feedback_tau),
            ("blend_s", self.blend_s),
            ("escape_blend_s", self.escape_blend_s),
            ("groom_hz", self.groom_hz),
            ("jump_push", self.jump_push),
            ("jump_slide", self.jump_slide),
            ("run_speed", self.run_speed),
            ("run_turn", self.run_turn),
            ("feed_proboscis_delay_s", self.feed_proboscis_delay_s),
        ] {
            need(name, v, v >= 0.0, non_negative);
        }
        for (name, v) in [
            ("max_joint_speed", self.max_joint_speed),
            ("jump_push_s", self.jump_push_s),
            ("jump_recover_s", self.jump_recover_s),
        ] {
            need(name, v, v > 0.0, positive);
        }
        for (name, v) in [
            ("groom_mid_forward", self.groom_mid_forward),
            ("feed_neck", self.feed_neck),
        ] {
            need(name, v, true, "a finite number");
        }
        out
    }
}

impl Default for MotorParams {
    fn default() -> Self {
        MotorParams {
            min_step_hz: 2.0,
            max_step_hz: 6.0,
            max_half_stride: 0.03,
            step_height: 0.025,
            duty: 0.5,
            command_tau: 0.2,
            speed_ki: 1.5,
            turn_ki: 1.5,
            feedback_tau: 0.5,
            blend_s: 0.3,
            escape_blend_s: 0.03,
            max_joint_speed: 40.0,
            groom_hz: 2.0,
            groom_mid_forward: 0.02,
            jump_push: 0.04,
            jump_slide: 0.02,
            jump_push_s: 0.07,
            jump_recover_s: 0.4,
            run_speed: 0.25,
            run_turn: 3.0,
            feed_neck: 0.3,
            feed_proboscis_delay_s: 0.3,
        }
    }
}
