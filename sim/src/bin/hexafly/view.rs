//! `hexafly view [EXPERIMENT.toml]`: the experiment in the 3D viewer (what `cargo run
//! --release` starts). Without a display it says so in one line and still does useful
//! work: the experiment runs headless, its run folder gets its plots, and a frame is
//! rendered offscreen. The work is in `sim::viewer` and the `view` crate.

use std::path::PathBuf;

use anyhow::Context;

use super::run::default_experiment;

/// Arguments of `hexafly view`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The experiment file (default: assets/experiments/default_whole_brain.toml when the
    /// FlyWire v783 whole brain is in the data directory, else default.toml on the small
    /// circuit shipped in assets/).
    pub experiment: Option<PathBuf>,
    /// Write the run folder here when the window closes (without a display: the folder of
    /// the headless run, default `<data dir>/runs/view-<unix time>`, printed).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Render --frames frames, save the last as this PNG and exit.
    #[arg(long, value_name = "FILE")]
    pub screenshot: Option<PathBuf>,
    /// Frames to render before the screenshot.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub frames: u32,
    /// Simulated seconds per wall second at the start (+/- change it).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f32,
    /// Window size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x720", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Cheaper drawing for software renderers (no shadows, no dust motes, a minimal ground
    /// shader).
    #[arg(long)]
    pub light: bool,
    /// Play back a recorded run folder (`hexafly run --out`) instead of running.
    #[arg(long, value_name = "RUN_DIR", conflicts_with = "experiment")]
    pub replay: Option<PathBuf>,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            experiment: None,
            out: None,
            screenshot: None,
            frames: 60,
            speed: 1.0,
            size: (1280, 720),
            light: false,
            replay: None,
        }
    }
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("expected WIDTHxHEIGHT in pixels such as 1280x720, got `{s}`");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h) = (
        w.parse::<u32>().map_err(|_| bad())?,
        h.parse::<u32>().map_err(|_| bad())?,
    );
    if !(64..=8192).contains(&w) || !(64..=8192).contains(&h) {
        return Err(format!(
            "window size must be 64..8192 pixels per side, got {w}x{h}"
        ));
    }
    Ok((w, h))
}

/// Runs `hexafly view`.
pub fn run(args: Args) -> anyhow::Result<()> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        anyhow::bail!("--speed must be a number > 0, got {}", args.speed);
    }
    let experiment = match args.experiment.clone() {
        Some(p) => p,
        None if args.replay.is_some() => default_experiment(),
        None => {
            let d = sim::experiment::defaults::best(&Default::default());
            eprintln!("hexafly: {}", d.says);
            d.path
        }
    };
    if !display_available() {
        if args.replay.is_some() && args.screenshot.is_none() {
            anyhow::bail!(
                "no display (DISPLAY and WAYLAND_DISPLAY unset): a replay needs a window, or \
                 --screenshot FILE to render it offscreen"
            );
        }
        if args.replay.is_some() {
            return offscreen_replay(&args, experiment);
        }
        return headless(
            &args,
            experiment,
            "no display (DISPLAY and WAYLAND_DISPLAY unset)",
        );
    }
    windowed(&args, experiment)
}

#[cfg(feature = "viewer")]
fn windowed(args: &Args, experiment: PathBuf) -> anyhow::Result<()> {
    let summary = sim::viewer::view(&request(args, experiment, false))?;
    if let (Some(s), Some(out)) = (summary, &args.out) {
        println!(
            "run folder: {} ({:.2} s simulated, {:.1}x real time)",
            out.display(),
            s.duration_s,
            s.real_time_factor
        );
    }
    if let Some(shot) = &args.screenshot {
        println!("screenshot: {}", shot.display());
    }
    Ok(())
}

#[cfg(not(feature = "viewer"))]
fn windowed(args: &Args, experiment: PathBuf) -> anyhow::Result<()> {
    if args.replay.is_some() {
        anyhow::bail!("a replay needs the viewer (cargo feature `viewer`)");
    }
    headless(
        args,
        experiment,
        "this hexafly was built without the viewer (cargo feature `viewer`)",
    )
}

#[cfg(feature = "viewer")]
fn request(args: &Args, experiment: PathBuf, offscreen: bool) -> sim::viewer::ViewRequest {
    sim::viewer::ViewRequest {
        experiment,
        out: args.out.clone(),
        screenshot: args.screenshot.clone().map(|p| (p, args.frames)),
        speed: args.speed,
        size: args.size,
        light: args.light,
        offscreen,
        replay: args.replay.clone(),
    }
}

/// No window (`why` says why, in one line): the run folder with its plots, and (with the
/// viewer built) a frame rendered offscreen into it.
fn headless(args: &Args, experiment: PathBuf, why: &str) -> anyhow::Result<()> {
    let out = match args.out.clone() {
        Some(o) => o,
        None => default_out()?,
    };
    eprintln!(
        "hexafly: {why}: running {} headless into {}",
        experiment.display(),
        out.display()
    );
    super::run::run(super::run::Args {
        experiment: Some(experiment.clone()),
        out: out.clone(),
        json: false,
        threads: None,
    })?;
    super::plot::run(super::plot::Args {
        dir: out.clone(),
        out: None,
        format: sim::plot::Format::Png,
        figures: Vec::new(),
    })
    .context("plotting the run folder")?;
    offscreen(args, experiment, &out);
    Ok(())
}

/// Where a headless `view` writes when no `--out` is given: a fresh folder under the data
/// directory, never the current directory (which may be a source tree).
fn default_out() -> anyhow::Result<PathBuf> {
    let runs = connectome::datasets::data_dir(None)?.join("runs");
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(runs.join(format!("view-{secs}")))
}

#[cfg(feature = "viewer")]
fn offscreen(args: &Args, experiment: PathBuf, out: &std::path::Path) {
    if let Some(why) = no_vulkan_driver() {
        eprintln!("note: no offscreen frame ({why}); the run folder and plots are written");
        return;
    }
    private_runtime_dir();
    let shot = args
        .screenshot
        .clone()
        .unwrap_or_else(|| out.join("view.png"));
    let mut req = request(args, experiment, true);
    req.out = None;
    req.screenshot = Some((shot.clone(), args.frames));
    // A renderer that finds no usable adapter panics inside Bevy; that costs the frame, not
    // the run folder already written.
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sim::viewer::view(&req)));
    std::panic::set_hook(quiet);
    match result {
        Ok(Ok(_)) => println!("offscreen frame: {}", shot.display()),
        Ok(Err(e)) => {
            eprintln!("note: no offscreen frame ({e:#}); the run folder and plots are written")
        }
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("the renderer stopped");
            eprintln!("note: no offscreen frame ({why}); the run folder and plots are written")
        }
    }
}

/// Why no Vulkan driver can be there, or `None` when one may be. As the Vulkan loader
/// does: when VK_ICD_FILENAMES or VK_DRIVER_FILES is set, only the manifests it names count;
/// else (Linux) those in the loader's folders.
#[cfg(feature = "viewer")]
fn no_vulkan_driver() -> Option<String> {
    let named: Vec<std::ffi::OsString> = ["VK_DRIVER_FILES", "VK_ICD_FILENAMES"]
        .iter()
        .filter_map(std::env::var_os)
        .filter(|v| !v.is_empty())
        .collect();
    if let Some(v) = named.first() {
        return (!std::env::split_paths(v).any(|p| p.exists())).then(|| {
            format!(
                "no Vulkan driver: none of the manifests named by VK_ICD_FILENAMES / \
                 VK_DRIVER_FILES exists ({})",
                v.to_string_lossy()
            )
        });
    }
    if !cfg!(target_os = "linux") {
        return None;
    }
    let listed = [
        "/usr/share/vulkan/icd.d",
        "/usr/local/share/vulkan/icd.d",
        "/etc/vulkan/icd.d",
    ]
    .iter()
    .any(|d| std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_some()));
    (!listed).then(|| {
        "no Vulkan driver installed (on Debian: apt-get install mesa-vulkan-drivers)".to_owned()
    })
}

/// Gives the renderer a private XDG_RUNTIME_DIR when none is usable (a server or CI job),
/// instead of letting it print errors about the missing one.
#[cfg(feature = "viewer")]
fn private_runtime_dir() {
    use std::os::unix::fs::PermissionsExt;
    let usable = std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| {
        std::fs::metadata(&d).is_ok_and(|m| m.is_dir() && m.permissions().mode() & 0o077 == 0)
    });
    if usable {
        return;
    }
    let dir = std::env::temp_dir().join(format!("hexafly-runtime-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_ok()
        && std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).is_ok()
    {
        // SAFETY: set before the renderer starts its threads; no thread of ours reads the
        // environment concurrently (the headless run has finished).
        unsafe { std::env::set_var("XDG_RUNTIME_DIR", &dir) };
    }
}

#[cfg(feature = "viewer")]
fn offscreen_replay(args: &Args, experiment: PathBuf) -> anyhow::Result<()> {
    sim::viewer::view(&request(args, experiment, true))?;
    Ok(())
}

#[cfg(not(feature = "viewer"))]
fn offscreen_replay(_: &Args, _: PathBuf) -> anyhow::Result<()> {
    anyhow::bail!("a replay needs the viewer (cargo feature `viewer`)")
}

#[cfg(not(feature = "viewer"))]
fn offscreen(_: &Args, _: PathBuf, _: &std::path::Path) {
    eprintln!("note: built without the viewer, so no offscreen frame");
}

/// Whether a window can be opened here (an X11 or Wayland display is set).
fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}
