//! Reading delimited text tables (CSV/TSV, plain, gzip or a zip member) record by record
//! with bounded memory and errors that name the file, line and column.
//!
//! We do not use the `csv` crate's reader here because it grows its buffer without limit on
//! a long line: a 2 GB line would be 2 GB of memory before any error. This reader stops at
//! [`TableReader::max_line_bytes`] and says which line was too long. Fields are byte slices
//! (no `String` per field); text is checked for UTF-8 only where a loader asks for text.

use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::{Path, PathBuf};

use crate::error::{LoadError, Location};

/// Default longest line accepted (1 MiB): the widest published table (the larval dense
/// matrix, 2,953 columns) has lines of about 25 kB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;

/// True when a path names a gzip file (by extension).
pub fn is_gz(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Opens a plain or gzip (`.gz`) file for buffered reading.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>, LoadError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => LoadError::NotFound {
            path: path.into(),
            hint: "check the path (no such file)".into(),
        },
        _ => LoadError::io(path, e),
    })?;
    if is_gz(path) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(BufReader::new(file)),
        )))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
    }
}

/// Reads the first line of a (possibly gzipped) file, for format detection.
pub fn peek_header(path: &Path) -> Result<Vec<String>, LoadError> {
    let mut r = TableReader::new(open(path)?, path);
    Ok(r.header()?.names.clone())
}

/// The header line of a table: column names in order.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// Column names, trimmed, quotes removed.
    pub names: Vec<String>,
    /// The file, for error messages.
    pub file: PathBuf,
}

impl Header {
    /// Index of a column by exact name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Index of a column by exact name; an error when the header names it more than once
    /// (which of the two a loader used would be a silent guess).
    pub fn find_unique(&self, name: &str) -> Result<Option<usize>, LoadError> {
        let mut at = self.names.iter().enumerate().filter(|(_, n)| *n == name);
        match (at.next(), at.next()) {
            (Some((i, _)), Some((j, _))) => Err(LoadError::invalid(
                Location::file(&self.file).at_line(1),
                format!(
                    "the header names column `{name}` twice (columns {} and {}); expected each \
                     column once",
                    i + 1,
                    j + 1
                ),
            )),
            (first, _) => Ok(first.map(|(i, _)| i)),
        }
    }

    /// Index of a column, or an error naming the columns found and the layout expected (or
    /// the two places of a column named twice).
    pub fn require(&self, name: &str, expected: &str) -> Result<usize, LoadError> {
        self.find_unique(name)?
            .ok_or_else(|| LoadError::MissingColumn {
                location: Location::file(&self.file).at_line(1).into(),
                column: name.to_owned(),
                found: self.names.join(", "),
                expected: expected.to_owned(),
            })
    }
}

/// One record: the bytes of its line(s) and the byte range of each field.
#[derive(Debug, Default)]
pub struct Record {
    buf: Vec<u8>,
    fields: Vec<(usize, usize)>,
    /// 1-based line where the record starts (the header is line 1).
    pub line: u64,
}

impl Record {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Raw bytes of field `i` (empty when the record is short).
    pub fn bytes(&self, i: usize) -> &[u8] {
        self.fields
            .get(i)
            .map_or(&[][..], |&(a, b)| &self.buf[a..b])
    }
}

/// A record-at-a-time reader of comma- or tab-separated text with a bounded line length.
pub struct TableReader<R> {
    input: R,
    file: PathBuf,
    /// Longest line accepted, in bytes.
    pub max_line_bytes: usize,
    delimiter: u8,
    next_line: u64,
    header: Option<Header>,
    scratch: Vec<u8>,
}

impl<R: BufRead> TableReader<R> {
    /// A reader of `input`; `file` names it in errors. The delimiter is a tab for `.tsv`
    /// files and a comma otherwise.
    pub fn new(input: R, file: impl Into<PathBuf>) -> Self {
        let file = file.into();
        let name = file.to_string_lossy().to_ascii_lowercase();
        let delimiter = if name.ends_with(".tsv") || name.ends_with(".tsv.gz") {
            b'\t'
        } else {
            b','
        };
        TableReader {
            input,
            file,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            delimiter,
            next_line: 1,
            header: None,
            scratch: Vec::new(),
        }
    }

    /// Sets the longest line accepted.
    pub fn with_max_line_bytes(mut self, n: usize) -> Self {
        self.max_line_bytes = n.max(16);
        self
    }

    /// The file name used in errors.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// A location in this file.
    pub fn location(&self, line: u64, column: Option<&str>) -> Location {
        let loc = Location::file(&self.file).at_line(line);
        match column {
            Some(c) => loc.at_column(c),
            None => loc,
        }
    }

    /// The delimiter byte (`,` or tab).
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The 1-based line number the next record starts on.
    pub fn next_line(&self) -> u64 {
        self.next_line
    }

    /// The underlying reader, positioned after what was read so far (buffered bytes stay in
    /// it), for loaders that parse the rest in bulk.
    pub fn into_inner(self) -> R {
        self.input
    }

    /// Reads (once) and returns the header. An empty input is an error. A UTF-8 byte order
    /// mark before the header is skipped, and a header without the expected delimiter but
    /// with another one (a tab-separated `.csv`, a comma-separated `.tsv`, a `;`-separated
    /// spreadsheet export) switches the delimiter for the whole table.
    pub fn header(&mut self) -> Result<&Header, LoadError> {
        if self.header.is_none() {
            let mut rec = Record::default();
            if !self.read_record(&mut rec)? {
                return Err(LoadError::invalid(
                    Location::file(&self.file).at_line(1),
                    "empty file: expected a header line naming the columns",
                ));
            }
            let mut names = Vec::with_capacity(rec.len());
            for i in 0..rec.len() {
                let s = std::str::from_utf8(rec.bytes(i)).map_err(|_| {
                    LoadError::invalid(
                        self.location(1, Some(&format!("#{}", i + 1))),
                        "header is not valid UTF-8 text",
                    )
                })?;
                if s.contains('\r') {
                    return Err(LoadError::invalid(
                        self.location(1, None),
                        "the header line holds a carriage return (`\\r`) followed by more \
                         text: the file seems to end its lines with a bare `\\r` (classic \
                         Mac OS); expected `\\n` or `\\r\\n` line endings",
                    ));
                }
                names.push(s.trim().to_owned());
            }
            self.header = Some(Header {
                names,
                file: self.file.clone(),
            });
        }
        Ok(self.header.as_ref().expect("set above"))
    }

    /// Reads the next data record into `rec`; false at the end of input. Blank lines are
    /// skipped. A record with a different number of fields than the header is an error.
    pub fn next_record(&mut self, rec: &mut Record) -> Result<bool, LoadError> {
        let width = self.header()?.names.len();
        loop {
            if !self.read_record(rec)? {
                return Ok(false);
            }
            if rec.len() == 1 && rec.bytes(0).iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            if rec.len() != width {
                return Err(LoadError::invalid(
                    self.location(rec.line, None),
                    format!(
                        "found {} fields, expected {} (one per header column)",
                        rec.len(),
                        width
                    ),
                ));
            }
            return Ok(true);
        }
    }

    /// Reads one physical line (without its `\n`/`\r\n`) into `out`; false at end of input.
    fn read_line(&mut self, out: &mut Vec<u8>, limit: usize) -> Result<bool, LoadError> {
        let start_len = out.len();
        let line = self.next_line;
        let mut read_any = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.read_error(line, e)),
            };
            if available.is_empty() {
                break;
            }
            read_any = true;
            let (take, done) = match memchr::memchr(b'\n', available) {
                Some(p) => (p + 1, true),
                None => (available.len(), false),
            };
            if out.len() - start_len + take > limit + 2 {
                return Err(LoadError::invalid(
                    self.location(line, None),
                    format!(
                        "line is longer than {limit} bytes (the longest line accepted); expected \
                         one table record per line"
                    ),
                ));
            }
            out.extend_from_slice(&available[..take]);
            self.input.consume(take);
            if done {
                break;
            }
        }
        if !read_any {
            return Ok(false);
        }
        self.next_line += 1;
        if out.last() == Some(&b'\n') {
            out.pop();
        }
        if out.last() == Some(&b'\r') {
            out.pop();
        }
        if out.len() - start_len > limit {
            return Err(LoadError::invalid(
                self.location(line, None),
                format!("line is longer than {limit} bytes (the longest line accepted)"),
            ));
        }
        Ok(true)
    }

    fn read_error(&self, line: u64, e: std::io::Error) -> LoadError {
        let what = match e.kind() {
            ErrorKind::UnexpectedEof => "file ends early (truncated gzip/zip?)".to_owned(),
            ErrorKind::InvalidData | ErrorKind::InvalidInput => {
                format!("corrupt compressed data ({e})")
            }
            _ => format!("read failed ({e})"),
        };
        LoadError::invalid(
            self.location(line, None),
            format!("{what}; expected a complete table"),
        )
    }

    /// Reads one record, splitting fields and removing quotes in place. A quoted field may
    /// span lines (the record then counts all of them).
    fn read_record(&mut self, rec: &mut Record) -> Result<bool, LoadError> {
        rec.buf.clear();
        rec.fields.clear();
        rec.line = self.next_line;
        let limit = self.max_line_bytes;
        if !self.read_line(&mut rec.buf, limit)? {
            return Ok(false);
        }
        if rec.line == 1 && self.header.is_none() {
            // A UTF-8 byte order mark (Excel, Windows tools) is not part of the first column
            // name, quoted or not.
            if rec.buf.starts_with(UTF8_BOM) {
                rec.buf.drain(..UTF8_BOM.len());
            } else if rec.buf.starts_with(b"\xFF\xFE") || rec.buf.starts_with(b"\xFE\xFF") {
                // Excel's "Unicode Text" export.
                return Err(LoadError::invalid(
                    self.location(1, None),
                    "the file is UTF-16 text (it starts with a UTF-16 byte order mark); \
                     expected UTF-8 text (e.g. save as \"CSV UTF-8\")",
                ));
            }
            self.delimiter = sniff_delimiter(&rec.buf, self.delimiter);
        }
        if !rec.buf.contains(&b'"') {
            // Fast path: no quoting at all.
            let d = self.delimiter;
            let mut start = 0;
            for p in memchr::memchr_iter(d, &rec.buf) {
                rec.fields.push((start, p));
                start = p + 1;
            }
            rec.fields.push((start, rec.buf.len()));
            return Ok(true);
        }
        // Slow path: quoted fields; copy into scratch, unquoting.
        loop {
            match split_quoted(&rec.buf, self.delimiter, &mut self.scratch, &mut rec.fields) {
                Ok(()) => break,
                Err(()) => {
                    // Open quote at end of line: the field continues on the next line.
                    rec.buf.push(b'\n');
                    let room = limit.saturating_sub(rec.buf.len());
                    if room == 0 || !self.read_line(&mut rec.buf, room)? {
                        return Err(LoadError::invalid(
                            self.location(rec.line, None),
                            "a quoted field is never closed; expected a closing `\"`",
                        ));
                    }
                }
            }
        }
        std::mem::swap(&mut rec.buf, &mut self.scratch);
        Ok(true)
    }
}

/// The UTF-8 encoding of U+FEFF, the byte order mark some tools write first.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The delimiter of a table whose header line is `line`: `preferred` when the line holds it
/// (or holds no delimiter at all: a one-column table), else the first of tab, comma and
/// semicolon that it holds.
fn sniff_delimiter(line: &[u8], preferred: u8) -> u8 {
    if line.contains(&preferred) {
        return preferred;
    }
    [b'\t', b',', b';']
        .into_iter()
        .find(|d| line.contains(d))
        .unwrap_or(preferred)
}

/// Splits `line` into unquoted fields written to `out`; Err(()) when a quote stays open
/// (`fields` then holds the fields before the open one).
pub(crate) fn split_quoted(
    line: &[u8],
    d: u8,
    out: &mut Vec<u8>,
    fields: &mut Vec<(usize, usize)>,
) -> Result<(), ()> {
    out.clear();
    fields.clear();
    let mut i = 0;
    let mut start = 0;
    let mut in_quotes = false;
    let mut at_field_start = true;
    while i < line.len() {
        let c = line[i];
        if in_quotes {
            if c == b'"' {
                if line.get(i + 1) == Some(&b'"') {
                    out.push(b'"');
                    i += 1;
                } else {
                    in_quotes = false;
                }
            } else {
                out.push(c);
            }
        } else if c == d {
            fields.push((start, out.len()));
            start = out.len();
            at_field_start = true;
            i += 1;
            continue;
        } else if c == b'"' && at_field_start {
            in_quotes = true;
        } else {
            out.push(c);
        }
        at_field_start = false;
        i += 1;
    }
    if in_quotes {
        return Err(());
    }
    fields.push((start, out.len()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &[u8]) -> Result<Vec<Vec<String>>, LoadError> {
        let mut r = TableReader::new(text, "t.csv").with_max_line_bytes(64);
        let mut out = vec![r.header()?.names.clone()];
        let mut rec = Record::default();
        while r.next_record(&mut rec)? {
            out.push(
                (0..rec.len())
                    .map(|i| String::from_utf8_lossy(rec.bytes(i)).into_owned())
                    .collect(),
            );
        }
        Ok(out)
    }

    #[test]
    fn splits_plain_and_quoted_fields() {
        let got = records(b"a,b\r\n1,\"x,\"\"y\"\"\"\n\n2,\"multi\nline\"\n").unwrap();
        assert_eq!(got[1], vec!["1", "x,\"y\""]);
        assert_eq!(got[2], vec!["2", "multi\nline"]);
    }

    #[test]
    fn long_line_and_width_errors_name_the_line() {
        let long = format!("a,b\n1,2\n{}\n", "9".repeat(200));
        let e = records(long.as_bytes()).unwrap_err().to_string();
        assert!(
            e.contains("t.csv, line 3") && e.contains("longer than 64"),
            "{e}"
        );
        let e = records(b"a,b\n1,2,3\n").unwrap_err().to_string();
        assert!(
            e.contains("line 2") && e.contains("found 3 fields, expected 2"),
            "{e}"
        );
        let e = records(b"").unwrap_err().to_string();
        assert!(e.contains("empty file"), "{e}");
        let e = records(b"a,b\n1,\"open\n").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("never closed"), "{e}");
    }
}
