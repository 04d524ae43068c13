//! A closed loop in a few lines, as the README's "Use it as a library" shows it (a test keeps
//! the two the same): an example experiment's brain and body, two monitors, ten simulated
//! seconds. `hexafly fetch --for assets/experiments/hungry_foraging.toml` installs its data;
//! `cargo run --release -p sim --example closed_loop` runs it from the repository root.

use sim::prelude::*;

fn main() -> anyhow::Result<()> {
    let exp = Experiment::load("assets/experiments/hungry_foraging.toml".as_ref())?;
    let brain = prepare(&exp)?; // dataset + circuit map -> compiled network
    let mut fly = ClosedLoop::for_experiment(&exp, &brain)?; // settled in its scene
    fly.attach(BehaviourMonitor::default());
    fly.attach(PathMonitor::new(fly.agent().pose()));
    while fly.time_s() < 10.0 {
        let tick = fly.step()?; // sense -> brain -> readouts -> arbiter -> body
        if tick.decision.switched {
            println!("{:5.2} s  {}", tick.t_s, tick.decision.behaviour.as_str());
        }
    }
    let behaviour = fly.monitor::<BehaviourMonitor>().expect("attached");
    let path = fly.monitor::<PathMonitor>().expect("attached");
    println!("seconds per behaviour: {:?}", behaviour.time_s());
    println!("walked {:.2} m", path.path_length_m());
    println!("ate {:.2} of its hunger", path.food_eaten());
    Ok(())
}
