//! The brain engine against the reference itself: Brian 2 (scripts/brian2_crosscheck.py)
//! and `hexafly brain run` simulate the same connectome file with the same explicit input
//! spike trains; at least 99% of the spikes must be identical (same neuron, same step) and
//! the totals within 0.5%.
//!
//! Needs a Python with brian2==2.9.0: `$HEXAFLY_PYTHON`, else `.venv/bin/python` in the
//! workspace, else `python3` (CI: `.ci/run` creates the venv).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use connectome::formats::{LoadOptions, load};
use connectome::select::Selector;
use connectome::shared_data::require;
use rand::{Rng, SeedableRng};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn python() -> PathBuf {
    let candidates: Vec<PathBuf> = match std::env::var_os("HEXAFLY_PYTHON") {
        Some(p) => vec![PathBuf::from(p)],
        None => vec![
            workspace().join(".venv/bin/python"),
            PathBuf::from("python3"),
        ],
    };
    for p in &candidates {
        let ok = Command::new(p)
            .args(["-c", "import brian2"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return p.clone();
        }
    }
    panic!(
        "brian2 is not importable by any of {candidates:?}. Install the reference with \
         `python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements.txt` in the \
         workspace root, or point HEXAFLY_PYTHON at a python that has brian2==2.9.0."
    );
}

/// Seeded Bernoulli trains: every neuron gets an event in each 0.1 ms step with
/// probability rate x dt (a Poisson process on the step grid, as Brian's PoissonInput).
fn write_input(path: &Path, ids: &[u64], rate_hz: f64, steps: u32, seed: u64) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "neuron,t_ms").unwrap();
    for s in 0..steps {
        for &id in ids {
            if rng.random_bool(rate_hz * 1e-4) {
                writeln!(f, "{id},{}.{}", s / 10, s % 10).unwrap();
            }
        }
    }
}

fn read_spikes(path: &Path) -> Vec<(u64, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("neuron,t_ms"), "{}", path.display());
    let mut v: Vec<(u64, String)> = lines
        .map(|l| {
            let (n, t) = l.split_once(',').unwrap();
            (n.parse().unwrap(), t.to_owned())
        })
        .collect();
    v.sort();
    v
}

struct Case<'a> {
    name: &'a str,
    connectome: PathBuf,
    driven_ids: Vec<u64>,
    duration_ms: u32,
    /// Arguments for both hexafly and the Brian 2 script.
    extra: &'a [&'a str],
    /// Arguments for hexafly only.
    ours_extra: &'a [&'a str],
    min_spikes: usize,
}

fn crosscheck(case: Case) {
    let py = python();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.csv");
    write_input(&input, &case.driven_ids, 150.0, case.duration_ms * 10, 11);
    let ours = dir.path().join("hexafly.csv");
    let theirs = dir.path().join("brian2.csv");
    let dur = case.duration_ms.to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_hexafly"))
        .args(["brain", "run", "--connectome"])
        .arg(&case.connectome)
        .args(["--duration-ms", &dur, "--input-spikes"])
        .arg(&input)
        .arg("--out")
        .arg(&ours)
        .args(case.extra)
        .args(case.ours_extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hexafly failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(&py)
        .arg(workspace().join("scripts/brian2_crosscheck.py"))
        .arg("--connectome")
        .arg(&case.connectome)
        .args(["--duration-ms", &dur, "--input-spikes"])
        .arg(&input)
        .arg("--out")
        .arg(&theirs)
        .args(case.extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "brian2 script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (read_spikes(&ours), read_spikes(&theirs));
    // Multiset intersection of two sorted lists.
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    let most = a.len().max(b.len()).max(1);
    let identical = common as f64 / most as f64;
    let count_diff = (a.len() as f64 - b.len() as f64).abs() / most as f64;
    eprintln!(
        "{}: hexafly {} spikes, brian2 {} spikes, {:.4}% identical",
        case.name,
        a.len(),
        b.len(),
        100.0 * identical
    );
    assert!(
        b.len() >= case.min_spikes,
        "{}: too few spikes for a meaningful check: {}",
        case.name,
        b.len()
    );
    assert!(
        identical >= 0.99,
        "{}: only {:.3}% of spikes identical",
        case.name,
        100.0 * identical
    );
    assert!(
        count_diff <= 0.005,
        "{}: totals differ by {:.3}%",
        case.name,
        100.0 * count_diff
    );
}

fn ids_of(path: &Path, selector: &str) -> Vec<u64> {
    let c = load(path, &LoadOptions::default()).unwrap();
    let idx = Selector::parse(selector)
        .unwrap()
        .select(&c.neurons)
        .unwrap();
    idx.into_iter().map(|i| c.neurons.id(i)).collect()
}

#[test]
fn larval_brain_with_olfactory_neurons_driven() {
    let zip = require("larva-winding2023/Supplementary-Data-S1.zip");
    let driven = ids_of(&zip, "type=sensory & additional_annotations=olfactory");
    assert_eq!(driven.len(), 42);
    crosscheck(Case {
        name: "larva",
        connectome: zip,
        driven_ids: driven,
        duration_ms: 1000,
        // 20% of neurons inhibitory, chosen by a hash of the skeleton id (brain::signs).
        extra: &["--inhibitory-fraction", "0.2", "--sign-seed", "1"],
        ours_extra: &[],
        min_spikes: 2000,
    });
}

#[test]
fn flywire_escape_subset_with_lc4_driven() {
    let csv = require("flywire783/circuits/escape_LC4_LPLC2_to_GF_edges.csv");
    let driven = ids_of(&csv, "type=LC4");
    assert!(!driven.is_empty());
    crosscheck(Case {
        name: "escape",
        connectome: csv,
        driven_ids: driven,
        duration_ms: 1000,
        extra: &[],
        ours_extra: &[],
        min_spikes: 1000,
    });
}

/// The project's synthetic network (`hexafly connectome synth --small`: 20,000 neurons,
/// 1 M pairs, heavy-tailed counts, 35% inhibitory), counts x4 so that most spikes are
/// recurrent rather than driven.
#[test]
fn synthetic_network_of_20000_neurons() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hexafly"))
        .args([
            "connectome",
            "synth",
            "--small",
            "--seed",
            "1",
            "--scale",
            "4",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "synth failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let edges = dir.path().join("edges.csv");
    let ids = ids_of(&edges, "all");
    assert_eq!(ids.len(), 20_000);
    let driven: Vec<u64> = ids.iter().step_by(97).take(200).copied().collect();
    crosscheck(Case {
        name: "synthetic",
        connectome: edges,
        driven_ids: driven,
        duration_ms: 500,
        extra: &[],
        ours_extra: &["--threads", "2", "--split-trials"],
        min_spikes: 20_000,
    });
}
