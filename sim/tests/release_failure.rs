//! Synaptic release failure in the closed loop (assets/experiments/release_failure.toml, the
//! shipped real FlyWire escape wiring): the same seed gives byte-identical outputs at 1 and 2
//! threads; the transmitted fraction of synaptic events is 1 - p; the giant fibre's escape
//! comes later as failures rise and not at all at 98%; the activity block reports it.

use std::path::{Path, PathBuf};

use sim::experiment::{Experiment, Summary, run};

fn experiment(failure: f64, seed: u64) -> Experiment {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/experiments/release_failure.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = &text[..text.find("[sweep]").unwrap()];
    let text = text
        .replace(
            "release_failure = 0.0",
            &format!("release_failure = {failure}"),
        )
        .replace("seed = 1", &format!("seed = {seed}"));
    Experiment::parse(&text, &file).unwrap()
}

fn run_in(dir: &Path, exp: &Experiment) -> Summary {
    run(exp, dir).unwrap()
}

fn gf_latency(s: &Summary) -> Option<f64> {
    s.latency[0].first_trigger_spike_s
}

#[test]
fn failures_are_seeded_and_thread_count_invariant() {
    let exp = experiment(0.8, 3);
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    for (threads, d) in [1, 2].into_iter().zip(&dirs) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| run_in(d.path(), &exp));
    }
    for f in ["timeline.csv", "spikes.parquet"] {
        let (a, b) = (
            std::fs::read(dirs[0].path().join(f)).unwrap(),
            std::fs::read(dirs[1].path().join(f)).unwrap(),
        );
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    let other = tempfile::tempdir().unwrap();
    run_in(other.path(), &experiment(0.8, 4));
    assert_ne!(
        std::fs::read(dirs[0].path().join("spikes.parquet")).unwrap(),
        std::fs::read(other.path().join("spikes.parquet")).unwrap()
    );
}

#[test]
fn the_escape_comes_later_as_release_fails_and_not_at_98_percent() {
    let mut mean_latency = Vec::new();
    let mut per_spike_by_p = Vec::new();
    for p in [0.0, 0.8] {
        let mut lat = Vec::new();
        for seed in 1..=3 {
            let d = tempfile::tempdir().unwrap();
            let s = run_in(d.path(), &experiment(p, seed));
            let a = &s.activity;
            assert_eq!(a.release_failure, p);
            // Transmitted events per spike scale with 1 - p (all neurons share the rows).
            let per_spike = a.synaptic_events_per_s / a.spikes_per_s;
            eprintln!(
                "p {p} seed {seed}: GF {:?}, events/spike {per_spike:.3}",
                gf_latency(&s)
            );
            lat.push(gf_latency(&s).expect("escapes"));
            per_spike_by_p.push((p, per_spike));
            assert!(a.event_driven_uj_per_s < a.clock_driven_uj_per_s / 100.0);
        }
        mean_latency.push(lat.iter().sum::<f64>() / lat.len() as f64);
    }
    assert!(mean_latency[1] > 2.0 * mean_latency[0], "{mean_latency:?}");
    // Transmitted events per spike at 80% failure: a fifth of those without failures.
    let mean = |q: f64| {
        let v: Vec<f64> = per_spike_by_p
            .iter()
            .filter(|x| x.0 == q)
            .map(|x| x.1)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let ratio = mean(0.8) / mean(0.0);
    assert!((ratio - 0.2).abs() < 0.02, "{ratio}");
    for seed in 1..=3 {
        let d = tempfile::tempdir().unwrap();
        let s = run_in(d.path(), &experiment(0.98, seed));
        assert_eq!(gf_latency(&s), None, "seed {seed}");
        assert_eq!(s.behaviour_time_s.get("escape"), None);
    }
}

#[test]
fn a_failure_probability_out_of_range_names_the_key() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/experiments/release_failure.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = &text[..text.find("[sweep]").unwrap()];
    let e = Experiment::parse(
        &text.replace("release_failure = 0.0", "release_failure = 1.0"),
        &file,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("network.release_failure") && e.contains("line 17"),
        "{e}"
    );
}
