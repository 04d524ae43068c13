//! Selectors on the real FlyWire v783 annotation tables (139,255 neurons).
//!
//! The table is the FlyWire Codex classification (with cell and hemibrain types) loaded by the
//! Codex loader, with `neurons.csv.gz` attached for the transmitters; every expected count
//! below was checked independently against the CSV files with Python's csv module.

use std::sync::OnceLock;

use connectome::NeuronTable;
use connectome::formats::{LoadParams, load};
use connectome::select::{SelectError, Selector};
use connectome::test_data::require;

fn flywire() -> &'static NeuronTable {
    static TABLE: OnceLock<NeuronTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let opts = LoadParams {
            annotations: vec![require("flywire-783-annotations/neurons.csv.gz")],
            ..LoadParams::default()
        };
        let c = load(
            &require("flywire-783-annotations/classification_with_cell_types.csv.gz"),
            &opts,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        c.neurons
    })
}

fn count(selector: &str) -> usize {
    Selector::parse(selector)
        .unwrap()
        .select(flywire())
        .unwrap_or_else(|e| panic!("{e}"))
        .len()
}

#[test]
fn the_table_is_the_whole_v783_brain() {
    assert_eq!(flywire().len(), 139_255);
    assert_eq!(count("all"), 139_255);
}

#[test]
fn looming_detectors_by_hemibrain_type() {
    assert_eq!(count("hemibrain_type=LC4"), 104);
    assert_eq!(count("hemibrain_type=LPLC2"), 210);
    assert_eq!(count("hemibrain_type=LC4,LPLC2"), 314);
    assert_eq!(count("hemibrain_type=LC4 | hemibrain_type=LPLC2"), 314);
    assert_eq!(count("hemibrain_type=LC4 & side=left"), 54);
    assert_eq!(
        count("hemibrain_type=LC4 & side=left") + count("hemibrain_type=LC4 & side!=left"),
        104
    );
}

#[test]
fn giant_fibre_and_moonwalker() {
    let table = flywire();
    let gf = Selector::parse("type=DNp01")
        .unwrap()
        .select(table)
        .unwrap();
    let mut ids: Vec<u64> = gf.iter().map(|&i| table.id(i)).collect();
    ids.sort();
    assert_eq!(ids, [720575940622838154, 720575940632499757]);
    // The same two neurons by id, in ascending index order.
    let by_id = Selector::parse("id=720575940632499757,720575940622838154")
        .unwrap()
        .select(table)
        .unwrap();
    assert_eq!(by_id, gf);
    assert!(gf.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(count("hemibrain_type=MDN"), 4);
}

#[test]
fn sugar_and_water_gustatory_neurons() {
    // The Codex export writes the sub class as one value, `sugar/water`.
    assert_eq!(count("class=gustatory & sub_class=sugar/water"), 131);
    assert_eq!(count("class=gustatory & sub_class=\"sugar/water\""), 131);
}

#[test]
fn regex_transmitter_and_negation_agree_with_the_files() {
    // Johnston's organ subtypes C, E and F (JO-C, JO-CA, JO-EDM, ...), anchored on the whole value.
    assert_eq!(count("type=JO-C,JO-E,JO-F"), 318);
    assert_eq!(count("type~JO-[CEF].*"), 623);
    assert_eq!(count("super_class=descending & nt=GABA"), 123);
    assert_eq!(count("nt=gaba") + count("nt!=gaba"), 139_255);
    assert_eq!(count("nt=ACH"), 82_298);
    assert_eq!(
        count("!(nt=ach | nt=glut | nt=gaba | nt=ser | nt=da | nt=oct)"),
        19_658
    );
}

#[test]
fn absent_column_and_id_are_errors() {
    match Selector::parse("flow=intrinsic & nerve_type=AN")
        .unwrap()
        .select(flywire())
    {
        Err(SelectError::UnknownColumn {
            column, available, ..
        }) => {
            assert_eq!(column, "nerve_type");
            assert!(
                available.contains("hemibrain_type") && available.contains("sub_class"),
                "{available}"
            );
        }
        other => panic!("{other:?}"),
    }
    let err = Selector::parse("id=720575940632499757,1")
        .unwrap()
        .select(flywire())
        .unwrap_err();
    assert!(matches!(err, SelectError::UnknownId { id: 1, .. }), "{err}");
}

#[test]
fn id_files_with_real_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gf.txt");
    std::fs::write(
        &path,
        "# DNp01, both sides\n720575940632499757\n720575940622838154\n",
    )
    .unwrap();
    let s = Selector::parse(&format!("id@\"{}\" & side=left", path.display())).unwrap();
    let left = s.select(flywire()).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(flywire().annotation(left[0], "side"), "left");
}
