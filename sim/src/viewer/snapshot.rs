//! What the viewer draws, read off a running [`Session`]: the scene once (ground relief,
//! obstacles, the robot's colliders, the gauges and raster rows), then a [`Frame`] per
//! batch of ticks. Nothing here changes the session.

use std::collections::HashMap;

use connectome::NeuronIndex;
use controller::circuit::map::{Command as Cmd, Link as MapLink};
use rapier3d::prelude::*;
use view::frame::{self, Frame, Gauge, Grid, Part, PartKind, SceneInfo};

use crate::body::BodyPart;
use crate::experiment::Session;
use crate::experiment::prepare::selection;

/// Ground and odor samples per side of the arena.
const GRID: usize = 97;
/// Span of the live raster, seconds.
const RASTER_S: f32 = 2.0;

/// Maps recorded neurons to raster rows (a neuron in two selections has two rows).
pub struct RasterRows {
    rows: HashMap<NeuronIndex, Vec<u32>>,
    dt_s: f64,
}

impl RasterRows {
    /// The raster rows of neuron `n` (none when it is not recorded).
    pub fn rows_of(&self, n: NeuronIndex) -> &[u32] {
        self.rows.get(&n).map_or(&[], Vec::as_slice)
    }

    /// (time s, row) for each recorded spike (step, neuron).
    pub fn place(&self, spikes: &[(u32, NeuronIndex)]) -> Vec<(f32, u32)> {
        let mut out = Vec::new();
        for &(step, n) in spikes {
            if let Some(rows) = self.rows.get(&n) {
                let t = (step as f64 * self.dt_s) as f32;
                out.extend(rows.iter().map(|&r| (t, r)));
            }
        }
        out
    }
}

fn link(l: MapLink) -> frame::Link {
    match l {
        MapLink::Connectome => frame::Link::Connectome,
        MapLink::Engineered => frame::Link::Engineered,
    }
}

fn pose(p: &Pose) -> frame::Pose {
    let q = p.rotation;
    frame::Pose {
        translation: [p.translation.x, p.translation.y, p.translation.z],
        rotation: [q.x, q.y, q.z, q.w],
    }
}

fn shape(s: &dyn rapier3d::parry::shape::Shape) -> Option<frame::Shape> {
    if let Some(c) = s.as_cuboid() {
        let h = c.half_extents;
        return Some(frame::Shape::Cuboid {
            half: [h.x, h.y, h.z],
        });
    }
    if let Some(c) = s.as_capsule() {
        let (a, b) = (c.segment.a, c.segment.b);
        return Some(frame::Shape::Capsule {
            a: [a.x, a.y, a.z],
            b: [b.x, b.y, b.z],
            radius: c.radius,
        });
    }
    s.as_ball().map(|b| frame::Shape::Ball { radius: b.radius })
}

/// Every collider of the robot, thorax first, with its kind.
fn robot_colliders(session: &Session) -> Vec<(ColliderHandle, String, PartKind)> {
    let agent = session.agent();
    let physics = &agent.world.physics;
    let feet = agent.body.feet();
    let mut out = Vec::new();
    for (part, handle) in agent.body.parts() {
        for &c in physics.bodies[handle].colliders() {
            let kind = match part {
                BodyPart::Thorax => PartKind::Body,
                BodyPart::Head => PartKind::Head,
                BodyPart::Leg(..) if feet.contains(&c) => PartKind::Foot,
                BodyPart::Leg(..) => PartKind::Leg,
            };
            out.push((c, part.to_string(), kind));
        }
    }
    out
}

/// Ground height under (x, y): the terrain only, not obstacles (drawn on their own).
fn terrain_height(session: &Session, x: f32, y: f32) -> f32 {
    let world = &session.agent().world;
    let ground = &world.physics.colliders[world.ground()];
    let top = 10.0;
    let ray = Ray::new(Vector::new(x, y, top), Vector::new(0.0, 0.0, -1.0));
    ground
        .shape()
        .cast_ray(ground.position(), &ray, 2.0 * top, true)
        .map_or(0.0, |toi| top - toi)
}

/// `f(x, y)` sampled on the viewer's grid over a square arena of half size `half`.
pub(crate) fn grid(half: f32, mut f: impl FnMut(f32, f32) -> f32) -> Grid {
    let mut g = Grid {
        n: GRID,
        half_size: half,
        values: Vec::with_capacity(GRID * GRID),
    };
    for j in 0..GRID {
        for i in 0..GRID {
            let [x, y] = g.xy(i, j);
            g.values.push(f(x, y));
        }
    }
    g
}

/// The odor at ground level over the arena.
pub fn odor_grid(session: &Session) -> Grid {
    let world = &session.agent().world;
    let half = world.scene.arena.half_size;
    grid(half, |x, y| world.odor_at([x, y, 0.0]))
}

/// The fixed description of the scene, and the raster's row map.
pub fn scene_info(
    session: &Session,
    title: &str,
) -> Result<(SceneInfo, RasterRows), crate::experiment::ExperimentError> {
    let exp = session.experiment();
    let p = session.prepared();
    let agent = session.agent();
    let arena = &agent.world.scene.arena;
    let ground = grid(arena.half_size, |x, y| terrain_height(session, x, y));
    let walls = arena.wall_boxes();
    let obstacles = agent
        .world
        .scene
        .obstacles
        .iter()
        .chain(&walls)
        .map(|o| {
            let e = o.half_extents;
            let (s, c) = (o.yaw_deg.to_radians() / 2.0).sin_cos();
            (
                frame::Shape::Cuboid { half: e },
                frame::Pose {
                    translation: [o.center[0], o.center[1], e[2]],
                    rotation: [0.0, 0.0, s, c],
                },
            )
        })
        .collect();
    let physics = &agent.world.physics;
    let parts = robot_colliders(session)
        .into_iter()
        .filter_map(|(c, name, kind)| {
            shape(physics.colliders[c].shape()).map(|shape| Part { name, shape, kind })
        })
        .collect();
    let a = &exp.arbiter;
    let full = |c: Cmd| match c {
        Cmd::Forward => a.forward_full_hz,
        Cmd::Backward => a.backward_full_hz,
        Cmd::Turn => a.turn_full_hz,
        Cmd::Groom => a.groom_full_hz,
        Cmd::Feed => a.feed_full_hz,
        Cmd::Escape => 5.0,
    } as f32;
    let readouts: Vec<(String, Cmd, MapLink)> = session.controller().decoder().describe();
    let gauges = readouts
        .iter()
        .map(|(name, c, l)| Gauge {
            name: name.clone(),
            link: link(*l),
            full_scale: full(*c),
        })
        .collect();
    // A drive is carried by the wiring only when every readout summed into it is.
    let drive_link = |c: Cmd| {
        let of: Vec<_> = readouts.iter().filter(|r| r.1 == c).collect();
        if !of.is_empty() && of.iter().all(|r| r.2 == MapLink::Connectome) {
            frame::Link::Connectome
        } else {
            frame::Link::Engineered
        }
    };
    let drives = [
        ("forward", Cmd::Forward),
        ("backward", Cmd::Backward),
        ("turn left-right", Cmd::Turn),
        ("groom", Cmd::Groom),
        ("feed", Cmd::Feed),
        ("escape spikes", Cmd::Escape),
    ]
    .into_iter()
    .map(|(name, c)| Gauge {
        name: name.into(),
        link: drive_link(c),
        full_scale: full(c),
    })
    .collect();
    let mut rows: HashMap<NeuronIndex, Vec<u32>> = HashMap::new();
    let mut raster = Vec::new();
    let mut next = 0u32;
    for s in &exp.reports.spikes {
        let v = selection(&p.connectome, s, "reports.spikes")?;
        for &n in &v {
            rows.entry(n).or_default().push(next);
            next += 1;
        }
        raster.push(view::frame::RasterGroup {
            label: s.clone(),
            rows: v.len() as u32,
        });
    }
    let (synthetic, wiring_note) = session.wiring();
    let c = &p.connectome;
    let info = SceneInfo {
        title: title.into(),
        dataset: format!(
            "{} - {} neurons, {} synapse pairs",
            p.path.file_name().unwrap_or_default().to_string_lossy(),
            c.n_neurons(),
            c.n_edges()
        ),
        synthetic,
        wiring_note,
        links: session
            .links()
            .into_iter()
            .map(|l| {
                let k = if l.link == "connectome" {
                    frame::Link::Connectome
                } else {
                    frame::Link::Engineered
                };
                (l.kind.to_string(), l.name, k)
            })
            .collect(),
        ground,
        obstacles,
        parts,
        readouts: gauges,
        drives,
        raster,
        raster_window_s: RASTER_S,
        duration_s: exp.run.duration_s,
        body_length_m: 2.0 * agent.body.spec().thorax.half_extents[0] * 2.0,
    };
    let dt_s = p.network.propagator().k.dt;
    Ok((info, RasterRows { rows, dt_s }))
}

/// The state now, with `spikes` already placed on raster rows.
pub fn frame(session: &Session, spikes: Vec<(f32, u32)>) -> Frame {
    let agent = session.agent();
    let physics = &agent.world.physics;
    let parts = robot_colliders(session)
        .into_iter()
        .filter(|(c, ..)| shape(physics.colliders[*c].shape()).is_some())
        .map(|(c, ..)| pose(physics.colliders[c].position()))
        .collect();
    let now = agent.time() as f32;
    let scene = &agent.world.scene;
    let threats = scene
        .threats
        .iter()
        .filter_map(|t| t.position(now).map(|p| (p, t.radius)))
        .collect();
    let food = scene
        .food
        .iter()
        .map(|f| frame::Food {
            position: f.position,
            radius: f.radius,
            sugar: f.sugar,
        })
        .collect();
    let (behaviour, reason, drives) = match session.last() {
        Some(l) => {
            let d = l.drives;
            (
                l.decision.behaviour.as_str().to_string(),
                serde_json::to_value(l.decision.reason)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                vec![
                    d.forward as f32,
                    d.backward as f32,
                    d.turn as f32,
                    d.groom as f32,
                    d.feed as f32,
                    d.escape_spikes as f32,
                ],
            )
        }
        None => ("settling".into(), String::new(), vec![0.0; 6]),
    };
    let s = agent.internal();
    let tip = agent.body.proboscis_tip(physics);
    let base = agent
        .body
        .head_point(physics, agent.body.spec().proboscis.base);
    Frame {
        t_s: session.time_s(),
        parts,
        threats,
        food,
        odor: None,
        behaviour,
        reason,
        drives,
        internal: [s.hunger, s.dust, s.arousal],
        readouts: session
            .controller()
            .decoder()
            .values()
            .into_iter()
            .map(|v| v as f32)
            .collect(),
        spikes,
        proboscis: (agent.body.proboscis() > 0.01)
            .then_some([[base.x, base.y, base.z], [tip.x, tip.y, tip.z]]),
        paused: false,
        speed: 1.0,
        achieved_speed: 0.0,
    }
}
