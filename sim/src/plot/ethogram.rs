//! The ethogram: one row per behaviour, a coloured band while the robot shows it, events
//! as dashed vertical lines with labels, and the body's speed below on the same time axis.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{Event, RunData};
use super::style::{
    self, DrawResult, INK, Mark, Provenance, Transform, behaviour_color, behaviour_order, size,
};
use super::{Figure, PlotError};

/// Bouts of behaviour from a timeline: (behaviour, start s, end s). A timeline row holds the
/// behaviour of the tick that ends at its time, and every switch has a row, so a bout
/// starts one control tick (`tick_s`) before the row where its behaviour first appears.
pub fn bouts(t: &[f64], behaviour: &[String], end_s: f64, tick_s: f64) -> Vec<(String, f64, f64)> {
    let mut out: Vec<(String, f64, f64)> = Vec::new();
    for (i, (&ti, b)) in t.iter().zip(behaviour).enumerate() {
        let start = if i == 0 { 0.0 } else { (ti - tick_s).max(0.0) };
        match out.last_mut() {
            Some(last) if &last.0 == b => {}
            Some(last) => {
                last.2 = start;
                out.push((b.clone(), start, end_s));
            }
            None => out.push((b.clone(), start, end_s)),
        }
    }
    out
}

/// Where the ethogram was drawn.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Time (s) -> pixel column; row coordinate -> pixel row (row k spans k..k+1, the
    /// first behaviour of `rows` at the top).
    pub transform: Transform,
    /// The behaviours, top row first.
    pub rows: Vec<String>,
}

impl Layout {
    /// Pixel row of the centre of a behaviour's band.
    pub fn row_center_px(&self, behaviour: &str) -> Option<i32> {
        let k = self.rows.iter().position(|r| r == behaviour)?;
        let n = self.rows.len();
        Some(self.transform.py((n - 1 - k) as f64 + 0.5))
    }
}

/// The ethogram of a run.
pub struct Ethogram<'a> {
    run: &'a RunData,
    bouts: Vec<(String, f64, f64)>,
    rows: Vec<String>,
    speed: Option<(Vec<f64>, Vec<f64>)>,
    events: Vec<Event>,
    end_s: f64,
}

impl<'a> Ethogram<'a> {
    /// Reads what it needs (`t_s`, `behaviour`, `speed_m_s`).
    pub fn new(run: &'a RunData) -> Result<Ethogram<'a>, PlotError> {
        let tl = run.timeline.rows()?;
        let t: Vec<f64> = tl.iter().map(|r| r.t_s).collect();
        let b: Vec<String> = tl.iter().map(|r| r.behaviour.clone()).collect();
        let end_s = run.duration_s()?;
        let tick_s = run
            .experiment
            .as_ref()
            .map_or(0.0, |e| e.run.control_ms * 1e-3);
        let bouts = bouts(&t, &b, end_s, tick_s);
        let rows = behaviour_order(b.iter().map(String::as_str));
        let speed = Some((t, tl.iter().map(|r| r.speed_m_s).collect()));
        Ok(Ethogram {
            run,
            bouts,
            rows,
            speed,
            events: run.events(),
            end_s,
        })
    }
}

impl Figure for Ethogram<'_> {
    type Layout = Layout;

    fn size(&self) -> (u32, u32) {
        (1600, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<Layout, PlotError> {
        let s = &self.run.summary;
        let body = run_frame(root, "Ethogram", self.run, &[])?;
        let (bw, bh) = body.dim_in_pixel();
        let legend_w = 330;
        let (main, _side) = body.split_horizontally(bw - legend_w);
        // Two rows of event labels above the bands.
        let main = main.margin(56, 0, 0, 0);
        let speed_h = if self.speed.is_some() { 250 } else { 0 };
        let (top, bottom) = main.split_vertically(bh - 56 - speed_h);
        let n = self.rows.len();
        let x = (0.0, self.end_s);
        let y_label_w = 150;
        let chart = style::chart(
            &top,
            x,
            (0.0, n as f64),
            if speed_h == 0 { Some("time (s)") } else { None },
            "",
            y_label_w,
            if speed_h == 0 { 60 } else { 0 },
            (10, 0),
        )?;
        let tr = Transform::of(&chart);
        // Row separators and names.
        for k in 0..=n {
            let y = tr.py(k as f64);
            root.draw(&PathElement::new(
                vec![(tr.px_x.0, y), (tr.px_x.1, y)],
                style::GRID.stroke_width(1),
            ))
            .dr()?;
        }
        for (k, name) in self.rows.iter().enumerate() {
            let yc = tr.py((n - 1 - k) as f64 + 0.5);
            root.draw_text(
                name,
                &style::text(size::AXIS, INK, HPos::Right, VPos::Center),
                (tr.px_x.0 - 14, yc),
            )
            .dr()?;
        }
        let area = chart.plotting_area();
        for (b, t0, t1) in &self.bouts {
            let Some(k) = self.rows.iter().position(|r| r == b) else {
                continue;
            };
            let row = (n - 1 - k) as f64;
            area.draw(&Rectangle::new(
                [(*t0, row + 0.14), (*t1, row + 0.86)],
                behaviour_color(b).filled(),
            ))
            .dr()?;
        }
        style::event_lines(root, &tr, &self.events)?;
        style::event_labels(root, &tr, &self.events, 2)?;

        if let Some((t, v)) = &self.speed {
            let vmax = v
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .fold(0.0, f64::max)
                .max(0.01)
                * 1.1;
            let mut sc = style::chart(
                &bottom,
                x,
                (0.0, vmax),
                Some("time (s)"),
                "speed (m/s)",
                y_label_w,
                60,
                (10, 4),
            )?;
            let pts: Vec<(f64, f64)> = t
                .iter()
                .zip(v)
                .filter(|p| p.1.is_finite())
                .map(|(a, b)| (*a, *b))
                .collect();
            sc.draw_series(LineSeries::new(pts, INK.stroke_width(2)))
                .dr()?;
            style::event_lines(root, &Transform::of(&sc), &self.events)?;
        }

        // Legend: time in each behaviour.
        let total: f64 = self.bouts.iter().map(|b| b.2 - b.1).sum::<f64>().max(1e-9);
        let entries: Vec<(Mark, String)> = self
            .rows
            .iter()
            .map(|b| {
                let secs = s.behaviour_time_s.get(b).copied().unwrap_or_else(|| {
                    self.bouts
                        .iter()
                        .filter(|x| &x.0 == b)
                        .map(|x| x.2 - x.1)
                        .sum::<f64>()
                        .max(0.0)
                });
                (
                    Mark::Band(behaviour_color(b)),
                    format!("{b}  {secs:.2} s ({:.0}%)", 100.0 * secs / total),
                )
            })
            .collect();
        let lx = tr.px_x.1 + 36;
        style::legend(root, (lx, tr.px_y.1), Some("time in behaviour"), &entries)?;
        Ok(Layout {
            transform: tr,
            rows: self.rows.clone(),
        })
    }
}

/// The run's name for titles: the experiment file's stem (and the run folder's name when
/// it is a sweep run).
fn run_name(run: &RunData) -> String {
    let exp = run
        .summary
        .experiment
        .as_deref()
        .map(|e| {
            std::path::Path::new(e)
                .file_stem()
                .map_or(e.to_owned(), |s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "run".into());
    let folder = run
        .dir
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    if run.dir.join(crate::sweep::PARAMS_JSON).exists() {
        format!("{exp} (sweep run {folder})")
    } else {
        exp
    }
}

/// The frame of a figure of one run: title `what · run name`, seed and duration, the
/// dataset's provenance, and the run's notes followed by `extra` notes not already among
/// them. Returns the area inside it.
pub fn run_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    what: &str,
    run: &RunData,
    extra: &[String],
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let mut notes = run.notes.clone();
    for n in extra {
        if !notes.contains(n) {
            notes.push(n.clone());
        }
    }
    style::frame(
        root,
        &format!("{what}  ·  {}", run_name(run)),
        &run_detail(run),
        &Provenance::of(&run.summary),
        &notes,
    )
}

/// Seed and duration, for the subtitle.
fn run_detail(run: &RunData) -> String {
    let mut parts = Vec::new();
    if let Some(seed) = run.summary.seed {
        parts.push(format!("seed {seed}"));
    }
    if let Some(d) = run.summary.duration_s {
        parts.push(format!("{} s", style::trim_num(d)));
    }
    parts.join(", ")
}
