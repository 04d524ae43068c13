//! `hexafly plot`: the loom experiment (loom_escape.toml, cut short) is run into a temporary folder and
//! plotted; the PNGs are decoded and checked for what they must show:
//! - none is blank or one colour;
//! - the trajectory has pixels of each behaviour's colour where the path runs (the path's
//!   metres mapped to pixels with the transform the plot used), and every escape-coloured
//!   pixel of the enlarged panel lies on the path;
//! - the ethogram has the escape colour in the escape row after the loom and never before;
//! - the SVGs hold the titles and the dataset, and "SYNTHETIC wiring" exactly when the
//!   summary says the wiring is synthetic (a shuffled run);
//! - errors name the file and what is missing;
//! - a small sweep's figure has each series' marker at its mean and its 95% CI.

use std::path::{Path, PathBuf};

use super::common::assets;
use sim::experiment::{Experiment, run};
use sim::plot::style::behaviour_color;
use sim::plot::{Format, PlotParams, plot};
use sim::sweep::{SweepSpec, run_sweep};

/// The loom experiment with its duration, loom time and extra lines changed, parsed as
/// the shipped file (so its relative paths resolve).
fn loom_text(duration_s: f64, loom_s: f64, network_extra: &str) -> (String, PathBuf) {
    let file = assets().join("experiments/loom_escape.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let l = match line.split('=').next().map(str::trim) {
            Some("duration_s") => format!("duration_s = {duration_s}"),
            Some("at_s") => format!("at_s = {loom_s}"),
            Some("circuit") => format!("{line}\n{network_extra}"),
            _ => line.to_owned(),
        };
        out.push_str(&l);
        out.push('\n');
    }
    (out, file)
}

fn experiment(duration_s: f64, loom_s: f64, network_extra: &str) -> Experiment {
    let (text, file) = loom_text(duration_s, loom_s, network_extra);
    Experiment::parse(&text, &file).unwrap()
}

struct Image {
    w: u32,
    h: u32,
    rgb: Vec<u8>,
}

impl Image {
    fn read(path: &Path) -> Image {
        let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        buf.truncate(info.buffer_size());
        Image {
            w: info.width,
            h: info.height,
            rgb: buf,
        }
    }

    fn at(&self, x: i32, y: i32) -> Option<[u8; 3]> {
        if x < 0 || y < 0 || x as u32 >= self.w || y as u32 >= self.h {
            return None;
        }
        let i = (y as usize * self.w as usize + x as usize) * 3;
        Some([self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }

    /// True when a pixel within `r` of (x, y) has exactly colour `c`.
    fn near(&self, (x, y): (i32, i32), r: i32, c: [u8; 3]) -> bool {
        (-r..=r).any(|dx| (-r..=r).any(|dy| self.at(x + dx, y + dy) == Some(c)))
    }

    /// Distinct colours and the fraction of non-white pixels.
    fn stats(&self) -> (usize, f64) {
        let mut seen = std::collections::HashSet::new();
        let mut ink = 0usize;
        for p in self.rgb.chunks_exact(3) {
            seen.insert([p[0], p[1], p[2]]);
            if p != [255, 255, 255] {
                ink += 1;
            }
        }
        (seen.len(), ink as f64 / (self.w * self.h) as f64)
    }
}

fn rgb(b: &str) -> [u8; 3] {
    let c = behaviour_color(b);
    [c.0, c.1, c.2]
}

/// Timeline rows: (t, behaviour, x, y).
fn timeline(dir: &Path) -> Vec<(f64, String, f64, f64)> {
    let mut r = csv::Reader::from_path(dir.join("timeline.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (t, b, x, y) = (col("t_s"), col("behaviour"), col("x_m"), col("y_m"));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[t].parse().unwrap(),
                rec[b].to_owned(),
                rec[x].parse().unwrap(),
                rec[y].parse().unwrap(),
            )
        })
        .collect()
}

fn dist_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let l2 = dx * dx + dy * dy;
    let s = if l2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / l2).clamp(0.0, 1.0)
    };
    ((p.0 - a.0 - s * dx).powi(2) + (p.1 - a.1 - s * dy).powi(2)).sqrt()
}

#[test]
fn run_folder_figures_show_the_data() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let loom_s = 0.4;
    let summary = run(&experiment(1.2, loom_s, ""), &dir).unwrap();
    assert!(!summary.synthetic_wiring);
    let report = plot(&dir, &PlotParams::default()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let out = dir.join("plots");
    assert_eq!(report.out, out);
    for name in ["ethogram", "trajectory", "readouts", "raster"] {
        for ext in ["png", "svg"] {
            let f = out.join(format!("{name}.{ext}"));
            assert!(report.files.contains(&f), "{} not reported", f.display());
            assert!(f.exists(), "{} missing", f.display());
        }
        let img = Image::read(&out.join(format!("{name}.png")));
        let (colours, ink) = img.stats();
        assert!(colours > 20, "{name}.png has {colours} colours");
        assert!(
            ink > 0.03,
            "{name}.png is nearly blank ({ink:.3} non-white)"
        );
    }
    // No temporary files left behind by the atomic writes.
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 8, "{names:?}");

    // SVG: titles and the dataset, no synthetic label on the real wiring.
    for (name, title) in [
        ("ethogram", "Ethogram"),
        ("trajectory", "Trajectory"),
        ("readouts", "Readouts and internal state"),
        ("raster", "Spike raster"),
    ] {
        let svg = std::fs::read_to_string(out.join(format!("{name}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{name}.svg");
        assert!(svg.contains(title), "{name}.svg lacks its title");
        assert!(
            svg.contains("dataset: flywire783_escape/escape_LC4_LPLC2_to_GF_edges.csv"),
            "{name}.svg does not name the dataset"
        );
        assert!(
            !svg.contains("SYNTHETIC"),
            "{name}.svg: real wiring marked synthetic"
        );
    }

    let rows = timeline(&dir);
    // Trajectory: each row's position, mapped with the plot's own transform, has its
    // behaviour's colour within the line's width (rows under the start, end and loom markers
    // are skipped).
    let img = Image::read(&out.join("trajectory.png"));
    let lay = report.trajectory.as_ref().unwrap();
    let tr = lay.path();
    assert!(
        lay.zoom.is_some(),
        "a short escape path gets an enlarged panel"
    );
    let px = |x: f64, y: f64| tr.to_pixel(x, y);
    let start = px(rows[0].2, rows[0].3);
    let end = px(rows.last().unwrap().2, rows.last().unwrap().3);
    let loom_row = rows.iter().find(|r| r.0 >= loom_s).unwrap();
    let loom = px(loom_row.2, loom_row.3);
    let clear = |p: (i32, i32)| {
        [start, end, loom]
            .iter()
            .all(|m| (m.0 - p.0).abs().max((m.1 - p.1).abs()) > 16)
    };
    let r = lay.line_px as i32;
    let mut checked = std::collections::BTreeMap::<String, (usize, usize)>::new();
    for (_, b, x, y) in &rows {
        let p = px(*x, *y);
        if !clear(p) {
            continue;
        }
        let e = checked.entry(b.clone()).or_default();
        e.0 += 1;
        if img.near(p, r, rgb(b)) {
            e.1 += 1;
        }
    }
    let (n, hit) = checked.get("escape").copied().unwrap_or_default();
    assert!(
        n >= 10,
        "too few escape rows away from the markers: {checked:?}"
    );
    for (b, (n, hit)) in &checked {
        assert!(
            *hit as f64 >= 0.95 * *n as f64,
            "{b}: {hit} of {n} path points have the colour"
        );
    }
    assert!(hit > 0);
    // And the escape colour is only on the path: every such pixel of the enlarged panel is
    // within the line's width of a path segment.
    let pts: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| {
            let p = px(r.2, r.3);
            (p.0 as f64, p.1 as f64)
        })
        .collect();
    let (x0, x1) = (tr.px_x.0.min(tr.px_x.1), tr.px_x.0.max(tr.px_x.1));
    let (y0, y1) = (tr.px_y.0.min(tr.px_y.1), tr.px_y.0.max(tr.px_y.1));
    let mut on_path = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            if img.at(x, y) == Some(rgb("escape")) {
                let p = (x as f64, y as f64);
                let d = pts
                    .windows(2)
                    .map(|w| dist_to_segment(p, w[0], w[1]))
                    .fold(f64::MAX, f64::min);
                assert!(
                    d <= r as f64 + 2.0,
                    "escape-coloured pixel ({x}, {y}) off the path by {d:.1} px"
                );
                on_path += 1;
            }
        }
    }
    assert!(
        on_path > 50,
        "{on_path} escape-coloured pixels in the enlarged panel"
    );

    // Ethogram: escape colour in the escape row after the loom, none before it; stand before.
    let img = Image::read(&out.join("ethogram.png"));
    let lay = report.ethogram.as_ref().unwrap();
    let esc_y = lay.row_center_px("escape").unwrap();
    let stand_y = lay.row_center_px("stand").unwrap();
    let t = &lay.transform;
    assert_eq!(img.at(t.px(loom_s + 0.1), esc_y), Some(rgb("escape")));
    assert_eq!(img.at(t.px(loom_s + 0.3), esc_y), Some(rgb("escape")));
    assert_eq!(img.at(t.px(loom_s - 0.1), stand_y), Some(rgb("stand")));
    for x in t.px(0.0) + 1..t.px(loom_s) - 2 {
        assert_ne!(
            img.at(x, esc_y),
            Some(rgb("escape")),
            "escape before the loom at x={x}"
        );
    }

    // Errors name the file and what is missing.
    let bad = tmp.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    for f in ["summary.json", "spikes.parquet"] {
        std::fs::copy(dir.join(f), bad.join(f)).unwrap();
    }
    let text = std::fs::read_to_string(dir.join("timeline.csv")).unwrap();
    std::fs::write(
        bad.join("timeline.csv"),
        text.replacen("behaviour", "behavior", 1),
    )
    .unwrap();
    let r = plot(&bad, &PlotParams::default()).unwrap();
    let eth = r
        .errors
        .iter()
        .find(|e| e.0 == "ethogram")
        .expect("ethogram fails");
    assert!(
        eth.1.contains("timeline.csv") && eth.1.contains("no `behaviour` column"),
        "{}",
        eth.1
    );
    // The raster does not need the behaviour column.
    assert!(r.files.iter().any(|f| f.ends_with("raster.png")));
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let e = sim::error_chain(&plot(&empty, &PlotParams::default()).unwrap_err());
    assert!(
        e.contains("neither a run folder") && e.contains("sweep folder"),
        "{e}"
    );
    std::fs::remove_file(bad.join("summary.json")).unwrap();
    let e = sim::error_chain(&plot(&bad, &PlotParams::default()).unwrap_err());
    assert!(e.contains("summary.json"), "{e}");
}

#[test]
fn synthetic_wiring_is_labelled_and_the_scene_is_optional() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    // A degree-preserving shuffle: the null model, synthetic wiring.
    let s = run(&experiment(0.3, 0.1, "shuffle = 7"), &dir).unwrap();
    assert!(s.synthetic_wiring);
    let opts = PlotParams {
        format: Format::Svg,
        ..PlotParams::default()
    };
    let report = plot(&dir, &opts).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.files.len(), 4);
    for f in &report.files {
        assert_eq!(f.extension().unwrap(), "svg");
        let svg = std::fs::read_to_string(f).unwrap();
        assert!(
            svg.contains("SYNTHETIC wiring"),
            "{} lacks the label",
            f.display()
        );
    }
    // The experiment file gone: still plotted, without the scene, and the figure says so.
    let summary = dir.join("summary.json");
    let text = std::fs::read_to_string(&summary).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["experiment"] = serde_json::Value::String(tmp.path().join("gone.toml").display().to_string());
    std::fs::write(&summary, serde_json::to_string(&v).unwrap()).unwrap();
    let plots = tmp.path().join("plots2");
    let report = plot(
        &dir,
        &PlotParams {
            out: Some(plots.clone()),
            format: Format::Png,
            ..PlotParams::default()
        },
    )
    .unwrap();
    assert_eq!(report.out, plots);
    assert!(report.files.iter().any(|f| f.ends_with("trajectory.png")));
    assert!(
        report.notes.iter().any(|n| n.contains("gone.toml")),
        "{:?}",
        report.notes
    );
}

#[test]
fn sweep_figure_shows_means_and_intervals() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let (text, file) = loom_text(0.3, 0.1, "");
    let spec = SweepSpec::parse(
        &text,
        &file,
        &["events.0.side=left,right".to_owned()],
        Some("1,2"),
    )
    .unwrap();
    let done = run_sweep(&spec, &out, &sim::sweep::SweepParams::default()).unwrap();
    assert!(done.failed.is_empty(), "{:?}", done.failed);
    let report = plot(&out, &PlotParams::default()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let png = out.join("plots/sweep_time_in_behaviour.png");
    assert!(report.files.contains(&png));
    assert!(out.join("plots/sweep_time_in_behaviour.svg").exists());
    let svg = std::fs::read_to_string(out.join("plots/sweep_time_in_behaviour.svg")).unwrap();
    assert!(svg.contains("Time in each behaviour") && svg.contains("dataset: flywire783_escape"));
    let img = Image::read(&png);
    assert!(img.stats().0 > 20);
    let (_, lay) = report
        .sweep
        .iter()
        .find(|s| s.0 == "sweep_time_in_behaviour")
        .unwrap();
    // Each behaviour's marker at its mean, its interval's ends in its colour.
    let mut r = csv::Reader::from_path(out.join("aggregate.csv")).unwrap();
    let mut checked = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let (point, figure) = (rec[0].parse::<usize>().unwrap(), &rec[2]);
        let Some(b) = figure
            .strip_prefix("time_")
            .and_then(|f| f.strip_suffix("_s"))
            .filter(|b| {
                controller::arbiter::Behaviour::ALL
                    .iter()
                    .any(|x| x.as_str() == *b)
            })
        else {
            continue;
        };
        let mean: f64 = rec[4].parse().unwrap();
        let Some(off) = lay.offsets.iter().find(|o| o.0 == b).map(|o| o.1) else {
            assert_eq!(mean, 0.0, "{b} has time but no series");
            continue;
        };
        let x = lay.x[point] + off;
        let c = rgb(b);
        assert!(
            img.near(lay.transform.to_pixel(x, mean), 2, c),
            "{b} mean at point {point}"
        );
        let (lo, hi): (f64, f64) = (rec[6].parse().unwrap(), rec[7].parse().unwrap());
        assert!(
            img.near(lay.transform.to_pixel(x, lo), 2, c),
            "{b} ci low at point {point}"
        );
        assert!(
            img.near(lay.transform.to_pixel(x, hi), 2, c),
            "{b} ci high at point {point}"
        );
        checked += 1;
    }
    assert!(checked >= 4, "{checked} series points checked");
    // A named figure, and an unknown one is an error listing the figures.
    let r = plot(
        &out,
        &PlotParams {
            figures: vec!["escaped".into()],
            format: Format::Png,
            ..PlotParams::default()
        },
    )
    .unwrap();
    assert!(r.files.iter().any(|f| f.ends_with("sweep_escaped.png")));
    let e = sim::error_chain(
        &plot(
            &out,
            &PlotParams {
                figures: vec!["nonsense".into()],
                ..PlotParams::default()
            },
        )
        .unwrap_err(),
    );
    assert!(
        e.contains("aggregate.csv") && e.contains("no figure `nonsense`") && e.contains("escaped"),
        "{e}"
    );
}
