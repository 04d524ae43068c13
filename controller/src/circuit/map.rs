//! A circuit map: which neurons each sense drives and which neurons each motor command
//! reads, for one dataset. The TOML format is documented in `assets/circuits/README.md`;
//! [`CircuitMap::load`] parses and validates it (the serde schema lives in [`super::raw`]),
//! [`CircuitMap::resolve`](super::resolve) applies its selectors to a dataset.

use std::path::{Path, PathBuf};

use connectome::select::Selector;
use serde::{Deserialize, Serialize};

use super::encoding::Encoding;
use super::error::{CircuitError, Problem};
use super::fields::SensorField;
use super::keys::KeyIndex;
use crate::anatomy::Side;
use crate::brain::ModelParams;

/// Whether a link comes from the wiring or was engineered (and why, in the `note`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Link {
    /// Supported by the connectome: annotated receptor neurons of the modality, or
    /// descending neurons whose published activation phenotype is the command.
    Connectome,
    /// A modelling choice (an engineered proxy, a scale or a threshold) stated in the note.
    Engineered,
}

impl Link {
    /// `connectome` or `engineered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Connectome => "connectome",
            Link::Engineered => "engineered",
        }
    }
}

/// What a readout commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    /// Forward walking drive (filtered rate).
    Forward,
    /// Turning: left group minus right group (left more active = turn left).
    Turn,
    /// Backward walking drive.
    Backward,
    /// Escape, triggered by spikes (not by a filtered rate).
    Escape,
    /// Grooming drive.
    Groom,
    /// Feeding drive.
    Feed,
}

impl Command {
    /// The name used in maps and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Forward => "forward",
            Command::Turn => "turn",
            Command::Backward => "backward",
            Command::Escape => "escape",
            Command::Groom => "groom",
            Command::Feed => "feed",
        }
    }
}

/// A selector of a map, with the side it stands for (None: both / not sided) and the key
/// it was written under (for messages).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    /// Side of the body this group stands for.
    pub side: Option<Side>,
    /// The neurons.
    pub selector: Selector,
    /// Key path in the map, e.g. `sensor[0].left`.
    pub key: String,
}

/// One sensor: a `Sensors` field driving neuron groups through an encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorSpec {
    /// Unique name.
    pub name: String,
    /// The field read.
    pub field: SensorField,
    /// One group (`neurons`), or one per side (`left`, `right`).
    pub groups: Vec<GroupSpec>,
    /// Stimulus -> rate.
    pub encoding: Encoding,
    /// Connectome or engineered.
    pub link: Link,
    /// Why these neurons, this curve.
    pub note: String,
}

/// How a readout's baseline is subtracted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Baseline {
    /// No subtraction.
    None,
    /// A fixed rate (Hz).
    Fixed(f64),
    /// The group's mean rate measured with no sensory drive over this long (ms).
    MeasuredAtRest(f64),
}

/// Rate filter of a readout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filter {
    /// Exponential filter time constant (ms).
    pub tau_ms: f64,
    /// Baseline subtraction.
    pub baseline: Baseline,
}

/// Spike trigger of an escape readout: fire when `spikes` spikes fall within `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trigger {
    /// Spikes needed (>= 1).
    pub spikes: u32,
    /// Window (ms).
    pub window_ms: f64,
}

/// One readout: neuron groups whose activity commands a behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadoutSpec {
    /// Unique name.
    pub name: String,
    /// What it commands.
    pub command: Command,
    /// One group, or left and right.
    pub groups: Vec<GroupSpec>,
    /// Rate filter (every command but escape).
    pub filter: Option<Filter>,
    /// Spike trigger (escape).
    pub trigger: Option<Trigger>,
    /// Connectome or engineered.
    pub link: Link,
    /// Why this readout.
    pub note: String,
}

/// How synapse counts become signs on this dataset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SignSpec {
    /// From the presynaptic transmitter as loaded (GABA, glutamate inhibit).
    Transmitter,
    /// A seeded fraction of neurons inhibitory (controller::brain::signs), for datasets
    /// without transmitter data.
    Seeded {
        /// Fraction of inhibitory neurons, 0..1.
        inhibitory_fraction: f64,
        /// Seed of the hash.
        seed: u64,
    },
}

/// The `[model]` table: brain parameters this map sets for its dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    /// Weight of one synapse (mV); default the Shiu et al. 0.275.
    pub w_syn_mv: f64,
    /// Sign rule.
    pub signs: SignSpec,
    /// How the numbers were chosen.
    pub note: String,
}

impl Default for ModelSpec {
    fn default() -> Self {
        ModelSpec {
            w_syn_mv: ModelParams::default().w_syn_mv,
            signs: SignSpec::Transmitter,
            note: String::new(),
        }
    }
}

impl ModelSpec {
    /// The brain parameters: the published model with this map's synapse weight.
    pub fn params(&self) -> ModelParams {
        ModelParams {
            w_syn_mv: self.w_syn_mv,
            ..ModelParams::default()
        }
    }
}

/// A parsed, validated circuit map.
#[derive(Debug, Clone)]
pub struct CircuitMap {
    /// Map name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The dataset it was written for (informational).
    pub dataset: Option<String>,
    /// The `[model]` table, if any.
    pub model: Option<ModelSpec>,
    /// Sensors, in file order.
    pub sensors: Vec<SensorSpec>,
    /// Readouts, in file order.
    pub readouts: Vec<ReadoutSpec>,
    pub(crate) file: PathBuf,
    pub(crate) text: String,
    pub(crate) keys: KeyIndex,
}

impl CircuitMap {
    /// Reads and validates the map at `path`.
    pub fn load(path: &Path) -> Result<CircuitMap, CircuitError> {
        let text = std::fs::read_to_string(path).map_err(|source| CircuitError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        CircuitMap::parse(&text, path)
    }

    /// Validates a map's text; `file` names it in errors and anchors relative `id@FILE`
    /// paths.
    pub fn parse(text: &str, file: &Path) -> Result<CircuitMap, CircuitError> {
        let keys = KeyIndex::new(text);
        super::raw::parse(text, file, keys)
    }

    /// The file the map was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The map's directory (base of relative `id@FILE` selectors).
    pub fn base_dir(&self) -> Option<&Path> {
        self.file.parent().filter(|p| !p.as_os_str().is_empty())
    }

    /// The model this map asks for (the published one when it has no `[model]` table).
    pub fn model_or_default(&self) -> ModelSpec {
        self.model.clone().unwrap_or_default()
    }

    /// A problem at key `key` with its line and column.
    pub(crate) fn problem(&self, key: &str, message: impl Into<String>) -> Problem {
        let (line, column) = self.keys.locate(&self.text, key).unzip();
        Problem {
            line,
            column,
            key: key.to_owned(),
            message: message.into(),
        }
    }

    /// The sensor named `name`.
    pub fn sensor(&self, name: &str) -> Option<&SensorSpec> {
        self.sensors.iter().find(|s| s.name == name)
    }
}
