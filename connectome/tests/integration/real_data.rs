//! Loading the real public datasets of the registry, installed in the data directory by `hexafly fetch` (the facts checked are those their publishers state).

use connectome::formats::{self, Format, LoadParams, detect};
use connectome::neuron::columns;
use connectome::test_data::require;
use connectome::{Connectome, Transmitter};

fn load(rel: &str) -> Connectome {
    formats::load(&require(rel), &LoadParams::default()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn count(c: &Connectome, column: &str, value: &str) -> usize {
    (0..c.n_neurons() as u32)
        .filter(|&i| c.neurons.annotation(i, column) == value)
        .count()
}

fn idx(c: &Connectome, id: u64) -> u32 {
    c.neurons
        .index_of(id)
        .unwrap_or_else(|| panic!("neuron {id} missing"))
}

#[test]
fn larva_data_s1_counts_are_exact() {
    let p = require("larva-winding2023/Supplementary-Data-S1.zip");
    assert_eq!(detect(&p).unwrap(), Format::LarvaS1);
    let c = load("larva-winding2023/Supplementary-Data-S1.zip");
    assert_eq!(c.format, "larva-s1");
    assert_eq!(
        (c.n_neurons(), c.n_edges(), c.n_synapses()),
        (2_952, 110_677, 352_611)
    );
    let autapses = (0..c.n_neurons() as u32)
        .filter(|&i| c.synapses.get(i, i) != 0)
        .count();
    assert_eq!(autapses, 537);
    // No transmitter data: every neuron Unknown, every synapse excitatory by default.
    assert!(
        c.neurons
            .transmitters()
            .iter()
            .all(|&t| t == Transmitter::Unknown)
    );
    assert!(c.synapses.iter().all(|(_, _, w)| w > 0));
    // Row 29 -> column 8419602 holds 9 synapses in the published matrix (rows presynaptic).
    assert_eq!(c.synapses.get(idx(&c, 29), idx(&c, 8419602)), 9);
    assert_eq!(c.synapses.get(idx(&c, 8419602), idx(&c, 29)), 6);
    // Annotations: one row per pair, sides from the column; first rows are unpaired visual.
    let v = idx(&c, 2532841);
    assert_eq!(c.neurons.annotation(v, columns::TYPE), "sensory");
    assert_eq!(c.neurons.annotation(v, columns::SIDE), "right");
    assert_eq!(c.neurons.annotation(v, "additional_annotations"), "visual");
    assert_eq!(
        c.neurons.annotation(idx(&c, 2216445), columns::SIDE),
        "left"
    );
    assert_eq!(count(&c, "additional_annotations", "visual"), 29);
}

#[test]
fn flywire_v783_annotations_resolve() {
    let p = require("flywire-783-annotations/classification_with_cell_types.csv.gz");
    assert_eq!(detect(&p).unwrap(), Format::FlywireCodex);
    let c = load("flywire-783-annotations/classification_with_cell_types.csv.gz");
    assert_eq!((c.n_neurons(), c.n_edges()), (139_255, 0));
    assert_eq!(count(&c, "hemibrain_type", "LC4"), 104);
    assert_eq!(count(&c, "hemibrain_type", "LPLC2"), 210);
    assert_eq!(count(&c, "hemibrain_type", "MDN"), 4);
    for id in [720575940632499757, 720575940622838154] {
        assert_eq!(c.neurons.annotation(idx(&c, id), columns::TYPE), "DNp01");
        assert_eq!(
            c.neurons.annotation(idx(&c, id), columns::SUPER_CLASS),
            "descending"
        );
    }
    assert_eq!(
        c.neurons
            .annotation(idx(&c, 720575940632499757), columns::SIDE),
        "right"
    );
}

#[test]
fn flywire_annotation_directory_merges_all_tables() {
    let c = load("flywire-783-annotations");
    assert_eq!(c.format, "flywire-codex");
    assert_eq!(c.n_neurons(), 139_255);
    let gf = idx(&c, 720575940632499757);
    assert_eq!(c.neurons.annotation(gf, columns::TYPE), "DNp01");
    // neurons.csv.gz gives transmitters (the giant fibres have none predicted).
    let gaba = c
        .neurons
        .transmitters()
        .iter()
        .filter(|&&t| t == Transmitter::Gaba)
        .count();
    let glut = c
        .neurons
        .transmitters()
        .iter()
        .filter(|&&t| t == Transmitter::Glutamate)
        .count();
    assert_eq!((gaba, glut), (16_017, 19_605));
    assert_eq!(c.neurons.transmitter(gf), Transmitter::Unknown);
    let sugar = (0..c.n_neurons() as u32)
        .filter(|&i| c.neurons.annotation(i, columns::CLASS) == "gustatory")
        .filter(|&i| matches!(c.neurons.annotation(i, "sub_class"), "sugar/water"))
        .count();
    assert_eq!(sugar, 131);
}

#[test]
fn escape_subset_loads_onto_annotated_neurons() {
    let rel = "flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv";
    let opts = LoadParams {
        annotations: vec![
            require("flywire-783-annotations/classification_with_cell_types.csv.gz"),
            require("flywire-783-annotations/neurons.csv.gz"),
        ],
        ..Default::default()
    };
    let c = formats::load(&require(rel), &opts).unwrap();
    assert_eq!(c.n_edges(), 293);
    // Annotate-only tables do not add the other 139k neurons.
    let lc4 = count(&c, "hemibrain_type", "LC4");
    let lplc2 = count(&c, "hemibrain_type", "LPLC2");
    assert!(
        lc4 > 0 && lplc2 > 0 && lc4 + lplc2 + 2 == c.n_neurons(),
        "{lc4} + {lplc2} + 2 != {}",
        c.n_neurons()
    );
    let gf = [720575940632499757, 720575940622838154].map(|id| idx(&c, id));
    for &g in &gf {
        assert_eq!(c.neurons.annotation(g, columns::TYPE), "DNp01");
        assert_eq!(c.neurons.annotation(g, columns::SUPER_CLASS), "descending");
    }
    // Every edge ends on a giant fibre, from an LC4/LPLC2 neuron.
    for (pre, post, _) in c.synapses.iter() {
        assert!(gf.contains(&post));
        assert!(matches!(
            c.neurons.annotation(pre, columns::TYPE),
            "LC4" | "LPLC2"
        ));
    }
    // The file's first row: 14 synapses, ACH (excitatory).
    assert_eq!(c.synapses.get(idx(&c, 720575940614572742), gf[1]), 14);
}

#[test]
fn olfaction_subsets_load() {
    let c = load("flywire-783-olfaction/olfaction_ORN_outputs_edges.csv");
    assert_eq!(c.n_edges(), 135_593);
    let orns = (0..c.n_neurons() as u32)
        .filter(|&i| !c.neurons.annotation(i, "orn_glomerulus").is_empty())
        .count();
    assert_eq!(orns, 1_839);
    let c = load("flywire-783-olfaction/olfaction_AL_LN_PN_edges.csv");
    assert_eq!(c.n_edges(), 35_016);
    assert!(count(&c, columns::CLASS, "ALPN") > 0);
}

#[test]
fn manc_subsets_load_with_transmitter_signs() {
    let c = load("manc-vnc/data_set_intrinsic_T1.csv");
    assert_eq!(c.format, "edge-list");
    // Row 0: DNxl055 (10095) -> IN03A062 (20142), gaba, 9 synapses: inhibitory.
    let (pre, post) = (idx(&c, 10095), idx(&c, 20142));
    assert_eq!(c.neurons.transmitter(pre), Transmitter::Gaba);
    assert_eq!(c.synapses.get(pre, post), -9);
    assert_eq!(c.neurons.annotation(pre, columns::TYPE), "DNxl055");
    assert_eq!(c.neurons.annotation(post, columns::CLASS), "intrinsic");
    // Giant fibres are there under their MANC type.
    for id in [10000, 10002] {
        assert_eq!(c.neurons.annotation(idx(&c, id), columns::TYPE), "DNlt002");
    }
    let c = load("manc-vnc/data_intrinsic_motor_T3.csv");
    // Row 0: IN19A037 (19746, glutamate) -> MNhl02 (11813), 7 synapses: inhibitory.
    let (pre, post) = (idx(&c, 19746), idx(&c, 11813));
    assert_eq!(c.synapses.get(pre, post), -7);
    assert_eq!(c.neurons.transmitter(post), Transmitter::Glutamate);
    assert_eq!(c.neurons.annotation(post, "muscle"), "hind leg");
    let total: usize = (1..=3)
        .map(|t| load(&format!("manc-vnc/data_set_intrinsic_T{t}.csv")).n_edges())
        .sum();
    assert_eq!(total, 90_492);
}

#[test]
fn fanc_subsets_load_with_transmitter_signs() {
    let c = load("fanc-motor/fanc_v840_T1L_leg_preMN_to_MN_edges.csv");
    assert_eq!(c.n_edges(), 11_136);
    let inhibitory = c
        .synapses
        .iter()
        .filter(|&(_, _, w)| w < 0)
        .collect::<Vec<_>>();
    assert!(!inhibitory.is_empty());
    for (pre, _, _) in inhibitory {
        assert!(matches!(
            c.neurons.transmitter(pre),
            Transmitter::Gaba | Transmitter::Glutamate
        ));
    }
    let mn_left = (0..c.n_neurons() as u32)
        .filter(|&i| c.neurons.annotation(i, columns::SIDE) == "left")
        .count();
    assert_eq!(mn_left, 69);
    assert_eq!(
        load("fanc-motor/fanc_v840_T1L_leg_all_inputs_to_MN_edges_with_fragments.csv").n_edges(),
        15_493
    );
    let wing = load("fanc-motor/fanc_v840_wing_preMN_to_MNtype_edges.csv");
    assert_eq!(wing.n_edges(), 7_289);
    assert!(count(&wing, columns::TYPE, "DLM_1") >= 1);
}

#[test]
fn composed_escape_and_manc_join_giant_fibre_to_its_manc_partner() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("escape_to_vnc.toml");
    let d = connectome::test_data::data_dir();
    let text = format!(
        r#"
[[source]]
path = "{d}/flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv"
namespace = "fafb"
annotations = ["{d}/flywire-783-annotations/classification_with_cell_types.csv.gz"]

[[source]]
path = "{d}/manc-vnc/data_set_intrinsic_T1.csv"
namespace = "manc"

[[source]]
path = "{d}/manc-vnc/data_intrinsic_motor_T1.csv"
namespace = "manc"

[[join]]
matches = "{d}/manc-vnc/fafb_to_manc.csv"
brain = "fafb"
cord = "manc"
"#,
        d = d.display()
    );
    std::fs::write(&manifest, text).unwrap();
    assert_eq!(detect(&manifest).unwrap(), Format::Manifest);
    let c = formats::load(&manifest, &LoadParams::default()).unwrap();
    assert_eq!(c.format, "manifest");
    let escape = load("flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv");
    let t1 = load("manc-vnc/data_set_intrinsic_T1.csv");
    let motor = load("manc-vnc/data_intrinsic_motor_T1.csv");
    // FlyWire ids keep their values (first namespace); MANC ids move by 10^18.
    let stride = connectome::formats::compose::NAMESPACE_STRIDE;
    let gf_fafb = [720575940632499757, 720575940622838154].map(|id| idx(&c, id));
    let gf_manc = [10000, 10002].map(|id| idx(&c, stride + id));
    for &m in &gf_manc {
        assert_eq!(c.neurons.annotation(m, columns::TYPE), "DNlt002");
        assert_eq!(c.neurons.annotation(m, "namespace"), "manc");
        assert_eq!(c.neurons.annotation(m, "brain_partner_type"), "DNp01");
    }
    for &f in &gf_fafb {
        assert_eq!(c.neurons.annotation(f, "cord_partner_type"), "DNlt002");
        for &m in &gf_manc {
            assert_eq!(
                c.synapses.get(f, m),
                connectome::formats::compose::DEFAULT_LINK_WEIGHT
            );
        }
    }
    // The MANC wiring is unchanged: DN 10095 -> IN 20142 stays -9.
    assert_eq!(
        c.synapses
            .get(idx(&c, stride + 10095), idx(&c, stride + 20142)),
        -9
    );
    // Neurons: the union (T1 and motor files share interneurons); edges: all three files
    // (their pairs are disjoint: DN -> IN, IN -> MN, LC -> GF) plus the 2 x 2 giant-fibre links.
    let links = c
        .synapses
        .iter()
        .filter(|&(pre, _, _)| !c.neurons.annotation(pre, "cord_partner_type").is_empty())
        .count();
    assert_eq!(links, 4);
    let shared = (0..motor.n_neurons() as u32)
        .filter(|&i| t1.neurons.index_of(motor.neurons.id(i)).is_some())
        .count();
    assert_eq!(
        c.n_neurons(),
        escape.n_neurons() + t1.n_neurons() + motor.n_neurons() - shared
    );
    assert_eq!(
        c.n_edges(),
        escape.n_edges() + t1.n_edges() + motor.n_edges() + links
    );
}

#[test]
fn loading_gives_the_same_network_at_any_thread_count() {
    let p = require("flywire-783-olfaction/olfaction_ORN_outputs_edges.csv");
    let with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| formats::load(&p, &LoadParams::default()).unwrap())
    };
    let one = with(1);
    assert_eq!(one, with(2));
    assert_eq!(one, with(5));
}

#[test]
fn neuron_lists_load_and_attach() {
    // The grooming network list (FlyWire ids in an `id` column, with cell types) is read as
    // a neuron table, and its group placeholders with negative ids are reported, not guessed.
    let p = require("flywire-783-grooming/grooming_network_neurons.csv");
    assert_eq!(detect(&p).unwrap(), Format::FlywireCodex);
    let e = formats::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("grooming_network_neurons.csv, line 854, column `id`") && e.contains("`-15`"),
        "{e}"
    );
    // The FANC motor neuron table (ids in `pt_root_id`; `id` is a row number) annotates
    // the FANC premotor edges: all 69 left front-leg motor neurons get their muscle.
    let opts = LoadParams {
        annotations: vec![require(
            "fanc-motor/fancy_tools_motor_neuron_table_v7_with_pool_20220921.csv",
        )],
        ..Default::default()
    };
    let c = formats::load(
        &require("fanc-motor/fanc_v840_T1L_leg_preMN_to_MN_edges.csv"),
        &opts,
    )
    .unwrap();
    let pooled = (0..c.n_neurons() as u32)
        .filter(|&i| !c.neurons.annotation(i, "preferred_pool").is_empty())
        .count();
    assert!(pooled >= 69, "{pooled}");
}
