//! `hexafly view`: an experiment in the 3D viewer (the `view` crate, cargo feature
//! `viewer`). The simulation runs on its own thread ([`live`]) exactly as `hexafly run`
//! would run it; the viewer only draws its frames ([`snapshot`]) and passes commands back.
//! Without a display it says so and still works: the experiment runs headless, its run
//! folder gets its plots, and the scene is rendered offscreen to a PNG.

mod error;
pub mod live;
pub mod replay;
pub mod snapshot;

use std::path::{Path, PathBuf};

pub use error::ViewError;

use crate::experiment::{Summary, prepare};

/// What to show and how.
#[derive(Debug, Clone)]
pub struct ViewRequest {
    /// The experiment file.
    pub experiment: PathBuf,
    /// Write the run folder here when the viewer closes (or the run ends).
    pub out: Option<PathBuf>,
    /// Render this many frames, save a PNG and exit.
    pub screenshot: Option<(PathBuf, u32)>,
    /// Simulated seconds per wall second at the start.
    pub speed: f32,
    /// Window size, pixels.
    pub size: (u32, u32),
    /// Cheaper drawing for software renderers.
    pub light: bool,
    /// Render offscreen even with a display.
    pub offscreen: bool,
    /// Play back this run folder instead of running the experiment.
    pub replay: Option<PathBuf>,
}

/// Loads the experiment and its network, then shows it; returns the summary of the run
/// folder when one was written.
pub fn view(req: &ViewRequest) -> Result<Option<Summary>, ViewError> {
    let (scene, channels, sim) = match &req.replay {
        Some(dir) => replay::spawn(dir, req.speed)?,
        None => {
            let exp = crate::experiment::Experiment::load(&req.experiment)?;
            let prepared = prepare(&exp)?;
            let title = format!(
                "hexafly - {} on {}",
                file_name(&req.experiment),
                file_name(&prepared.path)
            );
            live::spawn(
                exp,
                prepared,
                live::LiveParams {
                    speed: req.speed,
                    out: req.out.clone(),
                    title,
                },
            )?
        }
    };
    let shown = view::run(
        scene,
        channels,
        view::ViewOptions {
            size: req.size,
            screenshot: req.screenshot.clone(),
            offscreen: req.offscreen,
            light: req.light,
        },
    );
    // The viewer has closed and dropped its ends: the thread writes the run folder and ends.
    let summary = sim.join().map_err(|_| ViewError::Thread("panicked"))??;
    shown.map_err(ViewError::Window)?;
    Ok(summary)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .unwrap_or(p.as_os_str())
        .to_string_lossy()
        .into_owned()
}
