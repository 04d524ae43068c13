//! Times `formats::load` on a file (any format). When PATH does not exist, the synthetic
//! whole brain's edge list (139,255 neurons, ~15 M edges, seed 1) is written there first;
//! without PATH it goes to a temporary directory.
//!
//! `cargo run --release -p connectome --example load_time [-- PATH]`

use std::time::Instant;

use connectome::formats::{self, LoadParams};

fn main() {
    let arg = std::env::args().nth(1);
    let _dir;
    let path = match arg {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            _dir = tempfile::tempdir().expect("temp dir");
            _dir.path().join("edges.csv")
        }
    };
    if !path.exists() {
        let t = Instant::now();
        let c =
            connectome::synth::generate(&connectome::synth::SynthParams::default()).expect("synth");
        connectome::synth::write_edge_list(&path, &c).expect("write");
        eprintln!(
            "generated and wrote {} edges in {:.2?}",
            c.n_edges(),
            t.elapsed()
        );
    }
    let t = Instant::now();
    let c = formats::load(&path, &LoadParams::default()).unwrap_or_else(|e| panic!("{e}"));
    let dt = t.elapsed();
    println!(
        "{}: format {}, {} neurons, {} edges, {} synapses, loaded in {:.3} s ({} threads)",
        path.display(),
        c.format,
        c.n_neurons(),
        c.n_edges(),
        c.n_synapses(),
        dt.as_secs_f64(),
        rayon::current_num_threads()
    );
}
