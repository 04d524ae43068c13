//! Loading benchmark: wall time and peak memory (VmHWM) of one load, in a fresh process.
//!
//! ```text
//! cargo run --release -p connectome --example load_bench -- PATH [--cache DIR] [--format F]
//! ```
//! Without `--cache` it loads from the source (`formats::load`); with it, through the
//! binary cache in DIR (run it twice: the first run builds the cache). Each run is its own
//! process because the memory high-water mark never goes down.
//!
//! `--write-feather OUT` writes the loaded network as a Zenodo-layout
//! `proofread_connections` feather (lz4, each pair with 4 or more synapses split over
//! two neuropil rows, ~16.8 M rows for the synthetic brain, like the real file) so that
//! loader can be benchmarked at whole-brain size too.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow_array::{ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray};
use arrow_ipc::writer::{FileWriter, IpcWriteOptions};
use arrow_schema::{DataType, Field, Schema};
use connectome::{Connectome, Transmitter};

use connectome::cache::{CacheStatus, load_cached_with_status};
use connectome::formats::{self, LoadParams};

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
    let mut feather_out: Option<PathBuf> = None;
    let mut opts = LoadParams::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cache" => cache = Some(args.next().ok_or("--cache needs a directory")?.into()),
            "--write-feather" => {
                feather_out = Some(args.next().ok_or("--write-feather needs a path")?.into())
            }
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
    if let Some(out) = feather_out {
        let rows = write_feather(&out, &c)?;
        println!("wrote {rows} rows to {}", out.display());
    }
    Ok(())
}

/// Writes `c` in the layout of FlyWire's proofread_connections_783.feather.
fn write_feather(out: &Path, c: &Connectome) -> Result<usize, Box<dyn std::error::Error>> {
    let preds = [
        "gaba_avg", "ach_avg", "glut_avg", "oct_avg", "ser_avg", "da_avg",
    ];
    let mut fields = vec![
        Field::new("pre_pt_root_id", DataType::Int64, false),
        Field::new("post_pt_root_id", DataType::Int64, false),
        Field::new("neuropil", DataType::Utf8, false),
        Field::new("syn_count", DataType::Int64, false),
    ];
    fields.extend(
        preds
            .iter()
            .map(|n| Field::new(*n, DataType::Float32, false)),
    );
    let schema = Arc::new(Schema::new(fields));
    let opts = IpcWriteOptions::default()
        .try_with_compression(Some(arrow_ipc::CompressionType::LZ4_FRAME))?;
    let mut w = FileWriter::try_new_with_options(std::fs::File::create(out)?, &schema, opts)?;
    let ids = c.neurons.ids();
    let (mut pre, mut post, mut np, mut cnt) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut pred: [Vec<f32>; 6] = Default::default();
    let mut rows = 0;
    let mut flush = |pre: &mut Vec<i64>,
                     post: &mut Vec<i64>,
                     np: &mut Vec<&'static str>,
                     cnt: &mut Vec<i64>,
                     pred: &mut [Vec<f32>; 6]|
     -> Result<(), Box<dyn std::error::Error>> {
        let mut cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(std::mem::take(pre))),
            Arc::new(Int64Array::from(std::mem::take(post))),
            Arc::new(StringArray::from(std::mem::take(np))),
            Arc::new(Int64Array::from(std::mem::take(cnt))),
        ];
        cols.extend(
            pred.iter_mut()
                .map(|p| Arc::new(Float32Array::from(std::mem::take(p))) as ArrayRef),
        );
        w.write(&RecordBatch::try_new(schema.clone(), cols)?)?;
        Ok(())
    };
    for (a, b, s) in c.synapses.iter() {
        // The neuron's transmitter gets 0.8 of each synapse's prediction.
        let k = match c.neurons.transmitter(a) {
            Transmitter::Gaba => 0,
            Transmitter::Glutamate => 2,
            Transmitter::Octopamine => 3,
            Transmitter::Serotonin => 4,
            Transmitter::Dopamine => 5,
            _ => 1,
        };
        let n = s.unsigned_abs() as i64;
        let split = [("AL_L", n / 2), ("LH_R", n - n / 2)];
        let whole = [("SEZ", n)];
        let parts: &[(&'static str, i64)] = if n >= 4 { &split } else { &whole };
        for &(name, part) in parts {
            pre.push(ids[a as usize] as i64);
            post.push(ids[b as usize] as i64);
            np.push(name);
            cnt.push(part);
            for (j, p) in pred.iter_mut().enumerate() {
                p.push(if j == k { 0.8 } else { 0.04 });
            }
            rows += 1;
        }
        if pre.len() >= 1 << 20 {
            flush(&mut pre, &mut post, &mut np, &mut cnt, &mut pred)?;
        }
    }
    if !pre.is_empty() {
        flush(&mut pre, &mut post, &mut np, &mut cnt, &mut pred)?;
    }
    w.finish()?;
    Ok(rows)
}
