//! The circuit-map TOML schema as serde sees it (unknown keys are errors), and its checked
//! conversion into [`CircuitMap`]. Everything serde cannot express (which keys go
//! together, value ranges, selectors that must parse, finite numbers) is checked here, and
//! every problem is collected with its key so that one run reports them all.

use std::collections::HashSet;
use std::path::Path;

use connectome::select::Selector;
use serde::Deserialize;

use super::encoding::{Curve, Encoding, Gains};
use super::error::{CircuitError, Problem};
use super::fields::SensorField;
use super::keys::KeyIndex;
use super::map::{
    Baseline, CircuitMap, Command, Filter, GroupSpec, Link, ModelSpec, ReadoutSpec, SensorSpec,
    SignSpec, Trigger,
};
use crate::anatomy::Side;
use crate::brain::ModelParams;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    name: String,
    #[serde(default)]
    description: String,
    dataset: Option<String>,
    model: Option<RawModel>,
    #[serde(default)]
    sensor: Vec<RawSensor>,
    #[serde(default)]
    readout: Vec<RawReadout>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SignsKind {
    Transmitter,
    Seeded,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    w_syn_mv: Option<f64>,
    signs: Option<SignsKind>,
    inhibitory_fraction: Option<f64>,
    sign_seed: Option<u64>,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSensor {
    name: String,
    field: String,
    neurons: Option<String>,
    side: Option<Side>,
    left: Option<String>,
    right: Option<String>,
    encoding: RawEncoding,
    #[serde(default)]
    gain: RawGains,
    link: Link,
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum CurveKind {
    Piecewise,
    Saturating,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEncoding {
    curve: CurveKind,
    points: Option<Vec<Vec<f64>>>,
    max_hz: Option<f64>,
    half_at: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGains {
    hunger: Option<f64>,
    dust: Option<f64>,
    arousal: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReadout {
    name: String,
    command: Command,
    neurons: Option<String>,
    left: Option<String>,
    right: Option<String>,
    filter: Option<RawFilter>,
    trigger: Option<RawTrigger>,
    link: Link,
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    tau_ms: f64,
    baseline_hz: Option<f64>,
    baseline_rest_ms: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrigger {
    spikes: u32,
    window_ms: f64,
}

/// Collects problems against the map text.
struct Ctx<'a> {
    text: &'a str,
    keys: &'a KeyIndex,
    problems: Vec<Problem>,
    max_rate_hz: f64,
}

impl Ctx<'_> {
    fn bad(&mut self, key: &str, message: impl Into<String>) {
        let (line, column) = self.keys.locate(self.text, key).unzip();
        self.problems.push(Problem {
            line,
            column,
            key: key.to_owned(),
            message: message.into(),
        });
    }

    fn selector(&mut self, key: &str, text: &str, side: Option<Side>) -> Option<GroupSpec> {
        match Selector::parse(text) {
            Ok(selector) => Some(GroupSpec {
                side,
                selector,
                key: key.to_owned(),
            }),
            Err(e) => {
                self.bad(
                    key,
                    format!(
                        "{e}; expected a neuron selector (see `Selecting neurons` in the README)"
                    ),
                );
                None
            }
        }
    }

    fn non_empty(&mut self, key: &str, value: &str, what: &str) {
        if value.trim().is_empty() {
            self.bad(key, format!("is empty; expected {what}"));
        }
    }

    /// A rate that must lie in [0, max rate].
    fn rate(&mut self, key: &str, hz: f64) {
        if hz.is_finite() && !(0.0..=self.max_rate_hz).contains(&hz) {
            self.bad(
                key,
                format!(
                    "rate {hz} Hz is out of range; expected 0 to {} Hz (one input event per \
                     {} ms step)",
                    self.max_rate_hz,
                    1000.0 / self.max_rate_hz
                ),
            );
        }
    }

    fn positive(&mut self, key: &str, x: f64, unit: &str) {
        if x.is_finite() && x <= 0.0 {
            self.bad(
                key,
                format!("{x} is not positive; expected a number > 0{unit}"),
            );
        }
    }
}

/// Parses and validates a map (see [`CircuitMap::parse`]).
pub(crate) fn parse(text: &str, file: &Path, keys: KeyIndex) -> Result<CircuitMap, CircuitError> {
    let invalid = |problems| CircuitError::Invalid {
        file: file.to_path_buf(),
        problems,
    };
    let raw: RawMap = toml::from_str(text).map_err(|e| {
        let (line, column, key) = match e.span() {
            Some(span) => {
                let (l, c) = keys.line_column(text, span.start);
                (
                    Some(l),
                    Some(c),
                    keys.key_at(span.start).unwrap_or("").to_owned(),
                )
            }
            None => (None, None, String::new()),
        };
        invalid(vec![Problem {
            line,
            column,
            key,
            message: format!(
                "{}; expected a circuit map (see assets/circuits/README.md)",
                e.message().trim_end()
            ),
        }])
    })?;
    let max_rate_hz = 1000.0 / ModelParams::default().dt_ms;
    let mut cx = Ctx {
        text,
        keys: &keys,
        problems: Vec::new(),
        max_rate_hz,
    };
    for (path, literal, _) in keys.non_finite() {
        cx.bad(
            path,
            format!("`{literal}` is not a finite number; expected a finite number"),
        );
    }
    cx.non_empty("name", &raw.name, "a map name");
    if raw.sensor.is_empty() && raw.readout.is_empty() {
        cx.bad(
            "",
            "no [[sensor]] and no [[readout]] tables; expected at least one of them",
        );
    }
    let model = raw.model.as_ref().map(|m| model(&mut cx, m));
    let mut names = HashSet::new();
    let sensors: Vec<SensorSpec> = raw
        .sensor
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let key = format!("sensor[{i}]");
            if !names.insert(("sensor", s.name.clone())) {
                cx.bad(
                    &format!("{key}.name"),
                    format!(
                        "sensor `{}` is defined twice; expected unique names",
                        s.name
                    ),
                );
            }
            sensor(&mut cx, &key, s)
        })
        .collect();
    let readouts: Vec<ReadoutSpec> = raw
        .readout
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let key = format!("readout[{i}]");
            if !names.insert(("readout", r.name.clone())) {
                cx.bad(
                    &format!("{key}.name"),
                    format!(
                        "readout `{}` is defined twice; expected unique names",
                        r.name
                    ),
                );
            }
            readout(&mut cx, &key, r)
        })
        .collect();
    if !cx.problems.is_empty() {
        cx.problems.sort_by_key(|p| (p.line, p.column));
        return Err(invalid(cx.problems));
    }
    Ok(CircuitMap {
        name: raw.name,
        description: raw.description,
        dataset: raw.dataset,
        model,
        sensors,
        readouts,
        file: file.to_path_buf(),
        text: text.to_owned(),
        keys,
    })
}

fn model(cx: &mut Ctx, m: &RawModel) -> ModelSpec {
    let mut spec = ModelSpec {
        note: m.note.clone(),
        ..ModelSpec::default()
    };
    if let Some(w) = m.w_syn_mv {
        if w.is_finite() && w <= 0.0 {
            cx.bad("model.w_syn_mv", format!("{w} mV is not positive; expected the weight of one synapse in mV (> 0; signs come from the sign rule)"));
        }
        spec.w_syn_mv = w;
    }
    match m.signs {
        Some(SignsKind::Seeded) => {
            let f = match m.inhibitory_fraction {
                Some(f) => {
                    if f.is_finite() && !(0.0..=1.0).contains(&f) {
                        cx.bad(
                            "model.inhibitory_fraction",
                            format!(
                                "{f} is outside 0..1; expected the fraction of inhibitory neurons"
                            ),
                        );
                    }
                    f
                }
                None => {
                    cx.bad("model.signs", "signs = \"seeded\" needs `inhibitory_fraction` (0..1); expected it in [model]");
                    0.0
                }
            };
            spec.signs = SignSpec::Seeded {
                inhibitory_fraction: f,
                seed: m.sign_seed.unwrap_or(0),
            };
        }
        Some(SignsKind::Transmitter) | None => {
            if m.inhibitory_fraction.is_some() {
                cx.bad("model.inhibitory_fraction", "only used with signs = \"seeded\"; expected signs = \"seeded\" or no inhibitory_fraction");
            }
            if m.sign_seed.is_some() {
                cx.bad("model.sign_seed", "only used with signs = \"seeded\"; expected signs = \"seeded\" or no sign_seed");
            }
        }
    }
    if m.note.trim().is_empty() {
        cx.bad(
            "model",
            "[model] has no `note`; expected a note saying how its numbers were chosen",
        );
    }
    spec
}

/// The neuron keys of a sensor or readout table.
struct Layout<'a> {
    neurons: &'a Option<String>,
    side: Option<Side>,
    left: &'a Option<String>,
    right: &'a Option<String>,
}

/// Groups from `neurons` / `side` / `left` / `right`; `sided` = the value has two sides.
fn groups(cx: &mut Ctx, key: &str, layout: Layout, sided: bool, what: &str) -> Vec<GroupSpec> {
    let side = layout.side;
    let mut out = Vec::new();
    match (layout.neurons, layout.left, layout.right) {
        (Some(n), None, None) => {
            if sided && side.is_none() {
                cx.bad(&format!("{key}.neurons"), format!("{what} has a left and a right value; expected `left` and `right` selectors, or `side = \"left\"`/`\"right\"` with `neurons`"));
            }
            out.extend(cx.selector(&format!("{key}.neurons"), n, side));
        }
        (None, Some(l), Some(r)) => {
            if side.is_some() {
                cx.bad(&format!("{key}.side"), "`side` goes with `neurons`; expected either `neurons` + `side` or `left` + `right`");
            }
            out.extend(cx.selector(&format!("{key}.left"), l, Some(Side::Left)));
            out.extend(cx.selector(&format!("{key}.right"), r, Some(Side::Right)));
        }
        (None, None, None) => cx.bad(
            key,
            "no neurons; expected `neurons = \"SELECTOR\"` or `left` and `right` selectors",
        ),
        (Some(_), _, _) => cx.bad(
            &format!("{key}.neurons"),
            "both `neurons` and `left`/`right`; expected one or the other",
        ),
        (None, Some(_), None) => cx.bad(
            &format!("{key}.left"),
            "`left` without `right`; expected both (or `neurons` + `side`)",
        ),
        (None, None, Some(_)) => cx.bad(
            &format!("{key}.right"),
            "`right` without `left`; expected both (or `neurons` + `side`)",
        ),
    }
    out
}

fn sensor(cx: &mut Ctx, key: &str, s: &RawSensor) -> Option<SensorSpec> {
    cx.non_empty(&format!("{key}.name"), &s.name, "a sensor name");
    cx.non_empty(
        &format!("{key}.note"),
        &s.note,
        "a note saying why these neurons and this curve",
    );
    let field = SensorField::parse(&s.field);
    if field.is_none() {
        cx.bad(
            &format!("{key}.field"),
            format!(
                "unknown Sensors field `{}`; expected one of: {}",
                s.field,
                SensorField::known_paths()
            ),
        );
    }
    let sided = field.is_some_and(SensorField::sided);
    if !sided && field.is_some() && s.side.is_some() {
        cx.bad(&format!("{key}.side"), format!("field `{}` has no sides; expected no `side` (use `left`/`right` selectors to drive each side's neurons with the same value)", s.field));
    }
    let what = format!("field `{}`", s.field);
    let layout = Layout {
        neurons: &s.neurons,
        side: s.side,
        left: &s.left,
        right: &s.right,
    };
    let groups = groups(cx, key, layout, sided, &what);
    let encoding = encoding(cx, &format!("{key}.encoding"), &s.encoding, &s.gain, key)?;
    Some(SensorSpec {
        name: s.name.clone(),
        field: field?,
        groups,
        encoding,
        link: s.link,
        note: s.note.clone(),
    })
}

fn encoding(
    cx: &mut Ctx,
    key: &str,
    e: &RawEncoding,
    g: &RawGains,
    sensor: &str,
) -> Option<Encoding> {
    let curve = match e.curve {
        CurveKind::Piecewise => {
            if e.max_hz.is_some() || e.half_at.is_some() {
                cx.bad(key, "`max_hz`/`half_at` belong to curve = \"saturating\"; expected `points` only for a piecewise curve");
            }
            let Some(points) = &e.points else {
                cx.bad(&format!("{key}.curve"), "curve = \"piecewise\" needs `points = [[x, hz], ...]`; expected at least two points");
                return None;
            };
            if points.len() < 2 {
                cx.bad(
                    &format!("{key}.points"),
                    format!(
                        "{} point(s); expected at least two [x, hz] points",
                        points.len()
                    ),
                );
            }
            let mut out = Vec::new();
            for (i, p) in points.iter().enumerate() {
                let pk = format!("{key}.points[{i}]");
                if p.len() != 2 {
                    cx.bad(&pk, format!("{} numbers; expected a pair [x, hz]", p.len()));
                    continue;
                }
                cx.rate(&format!("{pk}[1]"), p[1]);
                if let Some(&(x0, _)) = out.last()
                    && p[0].is_finite()
                    && p[0] <= x0
                {
                    cx.bad(&format!("{pk}[0]"), format!("x = {} does not increase (previous {x0}); expected strictly increasing x", p[0]));
                }
                out.push((p[0], p[1]));
            }
            Curve::Piecewise(out)
        }
        CurveKind::Saturating => {
            if e.points.is_some() {
                cx.bad(&format!("{key}.points"), "`points` belongs to curve = \"piecewise\"; expected `max_hz` and `half_at` for a saturating curve");
            }
            let (Some(max_hz), Some(half_at)) = (e.max_hz, e.half_at) else {
                cx.bad(
                    &format!("{key}.curve"),
                    "curve = \"saturating\" needs `max_hz` and `half_at`; expected both",
                );
                return None;
            };
            cx.rate(&format!("{key}.max_hz"), max_hz);
            cx.positive(
                &format!("{key}.half_at"),
                half_at,
                " (the stimulus at half of max_hz)",
            );
            Curve::Saturating { max_hz, half_at }
        }
    };
    let mut gains = Gains::default();
    for (name, value, slot) in [
        ("hunger", g.hunger, &mut gains.hunger),
        ("dust", g.dust, &mut gains.dust),
        ("arousal", g.arousal, &mut gains.arousal),
    ] {
        if let Some(v) = value {
            if v.is_finite() && v < 0.0 {
                cx.bad(
                    &format!("{sensor}.gain.{name}"),
                    format!(
                        "gain {v} is negative; expected a gain >= 0 (rate x (1 + gain x {name}))"
                    ),
                );
            }
            *slot = v;
        }
    }
    let top = curve.top_hz() * gains.max_factor();
    if top.is_finite() && curve.top_hz() <= cx.max_rate_hz && top > cx.max_rate_hz {
        cx.bad(&format!("{sensor}.gain"), format!("with every internal state at 1 the rate reaches {top} Hz; expected at most {} Hz (lower the curve or the gains)", cx.max_rate_hz));
    }
    Some(Encoding {
        curve,
        gains,
        max_rate_hz: cx.max_rate_hz,
    })
}

fn readout(cx: &mut Ctx, key: &str, r: &RawReadout) -> Option<ReadoutSpec> {
    cx.non_empty(&format!("{key}.name"), &r.name, "a readout name");
    cx.non_empty(
        &format!("{key}.note"),
        &r.note,
        "a note saying why these neurons command this",
    );
    let what = format!("command `{}`", r.command.as_str());
    let layout = Layout {
        neurons: &r.neurons,
        side: None,
        left: &r.left,
        right: &r.right,
    };
    let groups = groups(cx, key, layout, false, &what);
    if r.command == Command::Turn && r.neurons.is_some() {
        cx.bad(
            &format!("{key}.neurons"),
            "command = \"turn\" reads left minus right; expected `left` and `right` selectors",
        );
    }
    let filter = r.filter.as_ref().map(|f| {
        let fk = format!("{key}.filter");
        cx.positive(&format!("{fk}.tau_ms"), f.tau_ms, " ms");
        let baseline = match (f.baseline_hz, f.baseline_rest_ms) {
            (Some(_), Some(_)) => {
                cx.bad(
                    &fk,
                    "both `baseline_hz` and `baseline_rest_ms`; expected one of them",
                );
                Baseline::None
            }
            (Some(hz), None) => {
                cx.rate(&format!("{fk}.baseline_hz"), hz);
                Baseline::Fixed(hz)
            }
            (None, Some(ms)) => {
                cx.positive(&format!("{fk}.baseline_rest_ms"), ms, " ms");
                Baseline::MeasuredAtRest(ms)
            }
            (None, None) => Baseline::None,
        };
        Filter {
            tau_ms: f.tau_ms,
            baseline,
        }
    });
    let trigger = r.trigger.as_ref().map(|t| {
        if t.spikes == 0 {
            cx.bad(
                &format!("{key}.trigger.spikes"),
                "0 spikes; expected at least 1",
            );
        }
        cx.positive(&format!("{key}.trigger.window_ms"), t.window_ms, " ms");
        Trigger {
            spikes: t.spikes,
            window_ms: t.window_ms,
        }
    });
    match (r.command, &filter, &trigger) {
        (Command::Escape, _, None) => cx.bad(key, "command = \"escape\" fires on spikes; expected `trigger = { spikes = N, window_ms = T }`"),
        (Command::Escape, _, Some(_)) => {}
        (_, _, Some(_)) => cx.bad(&format!("{key}.trigger"), format!("only escape readouts trigger on spikes; expected a `filter` for command `{}`", r.command.as_str())),
        (_, None, None) => cx.bad(key, format!("command `{}` reads a filtered rate; expected `filter = {{ tau_ms = T, ... }}`", r.command.as_str())),
        _ => {}
    }
    Some(ReadoutSpec {
        name: r.name.clone(),
        command: r.command,
        groups,
        filter,
        trigger,
        link: r.link,
        note: r.note.clone(),
    })
}
