//! [`Loop`]: the closed loop of one experiment, stepped by the caller (the Gymnasium
//! environment `hexafly/Fly-v0`). The network is loaded once; each reset builds a fresh
//! session with the reset's seed, so a seed gives the same episode every time.

use controller::motor::MotorCommand;
use pyo3::prelude::*;
use sim::experiment::Session;
use sim::experiment::{Prepared, prepare};

use crate::{Experiment, HexaflyError, error};

/// The closed loop of one experiment. Not shared between threads.
#[pyclass(module = "hexafly._native", unsendable)]
pub struct Loop {
    // Declared first, dropped first: it borrows the two boxes below.
    session: Option<Session<'static>>,
    /// Each selector's neurons and the rate last asked for (a step's actions repeat the
    /// same selectors: selecting among 139,255 neurons every tick cost 0.5 ms each).
    driven: std::collections::HashMap<String, (Vec<connectome::NeuronIndex>, f64)>,
    exp: Box<sim::experiment::Experiment>,
    prepared: Box<Prepared>,
}

/// Names of the observation vector's entries, before the readouts.
const SENSES: [&str; 20] = [
    "odor_left",
    "odor_right",
    "taste_proboscis",
    "taste_tarsus_left",
    "taste_tarsus_right",
    "loom_angle_left",
    "loom_angle_right",
    "loom_expansion_left",
    "loom_expansion_right",
    "dust_load",
    "wind_forward",
    "wind_left",
    "touch_left",
    "touch_right",
    "velocity_forward",
    "velocity_left",
    "yaw_rate",
    "hunger",
    "dust",
    "arousal",
];

impl Loop {
    fn session(&self) -> PyResult<&Session<'static>> {
        self.session
            .as_ref()
            .ok_or_else(|| HexaflyError::new_err("call reset() before stepping the loop"))
    }

    fn session_mut(&mut self) -> PyResult<&mut Session<'static>> {
        self.session
            .as_mut()
            .ok_or_else(|| HexaflyError::new_err("call reset() before stepping the loop"))
    }
}

#[pymethods]
impl Loop {
    /// Loads the experiment's network once, on `threads` brain threads.
    #[new]
    #[pyo3(signature = (experiment, threads = 1))]
    fn new(py: Python<'_>, experiment: PyRef<'_, Experiment>, threads: usize) -> PyResult<Loop> {
        let exp = experiment.build().map_err(error)?;
        let mut prepared = py.detach(|| prepare(&exp)).map_err(error)?;
        prepared.brain_threads = threads.max(1);
        Ok(Loop {
            session: None,
            driven: Default::default(),
            exp: Box::new(exp),
            prepared: Box::new(prepared),
        })
    }

    /// Starts an episode: the experiment from its start, with `seed` as its run seed
    /// (Poisson input, noise, terrain).
    fn reset(&mut self, py: Python<'_>, seed: u64) -> PyResult<()> {
        self.session = None;
        self.driven.clear();
        self.exp.run.seed = seed;
        let exp: &sim::experiment::Experiment = &self.exp;
        let prepared: &Prepared = &self.prepared;
        // SAFETY: the session borrows the experiment and the network, both boxed (their
        // addresses never change) and owned by this struct, which drops the session first
        // (field order) and replaces it (above) before changing the experiment.
        let (exp, prepared): (&'static sim::experiment::Experiment, &'static Prepared) =
            unsafe { (&*(exp as *const _), &*(prepared as *const _)) };
        let s = py.detach(|| Session::new(exp, prepared)).map_err(error)?;
        self.session = Some(s);
        Ok(())
    }

    /// Advances `ticks` control ticks; returns whether the experiment's duration is over.
    #[pyo3(signature = (ticks = 1))]
    fn step(&mut self, py: Python<'_>, ticks: u64) -> PyResult<bool> {
        let s = self.session_mut()?;
        for _ in 0..ticks {
            if s.done() {
                break;
            }
            py.detach(|| s.step()).map_err(error)?;
        }
        Ok(s.done())
    }

    /// Drives `selector`'s neurons with Poisson input at `rate_hz` (0 stops) from the next
    /// window; returns how many neurons it selects.
    fn activate(&mut self, selector: &str, rate_hz: f64) -> PyResult<usize> {
        let s = self
            .session
            .as_mut()
            .ok_or_else(|| HexaflyError::new_err("call reset() before stepping the loop"))?;
        let (neurons, last) = match self.driven.entry(selector.to_owned()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert((s.select(selector).map_err(error)?, f64::NAN))
            }
        };
        if *last != rate_hz {
            s.activate_neurons(neurons, rate_hz).map_err(error)?;
            *last = rate_hz;
        }
        Ok(neurons.len())
    }

    /// Silences (true) or restores `selector`'s neurons from the next window.
    fn silence(&mut self, selector: &str, silenced: bool) -> PyResult<usize> {
        self.session_mut()?
            .silence(selector, silenced)
            .map_err(error)
    }

    /// Drives the body with a motor command in place of the arbiter's choice: `walk` (with
    /// `speed` m/s and `turn` rad/s), `stand`, `groom`, `feed`; `None` gives it back to the
    /// arbiter.
    #[pyo3(signature = (kind, speed = 0.0, turn = 0.0))]
    fn command(&mut self, kind: Option<&str>, speed: f32, turn: f32) -> PyResult<()> {
        let cmd = match kind {
            None => None,
            Some("walk") => Some(MotorCommand::Walk { speed, turn }),
            Some("stand") => Some(MotorCommand::Stand),
            Some("groom") => Some(MotorCommand::Groom),
            Some("feed") => Some(MotorCommand::Feed),
            Some(other) => {
                return Err(HexaflyError::new_err(format!(
                    "motor command `{other}`: expected walk, stand, groom, feed or None"
                )));
            }
        };
        self.session_mut()?.override_command(cmd);
        Ok(())
    }

    /// The observation: the body's senses, its internal state, then each readout's value.
    fn observation(&self) -> PyResult<Vec<f32>> {
        let s = self.session()?;
        let x = s.agent().sensors();
        let i = s.agent().internal();
        let mut v = vec![
            x.odor[0],
            x.odor[1],
            x.taste.proboscis,
            x.taste.tarsi[0],
            x.taste.tarsi[1],
            x.looming[0].angle,
            x.looming[1].angle,
            x.looming[0].expansion,
            x.looming[1].expansion,
            x.dust_load,
            x.wind[0],
            x.wind[1],
            x.touch[0],
            x.touch[1],
            x.body_velocity[0],
            x.body_velocity[1],
            x.yaw_rate,
            i.hunger,
            i.dust,
            i.arousal,
        ];
        v.extend(
            s.controller()
                .decoder()
                .values()
                .into_iter()
                .map(|r| r as f32),
        );
        Ok(v)
    }

    /// Names of the observation's entries (`readout_<name>` for the readouts).
    fn observation_names(&self) -> Vec<String> {
        let mut names: Vec<String> = SENSES.iter().map(|s| s.to_string()).collect();
        names.extend(
            self.prepared
                .map
                .readouts
                .iter()
                .map(|r| format!("readout_{}", r.name)),
        );
        names
    }

    /// The selectors of each readout's descending neurons (the default targets of
    /// the environment's neuron actions).
    fn readout_selectors(&self) -> Vec<String> {
        self.prepared
            .map
            .readouts
            .iter()
            .map(|r| {
                r.groups
                    .iter()
                    .map(|g| format!("({})", g.selector))
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect()
    }

    /// Simulated time, seconds.
    fn time_s(&self) -> PyResult<f64> {
        Ok(self.session()?.time_s())
    }

    /// The behaviour the arbiter chose at the last tick (`stand` before the first).
    fn behaviour(&self) -> PyResult<&'static str> {
        Ok(self
            .session()?
            .last()
            .map_or("stand", |t| t.decision.behaviour.as_str()))
    }

    /// The control tick, seconds.
    fn dt(&self) -> f64 {
        self.exp.run.control_ms * 1e-3
    }

    /// The experiment's duration, seconds.
    fn duration_s(&self) -> f64 {
        self.exp.run.duration_s
    }
}
