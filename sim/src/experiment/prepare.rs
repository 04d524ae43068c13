//! From an experiment's dataset and circuit map to a runnable network: the connectome
//! loaded (by path or name, shuffled if asked), the map's sign rule applied, the lesions of
//! `[[network.cut]]` made, the map resolved on it and the network compiled. Every run of an
//! experiment (the command line, sweeps, the viewer, Python) is prepared here.

use std::path::PathBuf;
use std::sync::Arc;

use connectome::select::Selector;
use connectome::{Connectome, NeuronIndex};
use controller::Wiring;
use controller::brain::Network;
use controller::circuit::map::CircuitMap;
use controller::circuit::resolve::Resolved;
use sha2::{Digest, Sha256};

use super::ExperimentError;
use super::file::Experiment;
use crate::record::LinkReport;

/// The dataset, its circuit map and the network built from them ([`Wiring::compile`]),
/// with where they came from and the lesions made.
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

impl Prepared {
    /// Every link of the loop `exp` runs on this network, marked connectome or engineered:
    /// what every summary lists, and what a script's own outputs should say too.
    pub fn links(&self, exp: &Experiment) -> Vec<LinkReport> {
        let p = self;
        let mut links = Vec::new();
        for (spec, groups) in p.map.sensors.iter().zip(&p.resolved.sensors) {
            links.push(LinkReport {
                kind: "sensor".into(),
                name: spec.name.clone(),
                link: spec.link.as_str().into(),
                neurons: Resolved::union(groups).len(),
                note: spec.note.clone(),
            });
        }
        for (spec, groups) in p.map.readouts.iter().zip(&p.resolved.readouts) {
            links.push(LinkReport {
                kind: "readout".into(),
                name: spec.name.clone(),
                link: spec.link.as_str().into(),
                neurons: Resolved::union(groups).len(),
                note: spec.note.clone(),
            });
        }
        links.push(LinkReport {
            kind: "arbiter".into(),
            name: "thresholds, gains, dwell".into(),
            link: "engineered".into(),
            neurons: 0,
            note: "behaviour thresholds, speed/turn gains and dwell times are chosen, not wired \
                   ([arbiter] of the experiment)"
                .into(),
        });
        links.push(LinkReport {
            kind: "arbiter".into(),
            name: "escape direction".into(),
            link: "engineered".into(),
            neurons: 0,
            note: "the giant fibre triggers the escape; its direction (away from the threat) is \
                   taken from the eye that sees the larger looming angle"
                .into(),
        });
        for cut in &p.cuts {
            links.push(LinkReport {
                kind: "cut".into(),
                name: format!("{} -> {}", cut.from, cut.to),
                link: "engineered".into(),
                neurons: 0,
                note: format!(
                    "lesion: {} neuron pairs ({} synapses) of the wiring removed \
                     ([[network.cut]]). {}",
                    cut.pairs, cut.synapses, cut.note
                ),
            });
        }
        for rule in exp.arbiter.steering.rules_on() {
            let note = match rule {
                "search" => {
                    "while the forward drive (the connectome's readout) falls, the walk turns \
                     towards the side whose steering DNs were more active of late \
                     ([arbiter.steering] search_*)"
                }
                "upwind" => {
                    "while the forward drive is above upwind_on_hz, the walk turns into the air \
                     flow felt on the antennae ([arbiter.steering] upwind_*)"
                }
                _ => {
                    "near a wall or obstacle (the antennal feelers' `obstacle` sense) the walk \
                     slows and turns away from the nearer side ([arbiter.steering] avoid_turn)"
                }
            };
            links.push(LinkReport {
                kind: "arbiter".into(),
                name: format!("steering: {rule}"),
                link: "engineered".into(),
                neurons: 0,
                note: note.into(),
            });
        }
        links
    }

    /// Whether any wiring is synthetic, shuffled or cut, and why, in words.
    pub fn wiring(&self) -> (bool, String) {
        let p = self;
        let note = p.connectome.synthetic_note();
        let synthetic = note.is_some() || p.shuffled.is_some();
        let wiring_note = match (p.shuffled, note) {
            (Some(s), _) => format!(
                "the wiring was rewired by a degree-preserving shuffle (seed {s}): the null model"
            ),
            (None, Some(n)) => format!("SYNTHETIC wiring: {n}"),
            _ => format!("real wiring as published ({})", p.connectome.format),
        };
        let cuts: Vec<String> = p
            .cuts
            .iter()
            .map(|c| format!("{} pairs from `{}` to `{}`", c.pairs, c.from, c.to))
            .collect();
        if cuts.is_empty() {
            (synthetic, wiring_note)
        } else {
            let note = format!("{wiring_note}; lesioned: {} removed", cuts.join(", "));
            (synthetic, note)
        }
    }

    /// The neurons `selector` picks (`type=LC4`, `class=ALPN & side=left`; an error if
    /// none), for activating or silencing them in a loop of one's own.
    pub fn select(&self, selector: &str) -> Result<Vec<NeuronIndex>, ExperimentError> {
        selection(&self.connectome, selector, "selector")
    }
}

/// Loads the experiment's connectome and circuit map and compiles the network. A dataset
/// that is not installed is an error naming `hexafly fetch --for` the experiment's file.
pub fn prepare(exp: &Experiment) -> Result<Prepared, ExperimentError> {
    prepare_network(exp).map_err(|e| match e.is_missing_dataset() {
        true => ExperimentError::NotInstalled {
            file: exp.file.clone(),
            source: Box::new(e),
        },
        false => e,
    })
}

fn prepare_network(exp: &Experiment) -> Result<Prepared, ExperimentError> {
    let dataset = |what: String| {
        move |source| ExperimentError::Dataset {
            what,
            source: Box::new(source),
        }
    };
    let mut source = exp.dataset_source();
    for (i, a) in exp.network.annotations.iter().enumerate() {
        let tables = source
            .tables(&exp.resolve(a))
            .map_err(dataset(format!("network.annotations[{i}]")))?;
        source.annotations.extend(tables);
    }
    let conn_path = exp.resolve(&exp.network.connectome);
    let loaded = source.load(&conn_path).map_err(dataset(format!(
        "loading {} (network.connectome)",
        conn_path.display()
    )))?;
    let mut connectome = loaded.connectome;
    let map_path = exp.resolve(&exp.network.circuit);
    let map = CircuitMap::load(&map_path)?;
    // Lesions first: a cut commutes with the map's sign rule, which changes signs only.
    let cuts = cut_synapses(&mut connectome, &exp.network.cut)?;
    let Wiring {
        connectome,
        map,
        resolved,
        network,
    } = Wiring::compile(connectome, map, &loaded.path.display().to_string())?;
    Ok(Prepared {
        connectome,
        path: loaded.path,
        map,
        resolved,
        network,
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
) -> Result<Vec<AppliedCut>, ExperimentError> {
    let n = c.n_neurons();
    let mut applied = Vec::new();
    for (i, cut) in cuts.iter().enumerate() {
        let mask = |sel: &str, key: &str| -> Result<Vec<bool>, ExperimentError> {
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

/// The neurons `sel` selects in `c` (an error naming `key` if it selects none).
pub(crate) fn selection(
    c: &Connectome,
    sel: &str,
    key: &str,
) -> Result<Vec<NeuronIndex>, ExperimentError> {
    let v = Selector::parse(sel)
        .and_then(|s| s.select(&c.neurons))
        .map_err(|source| ExperimentError::Selector {
            key: key.to_string(),
            selector: sel.to_string(),
            source: Box::new(source),
        })?;
    if v.is_empty() {
        return Err(ExperimentError::SelectsNothing {
            key: key.to_string(),
            selector: sel.to_string(),
        });
    }
    Ok(v)
}

/// sha256 of the network as simulated (ids, CSR, signed counts).
pub(crate) fn network_hash(c: &Connectome) -> String {
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
