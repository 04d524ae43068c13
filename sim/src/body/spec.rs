//! The body description (assets/bodies/*.toml): parsing, validation and scaling.

use std::path::{Path, PathBuf};

use controller::anatomy::LegId;
use controller::motor::{BodyGeometry, LegGeometry, MotorParams};
use serde::Deserialize;

use super::BodyError;

/// Path of the bundled hexapod description.
pub fn default_body_path() -> PathBuf {
    crate::assets::path("bodies/hexapod.toml")
}

/// Thorax box.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThoraxSpec {
    /// Half extents (x, y, z), metres.
    pub half_extents: [f32; 3],
    /// Mass, kg.
    pub mass: f32,
}

/// Head, neck joint and head sensors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadSpec {
    /// Neck pivot in the thorax frame.
    pub neck: [f32; 3],
    /// Head centre (thorax frame, neck angle 0).
    pub center: [f32; 3],
    /// Head sphere radius.
    pub radius: f32,
    /// Head mass, kg.
    pub mass: f32,
    /// Antenna sensor points, left then right (thorax frame, neck angle 0).
    pub antennae: [[f32; 3]; 2],
    /// Eye centres, left then right (thorax frame, neck angle 0).
    pub eyes: [[f32; 3]; 2],
    /// Neck pitch limits, degrees.
    pub neck_limits_deg: [f32; 2],
    /// Neck motor position gain, N m / rad.
    pub neck_stiffness: f32,
    /// Neck motor velocity gain, N m s / rad.
    pub neck_damping: f32,
    /// Neck motor torque limit, N m.
    pub neck_max_torque: f32,
}

/// Proboscis (a sensor segment on the head: it extends kinematically and carries no mass).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProboscisSpec {
    /// Base on the head (thorax frame, neck angle 0).
    pub base: [f32; 3],
    /// Extension direction (normalised on load).
    pub direction: [f32; 3],
    /// Fully extended length.
    pub length: f32,
}

/// Abdomen capsule along x.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbdomenSpec {
    /// Centre in the thorax frame.
    pub center: [f32; 3],
    /// Half length of the capsule's axis.
    pub half_length: f32,
    /// Capsule radius.
    pub radius: f32,
    /// Mass, kg.
    pub mass: f32,
}

/// Where one leg attaches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MountSpec {
    /// Body-coxa joint in the thorax frame.
    pub position: [f32; 3],
    /// Rest direction from the lateral axis, degrees (> 0 forward).
    pub rest_yaw_deg: f32,
}

/// Mounts of all six legs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MountsSpec {
    /// Left front.
    pub lf: MountSpec,
    /// Left middle.
    pub lm: MountSpec,
    /// Left hind.
    pub lh: MountSpec,
    /// Right front.
    pub rf: MountSpec,
    /// Right middle.
    pub rm: MountSpec,
    /// Right hind.
    pub rh: MountSpec,
}

impl MountsSpec {
    /// Mount of `leg`.
    pub fn get(&self, leg: LegId) -> &MountSpec {
        match leg {
            LegId::LF => &self.lf,
            LegId::LM => &self.lm,
            LegId::LH => &self.lh,
            LegId::RF => &self.rf,
            LegId::RM => &self.rm,
            LegId::RH => &self.rh,
        }
    }
}

/// Leg segments and joints (shared by the six legs).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegsSpec {
    /// Coxa length.
    pub coxa_length: f32,
    /// Femur length.
    pub femur_length: f32,
    /// Tibia length, to the tarsus contact centre.
    pub tibia_length: f32,
    /// Tarsus contact sphere radius.
    pub tarsus_radius: f32,
    /// Coxa mass, kg.
    pub coxa_mass: f32,
    /// Femur mass, kg.
    pub femur_mass: f32,
    /// Tibia mass (with tarsus), kg.
    pub tibia_mass: f32,
    /// Radius of the segment capsules (inertia only: segments do not collide).
    pub segment_radius: f32,
    /// Coxa limits, degrees.
    pub coxa_limits_deg: [f32; 2],
    /// Femur limits, degrees.
    pub femur_limits_deg: [f32; 2],
    /// Tibia limits, degrees.
    pub tibia_limits_deg: [f32; 2],
    /// Motor position gains (coxa, femur, tibia), N m / rad.
    pub stiffness: [f32; 3],
    /// Motor velocity gains, N m s / rad.
    pub damping: [f32; 3],
    /// Motor torque limits, N m.
    pub max_torque: [f32; 3],
    /// Per-leg mounts.
    pub mounts: MountsSpec,
}

/// Standing posture and the fall criterion.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StanceSpec {
    /// Thorax centre height above flat ground.
    pub height: f32,
    /// Horizontal distance from the coxa-femur joint to the tarsus at rest.
    pub reach: f32,
    /// Thorax centre closer than this to the ground counts as fallen.
    pub fall_height: f32,
    /// Roll or pitch beyond this counts as fallen, degrees.
    pub fall_tilt_deg: f32,
}

/// Physics settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhysicsSpec {
    /// Physics step, seconds.
    pub dt: f32,
    /// Rapier solver iterations (substeps) per step.
    pub solver_iterations: usize,
    /// Projected Gauss-Seidel sweeps per solver iteration: cheaper than solver iterations and
    /// enough to stop the feet creeping under a standing body.
    #[serde(default = "one_usize")]
    pub pgs_iterations: usize,
    /// Tarsus friction coefficient.
    pub friction: f32,
    /// Friction of head, thorax and abdomen.
    pub body_friction: f32,
}

/// A complete body description.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodySpec {
    /// Name of the body.
    pub name: String,
    /// Length scale (applied by [`BodySpec::scaled`]).
    pub scale: f32,
    /// Thorax.
    pub thorax: ThoraxSpec,
    /// Head.
    pub head: HeadSpec,
    /// Proboscis.
    pub proboscis: ProboscisSpec,
    /// Abdomen.
    pub abdomen: AbdomenSpec,
    /// Legs.
    pub legs: LegsSpec,
    /// Stance.
    pub stance: StanceSpec,
    /// Physics.
    pub physics: PhysicsSpec,
    /// Motor pattern parameters (lengths and speeds given at scale 1).
    #[serde(default)]
    pub motor: MotorParams,
}

/// Smallest and largest `scale`. Measured with the bundled body: below 0.1 the body stands
/// frozen without foot contacts (and far below, the leg kinematics panic); above 10 the feet
/// leave the ground. Gains grow as scale^4, so far larger scales also overflow.
const MIN_SCALE: f32 = 0.1;
const MAX_SCALE: f32 = 10.0;
/// Most solver or PGS iterations per step (the bundled body uses 1 and 4).
const MAX_ITERATIONS: usize = 100;
/// Smallest physics step, seconds (100 kHz).
const MIN_DT: f32 = 1e-5;

fn one_usize() -> usize {
    1
}

fn scale3(v: &mut [f32; 3], s: f32) {
    for x in v.iter_mut() {
        *x *= s;
    }
}

impl BodySpec {
    /// Reads, validates and scales a body description: [`BodyError::Read`] or the errors of
    /// [`BodySpec::parse`].
    pub fn load(path: &Path) -> Result<BodySpec, BodyError> {
        let text = std::fs::read_to_string(path).map_err(|source| BodyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses, validates and scales a body description; `path` names it in errors:
    /// [`BodyError::Toml`] (syntax, missing or unknown keys) or [`BodyError::Invalid`]
    /// (numbers that are not finite, then values out of range, every one listed).
    pub fn parse(text: &str, path: &Path) -> Result<BodySpec, BodyError> {
        let spec: BodySpec = toml::from_str(text).map_err(|source| BodyError::Toml {
            path: path.to_path_buf(),
            source,
        })?;
        let mut problems = crate::toml_numbers::non_finite_numbers(text);
        if problems.is_empty() {
            problems = spec.problems();
        }
        if !problems.is_empty() {
            return Err(BodyError::Invalid {
                path: path.to_path_buf(),
                problems,
            });
        }
        Ok(spec.scaled())
    }

    /// Checks every field; every problem, one per entry (none for a valid description).
    fn problems(&self) -> Vec<String> {
        let mut errs: Vec<String> = Vec::new();
        if !(MIN_SCALE..=MAX_SCALE).contains(&self.scale) {
            errs.push(format!(
                "`scale` must be between {MIN_SCALE} and {MAX_SCALE} (the range where the \
                 physics holds the body up), got {}",
                self.scale
            ));
        }
        for (name, v) in [
            ("head.neck_stiffness", self.head.neck_stiffness),
            ("head.neck_damping", self.head.neck_damping),
            ("abdomen.half_length", self.abdomen.half_length),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                errs.push(format!("`{name}` must be a non-negative number, got {v}"));
            }
        }
        let positive = [
            ("thorax.mass", self.thorax.mass),
            ("head.radius", self.head.radius),
            ("head.mass", self.head.mass),
            ("head.neck_max_torque", self.head.neck_max_torque),
            ("proboscis.length", self.proboscis.length),
            ("abdomen.radius", self.abdomen.radius),
            ("abdomen.mass", self.abdomen.mass),
            ("legs.coxa_length", self.legs.coxa_length),
            ("legs.femur_length", self.legs.femur_length),
            ("legs.tibia_length", self.legs.tibia_length),
            ("legs.tarsus_radius", self.legs.tarsus_radius),
            ("legs.coxa_mass", self.legs.coxa_mass),
            ("legs.femur_mass", self.legs.femur_mass),
            ("legs.tibia_mass", self.legs.tibia_mass),
            ("legs.segment_radius", self.legs.segment_radius),
            ("stance.height", self.stance.height),
            ("stance.reach", self.stance.reach),
            ("physics.dt", self.physics.dt),
            ("stance.fall_height", self.stance.fall_height),
            ("stance.fall_tilt_deg", self.stance.fall_tilt_deg),
            ("physics.friction", self.physics.friction),
            ("physics.body_friction", self.physics.body_friction),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                errs.push(format!("`{name}` must be a positive number, got {v}"));
            }
        }
        for (name, v) in self.thorax.half_extents.iter().enumerate() {
            if !(v.is_finite() && *v > 0.0) {
                errs.push(format!(
                    "`thorax.half_extents[{name}]` must be a positive number, got {v}"
                ));
            }
        }
        for (name, lim) in [
            ("legs.coxa_limits_deg", self.legs.coxa_limits_deg),
            ("legs.femur_limits_deg", self.legs.femur_limits_deg),
            ("legs.tibia_limits_deg", self.legs.tibia_limits_deg),
            ("head.neck_limits_deg", self.head.neck_limits_deg),
        ] {
            if !(lim[0].is_finite() && lim[1].is_finite() && lim[0] < lim[1]) {
                errs.push(format!(
                    "`{name}` must be [min, max] with min < max, got {lim:?}"
                ));
            }
        }
        for j in 0..3 {
            for (name, v) in [
                ("legs.stiffness", self.legs.stiffness[j]),
                ("legs.damping", self.legs.damping[j]),
                ("legs.max_torque", self.legs.max_torque[j]),
            ] {
                if !(v.is_finite() && v >= 0.0) {
                    errs.push(format!(
                        "`{name}[{j}]` must be a non-negative number, got {v}"
                    ));
                }
            }
        }
        for (name, n) in [
            ("physics.solver_iterations", self.physics.solver_iterations),
            ("physics.pgs_iterations", self.physics.pgs_iterations),
        ] {
            if !(1..=MAX_ITERATIONS).contains(&n) {
                errs.push(format!(
                    "`{name}` must be from 1 to {MAX_ITERATIONS}, got {n}"
                ));
            }
        }
        if self.physics.dt > 0.01 || self.physics.dt < MIN_DT {
            errs.push(format!(
                "`physics.dt` must be from {MIN_DT} s to 0.01 s (legs are stiff), got {}",
                self.physics.dt
            ));
        }
        errs.extend(self.motor.problems());
        let d = self.proboscis.direction;
        if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt() < 1e-6 {
            errs.push("`proboscis.direction` must be a non-zero vector".to_string());
        }
        let max_reach = self.legs.femur_length + self.legs.tibia_length;
        let reach = (self.stance.reach * self.stance.reach
            + (self.stance.height + self.legs.mounts.lm.position[2]).powi(2))
        .sqrt();
        if reach >= max_reach {
            errs.push(format!(
                "stance (height {}, reach {}) is out of the legs' reach ({max_reach})",
                self.stance.height, self.stance.reach
            ));
        }
        for leg in LegId::ALL {
            let m = self.legs.mounts.get(leg);
            if (m.position[1] > 0.0) != (leg.side() == controller::anatomy::Side::Left) {
                errs.push(format!(
                    "`legs.mounts.{}.position` has y = {} on the wrong side (left legs have y > 0)",
                    leg.name(),
                    m.position[1]
                ));
            }
        }
        errs
    }

    /// Applies `scale` to every length, mass, gain and motor parameter; the result has scale 1.
    fn scaled(mut self) -> BodySpec {
        let s = self.scale;
        let (s3, s4) = (s.powi(3), s.powi(4));
        scale3(&mut self.thorax.half_extents, s);
        self.thorax.mass *= s3;
        let h = &mut self.head;
        scale3(&mut h.neck, s);
        scale3(&mut h.center, s);
        for v in h.antennae.iter_mut().chain(h.eyes.iter_mut()) {
            scale3(v, s);
        }
        h.radius *= s;
        h.mass *= s3;
        h.neck_stiffness *= s4;
        h.neck_damping *= s4;
        h.neck_max_torque *= s4;
        scale3(&mut self.proboscis.base, s);
        self.proboscis.length *= s;
        let n = self.proboscis.direction;
        let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
        self.proboscis.direction = [n[0] / len, n[1] / len, n[2] / len];
        let a = &mut self.abdomen;
        scale3(&mut a.center, s);
        a.half_length *= s;
        a.radius *= s;
        a.mass *= s3;
        let l = &mut self.legs;
        for v in [
            &mut l.coxa_length,
            &mut l.femur_length,
            &mut l.tibia_length,
            &mut l.tarsus_radius,
            &mut l.segment_radius,
        ] {
            *v *= s;
        }
        for v in [&mut l.coxa_mass, &mut l.femur_mass, &mut l.tibia_mass] {
            *v *= s3;
        }
        for j in 0..3 {
            l.stiffness[j] *= s4;
            l.damping[j] *= s4;
            l.max_torque[j] *= s4;
        }
        for m in [
            &mut l.mounts.lf,
            &mut l.mounts.lm,
            &mut l.mounts.lh,
            &mut l.mounts.rf,
            &mut l.mounts.rm,
            &mut l.mounts.rh,
        ] {
            scale3(&mut m.position, s);
        }
        self.stance.height *= s;
        self.stance.reach *= s;
        self.stance.fall_height *= s;
        let m = &mut self.motor;
        for v in [
            &mut m.max_half_stride,
            &mut m.step_height,
            &mut m.groom_mid_forward,
            &mut m.jump_push,
            &mut m.jump_slide,
            &mut m.run_speed,
        ] {
            *v *= s;
        }
        self.scale = 1.0;
        self
    }

    /// Total mass, kg.
    pub fn total_mass(&self) -> f32 {
        let l = &self.legs;
        self.thorax.mass
            + self.head.mass
            + self.abdomen.mass
            + 6.0 * (l.coxa_mass + l.femur_mass + l.tibia_mass)
    }

    /// The geometry the motor patterns plan with.
    pub fn geometry(&self) -> BodyGeometry {
        let l = &self.legs;
        let rad = |d: [f32; 2]| [d[0].to_radians(), d[1].to_radians()];
        let limits = [
            rad(l.coxa_limits_deg),
            rad(l.femur_limits_deg),
            rad(l.tibia_limits_deg),
        ];
        let legs = LegId::ALL.map(|leg| {
            let m = l.mounts.get(leg);
            LegGeometry {
                mount: m.position,
                rest_yaw: m.rest_yaw_deg.to_radians(),
                coxa: l.coxa_length,
                femur: l.femur_length,
                tibia: l.tibia_length,
                limits,
            }
        });
        BodyGeometry {
            legs,
            stance_height: self.stance.height,
            stance_reach: self.stance.reach,
            neck: self.head.neck,
            head_center: self.head.center,
            head_radius: self.head.radius,
            antennae: self.head.antennae,
        }
    }
}
