//! The larval connectome, Winding et al. 2023 Data S1 (`Supplementary-Data-S1.zip`), read
//! straight from the zip: `all-all_connectivity_matrix.csv` is a dense square matrix whose
//! header row and first column are CATMAID skeleton ids, ROW = presynaptic, values =
//! synapse counts written as floats; `annotations.csv` (`left_id,right_id,celltype,
//! additional_annotations,level_7_cluster`, one row per left/right pair, `no pair` where
//! unpaired) annotates the neurons: `type` = celltype, `side` from the column, `partner` = the
//! other id of the pair, the other columns kept. There is no transmitter data: every neuron
//! is Unknown (excitatory under the default sign rule).
//!
//! The path may also be an extracted `*_connectivity_matrix.csv` (with `annotations.csv`
//! beside it) or a directory holding them.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::annotations::text;
use super::edges::{EdgeRows, IdMap};
use super::{Format, LoadParams};
use crate::Connectome;
use crate::error::{LoadError, Location};
use crate::neuron::{NeuronTable, columns};
use crate::numbers::{parse_count, parse_id};
use crate::table_reader::{Record, TableReader, open};

/// The matrix member/file name read by default (all compartments summed).
pub const MATRIX: &str = "all-all_connectivity_matrix.csv";
/// The annotation member/file name.
pub const ANNOTATIONS: &str = "annotations.csv";

type Zip = zip::ZipArchive<BufReader<File>>;

fn open_zip(path: &Path) -> Result<Zip, LoadError> {
    let f = File::open(path).map_err(|e| LoadError::io(path, e))?;
    zip::ZipArchive::new(BufReader::new(f)).map_err(|e| {
        LoadError::invalid(
            Location::file(path),
            format!("not a complete zip archive ({e}); expected the Data S1 zip"),
        )
    })
}

/// The member of a zip whose name ends with `suffix` (macOS resource forks skipped).
fn member(zip: &Zip, suffix: &str) -> Option<String> {
    let mut names: Vec<&str> = zip
        .file_names()
        .filter(|n| !n.starts_with("__MACOSX") && n.rsplit('/').next() == Some(suffix))
        .collect();
    names.sort();
    names.first().map(|s| s.to_string())
}

/// The name of the all-all matrix member of a zip, if it has one.
pub fn find_matrix_member(path: &Path) -> Result<Option<String>, LoadError> {
    Ok(member(&open_zip(path)?, MATRIX))
}

/// Reads a dense matrix from `reader`: adds its neurons (header order) to `table` and its
/// non-zero cells to `rows`.
pub fn read_matrix<R: BufRead>(
    reader: R,
    file: &Path,
    table: &mut NeuronTable,
    rows: &mut EdgeRows,
    opts: &LoadParams,
) -> Result<(), LoadError> {
    let mut r = TableReader::new(reader, file).with_max_line_bytes(opts.max_line_bytes);
    let header = r.header()?.clone();
    if header.names.len() < 2 {
        return Err(LoadError::invalid(
            r.location(1, None),
            "expected a header row of neuron ids after an empty first cell (a dense square matrix)",
        ));
    }
    let mut cols = Vec::with_capacity(header.names.len() - 1);
    for (j, name) in header.names.iter().enumerate().skip(1) {
        let id = parse_id(name.as_bytes()).ok_or_else(|| {
            LoadError::invalid(
                r.location(1, Some(&format!("#{}", j + 1))),
                format!("`{name}` is not a neuron id; expected the header row to list neuron ids"),
            )
        })?;
        let (i, new) = table.insert(id);
        if !new {
            return Err(LoadError::invalid(
                r.location(1, Some(&format!("#{}", j + 1))),
                format!("neuron {id} appears twice in the header; expected each id once"),
            ));
        }
        cols.push(i);
    }
    let mut ids = IdMap::new(table, true);
    let mut rec = Record::default();
    let mut n_rows = 0usize;
    let mut row_line: Vec<u64> = vec![0; cols.len()];
    while r.next_record(&mut rec)? {
        n_rows += 1;
        let line = rec.line;
        let first = &header.names[0];
        let pre_id = parse_id(rec.bytes(0)).ok_or_else(|| {
            LoadError::invalid(
                r.location(line, Some(if first.is_empty() { "#1" } else { first })),
                "expected a neuron id in the first column",
            )
        })?;
        let pre = ids.get_or_insert(pre_id, table).ok_or_else(|| {
            LoadError::invalid(
                r.location(line, Some("#1")),
                format!("row neuron {pre_id} is not in the header; expected a square matrix"),
            )
        })?;
        if row_line[pre as usize] != 0 {
            return Err(LoadError::invalid(
                r.location(line, Some("#1")),
                format!(
                    "duplicate row: neuron {pre_id} already has a row on line {}; expected one row per neuron",
                    row_line[pre as usize]
                ),
            ));
        }
        row_line[pre as usize] = line;
        for (j, &post) in cols.iter().enumerate() {
            let cell = rec.bytes(j + 1);
            if cell == b"0.0" || cell == b"0" {
                continue;
            }
            let v = parse_count(cell).map_err(|what| {
                LoadError::invalid(
                    r.location(line, Some(&header.names[j + 1])),
                    format!("found {what}; expected a synapse count"),
                )
            })?;
            if v < 0 || v > i32::MAX as i64 {
                return Err(LoadError::invalid(
                    r.location(line, Some(&header.names[j + 1])),
                    format!("found {v}; expected a synapse count >= 0"),
                ));
            }
            if v != 0 {
                rows.push(pre, post, v as i32, 0, true, line);
            }
        }
    }
    if n_rows == 0 {
        return Err(LoadError::invalid(
            r.location(2, None),
            "no matrix rows after the header",
        ));
    }
    Ok(())
}

/// Reads `annotations.csv` onto neurons already in `table` (ids it lists that are not in
/// the matrix are ignored).
pub fn read_annotations<R: BufRead>(
    reader: R,
    file: &Path,
    table: &mut NeuronTable,
    opts: &LoadParams,
) -> Result<(), LoadError> {
    let mut r = TableReader::new(reader, file).with_max_line_bytes(opts.max_line_bytes);
    let header = r.header()?.clone();
    let expected = "left_id,right_id,celltype,... (larval Data S1 annotations)";
    let left = header.require("left_id", expected)?;
    let right = header.require("right_id", expected)?;
    let celltype = header.require("celltype", expected)?;
    let extra: Vec<usize> = (0..header.names.len())
        .filter(|&i| ![left, right, celltype].contains(&i))
        .collect();
    let mut rec = Record::default();
    while r.next_record(&mut rec)? {
        let line = rec.line;
        let mut side_ids = [None, None];
        for (k, c) in [left, right].into_iter().enumerate() {
            let raw = text(&rec, c, &r, line, &header.names[c])?.trim();
            if raw.is_empty() || raw.eq_ignore_ascii_case("no pair") {
                continue;
            }
            side_ids[k] = Some(parse_id(raw.as_bytes()).ok_or_else(|| {
                LoadError::invalid(
                    r.location(line, Some(&header.names[c])),
                    format!("`{raw}` is not a skeleton id; expected an id or `no pair`"),
                )
            })?);
        }
        for (k, side) in ["left", "right"].into_iter().enumerate() {
            let Some(i) = side_ids[k].and_then(|id| table.index_of(id)) else {
                continue;
            };
            table.set_annotation(
                i,
                columns::TYPE,
                text(&rec, celltype, &r, line, "celltype")?,
            );
            table.set_annotation(i, columns::SIDE, side);
            if let Some(other) = side_ids[1 - k] {
                table.set_annotation(i, "partner", &other.to_string());
            }
            for &c in &extra {
                let v = text(&rec, c, &r, line, &header.names[c])?;
                table.set_annotation(i, &header.names[c], v);
            }
        }
    }
    Ok(())
}

/// Builds the connectome from a matrix reader and an optional annotations reader.
pub fn load_readers<R: BufRead, A: BufRead>(
    matrix: R,
    matrix_file: &Path,
    annotations: Option<(A, &Path)>,
    opts: &LoadParams,
) -> Result<Connectome, LoadError> {
    let mut table = NeuronTable::new();
    let mut rows = EdgeRows::new(matrix_file);
    read_matrix(matrix, matrix_file, &mut table, &mut rows, opts)?;
    let mut sources = vec![matrix_file.to_path_buf()];
    if let Some((a, file)) = annotations {
        read_annotations(a, file, &mut table, opts)?;
        sources.push(file.to_path_buf());
    }
    let synapses = rows.finish(&table, &opts.sign_rule)?;
    Ok(Connectome {
        format: Format::LarvaS1.name().into(),
        sources,
        neurons: table,
        synapses,
        synthetic: None,
    })
}

fn zip_error(file: &Path, e: zip::result::ZipError) -> LoadError {
    LoadError::invalid(
        Location::file(file),
        format!("cannot read zip member ({e})"),
    )
}

/// Loads the Data S1 zip, an extracted matrix CSV, or a directory holding one.
pub fn load(path: &Path, opts: &LoadParams) -> Result<Connectome, LoadError> {
    if path.is_dir() {
        return load(&path.join(MATRIX), opts);
    }
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !is_zip {
        let ann = path
            .parent()
            .map(|d| d.join(ANNOTATIONS))
            .filter(|p| p.is_file());
        let ann_reader = match &ann {
            Some(p) => Some((open(p)?, p.as_path())),
            None => None,
        };
        return load_readers(open(path)?, path, ann_reader, opts);
    }
    let mut zip = open_zip(path)?;
    let matrix = member(&zip, MATRIX).ok_or_else(|| {
        LoadError::invalid(
            Location::file(path),
            format!("the zip has no {MATRIX}; expected the larval Data S1 zip"),
        )
    })?;
    let inner = |m: &str| PathBuf::from(format!("{}!{m}", path.display()));
    // The annotations are small: read them first so only one member is open at a time.
    let ann = match member(&zip, ANNOTATIONS) {
        Some(m) => {
            let f = inner(&m);
            let entry = zip.by_name(&m).map_err(|e| zip_error(&f, e))?;
            let mut table_text = Vec::new();
            std::io::Read::read_to_end(&mut std::io::Read::take(entry, 64 << 20), &mut table_text)
                .map_err(|e| {
                    LoadError::invalid(Location::file(&f), format!("cannot read zip member ({e})"))
                })?;
            Some((table_text, f))
        }
        None => None,
    };
    let f = inner(&matrix);
    let entry = zip.by_name(&matrix).map_err(|e| zip_error(&f, e))?;
    let reader = BufReader::with_capacity(1 << 16, entry);
    let mut c = load_readers(
        reader,
        &f,
        ann.as_ref().map(|(t, p)| (t.as_slice(), p.as_path())),
        opts,
    )?;
    c.sources = vec![path.to_path_buf()];
    Ok(c)
}
