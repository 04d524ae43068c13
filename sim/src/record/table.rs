//! CSV tables with a header row (`timeline.csv`, a sweep's `runs.csv` and `aggregate.csv`)
//! opened for reading, every error naming the file.

use std::fs::File;
use std::path::Path;

use super::RecordError;

/// Opens `path`: the reader, past the header, and the header.
///
/// Errors: [`RecordError::CsvOpen`], [`RecordError::CsvHeader`].
pub fn open(path: &Path) -> Result<(csv::Reader<File>, Vec<String>), RecordError> {
    let mut r = csv::Reader::from_path(path).map_err(|source| RecordError::CsvOpen {
        path: path.to_path_buf(),
        source,
    })?;
    let header = header(&mut r, path)?;
    Ok((r, header))
}

/// The header of `r`, reading `path`.
///
/// Errors: [`RecordError::CsvHeader`].
pub fn header(r: &mut csv::Reader<File>, path: &Path) -> Result<Vec<String>, RecordError> {
    Ok(r.headers()
        .map_err(|source| RecordError::CsvHeader {
            path: path.to_path_buf(),
            source,
        })?
        .iter()
        .map(str::to_owned)
        .collect())
}
