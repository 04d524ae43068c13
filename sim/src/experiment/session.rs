//! One experiment in progress: the [`Controller`] and the agent advanced in lockstep, one
//! control tick (one brain window, a whole number of physics steps) per [`Session::step`],
//! with the timeline applied and everything the run folder reports tallied as it goes.
//! Headless runs step it to the end; the viewer steps the same session at its own pace, so
//! what it shows is exactly what a headless run computes.

//! One experiment in progress: a [`ClosedLoop`] driven by the experiment's timeline (its
//! events, inputs and silencing, applied at their ticks), with the monitors its run folder
//! is made from attached. Headless runs step it to the end; the viewer steps the same
//! session at its own pace, so what it shows is exactly what a headless run computes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use connectome::NeuronIndex;
use controller::sensors::InternalState;
use controller::{Controller, ControllerParams};

use super::error::ExperimentError;
use super::file::{EventSpec, Experiment, ModificationKind};
use super::prepare::{Prepared, network_hash, selection};
use crate::agent::{Agent, Start};
use crate::body::{BodySpec, default_body_path};
pub use crate::closed_loop::LastTick;
use crate::closed_loop::monitors::{
    BehaviourMonitor, LatencyMonitor, OnsetMonitor, PathMonitor, SpikeMonitor, TimelineMonitor,
};
use crate::closed_loop::{BrainChange, ClosedLoop};
use crate::error_chain as chain;
use crate::record::activity;
use crate::record::folder::{self, Failure, RUN_SCHEMA, SPIKES_PARQUET, SUMMARY_JSON, Status};
use crate::record::{LinkReport, Summary, write_json};
use crate::world::Threat;

/// An experiment in progress.
pub struct Session<'a> {
    exp: &'a Experiment,
    p: &'a Prepared,
    inputs: Vec<Vec<NeuronIndex>>,
    mods: Vec<Vec<NeuronIndex>>,
    lp: ClosedLoop,
    /// Ticks the experiment lasts.
    ticks: u64,
    /// The run folder being written, if recording.
    out: Option<PathBuf>,
    /// Each event with the tick it is due at, in time order.
    events: Vec<(usize, u64, &'a EventSpec)>,
    next_event: usize,
    input_on: Vec<bool>,
    mod_on: Vec<bool>,
    /// Spikes since the viewer last asked ([`Session::new_spikes`]), kept only when it
    /// watches ([`Session::watch_spikes`]).
    recent: Option<Vec<(u32, NeuronIndex)>>,
    unread: usize,
    /// The internal state the events set, held when the experiment clamps it.
    clamped: InternalState,
    wall: Duration,
    /// Activation and silencing asked for between ticks ([`Session::activate`],
    /// [`Session::silence`]), made after the timeline's at the next change point.
    queued: Vec<(Vec<NeuronIndex>, BrainChange)>,
}

/// Whether time `t` is in `[start, stop)` (open-ended without a stop), to within 1 ns.
fn in_window(t: f64, start: f64, stop: Option<f64>) -> bool {
    t + 1e-9 >= start && stop.is_none_or(|s| t + 1e-9 < s)
}

/// The caller's thread's share of the brain's work, beyond the sensory neurons it keeps,
/// when the brain runs on more than one thread. It moves the body and senses while the
/// other threads run the brain's next window ahead, so it takes little of the brain. Speed
/// only (any share gives the same spikes). Shares 0 to 0.2 were compared on
/// hunger_vs_dust.toml in BENCHMARKS.md ("Closed loop"): since the physics patch
/// (vendor/rapier3d) 0.1 is fastest; before it, with slower physics, 0 was.
const LOOP_LOCAL_SHARE: f64 = 0.1;

/// The tick at which something due at `at_s` happens: the first whose start is at or after
/// it (to within 1 ns), counted in whole ticks of `tick_us` microseconds.
fn due_tick(at_s: f64, tick_us: u64) -> u64 {
    ((at_s * 1e6 - 1e-3) / tick_us as f64).ceil().max(0.0) as u64
}

impl ClosedLoop {
    /// The closed loop of experiment `exp` on its prepared network `p`: the controller
    /// with the experiment's arbiter, seed, brain options and recorded selections
    /// (`reports.spikes`), the body settled standing where the experiment starts it, in
    /// its scene. No monitor is attached and the timeline is not applied: that is
    /// [`Session`]'s work.
    pub fn for_experiment(exp: &Experiment, p: &Prepared) -> Result<ClosedLoop, ExperimentError> {
        let c = &p.connectome;
        let key = |k: &str| format!("{}: {}", exp.file.display(), exp.at(k));
        let mut record: Vec<NeuronIndex> = Vec::new();
        for (i, s) in exp.reports.spikes.iter().enumerate() {
            record.extend(selection(c, s, &key(&format!("reports.spikes[{i}]")))?);
        }
        record.sort_unstable();
        record.dedup();
        let cfg = ControllerParams {
            window_ms: exp.run.control_ms,
            arbiter: exp.arbiter.clone(),
            seed: exp.run.seed,
            record,
            brain_threads: p.brain_threads,
            brain_local_share: LOOP_LOCAL_SHARE,
        };
        let mut ctl = Controller::new(Arc::clone(&p.network), &p.map, &p.resolved, &cfg)?;
        if exp.network.release_failure > 0.0 {
            // A seed of its own, derived from the run's, so failures and Poisson input differ.
            let seed = exp.run.seed ^ 0x005E_ED0F_FA11_u64;
            ctl.set_release(Some(
                controller::brain::Release::new(exp.network.release_failure, seed).map_err(
                    |message| ExperimentError::Brain {
                        key: "network.release_failure",
                        message,
                    },
                )?,
            ));
        }
        if exp.network.membrane_noise_mv > 0.0 {
            let k = &p.network.propagator().k;
            ctl.set_noise(Some(
                controller::brain::Noise::new(
                    exp.network.membrane_noise_mv * 1e-3,
                    k.t_mbr,
                    k.dt,
                    exp.run.seed,
                )
                .map_err(|message| ExperimentError::Brain {
                    key: "network.membrane_noise_mv",
                    message,
                })?,
            ));
        }
        let body_path = exp
            .run
            .body
            .as_ref()
            .map(|b| exp.resolve(b))
            .unwrap_or_else(default_body_path);
        let spec = BodySpec::load(&body_path)?;
        let scene = exp.start_scene()?;
        exp.check_world(&scene, &spec.motor)?;
        let start = Start {
            xy: exp.agent.position,
            yaw: exp.start_yaw(&scene),
            internal: InternalState {
                hunger: exp.agent.hunger,
                dust: exp.agent.dust,
                arousal: exp.agent.arousal,
            },
        };
        let dt = (exp.run.control_ms * 1e-3) as f32;
        let mut agent = Agent::new(&spec, scene, exp.run.seed, &start, dt);
        for _ in 0..(exp.run.settle_s / dt as f64).round() as u64 {
            agent.step(&controller::motor::MotorCommand::Stand);
        }
        agent.set_internal(start.internal);
        fits_in_arena(&agent, exp)?;
        let mut lp = ClosedLoop::new(agent, ctl)?;
        if exp.agent.clamp_state {
            lp.hold_internal(Some(start.internal));
        }
        Ok(lp)
    }
}

impl<'a> Session<'a> {
    /// Builds the loop ([`ClosedLoop::for_experiment`]) and resolves every selection of the
    /// timeline before anything runs. Nothing is written: see [`Session::recording`].
    pub fn new(exp: &'a Experiment, p: &'a Prepared) -> Result<Session<'a>, ExperimentError> {
        Session::build(exp, p, None)
    }

    /// [`Session::new`] that writes the run folder `out` as it goes: the folder is made
    /// ready and the files opened before anything is simulated, so an output that cannot
    /// be written is an error at once; rows and spikes reach the files every simulated
    /// second; [`Session::finish`] or [`Session::fail`] writes `summary.json`.
    pub fn recording(
        exp: &'a Experiment,
        p: &'a Prepared,
        out: &Path,
    ) -> Result<Session<'a>, ExperimentError> {
        Session::build(exp, p, Some(out))
    }

    fn build(
        exp: &'a Experiment,
        p: &'a Prepared,
        out: Option<&Path>,
    ) -> Result<Session<'a>, ExperimentError> {
        let c = &p.connectome;
        // A selector problem names the file, the key and its line.
        let key = |k: &str| format!("{}: {}", exp.file.display(), exp.at(k));
        let inputs: Vec<Vec<NeuronIndex>> = exp
            .inputs
            .iter()
            .enumerate()
            .map(|(i, x)| selection(c, &x.neurons, &key(&format!("inputs[{i}].neurons"))))
            .collect::<Result<_, ExperimentError>>()?;
        let mods: Vec<Vec<NeuronIndex>> = exp
            .modifications
            .iter()
            .enumerate()
            .map(|(i, m)| selection(c, &m.neurons, &key(&format!("modifications[{i}].neurons"))))
            .collect::<Result<_, ExperimentError>>()?;
        let mut lp = ClosedLoop::for_experiment(exp, p)?;
        let ticks = (exp.run.duration_s * 1e6 / lp.tick_us() as f64).round() as u64;
        lp.plan(Some(ticks));
        let tick_us = lp.tick_us();
        let mut events: Vec<(usize, u64, &EventSpec)> = exp
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| (i, due_tick(e.at_s(), tick_us), e))
            .collect();
        let first_pose = lp.agent().body.pose(&lp.agent().world.physics);
        lp.attach(BehaviourMonitor::default());
        lp.attach(OnsetMonitor::new(
            events
                .iter()
                .map(|&(_, due, e)| (e.kind().to_string(), e.at_s(), due)),
        ));
        lp.attach(LatencyMonitor::new(
            exp.run.control_ms,
            lp.controller().window_steps(),
        ));
        lp.attach(PathMonitor::new(first_pose));
        events.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        // Every check passed: the run folder's files open before the first tick.
        let out = match out {
            Some(dir) => {
                let dir = folder::start(dir)?;
                let every = (exp.reports.timeline_ms / exp.run.control_ms).round() as u64;
                let timeline = TimelineMonitor::create(
                    &dir.join(folder::TIMELINE_CSV),
                    lp.controller(),
                    &p.map,
                    every,
                )?;
                let spikes = SpikeMonitor::create(
                    &dir.join(SPIKES_PARQUET),
                    p.network.propagator().k.dt * 1e3,
                    c.neurons.ids(),
                )?;
                lp.attach(timeline);
                lp.attach(spikes);
                Some(dir)
            }
            None => None,
        };
        let clamped = *lp.agent().internal();
        let mut session = Session {
            exp,
            p,
            input_on: vec![false; inputs.len()],
            mod_on: vec![false; mods.len()],
            inputs,
            mods,
            lp,
            ticks,
            out,
            events,
            next_event: 0,
            recent: None,
            unread: 0,
            clamped,
            wall: Duration::ZERO,
            queued: Vec::new(),
        };
        // The timeline's changes due at the start, made before the first window.
        for (neurons, change) in session.timeline_changes(0.0) {
            change.apply(session.lp.controller_mut(), &neurons)?;
        }
        Ok(session)
    }

    /// The loop, to step, observe or change directly: the timeline is no longer applied.
    pub fn into_loop(self) -> ClosedLoop {
        self.lp
    }

    /// The brain's changes the timeline makes at time `t` (its inputs and modifications
    /// switching on or off), in the order they are made.
    fn timeline_changes(&mut self, t: f64) -> Vec<(Vec<NeuronIndex>, BrainChange)> {
        let exp = self.exp;
        let mut changes = Vec::new();
        for (j, x) in exp.inputs.iter().enumerate() {
            let on = in_window(t, x.start_s, x.stop_s);
            if on != self.input_on[j] {
                let hz = if on { x.rate_hz } else { 0.0 };
                changes.push((self.inputs[j].clone(), BrainChange::Activate(hz)));
                self.input_on[j] = on;
            }
        }
        for (j, m) in exp.modifications.iter().enumerate() {
            let on = in_window(t, m.start_s, m.stop_s);
            if on != self.mod_on[j] {
                match m.kind {
                    ModificationKind::Silence => {
                        changes.push((self.mods[j].clone(), BrainChange::Silence(on)))
                    }
                }
                self.mod_on[j] = on;
            }
        }
        changes
    }

    /// Whether the experiment's duration has been simulated.
    pub fn done(&self) -> bool {
        self.lp.ticks() >= self.ticks
    }

    /// Simulated time since the start (after settling), seconds: a whole number of ticks.
    pub fn time_s(&self) -> f64 {
        self.lp.time_s()
    }

    /// Control ticks simulated so far.
    pub fn ticks_done(&self) -> u64 {
        self.lp.ticks()
    }

    /// The control tick, seconds.
    pub fn dt(&self) -> f32 {
        self.lp.agent().control_dt()
    }

    /// The body, its world and internal state.
    pub fn agent(&self) -> &Agent {
        self.lp.agent()
    }

    /// The brain in the loop with its encoder, decoder and arbiter.
    pub fn controller(&self) -> &Controller {
        self.lp.controller()
    }

    /// The closed loop, with its monitors.
    pub fn closed_loop(&self) -> &ClosedLoop {
        &self.lp
    }

    /// The experiment being run.
    pub fn experiment(&self) -> &Experiment {
        self.exp
    }

    /// The dataset, circuit map and network.
    pub fn prepared(&self) -> &Prepared {
        self.p
    }

    /// The last tick's decision and drives (none before the first tick).
    pub fn last(&self) -> Option<LastTick> {
        self.lp.last()
    }

    /// Keeps the recorded spikes for [`Session::new_spikes`] from now on (the viewer).
    pub fn watch_spikes(&mut self) {
        self.recent.get_or_insert_with(Vec::new);
    }

    /// Recorded spikes (step, neuron) since the last call (none unless
    /// [`Session::watch_spikes`] was called).
    pub fn new_spikes(&mut self) -> &[(u32, NeuronIndex)] {
        match &mut self.recent {
            Some(v) => {
                v.drain(..self.unread);
                self.unread = v.len();
                v
            }
            None => &[],
        }
    }

    /// Applies an event now, as if the timeline had it at this time (the viewer's buttons).
    pub fn apply(&mut self, ev: &EventSpec) {
        self.apply_at(usize::MAX, ev);
    }

    /// Drives `selector`'s neurons with Poisson input at `rate_hz` (0 stops) from the
    /// window after the next tick's (at any thread count); returns how many neurons it
    /// selects.
    pub fn activate(&mut self, selector: &str, rate_hz: f64) -> Result<usize, ExperimentError> {
        let v = self.select(selector)?;
        self.activate_neurons(&v, rate_hz)?;
        Ok(v.len())
    }

    /// The neurons `selector` picks in this run's connectome (an error if none), for
    /// [`Session::activate_neurons`] (a selection made once, used every tick).
    pub fn select(&self, selector: &str) -> Result<Vec<NeuronIndex>, ExperimentError> {
        selection(&self.p.connectome, selector, "activate")
    }

    /// [`Session::activate`] on neurons already selected ([`Session::select`]).
    pub fn activate_neurons(
        &mut self,
        neurons: &[NeuronIndex],
        rate_hz: f64,
    ) -> Result<(), ExperimentError> {
        self.lp.controller().check_activation(rate_hz)?;
        self.queued
            .push((neurons.to_vec(), BrainChange::Activate(rate_hz)));
        Ok(())
    }

    /// Drives the body with `command` from the next tick on, in place of the arbiter's
    /// choice (`None` gives the body back to the arbiter). The brain still runs, is read and
    /// decides; only what the body does is the caller's (a policy driving the body while the
    /// brain observes). The timeline's `behaviour` stays the arbiter's decision.
    pub fn override_command(&mut self, command: Option<controller::motor::MotorCommand>) {
        self.lp.override_command(command);
    }

    /// Silences (or restores) `selector`'s neurons from the window after the next tick's;
    /// returns how many it selects.
    pub fn silence(&mut self, selector: &str, silenced: bool) -> Result<usize, ExperimentError> {
        let v = selection(&self.p.connectome, selector, "silence")?;
        let n = v.len();
        self.queued.push((v, BrainChange::Silence(silenced)));
        Ok(n)
    }

    fn apply_at(&mut self, index: usize, ev: &EventSpec) {
        apply_event(ev, self.lp.agent_mut(), &mut self.clamped);
        if self.exp.agent.clamp_state {
            self.lp.hold_internal(Some(self.clamped));
        }
        if let EventSpec::Loom { .. } = ev {
            let at = if index == usize::MAX {
                self.time_s()
            } else {
                ev.at_s()
            };
            if let Some(m) = self.lp.monitor_mut::<LatencyMonitor>() {
                m.loom(index, at);
            }
        }
    }

    /// Advances one control tick: timeline events due now, then the loop's step with the
    /// inputs and silencing due at the next window ([`ClosedLoop::step`]).
    pub fn step(&mut self) -> Result<(), ExperimentError> {
        let wall = Instant::now();
        let k = self.lp.ticks();
        while let Some(&(i, due, ev)) = self.events.get(self.next_event) {
            if due > k {
                break;
            }
            self.next_event += 1;
            self.apply_at(i, ev);
        }
        let t_after = ((k + 1) * self.lp.tick_us()) as f64 * 1e-6;
        let mut changes = self.timeline_changes(t_after);
        changes.append(&mut self.queued);
        for (neurons, change) in changes {
            self.lp.change(neurons, change)?;
        }
        self.lp.step()?;
        if let Some(recent) = &mut self.recent {
            recent.extend_from_slice(self.lp.window_spikes());
        }
        self.wall += wall.elapsed();
        Ok(())
    }

    /// Every link of the loop, marked connectome or engineered ([`Prepared::links`]).
    pub fn links(&self) -> Vec<LinkReport> {
        self.p.links(self.exp)
    }

    /// Whether any wiring is synthetic, shuffled or cut, and why ([`Prepared::wiring`]).
    pub fn wiring(&self) -> (bool, String) {
        self.p.wiring()
    }

    /// The summary of the time simulated so far.
    fn summary(&self, status: Status, failure: Option<Failure>) -> Summary {
        let p = self.p;
        let c = &p.connectome;
        let exp = self.exp;
        let lp = &self.lp;
        let wall_s = self.wall.as_secs_f64();
        let agent = lp.agent();
        let last = agent.body.pose(&agent.world.physics);
        let links = self.links();
        let (synthetic, wiring_note) = self.wiring();
        let ctl = lp.controller();
        let duration_s = self.time_s();
        let behaviour = lp.monitor::<BehaviourMonitor>().expect("attached at build");
        let path = lp.monitor::<PathMonitor>().expect("attached at build");
        Summary {
            schema: RUN_SCHEMA.into(),
            status,
            failure,
            experiment: exp.file.display().to_string(),
            dataset: p.path.display().to_string(),
            dataset_sha256: network_hash(c),
            neurons: c.n_neurons(),
            edges: c.n_edges(),
            synthetic_wiring: synthetic,
            wiring_note,
            shuffled: p.shuffled,
            circuit: p.map.file().display().to_string(),
            links,
            duration_s,
            seed: exp.run.seed,
            behaviour_time_s: behaviour.time_s().clone(),
            bouts: behaviour.bouts().clone(),
            onsets: lp
                .monitor::<OnsetMonitor>()
                .expect("attached at build")
                .onsets()
                .to_vec(),
            latency: lp
                .monitor::<LatencyMonitor>()
                .expect("attached at build")
                .chains()
                .cloned()
                .collect(),
            distance_m: path.distance_m(&last),
            path_length_m: path.path_length_m(),
            food_eaten: path.food_eaten(),
            found_food: path.time_to_food_s().is_some(),
            time_to_food_s: path.time_to_food_s(),
            wall_contact_s: path.wall_contact_s(),
            brain_spikes: ctl.brain().total_spikes(),
            activity: activity::activity(
                behaviour.total(),
                behaviour.per_behaviour(),
                c.n_neurons(),
                ctl.brain()
                    .spike_counts()
                    .iter()
                    .filter(|&&k| k > 0)
                    .count(),
                p.network.propagator().k.dt,
                activity::BrainParams {
                    release_failure: exp.network.release_failure,
                    membrane_noise_mv: exp.network.membrane_noise_mv,
                },
            ),
            switches: behaviour.switches(),
            timeline_rows: lp.monitor::<TimelineMonitor>().map_or(0, |t| t.rows()),
            real_time_factor: duration_s / wall_s.max(1e-9),
            wall_s,
        }
    }

    /// Ends a run that simulated its whole duration: closes the run folder's files and
    /// writes `summary.json` (status `complete`), if recording; returns the summary.
    pub fn finish(mut self) -> Result<Summary, ExperimentError> {
        let summary = self.summary(Status::Complete, None);
        if let Some(dir) = self.out.take() {
            write_folder(&mut self.lp, &dir, &summary)?;
        }
        Ok(summary)
    }

    /// Ends a run that stopped with `error`: the run folder keeps every row and spike up to
    /// the last whole tick and its `summary.json` says `failed`, with the error and the
    /// simulated time reached. Returns the error, saying where the partial outputs are.
    pub fn fail(mut self, error: ExperimentError) -> ExperimentError {
        let at_s = self.time_s();
        let failure = Failure {
            error: chain(&error),
            at_s,
        };
        let summary = self.summary(Status::Failed, Some(failure));
        let where_ = match self.out.take() {
            Some(dir) => match write_folder(&mut self.lp, &dir, &summary) {
                Ok(()) => format!(
                    " (the world's clock, which counts the settling too, read {:.3} s); {} \
                     keeps its timeline and spikes up to then, and its {SUMMARY_JSON} says \
                     `failed`",
                    self.lp.agent().time(),
                    dir.display()
                ),
                Err(e) => format!(", and its outputs could not be closed: {}", chain(&e)),
            },
            None => String::new(),
        };
        ExperimentError::Failed {
            at_s,
            where_,
            source: Box::new(error),
        }
    }
}

/// Closes the timeline and spikes, then writes `summary.json` last (atomically): a folder
/// with a summary is a run that ended.
/// The summary is written even when a file could not be closed (a full disk, a file-size
/// limit): the folder then still says how the run ended, and the first error is returned.
fn write_folder(lp: &mut ClosedLoop, dir: &Path, summary: &Summary) -> Result<(), ExperimentError> {
    let closed = lp.finish_monitors();
    let written = write_json(&dir.join(SUMMARY_JSON), summary);
    closed?;
    Ok(written?)
}

/// Checks that the settled body stands inside the arena: in an arena smaller than the body
/// (a 5 cm one) its legs would stand beyond the walls or the edge.
fn fits_in_arena(agent: &Agent, exp: &Experiment) -> Result<(), ExperimentError> {
    let h = agent.world.scene.arena.half_size;
    for (part, handle) in agent.body.parts() {
        let p = agent.world.physics.bodies[handle].translation();
        if p.x.abs() > h || p.y.abs() > h {
            return Err(ExperimentError::DoesNotFit {
                file: exp.file.clone(),
                part: part.to_string(),
                x: p.x,
                y: p.y,
                half_size: h,
                scene: exp
                    .scene
                    .file
                    .as_ref()
                    .map_or("the default scene".to_string(), |f| f.display().to_string()),
            });
        }
    }
    Ok(())
}

fn apply_event(ev: &EventSpec, agent: &mut Agent, clamped: &mut InternalState) {
    match *ev {
        EventSpec::Loom {
            side,
            distance_m,
            speed_m_s,
            radius_m,
            ..
        } => {
            let pose = agent.body.pose(&agent.world.physics);
            let yaw = pose.rpy[2] + side.sign() * std::f32::consts::FRAC_PI_2;
            let (s, c) = yaw.sin_cos();
            let p = pose.position;
            let start = [p[0] + distance_m * c, p[1] + distance_m * s, p[2]];
            agent.world.scene.threats.push(Threat {
                start,
                velocity: [-speed_m_s * c, -speed_m_s * s, 0.0],
                radius: radius_m,
                onset_s: agent.time() as f32,
                duration_s: (distance_m - radius_m) / speed_m_s,
            });
        }
        EventSpec::Dust { amount, .. } => {
            let mut s = *agent.internal();
            s.dust = (s.dust + amount).min(1.0);
            clamped.dust = s.dust;
            agent.set_internal(s);
        }
        EventSpec::AddFood {
            position,
            radius,
            odor,
            sugar,
            ..
        } => agent.world.scene.food.push(crate::world::Food {
            position,
            radius,
            odor,
            sugar,
        }),
        EventSpec::RemoveFood { index, .. } => {
            if index < agent.world.scene.food.len() {
                agent.world.scene.food.remove(index);
            }
        }
        EventSpec::SetState {
            hunger,
            dust,
            arousal,
            ..
        } => {
            let mut s = *agent.internal();
            if let Some(h) = hunger {
                s.hunger = h;
            }
            if let Some(d) = dust {
                s.dust = d;
            }
            if let Some(a) = arousal {
                s.arousal = a;
            }
            *clamped = s;
            agent.set_internal(s);
        }
    }
}
