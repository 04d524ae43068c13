//! Loaders on fixtures written here in the exact published layouts (Codex exports, neuPrint
//! exports, plain and mapped edge lists, an extracted larval matrix), and format detection.

use std::io::Write;
use std::path::{Path, PathBuf};

use connectome::formats::{self, EdgeColumns, Format, LoadParams, detect};
use connectome::neuron::columns;
use connectome::{Connectome, Transmitter};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if name.ends_with(".gz") {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        std::fs::write(&p, e.finish().unwrap()).unwrap();
    } else {
        std::fs::write(&p, bytes).unwrap();
    }
    p
}

fn idx(c: &Connectome, id: u64) -> u32 {
    c.neurons
        .index_of(id)
        .unwrap_or_else(|| panic!("neuron {id} missing"))
}

/// A Codex export directory: connections (one row per neuropil) plus the neuron tables.
fn codex_dir(dir: &Path) {
    write(
        dir,
        "connections.csv.gz",
        b"pre_root_id,post_root_id,neuropil,syn_count,nt_type\n\
          11,12,AL_L,5,ACH\n11,12,AL_R,2,ACH\n12,11,LH_L,4,GABA\n13,11,LH_L,6,GLUT\n14,11,SEZ,3,\n",
    );
    write(
        dir,
        "neurons.csv.gz",
        b"root_id,group,nt_type,nt_type_score,da_avg,ser_avg,gaba_avg,glut_avg,ach_avg,oct_avg\n\
          11,AL,ACH,0.9,0,0,0,0,0.9,0\n12,AL,GABA,0.8,0,0,0.8,0,0,0\n13,LH,GLUT,0.7,0,0,0,0.7,0,0\n\
          14,SEZ,GABA,0.6,0,0,0.6,0,0,0\n15,SEZ,ACH,0.5,0,0,0,0,0.5,0\n",
    );
    write(
        dir,
        "classification.csv.gz",
        b"root_id,flow,super_class,class,sub_class,hemilineage,side,nerve\n\
          11,afferent,sensory,olfactory,,,left,AN\n12,intrinsic,central,ALLN,,,right,\n",
    );
    write(
        dir,
        "classification_with_cell_types.csv.gz",
        b"root_id,flow,super_class,class,sub_class,cell_type,hemibrain_type,hemilineage,side,nerve\n\
          11,afferent,sensory,olfactory,,ORN_DA1,ORN_DA1,,left,AN\n12,intrinsic,central,ALLN,,,lLN2F,,right,\n",
    );
    write(
        dir,
        "consolidated_cell_types.csv.gz",
        b"root_id,primary_type,additional_type(s)\n11,ORN_X,\n12,lLN2F_b,\n",
    );
}

#[test]
fn codex_export_sums_neuropils_and_signs_by_row_transmitter() {
    let dir = tempfile::tempdir().unwrap();
    codex_dir(dir.path());
    let conn = dir.path().join("connections.csv.gz");
    assert_eq!(detect(&conn).unwrap(), Format::FlywireCodex);
    assert_eq!(detect(dir.path()).unwrap(), Format::FlywireCodex);
    for path in [conn.clone(), dir.path().to_path_buf()] {
        let c = formats::load(&path, &LoadParams::default()).unwrap();
        assert_eq!(c.format, "flywire-codex");
        // Neurons come from neurons.csv (15 has no edges), in its order.
        assert_eq!(c.neurons.ids(), &[11, 12, 13, 14, 15]);
        assert_eq!(c.synapses.get(idx(&c, 11), idx(&c, 12)), 7); // AL_L + AL_R
        assert_eq!(c.synapses.get(idx(&c, 12), idx(&c, 11)), -4); // GABA
        assert_eq!(c.synapses.get(idx(&c, 13), idx(&c, 11)), -6); // GLUT
        // No nt_type on the row: the presynaptic neuron's (GABA from neurons.csv).
        assert_eq!(c.synapses.get(idx(&c, 14), idx(&c, 11)), -3);
        assert_eq!((c.n_edges(), c.n_synapses()), (4, 20));
        let orn = idx(&c, 11);
        assert_eq!(c.neurons.transmitter(orn), Transmitter::Acetylcholine);
        // cell_type -> type; primary_type only fills an empty type.
        assert_eq!(c.neurons.annotation(orn, columns::TYPE), "ORN_DA1");
        assert_eq!(c.neurons.annotation(idx(&c, 12), columns::TYPE), "lLN2F_b");
        assert_eq!(c.neurons.annotation(orn, "hemibrain_type"), "ORN_DA1");
        assert_eq!(c.neurons.annotation(orn, columns::SUPER_CLASS), "sensory");
        assert_eq!(c.neurons.annotation(orn, columns::CLASS), "olfactory");
        assert_eq!(c.neurons.annotation(orn, columns::SIDE), "left");
        assert_eq!(c.neurons.annotation(orn, "group"), "AL");
        // Bulky per-neuron scores are not kept.
        assert!(c.neurons.column("gaba_avg").is_none());
    }
    // Without the tables beside it, neurons are the ids of the edges, first seen first.
    let opts = LoadParams {
        tables_beside: false,
        ..Default::default()
    };
    let c = formats::load(&conn, &opts).unwrap();
    assert_eq!(c.neurons.ids(), &[11, 12, 13, 14]);
    assert_eq!(c.synapses.get(idx(&c, 14), idx(&c, 11)), 3); // unknown transmitter: excitatory
}

#[test]
fn sign_rule_is_overridable() {
    let dir = tempfile::tempdir().unwrap();
    codex_dir(dir.path());
    let opts = LoadParams {
        sign_rule: connectome::SignRule {
            inhibitory: vec![Transmitter::Gaba],
        },
        ..Default::default()
    };
    let c = formats::load(dir.path(), &opts).unwrap();
    assert_eq!(c.synapses.get(idx(&c, 13), idx(&c, 11)), 6); // glutamate now excites
    assert_eq!(c.synapses.get(idx(&c, 12), idx(&c, 11)), -4);
}

#[test]
fn neuprint_export_with_roi_rows_and_predicted_transmitters() {
    let dir = tempfile::tempdir().unwrap();
    let neurons = write(
        dir.path(),
        "traced-neurons.csv",
        b"bodyId,type,instance,somaSide,predictedNt,roiInfo\n\
          10000,DNlt002,DNlt002_R,R,acetylcholine,\"{\"\"LTct\"\": {\"\"pre\"\": 3}}\"\n\
          10002,DNlt002,DNlt002_L,L,acetylcholine,{}\n20142,IN03A062,IN03A062_T1L,L,gaba,{}\n",
    );
    let conn = write(
        dir.path(),
        "traced-roi-connections.csv",
        b"bodyId_pre,bodyId_post,roi,weight\n10000,20142,LTct,12\n10000,20142,IntTct,3\n20142,10002,LTct,4\n",
    );
    assert_eq!(detect(&conn).unwrap(), Format::Neuprint);
    assert_eq!(detect(&neurons).unwrap(), Format::Neuprint);
    let c = formats::load(&conn, &LoadParams::default()).unwrap();
    assert_eq!(c.format, "neuprint");
    assert_eq!(c.neurons.ids(), &[10000, 10002, 20142]);
    assert_eq!(c.synapses.get(idx(&c, 10000), idx(&c, 20142)), 15);
    assert_eq!(c.synapses.get(idx(&c, 20142), idx(&c, 10002)), -4);
    let gf = idx(&c, 10000);
    assert_eq!(c.neurons.annotation(gf, columns::TYPE), "DNlt002");
    assert_eq!(c.neurons.annotation(gf, "instance"), "DNlt002_R");
    assert_eq!(c.neurons.annotation(gf, columns::SIDE), "right");
    assert!(c.neurons.column("roiInfo").is_none());
    // The neurons file alone has no connections file beside it under a known name.
    let c = formats::load(&neurons, &LoadParams::default()).unwrap();
    assert_eq!((c.n_neurons(), c.n_edges()), (3, 0));
}

#[test]
fn plain_edge_list_is_exact_and_keeps_first_seen_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "edges.csv",
        b"pre,post,weight\n5,3,-2\n3,5,4\n3,3,1\n9,5,0\n",
    );
    assert_eq!(detect(&p).unwrap(), Format::EdgeList);
    let c = formats::load(&p, &LoadParams::default()).unwrap();
    assert_eq!(c.format, "edge-list");
    assert_eq!(c.neurons.ids(), &[5, 3, 9]);
    let edges: Vec<_> = c
        .synapses
        .iter()
        .map(|(a, b, w)| (c.neurons.id(a), c.neurons.id(b), w))
        .collect();
    assert_eq!(edges, vec![(5, 3, -2), (3, 5, 4), (3, 3, 1)]); // a zero weight is no edge
    // Gzipped and tab-separated variants read the same.
    let gz = write(
        dir.path(),
        "edges.csv.gz",
        b"pre,post,weight\n5,3,-2\n3,5,4\n3,3,1\n9,5,0\n",
    );
    assert_eq!(
        formats::load(&gz, &LoadParams::default()).unwrap().synapses,
        c.synapses
    );
    let tsv = write(
        dir.path(),
        "edges.tsv",
        b"pre\tpost\tweight\n5\t3\t-2\n3\t5\t4\n3\t3\t1\n9\t5\t0\n",
    );
    assert_eq!(
        formats::load(&tsv, &LoadParams::default())
            .unwrap()
            .synapses,
        c.synapses
    );
}

#[test]
fn any_edge_csv_loads_through_a_column_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "my_edges.csv",
        b"from,to,n,transmitter,from_kind,to_kind\n1,2,4,gaba,LN,PN\n2,1,3,ach,PN,LN\n",
    );
    // Unknown layout: detection refuses rather than guessing.
    assert!(detect(&p).is_err());
    let columns: EdgeColumns = toml::from_str(
        r#"
pre = "from"
post = "to"
count = "n"
transmitter = "transmitter"
pre_annotations = { from_kind = "type" }
post_annotations = { to_kind = "type" }
"#,
    )
    .unwrap();
    let opts = LoadParams {
        format: Some(Format::EdgeList),
        columns: Some(columns),
        ..Default::default()
    };
    let c = formats::load(&p, &opts).unwrap();
    assert_eq!(c.synapses.get(idx(&c, 1), idx(&c, 2)), -4);
    assert_eq!(c.synapses.get(idx(&c, 2), idx(&c, 1)), 3);
    assert_eq!(c.neurons.annotation(idx(&c, 1), columns::TYPE), "LN");
    assert_eq!(
        c.neurons.transmitter(idx(&c, 2)),
        Transmitter::Acetylcholine
    );
}

#[test]
fn extracted_larval_matrix_with_annotations_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "all-all_connectivity_matrix.csv",
        b",7,8,9\n7,0.0,2.0,0.0\n8,1.0,0.0,0.0\n9,0.0,0.0,3.0\n",
    );
    write(
        dir.path(),
        "annotations.csv",
        b"left_id,right_id,celltype,additional_annotations,level_7_cluster\n7,8,KC,,3\nno pair,9,sensory,visual,0\n",
    );
    assert_eq!(detect(&m).unwrap(), Format::LarvaS1);
    assert_eq!(detect(dir.path()).unwrap(), Format::LarvaS1);
    let c = formats::load(&m, &LoadParams::default()).unwrap();
    assert_eq!((c.n_neurons(), c.n_edges(), c.n_synapses()), (3, 3, 6));
    assert_eq!(c.synapses.get(idx(&c, 7), idx(&c, 8)), 2); // row = presynaptic
    assert_eq!(c.neurons.annotation(idx(&c, 8), columns::SIDE), "right");
    assert_eq!(c.neurons.annotation(idx(&c, 8), "partner"), "7");
    assert_eq!(
        c.neurons.annotation(idx(&c, 9), "additional_annotations"),
        "visual"
    );
    assert_eq!(c.neurons.annotation(idx(&c, 9), "partner"), "");
}

#[test]
fn detection_by_name_and_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("brain.toml", Format::Manifest),
        ("proofread_connections_783.feather", Format::Feather),
        ("Connectivity_783.parquet", Format::Shiu),
        ("Completeness_783.csv", Format::Shiu),
    ] {
        let p = write(dir.path(), name, b"x\n");
        assert_eq!(detect(&p).unwrap(), format, "{name}");
    }
    let manc = write(
        dir.path(),
        "t1.csv",
        b",source_uid,source_bid,source_name,target_bid,syn_count,nt_type\n",
    );
    assert_eq!(detect(&manc).unwrap(), Format::EdgeList);
    let fanc = write(dir.path(), "f.csv", b"pre_id,post_id,syn_count,pre_nt\n");
    let pt = write(
        dir.path(),
        "connections_princeton.csv",
        b"pre_pt_root_id,post_pt_root_id,neuropil,syn_count,nt_type\n1,2,AL_L,3,GABA\n",
    );
    assert_eq!(detect(&pt).unwrap(), Format::FlywireCodex);
    let c = formats::load(&pt, &LoadParams::default()).unwrap();
    assert_eq!(c.synapses.get(idx(&c, 1), idx(&c, 2)), -3);
    assert_eq!(detect(&fanc).unwrap(), Format::EdgeList);
}

#[test]
fn manifest_namespaces_keep_colliding_ids_apart_and_merge_within_a_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.csv", b"pre,post,weight\n1,2,3\n");
    write(d, "b.csv", b"pre,post,weight\n2,1,-4\n1,2,2\n");
    write(d, "c.csv", b"src,dst,n\n1,2,5\n");
    write(
        d,
        "types.csv",
        b"root_id,cell_type,side\n1,DNx,L\n2,INy,R\n",
    );
    let m = write(
        d,
        "m.toml",
        br#"
[[source]]
path = "a.csv"
annotations = ["types.csv"]

[[source]]
path = "b.csv"            # same (default) namespace: merged by id, edges summed

[[source]]
path = "c.csv"
namespace = "cord"
format = "edge-list"
columns = { pre = "src", post = "dst", count = "n" }
"#,
    );
    let c = formats::load(&m, &LoadParams::default()).unwrap();
    let stride = connectome::formats::compose::NAMESPACE_STRIDE;
    assert_eq!(c.neurons.ids(), &[1, 2, stride + 1, stride + 2]);
    assert_eq!(c.synapses.get(idx(&c, 1), idx(&c, 2)), 5); // 3 + 2 across sources
    assert_eq!(c.synapses.get(idx(&c, 2), idx(&c, 1)), -4);
    assert_eq!(c.synapses.get(idx(&c, stride + 1), idx(&c, stride + 2)), 5);
    assert_eq!(c.synapses.get(idx(&c, 1), idx(&c, stride + 2)), 0);
    assert_eq!(c.neurons.annotation(idx(&c, 1), columns::TYPE), "DNx");
    assert_eq!(c.neurons.annotation(idx(&c, 1), columns::SIDE), "left");
    assert_eq!(c.neurons.annotation(idx(&c, stride + 1), columns::TYPE), "");
    assert_eq!(
        c.neurons.annotation(idx(&c, stride + 1), "namespace"),
        "cord"
    );
    // Same-side rule of a join: a left brain DN links only to the left cord partner.
    write(
        d,
        "cord_types.csv",
        b"id,type,side\n1,DNcx,left\n2,DNcx,right\n",
    );
    write(
        d,
        "matches.csv",
        b"FAFB DN name,MANC DN name,source\nDNx,DNcx,test\n",
    );
    let m = write(
        d,
        "j.toml",
        br#"
[[source]]
path = "a.csv"
namespace = "brain"
annotations = ["types.csv"]

[[source]]
path = "c.csv"
namespace = "cord"
format = "edge-list"
columns = { pre = "src", post = "dst", count = "n" }
annotations = ["cord_types.csv"]

[[join]]
matches = "matches.csv"
brain = "brain"
cord = "cord"
link_weight = 50
"#,
    );
    let c = formats::load(&m, &LoadParams::default()).unwrap();
    let dn = idx(&c, 1);
    assert_eq!(c.synapses.get(dn, idx(&c, stride + 1)), 50);
    assert_eq!(c.synapses.get(dn, idx(&c, stride + 2)), 0);
    assert_eq!(
        c.neurons
            .annotation(idx(&c, stride + 1), "brain_partner_type"),
        "DNx"
    );
}
