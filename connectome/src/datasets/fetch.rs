//! Installing a dataset's files into the data directory, verified: downloaded over HTTP(S),
//! copied from an offline source folder (files matched by sha256, whatever its layout), or
//! made by a registered conversion from another file of the dataset.
//!
//! Each file is written to `<dest>.part` beside its destination while its sha256 is computed,
//! then checked against the registered size and hash, and only then renamed into place. Any
//! failure deletes the partial file, so a file at its destination is always a complete one;
//! a `.part` left by a killed process is never taken for a file and is overwritten by the
//! next try.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::dir::{FileState, content_ok, file_state, record_verified};
use super::error::{ConversionMismatch, FetchError, NotOffline, OfflineOnly, ScriptConversion};
use super::offline::{OfflineCopy, OfflineSource};
use super::registry::{Dataset, DatasetFile};

/// How to download.
#[derive(Debug, Clone)]
pub struct FetchParams {
    /// A mirror to use instead of each file's registered URL: file `path` of dataset `name` is
    /// fetched from `{url_base}/{name}/{path}` (the data directory's own layout, so any copy of
    /// a data directory served over HTTP is a mirror). Default: none.
    pub url_base: Option<String>,
    /// How long to wait to connect and for the response headers. Default: 30 s.
    pub connect_timeout: Duration,
    /// An offline source folder to copy the files from instead of downloading them
    /// (`--from DIR`, `$HEXAFLY_FETCH_FROM`); files are matched by size and sha256.
    pub from: Option<PathBuf>,
    /// Folders of copies that ship with hexafly (its assets), searched first whether or not
    /// `from` is set: a registered file found there (by sha256) is copied, not downloaded.
    pub shipped: Vec<PathBuf>,
}

impl Default for FetchParams {
    fn default() -> Self {
        FetchParams {
            url_base: None,
            connect_timeout: Duration::from_secs(30),
            from: None,
            shipped: Vec::new(),
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
    /// A file was copied from the offline source.
    Copied {
        /// The offline copy.
        from: &'a Path,
    },
    /// A file was made by a registered conversion of another file of the dataset.
    Converted {
        /// The file it was made from.
        from: &'a Path,
        /// The conversion's name.
        conversion: &'a str,
    },
    /// The current file is verified and in place.
    Done {
        /// Where it is.
        dest: &'a Path,
        /// Its size in bytes.
        bytes: u64,
    },
}

/// Installs every file of `dataset` that is not already in `data_dir`, checking size and
/// sha256 where the registry gives them: from `opts.from` when set (nothing is downloaded
/// then), else from each file's URL; a file the registry marks `converted_from` is copied
/// from the offline source when it holds it, else made from its published source. Returns
/// the destination of every file.
pub fn fetch(
    dataset: &Dataset,
    data_dir: &Path,
    opts: &FetchParams,
    on_event: &mut dyn FnMut(FetchEvent<'_>),
) -> Result<Vec<PathBuf>, FetchError> {
    let mut offline = opts.from.as_deref().map(OfflineSource::scan).transpose()?;
    let offline_root = offline.as_ref().map(|s| s.root().to_path_buf());
    let mut shipped = opts
        .shipped
        .iter()
        .filter(|d| d.is_dir())
        .map(|d| OfflineSource::scan(d))
        .collect::<Result<Vec<_>, _>>()?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_recv_response(Some(opts.connect_timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let dir = dataset.dir(data_dir);
    // A copy anywhere: the offline folder, else the copies shipped with hexafly.
    let mut find_copy = |file: &DatasetFile| -> Result<Option<OfflineCopy>, FetchError> {
        let Some(sha) = &file.sha256 else {
            return Ok(None);
        };
        for src in offline.iter_mut().chain(shipped.iter_mut()) {
            if let Some(found) = src.find(file.size, sha)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    };
    // Which files are in place, checked once (it may hash them); conversion inputs only
    // when a table has to be made from them.
    let present = dataset
        .files
        .iter()
        .map(|f| match f.input_only {
            true => Ok(false),
            false => already_present(dataset, f, data_dir, &f.dest(dataset, data_dir)),
        })
        .collect::<Result<Vec<bool>, FetchError>>()?;
    let mut needed_inputs: Vec<&str> = Vec::new();
    for (file, &here) in dataset.files.iter().zip(&present) {
        if !here && !file.converted_from.is_empty() && find_copy(file)?.is_none() {
            needed_inputs.extend(file.converted_from.iter().map(String::as_str));
        }
    }
    let mut out = Vec::with_capacity(dataset.files.len());
    let mut scripts: Vec<(&DatasetFile, &str)> = Vec::new();
    for (file, &here) in dataset.files.iter().zip(&present) {
        let dest = file.dest(dataset, data_dir);
        if file.input_only && !needed_inputs.contains(&file.path.as_str()) {
            continue;
        }
        if here || (file.input_only && already_present(dataset, file, data_dir, &dest)?) {
            on_event(FetchEvent::AlreadyPresent { dest: &dest });
        } else {
            let bytes = if let Some(copy) = find_copy(file)? {
                on_event(FetchEvent::Copied { from: copy.path() });
                install(file, &dest, |part| copy.install(part), copy.path())?
            } else if let Some(script) = file
                .conversion
                .as_deref()
                .and_then(|c| c.strip_prefix(super::convert::SCRIPT))
            {
                // Made by a script hexafly does not run: installed on the next fetch, once
                // the script has written it, if its sha256 is right.
                scripts.push((file, script));
                continue;
            } else if !file.converted_from.is_empty() {
                let conversion = file.conversion.as_deref().unwrap_or_default();
                let inputs = file
                    .converted_from
                    .iter()
                    .map(|i| conversion_input(i, &dir, data_dir))
                    .collect::<Result<Vec<_>, _>>()?;
                on_event(FetchEvent::Converted {
                    from: &inputs[0],
                    conversion,
                });
                install(
                    file,
                    &dest,
                    |part| super::convert::run(conversion, &inputs, part),
                    &inputs[0],
                )
                .map_err(|e| match e {
                    FetchError::HashMismatch { got, expected, .. } => {
                        FetchError::ConversionMismatch(Box::new(ConversionMismatch {
                            dataset: dataset.name.clone(),
                            path: file.path.clone(),
                            from: file.converted_from.join(", "),
                            conversion: conversion.to_owned(),
                            got,
                            expected,
                        }))
                    }
                    e => e,
                })?
            } else if let Some(note) = &file.conversion_note {
                return Err(FetchError::OfflineOnly(Box::new(OfflineOnly {
                    dataset: dataset.name.clone(),
                    path: file.path.clone(),
                    url: file.url.clone(),
                    note: note.clone(),
                    sha256: file.sha256.clone().unwrap_or_default(),
                    from: offline_root.clone(),
                })));
            } else if let Some(root) = &offline_root {
                return Err(FetchError::NotOffline(Box::new(NotOffline {
                    dataset: dataset.name.clone(),
                    path: file.path.clone(),
                    sha256: file.sha256.clone(),
                    from: root.clone(),
                    url: file.url.clone(),
                })));
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
                download(&agent, &url, file, &dest, on_event)?
            };
            if let Some(sha) = &file.sha256 {
                record_verified(&dir, &file.path, &dest, sha);
            }
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
    if let Some((_, script)) = scripts.first() {
        return Err(FetchError::ScriptConversion(Box::new(ScriptConversion {
            dataset: dataset.name.clone(),
            tables: scripts.iter().map(|(f, _)| f.path.clone()).collect(),
            script: (*script).to_owned(),
            dir,
        })));
    }
    Ok(out)
}

/// Where a conversion input is: a file of this dataset (installed above it), or a
/// `dataset:NAME/PATH` of another dataset, which must be installed first.
fn conversion_input(written: &str, dir: &Path, data_dir: &Path) -> Result<PathBuf, FetchError> {
    match super::reference::DataRef::parse(written) {
        Some(r) => {
            let r = r?;
            Ok(r.locate(&super::registry::Registry::active()?, data_dir)?)
        }
        None => Ok(dir.join(written)),
    }
}

/// Creates a folder of the data directory, telling a read-only one apart.
fn create_dir(dir: &Path) -> Result<(), FetchError> {
    std::fs::create_dir_all(dir).map_err(|source| match source.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            FetchError::ReadOnly {
                path: dir.into(),
                source,
            }
        }
        _ => FetchError::Io {
            path: dir.into(),
            source,
        },
    })
}

/// Writes a file through `<dest>.part` with `write` (which returns bytes and sha256),
/// checks size and hash, and renames it into place; the part is deleted on any failure.
fn install(
    file: &DatasetFile,
    dest: &Path,
    write: impl FnOnce(&Path) -> Result<(u64, String), FetchError>,
    origin: &Path,
) -> Result<u64, FetchError> {
    let part = start_part(dest)?;
    let (bytes, got) = write(&part.path).map_err(|e| match e {
        FetchError::Io { path, source }
            if path == part.path
                && matches!(
                    source.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
                ) =>
        {
            FetchError::ReadOnly { path, source }
        }
        e => e,
    })?;
    let origin = origin.display().to_string();
    if let Some(expected) = file.size
        && bytes != expected
    {
        return Err(FetchError::SizeMismatch {
            url: origin,
            got: bytes,
            expected,
            truncated: false,
        });
    }
    if let Some(expected) = &file.sha256
        && got != *expected
    {
        return Err(FetchError::HashMismatch {
            url: origin,
            got,
            expected: expected.clone(),
        });
    }
    commit(part, dest)?;
    Ok(bytes)
}

/// The `<dest>.part` that a file is written to before it is verified, its folder created.
fn start_part(dest: &Path) -> Result<PartFile, FetchError> {
    create_dir(
        dest.parent()
            .expect("a dataset file has a parent directory"),
    )?;
    let mut name = dest
        .file_name()
        .expect("a dataset file has a name")
        .to_os_string();
    name.push(".part");
    Ok(PartFile {
        path: dest.with_file_name(name),
        keep: false,
    })
}

fn commit(mut part: PartFile, dest: &Path) -> Result<(), FetchError> {
    std::fs::rename(&part.path, dest).map_err(|source| FetchError::Io {
        path: dest.into(),
        source,
    })?;
    part.keep = true;
    Ok(())
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
    // The same check as before every use: the verified record, else a hash.
    if content_ok(dataset, file, data_dir) {
        return Ok(true);
    }
    // Another file under the registered name: refused and removed, never used.
    std::fs::remove_file(dest).map_err(|source| FetchError::Io {
        path: dest.into(),
        source,
    })?;
    Ok(false)
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
    let part = start_part(dest)?;
    let mut out = File::create(&part.path).map_err(|source| match source.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            FetchError::ReadOnly {
                path: part.path.clone(),
                source,
            }
        }
        _ => FetchError::Io {
            path: part.path.clone(),
            source,
        },
    })?;

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
        let got = super::offline::hex(&hasher.finalize());
        if got != *expected {
            return Err(FetchError::HashMismatch {
                url: url.to_owned(),
                got,
                expected: expected.clone(),
            });
        }
    }
    commit(part, dest)?;
    Ok(done)
}
