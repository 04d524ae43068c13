//! Every selector of every shipped circuit map resolves on the real data it was written for,
//! with the counts listed in assets/circuits/README.md.

use std::path::PathBuf;

use connectome::Connectome;
use connectome::formats::{LoadParams, load};
use connectome::test_data::require;
use controller::circuit::CircuitMap;

fn asset(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("assets")
        .join(rel)
}

/// (name, side, count) of every group of every sensor and readout.
fn counts(map: &CircuitMap, c: &Connectome, label: &str) -> Vec<(String, &'static str, usize)> {
    let r = map
        .resolve(&c.neurons, label)
        .unwrap_or_else(|e| panic!("{e}"));
    let side = |s: Option<controller::anatomy::Side>| match s {
        Some(controller::anatomy::Side::Left) => "left",
        Some(controller::anatomy::Side::Right) => "right",
        None => "both",
    };
    let mut out = Vec::new();
    for (s, groups) in map.sensors.iter().zip(&r.sensors) {
        out.extend(
            groups
                .iter()
                .map(|g| (s.name.clone(), side(g.side), g.neurons.len())),
        );
    }
    for (s, groups) in map.readouts.iter().zip(&r.readouts) {
        out.extend(
            groups
                .iter()
                .map(|g| (s.name.clone(), side(g.side), g.neurons.len())),
        );
    }
    out
}

fn expect(got: Vec<(String, &'static str, usize)>, want: &[(&str, &str, usize)]) {
    let got: Vec<(&str, &str, usize)> = got.iter().map(|(n, s, c)| (n.as_str(), *s, *c)).collect();
    assert_eq!(got, want);
}

#[test]
fn flywire783_map_resolves_on_the_v783_annotation_tables() {
    let c = load(&require("flywire-783-annotations"), &LoadParams::default()).unwrap();
    assert_eq!(c.n_neurons(), 139_255);
    let map = CircuitMap::load(&asset("circuits/flywire783.toml")).unwrap();
    expect(
        counts(&map, &c, "v783 annotations"),
        &[
            ("looming_lc4", "left", 54),
            ("looming_lc4", "right", 50),
            ("looming_lplc2", "left", 108),
            ("looming_lplc2", "right", 102),
            ("dust_jo", "both", 333),
            ("dust_bristles", "both", 302),
            ("taste_sugar", "both", 131),
            ("taste_tarsal", "left", 67),
            ("taste_tarsal", "right", 64),
            ("odor_food", "left", 69),
            ("odor_food", "right", 66),
            ("escape", "left", 1),
            ("escape", "right", 1),
            ("forward", "both", 2),
            ("turn", "left", 2),
            ("turn", "right", 2),
            ("backward", "both", 4),
            ("groom_antennae", "both", 2),
            ("groom_head", "both", 42),
            ("feed", "both", 2),
        ],
    );
    // The giant fibres are the two ids the data README lists.
    let r = map.resolve(&c.neurons, "v783").unwrap();
    let mut gf: Vec<u64> = r.readouts[0]
        .iter()
        .flat_map(|g| &g.neurons)
        .map(|&i| c.neurons.id(i))
        .collect();
    gf.sort();
    assert_eq!(gf, vec![720575940622838154, 720575940632499757]);
}

/// The neuron ids of every group, in map order.
fn group_ids(map: &CircuitMap, c: &Connectome) -> Vec<Vec<u64>> {
    let r = map.resolve(&c.neurons, "v783").unwrap();
    r.sensors
        .iter()
        .chain(&r.readouts)
        .flatten()
        .map(|g| {
            let mut ids: Vec<u64> = g.neurons.iter().map(|&i| c.neurons.id(i)).collect();
            ids.sort_unstable();
            ids
        })
        .collect()
}

#[test]
fn flywire783_map_selects_the_same_neurons_from_the_downloadable_codex_tables() {
    // What `hexafly fetch flywire-783-annotations` downloads (assets/datasets.toml): the
    // Codex classification, consolidated cell types and connectivity tags, without the
    // hemibrain_type column of classification_with_cell_types.
    let dir = std::env::temp_dir().join(format!("hexafly-codex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "classification.csv.gz",
        "consolidated_cell_types.csv.gz",
        "connectivity_tags.csv.gz",
    ] {
        std::fs::copy(
            require(&format!("flywire-783-annotations/{f}")),
            dir.join(f),
        )
        .unwrap();
    }
    let codex = load(&dir, &LoadParams::default());
    std::fs::remove_dir_all(&dir).unwrap();
    let codex = codex.unwrap();
    let all = load(&require("flywire-783-annotations"), &LoadParams::default()).unwrap();
    let map = CircuitMap::load(&asset("circuits/flywire783.toml")).unwrap();
    let (want, got) = (group_ids(&map, &all), group_ids(&map, &codex));
    assert_eq!(want.len(), 20);
    assert!(want.iter().all(|g| !g.is_empty()));
    assert_eq!(got, want);
}

#[test]
fn escape_map_resolves_on_the_escape_subset() {
    let c = load(
        &require("flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv"),
        &LoadParams::default(),
    )
    .unwrap();
    let map = CircuitMap::load(&asset("circuits/flywire783_escape.toml")).unwrap();
    expect(
        counts(&map, &c, "escape"),
        &[
            ("looming_lc4", "left", 54),
            ("looming_lc4", "right", 50),
            ("looming_lplc2", "left", 94),
            ("looming_lplc2", "right", 95),
            ("escape", "left", 1),
            ("escape", "right", 1),
        ],
    );
}

#[test]
fn subsets_map_resolves_on_the_composed_adult_subsets() {
    // The manifest names its datasets (`dataset:`); fail with the missing file's
    // name rather than a load error when it is absent.
    require("flywire-783-olfaction/olfaction_ORN_outputs_edges.csv");
    let c = load(
        &asset("manifests/flywire783_subsets.toml"),
        &LoadParams::default(),
    )
    .unwrap();
    assert_eq!((c.n_neurons(), c.n_edges()), (4146, 181_145));
    let map = CircuitMap::load(&asset("circuits/flywire783_subsets.toml")).unwrap();
    expect(
        counts(&map, &c, "subsets"),
        &[
            ("looming_lc4", "left", 54),
            ("looming_lc4", "right", 50),
            ("looming_lplc2", "left", 108),
            ("looming_lplc2", "right", 102),
            ("odor_food", "left", 69),
            ("odor_food", "right", 66),
            ("escape", "left", 1),
            ("escape", "right", 1),
            ("forward", "both", 2),
            ("turn", "left", 2),
            ("turn", "right", 2),
            ("backward", "both", 4),
        ],
    );
}

#[test]
fn larva_map_resolves_on_the_larval_brain() {
    let c = load(
        &require("larva-winding2023/Supplementary-Data-S1.zip"),
        &LoadParams::default(),
    )
    .unwrap();
    let map = CircuitMap::load(&asset("circuits/larva.toml")).unwrap();
    expect(
        counts(&map, &c, "larva"),
        &[
            ("odor", "left", 21),
            ("odor", "right", 21),
            ("taste", "left", 66),
            ("taste", "right", 65),
            ("turn", "left", 1),
            ("turn", "right", 1),
            ("forward", "both", 2),
            ("feed", "both", 2),
        ],
    );
}
