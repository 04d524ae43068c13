//! FlyWire Codex exports: `connections*.csv(.gz)` (`pre_root_id,post_root_id,neuropil,
//! syn_count,nt_type`, one row per neuropil, summed per pair, sign from each row's
//! presynaptic `nt_type`) and the neuron tables published beside it: `neurons.csv.gz`
//! (`nt_type` -> transmitter), `classification.csv.gz`, `classification_with_cell_types.csv.gz`
//! (`cell_type` -> `type`) and `consolidated_cell_types.csv.gz` (`primary_type` fills `type`).
//!
//! The path may be a connections file (tables beside it are read unless
//! `LoadParams::tables_beside` is false), a neuron table alone (neurons, no edges), or a
//! directory holding any of these. When neuron tables are read they fix the neuron set:
//! an edge naming an id none of them lists is an error.

use std::path::{Path, PathBuf};

use super::detect::{file_name, is_table_name};
use super::edge_list::{files_named, load_with_tables};
use super::{Format, LoadParams};
use crate::table_reader::peek_header;
use crate::{Connectome, LoadError};

/// Neuron table file names, in the order they are read (later tables add columns; the
/// first fixes the neuron order).
pub const NEURON_TABLES: [&str; 8] = [
    "neurons.csv.gz",
    "neurons.csv",
    "classification.csv.gz",
    "classification.csv",
    "classification_with_cell_types.csv.gz",
    "classification_with_cell_types.csv",
    "consolidated_cell_types.csv.gz",
    "consolidated_cell_types.csv",
];

fn is_connections(path: &Path) -> Result<bool, LoadError> {
    let h = peek_header(path)?;
    let has = |name: &str| h.iter().any(|c| c == name);
    Ok(
        has("pre_root_id") && has("post_root_id")
            || has("pre_pt_root_id") && has("post_pt_root_id"),
    )
}

/// The connections file in a directory: `connections*.csv(.gz)`, first by name.
fn connections_in(dir: &Path) -> Result<Option<PathBuf>, LoadError> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| LoadError::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = file_name(p);
            n.starts_with("connections") && is_table_name(&n)
        })
        .collect();
    names.sort();
    for n in names {
        if is_connections(&n)? {
            return Ok(Some(n));
        }
    }
    Ok(None)
}

/// Loads a Codex export (see the module doc for what `path` may be).
pub fn load(path: &Path, opts: &LoadParams) -> Result<Connectome, LoadError> {
    if path.is_dir() {
        let edges = connections_in(path)?;
        return load_with_tables(
            edges.as_deref(),
            &files_named(path, &NEURON_TABLES),
            Format::FlywireCodex,
            opts,
        );
    }
    if is_connections(path)? {
        let beside = match (opts.tables_beside, path.parent()) {
            (true, Some(dir)) => files_named(
                if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                },
                &NEURON_TABLES,
            ),
            _ => Vec::new(),
        };
        load_with_tables(Some(path), &beside, Format::FlywireCodex, opts)
    } else {
        load_with_tables(None, &[path.to_path_buf()], Format::FlywireCodex, opts)
    }
}
