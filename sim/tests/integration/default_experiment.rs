//! The experiment a user gets without naming one (`hexafly view` with no file): the
//! FlyWire v783 whole brain when its datasets are in the data directory, else the small
//! real circuit shipped in assets/, with one line saying which and how to get the bigger.
//!
//! The whole brain's 15 M pairs are not on this machine, so the data directory here is a
//! stand-in for its layout: `flywire-783-shiu` holds the published neuron list
//! (Completeness_783.csv, copied as is) and, as its wiring, the real synapse-level v783
//! subsets of the registry (escape, steering, ORN outputs, antennal lobe; composed by
//! assets/manifests/flywire783_subsets.toml) among those neurons, written in the Shiu et al.
//! layout, accepted through a registry that lists no sha256 for it; `flywire-783-annotations`
//! holds the tables `hexafly fetch` installs.
//! It tests the default's path end to end (found, loaded by name, named by the Codex
//! tables, run), not the whole brain's behaviour.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::common::{self, assets};
use connectome::formats::{LoadParams, load};
use connectome::source::DatasetSource;
use connectome::test_data::require;
use connectome::{Connectome, EdgeListBuilder, NeuronTable};
use sim::experiment::defaults;

/// Fills `data` with the stand-in described in the module doc.
fn whole_brain_layout(data: &Path) {
    let completeness = require("flywire-783-shiu-neurons/Completeness_783.csv");
    let text = std::fs::read_to_string(&completeness).unwrap();
    let mut neurons = NeuronTable::new();
    for line in text.lines().skip(1) {
        let id = line.split(',').next().unwrap().parse::<u64>().unwrap();
        neurons.insert(id);
    }
    let index: HashMap<u64, u32> = (0..neurons.len() as u32)
        .map(|i| (neurons.id(i), i))
        .collect();
    let subsets = load(
        &assets().join("manifests/flywire783_subsets.toml"),
        &LoadParams::default(),
    )
    .unwrap();
    let mut edges = EdgeListBuilder::new();
    for pre in 0..subsets.n_neurons() as u32 {
        let (targets, counts) = subsets.synapses.row(pre);
        let Some(&p) = index.get(&subsets.neurons.id(pre)) else {
            continue;
        };
        for (&t, &c) in targets.iter().zip(counts) {
            if let Some(&q) = index.get(&subsets.neurons.id(t)) {
                edges.push(p, q, c);
            }
        }
    }
    let n = neurons.len();
    let c = Connectome {
        format: "shiu".into(),
        sources: Vec::new(),
        synapses: edges.build(n),
        neurons,
        synthetic: None,
    };
    assert!(c.n_edges() > 10_000, "{} pairs", c.n_edges());
    let shiu = data.join("flywire-783-shiu");
    connectome::formats::shiu::write(&shiu, "783", &c).unwrap();
    // The published file itself (same ids in the same order; its own Completed flags).
    std::fs::copy(&completeness, shiu.join("Completeness_783.csv")).unwrap();
    let tables = data.join("flywire-783-annotations");
    std::fs::create_dir_all(&tables).unwrap();
    let registry = connectome::datasets::Registry::builtin();
    for f in &registry.get("flywire-783-annotations").unwrap().files {
        std::fs::copy(
            require(&format!("flywire-783-annotations/{}", f.path)),
            tables.join(&f.path),
        )
        .unwrap();
    }
    // The stand-in wiring is not the published file: a registry without its sha256 accepts
    // it (the built-in one refuses a file whose sha256 differs).
    let text = std::fs::read_to_string(assets().join("datasets.toml")).unwrap();
    let published =
        "sha256 = \"efeb23fb99098e9c390f6869969b2a121a2ee92c833cfc45ecb2c1d8e1af0347\"\n";
    assert!(text.contains(published));
    std::fs::write(stand_in_registry(data), text.replace(published, "")).unwrap();
}

fn stand_in_registry(data: &Path) -> PathBuf {
    data.join("stand-in-registry.toml")
}

fn source(data: &Path) -> DatasetSource {
    DatasetSource {
        data_dir: Some(data.to_path_buf()),
        registry: Some(stand_in_registry(data)).filter(|p| p.exists()),
        ..Default::default()
    }
}

#[test]
fn the_default_is_the_whole_brain_when_it_is_in_the_data_directory() {
    let empty = tempfile::tempdir().unwrap();
    let d = defaults::best(&source(empty.path()));
    assert_eq!(d.path, defaults::small());
    assert!(
        d.says.contains("compact FlyWire v783")
            && d.says.contains("`hexafly fetch flywire-783-shiu`")
            && d.says.contains("`hexafly fetch flywire-783-annotations`"),
        "{}",
        d.says
    );

    let data = tempfile::tempdir().unwrap();
    whole_brain_layout(data.path());
    let d = defaults::best(&source(data.path()));
    assert_eq!(d.path, defaults::whole_brain());
    assert!(d.says.contains("whole brain"), "{}", d.says);

    // Only one of the two datasets: still the small default.
    std::fs::remove_file(
        data.path()
            .join("flywire-783-annotations/connectivity_tags.csv.gz"),
    )
    .unwrap();
    assert_eq!(defaults::best(&source(data.path())).path, defaults::small());
}

#[test]
fn view_without_a_file_or_display_runs_the_whole_brain_default() {
    let data = tempfile::tempdir().unwrap();
    whole_brain_layout(data.path());
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = common::hexafly()
        .args(["view", "--out"])
        .arg(out.path())
        .env("HEXAFLY_DATA", data.path())
        .env("HEXAFLY_REGISTRY", stand_in_registry(data.path()))
        .env("HEXAFLY_CACHE", cache.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("the default experiment on the FlyWire v783 whole brain"),
        "{stderr}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    let dataset = summary["dataset"].as_str().unwrap();
    assert!(
        dataset.contains("flywire-783-shiu") && dataset.ends_with("Completeness_783.csv"),
        "{dataset}"
    );
    assert_eq!(summary["synthetic_wiring"], false);
    // The loom at 1 s is followed by a giant-fibre spike and an escape (that the wiring
    // carries it, and silencing or shuffling removes it: closed_loop_escape.rs).
    let spike = summary["latency"][0]["first_trigger_spike_s"]
        .as_f64()
        .unwrap();
    assert!(spike > 0.0 && spike < 0.05, "{spike}");
    assert!(summary["behaviour_time_s"]["escape"].as_f64().unwrap() > 0.3);
}

#[test]
fn an_annotation_table_that_is_neither_a_file_nor_a_dataset_is_an_error_naming_it() {
    let file = assets().join("experiments/loom_escape.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "circuit = ",
        "annotations = [\"no-such-tables\"]\ncircuit = ",
    );
    let exp = sim::experiment::Experiment::parse(&text, &file).unwrap();
    let err = sim::error_chain(&sim::experiment::prepare(&exp).err().expect("an error"));
    assert!(
        err.contains("network.annotations[0]")
            && err.contains("no-such-tables")
            && err.contains("neither a file nor a known dataset"),
        "{err}"
    );
}
