//! `hexafly circuit check` and `--shuffle`, run as the real binary on the real escape
//! wiring: the JSON report's documented fields, its labels (connectome/engineered, real vs
//! shuffled wiring), byte-identical output for the same seeds, and bad maps as errors.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::common;
use connectome::test_data::require;
use serde_json::Value;

const ESCAPE: &str = "flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv";

fn hexafly(cache: &Path, args: &[&str]) -> Output {
    common::hexafly()
        .args(args)
        .env("HEXAFLY_CACHE", cache)
        .env_remove("HEXAFLY_DATA")
        .output()
        .expect("hexafly runs")
}

fn map() -> String {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/circuits/flywire783_escape.toml");
    p.to_str().unwrap().to_owned()
}

#[test]
fn json_report_is_labelled_and_stable() {
    let cache = tempfile::tempdir().unwrap();
    let escape = require(ESCAPE);
    let map = map();
    let args = [
        "circuit",
        "check",
        "--connectome",
        escape.to_str().unwrap(),
        "--circuit",
        &map,
        "--json",
        "--trials",
        "2",
        "--duration-ms",
        "200",
        "--seed",
        "4",
        "--shuffle",
        "9",
    ];
    let out = hexafly(cache.path(), &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["schema"], "hexafly.circuit-check/1");
    assert_eq!(r["dataset"]["wiring"], "real");
    assert_eq!(r["dataset"]["synthetic_neurons"], 0);
    assert_eq!(r["drive"]["null"]["shuffled"], true);
    assert_eq!(r["drive"]["null"]["seed"], 9);
    assert_eq!(r["model"]["w_syn_mv"], 0.275);
    for s in r["sensors"].as_array().unwrap() {
        assert_eq!(s["link"], "connectome");
    }
    let lc4_left = r["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["sensor"] == "looming_lc4"
                && p["sensor_side"] == "left"
                && p["readout_side"] == "left"
        })
        .unwrap();
    assert_eq!(lc4_left["real"]["hops_any_sign"], 1);
    assert_eq!(lc4_left["real"]["direct_synapses"], 374);
    assert!(lc4_left["null"]["direct_synapses"].is_i64());
    let test = &r["drive"]["tests"][0];
    assert_eq!(test["readouts"][0]["link"], "connectome");
    assert!(test["readouts"][0]["real"]["change_hz"].as_f64().unwrap() > 50.0);
    // Same seeds, same bytes.
    let again = hexafly(cache.path(), &args);
    assert_eq!(out.stdout, again.stdout);
    // Text output names the links and the shuffled column too.
    let text_args: Vec<&str> = args.iter().copied().filter(|a| *a != "--json").collect();
    let text = String::from_utf8(hexafly(cache.path(), &text_args).stdout).unwrap();
    assert!(
        text.contains("[connectome]") && text.contains("shuffled") && text.contains("wiring: real"),
        "{text}"
    );
}

#[test]
fn a_bad_map_fails_with_file_line_and_key() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(map()).unwrap().replacen(
        "type=DNp01 & side=left",
        "type=DNp99 & side=left",
        1,
    );
    std::fs::write(&bad, &text).unwrap();
    let line = text.lines().position(|l| l.contains("DNp99")).unwrap() + 1;
    let escape = require(ESCAPE);
    let out = hexafly(
        cache.path(),
        &[
            "circuit",
            "check",
            "--connectome",
            escape.to_str().unwrap(),
            "--circuit",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains(&format!("bad.toml, line {line}"))
            && e.contains("readout[0].left")
            && e.contains("selects no neuron"),
        "{e}"
    );
}

#[test]
fn shuffle_flag_rewires_any_loaded_connectome_and_says_so() {
    let cache = tempfile::tempdir().unwrap();
    let escape = require(ESCAPE);
    let info = |extra: &[&str]| {
        let mut a = vec!["connectome", "info", escape.to_str().unwrap(), "--json"];
        a.extend_from_slice(extra);
        let out = hexafly(cache.path(), &a);
        assert!(out.status.success());
        (
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (real, _) = info(&[]);
    let (shuf, note) = info(&["--shuffle", "3"]);
    assert_eq!(real["shuffled"], Value::Null);
    assert_eq!(shuf["shuffled"], 3);
    assert_eq!(
        (real["edges"].clone(), real["synapses"].clone()),
        (shuf["edges"].clone(), shuf["synapses"].clone())
    );
    assert!(
        note.contains("degree-preserving shuffle (seed 3)"),
        "{note}"
    );
}
