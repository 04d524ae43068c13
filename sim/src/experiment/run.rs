//! Runs an experiment headless: loads the connectome and circuit map, builds the
//! [`Controller`] and the agent, advances them in lockstep (one control tick = one brain
//! window = a whole number of physics steps), applies the timeline, and writes the run
//! folder (`timeline.csv`, `spikes.parquet`, `summary.json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use connectome::select::Selector;
use connectome::{Connectome, NeuronIndex};
use controller::arbiter::Behaviour;
use controller::brain::Network;
use controller::brain::signs::{apply_signs, seeded_inhibitory};
use controller::circuit::map::{CircuitMap, SignSpec};
use controller::circuit::resolve::Resolved;
use controller::{Controller, ControllerConfig};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::file::{EventSpec, Experiment, ModificationKind};
use crate::agent::{Agent, Start};
use crate::body::{BodySpec, default_body_path};
use crate::record::spikes::write_spikes;
use crate::record::timeline::Timeline;
use crate::record::write_atomic;
use crate::world::Threat;

/// A thorax rise above its height at the escape command that counts as lift-off, metres.
pub const LIFT_OFF_RISE_M: f32 = 0.005;

/// The dataset, its circuit map and the network built from them.
pub struct Prepared {
    /// The connectome as loaded (and shuffled, if asked).
    pub connectome: Connectome,
    /// The file it came from.
    pub path: PathBuf,
    /// The circuit map.
    pub map: CircuitMap,
    /// The map's selectors on this connectome.
    pub resolved: Resolved,
    /// The compiled network.
    pub network: Arc<Network>,
    /// Shuffle seed, if the wiring was rewired.
    pub shuffled: Option<u64>,
}

/// Loads the experiment's connectome and circuit map and compiles the network.
pub fn prepare(exp: &Experiment) -> anyhow::Result<Prepared> {
    let source = exp.dataset_source();
    let conn_path = exp.resolve(&exp.network.connectome);
    let loaded = source
        .load(&conn_path)
        .with_context(|| format!("loading {} (network.connectome)", conn_path.display()))?;
    let mut connectome = loaded.connectome;
    let map_path = exp.resolve(&exp.network.circuit);
    let map = CircuitMap::load(&map_path)?;
    let model = map.model_or_default();
    if let SignSpec::Seeded {
        inhibitory_fraction,
        seed,
    } = model.signs
    {
        let inh = seeded_inhibitory(&connectome.neurons, inhibitory_fraction, seed);
        apply_signs(&mut connectome.synapses, &inh, connectome.neurons.ids())?;
    }
    let resolved = map.resolve(&connectome.neurons, &loaded.path.display().to_string())?;
    let network = Network::new(&connectome.synapses, model.params(), &[])
        .map_err(|e| anyhow::anyhow!("{}: {e}", map_path.display()))?;
    Ok(Prepared {
        connectome,
        path: loaded.path,
        map,
        resolved,
        network: Arc::new(network),
        shuffled: loaded.shuffled,
    })
}

/// One link of the loop as the outputs report it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkReport {
    /// `sensor`, `readout` or `arbiter`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// `connectome` or `engineered`.
    pub link: &'static str,
    /// Neurons it drives or reads.
    pub neurons: usize,
    /// Why.
    pub note: String,
}

/// Latency chain of one loom event (seconds after the event; null when it did not happen).
#[derive(Debug, Clone, Serialize)]
pub struct LatencyChain {
    /// Time of the loom event, s.
    pub event_s: f64,
    /// First escape-trigger (giant fibre) spike.
    pub first_trigger_spike_s: Option<f64>,
    /// First tick with the escape command.
    pub escape_command_s: Option<f64>,
    /// Thorax risen LIFT_OFF_RISE_M above its height at the escape command.
    pub lift_off_s: Option<f64>,
    /// Side of the threat relative to the body at the escape command (+ left).
    pub threat_azimuth_rad: Option<f32>,
    /// Heading change from the escape command to 0.5 s later (rad, + left).
    pub heading_change_rad: Option<f32>,
    /// Displacement from the escape command to 0.5 s later, in the body frame at the
    /// command: [forward, leftward] m.
    pub displacement_m: Option<[f32; 2]>,
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Format tag.
    pub schema: &'static str,
    /// The experiment file.
    pub experiment: String,
    /// The connectome file.
    pub dataset: String,
    /// sha256 of the network as simulated (ids, CSR, signed counts).
    pub dataset_sha256: String,
    /// Neurons and synapse pairs.
    pub neurons: usize,
    /// Synapse pairs.
    pub edges: usize,
    /// Whether any wiring is synthetic (generated, surrogate) or shuffled.
    pub synthetic_wiring: bool,
    /// Why, in words.
    pub wiring_note: String,
    /// Seed of the degree-preserving shuffle, if any.
    pub shuffled: Option<u64>,
    /// The circuit map.
    pub circuit: String,
    /// Every link of the loop, marked connectome or engineered.
    pub links: Vec<LinkReport>,
    /// Duration, seconds.
    pub duration_s: f64,
    /// Seed.
    pub seed: u64,
    /// Seconds in each behaviour.
    pub behaviour_time_s: BTreeMap<String, f64>,
    /// Bouts of each behaviour (times it started, the first tick's included).
    pub bouts: BTreeMap<String, u32>,
    /// Per event (in file order): kind, time, and the first onset of each behaviour after
    /// it (s after the event).
    pub onsets: Vec<EventOnsets>,
    /// Per loom event.
    pub latency: Vec<LatencyChain>,
    /// Straight-line distance from start to end, m.
    pub distance_m: f32,
    /// Path length (sampled every tick), m.
    pub path_length_m: f32,
    /// Hunger removed by feeding.
    pub food_eaten: f32,
    /// Spikes of the whole brain.
    pub brain_spikes: u64,
    /// Spikes, synaptic events, active fraction and an energy estimate, per run and per
    /// behaviour ([`super::activity`]).
    pub activity: super::activity::Activity,
    /// Behaviour switches.
    pub switches: u32,
    /// Simulated seconds per wall second (loading excluded).
    pub real_time_factor: f64,
    /// Wall time of the loop, s.
    pub wall_s: f64,
}

/// Onsets after one event.
#[derive(Debug, Clone, Serialize)]
pub struct EventOnsets {
    /// Event kind.
    pub kind: &'static str,
    /// Time, s.
    pub at_s: f64,
    /// Behaviour -> seconds from the event to its first onset after it.
    pub onset_s: BTreeMap<String, f64>,
}

fn selection(c: &Connectome, sel: &str, key: &str) -> anyhow::Result<Vec<NeuronIndex>> {
    let s = Selector::parse(sel).with_context(|| format!("{key}: `{sel}`"))?;
    let v = s
        .select(&c.neurons)
        .with_context(|| format!("{key}: `{sel}`"))?;
    if v.is_empty() {
        bail!("{key}: `{sel}` selects no neuron of this connectome");
    }
    Ok(v)
}

fn network_hash(c: &Connectome) -> String {
    let mut h = Sha256::new();
    for id in c.neurons.ids() {
        h.update(id.to_le_bytes());
    }
    let (rows, targets, counts) = c.synapses.parts();
    for r in rows {
        h.update(r.to_le_bytes());
    }
    for t in targets {
        h.update(t.to_le_bytes());
    }
    for w in counts {
        h.update(w.to_le_bytes());
    }
    format!("{:x}", h.finalize())
}

/// Runs the experiment and writes its run folder `out`; returns the summary.
pub fn run(exp: &Experiment, out: &Path) -> anyhow::Result<Summary> {
    let p = prepare(exp)?;
    run_prepared(exp, &p, out)
}

/// [`run`] on an already prepared network (sweeps prepare once).
pub fn run_prepared(exp: &Experiment, p: &Prepared, out: &Path) -> anyhow::Result<Summary> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let c = &p.connectome;
    // Selections of the timeline, resolved before anything runs.
    let inputs: Vec<Vec<NeuronIndex>> = exp
        .inputs
        .iter()
        .enumerate()
        .map(|(i, x)| selection(c, &x.neurons, &format!("inputs[{i}].neurons")))
        .collect::<anyhow::Result<_>>()?;
    let mods: Vec<Vec<NeuronIndex>> = exp
        .modifications
        .iter()
        .enumerate()
        .map(|(i, m)| selection(c, &m.neurons, &format!("modifications[{i}].neurons")))
        .collect::<anyhow::Result<_>>()?;
    let mut record: Vec<NeuronIndex> = Vec::new();
    for (i, s) in exp.reports.spikes.iter().enumerate() {
        record.extend(selection(c, s, &format!("reports.spikes[{i}]"))?);
    }
    record.sort_unstable();
    record.dedup();

    let cfg = ControllerConfig {
        window_ms: exp.run.control_ms,
        arbiter: exp.arbiter.clone(),
        seed: exp.run.seed,
        record,
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
    let start = Start {
        xy: exp.agent.position,
        yaw: exp.agent.heading_deg.to_radians(),
        internal: controller::sensors::InternalState {
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

    let ticks = (exp.run.duration_s / dt as f64).round() as u64;
    let every = (exp.reports.timeline_ms / exp.run.control_ms).round() as u64;
    let sensor_names = ctl.encoder().group_names(&p.map);
    let readouts = ctl.decoder().describe();
    let mut header: Vec<String> = [
        "t_s",
        "behaviour",
        "reason",
        "x_m",
        "y_m",
        "z_m",
        "yaw_rad",
        "speed_m_s",
        "hunger",
        "dust",
        "arousal",
        "drive_forward",
        "drive_backward",
        "drive_turn",
        "drive_groom",
        "drive_feed",
        "escape_spikes",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(readouts.iter().map(|r| format!("readout_{}", r.0)));
    header.extend(sensor_names.iter().map(|s| format!("input_{s}_hz")));
    let mut timeline = Timeline::new(header);

    let mut events: Vec<(usize, &EventSpec)> = exp.events.iter().enumerate().collect();
    events.sort_by(|a, b| a.1.at_s().total_cmp(&b.1.at_s()).then(a.0.cmp(&b.0)));
    let mut next_event = 0;
    let mut input_on = vec![false; inputs.len()];
    let mut mod_on = vec![false; mods.len()];
    let mut behaviour_time: BTreeMap<String, f64> = BTreeMap::new();
    let mut bouts: BTreeMap<String, u32> = BTreeMap::new();
    let mut current: Option<&'static str> = None;
    let mut tallies: BTreeMap<String, super::activity::Tally> = BTreeMap::new();
    let mut total = super::activity::Tally::default();
    let mut onsets: Vec<EventOnsets> = exp
        .events
        .iter()
        .map(|e| EventOnsets {
            kind: e.kind(),
            at_s: e.at_s(),
            onset_s: BTreeMap::new(),
        })
        .collect();
    let mut chains: Vec<(usize, LatencyChain)> = Vec::new();
    let mut escape_ref: Option<(usize, f32, [f32; 3], f32)> = None; // chain, z, pos, yaw
    let mut spikes: Vec<(u32, NeuronIndex)> = Vec::new();
    let mut path_length = 0.0f32;
    let mut food_eaten = 0.0f32;
    let mut switches = 0u32;
    let first_pose = agent.body.pose(&agent.world.physics);
    let mut last_xy = [first_pose.position[0], first_pose.position[1]];
    let clamp = exp.agent.clamp_state;
    let mut clamped = start.internal;
    let wall = Instant::now();
    let fmt = |x: f64| format!("{x:.6}");
    for k in 0..ticks {
        let t = k as f64 * dt as f64;
        while let Some(&(i, ev)) = events.get(next_event) {
            if ev.at_s() > t + 1e-9 {
                break;
            }
            next_event += 1;
            apply_event(ev, &mut agent, &mut clamped);
            if let EventSpec::Loom { .. } = ev {
                chains.push((
                    i,
                    LatencyChain {
                        event_s: ev.at_s(),
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
        for (j, x) in exp.inputs.iter().enumerate() {
            let on = t + 1e-9 >= x.start_s && x.stop_s.is_none_or(|s| t + 1e-9 < s);
            if on != input_on[j] {
                ctl.set_activation(&inputs[j], if on { x.rate_hz } else { 0.0 });
                input_on[j] = on;
            }
        }
        for (j, m) in exp.modifications.iter().enumerate() {
            let on = t + 1e-9 >= m.start_s && m.stop_s.is_none_or(|s| t + 1e-9 < s);
            if on != mod_on[j] {
                match m.kind {
                    ModificationKind::Silence => ctl.set_silenced(&mods[j], on),
                }
                mod_on[j] = on;
            }
        }
        let hunger_before = agent.internal().hunger;
        let (spikes_before, events_before) =
            (ctl.brain().total_spikes(), ctl.brain().synaptic_events());
        let tick = ctl.tick(agent.sensors());
        spikes.extend(ctl.take_spikes());
        let d = tick.decision;
        agent.step(&d.command);
        agent.check_state()?;
        if clamp {
            agent.set_internal(clamped);
        } else if agent.sensors().taste.proboscis > 0.0 {
            food_eaten += (hunger_before - agent.internal().hunger).max(0.0);
        }
        let t_after = t + dt as f64;
        *behaviour_time
            .entry(d.behaviour.as_str().into())
            .or_default() += dt as f64;
        if current != Some(d.behaviour.as_str()) {
            current = Some(d.behaviour.as_str());
            *bouts.entry(d.behaviour.as_str().into()).or_default() += 1;
        }
        let (ds, de) = (
            ctl.brain().total_spikes() - spikes_before,
            ctl.brain().synaptic_events() - events_before,
        );
        total.add(dt as f64, ds, de);
        tallies
            .entry(d.behaviour.as_str().into())
            .or_default()
            .add(dt as f64, ds, de);
        if d.switched {
            switches += 1;
            for (ev, o) in exp.events.iter().zip(&mut onsets) {
                if ev.at_s() <= t + 1e-9 {
                    o.onset_s
                        .entry(d.behaviour.as_str().into())
                        .or_insert(t_after - ev.at_s());
                }
            }
        }
        let pose = agent.body.pose(&agent.world.physics);
        // Latency chain of the most recent loom without an escape yet.
        if let Some((ci, chain)) = chains.last_mut() {
            if chain.first_trigger_spike_s.is_none()
                && let Some(step) = tick.first_trigger_spike
            {
                chain.first_trigger_spike_s = Some(
                    step as f64 * exp.run.control_ms * 1e-3 / ctl.window_steps() as f64
                        - chain.event_s,
                );
            }
            if chain.escape_command_s.is_none() && d.behaviour == Behaviour::Escape {
                chain.escape_command_s = Some(t_after - chain.event_s);
                let az = agent
                    .sensors()
                    .looming
                    .iter()
                    .max_by(|a, b| a.angle.total_cmp(&b.angle))
                    .map(|l| l.azimuth);
                chain.threat_azimuth_rad = az;
                escape_ref = Some((*ci, pose.position[2], pose.position, pose.rpy[2]));
            }
            if let Some((_, z0, p0, yaw0)) = escape_ref {
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
        path_length += ((xy[0] - last_xy[0]).powi(2) + (xy[1] - last_xy[1]).powi(2)).sqrt();
        last_xy = xy;
        if (k + 1) % every == 0 || d.switched {
            let s = agent.internal();
            let v = agent.sensors().body_velocity;
            let mut row: Vec<String> = vec![
                fmt(t_after),
                d.behaviour.as_str().into(),
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
            timeline.push(&row);
        }
    }
    let wall_s = wall.elapsed().as_secs_f64();
    let last = agent.body.pose(&agent.world.physics);

    let ids = c.neurons.ids();
    let dt_ms = p.network.propagator().k.dt * 1e3;
    let spikes_by_id: Vec<(u32, u64)> = spikes.iter().map(|&(s, i)| (s, ids[i as usize])).collect();
    let mut links = Vec::new();
    for (spec, groups) in p.map.sensors.iter().zip(&p.resolved.sensors) {
        links.push(LinkReport {
            kind: "sensor",
            name: spec.name.clone(),
            link: spec.link.as_str(),
            neurons: Resolved::union(groups).len(),
            note: spec.note.clone(),
        });
    }
    for (spec, groups) in p.map.readouts.iter().zip(&p.resolved.readouts) {
        links.push(LinkReport {
            kind: "readout",
            name: spec.name.clone(),
            link: spec.link.as_str(),
            neurons: Resolved::union(groups).len(),
            note: spec.note.clone(),
        });
    }
    links.push(LinkReport {
        kind: "arbiter",
        name: "thresholds, gains, dwell".into(),
        link: "engineered",
        neurons: 0,
        note: "behaviour thresholds, speed/turn gains and dwell times are chosen, not wired \
               ([arbiter] of the experiment)"
            .into(),
    });
    links.push(LinkReport {
        kind: "arbiter",
        name: "escape direction".into(),
        link: "engineered",
        neurons: 0,
        note: "the giant fibre triggers the escape; its direction (away from the threat) is \
               taken from the eye that sees the larger looming angle"
            .into(),
    });
    let note = c.synthetic_note();
    let synthetic = note.is_some() || p.shuffled.is_some();
    let wiring_note = match (p.shuffled, note) {
        (Some(s), _) => format!(
            "the wiring was rewired by a degree-preserving shuffle (seed {s}): the null model"
        ),
        (None, Some(n)) => format!("SYNTHETIC wiring: {n}"),
        _ => format!("real wiring as published ({})", c.format),
    };
    let summary = Summary {
        schema: "hexafly.run/1",
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
        duration_s: ticks as f64 * dt as f64,
        seed: exp.run.seed,
        behaviour_time_s: behaviour_time,
        bouts,
        onsets,
        latency: chains.into_iter().map(|c| c.1).collect(),
        distance_m: ((last.position[0] - first_pose.position[0]).powi(2)
            + (last.position[1] - first_pose.position[1]).powi(2))
        .sqrt(),
        path_length_m: path_length,
        food_eaten,
        brain_spikes: ctl.brain().total_spikes(),
        activity: super::activity::activity(
            total,
            &tallies,
            c.n_neurons(),
            ctl.brain()
                .spike_counts()
                .iter()
                .filter(|&&k| k > 0)
                .count(),
            p.network.propagator().k.dt,
            super::activity::BrainOptions {
                release_failure: exp.network.release_failure,
                membrane_noise_mv: exp.network.membrane_noise_mv,
            },
        ),
        switches,
        real_time_factor: ticks as f64 * dt as f64 / wall_s.max(1e-9),
        wall_s,
    };
    timeline.write(&out.join("timeline.csv"))?;
    write_spikes(&out.join("spikes.parquet"), &spikes_by_id, dt_ms)?;
    let json = serde_json::to_string_pretty(&summary)?;
    write_atomic(&out.join("summary.json"), |w| {
        use std::io::Write;
        writeln!(w, "{json}")?;
        Ok(())
    })?;
    Ok(summary)
}

fn apply_event(
    ev: &EventSpec,
    agent: &mut Agent,
    clamped: &mut controller::sensors::InternalState,
) {
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
