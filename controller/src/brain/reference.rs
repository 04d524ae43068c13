//! Brian 2's algorithm for the Shiu et al. model, transcribed literally: every neuron,
//! every step, in Brian's order (state update, threshold, synaptic and input delivery,
//! reset). It is slow (O(neurons) per step) and exists as the oracle that the event-driven
//! [`super::Brain`] is tested against, spike for spike: every shortcut of the engine (the
//! coefficient form, active windows, reachability bounds, epochs, refractory cells, the
//! split runner) must give exactly these spikes.
//!
//! Brian's generated code for `method='linear'` with refractoriness 'rfc':
//! `not_refractory = (t - lastspike) >= rfc`; where not refractory,
//! `v = v_const + (v_from_g g + v_decay v)`, `g *= g_decay`; spike where
//! `not_refractory and v > v_th`; synapses `g += w` (`on_pre`, skipped where refractory:
//! Brian's `g` is clamped by `unless refractory`), input `v += w_input`; reset `v = v_reset,
//! g = 0`.

use connectome::{NeuronIndex, SynapseMatrix};

use super::noise::Noise;
use super::params::{ModelParams, ParamsError};

/// Spikes `(step, neuron)` of `steps` steps of the model on `matrix` (signed counts) with
/// explicit input events `(step, neuron)` (repeats add up). Neurons that receive input
/// have no refractory period (Shiu et al.'s driven neurons); `silenced` neurons spike but
/// their synapses carry nothing. Sorted by step, then neuron.
pub fn dense_run(
    matrix: &SynapseMatrix,
    params: &ModelParams,
    silenced: &[NeuronIndex],
    input: &[(u32, NeuronIndex)],
    steps: u32,
) -> Result<Vec<(u32, NeuronIndex)>, ParamsError> {
    dense_run_noisy(matrix, params, silenced, input, steps, None)
}

/// [`dense_run`] with membrane noise: the state update of a non-refractory neuron adds
/// `noise.kick(step, neuron)` to v (Brian's `+ sigma*sqrt(2/t_mbr)*xi`, with the engine's
/// random numbers, so that the two can be compared spike for spike).
pub fn dense_run_noisy(
    matrix: &SynapseMatrix,
    params: &ModelParams,
    silenced: &[NeuronIndex],
    input: &[(u32, NeuronIndex)],
    steps: u32,
    noise: Option<&Noise>,
) -> Result<Vec<(u32, NeuronIndex)>, ParamsError> {
    let k = params.constants()?;
    let mut input = input.to_vec();
    input.sort_unstable();
    let n = matrix.n_neurons();
    let mut driven = vec![false; n];
    for e in &input {
        driven[e.1 as usize] = true;
    }
    let mut mute = vec![false; n];
    for &s in silenced {
        mute[s as usize] = true;
    }
    let (mut v, mut g) = (vec![k.v_rest; n], vec![0.0f64; n]);
    // Step of the last spike; "never" is far enough back for any refractory period.
    let mut last: Vec<i64> = vec![i64::MIN / 2; n];
    let mut not_refr = vec![true; n];
    let delay = k.delay_steps as usize;
    let mut history: Vec<Vec<NeuronIndex>> = Vec::new();
    let mut out = Vec::new();
    for s in 0..steps {
        for i in 0..n {
            let rfc = if driven[i] {
                0
            } else {
                k.refractory_steps as i64
            };
            not_refr[i] = s as i64 - last[i] >= rfc;
            if not_refr[i] {
                let nv = k.v_const + ((k.v_from_g * g[i]) + (k.v_decay * v[i]));
                g[i] *= k.g_decay;
                v[i] = match noise {
                    Some(z) => nv + z.kick(s, i as NeuronIndex),
                    None => nv,
                };
            }
        }
        let mut fired = Vec::new();
        for i in 0..n {
            if not_refr[i] && v[i] > k.v_th {
                fired.push(i as NeuronIndex);
                not_refr[i] = false;
                last[i] = s as i64;
            }
        }
        history.push(fired);
        if let Some(arriving) = (s as usize).checked_sub(delay).map(|m| &history[m]) {
            for &p in arriving.iter().filter(|&&p| !mute[p as usize]) {
                let (targets, counts) = matrix.row(p);
                for (&q, &c) in targets.iter().zip(counts) {
                    if not_refr[q as usize] {
                        g[q as usize] += c as f64 * k.w_syn;
                    }
                }
            }
        }
        let now = input.partition_point(|e| e.0 < s)..input.partition_point(|e| e.0 <= s);
        for &(_, q) in &input[now] {
            if not_refr[q as usize] {
                v[q as usize] += k.w_input;
            }
        }
        for &i in &history[s as usize] {
            v[i as usize] = k.v_reset;
            g[i as usize] = 0.0;
            out.push((s, i));
        }
    }
    Ok(out)
}
