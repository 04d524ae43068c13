//! `timeline.csv`, streamed: the header when the run starts, then one row per recorded tick,
//! written as the run goes, so that a run killed or failed half way keeps every row it
//! computed (up to the last flush) and memory does not grow with the duration.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The timeline of a run in progress.
#[derive(Debug)]
pub struct TimelineWriter {
    path: PathBuf,
    file: BufWriter<File>,
    columns: usize,
    rows: u64,
    line: String,
}

impl TimelineWriter {
    /// Creates `path` (replacing an older file) and writes the header row.
    pub fn create(path: &Path, header: &[String]) -> anyhow::Result<TimelineWriter> {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut w = TimelineWriter {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(1 << 16, file),
            columns: header.len(),
            rows: 0,
            line: String::new(),
        };
        w.write_line(header)?;
        w.flush()?;
        Ok(w)
    }

    /// Appends a row (already formatted fields, one per column).
    pub fn push(&mut self, fields: &[String]) -> anyhow::Result<()> {
        debug_assert_eq!(fields.len(), self.columns);
        self.write_line(fields)?;
        self.rows += 1;
        Ok(())
    }

    fn write_line(&mut self, fields: &[String]) -> anyhow::Result<()> {
        // One write per whole line: the buffer only ever reaches the file in whole lines.
        self.line.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            self.line.push_str(f);
        }
        self.line.push('\n');
        self.file
            .write_all(self.line.as_bytes())
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Rows written so far (the header not counted).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Hands what is buffered to the operating system (it survives the process being
    /// killed).
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.file
            .flush()
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Flushes and syncs the file to disk.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.flush()?;
        self.file
            .get_ref()
            .sync_all()
            .with_context(|| format!("cannot sync {}", self.path.display()))
    }
}

/// The columns every timeline starts with, in order; `readout_<name>` and `input_<group>_hz`
/// columns follow, one per readout and sensory group of the circuit map. The drives
/// (`drive_forward` to `escape_spikes`) are the last six, as replay reads them.
pub const FIXED_COLUMNS: [&str; 17] = [
    "t_s",
    "behaviour",
    "reason",
    "x_m",
    "y_m",
    "z_m",
    "yaw_rad",
    "speed_m_s",
    "hunger",
    "dust",
    "arousal",
    "drive_forward",
    "drive_backward",
    "drive_turn",
    "drive_groom",
    "drive_feed",
    "escape_spikes",
];
