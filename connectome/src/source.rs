//! Loading a dataset by path or by name: a path in any supported format or the name of a
//! known dataset (found in the data directory), through the binary cache, optionally
//! rewired as the null model. Every command, experiment and script loads connectomes this
//! one way; with the `clap` feature the same type is the commands' loading flags.

use std::path::{Path, PathBuf};

use crate::Connectome;
use crate::cache::{CacheStatus, load_cached_with_status};
use crate::datasets::{self, DatasetError, Registry};
use crate::error::LoadError;
use crate::formats::{Format, LoadParams, UnknownFormatName, load};
use crate::shuffle::{ShuffleError, degree_preserving_shuffle};

/// Why a dataset could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The files do not read as the format.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A dataset name that is unknown, or not installed.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// The null model could not be built.
    #[error(transparent)]
    Shuffle(#[from] ShuffleError),
    /// `--format` names no format.
    #[error(transparent)]
    Format(#[from] UnknownFormatName),
    /// An annotation table that is neither a file nor a dataset's name.
    #[error(
        "annotation table {} not found: neither a file nor a known dataset's name \
         (`hexafly datasets` lists them)",
        .0.display()
    )]
    UnknownTable(PathBuf),
}

impl SourceError {
    /// Whether a known dataset is not installed in the data directory.
    pub fn is_missing_dataset(&self) -> bool {
        matches!(self, SourceError::Dataset(DatasetError::Missing { .. }))
    }
}

/// Loading flags shared by the commands that read a connectome.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct DatasetSource {
    /// Format name instead of detecting it from the path.
    #[cfg_attr(feature = "clap", arg(long))]
    pub format: Option<String>,
    /// Extra neuron tables whose annotations are attached to the loaded neurons (repeatable).
    #[cfg_attr(feature = "clap", arg(long))]
    pub annotations: Vec<PathBuf>,
    /// Load from the source files, bypassing the binary cache.
    #[cfg_attr(feature = "clap", arg(long))]
    pub no_cache: bool,
    /// Cache directory (default: $HEXAFLY_CACHE, else the platform cache dir).
    #[cfg_attr(feature = "clap", arg(long))]
    pub cache_dir: Option<PathBuf>,
    /// Data directory for dataset names (default: $HEXAFLY_DATA, else the platform data dir).
    #[cfg_attr(feature = "clap", arg(long))]
    pub data_dir: Option<PathBuf>,
    /// Dataset list for dataset names (default: the built-in assets/datasets.toml).
    #[cfg_attr(feature = "clap", arg(long))]
    pub registry: Option<PathBuf>,
    /// Rewire the loaded network by a degree-preserving shuffle with this seed
    /// (connectome::shuffle): the null model, not the real wiring; reports say so.
    /// `circuit check` keeps the real wiring and uses this seed for its null columns.
    #[cfg_attr(feature = "clap", arg(long, value_name = "SEED"))]
    pub shuffle: Option<u64>,
}

/// A loaded connectome and how the cache served it.
pub struct Loaded {
    /// The network.
    pub connectome: Connectome,
    /// The file it was loaded from (a dataset name resolved to its file).
    pub path: PathBuf,
    /// `hit`, `rebuilt`, `disabled` or `off` (with --no-cache).
    pub cache: &'static str,
    /// The seed of the degree-preserving shuffle applied (--shuffle), if any.
    pub shuffled: Option<u64>,
}

impl DatasetSource {
    /// Loads `path_or_name` with these flags, rewired when --shuffle is given (with a note
    /// on stderr, so that no output made on it passes for the real wiring).
    pub fn load(&self, path_or_name: &Path) -> Result<Loaded, SourceError> {
        let mut loaded = self.load_unshuffled(path_or_name)?;
        if let Some(seed) = self.shuffle {
            let c = &mut loaded.connectome;
            c.synapses = degree_preserving_shuffle(&c.synapses, seed)?;
            loaded.shuffled = Some(seed);
            tracing::warn!(
                "{} was rewired by a degree-preserving shuffle (seed {seed}): this is the null \
                 model, not the real wiring",
                path_or_name.display()
            );
        }
        Ok(loaded)
    }

    /// Loads `path_or_name` with these flags, ignoring --shuffle.
    pub fn load_unshuffled(&self, path_or_name: &Path) -> Result<Loaded, SourceError> {
        let mut opts = LoadParams::default();
        let (path, registry_format) = self.resolve(path_or_name)?;
        if let Some(f) = self.format.as_deref().or(registry_format.as_deref()) {
            opts.format = Some(f.parse::<Format>()?);
        }
        opts.annotations = self.annotations.clone();
        opts.data_dir = self.data_dir.clone();
        let (connectome, cache) = if self.no_cache {
            (load(&path, &opts)?, "off")
        } else {
            let (c, status) = load_cached_with_status(&path, &opts, self.cache_dir.as_deref())?;
            let status = match status {
                CacheStatus::Hit => "hit",
                CacheStatus::Rebuilt(_) => "rebuilt",
                CacheStatus::Disabled => "disabled",
            };
            (c, status)
        };
        Ok(Loaded {
            connectome,
            path,
            cache,
            shuffled: None,
        })
    }

    /// The neuron tables of `path_or_name`: the file, or every file of a known dataset
    /// (located in the data directory, with an error saying how to get it when absent).
    pub fn tables(&self, path_or_name: &Path) -> Result<Vec<PathBuf>, SourceError> {
        if datasets::is_reference(path_or_name) {
            return Ok(vec![self.resolve(path_or_name)?.0]);
        }
        if path_or_name.exists() {
            return Ok(vec![path_or_name.to_path_buf()]);
        }
        let name = path_or_name.to_string_lossy();
        let registry = self.registry()?;
        if registry.get(&name).is_err() {
            return Err(SourceError::UnknownTable(path_or_name.to_path_buf()));
        }
        let dir = datasets::data_dir(self.data_dir.as_deref())?;
        Ok(registry.locate(&name, &dir)?.files)
    }

    /// Whether every file of the known dataset `name` is in the data directory.
    pub fn has_dataset(&self, name: &str) -> bool {
        let Ok(registry) = self.registry() else {
            return false;
        };
        datasets::data_dir(self.data_dir.as_deref())
            .is_ok_and(|dir| registry.locate(name, &dir).is_ok())
    }

    fn registry(&self) -> Result<Registry, SourceError> {
        Ok(match &self.registry {
            Some(p) => Registry::from_file(p)?,
            None => Registry::active()?,
        })
    }

    /// The dataset path, and the registry's format for a dataset given by name. A path that
    /// exists is always a path; otherwise a known dataset name is located in the data
    /// directory (with an error saying which file to put where when it is absent).
    fn resolve(&self, path_or_name: &Path) -> Result<(PathBuf, Option<String>), SourceError> {
        if let Some(r) = path_or_name.to_str().and_then(datasets::DataRef::parse) {
            let r = r?;
            let registry = self.registry()?;
            let dir = datasets::data_dir(self.data_dir.as_deref())?;
            let format = match r.inside {
                None => registry.get(&r.dataset)?.format.clone(),
                Some(_) => None,
            };
            return Ok((r.locate(&registry, &dir)?, format));
        }
        if path_or_name.exists() {
            return Ok((path_or_name.to_path_buf(), None));
        }
        let name = path_or_name.to_string_lossy();
        let registry = self.registry()?;
        if registry.get(&name).is_err() {
            // Not a dataset name: let the loader report the missing path in its own words.
            return Ok((path_or_name.to_path_buf(), None));
        }
        let dir = datasets::data_dir(self.data_dir.as_deref())?;
        let found = registry.locate(&name, &dir)?;
        Ok((found.load, found.format))
    }
}
