//! The mission, what a user gets with no file (`hexafly run`, `cargo run --release`):
//! assets/experiments/default.toml on the compact FlyWire v783 circuit shipped in
//! assets/connectomes/flywire783_mission. From an empty data directory and cache, the robot
//! grooms, walks to the food it smells, feeds, escapes a loom and feeds again, every switch
//! chosen by the arbiter from descending-neuron readouts; and the controls: silencing aBN1,
//! MN9 or the giant fibres removes grooming, feeding or escape and nothing else.

use std::path::{Path, PathBuf};

use super::common;
use sim::experiment::{Experiment, Summary, run};

fn default_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/experiments/default.toml")
}

/// The behaviour bouts of a run folder: (start s, behaviour).
fn bouts(out: &Path) -> Vec<(f64, String)> {
    let mut r = csv::Reader::from_path(out.join("timeline.csv")).unwrap();
    let mut v: Vec<(f64, String)> = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let (t, b) = (rec[0].parse::<f64>().unwrap(), rec[1].to_owned());
        if v.last().is_none_or(|(_, last)| *last != b) {
            v.push((t, b));
        }
    }
    v
}

/// `hexafly run --out OUT` with no file, from `cwd`, with its own data directory and
/// cache (and `HEXAFLY_ASSETS` when given); the summary.
fn run_default(cwd: &Path, data: &Path, out: &Path, assets: Option<&str>) -> serde_json::Value {
    let mut cmd = common::hexafly();
    cmd.args(["run", "--out"])
        .arg(out)
        .current_dir(cwd)
        .env("HEXAFLY_DATA", data)
        .env("HEXAFLY_CACHE", cwd.join("cache"))
        .env_remove("HEXAFLY_ASSETS");
    if let Some(a) = assets {
        cmd.env("HEXAFLY_ASSETS", a);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

fn first(bouts: &[(f64, String)], b: &str, after: f64) -> Option<f64> {
    bouts
        .iter()
        .find(|(t, x)| x == b && *t >= after)
        .map(|(t, _)| *t)
}

#[test]
fn the_offline_default_grooms_walks_to_food_feeds_and_escapes_then_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let s = run_default(dir.path(), &dir.path().join("empty-data"), &out, None);
    assert!(
        s["dataset"]
            .as_str()
            .unwrap()
            .ends_with("flywire783_mission/mission.surrogate.toml"),
        "{}",
        s["dataset"]
    );
    // Planted links are declared: the wiring is labelled synthetic, and how.
    assert_eq!(s["synthetic_wiring"], true);
    let note = s["wiring_note"].as_str().unwrap();
    assert!(
        note.contains("181145 real pairs") && note.contains("264 planted pairs"),
        "{note}"
    );

    let b = bouts(&out);
    let groom = first(&b, "groom", 0.0).expect("grooms");
    assert!(groom < 0.1, "grooming starts at once (dusty): {b:?}");
    let walk = first(&b, "walk", groom).expect("walks after grooming");
    let feed = first(&b, "feed", walk).expect("feeds after walking");
    assert!(feed < 8.0, "reaches the food before the loom: {b:?}");
    let escape = first(&b, "escape", 0.0).expect("escapes");
    assert!(
        escape > 8.0 && escape < 8.05,
        "escape only after the loom at 8 s: {b:?}"
    );
    let after = b
        .iter()
        .find(|(t, x)| *t > escape && x != "escape")
        .expect("resumes after the escape");
    assert!(
        after.1 == "feed" || after.1 == "walk",
        "goes back to the food: {b:?}"
    );
    assert!(first(&b, "feed", escape).is_some(), "feeds again: {b:?}");
    assert!(
        s["food_eaten"].as_f64().unwrap() > 0.1,
        "{}",
        s["food_eaten"]
    );
    assert!(s["behaviour_time_s"]["groom"].as_f64().unwrap() > 1.0);
    assert!(s["behaviour_time_s"]["feed"].as_f64().unwrap() > 3.0);
    // The giant fibre's spike triggers the escape within a few ms of the loom's growth.
    let gf = s["latency"][0]["first_trigger_spike_s"].as_f64().unwrap();
    assert!(gf > 0.0 && gf < 0.03, "{gf}");
}

/// The default experiment with one selection silenced from the start.
fn silenced(selector: &str) -> Summary {
    let file = default_file();
    let text = std::fs::read_to_string(&file).unwrap()
        + &format!("\n[[modifications]]\nkind = \"silence\"\nneurons = \"{selector}\"\n");
    let exp = Experiment::parse(&text, &file).unwrap();
    let dir = tempfile::tempdir().unwrap();
    run(&exp, dir.path()).unwrap()
}

fn time_in(s: &Summary, b: &str) -> f64 {
    s.behaviour_time_s.get(b).copied().unwrap_or(0.0)
}

#[test]
fn silencing_abn1_mn9_or_the_giant_fibres_removes_grooming_feeding_or_escape() {
    // aBN1 (v783 SAD093) relays Johnston's organ to the grooming DNs: no grooming, and the
    // dusty robot walks to the food and feeds instead.
    let s = silenced("type=SAD093");
    assert_eq!(time_in(&s, "groom"), 0.0, "{:?}", s.behaviour_time_s);
    assert!(time_in(&s, "feed") > 3.0 && time_in(&s, "escape") > 0.3);
    // MN9 (v783 CB0701) is the feeding readout: never feeds, walks on.
    let s = silenced("type=CB0701");
    assert_eq!(time_in(&s, "feed"), 0.0, "{:?}", s.behaviour_time_s);
    assert!(time_in(&s, "groom") > 1.0 && time_in(&s, "walk") > 1.0);
    assert_eq!(s.food_eaten, 0.0);
    // The giant fibres DNp01: the loom comes and nothing escapes.
    let s = silenced("type=DNp01");
    assert_eq!(time_in(&s, "escape"), 0.0, "{:?}", s.behaviour_time_s);
    assert!(time_in(&s, "groom") > 1.0 && time_in(&s, "feed") > 3.0);
}

#[test]
fn an_installed_binary_runs_the_default_from_any_directory_on_its_built_in_assets() {
    // HEXAFLY_ASSETS=builtin ignores the source tree, as when the clone is gone: the
    // assets embedded at build time are unpacked into the data directory and used.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let s = run_default(dir.path(), &data, &dir.path().join("run"), Some("builtin"));
    let exp = s["experiment"].as_str().unwrap();
    assert!(
        exp.starts_with(&data.join("assets").display().to_string())
            && exp.ends_with("experiments/default.toml"),
        "{exp}"
    );
    assert!(s["behaviour_time_s"]["feed"].as_f64().unwrap() > 3.0);
}

#[test]
fn the_shipped_circuit_is_made_again_byte_for_byte_from_the_registry_datasets() {
    // The command that made assets/connectomes/flywire783_mission (its sources.toml).
    for d in [
        "flywire-783-escape",
        "flywire-783-steering-dn",
        "flywire-783-olfaction",
        "flywire-783-annotations",
    ] {
        connectome::test_data::require(d);
    }
    let shipped =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/connectomes/flywire783_mission");
    let sources = std::fs::read_to_string(shipped.join("sources.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = common::hexafly();
    cmd.args(["connectome", "export"])
        .arg(shipped.join("sources.toml"))
        .arg("--out")
        .arg(dir.path())
        .arg("--no-cache");
    let mut keeps = 0;
    for line in sources.lines() {
        for part in line.split("--keep \"").skip(1) {
            cmd.arg("--keep").arg(part.split('"').next().unwrap());
            keeps += 1;
        }
    }
    assert_eq!(keeps, 5, "the --keep selectors of sources.toml");
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["edges.csv.gz", "neurons.csv.gz"] {
        assert!(
            std::fs::read(dir.path().join(f)).unwrap() == std::fs::read(shipped.join(f)).unwrap(),
            "{f} differs from the one made from the datasets"
        );
    }
}

#[test]
fn the_mission_gives_the_same_bytes_on_one_and_two_brain_threads() {
    let dir = tempfile::tempdir().unwrap();
    let outputs: Vec<(Vec<u8>, Vec<u8>)> = ["1", "2"]
        .iter()
        .map(|threads| {
            let out = dir.path().join(format!("t{threads}"));
            let o = common::hexafly()
                .args(["run", "--threads", threads, "--out"])
                .arg(&out)
                .env("HEXAFLY_DATA", dir.path().join("data"))
                .env("HEXAFLY_CACHE", dir.path().join("cache"))
                .env_remove("HEXAFLY_ASSETS")
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            (
                std::fs::read(out.join("timeline.csv")).unwrap(),
                std::fs::read(out.join("spikes.parquet")).unwrap(),
            )
        })
        .collect();
    assert!(outputs[0].0 == outputs[1].0, "timeline.csv differs");
    assert!(outputs[0].1 == outputs[1].1, "spikes.parquet differs");
}
