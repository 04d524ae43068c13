//! `timeline.csv`: one row per recorded tick, with a header naming every column.

use std::path::Path;

use super::write_atomic;

/// Rows of named numeric and text columns, written as CSV.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    header: Vec<String>,
    rows: Vec<String>,
}

impl Timeline {
    /// A timeline with these column names.
    pub fn new(header: Vec<String>) -> Timeline {
        Timeline {
            header,
            rows: Vec::new(),
        }
    }

    /// Appends a row (already formatted fields, one per column).
    pub fn push(&mut self, fields: &[String]) {
        debug_assert_eq!(fields.len(), self.header.len());
        self.rows.push(fields.join(","));
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes the CSV atomically.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        write_atomic(path, |w| {
            use std::io::Write;
            writeln!(w, "{}", self.header.join(","))?;
            for r in &self.rows {
                writeln!(w, "{r}")?;
            }
            Ok(())
        })
    }
}
