//! Applying a map's selectors to a dataset: every selector must name columns the dataset
//! has and select at least one neuron (a selector that selects nothing is a typo or the
//! wrong dataset, and would silently drive or read nothing). Problems are collected for
//! the whole map, each with the line and key of its selector.

use connectome::{NeuronIndex, NeuronTable};

use super::error::CircuitError;
use super::map::{CircuitMap, GroupSpec};
use crate::anatomy::Side;

/// One selector of the map applied to a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedGroup {
    /// Side of the body it stands for (None: not sided).
    pub side: Option<Side>,
    /// The selector, in canonical form.
    pub selector: String,
    /// Key in the map (`sensor[0].left`).
    pub key: String,
    /// The selected neurons, sorted.
    pub neurons: Vec<NeuronIndex>,
}

/// A map's selectors on one dataset: `sensors[i]` are the groups of `map.sensors[i]`,
/// `readouts[j]` those of `map.readouts[j]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// Groups per sensor.
    pub sensors: Vec<Vec<ResolvedGroup>>,
    /// Groups per readout.
    pub readouts: Vec<Vec<ResolvedGroup>>,
}

impl Resolved {
    /// All neurons of a sensor or readout's groups, sorted, without repeats.
    pub fn union(groups: &[ResolvedGroup]) -> Vec<NeuronIndex> {
        let mut all: Vec<NeuronIndex> = groups
            .iter()
            .flat_map(|g| g.neurons.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

impl CircuitMap {
    /// Applies every selector to `table`; `dataset` names the dataset in messages.
    pub fn resolve(&self, table: &NeuronTable, dataset: &str) -> Result<Resolved, CircuitError> {
        let mut problems = Vec::new();
        let mut one = |g: &GroupSpec| -> ResolvedGroup {
            let neurons = match g.selector.select_in(table, self.base_dir()) {
                Ok(n) if n.is_empty() => {
                    problems.push(self.problem(
                        &g.key,
                        format!(
                            "selector `{}` selects no neuron of {dataset}; expected at least one \
                             (see `hexafly connectome info {dataset} --by COLUMN` for the values)",
                            g.selector
                        ),
                    ));
                    n
                }
                Ok(n) => n,
                Err(e) => {
                    problems.push(self.problem(&g.key, format!("{e} (dataset {dataset})")));
                    Vec::new()
                }
            };
            ResolvedGroup {
                side: g.side,
                selector: g.selector.to_string(),
                key: g.key.clone(),
                neurons,
            }
        };
        let sensors: Vec<Vec<ResolvedGroup>> = self
            .sensors
            .iter()
            .map(|s| s.groups.iter().map(&mut one).collect())
            .collect();
        let readouts: Vec<Vec<ResolvedGroup>> = self
            .readouts
            .iter()
            .map(|r| r.groups.iter().map(&mut one).collect())
            .collect();
        if problems.is_empty() {
            Ok(Resolved { sensors, readouts })
        } else {
            Err(CircuitError::Invalid {
                file: self.file.clone(),
                problems,
            })
        }
    }
}
