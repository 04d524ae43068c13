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

/// One row of `timeline.csv`, typed: the [`FIXED_COLUMNS`] as fields, then the circuit map's
/// readout values and sensory input rates in header order. The writer formats rows from it
/// and readers parse them back into it, so the columns are defined once.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    /// Simulated time at the end of the tick, s.
    pub t_s: f64,
    /// The arbiter's behaviour.
    pub behaviour: String,
    /// Why (the arbiter's reason, snake case).
    pub reason: String,
    /// Thorax position, m.
    pub x_m: f64,
    /// Thorax position, m.
    pub y_m: f64,
    /// Thorax height, m.
    pub z_m: f64,
    /// Heading, rad.
    pub yaw_rad: f64,
    /// Ground speed, m/s.
    pub speed_m_s: f64,
    /// Internal state, 0..1.
    pub hunger: f64,
    /// Internal state, 0..1.
    pub dust: f64,
    /// Internal state, 0..1.
    pub arousal: f64,
    /// Drives the arbiter decided from (Hz above baseline).
    pub drive_forward: f64,
    /// See `drive_forward`.
    pub drive_backward: f64,
    /// See `drive_forward`.
    pub drive_turn: f64,
    /// See `drive_forward`.
    pub drive_groom: f64,
    /// See `drive_forward`.
    pub drive_feed: f64,
    /// Escape-trigger spikes in the window.
    pub escape_spikes: u32,
    /// `readout_<name>` columns, in header order.
    pub readouts: Vec<f64>,
    /// `input_<group>_hz` columns, in header order.
    pub inputs_hz: Vec<f64>,
}

impl TimelineRow {
    /// The row's fields as `timeline.csv` writes them (numbers with 6 decimals).
    pub fn fields(&self) -> Vec<String> {
        let fmt = |x: f64| format!("{x:.6}");
        let mut row = vec![fmt(self.t_s), self.behaviour.clone(), self.reason.clone()];
        row.extend(
            [
                self.x_m,
                self.y_m,
                self.z_m,
                self.yaw_rad,
                self.speed_m_s,
                self.hunger,
                self.dust,
                self.arousal,
                self.drive_forward,
                self.drive_backward,
                self.drive_turn,
                self.drive_groom,
                self.drive_feed,
            ]
            .map(fmt),
        );
        row.push(self.escape_spikes.to_string());
        row.extend(self.readouts.iter().map(|&x| fmt(x)));
        row.extend(self.inputs_hz.iter().map(|&x| fmt(x)));
        row
    }

    /// Parses one row of a timeline whose header is `header` (which must start with
    /// [`FIXED_COLUMNS`], then `readout_` and `input_..._hz` columns); the error says which
    /// column and what it held.
    pub fn parse(header: &[String], fields: &[&str]) -> Result<TimelineRow, String> {
        if header.len() < FIXED_COLUMNS.len() || header[..FIXED_COLUMNS.len()] != FIXED_COLUMNS {
            return Err(format!(
                "the header does not start with the timeline's columns {}",
                FIXED_COLUMNS.join(",")
            ));
        }
        if fields.len() != header.len() {
            return Err(format!(
                "{} fields, the header has {}",
                fields.len(),
                header.len()
            ));
        }
        let num = |i: usize| -> Result<f64, String> {
            fields[i]
                .parse::<f64>()
                .map_err(|_| format!("`{}`: expected a number, found `{}`", header[i], fields[i]))
        };
        let mut readouts = Vec::new();
        let mut inputs_hz = Vec::new();
        for (i, name) in header.iter().enumerate().skip(FIXED_COLUMNS.len()) {
            if name.starts_with("readout_") {
                readouts.push(num(i)?);
            } else if name.starts_with("input_") && name.ends_with("_hz") {
                inputs_hz.push(num(i)?);
            } else {
                return Err(format!("`{name}`: not a column of a timeline"));
            }
        }
        Ok(TimelineRow {
            t_s: num(0)?,
            behaviour: fields[1].to_owned(),
            reason: fields[2].to_owned(),
            x_m: num(3)?,
            y_m: num(4)?,
            z_m: num(5)?,
            yaw_rad: num(6)?,
            speed_m_s: num(7)?,
            hunger: num(8)?,
            dust: num(9)?,
            arousal: num(10)?,
            drive_forward: num(11)?,
            drive_backward: num(12)?,
            drive_turn: num(13)?,
            drive_groom: num(14)?,
            drive_feed: num(15)?,
            escape_spikes: fields[16].parse().map_err(|_| {
                format!(
                    "`escape_spikes`: expected a whole number, found `{}`",
                    fields[16]
                )
            })?,
            readouts,
            inputs_hz,
        })
    }
}

/// Opens a timeline for reading: the reader, past the header, and the header.
pub fn open(path: &Path) -> anyhow::Result<(csv::Reader<File>, Vec<String>)> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header: Vec<String> = r
        .headers()
        .with_context(|| format!("{}: no header row", path.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    Ok((r, header))
}

/// Reads a whole `timeline.csv` through [`TimelineRow`]: its header and every row, or an
/// error naming the file and the line.
pub fn read_rows(path: &Path) -> anyhow::Result<(Vec<String>, Vec<TimelineRow>)> {
    let (mut r, header) = open(path)?;
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.with_context(|| format!("{} line {}", path.display(), i + 2))?;
        let fields: Vec<&str> = rec.iter().collect();
        let row = TimelineRow::parse(&header, &fields)
            .map_err(|e| anyhow::anyhow!("{} line {}: {e}", path.display(), i + 2))?;
        rows.push(row);
    }
    Ok((header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<String> {
        let mut h: Vec<String> = FIXED_COLUMNS.iter().map(|s| s.to_string()).collect();
        h.extend(["readout_forward".into(), "input_odor_hz".into()]);
        h
    }

    #[test]
    fn a_row_reads_back_as_the_line_it_was_written_as() {
        let line = "0.010000,walk,forward_drive,0.100000,-0.200000,0.030000,1.570796,0.050000,\
                    1.000000,0.000000,0.000000,12.500000,0.000000,-3.000000,0.000000,0.000000,0,\
                    12.500000,80.000000";
        let fields: Vec<&str> = line.split(',').collect();
        let row = TimelineRow::parse(&header(), &fields).unwrap();
        assert_eq!(row.behaviour, "walk");
        assert_eq!(row.readouts, vec![12.5]);
        assert_eq!(row.inputs_hz, vec![80.0]);
        assert_eq!(row.fields().join(","), line);
    }

    #[test]
    fn a_bad_field_or_header_says_which_column() {
        let mut fields = vec!["0.0"; 19];
        fields[1] = "walk";
        fields[5] = "high";
        let e = TimelineRow::parse(&header(), &fields).unwrap_err();
        assert!(e.contains("`z_m`") && e.contains("`high`"), "{e}");
        let mut h = header();
        h.swap(3, 4);
        let e = TimelineRow::parse(&h, &["0"; 19]).unwrap_err();
        assert!(e.contains("does not start with"), "{e}");
        let e = TimelineRow::parse(&header(), &["0"; 18]).unwrap_err();
        assert!(e.contains("18 fields"), "{e}");
    }
}
