//! [`Dataset`]: a connectome loaded by name or path, as the command line loads it: its
//! neuron table (for a DataFrame) and selections with the one selector grammar.

use std::path::PathBuf;

use connectome::select::Selector;
use connectome::transmitter::Transmitter;
use pyo3::prelude::*;

use crate::{HexaflyError, error};

/// A loaded connectome.
#[pyclass(module = "hexafly._native")]
pub struct Dataset {
    loaded: connectome::source::Loaded,
}

#[pymethods]
impl Dataset {
    /// Loads a dataset by name (`flywire-783-escape`), `dataset:NAME/PATH` reference or path,
    /// with extra neuron tables (`annotations`: paths or references), from the data
    /// directory ($HEXAFLY_DATA) as `hexafly connectome info` does.
    #[staticmethod]
    #[pyo3(signature = (name_or_path, annotations = Vec::new()))]
    fn load(py: Python<'_>, name_or_path: PathBuf, annotations: Vec<PathBuf>) -> PyResult<Dataset> {
        py.detach(|| {
            let mut source = connectome::source::DatasetSource::default();
            for a in &annotations {
                let tables = source.tables(a)?;
                source.annotations.extend(tables);
            }
            source.load(&name_or_path)
        })
        .map(|loaded| Dataset { loaded })
        .map_err(error)
    }

    /// The file it was loaded from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.loaded.path.clone()
    }

    /// Neurons.
    #[getter]
    fn n_neurons(&self) -> usize {
        self.loaded.connectome.n_neurons()
    }

    /// Synapse pairs (pre, post) with a non-zero count.
    #[getter]
    fn n_edges(&self) -> usize {
        self.loaded.connectome.n_edges()
    }

    /// The neuron table as columns: `root_id`, `nt_type`, then every annotation column.
    fn neuron_columns(&self) -> Vec<(String, Vec<String>)> {
        let t = &self.loaded.connectome.neurons;
        let n = t.len() as u32;
        let mut cols = vec![
            (
                "root_id".to_string(),
                (0..n).map(|i| t.id(i).to_string()).collect(),
            ),
            (
                "nt_type".to_string(),
                (0..n)
                    .map(|i| match t.transmitter(i) {
                        Transmitter::Unknown => String::new(),
                        x => x.name().to_string(),
                    })
                    .collect(),
            ),
        ];
        for name in t.column_names() {
            if name == "root_id" || name == "nt_type" {
                continue;
            }
            cols.push((
                name.to_string(),
                (0..n).map(|i| t.annotation(i, name).to_string()).collect(),
            ));
        }
        cols
    }

    /// The ids of the neurons `selector` picks (`type=DNa02 & side=left`); an error names a
    /// selector that does not parse or names no column.
    fn select(&self, selector: &str) -> PyResult<Vec<u64>> {
        let t = &self.loaded.connectome.neurons;
        let s = Selector::parse(selector)
            .map_err(|e| HexaflyError::new_err(format!("`{selector}`: {e}")))?;
        let picked = s
            .select(t)
            .map_err(|e| HexaflyError::new_err(format!("`{selector}`: {e}")))?;
        Ok(picked.into_iter().map(|i| t.id(i)).collect())
    }
}
