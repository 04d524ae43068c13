//! The neuron table: one row per neuron, its dataset id and its annotations.
//!
//! Annotations are stored column by column, each as a small dictionary of distinct strings
//! plus one code per neuron, because real tables repeat a few thousand type names over
//! 139,255 neurons: this keeps the whole FlyWire table in a few MB and lets a selector
//! match a column's dictionary once instead of every row.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::transmitter::Transmitter;

/// Dense index of a neuron in a [`NeuronTable`] (and row/column of the synapse matrix).
pub type NeuronIndex = u32;

/// Well-known annotation column names shared by all loaders and selectors.
pub mod columns {
    /// Cell type (FlyWire `cell_type`/`primary_type`, neuPrint `type`, larval `celltype`).
    pub const TYPE: &str = "type";
    /// Class (FlyWire `class`).
    pub const CLASS: &str = "class";
    /// Super class (FlyWire `super_class`, e.g. `descending`, `sensory`).
    pub const SUPER_CLASS: &str = "super_class";
    /// Side (`left`, `right`, `center`).
    pub const SIDE: &str = "side";
}

/// One annotation column, dictionary encoded. Code 0 is always the empty string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    dictionary: Vec<String>,
    codes: Vec<u32>,
    #[serde(skip)]
    lookup: HashMap<String, u32>,
}

impl Column {
    fn with_len(n: usize) -> Self {
        let mut lookup = HashMap::new();
        lookup.insert(String::new(), 0);
        Column {
            dictionary: vec![String::new()],
            codes: vec![0; n],
            lookup,
        }
    }

    fn rebuild_lookup(&mut self) {
        self.lookup = self
            .dictionary
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
    }

    /// The value of neuron `i` ("" when absent).
    pub fn get(&self, i: NeuronIndex) -> &str {
        &self.dictionary[self.codes[i as usize] as usize]
    }

    fn set(&mut self, i: NeuronIndex, value: &str) {
        let code = match self.lookup.get(value) {
            Some(&c) => c,
            None => {
                let c = self.dictionary.len() as u32;
                self.dictionary.push(value.to_owned());
                self.lookup.insert(value.to_owned(), c);
                c
            }
        };
        self.codes[i as usize] = code;
    }

    /// The distinct values (index = code; code 0 is "").
    pub fn dictionary(&self) -> &[String] {
        &self.dictionary
    }

    /// One code per neuron, indexing [`Column::dictionary`].
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }
}

/// Neurons of a dataset: ids, transmitters and named annotation columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeuronTable {
    ids: Vec<u64>,
    transmitters: Vec<Transmitter>,
    /// Column names in insertion order with their data.
    columns: Vec<(String, Column)>,
    #[serde(skip)]
    index: HashMap<u64, NeuronIndex>,
}

impl NeuronTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there are no neurons.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds a neuron with this dataset id, or returns the index it already has.
    /// The bool is true when the neuron is new.
    pub fn insert(&mut self, id: u64) -> (NeuronIndex, bool) {
        if let Some(&i) = self.index.get(&id) {
            return (i, false);
        }
        let i = self.ids.len() as NeuronIndex;
        self.ids.push(id);
        self.transmitters.push(Transmitter::Unknown);
        for (_, col) in &mut self.columns {
            col.codes.push(0);
        }
        self.index.insert(id, i);
        (i, true)
    }

    /// The dense index of a dataset id.
    pub fn index_of(&self, id: u64) -> Option<NeuronIndex> {
        self.index.get(&id).copied()
    }

    /// The dataset id of neuron `i`.
    pub fn id(&self, i: NeuronIndex) -> u64 {
        self.ids[i as usize]
    }

    /// All dataset ids, in index order.
    pub fn ids(&self) -> &[u64] {
        &self.ids
    }

    /// The transmitter of neuron `i`.
    pub fn transmitter(&self, i: NeuronIndex) -> Transmitter {
        self.transmitters[i as usize]
    }

    /// All transmitters, in index order.
    pub fn transmitters(&self) -> &[Transmitter] {
        &self.transmitters
    }

    /// Sets the transmitter of neuron `i`.
    pub fn set_transmitter(&mut self, i: NeuronIndex, t: Transmitter) {
        self.transmitters[i as usize] = t;
    }

    /// Sets annotation `column` of neuron `i`, creating the column if needed.
    /// Values are trimmed; an empty value clears the annotation.
    pub fn set_annotation(&mut self, i: NeuronIndex, column: &str, value: &str) {
        let n = self.ids.len();
        let pos = match self.columns.iter().position(|(name, _)| name == column) {
            Some(p) => p,
            None => {
                self.columns.push((column.to_owned(), Column::with_len(n)));
                self.columns.len() - 1
            }
        };
        self.columns[pos].1.set(i, value.trim());
    }

    /// Annotation `column` of neuron `i` ("" when the neuron or column has none).
    pub fn annotation(&self, i: NeuronIndex, column: &str) -> &str {
        self.column(column).map_or("", |c| c.get(i))
    }

    /// A whole annotation column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// Names of all annotation columns, in the order they were added.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(n, _)| n.as_str())
    }

    /// Rebuilds the id and dictionary lookups after deserialization.
    pub fn rebuild_indexes(&mut self) {
        self.index = self
            .ids
            .iter()
            .enumerate()
            .map(|(i, &id)| (id, i as NeuronIndex))
            .collect();
        for (_, col) in &mut self.columns {
            col.rebuild_lookup();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_is_idempotent_and_columns_grow() {
        let mut t = NeuronTable::new();
        let (a, new_a) = t.insert(720575940632499757);
        t.set_annotation(a, columns::TYPE, " DNp01 ");
        let (b, _) = t.insert(5);
        let (a2, again) = t.insert(720575940632499757);
        assert!(new_a && !again);
        assert_eq!(a, a2);
        assert_eq!(t.annotation(a, columns::TYPE), "DNp01");
        assert_eq!(t.annotation(b, columns::TYPE), "");
        assert_eq!(t.annotation(b, "missing"), "");
        assert_eq!(t.index_of(5), Some(b));
        assert_eq!(t.len(), 2);
    }
}
