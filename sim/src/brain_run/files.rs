//! The files of a brain-alone run: input events in, spikes and rates out.

use std::io::Write;
use std::path::Path;

use connectome::numbers::parse_id;
use connectome::table_reader::{Record as Row, TableReader, open};
use connectome::{Connectome, LoadError, NeuronIndex};
use controller::brain::InputSpikes;

use super::BrainRunError;
use crate::record::RecordError;

/// A time in ms as a step index; it must lie on the step grid.
pub(super) fn ms_to_step(t_ms: f64, dt_ms: f64) -> Result<u32, String> {
    if !t_ms.is_finite() || t_ms < 0.0 {
        return Err(format!("time must be a finite number >= 0 ms, got {t_ms}"));
    }
    let x = t_ms / dt_ms;
    let s = x.round();
    if (x - s).abs() > 1e-6 {
        return Err(format!("time {t_ms} ms is not on the {dt_ms} ms step grid"));
    }
    let max_steps = u32::MAX / 2;
    if s > max_steps as f64 {
        return Err(format!(
            "time {t_ms:e} ms is too long; expected at most {:.1} ms",
            max_steps as f64 * dt_ms
        ));
    }
    Ok(s as u32)
}

/// Reads `neuron,t_ms` input events (CSV or TSV, plain or `.gz`, through the same reader as
/// the connectome tables: byte order mark, quotes and CRLF are handled); every problem
/// names the file, line, column and what was expected. A (neuron, time) pair given twice is
/// an error, as in Brian 2: one step cannot deliver the same input event twice.
pub(super) fn read_input_spikes(
    path: &Path,
    c: &Connectome,
    dt_ms: f64,
    steps: u32,
) -> Result<InputSpikes, LoadError> {
    let mut r = TableReader::new(open(path)?, path);
    let header = r.header()?.clone();
    let invalid = |r: &TableReader<_>, line, column, message: String| LoadError::Invalid {
        location: Box::new(r.location(line, column)),
        message,
    };
    let (Some(col_n), Some(col_t), 2) = (
        header.find("neuron"),
        header.find("t_ms"),
        header.names.len(),
    ) else {
        return Err(invalid(
            &r,
            1,
            None,
            format!(
                "found the columns `{}`; expected the header `neuron,t_ms` (input events \
                 apply to every trial)",
                header.names.join(",")
            ),
        ));
    };
    let mut events: Vec<(u32, NeuronIndex, u64)> = Vec::new();
    let mut ignored = 0usize;
    let mut row = Row::default();
    while r.next_record(&mut row)? {
        let line = row.line;
        let text = |i: usize| String::from_utf8_lossy(row.bytes(i)).trim().to_owned();
        let Some(id) = parse_id(row.bytes(col_n)) else {
            let found = text(col_n);
            let message = format!("expected an integer neuron id, found `{found}`");
            return Err(invalid(&r, line, Some("neuron"), message));
        };
        let Some(idx) = c.neurons.index_of(id) else {
            let message = format!(
                "neuron {id} is not in the connectome ({}); expected one of its ids",
                c.format
            );
            return Err(invalid(&r, line, Some("neuron"), message));
        };
        let t_text = text(col_t);
        let Ok(t) = t_text.parse::<f64>() else {
            let message = format!("expected a time in ms, found `{t_text}`");
            return Err(invalid(&r, line, Some("t_ms"), message));
        };
        let step = ms_to_step(t, dt_ms).map_err(|e| invalid(&r, line, Some("t_ms"), e))?;
        if step >= steps {
            ignored += 1;
            continue;
        }
        events.push((step, idx, line));
    }
    events.sort_unstable();
    if let Some(w) = events
        .windows(2)
        .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
    {
        let (step, idx, line) = w[1];
        let message = format!(
            "neuron {} already has an input event at {} ms (line {}); expected each \
             (neuron, t_ms) pair once (Brian 2 refuses repeated events in one step)",
            c.neurons.id(idx),
            (step as f64 * dt_ms * 1e6).round() / 1e6,
            w[0].2
        );
        return Err(invalid(&r, line, None, message));
    }
    if ignored > 0 {
        tracing::warn!("{ignored} input events at or after the end of the run were ignored");
    }
    Ok(InputSpikes::new(
        events.into_iter().map(|(s, n, _)| (s, n)).collect(),
    ))
}

/// Writes spikes (already sorted) as `neuron,t_ms[,trial]` with exact decimal times,
/// atomically.
pub(super) fn write_spikes(
    path: &Path,
    spikes: &[(u32, NeuronIndex, u32)],
    c: &Connectome,
    with_trial: bool,
    dt_ms: f64,
) -> Result<(), BrainRunError> {
    // dt = 0.1 ms: write step/10 with one decimal digit, no floating-point noise.
    let tenth = (dt_ms - 0.1).abs() < 1e-15;
    write(path, |w| {
        let header = if with_trial {
            "neuron,t_ms,trial"
        } else {
            "neuron,t_ms"
        };
        writeln!(w, "{header}")?;
        for &(s, n, t) in spikes {
            let id = c.neurons.id(n);
            if tenth {
                write!(w, "{id},{}.{}", s / 10, s % 10)?;
            } else {
                write!(w, "{id},{}", s as f64 * dt_ms)?;
            }
            if with_trial {
                write!(w, ",{t}")?;
            }
            writeln!(w)?;
        }
        Ok(())
    })
}

/// Writes every neuron's mean rate as `neuron,rate_hz`, atomically.
pub(super) fn write_rates(path: &Path, rates: &[f64], c: &Connectome) -> Result<(), BrainRunError> {
    write(path, |w| {
        writeln!(w, "neuron,rate_hz")?;
        for (i, r) in rates.iter().enumerate() {
            writeln!(w, "{},{}", c.neurons.id(i as NeuronIndex), r)?;
        }
        Ok(())
    })
}

fn write(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> std::io::Result<()>,
) -> Result<(), BrainRunError> {
    crate::record::write_atomic(path, |w| {
        fill(w).map_err(|source| RecordError::Io {
            action: "cannot write",
            path: path.to_path_buf(),
            source,
        })
    })
    .map_err(BrainRunError::Output)
}
