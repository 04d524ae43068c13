//! `hexafly datasets` (the known public datasets and whether each is in the data directory)
//! and `hexafly fetch NAME...|--all|--for EXP.toml [--from DIR]` (install datasets, verified:
//! downloaded with a progress bar on a terminal, or copied from an offline folder).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use connectome::datasets::{self, Dataset, FetchEvent, FetchParams, FileState, Registry};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

/// Arguments of `hexafly datasets`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory (default: $HEXAFLY_DATA, else the platform data dir + /hexafly).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Read the dataset list from this TOML file (default: $HEXAFLY_REGISTRY, else the
    /// built-in assets/datasets.toml).
    #[arg(long)]
    pub registry: Option<PathBuf>,
}

/// Arguments of `hexafly fetch`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("what").required(true).multiple(true).args(["names", "all", "for_experiment"]))]
pub struct FetchArgs {
    /// Dataset names (see `hexafly datasets`).
    pub names: Vec<String>,
    /// Every dataset of the registry (the whole brain too: over 1 GB).
    #[arg(long)]
    pub all: bool,
    /// Every dataset that this experiment file needs (its connectome, manifests, surrogate
    /// spec and annotation tables, followed recursively); repeatable.
    #[arg(long = "for", value_name = "EXPERIMENT.toml")]
    pub for_experiment: Vec<PathBuf>,
    /// Install from this local folder instead of the network: files are matched by size and
    /// sha256, whatever the folder's layout (default: $HEXAFLY_FETCH_FROM when set).
    #[arg(
        long,
        value_name = "DIR",
        env = "HEXAFLY_FETCH_FROM",
        conflicts_with = "url_base"
    )]
    pub from: Option<PathBuf>,
    /// Data directory (default: $HEXAFLY_DATA, else the platform data dir + /hexafly).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Mirror to download from instead of the registered URLs: file PATH of dataset NAME is
    /// fetched from URL/NAME/PATH.
    #[arg(long, value_name = "URL")]
    pub url_base: Option<String>,
    /// Read the dataset list from this TOML file (default: $HEXAFLY_REGISTRY, else the
    /// built-in assets/datasets.toml).
    #[arg(long)]
    pub registry: Option<PathBuf>,
}

fn registry(path: Option<&PathBuf>) -> anyhow::Result<Registry> {
    Ok(match path {
        Some(p) => Registry::from_file(p)?,
        None => Registry::active()?,
    })
}

/// `present` when every file is there, `missing` when none is, else `partial`; a file with
/// the wrong size counts as not there, and a conversion input (`input_only`) not at all.
fn status(d: &Dataset, data_dir: &std::path::Path) -> (&'static str, Vec<FileState>) {
    let states: Vec<FileState> = d
        .files
        .iter()
        .map(|f| datasets::file_state(d, f, data_dir))
        .collect();
    let kept = || d.files.iter().zip(&states).filter(|(f, _)| !f.input_only);
    let present = kept().filter(|(_, s)| **s == FileState::Present).count();
    let word = match present {
        p if p == kept().count() => "present",
        0 => "missing",
        _ => "partial",
    };
    (word, states)
}

/// Human size: bytes to kB/MB/GB (powers of 1000), `?` suffix when some sizes are unknown.
fn human(bytes: u64, all_known: bool) -> String {
    let s = match bytes {
        0 if !all_known => return "?".into(),
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} kB", b as f64 / 1e3),
        b if b < 1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b => format!("{:.2} GB", b as f64 / 1e9),
    };
    if all_known { s } else { format!("{s} + ?") }
}

/// Runs `hexafly datasets`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let reg = registry(args.registry.as_ref())?;
    let dir = datasets::data_dir(args.data_dir.as_deref())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let list: Vec<_> = reg
            .datasets
            .iter()
            .map(|d| {
                let (word, states) = status(d, &dir);
                let (bytes, known) = d.total_size();
                let files: Vec<_> = d
                    .files
                    .iter()
                    .zip(&states)
                    .map(|(f, s)| {
                        json!({
                            "path": f.path, "url": f.url, "size": f.size, "sha256": f.sha256,
                            "input_only": f.input_only, "converted_from": f.converted_from,
                            "conversion": f.conversion, "conversion_note": f.conversion_note,
                            "dest": f.dest(d, &dir).display().to_string(),
                            "state": match s {
                                FileState::Present => "present".to_owned(),
                                FileState::Missing => "missing".to_owned(),
                                FileState::WrongSize { found } => format!("wrong size ({found} bytes)"),
                            },
                        })
                    })
                    .collect();
                json!({
                    "name": d.name, "description": d.description, "citation": d.citation,
                    "licence": d.licence, "homepage": d.homepage, "status": word,
                    "size": bytes, "size_known": known, "format": d.format,
                    "load": d.load_path(&dir).display().to_string(), "files": files,
                })
            })
            .collect();
        serde_json::to_writer_pretty(
            &mut out,
            &json!({ "data_dir": dir.display().to_string(), "datasets": list }),
        )?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "data directory: {}", dir.display())?;
    writeln!(
        out,
        "{:<30} {:>11}  {:<8} description",
        "name", "size", "status"
    )?;
    for d in &reg.datasets {
        let (word, _) = status(d, &dir);
        let (bytes, known) = d.total_size();
        writeln!(
            out,
            "{:<30} {:>11}  {:<8} {}",
            d.name,
            human(bytes, known),
            word,
            d.description
        )?;
    }
    writeln!(
        out,
        "\nget one with `hexafly fetch NAME`; citations, licences and URLs: `hexafly datasets --json`"
    )?;
    Ok(())
}

/// The datasets `hexafly fetch` was asked for, in registry order, each once.
fn wanted<'r>(args: &FetchArgs, reg: &'r Registry) -> anyhow::Result<Vec<&'r Dataset>> {
    let mut names: Vec<String> = args.names.clone();
    if args.all {
        names.extend(reg.datasets.iter().map(|d| d.name.clone()));
    }
    for exp in &args.for_experiment {
        let needed = datasets::datasets_needed(exp, reg)?;
        if needed.is_empty() {
            eprintln!(
                "{} needs no dataset of the registry (its data ship with hexafly)",
                exp.display()
            );
        }
        names.extend(needed);
    }
    for n in &names {
        reg.get(n)?;
    }
    Ok(reg
        .datasets
        .iter()
        .filter(|d| names.contains(&d.name))
        .collect())
}

/// Runs `hexafly fetch`.
pub fn fetch(args: FetchArgs) -> anyhow::Result<()> {
    let reg = registry(args.registry.as_ref())?;
    let wanted = wanted(&args, &reg)?;
    let dir = datasets::data_dir(args.data_dir.as_deref())?;
    if let Some(from) = &args.from
        && !from.is_dir()
    {
        anyhow::bail!(
            "--from {}: not a folder; expected a folder holding copies of the dataset files",
            from.display()
        );
    }
    let opts = FetchParams {
        url_base: args.url_base.clone(),
        from: args.from.clone(),
        // Registered files that hexafly itself ships (the escape circuit) are copied from
        // its assets, matched by sha256 like any offline copy.
        shipped: vec![sim::assets::path("connectomes")],
        ..FetchParams::default()
    };
    let mut failed = Vec::new();
    for dataset in &wanted {
        if let Err(e) = fetch_one(dataset, &dir, &opts) {
            eprintln!("error: {e:#}");
            failed.push(dataset.name.as_str());
        }
    }
    if !failed.is_empty() {
        anyhow::bail!(
            "{} of {} datasets not installed: {}",
            failed.len(),
            wanted.len(),
            failed.join(", ")
        );
    }
    Ok(())
}

fn fetch_one(dataset: &Dataset, dir: &std::path::Path, opts: &FetchParams) -> anyhow::Result<()> {
    let tty = std::io::stderr().is_terminal();
    let mut bar: Option<ProgressBar> = None;
    let mut on_event = |e: FetchEvent<'_>| match e {
        FetchEvent::AlreadyPresent { dest } => eprintln!("already present: {}", dest.display()),
        FetchEvent::Copied { from } => eprintln!("copying {}", from.display()),
        FetchEvent::Converted { from, conversion } => {
            eprintln!("converting {} ({conversion})", from.display())
        }
        FetchEvent::Start { url, dest, total } => {
            eprintln!("downloading {url}\n         to {}", dest.display());
            if tty {
                let b = match total {
                    Some(n) => ProgressBar::new(n).with_style(
                        ProgressStyle::with_template(
                            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                        )
                        .expect("valid template"),
                    ),
                    None => ProgressBar::new_spinner().with_style(
                        ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec}")
                            .expect("valid template"),
                    ),
                };
                bar = Some(b);
            }
        }
        FetchEvent::Progress { done } => {
            if let Some(b) = &bar {
                b.set_position(done);
            }
        }
        FetchEvent::Unpacked { archive, created } => {
            eprintln!("unpacked {} -> {}", archive.display(), created.join(", "))
        }
        FetchEvent::Done { dest, bytes } => {
            if let Some(b) = bar.take() {
                b.finish_and_clear();
            }
            eprintln!("verified {} ({bytes} bytes)", dest.display());
        }
    };
    let result = datasets::fetch(dataset, dir, opts, &mut on_event);
    if let Some(b) = bar.take() {
        b.abandon();
    }
    result?;
    eprintln!(
        "dataset `{}` is in {}; cite: {}",
        dataset.name,
        dataset.dir(dir).display(),
        dataset.citation
    );
    // stdout: the path to load, for scripts (`hexafly connectome info "$(hexafly fetch NAME)"`).
    println!("{}", dataset.load_path(dir).display());
    Ok(())
}
