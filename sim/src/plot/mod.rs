//! Figures of a run folder or a sweep folder, as PNG and SVG (`hexafly plot DIR`), drawn
//! with plotters and an embedded font (no system fonts needed):
//!
//! - [`ethogram`]: behaviour over time as coloured bands, events marked, speed below;
//! - [`trajectory`]: the path over the arena, coloured by behaviour, with food, obstacles,
//!   start, end and looms at the robot's position;
//! - [`readouts`]: readout rates and the giant-fibre trigger over time, internal state;
//! - [`raster`]: recorded spikes, neurons grouped by the experiment's `reports.spikes`
//!   selections;
//! - [`sweep`]: per grid point, mean and 95% confidence interval of chosen figures;
//! - [`sweep_paths`]: every run's path over the arena, one panel per grid point (food scenes).
//!
//! Every figure's subtitle names the dataset, and says "SYNTHETIC wiring" in red when the
//! summary says so. Files are written atomically.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::record::write_atomic;
use style::DrawResult;

pub mod data;
pub mod error;
pub mod ethogram;
pub mod raster;
pub mod readouts;
pub mod style;
pub mod sweep;
pub mod sweep_paths;
pub mod trajectory;

pub use data::{RunData, RunTimeline, SweepData};
pub use error::PlotError;
pub use style::Transform;

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// PNG only.
    Png,
    /// SVG only.
    Svg,
    /// Both.
    #[default]
    Both,
}

impl Format {
    fn png(self) -> bool {
        matches!(self, Format::Png | Format::Both)
    }
    fn svg(self) -> bool {
        matches!(self, Format::Svg | Format::Both)
    }
}

/// What `plot` draws and where.
#[derive(Debug, Clone, Default)]
pub struct PlotParams {
    /// Output folder (default: `DIR/plots`).
    pub out: Option<PathBuf>,
    /// File formats.
    pub format: Format,
    /// Sweep figures to plot (`aggregate.csv` names; default: time in each behaviour).
    pub figures: Vec<String>,
}

/// A run folder or a sweep folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `hexafly run` output.
    Run,
    /// `hexafly sweep` output.
    Sweep,
}

/// What was drawn.
#[derive(Debug, Default)]
pub struct Report {
    /// Run or sweep (None if neither).
    pub kind: Option<Kind>,
    /// The output folder.
    pub out: PathBuf,
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Caveats (also drawn under the figures).
    pub notes: Vec<String>,
    /// Figures that could not be drawn: name and why.
    pub errors: Vec<(String, String)>,
    /// The trajectory figure's layout (data -> pixels), for checks.
    pub trajectory: Option<trajectory::Layout>,
    /// The ethogram figure's layout.
    pub ethogram: Option<ethogram::Layout>,
    /// The sweep figures' layouts, by figure file stem.
    pub sweep: Vec<(String, sweep::Layout)>,
}

/// Tells a run folder from a sweep folder: [`PlotError::NotAFolder`] or
/// [`PlotError::NotRunOrSweep`] when it is neither.
pub fn detect(dir: &Path) -> Result<Kind, PlotError> {
    if !dir.is_dir() {
        return Err(PlotError::NotAFolder {
            dir: dir.to_path_buf(),
        });
    }
    if dir.join(crate::sweep::SWEEP_JSON).exists() || dir.join(crate::sweep::AGGREGATE_CSV).exists()
    {
        return Ok(Kind::Sweep);
    }
    if dir.join("summary.json").exists() || dir.join("timeline.csv").exists() {
        return Ok(Kind::Run);
    }
    Err(PlotError::NotRunOrSweep {
        dir: dir.to_path_buf(),
    })
}

/// Draws every figure of the run or sweep folder `dir` into `opts.out` (default
/// `dir/plots`). A figure that cannot be drawn is listed in `errors`; the others are still
/// written. Fails only when the folder cannot be read at all: the errors of [`detect`], of
/// [`RunData::read`] or [`SweepData::read`], [`PlotError::FiguresOfARun`], an output folder
/// that cannot be made ([`PlotError::Io`]) or an unknown sweep figure
/// ([`PlotError::UnknownFigure`]).
pub fn plot(dir: &Path, opts: &PlotParams) -> Result<Report, PlotError> {
    style::init_fonts();
    let kind = detect(dir)?;
    // A run folder is read (and a killed or cut-short one refused) before anything is written.
    let run = match kind {
        Kind::Run => Some(RunData::read(dir)?),
        Kind::Sweep => None,
    };
    let out = opts.out.clone().unwrap_or_else(|| dir.join("plots"));
    std::fs::create_dir_all(&out).map_err(|source| PlotError::Io {
        action: "cannot create",
        path: out.clone(),
        source,
    })?;
    let mut report = Report {
        kind: Some(kind),
        out: out.clone(),
        ..Report::default()
    };
    match &run {
        Some(run) => {
            if !opts.figures.is_empty() {
                return Err(PlotError::FiguresOfARun {
                    dir: dir.to_path_buf(),
                });
            }
            plot_run(run, &out, opts.format, &mut report)
        }
        None => plot_sweep(dir, &out, opts, &mut report)?,
    }
    Ok(report)
}

fn plot_run(run: &RunData, out: &Path, format: Format, report: &mut Report) {
    report.notes.extend(run.notes.iter().cloned());
    let keep = |name: &str, r: Result<Vec<PathBuf>, PlotError>, report: &mut Report| match r {
        Ok(files) => report.files.extend(files),
        Err(e) => report
            .errors
            .push((name.to_owned(), crate::error_chain(&e))),
    };
    let r = ethogram::Ethogram::new(run).and_then(|f| {
        let (files, layout) = render(&f, out, "ethogram", format)?;
        report.ethogram = Some(layout);
        Ok(files)
    });
    keep("ethogram", r, report);
    let r = trajectory::Trajectory::new(run).and_then(|f| {
        report.notes.extend(f.notes.iter().cloned());
        let (files, layout) = render(&f, out, "trajectory", format)?;
        report.trajectory = Some(layout);
        Ok(files)
    });
    keep("trajectory", r, report);
    let r = readouts::Readouts::new(run).and_then(|f| Ok(render(&f, out, "readouts", format)?.0));
    keep("readouts", r, report);
    let r = raster::Raster::new(run).and_then(|f| {
        report.notes.extend(f.notes.iter().cloned());
        Ok(render(&f, out, "raster", format)?.0)
    });
    keep("raster", r, report);
    report.notes.dedup();
}

fn plot_sweep(
    dir: &Path,
    out: &Path,
    opts: &PlotParams,
    report: &mut Report,
) -> Result<(), PlotError> {
    let data = SweepData::read(dir)?;
    report.notes.extend(data.notes.iter().cloned());
    if opts.figures.is_empty() {
        let r = sweep_paths::SweepPaths::read(dir).and_then(|f| match f {
            Some(f) => {
                report.notes.extend(f.notes.iter().cloned());
                Ok(render(&f, out, "sweep_paths", opts.format)?.0)
            }
            None => Ok(Vec::new()),
        });
        match r {
            Ok(files) => report.files.extend(files),
            Err(e) => report
                .errors
                .push(("sweep_paths".into(), crate::error_chain(&e))),
        }
    }
    for fig in sweep::SweepFigure::chosen(&data, &opts.figures)? {
        let stem = format!("sweep_{}", fig.stem());
        match render(&fig, out, &stem, opts.format) {
            Ok((files, layout)) => {
                report.files.extend(files);
                report.sweep.push((stem, layout));
            }
            Err(e) => report.errors.push((stem, crate::error_chain(&e))),
        }
    }
    Ok(())
}

/// A figure that can be drawn on any plotters backend.
pub trait Figure {
    /// What the drawing reports back (its data -> pixel transforms).
    type Layout;
    /// Size in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the whole figure on `root`.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Self::Layout, PlotError>;
}

/// Draws `fig` into `out/stem.png` and/or `out/stem.svg`, each written atomically; returns
/// the files and the layout. Errors: the figure's own, [`PlotError::Png`] or
/// [`PlotError::Io`] naming the file, and the atomic write's ([`PlotError::Record`]).
pub fn render<F: Figure>(
    fig: &F,
    out: &Path,
    stem: &str,
    format: Format,
) -> Result<(Vec<PathBuf>, F::Layout), PlotError> {
    style::init_fonts();
    let (w, h) = fig.size();
    let mut files = Vec::new();
    let mut layout = None;
    if format.png() {
        let mut buf = vec![0u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            layout = Some(fig.draw(&root)?);
            root.present().dr()?;
        }
        let path = out.join(format!("{stem}.png"));
        write_atomic(&path, |wr| {
            let encode = || {
                let mut enc = png::Encoder::new(wr, w, h);
                enc.set_color(png::ColorType::Rgb);
                enc.set_depth(png::BitDepth::Eight);
                enc.set_compression(png::Compression::High);
                let mut writer = enc.write_header()?;
                writer.write_image_data(&buf)?;
                writer.finish()
            };
            encode().map_err(|source| PlotError::Png {
                path: path.clone(),
                source,
            })
        })?;
        files.push(path);
    }
    if format.svg() {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            let l = fig.draw(&root)?;
            layout.get_or_insert(l);
            root.present().dr()?;
        }
        let path = out.join(format!("{stem}.svg"));
        write_atomic(&path, |wr| {
            use std::io::Write;
            wr.write_all(svg.as_bytes())
                .map_err(|source| PlotError::Io {
                    action: "writing",
                    path: path.clone(),
                    source,
                })
        })?;
        files.push(path);
    }
    Ok((files, layout.expect("png or svg")))
}
