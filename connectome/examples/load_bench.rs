//! Loading benchmark: wall time and peak memory (VmHWM) of one load, in a fresh process.
//!
//! ```text
//! cargo run --release -p connectome --example load_bench -- PATH [--cache DIR] [--format F]
//! ```
//! Without `--cache` it loads from the source (`formats::load`); with it, through the
//! binary cache in DIR (run it twice: the first run builds the cache). Each run is its own
//! process because the memory high-water mark never goes down.

use std::path::PathBuf;
use std::time::Instant;

use connectome::cache::{CacheStatus, load_cached_with_status};
use connectome::formats::{self, LoadOptions};

fn vm_hwm_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut cache: Option<PathBuf> = None;
    let mut opts = LoadOptions::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cache" => cache = Some(args.next().ok_or("--cache needs a directory")?.into()),
            "--format" => opts.format = Some(args.next().ok_or("--format needs a name")?.parse()?),
            _ => path = Some(PathBuf::from(a)),
        }
    }
    let path = path.ok_or("usage: load_bench PATH [--cache DIR] [--format F]")?;
    let before = vm_hwm_mb().unwrap_or(0.0);
    let t = Instant::now();
    let (c, how) = match &cache {
        None => (formats::load(&path, &opts)?, "source".to_string()),
        Some(dir) => {
            let (c, status) = load_cached_with_status(&path, &opts, Some(dir))?;
            let how = match status {
                CacheStatus::Hit => "cache hit".to_string(),
                CacheStatus::Rebuilt(why) => format!("cache rebuilt ({why})"),
                CacheStatus::Disabled => "no cache".to_string(),
            };
            (c, how)
        }
    };
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{} [{}] via {how}: {} neurons, {} pairs, {} synapses; {secs:.3} s; peak RSS {:.0} MB (before load {:.0} MB)",
        path.display(),
        c.format,
        c.n_neurons(),
        c.n_edges(),
        c.n_synapses(),
        vm_hwm_mb().unwrap_or(f64::NAN),
        before
    );
    Ok(())
}
