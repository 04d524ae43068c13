//! The check report as text for a terminal: the same numbers as the JSON, one line per
//! selector, path and response, each marked `connectome` or `engineered`, with the null
//! model's numbers beside the real ones.

use std::fmt::Write;

use super::report::{CheckReport, PathMeasures, Response};

fn hops(h: Option<u32>) -> String {
    h.map_or("-".into(), |h| h.to_string())
}

fn path_line(m: &PathMeasures) -> String {
    let mut s = format!(
        "hops {}/{}  direct {} syn ({} pairs)",
        hops(m.hops_any_sign),
        hops(m.hops_excitatory),
        m.direct_synapses,
        m.direct_pairs
    );
    if let Some(b) = m.strongest_bottleneck {
        let mut p = String::new();
        for (k, n) in m.strongest_path.iter().enumerate() {
            if k > 0 {
                let _ = write!(p, " -{}-> ", m.strongest_counts[k - 1]);
            }
            let t = if n.r#type.is_empty() { "?" } else { &n.r#type };
            let _ = write!(p, "{t}");
        }
        let _ = write!(s, "  strongest >= {b}: {p}");
    }
    s
}

fn response(r: &Response) -> String {
    let mut s = format!("{:+8.2} ± {:5.2} Hz", r.change_hz, r.change_se_hz);
    if let Some(t) = r.triggered_trials {
        let _ = write!(s, " trig {t}");
        if let Some(ms) = r.first_trigger_ms {
            let _ = write!(s, " @{ms:.1}ms");
        }
    }
    s
}

/// Renders the report as text.
pub fn render(r: &CheckReport) -> String {
    let mut o = String::new();
    let d = &r.dataset;
    let _ = writeln!(
        o,
        "circuit `{}` ({}) on {} [{}]",
        r.circuit.name, r.circuit.file, d.label, d.format
    );
    let _ = writeln!(
        o,
        "  {} neurons, {} pairs, {} synapses; wiring: {}{}",
        d.neurons,
        d.edges,
        d.synapses,
        d.wiring,
        match (&d.synthetic_note, d.synthetic_neurons) {
            (Some(note), _) => format!("\n  SYNTHETIC: {note}"),
            (None, 0) => String::new(),
            (None, k) => format!(" ({k} synthetic neurons)"),
        }
    );
    let m = &r.model;
    let _ = writeln!(
        o,
        "  model: w_syn {} mV, signs {}{}{}",
        m.w_syn_mv,
        m.signs,
        m.inhibitory_fraction.map_or(String::new(), |f| format!(
            " ({f} inhibitory, seed {})",
            m.sign_seed.unwrap_or(0)
        )),
        if m.weight_overridden {
            " (weight from --w-syn-mv)"
        } else if m.from_map {
            " (from the map's [model])"
        } else {
            " (published defaults)"
        }
    );
    let _ = writeln!(o, "\nselectors");
    for s in &r.sensors {
        for g in &s.groups {
            let _ = writeln!(
                o,
                "  sensor  {:<14} {:<5} {:>6} neurons  {:<10} {} <- {} ({:.0} Hz top)",
                s.name, g.side, g.neurons, s.link, g.selector, s.field, s.top_rate_hz
            );
        }
    }
    for rd in &r.readouts {
        for g in &rd.groups {
            let _ = writeln!(
                o,
                "  readout {:<14} {:<5} {:>6} neurons  {:<10} {} -> {}",
                rd.name, g.side, g.neurons, rd.link, g.selector, rd.command
            );
        }
    }
    for n in &r.notes {
        let _ = writeln!(o, "\nnote: {n}");
    }
    if !r.paths.is_empty() {
        let _ = writeln!(
            o,
            "\npaths (hops any sign/excitatory; direct synapses; widest path)"
        );
    }
    for p in &r.paths {
        let _ = writeln!(
            o,
            "  {}.{} -> {}.{} [{}]",
            p.sensor, p.sensor_side, p.readout, p.readout_side, p.link
        );
        let _ = writeln!(o, "      real:     {}", path_line(&p.real));
        if let Some(n) = &p.null {
            let _ = writeln!(o, "      shuffled: {}", path_line(n));
        }
    }
    if let Some(dr) = &r.drive {
        let _ = writeln!(
            o,
            "\ndrive test: each group at its top rate for {} ms, {} trials, seed {}; change over no drive, mean ± s.e.{}",
            dr.duration_ms,
            dr.trials,
            dr.seed,
            dr.null.as_ref().map_or(String::new(), |n| format!(
                "; null = shuffled wiring, seed {}",
                n.seed
            ))
        );
        for t in &dr.tests {
            let _ = writeln!(
                o,
                "  {}.{} at {} Hz ({} neurons); network active {:.1}%{}",
                t.sensor,
                t.side,
                t.rate_hz,
                t.driven,
                100.0 * t.network.active_fraction,
                t.null_network.as_ref().map_or(String::new(), |n| format!(
                    " (shuffled {:.1}%)",
                    100.0 * n.active_fraction
                ))
            );
            for x in &t.readouts {
                let null = x
                    .null
                    .as_ref()
                    .map_or(String::new(), |n| format!("   shuffled {}", response(n)));
                let _ = writeln!(
                    o,
                    "      {:<14} {:<5} real {}{}  [{}]",
                    x.readout,
                    x.side,
                    response(&x.real),
                    null,
                    x.link
                );
            }
        }
    }
    if let Some(p) = &r.propose {
        let _ = writeln!(
            o,
            "\nproposed readouts for `{}`: {} candidates ({})",
            p.sensor, p.candidates, p.candidates_rule
        );
        if let Some(n) = &p.null_best {
            let _ = writeln!(
                o,
                "  best anywhere on the shuffled wiring: |L-R| {:.2} Hz, change {:+.2} Hz, \
                 pair turn score {:+.2} Hz, pair change {:+.2} Hz",
                n.abs_diff_hz, n.change_hz, n.pair_turn_score_hz, n.pair_change_hz
            );
        }
        for (title, list) in [
            ("pairs as turning readouts (left, right)", &p.pairs_by_turn),
            ("pairs by mean response", &p.pairs_by_response),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(o, "  {title}:");
            for q in list {
                let _ = writeln!(
                    o,
                    "    {} {} / {} {}  L-R {:+7.2} / {:+7.2}  turn score {:+7.2}  change {:+7.2}  shuffled: turn {} change {}",
                    q.left.id,
                    q.left.r#type,
                    q.right.id,
                    q.right.r#type,
                    q.left_diff_hz,
                    q.right_diff_hz,
                    q.turn_score_hz,
                    q.change_hz,
                    q.null_turn_score_hz
                        .map_or("-".into(), |x| format!("{x:+.2}")),
                    q.null_change_hz.map_or("-".into(), |x| format!("{x:+.2}"))
                );
            }
        }
        for (title, list) in [
            ("by |left - right| response", &p.lateral),
            ("by mean response", &p.response),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(o, "  {title}:");
            for c in list {
                let _ = writeln!(
                    o,
                    "    {:>20} {:<12} {:<6} L {:7.2} R {:7.2} base {:6.2}  L-R {:+7.2} ± {:5.2}  change {:+7.2}  shuffled L-R {}  partner {}",
                    c.neuron.id,
                    c.neuron.r#type,
                    c.neuron.side,
                    c.left_hz,
                    c.right_hz,
                    c.baseline_hz,
                    c.diff_hz,
                    c.diff_se_hz,
                    c.change_hz,
                    c.null_diff_hz.map_or("-".into(), |x| format!("{x:+.2}")),
                    c.partner.map_or("-".into(), |x| x.to_string())
                );
            }
        }
    }
    o
}
