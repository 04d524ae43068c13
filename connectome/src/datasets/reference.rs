//! `dataset:NAME[/PATH]`: naming a known dataset's files wherever a path is written.
//!
//! Experiments, manifests and surrogate specs name real data by dataset, never by where a
//! copy happens to lie, so the same file works on every machine once `hexafly fetch NAME`
//! has installed the dataset into the data directory:
//!
//! - `dataset:NAME` is the path the registry says to load (`load`, else its first file);
//! - `dataset:NAME/PATH` is `PATH` inside the dataset's directory;
//! - `dataset:NAME/` is the dataset's directory itself.
//!
//! Resolving a reference checks that every file of the dataset is present, so a missing
//! dataset is reported with the `hexafly fetch` command that installs it, before any loader
//! meets a missing file.

use std::path::{Path, PathBuf};

use super::dir::data_dir;
use super::error::DatasetError;
use super::registry::Registry;

/// The prefix that marks a dataset reference.
pub const SCHEME: &str = "dataset:";

/// A parsed `dataset:NAME[/PATH]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRef {
    /// The dataset's registry name.
    pub dataset: String,
    /// What inside it: `None` for the load path, `Some("")` for the directory.
    pub inside: Option<String>,
}

impl DataRef {
    /// Parses `text` when it starts with `dataset:`; `None` for an ordinary path.
    pub fn parse(text: &str) -> Option<Result<DataRef, DatasetError>> {
        let rest = text.strip_prefix(SCHEME)?;
        let (name, inside) = match rest.split_once('/') {
            Some((n, i)) => (n, Some(i.to_owned())),
            None => (rest, None),
        };
        if name.is_empty() {
            return Some(Err(DatasetError::BadReference {
                text: text.to_owned(),
                expected: "a dataset name after `dataset:` (`hexafly datasets` lists them)",
            }));
        }
        if inside.as_deref().is_some_and(|i| {
            Path::new(i)
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        }) {
            return Some(Err(DatasetError::BadReference {
                text: text.to_owned(),
                expected: "a relative path inside the dataset, without `..`",
            }));
        }
        Some(Ok(DataRef {
            dataset: name.to_owned(),
            inside,
        }))
    }

    /// The path this reference names under `data_dir`, once the dataset is complete there.
    pub fn locate(&self, registry: &Registry, data_dir: &Path) -> Result<PathBuf, DatasetError> {
        let found = registry.locate(&self.dataset, data_dir)?;
        Ok(match self.inside.as_deref() {
            None => found.load,
            Some("") => found.dir,
            Some(p) => {
                let path = found.dir.join(p);
                if !path.exists() {
                    return Err(DatasetError::NotInDataset {
                        dataset: self.dataset.clone(),
                        path,
                    });
                }
                path
            }
        })
    }
}

/// The path that `written` (as found in a file in directory `base`) names: a dataset
/// reference resolved in the data directory (`data_dir`, else `$HEXAFLY_DATA`, else the
/// platform's) by the registry in force ([`Registry::active`]), an absolute path as it is, anything else relative to `base`.
pub fn resolve(
    written: &Path,
    base: &Path,
    data_dir_override: Option<&Path>,
) -> Result<PathBuf, DatasetError> {
    match written.to_str().and_then(DataRef::parse) {
        Some(r) => {
            let r = r?;
            r.locate(&Registry::active()?, &data_dir(data_dir_override)?)
        }
        None if written.is_absolute() => Ok(written.to_path_buf()),
        None => Ok(base.join(written)),
    }
}

/// Whether `written` is a dataset reference (`dataset:...`).
pub fn is_reference(written: &Path) -> bool {
    written.to_str().is_some_and(|s| s.starts_with(SCHEME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_and_bad_ones_say_what_was_expected() {
        let r = DataRef::parse("dataset:flywire-783-escape")
            .unwrap()
            .unwrap();
        assert_eq!(r.dataset, "flywire-783-escape");
        assert_eq!(r.inside, None);
        let r = DataRef::parse("dataset:a/b/c.csv").unwrap().unwrap();
        assert_eq!(r.inside.as_deref(), Some("b/c.csv"));
        let r = DataRef::parse("dataset:a/").unwrap().unwrap();
        assert_eq!(r.inside.as_deref(), Some(""));
        assert!(DataRef::parse("../x.csv").is_none());
        let e = DataRef::parse("dataset:").unwrap().unwrap_err().to_string();
        assert!(e.contains("a dataset name"), "{e}");
        let e = DataRef::parse("dataset:a/../../etc").unwrap().unwrap_err();
        assert!(e.to_string().contains("without `..`"), "{e}");
    }

    #[test]
    fn a_missing_dataset_names_the_fetch_command() {
        let dir = tempfile::tempdir().unwrap();
        let e = resolve(
            Path::new("dataset:larva-winding2023"),
            Path::new("."),
            Some(dir.path()),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("hexafly fetch larva-winding2023"), "{e}");
        let e = resolve(Path::new("dataset:nope"), Path::new("."), Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown dataset `nope`"), "{e}");
        assert_eq!(
            resolve(Path::new("a/b.csv"), Path::new("/base"), Some(dir.path())).unwrap(),
            Path::new("/base/a/b.csv")
        );
    }
}
