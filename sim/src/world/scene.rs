//! Scene descriptions (assets/scenes/*.toml): arena, terrain, obstacles, food, wind, threats
//! and dust events. A scene is data; [`super::World`] turns it into physics and stimuli.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SceneError;

/// Ground surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TerrainKind {
    /// A flat plane at z = 0.
    #[default]
    Flat,
    /// A seeded random heightfield (flat within `spawn_clearance` of the origin).
    Rough,
}

/// The arena.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Arena {
    /// Half width of the square arena, metres.
    pub half_size: f32,
    /// Ground surface.
    pub terrain: TerrainKind,
    /// Rough terrain: largest height deviation, metres.
    pub rough_amplitude: f32,
    /// Rough terrain: spacing of the random height lattice (bump size), metres.
    pub rough_cell: f32,
    /// Rough terrain: radius around the origin kept flat for the start, metres.
    pub spawn_clearance: f32,
    /// Ground friction coefficient.
    pub friction: f32,
    /// Walls around the arena (on by default): a robot that walks to the edge meets a
    /// wall instead of falling off the world. `false` leaves an open edge.
    pub walls: bool,
    /// Height of the walls, metres.
    pub wall_height: f32,
}

/// Thickness of the arena's walls, metres (they stand just outside `half_size`).
pub const WALL_THICKNESS_M: f32 = 0.02;

impl Arena {
    /// The walls as box obstacles (none when `walls` is off): four boxes just outside the
    /// square, corners closed.
    pub fn wall_boxes(&self) -> Vec<Obstacle> {
        if !self.walls {
            return Vec::new();
        }
        let (h, t, z) = (
            self.half_size,
            WALL_THICKNESS_M / 2.0,
            self.wall_height / 2.0,
        );
        let long = h + 2.0 * t;
        [
            ([h + t, 0.0], [t, long, z]),
            ([-(h + t), 0.0], [t, long, z]),
            ([0.0, h + t], [long, t, z]),
            ([0.0, -(h + t)], [long, t, z]),
        ]
        .into_iter()
        .map(|(center, half_extents)| Obstacle {
            center,
            half_extents,
            yaw_deg: 0.0,
        })
        .collect()
    }
}

impl Default for Arena {
    fn default() -> Self {
        Arena {
            half_size: 5.0,
            terrain: TerrainKind::Flat,
            rough_amplitude: 0.012,
            rough_cell: 0.04,
            spawn_clearance: 0.15,
            friction: 1.0,
            walls: true,
            wall_height: 0.2,
        }
    }
}

/// A box obstacle standing on the ground.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Obstacle {
    /// Centre (x, y) on the ground, metres.
    #[serde(deserialize_with = "crate::toml_numbers::exact_array")]
    pub center: [f32; 2],
    /// Half extents (x, y, z), metres.
    #[serde(deserialize_with = "crate::toml_numbers::exact_array")]
    pub half_extents: [f32; 3],
    /// Rotation about z, degrees.
    #[serde(default)]
    pub yaw_deg: f32,
}

/// How odor spreads from food.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OdorMode {
    /// Steady state of diffusion with first-order decay: isotropic around the source.
    #[default]
    Diffusion,
    /// Time-averaged Gaussian plume carried downwind.
    Plume,
}

/// A food source on the ground.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Food {
    /// Position (x, y), metres.
    #[serde(deserialize_with = "crate::toml_numbers::exact_array")]
    pub position: [f32; 2],
    /// Radius of the food patch, metres.
    #[serde(default = "default_food_radius")]
    pub radius: f32,
    /// Odor concentration at the source (arbitrary units).
    #[serde(default = "one")]
    pub odor: f32,
    /// Sugar concentration felt by taste receptors on contact, 0..1.
    #[serde(default = "one")]
    pub sugar: f32,
}

fn default_food_radius() -> f32 {
    0.03
}
fn one() -> f32 {
    1.0
}

/// Odor transport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OdorSpec {
    /// Diffusion field or wind-borne plume.
    pub mode: OdorMode,
    /// Diffusion: decay length sqrt(D / k), metres.
    pub decay_length: f32,
    /// Plume: spread of the plume per metre downwind (sigma growth), m/m.
    pub plume_spread: f32,
    /// Plume: decay length along the plume, metres.
    pub plume_length: f32,
}

impl Default for OdorSpec {
    fn default() -> Self {
        OdorSpec {
            mode: OdorMode::Diffusion,
            decay_length: 0.5,
            plume_spread: 0.15,
            plume_length: 3.0,
        }
    }
}

/// A looming object moving on a straight path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    /// Position when it appears (x, y, z), metres.
    #[serde(deserialize_with = "crate::toml_numbers::exact_array")]
    pub start: [f32; 3],
    /// Velocity, m/s.
    #[serde(deserialize_with = "crate::toml_numbers::exact_array")]
    pub velocity: [f32; 3],
    /// Radius of the object, metres.
    pub radius: f32,
    /// Time it appears, seconds.
    #[serde(default)]
    pub onset_s: f32,
    /// How long it stays, seconds.
    #[serde(default = "default_threat_duration")]
    pub duration_s: f32,
}

fn default_threat_duration() -> f32 {
    2.0
}

impl Threat {
    /// Centre at time `t` if the threat is present then.
    pub fn position(&self, t: f32) -> Option<[f32; 3]> {
        if t < self.onset_s || t > self.onset_s + self.duration_s {
            return None;
        }
        let dt = t - self.onset_s;
        Some([
            self.start[0] + self.velocity[0] * dt,
            self.start[1] + self.velocity[1] * dt,
            self.start[2] + self.velocity[2] * dt,
        ])
    }
}

/// Dust falling on the head and antennae.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DustEvent {
    /// Time, seconds.
    pub time_s: f32,
    /// Dust load added (the dust state saturates at 1).
    pub amount: f32,
}

/// A whole scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Scene {
    /// Arena and terrain.
    pub arena: Arena,
    /// Box obstacles.
    pub obstacles: Vec<Obstacle>,
    /// Food sources.
    pub food: Vec<Food>,
    /// Odor transport.
    pub odor: OdorSpec,
    /// Uniform wind (x, y), m/s.
    #[serde(deserialize_with = "crate::toml_numbers::exact_array")]
    pub wind: [f32; 2],
    /// Looming threats.
    pub threats: Vec<Threat>,
    /// Dust events.
    pub dust: Vec<DustEvent>,
}

/// Largest `arena.half_size`, metres.
const MAX_HALF_SIZE: f32 = 1000.0;

/// Fastest wind, m/s (a gale; walking flies are blown away long before).
const MAX_WIND_M_S: f32 = 20.0;

/// A problem that starts with a backticked key gets that key's line in the file (`lines`
/// from [`crate::toml_numbers::key_lines`]) after it.
fn with_lines(problem: &str, lines: &std::collections::HashMap<String, usize>) -> String {
    let key = problem.strip_prefix('`').and_then(|r| r.split_once('`'));
    match key.and_then(|(k, rest)| lines.get(k).map(|n| (k, n, rest))) {
        Some((k, n, rest)) => format!("`{k}` (line {n}){rest}"),
        None => problem.to_string(),
    }
}

/// A finite number above zero (NaN fails).
fn positive(v: f32) -> bool {
    v.is_finite() && v > 0.0
}

/// A finite number at or above zero (NaN fails).
fn non_negative(v: f32) -> bool {
    v.is_finite() && v >= 0.0
}

impl Scene {
    /// Reads and validates a scene file: [`SceneError::Read`], [`SceneError::Toml`], or
    /// [`SceneError::Invalid`] naming the file and each bad key's line.
    pub fn load(path: &Path) -> Result<Scene, SceneError> {
        let text = std::fs::read_to_string(path).map_err(|source| SceneError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let scene: Scene = toml::from_str(&text).map_err(|source| SceneError::Toml {
            path: path.to_path_buf(),
            source,
        })?;
        let mut problems = crate::toml_numbers::non_finite_numbers(&text);
        if problems.is_empty()
            && let Err(SceneError::Invalid { problems: p, .. }) = scene.validate()
        {
            let lines = crate::toml_numbers::key_lines(&text);
            problems = p.iter().map(|l| with_lines(l, &lines)).collect();
        }
        if !problems.is_empty() {
            return Err(SceneError::Invalid {
                path: Some(path.to_path_buf()),
                problems,
            });
        }
        Ok(scene)
    }

    /// Checks ranges: [`SceneError::Invalid`] (without a file) listing every problem.
    pub fn validate(&self) -> Result<(), SceneError> {
        let mut errs = Vec::new();
        let a = &self.arena;
        if !positive(a.half_size) || a.half_size > MAX_HALF_SIZE {
            errs.push(format!(
                "`arena.half_size` must be > 0 and at most {MAX_HALF_SIZE} m (32-bit positions \
                 keep sub-millimetre precision there), got {}",
                a.half_size
            ));
        }
        if !positive(a.rough_cell) || a.half_size / a.rough_cell > 250.0 {
            errs.push(format!(
                "`arena.rough_cell` must be > 0 and give at most 500 lattice cells across the arena \
                 (at least {} m for `arena.half_size` {}), got {}",
                a.half_size / 250.0,
                a.half_size,
                a.rough_cell
            ));
        }
        if !non_negative(a.rough_amplitude) || a.rough_amplitude > a.half_size {
            errs.push(format!(
                "`arena.rough_amplitude` must be >= 0 and at most `arena.half_size`, got {}",
                a.rough_amplitude
            ));
        }
        for (name, v) in [
            ("arena.spawn_clearance", a.spawn_clearance),
            ("arena.friction", a.friction),
        ] {
            if !non_negative(v) {
                errs.push(format!("`{name}` must be >= 0, got {v}"));
            }
        }
        if !positive(a.wall_height) || a.wall_height > MAX_HALF_SIZE {
            errs.push(format!(
                "`arena.wall_height` must be > 0 and at most {MAX_HALF_SIZE} m, got {}",
                a.wall_height
            ));
        }
        let inside = |p: [f32; 2]| p[0].abs() <= a.half_size && p[1].abs() <= a.half_size;
        for (i, o) in self.obstacles.iter().enumerate() {
            if !inside(o.center) {
                errs.push(format!(
                    "`obstacles[{i}].center` {:?} is outside the arena (|x|, |y| <= \
                     `arena.half_size` {})",
                    o.center, a.half_size
                ));
            }
            if o.half_extents.iter().any(|v| !positive(*v)) {
                errs.push(format!(
                    "`obstacles[{i}].half_extents` must all be > 0, got {:?}",
                    o.half_extents
                ));
            }
        }
        for (i, f) in self.food.iter().enumerate() {
            if !inside([f.position[0], f.position[1]]) {
                errs.push(format!(
                    "`food[{i}].position` {:?} is outside the arena (|x|, |y| <= \
                     `arena.half_size` {}): the robot could never reach it",
                    f.position, a.half_size
                ));
            }
            if !positive(f.radius) || !non_negative(f.odor) || !(0.0..=1.0).contains(&f.sugar) {
                errs.push(format!(
                    "`food[{i}]` needs radius > 0, odor >= 0, sugar in 0..1, got {f:?}"
                ));
            }
        }
        let wind = self.wind[0].hypot(self.wind[1]);
        if !(wind.is_finite() && wind <= MAX_WIND_M_S) {
            errs.push(format!(
                "`wind` must be a speed of at most {MAX_WIND_M_S} m/s (x, y components), got \
                 {:?} ({wind} m/s)",
                self.wind
            ));
        }
        if !(positive(self.odor.decay_length)
            && positive(self.odor.plume_spread)
            && positive(self.odor.plume_length))
        {
            errs.push(
                "`odor.decay_length`, `odor.plume_spread`, `odor.plume_length` must be > 0"
                    .to_string(),
            );
        }
        for (i, t) in self.threats.iter().enumerate() {
            if !positive(t.radius) || !positive(t.duration_s) || !non_negative(t.onset_s) {
                errs.push(format!(
                    "`threats[{i}]` needs radius > 0, duration_s > 0 and onset_s >= 0, got radius \
                     {}, duration_s {}, onset_s {}",
                    t.radius, t.duration_s, t.onset_s
                ));
            }
        }
        for (i, d) in self.dust.iter().enumerate() {
            if !non_negative(d.amount) || !non_negative(d.time_s) {
                errs.push(format!("`dust[{i}]` needs time_s >= 0 and amount >= 0"));
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(SceneError::Invalid {
                path: None,
                problems: errs,
            })
        }
    }
}
