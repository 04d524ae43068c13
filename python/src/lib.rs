//! `hexafly._native`: the Rust side of the `hexafly` Python package. What crosses:
//!
//! - [`Experiment`]: an experiment file, with keys set by the same key paths as sweeps
//!   (`agent.hunger`, `events[0].at_s`), run into a run folder exactly as `hexafly run`;
//! - [`brain_run`]: the brain alone, exactly as `hexafly brain run`;
//! - [`Loop`]: the closed loop stepped tick by tick, for the Gymnasium environment;
//! - [`dataset::Dataset`]: a connectome by name or path, its neuron table and selections.
//!
//! Long work releases the interpreter and looks for Ctrl-C every simulated 0.1 s; an error
//! is a `hexafly.HexaflyError` (a `ValueError`) carrying the file, line and key the Rust
//! error names. The pandas side lives in `py/hexafly`.

use std::path::{Path, PathBuf};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};
use sim::experiment::run::run_prepared_checked;
use sim::experiment::{Prepared, prepare};

mod dataset;
mod gym_loop;

pyo3::create_exception!(
    _native,
    HexaflyError,
    PyValueError,
    "A problem hexafly found: bad input (file, line and key named), a missing dataset, a \
     failed run."
);

/// Any error as a `HexaflyError` with its whole chain of causes.
fn error(e: impl Into<anyhow::Error>) -> PyErr {
    HexaflyError::new_err(format!("{:#}", e.into()))
}

/// A Python value as a TOML literal (numbers, booleans, strings, lists of them).
fn toml_value(v: &Bound<'_, PyAny>) -> PyResult<toml::Value> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(toml::Value::Integer(v.extract()?));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = v.try_iter()?.collect::<PyResult<_>>()?;
        return Ok(toml::Value::Array(
            items.iter().map(toml_value).collect::<PyResult<_>>()?,
        ));
    }
    // numpy scalars and other numbers
    if let Ok(x) = v.extract::<f64>() {
        return Ok(toml::Value::Float(x));
    }
    Err(HexaflyError::new_err(format!(
        "cannot set a key to {}: expected a number, a bool, a string or a list of them",
        v.repr()?
    )))
}

/// An experiment: a file, read and checked, with the keys set on it since.
#[pyclass(module = "hexafly._native", skip_from_py_object)]
#[derive(Clone)]
pub struct Experiment {
    exp: sim::experiment::Experiment,
}

impl Experiment {
    /// The experiment as it will run.
    pub fn build(&self) -> anyhow::Result<sim::experiment::Experiment> {
        Ok(self.exp.clone())
    }
}

#[pymethods]
impl Experiment {
    /// Reads and checks an experiment file (`hexafly run` accepts the same files).
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Experiment> {
        let path = std::fs::canonicalize(&path)
            .map_err(|e| HexaflyError::new_err(format!("{}: {e}", path.display())))?;
        let exp = sim::experiment::Experiment::load(&path).map_err(error)?;
        Ok(Experiment { exp })
    }

    /// Sets one key, by the key paths of sweeps (`agent.hunger`, `events[0].at_s`,
    /// `network.membrane_noise_mv`, `run.seed`); the experiment is checked at once, and a
    /// refused value leaves it as it was.
    fn set(&mut self, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = if key.trim() == "run.seed" {
            let seed: u64 = value.extract().map_err(|_| {
                HexaflyError::new_err(format!(
                    "run.seed: expected a whole number >= 0, got {}",
                    value.repr().map(|r| r.to_string()).unwrap_or_default()
                ))
            })?;
            let seed = i64::try_from(seed)
                .map_err(|_| HexaflyError::new_err(format!("run.seed: {seed} is too large")))?;
            toml::Value::Integer(seed)
        } else {
            toml_value(value)?
        };
        self.exp.set(key.trim(), value).map_err(error)
    }

    /// The file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.exp.file.clone()
    }

    /// Runs the experiment into the run folder `out` on `threads` brain threads, as
    /// `hexafly run` does (the same files, byte for byte); returns `summary.json`'s text.
    /// The interpreter is released while it runs; Ctrl-C stops it, leaving a folder whose
    /// summary says `failed` at the time reached.
    #[pyo3(signature = (out, threads = 1))]
    fn run(&self, py: Python<'_>, out: PathBuf, threads: usize) -> PyResult<String> {
        let exp = self.build().map_err(error)?;
        let threads = threads.max(1);
        let mut interrupt: Option<PyErr> = None;
        let result = py.detach(|| run_interruptible(&exp, &out, threads, &mut interrupt));
        match (result, interrupt) {
            (_, Some(ctrl_c)) => Err(ctrl_c),
            (Ok(s), None) => Ok(serde_json::to_string_pretty(&s).unwrap_or_default()),
            (Err(e), None) => Err(error(e)),
        }
    }
}

/// How often (control ticks) a long computation looks for Ctrl-C.
const SIGNAL_EVERY_TICKS: u64 = 100;

fn run_interruptible(
    exp: &sim::experiment::Experiment,
    out: &Path,
    threads: usize,
    interrupt: &mut Option<PyErr>,
) -> anyhow::Result<sim::experiment::Summary> {
    sim::record::folder::start(out)?;
    let mut p: Prepared = prepare(exp)?;
    p.brain_threads = threads;
    run_prepared_checked(exp, &p, out, &mut |ticks| {
        if ticks % SIGNAL_EVERY_TICKS == 0
            && let Err(e) = Python::attach(|py| py.check_signals())
        {
            *interrupt = Some(e);
            return Err("interrupted (Ctrl-C)".into());
        }
        Ok(())
    })
    .map_err(anyhow::Error::from)
}

/// The brain alone (`sim::brain_run`, as `hexafly brain run`): writes the spikes to `out`
/// (and rates to `rates_out`) and returns the summary as JSON. `split_trials`: `None`
/// decides by the load, `True` always splits a trial across threads, `False` never.
#[pyfunction]
#[pyo3(signature = (
    connectome, duration_ms, out, *, rates_out=None, stimulate=Vec::new(), rate=None,
    silence=Vec::new(), seed=0, trials=1, record=None, noise_mv=None, threads=None,
    annotations=Vec::new(), input_spikes=None, rate_of=Vec::new(), inhibitory_fraction=None,
    sign_seed=0, split_trials=None, format=None
))]
// The keywords of Python's `hexafly.brain.run`, one per parameter of the run.
#[allow(clippy::too_many_arguments)]
fn brain_run(
    py: Python<'_>,
    connectome: PathBuf,
    duration_ms: f64,
    out: PathBuf,
    rates_out: Option<PathBuf>,
    stimulate: Vec<String>,
    rate: Option<f64>,
    silence: Vec<String>,
    seed: u64,
    trials: u32,
    record: Option<String>,
    noise_mv: Option<f64>,
    threads: Option<usize>,
    annotations: Vec<PathBuf>,
    input_spikes: Option<PathBuf>,
    rate_of: Vec<String>,
    inhibitory_fraction: Option<f64>,
    sign_seed: u64,
    split_trials: Option<bool>,
    format: Option<String>,
) -> PyResult<String> {
    use sim::brain_run::{BrainRunParams, SplitTrials};
    let mut p = BrainRunParams::new(connectome, duration_ms, out);
    p.source.annotations = annotations;
    p.source.format = format;
    p.rates_out = rates_out;
    p.stimulate = stimulate;
    p.rate = rate;
    p.silence = silence;
    p.seed = seed;
    p.trials = trials;
    p.record = record;
    p.noise_mv = noise_mv;
    p.threads = threads;
    p.input_spikes = input_spikes;
    p.rate_of = rate_of;
    p.inhibitory_fraction = inhibitory_fraction;
    p.sign_seed = sign_seed;
    p.split_trials = match split_trials {
        None => SplitTrials::Auto,
        Some(true) => SplitTrials::Always,
        Some(false) => SplitTrials::Never,
    };
    let summary = py.detach(|| sim::brain_run::run(&p)).map_err(error)?;
    serde_json::to_string(&summary).map_err(error)
}

/// A sweep (`sim::sweep`, as `hexafly sweep`): `experiment` over the grid of `set`
/// (`KEY=V1,V2,...` each) times `seeds` (`"1,2,5..9"`), into `out`; resumes a folder it
/// finds half done.
#[pyfunction]
#[pyo3(signature = (experiment, out, *, set=Vec::new(), seeds=None, jobs=None))]
fn sweep_run(
    py: Python<'_>,
    experiment: PathBuf,
    out: PathBuf,
    set: Vec<String>,
    seeds: Option<String>,
    jobs: Option<usize>,
) -> PyResult<()> {
    use sim::sweep::{SweepParams, SweepSpec, run_sweep};
    if jobs == Some(0) {
        return Err(HexaflyError::new_err("jobs=0: expected at least 1"));
    }
    let spec = SweepSpec::load(&experiment, &set, seeds.as_deref()).map_err(error)?;
    let opts = SweepParams {
        jobs,
        ..SweepParams::default()
    };
    let outcome = py.detach(|| run_sweep(&spec, &out, &opts)).map_err(error)?;
    outcome.all_succeeded().map_err(error)
}

/// The version of hexafly this module was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("HexaflyError", m.py().get_type::<HexaflyError>())?;
    m.add_class::<Experiment>()?;
    m.add_class::<gym_loop::Loop>()?;
    m.add_class::<dataset::Dataset>()?;
    m.add_function(wrap_pyfunction!(brain_run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_run, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
