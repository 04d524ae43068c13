//! One experiment in progress: the [`Controller`] and the agent advanced in lockstep, one
//! control tick (one brain window, a whole number of physics steps) per [`Session::step`],
//! with the timeline applied and everything the run folder reports tallied as it goes.
//! Headless runs step it to the end; the viewer steps the same session at its own pace, so
//! what it shows is exactly what a headless run computes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use connectome::NeuronIndex;
use controller::arbiter::{Behaviour, Decision};
use controller::circuit::resolve::Resolved;
use controller::decode::Drives;
use controller::sensors::InternalState;
use controller::{Controller, ControllerConfig};

use super::activity::{self, Tally};
use super::file::{EventSpec, Experiment, ModificationKind};
use super::run::{
    EventOnsets, LIFT_OFF_RISE_M, LatencyChain, LinkReport, Prepared, Summary, network_hash,
    selection,
};
use crate::agent::{Agent, Start};
use crate::body::{BodyPose, BodySpec, default_body_path};
use crate::record::folder::{self, Failure, RUN_SCHEMA, SPIKES_PARQUET, SUMMARY_JSON, Status};
use crate::record::spikes::SpikeWriter;
use crate::record::timeline::TimelineWriter;
use crate::record::write_atomic;
use crate::world::Threat;

/// What the last tick decided, for anyone drawing or inspecting the loop.
#[derive(Debug, Clone, Copy)]
pub struct LastTick {
    /// The arbiter's decision.
    pub decision: Decision,
    /// The drives it decided from.
    pub drives: Drives,
}

/// An experiment in progress.
pub struct Session<'a> {
    exp: &'a Experiment,
    p: &'a Prepared,
    inputs: Vec<Vec<NeuronIndex>>,
    mods: Vec<Vec<NeuronIndex>>,
    ctl: Controller,
    agent: Agent,
    dt: f32,
    /// The control tick in microseconds: time is `k` ticks, exactly.
    tick_us: u64,
    ticks: u64,
    every: u64,
    k: u64,
    out: Option<Recorder>,
    /// Each event with the tick it is due at, in time order.
    events: Vec<(usize, u64, &'a EventSpec)>,
    next_event: usize,
    input_on: Vec<bool>,
    mod_on: Vec<bool>,
    behaviour_time: BTreeMap<String, f64>,
    bouts: BTreeMap<String, u32>,
    current: Option<&'static str>,
    tallies: BTreeMap<String, Tally>,
    total: Tally,
    onsets: Vec<EventOnsets>,
    chains: Vec<(usize, LatencyChain)>,
    /// Chain, thorax height, position and yaw at the escape command.
    escape_ref: Option<(usize, f32, [f32; 3], f32)>,
    /// Spikes since the viewer last asked ([`Session::new_spikes`]), kept only when it
    /// watches ([`Session::watch_spikes`]).
    recent: Option<Vec<(u32, NeuronIndex)>>,
    unread: usize,
    path_length: f32,
    food_eaten: f32,
    time_to_food: Option<f64>,
    wall_contact_s: f64,
    switches: u32,
    first_pose: BodyPose,
    last_xy: [f32; 2],
    clamped: InternalState,
    wall: Duration,
    last: Option<LastTick>,
    /// Activation and silencing asked for between ticks ([`Session::activate`],
    /// [`Session::silence`]), applied with the timeline's at the next change point.
    queued: Vec<(Vec<NeuronIndex>, BrainChange)>,
    /// A motor command that drives the body in place of the arbiter's
    /// ([`Session::override_command`]).
    command_override: Option<controller::motor::MotorCommand>,
}

/// Whether time `t` is in `[start, stop)` (open-ended without a stop), to within 1 ns.
fn in_window(t: f64, start: f64, stop: Option<f64>) -> bool {
    t + 1e-9 >= start && stop.is_none_or(|s| t + 1e-9 < s)
}

/// A change to the brain's input or wiring.
#[derive(Debug, Clone, Copy)]
enum BrainChange {
    Activate(f64),
    Silence(bool),
}

/// The caller's thread's share of the brain's work, beyond the sensory neurons it keeps,
/// when the brain runs on more than one thread. It moves the body and senses while the
/// other threads run the brain's next window ahead, so it takes little of the brain. Speed
/// only (any share gives the same spikes). Shares 0 to 0.2 were compared on
/// hunger_vs_dust.toml in BENCHMARKS.md ("Closed loop"): since the physics patch
/// (vendor/rapier3d) 0.1 is fastest; before it, with slower physics, 0 was.
const LOOP_LOCAL_SHARE: f64 = 0.1;

/// The run folder being written, as the run goes.
struct Recorder {
    dir: PathBuf,
    timeline: TimelineWriter,
    spikes: SpikeWriter,
}

/// The tick at which something due at `at_s` happens: the first whose start is at or after
/// it (to within 1 ns), counted in whole ticks of `tick_us` microseconds.
fn due_tick(at_s: f64, tick_us: u64) -> u64 {
    ((at_s * 1e6 - 1e-3) / tick_us as f64).ceil().max(0.0) as u64
}

impl<'a> Session<'a> {
    /// Builds the controller and the agent, lets the body settle standing, and resolves
    /// every selection of the timeline before anything runs. Nothing is written: see
    /// [`Session::recording`].
    pub fn new(exp: &'a Experiment, p: &'a Prepared) -> anyhow::Result<Session<'a>> {
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
    ) -> anyhow::Result<Session<'a>> {
        Session::build(exp, p, Some(out))
    }

    fn build(
        exp: &'a Experiment,
        p: &'a Prepared,
        out: Option<&Path>,
    ) -> anyhow::Result<Session<'a>> {
        let c = &p.connectome;
        // A selector problem names the file, the key and its line.
        let key = |k: &str| format!("{}: {}", exp.file.display(), exp.at(k));
        let inputs: Vec<Vec<NeuronIndex>> = exp
            .inputs
            .iter()
            .enumerate()
            .map(|(i, x)| selection(c, &x.neurons, &key(&format!("inputs[{i}].neurons"))))
            .collect::<anyhow::Result<_>>()?;
        let mods: Vec<Vec<NeuronIndex>> = exp
            .modifications
            .iter()
            .enumerate()
            .map(|(i, m)| selection(c, &m.neurons, &key(&format!("modifications[{i}].neurons"))))
            .collect::<anyhow::Result<_>>()?;
        let mut record: Vec<NeuronIndex> = Vec::new();
        for (i, s) in exp.reports.spikes.iter().enumerate() {
            record.extend(selection(c, s, &key(&format!("reports.spikes[{i}]")))?);
        }
        record.sort_unstable();
        record.dedup();

        let cfg = ControllerConfig {
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
                controller::brain::Release::new(exp.network.release_failure, seed)
                    .map_err(anyhow::Error::msg)?,
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
                .map_err(anyhow::Error::msg)?,
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
        // Every check passed: the run folder's files open before the first tick.
        let header = timeline_header(&ctl, p);
        let out = match out {
            Some(dir) => {
                let dir = folder::start(dir)?;
                Some(Recorder {
                    timeline: TimelineWriter::create(&dir.join(folder::TIMELINE_CSV), &header)?,
                    spikes: SpikeWriter::create(
                        &dir.join(SPIKES_PARQUET),
                        p.network.propagator().k.dt * 1e3,
                    )?,
                    dir,
                })
            }
            None => None,
        };

        let tick_us = (exp.run.control_ms * 1e3).round() as u64;
        let mut events: Vec<(usize, u64, &EventSpec)> = exp
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| (i, due_tick(e.at_s(), tick_us), e))
            .collect();
        events.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        let onsets = exp
            .events
            .iter()
            .map(|e| EventOnsets {
                kind: e.kind().to_string(),
                at_s: e.at_s(),
                onset_s: BTreeMap::new(),
            })
            .collect();
        let first_pose = agent.body.pose(&agent.world.physics);
        let mut session = Session {
            exp,
            p,
            input_on: vec![false; inputs.len()],
            mod_on: vec![false; mods.len()],
            inputs,
            mods,
            ctl,
            dt,
            tick_us,
            ticks: (exp.run.duration_s * 1e6 / tick_us as f64).round() as u64,
            every: (exp.reports.timeline_ms / exp.run.control_ms).round() as u64,
            k: 0,
            out,
            events,
            next_event: 0,
            behaviour_time: BTreeMap::new(),
            bouts: BTreeMap::new(),
            current: None,
            tallies: BTreeMap::new(),
            total: Tally::default(),
            onsets,
            chains: Vec::new(),
            escape_ref: None,
            recent: None,
            unread: 0,
            path_length: 0.0,
            food_eaten: 0.0,
            time_to_food: None,
            wall_contact_s: 0.0,
            switches: 0,
            last_xy: [first_pose.position[0], first_pose.position[1]],
            first_pose,
            clamped: start.internal,
            agent,
            wall: Duration::ZERO,
            last: None,
            queued: Vec::new(),
            command_override: None,
        };
        session.change_brain(0.0);
        Ok(session)
    }

    /// The brain's changes due at time `t` (the timeline's inputs and modifications, then
    /// what was asked for since the last tick). They are made before the brain runs ahead
    /// into the window starting at `t` ([`Controller::run_ahead`]): right after the
    /// previous tick, which the body's step between does not change.
    fn change_brain(&mut self, t: f64) {
        let exp = self.exp;
        for (j, x) in exp.inputs.iter().enumerate() {
            let on = in_window(t, x.start_s, x.stop_s);
            if on != self.input_on[j] {
                self.ctl
                    .set_activation(&self.inputs[j], if on { x.rate_hz } else { 0.0 });
                self.input_on[j] = on;
            }
        }
        for (j, m) in exp.modifications.iter().enumerate() {
            let on = in_window(t, m.start_s, m.stop_s);
            if on != self.mod_on[j] {
                match m.kind {
                    ModificationKind::Silence => self.ctl.set_silenced(&self.mods[j], on),
                }
                self.mod_on[j] = on;
            }
        }
        for (neurons, change) in std::mem::take(&mut self.queued) {
            match change {
                BrainChange::Activate(hz) => self.ctl.set_activation(&neurons, hz),
                BrainChange::Silence(on) => self.ctl.set_silenced(&neurons, on),
            }
        }
    }

    /// Whether the experiment's duration has been simulated.
    pub fn done(&self) -> bool {
        self.k >= self.ticks
    }

    /// Simulated time since the start (after settling), seconds: a whole number of ticks.
    pub fn time_s(&self) -> f64 {
        self.time_at(self.k)
    }

    /// Time at the start of tick `k`, seconds (the nearest f64 to `k` ticks: no drift).
    fn time_at(&self, k: u64) -> f64 {
        (k * self.tick_us) as f64 * 1e-6
    }

    /// Control ticks simulated so far.
    pub fn ticks_done(&self) -> u64 {
        self.k
    }

    /// The control tick, seconds.
    pub fn dt(&self) -> f32 {
        self.dt
    }

    /// The body, its world and internal state.
    pub fn agent(&self) -> &Agent {
        &self.agent
    }

    /// The brain in the loop with its encoder, decoder and arbiter.
    pub fn controller(&self) -> &Controller {
        &self.ctl
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
        self.last
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
    pub fn activate(&mut self, selector: &str, rate_hz: f64) -> anyhow::Result<usize> {
        let v = self.select(selector)?;
        self.activate_neurons(&v, rate_hz)?;
        Ok(v.len())
    }

    /// The neurons `selector` picks in this run's connectome (an error if none), for
    /// [`Session::activate_neurons`] (a selection made once, used every tick).
    pub fn select(&self, selector: &str) -> anyhow::Result<Vec<NeuronIndex>> {
        selection(&self.p.connectome, selector, "activate")
    }

    /// [`Session::activate`] on neurons already selected ([`Session::select`]).
    pub fn activate_neurons(
        &mut self,
        neurons: &[NeuronIndex],
        rate_hz: f64,
    ) -> anyhow::Result<()> {
        anyhow::ensure!(
            rate_hz.is_finite() && rate_hz >= 0.0,
            "rate must be a finite number of Hz >= 0, got {rate_hz}"
        );
        self.queued
            .push((neurons.to_vec(), BrainChange::Activate(rate_hz)));
        Ok(())
    }

    /// Drives the body with `command` from the next tick on, in place of the arbiter's
    /// choice (`None` gives the body back to the arbiter). The brain still runs, is read and
    /// decides; only what the body does is the caller's (a policy driving the body while the
    /// brain observes). The timeline's `behaviour` stays the arbiter's decision.
    pub fn override_command(&mut self, command: Option<controller::motor::MotorCommand>) {
        self.command_override = command;
    }

    /// Silences (or restores) `selector`'s neurons from the window after the next tick's;
    /// returns how many it selects.
    pub fn silence(&mut self, selector: &str, silenced: bool) -> anyhow::Result<usize> {
        let v = selection(&self.p.connectome, selector, "silence")?;
        let n = v.len();
        self.queued.push((v, BrainChange::Silence(silenced)));
        Ok(n)
    }

    fn apply_at(&mut self, index: usize, ev: &EventSpec) {
        apply_event(ev, &mut self.agent, &mut self.clamped);
        if let EventSpec::Loom { .. } = ev {
            self.chains.push((
                index,
                LatencyChain {
                    event_s: self.time_s(),
                    first_trigger_spike_s: None,
                    escape_command_s: None,
                    lift_off_s: None,
                    threat_azimuth_rad: None,
                    heading_change_rad: None,
                    displacement_m: None,
                },
            ));
        }
    }

    /// Advances one control tick: timeline events, inputs and silencing due now, then
    /// sensors -> brain -> readouts -> arbiter -> motor command -> physics.
    pub fn step(&mut self) -> anyhow::Result<()> {
        let wall = Instant::now();
        let exp = self.exp;
        let dt = self.dt;
        while let Some(&(i, due, ev)) = self.events.get(self.next_event) {
            if due > self.k {
                break;
            }
            self.next_event += 1;
            self.apply_at(i, ev);
            if let Some(chain) = self.chains.last_mut().filter(|c| c.0 == i) {
                chain.1.event_s = ev.at_s();
            }
        }
        let hunger_before = self.agent.internal().hunger;
        let (spikes_before, events_before) = (
            self.ctl.brain().total_spikes(),
            self.ctl.brain().synaptic_events(),
        );
        let tick = self.ctl.tick(self.agent.sensors());
        let fresh = self.ctl.take_spikes();
        if let Some(out) = &mut self.out {
            let ids = self.p.connectome.neurons.ids();
            out.spikes
                .extend(fresh.iter().map(|&(s, i)| (s, ids[i as usize])));
        }
        if let Some(recent) = &mut self.recent {
            recent.extend(fresh);
        }
        let t_after = self.time_at(self.k + 1);
        // The next window's changes, then (unless this is the last) its brain work on the
        // other threads while this one moves the body.
        self.change_brain(t_after);
        if self.k + 1 < self.ticks {
            self.ctl.run_ahead();
        }
        let agent = &mut self.agent;
        let ctl = &mut self.ctl;
        let d = tick.decision;
        agent.step(self.command_override.as_ref().unwrap_or(&d.command));
        agent.check_state()?;
        if exp.agent.clamp_state {
            agent.set_internal(self.clamped);
        } else if agent.sensors().taste.proboscis > 0.0 {
            self.food_eaten += (hunger_before - agent.internal().hunger).max(0.0);
        }
        let senses = agent.sensors();
        let taste = &senses.taste;
        if self.time_to_food.is_none()
            && taste.proboscis.max(taste.tarsi[0]).max(taste.tarsi[1]) > 0.0
        {
            self.time_to_food = Some(t_after);
        }
        if d.behaviour == Behaviour::Walk && senses.touch[0].max(senses.touch[1]) > 0.0 {
            self.wall_contact_s += dt as f64;
        }
        let name = d.behaviour.as_str();
        *self.behaviour_time.entry(name.into()).or_default() += dt as f64;
        if self.current != Some(name) {
            self.current = Some(name);
            *self.bouts.entry(name.into()).or_default() += 1;
        }
        let (ds, de) = (
            ctl.brain().total_spikes() - spikes_before,
            ctl.brain().synaptic_events() - events_before,
        );
        self.total.add(dt as f64, ds, de);
        self.tallies
            .entry(name.into())
            .or_default()
            .add(dt as f64, ds, de);
        if d.switched {
            self.switches += 1;
            for (ev, o) in exp.events.iter().zip(&mut self.onsets) {
                if due_tick(ev.at_s(), self.tick_us) <= self.k {
                    o.onset_s.entry(name.into()).or_insert(t_after - ev.at_s());
                }
            }
        }
        let pose = agent.body.pose(&agent.world.physics);
        // Latency chain of the most recent loom without an escape yet.
        if let Some((ci, chain)) = self.chains.last_mut() {
            if chain.first_trigger_spike_s.is_none()
                && let Some(step) = tick.first_trigger_spike
            {
                chain.first_trigger_spike_s = Some(
                    step as f64 * exp.run.control_ms * 1e-3 / ctl.window_steps() as f64
                        - chain.event_s,
                );
            }
            // Only an escape that starts after the loom is its command: one already running
            // when it came (a spontaneous, noise-driven escape) was not caused by it.
            if chain.escape_command_s.is_none() && d.behaviour == Behaviour::Escape && d.switched {
                chain.escape_command_s = Some(t_after - chain.event_s);
                let az = agent
                    .sensors()
                    .looming
                    .iter()
                    .max_by(|a, b| a.angle.total_cmp(&b.angle))
                    .map(|l| l.azimuth);
                chain.threat_azimuth_rad = az;
                self.escape_ref = Some((*ci, pose.position[2], pose.position, pose.rpy[2]));
            }
            if let Some((_, z0, p0, yaw0)) = self.escape_ref {
                let since = chain.escape_command_s.map(|s| t_after - chain.event_s - s);
                if chain.lift_off_s.is_none() && pose.position[2] - z0 >= LIFT_OFF_RISE_M {
                    chain.lift_off_s = Some(t_after - chain.event_s);
                }
                if chain.heading_change_rad.is_none() && since.is_some_and(|s| s >= 0.5) {
                    let (dx, dy) = (pose.position[0] - p0[0], pose.position[1] - p0[1]);
                    let (s, cs) = yaw0.sin_cos();
                    chain.displacement_m = Some([dx * cs + dy * s, -dx * s + dy * cs]);
                    chain.heading_change_rad = Some(controller::motor::kinematics::wrap_angle(
                        pose.rpy[2] - yaw0,
                    ));
                }
            }
        }
        let xy = [pose.position[0], pose.position[1]];
        self.path_length +=
            ((xy[0] - self.last_xy[0]).powi(2) + (xy[1] - self.last_xy[1]).powi(2)).sqrt();
        self.last_xy = xy;
        self.k += 1;
        if self.k.is_multiple_of(self.every) || d.switched {
            let fmt = |x: f64| format!("{x:.6}");
            let s = agent.internal();
            let v = agent.sensors().body_velocity;
            let mut row: Vec<String> = vec![
                fmt(t_after),
                name.into(),
                serde_json::to_value(d.reason)?
                    .as_str()
                    .unwrap_or_default()
                    .into(),
                fmt(pose.position[0] as f64),
                fmt(pose.position[1] as f64),
                fmt(pose.position[2] as f64),
                fmt(pose.rpy[2] as f64),
                fmt((v[0].hypot(v[1])) as f64),
                fmt(s.hunger as f64),
                fmt(s.dust as f64),
                fmt(s.arousal as f64),
                fmt(tick.drives.forward),
                fmt(tick.drives.backward),
                fmt(tick.drives.turn),
                fmt(tick.drives.groom),
                fmt(tick.drives.feed),
                tick.drives.escape_spikes.to_string(),
            ];
            row.extend(ctl.decoder().values().into_iter().map(fmt));
            row.extend(ctl.encoder().rates().iter().map(|&r| fmt(r)));
            if let Some(out) = &mut self.out {
                out.timeline.push(&row)?;
            }
        }
        // Every simulated second, what was computed goes to the files: a run killed keeps it.
        let second = |k: u64| k * self.tick_us / 1_000_000;
        if second(self.k) != second(self.k - 1)
            && let Some(out) = &mut self.out
        {
            out.timeline.flush()?;
            out.spikes.flush()?;
        }
        self.last = Some(LastTick {
            decision: d,
            drives: tick.drives,
        });
        self.wall += wall.elapsed();
        Ok(())
    }

    /// Every link of the loop, marked connectome or engineered.
    pub fn links(&self) -> Vec<LinkReport> {
        let (p, exp) = (self.p, self.exp);
        let mut links = Vec::new();
        for (spec, groups) in p.map.sensors.iter().zip(&p.resolved.sensors) {
            links.push(LinkReport {
                kind: "sensor".into(),
                name: spec.name.clone(),
                link: spec.link.as_str().into(),
                neurons: Resolved::union(groups).len(),
                note: spec.note.clone(),
            });
        }
        for (spec, groups) in p.map.readouts.iter().zip(&p.resolved.readouts) {
            links.push(LinkReport {
                kind: "readout".into(),
                name: spec.name.clone(),
                link: spec.link.as_str().into(),
                neurons: Resolved::union(groups).len(),
                note: spec.note.clone(),
            });
        }
        links.push(LinkReport {
            kind: "arbiter".into(),
            name: "thresholds, gains, dwell".into(),
            link: "engineered".into(),
            neurons: 0,
            note: "behaviour thresholds, speed/turn gains and dwell times are chosen, not wired \
                   ([arbiter] of the experiment)"
                .into(),
        });
        links.push(LinkReport {
            kind: "arbiter".into(),
            name: "escape direction".into(),
            link: "engineered".into(),
            neurons: 0,
            note: "the giant fibre triggers the escape; its direction (away from the threat) is \
                   taken from the eye that sees the larger looming angle"
                .into(),
        });
        for cut in &p.cuts {
            links.push(LinkReport {
                kind: "cut".into(),
                name: format!("{} -> {}", cut.from, cut.to),
                link: "engineered".into(),
                neurons: 0,
                note: format!(
                    "lesion: {} neuron pairs ({} synapses) of the wiring removed \
                     ([[network.cut]]). {}",
                    cut.pairs, cut.synapses, cut.note
                ),
            });
        }
        for rule in exp.arbiter.steering.rules_on() {
            let note = match rule {
                "search" => {
                    "while the forward drive (the connectome's readout) falls, the walk turns \
                     towards the side whose steering DNs were more active of late \
                     ([arbiter.steering] search_*)"
                }
                "upwind" => {
                    "while the forward drive is above upwind_on_hz, the walk turns into the air \
                     flow felt on the antennae ([arbiter.steering] upwind_*)"
                }
                _ => {
                    "near a wall or obstacle (the antennal feelers' `obstacle` sense) the walk \
                     slows and turns away from the nearer side ([arbiter.steering] avoid_turn)"
                }
            };
            links.push(LinkReport {
                kind: "arbiter".into(),
                name: format!("steering: {rule}"),
                link: "engineered".into(),
                neurons: 0,
                note: note.into(),
            });
        }
        links
    }

    /// Whether any wiring is synthetic or shuffled, and why, in words.
    pub fn wiring(&self) -> (bool, String) {
        let p = self.p;
        let note = p.connectome.synthetic_note();
        let synthetic = note.is_some() || p.shuffled.is_some();
        let wiring_note = match (p.shuffled, note) {
            (Some(s), _) => format!(
                "the wiring was rewired by a degree-preserving shuffle (seed {s}): the null model"
            ),
            (None, Some(n)) => format!("SYNTHETIC wiring: {n}"),
            _ => format!("real wiring as published ({})", p.connectome.format),
        };
        let cuts: Vec<String> = p
            .cuts
            .iter()
            .map(|c| format!("{} pairs from `{}` to `{}`", c.pairs, c.from, c.to))
            .collect();
        if cuts.is_empty() {
            (synthetic, wiring_note)
        } else {
            let note = format!("{wiring_note}; lesioned: {} removed", cuts.join(", "));
            (synthetic, note)
        }
    }

    /// The summary of the time simulated so far.
    fn summary(&self, status: Status, failure: Option<Failure>) -> Summary {
        let p = self.p;
        let c = &p.connectome;
        let exp = self.exp;
        let wall_s = self.wall.as_secs_f64();
        let last = self.agent.body.pose(&self.agent.world.physics);
        let links = self.links();
        let (synthetic, wiring_note) = self.wiring();
        let ctl = &self.ctl;
        let duration_s = self.time_s();
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
            behaviour_time_s: self.behaviour_time.clone(),
            bouts: self.bouts.clone(),
            onsets: self.onsets.clone(),
            latency: self.chains.iter().map(|c| c.1.clone()).collect(),
            distance_m: ((last.position[0] - self.first_pose.position[0]).powi(2)
                + (last.position[1] - self.first_pose.position[1]).powi(2))
            .sqrt(),
            path_length_m: self.path_length,
            food_eaten: self.food_eaten,
            found_food: self.time_to_food.is_some(),
            time_to_food_s: self.time_to_food,
            wall_contact_s: self.wall_contact_s,
            brain_spikes: ctl.brain().total_spikes(),
            activity: activity::activity(
                self.total,
                &self.tallies,
                c.n_neurons(),
                ctl.brain()
                    .spike_counts()
                    .iter()
                    .filter(|&&k| k > 0)
                    .count(),
                p.network.propagator().k.dt,
                activity::BrainOptions {
                    release_failure: exp.network.release_failure,
                    membrane_noise_mv: exp.network.membrane_noise_mv,
                },
            ),
            switches: self.switches,
            timeline_rows: self.out.as_ref().map_or(0, |o| o.timeline.rows()),
            real_time_factor: duration_s / wall_s.max(1e-9),
            wall_s,
        }
    }

    /// Ends a run that simulated its whole duration: closes the run folder's files and
    /// writes `summary.json` (status `complete`), if recording; returns the summary.
    pub fn finish(mut self) -> anyhow::Result<Summary> {
        let summary = self.summary(Status::Complete, None);
        if let Some(out) = self.out.take() {
            write_folder(out, &summary)?;
        }
        Ok(summary)
    }

    /// Ends a run that stopped with `error`: the run folder keeps every row and spike up to
    /// now and its `summary.json` says `failed`, with the error and the simulated time
    /// reached. Returns the error, saying where the partial outputs are.
    pub fn fail(mut self, error: anyhow::Error) -> anyhow::Error {
        let at_s = self.time_s();
        let failure = Failure {
            error: format!("{error:#}"),
            at_s,
        };
        let summary = self.summary(Status::Failed, Some(failure));
        match self.out.take() {
            Some(out) => {
                let dir = out.dir.clone();
                match write_folder(out, &summary) {
                    Ok(()) => error.context(format!(
                        "the run failed at t = {at_s} s (the world's clock, which counts the \
                         settling too, read {:.3} s); {} keeps its timeline and spikes up to \
                         then, and its {SUMMARY_JSON} says `failed`",
                        self.agent.time(),
                        dir.display()
                    )),
                    Err(e) => error.context(format!(
                        "the run failed at t = {at_s} s, and its outputs could not be closed: {e:#}"
                    )),
                }
            }
            None => error.context(format!("the run failed at t = {at_s} s")),
        }
    }
}

/// Closes the timeline and spikes, then writes `summary.json` last (atomically): a folder
/// with a summary is a run that ended.
/// The summary is written even when a file could not be closed (a full disk, a file-size
/// limit): the folder then still says how the run ended, and the first error is returned.
fn write_folder(out: Recorder, summary: &Summary) -> anyhow::Result<()> {
    let closed = out.timeline.finish().and(out.spikes.finish());
    let json = serde_json::to_string_pretty(summary)?;
    let written = write_atomic(&out.dir.join(SUMMARY_JSON), |w| {
        use std::io::Write;
        writeln!(w, "{json}")?;
        Ok(())
    });
    closed.and(written)
}

/// The columns of `timeline.csv`: the fixed ones, then a `readout_` column per readout and
/// an `input_..._hz` column per sensory group of the circuit map.
fn timeline_header(ctl: &Controller, p: &Prepared) -> Vec<String> {
    let mut header: Vec<String> = crate::record::timeline::FIXED_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(
        ctl.decoder()
            .describe()
            .iter()
            .map(|r| format!("readout_{}", r.0)),
    );
    header.extend(
        ctl.encoder()
            .group_names(&p.map)
            .iter()
            .map(|s| format!("input_{s}_hz")),
    );
    header
}

/// Checks that the settled body stands inside the arena: in an arena smaller than the body
/// (a 5 cm one) its legs would stand beyond the walls or the edge.
fn fits_in_arena(agent: &Agent, exp: &Experiment) -> anyhow::Result<()> {
    let h = agent.world.scene.arena.half_size;
    for (part, handle) in agent.body.parts() {
        let p = agent.world.physics.bodies[handle].translation();
        if p.x.abs() > h || p.y.abs() > h {
            anyhow::bail!(
                "{}: the robot does not fit in the arena where it starts: its {part} stands at \
                 ({:.3}, {:.3}) m, outside |x|, |y| <= `arena.half_size` {h} m of {}",
                exp.file.display(),
                p.x,
                p.y,
                exp.scene
                    .file
                    .as_ref()
                    .map_or("the default scene".to_string(), |f| f.display().to_string())
            );
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
