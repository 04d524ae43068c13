//! `--screenshot FILE --frames N`: render N frames, save the last one as a PNG and exit,
//! from the window or, without a display, from the offscreen image the camera draws into.

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};

use crate::app::Options;

pub(crate) struct CapturePlugin;

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(Rendered(0, None))
            .add_systems(Last, count);
    }
}

/// The image an offscreen camera renders into.
#[derive(Resource)]
pub(crate) struct OffscreenTarget(pub Handle<Image>);

/// Frames rendered, and the wall clock at the first frame counted for the frame rate.
#[derive(Resource)]
struct Rendered(u32, Option<std::time::Instant>);

/// Frames left out of the frame rate: the first ones compile shaders and pipelines.
const WARM_UP: u32 = 10;

fn count(
    mut commands: Commands,
    mut rendered: ResMut<Rendered>,
    options: Res<Options>,
    latest: Res<crate::app::Latest>,
    target: Option<Res<OffscreenTarget>>,
) {
    let Some((path, frames)) = options.0.screenshot.clone() else {
        return;
    };
    rendered.0 += 1;
    if rendered.0 == WARM_UP {
        rendered.1 = Some(std::time::Instant::now());
    }
    if rendered.0 != frames.max(1) {
        return;
    }
    if let Some(t0) = rendered.1 {
        let n = frames - WARM_UP;
        let s = t0.elapsed().as_secs_f64();
        // One line for benchmarks (BENCHMARKS.md, viewer frame rate).
        eprintln!(
            "viewer: {n} frames after warm-up in {s:.2} s = {:.1} fps; simulation at {:.2}x real time (t = {:.2} s)",
            n as f64 / s.max(1e-9),
            latest.frame.achieved_speed,
            latest.frame.t_s
        );
    }
    let shot = match target {
        Some(t) => Screenshot::image(t.0.clone()),
        None => Screenshot::primary_window(),
    };
    commands.spawn(shot).observe(save_to_disk(path)).observe(
        |_: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
            exit.write(AppExit::Success);
        },
    );
}
