//! Where hexafly's own data files are: bodies, scenes, circuit maps, example experiments and
//! the compact mission circuit (the workspace's `assets/` folder).
//!
//! In order: `$HEXAFLY_ASSETS` when set (`builtin`: the embedded copy, whatever else is
//! there); else the source tree the binary was built from, when
//! it is still there (a checkout: edits take effect without a rebuild); else the copy
//! embedded in the binary at build time, unpacked once into the data directory
//! (`<data dir>/assets/<content hash>/`, else the system's temporary folder), so that an
//! installed binary works from any directory after its clone is moved or deleted.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// Environment variable naming an assets folder to use instead of the built-in one.
pub const ASSETS_ENV: &str = "HEXAFLY_ASSETS";

/// The assets folder (see the module doc). Never fails: when the embedded copy cannot be
/// unpacked, the reason is logged and the source tree's path returned, so that reading a
/// file from it fails naming that file.
pub fn dir() -> PathBuf {
    let chosen = std::env::var_os(ASSETS_ENV).filter(|p| !p.is_empty());
    let builtin = chosen.as_deref() == Some(std::ffi::OsStr::new("builtin"));
    if let Some(p) = chosen.filter(|_| !builtin) {
        return PathBuf::from(p);
    }
    let source = source_tree();
    if !builtin && source.join("experiments").is_dir() {
        return std::fs::canonicalize(&source).unwrap_or(source);
    }
    static UNPACKED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match UNPACKED.get_or_init(unpack_embedded) {
        Ok(p) => p.clone(),
        Err(e) => {
            tracing::error!("cannot unpack hexafly's built-in assets: {e}");
            source
        }
    }
}

/// A file of the assets folder, e.g. `path("bodies/hexapod.toml")`.
pub fn path(relative: &str) -> PathBuf {
    dir().join(relative)
}

fn source_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets")
}

/// A short hash of every embedded path and content: the unpacked folder's name, so that
/// two builds with different assets never share one.
fn content_hash() -> String {
    let mut h = Sha256::new();
    for (rel, bytes) in embedded::FILES {
        h.update(rel.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unpack_embedded() -> Result<PathBuf, String> {
    let name = content_hash();
    let mut tried = Vec::new();
    let mut parents = Vec::new();
    if let Ok(d) = connectome::datasets::data_dir(None) {
        parents.push(d.join("assets"));
    }
    parents.push(std::env::temp_dir().join("hexafly-assets"));
    for parent in parents {
        let target = parent.join(&name);
        if target.join(".complete").is_file() {
            return Ok(target);
        }
        match unpack_into(&parent, &name) {
            Ok(()) => return Ok(target),
            Err(e) => tried.push(format!("{}: {e}", target.display())),
        }
    }
    Err(tried.join("; "))
}

/// Writes every file into a fresh temporary folder beside the target, then renames it into
/// place, so that a half-written copy is never used.
fn unpack_into(parent: &Path, name: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(parent)?;
    let tmp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    for (rel, bytes) in embedded::FILES {
        let p = tmp.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(&p, bytes)?;
    }
    std::fs::write(tmp.join(".complete"), b"")?;
    match std::fs::rename(&tmp, parent.join(name)) {
        Ok(()) => Ok(()),
        // Another process unpacked the same copy first.
        Err(_) if parent.join(name).join(".complete").is_file() => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_copy_holds_the_defaults_and_unpacks_to_the_same_bytes() {
        let names: Vec<&str> = embedded::FILES.iter().map(|(n, _)| *n).collect();
        for needed in [
            "experiments/default.toml",
            "bodies/hexapod.toml",
            "circuits/flywire783.toml",
            "connectomes/flywire783_mission/edges.csv.gz",
        ] {
            assert!(names.contains(&needed), "{needed} not embedded");
        }
        let dir = tempfile::tempdir().unwrap();
        unpack_into(dir.path(), "x").unwrap();
        for (rel, bytes) in embedded::FILES {
            assert_eq!(
                std::fs::read(dir.path().join("x").join(rel)).unwrap(),
                *bytes
            );
            assert_eq!(
                std::fs::read(source_tree().join(rel)).unwrap(),
                *bytes,
                "{rel}: the source tree changed since the build"
            );
        }
        // A second unpack of the same content is a no-op, not an error.
        unpack_into(dir.path(), "x").unwrap();
    }
}
