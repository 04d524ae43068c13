//! `circuit check`: a map against a dataset's wiring. Resolves every selector, measures
//! paths from each sensory group to each readout group, runs the drive test and, where
//! asked, proposes readouts; every number is given on the wiring as loaded and on a
//! degree-preserving shuffle of it (the null model), side by side.

use std::sync::Arc;

use connectome::select::Selector;
use connectome::shuffle::degree_preserving_shuffle;
use connectome::synth::is_synthetic_id;
use connectome::{Connectome, NeuronIndex, SynapseMatrix};

use super::drive::{ConditionRun, DriveSpec, mean_sd, run_condition};
use super::error::CircuitError;
use super::map::{CircuitMap, Command, SignSpec};
use super::paths::{direct_synapses, hops_from, shortest_onto, widest_from};
use super::report::*;
use super::resolve::{Resolved, ResolvedGroup};
use crate::anatomy::Side;
use crate::brain::Network;

/// Name of the null model's method in reports.
pub const NULL_METHOD: &str = "degree-preserving shuffle: targets permuted, repaired by double-edge swaps; \
     in/out degree, each neuron's own signed counts and autapses kept";

/// What the check runs.
#[derive(Debug, Clone)]
pub struct CheckParams {
    /// The drive test (None: skip it).
    pub drive: Option<DriveSpec>,
    /// Seed of the null model's shuffle (None: no null model).
    pub null_seed: Option<u64>,
    /// Propose readouts from this sensor's drive.
    pub propose: Option<String>,
    /// Candidates listed per ranking.
    pub top: usize,
    /// Candidate neurons for proposals (None: the rule in [`super::propose`]).
    pub candidates: Option<Selector>,
    /// Synapse weight (mV) instead of the map's (for choosing a dataset's weight).
    pub w_syn_mv: Option<f64>,
}

impl Default for CheckParams {
    fn default() -> Self {
        CheckParams {
            drive: Some(DriveSpec::default()),
            null_seed: Some(1),
            propose: None,
            top: 10,
            candidates: None,
            w_syn_mv: None,
        }
    }
}

/// A sensor or readout group with the name of what it belongs to.
pub(crate) struct Named<'a> {
    pub owner: usize,
    pub group: &'a ResolvedGroup,
}

/// `left`, `right` or `both`.
pub(crate) fn side_name(s: Option<Side>) -> &'static str {
    match s {
        Some(Side::Left) => "left",
        Some(Side::Right) => "right",
        None => "both",
    }
}

/// The dataset's neuron as named in reports.
pub(crate) fn neuron_ref(c: &Connectome, i: NeuronIndex) -> NeuronRef {
    NeuronRef {
        id: c.neurons.id(i),
        r#type: c.neurons.annotation(i, "type").to_owned(),
        side: c.neurons.annotation(i, "side").to_owned(),
    }
}

/// Runs the check of `map` on `c` (`label` names the dataset in messages and reports).
pub fn check(
    c: &Connectome,
    label: &str,
    map: &CircuitMap,
    opts: &CheckParams,
) -> Result<CheckReport, CircuitError> {
    let resolved = map.resolve(&c.neurons, label)?;
    if let Some(p) = &opts.propose
        && map.sensor(p).is_none()
    {
        let names: Vec<&str> = map.sensors.iter().map(|s| s.name.as_str()).collect();
        return Err(CircuitError::Check(format!(
            "--propose {p}: the map has no sensor `{p}`; expected one of: {}",
            names.join(", ")
        )));
    }
    let mut model = map.model_or_default();
    if let Some(w) = opts.w_syn_mv {
        if !(w.is_finite() && w > 0.0) {
            return Err(CircuitError::Check(format!(
                "synapse weight {w} mV: expected a number > 0"
            )));
        }
        model.w_syn_mv = w;
    }
    let real = crate::wiring::signed_synapses(c, &model)
        .map_err(|e| CircuitError::Check(e.to_string()))?;
    let null = opts
        .null_seed
        .filter(|_| c.n_edges() > 0)
        .map(|s| degree_preserving_shuffle(&real, s))
        .transpose()
        .map_err(|e| CircuitError::Check(e.to_string()))?;
    let sensor_groups: Vec<Named> = named(&resolved.sensors);
    let readout_groups: Vec<Named> = named(&resolved.readouts);
    let mut notes = Vec::new();
    let wired = c.n_edges() > 0;
    if !wired {
        notes.push(format!(
            "{label} has no synapses (a neuron table only): selectors were resolved, paths and \
             the drive test were skipped"
        ));
    }
    let paths = if wired {
        paths(
            c,
            map,
            &real,
            null.as_ref(),
            &sensor_groups,
            &readout_groups,
        )
    } else {
        Vec::new()
    };

    let mut drive = None;
    let mut propose = None;
    if let Some(spec) = opts.drive.as_ref().filter(|_| wired) {
        let params = model.params();
        let net_of = |m: &SynapseMatrix| {
            Network::new(m, params.clone(), &[])
                .map(Arc::new)
                .map_err(|e| CircuitError::Check(e.to_string()))
        };
        let nets = (net_of(&real)?, null.as_ref().map(net_of).transpose()?);
        let runs = Runs::new(c, map, &resolved, &sensor_groups, &nets, spec)?;
        drive = Some(drive_report(
            map,
            spec,
            opts.null_seed,
            &sensor_groups,
            &readout_groups,
            &runs,
        ));
        if let Some(name) = &opts.propose {
            propose = Some(super::propose::propose(
                c,
                map,
                name,
                &sensor_groups,
                &runs,
                opts,
            )?);
        }
    }
    Ok(CheckReport {
        schema: SCHEMA,
        circuit: CircuitInfo {
            name: map.name.clone(),
            file: map.file().display().to_string(),
            written_for: map.dataset.clone(),
        },
        dataset: dataset_info(c, label),
        model: ModelInfo {
            w_syn_mv: model.w_syn_mv,
            signs: match model.signs {
                SignSpec::Transmitter => "transmitter",
                SignSpec::Seeded { .. } => "seeded",
            },
            inhibitory_fraction: match model.signs {
                SignSpec::Seeded {
                    inhibitory_fraction,
                    ..
                } => Some(inhibitory_fraction),
                SignSpec::Transmitter => None,
            },
            sign_seed: match model.signs {
                SignSpec::Seeded { seed, .. } => Some(seed),
                SignSpec::Transmitter => None,
            },
            from_map: map.model.is_some(),
            weight_overridden: opts.w_syn_mv.is_some(),
            note: model.note.clone(),
        },
        sensors: map
            .sensors
            .iter()
            .zip(&resolved.sensors)
            .map(|(s, g)| SensorInfo {
                name: s.name.clone(),
                field: s.field.path().into(),
                link: s.link.as_str(),
                note: s.note.clone(),
                top_rate_hz: s.encoding.curve.top_hz(),
                groups: g.iter().map(group_info).collect(),
            })
            .collect(),
        readouts: map
            .readouts
            .iter()
            .zip(&resolved.readouts)
            .map(|(r, g)| ReadoutInfo {
                name: r.name.clone(),
                command: r.command.as_str(),
                link: r.link.as_str(),
                note: r.note.clone(),
                groups: g.iter().map(group_info).collect(),
            })
            .collect(),
        paths,
        drive,
        propose,
        notes,
    })
}

fn named(groups: &[Vec<ResolvedGroup>]) -> Vec<Named<'_>> {
    groups
        .iter()
        .enumerate()
        .flat_map(|(owner, gs)| gs.iter().map(move |group| Named { owner, group }))
        .collect()
}

fn group_info(g: &ResolvedGroup) -> GroupInfo {
    GroupInfo {
        side: side_name(g.side),
        key: g.key.clone(),
        selector: g.selector.clone(),
        neurons: g.neurons.len(),
    }
}

fn dataset_info(c: &Connectome, label: &str) -> DatasetInfo {
    let synthetic = c
        .neurons
        .ids()
        .iter()
        .filter(|&&id| is_synthetic_id(id))
        .count();
    let note = c.synthetic_note();
    DatasetInfo {
        label: label.to_owned(),
        format: c.format.clone(),
        neurons: c.n_neurons(),
        edges: c.n_edges(),
        synapses: c.n_synapses(),
        synthetic_neurons: synthetic,
        wiring: if note.is_none() {
            "real"
        } else if synthetic == c.n_neurons() {
            "synthetic"
        } else {
            "partly synthetic"
        },
        synthetic_note: note,
    }
}

fn paths(
    c: &Connectome,
    map: &CircuitMap,
    real: &SynapseMatrix,
    null: Option<&SynapseMatrix>,
    sensors: &[Named],
    readouts: &[Named],
) -> Vec<PathInfo> {
    let mut out = Vec::new();
    for s in sensors {
        let src = &s.group.neurons;
        let measure_all = |m: &SynapseMatrix| {
            let any = hops_from(m, src, false);
            let exc = hops_from(m, src, true);
            let wide = widest_from(m, src);
            readouts
                .iter()
                .map(|r| {
                    let dst = &r.group.neurons;
                    let (direct, pairs) = direct_synapses(m, src, dst);
                    let best = wide.best_onto(m, dst);
                    PathMeasures {
                        hops_any_sign: shortest_onto(&any, dst),
                        hops_excitatory: shortest_onto(&exc, dst),
                        direct_synapses: direct,
                        direct_pairs: pairs,
                        strongest_bottleneck: best.as_ref().map(|p| p.bottleneck),
                        strongest_path: best
                            .as_ref()
                            .map(|p| p.neurons.iter().map(|&i| neuron_ref(c, i)).collect())
                            .unwrap_or_default(),
                        strongest_counts: best.map(|p| p.counts).unwrap_or_default(),
                    }
                })
                .collect::<Vec<_>>()
        };
        let real_m = measure_all(real);
        let mut null_m = null
            .map(measure_all)
            .map(|v| v.into_iter().map(Some).collect::<Vec<_>>());
        for (k, (r, m)) in readouts.iter().zip(real_m).enumerate() {
            out.push(PathInfo {
                sensor: map.sensors[s.owner].name.clone(),
                sensor_side: side_name(s.group.side),
                readout: map.readouts[r.owner].name.clone(),
                readout_side: side_name(r.group.side),
                link: map.readouts[r.owner].link.as_str(),
                real: m,
                null: null_m.as_mut().and_then(|v| v[k].take()),
            });
        }
    }
    out
}

/// The drive test's runs: baseline and one per sensor group, on real and null wiring.
pub(crate) struct Runs {
    pub baseline: (ConditionRun, Option<ConditionRun>),
    /// Per sensor group (same order as the flattened sensor groups).
    pub driven: Vec<(ConditionRun, Option<ConditionRun>)>,
    /// Rate of each sensor group (Hz).
    pub rates: Vec<f64>,
}

impl Runs {
    fn new(
        c: &Connectome,
        map: &CircuitMap,
        resolved: &Resolved,
        sensors: &[Named],
        nets: &(Arc<Network>, Option<Arc<Network>>),
        spec: &DriveSpec,
    ) -> Result<Runs, CircuitError> {
        // Escape readouts trigger on spike times: record their neurons' spikes.
        let mut record = vec![false; c.n_neurons()];
        for (r, groups) in map.readouts.iter().zip(&resolved.readouts) {
            if r.command == Command::Escape {
                for &i in groups.iter().flat_map(|g| &g.neurons) {
                    record[i as usize] = true;
                }
            }
        }
        let both = |drive: &[(NeuronIndex, f64)]| -> Result<(ConditionRun, Option<ConditionRun>), CircuitError> {
            let real = run_condition(&nets.0, drive, spec, &record)?;
            let null = nets.1.as_ref().map(|n| run_condition(n, drive, spec, &record)).transpose()?;
            Ok((real, null))
        };
        let baseline = both(&[])?;
        let mut driven = Vec::new();
        let mut rates = Vec::new();
        for s in sensors {
            let rate = map.sensors[s.owner].encoding.curve.top_hz();
            let drive: Vec<(NeuronIndex, f64)> =
                s.group.neurons.iter().map(|&i| (i, rate)).collect();
            driven.push(both(&drive)?);
            rates.push(rate);
        }
        Ok(Runs {
            baseline,
            driven,
            rates,
        })
    }
}

fn response(
    run: &ConditionRun,
    base: &ConditionRun,
    group: &[NeuronIndex],
    trigger: Option<&super::map::Trigger>,
) -> Response {
    let (mean, sd) = mean_sd(&run.group_rates(group));
    let (bmean, bsd) = mean_sd(&base.group_rates(group));
    let n = run.counts.len().max(1) as f64;
    let times = trigger.map(|t| run.trigger_times(group, t));
    let fired: Vec<f64> = times.iter().flatten().flatten().copied().collect();
    Response {
        mean_hz: mean,
        sd_hz: sd,
        baseline_hz: bmean,
        baseline_sd_hz: bsd,
        change_hz: mean - bmean,
        change_se_hz: (sd * sd / n + bsd * bsd / n).sqrt(),
        triggered_trials: times.as_ref().map(|_| fired.len() as u32),
        first_trigger_ms: (!fired.is_empty())
            .then(|| (fired.iter().sum::<f64>() / fired.len() as f64 * 1e3).round() / 1e3),
    }
}

/// Share of undriven neurons firing at >= 1 Hz, and their mean rate, averaged over trials.
fn activity(run: &ConditionRun, driven: &[NeuronIndex]) -> Activity {
    let n = run.counts.first().map_or(0, Vec::len);
    let mut undriven = vec![true; n];
    for &i in driven {
        undriven[i as usize] = false;
    }
    let m = undriven.iter().filter(|&&u| u).count().max(1) as f64;
    let (mut frac, mut rate) = (0.0, 0.0);
    for counts in &run.counts {
        let rates = counts
            .iter()
            .zip(&undriven)
            .filter(|p| *p.1)
            .map(|(&c, _)| c as f64 / run.duration_s);
        let (active, sum) = rates.fold((0usize, 0.0), |(a, s), r| (a + (r >= 1.0) as usize, s + r));
        frac += active as f64 / m;
        rate += sum / m;
    }
    let t = run.counts.len().max(1) as f64;
    Activity {
        active_fraction: frac / t,
        mean_rate_hz: rate / t,
    }
}

fn drive_report(
    map: &CircuitMap,
    spec: &DriveSpec,
    null_seed: Option<u64>,
    sensors: &[Named],
    readouts: &[Named],
    runs: &Runs,
) -> DriveReport {
    let tests = sensors
        .iter()
        .zip(&runs.driven)
        .zip(&runs.rates)
        .map(|((s, (real, null)), &rate)| DriveTest {
            sensor: map.sensors[s.owner].name.clone(),
            side: side_name(s.group.side),
            rate_hz: rate,
            driven: s.group.neurons.len(),
            readouts: readouts
                .iter()
                .map(|r| {
                    let spec = &map.readouts[r.owner];
                    let trig = spec.trigger.as_ref();
                    ReadoutResponse {
                        readout: spec.name.clone(),
                        side: side_name(r.group.side),
                        command: spec.command.as_str(),
                        link: spec.link.as_str(),
                        real: response(real, &runs.baseline.0, &r.group.neurons, trig),
                        null: null
                            .as_ref()
                            .zip(runs.baseline.1.as_ref())
                            .map(|(n, b)| response(n, b, &r.group.neurons, trig)),
                    }
                })
                .collect(),
            network: activity(real, &s.group.neurons),
            null_network: null.as_ref().map(|n| activity(n, &s.group.neurons)),
        })
        .collect();
    DriveReport {
        duration_ms: spec.duration_ms,
        trials: spec.trials,
        seed: spec.seed,
        null: null_seed.map(|seed| NullInfo {
            shuffled: true,
            method: NULL_METHOD,
            seed,
        }),
        tests,
    }
}
