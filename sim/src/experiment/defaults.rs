//! The experiment a user gets without naming one: on the FlyWire v783 whole brain when it
//! is in the data directory, else on the compact circuit shipped in assets/ (offline).

use std::path::PathBuf;

use connectome::source::DatasetSource;

/// The datasets the whole-brain default needs: the Shiu et al. model files (neurons and
/// wiring) and the Codex tables that name the neurons for the circuit map.
pub const WHOLE_BRAIN_DATASETS: [&str; 2] = ["flywire-783-shiu", "flywire-783-annotations"];

/// The default experiment chosen, and one line saying what it runs on.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultExperiment {
    /// The experiment file.
    pub path: PathBuf,
    /// Which connectome, and how to get the bigger ones when it is the small one.
    pub says: String,
}

fn experiments_dir() -> PathBuf {
    crate::assets::path("experiments")
}

/// The mission on the compact circuit shipped in assets/ (what `hexafly run` runs without a
/// file).
pub fn small() -> PathBuf {
    experiments_dir().join("default.toml")
}

/// The same mission on the FlyWire v783 whole brain (needs
/// [`WHOLE_BRAIN_DATASETS`] in the data directory).
pub fn whole_brain() -> PathBuf {
    experiments_dir().join("default_whole_brain.toml")
}

/// The best default for the data directory of `source`.
pub fn best(source: &DatasetSource) -> DefaultExperiment {
    if WHOLE_BRAIN_DATASETS.iter().all(|d| source.has_dataset(d)) {
        DefaultExperiment {
            path: whole_brain(),
            says: format!(
                "the default experiment on the FlyWire v783 whole brain ({} in the data \
                 directory)",
                WHOLE_BRAIN_DATASETS.join(" + ")
            ),
        }
    } else {
        DefaultExperiment {
            path: small(),
            says: format!(
                "the mission (groom, walk to food, feed, escape a loom) on the compact FlyWire v783 \
                 circuit shipped with hexafly (real subsets + planted links, labelled \
                 synthetic); for the whole brain: {} (`hexafly datasets` lists the others)",
                WHOLE_BRAIN_DATASETS
                    .map(|d| format!("`hexafly fetch {d}`"))
                    .join(" and ")
            ),
        }
    }
}
