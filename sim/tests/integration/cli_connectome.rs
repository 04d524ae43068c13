//! `hexafly connectome info` and `hexafly datasets`, run as the real binary on the real data.

use std::path::Path;
use std::process::Output;

use super::common::{self, stderr};
use connectome::test_data::require;
use serde_json::Value;

const LARVA: &str = "larva-winding2023/Supplementary-Data-S1.zip";
const ESCAPE: &str = "flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv";

/// Runs hexafly with its cache in `cache` (never the user's) and no data dir from the
/// environment.
fn hexafly(cache: &Path, args: &[&str]) -> Output {
    common::hexafly()
        .args(args)
        .env("HEXAFLY_CACHE", cache)
        .env_remove("HEXAFLY_DATA")
        .output()
        .expect("hexafly runs")
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn larva_counts_and_cache_hit_on_second_load() {
    let cache = tempfile::tempdir().unwrap();
    let larva = require(LARVA);
    let path = larva.to_str().unwrap();
    let first = json_of(&hexafly(
        cache.path(),
        &["connectome", "info", path, "--json"],
    ));
    assert_eq!(first["neurons"], 2952);
    assert_eq!(first["edges"], 110_677);
    assert_eq!(first["synapses"], 352_611);
    assert_eq!(first["format"], "larva-s1");
    assert_eq!(first["autapses"], 537);
    assert_eq!(
        first["inhibitory_edges"], 0,
        "the larval data has no transmitters"
    );
    assert_eq!(first["cache"], "rebuilt");
    assert!(
        first["columns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "type")
    );

    let second = json_of(&hexafly(
        cache.path(),
        &[
            "connectome",
            "info",
            path,
            "--json",
            "--by",
            "type",
            "--select",
            "type=KC",
        ],
    ));
    assert_eq!(second["cache"], "hit");
    assert_eq!(second["edges"], 110_677);
    assert_eq!(second["by"]["type"]["KC"], 144);
    assert_eq!(second["selection"]["count"], 144);
    assert_eq!(second["selection"]["ids"].as_array().unwrap().len(), 144);
    let by_sum: u64 = second["by"]["type"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        by_sum, 2952,
        "every neuron is counted once, unannotated under \"\""
    );
}

#[test]
fn escape_subset_with_selection_and_transmitters() {
    let cache = tempfile::tempdir().unwrap();
    let escape = require(ESCAPE);
    let out = hexafly(
        cache.path(),
        &[
            "connectome",
            "info",
            escape.to_str().unwrap(),
            "--json",
            "--no-cache",
            "--by",
            "type",
            "--by",
            "nt",
            "--select",
            "type=DNp01",
        ],
    );
    let r = json_of(&out);
    assert_eq!(r["edges"], 293);
    assert_eq!(r["cache"], "off");
    assert_eq!(r["by"]["type"]["DNp01"], 2);
    assert_eq!(r["by"]["type"]["LC4"], 104);
    let sel = &r["selection"];
    assert_eq!(sel["selector"], "type=DNp01");
    assert_eq!(sel["count"], 2);
    let ids: Vec<u64> = sel["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        ids.contains(&720575940632499757) && ids.contains(&720575940622838154),
        "{ids:?}"
    );
    let nt_sum: u64 = r["by"]["nt"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(Some(nt_sum), r["neurons"].as_u64());
}

#[test]
fn text_output_is_readable() {
    let cache = tempfile::tempdir().unwrap();
    let out = hexafly(
        cache.path(),
        &[
            "connectome",
            "info",
            require(LARVA).to_str().unwrap(),
            "--by",
            "type",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("neurons    2952"), "{text}");
    assert!(text.contains("synapses   352611"), "{text}");
    assert!(
        text.contains("neurons by type:") && text.contains("     144  KC"),
        "{text}"
    );
}

#[test]
fn bad_input_exits_1_naming_the_file() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();

    let absent = dir.path().join("absent.csv");
    let out = hexafly(
        cache.path(),
        &["connectome", "info", absent.to_str().unwrap(), "--json"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(absent.to_str().unwrap()),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "pre,post,weight\n1,2,3\n4,5,lots\n").unwrap();
    let out = hexafly(
        cache.path(),
        &["connectome", "info", bad.to_str().unwrap(), "--json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let msg = stderr(&out);
    assert!(msg.contains("bad.csv") && msg.contains("line 3"), "{msg}");

    let larva = require(LARVA);
    let out = hexafly(
        cache.path(),
        &[
            "connectome",
            "info",
            larva.to_str().unwrap(),
            "--by",
            "super_class",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no column `super_class`; available: type"),
        "{}",
        stderr(&out)
    );

    // The selector is checked before loading: the error is about it, not the bad file.
    let out = hexafly(
        cache.path(),
        &[
            "connectome",
            "info",
            bad.to_str().unwrap(),
            "--select",
            "type=KC &",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("at position 10: expected a column name"),
        "{}",
        stderr(&out)
    );

    let out = hexafly(
        cache.path(),
        &[
            "connectome",
            "info",
            larva.to_str().unwrap(),
            "--select",
            "id=1",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("neuron id 1 is not in this dataset"),
        "{}",
        stderr(&out)
    );

    let out = hexafly(
        cache.path(),
        &[
            "connectome",
            "info",
            larva.to_str().unwrap(),
            "--format",
            "parquet-ish",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown format `parquet-ish`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dataset_names_resolve_in_the_data_dir() {
    let cache = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let dd = data.path().to_str().unwrap();
    let out = hexafly(
        cache.path(),
        &["connectome", "info", "larva-winding2023", "--data-dir", dd],
    );
    assert_eq!(out.status.code(), Some(1));
    let msg = stderr(&out);
    let dest = data
        .path()
        .join("larva-winding2023")
        .join("Supplementary-Data-S1.zip");
    assert!(
        msg.contains(dest.to_str().unwrap()) && msg.contains("https://"),
        "{msg}"
    );
    assert!(msg.contains("hexafly fetch larva-winding2023"), "{msg}");

    let listed = json_of(&hexafly(
        cache.path(),
        &["datasets", "--data-dir", dd, "--json"],
    ));
    let larva = |v: &Value| {
        v["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "larva-winding2023")
            .cloned()
            .unwrap()
    };
    assert_eq!(larva(&listed)["status"], "missing");
    assert_eq!(listed["data_dir"], dd);

    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::copy(require(LARVA), &dest).unwrap();
    let r = json_of(&hexafly(
        cache.path(),
        &[
            "connectome",
            "info",
            "larva-winding2023",
            "--data-dir",
            dd,
            "--json",
        ],
    ));
    assert_eq!(r["neurons"], 2952);
    let listed = json_of(&hexafly(
        cache.path(),
        &["datasets", "--data-dir", dd, "--json"],
    ));
    assert_eq!(larva(&listed)["status"], "present");
    assert_eq!(larva(&listed)["size"], 1_107_380);

    // HEXAFLY_DATA is used when --data-dir is absent.
    let out = common::hexafly()
        .args(["datasets"])
        .env("HEXAFLY_DATA", dd)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("data directory: {dd}")), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("larva-winding2023"))
        .unwrap();
    assert!(
        line.contains("1.1 MB") && line.contains("present"),
        "{line}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("flywire-783-zenodo"))
        .unwrap();
    assert!(
        line.contains("852.0 MB") && line.contains("missing"),
        "{line}"
    );
}
