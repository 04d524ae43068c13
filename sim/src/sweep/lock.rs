//! Sweep folders are locked while a sweep writes them, so two sweeps never run the same
//! runs into one folder. A whole sweep (and `merge`) holds `.sweep.lock` alone; the shards of
//! a Slurm array share it, each also holding its own `.shard-I-of-N.lock`, so shards run side
//! by side while a second copy of one shard, or a whole sweep, is refused. The locks are the
//! operating system's (`flock`): they go away with the process, however it ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::{Shard, SweepError};

/// Held locks; released when dropped.
#[derive(Debug)]
pub struct SweepLock {
    _files: Vec<File>,
}

/// The folder-wide lock file.
pub const LOCK_FILE: &str = ".sweep.lock";

fn open(path: &Path) -> Result<File, SweepError> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|source| io("cannot open the lock file", path, source))
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> SweepError {
    SweepError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

fn refused(dir: &Path, holder: &str) -> SweepError {
    SweepError::Locked {
        dir: dir.to_path_buf(),
        holder: holder.to_string(),
    }
}

/// Locks the sweep folder `dir` for a whole sweep (`shard` None) or one shard.
pub fn lock(dir: &Path, shard: Option<Shard>) -> Result<SweepLock, SweepError> {
    let folder = open(&dir.join(LOCK_FILE))?;
    let held = match shard {
        None => folder.try_lock(),
        Some(_) => folder.try_lock_shared(),
    };
    match held {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(refused(dir, "another sweep (or a shard of one)"));
        }
        Err(TryLockError::Error(e)) => {
            return Err(io("cannot lock", dir, e));
        }
    }
    let mut files = vec![folder];
    if let Some(s) = shard {
        let path: PathBuf = dir.join(format!(".shard-{}-of-{}.lock", s.index, s.count));
        let f = open(&path)?;
        match f.try_lock() {
            Ok(()) => files.push(f),
            Err(TryLockError::WouldBlock) => {
                return Err(refused(dir, &format!("another copy of shard {s}")));
            }
            Err(TryLockError::Error(e)) => {
                return Err(io("cannot lock", &path, e));
            }
        }
    }
    Ok(SweepLock { _files: files })
}
