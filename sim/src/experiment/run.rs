//! Runs an experiment headless: loads the connectome and circuit map, compiles the network,
//! then lets a [`Session`] advance brain and body in lockstep to the end and write the run
//! folder (`timeline.csv`, `spikes.parquet`, `summary.json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use connectome::select::Selector;
use connectome::{Connectome, NeuronIndex};
use controller::brain::Network;
use controller::brain::signs::{apply_signs, seeded_inhibitory};
use controller::circuit::map::{CircuitMap, SignSpec};
use controller::circuit::resolve::Resolved;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::file::Experiment;
use super::session::Session;

/// A thorax rise above its height at the escape command that counts as lift-off, metres.
pub const LIFT_OFF_RISE_M: f32 = 0.005;

/// The dataset, its circuit map and the network built from them.
pub struct Prepared {
    /// The connectome as loaded (and shuffled, if asked).
    pub connectome: Connectome,
    /// The file it came from.
    pub path: PathBuf,
    /// The circuit map.
    pub map: CircuitMap,
    /// The map's selectors on this connectome.
    pub resolved: Resolved,
    /// The compiled network.
    pub network: Arc<Network>,
    /// Shuffle seed, if the wiring was rewired.
    pub shuffled: Option<u64>,
    /// The lesions of `[[network.cut]]`, as applied.
    pub cuts: Vec<AppliedCut>,
    /// Threads the brain of each run uses (1 after [`prepare`]; the results are the same
    /// at any count, see `controller::brain::ThreadedBrain`).
    pub brain_threads: usize,
}

/// Loads the experiment's connectome and circuit map and compiles the network. A dataset
/// that is not installed is an error naming `hexafly fetch --for` the experiment's file.
pub fn prepare(exp: &Experiment) -> anyhow::Result<Prepared> {
    prepare_network(exp).map_err(|e| {
        let missing = e.chain().any(|c| {
            matches!(
                c.downcast_ref::<connectome::datasets::DatasetError>(),
                Some(connectome::datasets::DatasetError::Missing { .. })
            )
        });
        if missing {
            e.context(format!(
                "{}: a dataset it needs is not installed; `hexafly fetch --for {}` installs \
                 every dataset this experiment needs",
                exp.file.display(),
                exp.file.display()
            ))
        } else {
            e
        }
    })
}

fn prepare_network(exp: &Experiment) -> anyhow::Result<Prepared> {
    let mut source = exp.dataset_source();
    for (i, a) in exp.network.annotations.iter().enumerate() {
        let tables = source
            .tables(&exp.resolve(a))
            .with_context(|| format!("network.annotations[{i}]"))?;
        source.annotations.extend(tables);
    }
    let conn_path = exp.resolve(&exp.network.connectome);
    let loaded = source
        .load(&conn_path)
        .with_context(|| format!("loading {} (network.connectome)", conn_path.display()))?;
    let mut connectome = loaded.connectome;
    let map_path = exp.resolve(&exp.network.circuit);
    let map = CircuitMap::load(&map_path)?;
    let model = map.model_or_default();
    if let SignSpec::Seeded {
        inhibitory_fraction,
        seed,
    } = model.signs
    {
        let inh = seeded_inhibitory(&connectome.neurons, inhibitory_fraction, seed);
        apply_signs(&mut connectome.synapses, &inh, connectome.neurons.ids())?;
    }
    let cuts = cut_synapses(&mut connectome, &exp.network.cut)?;
    let resolved = map.resolve(&connectome.neurons, &loaded.path.display().to_string())?;
    let network = Network::new(&connectome.synapses, model.params(), &[])
        .map_err(|e| anyhow::anyhow!("{}: {e}", map_path.display()))?;
    Ok(Prepared {
        connectome,
        path: loaded.path,
        map,
        resolved,
        network: Arc::new(network),
        shuffled: loaded.shuffled,
        cuts,
        brain_threads: 1,
    })
}

/// One `[[network.cut]]` as applied: what it removed.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedCut {
    /// The presynaptic selector.
    pub from: String,
    /// The postsynaptic selector.
    pub to: String,
    /// Neuron pairs removed.
    pub pairs: usize,
    /// Synapses removed.
    pub synapses: u64,
    /// Why, as the experiment says.
    pub note: String,
}

/// Removes every synapse of each cut from `c` (a cut selecting no neuron is an error naming
/// its key).
fn cut_synapses(
    c: &mut Connectome,
    cuts: &[super::file::CutSpec],
) -> anyhow::Result<Vec<AppliedCut>> {
    let n = c.n_neurons();
    let mut applied = Vec::new();
    for (i, cut) in cuts.iter().enumerate() {
        let mask = |sel: &str, key: &str| -> anyhow::Result<Vec<bool>> {
            let mut m = vec![false; n];
            for k in selection(c, sel, &format!("network.cut[{i}].{key}"))? {
                m[k as usize] = true;
            }
            Ok(m)
        };
        let (from, to) = (mask(&cut.from, "from")?, mask(&cut.to, "to")?);
        let mut kept = connectome::EdgeListBuilder::with_capacity(c.n_edges());
        let (mut pairs, mut synapses) = (0, 0u64);
        for (pre, post, count) in c.synapses.iter() {
            if from[pre as usize] && to[post as usize] {
                pairs += 1;
                synapses += count.unsigned_abs() as u64;
            } else {
                kept.push(pre, post, count);
            }
        }
        c.synapses = kept.build(n);
        applied.push(AppliedCut {
            from: cut.from.clone(),
            to: cut.to.clone(),
            pairs,
            synapses,
            note: cut.note.clone(),
        });
    }
    Ok(applied)
}

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
    /// Thorax risen LIFT_OFF_RISE_M above its height at the escape command.
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
    pub fn read(dir: &Path) -> anyhow::Result<Summary> {
        use crate::record::folder::{RUN_SCHEMA, SUMMARY_JSON};
        let path = dir.join(SUMMARY_JSON);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let s: Summary = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a summary of schema {RUN_SCHEMA}", path.display()))?;
        anyhow::ensure!(
            s.schema == RUN_SCHEMA,
            "{}: schema `{}`, expected `{RUN_SCHEMA}`",
            path.display(),
            s.schema
        );
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

pub(crate) fn selection(c: &Connectome, sel: &str, key: &str) -> anyhow::Result<Vec<NeuronIndex>> {
    let s = Selector::parse(sel).with_context(|| format!("{key}: `{sel}`"))?;
    let v = s
        .select(&c.neurons)
        .with_context(|| format!("{key}: `{sel}`"))?;
    if v.is_empty() {
        bail!("{key}: `{sel}` selects no neuron of this connectome");
    }
    Ok(v)
}

pub(super) fn network_hash(c: &Connectome) -> String {
    let mut h = Sha256::new();
    for id in c.neurons.ids() {
        h.update(id.to_le_bytes());
    }
    let (rows, targets, counts) = c.synapses.parts();
    for r in rows {
        h.update(r.to_le_bytes());
    }
    for t in targets {
        h.update(t.to_le_bytes());
    }
    for w in counts {
        h.update(w.to_le_bytes());
    }
    format!("{:x}", h.finalize())
}

/// Runs the experiment and writes its run folder `out`; returns the summary.
pub fn run(exp: &Experiment, out: &Path) -> anyhow::Result<Summary> {
    run_on_threads(exp, out, 1)
}

/// [`run`] with the brain on `threads` threads (0 counts as 1): the same outputs, sooner on
/// a machine with cores to spare.
pub fn run_on_threads(exp: &Experiment, out: &Path, threads: usize) -> anyhow::Result<Summary> {
    // The run folder first: one that cannot be written is found before the network loads.
    crate::record::folder::start(out)?;
    let mut p = prepare(exp)?;
    p.brain_threads = threads;
    run_prepared(exp, &p, out)
}

/// [`run`] on an already prepared network (sweeps prepare once).
pub fn run_prepared(exp: &Experiment, p: &Prepared, out: &Path) -> anyhow::Result<Summary> {
    run_prepared_checked(exp, p, out, &mut |_| Ok(()))
}

/// [`run_prepared`] that calls `check` with the number of ticks done after each tick: an
/// error from it (an interrupt) stops the run as a failure, its folder keeping what was
/// computed.
pub fn run_prepared_checked(
    exp: &Experiment,
    p: &Prepared,
    out: &Path,
    check: &mut dyn FnMut(u64) -> anyhow::Result<()>,
) -> anyhow::Result<Summary> {
    let mut session = Session::recording(exp, p, out)?;
    while !session.done() {
        if let Err(e) = session.step().and_then(|()| check(session.ticks_done())) {
            return Err(session.fail(e));
        }
    }
    session.finish()
}
