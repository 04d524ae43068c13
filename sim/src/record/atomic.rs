//! Files written atomically: into a temporary file beside the target, flushed to disk,
//! then renamed over it, so a reader (or a resumed sweep) never sees half a file.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Writes `path` atomically with what `fill` writes.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{} names no file", path.display()))?;
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
    let result = (|| {
        let file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        {
            let mut w = std::io::BufWriter::new(&file);
            fill(&mut w)?;
            w.flush()?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Checks, before any work, that `path` can be written atomically: its folder exists (or
/// is made) and takes a new file. An output that cannot be written is then an error at
/// once, not after the computation.
pub fn check_writable(path: &Path) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {} for {}", dir.display(), path.display()))?;
    anyhow::ensure!(
        !path.is_dir(),
        "{} is a folder; expected a file name to write",
        path.display()
    );
    let probe = dir.join(format!(".hexafly-write-check-{}", std::process::id()));
    std::fs::File::create(&probe).with_context(|| {
        format!(
            "cannot write {}: its folder takes no new file",
            path.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
