//! The experiment file, v1 (TOML; vocabulary after SONATA where it fits: `run`, `network`,
//! `inputs`, `modifications`, `reports`). Documented with a full example in
//! `assets/experiments/README.md`. [`Experiment::load`] parses and validates it; every
//! problem names the file, the line and the key.

use super::error::ExperimentError;
use super::problem::{InvalidExperiment, Problem};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use controller::anatomy::Side;
use controller::arbiter::ArbiterParams;
use serde::Deserialize;

/// The `[run]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Simulated time after the body has settled, seconds.
    pub duration_s: f64,
    /// Seed of everything random (terrain, Poisson input).
    #[serde(default)]
    pub seed: u64,
    /// Control tick = brain window, ms (a whole number of 0.1 ms steps, at most 2).
    #[serde(default = "default_control_ms")]
    pub control_ms: f64,
    /// Standing time before t = 0 (the body settles on its legs; no brain), seconds.
    #[serde(default = "default_settle_s")]
    pub settle_s: f64,
    /// Body description (default: the bundled hexapod).
    #[serde(default)]
    pub body: Option<PathBuf>,
}

fn default_control_ms() -> f64 {
    1.0
}
fn default_settle_s() -> f64 {
    0.3
}

/// The `[network]` table: the connectome and its circuit map.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// A connectome path (any supported format) or a known dataset's name.
    pub connectome: PathBuf,
    /// Format name instead of detecting it from the path.
    #[serde(default)]
    pub format: Option<String>,
    /// Neuron tables whose annotations are attached to the connectome's neurons: each a
    /// path, or a known dataset's name for all of its files (`flywire-783-annotations`).
    #[serde(default)]
    pub annotations: Vec<PathBuf>,
    /// The circuit map (assets/circuits/*.toml).
    pub circuit: PathBuf,
    /// Rewire by a degree-preserving shuffle with this seed (the null-model control).
    #[serde(default)]
    pub shuffle: Option<u64>,
    /// Probability that a synaptic event (a spike at one connection) fails to transmit,
    /// 0 <= p < 1 (controller::brain::release; decided by `run.seed`). Default 0: every
    /// event transmits and the brain is spike for spike Brian 2's.
    #[serde(default)]
    pub release_failure: f64,
    /// Membrane noise: the standard deviation (mV) of every neuron's v around rest without
    /// input (controller::brain::noise; seeded by `run.seed`). Default 0: none, and the
    /// brain is spike for spike Brian 2's; on, every neuron is updated every step.
    #[serde(default)]
    pub membrane_noise_mv: f64,
    /// Lesions: every synapse from a `from` neuron to a `to` neuron is removed before the
    /// network is built (`[[network.cut]]`; every output reports them).
    #[serde(default)]
    pub cut: Vec<CutSpec>,
}

/// A `[[network.cut]]` entry: the synapses from one selection to another, removed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CutSpec {
    /// Selector of the presynaptic neurons.
    pub from: String,
    /// Selector of the postsynaptic neurons.
    pub to: String,
    /// Why (reported with the cut).
    #[serde(default)]
    pub note: String,
}

/// The `[scene]` table.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SceneSpec {
    /// A scene file (assets/scenes/*.toml); default: a flat empty 2 m arena.
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// Keep the scene file's own threats and dust events (default false: the experiment's
    /// events are the only stimuli).
    #[serde(default)]
    pub keep_scene_events: bool,
}

/// The `[agent]` table: start pose and internal state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentSpec {
    /// Start position (x, y), metres.
    #[serde(deserialize_with = "crate::toml_numbers::exact_array")]
    pub position: [f32; 2],
    /// Start heading, degrees (0 = +x, counter-clockwise).
    pub heading_deg: f32,
    /// Instead of `heading_deg`: the start heading puts the nearest food source this many
    /// degrees to the left of it (negative: right; 180: behind).
    pub food_bearing_deg: Option<f32>,
    /// Hunger 0..1.
    pub hunger: f32,
    /// Dust 0..1.
    pub dust: f32,
    /// Arousal 0..1.
    pub arousal: f32,
    /// Keep hunger, dust and arousal fixed (no rise, no decay; events still set them).
    pub clamp_state: bool,
}

impl Default for AgentSpec {
    fn default() -> Self {
        AgentSpec {
            position: [0.0, 0.0],
            heading_deg: 0.0,
            food_bearing_deg: None,
            hunger: 0.3,
            dust: 0.0,
            arousal: 0.0,
            clamp_state: false,
        }
    }
}

/// An `[[inputs]]` entry: Poisson activation of a neuron selection.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// Selector (same syntax as everywhere).
    pub neurons: String,
    /// Rate, Hz (0 < rate <= 10,000).
    pub rate_hz: f64,
    /// Start, seconds.
    #[serde(default)]
    pub start_s: f64,
    /// Stop, seconds (default: the end of the run).
    #[serde(default)]
    pub stop_s: Option<f64>,
}

/// A `[[modifications]]` entry: silencing a neuron selection.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModificationSpec {
    /// Selector.
    pub neurons: String,
    /// What to do: `silence` (outgoing synapses carry nothing).
    pub kind: ModificationKind,
    /// Start, seconds.
    #[serde(default)]
    pub start_s: f64,
    /// Stop, seconds (default: the end of the run).
    #[serde(default)]
    pub stop_s: Option<f64>,
}

/// Kinds of modification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModificationKind {
    /// Zero the selection's outgoing synapses.
    Silence,
}

/// A timeline `[[events]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventSpec {
    /// A dark sphere approaching the agent from one side.
    Loom {
        /// Time, seconds.
        at_s: f64,
        /// The side it comes from.
        side: Side,
        /// Start distance from the thorax, metres.
        #[serde(default = "loom_distance")]
        distance_m: f32,
        /// Approach speed, m/s.
        #[serde(default = "loom_speed")]
        speed_m_s: f32,
        /// Sphere radius, metres.
        #[serde(default = "loom_radius")]
        radius_m: f32,
    },
    /// Dust on head and antennae.
    Dust {
        /// Time, seconds.
        at_s: f64,
        /// Added dust (0..1).
        amount: f32,
    },
    /// A food patch appears.
    AddFood {
        /// Time, seconds.
        at_s: f64,
        /// Centre (x, y), metres.
        #[serde(deserialize_with = "crate::toml_numbers::exact_array")]
        position: [f32; 2],
        /// Radius, metres.
        #[serde(default = "food_radius")]
        radius: f32,
        /// Odor strength.
        #[serde(default = "one")]
        odor: f32,
        /// Sugar (taste) 0..1.
        #[serde(default = "one")]
        sugar: f32,
    },
    /// The food patch with this index (scene order, then added order) disappears.
    RemoveFood {
        /// Time, seconds.
        at_s: f64,
        /// Index.
        index: usize,
    },
    /// Sets some of the internal state.
    SetState {
        /// Time, seconds.
        at_s: f64,
        /// Hunger 0..1.
        #[serde(default)]
        hunger: Option<f32>,
        /// Dust 0..1.
        #[serde(default)]
        dust: Option<f32>,
        /// Arousal 0..1.
        #[serde(default)]
        arousal: Option<f32>,
    },
}

pub(crate) fn loom_distance() -> f32 {
    0.8
}
pub(crate) fn loom_speed() -> f32 {
    1.5
}
pub(crate) fn loom_radius() -> f32 {
    0.05
}
pub(crate) fn food_radius() -> f32 {
    0.04
}
fn one() -> f32 {
    1.0
}

impl EventSpec {
    /// When it happens, seconds.
    pub fn at_s(&self) -> f64 {
        match self {
            EventSpec::Loom { at_s, .. }
            | EventSpec::Dust { at_s, .. }
            | EventSpec::AddFood { at_s, .. }
            | EventSpec::RemoveFood { at_s, .. }
            | EventSpec::SetState { at_s, .. } => *at_s,
        }
    }

    /// Its `kind` name.
    pub fn kind(&self) -> &'static str {
        match self {
            EventSpec::Loom { .. } => "loom",
            EventSpec::Dust { .. } => "dust",
            EventSpec::AddFood { .. } => "add_food",
            EventSpec::RemoveFood { .. } => "remove_food",
            EventSpec::SetState { .. } => "set_state",
        }
    }
}

/// The `[reports]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSpec {
    /// Selections whose spikes are recorded (spikes.parquet).
    pub spikes: Vec<String>,
    /// Interval of timeline rows, ms (a multiple of the control tick; behaviour switches
    /// always get a row).
    pub timeline_ms: f64,
}

impl Default for ReportSpec {
    fn default() -> Self {
        ReportSpec {
            spikes: Vec::new(),
            timeline_ms: 10.0,
        }
    }
}

/// A parsed experiment file, as a value: read it ([`Experiment::load`]), change any key
/// ([`Experiment::set`]), run it ([`crate::experiment::run`]).
///
/// ```
/// use sim::experiment::Experiment;
///
/// let text = r#"
/// [run]
/// duration_s = 2.0
/// [network]
/// connectome = "flywire-783-escape"
/// circuit = "flywire783_escape.toml"
/// [[events]]
/// kind = "loom"
/// at_s = 1.0
/// side = "left"
/// "#;
/// let mut exp = Experiment::parse(text, "loom.toml".as_ref()).unwrap();
/// exp.set("events[0].side", "right").unwrap();
/// exp.set("agent.hunger", 0.8).unwrap();
/// assert_eq!(exp.agent.hunger, 0.8);
/// // Checked as the file is: the key, its line and what was expected.
/// let e = exp.set("events[0].at_s", 5.0).unwrap_err();
/// assert!(format!("{e:#}").contains("`events[0].at_s` (line 9)"));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// `[run]`.
    pub run: RunSpec,
    /// `[network]`.
    pub network: NetworkSpec,
    /// `[scene]`.
    #[serde(default)]
    pub scene: SceneSpec,
    /// `[agent]`.
    #[serde(default)]
    pub agent: AgentSpec,
    /// `[arbiter]`: behaviour thresholds and gains (engineered; defaults documented in
    /// controller::arbiter::ArbiterParams).
    #[serde(default)]
    pub arbiter: ArbiterParams,
    /// `[[inputs]]`.
    #[serde(default)]
    pub inputs: Vec<InputSpec>,
    /// `[[modifications]]`.
    #[serde(default)]
    pub modifications: Vec<ModificationSpec>,
    /// `[[events]]`.
    #[serde(default)]
    pub events: Vec<EventSpec>,
    /// `[reports]`.
    #[serde(default)]
    pub reports: ReportSpec,
    /// The file it came from (paths in it are relative to its directory).
    #[serde(skip)]
    pub file: PathBuf,
    /// Line of each key path, for the validation messages.
    #[serde(skip)]
    lines: HashMap<String, usize>,
    /// The document it was read from, for [`Experiment::set`].
    #[serde(skip)]
    source: toml::Table,
}

/// Largest experiment file, bytes: experiments are a few kilobytes; a 58 MB file took
/// 1.6 GB to parse.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Reads an experiment file's text, refusing one larger than [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> Result<String, ExperimentError> {
    let unreadable = |source| ExperimentError::Read {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::metadata(path).map_err(unreadable)?.len();
    if bytes > MAX_FILE_BYTES {
        return Err(ExperimentError::TooLarge {
            path: path.to_path_buf(),
            bytes,
        });
    }
    std::fs::read_to_string(path).map_err(unreadable)
}

/// A parser's message with each line cut to 200 characters: a junk line of 50 MB was
/// echoed whole to the terminal.
pub fn clip_lines(message: &str) -> String {
    const MAX: usize = 200;
    message
        .lines()
        .map(|l| match l.char_indices().nth(MAX) {
            Some((cut, _)) => format!("{}... ({} characters)", &l[..cut], l.chars().count()),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Largest seed: TOML integers are signed 64-bit, so a sweep can write any seed back.
pub const MAX_SEED: u64 = i64::MAX as u64;

/// Longest experiment, seconds (the brain's step counter allows ~59 h; a day is plenty).
pub const MAX_DURATION_S: f64 = 86_400.0;

impl Experiment {
    /// Reads and validates an experiment file.
    pub fn load(path: &Path) -> Result<Experiment, ExperimentError> {
        Experiment::parse(&read_text(path)?, path)
    }

    /// Parses and validates an experiment's text; `path` names it in errors and anchors
    /// its relative paths. A `[sweep]` table is left to the sweep ([`crate::sweep`]): the
    /// experiment is the one it sweeps.
    pub fn parse(text: &str, path: &Path) -> Result<Experiment, ExperimentError> {
        let text = &without_sweep_table(text);
        let mut e: Experiment = toml::from_str(text).map_err(|err| ExperimentError::Syntax {
            path: path.to_path_buf(),
            message: clip_lines(&err.to_string()),
        })?;
        e.file = path.to_path_buf();
        e.lines = crate::toml_numbers::key_lines(text);
        e.source = toml::from_str(text).unwrap_or_default();
        let mut problems: Vec<Problem> = crate::toml_numbers::non_finite(text)
            .into_iter()
            .map(|(key, line, column, message)| Problem {
                key,
                line: Some(line),
                column: Some(column),
                message,
            })
            .collect();
        problems.extend(e.problems());
        if !problems.is_empty() {
            return Err(InvalidExperiment {
                file: path.to_path_buf(),
                problems,
            }
            .into());
        }
        Ok(e)
    }

    /// Sets the value at `key` (`agent.hunger`, `events[0].side`, `network.release_failure`)
    /// as if the file said so, and validates the experiment again: an unknown key, a value
    /// of the wrong type or out of range is an error naming the key, and the experiment is
    /// left as it was. The same key paths as a sweep's (`[sweep]`, `--set`).
    pub fn set(&mut self, key: &str, value: impl Into<toml::Value>) -> Result<(), ExperimentError> {
        self.set_all([(key, value.into())])
    }

    /// [`Experiment::set`] for several keys at once, validated together (values that are
    /// only right together, such as a shorter run and an earlier event).
    pub fn set_all<'k>(
        &mut self,
        values: impl IntoIterator<Item = (&'k str, toml::Value)>,
    ) -> Result<(), ExperimentError> {
        let refused = |message: String| ExperimentError::Set {
            file: self.file.clone(),
            message,
        };
        let mut doc = toml::Value::Table(self.source.clone());
        let mut keys = Vec::new();
        for (key, value) in values {
            let path = super::key_path::KeyPath::parse(key).map_err(refused)?;
            if let toml::Value::Float(x) = value
                && !(x.is_finite() && x.abs() <= f32::MAX as f64)
            {
                return Err(refused(format!(
                    "`{key}`: expected a finite number that fits a 32-bit float, got {x}"
                )));
            }
            super::key_path::set_path(&mut doc, &path, value)
                .map_err(|e| refused(format!("`{key}`: {e}")))?;
            keys.push(format!("`{path}`"));
        }
        let toml::Value::Table(source) = doc else {
            unreachable!("a table stays a table")
        };
        let mut e: Experiment = source.clone().try_into().map_err(|err: toml::de::Error| {
            let m = err.message().trim();
            let unknown = if m.contains("unknown field") {
                "unknown key: "
            } else {
                ""
            };
            refused(format!("after setting {}: {unknown}{m}", keys.join(", ")))
        })?;
        e.file = self.file.clone();
        e.lines = self.lines.clone();
        e.source = source;
        e.validate()?;
        *self = e;
        Ok(())
    }

    /// A path named in the file, resolved against the file's directory (absolute paths,
    /// dataset names and `dataset:` references stay as they are, for the loader to find in
    /// the data directory).
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() || connectome::datasets::is_reference(p) {
            return p.to_path_buf();
        }
        let joined = self.file.parent().unwrap_or(Path::new("")).join(p);
        let bare_name = p.components().count() == 1 && p.extension().is_none();
        if !joined.exists() && bare_name {
            return p.to_path_buf(); // a known dataset's name
        }
        std::fs::canonicalize(&joined).unwrap_or(joined)
    }

    /// The scene the run starts in: the scene file, or a flat empty 4 m arena, with the
    /// file's own threats and dust dropped unless `keep_scene_events` (food added by events
    /// is not in it). One definition for the runner and the plots.
    pub fn start_scene(&self) -> Result<crate::world::Scene, crate::world::SceneError> {
        let mut scene = match &self.scene.file {
            Some(f) => crate::world::Scene::load(&self.resolve(f))?,
            None => {
                let mut s = crate::world::Scene::default();
                s.arena.half_size = 2.0;
                s
            }
        };
        if !self.scene.keep_scene_events {
            scene.threats.clear();
            scene.dust.clear();
        }
        Ok(scene)
    }

    /// How the experiment's connectome is found and loaded (its format and shuffle; the
    /// default cache and data directories).
    pub fn dataset_source(&self) -> connectome::source::DatasetSource {
        connectome::source::DatasetSource {
            format: self.network.format.clone(),
            shuffle: self.network.shuffle,
            ..Default::default()
        }
    }

    /// `` `key` (line L) ``, as every problem names a key of the file.
    pub fn at(&self, key: &str) -> String {
        match self.lines.get(key) {
            Some(l) => format!("`{key}` (line {l})"),
            None => format!("`{key}`"),
        }
    }

    /// Checks every value against its range and the others (events within the run,
    /// selectors that parse, a timeline period that is a whole number of ticks): every
    /// problem, with its key and line. [`Experiment::parse`] and [`Experiment::set`] call
    /// it; the checks that need the scene and body are [`Experiment::check_world`]'s.
    pub fn validate(&self) -> Result<(), InvalidExperiment> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(InvalidExperiment {
                file: self.file.clone(),
                problems,
            })
        }
    }

    /// A problem at `key`, with its line in the file.
    fn problem(&self, key: &str, message: String) -> Problem {
        Problem {
            key: key.to_owned(),
            line: self.lines.get(key).copied(),
            column: None,
            message,
        }
    }

    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let dur = self.run.duration_s;
        if !(dur > 0.0 && dur <= MAX_DURATION_S) {
            out.push(self.problem(
                "run.duration_s",
                format!("expected a duration > 0 and at most {MAX_DURATION_S} s, got {dur}"),
            ));
        }
        if self.run.seed > MAX_SEED {
            out.push(self.problem(
                "run.seed",
                format!(
                    "expected a seed from 0 to {MAX_SEED} (a TOML integer: the range sweeps and \
                 every command accept), got {}",
                    self.run.seed
                ),
            ));
        }
        if !(self.run.settle_s >= 0.0 && self.run.settle_s <= 60.0) {
            out.push(self.problem(
                "run.settle_s",
                format!("expected 0..60 s, got {}", self.run.settle_s),
            ));
        }
        let steps = self.run.control_ms / 0.1;
        if !(self.run.control_ms > 0.0
            && self.run.control_ms <= controller::tick::MAX_WINDOW_MS
            && (steps - steps.round()).abs() < 1e-9)
        {
            out.push(self.problem(
                "run.control_ms",
                format!(
                    "expected a whole number of 0.1 ms steps, at most {} ms, got {}",
                    controller::tick::MAX_WINDOW_MS,
                    self.run.control_ms
                ),
            ));
        }
        if let Err(e) = controller::brain::Release::new(self.network.release_failure, 0) {
            out.push(self.problem("network.release_failure", e.to_string()));
        }
        let noise_mv = self.network.membrane_noise_mv;
        if let Err(e) = controller::brain::Noise::new(noise_mv * 1e-3, 0.02, 1e-4, 0) {
            out.push(self.problem("network.membrane_noise_mv", e.to_string()));
        }
        let a = &self.agent;
        for (k, v) in [
            ("hunger", a.hunger),
            ("dust", a.dust),
            ("arousal", a.arousal),
        ] {
            if !(0.0..=1.0).contains(&v) {
                out.push(self.problem(&format!("agent.{k}"), format!("expected 0..1, got {v}")));
            }
        }
        for p in self.arbiter.problems() {
            out.push(self.problem("arbiter", p.to_string()));
        }
        // An event at the very end (or later) would never take effect.
        let within = |t: f64| t.is_finite() && t >= 0.0 && t < dur;
        let selector = |k: &str, s: &str, out: &mut Vec<Problem>| {
            if let Err(e) = connectome::select::Selector::parse(s) {
                out.push(self.problem(k, e.to_string()));
            }
        };
        for (i, x) in self.inputs.iter().enumerate() {
            let k = format!("inputs[{i}]");
            selector(&format!("{k}.neurons"), &x.neurons, &mut out);
            if !(x.rate_hz > 0.0 && x.rate_hz <= 10_000.0) {
                let message = format!(
                    "expected a rate > 0 and at most 10000 Hz (one event per 0.1 ms step), got {}",
                    x.rate_hz
                );
                out.push(self.problem(&format!("{k}.rate_hz"), message));
            }
            self.window(&k, x.start_s, x.stop_s, dur, &mut out);
        }
        for (i, m) in self.modifications.iter().enumerate() {
            let k = format!("modifications[{i}]");
            selector(&format!("{k}.neurons"), &m.neurons, &mut out);
            self.window(&k, m.start_s, m.stop_s, dur, &mut out);
        }
        for (i, ev) in self.events.iter().enumerate() {
            let k = format!("events[{i}]");
            if !within(ev.at_s()) {
                out.push(self.problem(
                    &format!("{k}.at_s"),
                    format!(
                        "a {} event at {} s is outside the run (from 0 to before {dur} s)",
                        ev.kind(),
                        ev.at_s()
                    ),
                ));
            }
            match ev {
                EventSpec::Loom {
                    distance_m,
                    speed_m_s,
                    radius_m,
                    ..
                } => {
                    for (name, v) in [
                        ("distance_m", *distance_m),
                        ("speed_m_s", *speed_m_s),
                        ("radius_m", *radius_m),
                    ] {
                        if v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                            out.push(self.problem(
                                &format!("{k}.{name}"),
                                format!("expected a number > 0, got {v}"),
                            ));
                        }
                    }
                    if radius_m >= distance_m {
                        out.push(self.problem(
                            &format!("{k}.distance_m"),
                            "the sphere must start farther than its radius".into(),
                        ));
                    }
                }
                EventSpec::Dust { amount, .. } if !(0.0..=1.0).contains(amount) => {
                    out.push(self.problem(
                        &format!("{k}.amount"),
                        format!("expected 0..1, got {amount}"),
                    ));
                }
                EventSpec::AddFood {
                    radius,
                    odor,
                    sugar,
                    ..
                } => {
                    if radius.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                        out.push(self.problem(
                            &format!("{k}.radius"),
                            format!("expected a radius > 0, got {radius}"),
                        ));
                    }
                    if *odor < 0.0 || !(0.0..=1.0).contains(sugar) {
                        out.push(self.problem(&k, "expected odor >= 0 and sugar 0..1".into()));
                    }
                }
                EventSpec::SetState {
                    hunger,
                    dust,
                    arousal,
                    ..
                } => {
                    for (name, v) in [("hunger", hunger), ("dust", dust), ("arousal", arousal)] {
                        if let Some(v) = v
                            && !(0.0..=1.0).contains(v)
                        {
                            out.push(self.problem(
                                &format!("{k}.{name}"),
                                format!("expected 0..1, got {v}"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        for (i, s) in self.reports.spikes.iter().enumerate() {
            selector(&format!("reports.spikes[{i}]"), s, &mut out);
        }
        let every = self.reports.timeline_ms / self.run.control_ms;
        if !(every >= 1.0 && (every - every.round()).abs() < 1e-9) {
            out.push(self.problem(
                "reports.timeline_ms",
                format!(
                    "expected a whole multiple of run.control_ms ({} ms), got {}",
                    self.run.control_ms, self.reports.timeline_ms
                ),
            ));
        }
        out
    }

    /// The start heading, radians: `agent.heading_deg`, or the heading that puts the
    /// nearest food source of `scene` at `agent.food_bearing_deg`.
    pub fn start_yaw(&self, scene: &crate::world::Scene) -> f32 {
        let a = &self.agent;
        let nearest = scene.food.iter().min_by(|f, g| {
            let d = |p: [f32; 2]| (p[0] - a.position[0]).hypot(p[1] - a.position[1]);
            d(f.position).total_cmp(&d(g.position))
        });
        match (a.food_bearing_deg, nearest) {
            (Some(b), Some(f)) => {
                let to_food = (f.position[1] - a.position[1]).atan2(f.position[0] - a.position[0]);
                to_food - b.to_radians()
            }
            _ => a.heading_deg.to_radians(),
        }
    }

    /// The checks that need the scene the run starts in and the body's motor: the start and
    /// every food added inside the arena, every `remove_food` index naming a source that is
    /// there at its time, and `arbiter.max_speed` within what the gait can carry out. Each
    /// problem names the file, the key and its line.
    pub fn check_world(
        &self,
        scene: &crate::world::Scene,
        motor: &controller::motor::MotorParams,
    ) -> Result<(), InvalidExperiment> {
        let mut out = Vec::new();
        let h = scene.arena.half_size;
        let inside = |p: [f32; 2]| p[0].abs() <= h && p[1].abs() <= h;
        if !inside(self.agent.position) {
            out.push(self.problem(
                "agent.position",
                format!(
                    "{:?} is outside the arena (|x|, |y| <= {h} m)",
                    self.agent.position
                ),
            ));
        }
        if let Some(b) = self.agent.food_bearing_deg {
            let at = "agent.food_bearing_deg";
            if !(b.is_finite() && (-180.0..=180.0).contains(&b)) {
                out.push(self.problem(at, format!("must be from -180 to 180 degrees, got {b}")));
            } else if self.agent.heading_deg != 0.0 {
                out.push(
                    self.problem(
                        at,
                        "give `heading_deg` or `food_bearing_deg`, not both (the bearing sets the \
                     heading)"
                            .into(),
                    ),
                );
            } else if scene.food.is_empty() {
                out.push(self.problem(
                    at,
                    "the scene has no food source to take a bearing on".into(),
                ));
            }
        }
        let fastest = motor.max_walk_speed();
        if self.arbiter.max_speed > fastest {
            out.push(self.problem(
                "arbiter.max_speed",
                format!(
                    "{} m/s is faster than this body's gait can walk ({fastest:.3} m/s: the \
                 longest stride at the highest stepping rate)",
                    self.arbiter.max_speed
                ),
            ));
        }
        let mut order: Vec<(usize, &EventSpec)> = self.events.iter().enumerate().collect();
        order.sort_by(|a, b| a.1.at_s().total_cmp(&b.1.at_s()).then(a.0.cmp(&b.0)));
        let mut food = scene.food.len();
        for (i, ev) in order {
            match ev {
                EventSpec::AddFood { position, .. } => {
                    if !inside(*position) {
                        out.push(self.problem(
                            &format!("events[{i}].position"),
                            format!("{position:?} is outside the arena (|x|, |y| <= {h} m)"),
                        ));
                    }
                    food += 1;
                }
                EventSpec::RemoveFood { index, .. } => {
                    if *index >= food {
                        let (is, s) = if food == 1 { ("is", "") } else { ("are", "s") };
                        let message = format!(
                            "there {is} {food} food source{s} at {} s (indices from 0), got {index}",
                            ev.at_s()
                        );
                        out.push(self.problem(&format!("events[{i}].index"), message));
                    } else {
                        food -= 1;
                    }
                }
                _ => {}
            }
        }
        if !out.is_empty() {
            return Err(InvalidExperiment {
                file: self.file.clone(),
                problems: out,
            });
        }
        Ok(())
    }

    fn window(&self, k: &str, start: f64, stop: Option<f64>, dur: f64, out: &mut Vec<Problem>) {
        if !(start.is_finite() && start >= 0.0 && start < dur) {
            out.push(self.problem(
                &format!("{k}.start_s"),
                format!("expected a start within the run (from 0 to before {dur} s), got {start}"),
            ));
        }
        if let Some(stop) = stop
            && !(stop.is_finite() && stop > start && stop <= dur)
        {
            out.push(self.problem(
                &format!("{k}.stop_s"),
                format!(
                    "expected a stop after the start and within the run (..{dur} s), got {stop}"
                ),
            ));
        }
    }
}

/// Name of the sweep table in an experiment file.
pub const SWEEP_TABLE: &str = "sweep";

/// The text with the `[sweep]` table's lines blanked (same line numbers for everything
/// else), so the experiment proper is validated with its own lines, and `hexafly run`
/// accepts a file that carries a sweep.
pub fn without_sweep_table(text: &str) -> String {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(text) else {
        return text.to_string();
    };
    let mut blank: Vec<(usize, usize)> = Vec::new(); // line ranges, inclusive
    fn walk(t: &toml::de::DeTable<'_>, text: &str, blank: &mut Vec<(usize, usize)>) {
        for (k, v) in t.iter() {
            let from = sweep_line_of(text, k.span().start);
            match v.get_ref() {
                DeValue::Table(sub) => {
                    blank.push((from, from));
                    walk(sub, text, blank);
                }
                _ => blank.push((from, sweep_line_of(text, v.span().end.saturating_sub(1)))),
            }
        }
    }
    for (k, v) in doc.get_ref().iter() {
        if k.get_ref().as_ref() != SWEEP_TABLE {
            continue;
        }
        let header = sweep_line_of(text, k.span().start);
        blank.push((header, header));
        if let DeValue::Table(t) = v.get_ref() {
            walk(t, text, &mut blank);
        }
    }
    if blank.is_empty() {
        return text.to_string();
    }
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, line)| {
            let n = i + 1;
            if blank.iter().any(|&(a, b)| a <= n && n <= b) {
                if line.ends_with('\n') { "\n" } else { "" }
            } else {
                line
            }
        })
        .collect()
}

fn sweep_line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}
