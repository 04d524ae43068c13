//! Foraging on the larval whole brain (Winding et al. 2023) with the readouts that
//! `hexafly circuit check --propose` chose from the wiring (assets/circuits/larva.toml),
//! against two controls: the olfactory receptor neurons silenced, and a degree-preserving
//! shuffle of the wiring. What the test asserts is what the wiring was found to carry: odor
//! drives locomotion (the odor-responsive forward readout) on the real wiring and on neither
//! control. Whether the robot approaches the food is measured and printed, not asserted: on
//! these readouts it circles (a right-turn bias under odor drive) and ends no closer on
//! average (README, "The closed loop").

use std::path::{Path, PathBuf};

use sim::experiment::{Experiment, run};

fn experiment(dir: &Path, heading: f64, control: &str) -> Experiment {
    let zip = connectome::test_data::require("larva-winding2023/Supplementary-Data-S1.zip");
    let assets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets");
    let (shuffle, silence) = match control {
        "shuffled" => ("shuffle = 3\n", ""),
        "silenced" => (
            "",
            "[[modifications]]\nneurons = \"type=sensory & additional_annotations=olfactory\"\nkind = \"silence\"\n",
        ),
        _ => ("", ""),
    };
    let text = format!(
        "[run]\nduration_s = 5.0\nseed = 11\n[network]\nconnectome = \"{}\"\ncircuit = \"{}\"\n{shuffle}\
         [scene]\nfile = \"{}\"\n[agent]\nheading_deg = {heading}\nhunger = 0.8\n{silence}\
         [reports]\ntimeline_ms = 50.0\n",
        zip.display(),
        assets.join("circuits/larva.toml").display(),
        assets.join("scenes/odor_arena.toml").display(),
    );
    let path = dir.join(format!("{control}_{heading}.toml"));
    std::fs::write(&path, text).unwrap();
    Experiment::load(&path).unwrap()
}

/// (distance to the food at the start and at the end, m; seconds walking).
fn outcome(dir: &Path, heading: f64, control: &str) -> (f64, f64, f64) {
    let out = dir.join(format!("out_{control}_{heading}"));
    let s = run(&experiment(dir, heading, control), &out).unwrap();
    let text = std::fs::read_to_string(out.join("timeline.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (x, y) = (col("x_m"), col("y_m"));
    let d: Vec<f64> = lines
        .map(|l| {
            let f: Vec<f64> = l
                .split(',')
                .map(|v| v.parse().unwrap_or(f64::NAN))
                .collect();
            (f[x] - 0.8).hypot(f[y])
        })
        .collect();
    let walk = s.behaviour_time_s.get("walk").copied().unwrap_or(0.0);
    (d[0], *d.last().unwrap(), walk)
}

#[test]
fn odor_drives_locomotion_through_the_real_wiring_and_not_through_the_controls() {
    let dir = tempfile::tempdir().unwrap();
    for heading in [0.0, 90.0] {
        let (start, end, walk) = outcome(dir.path(), heading, "real");
        eprintln!(
            "heading {heading}: real wiring walks {walk:.2} s, distance {start:.3} -> {end:.3} m"
        );
        assert!(walk > 4.0, "real wiring: walked {walk} s");
        for control in ["silenced", "shuffled"] {
            let (s0, s1, w) = outcome(dir.path(), heading, control);
            eprintln!("heading {heading}: {control} walks {w:.2} s, distance {s0:.3} -> {s1:.3} m");
            assert!(w < 0.5, "{control}: walked {w} s");
        }
    }
}
