//! Dataset formats: detection from a path and one loader per format.
//!
//! [`load`] detects the [`Format`] of a path (or takes `LoadParams::format`) and calls that
//! format's loader. Every loader reads through a `BufRead`-level function (so tests and the
//! fuzz target can feed bytes) wrapped by a path-level one that names the file in errors.

use std::path::{Path, PathBuf};

use crate::{Connectome, LoadError, SignRule};

pub mod annotations;
pub mod codex;
pub mod compose;
mod detect;
mod edge_blocks;
pub mod edge_list;
pub mod edges;
pub mod feather;
pub mod larva;
pub mod neuprint;
pub mod shiu;

pub use detect::detect;
pub use edge_list::EdgeColumns;

/// The dataset formats hexafly reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The larval connectome Data S1 zip (Winding et al. 2023): dense matrix CSVs.
    LarvaS1,
    /// FlyWire Codex exports: connections plus neuron/classification/cell-type tables.
    FlywireCodex,
    /// Shiu et al. 2024 model files: `Completeness_*.csv` + `Connectivity_*.parquet`.
    Shiu,
    /// Zenodo `proofread_connections_783.feather` (Arrow IPC).
    Feather,
    /// neuPrint exports: neurons CSV + connections CSV (`bodyId_pre,bodyId_post,weight`).
    Neuprint,
    /// An edge CSV: `pre,post,weight` or any layout through a column mapping.
    EdgeList,
    /// A TOML manifest composing several sources into one network.
    Manifest,
    /// A surrogate spec (`*.surrogate.toml`): real neuron table, real subsets, synthetic
    /// background, planted paths ([`crate::surrogate`]).
    Surrogate,
}

impl Format {
    /// Every format, in the order listed to users.
    pub const ALL: [Format; 8] = [
        Format::LarvaS1,
        Format::FlywireCodex,
        Format::Shiu,
        Format::Feather,
        Format::Neuprint,
        Format::EdgeList,
        Format::Manifest,
        Format::Surrogate,
    ];

    /// The kebab-case name used by `--format` and reported by `connectome info`.
    pub fn name(self) -> &'static str {
        match self {
            Format::LarvaS1 => "larva-s1",
            Format::FlywireCodex => "flywire-codex",
            Format::Shiu => "shiu",
            Format::Feather => "feather",
            Format::Neuprint => "neuprint",
            Format::EdgeList => "edge-list",
            Format::Manifest => "manifest",
            Format::Surrogate => "surrogate",
        }
    }

    /// All names, comma separated (for messages).
    pub fn known_names() -> String {
        Format::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{given}`; expected one of: {known}")]
pub struct UnknownFormatName {
    /// What was given.
    pub given: String,
    /// The known names.
    pub known: String,
}

impl std::str::FromStr for Format {
    type Err = UnknownFormatName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace('_', "-");
        Format::ALL
            .into_iter()
            .find(|f| f.name() == t)
            .ok_or_else(|| UnknownFormatName {
                given: s.to_owned(),
                known: Format::known_names(),
            })
    }
}

/// Options shared by all loaders. `LoadParams::default()` detects everything.
#[derive(Debug, Clone)]
pub struct LoadParams {
    /// How presynaptic transmitters become synapse signs.
    pub sign_rule: SignRule,
    /// Use this format instead of detecting it from the path.
    pub format: Option<Format>,
    /// Edge CSV column mapping; `None` recognises the published layouts from the header.
    pub columns: Option<EdgeColumns>,
    /// Neuron tables (Codex neurons/classification/cell types, neuPrint neurons) that
    /// define the neuron set: every neuron they list is kept, and an edge naming an id that
    /// none of them lists is an error.
    pub neuron_tables: Vec<PathBuf>,
    /// Neuron tables whose annotations are attached to neurons that the edges already name
    /// (ids they list that are not in the network are ignored): e.g. the FlyWire
    /// classification onto a small circuit subset.
    pub annotations: Vec<PathBuf>,
    /// Whether loaders look for the neuron tables published beside an edge file (Codex
    /// `neurons.csv.gz` etc., neuPrint `neurons.csv`). Default true.
    pub tables_beside: bool,
    /// The longest line accepted in a text table (bounds memory on malformed input).
    pub max_line_bytes: usize,
    /// The data directory in which `dataset:NAME` references of manifests and surrogate
    /// specs are found; `None`: `$HEXAFLY_DATA`, else the platform's (see
    /// [`crate::datasets::resolve`]).
    pub data_dir: Option<PathBuf>,
}

impl Default for LoadParams {
    fn default() -> Self {
        LoadParams {
            sign_rule: SignRule::default(),
            format: None,
            columns: None,
            neuron_tables: Vec::new(),
            annotations: Vec::new(),
            tables_beside: true,
            max_line_bytes: crate::table_reader::DEFAULT_MAX_LINE_BYTES,
            data_dir: None,
        }
    }
}

/// Loads a dataset from `path`: the format is `opts.format` or detected from the path.
pub fn load(path: &Path, opts: &LoadParams) -> Result<Connectome, LoadError> {
    let format = match opts.format {
        Some(f) => f,
        None => detect(path)?,
    };
    let mut c = match format {
        Format::LarvaS1 => larva::load(path, opts)?,
        Format::FlywireCodex => codex::load(path, opts)?,
        Format::Shiu => shiu::load(path, opts)?,
        Format::Feather => feather::load(path, opts)?,
        Format::Neuprint => neuprint::load(path, opts)?,
        Format::EdgeList => edge_list::load(path, opts)?,
        Format::Manifest => compose::load(path, opts)?,
        Format::Surrogate => crate::surrogate::load(path, opts)?,
    };
    // Edge-based loaders attach `opts.annotations` themselves, before signs are resolved
    // (an attached table may carry transmitters); the others get them here.
    if matches!(format, Format::LarvaS1 | Format::Shiu | Format::Feather) {
        for a in &opts.annotations {
            annotations::attach_file(a, &mut c.neurons, annotations::Mode::AnnotateExisting, opts)?;
            c.sources.push(a.clone());
        }
    }
    Ok(c)
}
