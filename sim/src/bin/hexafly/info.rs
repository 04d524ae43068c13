//! `hexafly connectome info`: counts, annotation columns, per-value counts and selections of
//! a dataset, as text or JSON.
//!
//! `PATH` is any dataset path the loaders read, or the name of a known dataset (see
//! `hexafly datasets`), which is then found in the data directory.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use connectome::select::Selector;
use connectome::{Connectome, NeuronTable};
use serde_json::{Value, json};

use connectome::source::{DatasetSource, Loaded};

/// Arguments of `hexafly connectome info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset path (any supported format), or the name of a known dataset in the data dir.
    pub path: PathBuf,
    /// Print JSON (`neurons`, `edges`, `synapses`, `format`, ...) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Count neurons per value of this annotation column (repeatable; `nt` = transmitter).
    #[arg(long, value_name = "COLUMN")]
    pub by: Vec<String>,
    /// Report the count and dataset ids of the neurons this selector picks.
    #[arg(long, value_name = "SELECTOR")]
    pub select: Option<String>,
    /// How the dataset is found and loaded.
    #[command(flatten)]
    pub source: DatasetSource,
}

/// Runs `hexafly connectome info`.
pub fn run(args: Args) -> anyhow::Result<()> {
    // A typo in the selector should not wait for a whole brain to load.
    let selector = args.select.as_deref().map(Selector::parse).transpose()?;
    let started = Instant::now();
    let Loaded {
        connectome: c,
        path,
        cache,
        shuffled,
    } = args.source.load(&args.path)?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;

    let mut report = summary(&c, &path);
    report["cache"] = json!(cache);
    report["shuffled"] = json!(shuffled);
    report["synthetic"] = json!(c.synthetic_note());
    report["load_ms"] = json!(round3(load_ms));
    if !args.by.is_empty() {
        let mut by = serde_json::Map::new();
        for column in &args.by {
            by.insert(column.clone(), as_object(counts_by(&c.neurons, column)?));
        }
        report["by"] = Value::Object(by);
    }
    if let Some(sel) = &selector {
        let started = Instant::now();
        let picked = sel.select(&c.neurons)?;
        let select_ms = started.elapsed().as_secs_f64() * 1e3;
        let ids: Vec<u64> = picked.iter().map(|&i| c.neurons.id(i)).collect();
        report["selection"] = json!({ "selector": sel.to_string(), "count": ids.len(), "ids": ids, "select_ms": round3(select_ms) });
    }

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &report)?;
    }
    Ok(())
}

/// Counts every info report has.
fn summary(c: &Connectome, path: &Path) -> Value {
    let (_, _, counts) = c.synapses.parts();
    let inhibitory = counts.iter().filter(|&&w| w < 0).count();
    let autapses = c
        .synapses
        .iter()
        .filter(|&(pre, post, _)| pre == post)
        .count();
    let transmitters = counts_by(&c.neurons, "nt").expect("nt is always available");
    json!({
        "path": path.display().to_string(),
        "format": c.format,
        "neurons": c.n_neurons(),
        "edges": c.n_edges(),
        "synapses": c.n_synapses(),
        "inhibitory_edges": inhibitory,
        "excitatory_edges": c.n_edges() - inhibitory,
        "autapses": autapses,
        "sources": c.sources.iter().map(|s| s.display().to_string()).collect::<Vec<_>>(),
        "columns": c.neurons.column_names().collect::<Vec<_>>(),
        "transmitters": as_object(transmitters),
    })
}

/// Neurons per value of an annotation column (`nt`/`transmitter`: per transmitter), by value;
/// neurons without a value count under "".
fn counts_by(table: &NeuronTable, column: &str) -> anyhow::Result<Vec<(String, usize)>> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    if column == "nt" || column == "transmitter" {
        for t in table.transmitters() {
            *counts.entry(t.name().to_owned()).or_default() += 1;
        }
    } else {
        let col = table.column(column).with_context(|| {
            let names: Vec<&str> = table.column_names().chain(["nt"]).collect();
            format!(
                "--by {column}: this dataset has no column `{column}`; available: {}",
                names.join(", ")
            )
        })?;
        let mut per_code = vec![0usize; col.dictionary().len()];
        for &code in col.codes() {
            per_code[code as usize] += 1;
        }
        for (value, n) in col.dictionary().iter().zip(per_code) {
            if n > 0 {
                counts.insert(value.clone(), n);
            }
        }
    }
    Ok(counts.into_iter().collect())
}

/// `{value: count}` (JSON objects are key-sorted; the text output re-sorts by count).
fn as_object(counts: Vec<(String, usize)>) -> Value {
    Value::Object(counts.into_iter().map(|(k, n)| (k, json!(n))).collect())
}

fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

fn write_text(out: &mut impl Write, r: &Value) -> std::io::Result<()> {
    let n = |k: &str| r[k].as_u64().unwrap_or(0);
    writeln!(out, "path       {}", r["path"].as_str().unwrap_or(""))?;
    writeln!(out, "format     {}", r["format"].as_str().unwrap_or(""))?;
    writeln!(out, "neurons    {}", n("neurons"))?;
    writeln!(
        out,
        "edges      {} ({} excitatory, {} inhibitory, {} autapses)",
        n("edges"),
        n("excitatory_edges"),
        n("inhibitory_edges"),
        n("autapses")
    )?;
    writeln!(out, "synapses   {}", n("synapses"))?;
    if let Some(note) = r["synthetic"].as_str() {
        writeln!(out, "wiring     SYNTHETIC: {note}")?;
    }
    if let Some(seed) = r["shuffled"].as_u64() {
        writeln!(
            out,
            "wiring     shuffled (degree-preserving, seed {seed}): not the real wiring"
        )?;
    }
    let list = |k: &str| {
        r[k].as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    writeln!(out, "columns    {}", list("columns"))?;
    writeln!(out, "sources    {}", list("sources"))?;
    // Most frequent first, ties by name.
    let pairs = |v: &Value| -> Vec<(String, u64)> {
        let mut p: Vec<(String, u64)> = v
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        p.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        p
    };
    let tx: Vec<String> = pairs(&r["transmitters"])
        .iter()
        .map(|(t, k)| format!("{t} {k}"))
        .collect();
    writeln!(out, "nt         {}", tx.join(", "))?;
    writeln!(
        out,
        "cache      {} (load {} ms)",
        r["cache"].as_str().unwrap_or(""),
        r["load_ms"]
    )?;
    if let Some(by) = r["by"].as_object() {
        for (column, values) in by {
            writeln!(out, "\nneurons by {column}:")?;
            for (value, k) in pairs(values) {
                let value = if value.is_empty() {
                    "(none)"
                } else {
                    value.as_str()
                };
                writeln!(out, "  {k:>8}  {value}")?;
            }
        }
    }
    if let Some(s) = r.get("selection") {
        writeln!(out, "\nselection  {}", s["selector"].as_str().unwrap_or(""))?;
        writeln!(out, "count      {}", s["count"])?;
        let ids: Vec<String> = s["ids"]
            .as_array()
            .map(|a| a.iter().map(Value::to_string).collect())
            .unwrap_or_default();
        writeln!(out, "ids        {}", ids.join(" "))?;
    }
    Ok(())
}
