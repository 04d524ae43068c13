//! The fast path for big edge tables (whole-brain edge lists, Codex connections,
//! neuPrint connections): the input is read in blocks of whole lines, each block is split
//! into chunks parsed in parallel straight from bytes (no `String` per field), and ids are
//! mapped to indices in file order on one thread while the next block is being parsed.
//!
//! Lines, columns and messages of errors are the same as the record-by-record path in
//! `edge_list.rs`, which still handles tables with annotation columns (small subsets).

use std::io::{BufRead, ErrorKind};
use std::path::Path;

use rayon::prelude::*;

use super::LoadParams;
use super::edge_list::NtCache;
use super::edges::{EdgeRows, IdMap};
use crate::error::{LoadError, Location};
use crate::neuron::NeuronTable;
use crate::numbers::{parse_count, parse_id};
use crate::table_reader::split_quoted;
use crate::transmitter::Transmitter;

/// Bytes per block (a multiple of the chunk count keeps chunks balanced).
const BLOCK_BYTES: usize = 32 << 20;
/// Lines of a chunk (work unit of one parser thread) are at least this many bytes.
const CHUNK_BYTES: usize = 1 << 20;

/// Field indices of the columns used.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub width: usize,
    pub pre: usize,
    pub post: usize,
    pub count: usize,
    pub nt: Option<usize>,
    pub post_nt: Option<usize>,
    pub key: Option<usize>,
    pub signed: bool,
    pub delimiter: u8,
}

/// One parsed line.
#[derive(Clone, Copy)]
struct Parsed {
    pre: u64,
    post: u64,
    count: i32,
    nt: Transmitter,
    post_nt: Transmitter,
    /// Index into the chunk's key list (0 = none).
    key: u32,
    /// 0-based line within the chunk.
    line: u32,
}

/// An error inside a chunk, before its line number is known.
struct ChunkError {
    line: u64,
    column: Option<usize>,
    message: String,
}

/// Sub-key values of a chunk -> local code. Codex files repeat ~80 neuropil names millions
/// of times, so this is a hash lookup, not a scan.
type KeyCodes =
    std::collections::HashMap<Vec<u8>, u32, std::hash::BuildHasherDefault<super::edges::IdHasher>>;

struct Chunk {
    rows: Vec<Parsed>,
    /// Local key values; index = local code (0 = none).
    keys: Vec<Vec<u8>>,
    lines: u64,
    error: Option<ChunkError>,
}

fn strip_quotes(f: &[u8]) -> &[u8] {
    let f = f.trim_ascii();
    if f.len() >= 2 && f[0] == b'"' && f[f.len() - 1] == b'"' {
        &f[1..f.len() - 1]
    } else {
        f
    }
}

fn width_error(line: u64, found: usize, width: usize) -> ChunkError {
    ChunkError {
        line,
        column: None,
        message: format!("found {found} fields, expected {width} (one per header column)"),
    }
}

fn parse_chunk(bytes: &[u8], f: &Fields, max_line: usize) -> Chunk {
    let mut out = Chunk {
        rows: Vec::with_capacity(bytes.len() / 40),
        keys: vec![Vec::new()],
        lines: 0,
        error: None,
    };
    let mut nt_cache = NtCache::default();
    let mut key_codes = KeyCodes::default();
    let mut fields: Vec<&[u8]> = Vec::with_capacity(f.width + 1);
    let (mut quoted, mut quoted_fields) = (Vec::new(), Vec::new());
    let mut line_no: u64 = 0;
    let mut pos = 0;
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |p| pos + p);
        let mut line = &bytes[pos..end];
        pos = end + 1;
        line_no += 1;
        let here = line_no - 1;
        if line.len() > max_line + 1 {
            out.error = Some(ChunkError {
                line: here,
                column: None,
                message: format!(
                    "line is longer than {max_line} bytes (the longest line accepted); expected one table record per line"
                ),
            });
            break;
        }
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = if memchr::memchr(b'"', line).is_some() {
            // Quoted fields (which may hold the delimiter): the same splitting as the
            // record-by-record reader. A quoted field cannot span lines here.
            if split_quoted(line, f.delimiter, &mut quoted, &mut quoted_fields).is_err() {
                // The fields before the open quote were split: its column is the next one.
                let open = quoted_fields.len();
                out.error = Some(ChunkError {
                    line: here,
                    column: (open < f.width).then_some(open),
                    message: "a quoted field is not closed on its line; expected a closing `\"` \
                              (fields of an edge table cannot span lines)"
                        .to_owned(),
                });
                break;
            }
            let refs: Vec<&[u8]> = quoted_fields.iter().map(|&(a, b)| &quoted[a..b]).collect();
            if refs.len() != f.width {
                out.error = Some(width_error(here, refs.len(), f.width));
                break;
            }
            parse_line(&refs, f, &mut nt_cache, &mut out.keys, &mut key_codes)
        } else {
            fields.clear();
            let mut s = 0;
            for p in memchr::memchr_iter(f.delimiter, line) {
                fields.push(&line[s..p]);
                s = p + 1;
                if fields.len() > f.width {
                    break;
                }
            }
            fields.push(&line[s.min(line.len())..]);
            if fields.len() != f.width {
                let found = memchr::memchr_iter(f.delimiter, line).count() + 1;
                out.error = Some(width_error(here, found, f.width));
                break;
            }
            parse_line(&fields, f, &mut nt_cache, &mut out.keys, &mut key_codes)
        };
        match parsed {
            Ok(mut p) => {
                p.line = here as u32;
                out.rows.push(p);
            }
            Err((column, message)) => {
                out.error = Some(ChunkError {
                    line: here,
                    column: Some(column),
                    message,
                });
                break;
            }
        }
    }
    out.lines = line_no;
    out
}

fn parse_line(
    fields: &[&[u8]],
    f: &Fields,
    nt_cache: &mut NtCache,
    keys: &mut Vec<Vec<u8>>,
    codes: &mut KeyCodes,
) -> Result<Parsed, (usize, String)> {
    let id = |i: usize| {
        let v = strip_quotes(fields[i]);
        parse_id(v).ok_or_else(|| {
            (
                i,
                format!(
                    "`{}` is not a neuron id; expected a non-negative integer",
                    String::from_utf8_lossy(v)
                ),
            )
        })
    };
    let (pre, post) = (id(f.pre)?, id(f.post)?);
    let count = parse_count(strip_quotes(fields[f.count])).map_err(|what| {
        (
            f.count,
            format!("found {what}; expected an integer synapse count"),
        )
    })?;
    if !f.signed && count < 0 {
        return Err((
            f.count,
            format!("found a negative count ({count}); expected a synapse count >= 0"),
        ));
    }
    let count = i32::try_from(count).map_err(|_| {
        (
            f.count,
            "count does not fit a 32-bit synapse count".to_owned(),
        )
    })?;
    let nt = f.nt.map_or(Transmitter::Unknown, |i| {
        nt_cache.parse(strip_quotes(fields[i]))
    });
    let post_nt = f.post_nt.map_or(Transmitter::Unknown, |i| {
        nt_cache.parse(strip_quotes(fields[i]))
    });
    let key = match f.key {
        None => 0,
        Some(i) => {
            let k = strip_quotes(fields[i]);
            if k.is_empty() {
                0
            } else {
                match codes.get(k) {
                    Some(&c) => c,
                    None => {
                        keys.push(k.to_vec());
                        let c = (keys.len() - 1) as u32;
                        codes.insert(k.to_vec(), c);
                        c
                    }
                }
            }
        }
    };
    Ok(Parsed {
        pre,
        post,
        count,
        nt,
        post_nt,
        key,
        line: 0,
    })
}

/// Reads whole lines into `buf`: about `target` bytes, then up to the next newline (at most
/// `max_line` more bytes, so a huge line cannot grow the buffer without bound). Returns the
/// I/O error, if any, after the bytes read before it.
fn read_block<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    target: usize,
    max_line: usize,
) -> Result<(), std::io::Error> {
    buf.clear();
    let mut finishing_line_from: Option<usize> = None;
    let mut line_start = 0;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(());
        }
        if let Some(from) = finishing_line_from {
            let room = (from + max_line + 2).saturating_sub(buf.len());
            match memchr::memchr(b'\n', &available[..available.len().min(room)]) {
                Some(p) => {
                    buf.extend_from_slice(&available[..=p]);
                    r.consume(p + 1);
                    return Ok(());
                }
                None => {
                    let take = available.len().min(room);
                    buf.extend_from_slice(&available[..take]);
                    r.consume(take);
                    if take == room {
                        return Ok(()); // too long: the parser reports the line
                    }
                }
            }
        } else {
            let take = available.len().min(target - buf.len());
            let old = buf.len();
            buf.extend_from_slice(&available[..take]);
            r.consume(take);
            if let Some(p) = memchr::memrchr(b'\n', &buf[old..]) {
                line_start = old + p + 1;
            }
            if buf.len() - line_start > max_line + 2 {
                return Ok(()); // a line already too long: the parser reports it
            }
            if buf.len() >= target {
                if line_start == buf.len() {
                    return Ok(());
                }
                finishing_line_from = Some(line_start);
            }
        }
    }
}

/// Splits a block into chunks of whole lines of about `chunk_bytes`.
fn chunks(block: &[u8], chunk_bytes: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut s = 0;
    while s < block.len() {
        let mut e = (s + chunk_bytes).min(block.len());
        if e < block.len() {
            e = memchr::memchr(b'\n', &block[e..]).map_or(block.len(), |p| e + p + 1);
        }
        out.push(&block[s..e]);
        s = e;
    }
    out
}

/// A block parsed, or the error that ended it.
struct ParsedBlock {
    chunks: Vec<Chunk>,
    io_error: Option<std::io::Error>,
    /// True when the input was exhausted before this block (it is empty).
    end: bool,
}

/// Block and chunk sizes (tests make them tiny to cross many boundaries).
#[derive(Clone, Copy)]
struct Sizes {
    block: usize,
    chunk: usize,
}

const SIZES: Sizes = Sizes {
    block: BLOCK_BYTES,
    chunk: CHUNK_BYTES,
};

fn read_and_parse<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    f: &Fields,
    max_line: usize,
    z: Sizes,
) -> ParsedBlock {
    let io_error = read_block(r, buf, z.block, max_line).err();
    if io_error.is_some() {
        // The last line read is cut short: report the read error, not a malformed line.
        buf.truncate(memchr::memrchr(b'\n', buf).map_or(0, |p| p + 1));
    }
    let end = buf.is_empty() && io_error.is_none();
    let chunks = chunks(buf, z.chunk)
        .into_par_iter()
        .map(|c| parse_chunk(c, f, max_line))
        .collect();
    ParsedBlock {
        chunks,
        io_error,
        end,
    }
}

/// Reads the data lines of an edge table (the header already read; `first_line` is the
/// line number of the first data line) into `rows`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_blocks<R: BufRead + Send>(
    input: R,
    file: &Path,
    header: &[String],
    f: &Fields,
    first_line: u64,
    table: &mut NeuronTable,
    ids: &mut IdMap,
    rows: &mut EdgeRows,
    opts: &LoadParams,
) -> Result<(), LoadError> {
    read_blocks_sized(
        input, file, header, f, first_line, table, ids, rows, opts, SIZES,
    )
}

#[allow(clippy::too_many_arguments)]
fn read_blocks_sized<R: BufRead + Send>(
    mut input: R,
    file: &Path,
    header: &[String],
    f: &Fields,
    first_line: u64,
    table: &mut NeuronTable,
    ids: &mut IdMap,
    rows: &mut EdgeRows,
    opts: &LoadParams,
    z: Sizes,
) -> Result<(), LoadError> {
    let max_line = opts.max_line_bytes;
    let mut bufs = (Vec::new(), Vec::new());
    let mut line = first_line;
    let mut current = read_and_parse(&mut input, &mut bufs.0, f, max_line, z);
    let mut any = false;
    loop {
        let done = current.end || current.io_error.is_some();
        let (mapped, next) = if done {
            (
                map_block(&current, file, header, f, &mut line, table, ids, rows, opts),
                None,
            )
        } else {
            let buf = &mut bufs.1;
            let input = &mut input;
            let (a, b) = rayon::join(
                || map_block(&current, file, header, f, &mut line, table, ids, rows, opts),
                || read_and_parse(input, buf, f, max_line, z),
            );
            (a, Some(b))
        };
        any |= mapped?;
        if let Some(e) = current.io_error.take() {
            let what = match e.kind() {
                ErrorKind::UnexpectedEof => "file ends early (truncated gzip/zip?)".to_owned(),
                _ => format!("read failed ({e})"),
            };
            return Err(LoadError::invalid(
                Location::file(file).at_line(line),
                format!("{what}; expected a complete table"),
            ));
        }
        match next {
            Some(n) => {
                current = n;
                std::mem::swap(&mut bufs.0, &mut bufs.1);
            }
            None => break,
        }
    }
    if !any {
        return Err(LoadError::invalid(
            Location::file(file).at_line(first_line),
            "no edge rows after the header; expected at least one edge",
        ));
    }
    Ok(())
}

/// Maps one parsed block's ids to indices and adds its rows, in file order. Returns
/// whether it held any row.
#[allow(clippy::too_many_arguments)]
fn map_block(
    block: &ParsedBlock,
    file: &Path,
    header: &[String],
    f: &Fields,
    line: &mut u64,
    table: &mut NeuronTable,
    ids: &mut IdMap,
    rows: &mut EdgeRows,
    opts: &LoadParams,
) -> Result<bool, LoadError> {
    let mut any = false;
    // Edge tables are usually grouped by presynaptic neuron: remember the last one and
    // skip its hash lookup (the id mapping is the one serial step of loading).
    let mut last_pre: Option<(u64, u32)> = None;
    for c in &block.chunks {
        let key_codes: Vec<u32> = c.keys.iter().map(|k| rows.key_code(k)).collect();
        rows.reserve(c.rows.len());
        for p in &c.rows {
            any = true;
            let at = *line + p.line as u64;
            let mut index = |id: u64, col: usize| {
                ids.get_or_insert(id, table).ok_or_else(|| {
                    LoadError::invalid(
                        Location::file(file).at_line(at).at_column(&header[col]),
                        format!("neuron {id} is not in the neuron table; expected an id that the neuron table lists"),
                    )
                })
            };
            let pre = match last_pre {
                Some((id, i)) if id == p.pre => i,
                _ => {
                    let i = index(p.pre, f.pre)?;
                    last_pre = Some((p.pre, i));
                    i
                }
            };
            let post = index(p.post, f.post)?;
            if p.nt != Transmitter::Unknown && table.transmitter(pre) == Transmitter::Unknown {
                table.set_transmitter(pre, p.nt);
            }
            if p.post_nt != Transmitter::Unknown && table.transmitter(post) == Transmitter::Unknown
            {
                table.set_transmitter(post, p.post_nt);
            }
            let (value, defer) = if f.signed {
                (p.count, false)
            } else if p.nt != Transmitter::Unknown {
                (p.count * opts.sign_rule.sign(p.nt), false)
            } else {
                (p.count, true)
            };
            rows.push(pre, post, value, key_codes[p.key as usize], defer, at);
        }
        if let Some(e) = &c.error {
            let mut loc = Location::file(file).at_line(*line + e.line);
            if let Some(col) = e.column {
                loc = loc.at_column(&header[col]);
            }
            return Err(LoadError::invalid(loc, e.message.clone()));
        }
        *line += c.lines;
    }
    Ok(any)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synapse_matrix::EdgeListBuilder;

    const F: Fields = Fields {
        width: 4,
        pre: 0,
        post: 1,
        count: 3,
        nt: None,
        post_nt: None,
        key: Some(2),
        signed: true,
        delimiter: b',',
    };

    fn run(text: &[u8], z: Sizes) -> Result<(NeuronTable, crate::SynapseMatrix), LoadError> {
        let header: Vec<String> = ["pre", "post", "roi", "weight"].map(String::from).to_vec();
        let mut table = NeuronTable::new();
        let mut ids = IdMap::new(&table, false);
        let mut rows = EdgeRows::new("t.csv");
        let opts = LoadParams::default();
        read_blocks_sized(
            text,
            Path::new("t.csv"),
            &header,
            &F,
            2,
            &mut table,
            &mut ids,
            &mut rows,
            &opts,
            z,
        )?;
        let m = rows.finish(&table, &opts.sign_rule)?;
        Ok((table, m))
    }

    /// Many blocks and chunks give the same network, ids in first-seen order, and errors
    /// at the right line across boundaries.
    #[test]
    fn tiny_blocks_match_the_expected_network_and_lines() {
        let mut text = String::new();
        let mut expected = EdgeListBuilder::new();
        let mut order: Vec<u64> = Vec::new();
        let mut x: u64 = 12345;
        for i in 0..5000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let (pre, post) = (1000 + (x >> 33) % 300, 1000 + (x >> 13) % 300);
            let w = (x >> 50) as i32 % 9 - 4;
            for id in [pre, post] {
                if !order.contains(&id) {
                    order.push(id);
                }
            }
            let idx = |id: u64| order.iter().position(|&o| o == id).unwrap() as u32;
            expected.push(idx(pre), idx(post), w);
            text.push_str(&format!("{pre},{post},r{i},{w}\r\n"));
            if i % 777 == 0 {
                text.push('\n'); // blank lines count as lines
            }
        }
        let expected = expected.build(order.len());
        for z in [
            Sizes {
                block: 100,
                chunk: 10,
            },
            Sizes {
                block: 4096,
                chunk: 512,
            },
            SIZES,
        ] {
            let (table, m) = run(text.as_bytes(), z).unwrap();
            assert_eq!(table.ids(), &order[..]);
            assert_eq!(m, expected);
        }
        // Break line 4000 of the file (data line 3999 counting from line 2 plus 6 blank lines before it).
        let lines: Vec<&str> = text.split('\n').collect();
        let mut broken = lines.clone();
        broken[3998] = "1,2,r,x\r";
        let broken = broken.join("\n");
        for z in [
            Sizes {
                block: 100,
                chunk: 10,
            },
            Sizes {
                block: 4096,
                chunk: 512,
            },
            SIZES,
        ] {
            let e = run(broken.as_bytes(), z).unwrap_err().to_string();
            assert!(e.contains("t.csv, line 4000, column `weight`"), "{e}");
        }
    }
}
