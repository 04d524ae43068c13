//! The surrogate whole brain (connectome::surrogate) on the real v783 tables: the shipped
//! spec builds with the real subsets intact and the planted paths as declared, the same
//! seed gives the same network, it loads from the cache still labelled synthetic, and bad
//! specs are errors naming file, line and key.

use std::path::{Path, PathBuf};

use connectome::cache::{CacheStatus, load_cached_with_status};
use connectome::formats::{Format, LoadParams, detect, load};
use connectome::select::Selector;
use connectome::surrogate::build_from_file;
use connectome::test_data::require;

fn asset(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets")
        .join(rel)
}

/// A small spec (300,000 background pairs) over the real tables and the escape subset.
fn small_spec(dir: &Path, seed: u64, plant: &str) -> PathBuf {
    let text = format!(
        r#"name = "test"
seed = {seed}
neurons = "{}"
real = ["{}"]

[background]
edges = 300_000
no_synthetic_inputs = ["super_class=descending"]
no_synthetic_outputs = ["super_class=sensory"]
{plant}
"#,
        require("flywire-783-annotations").display(),
        require("flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv").display(),
    );
    let p = dir.join(format!("s{seed}.surrogate.toml"));
    std::fs::write(&p, text).unwrap();
    p
}

const PLANT: &str = r#"
[[plant]]
name = "jo_to_abn1"
from = "type=JO-C,JO-E,JO-F"
to = "type=SAD093"
fan_in = 40
synapses = 6
"#;

fn in_partners(c: &connectome::Connectome, sel: &str) -> Vec<(u32, u32, i32)> {
    let targets = Selector::parse(sel).unwrap().select(&c.neurons).unwrap();
    c.synapses
        .iter()
        .filter(|(_, post, _)| targets.contains(post))
        .collect()
}

#[test]
fn the_shipped_surrogate_keeps_real_wiring_and_plants_what_it_declares() {
    let spec = asset("surrogates/flywire783.surrogate.toml");
    assert_eq!(detect(&spec).unwrap(), Format::Surrogate);
    let (c, comp) = build_from_file(&spec).unwrap();
    assert_eq!(c.n_neurons(), 139_255);
    assert!(c.n_edges() > 10_000_000, "{}", c.n_edges());
    let planted: Vec<(&str, usize)> = comp
        .planted
        .iter()
        .map(|(n, k, _)| (n.as_str(), *k))
        .collect();
    // 2 aBN1 x 40 JO; 44 grooming DNs x 2 aBN1; 2 MN9 x 40 GRNs; 4 DNa x 2 same-side PNs;
    // 2 P9 x 4 PNs.
    assert_eq!(
        planted,
        [
            ("jo_to_abn1", 80),
            ("abn1_to_grooming_dns", 88),
            ("sugar_to_mn9", 80),
            ("pn_to_steering_dns", 8),
            ("pn_to_forward_dn", 8)
        ]
    );
    let note = c.synthetic.clone().expect("labelled synthetic");
    assert!(
        note.contains("surrogate") && note.contains("planted"),
        "{note}"
    );
    assert_eq!(c.synthetic_note(), Some(note));

    // Descending neurons take no synthetic input: aDN1 (DNg62) hears only the two aBN1.
    let adn1 = in_partners(&c, "type=DNg62");
    let abn1 = Selector::parse("type=SAD093")
        .unwrap()
        .select(&c.neurons)
        .unwrap();
    assert_eq!(adn1.len(), 4, "{adn1:?}");
    assert!(adn1.iter().all(|e| abn1.contains(&e.0) && e.2 == 102));
    // The giant fibres hear exactly their real partners, with real counts: every
    // LC4/LPLC2 -> DNp01 pair of the escape file is there with its count.
    let esc = load(
        &require("flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv"),
        &LoadParams::default(),
    )
    .unwrap();
    for (pre, post, count) in esc.synapses.iter() {
        let (a, b) = (esc.neurons.id(pre), esc.neurons.id(post));
        let (i, j) = (
            c.neurons.index_of(a).unwrap(),
            c.neurons.index_of(b).unwrap(),
        );
        let (targets, counts) = c.synapses.row(i);
        let got = targets.iter().position(|&t| t == j).map(|k| counts[k]);
        assert!(
            got.is_some_and(|g| g.abs() >= count.abs()),
            "{a} -> {b}: {got:?} vs {count}"
        );
    }
    // Sensory neurons send no synthetic synapses: the JO neurons' only outputs are planted.
    let jo = Selector::parse("type=JO-C,JO-E,JO-F")
        .unwrap()
        .select(&c.neurons)
        .unwrap();
    let jo_out: usize = jo.iter().map(|&i| c.synapses.row(i).0.len()).sum();
    assert_eq!(jo_out, 80);
}

#[test]
fn same_seed_same_network_and_the_cache_keeps_the_synthetic_label() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = build_from_file(&small_spec(dir.path(), 5, PLANT)).unwrap();
    let other = tempfile::tempdir().unwrap();
    let (b, _) = build_from_file(&small_spec(other.path(), 5, PLANT)).unwrap();
    assert_eq!(a.synapses, b.synapses);
    let (c, _) = build_from_file(&small_spec(dir.path(), 6, PLANT)).unwrap();
    assert_ne!(a.synapses, c.synapses);

    let cache = tempfile::tempdir().unwrap();
    let spec = small_spec(dir.path(), 5, PLANT);
    let opts = LoadParams::default();
    let (first, s1) = load_cached_with_status(&spec, &opts, Some(cache.path())).unwrap();
    assert!(matches!(s1, CacheStatus::Rebuilt(_)), "{s1:?}");
    let (second, s2) = load_cached_with_status(&spec, &opts, Some(cache.path())).unwrap();
    assert_eq!(s2, CacheStatus::Hit);
    assert_eq!(first, second);
    assert_eq!(second.synapses, a.synapses);
    assert!(second.synthetic.as_deref().unwrap().contains("surrogate"));
}

#[test]
fn bad_specs_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("colour = 3\n", "unknown field `colour`", "colour"),
        (
            "[[plant]]\nname = \"nothing\"\nfrom = \"type=NoSuchType\"\nto = \"type=SAD093\"\nfan_in = 2\nsynapses = 3\n",
            "selects no neuron",
            "NoSuchType",
        ),
        (
            "[[plant]]\nname = \"zero\"\nfrom = \"type=JO-C\"\nto = \"type=SAD093\"\nfan_in = 0\nsynapses = 3\n",
            "fan_in = 0",
            "zero",
        ),
        (
            "[[plant]]\nname = \"bad\"\nfrom = \"type=(\"\nto = \"type=SAD093\"\nfan_in = 1\nsynapses = 3\n",
            "`from` selector",
            "bad",
        ),
    ];
    for (extra, want, key) in cases {
        let p = small_spec(dir.path(), 1, extra);
        let text = std::fs::read_to_string(&p).unwrap();
        let line = 1 + text[..text.find(key).unwrap()].matches('\n').count();
        let e = build_from_file(&p).unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
        assert!(e.contains(&format!("{}, line {line}", p.display())), "{e}");
    }
}
