//! Downloading a dataset's files over HTTP(S) into the data directory, verified.
//!
//! Each file is streamed to `<dest>.part` beside its destination while its sha256 is computed,
//! then checked against the registered size and hash, and only then renamed into place. Any
//! failure deletes the partial file, so a file at its destination is always a complete one.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::dir::{FileState, file_state};
use super::error::FetchError;
use super::registry::{Dataset, DatasetFile};

/// How to download.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// A mirror to use instead of each file's registered URL: file `path` of dataset `name` is
    /// fetched from `{url_base}/{name}/{path}` (the data directory's own layout, so any copy of
    /// a data directory served over HTTP is a mirror). Default: none.
    pub url_base: Option<String>,
    /// How long to wait to connect and for the response headers. Default: 30 s.
    pub connect_timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            url_base: None,
            connect_timeout: Duration::from_secs(30),
        }
    }
}

/// Progress of a [`fetch()`], for a progress bar or a log.
#[derive(Debug, Clone, Copy)]
pub enum FetchEvent<'a> {
    /// A file already in place (right size, and right hash when one is registered); skipped.
    AlreadyPresent {
        /// Where it is.
        dest: &'a Path,
    },
    /// A download starts.
    Start {
        /// The URL being fetched.
        url: &'a str,
        /// Where the file will go.
        dest: &'a Path,
        /// Expected bytes (registry size, else the server's Content-Length), if known.
        total: Option<u64>,
    },
    /// Bytes received so far for the current file.
    Progress {
        /// Bytes received.
        done: u64,
    },
    /// An archive was unpacked into the dataset directory.
    Unpacked {
        /// The archive.
        archive: &'a Path,
        /// The top-level entries it created in the dataset directory.
        created: &'a [String],
    },
    /// The current file is verified and in place.
    Done {
        /// Where it is.
        dest: &'a Path,
        /// Its size in bytes.
        bytes: u64,
    },
}

/// Downloads every file of `dataset` that is not already in `data_dir`, checking size and
/// sha256 where the registry gives them. Returns the destination of every file.
pub fn fetch(
    dataset: &Dataset,
    data_dir: &Path,
    opts: &FetchOptions,
    on_event: &mut dyn FnMut(FetchEvent<'_>),
) -> Result<Vec<PathBuf>, FetchError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_recv_response(Some(opts.connect_timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let mut out = Vec::with_capacity(dataset.files.len());
    for file in &dataset.files {
        let dest = file.dest(dataset, data_dir);
        if already_present(dataset, file, data_dir, &dest)? {
            on_event(FetchEvent::AlreadyPresent { dest: &dest });
        } else {
            let url = match &opts.url_base {
                Some(base) => format!(
                    "{}/{}/{}",
                    base.trim_end_matches('/'),
                    dataset.name,
                    file.path
                ),
                None => file.url.clone(),
            };
            let bytes = download(&agent, &url, file, &dest, on_event)?;
            on_event(FetchEvent::Done { dest: &dest, bytes });
        }
        // Unpack when what the archive holds is not there yet (a fresh download, or an
        // archive the user placed by hand).
        if file.unpack && (!dataset.load_path(data_dir).exists() || dataset.load.is_none()) {
            let created = super::unpack::unpack(&dest, &dataset.dir(data_dir))?;
            on_event(FetchEvent::Unpacked {
                archive: &dest,
                created: &created,
            });
        }
        out.push(dest);
    }
    Ok(out)
}

/// True when `dest` is complete: right size and, if a hash is registered, right hash.
fn already_present(
    dataset: &Dataset,
    file: &DatasetFile,
    data_dir: &Path,
    dest: &Path,
) -> Result<bool, FetchError> {
    if file_state(dataset, file, data_dir) != FileState::Present {
        return Ok(false);
    }
    let Some(expected) = &file.sha256 else {
        return Ok(true);
    };
    let mut f = File::open(dest).map_err(|source| FetchError::Io {
        path: dest.into(),
        source,
    })?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut f, &mut hasher).map_err(|source| FetchError::Io {
        path: dest.into(),
        source,
    })?;
    Ok(hex(&hasher.finalize()) == *expected)
}

/// Deletes the partial file unless the download was committed.
struct PartFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn download(
    agent: &ureq::Agent,
    url: &str,
    file: &DatasetFile,
    dest: &Path,
    on_event: &mut dyn FnMut(FetchEvent<'_>),
) -> Result<u64, FetchError> {
    let unreachable = |reason: String| FetchError::Unreachable {
        url: url.to_owned(),
        dest: dest.into(),
        size: file.size,
        reason,
    };
    let response = agent
        .get(url)
        .call()
        .map_err(|e| unreachable(e.to_string()))?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status,
            dest: dest.into(),
            size: file.size,
        });
    }
    let content_length = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let total = file.size.or(content_length);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FetchError::Io { path, source }
    };
    let dir = dest
        .parent()
        .expect("a dataset file has a parent directory");
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut part_name = dest
        .file_name()
        .expect("a dataset file has a name")
        .to_os_string();
    part_name.push(".part");
    let mut part = PartFile {
        path: dest.with_file_name(part_name),
        keep: false,
    };
    let mut out = File::create(&part.path).map_err(io(&part.path))?;

    on_event(FetchEvent::Start { url, dest, total });
    let mut reader = response.into_body().into_reader();
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut done = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(unreachable(format!(
                    "connection lost after {done} bytes: {e}"
                )));
            }
        };
        done += n as u64;
        // A server sending more than the registered size (an HTML error page, another
        // version) is stopped early instead of filling the disk.
        if let Some(expected) = file.size
            && done > expected
        {
            return Err(FetchError::SizeMismatch {
                url: url.to_owned(),
                got: done,
                expected,
                truncated: true,
            });
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(io(&part.path))?;
        on_event(FetchEvent::Progress { done });
    }
    out.sync_all().map_err(io(&part.path))?;
    drop(out);
    if let Some(expected) = file.size
        && done != expected
    {
        return Err(FetchError::SizeMismatch {
            url: url.to_owned(),
            got: done,
            expected,
            truncated: false,
        });
    }
    if let Some(expected) = &file.sha256 {
        let got = hex(&hasher.finalize());
        if got != *expected {
            return Err(FetchError::HashMismatch {
                url: url.to_owned(),
                got,
                expected: expected.clone(),
            });
        }
    }
    std::fs::rename(&part.path, dest).map_err(io(dest))?;
    part.keep = true;
    Ok(done)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
