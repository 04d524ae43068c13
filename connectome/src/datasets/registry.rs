//! The dataset registry: a TOML list of known public datasets and their files.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::DatasetError;

/// The registry shipped with hexafly (`assets/datasets.toml`).
const BUILTIN: &str = include_str!("../../../assets/datasets.toml");

/// All known datasets, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// The datasets (`[[dataset]]` tables).
    #[serde(rename = "dataset", default)]
    pub datasets: Vec<Dataset>,
}

/// One public dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// Short name used on the command line (`hexafly fetch NAME`) and as its directory name.
    pub name: String,
    /// One line on what it contains.
    pub description: String,
    /// How to cite it.
    pub citation: String,
    /// Its licence or terms of use.
    pub licence: String,
    /// A page about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Path, relative to the dataset directory, to load (default: the first file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<String>,
    /// The `--format` to load it with, when the path does not tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The files to download.
    pub files: Vec<DatasetFile>,
}

/// One downloadable file of a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetFile {
    /// Destination relative to the dataset directory (`/`-separated, no `..`).
    pub path: String,
    /// Download URL (http or https).
    pub url: String,
    /// Size in bytes, when known; checked after download and by `hexafly datasets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Lowercase hex sha256, when known; checked after download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// A `.tar.gz`/`.tgz`/`.tar` archive to unpack into the dataset directory after download
    /// (the archive is kept, so its size can still be checked). Default false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unpack: bool,
    /// For a file that is a conversion of published ones (a CSV made from a JSON file): the
    /// files it is made from, each a file of this dataset listed before it or a
    /// `dataset:NAME/PATH` of another dataset. `hexafly fetch` makes it with `conversion`
    /// and checks the result against `sha256`; an offline source may hold the converted
    /// file itself, matched by that sha256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub converted_from: Vec<String>,
    /// The conversion that makes this file from `converted_from`: one of
    /// `connectome::datasets::CONVERSIONS`, or `script:PATH`, a script of the hexafly
    /// repository that `hexafly fetch` names (it does not run it) and whose output it checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion: Option<String>,
    /// For a table made from a published file that hexafly cannot read or convert itself (a
    /// pandas pickle, a YAML list): exactly how it was made from the file at `url`. Such a
    /// file installs from an offline copy only (`--from DIR`), matched by `sha256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_note: Option<String>,
    /// A published file that is only the input of a conversion: installed only when a table
    /// made from it has to be made (not when that table is already there or found offline),
    /// and not needed for the dataset to be complete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub input_only: bool,
    /// Size in bytes of the published file a `conversion_note` table was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_size: Option<u64>,
    /// sha256 of the published file a `conversion_note` table was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_sha256: Option<String>,
}

/// Environment variable naming a registry file to use instead of the built-in one (a
/// private dataset list, or stand-in files whose hashes differ from the published ones).
pub const REGISTRY_ENV: &str = "HEXAFLY_REGISTRY";

impl Registry {
    /// The registry in force: the file `$HEXAFLY_REGISTRY` names, else [`Registry::builtin`].
    pub fn active() -> Result<Registry, DatasetError> {
        match std::env::var_os(REGISTRY_ENV).filter(|p| !p.is_empty()) {
            Some(p) => Registry::from_file(Path::new(&p)),
            None => Ok(Registry::builtin()),
        }
    }

    /// The registry compiled into hexafly from `assets/datasets.toml`.
    pub fn builtin() -> Registry {
        // The file is part of the source tree and is checked by a unit test.
        Registry::from_toml(BUILTIN, Path::new("<builtin assets/datasets.toml>"))
            .expect("assets/datasets.toml is valid")
    }

    /// Reads and validates a registry file.
    pub fn from_file(path: &Path) -> Result<Registry, DatasetError> {
        let text = std::fs::read_to_string(path).map_err(|e| DatasetError::Registry {
            path: path.into(),
            message: format!("cannot read: {e}"),
        })?;
        Registry::from_toml(&text, path)
    }

    /// Parses and validates registry text; `path` is only used in error messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Registry, DatasetError> {
        let err = |message: String| DatasetError::Registry {
            path: path.into(),
            message,
        };
        let reg: Registry =
            toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_owned()))?;
        let mut names = HashSet::new();
        for d in &reg.datasets {
            let what = |m: &str| err(format!("dataset `{}`: {m}", d.name));
            if d.name.is_empty()
                || !d
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                return Err(what("expected a name of letters, digits, `-`, `_` and `.`"));
            }
            if !names.insert(d.name.as_str()) {
                return Err(what("listed twice"));
            }
            if d.files.is_empty() {
                return Err(what("expected at least one [[dataset.files]] entry"));
            }
            for f in &d.files {
                if !is_safe_relative(&f.path) {
                    return Err(what(&format!(
                        "file path `{}` must be relative, without `..`",
                        f.path
                    )));
                }
                if !(f.url.starts_with("https://") || f.url.starts_with("http://")) {
                    return Err(what(&format!(
                        "url `{}` must start with http:// or https://",
                        f.url
                    )));
                }
                if f.unpack
                    && ![".tar.gz", ".tgz", ".tar"]
                        .iter()
                        .any(|ext| f.path.ends_with(ext))
                {
                    return Err(what(&format!(
                        "`{}` has unpack = true but is not a .tar.gz, .tgz or .tar",
                        f.path
                    )));
                }
                if let Some(h) = &f.sha256
                    && (h.len() != 64
                        || !h
                            .chars()
                            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)))
                {
                    return Err(what(&format!(
                        "sha256 of `{}` must be 64 lowercase hex digits",
                        f.path
                    )));
                }
            }
            for (k, f) in d.files.iter().enumerate() {
                if f.conversion_note.is_some()
                    && (!f.converted_from.is_empty() || f.sha256.is_none())
                {
                    return Err(what(&format!(
                        "`{}`: a conversion_note needs the sha256 of the table and no \
                         converted_from (that is for built-in conversions)",
                        f.path
                    )));
                }
                match (f.converted_from.is_empty(), &f.conversion) {
                    (true, None) => {}
                    (false, Some(how)) => {
                        for from in &f.converted_from {
                            let listed = d.files[..k].iter().any(|g| &g.path == from);
                            if !listed && !from.starts_with(super::reference::SCHEME) {
                                return Err(what(&format!(
                                    "`{}` is converted_from `{from}`, which is neither a file \
                                     listed before it nor a `dataset:NAME/PATH`",
                                    f.path
                                )));
                            }
                        }
                        let script = how.strip_prefix(super::convert::SCRIPT);
                        if script.is_some_and(|p| !is_safe_relative(p)) {
                            return Err(what(&format!(
                                "`{}`: conversion `{how}` must name a script by a relative path \
                                 in the hexafly repository",
                                f.path
                            )));
                        }
                        if script.is_none() && !super::convert::CONVERSIONS.contains(&how.as_str())
                        {
                            return Err(what(&format!(
                                "`{}`: unknown conversion `{how}`; expected one of {}",
                                f.path,
                                super::convert::CONVERSIONS.join(", ")
                            )));
                        }
                        if f.sha256.is_none() {
                            return Err(what(&format!(
                                "`{}` is a conversion and needs the sha256 of the converted file",
                                f.path
                            )));
                        }
                    }
                    _ => {
                        return Err(what(&format!(
                            "`{}`: converted_from and conversion go together",
                            f.path
                        )));
                    }
                }
            }
            if let Some(load) = &d.load
                && !is_safe_relative(load)
            {
                return Err(what(&format!(
                    "load path `{load}` must be relative, without `..`"
                )));
            }
        }
        Ok(reg)
    }

    /// The dataset with this name.
    pub fn get(&self, name: &str) -> Result<&Dataset, DatasetError> {
        self.datasets
            .iter()
            .find(|d| d.name == name)
            .ok_or_else(|| DatasetError::Unknown {
                name: name.to_owned(),
                known: self
                    .datasets
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

impl Dataset {
    /// The dataset's directory under a data directory.
    pub fn dir(&self, data_dir: &Path) -> PathBuf {
        data_dir.join(&self.name)
    }

    /// The path to load, under a data directory.
    pub fn load_path(&self, data_dir: &Path) -> PathBuf {
        self.dir(data_dir)
            .join(self.load.as_deref().unwrap_or(&self.files[0].path))
    }

    /// Total size in bytes of the files whose size is known, and whether every size is known.
    /// Conversion inputs (`input_only`) are not counted: they are installed only to make
    /// a table and are not part of the installed dataset.
    pub fn total_size(&self) -> (u64, bool) {
        let kept = || self.files.iter().filter(|f| !f.input_only);
        let known = kept().filter_map(|f| f.size).sum();
        (known, kept().all(|f| f.size.is_some()))
    }
}

impl DatasetFile {
    /// Where this file of `dataset` goes under a data directory.
    pub fn dest(&self, dataset: &Dataset, data_dir: &Path) -> PathBuf {
        dataset.dir(data_dir).join(&self.path)
    }
}

fn is_safe_relative(p: &str) -> bool {
    !p.is_empty()
        && Path::new(p)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_registry_is_valid_and_names_the_required_datasets() {
        let reg = Registry::builtin();
        for name in [
            "larva-winding2023",
            "flywire-783-shiu",
            "flywire-783-zenodo",
            "flywire-783-annotations",
        ] {
            let d = reg.get(name).unwrap();
            assert!(!d.citation.is_empty() && !d.licence.is_empty());
        }
        let larva = reg.get("larva-winding2023").unwrap();
        assert_eq!(larva.files[0].size, Some(1_107_380));
        assert!(
            larva.files[0]
                .sha256
                .as_deref()
                .unwrap()
                .starts_with("8c1f4380")
        );
    }

    #[test]
    fn every_real_subset_is_pinned_sized_and_hashed() {
        let reg = Registry::builtin();
        for name in [
            "flywire-783-escape",
            "flywire-783-steering-dn",
            "flywire-783-olfaction",
            "flywire-783-grooming",
            "flywire-783-annotations",
            "flywire-783-shiu-neurons",
            "flywire-783-descending-types",
            "flywire-783-optic-lobe-types",
            "manc-vnc",
            "fanc-motor",
            "larva-winding2023",
        ] {
            let d = reg.get(name).unwrap();
            assert!(!d.citation.is_empty() && !d.licence.is_empty(), "{name}");
            for f in &d.files {
                assert!(f.size.is_some() && f.sha256.is_some(), "{name}/{}", f.path);
                // A raw GitHub URL names a full 40-hex commit, never a branch.
                let rest = f
                    .url
                    .strip_prefix("https://raw.githubusercontent.com/")
                    .unwrap_or_else(|| panic!("{name}/{}: {}", f.path, f.url));
                let commit = rest.split('/').nth(2).unwrap();
                assert!(
                    commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()),
                    "{name}/{}: {}",
                    f.path,
                    f.url
                );
            }
        }
    }

    #[test]
    fn every_conversion_script_the_registry_names_is_in_the_repository() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut scripts = 0;
        for d in &Registry::builtin().datasets {
            for f in &d.files {
                if let Some(s) = f
                    .conversion
                    .as_deref()
                    .and_then(|c| c.strip_prefix("script:"))
                {
                    assert!(root.join(s).is_file(), "{}/{}: {s}", d.name, f.path);
                    scripts += 1;
                }
            }
        }
        assert_eq!(scripts, 3, "the three FANC tables");
    }

    #[test]
    fn bad_registries_are_rejected_with_the_reason() {
        let file = |extra: &str| {
            format!(
                "[[dataset]]\nname = \"x\"\ndescription = \"d\"\ncitation = \"c\"\nlicence = \"l\"\n\
                 [[dataset.files]]\npath = \"a.csv\"\nurl = \"https://e.org/a.csv\"\n{extra}"
            )
        };
        let p = Path::new("reg.toml");
        assert!(Registry::from_toml(&file(""), p).is_ok());
        let msg = |text: &str| Registry::from_toml(text, p).unwrap_err().to_string();
        assert!(msg(&file("sha256 = \"abc\"")).contains("64 lowercase hex"));
        assert!(msg(&file("colour = 1")).contains("unknown field `colour`"));
        assert!(msg(&file("size = -3")).contains("reg.toml"));
        assert!(msg(&file("").replace("a.csv\"\nurl", "../a.csv\"\nurl")).contains("without `..`"));
        assert!(msg(&file("").replace("https://e.org", "ftp://e.org")).contains("http://"));
        assert!(msg(&format!("{}\n{}", file(""), file(""))).contains("listed twice"));
        let unknown = Registry::from_toml(&file(""), p)
            .unwrap()
            .get("y")
            .unwrap_err()
            .to_string();
        assert_eq!(unknown, "unknown dataset `y`; known datasets: x");
    }
}
