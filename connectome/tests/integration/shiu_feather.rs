//! The Shiu et al. model-file loader and the FlyWire feather loader, on fixtures written in
//! the published layouts and on the real `Completeness_783.csv`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray};
use arrow_ipc::CompressionType;
use arrow_ipc::writer::{FileWriter, IpcWriteOptions};
use arrow_schema::{DataType, Field, Schema};
use connectome::formats::{self, Format, LoadParams, feather, shiu};
use connectome::synth::{SynthParams, generate};
use connectome::{LoadError, Transmitter, test_data};
use parquet::arrow::ArrowWriter;

fn small_network() -> connectome::Connectome {
    generate(&SynthParams {
        neurons: 300,
        edges: 6000,
        seed: 7,
        ..SynthParams::default()
    })
    .unwrap()
}

#[test]
fn shiu_round_trip_from_either_file_and_by_detection() {
    let dir = tempfile::tempdir().unwrap();
    let net = small_network();
    let files = shiu::write(dir.path(), "783", &net).unwrap();
    assert!(files.completeness.ends_with("Completeness_783.csv"));
    assert!(files.connectivity.ends_with("Connectivity_783.parquet"));
    let opts = LoadParams::default();
    for path in [&files.completeness, &files.connectivity] {
        let c = shiu::load(path, &opts).unwrap();
        assert_eq!(c.format, "shiu");
        assert_eq!(
            c.neurons.ids(),
            net.neurons.ids(),
            "row order of the completeness list is the index"
        );
        assert_eq!(c.synapses, net.synapses);
        assert_eq!(
            c.sources,
            vec![files.completeness.clone(), files.connectivity.clone()]
        );
        assert_eq!(c.neurons.annotation(0, shiu::COMPLETED_COLUMN), "True");
        let detected = formats::load(path, &opts).unwrap();
        assert_eq!(detected.synapses, net.synapses);
    }
    // A folder holding one pair loads too.
    assert_eq!(
        shiu::load(dir.path(), &opts).unwrap().synapses,
        net.synapses
    );
    // Inhibitory rows keep their sign from the file.
    assert!(net.synapses.iter().any(|(_, _, w)| w < 0));
}

#[test]
fn real_completeness_783_defines_the_index() {
    let path = test_data::require("flywire-783-shiu-neurons/Completeness_783.csv");
    let t = shiu::read_completeness(&path).unwrap();
    assert_eq!(t.len(), 138_639);
    assert_eq!(t.id(0), 720575940596125868);
    assert_eq!(t.index_of(720575940597856265), Some(1));
    let completed = t.column(shiu::COMPLETED_COLUMN).unwrap();
    assert!(
        completed
            .dictionary()
            .iter()
            .all(|v| v.is_empty() || v == "True" || v == "False")
    );
}

/// Writes a Connectivity parquet with these columns (name, values) as pandas would (int64).
fn write_parquet(path: &Path, cols: &[(&str, Vec<i64>)]) {
    let schema = Arc::new(Schema::new(
        cols.iter()
            .map(|(n, _)| Field::new(*n, DataType::Int64, false))
            .collect::<Vec<_>>(),
    ));
    let arrays: Vec<ArrayRef> = cols
        .iter()
        .map(|(_, v)| Arc::new(Int64Array::from(v.clone())) as ArrayRef)
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let mut w = ArrowWriter::try_new(File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// Three neurons 10, 20, 30 and a connectivity table whose row 1 can be spoiled.
fn fixture(dir: &Path, spoil: impl FnOnce(&mut Vec<(&'static str, Vec<i64>)>)) -> PathBuf {
    std::fs::write(
        dir.join("Completeness_t.csv"),
        ",Completed\n10,True\n20,False\n30,True\n",
    )
    .unwrap();
    let mut cols: Vec<(&'static str, Vec<i64>)> = vec![
        ("Presynaptic_ID", vec![10, 20, 30]),
        ("Postsynaptic_ID", vec![20, 30, 10]),
        ("Presynaptic_Index", vec![0, 1, 2]),
        ("Postsynaptic_Index", vec![1, 2, 0]),
        ("Connectivity", vec![4, 7, 1]),
        ("Excitatory", vec![1, -1, 1]),
        ("Excitatory x Connectivity", vec![4, -7, 1]),
    ];
    spoil(&mut cols);
    let p = dir.join("Connectivity_t.parquet");
    write_parquet(&p, &cols);
    p
}

fn load_err(spoil: impl FnOnce(&mut Vec<(&'static str, Vec<i64>)>)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = fixture(dir.path(), spoil);
    shiu::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string()
}

fn set(cols: &mut [(&'static str, Vec<i64>)], name: &str, row: usize, v: i64) {
    cols.iter_mut().find(|(n, _)| *n == name).unwrap().1[row] = v;
}

#[test]
fn shiu_fixture_loads_exact_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = fixture(dir.path(), |_| {});
    let c = shiu::load(&p, &LoadParams::default()).unwrap();
    assert_eq!(c.n_neurons(), 3);
    assert_eq!(c.synapses.get(0, 1), 4);
    assert_eq!(c.synapses.get(1, 2), -7);
    assert_eq!(c.synapses.get(2, 0), 1);
    assert_eq!(c.n_synapses(), 12);
    assert_eq!(c.neurons.annotation(1, shiu::COMPLETED_COLUMN), "False");
    assert_eq!(c.neurons.transmitter(1), Transmitter::Unknown);
}

#[test]
fn shiu_errors_name_file_row_and_column() {
    let e = load_err(|c| set(c, "Presynaptic_Index", 1, 3));
    assert!(
        e.contains("Connectivity_t.parquet")
            && e.contains("Presynaptic_Index")
            && e.contains("row 1"),
        "{e}"
    );
    assert!(e.contains("outside 0..3"), "{e}");

    let e = load_err(|c| set(c, "Postsynaptic_ID", 1, 99));
    assert!(
        e.contains("Postsynaptic_ID")
            && e.contains("row 1")
            && e.contains("do not belong together"),
        "{e}"
    );

    let e = load_err(|c| set(c, "Connectivity", 1, 0));
    assert!(
        e.contains("`Connectivity`") && e.contains("row 1") && e.contains("positive"),
        "{e}"
    );

    let e = load_err(|c| set(c, "Excitatory", 1, 0));
    assert!(e.contains("`Excitatory`") && e.contains("+1"), "{e}");

    let e = load_err(|c| set(c, "Excitatory x Connectivity", 1, 7));
    assert!(
        e.contains("`Excitatory x Connectivity`") && e.contains("-1 x 7 = -7"),
        "{e}"
    );

    let e = load_err(|c| {
        c.remove(4);
    });
    assert!(
        e.contains("missing column `Connectivity`") && e.contains("Presynaptic_ID"),
        "{e}"
    );
}

#[test]
fn shiu_completeness_errors_and_missing_partner() {
    let dir = tempfile::tempdir().unwrap();
    let p = fixture(dir.path(), |_| {});
    let csv = dir.path().join("Completeness_t.csv");

    std::fs::write(&csv, ",Completed\n10,True\nabc,True\n30,True\n").unwrap();
    let e = shiu::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Completeness_t.csv, line 3") && e.contains("`abc`"),
        "{e}"
    );

    std::fs::write(&csv, ",Completed\n10,True\n20,True\n10,True\n").unwrap();
    let e = shiu::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 4") && e.contains("listed twice"), "{e}");

    std::fs::write(&csv, ",Completed\n10,True\n20,maybe\n30,True\n").unwrap();
    let e = shiu::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 3, column `Completed`") && e.contains("True or False"),
        "{e}"
    );

    std::fs::remove_file(&csv).unwrap();
    match shiu::load(&p, &LoadParams::default()) {
        Err(LoadError::NotFound { path, hint }) => {
            assert!(path.ends_with("Completeness_t.csv"));
            assert!(hint.contains("Connectivity_t.parquet"), "{hint}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    std::fs::write(dir.path().join("x.parquet"), b"not parquet").unwrap();
    let e = shiu::load(&dir.path().join("x.parquet"), &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("Connectivity_<version>.parquet"), "{e}");
}

#[test]
fn shiu_rejects_a_corrupt_parquet_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = fixture(dir.path(), |_| {});
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    let e = shiu::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Connectivity_t.parquet") && e.contains("parquet"),
        "{e}"
    );
}

/// One row of the feather fixture: pre, post, neuropil, syn_count, predictions in the
/// published column order gaba, ach, glut, oct, ser, da.
type Row = (i64, i64, &'static str, i64, [f32; 6]);

fn write_feather(path: &Path, rows: &[Row], compression: Option<CompressionType>) {
    let names = [
        "gaba_avg", "ach_avg", "glut_avg", "oct_avg", "ser_avg", "da_avg",
    ];
    let mut fields = vec![
        Field::new("pre_pt_root_id", DataType::Int64, false),
        Field::new("post_pt_root_id", DataType::Int64, false),
        Field::new("neuropil", DataType::Utf8, false),
        Field::new("syn_count", DataType::Int64, false),
    ];
    fields.extend(
        names
            .iter()
            .map(|n| Field::new(*n, DataType::Float32, true)),
    );
    let schema = Arc::new(Schema::new(fields));
    let mut arrays: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        )),
        Arc::new(Int64Array::from(
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )),
        Arc::new(Int64Array::from(
            rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )),
    ];
    for k in 0..6 {
        arrays.push(Arc::new(Float32Array::from(
            rows.iter().map(|r| r.4[k]).collect::<Vec<_>>(),
        )));
    }
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let opts = IpcWriteOptions::default()
        .try_with_compression(compression)
        .unwrap();
    let mut w =
        FileWriter::try_new_with_options(File::create(path).unwrap(), &schema, opts).unwrap();
    // Two batches, as pyarrow writes large tables in chunks.
    w.write(&batch.slice(0, rows.len() / 2)).unwrap();
    w.write(&batch.slice(rows.len() / 2, rows.len() - rows.len() / 2))
        .unwrap();
    w.finish().unwrap();
}

const GABA: [f32; 6] = [0.8, 0.1, 0.05, 0.0, 0.05, 0.0];
const ACH: [f32; 6] = [0.1, 0.7, 0.1, 0.0, 0.0, 0.1];
const GLUT: [f32; 6] = [0.3, 0.1, 0.6, 0.0, 0.0, 0.0];

#[test]
fn feather_sums_neuropils_and_signs_by_majority_transmitter() {
    let rows: Vec<Row> = vec![
        (100, 200, "AL_L", 3, ACH),
        (100, 200, "LH_L", 2, ACH),
        (200, 300, "MB_CA_L", 5, GABA),
        // 200 has more GABA synapses (5) than glutamate-looking ones (1): GABA wins.
        (200, 100, "SEZ", 1, GLUT),
        (300, 100, "SEZ", 4, GLUT),
        (100, 400, "AL_R", 1, ACH),
    ];
    for compression in [
        None,
        Some(CompressionType::LZ4_FRAME),
        Some(CompressionType::ZSTD),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("proofread_connections_783.feather");
        write_feather(&path, &rows, compression);
        let c = formats::load(&path, &LoadParams::default()).unwrap();
        assert_eq!(c.format, Format::Feather.name());
        assert_eq!(
            c.neurons.ids(),
            &[100, 200, 300, 400],
            "first-appearance order"
        );
        let ix = |id| c.neurons.index_of(id).unwrap();
        assert_eq!(c.synapses.get(ix(100), ix(200)), 5, "summed over neuropils");
        assert_eq!(c.synapses.get(ix(200), ix(300)), -5);
        assert_eq!(c.synapses.get(ix(200), ix(100)), -1);
        assert_eq!(c.synapses.get(ix(300), ix(100)), -4);
        assert_eq!(c.synapses.get(ix(100), ix(400)), 1);
        assert_eq!(c.n_edges(), 5);
        assert_eq!(c.neurons.transmitter(ix(100)), Transmitter::Acetylcholine);
        assert_eq!(c.neurons.transmitter(ix(200)), Transmitter::Gaba);
        assert_eq!(c.neurons.transmitter(ix(300)), Transmitter::Glutamate);
        assert_eq!(
            c.neurons.transmitter(ix(400)),
            Transmitter::Unknown,
            "no outputs, no prediction"
        );
        // A custom sign rule (only GABA inhibits) changes the glutamate rows.
        let only_gaba = LoadParams {
            sign_rule: connectome::SignRule {
                inhibitory: vec![Transmitter::Gaba],
            },
            ..LoadParams::default()
        };
        let c = feather::load(&path, &only_gaba).unwrap();
        assert_eq!(c.synapses.get(ix(300), ix(100)), 4);
    }
}

#[test]
fn feather_errors_name_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proofread_connections_783.feather");
    write_feather(
        &path,
        &[(1, 2, "AL_L", 3, ACH), (2, 1, "AL_L", 0, GABA)],
        None,
    );
    let e = feather::load(&path, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("proofread_connections_783.feather")
            && e.contains("`syn_count`")
            && e.contains("row 1"),
        "{e}"
    );

    write_feather(
        &path,
        &[(1, 2, "AL_L", 3, ACH), (-2, 1, "AL_L", 1, GABA)],
        None,
    );
    let e = feather::load(&path, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`pre_pt_root_id`") && e.contains("row 1") && e.contains("-2"),
        "{e}"
    );

    // A file without the transmitter predictions would silently make everything excitatory.
    let schema = Arc::new(Schema::new(vec![
        Field::new("pre_pt_root_id", DataType::Int64, false),
        Field::new("post_pt_root_id", DataType::Int64, false),
        Field::new("syn_count", DataType::Int64, false),
    ]));
    let cols: Vec<ArrayRef> = (0..3)
        .map(|_| Arc::new(Int64Array::from(vec![1i64])) as ArrayRef)
        .collect();
    let mut w = FileWriter::try_new(File::create(&path).unwrap(), &schema).unwrap();
    w.write(&RecordBatch::try_new(schema.clone(), cols).unwrap())
        .unwrap();
    w.finish().unwrap();
    let e = feather::load(&path, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing column `ach_avg`"), "{e}");

    std::fs::write(&path, b"ARROW1 but not really").unwrap();
    let e = feather::load(&path, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("Arrow IPC"), "{e}");
}

/// Files written by pandas/pyarrow themselves (`tests/fixtures/pandas/make.py`): the
/// parquet with pandas metadata, feather with `large_string` neuropils, lz4 and zstd.
#[test]
fn files_written_by_pandas_and_pyarrow_read_identically() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pandas");
    let opts = LoadParams::default();
    let c = formats::load(&dir.join("Connectivity_py.parquet"), &opts).unwrap();
    assert_eq!(c.format, "shiu");
    assert_eq!(
        c.neurons.ids(),
        &[
            720575940596125868,
            720575940597856265,
            720575940599333574,
            720575940600000001
        ]
    );
    let edges: Vec<_> = c.synapses.iter().collect();
    assert_eq!(
        edges,
        vec![(0, 1, 5), (0, 3, 3), (1, 2, -2), (2, 0, 17), (3, 0, -1)]
    );
    assert_eq!(c.neurons.annotation(2, shiu::COMPLETED_COLUMN), "False");

    for name in [
        "proofread_connections_783.feather",
        "zstd_connections.feather",
    ] {
        let c = formats::load(&dir.join(name), &opts).unwrap();
        assert_eq!(c.neurons.ids(), &[11, 22, 33], "{name}");
        let edges: Vec<_> = c.synapses.iter().collect();
        assert_eq!(edges, vec![(0, 1, 7), (1, 2, -6), (2, 0, -2)], "{name}");
        let t: Vec<_> = c.neurons.transmitters().to_vec();
        assert_eq!(
            t,
            vec![
                Transmitter::Acetylcholine,
                Transmitter::Gaba,
                Transmitter::Glutamate
            ],
            "{name}"
        );
    }
}
