//! The look shared by every figure: the embedded font, colours (Okabe-Ito, colour-blind
//! safe), text sizes for slides, the header (title, dataset, "SYNTHETIC wiring"), notes,
//! legends, event markers, and the data -> pixel transform of a chart.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::data::{Event, RunSummary};

/// DejaVu Sans 2.37 (assets/fonts, licence beside it): text is drawn without system fonts,
/// fontconfig or freetype.
const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The font family every text uses.
pub const FAMILY: &str = "sans-serif";

/// Registers the embedded font (once per process).
pub fn init_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let ok = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok();
        assert!(ok, "the embedded DejaVu Sans is a valid font");
    });
}

/// Text sizes, px (figures are 1600 px wide: readable on a slide).
pub mod size {
    /// Figure title.
    pub const TITLE: f64 = 34.0;
    /// Subtitle (dataset, wiring).
    pub const SUBTITLE: f64 = 21.0;
    /// Axis descriptions.
    pub const AXIS: f64 = 23.0;
    /// Tick labels.
    pub const TICK: f64 = 19.0;
    /// Legend entries.
    pub const LEGEND: f64 = 19.0;
    /// Event labels, panel titles.
    pub const LABEL: f64 = 18.0;
    /// Notes under the figure.
    pub const NOTE: f64 = 17.0;
}

/// Height of the header (title and subtitle), px.
pub const HEADER_H: u32 = 100;
/// Height of one note line at the bottom, px.
pub const NOTE_H: u32 = 26;

/// Near-black for text and axes.
pub const INK: RGBColor = RGBColor(30, 30, 30);
/// Grey for secondary text.
pub const MUTED: RGBColor = RGBColor(95, 95, 95);
/// Light grey for grids.
pub const GRID: RGBColor = RGBColor(225, 225, 225);
/// The "SYNTHETIC wiring" tag.
pub const ALERT: RGBColor = RGBColor(200, 0, 0);

/// Colour of a behaviour (the same in every figure).
pub fn behaviour_color(b: &str) -> RGBColor {
    match b {
        "stand" => RGBColor(150, 150, 150),
        "walk" => RGBColor(0, 114, 178),
        "feed" => RGBColor(0, 158, 115),
        "groom" => RGBColor(230, 159, 0),
        "escape" => RGBColor(213, 94, 0),
        _ => RGBColor(204, 121, 167),
    }
}

/// The behaviours in plotting order: the controller's (lowest priority first), then any
/// other name found, sorted.
pub fn behaviour_order<'a>(found: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = controller::arbiter::Behaviour::ALL
        .iter()
        .map(|b| b.as_str().to_owned())
        .collect();
    let mut extra: Vec<String> = found
        .into_iter()
        .filter(|b| !b.is_empty() && !out.iter().any(|o| o == b))
        .map(str::to_owned)
        .collect();
    extra.sort();
    extra.dedup();
    out.extend(extra);
    out
}

/// Colour of an event kind.
pub fn event_color(kind: &str) -> RGBColor {
    match kind {
        "loom" => RGBColor(150, 0, 40),
        "dust" => RGBColor(140, 90, 40),
        "add_food" | "remove_food" => RGBColor(0, 110, 60),
        _ => RGBColor(70, 70, 70),
    }
}

/// Line colours for series without a meaning of their own (readouts, figures).
pub fn series_color(i: usize) -> RGBColor {
    const P: [RGBColor; 8] = [
        RGBColor(0, 114, 178),
        RGBColor(213, 94, 0),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(86, 180, 233),
        RGBColor(230, 159, 0),
        RGBColor(80, 80, 80),
        RGBColor(170, 150, 0),
    ];
    P[i % P.len()]
}

/// A text style of the embedded font.
pub fn text(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size).into_font(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// Width of `s` at `size`, px.
pub fn text_width(s: &str, size: f64) -> u32 {
    init_fonts();
    (FAMILY, size).into_font().box_size(s).map_or(0, |b| b.0)
}

/// `s` cut with an ellipsis to fit `width` px.
pub fn fit(s: &str, size: f64, width: u32) -> String {
    if text_width(s, size) <= width {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let t: String = chars[..mid].iter().collect::<String>() + "…";
        if text_width(&t, size) <= width {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo].iter().collect::<String>() + "…"
}

/// Drawing errors as [`PlotError::Draw`].
pub trait DrawResult<T> {
    /// Converts the error.
    fn dr(self) -> Result<T, PlotError>;
}

impl<T, E: std::error::Error + Send + Sync> DrawResult<T> for Result<T, DrawingAreaErrorKind<E>> {
    fn dr(self) -> Result<T, PlotError> {
        self.map_err(|e| PlotError::Draw {
            message: e.to_string(),
        })
    }
}

/// What the header says about the data: dataset and wiring.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Dataset, as shown (the last two parts of its path).
    pub dataset: String,
    /// Whether the wiring is synthetic.
    pub synthetic: bool,
    /// The summary's wiring note.
    pub wiring_note: String,
}

impl Provenance {
    /// From a run's summary.
    pub fn of(s: &RunSummary) -> Provenance {
        Provenance {
            dataset: short_path(&s.dataset),
            synthetic: s.synthetic_wiring,
            wiring_note: s.wiring_note.clone(),
        }
    }

    /// Unknown (a sweep without a finished run).
    pub fn unknown() -> Provenance {
        Provenance {
            dataset: "unknown".into(),
            synthetic: false,
            wiring_note: "no finished run to read the dataset from".into(),
        }
    }
}

/// The last two components of a path (`flywire783_escape/escape_....csv`).
pub fn short_path(p: &str) -> String {
    let parts: Vec<&str> = p.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
    match parts.len() {
        0 => p.to_owned(),
        1 => parts[0].to_owned(),
        n => format!("{}/{}", parts[n - 2], parts[n - 1]),
    }
}

/// Draws the title and the subtitle (dataset, wiring; a red "SYNTHETIC wiring" tag when it
/// is) and the notes at the bottom; returns the area left for the plot.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    detail: &str,
    prov: &Provenance,
    notes: &[String],
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    init_fonts();
    root.fill(&WHITE).dr()?;
    let (w, h) = root.dim_in_pixel();
    let left = 36;
    root.draw_text(
        &fit(title, size::TITLE, w - 2 * left as u32),
        &text(size::TITLE, INK, HPos::Left, VPos::Top),
        (left, 16),
    )
    .dr()?;
    let y = 64;
    let mut x = left;
    let ds = format!("dataset: {}", prov.dataset);
    let st = text(size::SUBTITLE, MUTED, HPos::Left, VPos::Top);
    root.draw_text(&ds, &st, (x, y)).dr()?;
    x += text_width(&ds, size::SUBTITLE) as i32 + 14;
    if prov.synthetic {
        let tag = "SYNTHETIC wiring";
        let tw = text_width(tag, size::SUBTITLE) as i32;
        root.draw(&Rectangle::new(
            [(x, y - 5), (x + tw + 16, y + 25)],
            ALERT.filled(),
        ))
        .dr()?;
        root.draw_text(
            tag,
            &text(size::SUBTITLE, WHITE, HPos::Left, VPos::Top),
            (x + 8, y),
        )
        .dr()?;
        x += tw + 28;
        let note = prov
            .wiring_note
            .strip_prefix("SYNTHETIC wiring: ")
            .unwrap_or(&prov.wiring_note);
        let room = (w as i32 - x - left).max(0) as u32;
        root.draw_text(
            &fit(note, size::SUBTITLE, room),
            &text(size::SUBTITLE, ALERT, HPos::Left, VPos::Top),
            (x, y),
        )
        .dr()?;
    } else {
        let room = (w as i32 - x - left).max(0) as u32;
        let rest = if detail.is_empty() {
            prov.wiring_note.clone()
        } else {
            format!("{}  ·  {detail}", prov.wiring_note)
        };
        root.draw_text(&fit(&rest, size::SUBTITLE, room), &st, (x, y))
            .dr()?;
    }
    let mut bottom = h as i32;
    for n in notes.iter().rev() {
        bottom -= NOTE_H as i32;
        root.draw_text(
            &fit(&format!("note: {n}"), size::NOTE, w - 2 * left as u32),
            &text(size::NOTE, MUTED, HPos::Left, VPos::Top),
            (left, bottom + 4),
        )
        .dr()?;
    }
    let body = root.margin(HEADER_H, h - bottom as u32, 0, 0);
    Ok(body)
}

/// A legend symbol.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    /// A line of this width.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled box (bands, bars).
    Band(RGBColor),
    /// A filled disc.
    Dot(RGBColor),
    /// A filled square.
    Square(RGBColor),
    /// An open circle.
    Ring(RGBColor),
    /// A translucent patch with a border (food, obstacles).
    Patch(RGBColor, RGBColor),
    /// An arrow pointing right.
    Arrow(RGBColor),
}

/// Draws a legend box with its top-left corner at `at` (root pixels); returns its size.
pub fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    title: Option<&str>,
    entries: &[(Mark, String)],
) -> Result<(i32, i32), PlotError> {
    let line_h = 30;
    let sym_w = 34;
    let pad = 10;
    let wmax = entries
        .iter()
        .map(|e| text_width(&e.1, size::LEGEND) as i32)
        .chain(title.map(|t| text_width(t, size::LEGEND) as i32 - sym_w - 8))
        .max()
        .unwrap_or(0);
    let rows = entries.len() as i32 + i32::from(title.is_some());
    let (w, h) = (pad * 2 + sym_w + 8 + wmax, pad * 2 + rows * line_h);
    let (x0, y0) = at;
    root.draw(&Rectangle::new(
        [(x0, y0), (x0 + w, y0 + h)],
        RGBAColor(255, 255, 255, 0.9).filled(),
    ))
    .dr()?;
    root.draw(&Rectangle::new(
        [(x0, y0), (x0 + w, y0 + h)],
        RGBColor(190, 190, 190).stroke_width(1),
    ))
    .dr()?;
    let mut y = y0 + pad;
    if let Some(t) = title {
        root.draw_text(
            t,
            &text(size::LEGEND, INK, HPos::Left, VPos::Center),
            (x0 + pad, y + line_h / 2),
        )
        .dr()?;
        y += line_h;
    }
    for (mark, label) in entries {
        let cy = y + line_h / 2;
        let (sx0, sx1) = (x0 + pad, x0 + pad + sym_w);
        let sc = (sx0 + sx1) / 2;
        match *mark {
            Mark::Line(c, wdt) => root
                .draw(&PathElement::new(
                    vec![(sx0, cy), (sx1, cy)],
                    c.stroke_width(wdt),
                ))
                .dr()?,
            Mark::Dashed(c) => {
                for k in 0..3 {
                    let a = sx0 + k * 13;
                    root.draw(&PathElement::new(
                        vec![(a, cy), (a + 8, cy)],
                        c.stroke_width(2),
                    ))
                    .dr()?;
                }
            }
            Mark::Band(c) => root
                .draw(&Rectangle::new([(sx0, cy - 8), (sx1, cy + 8)], c.filled()))
                .dr()?,
            Mark::Dot(c) => root.draw(&Circle::new((sc, cy), 7, c.filled())).dr()?,
            Mark::Ring(c) => {
                root.draw(&Circle::new((sc, cy), 7, WHITE.filled())).dr()?;
                root.draw(&Circle::new((sc, cy), 7, c.stroke_width(3)))
                    .dr()?
            }
            Mark::Square(c) => root
                .draw(&Rectangle::new(
                    [(sc - 7, cy - 7), (sc + 7, cy + 7)],
                    c.filled(),
                ))
                .dr()?,
            Mark::Patch(fill, border) => {
                root.draw(&Rectangle::new(
                    [(sx0 + 4, cy - 9), (sx1 - 4, cy + 9)],
                    fill.filled(),
                ))
                .dr()?;
                root.draw(&Rectangle::new(
                    [(sx0 + 4, cy - 9), (sx1 - 4, cy + 9)],
                    border.stroke_width(2),
                ))
                .dr()?;
            }
            Mark::Arrow(c) => arrow(root, (sx0, cy), (sx1, cy), c, 3)?,
        }
        root.draw_text(
            label,
            &text(size::LEGEND, INK, HPos::Left, VPos::Center),
            (sx1 + 8, cy),
        )
        .dr()?;
        y += line_h;
    }
    Ok((w, h))
}

/// An arrow from `a` to `b` (root pixels) with a filled head.
pub fn arrow<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    c: RGBColor,
    width: u32,
) -> Result<(), PlotError> {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len = dx.hypot(dy).max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let head = 12.0f64.min(len * 0.6);
    let base = (b.0 as f64 - ux * head, b.1 as f64 - uy * head);
    let (px, py) = (-uy * head * 0.5, ux * head * 0.5);
    root.draw(&PathElement::new(
        vec![a, (base.0 as i32, base.1 as i32)],
        c.stroke_width(width),
    ))
    .dr()?;
    root.draw(&Polygon::new(
        vec![
            b,
            ((base.0 + px) as i32, (base.1 + py) as i32),
            ((base.0 - px) as i32, (base.1 - py) as i32),
        ],
        c.filled(),
    ))
    .dr()
}

/// The data -> pixel map of a chart with f64 axes (root pixels), as plotters computes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    /// x data range.
    pub x: (f64, f64),
    /// y data range.
    pub y: (f64, f64),
    /// Pixel columns of x.0 and x.1.
    pub px_x: (i32, i32),
    /// Pixel rows of y.0 and y.1 (y.0 is the bottom).
    pub px_y: (i32, i32),
}

impl Transform {
    /// The transform of a chart.
    pub fn of<DB: DrawingBackend>(
        chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    ) -> Transform {
        let (xr, yr) = (chart.x_range(), chart.y_range());
        let a = chart.backend_coord(&(xr.start, yr.start));
        let b = chart.backend_coord(&(xr.end, yr.end));
        Transform {
            x: (xr.start, xr.end),
            y: (yr.start, yr.end),
            px_x: (a.0, b.0),
            px_y: (a.1, b.1),
        }
    }

    fn map(v: f64, (d0, d1): (f64, f64), (p0, p1): (i32, i32)) -> i32 {
        let logic = (v - d0) / (d1 - d0);
        let len = (p1 - p0) as f64;
        if len >= 0.0 {
            p0 + (len * logic + 1e-3).floor() as i32
        } else {
            p0 + (len * logic - 1e-3).ceil() as i32
        }
    }

    /// Pixel column of `x`.
    pub fn px(&self, x: f64) -> i32 {
        Transform::map(x, self.x, self.px_x)
    }

    /// Pixel row of `y`.
    pub fn py(&self, y: f64) -> i32 {
        Transform::map(y, self.y, self.px_y)
    }

    /// Pixel of `(x, y)`.
    pub fn to_pixel(&self, x: f64, y: f64) -> (i32, i32) {
        (self.px(x), self.py(y))
    }
}

/// Dashed vertical lines at the events, over the plotting area of `t` (root pixels).
pub fn event_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Transform,
    events: &[Event],
) -> Result<(), PlotError> {
    let (top, bottom) = (t.px_y.1.min(t.px_y.0), t.px_y.1.max(t.px_y.0));
    for e in events {
        if e.at_s < t.x.0 || e.at_s > t.x.1 {
            continue;
        }
        let x = t.px(e.at_s);
        let c = event_color(&e.kind);
        let mut y = top;
        while y < bottom {
            let y1 = (y + 9).min(bottom);
            root.draw(&PathElement::new(vec![(x, y), (x, y1)], c.stroke_width(2)))
                .dr()?;
            y += 15;
        }
    }
    Ok(())
}

/// Event labels above the plotting area of `t`, in up to `rows` staggered rows so that
/// neighbours do not overlap (root pixels; the rows take 24 px each above the area).
pub fn event_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Transform,
    events: &[Event],
    rows: usize,
) -> Result<(), PlotError> {
    let top = t.px_y.1.min(t.px_y.0);
    let (left, right) = (t.px_x.0.min(t.px_x.1), t.px_x.0.max(t.px_x.1));
    let mut taken: Vec<Vec<(i32, i32)>> = vec![Vec::new(); rows.max(1)];
    let mut sorted: Vec<&Event> = events
        .iter()
        .filter(|e| e.at_s >= t.x.0 && e.at_s <= t.x.1)
        .collect();
    sorted.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    for e in sorted {
        let label = format!("{} at {} s", e.label, trim_num(e.at_s));
        let w = text_width(&label, size::LABEL) as i32;
        let x = t.px(e.at_s);
        // Centred on the line, kept inside the plot horizontally.
        let x0 = (x - w / 2).clamp(left, (right - w).max(left));
        let span = (x0 - 6, x0 + w + 6);
        let row = (0..taken.len())
            .find(|&r| taken[r].iter().all(|s| span.1 < s.0 || span.0 > s.1))
            .unwrap_or(taken.len() - 1);
        taken[row].push(span);
        let y = top - 6 - 24 * row as i32;
        let c = event_color(&e.kind);
        root.draw(&PathElement::new(vec![(x, y), (x, top)], c.stroke_width(1)))
            .dr()?;
        root.draw_text(
            &label,
            &text(size::LABEL, c, HPos::Left, VPos::Bottom),
            (x0, y - 2),
        )
        .dr()?;
    }
    Ok(())
}

/// A number without trailing zeros (`1`, `0.25`, `1.5`).
pub fn trim_num(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// Tick labels with as many decimals as the range needs (about 8 ticks).
pub fn tick_format((a, b): (f64, f64)) -> impl Fn(&f64) -> String {
    let step = ((b - a).abs() / 8.0).max(1e-12);
    let decimals = (-step.log10()).ceil().clamp(0.0, 6.0) as usize;
    move |v: &f64| {
        let s = format!("{v:.decimals$}");
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            "0".into()
        } else {
            s
        }
    }
}

/// A 2-d chart on `area` with f64 axes (about `x_ticks`, `y_ticks` tick labels) and the common mesh style (light grid, labelled
/// axes, tick labels in the embedded font).
#[allow(clippy::too_many_arguments)]
pub fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
    x_desc: Option<&str>,
    y_desc: &str,
    y_label_w: u32,
    x_label_h: u32,
    (x_ticks, y_ticks): (usize, usize),
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, PlotError> {
    let mut c = ChartBuilder::on(area)
        .margin(6)
        .x_label_area_size(x_label_h)
        .y_label_area_size(y_label_w)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .dr()?;
    let tick = text(size::TICK, INK, HPos::Center, VPos::Top);
    let (fx, fy) = (tick_format(x), tick_format(y));
    let mut mesh = c.configure_mesh();
    mesh.light_line_style(GRID.mix(0.0))
        .bold_line_style(GRID)
        .axis_style(MUTED.stroke_width(1))
        .x_labels(x_ticks)
        .y_labels(y_ticks)
        .x_label_style(tick.clone())
        .y_label_style(text(size::TICK, INK, HPos::Right, VPos::Center))
        .y_desc(y_desc)
        .axis_desc_style(text(size::AXIS, INK, HPos::Center, VPos::Top))
        .x_label_formatter(&fx)
        .y_label_formatter(&fy);
    if x_label_h == 0 {
        mesh.x_labels(0);
    }
    if let Some(d) = x_desc {
        mesh.x_desc(d);
    }
    mesh.draw().dr()?;
    Ok(c)
}
