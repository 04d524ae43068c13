//! No fall over long mixed runs: 10 simulated minutes of walking, turning, grooming, escaping
//! and feeding on flat ground, 2 minutes on rough terrain. In the test profile the flat one
//! takes about 2.5 minutes and the rough one 1; other tests of the binary run beside them.

use controller::motor::{EscapeMode, MotorCommand};
use sim::agent::{Agent, Start};
use sim::body::{BodySpec, default_body_path};
use sim::world::{Scene, TerrainKind};

/// A repeating behaviour schedule (command, seconds).
fn schedule() -> Vec<(MotorCommand, f32)> {
    use MotorCommand::*;
    vec![
        (
            Walk {
                speed: 0.12,
                turn: 0.0,
            },
            8.0,
        ),
        (
            Walk {
                speed: 0.08,
                turn: 0.6,
            },
            6.0,
        ),
        (Groom, 4.0),
        (
            Walk {
                speed: 0.2,
                turn: -0.4,
            },
            5.0,
        ),
        (
            Escape {
                mode: EscapeMode::Jump,
                threat_azimuth: 1.2,
            },
            1.5,
        ),
        (
            Walk {
                speed: -0.06,
                turn: 0.0,
            },
            3.0,
        ),
        (
            Escape {
                mode: EscapeMode::Run,
                threat_azimuth: -2.5,
            },
            3.0,
        ),
        (Stand, 1.0),
        (Feed, 3.0),
        (
            Walk {
                speed: 0.0,
                turn: -1.0,
            },
            3.0,
        ),
        (
            Escape {
                mode: EscapeMode::Jump,
                threat_azimuth: -0.5,
            },
            1.5,
        ),
        (Groom, 3.0),
    ]
}

fn run_mixed(terrain: TerrainKind, minutes: f32, seed: u64) {
    let spec = BodySpec::load(&default_body_path()).unwrap();
    let mut scene = Scene::default();
    scene.arena.terrain = terrain;
    // Big enough that the wandering body never reaches the edge.
    scene.arena.half_size = if terrain == TerrainKind::Flat {
        100.0
    } else {
        10.0
    };
    let mut agent = Agent::new(&spec, scene, seed, &Start::default(), 0.001);
    let total = minutes * 60.0;
    let plan = schedule();
    let mut t = 0.0f32;
    let mut i = 0;
    let mut ticks = 0u64;
    while t < total {
        let (cmd, secs) = plan[i % plan.len()];
        let n = (secs / agent.control_dt()).round() as u64;
        for _ in 0..n {
            agent.step(&cmd);
            ticks += 1;
            // Checking the fall criterion every 10 ms is plenty: a fall takes far longer.
            if ticks.is_multiple_of(10) {
                let p = agent.body.pose(&agent.world.physics);
                assert!(
                    !agent.fallen(),
                    "fell at t = {:.2} s during {cmd:?}: pose {p:?} ({:?})",
                    agent.time(),
                    agent.check_state()
                );
            }
        }
        t += secs;
        i += 1;
    }
}

#[test]
fn no_fall_in_ten_minutes_of_mixed_behaviour_on_flat_ground() {
    run_mixed(TerrainKind::Flat, 10.0, 1);
}

#[test]
fn no_fall_in_two_minutes_of_mixed_behaviour_on_rough_terrain() {
    run_mixed(TerrainKind::Rough, 2.0, 7);
}
