//! `summary.json`: how a run ended and what it did, one typed definition for the writer
//! and every reader (plots, sweep tables, replay, Python).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::RecordError;

/// One link of the loop as the outputs report it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkReport {
    /// `sensor`, `readout` or `arbiter`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// `connectome` or `engineered`.
    pub link: String,
    /// Neurons it drives or reads.
    pub neurons: usize,
    /// Why.
    pub note: String,
}

/// Latency chain of one loom event (seconds after the event; null when it did not happen).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LatencyChain {
    /// Time of the loom event, s.
    pub event_s: f64,
    /// First escape-trigger (giant fibre) spike.
    pub first_trigger_spike_s: Option<f64>,
    /// First tick with the escape command.
    pub escape_command_s: Option<f64>,
    /// Thorax risen [`LIFT_OFF_RISE_M`](crate::closed_loop::monitors::LIFT_OFF_RISE_M) above its height at the escape command.
    pub lift_off_s: Option<f64>,
    /// Side of the threat relative to the body at the escape command (+ left).
    pub threat_azimuth_rad: Option<f32>,
    /// Heading change from the escape command to 0.5 s later (rad, + left).
    pub heading_change_rad: Option<f32>,
    /// Displacement from the escape command to 0.5 s later, in the body frame at the
    /// command: [forward, leftward] m.
    pub displacement_m: Option<[f32; 2]>,
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// Format tag, [`crate::record::folder::RUN_SCHEMA`].
    pub schema: String,
    /// `complete`, or `failed` (then `failure` says why and when).
    pub status: crate::record::Status,
    /// The error that stopped a failed run and the simulated time it reached.
    pub failure: Option<crate::record::Failure>,
    /// The experiment file.
    pub experiment: String,
    /// The connectome file.
    pub dataset: String,
    /// sha256 of the network as simulated (ids, CSR, signed counts).
    pub dataset_sha256: String,
    /// Neurons and synapse pairs.
    pub neurons: usize,
    /// Synapse pairs.
    pub edges: usize,
    /// Whether any wiring is synthetic (generated, surrogate) or shuffled.
    pub synthetic_wiring: bool,
    /// Why, in words.
    pub wiring_note: String,
    /// Seed of the degree-preserving shuffle, if any.
    pub shuffled: Option<u64>,
    /// The circuit map.
    pub circuit: String,
    /// Every link of the loop, marked connectome or engineered.
    pub links: Vec<LinkReport>,
    /// Duration, seconds.
    pub duration_s: f64,
    /// Seed.
    pub seed: u64,
    /// Seconds in each behaviour.
    pub behaviour_time_s: BTreeMap<String, f64>,
    /// Bouts of each behaviour (times it started, the first tick's included).
    pub bouts: BTreeMap<String, u32>,
    /// Per event (in file order): kind, time, and the first onset of each behaviour after
    /// it (s after the event).
    pub onsets: Vec<EventOnsets>,
    /// Per loom event.
    pub latency: Vec<LatencyChain>,
    /// Straight-line distance from start to end, m.
    pub distance_m: f32,
    /// Path length (sampled every tick), m.
    pub path_length_m: f32,
    /// Hunger removed by feeding.
    pub food_eaten: f32,
    /// Whether a taste organ (labellum or a front tarsus) touched a food source (absent in
    /// folders written before it was recorded: read as false).
    #[serde(default)]
    pub found_food: bool,
    /// When a taste organ first touched a food source, seconds (null if never).
    #[serde(default)]
    pub time_to_food_s: Option<f64>,
    /// Seconds spent walking with the head or body against a wall or obstacle.
    #[serde(default)]
    pub wall_contact_s: f64,
    /// Spikes of the whole brain.
    pub brain_spikes: u64,
    /// Spikes, synaptic events, active fraction and an energy estimate, per run and per
    /// behaviour ([`super::activity`]).
    pub activity: super::activity::Activity,
    /// Behaviour switches.
    pub switches: u32,
    /// Rows written to `timeline.csv` (readers check the file has them all).
    pub timeline_rows: u64,
    /// Simulated seconds per wall second (loading excluded).
    pub real_time_factor: f64,
    /// Wall time of the loop, s.
    pub wall_s: f64,
}

impl Summary {
    /// Reads a run folder's `summary.json` into the type it was written from: a summary of
    /// another format (`schema`) or a file that does not parse is an error naming the file.
    /// The one definition every reader shares (plots and sweep tables read the same fields).
    ///
    /// Errors: [`RecordError::Io`] (unreadable), [`RecordError::NotASummary`],
    /// [`RecordError::Schema`].
    pub fn read(dir: &Path) -> Result<Summary, RecordError> {
        use super::folder::{RUN_SCHEMA, SUMMARY_JSON};
        let path = dir.join(SUMMARY_JSON);
        let text = std::fs::read_to_string(&path).map_err(|source| RecordError::Io {
            action: "cannot read",
            path: path.clone(),
            source,
        })?;
        let s: Summary =
            serde_json::from_str(&text).map_err(|source| RecordError::NotASummary {
                path: path.clone(),
                source,
            })?;
        if s.schema != RUN_SCHEMA {
            return Err(RecordError::Schema {
                path,
                found: s.schema,
            });
        }
        Ok(s)
    }
}

/// Onsets after one event.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventOnsets {
    /// Event kind.
    pub kind: String,
    /// Time, s.
    pub at_s: f64,
    /// Behaviour -> seconds from the event to its first onset after it.
    pub onset_s: BTreeMap<String, f64>,
}
