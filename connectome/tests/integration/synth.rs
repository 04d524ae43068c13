//! The synthetic network generator: determinism, statistics, and the files it writes.

use connectome::formats::{self, Format, LoadParams, shiu};
use connectome::synth::{self, FIRST_ID, SynthParams, generate};
use connectome::{Connectome, SynapseMatrix};

fn params(seed: u64) -> SynthParams {
    SynthParams {
        neurons: 3000,
        edges: 200_000,
        seed,
        ..SynthParams::default()
    }
}

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn same_seed_same_bytes_other_seed_other_network() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    synth::write_all(a.path(), &generate(&params(42)).unwrap()).unwrap();
    synth::write_all(b.path(), &generate(&params(42)).unwrap()).unwrap();
    synth::write_all(c.path(), &generate(&params(43)).unwrap()).unwrap();
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    let names: Vec<&str> = fa.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Completeness_synth.csv",
            "Connectivity_synth.parquet",
            "edges.csv"
        ]
    );
    assert_eq!(fa, fb);
    assert_ne!(fa[1], fc[1]);
    assert_ne!(fa[2], fc[2]);
}

#[test]
fn same_network_at_any_thread_count() {
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| generate(&params(5)).unwrap())
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn statistics_are_flywire_like() {
    let p = params(1);
    let c = generate(&p).unwrap();
    assert_eq!(c.n_neurons(), 3000);
    assert_eq!(c.n_edges(), 200_000);
    assert_eq!(c.neurons.id(0), FIRST_ID);
    let (row_start, targets, counts) = c.synapses.parts();

    // Exactly 35% inhibitory neurons; every row has one sign, set by its transmitter.
    let sign = |i: usize| connectome::SignRule::default().sign(c.neurons.transmitter(i as u32));
    assert_eq!((0..3000).filter(|&i| sign(i) < 0).count(), 1050);
    for i in 0..3000 {
        let row = &counts[row_start[i] as usize..row_start[i + 1] as usize];
        assert!(row.iter().all(|&w| w.signum() == sign(i)), "row {i}");
        let t = &targets[row_start[i] as usize..row_start[i + 1] as usize];
        assert!(!t.contains(&(i as u32)), "no autapse in row {i}");
    }

    // Synapse counts: most pairs 1-5 synapses, a tail to hundreds, mean near FlyWire's ~3.3.
    let abs: Vec<u32> = counts.iter().map(|w| w.unsigned_abs()).collect();
    let small = abs.iter().filter(|&&k| k <= 5).count() as f64 / abs.len() as f64;
    let mean = abs.iter().map(|&k| k as f64).sum::<f64>() / abs.len() as f64;
    let max = *abs.iter().max().unwrap();
    assert!((0.88..0.95).contains(&small), "{small}");
    assert!((2.8..3.6).contains(&mean), "{mean}");
    assert!(max >= 100, "{max}");

    // Heavy-tailed out-degree: the largest rows are many times the mean.
    let mut deg: Vec<u64> = row_start.windows(2).map(|w| w[1] - w[0]).collect();
    deg.sort_unstable();
    let mean_deg = 200_000.0 / 3000.0;
    assert!(deg[2999] as f64 > 8.0 * mean_deg, "max {}", deg[2999]);
    assert!(
        (deg[1500] as f64) < mean_deg,
        "median {} below the mean",
        deg[1500]
    );

    // `scale` multiplies the counts.
    let doubled = generate(&SynthParams { scale: 2.0, ..p }).unwrap();
    let (_, t2, c2) = doubled.synapses.parts();
    assert_eq!(t2, targets);
    assert!(c2.iter().zip(counts).all(|(a, b)| *a == 2 * *b));
}

#[test]
fn written_files_load_back_as_the_same_network() {
    let dir = tempfile::tempdir().unwrap();
    let net = generate(&SynthParams {
        neurons: 500,
        edges: 10_000,
        seed: 9,
        ..SynthParams::default()
    })
    .unwrap();
    synth::write_all(dir.path(), &net).unwrap();
    let opts = LoadParams::default();
    let s = shiu::load(&dir.path().join("Completeness_synth.csv"), &opts).unwrap();
    assert_eq!(s.synapses, net.synapses);
    assert_eq!(s.neurons.ids(), net.neurons.ids());

    let e = formats::load(&dir.path().join("edges.csv"), &opts).unwrap();
    assert_eq!(e.format, Format::EdgeList.name());
    assert_eq!(e.n_edges(), net.n_edges());
    assert_eq!(e.n_synapses(), net.n_synapses());
    assert_eq!(
        by_id(&e),
        by_id(&net),
        "edge list holds the same signed counts by id"
    );
}

fn by_id(c: &Connectome) -> Vec<(u64, u64, i32)> {
    let m: &SynapseMatrix = &c.synapses;
    let mut v: Vec<_> = m
        .iter()
        .map(|(a, b, w)| (c.neurons.id(a), c.neurons.id(b), w))
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn bad_parameters_are_rejected_with_the_reason() {
    let bad = |p: SynthParams| generate(&p).unwrap_err();
    assert!(
        bad(SynthParams {
            neurons: 1,
            ..params(1)
        })
        .contains("neurons")
    );
    assert!(
        bad(SynthParams {
            inhibitory: 1.5,
            ..params(1)
        })
        .contains("inhibitory")
    );
    assert!(
        bad(SynthParams {
            scale: 0.0,
            ..params(1)
        })
        .contains("scale")
    );
    assert!(
        bad(SynthParams {
            count_exponent: 0.5,
            ..params(1)
        })
        .contains("exponent")
    );
    // Counts above a 32-bit synapse count used to be clamped silently.
    let e = bad(SynthParams {
        scale: 1e30,
        ..params(1)
    });
    assert!(e.contains("scale") && e.contains("exceeds a 32-bit"), "{e}");
}

#[test]
fn small_preset_is_the_brian_cross_check_size() {
    let p = SynthParams::small();
    assert_eq!((p.neurons, p.edges), (20_000, 1_000_000));
    assert_eq!(SynthParams::default().neurons, 139_255);
}

#[test]
fn capped_rows_give_their_share_to_the_others() {
    // 20 neurons: rows are capped at 10 targets, so 150 pairs need the cap to bind.
    let c = generate(&SynthParams {
        neurons: 20,
        edges: 150,
        seed: 2,
        ..SynthParams::default()
    })
    .unwrap();
    assert_eq!(c.n_edges(), 150);
    let (row_start, _, _) = c.synapses.parts();
    assert!(row_start.windows(2).all(|w| w[1] - w[0] <= 10));
    // More than fits: every row full.
    let c = generate(&SynthParams {
        neurons: 20,
        edges: 1000,
        seed: 2,
        ..SynthParams::default()
    })
    .unwrap();
    assert_eq!(c.n_edges(), 200);
}
