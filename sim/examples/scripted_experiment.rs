//! Scripting experiments in Rust through the crates' public API, without the CLI: load the
//! shipped loom experiment, set its keys as values (the loom from each side, three
//! release-failure levels: the key paths of a sweep), run each headless into a folder and
//! read the numbers from the returned summary. From the repository root:
//! `cargo run --release -p sim --example scripted_experiment`.

use sim::prelude::*;

fn main() -> anyhow::Result<()> {
    let base = Experiment::load("assets/experiments/loom_escape.toml".as_ref())?;
    let out = std::env::temp_dir().join("hexafly-scripted");
    println!("side   failure  escaped  first GF spike  event-driven energy");
    for side in ["left", "right"] {
        for failure in [0.0, 0.5, 0.9] {
            let mut exp = base.clone();
            // Checked as the file would be: an unknown key or a value out of range is an
            // error naming the key.
            exp.set("events[0].side", side)?;
            exp.set("network.release_failure", failure)?;
            let s = run(&exp, &out.join(format!("{side}-{failure}")))?;
            let gf = s.latency[0]
                .first_trigger_spike_s
                .map_or("none".to_string(), |t| format!("{:.1} ms", t * 1e3));
            println!(
                "{side:<6} {failure:<8} {:<8} {gf:<15} {:.3} uJ/s",
                s.behaviour_time_s.contains_key("escape"),
                s.activity.event_driven_uj_per_s
            );
        }
    }
    println!("run folders in {}", out.display());
    Ok(())
}
