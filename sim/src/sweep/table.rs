//! The sweep's tables, always rebuilt from the run folders: `runs.csv` (one row per finished
//! run), `aggregate.csv` (per grid point and figure: n, mean, sd, 95% CI) and `timing.csv`
//! (wall-clock figures, kept apart so the other two are byte-identical for the same sweep
//! whatever the thread count, completion order, interruptions or sharding).
//!
//! Rebuilding from `runs/*/summary.json` instead of appending rows is what makes resume and
//! merge safe: a run is in the tables exactly when its folder holds a complete summary, so a
//! killed sweep can neither lose a finished run nor write one twice, and `hexafly sweep
//! merge` is the same function a local sweep ends with.

use std::path::Path;

use super::SweepError;
use crate::record::RecordError;
use controller::arbiter::Behaviour;

use super::plan::{Plan, RunPlan};
use super::stats::stats;
use crate::record::{EventOnsets, Status, Summary, write_atomic};

/// `schema` of a run's summary.json.
pub use crate::record::folder::RUN_SCHEMA;

/// A figure's cell text (as the summary wrote it) and its value.
type Cell = Option<(String, f64)>;

/// Names of the figures, in column order (documented in README.md, "Sweeps").
pub fn figure_names() -> Vec<String> {
    let mut out = vec!["duration_s".to_string()];
    out.extend(
        Behaviour::ALL
            .iter()
            .map(|b| format!("time_{}_s", b.as_str())),
    );
    out.extend(
        Behaviour::ALL
            .iter()
            .map(|b| format!("bouts_{}", b.as_str())),
    );
    out.extend(
        [
            "escaped",
            "distance_m",
            "path_length_m",
            "food_eaten",
            "found_food",
            "time_to_food_s",
            "wall_contact_s",
            "brain_spikes",
            "switches",
        ]
        .map(String::from),
    );
    out.extend(
        Behaviour::ALL
            .iter()
            .map(|b| format!("onset_{}_s", b.as_str())),
    );
    out.extend(
        [
            "loom_gf_spike_s",
            "loom_escape_command_s",
            "loom_lift_off_s",
            "loom_heading_change_rad",
            "loom_forward_m",
            "loom_leftward_m",
        ]
        .map(String::from),
    );
    out
}

/// A number's cell: its text as `summary.json` writes it (serde_json: the shortest text
/// that reads back as the same number of its type), and the value that text reads as.
fn num<T: serde::Serialize>(x: T) -> Cell {
    let text = serde_json::to_string(&x).ok()?;
    let value = text.parse::<f64>().ok()?;
    Some((text, value))
}

fn flag(b: bool) -> Cell {
    Some((u8::from(b).to_string(), f64::from(u8::from(b))))
}

/// The figures of one summary, in [`figure_names`] order (None: not applicable, e.g. no
/// loom, or no onset of that behaviour).
///
/// - `time_B_s`: seconds in behaviour B (0 when never shown);
/// - `bouts_B`: how many times B started (0 when never shown);
/// - `escaped`: 1 when any time was spent escaping, else 0 (its mean is an escape rate);
/// - `found_food`: 1 when a taste organ touched a food source, else 0 (its mean is a success
///   rate); `time_to_food_s`: when it first did (empty if never);
/// - `wall_contact_s`: seconds walking with the head or body against a wall or obstacle;
/// - `onset_B_s`: first onset of B after the run's first event (earliest `at_s`, file order
///   on ties), seconds after that event;
/// - `loom_*`: the latency chain of the first loom (giant-fibre spike, escape command,
///   lift-off, s after the loom) and the escape's heading change and displacement in the
///   body frame 0.5 s after the command.
pub fn figures(s: &Summary) -> Vec<Cell> {
    let zero = || Some(("0".to_string(), 0.0));
    let mut out: Vec<Cell> = vec![num(s.duration_s)];
    for b in Behaviour::ALL {
        out.push(
            s.behaviour_time_s
                .get(b.as_str())
                .and_then(num)
                .or_else(zero),
        );
    }
    for b in Behaviour::ALL {
        out.push(s.bouts.get(b.as_str()).and_then(num).or_else(zero));
    }
    let escape_s = s.behaviour_time_s.get("escape").copied().unwrap_or(0.0);
    out.push(flag(escape_s > 0.0));
    out.extend([num(s.distance_m), num(s.path_length_m), num(s.food_eaten)]);
    out.push(flag(s.found_food));
    out.extend([
        s.time_to_food_s.and_then(num),
        num(s.wall_contact_s),
        num(s.brain_spikes),
        num(s.switches),
    ]);
    let first_event = s
        .onsets
        .iter()
        .fold(None::<&EventOnsets>, |best, o| match best {
            Some(b) if b.at_s <= o.at_s => best,
            _ => Some(o),
        });
    for b in Behaviour::ALL {
        out.push(
            first_event
                .and_then(|o| o.onset_s.get(b.as_str()))
                .and_then(num),
        );
    }
    let loom = s.latency.first();
    out.extend([
        loom.and_then(|l| l.first_trigger_spike_s).and_then(num),
        loom.and_then(|l| l.escape_command_s).and_then(num),
        loom.and_then(|l| l.lift_off_s).and_then(num),
        loom.and_then(|l| l.heading_change_rad).and_then(num),
    ]);
    let disp = loom.and_then(|l| l.displacement_m);
    for i in 0..2 {
        out.push(disp.and_then(|d| num(d[i])));
    }
    out
}

/// The summary of a finished run: `run_dir/summary.json`, read through [`Summary`], of this
/// schema and seed. Anything else (absent, half a file from another writer, another run's)
/// is `None`: the run is not done.
pub fn read_summary(run_dir: &Path, seed: u64) -> Option<Summary> {
    let text = std::fs::read_to_string(run_dir.join("summary.json")).ok()?;
    let s: Summary = serde_json::from_str(&text).ok()?;
    (s.schema == RUN_SCHEMA && s.status == Status::Complete && s.seed == seed).then_some(s)
}

/// What [`write_tables`] found.
#[derive(Debug, Clone, Default)]
pub struct TablesReport {
    /// Rows of runs.csv (finished runs).
    pub rows: usize,
    /// Indices of the planned runs without a complete summary.
    pub missing: Vec<usize>,
    /// Folders under runs/ that are no run of this plan.
    pub strays: Vec<String>,
}

/// Rebuilds `runs.csv`, `aggregate.csv` and `timing.csv` in `dir` from the run folders of
/// `plan`, each written atomically.
pub fn write_tables(dir: &Path, plan: &Plan) -> Result<TablesReport, SweepError> {
    let runs_dir = dir.join(super::RUNS_DIR);
    let summaries: Vec<Option<Summary>> = plan
        .runs
        .iter()
        .map(|r| read_summary(&runs_dir.join(&r.id), r.seed))
        .collect();
    let figs: Vec<Option<Vec<Cell>>> = summaries.iter().map(|s| s.as_ref().map(figures)).collect();
    let names = figure_names();
    let axes: Vec<&str> = plan.record.axes.iter().map(|a| a.key.as_str()).collect();
    let params = |r: &RunPlan| -> Vec<String> {
        r.values
            .iter()
            .enumerate()
            .map(|(a, &v)| plan.cell(a, v))
            .collect()
    };

    // runs.csv
    let mut rows = 0;
    table(&dir.join(super::RUNS_CSV), |w| {
        let mut header: Vec<&str> = vec!["run_id", "index", "point"];
        header.extend(&axes);
        header.push("seed");
        header.extend(names.iter().map(String::as_str));
        w.write_record(&header)?;
        for (r, f) in plan.runs.iter().zip(&figs) {
            let Some(f) = f else { continue };
            let mut row = vec![r.id.clone(), r.index.to_string(), r.point.to_string()];
            row.extend(params(r));
            row.push(r.seed.to_string());
            row.extend(
                f.iter()
                    .map(|c| c.as_ref().map_or(String::new(), |c| c.0.clone())),
            );
            w.write_record(&row)?;
            rows += 1;
        }
        Ok(())
    })?;

    // aggregate.csv: the runs of a point are contiguous (seed is the innermost axis).
    table(&dir.join(super::AGGREGATE_CSV), |w| {
        let mut header: Vec<&str> = vec!["point"];
        header.extend(&axes);
        header.extend(["figure", "n", "mean", "sd", "ci95_low", "ci95_high"]);
        w.write_record(&header)?;
        let per_point = plan.record.seeds.len();
        for point in 0..plan.points() {
            let range = point * per_point..(point + 1) * per_point;
            let first = &plan.runs[range.start];
            for (j, name) in names.iter().enumerate() {
                let xs: Vec<f64> = figs[range.clone()]
                    .iter()
                    .filter_map(|f| f.as_ref()?[j].as_ref().map(|c| c.1))
                    .collect();
                let s = stats(&xs);
                let mut row = vec![point.to_string()];
                row.extend(params(first));
                row.push(name.clone());
                row.push(s.n.to_string());
                let f = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x}"));
                row.push(f(s.mean));
                row.push(f(s.sd));
                row.push(f(s.ci95.map(|c| c.0)));
                row.push(f(s.ci95.map(|c| c.1)));
                w.write_record(&row)?;
            }
        }
        Ok(())
    })?;

    // timing.csv: wall-clock figures, which differ from run to run of the same sweep.
    table(&dir.join(super::TIMING_CSV), |w| {
        w.write_record(["run_id", "index", "seed", "wall_s", "real_time_factor"])?;
        for (r, s) in plan.runs.iter().zip(&summaries) {
            let Some(s) = s else { continue };
            let cell = |x: f64| num(x).map_or(String::new(), |c| c.0);
            w.write_record([
                r.id.clone(),
                r.index.to_string(),
                r.seed.to_string(),
                cell(s.wall_s),
                cell(s.real_time_factor),
            ])?;
        }
        Ok(())
    })?;

    let missing = plan
        .runs
        .iter()
        .zip(&summaries)
        .filter(|(_, s)| s.is_none())
        .map(|(r, _)| r.index)
        .collect();
    let ids: std::collections::HashSet<&str> = plan.runs.iter().map(|r| r.id.as_str()).collect();
    let mut strays = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&runs_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') && !ids.contains(name.as_str()) {
                strays.push(name);
            }
        }
    }
    strays.sort();
    Ok(TablesReport {
        rows,
        missing,
        strays,
    })
}

/// Writes the CSV table `fill` writes to `path`, atomically.
fn table(
    path: &Path,
    fill: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>,
) -> Result<(), SweepError> {
    let bad = |source| SweepError::Table {
        path: path.to_path_buf(),
        source,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    fill(&mut w).map_err(bad)?;
    let bytes = w
        .into_inner()
        .map_err(|e| bad(csv::Error::from(e.into_error())))?;
    Ok(write_atomic(path, |w| {
        std::io::Write::write_all(w, &bytes).map_err(|source| RecordError::Io {
            action: "cannot write",
            path: path.to_path_buf(),
            source,
        })
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_a_summary() {
        let s: Summary = serde_json::from_str(
            r#"{"schema":"hexafly.run/2","status":"complete","seed":3,"duration_s":0.5,
                "experiment":"e.toml","dataset":"d.csv","dataset_sha256":"0","neurons":2,
                "edges":1,"synthetic_wiring":false,"wiring_note":"","circuit":"m.toml",
                "links":[],
                "behaviour_time_s":{"escape":0.2,"stand":0.3},
                "bouts":{"escape":2,"stand":1},
                "onsets":[{"kind":"dust","at_s":0.4,"onset_s":{"groom":0.01}},
                          {"kind":"loom","at_s":0.1,"onset_s":{"escape":0.011}}],
                "latency":[{"event_s":0.1,"first_trigger_spike_s":0.0108,
                            "escape_command_s":0.011,"lift_off_s":null,
                            "heading_change_rad":null,"displacement_m":[0.01,-0.02]}],
                "distance_m":0.04802231,"path_length_m":0.05,"food_eaten":0.0,
                "found_food":true,"time_to_food_s":0.25,"wall_contact_s":0.0,
                "brain_spikes":1150,
                "activity":{"release_failure":0.0,"membrane_noise_mv":0.0,"spikes_per_s":1.0,
                  "synaptic_events_per_s":1.0,"active_fraction":0.5,
                  "event_driven_uj_per_s":1.0,"clock_driven_uj_per_s":2.0,
                  "energy_model":{"synaptic_event_pj":23.6,"neuron_update_pj":52.0,
                                  "source":"Loihi"},
                  "by_behaviour":{}},
                "switches":1,"timeline_rows":5,"real_time_factor":1.0,"wall_s":0.5}"#,
        )
        .unwrap();
        let names = figure_names();
        let f = figures(&s);
        assert_eq!(names.len(), f.len());
        let get = |n: &str| f[names.iter().position(|x| x == n).unwrap()].clone();
        assert_eq!(get("time_walk_s").unwrap().0, "0");
        assert_eq!(get("time_escape_s").unwrap().0, "0.2");
        assert_eq!(get("escaped").unwrap().1, 1.0);
        assert_eq!(get("found_food").unwrap().0, "1");
        assert_eq!(get("time_to_food_s").unwrap().1, 0.25);
        assert_eq!(get("bouts_escape").unwrap().0, "2");
        assert_eq!(get("bouts_feed").unwrap().0, "0");
        assert_eq!(get("distance_m").unwrap().0, "0.04802231");
        assert_eq!(get("brain_spikes").unwrap().0, "1150");
        // The first event by time is the loom, though the dust comes first in the file.
        assert_eq!(get("onset_escape_s").unwrap().0, "0.011");
        assert_eq!(get("onset_groom_s"), None);
        assert_eq!(get("loom_lift_off_s"), None);
        assert_eq!(get("loom_leftward_m").unwrap().1, -0.02);
        assert_eq!(get("loom_leftward_m").unwrap().0, "-0.02");
    }
}
