//! `hexafly plot DIR [--out PLOTDIR] [--format png|svg|both] [--figure NAME]...`: the figures
//! of a run folder (ethogram, trajectory, readouts, raster) or a sweep folder (outcome per
//! grid point with 95% confidence intervals). The work is in `sim::plot`.

use std::path::PathBuf;

use sim::plot::{Format, PlotParams, plot};

/// Arguments of `hexafly plot`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A run folder (`hexafly run --out`) or a sweep folder (`hexafly sweep --out`).
    pub dir: PathBuf,
    /// Folder for the figures (default: DIR/plots).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// File formats.
    #[arg(long, value_enum, default_value_t = Format::Both)]
    pub format: Format,
    /// Sweep figure to plot (a `figure` of aggregate.csv, e.g. `escaped`, `distance_m`, or
    /// `time_in_behaviour`, the default); repeatable.
    #[arg(long = "figure", value_name = "NAME")]
    pub figures: Vec<String>,
}

/// Runs `hexafly plot`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let report = plot(
        &args.dir,
        &PlotParams {
            out: args.out,
            format: args.format,
            figures: args.figures,
        },
    )?;
    for f in &report.files {
        println!("{}", f.display());
    }
    for n in &report.notes {
        eprintln!("note: {n}");
    }
    if !report.errors.is_empty() {
        let lines: Vec<String> = report
            .errors
            .iter()
            .map(|(fig, e)| format!("  {fig}: {e}"))
            .collect();
        anyhow::bail!(
            "{} figure(s) not drawn:\n{}",
            report.errors.len(),
            lines.join("\n")
        );
    }
    Ok(())
}
