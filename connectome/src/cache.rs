//! Binary cache of loaded connectomes, so the second load of a whole brain takes a fraction
//! of a second instead of re-parsing CSV/parquet.
//!
//! One file per (canonical source path, load options), in the cache directory: the
//! `cache_dir` argument, else `$HEXAFLY_CACHE`, else the platform cache dir + `hexafly`.
//! Never beside the source: dataset folders are read-only in CI.
//!
//! File layout (all integers little-endian):
//! ```text
//! 0   magic  b"HEXAFLYC"
//! 8   u32    format version (CACHE_VERSION)
//! 12  u32    CRC-32 of every byte from offset 32 to the end
//! 16  u64    length of the body (file length - 32)
//! 24  u64    reserved (0)
//! 32  u64 + JSON  header: key, format, sources with size and mtime, counts
//!     u64 + JSON  neuron table (small: ids, transmitters, dictionary-encoded columns)
//!     u64 x (n+1) CSR row_start
//!     u32 x E     CSR targets
//!     i32 x E     CSR signed counts
//! ```
//! The big arrays are raw buffers read straight into their vectors (no per-element decode),
//! which is what makes a 15 M-edge brain load in well under a second.
//!
//! A cache file is never trusted: a wrong magic/version/length/checksum, a header for
//! another key, a source file whose size or mtime changed, or CSR buffers that fail
//! [`SynapseMatrix::try_from_parts`] all mean "rebuild from the source". Failing to write
//! the cache only logs a warning: the cache is an optimisation, never a reason to fail.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::formats::{self, LoadParams};
use crate::{Connectome, LoadError, NeuronTable, SynapseMatrix};

/// Bump whenever the layout or a serialized type changes; old files are then rebuilt.
pub const CACHE_VERSION: u32 = 2;

/// Environment variable naming the cache directory.
pub const CACHE_ENV: &str = "HEXAFLY_CACHE";

const MAGIC: &[u8; 8] = b"HEXAFLYC";
const PREAMBLE: usize = 32;
/// Upper bound on the JSON parts, so a corrupt length cannot make us allocate gigabytes.
const MAX_JSON_BYTES: u64 = 1 << 30;

/// What [`load_cached_with_status`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheStatus {
    /// Read from a valid, fresh cache file.
    Hit,
    /// Loaded from the source; the reason the cache was not used (absent, stale, corrupt...).
    Rebuilt(String),
    /// Loaded from the source without a cache (no cache directory could be found).
    Disabled,
}

/// A source file as it was when the cache was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SourceStamp {
    path: PathBuf,
    size: u64,
    mtime_ns: i128,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    key: String,
    format: String,
    sources: Vec<SourceStamp>,
    n_neurons: u64,
    n_edges: u64,
    /// [`Connectome::synthetic`] (version 2).
    #[serde(default)]
    synthetic: Option<String>,
}

/// The cache directory: `$HEXAFLY_CACHE`, else the platform cache dir + `hexafly`.
pub fn default_cache_dir() -> Option<PathBuf> {
    match std::env::var_os(CACHE_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::cache_dir().map(|d| d.join("hexafly")),
    }
}

/// Loads `path` through the cache (see the module doc). `cache_dir` overrides the default.
pub fn load_cached(
    path: &Path,
    opts: &LoadParams,
    cache_dir: Option<&Path>,
) -> Result<Connectome, LoadError> {
    load_cached_with_status(path, opts, cache_dir).map(|(c, _)| c)
}

/// Like [`load_cached`], also saying whether the cache was used and why not.
pub fn load_cached_with_status(
    path: &Path,
    opts: &LoadParams,
    cache_dir: Option<&Path>,
) -> Result<(Connectome, CacheStatus), LoadError> {
    let Some(dir) = cache_dir.map(Path::to_path_buf).or_else(default_cache_dir) else {
        return Ok((formats::load(path, opts)?, CacheStatus::Disabled));
    };
    let Ok((file, key)) = cache_file(path, opts, &dir) else {
        // The path does not resolve: the loader gives the better message (what to put where).
        return Ok((formats::load(path, opts)?, CacheStatus::Disabled));
    };
    let reason = match read_cache(&file, &key) {
        Ok(c) => return Ok((c, CacheStatus::Hit)),
        Err(reason) => reason,
    };
    tracing::debug!(
        "cache {}: {reason}; loading {}",
        file.display(),
        path.display()
    );
    let c = formats::load(path, opts)?;
    if let Err(e) = write_cache(&file, &key, &c) {
        tracing::warn!("cannot write connectome cache {}: {e}", file.display());
    }
    Ok((c, CacheStatus::Rebuilt(reason)))
}

/// The cache file for `path` + `opts` in `dir`, and the key stored inside it.
pub fn cache_file(
    path: &Path,
    opts: &LoadParams,
    dir: &Path,
) -> Result<(PathBuf, String), LoadError> {
    let canonical = path.canonicalize().map_err(|e| LoadError::io(path, e))?;
    // Debug covers every option field (including ones added later) without a Hash impl.
    let key = format!("v{CACHE_VERSION}\n{}\n{opts:?}", canonical.display());
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let stem: String = canonical
        .file_name()
        .map_or_else(|| "root".into(), |n| n.to_string_lossy().into_owned())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    Ok((dir.join(format!("{stem}-{hex}.hxcache")), key))
}

fn stamp(path: &Path) -> std::io::Result<SourceStamp> {
    let meta = std::fs::metadata(path)?;
    let mtime_ns = match meta.modified()?.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    Ok(SourceStamp {
        path: path.to_owned(),
        size: meta.len(),
        mtime_ns,
    })
}

/// Writes `c` to `file` atomically (temp file + rename), creating the directory.
pub fn write_cache(file: &Path, key: &str, c: &Connectome) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let sources = c
        .sources
        .iter()
        .map(|p| stamp(p))
        .collect::<std::io::Result<Vec<_>>>()?;
    let header = Header {
        key: key.to_owned(),
        format: c.format.clone(),
        sources,
        n_neurons: c.n_neurons() as u64,
        n_edges: c.n_edges() as u64,
        synthetic: c.synthetic.clone(),
    };
    let header = serde_json::to_vec(&header).map_err(std::io::Error::other)?;
    let table = serde_json::to_vec(&c.neurons).map_err(std::io::Error::other)?;
    let (row_start, targets, counts) = c.synapses.parts();

    // Unique per process and per call: threads of one process (a sweep) may cache the same
    // dataset at once, and each must rename a complete file of its own into place.
    static NEXT_TMP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        file.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        std::process::id(),
        NEXT_TMP.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let result = (|| {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        w.write_all(&[0u8; PREAMBLE])?; // filled in once the checksum is known
        let mut crc = crc32fast::Hasher::new();
        let mut body_len = 0u64;
        let mut put = |w: &mut BufWriter<File>, bytes: &[u8]| -> std::io::Result<()> {
            crc.update(bytes);
            body_len += bytes.len() as u64;
            w.write_all(bytes)
        };
        put(&mut w, &(header.len() as u64).to_le_bytes())?;
        put(&mut w, &header)?;
        put(&mut w, &(table.len() as u64).to_le_bytes())?;
        put(&mut w, &table)?;
        put(&mut w, &le_bytes(row_start))?;
        put(&mut w, &le_bytes(targets))?;
        put(&mut w, &le_bytes(counts))?;
        let mut pre = [0u8; PREAMBLE];
        pre[..8].copy_from_slice(MAGIC);
        pre[8..12].copy_from_slice(&CACHE_VERSION.to_le_bytes());
        pre[12..16].copy_from_slice(&crc.finalize().to_le_bytes());
        pre[16..24].copy_from_slice(&body_len.to_le_bytes());
        let mut f = w.into_inner().map_err(|e| e.into_error())?;
        use std::io::{Seek, SeekFrom};
        f.seek(SeekFrom::Start(0))?;
        f.write_all(&pre)?;
        f.sync_all()?;
        std::fs::rename(&tmp, file)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads a cache file written for `key`. `Err` says why it cannot be used.
pub fn read_cache(file: &Path, key: &str) -> Result<Connectome, String> {
    let f = File::open(file).map_err(|e| format!("no usable cache file ({e})"))?;
    let file_len = f.metadata().map_err(|e| e.to_string())?.len();
    let mut r = BufReader::with_capacity(1 << 16, f);
    let mut pre = [0u8; PREAMBLE];
    r.read_exact(&mut pre)
        .map_err(|_| "truncated preamble".to_string())?;
    if &pre[..8] != MAGIC {
        return Err("not a hexafly cache file (bad magic)".into());
    }
    let version = u32::from_le_bytes(pre[8..12].try_into().unwrap());
    if version != CACHE_VERSION {
        return Err(format!(
            "cache format version {version}, this build writes {CACHE_VERSION}"
        ));
    }
    let want_crc = u32::from_le_bytes(pre[12..16].try_into().unwrap());
    let body_len = u64::from_le_bytes(pre[16..24].try_into().unwrap());
    if body_len != file_len.saturating_sub(PREAMBLE as u64) {
        return Err(format!(
            "truncated or padded: body should be {body_len} bytes, file has {}",
            file_len - PREAMBLE as u64
        ));
    }
    let mut crc = crc32fast::Hasher::new();

    let header_bytes = read_json_part(&mut r, &mut crc, body_len)?;
    let header: Header =
        serde_json::from_slice(&header_bytes).map_err(|e| format!("corrupt header: {e}"))?;
    // Key and freshness first: a stale cache is common and should not cost a full read.
    if header.key != key {
        return Err("cache file belongs to another path or options".into());
    }
    for s in &header.sources {
        match stamp(&s.path) {
            Ok(now) if now == *s => {}
            Ok(_) => {
                return Err(format!(
                    "{} changed since the cache was written",
                    s.path.display()
                ));
            }
            Err(e) => return Err(format!("{}: {e}", s.path.display())),
        }
    }
    let table_bytes = read_json_part(&mut r, &mut crc, body_len)?;
    let n = usize::try_from(header.n_neurons).map_err(|_| "neuron count too large")?;
    let e = usize::try_from(header.n_edges).map_err(|_| "edge count too large")?;
    let expected = (n as u128 + 1) * 8 + e as u128 * 8;
    let consumed = 16 + header_bytes.len() as u128 + table_bytes.len() as u128;
    if consumed + expected != body_len as u128 {
        return Err(format!(
            "sizes disagree: {n} neurons and {e} edges do not fill the {body_len}-byte body"
        ));
    }
    let row_start: Vec<u64> = read_le(&mut r, n + 1, &mut crc)?;
    let targets: Vec<u32> = read_le(&mut r, e, &mut crc)?;
    let counts: Vec<i32> = read_le(&mut r, e, &mut crc)?;
    if crc.finalize() != want_crc {
        return Err("checksum mismatch (corrupt cache file)".into());
    }
    let mut neurons: NeuronTable =
        serde_json::from_slice(&table_bytes).map_err(|e| format!("corrupt neuron table: {e}"))?;
    neurons.rebuild_indexes();
    if neurons.len() != n {
        return Err(format!(
            "neuron table has {} rows, header says {n}",
            neurons.len()
        ));
    }
    let synapses =
        SynapseMatrix::try_from_parts(row_start, targets, counts).map_err(|e| e.to_string())?;
    Ok(Connectome {
        format: header.format,
        sources: header.sources.into_iter().map(|s| s.path).collect(),
        neurons,
        synapses,
        synthetic: header.synthetic,
    })
}

fn read_json_part(
    r: &mut impl Read,
    crc: &mut crc32fast::Hasher,
    body_len: u64,
) -> Result<Vec<u8>, String> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len)
        .map_err(|_| "truncated".to_string())?;
    crc.update(&len);
    let len = u64::from_le_bytes(len);
    if len > body_len.min(MAX_JSON_BYTES) {
        return Err(format!("corrupt length field ({len} bytes)"));
    }
    let mut buf = vec![0u8; len as usize];
    r.read_exact(&mut buf)
        .map_err(|_| "truncated".to_string())?;
    crc.update(&buf);
    Ok(buf)
}

/// Plain integers that are stored as their little-endian bytes.
trait LeInt: Copy + Default {
    fn swap_from_le(self) -> Self;
}
impl LeInt for u64 {
    fn swap_from_le(self) -> Self {
        u64::from_le(self)
    }
}
impl LeInt for u32 {
    fn swap_from_le(self) -> Self {
        u32::from_le(self)
    }
}
impl LeInt for i32 {
    fn swap_from_le(self) -> Self {
        i32::from_le(self)
    }
}

/// Reads `n` little-endian integers straight into a vector (one memcpy from the page cache).
fn read_le<T: LeInt>(
    r: &mut impl Read,
    n: usize,
    crc: &mut crc32fast::Hasher,
) -> Result<Vec<T>, String> {
    let mut v = vec![T::default(); n];
    // SAFETY: T is u64/u32/i32 (the only LeInt impls): no padding, every bit pattern is a
    // valid value, and the byte view covers exactly the vector's initialised elements.
    let bytes = unsafe {
        std::slice::from_raw_parts_mut(
            v.as_mut_ptr().cast::<u8>(),
            std::mem::size_of_val(v.as_slice()),
        )
    };
    r.read_exact(bytes)
        .map_err(|_| "truncated CSR buffers".to_string())?;
    crc.update(bytes);
    if cfg!(target_endian = "big") {
        v.iter_mut().for_each(|x| *x = x.swap_from_le());
    }
    Ok(v)
}

/// The little-endian bytes of a slice: a borrowed view on little-endian machines.
fn le_bytes<T: LeInt>(v: &[T]) -> std::borrow::Cow<'_, [u8]> {
    // SAFETY: as in `read_le`: plain integers without padding, view of initialised memory.
    let bytes =
        unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), std::mem::size_of_val(v)) };
    if cfg!(target_endian = "little") {
        std::borrow::Cow::Borrowed(bytes)
    } else {
        // from_le on a big-endian machine is the byte swap both ways.
        let swapped: Vec<T> = v.iter().map(|x| x.swap_from_le()).collect();
        // SAFETY: as above.
        let b = unsafe {
            std::slice::from_raw_parts(
                swapped.as_ptr().cast::<u8>(),
                std::mem::size_of_val(swapped.as_slice()),
            )
        };
        std::borrow::Cow::Owned(b.to_vec())
    }
}
