//! Ground colliders: a flat slab or a seeded random heightfield.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapier3d::prelude::*;

use crate::body::{GROUP_BODY, GROUP_FOOT, GROUP_GROUND};
use crate::world::scene::{Arena, TerrainKind};

/// Collision groups of everything the body can stand on or bump into.
pub fn ground_groups() -> InteractionGroups {
    InteractionGroups::new(GROUP_GROUND, GROUP_BODY | GROUP_FOOT, InteractionTestMode::And)
}

/// Height of the rough terrain's grid node at world (x, y): uniform in +-amplitude, faded to
/// zero near the origin so the body starts on flat ground.
fn node_height(rng: &mut ChaCha8Rng, arena: &Arena, x: f32, y: f32) -> f32 {
    let h: f32 = rng.random_range(-1.0..=1.0) * arena.rough_amplitude;
    let r = (x * x + y * y).sqrt();
    let fade = ((r - arena.spawn_clearance) / arena.spawn_clearance).clamp(0.0, 1.0);
    h * fade
}

/// Adds the ground of `arena` to the physics world; the same seed gives the same terrain.
pub fn add_ground(world: &mut PhysicsWorld, arena: &Arena, seed: u64) -> ColliderHandle {
    let size = 2.0 * arena.half_size;
    match arena.terrain {
        TerrainKind::Flat => world.colliders.insert(
            ColliderBuilder::cuboid(arena.half_size, arena.half_size, 0.5)
                .translation(Vector::new(0.0, 0.0, -0.5))
                .friction(arena.friction)
                .collision_groups(ground_groups()),
        ),
        TerrainKind::Rough => {
            let n = (size / arena.rough_cell).ceil() as usize + 1;
            let step = size / (n - 1) as f32;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            // parry's heightfield is y-up with rows along local z and columns along local x;
            // rotating it +90 degrees about x maps local y to world z and local z to world -y.
            let mut heights = rapier3d::parry::utils::Array2::zeros(n, n);
            for j in 0..n {
                for i in 0..n {
                    let x = -arena.half_size + j as f32 * step;
                    let y = arena.half_size - i as f32 * step;
                    let idx = heights.flat_index(i, j);
                    heights.data_mut()[idx] = node_height(&mut rng, arena, x, y);
                }
            }
            world.colliders.insert(
                ColliderBuilder::heightfield(heights, Vector::new(size, 1.0, size))
                    .rotation(Vector::new(std::f32::consts::FRAC_PI_2, 0.0, 0.0))
                    .friction(arena.friction)
                    .collision_groups(ground_groups()),
            )
        }
    }
}
