//! Paths of a sweep: one panel per grid point with every run of that point drawn over the
//! arena (green: the run found food; grey: it did not), the food and the start, so that the
//! search is seen at a glance. Drawn for sweeps whose scene has food.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{RunData, csv_column};
use super::style::{self, DrawResult, INK, MUTED, size, trim_num};
use super::{Figure, PlotError};
use crate::world::Scene;

const FOUND: RGBColor = RGBColor(0, 140, 90);
const MISSED: RGBColor = RGBColor(150, 150, 150);
const FOOD_FILL: RGBColor = RGBColor(191, 231, 220);
const PANEL: u32 = 330;
const PANEL_TITLE_H: u32 = 78;
const LABEL_SIZE: f64 = 15.0;
const MAX_PANELS: usize = 48;

/// One grid point: its label, its runs' paths and whether each found food.
struct Panel {
    label: Vec<String>,
    runs: Vec<(Vec<(f64, f64)>, bool)>,
    scene: Option<Scene>,
}

/// The figure.
pub struct SweepPaths {
    panels: Vec<Panel>,
    cols: u32,
    /// Caveats (runs that could not be read).
    pub notes: Vec<String>,
}

/// Shortens a swept value for a panel label: a path becomes its file name.
fn short(value: &str) -> String {
    let v = value.trim_matches('"');
    match v.rsplit_once('/') {
        Some((_, name)) if !name.is_empty() => name.to_string(),
        _ => v.to_string(),
    }
}

impl SweepPaths {
    /// Reads `runs.csv` and every listed run's timeline and scene; `None` when the sweep's
    /// runs have no food in their scene (nothing to search for).
    pub fn read(dir: &Path) -> Result<Option<SweepPaths>, PlotError> {
        let path = dir.join(crate::sweep::RUNS_CSV);
        let (mut r, header) = crate::record::table::open(&path)?;
        let col = |name: &str| csv_column(&header, name, &path);
        let (id, point, seed, found) = (
            col("run_id")?,
            col("point")?,
            col("seed")?,
            col("found_food")?,
        );
        let axes: Vec<usize> = (point + 1..seed).collect();
        let mut by_point: BTreeMap<usize, Panel> = BTreeMap::new();
        let mut notes = Vec::new();
        for (i, row) in r.records().enumerate() {
            let line = i as u64 + 2;
            let row = row.map_err(|source| crate::record::RecordError::CsvLine {
                path: path.clone(),
                line,
                source,
            })?;
            let k: usize = row[point].parse().map_err(|_| PlotError::NotANumber {
                path: path.clone(),
                line,
                column: header[point].clone(),
                found: row[point].to_owned(),
            })?;
            let run = match RunData::read(&dir.join(crate::sweep::RUNS_DIR).join(&row[id])) {
                Ok(run) => run,
                Err(e) => {
                    notes.push(format!(
                        "run {} left out: {}",
                        &row[id],
                        crate::error_chain(&e)
                    ));
                    continue;
                }
            };
            let xy = run
                .timeline
                .rows()?
                .iter()
                .map(|r| (r.x_m, r.y_m))
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect();
            let panel = by_point.entry(k).or_insert_with(|| Panel {
                label: axes
                    .iter()
                    .map(|&a| format!("{} = {}", header[a], short(&row[a])))
                    .collect(),
                runs: Vec::new(),
                scene: run.scene().ok().flatten(),
            });
            panel.runs.push((xy, &row[found] == "1"));
        }
        let panels: Vec<Panel> = by_point.into_values().collect();
        if !panels
            .iter()
            .any(|p| p.scene.as_ref().is_some_and(|s| !s.food.is_empty()))
        {
            return Ok(None);
        }
        if panels.len() > MAX_PANELS {
            return Err(PlotError::TooManyPanels {
                path,
                points: panels.len(),
                max: MAX_PANELS,
            });
        }
        let cols = (panels.len() as f64).sqrt().ceil().max(1.0) as u32;
        Ok(Some(SweepPaths {
            panels,
            cols,
            notes,
        }))
    }

    fn rows(&self) -> u32 {
        (self.panels.len() as u32).div_ceil(self.cols)
    }
}

impl Figure for SweepPaths {
    type Layout = usize;

    fn size(&self) -> (u32, u32) {
        (
            self.cols * PANEL + 40,
            style::HEADER_H + self.rows() * (PANEL + PANEL_TITLE_H) + 60,
        )
    }

    /// Returns the number of panels drawn.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<usize, PlotError> {
        root.fill(&WHITE).dr()?;
        let total: usize = self.panels.iter().map(|p| p.runs.len()).sum();
        let found: usize = self
            .panels
            .iter()
            .map(|p| p.runs.iter().filter(|r| r.1).count())
            .sum();
        root.draw_text(
            "Paths of every run, by grid point",
            &style::text(size::TITLE, INK, HPos::Left, VPos::Top),
            (20, 16),
        )
        .dr()?;
        root.draw_text(
            &format!(
                "green: found food ({found} of {total} runs); grey: did not; ring: start; \
                 filled circle: food"
            ),
            &style::text(size::SUBTITLE, MUTED, HPos::Left, VPos::Top),
            (20, 60),
        )
        .dr()?;
        for (i, p) in self.panels.iter().enumerate() {
            let (c, r) = (i as u32 % self.cols, i as u32 / self.cols);
            let x0 = 20 + c * PANEL;
            let y0 = style::HEADER_H + r * (PANEL + PANEL_TITLE_H);
            let k = p.runs.iter().filter(|r| r.1).count();
            let mut lines = p.label.clone();
            lines.push(format!("{k} of {} found food", p.runs.len()));
            for (j, l) in lines.iter().enumerate().take(4) {
                root.draw_text(
                    &style::fit(l, LABEL_SIZE, PANEL - 10),
                    &style::text(LABEL_SIZE, INK, HPos::Left, VPos::Top),
                    (x0 as i32, (y0 + 2 + 18 * j as u32) as i32),
                )
                .dr()?;
            }
            let area = root
                .clone()
                .shrink((x0, y0 + PANEL_TITLE_H), (PANEL - 16, PANEL - 16));
            let h = p.scene.as_ref().map_or(2.0, |s| s.arena.half_size as f64);
            let mut chart = ChartBuilder::on(&area)
                .build_cartesian_2d(-h..h, -h..h)
                .dr()?;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(-h, -h), (h, h)],
                    ShapeStyle::from(&INK).stroke_width(2),
                )))
                .dr()?;
            if let Some(s) = &p.scene {
                let px_per_m = (PANEL - 16) as f64 / (2.0 * h);
                for f in &s.food {
                    let r = (f.radius as f64 * px_per_m).max(3.0) as i32;
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            (f.position[0] as f64, f.position[1] as f64),
                            r,
                            FOOD_FILL.filled(),
                        )))
                        .dr()?;
                }
            }
            // Runs that missed first, so that the found ones stay visible on top.
            for want in [false, true] {
                for (xy, hit) in p.runs.iter().filter(|r| r.1 == want) {
                    let color = if *hit { FOUND } else { MISSED };
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            xy.clone(),
                            color.stroke_width(2),
                        )))
                        .dr()?;
                    if let Some(&s) = xy.first() {
                        chart
                            .draw_series(std::iter::once(Circle::new(s, 5, INK.stroke_width(2))))
                            .dr()?;
                    }
                }
            }
        }
        root.draw_text(
            &format!("arena squares drawn to scale ({} m across)", {
                let h = self.panels[0]
                    .scene
                    .as_ref()
                    .map_or(2.0, |s| s.arena.half_size as f64);
                trim_num(2.0 * h)
            }),
            &style::text(size::NOTE, MUTED, HPos::Left, VPos::Top),
            (
                20,
                (style::HEADER_H + self.rows() * (PANEL + PANEL_TITLE_H) + 20) as i32,
            ),
        )
        .dr()?;
        Ok(self.panels.len())
    }
}
