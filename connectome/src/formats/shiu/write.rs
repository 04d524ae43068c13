//! Writes a [`Connectome`] in the Shiu et al. layout, as pandas/pyarrow would: the
//! completeness CSV with an unnamed index column, and a snappy-compressed parquet file with
//! int64 columns in the published order. Used by the synthetic generator and by tests.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::{COMPLETED_COLUMN, CONNECTIVITY_COLUMNS, ShiuFiles};
use crate::Connectome;

/// Rows per parquet record batch (and row group granularity for the writer).
const BATCH_ROWS: usize = 1 << 20;

/// Writes `Completeness_<version>.csv` and `Connectivity_<version>.parquet` into `dir`.
/// A neuron's `Completed` flag is its [`COMPLETED_COLUMN`] annotation, `True` when absent.
pub fn write(dir: &Path, version: &str, c: &Connectome) -> std::io::Result<ShiuFiles> {
    std::fs::create_dir_all(dir)?;
    let files = ShiuFiles {
        completeness: dir.join(format!("Completeness_{version}.csv")),
        connectivity: dir.join(format!("Connectivity_{version}.parquet")),
    };
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&files.completeness)?);
    w.write_all(b",Completed\n")?;
    for (i, id) in c.neurons.ids().iter().enumerate() {
        let flag = match c.neurons.annotation(i as u32, COMPLETED_COLUMN) {
            "False" => "False",
            _ => "True",
        };
        writeln!(w, "{id},{flag}")?;
    }
    w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    write_connectivity(&files.connectivity, c)?;
    Ok(files)
}

fn write_connectivity(path: &Path, c: &Connectome) -> std::io::Result<()> {
    let schema = Arc::new(Schema::new(
        CONNECTIVITY_COLUMNS
            .iter()
            .map(|name| Field::new(*name, DataType::Int64, false))
            .collect::<Vec<_>>(),
    ));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = File::create(path)?;
    let mut writer = ArrowWriter::try_new(file, Arc::clone(&schema), Some(props))
        .map_err(std::io::Error::other)?;
    let ids = c.neurons.ids();
    // The published columns are int64 (pandas); an id beyond it cannot be written faithfully.
    if let Some(id) = ids.iter().find(|&&id| id > i64::MAX as u64) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("neuron id {id} does not fit the int64 columns of the Shiu layout"),
        ));
    }
    let mut cols: [Vec<i64>; 7] = Default::default();
    let flush = |cols: &mut [Vec<i64>; 7], writer: &mut ArrowWriter<File>| -> std::io::Result<()> {
        let arrays: Vec<ArrayRef> = cols
            .iter_mut()
            .map(|v| Arc::new(Int64Array::from(std::mem::take(v))) as ArrayRef)
            .collect();
        let batch =
            RecordBatch::try_new(Arc::clone(&schema), arrays).map_err(std::io::Error::other)?;
        writer.write(&batch).map_err(std::io::Error::other)
    };
    for (pre, post, w) in c.synapses.iter() {
        let sign = w.signum() as i64;
        let row = [
            ids[pre as usize] as i64,
            ids[post as usize] as i64,
            pre as i64,
            post as i64,
            w.unsigned_abs() as i64,
            sign,
            w as i64,
        ];
        for (col, v) in cols.iter_mut().zip(row) {
            col.push(v);
        }
        if cols[0].len() == BATCH_ROWS {
            flush(&mut cols, &mut writer)?;
        }
    }
    if !cols[0].is_empty() {
        flush(&mut cols, &mut writer)?;
    }
    writer.close().map_err(std::io::Error::other)?;
    Ok(())
}
