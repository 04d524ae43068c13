//! neuPrint exports (hemibrain, MANC, MaleCNS): a neurons CSV (`bodyId,type,instance,...`,
//! transmitter from `consensusNt`/`predictedNt` when present) and a connections CSV
//! (`bodyId_pre,bodyId_post,weight`, optionally one row per `roi`, summed per pair).
//!
//! The path may be the connections file (a neurons file beside it is read), the neurons
//! file (a connections file beside it is read if present), or a directory holding them.

use std::path::{Path, PathBuf};

use super::edge_list::{files_named, load_with_tables};
use super::{Format, LoadParams};
use crate::table_reader::peek_header;
use crate::{Connectome, LoadError};

/// Neuron file names looked for beside a connections file.
pub const NEURON_FILES: [&str; 4] = [
    "neurons.csv",
    "neurons.csv.gz",
    "traced-neurons.csv",
    "traced-neurons.csv.gz",
];
/// Connection file names looked for beside a neurons file.
pub const CONNECTION_FILES: [&str; 4] = [
    "connections.csv",
    "connections.csv.gz",
    "traced-total-connections.csv",
    "traced-total-connections.csv.gz",
];

fn is_connections(path: &Path) -> Result<bool, LoadError> {
    let h = peek_header(path)?;
    Ok(h.iter().any(|c| c == "bodyId_pre") && h.iter().any(|c| c == "bodyId_post"))
}

/// The first neuPrint neurons file (a `bodyId` column) among `NEURON_FILES` in `dir`.
fn neurons_in(dir: &Path) -> Vec<PathBuf> {
    files_named(dir, &NEURON_FILES)
        .into_iter()
        .filter(|p| peek_header(p).is_ok_and(|h| h.iter().any(|c| c == "bodyId")))
        .take(1)
        .collect()
}

/// The first neuPrint connections file (`bodyId_pre`, `bodyId_post`) in `dir`.
fn connections_in(dir: &Path) -> Option<PathBuf> {
    files_named(dir, &CONNECTION_FILES)
        .into_iter()
        .find(|p| is_connections(p).unwrap_or(false))
}

fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Loads a neuPrint export (see the module doc for what `path` may be).
pub fn load(path: &Path, opts: &LoadParams) -> Result<Connectome, LoadError> {
    let (edges, tables) = if path.is_dir() {
        (connections_in(path), neurons_in(path))
    } else if is_connections(path)? {
        let t = if opts.tables_beside {
            neurons_in(&dir_of(path))
        } else {
            vec![]
        };
        (Some(path.to_path_buf()), t)
    } else {
        let e = if opts.tables_beside {
            connections_in(&dir_of(path))
        } else {
            None
        };
        (e, vec![path.to_path_buf()])
    };
    load_with_tables(edges.as_deref(), &tables, Format::Neuprint, opts)
}
