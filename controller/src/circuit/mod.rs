//! Circuit maps: which sensory neurons each sense drives and which descending neurons each
//! motor command reads, as data (`assets/circuits/*.toml`, format in
//! `assets/circuits/README.md`), and the check of a map against a dataset's wiring.
//!
//! - [`map`]: the validated map ([`CircuitMap::load`]); its serde schema is private (`raw.rs`).
//! - [`fields`]: the `Sensors` fields a sensor may read.
//! - [`encoding`]: stimulus -> Poisson rate curves and internal-state gains.
//! - [`resolve`]: selectors -> neuron indices on a dataset, with counts.
//! - [`paths`]: shortest and strongest (widest) paths, direct synapses.
//! - [`drive`]: the drive test (sensory group at its top rate, readout rates over trials).
//! - [`propose`]: readouts proposed from left/right drive of a sensor.
//! - [`check`]: all of the above on real wiring and on a degree-preserving shuffle.
//! - [`report`], [`text`]: the check's JSON structure and its text rendering.
//!
//! # Example
//! ```
//! use std::path::Path;
//! use connectome::NeuronTable;
//! use controller::circuit::CircuitMap;
//!
//! let text = r#"
//! name = "toy"
//! [[readout]]
//! name = "escape"
//! command = "escape"
//! neurons = "type=DNp01"
//! trigger = { spikes = 1, window_ms = 2.0 }
//! link = "connectome"
//! note = "the giant fibre drives the jump"
//! "#;
//! let map = CircuitMap::parse(text, Path::new("toy.toml")).unwrap();
//! let mut t = NeuronTable::new();
//! let (i, _) = t.insert(7);
//! t.set_annotation(i, "type", "DNp01");
//! let r = map.resolve(&t, "toy").unwrap();
//! assert_eq!(r.readouts[0][0].neurons, vec![0]);
//! ```

pub mod check;
pub mod drive;
pub mod encoding;
pub mod error;
pub mod fields;
mod keys;
pub mod map;
pub mod paths;
pub mod propose;
mod raw;
pub mod report;
pub mod resolve;
pub mod text;

pub use check::{CheckParams, check};
pub use error::{CircuitError, Problem};
pub use fields::SensorField;
pub use map::{CircuitMap, Command, Link};
pub use report::CheckReport;
