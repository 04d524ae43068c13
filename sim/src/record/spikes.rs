//! Recorded spikes as Parquet: columns `neuron` (the dataset's id, uint64), `t_ms`
//! (float64, on the 0.1 ms grid, from the start of the run) and `step` (uint32).

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;

use super::write_atomic;

/// Writes `(step, neuron id)` spikes, sorted by step then id, with `dt_ms` per step.
pub fn write_spikes(path: &Path, spikes: &[(u32, u64)], dt_ms: f64) -> anyhow::Result<()> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("neuron", DataType::UInt64, false),
        Field::new("t_ms", DataType::Float64, false),
        Field::new("step", DataType::UInt32, false),
    ]));
    let neuron: ArrayRef = Arc::new(UInt64Array::from_iter_values(spikes.iter().map(|s| s.1)));
    let t: ArrayRef = Arc::new(Float64Array::from_iter_values(
        // Rounded to the 0.1 ms grid's decimal so that readers see 12.3, not 12.300000001.
        spikes
            .iter()
            .map(|s| (s.0 as f64 * dt_ms * 1e4).round() / 1e4),
    ));
    let step: ArrayRef = Arc::new(UInt32Array::from_iter_values(spikes.iter().map(|s| s.0)));
    let batch = RecordBatch::try_new(schema.clone(), vec![neuron, t, step])?;
    write_atomic(path, |w| {
        let mut writer = ArrowWriter::try_new(w, schema, None)?;
        writer.write(&batch)?;
        writer.close()?;
        Ok(())
    })
}
