//! The binary connectome cache: hits, invalidation, corruption, location.

use std::path::Path;
use std::time::{Duration, SystemTime};

use connectome::cache::{self, CacheStatus, load_cached_with_status};
use connectome::formats::{LoadParams, shiu};
use connectome::synth::{SynthParams, generate};
use connectome::{Connectome, test_data};

fn write_network(dir: &Path, seed: u64) -> (Connectome, std::path::PathBuf) {
    let net = generate(&SynthParams {
        neurons: 400,
        edges: 8000,
        seed,
        ..SynthParams::default()
    })
    .unwrap();
    let files = shiu::write(dir, "c", &net).unwrap();
    (net, files.completeness)
}

fn assert_same(a: &Connectome, b: &Connectome) {
    assert_eq!(a.format, b.format);
    assert_eq!(a.sources, b.sources);
    assert_eq!(a.neurons, b.neurons);
    assert_eq!(a.synapses, b.synapses);
    assert_eq!(a, b);
}

#[test]
fn second_load_hits_and_equals_the_source_load() {
    let src = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let (net, path) = write_network(src.path(), 3);
    let opts = LoadParams::default();
    let (first, s1) = load_cached_with_status(&path, &opts, Some(cache_dir.path())).unwrap();
    assert!(matches!(s1, CacheStatus::Rebuilt(_)), "{s1:?}");
    assert_eq!(first.synapses, net.synapses);
    let (second, s2) = load_cached_with_status(&path, &opts, Some(cache_dir.path())).unwrap();
    assert_eq!(s2, CacheStatus::Hit);
    assert_same(&first, &second);
    // Lookups are rebuilt, not just the raw data.
    assert_eq!(second.neurons.index_of(net.neurons.id(17)), Some(17));
    // The cache lives in the cache dir only, never beside the source.
    let beside: Vec<_> = std::fs::read_dir(src.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside.len(), 2, "{beside:?}");
    let cached: Vec<_> = std::fs::read_dir(cache_dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(cached.len(), 1, "one file, no temp files left: {cached:?}");
    // The other file of the pair hits a different key but loads the same network.
    let parquet = src.path().join("Connectivity_c.parquet");
    let (third, s3) = load_cached_with_status(&parquet, &opts, Some(cache_dir.path())).unwrap();
    assert!(matches!(s3, CacheStatus::Rebuilt(_)));
    assert_eq!(third.synapses, first.synapses);
}

#[test]
fn real_annotations_table_round_trips_through_the_cache() {
    // The real Completeness list gives a 138,639-neuron table (no edges) with a string column.
    let real = test_data::require("flywire-783-shiu-neurons/Completeness_783.csv");
    let src = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let csv = src.path().join("Completeness_783.csv");
    std::fs::copy(&real, &csv).unwrap();
    let table = shiu::read_completeness(&csv).unwrap();
    let net = Connectome {
        format: "shiu".into(),
        sources: vec![csv.clone()],
        synapses: connectome::SynapseMatrix::empty(table.len()),
        synthetic: None,
        neurons: table,
    };
    let (file, key) = cache::cache_file(&csv, &LoadParams::default(), cache_dir.path()).unwrap();
    cache::write_cache(&file, &key, &net).unwrap();
    let back = cache::read_cache(&file, &key).unwrap();
    assert_same(&net, &back);
    assert_eq!(back.neurons.index_of(720575940597856265), Some(1));
}

#[test]
fn changed_source_rebuilds() {
    let src = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let (_, path) = write_network(src.path(), 4);
    let opts = LoadParams::default();
    load_cached_with_status(&path, &opts, Some(cache_dir.path())).unwrap();

    // Same size, new mtime: the parquet file is touched.
    let parquet = src.path().join("Connectivity_c.parquet");
    let f = std::fs::File::options().write(true).open(&parquet).unwrap();
    f.set_modified(SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    drop(f);
    let (_, s) = load_cached_with_status(&path, &opts, Some(cache_dir.path())).unwrap();
    match s {
        CacheStatus::Rebuilt(why) => assert!(
            why.contains("Connectivity_c.parquet") && why.contains("changed"),
            "{why}"
        ),
        other => panic!("expected a rebuild, got {other:?}"),
    }
    assert_eq!(
        load_cached_with_status(&path, &opts, Some(cache_dir.path()))
            .unwrap()
            .1,
        CacheStatus::Hit
    );

    // Different content and size: a new network written over the old one.
    let (net5, _) = write_network(src.path(), 5);
    let (c, s) = load_cached_with_status(&path, &opts, Some(cache_dir.path())).unwrap();
    assert!(matches!(s, CacheStatus::Rebuilt(_)), "{s:?}");
    assert_eq!(c.synapses, net5.synapses);
}

#[test]
fn different_options_use_different_cache_files() {
    let src = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let (_, path) = write_network(src.path(), 6);
    let a = LoadParams::default();
    let b = LoadParams {
        tables_beside: false,
        ..LoadParams::default()
    };
    let (fa, _) = cache::cache_file(&path, &a, cache_dir.path()).unwrap();
    let (fb, _) = cache::cache_file(&path, &b, cache_dir.path()).unwrap();
    assert_ne!(fa, fb);
    load_cached_with_status(&path, &a, Some(cache_dir.path())).unwrap();
    assert!(matches!(
        load_cached_with_status(&path, &b, Some(cache_dir.path()))
            .unwrap()
            .1,
        CacheStatus::Rebuilt(_)
    ));
    assert_eq!(
        load_cached_with_status(&path, &a, Some(cache_dir.path()))
            .unwrap()
            .1,
        CacheStatus::Hit
    );
}

#[test]
fn corrupt_or_truncated_cache_is_detected_and_rebuilt() {
    let src = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let (net, path) = write_network(src.path(), 8);
    let opts = LoadParams::default();
    load_cached_with_status(&path, &opts, Some(cache_dir.path())).unwrap();
    let (file, key) = cache::cache_file(&path, &opts, cache_dir.path()).unwrap();
    let good = std::fs::read(&file).unwrap();
    let n = good.len();

    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..n - 7].to_vec()),
        ("empty", Vec::new()),
        ("bad magic", {
            let mut b = good.clone();
            b[0] ^= 1;
            b
        }),
        ("padded", {
            let mut b = good.clone();
            b.extend_from_slice(&[0; 4]);
            b
        }),
    ];
    // One flipped bit in the counts, the targets, the last row start and the neuron table.
    let e = net.n_edges();
    for at in [n - 3, n - 4 * e - 3, n - 8 * e - 5, 200] {
        let mut b = good.clone();
        b[at] ^= 0x10;
        cases.push(("flipped bit", b));
    }
    for (what, bytes) in cases {
        std::fs::write(&file, &bytes).unwrap();
        let err = cache::read_cache(&file, &key).unwrap_err();
        assert!(!err.is_empty(), "{what}");
        let (c, s) = load_cached_with_status(&path, &opts, Some(cache_dir.path())).unwrap();
        assert!(matches!(s, CacheStatus::Rebuilt(_)), "{what}: {s:?}");
        assert_eq!(c.synapses, net.synapses, "{what}");
        assert_eq!(
            std::fs::read(&file).unwrap(),
            good,
            "{what}: the rebuilt cache is the same bytes"
        );
    }
}

#[test]
fn a_valid_checksum_does_not_make_an_invalid_matrix_trusted() {
    // Rewrite the cache with a target outside the network but a correct checksum: the
    // structural check must still refuse it.
    let src = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let (net, path) = write_network(src.path(), 9);
    let opts = LoadParams::default();
    load_cached_with_status(&path, &opts, Some(cache_dir.path())).unwrap();
    let (file, key) = cache::cache_file(&path, &opts, cache_dir.path()).unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let targets_at = bytes.len() - 8 * net.n_edges();
    bytes[targets_at..targets_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let crc = crc32fast::hash(&bytes[32..]);
    bytes[12..16].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&file, &bytes).unwrap();
    let err = cache::read_cache(&file, &key).unwrap_err();
    assert!(err.contains("has a target >= 400"), "{err}");
}

#[test]
fn unwritable_cache_dir_still_loads() {
    let src = tempfile::tempdir().unwrap();
    let (net, path) = write_network(src.path(), 10);
    // A regular file where the cache directory should be: writing fails, loading does not.
    let not_a_dir = src.path().join("Completeness_c.csv");
    let (c, s) =
        load_cached_with_status(&path, &LoadParams::default(), Some(&not_a_dir.join("sub")))
            .unwrap();
    assert!(matches!(s, CacheStatus::Rebuilt(_)));
    assert_eq!(c.synapses, net.synapses);
}

#[test]
fn default_dir_comes_from_the_environment() {
    // Only this test touches HEXAFLY_CACHE in this test binary.
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: no other thread of this binary reads or writes HEXAFLY_CACHE.
    unsafe { std::env::set_var(cache::CACHE_ENV, dir.path()) };
    assert_eq!(cache::default_cache_dir().as_deref(), Some(dir.path()));
    let src = tempfile::tempdir().unwrap();
    let (_, path) = write_network(src.path(), 11);
    cache::load_cached(&path, &LoadParams::default(), None).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    unsafe { std::env::remove_var(cache::CACHE_ENV) };
}

#[test]
fn missing_source_gives_the_loader_error() {
    let cache_dir = tempfile::tempdir().unwrap();
    let missing = cache_dir.path().join("nowhere/Completeness_x.csv");
    let e =
        cache::load_cached(&missing, &LoadParams::default(), Some(cache_dir.path())).unwrap_err();
    assert!(e.to_string().contains("Completeness_x.csv"), "{e}");
}

#[test]
fn threads_caching_the_same_dataset_at_once_agree() {
    let src = tempfile::tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let (net, path) = write_network(src.path(), 12);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    cache::load_cached(&path, &LoadParams::default(), Some(cache_dir.path()))
                        .unwrap()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().synapses, net.synapses);
        }
    });
    let (_, s) =
        load_cached_with_status(&path, &LoadParams::default(), Some(cache_dir.path())).unwrap();
    assert_eq!(s, CacheStatus::Hit);
    assert_eq!(
        std::fs::read_dir(cache_dir.path()).unwrap().count(),
        1,
        "no temp files left"
    );
}
