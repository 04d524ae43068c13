//! The drive test: Poisson input onto one sensory group for a fixed time in the spiking
//! brain, over seeded trials, and the rates of the readout groups (and of any neuron, for
//! proposals) per trial. Trial `i` of every condition draws its input from stream `i` of
//! the seed, so a condition's numbers do not depend on thread count or on which other
//! conditions ran.

use std::sync::Arc;

use connectome::NeuronIndex;

use super::error::CircuitError;
use super::map::Trigger;
use crate::brain::Network;
use crate::brain::trials::{Record, Stimulus, TrialSpec, run_trials};

/// Duration, trials and seed of every condition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriveSpec {
    /// Simulated time per trial (ms).
    pub duration_ms: f64,
    /// Trials per condition.
    pub trials: u32,
    /// Seed of the Poisson input.
    pub seed: u64,
}

impl Default for DriveSpec {
    /// One second (the protocol, and Shiu et al.'s), 4 trials, seed 0.
    fn default() -> Self {
        DriveSpec {
            duration_ms: 1000.0,
            trials: 4,
            seed: 0,
        }
    }
}

/// One condition's outcome: spike counts of every neuron per trial, and the spike steps of
/// the recorded neurons per trial.
#[derive(Debug, Clone)]
pub struct ConditionRun {
    /// `counts[trial][neuron]`.
    pub counts: Vec<Vec<u32>>,
    /// `spikes[trial]` = (step, neuron) of recorded neurons, sorted by step.
    pub spikes: Vec<Vec<(u32, NeuronIndex)>>,
    /// Simulated seconds per trial.
    pub duration_s: f64,
    /// Step (ms).
    pub dt_ms: f64,
}

/// Runs one condition: `drive` neurons at their rates, spikes of `record` kept. Fails only
/// when the duration is longer than one brain can simulate.
pub fn run_condition(
    net: &Arc<Network>,
    drive: &[(NeuronIndex, f64)],
    spec: &DriveSpec,
    record: &[bool],
) -> Result<ConditionRun, CircuitError> {
    let dt_ms = net.params().dt_ms;
    let steps = (spec.duration_ms / dt_ms).round().max(1.0) as u32;
    let stim = Stimulus {
        poisson: drive.to_vec(),
        ..Default::default()
    };
    let tspec = TrialSpec {
        steps,
        trials: spec.trials,
        seed: spec.seed,
        record: Record::Only(record.to_vec()),
    };
    tspec
        .check(net)
        .map_err(|e| CircuitError::Check(format!("drive test of {} ms: {e}", spec.duration_ms)))?;
    let results = run_trials(net, &stim, &tspec);
    Ok(ConditionRun {
        counts: results.iter().map(|r| r.counts.clone()).collect(),
        spikes: results.into_iter().map(|r| r.spikes).collect(),
        duration_s: steps as f64 * dt_ms * 1e-3,
        dt_ms,
    })
}

impl ConditionRun {
    /// Mean rate (Hz) of `group` in each trial.
    pub fn group_rates(&self, group: &[NeuronIndex]) -> Vec<f64> {
        self.counts
            .iter()
            .map(|c| {
                let spikes: u64 = group.iter().map(|&i| c[i as usize] as u64).sum();
                spikes as f64 / (group.len().max(1) as f64 * self.duration_s)
            })
            .collect()
    }

    /// Per trial, the time (ms) at which `group` first fired `trigger.spikes` spikes within
    /// `trigger.window_ms` (None: never). The group must have been recorded.
    pub fn trigger_times(&self, group: &[NeuronIndex], trigger: &Trigger) -> Vec<Option<f64>> {
        let window_steps = (trigger.window_ms / self.dt_ms).round() as u32;
        let k = trigger.spikes.max(1) as usize;
        self.spikes
            .iter()
            .map(|spikes| {
                let steps: Vec<u32> = spikes
                    .iter()
                    .filter(|(_, n)| group.binary_search(n).is_ok())
                    .map(|&(s, _)| s)
                    .collect();
                steps
                    .windows(k)
                    .find(|w| w[k - 1] - w[0] <= window_steps)
                    // Rounded to 1e-6 ms: step x dt carries float noise (71 x 0.1).
                    .map(|w| (w[k - 1] as f64 * self.dt_ms * 1e6).round() / 1e6)
            })
            .collect()
    }
}

/// Mean and sample standard deviation (0 for fewer than two values).
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (0.0, 0.0);
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, 0.0);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_finds_the_first_window_with_enough_spikes() {
        let run = ConditionRun {
            counts: vec![vec![0; 3]],
            spikes: vec![vec![(10, 0), (50, 2), (55, 1), (70, 0), (71, 0)]],
            duration_s: 0.1,
            dt_ms: 0.1,
        };
        let t = Trigger {
            spikes: 2,
            window_ms: 0.5,
        };
        // Neurons 0 and 1 only: steps 10, 55, 70, 71 -> 70 and 71 are within 5 steps.
        assert_eq!(run.trigger_times(&[0, 1], &t), vec![Some(7.1)]);
        let one = Trigger {
            spikes: 1,
            window_ms: 1.0,
        };
        assert_eq!(run.trigger_times(&[2], &one), vec![Some(5.0)]);
        assert_eq!(mean_sd(&[1.0, 3.0]), (2.0, 2f64.sqrt()));
    }
}
