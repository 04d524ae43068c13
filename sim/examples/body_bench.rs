//! Body benchmark: physics + motor patterns + sensors, headless, 1 ms physics step.
//!
//! Runs N independent worlds (each a walking hexapod) for S simulated seconds on a rayon pool
//! of T threads and prints one Markdown table row per configuration: simulated seconds per
//! wall-clock second (aggregate over worlds), per world, and per CPU-second (thread CPU time
//! from /proc, which stays meaningful when other processes share the cores).
//!
//! cargo run --release -p sim --example body_bench -- [--seconds 10] [--terrain flat|rough]

use std::time::Instant;

use controller::motor::MotorCommand;
use rayon::prelude::*;
use sim::agent::{Agent, Start};
use sim::body::{BodySpec, default_body_path};
use sim::world::{Scene, TerrainKind};

/// CPU time of the calling thread, seconds (Linux /proc/thread-self/schedstat).
fn thread_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|ns| ns * 1e-9)
        .unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| default.to_string())
    };
    let seconds: f32 = get("--seconds", "10").parse()?;
    let terrain = match get("--terrain", "flat").as_str() {
        "flat" => TerrainKind::Flat,
        "rough" => TerrainKind::Rough,
        other => anyhow::bail!("--terrain must be flat or rough, got {other}"),
    };
    let spec = BodySpec::load(&default_body_path())?;
    println!(
        "| terrain | worlds | threads | sim s per wall s (all worlds) | x real time per world | x real time per CPU-second |"
    );
    println!("|---|---|---|---|---|---|");
    for (worlds, threads) in [(1usize, 1usize), (2, 1), (2, 2), (4, 2), (8, 2)] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let mut scene = Scene::default();
        scene.arena.terrain = terrain;
        scene.arena.half_size = 3.0;
        let mut agents: Vec<Agent> = (0..worlds)
            .map(|i| {
                Agent::new(
                    &spec,
                    scene.clone(),
                    i as u64,
                    &Start::default(),
                    spec.physics.dt,
                )
            })
            .collect();
        let ticks = (seconds / agents[0].control_dt()).round() as usize;
        let cmd = MotorCommand::Walk {
            speed: 0.1,
            turn: 0.2,
        };
        let wall = Instant::now();
        let cpu: f64 = pool.install(|| {
            agents
                .par_iter_mut()
                .map(|a| {
                    let c0 = thread_cpu_s();
                    for _ in 0..ticks {
                        a.step(&cmd);
                    }
                    thread_cpu_s() - c0
                })
                .sum()
        });
        let wall_s = wall.elapsed().as_secs_f64();
        let sim_s = seconds as f64 * worlds as f64;
        let fell = agents.iter().filter(|a| a.fallen()).count();
        anyhow::ensure!(fell == 0, "{fell} of {worlds} worlds fell");
        println!(
            "| {terrain:?} | {worlds} | {threads} | {:.1} | {:.1} | {:.1} |",
            sim_s / wall_s,
            seconds as f64 / wall_s,
            sim_s / cpu
        );
    }
    Ok(())
}
