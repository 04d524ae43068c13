//! Ground colliders: a flat slab or a seeded random heightfield.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapier3d::prelude::*;

use crate::body::{GROUP_BODY, GROUP_FOOT, GROUP_GROUND};
use crate::world::scene::{Arena, TerrainKind};

/// Collision groups of everything the body can stand on or bump into.
pub fn ground_groups() -> InteractionGroups {
    InteractionGroups::new(
        GROUP_GROUND,
        GROUP_BODY | GROUP_FOOT,
        InteractionTestMode::And,
    )
}

/// Rough terrain heights: seeded random values on a coarse lattice (`rough_cell` apart),
/// smoothly (cubic Hermite) interpolated, within +-amplitude, faded to zero near the origin so
/// the body starts on flat ground. Interpolation keeps slopes walkable: bumps and dips rather
/// than a field of spikes that wedge the tarsi.
struct Lattice {
    n: usize,
    cell: f32,
    half: f32,
    values: Vec<f32>,
}

impl Lattice {
    fn new(rng: &mut ChaCha8Rng, arena: &Arena) -> Lattice {
        let n = (2.0 * arena.half_size / arena.rough_cell).ceil() as usize + 2;
        let values = (0..n * n)
            .map(|_| rng.random_range(-1.0f32..=1.0))
            .collect();
        Lattice {
            n,
            cell: arena.rough_cell,
            half: arena.half_size,
            values,
        }
    }

    fn at(&self, x: f32, y: f32) -> f32 {
        let fx = ((x + self.half) / self.cell).clamp(0.0, (self.n - 2) as f32);
        let fy = ((y + self.half) / self.cell).clamp(0.0, (self.n - 2) as f32);
        let (i, j) = (fx.floor() as usize, fy.floor() as usize);
        let (i, j) = (i.min(self.n - 2), j.min(self.n - 2));
        let s = |t: f32| t * t * (3.0 - 2.0 * t);
        let (u, v) = (s(fx - i as f32), s(fy - j as f32));
        let g = |a: usize, b: usize| self.values[b * self.n + a];
        let top = g(i, j) * (1.0 - u) + g(i + 1, j) * u;
        let bottom = g(i, j + 1) * (1.0 - u) + g(i + 1, j + 1) * u;
        top * (1.0 - v) + bottom * v
    }
}

/// Heightfield vertices per lattice cell. Finer meshes resolve the smooth interpolation, but
/// every triangle a tarsus touches is one more multibody contact constraint: measured on the
/// bundled hexapod walking (release, one core), 4 per cell ran 3.5x real time, 2 ran 6.3x and
/// 1 ran 8.8x. One keeps the same bumps as piecewise-planar facets.
const MESH_PER_CELL: f32 = 1.0;

fn fade(arena: &Arena, x: f32, y: f32) -> f32 {
    let r = (x * x + y * y).sqrt();
    ((r - arena.spawn_clearance) / arena.spawn_clearance.max(1e-3)).clamp(0.0, 1.0)
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
            let n = (MESH_PER_CELL * size / arena.rough_cell).ceil() as usize + 1;
            let step = size / (n - 1) as f32;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let lattice = Lattice::new(&mut rng, arena);
            // parry's heightfield is y-up with rows along local z and columns along local x;
            // rotating it +90 degrees about x maps local y to world z and local z to world -y.
            let mut heights = rapier3d::parry::utils::Array2::zeros(n, n);
            for j in 0..n {
                for i in 0..n {
                    let x = -arena.half_size + j as f32 * step;
                    let y = arena.half_size - i as f32 * step;
                    let idx = heights.flat_index(i, j);
                    heights.data_mut()[idx] =
                        arena.rough_amplitude * lattice.at(x, y) * fade(arena, x, y);
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
