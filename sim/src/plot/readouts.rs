//! Readouts over time: the behaviour as a strip on top, the rate readouts (filtered,
//! baseline-subtracted rates of descending-neuron groups, Hz; turn = left minus right), the
//! escape trigger's giant-fibre spikes per control tick, and the internal state (hunger,
//! dust, arousal), all on one time axis with the events marked.

use std::path::Path;

use controller::circuit::map::{CircuitMap, Command};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{Event, RunData};
use super::ethogram::{bouts, run_frame};
use super::style::{
    self, DrawResult, INK, Mark, Transform, behaviour_color, behaviour_order, series_color, size,
};
use super::{Figure, PlotError};
use crate::record::timeline::TimelineRow;

/// One readout column.
struct Series {
    label: String,
    color: RGBColor,
    trigger: bool,
    values: Vec<f64>,
}

/// The readouts figure of a run.
pub struct Readouts<'a> {
    run: &'a RunData,
    t: Vec<f64>,
    series: Vec<Series>,
    state: Vec<(String, Vec<f64>)>,
    bouts: Vec<(String, f64, f64)>,
    events: Vec<Event>,
    end_s: f64,
    notes: Vec<String>,
}

/// A numeric field of a timeline row.
type Field = fn(&TimelineRow) -> f64;

const STATE: [(&str, RGBColor); 3] = [
    ("hunger", RGBColor(0, 158, 115)),
    ("dust", RGBColor(230, 159, 0)),
    ("arousal", RGBColor(204, 121, 167)),
];

impl<'a> Readouts<'a> {
    /// Reads `t_s`, every `readout_*` column (at least one), `hunger`/`dust`/`arousal` when
    /// present, and the circuit map named by the summary to tell rate readouts from the
    /// escape trigger.
    pub fn new(run: &'a RunData) -> Result<Readouts<'a>, PlotError> {
        let tl = &run.timeline;
        let rows = tl.rows()?;
        let t: Vec<f64> = rows.iter().map(|r| r.t_s).collect();
        let names: Vec<String> = tl.readout_names().into_iter().map(str::to_owned).collect();
        if names.is_empty() {
            return Err(PlotError::NoReadouts {
                path: tl.path.clone(),
                columns: tl.header.clone(),
            });
        }
        let mut notes = run.notes.clone();
        let commands: Option<Vec<(String, Command)>> =
            run.summary
                .circuit
                .as_deref()
                .and_then(|c| match CircuitMap::load(Path::new(c)) {
                    Ok(m) => Some(
                        m.readouts
                            .iter()
                            .map(|r| (r.name.clone(), r.command))
                            .collect(),
                    ),
                    Err(e) => {
                        notes.push(format!(
                            "circuit map not read ({e}): readouts named `escape*` taken as triggers"
                        ));
                        None
                    }
                });
        let mut series: Vec<Series> = Vec::new();
        let mut used: Vec<Option<Command>> = Vec::new();
        for (k, name) in names.into_iter().enumerate() {
            let command = commands
                .as_ref()
                .and_then(|c| c.iter().find(|x| x.0 == name).map(|x| x.1));
            let trigger = match command {
                Some(c) => c == Command::Escape,
                None => name.starts_with("escape"),
            };
            let link = run
                .summary
                .readout_links
                .get(&name)
                .map(|l| format!(", {l}"))
                .unwrap_or_default();
            let what = match command {
                Some(Command::Turn) => " (left − right)".to_owned(),
                Some(c) if c.as_str() != name => format!(" → {}", c.as_str()),
                _ => String::new(),
            };
            let nth = used.iter().filter(|c| **c == command).count();
            used.push(command);
            series.push(Series {
                label: format!("{name}{what}{link}"),
                color: command_color(command, nth, k),
                values: rows
                    .iter()
                    .map(|r| r.readout(&tl.header, &name).unwrap_or(f64::NAN))
                    .collect(),
                trigger,
            });
        }
        let state_of: [(&str, Field); 3] = [
            ("hunger", |r| r.hunger),
            ("dust", |r| r.dust),
            ("arousal", |r| r.arousal),
        ];
        let state = state_of
            .iter()
            .map(|(k, f)| (k.to_string(), rows.iter().map(f).collect()))
            .collect();
        let end_s = run.duration_s()?;
        let tick_s = run
            .experiment
            .as_ref()
            .map_or(0.0, |e| e.run.control_ms * 1e-3);
        let behaviour: Vec<String> = rows.iter().map(|r| r.behaviour.clone()).collect();
        let bouts = bouts(&t, &behaviour, end_s, tick_s);
        Ok(Readouts {
            run,
            t,
            series,
            state,
            bouts,
            events: run.events(),
            end_s,
            notes,
        })
    }
}

const Y_LABEL_W: u32 = 110;
const LEGEND_W: u32 = 420;
/// Event label rows above the first panel.
const LABELS_H: u32 = 56;
/// A panel's title line above it.
const TITLE_H: u32 = 34;
const X_AXIS_H: u32 = 64;

/// The panels, top to bottom, with their heights (title and x axis included).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Panel {
    Strip,
    Rates,
    Trigger,
    State,
}

impl Readouts<'_> {
    fn panels(&self) -> Vec<(Panel, u32)> {
        let mut out = Vec::new();
        if !self.bouts.is_empty() {
            out.push((Panel::Strip, 44));
        }
        if self.series.iter().any(|s| !s.trigger) {
            out.push((Panel::Rates, TITLE_H + 400));
        }
        if self.series.iter().any(|s| s.trigger) {
            out.push((Panel::Trigger, TITLE_H + 170));
        }
        if !self.state.is_empty() {
            out.push((Panel::State, TITLE_H + 220));
        }
        if let Some(last) = out.last_mut() {
            last.1 += X_AXIS_H;
        }
        out
    }

    /// Interval of the timeline's rows, ms (median).
    fn sample_ms(&self) -> f64 {
        let mut d: Vec<f64> = self.t.windows(2).map(|w| w[1] - w[0]).collect();
        d.sort_by(f64::total_cmp);
        d.get(d.len() / 2).map_or(0.0, |x| x * 1e3)
    }
}

impl Figure for Readouts<'_> {
    type Layout = ();

    fn size(&self) -> (u32, u32) {
        let panels: u32 = self.panels().iter().map(|p| p.1).sum();
        let notes = self.notes.len() as u32 * style::NOTE_H;
        (1600, style::HEADER_H + LABELS_H + panels + notes + 10)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        // (self.notes starts with the run's notes: none is repeated.)
        let body = run_frame(root, "Readouts and internal state", self.run, &self.notes)?;
        let (bw, _) = body.dim_in_pixel();
        let (main, _) = body.split_horizontally(bw - LEGEND_W);
        let main = main.margin(LABELS_H, 0, 0, 0);
        let x = (0.0, self.end_s);
        let rates: Vec<&Series> = self.series.iter().filter(|s| !s.trigger).collect();
        let triggers: Vec<&Series> = self.series.iter().filter(|s| s.trigger).collect();
        let panels = self.panels();
        let last = panels.len().saturating_sub(1);
        let mut rest = main;
        let mut first_tr: Option<Transform> = None;
        let legend_x = bw as i32 - LEGEND_W as i32 + 24;
        for (i, (kind, h)) in panels.iter().enumerate() {
            let is_last = i == last;
            let (area, below) = rest.split_vertically(*h);
            rest = below;
            let xh = if is_last { X_AXIS_H } else { 0 };
            let xd = is_last.then_some("time (s)");
            let area = if *kind == Panel::Strip {
                area
            } else {
                area.margin(TITLE_H, 0, 0, 0)
            };
            let panel_title = |tr: &Transform, t: &str| -> Result<(), PlotError> {
                root.draw_text(
                    t,
                    &style::text(size::AXIS, INK, HPos::Left, VPos::Bottom),
                    (tr.px_x.0, tr.px_y.1 - 8),
                )
                .dr()
            };
            let tr = match kind {
                Panel::Strip => {
                    let c = style::chart(&area, x, (0.0, 1.0), xd, "", Y_LABEL_W, xh, (10, 0))?;
                    let pa = c.plotting_area();
                    for (b, t0, t1) in &self.bouts {
                        pa.draw(&Rectangle::new(
                            [(*t0, 0.0), (*t1, 1.0)],
                            behaviour_color(b).filled(),
                        ))
                        .dr()?;
                    }
                    let tr = Transform::of(&c);
                    root.draw_text(
                        "behaviour",
                        &style::text(size::TICK, INK, HPos::Right, VPos::Center),
                        (tr.px_x.0 - 10, (tr.px_y.0 + tr.px_y.1) / 2),
                    )
                    .dr()?;
                    let found: Vec<&str> = self.bouts.iter().map(|b| b.0.as_str()).collect();
                    // Behaviours side by side, to keep the strip's legend one line.
                    let mut lx = legend_x;
                    let cy = (tr.px_y.0 + tr.px_y.1) / 2;
                    for b in behaviour_order(found.iter().copied())
                        .into_iter()
                        .filter(|b| found.contains(&b.as_str()))
                    {
                        root.draw(&Rectangle::new(
                            [(lx, cy - 8), (lx + 22, cy + 8)],
                            behaviour_color(&b).filled(),
                        ))
                        .dr()?;
                        root.draw_text(
                            &b,
                            &style::text(size::LABEL, INK, HPos::Left, VPos::Center),
                            (lx + 28, cy),
                        )
                        .dr()?;
                        lx += 40 + style::text_width(&b, size::LABEL) as i32;
                    }
                    tr
                }
                Panel::Rates => {
                    let (lo, hi) = range(rates.iter().flat_map(|s| s.values.iter().copied()));
                    let mut c = style::chart(&area, x, (lo, hi), xd, "Hz", Y_LABEL_W, xh, (10, 6))?;
                    if lo < 0.0 && hi > 0.0 {
                        c.draw_series(LineSeries::new(
                            vec![(x.0, 0.0), (x.1, 0.0)],
                            style::MUTED.stroke_width(1),
                        ))
                        .dr()?;
                    }
                    let mut entries = Vec::new();
                    for s in &rates {
                        let col = s.color;
                        c.draw_series(LineSeries::new(
                            points(&self.t, &s.values),
                            col.stroke_width(3),
                        ))
                        .dr()?;
                        entries.push((Mark::Line(col, 4), s.label.clone()));
                    }
                    let tr = Transform::of(&c);
                    panel_title(&tr, "readouts: filtered rate above baseline (Hz)")?;
                    style::legend(root, (legend_x, tr.px_y.1), None, &entries)?;
                    tr
                }
                Panel::Trigger => {
                    let hi = triggers
                        .iter()
                        .flat_map(|s| s.values.iter().copied())
                        .filter(|v| v.is_finite())
                        .fold(0.0, f64::max)
                        .max(1.0)
                        * 1.15;
                    let c =
                        style::chart(&area, x, (0.0, hi), xd, "spikes", Y_LABEL_W, xh, (10, 3))?;
                    let pa = c.plotting_area();
                    let mut entries = Vec::new();
                    for s in &triggers {
                        let col = s.color;
                        for (t, v) in self.t.iter().zip(&s.values) {
                            if v.is_finite() && *v > 0.0 {
                                pa.draw(&PathElement::new(
                                    vec![(*t, 0.0), (*t, *v)],
                                    col.stroke_width(3),
                                ))
                                .dr()?;
                            }
                        }
                        entries.push((Mark::Line(col, 4), s.label.clone()));
                    }
                    let tr = Transform::of(&c);
                    panel_title(
                        &tr,
                        &format!(
                            "escape trigger: giant-fibre spikes per control tick (sampled every {} ms)",
                            style::trim_num(self.sample_ms())
                        ),
                    )?;
                    style::legend(root, (legend_x, tr.px_y.1), None, &entries)?;
                    tr
                }
                Panel::State => {
                    let mut c =
                        style::chart(&area, x, (0.0, 1.05), xd, "level", Y_LABEL_W, xh, (10, 5))?;
                    let mut entries = Vec::new();
                    for (name, v) in &self.state {
                        let col = STATE.iter().find(|s| s.0 == name).map_or(INK, |s| s.1);
                        c.draw_series(LineSeries::new(points(&self.t, v), col.stroke_width(3)))
                            .dr()?;
                        entries.push((Mark::Line(col, 4), name.clone()));
                    }
                    let tr = Transform::of(&c);
                    panel_title(&tr, "internal state (0–1)")?;
                    style::legend(root, (legend_x, tr.px_y.1), None, &entries)?;
                    tr
                }
            };
            style::event_lines(root, &tr, &self.events)?;
            first_tr.get_or_insert(tr);
        }
        if let Some(tr) = first_tr {
            style::event_labels(root, &tr, &self.events, 2)?;
        }
        Ok(())
    }
}

/// A readout's colour: its behaviour's (forward = walk), darker for a second readout of the
/// same command.
fn command_color(c: Option<Command>, nth: usize, k: usize) -> RGBColor {
    let base = match c {
        Some(Command::Forward) => behaviour_color("walk"),
        Some(Command::Backward) => RGBColor(86, 180, 233),
        Some(Command::Turn) => RGBColor(90, 90, 90),
        Some(Command::Groom) => behaviour_color("groom"),
        Some(Command::Feed) => behaviour_color("feed"),
        Some(Command::Escape) => behaviour_color("escape"),
        None => series_color(k),
    };
    let f = 0.65f64.powi(nth.min(3) as i32);
    let d = |v: u8| (v as f64 * f) as u8;
    RGBColor(d(base.0), d(base.1), d(base.2))
}

fn points(t: &[f64], v: &[f64]) -> Vec<(f64, f64)> {
    t.iter()
        .zip(v)
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .map(|(a, b)| (*a, *b))
        .collect()
}

/// A y range holding the values and 0, with 8% headroom.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let span = (hi - lo).max(1.0);
    (
        if lo < 0.0 { lo - 0.08 * span } else { 0.0 },
        hi + 0.08 * span,
    )
}
