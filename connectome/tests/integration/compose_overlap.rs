//! `overlap = "max"` in a manifest: overlapping subsets of one connectome that report the
//! same synapses are merged by keeping the larger count, not by adding them.

use connectome::formats::{LoadParams, load};

fn idx(c: &connectome::Connectome, id: u64) -> u32 {
    c.neurons.index_of(id).unwrap()
}

#[test]
fn overlap_max_keeps_the_larger_count_and_sum_adds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("all.csv"), "pre,post,weight\n1,2,3\n2,3,-7\n3,1,1\n").unwrap();
    std::fs::write(d.join("strong.csv"), "pre,post,weight\n1,2,5\n2,3,-6\n").unwrap();
    let sources = "[[source]]\npath = \"all.csv\"\n[[source]]\npath = \"strong.csv\"\n";
    std::fs::write(d.join("max.toml"), format!("overlap = \"max\"\n{sources}")).unwrap();
    std::fs::write(d.join("sum.toml"), sources).unwrap();
    let max = load(&d.join("max.toml"), &LoadParams::default()).unwrap();
    assert_eq!(max.synapses.get(idx(&max, 1), idx(&max, 2)), 5);
    assert_eq!(max.synapses.get(idx(&max, 2), idx(&max, 3)), -7);
    assert_eq!(max.synapses.get(idx(&max, 3), idx(&max, 1)), 1);
    let sum = load(&d.join("sum.toml"), &LoadParams::default()).unwrap();
    assert_eq!(sum.synapses.get(idx(&sum, 1), idx(&sum, 2)), 8);
    assert_eq!(sum.synapses.get(idx(&sum, 2), idx(&sum, 3)), -13);
    std::fs::write(d.join("bad.toml"), format!("overlap = \"mean\"\n{sources}")).unwrap();
    let e = load(&d.join("bad.toml"), &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad.toml, line 1") && e.contains("mean"), "{e}");
}
