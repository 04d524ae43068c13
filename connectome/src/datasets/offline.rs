//! An offline source: a local folder that holds copies of registry files in any layout
//! (a USB stick, a mirror of another machine's data directory, a project's shared data).
//! Files are recognised by size and sha256, never by name, so a renamed copy is found and a
//! same-named different file is never taken. A gzip file whose decompressed content has the
//! registered size and sha256 is a copy too (a table kept compressed).

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::FetchError;

/// Environment variable naming an offline source when `--from` is not given.
pub const FROM_ENV: &str = "HEXAFLY_FETCH_FROM";

/// The files of an offline source folder, indexed by size; hashes are computed on demand
/// and remembered.
#[derive(Debug)]
pub struct OfflineSource {
    root: PathBuf,
    by_size: HashMap<u64, Vec<PathBuf>>,
    gzipped: Vec<PathBuf>,
    hashes: HashMap<PathBuf, String>,
    /// (size, sha256) of each gzip file's decompressed content.
    inflated: HashMap<PathBuf, (u64, String)>,
}

/// A copy found in an offline source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineCopy {
    /// The file itself.
    Plain(PathBuf),
    /// A gzip file holding it.
    Gzipped(PathBuf),
}

impl OfflineCopy {
    /// The file in the offline source.
    pub fn path(&self) -> &Path {
        match self {
            OfflineCopy::Plain(p) | OfflineCopy::Gzipped(p) => p,
        }
    }

    /// Writes the copy's content to `part`; returns (bytes, sha256) of what was written.
    pub fn install(&self, part: &Path) -> Result<(u64, String), FetchError> {
        match self {
            OfflineCopy::Plain(p) => copy_hashing(p, part),
            OfflineCopy::Gzipped(p) => {
                let f = File::open(p).map_err(|source| FetchError::Io {
                    path: p.clone(),
                    source,
                })?;
                copy_reader_hashing(flate2::read::GzDecoder::new(f), p, part)
            }
        }
    }
}

impl OfflineSource {
    /// Lists every regular file under `root` (following no symlinked folders).
    pub fn scan(root: &Path) -> Result<OfflineSource, FetchError> {
        let mut by_size: HashMap<u64, Vec<PathBuf>> = HashMap::new();
        let mut gzipped = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|source| FetchError::Io {
                path: dir.clone(),
                source,
            })?;
            let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
            entries.sort_by_key(|e| e.path());
            for e in entries {
                let Ok(kind) = e.file_type() else { continue };
                if kind.is_dir() {
                    stack.push(e.path());
                } else if let Ok(meta) = std::fs::metadata(e.path())
                    && meta.is_file()
                {
                    if e.path().extension().is_some_and(|x| x == "gz") {
                        gzipped.push(e.path());
                    }
                    by_size.entry(meta.len()).or_default().push(e.path());
                }
            }
        }
        Ok(OfflineSource {
            root: root.to_path_buf(),
            by_size,
            gzipped,
            hashes: HashMap::new(),
            inflated: HashMap::new(),
        })
    }

    /// The folder scanned.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A copy of the file of `size` bytes whose sha256 is `sha256`, if the folder holds one.
    pub fn find(
        &mut self,
        size: Option<u64>,
        sha256: &str,
    ) -> Result<Option<OfflineCopy>, FetchError> {
        let candidates: Vec<PathBuf> = match size {
            Some(s) => self.by_size.get(&s).cloned().unwrap_or_default(),
            None => self.by_size.values().flatten().cloned().collect(),
        };
        for path in candidates {
            let digest = match self.hashes.get(&path) {
                Some(d) => d.clone(),
                None => {
                    let d = sha256_of(&path)?;
                    self.hashes.insert(path.clone(), d.clone());
                    d
                }
            };
            if digest == sha256 {
                return Ok(Some(OfflineCopy::Plain(path)));
            }
        }
        for path in self.gzipped.clone() {
            let (n, digest) = match self.inflated.get(&path) {
                Some(v) => v.clone(),
                // Not gzip after all, or damaged: not a copy of anything.
                None => match inflated_sha256(&path) {
                    Some(v) => {
                        self.inflated.insert(path.clone(), v.clone());
                        v
                    }
                    None => continue,
                },
            };
            if digest == sha256 && size.is_none_or(|s| s == n) {
                return Ok(Some(OfflineCopy::Gzipped(path)));
            }
        }
        Ok(None)
    }
}

/// (size, sha256) of a gzip file's decompressed content; `None` if it does not decompress.
fn inflated_sha256(path: &Path) -> Option<(u64, String)> {
    let f = File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let n = std::io::copy(&mut flate2::read::GzDecoder::new(f), &mut hasher).ok()?;
    Some((n, hex(&hasher.finalize())))
}

/// The lowercase hex sha256 of a file.
pub fn sha256_of(path: &Path) -> Result<String, FetchError> {
    let mut f = File::open(path).map_err(|source| FetchError::Io {
        path: path.into(),
        source,
    })?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut f, &mut hasher).map_err(|source| FetchError::Io {
        path: path.into(),
        source,
    })?;
    Ok(hex(&hasher.finalize()))
}

/// Copies `from` to `part` while hashing it; returns (bytes, sha256).
pub fn copy_hashing(from: &Path, part: &Path) -> Result<(u64, String), FetchError> {
    let input = File::open(from).map_err(|source| FetchError::Io {
        path: from.into(),
        source,
    })?;
    copy_reader_hashing(input, from, part)
}

/// Copies what `input` (read from `from`) yields to `part` while hashing it.
fn copy_reader_hashing(
    mut input: impl Read,
    from: &Path,
    part: &Path,
) -> Result<(u64, String), FetchError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FetchError::Io { path, source }
    };
    let mut out = File::create(part).map_err(io(part))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut done = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(from)(e)),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(io(part))?;
        done += n as u64;
    }
    out.sync_all().map_err(io(part))?;
    Ok((done, hex(&hasher.finalize())))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
