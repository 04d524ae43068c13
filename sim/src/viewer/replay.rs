//! `hexafly view --replay RUN_DIR`: a recorded run folder played back at any speed. The
//! timeline gives the thorax pose, behaviour, reason, drives, internal state and readouts
//! of each recorded row; `spikes.parquet` the raster; the experiment file (named in
//! `summary.json`) the scene, the body and its events. Joint angles are not recorded, so
//! the robot is drawn rigid in its standing pose at the recorded thorax pose (said on
//! screen); the body's motion, choices and brain activity are the recording's.

use std::collections::HashMap;
use std::path::Path;

use connectome::NeuronIndex;
use nalgebra::{Isometry3, Quaternion, Translation3, UnitQuaternion, Vector3};
use view::frame::{self, Command, Frame};

use super::ViewError;
use super::live::{Started, Stepper, channels, pace};
use super::snapshot::{self, RasterRows};
use crate::experiment::Session;
use crate::experiment::file::EventSpec;
use crate::experiment::prepare;
use crate::plot::data::{RunData, read_spikes};
use crate::record::timeline::TimelineRow;

/// Starts the playback thread; the same ends as a live session.
pub fn spawn(run_dir: &Path, speed: f32) -> Result<Started, ViewError> {
    let data = RunData::read(run_dir)?;
    let exp = data
        .experiment
        .clone()
        .ok_or_else(|| ViewError::CannotReplay {
            dir: run_dir.to_path_buf(),
            notes: data.notes.join("; "),
        })?;
    let prepared = prepare(&exp)?;
    let session = Session::new(&exp, &prepared)?;
    let title = format!("hexafly - replay of {}", run_dir.display());
    let (mut scene, rows) = snapshot::scene_info(&session, &title)?;
    scene.duration_s = data.duration_s()?;
    scene.wiring_note = format!("{} (replayed)", data.summary.wiring_note);
    let start = snapshot::frame(&session, Vec::new());
    let thorax0 = iso(&start.parts[0]);
    let rest: Vec<Isometry3<f32>> = start
        .parts
        .iter()
        .map(|p| thorax0.inverse() * iso(p))
        .collect();
    let index: HashMap<u64, NeuronIndex> = prepared
        .connectome
        .neurons
        .ids()
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i as NeuronIndex))
        .collect();
    let recorded = read_spikes(&run_dir.join("spikes.parquet"))?;
    let mut spikes: Vec<(f32, NeuronIndex)> = recorded
        .neuron
        .iter()
        .zip(&recorded.t_ms)
        .filter_map(|(id, t)| index.get(id).map(|&n| ((t * 1e-3) as f32, n)))
        .collect();
    spikes.sort_by(|a, b| a.0.total_cmp(&b.0));
    // The run format's rows: typed fields, so a renamed column is an error, not a blank.
    let rows_data: Vec<TimelineRow> = data.timeline.rows()?.to_vec();
    let start_food = session.agent().world.scene.food.clone();
    let odor_spec = (
        session.agent().world.scene.odor.clone(),
        session.agent().world.scene.wind,
        session.agent().world.scene.arena.half_size,
    );
    drop(session);
    let (channels, update_tx, command_rx) = channels();
    let events = exp.events.clone();
    let thread = std::thread::Builder::new()
        .name("hexafly-replay".into())
        .spawn(move || {
            let mut r = Replay {
                rows: rows_data,
                at: 0,
                rest,
                spikes,
                next_spike: 0,
                raster: rows,
                events,
                start_food,
                odor_spec,
                last_food: None,
            };
            pace(&mut r, &update_tx, &command_rx, speed)?;
            Ok(None)
        })?;
    Ok((scene, channels, thread))
}

fn iso(p: &frame::Pose) -> Isometry3<f32> {
    let [x, y, z, w] = p.rotation;
    Isometry3::from_parts(
        Translation3::from(Vector3::from(p.translation)),
        UnitQuaternion::from_quaternion(Quaternion::new(w, x, y, z)),
    )
}

fn pose(i: &Isometry3<f32>) -> frame::Pose {
    let q = i.rotation.quaternion();
    frame::Pose {
        translation: i.translation.vector.into(),
        rotation: [q.i, q.j, q.k, q.w],
    }
}

/// Recorded columns, one entry per timeline row.
struct Replay {
    rows: Vec<TimelineRow>,
    /// Current row.
    at: usize,
    /// Each collider relative to the thorax, standing.
    rest: Vec<Isometry3<f32>>,
    spikes: Vec<(f32, NeuronIndex)>,
    next_spike: usize,
    raster: RasterRows,
    events: Vec<EventSpec>,
    start_food: Vec<crate::world::Food>,
    odor_spec: (crate::world::OdorSpec, [f32; 2], f32),
    last_food: Option<usize>,
}

impl Replay {
    fn thorax_at(&self, row: usize) -> Isometry3<f32> {
        let r = &self.rows[row];
        Isometry3::new(
            Vector3::new(r.x_m, r.y_m, r.z_m).cast(),
            Vector3::z() * r.yaw_rad as f32,
        )
    }

    /// The row at or just before `t` (the first one before any).
    fn row_at(&self, t: f64) -> usize {
        self.rows.partition_point(|r| r.t_s <= t).saturating_sub(1)
    }

    fn food_at(&self, t: f64) -> Vec<crate::world::Food> {
        let mut food = self.start_food.clone();
        for ev in self.events.iter().filter(|e| e.at_s() <= t) {
            match *ev {
                EventSpec::AddFood {
                    position,
                    radius,
                    odor,
                    sugar,
                    ..
                } => food.push(crate::world::Food {
                    position,
                    radius,
                    odor,
                    sugar,
                }),
                EventSpec::RemoveFood { index, .. } if index < food.len() => {
                    food.remove(index);
                }
                _ => {}
            }
        }
        food
    }

    /// Looming objects in flight at `t`, started beside the recorded pose at their event.
    fn threats_at(&self, t: f64) -> Vec<([f32; 3], f32)> {
        let mut out = Vec::new();
        for ev in &self.events {
            if let EventSpec::Loom {
                at_s,
                side,
                distance_m,
                speed_m_s,
                radius_m,
            } = *ev
            {
                let flight = ((distance_m - radius_m) / speed_m_s) as f64;
                if t < at_s || t > at_s + flight {
                    continue;
                }
                let r = &self.rows[self.row_at(at_s)];
                let yaw = r.yaw_rad as f32 + side.sign() * std::f32::consts::FRAC_PI_2;
                let (s, c) = yaw.sin_cos();
                let gone = (t - at_s) as f32 * speed_m_s;
                let p = [
                    r.x_m as f32 + (distance_m - gone) * c,
                    r.y_m as f32 + (distance_m - gone) * s,
                    r.z_m as f32,
                ];
                out.push((p, radius_m));
            }
        }
        out
    }
}

impl Stepper for Replay {
    fn time_s(&self) -> f64 {
        self.rows.get(self.at).map_or(0.0, |r| r.t_s)
    }

    fn done(&self) -> bool {
        self.at + 1 >= self.rows.len()
    }

    fn step(&mut self) -> Result<(), ViewError> {
        if !self.done() {
            self.at += 1;
        }
        Ok(())
    }

    fn frame(&mut self) -> Frame {
        let (row, t) = (self.at, self.time_s());
        let thorax = self.thorax_at(row);
        let upto = self.spikes.partition_point(|s| s.0 as f64 <= t + 1e-9);
        let mut placed = Vec::new();
        for &(ts, n) in &self.spikes[self.next_spike.min(upto)..upto] {
            placed.extend(self.raster.rows_of(n).iter().map(|&r| (ts, r)));
        }
        self.next_spike = upto;
        let food = self.food_at(t);
        let odor = (self.last_food != Some(food.len())).then(|| {
            let (spec, wind, half) = &self.odor_spec;
            snapshot::grid(*half, |x, y| {
                crate::world::odor::total(spec, *wind, &food, [x, y, 0.0])
            })
        });
        self.last_food = Some(food.len());
        let r = &self.rows[row];
        let f = |x: f64| x as f32;
        Frame {
            t_s: t,
            parts: self.rest.iter().map(|p| pose(&(thorax * p))).collect(),
            threats: self.threats_at(t),
            food: food
                .iter()
                .map(|f| frame::Food {
                    position: f.position,
                    radius: f.radius,
                    sugar: f.sugar,
                })
                .collect(),
            odor,
            behaviour: r.behaviour.clone(),
            reason: format!("{} - replay: joints not recorded", r.reason),
            drives: [
                r.drive_forward,
                r.drive_backward,
                r.drive_turn,
                r.drive_groom,
                r.drive_feed,
                f64::from(r.escape_spikes),
            ]
            .into_iter()
            .map(f)
            .collect(),
            internal: [f(r.hunger), f(r.dust), f(r.arousal)],
            readouts: r.readouts.iter().copied().map(f).collect(),
            spikes: placed,
            proboscis: None,
            ..Frame::default()
        }
    }

    fn command(&mut self, _: Command) -> String {
        "a replay shows a recorded run: stimuli and silencing need a live run".into()
    }
}
