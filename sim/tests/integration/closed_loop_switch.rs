//! Behaviour selection on the surrogate FlyWire v783 whole brain (SYNTHETIC wiring outside
//! the real subsets; assets/surrogates/flywire783.surrogate.toml), with the FlyWire circuit
//! map unchanged and the arbiter choosing by the balance of drives
//! (assets/experiments/hunger_vs_dust.toml):
//! - a hungry, clean robot walks to a sugar patch (odor -> ORNs -> PNs -> P9) and feeds
//!   (sugar GRNs -> MN9); with MN9 silenced it never feeds;
//! - a sated, dusty robot away from food grooms first (JO -> aBN1 -> aDN1/DNg12) and its dust
//!   comes off; with aBN1 silenced it never grooms;
//! - a loom interrupts feeding and grooming alike (LC4/LPLC2 -> giant fibre, real wiring);
//! - every summary says the wiring is synthetic.

use std::path::Path;

use super::common::assets;
use connectome::test_data::require;
use sim::experiment::{Experiment, Summary, run};

/// A shipped experiment file (without a `[sweep]` table) with the lines whose key is named
/// in `set` replaced, and `extra` tables appended; parsed as if it were the file, so its
/// relative paths resolve.
fn edited(name: &str, set: &[(&str, String)], extra: &str) -> Experiment {
    require("flywire-783-annotations");
    require("flywire-783-steering-dn/steering_DN_subgraph_edges.csv");
    let file = assets().join("experiments").join(name);
    let text = std::fs::read_to_string(&file).unwrap();
    let text = &text[..text.find("[sweep]").unwrap_or(text.len())];
    let mut out = String::new();
    for line in text.lines() {
        let key = line.split('=').next().map(str::trim).unwrap_or("");
        match set.iter().find(|(k, _)| *k == key) {
            Some((k, v)) => out.push_str(&format!("{k} = {v}")),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out.push_str(extra);
    Experiment::parse(&out, &file).unwrap()
}

/// hunger_vs_dust.toml with a start, internal state, loom time and extra tables.
fn experiment(x: f32, hunger: f32, dust: f32, loom_s: f64, extra: &str) -> Experiment {
    edited(
        "hunger_vs_dust.toml",
        &[
            ("duration_s", format!("{}", loom_s + 1.0)),
            ("position", format!("[{x}, 0.0]")),
            ("hunger", format!("{hunger}")),
            ("dust", format!("{dust}")),
            ("at_s", format!("{loom_s}")),
        ],
        extra,
    )
}

fn time_in(s: &Summary, b: &str) -> f64 {
    s.behaviour_time_s.get(b).copied().unwrap_or(0.0)
}

/// (behaviour, start time) of each bout, in order, from timeline.csv.
fn bouts(out: &Path) -> Vec<(String, f64)> {
    let mut r = csv::Reader::from_path(out.join("timeline.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (bi, ti) = (
        h.iter().position(|c| c == "behaviour").unwrap(),
        h.iter().position(|c| c == "t_s").unwrap(),
    );
    let mut v: Vec<(String, f64)> = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let b = rec[bi].to_owned();
        if v.last().is_none_or(|l| l.0 != b) {
            v.push((b, rec[ti].parse().unwrap()));
        }
    }
    v
}

fn check_labelled_synthetic(s: &Summary) {
    assert!(s.synthetic_wiring);
    assert!(
        s.wiring_note.contains("SYNTHETIC") && s.wiring_note.contains("surrogate"),
        "{}",
        s.wiring_note
    );
}

fn run_in(dir: &Path, exp: &Experiment) -> (Summary, Vec<(String, f64)>) {
    let out = dir.join("out");
    let s = run(exp, &out).unwrap();
    check_labelled_synthetic(&s);
    (s, bouts(&out))
}

#[test]
fn a_hungry_robot_walks_to_sugar_and_feeds_until_a_loom_and_not_without_mn9() {
    let dir = tempfile::tempdir().unwrap();
    let (s, b) = run_in(dir.path(), &experiment(0.05, 1.0, 0.0, 3.0, ""));
    eprintln!("hungry: {b:?}\n{:?}", s.behaviour_time_s);
    let walk = b.iter().position(|x| x.0 == "walk").expect("walks");
    let feed = b.iter().position(|x| x.0 == "feed").expect("feeds");
    assert!(walk < feed, "walks to the food first: {b:?}");
    assert!(time_in(&s, "feed") > 1.0, "{:?}", s.behaviour_time_s);
    // The loom interrupts feeding.
    let esc = b.iter().position(|x| x.0 == "escape").expect("escapes");
    assert_eq!(b[esc - 1].0, "feed", "{b:?}");
    assert!((b[esc].1 - 3.0).abs() < 0.1, "{b:?}");
    assert!(s.food_eaten > 0.05, "{}", s.food_eaten);

    let dir = tempfile::tempdir().unwrap();
    let silenced = "\n[[modifications]]\nkind = \"silence\"\nneurons = \"type=CB0701\"\n";
    let (s, b) = run_in(dir.path(), &experiment(0.05, 1.0, 0.0, 3.0, silenced));
    eprintln!("MN9 silenced: {b:?}");
    assert_eq!(time_in(&s, "feed"), 0.0, "{b:?}");
    assert!(time_in(&s, "walk") > 1.0, "still forages: {b:?}");
}

#[test]
fn a_sated_dusty_robot_grooms_first_until_a_loom_and_not_without_abn1() {
    let dir = tempfile::tempdir().unwrap();
    let (s, b) = run_in(dir.path(), &experiment(-1.0, 0.0, 0.6, 1.0, ""));
    eprintln!("dusty: {b:?}\n{:?}", s.behaviour_time_s);
    let first_action = b
        .iter()
        .find(|x| x.0 != "walk" && x.0 != "stand")
        .expect("acts");
    assert_eq!(first_action.0, "groom", "{b:?}");
    assert!(first_action.1 < 0.5, "{b:?}");
    // The loom at 1 s interrupts grooming.
    let esc = b.iter().position(|x| x.0 == "escape").expect("escapes");
    assert_eq!(b[esc - 1].0, "groom", "{b:?}");

    let dir = tempfile::tempdir().unwrap();
    let silenced = "\n[[modifications]]\nkind = \"silence\"\nneurons = \"type=SAD093\"\n";
    let (s, b) = run_in(dir.path(), &experiment(-1.0, 0.0, 0.6, 1.0, silenced));
    eprintln!("aBN1 silenced: {b:?}");
    assert_eq!(time_in(&s, "groom"), 0.0, "{b:?}");
}

/// hunger_vs_sugar.toml at one hunger and sugar level, with extra tables.
fn sugar_experiment(hunger: f32, sugar: f32, extra: &str) -> Experiment {
    edited(
        "hunger_vs_sugar.toml",
        &[
            ("hunger", format!("{hunger}")),
            ("sugar", format!("{sugar}")),
        ],
        extra,
    )
}

/// Standing in dilute sugar (0.4) with dust: a sated robot mostly grooms, a hungry one feeds
/// (the sweep of hunger_vs_sugar.toml, README); silencing aBN1 in the sated robot removes its
/// grooming and silencing MN9 in the hungry one its feeding: the wiring carries both sides.
#[test]
fn hunger_turns_a_dusty_robot_in_dilute_sugar_from_grooming_to_feeding() {
    let mut times = Vec::new();
    for hunger in [0.0, 1.0] {
        let dir = tempfile::tempdir().unwrap();
        let (s, b) = run_in(dir.path(), &sugar_experiment(hunger, 0.4, ""));
        eprintln!("hunger {hunger}: {b:?}");
        times.push((time_in(&s, "groom"), time_in(&s, "feed")));
    }
    let [(groom0, feed0), (groom1, feed1)] = times[..] else {
        unreachable!()
    };
    assert!(
        groom0 > 1.0 && feed0 < 0.5,
        "sated: groom {groom0} s, feed {feed0} s"
    );
    assert!(
        feed1 > 1.5 && groom1 < 0.2,
        "hungry: groom {groom1} s, feed {feed1} s"
    );

    // Silencing what each chose removes it.
    for (hunger, silence, absent) in [(0.0, "type=SAD093", "groom"), (1.0, "type=CB0701", "feed")] {
        let dir = tempfile::tempdir().unwrap();
        let extra = format!("\n[[modifications]]\nkind = \"silence\"\nneurons = \"{silence}\"\n");
        let (s, b) = run_in(dir.path(), &sugar_experiment(hunger, 0.4, &extra));
        eprintln!("hunger {hunger}, {silence} silenced: {b:?}");
        assert_eq!(time_in(&s, absent), 0.0, "{b:?}");
    }
}
