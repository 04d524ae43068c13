//! Writing a network (or the part of it that matters) back out as two plain tables that
//! every hexafly loader reads: `edges.csv.gz` (`pre,post,weight`, the signed synapse counts)
//! and `neurons.csv.gz` (`root_id`, `nt_type` and every annotation column). A compose
//! manifest naming the first with the second as its neuron table loads the same network.
//!
//! The output is deterministic (rows in id order, gzip without a timestamp), so a shipped
//! export can be checked against one made again from its sources.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::GzBuilder;

use crate::Connectome;
use crate::error::LoadError;
use crate::transmitter::Transmitter;

/// What [`export`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The edge table.
    pub edges_file: PathBuf,
    /// The neuron table.
    pub neurons_file: PathBuf,
    /// Neurons written.
    pub neurons: usize,
    /// Pairs written.
    pub edges: usize,
}

/// Writes the neurons where `keep` is true and every edge between two of them into `dir`
/// (created if needed), each file through a temporary name and a rename.
pub fn export(c: &Connectome, keep: &[bool], dir: &Path) -> Result<Exported, LoadError> {
    assert_eq!(keep.len(), c.n_neurons(), "one keep flag per neuron");
    std::fs::create_dir_all(dir).map_err(|e| LoadError::io(dir, e))?;
    let table = &c.neurons;
    let mut order: Vec<u32> = (0..table.len() as u32)
        .filter(|&i| keep[i as usize])
        .collect();
    order.sort_by_key(|&i| table.id(i));

    let columns: Vec<String> = table
        .column_names()
        .map(str::to_owned)
        .filter(|n| n != "nt_type" && n != "root_id")
        .collect();
    let mut neurons = String::from("root_id,nt_type");
    for name in &columns {
        neurons.push(',');
        neurons.push_str(&csv_field(name));
    }
    neurons.push('\n');
    for &i in &order {
        let nt = match table.transmitter(i) {
            Transmitter::Unknown => "",
            t => t.name(),
        };
        neurons.push_str(&format!("{},{nt}", table.id(i)));
        for name in &columns {
            neurons.push(',');
            neurons.push_str(&csv_field(table.annotation(i, name)));
        }
        neurons.push('\n');
    }

    let mut rows: Vec<(u64, u64, i32)> = c
        .synapses
        .iter()
        .filter(|&(pre, post, _)| keep[pre as usize] && keep[post as usize])
        .map(|(pre, post, w)| (table.id(pre), table.id(post), w))
        .collect();
    rows.sort_unstable();
    let mut edges = String::from("pre,post,weight\n");
    for (pre, post, w) in &rows {
        edges.push_str(&format!("{pre},{post},{w}\n"));
    }

    let edges_file = dir.join("edges.csv.gz");
    let neurons_file = dir.join("neurons.csv.gz");
    write_gz(&edges_file, "edges.csv", edges.as_bytes())?;
    write_gz(&neurons_file, "neurons.csv", neurons.as_bytes())?;
    Ok(Exported {
        edges_file,
        neurons_file,
        neurons: order.len(),
        edges: rows.len(),
    })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Gzip with a fixed header (no time stamp), best compression, written atomically.
fn write_gz(path: &Path, inner_name: &str, bytes: &[u8]) -> Result<(), LoadError> {
    let tmp = path.with_extension("gz.tmp");
    let result = (|| {
        let f = std::fs::File::create(&tmp)?;
        let mut gz = GzBuilder::new()
            .filename(inner_name)
            .mtime(0)
            .write(f, Compression::best());
        gz.write_all(bytes)?;
        gz.finish()?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        LoadError::io(path, e)
    })
}
