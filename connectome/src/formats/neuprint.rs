//! neuPrint exports (hemibrain, MANC, MaleCNS): a neurons CSV (`bodyId,type,instance,...`,
//! transmitter from `consensusNt`/`predictedNt` when present) and a connections CSV
//! (`bodyId_pre,bodyId_post,weight`, optionally one row per `roi`, summed per pair).
//!
//! The path may be the connections file (a neurons file beside it is read), the neurons
//! file (a connections file beside it is read if present), or a directory holding them.

use std::path::{Path, PathBuf};

use super::edge_list::{files_named, load_with_tables};
use super::{Format, LoadOptions};
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

fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Loads a neuPrint export (see the module doc for what `path` may be).
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Connectome, LoadError> {
    let (edges, tables) = if path.is_dir() {
        (
            files_named(path, &CONNECTION_FILES).into_iter().next(),
            files_named(path, &NEURON_FILES)
                .into_iter()
                .take(1)
                .collect(),
        )
    } else if is_connections(path)? {
        let t = if opts.tables_beside {
            files_named(&dir_of(path), &NEURON_FILES)
                .into_iter()
                .take(1)
                .collect()
        } else {
            vec![]
        };
        (Some(path.to_path_buf()), t)
    } else {
        let e = if opts.tables_beside {
            files_named(&dir_of(path), &CONNECTION_FILES)
                .into_iter()
                .next()
        } else {
            None
        };
        (e, vec![path.to_path_buf()])
    };
    load_with_tables(edges.as_deref(), &tables, Format::Neuprint, opts)
}
