//! The trajectory: the thorax's x/y path over the arena (bounds, food patches, obstacles),
//! coloured by behaviour, with start and end marked and each loom drawn as an arrow from
//! the side it came from to the robot's position at that time. When the path covers a
//! small part of the arena a second panel shows it enlarged (same scale on both axes).

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{Event, RunData};
use super::ethogram::run_frame;
use super::style::{
    self, DrawResult, INK, MUTED, Mark, Transform, behaviour_color, behaviour_order, size, trim_num,
};
use super::{Figure, PlotError};
use crate::world::Scene;

/// Where the trajectory was drawn.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The whole-arena panel (metres -> pixels).
    pub arena: Transform,
    /// The enlarged panel, when there is one.
    pub zoom: Option<Transform>,
    /// Path line width in the panel of [`Layout::path`], px.
    pub line_px: u32,
}

impl Layout {
    /// The panel where the path is drawn largest (the enlarged one if any).
    pub fn path(&self) -> &Transform {
        self.zoom.as_ref().unwrap_or(&self.arena)
    }
}

/// The trajectory figure of a run.
pub struct Trajectory<'a> {
    run: &'a RunData,
    t: Vec<f64>,
    xy: Vec<(f64, f64)>,
    yaw: Option<Vec<f64>>,
    behaviour: Vec<String>,
    scene: Option<Scene>,
    events: Vec<Event>,
    /// Caveats (scene missing).
    pub notes: Vec<String>,
}

impl<'a> Trajectory<'a> {
    /// Reads what it needs (`t_s`, `x_m`, `y_m`, `behaviour`; `yaw_rad` for loom arrows) and
    /// the scene from the experiment file.
    pub fn new(run: &'a RunData) -> Result<Trajectory<'a>, PlotError> {
        let rows = run.timeline.rows()?;
        let t = rows.iter().map(|r| r.t_s).collect();
        let behaviour = rows.iter().map(|r| r.behaviour.clone()).collect();
        let yaw = Some(rows.iter().map(|r| r.yaw_rad).collect());
        let xy: Vec<(f64, f64)> = rows.iter().map(|r| (r.x_m, r.y_m)).collect();
        if xy.iter().all(|p| !p.0.is_finite() || !p.1.is_finite()) {
            return Err(PlotError::NoPositions {
                path: run.timeline.path.clone(),
            });
        }
        let mut notes = Vec::new();
        let scene = match run.scene() {
            Ok(Some(s)) => Some(s),
            Ok(None) => {
                notes.push(
                    "trajectory without the scene (no experiment file to read it from)".into(),
                );
                None
            }
            Err(e) => {
                notes.push(format!(
                    "trajectory without the scene: {}",
                    crate::error_chain(&e)
                ));
                None
            }
        };
        Ok(Trajectory {
            run,
            t,
            xy,
            yaw,
            behaviour,
            scene,
            events: run.events(),
            notes,
        })
    }

    fn finite(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.xy
            .iter()
            .copied()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
    }

    /// Path bounding box (x0, x1, y0, y1).
    fn bbox(&self) -> (f64, f64, f64, f64) {
        self.finite().fold(
            (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
            |(a, b, c, d), (x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
        )
    }

    /// Robot position and heading at time `t` (the first row at or after it).
    fn pose_at(&self, t: f64) -> Option<((f64, f64), f64)> {
        let i = self.t.iter().position(|&x| x >= t - 1e-9)?;
        let yaw = self.yaw.as_ref().map_or(0.0, |y| y[i]);
        Some((self.xy[i], yaw))
    }
}

const W: u32 = 1600;
const H: u32 = 900;
const LEGEND_W: u32 = 330;
const Y_LABEL_W: u32 = 100;
const X_LABEL_H: u32 = 70;
const PANEL_TITLE_H: u32 = 40;
const MARGIN: u32 = 6;

/// Data ranges of a panel whose plotting area is `px` pixels, centred on `c`, showing at
/// least `extent` metres in each direction, with the same metres per pixel on both axes.
fn square_ranges(c: (f64, f64), extent: (f64, f64), px: (u32, u32)) -> ((f64, f64), (f64, f64)) {
    let scale = (extent.0 / px.0.max(1) as f64).max(extent.1 / px.1.max(1) as f64);
    let (hw, hh) = (px.0 as f64 * scale / 2.0, px.1 as f64 * scale / 2.0);
    ((c.0 - hw, c.0 + hw), (c.1 - hh, c.1 + hh))
}

type Pt = (f64, f64);

/// A polygon clipped to the rectangle `x` by `y` (Sutherland-Hodgman).
fn clip_polygon(pts: &[Pt], x: (f64, f64), y: (f64, f64)) -> Vec<Pt> {
    // Each edge: the coordinate it bounds (0 = x, 1 = y), its value, and whether inside is
    // above it.
    let edges = [
        (0, x.0, true),
        (0, x.1, false),
        (1, y.0, true),
        (1, y.1, false),
    ];
    let coord = |p: &Pt, axis: usize| if axis == 0 { p.0 } else { p.1 };
    let mut out = pts.to_vec();
    for (axis, v, above) in edges {
        let inside = |p: &Pt| (coord(p, axis) >= v) == above || coord(p, axis) == v;
        let cut = |a: Pt, b: Pt| {
            let s = (v - coord(&a, axis)) / (coord(&b, axis) - coord(&a, axis));
            (a.0 + s * (b.0 - a.0), a.1 + s * (b.1 - a.1))
        };
        let input = std::mem::take(&mut out);
        for (i, &cur) in input.iter().enumerate() {
            let prev = input[(i + input.len() - 1) % input.len()];
            match (inside(&prev), inside(&cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cut(prev, cur)),
                (false, true) => {
                    out.push(cut(prev, cur));
                    out.push(cur);
                }
                (false, false) => {}
            }
        }
        if out.is_empty() {
            break;
        }
    }
    out
}

/// A segment clipped to the rectangle (Liang-Barsky); None when it is outside.
fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    x: (f64, f64),
    y: (f64, f64),
) -> Option<[(f64, f64); 2]> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x.0),
        (dx, x.1 - a.0),
        (-dy, a.1 - y.0),
        (dy, y.1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 <= t1).then_some([
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ])
}

/// The closed outline of a polygon, clipped to the rectangle `x` by `y`.
fn outline<DB: DrawingBackend>(
    pa: &DrawingArea<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    pts: &[Pt],
    x: (f64, f64),
    y: (f64, f64),
    style: ShapeStyle,
) -> Result<(), PlotError> {
    for k in 0..pts.len() {
        if let Some(seg) = clip_segment(pts[k], pts[(k + 1) % pts.len()], x, y) {
            pa.draw(&PathElement::new(seg.to_vec(), style)).dr()?;
        }
    }
    Ok(())
}

fn circle(c: [f32; 2], r: f32) -> Vec<(f64, f64)> {
    (0..64)
        .map(|k| {
            let a = k as f64 / 64.0 * std::f64::consts::TAU;
            (
                c[0] as f64 + r as f64 * a.cos(),
                c[1] as f64 + r as f64 * a.sin(),
            )
        })
        .collect()
}

fn rotated_box(o: &crate::world::scene::Obstacle) -> Vec<(f64, f64)> {
    let (s, c) = (o.yaw_deg as f64).to_radians().sin_cos();
    let (hx, hy) = (o.half_extents[0] as f64, o.half_extents[1] as f64);
    [(-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy)]
        .iter()
        .map(|(x, y)| {
            (
                o.center[0] as f64 + x * c - y * s,
                o.center[1] as f64 + x * s + y * c,
            )
        })
        .collect()
}

const FOOD_FILL: RGBAColor = RGBAColor(0, 158, 115, 0.25);
const FOOD_EDGE: RGBColor = RGBColor(0, 120, 85);
const OBSTACLE_FILL: RGBAColor = RGBAColor(110, 110, 110, 0.45);
const OBSTACLE_EDGE: RGBColor = RGBColor(70, 70, 70);
const ARENA_EDGE: RGBColor = RGBColor(40, 40, 40);
const ZOOM_BOX: RGBColor = RGBColor(120, 120, 120);

impl Trajectory<'_> {
    #[allow(clippy::too_many_arguments)]
    fn panel<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        x: (f64, f64),
        y: (f64, f64),
        line_px: u32,
        zoom_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<Transform, PlotError> {
        let chart = style::chart(
            area,
            x,
            y,
            Some("x (m)"),
            "y (m)",
            Y_LABEL_W,
            X_LABEL_H,
            (8, 8),
        )?;
        let tr = Transform::of(&chart);
        root.draw_text(
            title,
            &style::text(size::AXIS, INK, HPos::Left, VPos::Bottom),
            (tr.px_x.0, tr.px_y.1 - 8),
        )
        .dr()?;
        let pa = chart.plotting_area();
        if let Some(scene) = &self.scene {
            let h = scene.arena.half_size as f64;
            let corners = [(-h, -h), (h, -h), (h, h), (-h, h)];
            outline(pa, &corners, x, y, ARENA_EDGE.stroke_width(3))?;
            for f in &scene.food {
                let ring = circle(f.position, f.radius);
                let poly = clip_polygon(&ring, x, y);
                if poly.len() >= 3 {
                    pa.draw(&Polygon::new(poly, FOOD_FILL.filled())).dr()?;
                    outline(pa, &ring, x, y, FOOD_EDGE.stroke_width(2))?;
                }
            }
            for o in &scene.obstacles {
                let ring = rotated_box(o);
                let poly = clip_polygon(&ring, x, y);
                if poly.len() >= 3 {
                    pa.draw(&Polygon::new(poly, OBSTACLE_FILL.filled())).dr()?;
                    outline(pa, &ring, x, y, OBSTACLE_EDGE.stroke_width(2))?;
                }
            }
        }
        if let Some((x0, x1, y0, y1)) = zoom_box {
            let b = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)];
            pa.draw(&PathElement::new(b.to_vec(), ZOOM_BOX.stroke_width(2)))
                .dr()?;
        }
        // The path, one polyline per bout, each starting where the previous ended.
        let mut i = 0;
        let n = self.xy.len();
        while i < n {
            let b = &self.behaviour[i];
            let mut pts = Vec::new();
            if i > 0 {
                pts.push(self.xy[i - 1]);
            }
            let mut j = i;
            while j < n && &self.behaviour[j] == b {
                pts.push(self.xy[j]);
                j += 1;
            }
            let pts: Vec<(f64, f64)> = pts
                .into_iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect();
            pa.draw(&PathElement::new(
                pts,
                behaviour_color(b).stroke_width(line_px),
            ))
            .dr()?;
            i = j;
        }
        // Start and end.
        if let (Some(s), Some(e)) = (self.finite().next(), self.finite().last()) {
            let (sx, sy) = tr.to_pixel(s.0, s.1);
            root.draw(&Circle::new((sx, sy), 8, WHITE.filled())).dr()?;
            root.draw(&Circle::new((sx, sy), 8, INK.stroke_width(3)))
                .dr()?;
            let (ex, ey) = tr.to_pixel(e.0, e.1);
            root.draw(&Rectangle::new(
                [(ex - 7, ey - 7), (ex + 7, ey + 7)],
                INK.filled(),
            ))
            .dr()?;
        }
        // Looms: an arrow from the side the threat came from to the robot.
        for ev in self.events.iter().filter(|e| e.kind == "loom") {
            let Some(((px, py), yaw)) = self.pose_at(ev.at_s) else {
                continue;
            };
            let (rx, ry) = tr.to_pixel(px, py);
            let c = style::event_color("loom");
            if let Some(side) = ev.side {
                let a = yaw + side as f64 * std::f64::consts::FRAC_PI_2;
                // Pixel y grows downwards.
                let (ux, uy) = (a.cos(), -a.sin());
                let (tail, head) = (70.0, 14.0);
                let from = (rx + (ux * tail) as i32, ry + (uy * tail) as i32);
                let to = (rx + (ux * head) as i32, ry + (uy * head) as i32);
                style::arrow(root, from, to, c, 4)?;
                root.draw_text(
                    &format!("loom at {} s", trim_num(ev.at_s)),
                    &style::text(size::LABEL, c, HPos::Center, VPos::Bottom),
                    (from.0, from.1 - 6),
                )
                .dr()?;
            }
            root.draw(&Circle::new((rx, ry), 10, c.stroke_width(3)))
                .dr()?;
        }
        Ok(tr)
    }
}

impl Figure for Trajectory<'_> {
    type Layout = Layout;

    fn size(&self) -> (u32, u32) {
        (W, H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<Layout, PlotError> {
        let body = run_frame(root, "Trajectory", self.run, &self.notes)?;
        let (bw, bh) = body.dim_in_pixel();
        let (panels, _legend) = body.split_horizontally(bw - LEGEND_W);
        let (bx0, bx1, by0, by1) = self.bbox();
        let centre = ((bx0 + bx1) / 2.0, (by0 + by1) / 2.0);
        let path_extent = (bx1 - bx0).max(by1 - by0);
        let zoom_extent = (path_extent * 1.3).max(0.04);
        let arena = self.scene.as_ref().map(|s| s.arena.half_size as f64);
        let zoom = arena.is_some_and(|h| zoom_extent < 0.6 * 2.0 * h);
        let plot_px = |w: u32| {
            (
                w - Y_LABEL_W - 2 * MARGIN,
                bh - PANEL_TITLE_H - X_LABEL_H - 2 * MARGIN,
            )
        };
        let (arena_area, zoom_area) = if zoom {
            let (a, b) = panels.split_horizontally((bw - LEGEND_W) / 2);
            (a, Some(b))
        } else {
            (panels.clone(), None)
        };
        let arena_w = arena_area.dim_in_pixel().0;
        let (ax, ay) = match arena {
            Some(h) => square_ranges((0.0, 0.0), (2.2 * h, 2.2 * h), plot_px(arena_w)),
            None => square_ranges(centre, (zoom_extent, zoom_extent), plot_px(arena_w)),
        };
        let mut zoom_tr = None;
        let mut zoom_box = None;
        if let Some(za) = &zoom_area {
            let zw = za.dim_in_pixel().0;
            let (zx, zy) = square_ranges(centre, (zoom_extent, zoom_extent), plot_px(zw));
            zoom_box = Some((zx.0, zx.1, zy.0, zy.1));
            let za = za.margin(PANEL_TITLE_H, 0, 0, 0);
            zoom_tr = Some(self.panel(root, &za, "path, enlarged", zx, zy, 4, None)?);
        }
        let arena_title = match arena {
            Some(h) => format!("arena ({0} m × {0} m)", trim_num(2.0 * h)),
            None => "path (no scene)".into(),
        };
        let aa = arena_area.margin(PANEL_TITLE_H, 0, 0, 0);
        let line_arena = if zoom { 2 } else { 4 };
        let arena_tr = self.panel(root, &aa, &arena_title, ax, ay, line_arena, zoom_box)?;

        // Legend.
        let present = behaviour_order(self.behaviour.iter().map(String::as_str));
        let mut entries: Vec<(Mark, String)> = present
            .iter()
            .filter(|b| self.behaviour.contains(b))
            .map(|b| (Mark::Line(behaviour_color(b), 5), b.clone()))
            .collect();
        entries.push((Mark::Ring(INK), "start".into()));
        entries.push((Mark::Square(INK), "end".into()));
        if self.events.iter().any(|e| e.kind == "loom") {
            entries.push((
                Mark::Arrow(style::event_color("loom")),
                "loom, from its side".into(),
            ));
        }
        if let Some(s) = &self.scene {
            if !s.food.is_empty() {
                entries.push((
                    Mark::Patch(RGBColor(191, 231, 220), FOOD_EDGE),
                    "food".into(),
                ));
            }
            if !s.obstacles.is_empty() {
                entries.push((
                    Mark::Patch(RGBColor(185, 185, 185), OBSTACLE_EDGE),
                    "obstacle".into(),
                ));
            }
            entries.push((Mark::Line(ARENA_EDGE, 3), "arena wall".into()));
            if zoom {
                entries.push((Mark::Line(ZOOM_BOX, 2), "enlarged region".into()));
            }
        }
        let lx = zoom_tr.as_ref().unwrap_or(&arena_tr).px_x.1 + 30;
        let (_, lh) = style::legend(root, (lx, arena_tr.px_y.1), None, &entries)?;
        if let Some(s) = &self.scene {
            let mut y = arena_tr.px_y.1 + lh + 24;
            let mut line = |t: String| -> Result<(), PlotError> {
                root.draw_text(
                    &t,
                    &style::text(size::LABEL, MUTED, HPos::Left, VPos::Top),
                    (lx, y),
                )
                .dr()?;
                y += 26;
                Ok(())
            };
            line(format!("terrain: {:?}", s.arena.terrain).to_lowercase())?;
            let (wx, wy) = (s.wind[0] as f64, s.wind[1] as f64);
            if wx != 0.0 || wy != 0.0 {
                line(format!(
                    "wind {} m/s toward {:.0}°",
                    trim_num(wx.hypot(wy)),
                    wy.atan2(wx).to_degrees()
                ))?;
            }
            line(format!("path spans {} m", trim_num(path_extent)))?;
        }
        Ok(Layout {
            arena: arena_tr,
            zoom: zoom_tr,
            line_px: if zoom { 4 } else { line_arena },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping() {
        let sq = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
        let c = clip_polygon(&sq, (0.0, 2.0), (0.0, 2.0));
        let area: f64 = (0..c.len())
            .map(|i| {
                let (a, b) = (c[i], c[(i + 1) % c.len()]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum::<f64>()
            / 2.0;
        assert!((area - 1.0).abs() < 1e-12, "{c:?}");
        assert!(clip_polygon(&sq, (5.0, 6.0), (0.0, 1.0)).is_empty());
        let s = clip_segment((-2.0, 0.0), (2.0, 0.0), (-1.0, 1.0), (-1.0, 1.0)).unwrap();
        assert_eq!(s, [(-1.0, 0.0), (1.0, 0.0)]);
        assert!(clip_segment((-2.0, 3.0), (2.0, 3.0), (-1.0, 1.0), (-1.0, 1.0)).is_none());
    }

    #[test]
    fn equal_scale() {
        let ((x0, x1), (y0, y1)) = square_ranges((0.0, 0.0), (2.0, 1.0), (400, 200));
        assert!(((x1 - x0) / 400.0 - (y1 - y0) / 200.0).abs() < 1e-12);
        assert!(x1 - x0 >= 2.0 && y1 - y0 >= 1.0);
    }
}
