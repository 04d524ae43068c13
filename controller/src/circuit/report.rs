//! The circuit check's report: a serde structure written as JSON (`--json`; its fields are
//! documented in `assets/circuits/README.md`, schema `hexafly.circuit-check/1`) or as text.
//! Field order is fixed by the structs, lists follow the map's order, so the JSON is stable
//! for a given map, dataset and seeds.

use serde::Serialize;

/// Schema tag of the JSON report.
pub const SCHEMA: &str = "hexafly.circuit-check/1";

/// Everything `hexafly circuit check` reports.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The map.
    pub circuit: CircuitInfo,
    /// The dataset and where its wiring comes from.
    pub dataset: DatasetInfo,
    /// The brain model used by the drive test.
    pub model: ModelInfo,
    /// Sensors with their resolved groups.
    pub sensors: Vec<SensorInfo>,
    /// Readouts with their resolved groups.
    pub readouts: Vec<ReadoutInfo>,
    /// One entry per (sensor group, readout group).
    pub paths: Vec<PathInfo>,
    /// The drive test (None with `--no-drive`).
    pub drive: Option<DriveReport>,
    /// Readout proposal (with `--propose SENSOR`).
    pub propose: Option<ProposeReport>,
    /// What was skipped and why.
    pub notes: Vec<String>,
}

/// The map checked.
#[derive(Debug, Clone, Serialize)]
pub struct CircuitInfo {
    /// Map name.
    pub name: String,
    /// Map file.
    pub file: String,
    /// Dataset the map was written for.
    pub written_for: Option<String>,
}

/// The dataset and the provenance of its wiring.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetInfo {
    /// As given on the command line.
    pub label: String,
    /// Format name.
    pub format: String,
    /// Neurons.
    pub neurons: usize,
    /// Connected pairs.
    pub edges: usize,
    /// Synapses.
    pub synapses: u64,
    /// Neurons whose id is in the synthetic id range (connectome::synth).
    pub synthetic_neurons: usize,
    /// `real`, `synthetic` or `partly synthetic`: the wiring of the "real" columns.
    pub wiring: &'static str,
    /// Why the wiring is synthetic (generated network, surrogate), if it is.
    pub synthetic_note: Option<String>,
}

/// The brain model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    /// Weight of one synapse (mV).
    pub w_syn_mv: f64,
    /// `transmitter` or `seeded`.
    pub signs: &'static str,
    /// With seeded signs.
    pub inhibitory_fraction: Option<f64>,
    /// With seeded signs.
    pub sign_seed: Option<u64>,
    /// Whether the map's `[model]` table set these (else the published defaults).
    pub from_map: bool,
    /// Whether `w_syn_mv` was set on the command line instead (`--w-syn-mv`).
    pub weight_overridden: bool,
    /// The map's note on the model.
    pub note: String,
}

/// One resolved selector.
#[derive(Debug, Clone, Serialize)]
pub struct GroupInfo {
    /// `left`, `right` or `both`.
    pub side: &'static str,
    /// Key in the map.
    pub key: String,
    /// Canonical selector.
    pub selector: String,
    /// Neurons selected.
    pub neurons: usize,
}

/// One sensor.
#[derive(Debug, Clone, Serialize)]
pub struct SensorInfo {
    /// Name.
    pub name: String,
    /// Sensors field.
    pub field: String,
    /// `connectome` or `engineered`.
    pub link: &'static str,
    /// Why.
    pub note: String,
    /// Highest rate of the curve (Hz): the drive test's rate.
    pub top_rate_hz: f64,
    /// Groups.
    pub groups: Vec<GroupInfo>,
}

/// One readout.
#[derive(Debug, Clone, Serialize)]
pub struct ReadoutInfo {
    /// Name.
    pub name: String,
    /// Command.
    pub command: &'static str,
    /// `connectome` or `engineered`.
    pub link: &'static str,
    /// Why.
    pub note: String,
    /// Groups.
    pub groups: Vec<GroupInfo>,
}

/// A neuron named in a report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NeuronRef {
    /// Dataset id.
    pub id: u64,
    /// `type` annotation ("" if none).
    pub r#type: String,
    /// `side` annotation ("" if none).
    pub side: String,
}

/// Path measures on one wiring.
#[derive(Debug, Clone, Serialize)]
pub struct PathMeasures {
    /// Shortest path over synapses of any sign (hops; None: unreachable).
    pub hops_any_sign: Option<u32>,
    /// Shortest path over excitatory synapses only.
    pub hops_excitatory: Option<u32>,
    /// Summed signed synapse counts from the sensor group straight onto the readout group.
    pub direct_synapses: i64,
    /// Connected (sensor neuron, readout neuron) pairs.
    pub direct_pairs: usize,
    /// Widest path: its weakest link (synapses; None: unreachable).
    pub strongest_bottleneck: Option<u32>,
    /// The widest path's neurons (source first).
    pub strongest_path: Vec<NeuronRef>,
    /// Signed counts along it.
    pub strongest_counts: Vec<i32>,
}

/// One (sensor group, readout group) pair.
#[derive(Debug, Clone, Serialize)]
pub struct PathInfo {
    /// Sensor name.
    pub sensor: String,
    /// Sensor group side.
    pub sensor_side: &'static str,
    /// Readout name.
    pub readout: String,
    /// Readout group side.
    pub readout_side: &'static str,
    /// `connectome` or `engineered` (the readout's link).
    pub link: &'static str,
    /// On the wiring as loaded.
    pub real: PathMeasures,
    /// On the degree-preserving shuffle (None without a null model).
    pub null: Option<PathMeasures>,
}

/// The drive test.
#[derive(Debug, Clone, Serialize)]
pub struct DriveReport {
    /// Per condition (ms).
    pub duration_ms: f64,
    /// Trials per condition.
    pub trials: u32,
    /// Poisson seed.
    pub seed: u64,
    /// The null model (None: not run).
    pub null: Option<NullInfo>,
    /// One per (sensor group).
    pub tests: Vec<DriveTest>,
}

/// How the null wiring was made.
#[derive(Debug, Clone, Serialize)]
pub struct NullInfo {
    /// Always true: the null columns are shuffled wiring, not the connectome.
    pub shuffled: bool,
    /// connectome::shuffle method.
    pub method: &'static str,
    /// Shuffle seed.
    pub seed: u64,
}

/// One driven group.
#[derive(Debug, Clone, Serialize)]
pub struct DriveTest {
    /// Sensor name.
    pub sensor: String,
    /// Group side.
    pub side: &'static str,
    /// Poisson rate (Hz) of every driven neuron.
    pub rate_hz: f64,
    /// Neurons driven.
    pub driven: usize,
    /// Responses of every readout group.
    pub readouts: Vec<ReadoutResponse>,
    /// Whole-network activity on the wiring as loaded.
    pub network: Activity,
    /// Whole-network activity on the shuffled wiring.
    pub null_network: Option<Activity>,
}

/// How much of the network the drive recruits (a guard against runaway activity).
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    /// Mean over trials of the fraction of undriven neurons firing at >= 1 Hz.
    pub active_fraction: f64,
    /// Mean rate of the undriven neurons (Hz).
    pub mean_rate_hz: f64,
}

/// A readout group's response in one test.
#[derive(Debug, Clone, Serialize)]
pub struct ReadoutResponse {
    /// Readout name.
    pub readout: String,
    /// Group side.
    pub side: &'static str,
    /// Command.
    pub command: &'static str,
    /// `connectome` or `engineered`.
    pub link: &'static str,
    /// On the wiring as loaded.
    pub real: Response,
    /// On the shuffled wiring.
    pub null: Option<Response>,
}

/// Rates of a group with and without drive.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    /// Mean over trials of the group's mean rate with drive (Hz).
    pub mean_hz: f64,
    /// Standard deviation over trials (Hz).
    pub sd_hz: f64,
    /// Same without drive (Hz).
    pub baseline_hz: f64,
    /// Standard deviation over trials without drive (Hz).
    pub baseline_sd_hz: f64,
    /// `mean_hz - baseline_hz`.
    pub change_hz: f64,
    /// Standard error of the change: sqrt(sd^2/n + baseline_sd^2/n).
    pub change_se_hz: f64,
    /// Escape readouts: trials in which the spike trigger fired.
    pub triggered_trials: Option<u32>,
    /// Escape readouts: mean time of the first trigger over the triggered trials (ms).
    pub first_trigger_ms: Option<f64>,
}

/// Candidate readouts ranked by their response to one sensor.
#[derive(Debug, Clone, Serialize)]
pub struct ProposeReport {
    /// Sensor driven.
    pub sensor: String,
    /// Which neurons were candidates, and why (the rule applied).
    pub candidates_rule: String,
    /// Number of candidates (driven neurons excluded).
    pub candidates: usize,
    /// Ranked by |left-drive rate - right-drive rate| (sided sensors only).
    pub lateral: Vec<Candidate>,
    /// Ranked by mean rate change over both sides' drive (or the one group's).
    pub response: Vec<Candidate>,
    /// Left/right pairs ranked as turning readouts (sided sensors only; see
    /// [`PairCandidate::turn_score_hz`]).
    pub pairs_by_turn: Vec<PairCandidate>,
    /// Left/right pairs ranked by their mean rate change.
    pub pairs_by_response: Vec<PairCandidate>,
    /// The same rankings' best values on the shuffled wiring (whichever neurons they come
    /// from): what degrees alone give, to judge the real top entries against.
    pub null_best: Option<NullBest>,
}

/// Best proposal scores on the shuffled wiring.
#[derive(Debug, Clone, Serialize)]
pub struct NullBest {
    /// Largest |left - right| of a single candidate (Hz).
    pub abs_diff_hz: f64,
    /// Largest mean rate change of a single candidate (Hz).
    pub change_hz: f64,
    /// Largest pair turn score (Hz).
    pub pair_turn_score_hz: f64,
    /// Largest pair mean change (Hz).
    pub pair_change_hz: f64,
}

/// A pair of candidates (a neuron and its left/right partner) as a readout.
#[derive(Debug, Clone, Serialize)]
pub struct PairCandidate {
    /// The member that responds more to left drive (the `left` group of a turn readout).
    pub left: NeuronRef,
    /// The other member (the `right` group).
    pub right: NeuronRef,
    /// `left` member: rate with left drive - rate with right drive (Hz).
    pub left_diff_hz: f64,
    /// `right` member: the same difference (Hz; negative for a turning pair).
    pub right_diff_hz: f64,
    /// min(left_diff, -right_diff): > 0 only when each member prefers its own side's drive;
    /// the size of the weaker preference (Hz).
    pub turn_score_hz: f64,
    /// Mean of the two members' rate changes over baseline (Hz).
    pub change_hz: f64,
    /// `turn_score_hz` on the shuffled wiring.
    pub null_turn_score_hz: Option<f64>,
    /// `change_hz` on the shuffled wiring.
    pub null_change_hz: Option<f64>,
}

/// One candidate neuron's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// The neuron.
    pub neuron: NeuronRef,
    /// Its left/right partner's id: the `partner` annotation (larval data), else the one
    /// other candidate of the same `type` on the other side, if there is exactly one.
    pub partner: Option<u64>,
    /// Rate without drive (Hz).
    pub baseline_hz: f64,
    /// Rate with the left group driven (sided sensors) or the one group (Hz).
    pub left_hz: f64,
    /// Rate with the right group driven (Hz; equals left_hz for a one-group sensor).
    pub right_hz: f64,
    /// `left_hz - right_hz`.
    pub diff_hz: f64,
    /// Standard error of the difference over trials.
    pub diff_se_hz: f64,
    /// Mean of left and right minus baseline.
    pub change_hz: f64,
    /// The same neuron's `diff_hz` on the shuffled wiring.
    pub null_diff_hz: Option<f64>,
    /// The same neuron's `change_hz` on the shuffled wiring.
    pub null_change_hz: Option<f64>,
}
