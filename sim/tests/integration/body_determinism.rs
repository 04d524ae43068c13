//! Same seed, same trajectory, bit for bit; another seed, another terrain.

use controller::motor::MotorCommand;
use sim::body::bout::{Bout, run_bout};
use sim::body::{BodySpec, default_body_path};
use sim::world::TerrainKind;

fn bout(seed: u64) -> Vec<sim::body::bout::Sample> {
    let spec = BodySpec::load(&default_body_path()).unwrap();
    let mut cfg = Bout::new(
        MotorCommand::Walk {
            speed: 0.12,
            turn: 0.3,
        },
        3.0,
    );
    cfg.seed = seed;
    cfg.scene.arena.terrain = TerrainKind::Rough;
    cfg.scene.arena.half_size = 2.0;
    cfg.scene.arena.spawn_clearance = 0.05;
    run_bout(&spec, &cfg).unwrap().0
}

fn bits(s: &[sim::body::bout::Sample]) -> Vec<u32> {
    s.iter()
        .flat_map(|x| x.position.iter().chain(x.rpy.iter()).map(|v| v.to_bits()))
        .collect()
}

#[test]
fn same_seed_same_trajectory_bit_for_bit() {
    let (a, b) = (bout(3), bout(3));
    assert_eq!(a.len(), b.len());
    assert_eq!(bits(&a), bits(&b));
    let c = bout(4);
    assert_ne!(
        bits(&a),
        bits(&c),
        "a different seed must give different terrain"
    );
}

#[test]
fn independent_worlds_give_the_same_result_at_any_thread_count() {
    let spec = BodySpec::load(&default_body_path()).unwrap();
    let cfgs: Vec<Bout> = (0..4u64)
        .map(|seed| {
            let mut cfg = Bout::new(
                MotorCommand::Walk {
                    speed: 0.12,
                    turn: 0.3,
                },
                2.0,
            );
            cfg.seed = seed;
            cfg.scene.arena.terrain = TerrainKind::Rough;
            cfg.scene.arena.half_size = 2.0;
            cfg.scene.arena.spawn_clearance = 0.05;
            cfg
        })
        .collect();
    let run = |threads: usize| -> Vec<Vec<u32>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| sim::body::bout::run_bouts(&spec, &cfgs))
            .into_iter()
            .map(|r| bits(&r.unwrap().0))
            .collect()
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two);
    assert_ne!(one[0], one[1], "different seeds, different terrain");
}
