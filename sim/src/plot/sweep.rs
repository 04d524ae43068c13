//! A sweep's outcome per grid point: the mean over seeds with its 95% confidence interval
//! (`aggregate.csv`) as error bars, one series per figure. By default the time in each
//! behaviour; `--figure NAME` (repeatable) plots any figure of the table, one file each.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::SweepData;
use super::style::{
    self, DrawResult, INK, MUTED, Mark, Provenance, Transform, behaviour_color, behaviour_order,
    series_color, size,
};
use super::{Figure, PlotError};

/// The default figure's name (all `time_<behaviour>_s` figures in one plot).
pub const TIME_IN_BEHAVIOUR: &str = "time_in_behaviour";

/// Where a sweep figure was drawn.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Grid position (point index, or the swept value on a numeric axis) -> pixel column;
    /// figure value -> pixel row.
    pub transform: Transform,
    /// Grid position of each point (point index order).
    pub x: Vec<f64>,
    /// Each series' label and its horizontal offset from the point's position (series side
    /// by side).
    pub offsets: Vec<(String, f64)>,
}

/// One series: label, colour, and per grid point (x, mean, 95% CI).
type Series = (String, RGBColor, Vec<(f64, f64, Option<(f64, f64)>)>);

/// One sweep figure.
pub struct SweepFigure<'a> {
    data: &'a SweepData,
    name: String,
    title: String,
    y_desc: String,
    series: Vec<Series>,
    /// x positions and their labels.
    ticks: Vec<(f64, String)>,
    numeric_x: bool,
}

/// The behaviour B of a `time_B_s` figure (`time_to_food_s` is none).
fn behaviour_time(figure: &str) -> Option<&str> {
    let b = figure.strip_prefix("time_")?.strip_suffix("_s")?;
    controller::arbiter::Behaviour::ALL
        .iter()
        .any(|x| x.as_str() == b)
        .then_some(b)
}

/// The unit of a figure, from its name.
fn describe(figure: &str) -> String {
    if let Some(b) = behaviour_time(figure) {
        return format!("time in {b} (s)");
    }
    if let Some(b) = figure
        .strip_prefix("onset_")
        .and_then(|f| f.strip_suffix("_s"))
    {
        return format!("onset of {b} after the first event (s)");
    }
    match figure {
        "escaped" => "escape rate (fraction of runs)".into(),
        "brain_spikes" => "brain spikes".into(),
        "switches" => "behaviour switches".into(),
        "food_eaten" => "hunger removed by feeding".into(),
        "found_food" => "found food (fraction of runs)".into(),
        "time_to_food_s" => "time to food (s)".into(),
        "wall_contact_s" => "walking against a wall (s)".into(),
        "distance_m" => "distance from start to end (m)".into(),
        "path_length_m" => "path length (m)".into(),
        "loom_gf_spike_s" => "first giant-fibre spike after the loom (s)".into(),
        "loom_escape_command_s" => "escape command after the loom (s)".into(),
        "loom_lift_off_s" => "lift-off after the loom (s)".into(),
        "loom_heading_change_rad" => "heading change 0.5 s into the escape (rad)".into(),
        "loom_forward_m" => "forward displacement 0.5 s into the escape (m)".into(),
        "loom_leftward_m" => "leftward displacement 0.5 s into the escape (m)".into(),
        f => {
            for (suffix, unit) in [("_s", "s"), ("_m", "m"), ("_rad", "rad")] {
                if let Some(stem) = f.strip_suffix(suffix) {
                    return format!("{} ({unit})", stem.replace('_', " "));
                }
            }
            f.replace('_', " ")
        }
    }
}

impl<'a> SweepFigure<'a> {
    /// The figures asked for (`names`; empty: time in each behaviour). An unknown name is
    /// an error listing the table's figures.
    pub fn chosen(
        data: &'a SweepData,
        names: &[String],
    ) -> Result<Vec<SweepFigure<'a>>, PlotError> {
        let available = data.figures();
        let default = [TIME_IN_BEHAVIOUR.to_owned()];
        let names = if names.is_empty() {
            &default[..]
        } else {
            names
        };
        let mut out = Vec::new();
        for name in names {
            let (members, title, y_desc): (Vec<(String, String, RGBColor)>, String, String) =
                if name == TIME_IN_BEHAVIOUR {
                    let behaviours: Vec<String> = available
                        .iter()
                        .filter_map(|f| behaviour_time(f))
                        .map(str::to_owned)
                        .collect();
                    if behaviours.is_empty() {
                        return Err(PlotError::NoBehaviourTimes {
                            path: data.dir.join(crate::sweep::AGGREGATE_CSV),
                        });
                    }
                    let order = behaviour_order(behaviours.iter().map(String::as_str));
                    let members = order
                        .into_iter()
                        .filter(|b| behaviours.contains(b))
                        // Behaviours never shown at any point are left out.
                        .filter(|b| {
                            data.rows.iter().any(|r| {
                                r.figure == format!("time_{b}_s") && r.mean.is_some_and(|m| m > 0.0)
                            })
                        })
                        .map(|b| (format!("time_{b}_s"), b.clone(), behaviour_color(&b)))
                        .collect();
                    (
                        members,
                        "Time in each behaviour per grid point".into(),
                        "time (s)".into(),
                    )
                } else {
                    if !available.contains(name) {
                        return Err(PlotError::UnknownFigure {
                            path: data.dir.join(crate::sweep::AGGREGATE_CSV),
                            name: name.clone(),
                            available,
                        });
                    }
                    (
                        vec![(name.clone(), name.clone(), series_color(0))],
                        format!("{} per grid point", describe(name)),
                        describe(name),
                    )
                };
            out.push(SweepFigure::build(data, name, title, y_desc, &members));
        }
        Ok(out)
    }

    fn build(
        data: &'a SweepData,
        name: &str,
        title: String,
        y_desc: String,
        members: &[(String, String, RGBColor)],
    ) -> SweepFigure<'a> {
        let mut points: Vec<(usize, Vec<String>)> = Vec::new();
        for r in &data.rows {
            if !points.iter().any(|p| p.0 == r.point) {
                points.push((r.point, r.values.clone()));
            }
        }
        points.sort_by_key(|p| p.0);
        let numeric: Option<Vec<f64>> = (data.axes.len() == 1)
            .then(|| {
                points
                    .iter()
                    .map(|p| p.1[0].parse::<f64>().ok().filter(|v| v.is_finite()))
                    .collect::<Option<Vec<f64>>>()
            })
            .flatten()
            .filter(|v| {
                let mut s = v.clone();
                s.sort_by(f64::total_cmp);
                s.windows(2).all(|w| w[0] < w[1])
            });
        let ticks: Vec<(f64, String)> = points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let x = numeric.as_ref().map_or(i as f64, |v| v[i]);
                let label = if p.1.is_empty() {
                    "all runs".to_owned()
                } else {
                    p.1.join(" / ")
                };
                (x, label)
            })
            .collect();
        let series = members
            .iter()
            .map(|(fig, label, color)| {
                let pts = points
                    .iter()
                    .zip(&ticks)
                    .filter_map(|(p, (x, _))| {
                        let r = data
                            .rows
                            .iter()
                            .find(|r| r.point == p.0 && &r.figure == fig)?;
                        Some((*x, r.mean?, r.ci95))
                    })
                    .collect();
                (label.clone(), *color, pts)
            })
            .collect();
        SweepFigure {
            data,
            name: name.to_owned(),
            title,
            y_desc,
            series,
            ticks,
            numeric_x: numeric.is_some(),
        }
    }

    /// File stem (`time_in_behaviour`, or the figure's name).
    pub fn stem(&self) -> String {
        self.name.clone()
    }
}

impl Figure for SweepFigure<'_> {
    type Layout = Layout;

    fn size(&self) -> (u32, u32) {
        (1600, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<Layout, PlotError> {
        let prov = self
            .data
            .summary
            .as_ref()
            .map_or_else(Provenance::unknown, Provenance::of);
        let sweep_name = self
            .data
            .dir
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let title = format!("{}  ·  sweep {sweep_name}", self.title);
        let mut notes = self.data.notes.clone();
        let missing_ci = self
            .series
            .iter()
            .any(|s| s.2.iter().any(|p| p.2.is_none()));
        if missing_ci {
            notes.push("points without error bars have fewer than 2 runs (no interval)".into());
        }
        let detail = format!(
            "{} grid points × {} seeds; mean ± 95% CI",
            self.ticks.len(),
            self.data.seeds
        );
        let body = style::frame(root, &title, &detail, &prov, &notes)?;
        let (bw, _) = body.dim_in_pixel();
        let legend_w = 330;
        let (main, _) = body.split_horizontally(bw - legend_w);
        let main = main.margin(20, 0, 0, 0);
        // Ranges.
        let xs: Vec<f64> = self.ticks.iter().map(|t| t.0).collect();
        let (xmin, xmax) = xs
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        let spacing = if xs.len() > 1 {
            let mut s = xs.clone();
            s.sort_by(f64::total_cmp);
            s.windows(2).map(|w| w[1] - w[0]).fold(f64::MAX, f64::min)
        } else {
            1.0
        };
        let pad = if self.numeric_x {
            ((xmax - xmin) * 0.08).max(spacing * 0.5)
        } else {
            0.6
        };
        let x = (xmin - pad, xmax + pad);
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for s in &self.series {
            for (_, m, ci) in &s.2 {
                let (a, b) = ci.unwrap_or((*m, *m));
                lo = lo.min(a).min(*m);
                hi = hi.max(b).max(*m);
            }
        }
        let span = (hi - lo).max(1e-3);
        let y = (
            if lo < 0.0 { lo - 0.08 * span } else { 0.0 },
            hi + 0.1 * span,
        );
        let axis_names = if self.data.axes.is_empty() {
            "grid point (no swept key)".to_owned()
        } else {
            self.data.axes.join(" / ")
        };
        let x_label_h = 80;
        let mut c = style::chart(
            &main,
            x,
            y,
            Some(&axis_names),
            &self.y_desc,
            130,
            x_label_h,
            (if self.numeric_x { 10 } else { 0 }, 8),
        )?;
        // Categorical axes: a tick and the point's values under each point.
        let tr = Transform::of(&c);
        if !self.numeric_x {
            let room = ((tr.px(1.0) - tr.px(0.0)).unsigned_abs()).saturating_sub(8);
            for (xv, label) in &self.ticks {
                let px = tr.px(*xv);
                root.draw(&PathElement::new(
                    vec![(px, tr.px_y.0), (px, tr.px_y.0 + 6)],
                    MUTED.stroke_width(1),
                ))
                .dr()?;
                root.draw_text(
                    &style::fit(label, size::AXIS, room.max(40)),
                    &style::text(size::AXIS, INK, HPos::Center, VPos::Top),
                    (px, tr.px_y.0 + 10),
                )
                .dr()?;
            }
        }
        let n = self.series.len();
        let dodge = if n > 1 {
            (if self.numeric_x { spacing } else { 1.0 }) * 0.5 / n as f64
        } else {
            0.0
        };
        let mut entries = Vec::new();
        let mut offsets = Vec::new();
        for (k, (label, color, pts)) in self.series.iter().enumerate() {
            let off = (k as f64 - (n as f64 - 1.0) / 2.0) * dodge;
            offsets.push((label.clone(), off));
            let line: Vec<(f64, f64)> = pts.iter().map(|p| (p.0 + off, p.1)).collect();
            c.draw_series(LineSeries::new(
                line.clone(),
                color.mix(0.6).stroke_width(2),
            ))
            .dr()?;
            for (xv, m, ci) in pts {
                let px = tr.px(xv + off);
                if let Some((a, b)) = ci {
                    let (ya, yb) = (tr.py(*a), tr.py(*b));
                    root.draw(&PathElement::new(
                        vec![(px, ya), (px, yb)],
                        color.stroke_width(3),
                    ))
                    .dr()?;
                    for yy in [ya, yb] {
                        root.draw(&PathElement::new(
                            vec![(px - 9, yy), (px + 9, yy)],
                            color.stroke_width(3),
                        ))
                        .dr()?;
                    }
                }
                root.draw(&Circle::new((px, tr.py(*m)), 10, color.filled()))
                    .dr()?;
            }
            entries.push((Mark::Dot(*color), label.clone()));
        }
        let title = format!("mean ± 95% CI (n = {})", self.data.seeds);
        style::legend(root, (tr.px_x.1 + 30, tr.px_y.1), Some(&title), &entries)?;
        Ok(Layout {
            transform: tr,
            x: xs,
            offsets,
        })
    }
}
