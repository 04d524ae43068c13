//! Proposing readouts from the wiring: drive one sensor's left and right groups in turn
//! (the drive test's runs) and rank candidate neurons by how differently they respond.
//!
//! **Candidates**, in order of preference:
//! 1. the `--candidates` selector, if given;
//! 2. `super_class=descending`, if the dataset annotates descending neurons that way
//!    (FlyWire);
//! 3. `type~DN.*`, if some `type` starts with `DN` (the larval `DN-VNC`/`DN-SEZ`, neuPrint
//!    DN types);
//! 4. otherwise the output neurons: synapses in, none out.
//!
//! The sensor's own driven neurons are never candidates.
//!
//! **Rankings** of single neurons: `lateral` by |rate with the left group driven - rate with
//! the right group driven|, `response` by the mean rate change over baseline. Ties go to the
//! lower dataset id.
//!
//! **Pairs**: a candidate and its left/right partner (the `partner` annotation of the larval
//! data, else the one other candidate of the same `type` on the other side). A pair is
//! oriented so that its `left` member is the one whose rate rises more with left drive.
//! `pairs_by_turn` ranks by `min(left_diff, -right_diff)`: positive only when each member
//! prefers its own side's drive, and then the size of the weaker preference, so the top pair
//! is the best left-minus-right turning readout. `pairs_by_response` ranks by the mean rate
//! change of the two members (a bilateral drive readout).

use connectome::select::Selector;
use connectome::{Connectome, NeuronIndex};

use super::check::{CheckParams, Named, Runs, neuron_ref};
use super::drive::{ConditionRun, mean_sd};
use super::error::CircuitError;
use super::map::CircuitMap;
use super::report::{Candidate, NullBest, PairCandidate, ProposeReport};
use crate::anatomy::Side;

fn select(c: &Connectome, text: &str) -> Option<Vec<NeuronIndex>> {
    let sel = Selector::parse(text).ok()?;
    sel.select(&c.neurons).ok().filter(|v| !v.is_empty())
}

/// The candidate neurons and the rule that chose them.
fn candidates(
    c: &Connectome,
    given: Option<&Selector>,
) -> Result<(Vec<NeuronIndex>, String), CircuitError> {
    if let Some(sel) = given {
        let v = sel
            .select(&c.neurons)
            .map_err(|e| CircuitError::Check(format!("--candidates: {e}")))?;
        return Ok((v, format!("--candidates {sel}")));
    }
    for rule in ["super_class=descending", "type~DN.*"] {
        if let Some(v) = select(c, rule) {
            return Ok((v, rule.to_owned()));
        }
    }
    let n = c.n_neurons();
    let mut has_in = vec![false; n];
    for (_, b, _) in c.synapses.iter() {
        has_in[b as usize] = true;
    }
    let v = (0..n as NeuronIndex)
        .filter(|&i| has_in[i as usize] && c.synapses.row(i).0.is_empty())
        .collect();
    Ok((
        v,
        "output neurons (synapses in, none out): the dataset annotates no descending neurons"
            .into(),
    ))
}

fn rates(run: &ConditionRun, i: NeuronIndex) -> Vec<f64> {
    run.counts
        .iter()
        .map(|c| c[i as usize] as f64 / run.duration_s)
        .collect()
}

/// Ranks candidates by their response to sensor `name` (see the module documentation).
pub(crate) fn propose(
    c: &Connectome,
    map: &CircuitMap,
    name: &str,
    sensors: &[Named],
    runs: &Runs,
    opts: &CheckParams,
) -> Result<ProposeReport, CircuitError> {
    let owner = map
        .sensors
        .iter()
        .position(|s| s.name == name)
        .expect("checked by the caller");
    let mine: Vec<usize> = (0..sensors.len())
        .filter(|&k| sensors[k].owner == owner)
        .collect();
    let by_side = |side| {
        mine.iter()
            .copied()
            .find(|&k| sensors[k].group.side == Some(side))
    };
    let (left, right, sided) = match (by_side(Side::Left), by_side(Side::Right)) {
        (Some(l), Some(r)) => (l, r, true),
        _ => (mine[0], mine[0], false),
    };
    let mut driven = vec![false; c.n_neurons()];
    for &k in &mine {
        for &i in &sensors[k].group.neurons {
            driven[i as usize] = true;
        }
    }
    let (all, rule) = candidates(c, opts.candidates.as_ref())?;
    let pool: Vec<NeuronIndex> = all.into_iter().filter(|&i| !driven[i as usize]).collect();
    let numbers = |i: NeuronIndex, l: &ConditionRun, r: &ConditionRun, b: &ConditionRun| {
        let (lm, ls) = mean_sd(&rates(l, i));
        let (rm, rs) = mean_sd(&rates(r, i));
        let (bm, _) = mean_sd(&rates(b, i));
        let n = l.counts.len().max(1) as f64;
        (lm, rm, bm, ((ls * ls + rs * rs) / n).sqrt())
    };
    let mut list: Vec<Candidate> = pool
        .iter()
        .map(|&i| {
            let (l, r, b, se) = numbers(
                i,
                &runs.driven[left].0,
                &runs.driven[right].0,
                &runs.baseline.0,
            );
            let null = match (
                &runs.driven[left].1,
                &runs.driven[right].1,
                &runs.baseline.1,
            ) {
                (Some(nl), Some(nr), Some(nb)) => Some(numbers(i, nl, nr, nb)),
                _ => None,
            };
            Candidate {
                neuron: neuron_ref(c, i),
                partner: None,
                baseline_hz: b,
                left_hz: l,
                right_hz: r,
                diff_hz: l - r,
                diff_se_hz: se,
                change_hz: (l + r) / 2.0 - b,
                null_diff_hz: null.map(|(l, r, _, _)| l - r),
                null_change_hz: null.map(|(l, r, b, _)| (l + r) / 2.0 - b),
            }
        })
        .collect();
    set_partners(c, &pool, &mut list);
    list.sort_by_key(|a| a.neuron.id);
    let pairs = pairs(&list);
    let null_best = null_best(&list, &pairs, sided);
    let mut pairs_by_turn = Vec::new();
    if sided {
        pairs_by_turn = pairs.clone();
        pairs_by_turn.sort_by(|a, b| b.turn_score_hz.total_cmp(&a.turn_score_hz));
        pairs_by_turn.truncate(opts.top);
    }
    let mut pairs_by_response = pairs;
    pairs_by_response.sort_by(|a, b| b.change_hz.total_cmp(&a.change_hz));
    pairs_by_response.truncate(opts.top);
    let mut lateral = Vec::new();
    if sided {
        lateral = list.clone();
        lateral.sort_by(|a, b| b.diff_hz.abs().total_cmp(&a.diff_hz.abs()));
        lateral.truncate(opts.top);
    }
    let mut response = list;
    response.sort_by(|a, b| b.change_hz.total_cmp(&a.change_hz));
    response.truncate(opts.top);
    Ok(ProposeReport {
        sensor: name.to_owned(),
        candidates_rule: rule,
        candidates: pool.len(),
        lateral,
        response,
        pairs_by_turn,
        pairs_by_response,
        null_best,
    })
}

/// The largest value, or None when any is missing (no null model).
fn max_of(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    values
        .into_iter()
        .try_fold(0.0f64, |m, x| x.map(|x| m.max(x)))
}

/// The best null values over every candidate and pair (None without a null model).
fn null_best(list: &[Candidate], pairs: &[PairCandidate], sided: bool) -> Option<NullBest> {
    let lateral = |x: f64| if sided { x } else { 0.0 };
    Some(NullBest {
        abs_diff_hz: lateral(max_of(list.iter().map(|c| c.null_diff_hz.map(f64::abs)))?),
        change_hz: max_of(list.iter().map(|c| c.null_change_hz))?,
        pair_turn_score_hz: lateral(max_of(pairs.iter().map(|p| p.null_turn_score_hz))?),
        pair_change_hz: max_of(pairs.iter().map(|p| p.null_change_hz))?,
    })
}

/// Partner ids: the `partner` annotation when it names another candidate, else the one
/// other candidate of the same `type` on the opposite side.
fn set_partners(c: &Connectome, pool: &[NeuronIndex], list: &mut [Candidate]) {
    use std::collections::HashMap;
    let ids: std::collections::HashSet<u64> = list.iter().map(|x| x.neuron.id).collect();
    let mut by_type: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, &i) in pool.iter().enumerate() {
        let t = c.neurons.annotation(i, "type");
        if !t.is_empty() {
            by_type.entry(t).or_default().push(k);
        }
    }
    for (k, &i) in pool.iter().enumerate() {
        let annotated: Option<u64> = c.neurons.annotation(i, "partner").parse().ok();
        list[k].partner = annotated.filter(|p| ids.contains(p)).or_else(|| {
            let same = by_type.get(c.neurons.annotation(i, "type"))?;
            let sides: Vec<&str> = same.iter().map(|&m| list[m].neuron.side.as_str()).collect();
            match (same.as_slice(), sides.as_slice()) {
                ([a, b], ["left", "right"] | ["right", "left"]) => {
                    let other = if *a == k { *b } else { *a };
                    Some(list[other].neuron.id)
                }
                _ => None,
            }
        });
    }
}

/// Every candidate pair once (by the lower id), oriented with the left-preferring member
/// first.
fn pairs(list: &[Candidate]) -> Vec<PairCandidate> {
    let by_id: std::collections::HashMap<u64, &Candidate> =
        list.iter().map(|x| (x.neuron.id, x)).collect();
    let mut out = Vec::new();
    for a in list {
        let Some(b) = a.partner.and_then(|p| by_id.get(&p)) else {
            continue;
        };
        if b.neuron.id <= a.neuron.id && b.partner == Some(a.neuron.id) {
            continue;
        }
        let (l, r) = if a.diff_hz >= b.diff_hz {
            (a, *b)
        } else {
            (*b, a)
        };
        let null_score = l
            .null_diff_hz
            .zip(r.null_diff_hz)
            .map(|(x, y)| x.min(-y) + 0.0);
        out.push(PairCandidate {
            left: l.neuron.clone(),
            right: r.neuron.clone(),
            left_diff_hz: l.diff_hz,
            right_diff_hz: r.diff_hz,
            turn_score_hz: l.diff_hz.min(-r.diff_hz) + 0.0,
            change_hz: (l.change_hz + r.change_hz) / 2.0,
            null_turn_score_hz: null_score,
            null_change_hz: l
                .null_change_hz
                .zip(r.null_change_hz)
                .map(|(x, y)| (x + y) / 2.0),
        });
    }
    out
}
