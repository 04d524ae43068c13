//! Recorded spikes as Parquet: columns `neuron` (the dataset's id, uint64), `t_ms`
//! (float64, on the 0.1 ms grid, from the start of the run) and `step` (uint32).
//!
//! Streamed: spikes go to the file one row group per flush (the run flushes every simulated
//! second), so memory does not grow with the duration. The file is written under a hidden
//! `.part` name and renamed to its own when the run ends, completed or failed; a run killed
//! before that leaves only the `.part` (Parquet is readable only once its footer is written).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;

use super::RecordError;

/// The spikes of a run in progress.
pub struct SpikeWriter {
    path: PathBuf,
    part: PathBuf,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    pending: Vec<(u32, u64)>,
    dt_ms: f64,
}

/// Where [`SpikeWriter`] writes `path` until it is finished.
pub fn part_path(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(
        || "spikes.parquet".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    path.with_file_name(format!(".{name}.part"))
}

impl SpikeWriter {
    /// Starts `path` (written as its `.part` until [`SpikeWriter::finish`]); `dt_ms` is the
    /// brain's step.
    pub fn create(path: &Path, dt_ms: f64) -> Result<SpikeWriter, RecordError> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("neuron", DataType::UInt64, false),
            Field::new("t_ms", DataType::Float64, false),
            Field::new("step", DataType::UInt32, false),
        ]));
        let part = part_path(path);
        let file = File::create(&part).map_err(|source| RecordError::Io {
            action: "cannot create",
            path: part.clone(),
            source,
        })?;
        let writer = ArrowWriter::try_new(file, schema.clone(), None).map_err(|source| {
            RecordError::Parquet {
                action: "cannot start",
                path: part.clone(),
                source,
            }
        })?;
        Ok(SpikeWriter {
            path: path.to_path_buf(),
            part,
            schema,
            writer,
            pending: Vec::new(),
            dt_ms,
        })
    }

    /// Adds spikes `(step, neuron id)`, in step order.
    pub fn extend(&mut self, spikes: impl IntoIterator<Item = (u32, u64)>) {
        self.pending.extend(spikes);
    }

    /// Writes the spikes added since the last flush as one row group.
    pub fn flush(&mut self) -> Result<(), RecordError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = batch(&self.schema, &self.pending, self.dt_ms).map_err(|source| {
            RecordError::Arrow {
                path: self.part.clone(),
                source,
            }
        })?;
        self.pending.clear();
        self.writer
            .write(&batch)
            .and_then(|()| self.writer.flush())
            .map_err(|source| RecordError::Parquet {
                action: "cannot write",
                path: self.part.clone(),
                source,
            })
    }

    /// Flushes, writes the footer and renames the file to its own name.
    pub fn finish(mut self) -> Result<(), RecordError> {
        self.flush()?;
        let file = self
            .writer
            .into_inner()
            .map_err(|source| RecordError::Parquet {
                action: "cannot finish",
                path: self.part.clone(),
                source,
            })?;
        file.sync_all().map_err(|source| RecordError::Io {
            action: "cannot sync",
            path: self.part.clone(),
            source,
        })?;
        std::fs::rename(&self.part, &self.path).map_err(|source| RecordError::Move {
            from: self.part.clone(),
            to: self.path.clone(),
            source,
        })
    }
}

fn batch(
    schema: &SchemaRef,
    spikes: &[(u32, u64)],
    dt_ms: f64,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let neuron: ArrayRef = Arc::new(UInt64Array::from_iter_values(spikes.iter().map(|s| s.1)));
    let t: ArrayRef = Arc::new(Float64Array::from_iter_values(
        // Rounded to the 0.1 ms grid's decimal so that readers see 12.3, not 12.300000001.
        spikes
            .iter()
            .map(|s| (s.0 as f64 * dt_ms * 1e4).round() / 1e4),
    ));
    let step: ArrayRef = Arc::new(UInt32Array::from_iter_values(spikes.iter().map(|s| s.0)));
    RecordBatch::try_new(schema.clone(), vec![neuron, t, step])
}
