//! Steering through the real FlyWire v783 steering-DN subgraph (composed with the other
//! adult subsets by assets/manifests/flywire783_subsets.toml): activating the strongest
//! side-specific excitatory upstream partners of the left or right DNa02 turns the robot
//! the matching way, through the wiring to DNa01/DNa02 and the turn readout; silencing
//! DNa01/DNa02 removes the turn.
//!
//! Partners are chosen from the wiring by a fixed rule (no tuning against the outcome):
//! presynaptic neurons of DNa02 on that side with an excitatory transmitter, ranked by
//! synapses onto it, keeping those with at least 3x more synapses onto it than onto the
//! other side's DNa02, top 5; DNa01/DNa02 themselves and the other side's partners are
//! excluded.

use std::path::Path;

use super::common::assets;
use connectome::select::Selector;
use sim::experiment::prepare;
use sim::experiment::{Experiment, Summary, run};

fn write(dir: &Path, extra: &str) -> Experiment {
    connectome::test_data::require("flywire-783-steering-dn/steering_DN_subgraph_edges.csv");
    let text = format!(
        r#"
[run]
duration_s = 2.0
seed = 5

[network]
connectome = "{}"
circuit = "{}"

[reports]
spikes = ["type=DNa01,DNa02"]
{extra}
"#,
        assets().join("manifests/flywire783_subsets.toml").display(),
        assets().join("circuits/flywire783_subsets.toml").display()
    );
    let path = dir.join("exp.toml");
    std::fs::write(&path, text).unwrap();
    Experiment::load(&path).unwrap()
}

/// The rule of the module doc, on the loaded wiring.
fn partners(exp: &Experiment, side: &str) -> Vec<u64> {
    let p = prepare(exp).unwrap();
    let c = &p.connectome;
    let one = |sel: &str| -> Vec<u32> { Selector::parse(sel).unwrap().select(&c.neurons).unwrap() };
    let other = if side == "left" { "right" } else { "left" };
    let this_dn = one(&format!("type=DNa02 & side={side}"));
    let other_dn = one(&format!("type=DNa02 & side={other}"));
    let excluded = one("type=DNa01,DNa02");
    let (rows, targets, counts) = c.synapses.parts();
    let mut ranked: Vec<(i64, u64)> = Vec::new();
    for pre in 0..c.n_neurons() {
        if excluded.contains(&(pre as u32)) {
            continue;
        }
        let (mut onto, mut onto_other) = (0i64, 0i64);
        for e in rows[pre] as usize..rows[pre + 1] as usize {
            if this_dn.contains(&targets[e]) {
                onto += counts[e] as i64;
            }
            if other_dn.contains(&targets[e]) {
                onto_other += counts[e].abs() as i64;
            }
        }
        if onto > 0 && onto >= 3 * onto_other {
            ranked.push((-onto, c.neurons.ids()[pre]));
        }
    }
    ranked.sort();
    ranked.into_iter().take(5).map(|r| r.1).collect()
}

fn activate(ids: &[u64]) -> String {
    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    format!(
        "\n[[inputs]]\nneurons = \"id={}\"\nrate_hz = 150.0\nstart_s = 0.5\n",
        list.join(",")
    )
}

fn yaw_change(out: &Path) -> f64 {
    let text = std::fs::read_to_string(out.join("timeline.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let yaw = header.iter().position(|h| *h == "yaw_rad").unwrap();
    let t = header.iter().position(|h| *h == "t_s").unwrap();
    let rows: Vec<(f64, f64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[t].parse().unwrap(), f[yaw].parse().unwrap())
        })
        .collect();
    // Unwrapped yaw change from the activation on.
    let mut total = 0.0;
    for w in rows.windows(2).filter(|w| w[0].0 >= 0.5) {
        let mut d = w[1].1 - w[0].1;
        while d > std::f64::consts::PI {
            d -= 2.0 * std::f64::consts::PI;
        }
        while d < -std::f64::consts::PI {
            d += 2.0 * std::f64::consts::PI;
        }
        total += d;
    }
    total
}

fn turn(side: &str, silence: bool) -> (f64, Summary) {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "");
    let ids = partners(&base, side);
    assert!(ids.len() >= 3, "{side}: only {} partners", ids.len());
    let mut extra = activate(&ids);
    if silence {
        extra.push_str("\n[[modifications]]\nneurons = \"type=DNa01,DNa02\"\nkind = \"silence\"\n");
    }
    let exp = write(dir.path(), &extra);
    let out = dir.path().join("out");
    let s = run(&exp, &out).unwrap();
    let yaw = yaw_change(&out);
    eprintln!(
        "{side} partners {ids:?}{}: yaw change {yaw:+.3} rad, behaviour {:?}",
        if silence {
            ", DNa01/DNa02 silenced"
        } else {
            ""
        },
        s.behaviour_time_s
    );
    (yaw, s)
}

#[test]
fn activating_left_or_right_dna02_partners_turns_the_matching_way() {
    let (left, _) = turn("left", false);
    let (right, _) = turn("right", false);
    assert!(left > 0.2, "left partners: yaw change {left}");
    assert!(right < -0.2, "right partners: yaw change {right}");
}

#[test]
fn silencing_dna01_and_dna02_removes_the_turn() {
    for side in ["left", "right"] {
        // (The partners also reach other DNs, so the robot may still walk: the claim is
        // that the turn needs DNa01/DNa02.)
        let (yaw, _) = turn(side, true);
        assert!(
            yaw.abs() < 0.05,
            "{side}: yaw change {yaw} with DNa01/DNa02 silenced"
        );
    }
}
