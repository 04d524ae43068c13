//! Assembles the viewer: Bevy's plugins (a window, or none when rendering offscreen), then
//! one plugin per feature of ours, fed by the frames the simulation sends.

use std::path::PathBuf;
use std::sync::Mutex;

use bevy::app::ScheduleRunnerPlugin;
// The host program owns the global tracing subscriber; Bevy logs through it.
use bevy::log::LogPlugin;
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;

use crate::frame::{Channels, Command, Frame, SceneInfo, Update};

/// How to show it.
#[derive(Debug, Clone)]
pub struct ViewOptions {
    /// Window (or offscreen image) size in pixels.
    pub size: (u32, u32),
    /// Render this many frames, save the last as a PNG here and exit.
    pub screenshot: Option<(PathBuf, u32)>,
    /// No window: render into an image (for machines without a display). Needs `screenshot`.
    pub offscreen: bool,
    /// Cheaper drawing for software renderers: no shadows, no multisampling, no dust
    /// particles, the ground drawn by a minimal shader (`ground.rs`).
    pub light: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            size: (1280, 720),
            screenshot: None,
            offscreen: false,
            light: false,
        }
    }
}

/// The scene description, fixed for the run.
#[derive(Resource)]
pub(crate) struct Scene(pub SceneInfo);

/// The newest frame, plus what happened since the last rendered one.
#[derive(Resource, Default)]
pub(crate) struct Latest {
    pub frame: Frame,
    /// Whether a frame has arrived at all.
    pub any: bool,
    /// Spikes that arrived since the raster last drew.
    pub spikes: Vec<(f32, u32)>,
    /// An odor field that arrived since the floor was last coloured.
    pub odor: Option<crate::frame::Grid>,
    /// The last status message and whether the run has ended.
    pub status: String,
    pub ended: bool,
}

/// The ends of the channels to the simulation (mutexes: Bevy resources must be `Sync`).
#[derive(Resource)]
pub(crate) struct Sim {
    updates: Mutex<std::sync::mpsc::Receiver<Update>>,
    commands: Mutex<std::sync::mpsc::Sender<Command>>,
}

impl Sim {
    /// Sends a command; a simulation that has ended ignores it.
    pub fn send(&self, c: Command) {
        if let Ok(tx) = self.commands.lock() {
            let _ = tx.send(c);
        }
    }
}

#[derive(Resource)]
pub(crate) struct Options(pub ViewOptions);

/// Opens the viewer and returns when it is closed (or the screenshot is saved).
pub fn run(scene: SceneInfo, channels: Channels, options: ViewOptions) -> Result<(), String> {
    if options.offscreen && options.screenshot.is_none() {
        return Err("offscreen rendering needs a screenshot file and a frame count".into());
    }
    let mut app = App::new();
    let title = scene.title.clone();
    let (w, h) = options.size;
    // A screenshot must show the scene, not the frames before its pipelines are compiled.
    let render = RenderPlugin {
        synchronous_pipeline_compilation: options.screenshot.is_some(),
        ..default()
    };
    if options.offscreen {
        app.add_plugins(
            DefaultPlugins
                .set(WindowPlugin {
                    primary_window: None,
                    exit_condition: ExitCondition::DontExit,
                    ..default()
                })
                .set(render)
                .disable::<WinitPlugin>()
                .disable::<LogPlugin>(),
        )
        .add_plugins(ScheduleRunnerPlugin::run_loop(
            std::time::Duration::from_secs_f64(1.0 / 60.0),
        ));
    } else {
        app.add_plugins(
            DefaultPlugins
                .set(WindowPlugin {
                    primary_window: Some(Window {
                        title,
                        resolution: (w, h).into(),
                        ..default()
                    }),
                    ..default()
                })
                .set(render)
                .disable::<LogPlugin>(),
        );
    }
    app.insert_resource(Scene(scene))
        .insert_resource(Latest::default())
        .insert_resource(Sim {
            updates: Mutex::new(channels.updates),
            commands: Mutex::new(channels.commands),
        })
        .insert_resource(Options(options))
        .insert_resource(ClearColor(Color::srgb(0.62, 0.72, 0.82)))
        .add_systems(PreUpdate, receive)
        .add_plugins((
            crate::world3d::WorldPlugin,
            crate::robot::RobotPlugin,
            crate::camera::CameraPlugin,
            crate::hud::HudPlugin,
            crate::raster::RasterPlugin,
            crate::controls::ControlsPlugin,
            crate::capture::CapturePlugin,
        ));
    match app.run() {
        AppExit::Success => Ok(()),
        AppExit::Error(code) => Err(format!("the viewer exited with code {code}")),
    }
}

/// Takes every update the simulation sent since the last frame.
fn receive(sim: Res<Sim>, mut latest: ResMut<Latest>) {
    let Ok(rx) = sim.updates.lock() else {
        return;
    };
    while let Ok(u) = rx.try_recv() {
        match u {
            Update::Frame(f) => {
                let mut f = *f;
                latest.spikes.append(&mut f.spikes);
                if let Some(g) = f.odor.take() {
                    latest.odor = Some(g);
                }
                latest.frame = f;
                latest.any = true;
            }
            Update::Status(s) => latest.status = s,
            Update::Ended(s) => {
                latest.status = s;
                latest.ended = true;
            }
        }
    }
}

/// Simulation coordinates (z up) to Bevy's (y up): (x, y, z) -> (x, z, -y).
pub(crate) fn to_bevy(p: [f32; 3]) -> Vec3 {
    Vec3::new(p[0], p[2], -p[1])
}

/// A simulation pose as a Bevy transform.
pub(crate) fn pose_to_transform(p: &crate::frame::Pose) -> Transform {
    let q = Quat::from_xyzw(p.rotation[0], p.rotation[1], p.rotation[2], p.rotation[3]);
    Transform {
        translation: to_bevy(p.translation),
        rotation: z_up_to_y_up() * q,
        scale: Vec3::ONE,
    }
}

/// The rotation taking simulation axes to Bevy axes (-90 degrees about x).
pub(crate) fn z_up_to_y_up() -> Quat {
    Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2)
}

/// Bevy coordinates back to the simulation's: (x, y, z) -> (x, -z, y).
pub(crate) fn to_sim(p: Vec3) -> [f32; 3] {
    [p.x, -p.z, p.y]
}
