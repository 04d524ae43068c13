//! The world: arena and terrain, obstacles, food sources with odor, wind, looming threats and
//! dust events, around a rapier physics world.

pub mod error;
pub mod odor;
pub mod placement;
pub mod scene;
pub mod terrain;

use rapier3d::prelude::*;

pub use error::SceneError;
pub use scene::{Arena, DustEvent, Food, Obstacle, OdorMode, OdorSpec, Scene, TerrainKind, Threat};

/// The physics world plus the scene's stimuli.
pub struct World {
    /// Rapier sets and pipeline.
    pub physics: PhysicsWorld,
    /// The scene (food, threats and dust may be changed between steps).
    pub scene: Scene,
    /// Simulated time, seconds.
    pub time: f64,
    ground: ColliderHandle,
}

impl World {
    /// Builds the ground and obstacles of `scene`; `seed` shapes rough terrain. `dt` is the
    /// physics step, `solver_iterations` and `pgs_iterations` rapier's solver settings.
    pub fn new(
        scene: Scene,
        seed: u64,
        dt: f32,
        solver_iterations: usize,
        pgs_iterations: usize,
    ) -> World {
        let mut physics = PhysicsWorld::new();
        physics.gravity = Vector::new(0.0, 0.0, -9.81);
        physics.integration_parameters.dt = dt;
        physics.integration_parameters.num_solver_iterations = solver_iterations;
        physics.integration_parameters.num_internal_pgs_iterations = pgs_iterations;
        let ground = terrain::add_ground(&mut physics, &scene.arena, seed);
        for o in scene.obstacles.iter().chain(&scene.arena.wall_boxes()) {
            let e = o.half_extents;
            physics.colliders.insert(
                ColliderBuilder::cuboid(e[0], e[1], e[2])
                    .translation(Vector::new(o.center[0], o.center[1], e[2]))
                    .rotation(Vector::new(0.0, 0.0, o.yaw_deg.to_radians()))
                    .friction(scene.arena.friction)
                    .collision_groups(terrain::ground_groups()),
            );
        }
        // One step of the still empty world fills the scene-query structures, so ground
        // queries work before the body exists (placing it on terrain or an obstacle); nothing
        // moves and the clock stays at zero.
        physics.step();
        World {
            physics,
            scene,
            time: 0.0,
            ground,
        }
    }

    /// Collider of the ground (slab or heightfield).
    pub fn ground(&self) -> ColliderHandle {
        self.ground
    }

    /// Advances physics by one step.
    pub fn step(&mut self) {
        self.physics.step();
        self.time += self.physics.integration_parameters.dt as f64;
    }

    /// Horizontal distance from the nearest of `points` (x, y) to the nearest obstacle or
    /// arena wall, metres (0 inside one; infinite when there is none).
    pub fn obstacle_distance(&self, points: impl IntoIterator<Item = [f32; 2]>) -> f32 {
        let walls = self.scene.arena.wall_boxes();
        let boxes: Vec<&Obstacle> = self.scene.obstacles.iter().chain(&walls).collect();
        points
            .into_iter()
            .flat_map(|[x, y]| {
                boxes.iter().map(move |o| {
                    let (s, c) = (-o.yaw_deg.to_radians()).sin_cos();
                    let (dx, dy) = (x - o.center[0], y - o.center[1]);
                    let (lx, ly) = (dx * c - dy * s, dx * s + dy * c);
                    let ex = (lx.abs() - o.half_extents[0]).max(0.0);
                    let ey = (ly.abs() - o.half_extents[1]).max(0.0);
                    ex.hypot(ey)
                })
            })
            .fold(f32::INFINITY, f32::min)
    }

    /// Height of the ground, terrain or obstacle top below (x, y); 0 outside the arena.
    pub fn ground_height(&self, x: f32, y: f32) -> f32 {
        let top = 10.0;
        let ray = Ray::new(Vector::new(x, y, top), Vector::new(0.0, 0.0, -1.0));
        let filter = QueryFilter::default().groups(InteractionGroups::new(
            Group::ALL,
            crate::body::GROUP_GROUND,
            InteractionTestMode::And,
        ));
        match self.physics.cast_ray(&ray, 2.0 * top, true, filter) {
            Some((_, toi)) => top - toi,
            None => 0.0,
        }
    }

    /// Odor concentration at a world point.
    pub fn odor_at(&self, p: [f32; 3]) -> f32 {
        odor::total(&self.scene.odor, self.scene.wind, &self.scene.food, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ground_height_is_known_before_the_first_step() {
        let mut scene = Scene::default();
        scene.obstacles.push(Obstacle {
            center: [1.0, 1.0],
            half_extents: [0.1, 0.1, 0.05],
            yaw_deg: 0.0,
        });
        scene.arena.terrain = TerrainKind::Rough;
        scene.arena.half_size = 2.0;
        let w = World::new(scene, 1, 0.001, 1, 1);
        assert!(
            (w.ground_height(1.0, 1.0) - 0.1).abs() < 1e-4,
            "{}",
            w.ground_height(1.0, 1.0)
        );
        assert_eq!(w.ground_height(0.0, 0.0), 0.0, "flat spawn area");
        let bumps: Vec<f32> = (0..20)
            .map(|i| w.ground_height(-1.5 + 0.13 * i as f32, -1.2))
            .collect();
        assert!(
            bumps.iter().any(|h| h.abs() > 0.002),
            "rough terrain away from the spawn: {bumps:?}"
        );
        assert!(bumps.iter().all(|h| h.abs() <= 0.015 + 1e-5));
    }
}
