//! Scripting experiments in Rust through the crates' public API, without the CLI: build an
//! experiment from text (here, the shipped loom experiment with the loom from each side and three
//! release-failure levels), run each headless into a folder, and read the numbers from the
//! returned summary. `cargo run --release -p sim --example scripted_experiment`.

use std::path::PathBuf;

use sim::experiment::{Experiment, run};

fn main() -> anyhow::Result<()> {
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/experiments/loom_escape.toml");
    let base = std::fs::read_to_string(&file)?;
    let out = std::env::temp_dir().join("hexafly-scripted");
    println!("side   failure  escaped  first GF spike  event-driven energy");
    for side in ["left", "right"] {
        for failure in [0.0, 0.5, 0.9] {
            // Any field of the experiment file can be set this way; relative paths resolve
            // against `file`, as if the text were that file.
            let text = base
                .replace("side = \"left\"", &format!("side = \"{side}\""))
                .replace(
                    "[network]\n",
                    &format!("[network]\nrelease_failure = {failure}\n"),
                );
            let exp = Experiment::parse(&text, &file)?;
            let dir = out.join(format!("{side}-{failure}"));
            let s = run(&exp, &dir)?;
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
