//! `spikes.parquet`: the recorded neurons' spikes, written as the loop runs.

use std::path::Path;

use super::stream;
use crate::closed_loop::{Monitor, MonitorError, TickRecord};
use crate::record::spikes::SpikeWriter;

/// Writes the spikes of the neurons the controller records (its `record` selection), each
/// with the dataset's neuron id.
pub struct SpikeMonitor {
    writer: Option<SpikeWriter>,
    ids: Vec<u64>,
}

impl SpikeMonitor {
    /// Creates `path` for a brain of step `dt_ms` whose neurons have the ids `ids` (in
    /// index order).
    pub fn create(
        path: &Path,
        dt_ms: f64,
        ids: &[u64],
    ) -> Result<SpikeMonitor, crate::record::RecordError> {
        Ok(SpikeMonitor {
            writer: Some(SpikeWriter::create(path, dt_ms)?),
            ids: ids.to_vec(),
        })
    }
}

impl Monitor for SpikeMonitor {
    fn observe(&mut self, r: &TickRecord<'_>) -> Result<(), MonitorError> {
        let writer = stream::open(&mut self.writer, "spike file")?;
        let ids = &self.ids;
        writer.extend(r.spikes.iter().map(|&(s, i)| (s, ids[i as usize])));
        Ok(())
    }

    fn flush(&mut self) -> Result<(), MonitorError> {
        stream::flush(&mut self.writer)
    }

    fn finish(&mut self) -> Result<(), MonitorError> {
        stream::close(&mut self.writer)
    }
}
