//! Telling a dataset's format from its path: extension, file names and a peek at the
//! header of a CSV.

use std::path::Path;

use super::Format;
use crate::LoadError;
use crate::table_reader::peek_header;

fn unknown(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::UnknownFormat {
        path: path.into(),
        reason: reason.into(),
        known: Format::known_names(),
    }
}

/// The lowercase file name of a path.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// True for names of delimited text tables, plain or gzipped.
pub(crate) fn is_table_name(name: &str) -> bool {
    let n = name.strip_suffix(".gz").unwrap_or(name);
    n.ends_with(".csv") || n.ends_with(".tsv") || n.ends_with(".txt")
}

/// Detects the format of `path` (a file or a directory of published files).
pub fn detect(path: &Path) -> Result<Format, LoadError> {
    if !path.exists() {
        return Err(LoadError::NotFound {
            path: path.into(),
            hint: "no such file or directory; check the path (see `hexafly datasets` for known datasets)".into(),
        });
    }
    if path.is_dir() {
        return detect_dir(path);
    }
    let name = file_name(path);
    if name.ends_with(".surrogate.toml") {
        return Ok(Format::Surrogate);
    }
    if name.ends_with(".toml") {
        return Ok(Format::Manifest);
    }
    if name.ends_with(".zip") {
        return match super::larva::find_matrix_member(path)? {
            Some(_) => Ok(Format::LarvaS1),
            None => Err(unknown(
                path,
                "zip archive without an all-all_connectivity_matrix.csv member",
            )),
        };
    }
    if name.ends_with(".feather") || name.ends_with(".arrow") || name.ends_with(".ipc") {
        return Ok(Format::Feather);
    }
    if name.ends_with(".parquet") || (name.starts_with("completeness_") && is_table_name(&name)) {
        return Ok(Format::Shiu);
    }
    if name.ends_with("connectivity_matrix.csv") {
        return Ok(Format::LarvaS1);
    }
    if is_table_name(&name) {
        let header = peek_header(path)?;
        return format_from_header(&header).ok_or_else(|| {
            unknown(
                path,
                format!("no known layout has the columns {}", header.join(",")),
            )
        });
    }
    Err(unknown(path, "unrecognised file extension"))
}

/// The format a CSV header belongs to, if any.
pub(crate) fn format_from_header(header: &[String]) -> Option<Format> {
    let has = |c: &str| header.iter().any(|h| h == c);
    let codex_edges = has("pre_root_id") && has("post_root_id")
        || has("pre_pt_root_id") && has("post_pt_root_id");
    // A neuron list: Codex tables (`root_id`), CAVE tables (`pt_root_id`), or an `id` column
    // with cell types (e.g. the FlyWire grooming network list).
    let neuron_list =
        has("root_id") || has("pt_root_id") || has("id") && (has("cell_type") || has("type"));
    if codex_edges || neuron_list && super::edge_list::EdgeColumns::detect(header).is_none() {
        Some(Format::FlywireCodex)
    } else if has("bodyId_pre") && has("bodyId_post") || has("bodyId") {
        Some(Format::Neuprint)
    } else if super::edge_list::EdgeColumns::detect(header).is_some() {
        Some(Format::EdgeList)
    } else {
        None
    }
}

fn detect_dir(dir: &Path) -> Result<Format, LoadError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| LoadError::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    if lower.iter().any(|n| n == "all-all_connectivity_matrix.csv") {
        return Ok(Format::LarvaS1);
    }
    if lower
        .iter()
        .any(|n| n.starts_with("connectivity_") && n.ends_with(".parquet"))
    {
        return Ok(Format::Shiu);
    }
    if lower.iter().any(|n| n.ends_with(".feather")) {
        return Ok(Format::Feather);
    }
    for (n, l) in names.iter().zip(&lower) {
        if !is_table_name(l) {
            continue;
        }
        if let Ok(h) = peek_header(&dir.join(n))
            && let Some(f @ (Format::FlywireCodex | Format::Neuprint)) = format_from_header(&h)
        {
            return Ok(f);
        }
    }
    Err(unknown(dir, "directory holds no file of a known layout"))
}
