//! Neuron tables (FlyWire Codex neurons / classification / cell types, neuPrint neurons,
//! any CSV with an id column) read onto a [`NeuronTable`].
//!
//! Published column names are mapped onto the shared annotation names in
//! [`crate::neuron::columns`] (`cell_type` -> `type`, ...); every other column is kept under
//! its own name, except bulky numeric or JSON columns listed in [`SKIPPED`].

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use super::LoadParams;
use crate::error::LoadError;
use crate::neuron::{NeuronTable, columns};
use crate::numbers::parse_id;
use crate::table_reader::{Record, TableReader, open};
use crate::transmitter::Transmitter;

/// Whether a table adds neurons or only annotates those already present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every listed id becomes a neuron.
    AddAll,
    /// Only neurons already in the table are annotated; other ids are ignored.
    AnnotateExisting,
}

/// Id column names, in order of preference.
/// `pt_root_id` (FANC/CAVE tables) comes before `id`, which in those tables is a row number.
pub const ID_COLUMNS: [&str; 6] = [
    "root_id",
    "bodyId",
    "bodyid",
    "skeleton_id",
    "pt_root_id",
    "id",
];

/// Transmitter column names, in order of preference.
pub const NT_COLUMNS: [&str; 6] = [
    "nt_type",
    "consensusNt",
    "predictedNt",
    "predicted_nt",
    "top_nt",
    "nt",
];

/// Columns not kept: per-neuron scores, coordinates and JSON blobs that would cost memory
/// and that no selector uses.
pub const SKIPPED: [&str; 20] = [
    "nt_type_score",
    "da_avg",
    "ser_avg",
    "gaba_avg",
    "glut_avg",
    "ach_avg",
    "oct_avg",
    "roiInfo",
    "inputRois",
    "outputRois",
    "somaLocation",
    "rootLocation",
    "location",
    "pre",
    "post",
    "size",
    "upstream",
    "downstream",
    "predictedNtProb",
    "celltypePredictedNtConfidence",
];

/// Published column name -> shared annotation name. `type` from `primary_type` only fills
/// neurons that have no `cell_type`/`type` yet (see [`FILL_ONLY`]).
fn rename(col: &str) -> &str {
    match col {
        "cell_type" | "celltype" | "primary_type" | "type" => columns::TYPE,
        "super_class" | "superclass" | "superClass" => columns::SUPER_CLASS,
        "class" => columns::CLASS,
        "side" | "somaSide" | "soma_side" | "rootSide" => columns::SIDE,
        other => other,
    }
}

/// Columns whose value never overwrites a non-empty annotation.
const FILL_ONLY: [&str; 1] = ["primary_type"];

/// Normalises side spellings (`L`, `LHS`, `Left` ...) to `left` / `right` / `center`.
pub fn normalize_side(s: &str) -> &str {
    match s.trim().to_ascii_lowercase().as_str() {
        "l" | "lhs" | "left" => "left",
        "r" | "rhs" | "right" => "right",
        "c" | "m" | "center" | "centre" | "middle" | "midline" => "center",
        _ => s.trim(),
    }
}

/// Reads a neuron table from `reader` onto `table`; returns the number of rows read.
/// Errors name `file`, the line and the column.
pub fn read_table<R: BufRead>(
    reader: R,
    file: &Path,
    table: &mut NeuronTable,
    mode: Mode,
    max_line_bytes: usize,
) -> Result<usize, LoadError> {
    let mut r = TableReader::new(reader, file).with_max_line_bytes(max_line_bytes);
    let header = r.header()?.clone();
    let unique = |c: &&'static str| {
        let c: &'static str = c;
        header.find_unique(c).map(|i| i.map(|i| (i, c))).transpose()
    };
    let id_col = ID_COLUMNS
        .iter()
        .find_map(unique)
        .transpose()?
        .ok_or_else(|| LoadError::MissingColumn {
            location: r.location(1, None).into(),
            column: "root_id".into(),
            found: header.names.join(", "),
            expected: format!(
                "a neuron table with an id column (one of {})",
                ID_COLUMNS.join(", ")
            ),
        })?;
    let nt_col = NT_COLUMNS.iter().find_map(unique).transpose()?;
    let kept: Vec<(usize, &str, &str)> = header
        .names
        .iter()
        .enumerate()
        .filter(|(i, n)| *i != id_col.0 && !n.is_empty() && !SKIPPED.contains(&n.as_str()))
        .filter(|(i, _)| nt_col.is_none_or(|(c, _)| c != *i))
        .map(|(i, n)| (i, n.as_str(), rename(n)))
        .collect();
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut rec = Record::default();
    let mut rows = 0;
    while r.next_record(&mut rec)? {
        rows += 1;
        let line = rec.line;
        let id = parse_id(rec.bytes(id_col.0)).ok_or_else(|| {
            LoadError::invalid(
                r.location(line, Some(id_col.1)),
                format!(
                    "`{}` is not a neuron id; expected a non-negative integer",
                    String::from_utf8_lossy(rec.bytes(id_col.0))
                ),
            )
        })?;
        if let Some(first) = seen.insert(id, line) {
            return Err(LoadError::invalid(
                r.location(line, Some(id_col.1)),
                format!(
                    "duplicate row: neuron {id} was already listed on line {first}; expected each id once"
                ),
            ));
        }
        let i = match mode {
            Mode::AddAll => table.insert(id).0,
            Mode::AnnotateExisting => match table.index_of(id) {
                Some(i) => i,
                None => continue,
            },
        };
        if let Some((c, name)) = nt_col {
            let t = Transmitter::parse(text(&rec, c, &r, line, name)?);
            if t != Transmitter::Unknown {
                table.set_transmitter(i, t);
            }
        }
        for &(c, original, target) in &kept {
            let v = text(&rec, c, &r, line, original)?;
            if v.trim().is_empty() {
                continue;
            }
            if FILL_ONLY.contains(&original) && !table.annotation(i, target).is_empty() {
                continue;
            }
            let v = if target == columns::SIDE {
                normalize_side(v)
            } else {
                v
            };
            table.set_annotation(i, target, v);
        }
    }
    Ok(rows)
}

/// Field `c` of `rec` as UTF-8 text, or an error naming the line and column.
pub(crate) fn text<'a, R: BufRead>(
    rec: &'a Record,
    c: usize,
    r: &TableReader<R>,
    line: u64,
    column: &str,
) -> Result<&'a str, LoadError> {
    std::str::from_utf8(rec.bytes(c)).map_err(|_| {
        LoadError::invalid(
            r.location(line, Some(column)),
            "value is not valid UTF-8 text; expected text",
        )
    })
}

/// Reads the neuron table at `path` (plain or .gz) onto `table`.
pub fn attach_file(
    path: &Path,
    table: &mut NeuronTable,
    mode: Mode,
    opts: &LoadParams,
) -> Result<usize, LoadError> {
    read_table(open(path)?, path, table, mode, opts.max_line_bytes)
}

/// Attaches every table of `opts.annotations` to neurons already in `table`.
pub fn attach_all(opts: &LoadParams, table: &mut NeuronTable) -> Result<(), LoadError> {
    for a in &opts.annotations {
        attach_file(a, table, Mode::AnnotateExisting, opts)?;
    }
    Ok(())
}
