//! Files written atomically: into a temporary file beside the target, flushed to disk,
//! then renamed over it, so a reader (or a resumed sweep) never sees half a file.

use std::io::Write;
use std::path::Path;

use super::RecordError;

/// Writes `path` atomically with what `fill` writes. Generic in the error so that `fill`'s
/// own errors come back unchanged, in the caller's error type; the file's own failures
/// (creating, syncing, renaming it) are [`RecordError`]s converted into it.
pub fn write_atomic<E: From<RecordError>>(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> Result<(), E>,
) -> Result<(), E> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| RecordError::NoFileName {
        path: path.to_path_buf(),
    })?;
    // Unique per call: threads of one process (a sweep refreshing its tables) and processes
    // on other hosts (Slurm shards writing into one shared folder) never share a temp file.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}-{nanos}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let io = |action, source| RecordError::Io {
        action,
        path: tmp.clone(),
        source,
    };
    let result = (|| -> Result<(), E> {
        let file = std::fs::File::create(&tmp).map_err(|e| io("cannot create", e))?;
        {
            let mut w = std::io::BufWriter::new(&file);
            fill(&mut w)?;
            w.flush().map_err(|e| io("cannot write", e))?;
        }
        file.sync_all().map_err(|e| io("cannot sync", e))?;
        std::fs::rename(&tmp, path).map_err(|source| RecordError::Move {
            from: tmp.clone(),
            to: path.to_path_buf(),
            source,
        })?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Checks, before any work, that `path` can be written atomically: its folder exists (or
/// is made) and takes a new file. An output that cannot be written is then an error at
/// once, not after the computation.
pub fn check_writable(path: &Path) -> Result<(), RecordError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|source| RecordError::NoFolder {
        dir: dir.to_path_buf(),
        path: path.to_path_buf(),
        source,
    })?;
    if path.is_dir() {
        return Err(RecordError::IsAFolder {
            path: path.to_path_buf(),
        });
    }
    let probe = dir.join(format!(".hexafly-write-check-{}", std::process::id()));
    std::fs::File::create(&probe).map_err(|source| RecordError::NotWritable {
        path: path.to_path_buf(),
        source,
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes `value` as pretty JSON and a newline to `path`, atomically.
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), RecordError> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value)
            .map_err(std::io::Error::from)
            .and_then(|()| w.write_all(b"\n"))
            .map_err(|source| RecordError::Io {
                action: "cannot write",
                path: path.to_path_buf(),
                source,
            })
    })
}
