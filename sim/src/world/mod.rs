//! The world: arena and terrain, obstacles, food sources with odor, wind, looming threats and
//! dust events, around a rapier physics world.

pub mod odor;
pub mod scene;
pub mod terrain;

use rapier3d::prelude::*;

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
    pub fn new(scene: Scene, seed: u64, dt: f32, solver_iterations: usize, pgs_iterations: usize) -> World {
        let mut physics = PhysicsWorld::new();
        physics.gravity = Vector::new(0.0, 0.0, -9.81);
        physics.integration_parameters.dt = dt;
        physics.integration_parameters.num_solver_iterations = solver_iterations;
        physics.integration_parameters.num_internal_pgs_iterations = pgs_iterations;
        let ground = terrain::add_ground(&mut physics, &scene.arena, seed);
        for o in &scene.obstacles {
            let e = o.half_extents;
            physics.colliders.insert(
                ColliderBuilder::cuboid(e[0], e[1], e[2])
                    .translation(Vector::new(o.center[0], o.center[1], e[2]))
                    .rotation(Vector::new(0.0, 0.0, o.yaw_deg.to_radians()))
                    .friction(scene.arena.friction)
                    .collision_groups(terrain::ground_groups()),
            );
        }
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
