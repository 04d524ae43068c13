//! From a dataset and a circuit map to a runnable brain, in one place: the map's sign rule
//! applied to the synapses, its selectors resolved on the neurons, the network compiled
//! with its model parameters. Experiments, the Python package, the circuit check and the
//! embedding example all build their brains here, so a user copying any of them gets the
//! same brain (a larva with `signs = "seeded"` gets its inhibitory neurons everywhere).
//!
//! ```
//! use std::path::Path;
//! use connectome::{Connectome, EdgeListBuilder, NeuronTable};
//! use controller::circuit::CircuitMap;
//! use controller::sensors::Sensors;
//! use controller::{ControllerParams, Wiring};
//!
//! // Two neurons: a looming detector onto the giant fibre, 40 synapses.
//! let mut neurons = NeuronTable::new();
//! for (id, kind) in [(1, "LC4"), (2, "DNp01")] {
//!     let (i, _) = neurons.insert(id);
//!     neurons.set_annotation(i, "type", kind);
//! }
//! let mut edges = EdgeListBuilder::with_capacity(1);
//! edges.push(0, 1, 40);
//! let connectome = Connectome {
//!     format: "edge-list".into(),
//!     sources: Vec::new(),
//!     neurons,
//!     synapses: edges.build(2),
//!     synthetic: None,
//! };
//! let map = CircuitMap::parse(
//!     r#"
//! name = "toy"
//! [[sensor]]
//! name = "looming"
//! neurons = "type=LC4"
//! side = "left"
//! field = "looming.expansion"
//! encoding = { curve = "saturating", max_hz = 200.0, half_at = 5.0 }
//! link = "connectome"
//! note = "LC4 sees the looming object"
//! [[readout]]
//! name = "escape"
//! command = "escape"
//! neurons = "type=DNp01"
//! trigger = { spikes = 1, window_ms = 2.0 }
//! link = "connectome"
//! note = "the giant fibre drives the jump"
//! "#,
//!     Path::new("toy.toml"),
//! )
//! .unwrap();
//! let wiring = Wiring::compile(connectome, map, "toy").unwrap();
//! let mut brain = wiring.controller(&ControllerParams::default()).unwrap();
//! assert_eq!(brain.tick(&Sensors::default()).decision.behaviour.as_str(), "stand");
//!
//! // An object looming on the left eye: LC4 fire, the giant fibre follows, the fly jumps.
//! let mut sensors = Sensors::default();
//! sensors.looming[0].expansion = 8.0;
//! let escaped = (0..100).any(|_| brain.tick(&sensors).decision.behaviour.as_str() == "escape");
//! assert!(escaped);
//! ```

use std::borrow::Cow;
use std::sync::Arc;

use connectome::{Connectome, SynapseMatrix};

use crate::brain::Network;
use crate::brain::params::ParamsError;
use crate::brain::signs::{SignError, apply_signs, seeded_inhibitory};
use crate::circuit::map::{ModelSpec, SignSpec};
use crate::circuit::resolve::Resolved;
use crate::circuit::{CircuitError, CircuitMap};
use crate::tick::{Controller, ControllerError, ControllerParams};

/// A connectome wired as a circuit map says, compiled into a network.
#[derive(Debug)]
pub struct Wiring {
    /// The connectome, its synapses signed by the map's rule.
    pub connectome: Connectome,
    /// The circuit map.
    pub map: CircuitMap,
    /// The map's selectors on this connectome.
    pub resolved: Resolved,
    /// The network, compiled with the map's model parameters; shared by every controller
    /// (and every brain thread) built from it.
    pub network: Arc<Network>,
}

/// Why a connectome and a map do not make a brain.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    /// The map's sign rule could not be applied.
    #[error("the circuit map's sign rule: {0}")]
    Signs(#[from] SignError),
    /// A selector of the map does not fit this connectome.
    #[error(transparent)]
    Map(#[from] CircuitError),
    /// The model parameters do not make a network.
    #[error("{}: {source}", .map.display())]
    Network {
        /// The map file (its `[model]`).
        map: std::path::PathBuf,
        /// What is wrong.
        source: ParamsError,
    },
}

impl Wiring {
    /// Wires `connectome` as `map` says: its sign rule (`[model] signs`), its selectors
    /// resolved (`label` names the dataset in errors), its model parameters compiled.
    pub fn compile(
        mut connectome: Connectome,
        map: CircuitMap,
        label: &str,
    ) -> Result<Wiring, WiringError> {
        let model = map.model_or_default();
        if let Cow::Owned(signed) = signed_synapses(&connectome, &model)? {
            connectome.synapses = signed;
        }
        let resolved = map.resolve(&connectome.neurons, label)?;
        let network =
            Network::new(&connectome.synapses, model.params(), &[]).map_err(|source| {
                WiringError::Network {
                    map: map.file().to_path_buf(),
                    source,
                }
            })?;
        Ok(Wiring {
            connectome,
            map,
            resolved,
            network: Arc::new(network),
        })
    }

    /// A controller of this brain: its encoder, decoder and arbiter as the map and `cfg`
    /// say (see [`Controller::new`]).
    pub fn controller(&self, cfg: &ControllerParams) -> Result<Controller, ControllerError> {
        Controller::new(Arc::clone(&self.network), &self.map, &self.resolved, cfg)
    }
}

/// The synapse matrix signed as `model` says: as loaded (transmitters) or with a seeded
/// fraction of inhibitory neurons. Borrowed when the loaded signs are kept (a whole brain's
/// matrix is ~180 MB).
pub fn signed_synapses<'a>(
    c: &'a Connectome,
    model: &ModelSpec,
) -> Result<Cow<'a, SynapseMatrix>, SignError> {
    match model.signs {
        SignSpec::Transmitter => Ok(Cow::Borrowed(&c.synapses)),
        SignSpec::Seeded {
            inhibitory_fraction,
            seed,
        } => {
            let mut m = c.synapses.clone();
            let inh = seeded_inhibitory(&c.neurons, inhibitory_fraction, seed);
            apply_signs(&mut m, &inh, c.neurons.ids())?;
            Ok(Cow::Owned(m))
        }
    }
}
