//! `timeline.csv`, streamed: the header when the run starts, then one row per recorded tick,
//! written as the run goes, so that a run killed or failed half way keeps every row it
//! computed (up to the last flush) and memory does not grow with the duration.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{RecordError, TimelineRowError};

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
    pub fn create(path: &Path, header: &[String]) -> Result<TimelineWriter, RecordError> {
        let file = File::create(path).map_err(|source| RecordError::Io {
            action: "cannot create",
            path: path.to_path_buf(),
            source,
        })?;
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
    pub fn push(&mut self, fields: &[String]) -> Result<(), RecordError> {
        debug_assert_eq!(fields.len(), self.columns);
        self.write_line(fields)?;
        self.rows += 1;
        Ok(())
    }

    fn write_line(&mut self, fields: &[String]) -> Result<(), RecordError> {
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
            .map_err(|source| self.io_error("cannot write", source))
    }

    fn io_error(&self, action: &'static str, source: std::io::Error) -> RecordError {
        RecordError::Io {
            action,
            path: self.path.clone(),
            source,
        }
    }

    /// Rows written so far (the header not counted).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Hands what is buffered to the operating system (it survives the process being
    /// killed).
    pub fn flush(&mut self) -> Result<(), RecordError> {
        self.file
            .flush()
            .map_err(|source| self.io_error("cannot write", source))
    }

    /// Flushes and syncs the file to disk.
    pub fn finish(mut self) -> Result<(), RecordError> {
        self.flush()?;
        self.file
            .get_ref()
            .sync_all()
            .map_err(|source| self.io_error("cannot sync", source))
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
    pub fn parse(header: &[String], fields: &[&str]) -> Result<TimelineRow, TimelineRowError> {
        check_header(header)?;
        if fields.len() != header.len() {
            return Err(TimelineRowError::FieldCount {
                found: fields.len(),
                expected: header.len(),
            });
        }
        let num = |i: usize| -> Result<f64, TimelineRowError> {
            fields[i]
                .parse::<f64>()
                .map_err(|_| TimelineRowError::NotANumber {
                    column: header[i].clone(),
                    found: fields[i].to_owned(),
                })
        };
        let mut readouts = Vec::new();
        let mut inputs_hz = Vec::new();
        for (i, name) in header.iter().enumerate().skip(FIXED_COLUMNS.len()) {
            if name.starts_with(READOUT_PREFIX) {
                readouts.push(num(i)?);
            } else if name.starts_with(INPUT_PREFIX) && name.ends_with(INPUT_SUFFIX) {
                inputs_hz.push(num(i)?);
            } else {
                return Err(TimelineRowError::UnknownColumn {
                    column: name.clone(),
                });
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
            escape_spikes: fields[16]
                .parse()
                .map_err(|_| TimelineRowError::NotACount {
                    found: fields[16].to_owned(),
                })?,
            readouts,
            inputs_hz,
        })
    }

    /// The readout `name`'s value in this row (`name` without the `readout_` prefix), given
    /// the row's `header`; `None` when the timeline has no such readout.
    pub fn readout(&self, header: &[String], name: &str) -> Option<f64> {
        let k = readout_names(header).position(|n| n == name)?;
        self.readouts.get(k).copied()
    }

    /// The sensory group `group`'s input rate in this row, Hz, given the row's `header`;
    /// `None` when the timeline has no such group.
    pub fn input_hz(&self, header: &[String], group: &str) -> Option<f64> {
        let k = input_names(header).position(|n| n == group)?;
        self.inputs_hz.get(k).copied()
    }
}

/// Prefix of the readout columns.
const READOUT_PREFIX: &str = "readout_";
/// Prefix of the input rate columns.
const INPUT_PREFIX: &str = "input_";
/// Suffix of the input rate columns.
const INPUT_SUFFIX: &str = "_hz";

/// The names of a timeline's readouts (its `readout_<name>` columns, prefix removed), in
/// header order: [`TimelineRow::readouts`] holds their values in this order.
pub fn readout_names(header: &[String]) -> impl Iterator<Item = &str> {
    header
        .iter()
        .skip(FIXED_COLUMNS.len())
        .filter_map(|h| h.strip_prefix(READOUT_PREFIX))
}

/// The sensory groups of a timeline's `input_<group>_hz` columns, in header order:
/// [`TimelineRow::inputs_hz`] holds their values in this order.
pub fn input_names(header: &[String]) -> impl Iterator<Item = &str> {
    header
        .iter()
        .skip(FIXED_COLUMNS.len())
        .filter(|h| h.starts_with(INPUT_PREFIX) && h.ends_with(INPUT_SUFFIX))
        .map(|h| {
            h.get(INPUT_PREFIX.len()..h.len() - INPUT_SUFFIX.len())
                .unwrap_or_default()
        })
}

/// Checks that `header` starts with [`FIXED_COLUMNS`]; the error names the first column
/// that differs.
pub fn check_header(header: &[String]) -> Result<(), TimelineRowError> {
    match FIXED_COLUMNS
        .iter()
        .enumerate()
        .find(|&(i, c)| header.get(i).is_none_or(|h| h != c))
    {
        None => Ok(()),
        Some((column, &expected)) => Err(TimelineRowError::Header {
            column,
            expected,
            found: header.get(column).cloned(),
        }),
    }
}

/// A `timeline.csv` read as CSV, its rows parsed through [`TimelineRow`] where the header
/// and fields are a timeline's.
#[derive(Debug)]
pub struct TimelineFile {
    /// Column names in file order.
    pub header: Vec<String>,
    /// Rows in the file (those of a file whose rows do not parse included).
    pub len: usize,
    /// The rows, or the first header or row that is not a timeline's (line 1 for the
    /// header): a reader that needs no row can still use the file.
    pub rows: Result<Vec<TimelineRow>, RecordError>,
}

/// Reads `timeline.csv`: an error if it is not CSV with a header and as many fields in every
/// line as the header has; a header or field that is not a timeline's is kept in
/// [`TimelineFile::rows`].
///
/// Errors: those of [`super::table::open`]; [`RecordError::CsvLine`] for a line that is not CSV;
/// [`RecordError::TimelineRow`] for a line with another number of fields.
pub fn read(path: &Path) -> Result<TimelineFile, RecordError> {
    let (mut r, header) = super::table::open(path)?;
    let at = |line, source| RecordError::TimelineRow {
        path: path.to_path_buf(),
        line,
        source,
    };
    let mut bad = check_header(&header).err().map(|source| at(1, source));
    let mut rows = Vec::new();
    let mut len = 0;
    for (i, rec) in r.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|source| RecordError::CsvLine {
            path: path.to_path_buf(),
            line,
            source,
        })?;
        if rec.len() != header.len() {
            let source = TimelineRowError::FieldCount {
                found: rec.len(),
                expected: header.len(),
            };
            return Err(at(line, source));
        }
        len += 1;
        if bad.is_none() {
            let fields: Vec<&str> = rec.iter().collect();
            match TimelineRow::parse(&header, &fields) {
                Ok(row) => rows.push(row),
                Err(source) => bad = Some(at(line, source)),
            }
        }
    }
    Ok(TimelineFile {
        header,
        len,
        rows: bad.map_or(Ok(rows), Err),
    })
}

/// Reads a whole `timeline.csv` through [`TimelineRow`]: its header and every row, or an
/// error naming the file and the line ([`read`]'s, and the first header or row that is not
/// a timeline's, reported at line 1 for the header, even for a file without rows).
pub fn read_rows(path: &Path) -> Result<(Vec<String>, Vec<TimelineRow>), RecordError> {
    let file = read(path)?;
    Ok((file.header, file.rows?))
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
        assert_eq!(row.readout(&header(), "forward"), Some(12.5));
        assert_eq!(row.input_hz(&header(), "odor"), Some(80.0));
        assert_eq!(row.readout(&header(), "odor"), None);
    }

    #[test]
    fn a_bad_field_or_header_says_which_column() {
        let mut fields = vec!["0.0"; 19];
        fields[1] = "walk";
        fields[5] = "high";
        let e = TimelineRow::parse(&header(), &fields)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`z_m`") && e.contains("`high`"), "{e}");
        let mut h = header();
        h.swap(3, 4);
        let e = TimelineRow::parse(&h, &["0"; 19]).unwrap_err().to_string();
        assert!(e.contains("does not start with"), "{e}");
        assert!(e.contains("no `x_m` column (column 4 is `y_m`)"), "{e}");
        let e = TimelineRow::parse(&header(), &["0"; 18])
            .unwrap_err()
            .to_string();
        assert!(e.contains("18 fields"), "{e}");
    }
}
