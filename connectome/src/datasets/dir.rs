//! The data directory and finding a dataset's files in it.

use std::path::{Path, PathBuf};

use super::error::{DatasetError, MissingFile};
use super::registry::{Dataset, DatasetFile, Registry};

/// Environment variable naming the data directory when `--data-dir` is not given.
pub const DATA_ENV: &str = "HEXAFLY_DATA";

/// The data directory: `explicit` (from `--data-dir`), else `$HEXAFLY_DATA`, else the platform
/// data directory + `hexafly` (`~/.local/share/hexafly` on Linux).
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, DatasetError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(DATA_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join("hexafly"))
        .ok_or(DatasetError::NoDataDir)
}

/// The file in a dataset's directory that records which files `hexafly fetch` verified:
/// one line per file, `sha256 size mtime_ns path`. A file whose size and modification time
/// still match its line is trusted without hashing it again; any other file with a
/// registered sha256 is hashed before use.
pub const VERIFIED_FILE: &str = ".hexafly-verified";

/// Records that the file at `dest` (registry path `path`) has the sha256 `sha256`.
/// Best effort: a read-only data directory only costs a hash on the next use.
pub fn record_verified(dataset_dir: &Path, path: &str, dest: &Path, sha256: &str) {
    let Some((size, mtime)) = size_and_mtime(dest) else {
        return;
    };
    let stamp = dataset_dir.join(VERIFIED_FILE);
    let old = std::fs::read_to_string(&stamp).unwrap_or_default();
    let mut lines: Vec<String> = old
        .lines()
        .filter(|l| l.splitn(4, ' ').nth(3) != Some(path))
        .map(str::to_owned)
        .collect();
    lines.push(format!("{sha256} {size} {mtime} {path}"));
    lines.sort();
    let tmp = dataset_dir.join(format!("{VERIFIED_FILE}.tmp"));
    if std::fs::write(&tmp, lines.join("\n") + "\n").is_ok() {
        let _ = std::fs::rename(&tmp, &stamp);
    }
}

fn size_and_mtime(path: &Path) -> Option<(u64, i128)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos() as i128;
    Some((meta.len(), mtime))
}

/// Whether the file's content is the registered one: trusted from the verified record when
/// its size and time match, else hashed (and recorded).
pub(super) fn content_ok(dataset: &Dataset, file: &DatasetFile, data_dir: &Path) -> bool {
    let Some(expected) = &file.sha256 else {
        return true;
    };
    let dest = file.dest(dataset, data_dir);
    let dir = dataset.dir(data_dir);
    if let (Some((size, mtime)), Ok(text)) = (
        size_and_mtime(&dest),
        std::fs::read_to_string(dir.join(VERIFIED_FILE)),
    ) && text
        .lines()
        .any(|l| l == format!("{expected} {size} {mtime} {}", file.path))
    {
        return true;
    }
    match super::offline::sha256_of(&dest) {
        Ok(got) if got == *expected => {
            record_verified(&dir, &file.path, &dest, expected);
            true
        }
        _ => false,
    }
}

/// Whether one file of a dataset is in the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// It exists and has the registered size (or no size is registered).
    Present,
    /// It does not exist.
    Missing,
    /// It exists with another size (an interrupted copy, or another version).
    WrongSize {
        /// Its size on disk in bytes.
        found: u64,
    },
}

/// Checks one file by existence and size (hashes are checked when downloading, not here:
/// hashing a whole-brain file on every listing would take seconds).
pub fn file_state(dataset: &Dataset, file: &DatasetFile, data_dir: &Path) -> FileState {
    match std::fs::metadata(file.dest(dataset, data_dir)) {
        Ok(m) if m.is_file() => match file.size {
            Some(size) if size != m.len() => FileState::WrongSize { found: m.len() },
            _ => FileState::Present,
        },
        _ => FileState::Missing,
    }
}

/// Paths of a dataset that is present in the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The dataset's directory.
    pub dir: PathBuf,
    /// Each registered file but the conversion inputs (`input_only`), in registry order.
    pub files: Vec<PathBuf>,
    /// The path to hand to the loaders.
    pub load: PathBuf,
    /// The format to load it with, when the registry names one.
    pub format: Option<String>,
}

/// Finds dataset `name` of the registry in force in `data_dir`; see [`Registry::locate`].
pub fn locate(name: &str, data_dir: &Path) -> Result<Located, DatasetError> {
    Registry::active()?.locate(name, data_dir)
}

impl Registry {
    /// Finds dataset `name` in `data_dir`. When a file is absent or has the wrong size the
    /// error lists, for each, the exact path to put it at and the URL to download it from.
    pub fn locate(&self, name: &str, data_dir: &Path) -> Result<Located, DatasetError> {
        let d = self.get(name)?;
        let missing: Vec<MissingFile> = d
            .files
            .iter()
            .filter(|f| !f.input_only)
            .filter_map(|f| {
                let problem = match file_state(d, f, data_dir) {
                    FileState::Present if content_ok(d, f, data_dir) => return None,
                    FileState::Present => {
                        "its sha256 differs from the registry's: not used".to_owned()
                    }
                    FileState::Missing => "absent".to_owned(),
                    FileState::WrongSize { found } => format!("{found} bytes on disk, wrong size"),
                };
                Some(MissingFile {
                    path: f.dest(d, data_dir),
                    url: f.url.clone(),
                    size: f.size,
                    problem,
                })
            })
            .collect();
        if !missing.is_empty() {
            return Err(DatasetError::Missing {
                dataset: d.name.clone(),
                data_dir: data_dir.to_path_buf(),
                missing,
            });
        }
        let load = d.load_path(data_dir);
        if let Some(archive) = d.files.iter().find(|f| f.unpack)
            && !load.exists()
        {
            return Err(DatasetError::NotUnpacked {
                dataset: d.name.clone(),
                archive: archive.dest(d, data_dir),
                dir: d.dir(data_dir),
                load,
            });
        }
        Ok(Located {
            dir: d.dir(data_dir),
            files: d
                .files
                .iter()
                .filter(|f| !f.input_only)
                .map(|f| f.dest(d, data_dir))
                .collect(),
            load,
            format: d.format.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_says_what_to_put_where() {
        let dir = tempfile::tempdir().unwrap();
        let err = locate("larva-winding2023", dir.path()).unwrap_err();
        let msg = err.to_string();
        let dest = dir
            .path()
            .join("larva-winding2023")
            .join("Supplementary-Data-S1.zip");
        assert!(msg.contains(&dest.display().to_string()), "{msg}");
        assert!(
            msg.contains(
                "https://raw.githubusercontent.com/brain-networks/larval-drosophila-connectome/"
            ),
            "{msg}"
        );
        assert!(
            msg.contains("1107380 bytes") && msg.contains("hexafly fetch larva-winding2023"),
            "{msg}"
        );

        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(&dest, b"not the zip").unwrap();
        let msg = locate("larva-winding2023", dir.path())
            .unwrap_err()
            .to_string();
        assert!(msg.contains("11 bytes on disk, wrong size"), "{msg}");

        std::fs::copy(
            crate::test_data::require("larva-winding2023/Supplementary-Data-S1.zip"),
            &dest,
        )
        .unwrap();
        let found = locate("larva-winding2023", dir.path()).unwrap();
        assert_eq!(found.load, dest);
        assert_eq!(found.files, std::slice::from_ref(&dest));

        assert!(matches!(
            locate("nope", dir.path()),
            Err(DatasetError::Unknown { .. })
        ));
    }

    #[test]
    fn explicit_data_dir_wins() {
        assert_eq!(
            data_dir(Some(Path::new("/x/y"))).unwrap(),
            PathBuf::from("/x/y")
        );
    }
}
