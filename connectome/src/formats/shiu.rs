//! Loader for the model files of Shiu et al. 2024 (github.com/philshiu/Drosophila_brain_model):
//! `Completeness_<v>.csv` + `Connectivity_<v>.parquet`, e.g. `Completeness_783.csv`.
//!
//! - `Completeness_<v>.csv`: written by pandas with the root id as index, so the first
//!   header field is empty, then a `Completed` column (`True`/`False`). The ROW ORDER is
//!   the model's neuron index (Brian 2 `i`), so it is kept as our [`crate::NeuronIndex`].
//! - `Connectivity_<v>.parquet` (pyarrow, snappy, int64 columns): `Presynaptic_ID`,
//!   `Postsynaptic_ID`, `Presynaptic_Index`, `Postsynaptic_Index`, `Connectivity` (synapse
//!   count), `Excitatory` (+1/-1) and `Excitatory x Connectivity` (the signed count the model
//!   multiplies by 0.275 mV).
//!
//! The files carry signs, not transmitters: the signed column is used as is, transmitters
//! stay [`crate::Transmitter::Unknown`], and [`LoadParams::sign_rule`] does not apply.
//! Every row is checked against the completeness list, so a parquet file paired with the
//! wrong CSV fails loudly instead of wiring the wrong neurons.

use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::formats::LoadParams;
use crate::{Connectome, EdgeListBuilder, LoadError, Location, NeuronTable};

pub(crate) mod arrow_columns;
mod write;

pub use write::write;

use arrow_columns::{int64_column, require_column};

/// Name of the annotation column holding the `Completed` flag (`True`/`False`).
pub const COMPLETED_COLUMN: &str = "completed";

/// The connectivity columns, in the order the published file has them.
pub const CONNECTIVITY_COLUMNS: [&str; 7] = [
    "Presynaptic_ID",
    "Postsynaptic_ID",
    "Presynaptic_Index",
    "Postsynaptic_Index",
    "Connectivity",
    "Excitatory",
    "Excitatory x Connectivity",
];

const EXPECTED: &str = "the Shiu et al. Connectivity_*.parquet layout (Presynaptic_ID, Postsynaptic_ID, \
     Presynaptic_Index, Postsynaptic_Index, Connectivity, Excitatory, Excitatory x Connectivity)";

/// The two files of one model version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiuFiles {
    /// `Completeness_<v>.csv`.
    pub completeness: PathBuf,
    /// `Connectivity_<v>.parquet`.
    pub connectivity: PathBuf,
}

/// Finds both files from either one (or from the folder holding exactly one pair).
pub fn find_files(path: &Path) -> Result<ShiuFiles, LoadError> {
    if path.is_dir() {
        return find_in_dir(path);
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let dir = path.parent().unwrap_or(Path::new(""));
    let files = if let Some(v) = name
        .strip_prefix("Completeness_")
        .and_then(|r| r.strip_suffix(".csv"))
    {
        ShiuFiles {
            completeness: path.to_owned(),
            connectivity: dir.join(format!("Connectivity_{v}.parquet")),
        }
    } else if let Some(v) = name
        .strip_prefix("Connectivity_")
        .and_then(|r| r.strip_suffix(".parquet"))
    {
        ShiuFiles {
            completeness: dir.join(format!("Completeness_{v}.csv")),
            connectivity: path.to_owned(),
        }
    } else {
        return Err(LoadError::invalid(
            Location::file(path),
            "not a Shiu et al. model file; expected Completeness_<version>.csv or Connectivity_<version>.parquet",
        ));
    };
    for p in [&files.completeness, &files.connectivity] {
        if !p.is_file() {
            return Err(LoadError::NotFound {
                path: p.clone(),
                hint: format!(
                    "the Shiu et al. model needs {} and {} side by side in one folder",
                    file_name(&files.completeness),
                    file_name(&files.connectivity)
                ),
            });
        }
    }
    Ok(files)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

fn find_in_dir(dir: &Path) -> Result<ShiuFiles, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| LoadError::io(dir, e))?;
    let mut pairs = Vec::new();
    for entry in entries {
        let p = entry.map_err(|e| LoadError::io(dir, e))?.path();
        let name = file_name(&p);
        if name.starts_with("Completeness_") && name.ends_with(".csv") && find_files(&p).is_ok() {
            pairs.push(p);
        }
    }
    pairs.sort();
    match pairs.as_slice() {
        [one] => find_files(one),
        [] => Err(LoadError::NotFound {
            path: dir.join("Completeness_<version>.csv"),
            hint: "put Completeness_<version>.csv and Connectivity_<version>.parquet (Shiu et al. 2024) in this folder".into(),
        }),
        many => Err(LoadError::invalid(
            Location::file(dir),
            format!(
                "{} Shiu model versions here ({}); pass the path of one Completeness_*.csv",
                many.len(),
                many.iter().map(|p| file_name(p)).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// Loads the model from either file's path (or their folder).
pub fn load(path: &Path, _opts: &LoadParams) -> Result<Connectome, LoadError> {
    let files = find_files(path)?;
    let neurons = read_completeness(&files.completeness)?;
    let edges = read_connectivity(&files.connectivity, &files.completeness, neurons.ids())?;
    let synapses = edges.try_build(neurons.len()).map_err(|pair| {
        crate::formats::edges::overflow_error(&files.connectivity, &neurons, pair)
    })?;
    Ok(Connectome {
        format: crate::formats::Format::Shiu.name().into(),
        sources: vec![files.completeness, files.connectivity],
        neurons,
        synapses,
        synthetic: None,
    })
}

/// Reads `Completeness_<v>.csv`: neuron index = data row, annotation [`COMPLETED_COLUMN`].
pub fn read_completeness(path: &Path) -> Result<NeuronTable, LoadError> {
    let file = File::open(path).map_err(|e| LoadError::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(std::io::BufReader::new(file));
    let header_err = |e: csv::Error| {
        LoadError::invalid(
            Location::file(path).at_line(1),
            format!("cannot read header: {e}"),
        )
    };
    let headers = reader.headers().map_err(header_err)?.clone();
    let completed = headers.iter().position(|h| h == "Completed").ok_or_else(|| LoadError::MissingColumn {
        location: Location::file(path).at_line(1).into(),
        column: "Completed".into(),
        found: headers.iter().map(|h| if h.is_empty() { "(unnamed)" } else { h }).collect::<Vec<_>>().join(", "),
        expected: "the Shiu et al. Completeness_*.csv layout: an unnamed root-id column, then Completed".into(),
    })?;
    if completed == 0 {
        return Err(LoadError::invalid(
            Location::file(path).at_line(1).at_column("Completed"),
            "`Completed` is the first column; expected the root ids first (pandas index), then Completed",
        ));
    }
    let mut table = NeuronTable::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(LoadError::invalid(
                    Location::file(path).at_line(line),
                    format!("malformed CSV row: {e}"),
                ));
            }
        }
        let at = |col: &str| Location::file(path).at_line(line).at_column(col);
        let id_text = record.get(0).unwrap_or("").trim();
        let id: u64 = id_text.parse().map_err(|_| {
            LoadError::invalid(
                at("#1"),
                format!("`{id_text}` is not a root id; expected a non-negative integer"),
            )
        })?;
        let flag = record.get(completed).unwrap_or("").trim();
        let flag = match flag {
            "True" | "true" | "1" => "True",
            "False" | "false" | "0" => "False",
            other => {
                return Err(LoadError::invalid(
                    at("Completed"),
                    format!("`{other}`; expected True or False"),
                ));
            }
        };
        let (i, new) = table.insert(id);
        if !new {
            return Err(LoadError::invalid(
                at("#1"),
                format!(
                    "root id {id} is listed twice (first at data row {i}); each neuron must appear once"
                ),
            ));
        }
        table.set_annotation(i, COMPLETED_COLUMN, flag);
    }
    Ok(table)
}

/// Reads `Connectivity_<v>.parquet`, checking every row against `ids` (the completeness
/// list, named `completeness` in errors), and returns the signed counts by neuron index.
pub fn read_connectivity(
    path: &Path,
    completeness: &Path,
    ids: &[u64],
) -> Result<EdgeListBuilder, LoadError> {
    let file = File::open(path).map_err(|e| LoadError::io(path, e))?;
    let parquet_err = |e: parquet::errors::ParquetError| {
        LoadError::invalid(
            Location::file(path),
            format!("not a readable parquet file: {e}"),
        )
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_err)?;
    let mut roots = Vec::with_capacity(CONNECTIVITY_COLUMNS.len());
    for name in CONNECTIVITY_COLUMNS {
        roots.push(require_column(builder.schema(), name, path, EXPECTED)?);
    }
    let rows = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let mut edges = EdgeListBuilder::with_capacity(rows);
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(1 << 16)
        .build()
        .map_err(parquet_err)?;
    let n = ids.len() as i64;
    let mut first_row = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| {
            LoadError::invalid(
                Location::file(path),
                format!("cannot decode parquet data: {e}"),
            )
        })?;
        let schema = batch.schema();
        let mut cols = Vec::with_capacity(CONNECTIVITY_COLUMNS.len());
        for name in CONNECTIVITY_COLUMNS {
            let c = require_column(&schema, name, path, EXPECTED)?;
            cols.push(int64_column(&batch, c, path, first_row)?);
        }
        let [pre_id, post_id, pre_ix, post_ix, count, sign, signed] = &cols[..] else {
            unreachable!()
        };
        for r in 0..batch.num_rows() {
            let row = first_row + r as u64;
            let bad = |col: &str, msg: String| {
                LoadError::invalid(
                    Location::file(path).at_column(col),
                    format!("row {row}: {msg}"),
                )
            };
            let (pi, qi) = (pre_ix.value(r), post_ix.value(r));
            for (col, ix, id_col, id) in [
                ("Presynaptic_Index", pi, "Presynaptic_ID", pre_id.value(r)),
                (
                    "Postsynaptic_Index",
                    qi,
                    "Postsynaptic_ID",
                    post_id.value(r),
                ),
            ] {
                if !(0..n).contains(&ix) {
                    return Err(bad(
                        col,
                        format!(
                            "index {ix} is outside 0..{n} ({} lists {n} neurons)",
                            completeness.display()
                        ),
                    ));
                }
                let expected = ids[ix as usize];
                if u64::try_from(id).ok() != Some(expected) {
                    return Err(bad(
                        id_col,
                        format!(
                            "id {id} but neuron {ix} of {} is {expected}; the two files do not belong together",
                            completeness.display()
                        ),
                    ));
                }
            }
            let c = count.value(r);
            if c <= 0 || c > i32::MAX as i64 {
                return Err(bad(
                    "Connectivity",
                    format!("synapse count {c}; expected a positive count"),
                ));
            }
            let s = sign.value(r);
            if s != 1 && s != -1 {
                return Err(bad(
                    "Excitatory",
                    format!("{s}; expected +1 (excitatory) or -1 (inhibitory)"),
                ));
            }
            let w = signed.value(r);
            if w != s * c {
                return Err(bad(
                    "Excitatory x Connectivity",
                    format!("{w}, but Excitatory x Connectivity = {s} x {c} = {}", s * c),
                ));
            }
            edges.push(pi as u32, qi as u32, w as i32);
        }
        first_row += batch.num_rows() as u64;
    }
    Ok(edges)
}
