//! Embedding the controller in your own robot: load a connectome, wire it with a circuit
//! map into a brain ([`Wiring::compile`]: the map's sign rule, selectors and model), build a
//! [`Controller`], feed it your robot's sensor values every tick and read the motor
//! command. No physics and no rendering: the "robot" here is a looming object that starts
//! approaching the left eye at 50 ms, written straight into the `Sensors` value.
//!
//! `cargo run -p controller --example embed`, from the repository root (it reads the
//! FlyWire v783 LC4/LPLC2 -> giant fibre edges shipped in assets/connectomes).

use std::path::Path;

use connectome::prelude::*;
use controller::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let assets = Path::new("assets");
    let edges = assets.join("connectomes/flywire783_escape/escape_LC4_LPLC2_to_GF_edges.csv");
    let connectome = load(&edges, &LoadParams::default())?;
    let map = CircuitMap::load(&assets.join("circuits/flywire783_escape.toml"))?;
    let wiring = Wiring::compile(connectome, map, "escape subset")?;
    let mut ctl = wiring.controller(&ControllerParams::default())?;

    let mut sensors = Sensors::default();
    for tick in 0..200u32 {
        let t = tick as f32 * 1e-3; // 1 ms control ticks
        if t >= 0.05 {
            // An object growing on the left eye: angle and its rate of change.
            let eye = &mut sensors.looming[0];
            eye.expansion = 8.0;
            eye.angle += 8.0 * 1e-3;
            eye.azimuth = 1.4;
        }
        let out = ctl.tick(&sensors);
        if out.decision.switched {
            println!(
                "t = {:5.1} ms: {} ({:?}) -> {:?}",
                (tick + 1) as f32,
                out.decision.behaviour.as_str(),
                out.decision.reason,
                out.decision.command
            );
        }
    }
    Ok(())
}
