//! A bout: the body holding one motor command for a fixed time, recorded, with no brain.
//! This is what `hexafly body run` executes and what the body tests measure.

use std::time::Instant;

use controller::motor::MotorCommand;
use serde::Serialize;

use crate::agent::{Agent, Start};
use crate::body::{BodyError, BodySpec};
use crate::world::Scene;

/// What to run.
#[derive(Debug, Clone)]
pub struct Bout {
    /// The command held for the whole bout.
    pub command: MotorCommand,
    /// Recorded duration, seconds.
    pub duration_s: f32,
    /// Standing time before recording starts (the body settles on its legs), seconds.
    pub settle_s: f32,
    /// Sampling interval of the trajectory, seconds.
    pub sample_s: f32,
    /// Control tick, seconds (a whole number of physics steps).
    pub control_dt: f32,
    /// Seed (rough terrain).
    pub seed: u64,
    /// The scene.
    pub scene: Scene,
    /// Start pose and internal state.
    pub start: Start,
}

impl Bout {
    /// A bout of `command` for `duration_s` on a default flat scene.
    pub fn new(command: MotorCommand, duration_s: f32) -> Bout {
        Bout {
            command,
            duration_s,
            settle_s: 0.5,
            sample_s: 0.01,
            control_dt: 0.001,
            seed: 0,
            scene: Scene::default(),
            start: Start::default(),
        }
    }
}

/// One row of the trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    /// Time since recording started, seconds.
    pub t: f64,
    /// Thorax centre, metres.
    pub position: [f32; 3],
    /// Roll, pitch, yaw, radians (yaw unwrapped).
    pub rpy: [f32; 3],
    /// Tarsus contacts per leg.
    pub contacts: [bool; 6],
}

/// BoutSummary of a bout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoutSummary {
    /// Straight-line horizontal distance from start to end, metres.
    pub distance_m: f32,
    /// Horizontal path length measured on 0.5 s chords (averages out the stepping sway), metres.
    pub path_length_m: f32,
    /// Path length divided by duration, m/s.
    pub mean_speed_m_s: f32,
    /// Net yaw change (unwrapped) divided by duration, rad/s (> 0 left).
    pub yaw_rate_rad_s: f32,
    /// Whether the body fell (tilt or thorax height) at any control tick.
    pub fell: bool,
    /// Simulated seconds per wall-clock second (settling included in both).
    pub real_time_factor: f64,
    /// Recorded duration, seconds.
    pub duration_s: f32,
    /// Physics steps taken (settling included).
    pub physics_steps: u64,
    /// Highest thorax rise above its height at the start of recording, metres.
    pub max_rise_m: f32,
}

/// Most control ticks of one bout (11.6 simulated days at 1 ms).
const MAX_TICKS: u64 = 1_000_000_000;
/// Most trajectory rows kept in memory (about 3 GB).
const MAX_SAMPLES: u64 = 50_000_000;

/// Runs a bout and returns its trajectory and summary. The body's physical state is checked
/// every control tick ([`Agent::check_state`]); a NaN or exploded state ends the bout with
/// that error (naming the simulated time and the body part) instead of a summary:
/// [`BodyError::Settling`] or [`BodyError::Recording`]. A duration or sampling interval
/// that is not positive, or too short or long to run, is refused before anything runs.
pub fn run_bout(spec: &BodySpec, cfg: &Bout) -> Result<(Vec<Sample>, BoutSummary), BodyError> {
    if !(cfg.duration_s > 0.0 && cfg.duration_s.is_finite()) {
        return Err(BodyError::Duration {
            duration_s: cfg.duration_s,
        });
    }
    if !(cfg.sample_s > 0.0 && cfg.sample_s.is_finite()) {
        return Err(BodyError::SampleInterval {
            sample_s: cfg.sample_s,
        });
    }
    let wall = Instant::now();
    let mut agent = Agent::new(
        spec,
        cfg.scene.clone(),
        cfg.seed,
        &cfg.start,
        cfg.control_dt,
    );
    let dt = agent.control_dt();
    let settle_ticks = (cfg.settle_s / dt).round() as u64;
    for _ in 0..settle_ticks {
        agent.step(&controller::motor::MotorCommand::Stand);
        agent.check_state().map_err(BodyError::Settling)?;
    }
    let t0 = agent.time();
    let ticks = (cfg.duration_s / dt).round() as u64;
    if ticks == 0 {
        return Err(BodyError::ShorterThanATick {
            duration_s: cfg.duration_s,
            tick_s: dt,
        });
    }
    if ticks > MAX_TICKS {
        return Err(BodyError::TooLong {
            duration_s: cfg.duration_s,
            max_ticks: MAX_TICKS,
            tick_s: dt,
        });
    }
    let every = ((cfg.sample_s / dt).round() as u64).max(1);
    let rows = ticks / every + 2;
    if rows > MAX_SAMPLES {
        return Err(BodyError::TooManySamples {
            duration_s: cfg.duration_s,
            sample_s: cfg.sample_s,
            rows,
            max_rows: MAX_SAMPLES,
        });
    }
    let mut samples = Vec::with_capacity(rows as usize);
    let mut fell = false;
    let mut yaw_unwrapped = 0.0f32;
    let mut last_yaw = None::<f32>;
    let mut record = |agent: &Agent, samples: &mut Vec<Sample>| {
        let pose = agent.body.pose(&agent.world.physics);
        let yaw = pose.rpy[2];
        if let Some(prev) = last_yaw {
            yaw_unwrapped += controller::motor::kinematics::wrap_angle(yaw - prev);
        } else {
            yaw_unwrapped = yaw;
        }
        last_yaw = Some(yaw);
        samples.push(Sample {
            t: agent.time() - t0,
            position: pose.position,
            rpy: [pose.rpy[0], pose.rpy[1], yaw_unwrapped],
            contacts: agent.body.foot_contacts(&agent.world.physics),
        });
    };
    record(&agent, &mut samples);
    for k in 1..=ticks {
        agent.step(&cfg.command);
        // A NaN or exploded state is an error, never a "not fallen" tick.
        agent.check_state().map_err(|source| BodyError::Recording {
            command: cfg.command,
            after_s: agent.time() - t0,
            source,
        })?;
        fell |= agent.fallen();
        if k % every == 0 || k == ticks {
            record(&agent, &mut samples);
        }
    }
    let wall_s = wall.elapsed().as_secs_f64();
    let first = samples[0];
    let last = *samples.last().expect("at least one sample");
    let dist = |a: &Sample, b: &Sample| {
        ((b.position[0] - a.position[0]).powi(2) + (b.position[1] - a.position[1]).powi(2)).sqrt()
    };
    let chord = ((0.5 / (every as f32 * dt)).round() as usize).max(1);
    let mut path = 0.0;
    let mut i = 0;
    while i < samples.len() - 1 {
        let j = (i + chord).min(samples.len() - 1);
        path += dist(&samples[i], &samples[j]);
        i = j;
    }
    let duration = (last.t - first.t) as f32;
    let max_rise = samples
        .iter()
        .map(|s| s.position[2] - first.position[2])
        .fold(0.0, f32::max);
    let summary = BoutSummary {
        distance_m: dist(&first, &last),
        path_length_m: path,
        mean_speed_m_s: path / duration,
        yaw_rate_rad_s: (last.rpy[2] - first.rpy[2]) / duration,
        fell,
        real_time_factor: agent.time() / wall_s,
        duration_s: duration,
        physics_steps: ((agent.time() / spec.physics.dt as f64).round()) as u64,
        max_rise_m: max_rise,
    };
    Ok((samples, summary))
}

/// Runs independent bouts in parallel on the current rayon pool (one world per bout, nothing
/// shared), returning results in input order; each result is the same at any thread count.
pub fn run_bouts(
    spec: &BodySpec,
    cfgs: &[Bout],
) -> Vec<Result<(Vec<Sample>, BoutSummary), BodyError>> {
    use rayon::prelude::*;
    cfgs.par_iter().map(|c| run_bout(spec, c)).collect()
}
