//! What the plots read: a run folder (`timeline.csv`, `summary.json`, `spikes.parquet`, and
//! the experiment file named by the summary for the scene and the event details) and a
//! sweep folder (`aggregate.csv`, `sweep.json`). Every problem names the file and what is
//! missing in it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::PlotError;
use crate::error_chain as chain;
use crate::experiment::Experiment;
use crate::experiment::file::EventSpec;
use crate::record::timeline::{self, TimelineRow};
use crate::record::{RecordError, Summary};
use crate::world::Scene;

/// A run's `timeline.csv`, read once through the run format's [`TimelineRow`], so that the
/// figures read typed fields and a renamed column is an error, never an empty series.
#[derive(Debug, Clone)]
pub struct RunTimeline {
    /// The file.
    pub path: PathBuf,
    /// Column names in file order.
    pub header: Vec<String>,
    /// Rows in the file (those of a file whose rows do not parse included).
    len: usize,
    /// The rows; the error when the header or a row is not a timeline's. Such a file still
    /// reads, so that the figures that do not need the timeline (the raster) are drawn.
    rows: Result<Vec<TimelineRow>, Arc<RecordError>>,
}

impl RunTimeline {
    /// Reads a timeline; it must be CSV with a header, as many fields in every row as the
    /// header has, and at least one row. A header or field that is not a timeline's is
    /// reported by [`RunTimeline::rows`].
    pub fn read(path: &Path) -> Result<RunTimeline, PlotError> {
        let file = timeline::read(path)?;
        if file.len == 0 {
            return Err(PlotError::EmptyTimeline {
                path: path.to_path_buf(),
            });
        }
        Ok(RunTimeline {
            path: path.to_path_buf(),
            header: file.header,
            len: file.len,
            rows: file.rows.map_err(Arc::new),
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True without rows (never, once read).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The rows, or why the file holds none that parse (naming the file, the line and the
    /// column).
    pub fn rows(&self) -> Result<&[TimelineRow], PlotError> {
        self.rows
            .as_deref()
            .map_err(|e| PlotError::Timeline(Arc::clone(e)))
    }

    /// A field of every row, in row order.
    pub fn series<T>(&self, field: impl Fn(&TimelineRow) -> T) -> Result<Vec<T>, PlotError> {
        Ok(self.rows()?.iter().map(field).collect())
    }

    /// The names of the readouts (the `readout_<name>` columns, prefix removed), in the
    /// order of [`TimelineRow::readouts`].
    pub fn readout_names(&self) -> Vec<&str> {
        timeline::readout_names(&self.header).collect()
    }
}

/// A timeline event as plotted: time, kind and a short label.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Time, s.
    pub at_s: f64,
    /// `loom`, `dust`, `add_food`, `remove_food`, `set_state`.
    pub kind: String,
    /// Label drawn beside the marker, e.g. `loom from left`.
    pub label: String,
    /// Loom side (+1 left, -1 right), when known.
    pub side: Option<f32>,
}

/// The fields of `summary.json` the plots use.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The file.
    pub path: PathBuf,
    /// The experiment file the run came from.
    pub experiment: Option<String>,
    /// The connectome file.
    pub dataset: String,
    /// Whether the summary says any wiring is synthetic (generated, surrogate, shuffled).
    pub synthetic_wiring: bool,
    /// Its note.
    pub wiring_note: String,
    /// The circuit map file.
    pub circuit: Option<String>,
    /// Simulated duration, s.
    pub duration_s: Option<f64>,
    /// Seed.
    pub seed: Option<u64>,
    /// Seconds in each behaviour.
    pub behaviour_time_s: BTreeMap<String, f64>,
    /// Events (kind, time) in file order.
    pub events: Vec<(String, f64)>,
    /// Readout name -> `connectome` or `engineered`.
    pub readout_links: BTreeMap<String, String>,
}

impl RunSummary {
    /// Reads `summary.json` through the run format's [`Summary`] (a file of another schema,
    /// or one that does not parse, is an error naming it).
    pub fn read(path: &Path) -> Result<RunSummary, RecordError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        Ok(RunSummary::of(&Summary::read(dir)?, path))
    }

    /// The fields the plots use of a summary read from `path`.
    pub fn of(s: &Summary, path: &Path) -> RunSummary {
        RunSummary {
            path: path.to_path_buf(),
            experiment: Some(s.experiment.clone()),
            dataset: s.dataset.clone(),
            synthetic_wiring: s.synthetic_wiring,
            wiring_note: s.wiring_note.clone(),
            circuit: Some(s.circuit.clone()),
            duration_s: Some(s.duration_s),
            seed: Some(s.seed),
            behaviour_time_s: s.behaviour_time_s.clone(),
            events: s.onsets.iter().map(|o| (o.kind.clone(), o.at_s)).collect(),
            readout_links: s
                .links
                .iter()
                .filter(|l| l.kind == "readout")
                .map(|l| (l.name.clone(), l.link.clone()))
                .collect(),
        }
    }
}

/// A run folder, read for plotting.
#[derive(Debug, Clone)]
pub struct RunData {
    /// The folder.
    pub dir: PathBuf,
    /// `timeline.csv`.
    pub timeline: RunTimeline,
    /// `summary.json`.
    pub summary: RunSummary,
    /// The experiment the run came from (with a sweep's parameters applied), when its file
    /// is still there.
    pub experiment: Option<Experiment>,
    /// Why it is not, or other caveats every figure should show.
    pub notes: Vec<String>,
}

impl RunData {
    /// Reads the run folder `dir`: an error for a run that did not end, a summary or
    /// timeline that cannot be read, and a timeline with other rows than the summary counts
    /// ([`PlotError::CutShort`]). The experiment file not read is a note, not an error.
    pub fn read(dir: &Path) -> Result<RunData, PlotError> {
        let ending = crate::record::RunState::ended(dir)?;
        let summary = RunSummary::read(&dir.join("summary.json"))?;
        let timeline = RunTimeline::read(&dir.join("timeline.csv"))?;
        if timeline.len() as u64 != ending.timeline_rows {
            return Err(PlotError::CutShort {
                path: timeline.path.clone(),
                rows: timeline.len(),
                summary: summary.path.clone(),
                expected: ending.timeline_rows,
            });
        }
        let mut notes = Vec::new();
        if let Some(f) = &ending.failure {
            notes.push(format!(
                "the run FAILED at t = {} s and shows only what came before: {}",
                f.at_s, f.error
            ));
        }
        let experiment = match &summary.experiment {
            None => {
                notes.push(format!(
                    "{} names no experiment file: no scene, no event details",
                    summary.path.display()
                ));
                None
            }
            Some(e) => match load_experiment(Path::new(e), dir) {
                Ok(x) => Some(x),
                Err(err) => {
                    notes.push(format!(
                        "experiment file not read ({}): no scene, no event details",
                        chain(&err)
                    ));
                    None
                }
            },
        };
        Ok(RunData {
            dir: dir.to_path_buf(),
            timeline,
            summary,
            experiment,
            notes,
        })
    }

    /// End of the plotted time axis, s: the summary's duration, or the timeline's last
    /// time if later. Without readable timeline rows, the summary's duration alone (the
    /// raster needs no timeline); an error only when neither says.
    pub fn duration_s(&self) -> Result<f64, PlotError> {
        let last = match (self.timeline.rows(), self.summary.duration_s) {
            (Ok(rows), _) => rows
                .iter()
                .map(|r| r.t_s)
                .filter(|x| x.is_finite())
                .fold(0.0, f64::max),
            (Err(_), Some(_)) => 0.0,
            (Err(e), None) => return Err(e),
        };
        Ok(self.summary.duration_s.unwrap_or(last).max(last).max(1e-3))
    }

    /// The events of the summary, labelled with the experiment's details when it is there.
    pub fn events(&self) -> Vec<Event> {
        let specs: Option<&Vec<EventSpec>> = self.experiment.as_ref().map(|e| &e.events);
        self.summary
            .events
            .iter()
            .enumerate()
            .map(|(i, (kind, at_s))| {
                let spec = specs
                    .filter(|s| s.len() == self.summary.events.len())
                    .and_then(|s| s.get(i));
                let (label, side) = match spec {
                    Some(EventSpec::Loom { side, .. }) => (
                        format!("loom from {}", side_name(side.sign())),
                        Some(side.sign()),
                    ),
                    Some(EventSpec::Dust { amount, .. }) => (format!("dust +{amount}"), None),
                    Some(EventSpec::AddFood { .. }) => ("food added".to_owned(), None),
                    Some(EventSpec::RemoveFood { index, .. }) => {
                        (format!("food {index} removed"), None)
                    }
                    Some(EventSpec::SetState { .. }) => ("state set".to_owned(), None),
                    None => (kind.replace('_', " "), None),
                };
                Event {
                    at_s: *at_s,
                    kind: kind.clone(),
                    label,
                    side,
                }
            })
            .collect()
    }

    /// The scene as the run saw it at the start (the experiment's scene file or the default
    /// 2 m arena; the scene's own threats and dust dropped unless the experiment keeps
    /// them), with the food patches that events add. `None` (with a note) without the
    /// experiment file.
    pub fn scene(&self) -> Result<Option<Scene>, PlotError> {
        let Some(exp) = &self.experiment else {
            return Ok(None);
        };
        let mut scene = exp.start_scene()?;
        for ev in &exp.events {
            if let EventSpec::AddFood {
                position,
                radius,
                odor,
                sugar,
                ..
            } = *ev
            {
                scene.food.push(crate::world::Food {
                    position,
                    radius,
                    odor,
                    sugar,
                });
            }
        }
        Ok(Some(scene))
    }
}

fn side_name(sign: f32) -> &'static str {
    if sign > 0.0 { "left" } else { "right" }
}

/// The experiment file of a run: as the summary names it (relative paths against the
/// current folder, then the run folder); in a sweep's run folder, with the run's swept
/// parameters (`params.json`) applied, so the scene is the one the run had.
fn load_experiment(path: &Path, run_dir: &Path) -> Result<Experiment, PlotError> {
    let file = if path.is_relative() && !path.exists() && run_dir.join(path).exists() {
        run_dir.join(path)
    } else {
        path.to_path_buf()
    };
    let mut exp = Experiment::load(&file).map_err(|e| PlotError::Experiment(Box::new(e)))?;
    let params = run_dir.join(crate::sweep::PARAMS_JSON);
    if params.exists() {
        let text = std::fs::read_to_string(&params).map_err(|source| PlotError::Io {
            action: "cannot read",
            path: params.clone(),
            source,
        })?;
        let p: Value = serde_json::from_str(&text).map_err(|source| PlotError::NotJson {
            path: params.clone(),
            source,
        })?;
        let mut values: Vec<(&str, toml::Value)> = Vec::new();
        if let Some(m) = p.get("params_toml").and_then(Value::as_object) {
            for (key, text) in m {
                let text = text.as_str().unwrap_or_default();
                let mut value: toml::Table =
                    toml::from_str(&format!("v = {text}")).map_err(|source| {
                        PlotError::ParamValue {
                            path: params.clone(),
                            key: key.clone(),
                            text: text.to_owned(),
                            source: Box::new(source),
                        }
                    })?;
                let value = value
                    .remove("v")
                    .expect("a parsed `v = ...` document has `v`");
                values.push((key, value));
            }
        }
        if let Some(seed) = p.get("seed").and_then(Value::as_i64) {
            values.push(("run.seed", toml::Value::Integer(seed)));
        }
        exp.set_all(values).map_err(|e| PlotError::Params {
            path: params.clone(),
            source: Box::new(e),
        })?;
    }
    Ok(exp)
}

/// Recorded spikes: neuron ids and times (ms).
#[derive(Debug, Clone, Default)]
pub struct Spikes {
    /// Neuron id of each spike.
    pub neuron: Vec<u64>,
    /// Time of each spike, ms.
    pub t_ms: Vec<f64>,
}

/// Reads `spikes.parquet` (columns `neuron` uint64 and `t_ms` float64); every error names
/// the file, and a missing column lists the columns it has.
pub fn read_spikes(path: &Path) -> Result<Spikes, PlotError> {
    use arrow_array::{Array, Float64Array, UInt64Array};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).map_err(|source| PlotError::Io {
        action: "cannot read",
        path: path.to_path_buf(),
        source,
    })?;
    let not_parquet = |source| PlotError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(not_parquet)?;
    let fields: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    for need in ["neuron", "t_ms"] {
        if !fields.iter().any(|f| f == need) {
            return Err(PlotError::NoColumn {
                path: path.to_path_buf(),
                column: need.to_owned(),
                columns: fields,
            });
        }
    }
    let column_type = |column, expected| PlotError::ColumnType {
        path: path.to_path_buf(),
        column,
        expected,
    };
    let mut out = Spikes::default();
    for batch in builder.build().map_err(not_parquet)? {
        let batch = batch.map_err(|source| PlotError::ParquetBatch {
            path: path.to_path_buf(),
            source,
        })?;
        let n = batch
            .column_by_name("neuron")
            .and_then(|c| c.as_any().downcast_ref::<UInt64Array>())
            .ok_or_else(|| column_type("neuron", "uint64"))?;
        let t = batch
            .column_by_name("t_ms")
            .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
            .ok_or_else(|| column_type("t_ms", "float64"))?;
        if n.null_count() > 0 || t.null_count() > 0 {
            return Err(PlotError::NullSpikes {
                path: path.to_path_buf(),
            });
        }
        out.neuron.extend(n.values().iter().copied());
        out.t_ms.extend(t.values().iter().copied());
    }
    Ok(out)
}

/// One row of `aggregate.csv`.
#[derive(Debug, Clone)]
pub struct AggregateRow {
    /// Grid point.
    pub point: usize,
    /// The swept values (table cells), one per axis.
    pub values: Vec<String>,
    /// Figure name.
    pub figure: String,
    /// Runs that have it.
    pub n: usize,
    /// Mean (None when no run has it).
    pub mean: Option<f64>,
    /// 95% confidence interval of the mean (None for n < 2).
    pub ci95: Option<(f64, f64)>,
}

/// A sweep folder, read for plotting.
#[derive(Debug, Clone)]
pub struct SweepData {
    /// The folder.
    pub dir: PathBuf,
    /// Swept keys, in grid order.
    pub axes: Vec<String>,
    /// Seeds per point.
    pub seeds: usize,
    /// The table.
    pub rows: Vec<AggregateRow>,
    /// The summary of one finished run (dataset, wiring), if any.
    pub summary: Option<RunSummary>,
    /// Caveats.
    pub notes: Vec<String>,
}

impl SweepData {
    /// Reads `aggregate.csv` (and `sweep.json` for the seeds, one run's summary for the
    /// dataset).
    pub fn read(dir: &Path) -> Result<SweepData, PlotError> {
        let path = dir.join(crate::sweep::AGGREGATE_CSV);
        let mut r = csv::Reader::from_path(&path).map_err(|source| PlotError::NoAggregate {
            path: path.clone(),
            dir: dir.to_path_buf(),
            source,
        })?;
        let header = crate::record::table::header(&mut r, &path)?;
        let col = |name: &str| csv_column(&header, name, &path);
        let (ip, ifig, inn, imean, ilo, ihi) = (
            col("point")?,
            col("figure")?,
            col("n")?,
            col("mean")?,
            col("ci95_low")?,
            col("ci95_high")?,
        );
        let axes: Vec<String> = header[ip + 1..ifig].to_vec();
        let mut rows = Vec::new();
        for (i, rec) in r.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|source| RecordError::CsvLine {
                path: path.clone(),
                line,
                source,
            })?;
            let at = |c: usize| rec.get(c).unwrap_or_default();
            let not_a_number = |c: usize| PlotError::NotANumber {
                path: path.clone(),
                line,
                column: header[c].clone(),
                found: at(c).to_owned(),
            };
            let num = |c: usize| -> Result<Option<f64>, PlotError> {
                let s = at(c);
                if s.is_empty() {
                    return Ok(None);
                }
                s.parse::<f64>().map(Some).map_err(|_| not_a_number(c))
            };
            let point = at(ip).parse::<usize>().map_err(|_| not_a_number(ip))?;
            rows.push(AggregateRow {
                point,
                values: (ip + 1..ifig).map(|c| at(c).to_owned()).collect(),
                figure: at(ifig).to_owned(),
                n: num(inn)?.unwrap_or(0.0) as usize,
                mean: num(imean)?,
                ci95: num(ilo)?.zip(num(ihi)?),
            });
        }
        if rows.is_empty() {
            return Err(PlotError::NoRows { path });
        }
        let mut notes = Vec::new();
        let seeds = match crate::sweep::SweepRecord::read(dir) {
            Ok(r) => r.seeds.len(),
            Err(e) => {
                notes.push(format!("{e:#}"));
                0
            }
        };
        let summary = first_summary(&dir.join(crate::sweep::RUNS_DIR));
        if summary.is_none() {
            notes.push("no finished run's summary.json: dataset unknown".into());
        }
        Ok(SweepData {
            dir: dir.to_path_buf(),
            axes,
            seeds,
            rows,
            summary,
            notes,
        })
    }

    /// Figure names of the table, in table order.
    pub fn figures(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rows {
            if !out.contains(&r.figure) {
                out.push(r.figure.clone());
            }
        }
        out
    }
}

/// The index of the column `name` of a CSV header; an error listing the columns.
pub(crate) fn csv_column(header: &[String], name: &str, path: &Path) -> Result<usize, PlotError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| PlotError::NoColumn {
            path: path.to_path_buf(),
            column: name.to_owned(),
            columns: header.to_vec(),
        })
}

fn first_summary(runs: &Path) -> Option<RunSummary> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(runs)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs.iter()
        .find_map(|d| RunSummary::read(&d.join("summary.json")).ok())
}
