//! The simulation thread behind the viewer: it owns the [`Session`], steps it at the
//! requested speed (simulated seconds per wall second), sends a frame per batch of ticks,
//! and turns the user's commands into the same events an experiment file can hold. When
//! the viewer closes or the duration is reached it writes the run folder, if asked.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use controller::anatomy::Side;
use view::frame::{Channels, Command, Frame, SceneInfo, Update};

use super::ViewError;
use super::snapshot::{self, RasterRows};
use crate::experiment::Experiment;
use crate::experiment::Session;
use crate::experiment::file::{EventSpec, food_radius, loom_distance, loom_radius, loom_speed};
use crate::experiment::{ExperimentError, Prepared, Summary};

/// How the thread runs.
#[derive(Debug, Clone)]
pub struct LiveParams {
    /// Simulated seconds per wall second at the start.
    pub speed: f32,
    /// Write the run folder here when the run ends or the viewer closes.
    pub out: Option<PathBuf>,
    /// Window title.
    pub title: String,
}

/// Frames waiting in the channel before the simulation holds back a frame (its spikes
/// are kept for the next one).
const QUEUE: usize = 64;
/// Longest stretch of ticks between two frames, wall time.
const BATCH: Duration = Duration::from_millis(15);

/// A started simulation thread: the scene, the viewer's ends of the channels, and the
/// thread (which yields the summary of the run folder it wrote, if any).
pub type Started = (
    SceneInfo,
    Channels,
    JoinHandle<Result<Option<Summary>, ViewError>>,
);

/// Starts the thread.
pub fn spawn(exp: Experiment, prepared: Prepared, opts: LiveParams) -> Result<Started, ViewError> {
    // The thread's first word: the scene, or why there is none (its error, as text: the
    // error itself is the thread's result).
    let (scene_tx, scene_rx) = mpsc::channel::<Result<SceneInfo, String>>();
    let (channels, update_tx, command_rx) = channels();
    let thread = std::thread::Builder::new()
        .name("hexafly-sim".into())
        .spawn(move || {
            let built = match &opts.out {
                Some(out) => Session::recording(&exp, &prepared, out),
                None => Session::new(&exp, &prepared),
            };
            let mut session = match built {
                Ok(s) => s,
                Err(e) => {
                    let _ = scene_tx.send(Err(crate::error_chain(&e)));
                    return Err(e.into());
                }
            };
            let rows = match snapshot::scene_info(&session, &opts.title) {
                Ok((info, rows)) => {
                    let _ = scene_tx.send(Ok(info));
                    rows
                }
                Err(e) => {
                    let _ = scene_tx.send(Err(crate::error_chain(&e)));
                    return Err(e.into());
                }
            };
            session.watch_spikes();
            let paced = pace(
                &mut Live {
                    session: &mut session,
                    rows,
                    last_food: None,
                },
                &update_tx,
                &command_rx,
                opts.speed,
            );
            if let Err(e) = paced {
                let e = match e {
                    ViewError::Experiment(e) => e,
                    other => ExperimentError::Stopped(Box::new(other)),
                };
                return Err(session.fail(e).into());
            }
            let recording = opts.out.is_some();
            let summary = session.finish()?;
            Ok(recording.then_some(summary))
        })?;
    let scene = match scene_rx.recv() {
        Ok(Ok(scene)) => scene,
        // The thread's own error says why: it is what joining it returns.
        Ok(Err(_)) | Err(_) => {
            return match thread.join() {
                Ok(Err(e)) => Err(e),
                _ => Err(ViewError::Thread("stopped before it started")),
            };
        }
    };
    Ok((scene, channels, thread))
}

/// The viewer's ends of the channels, and the simulation side's.
pub(super) fn channels() -> (Channels, SyncSender<Update>, Receiver<Command>) {
    let (update_tx, updates) = mpsc::sync_channel::<Update>(QUEUE);
    let (commands, command_rx) = mpsc::channel::<Command>();
    (Channels { updates, commands }, update_tx, command_rx)
}

/// What the pacing loop drives: a live session or a recorded run.
pub(super) trait Stepper {
    /// Simulated (or recorded) time now, seconds.
    fn time_s(&self) -> f64;
    /// Whether the end has been reached.
    fn done(&self) -> bool;
    /// Advances one control tick (or one recorded row).
    fn step(&mut self) -> Result<(), ViewError>;
    /// The state now, with the spikes since the last frame.
    fn frame(&mut self) -> Frame;
    /// Carries out a command other than pause, step, speed and quit; returns what to tell
    /// the user.
    fn command(&mut self, c: Command) -> String;
}

/// Steps `s` at `speed` simulated seconds per wall second, sends a frame per batch, and
/// obeys pause, step and speed; returns when the viewer closes or asks to quit.
pub(super) fn pace(
    s: &mut dyn Stepper,
    tx: &SyncSender<Update>,
    rx: &Receiver<Command>,
    speed: f32,
) -> Result<(), ViewError> {
    let mut p = Pacer {
        tx,
        speed: speed.max(1e-3),
        paused: false,
        origin: (Instant::now(), s.time_s()),
        probe: (Instant::now(), s.time_s()),
        achieved: 0.0,
        unsent: Vec::new(),
        unsent_odor: None,
        ended_said: false,
    };
    p.send(s);
    loop {
        let mut step_once = false;
        loop {
            match rx.try_recv() {
                Ok(Command::Quit) | Err(TryRecvError::Disconnected) => return Ok(()),
                Ok(Command::Step) => step_once = true,
                Ok(Command::TogglePause) => {
                    p.paused = !p.paused;
                    p.origin = (Instant::now(), s.time_s());
                }
                Ok(Command::Speed(v)) if v.is_finite() && v > 0.0 => {
                    p.speed = v;
                    p.origin = (Instant::now(), s.time_s());
                }
                Ok(Command::Speed(v)) => p.say(format!("speed must be > 0, got {v}")),
                Ok(c) => {
                    let msg = s.command(c);
                    p.say(msg);
                }
                Err(TryRecvError::Empty) => break,
            }
        }
        if s.done() && !p.ended_said {
            p.ended_said = true;
            let _ = tx.send(Update::Ended(format!(
                "the end ({:.2} s); close the window to finish",
                s.time_s()
            )));
        }
        if s.done() || (p.paused && !step_once) {
            p.send(s);
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        if p.paused {
            s.step()?;
            p.send(s);
            continue;
        }
        let target = p.origin.1 + p.speed as f64 * p.origin.0.elapsed().as_secs_f64();
        let batch = Instant::now();
        while s.time_s() < target && !s.done() && batch.elapsed() < BATCH {
            s.step()?;
        }
        p.send(s);
        if s.time_s() >= target {
            let ahead = (s.time_s() - target) / p.speed as f64;
            std::thread::sleep(Duration::from_secs_f64(ahead.clamp(0.001, 0.02)));
        }
    }
}

struct Pacer<'t> {
    tx: &'t SyncSender<Update>,
    speed: f32,
    paused: bool,
    /// Wall clock and simulated time when the current speed took effect.
    origin: (Instant, f64),
    /// For the reached speed: a wall clock and simulated time about a second ago.
    probe: (Instant, f64),
    achieved: f32,
    /// Spikes (and an odor field) of frames the viewer had no room for.
    unsent: Vec<(f32, u32)>,
    unsent_odor: Option<view::frame::Grid>,
    ended_said: bool,
}

impl Pacer<'_> {
    fn say(&self, s: String) {
        let _ = self.tx.try_send(Update::Status(s));
    }

    fn send(&mut self, s: &mut dyn Stepper) {
        let mut f = s.frame();
        if !self.unsent.is_empty() {
            let mut all = std::mem::take(&mut self.unsent);
            all.append(&mut f.spikes);
            f.spikes = all;
        }
        if f.odor.is_none() {
            f.odor = self.unsent_odor.take();
        }
        let (t0, s0) = self.probe;
        if t0.elapsed() >= Duration::from_secs(1) && !s.done() {
            self.achieved = ((s.time_s() - s0) / t0.elapsed().as_secs_f64()) as f32;
            self.probe = (Instant::now(), s.time_s());
        }
        f.paused = self.paused;
        f.speed = self.speed;
        f.achieved_speed = self.achieved;
        if let Err(TrySendError::Full(Update::Frame(mut f))) =
            self.tx.try_send(Update::Frame(Box::new(f)))
        {
            // The viewer is behind: keep the spikes and the odor for the next frame.
            self.unsent = std::mem::take(&mut f.spikes);
            self.unsent_odor = f.odor.take();
        }
    }
}

/// A live session as a [`Stepper`].
struct Live<'s, 'a> {
    session: &'s mut Session<'a>,
    rows: RasterRows,
    last_food: Option<Vec<[f32; 4]>>,
}

impl Stepper for Live<'_, '_> {
    fn time_s(&self) -> f64 {
        self.session.time_s()
    }

    fn done(&self) -> bool {
        self.session.done()
    }

    fn step(&mut self) -> Result<(), ViewError> {
        Ok(self.session.step()?)
    }

    fn frame(&mut self) -> Frame {
        let fresh = self.session.new_spikes().to_vec();
        let spikes = self.rows.place(&fresh);
        let mut f = snapshot::frame(self.session, spikes);
        let food: Vec<[f32; 4]> = f
            .food
            .iter()
            .map(|x| [x.position[0], x.position[1], x.radius, x.sugar])
            .collect();
        if self.last_food.as_ref() != Some(&food) {
            f.odor = Some(snapshot::odor_grid(self.session));
            self.last_food = Some(food);
        }
        f
    }

    fn command(&mut self, c: Command) -> String {
        let at_s = self.session.time_s();
        match c {
            Command::Loom(side) => {
                let (side, name) = match side {
                    view::frame::Side::Left => (Side::Left, "left"),
                    view::frame::Side::Right => (Side::Right, "right"),
                };
                self.session.apply(&EventSpec::Loom {
                    at_s,
                    side,
                    distance_m: loom_distance(),
                    speed_m_s: loom_speed(),
                    radius_m: loom_radius(),
                });
                format!("looming object from the {name} at {at_s:.2} s")
            }
            Command::Dust => {
                self.session.apply(&EventSpec::Dust { at_s, amount: 0.5 });
                format!("dust +0.5 at {at_s:.2} s")
            }
            Command::DropFood(xy) => {
                let half = self.session.agent().world.scene.arena.half_size;
                if xy[0].abs() > half || xy[1].abs() > half {
                    return format!(
                        "food not dropped: ({:.2}, {:.2}) m is outside the arena (half size {half} m)",
                        xy[0], xy[1]
                    );
                }
                self.session.apply(&EventSpec::AddFood {
                    at_s,
                    position: xy,
                    radius: food_radius(),
                    odor: 1.0,
                    sugar: 1.0,
                });
                format!("food at ({:.2}, {:.2}) m, {at_s:.2} s", xy[0], xy[1])
            }
            Command::Activate { selector, rate_hz } => {
                match self.session.activate(&selector, rate_hz) {
                    Ok(n) => format!("activating `{selector}` ({n} neurons) at {rate_hz} Hz"),
                    Err(e) => crate::error_chain(&e),
                }
            }
            Command::Silence { selector, on } => match self.session.silence(&selector, on) {
                Ok(n) => {
                    let verb = if on { "silenced" } else { "restored" };
                    format!("{verb} `{selector}` ({n} neurons)")
                }
                Err(e) => crate::error_chain(&e),
            },
            Command::TogglePause | Command::Step | Command::Speed(_) | Command::Quit => {
                String::new()
            }
        }
    }
}
