//! The spike raster: one row per recorded neuron, grouped by the experiment's
//! `reports.spikes` selections (resolved on the run's connectome, so silent neurons keep
//! their empty row), time on x, events marked. A small group still gets a readable share
//! of the height.

use std::collections::HashMap;

use connectome::select::Selector;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{Event, RunData, Spikes, read_spikes};
use super::ethogram::run_frame;
use super::style::{self, DrawResult, MUTED, Mark, Transform, series_color, size};
use super::{Figure, PlotError};

/// Most spikes drawn; beyond it every k-th is drawn and the figure says so.
const MAX_DRAWN: usize = 150_000;

/// A group of rows.
struct Group {
    label: String,
    ids: Vec<u64>,
    /// Runs of rows by side (`left`, `right`, ...) when the dataset annotates sides.
    sides: Vec<(String, usize)>,
}

/// The raster figure of a run.
pub struct Raster<'a> {
    run: &'a RunData,
    spikes: Spikes,
    groups: Vec<Group>,
    events: Vec<Event>,
    end_s: f64,
    /// Caveats (how the rows were grouped).
    pub notes: Vec<String>,
}

impl<'a> Raster<'a> {
    /// Reads `spikes.parquet` and groups its neurons by the experiment's selections.
    pub fn new(run: &'a RunData) -> Result<Raster<'a>, PlotError> {
        let spikes = read_spikes(&run.dir.join("spikes.parquet"))?;
        let mut notes = Vec::new();
        let groups = match selection_groups(run) {
            Ok(Some(g)) => g,
            Ok(None) => Vec::new(),
            Err(e) => {
                notes.push(format!(
                    "raster rows not grouped by selection ({}): neurons by id",
                    crate::error_chain(&e)
                ));
                Vec::new()
            }
        };
        let mut groups = groups;
        let known: std::collections::HashSet<u64> =
            groups.iter().flat_map(|g| g.ids.iter().copied()).collect();
        let mut other: Vec<u64> = spikes
            .neuron
            .iter()
            .copied()
            .filter(|id| !known.contains(id))
            .collect();
        other.sort_unstable();
        other.dedup();
        if !other.is_empty() {
            groups.push(Group {
                label: if groups.is_empty() {
                    "recorded neurons".into()
                } else {
                    "other".into()
                },
                ids: other,
                sides: Vec::new(),
            });
        }
        if spikes.neuron.len() > MAX_DRAWN {
            notes.push(format!(
                "raster shows every {}th of {} spikes",
                spikes.neuron.len().div_ceil(MAX_DRAWN),
                spikes.neuron.len()
            ));
        }
        Ok(Raster {
            end_s: run.duration_s()?,
            run,
            spikes,
            groups,
            events: run.events(),
            notes,
        })
    }
}

/// The experiment's `reports.spikes` selections on the run's connectome: each neuron in the
/// first selection that holds it, sorted by side (when annotated) then id. `None` when the
/// experiment records no selection.
fn selection_groups(run: &RunData) -> Result<Option<Vec<Group>>, PlotError> {
    let Some(exp) = &run.experiment else {
        return Err(PlotError::NoExperimentFile);
    };
    if exp.reports.spikes.is_empty() {
        return Ok(None);
    }
    let source = exp.dataset_source();
    let loaded = source.load_unshuffled(&exp.resolve(&exp.network.connectome))?;
    let neurons = &loaded.connectome.neurons;
    let ids = neurons.ids();
    let side = neurons.column("side").is_some();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for sel in &exp.reports.spikes {
        let selection = |source| PlotError::Selection {
            selector: sel.clone(),
            source,
        };
        let s = Selector::parse(sel).map_err(selection)?;
        let mut idx = s.select(neurons).map_err(selection)?;
        idx.retain(|i| seen.insert(*i));
        idx.sort_by(|a, b| {
            let key = |i: &connectome::NeuronIndex| {
                (
                    if side {
                        neurons.annotation(*i, "side").to_owned()
                    } else {
                        String::new()
                    },
                    ids[*i as usize],
                )
            };
            key(a).cmp(&key(b))
        });
        let mut sides: Vec<(String, usize)> = Vec::new();
        if side {
            for i in &idx {
                let s = neurons.annotation(*i, "side");
                match sides.last_mut() {
                    Some(l) if l.0 == s => l.1 += 1,
                    _ => sides.push((s.to_owned(), 1)),
                }
            }
        }
        out.push(Group {
            label: sel.clone(),
            ids: idx.iter().map(|&i| ids[i as usize]).collect(),
            sides,
        });
    }
    Ok(Some(out))
}

impl Figure for Raster<'_> {
    type Layout = ();

    fn size(&self) -> (u32, u32) {
        (1600, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let body = run_frame(root, "Spike raster", self.run, &self.notes)?;
        let (bw, _) = body.dim_in_pixel();
        let legend_w = 500;
        let (main, _) = body.split_horizontally(bw - legend_w);
        let main = main.margin(56, 0, 0, 0);
        // Row positions: each group gets at least 7% of the height.
        let total: usize = self.groups.iter().map(|g| g.ids.len()).sum();
        let min_share = 0.07 * total.max(1) as f64;
        let weights: Vec<f64> = self
            .groups
            .iter()
            .map(|g| (g.ids.len() as f64).max(min_share))
            .collect();
        let height: f64 = weights.iter().sum::<f64>().max(1.0);
        let mut row_of: HashMap<u64, (f64, f64)> = HashMap::new(); // id -> (y centre, row h)
        let mut spans = Vec::new();
        let mut top = height;
        for (g, w) in self.groups.iter().zip(&weights) {
            let step = w / g.ids.len().max(1) as f64;
            for (k, id) in g.ids.iter().enumerate() {
                row_of.insert(*id, (top - (k as f64 + 0.5) * step, step));
            }
            spans.push((top - w, top));
            top -= w;
        }
        let x = (0.0, self.end_s);
        let y_label_w = 250;
        let c = style::chart(
            &main,
            x,
            (0.0, height),
            Some("time (s)"),
            "",
            y_label_w,
            64,
            (10, 0),
        )?;
        let tr = Transform::of(&c);
        let pa = c.plotting_area();
        for (i, ((y0, y1), g)) in spans.iter().zip(&self.groups).enumerate() {
            if i % 2 == 1 {
                pa.draw(&Rectangle::new(
                    [(x.0, *y0), (x.1, *y1)],
                    RGBColor(246, 246, 246).filled(),
                ))
                .dr()?;
            }
            let yc = tr.py((y0 + y1) / 2.0);
            let col = series_color(i);
            root.draw_text(
                &style::fit(&g.label, size::AXIS, y_label_w - 30),
                &style::text(size::AXIS, col, HPos::Right, VPos::Bottom),
                (tr.px_x.0 - 14, yc),
            )
            .dr()?;
            root.draw_text(
                &format!("{} neurons", g.ids.len()),
                &style::text(size::LABEL, MUTED, HPos::Right, VPos::Top),
                (tr.px_x.0 - 14, yc + 2),
            )
            .dr()?;
            // Side runs: a faint line between them, their name at the right edge.
            if g.sides.len() > 1 {
                let step = (y1 - y0) / g.ids.len().max(1) as f64;
                let mut top = *y1;
                for (k, (name, n)) in g.sides.iter().enumerate() {
                    let bottom = top - *n as f64 * step;
                    if k > 0 {
                        let y = tr.py(top);
                        root.draw(&PathElement::new(
                            vec![(tr.px_x.0, y), (tr.px_x.1, y)],
                            RGBColor(200, 200, 200).stroke_width(1),
                        ))
                        .dr()?;
                    }
                    let label = if name.is_empty() { "no side" } else { name };
                    root.draw_text(
                        label,
                        &style::text(size::LABEL, MUTED, HPos::Left, VPos::Center),
                        (tr.px_x.1 + 8, tr.py((top + bottom) / 2.0)),
                    )
                    .dr()?;
                    top = bottom;
                }
            }
            if i > 0 {
                let y = tr.py(*y1);
                root.draw(&PathElement::new(
                    vec![(tr.px_x.0, y), (tr.px_x.1, y)],
                    MUTED.stroke_width(1),
                ))
                .dr()?;
            }
        }
        // Spikes as short vertical ticks, drawn in pixels.
        let group_of: HashMap<u64, usize> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, grp)| grp.ids.iter().map(move |id| (*id, g)))
            .collect();
        let every = self.spikes.neuron.len().div_ceil(MAX_DRAWN).max(1);
        let mut counts = vec![0usize; self.groups.len()];
        for (k, (id, t)) in self.spikes.neuron.iter().zip(&self.spikes.t_ms).enumerate() {
            let (Some(&(yc, h)), Some(&g)) = (row_of.get(id), group_of.get(id)) else {
                continue;
            };
            counts[g] += 1;
            if k % every != 0 {
                continue;
            }
            let xp = tr.px(t / 1000.0);
            let (ya, yb) = (tr.py(yc + 0.4 * h), tr.py(yc - 0.4 * h));
            let (ya, yb) = if yb - ya < 2 {
                (ya - 1, ya + 1)
            } else {
                (ya, yb)
            };
            root.draw(&Rectangle::new(
                [(xp, ya), (xp + 1, yb)],
                series_color(g).filled(),
            ))
            .dr()?;
        }
        if self.spikes.neuron.is_empty() {
            let why = match &self.run.experiment {
                Some(e) if e.reports.spikes.is_empty() => {
                    "no spikes recorded: the experiment's [reports] spikes list is empty"
                }
                Some(_) => "no spikes recorded: none of the recorded neurons fired",
                None => "no spikes in spikes.parquet",
            };
            root.draw_text(
                why,
                &style::text(size::AXIS, MUTED, HPos::Center, VPos::Center),
                ((tr.px_x.0 + tr.px_x.1) / 2, (tr.px_y.0 + tr.px_y.1) / 2),
            )
            .dr()?;
        }
        style::event_lines(root, &tr, &self.events)?;
        style::event_labels(root, &tr, &self.events, 2)?;
        // Legend: spikes and mean rate per group.
        let dur = self.end_s.max(1e-9);
        let entries: Vec<(Mark, String)> = self
            .groups
            .iter()
            .zip(&counts)
            .enumerate()
            .map(|(i, (g, n))| {
                let rate = *n as f64 / (g.ids.len().max(1) as f64 * dur);
                (
                    Mark::Square(series_color(i)),
                    style::fit(
                        &format!("{}: {n} spikes, {rate:.1} Hz", g.label),
                        size::LEGEND,
                        legend_w - 150,
                    ),
                )
            })
            .collect();
        if !entries.is_empty() {
            style::legend(
                root,
                (tr.px_x.1 + 70, tr.px_y.1),
                Some("recorded: spikes, mean rate per neuron"),
                &entries,
            )?;
        }
        Ok(())
    }
}
