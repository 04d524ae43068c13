//! The grid of a sweep: which keys of the experiment file take which values, and the seeds.
//!
//! A sweep is written beside the experiment it varies, in a `[sweep]` table of the same file
//! (`"agent.hunger" = [0.0, 0.5, 1.0]`, `seeds = 10`), and/or on the command line
//! (`--set agent.hunger=0,0.5,1`, `--seeds 1..10`); the command line wins for the same key.
//! Keys are dotted paths into the experiment's TOML (`events[0].at_s`, or `events.0.at_s`, for
//! the first `[[events]]` entry), so any parameter of the file can be swept without this
//! module knowing the format: a run's experiment is the file's document with the values set,
//! serialised again and validated by [`Experiment::parse`] like any other file. The whole
//! grid is validated before anything runs, and every error names the sweep key and where it
//! came from (the file's line or `--set`).

use std::fmt;
use std::path::{Path, PathBuf};

use super::SweepError;
use crate::error_chain as chain;
use toml::Value;

use crate::experiment::Experiment;

pub use crate::experiment::file::{SWEEP_TABLE, without_sweep_table};
use crate::experiment::key_path::set_path;
pub use crate::experiment::key_path::{KeyPart, KeyPath};

/// Most runs one sweep may plan (a typo such as `--seeds 1000000` should not start a
/// year of work; a plan of 10^6 runs took 3.2 GB before the first run).
pub const MAX_RUNS: usize = 100_000;

/// Where a sweep key was given, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// In the `[sweep]` table of the experiment file, at this line.
    File {
        /// The experiment file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
    },
    /// On the command line.
    Cli,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line } => write!(f, "{} line {line}", path.display()),
            Origin::Cli => f.write_str("--set"),
        }
    }
}

/// One swept parameter.
#[derive(Debug, Clone)]
pub struct Axis {
    /// The key it sets.
    pub key: KeyPath,
    /// Its values, in the order given (the grid's order).
    pub values: Vec<Value>,
    /// Where it was given.
    pub origin: Origin,
}

/// A parsed sweep: the experiment without its `[sweep]` table, the axes and the seeds.
#[derive(Debug, Clone)]
pub struct SweepSpec {
    /// The experiment file, canonical (relative paths in it resolve against its folder).
    pub experiment: PathBuf,
    /// The file's document without `[sweep]`.
    pub base: toml::Table,
    /// The swept parameters: the file's in file order, then the command line's in the order
    /// given (a `--set` of a key the file also sweeps takes the file key's place).
    pub axes: Vec<Axis>,
    /// Seeds (`run.seed`) of every grid point, innermost in the run order.
    pub seeds: Vec<u64>,
}

impl SweepSpec {
    /// Reads the experiment file and its `[sweep]` table, applies the command line's `--set`
    /// items (`KEY=V1,V2,...`) and `--seeds` (`N`, or a list `a,b,c` with ranges `a..b`),
    /// and validates every grid point.
    pub fn load(
        path: &Path,
        sets: &[String],
        seeds: Option<&str>,
    ) -> Result<SweepSpec, SweepError> {
        let text = crate::experiment::file::read_text(path)?;
        let experiment = std::fs::canonicalize(path).map_err(|source| SweepError::Io {
            action: "cannot resolve",
            path: path.to_path_buf(),
            source,
        })?;
        SweepSpec::parse(&text, &experiment, sets, seeds)
    }

    /// [`SweepSpec::load`] on the file's text; `path` names it and anchors relative paths.
    pub fn parse(
        text: &str,
        path: &Path,
        sets: &[String],
        seeds: Option<&str>,
    ) -> Result<SweepSpec, SweepError> {
        // The experiment itself, checked with the file's own line numbers.
        let base_exp = Experiment::parse(text, path)?;
        let mut base: toml::Table = toml::from_str(text)
            .map_err(|e| SweepError::grid(format!("{}: {e}", path.display())))?;
        let sweep = base.remove(SWEEP_TABLE);
        let lines = sweep_lines(text);
        let mut axes: Vec<Axis> = Vec::new();
        let mut file_seeds: Option<(Value, usize)> = None;
        match sweep {
            None => {}
            Some(Value::Table(t)) => {
                let mut leaves = Vec::new();
                flatten(&t, "", &mut leaves);
                let mut order: Vec<(usize, usize)> = Vec::new();
                for (key, value) in leaves {
                    let (line, at) = lines.get(&key).copied().unwrap_or((0, usize::MAX));
                    if key == "seeds" {
                        file_seeds = Some((value, line));
                        continue;
                    }
                    let origin = Origin::File {
                        path: path.to_path_buf(),
                        line,
                    };
                    let k = KeyPath::parse(&key)
                        .map_err(|e| SweepError::grid(format!("sweep key ({origin}): {e}")))?;
                    let values = match value {
                        Value::Array(a) => a,
                        v => vec![v],
                    };
                    if axes.iter().any(|a| a.key == k) {
                        return Err(SweepError::grid(format!(
                            "sweep key `{k}` ({origin}) is given twice"
                        )));
                    }
                    order.push((at, axes.len()));
                    axes.push(Axis {
                        key: k,
                        values,
                        origin,
                    });
                }
                // The map is sorted by key; the grid follows the file.
                order.sort();
                let mut taken: Vec<Option<Axis>> = axes.drain(..).map(Some).collect();
                axes = order
                    .into_iter()
                    .map(|(_, i)| taken[i].take().expect("each once"))
                    .collect();
            }
            Some(_) => {
                return Err(SweepError::grid(format!(
                    "{}: `{SWEEP_TABLE}` must be a table ([sweep])",
                    path.display()
                )));
            }
        }
        let mut cli_keys: Vec<KeyPath> = Vec::new();
        for item in sets {
            let (key, values) = parse_set(item)?;
            if cli_keys.contains(&key) {
                return Err(SweepError::grid(format!("--set `{key}` is given twice")));
            }
            cli_keys.push(key.clone());
            match axes.iter_mut().find(|a| a.key == key) {
                Some(a) => {
                    a.values = values;
                    a.origin = Origin::Cli;
                }
                None => axes.push(Axis {
                    key,
                    values,
                    origin: Origin::Cli,
                }),
            }
        }
        for a in &axes {
            if a.values.is_empty() {
                return Err(SweepError::grid(format!(
                    "empty grid: sweep key `{}` ({}) has no values",
                    a.key, a.origin
                )));
            }
            if a.key.text == "run.seed" {
                return Err(SweepError::grid(format!(
                    "sweep key `run.seed` ({}): seeds are their own axis: use `seeds = [..]` in \
                     [sweep] or --seeds",
                    a.origin
                )));
            }
            if a.key.text == "seeds" || a.key.text.starts_with("sweep.") {
                return Err(SweepError::grid(format!(
                    "sweep key `{}` ({}): unknown key (seeds: --seeds or `seeds` in [sweep])",
                    a.key, a.origin
                )));
            }
            for (i, v) in a.values.iter().enumerate() {
                if a.values[..i].contains(v) {
                    return Err(SweepError::grid(format!(
                        "sweep key `{}` ({}): the value {v} is listed twice",
                        a.key, a.origin
                    )));
                }
            }
        }
        let seeds = match (seeds, file_seeds) {
            (Some(s), _) => parse_seeds_cli(s, base_exp.run.seed)?,
            (None, Some((v, line))) => parse_seeds_toml(&v, base_exp.run.seed).map_err(|e| {
                SweepError::grid(format!(
                    "sweep `seeds` ({} line {line}): {e}",
                    path.display()
                ))
            })?,
            (None, None) => vec![base_exp.run.seed],
        };
        let spec = SweepSpec {
            experiment: path.to_path_buf(),
            base,
            axes,
            seeds,
        };
        spec.validate()?;
        Ok(spec)
    }

    /// Number of grid points (all combinations of the axes' values; 1 without axes).
    pub fn points(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// The value index of each axis at grid point `point` (the last axis varies fastest).
    pub fn point_values(&self, point: usize) -> Vec<usize> {
        let mut rest = point;
        let mut out = vec![0; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            out[i] = rest % a.values.len();
            rest /= a.values.len();
        }
        out
    }

    /// The experiment of grid point `values` (a value index per axis) with this seed.
    pub fn experiment(&self, values: &[usize], seed: u64) -> Result<Experiment, SweepError> {
        let set: Vec<(&Axis, &Value)> = self
            .axes
            .iter()
            .zip(values)
            .map(|(a, &i)| (a, &a.values[i]))
            .collect();
        self.build(&set, Some(seed))
            .map_err(|e| SweepError::grid(format!("sweep point {}: {e}", describe(&set))))
    }

    /// Checks each value of each axis alone (so an error names one key), then every grid
    /// point (values that only fail together, e.g. an event after a shortened run).
    fn validate(&self) -> Result<(), SweepError> {
        let runs = self.points().saturating_mul(self.seeds.len());
        if runs > MAX_RUNS {
            return Err(SweepError::grid(format!(
                "the sweep has {runs} runs, more than {MAX_RUNS}; split it"
            )));
        }
        if self.seeds.is_empty() {
            return Err(SweepError::grid("empty grid: no seeds"));
        }
        for a in &self.axes {
            for v in &a.values {
                self.build(&[(a, v)], None).map_err(|e| {
                    SweepError::grid(format!("sweep key `{}` = {v} ({}): {e}", a.key, a.origin))
                })?;
            }
        }
        if self.axes.len() > 1 {
            for p in 0..self.points() {
                self.experiment(&self.point_values(p), self.seeds[0])?;
            }
        }
        Ok(())
    }

    fn build(&self, set: &[(&Axis, &Value)], seed: Option<u64>) -> Result<Experiment, String> {
        let mut doc = Value::Table(self.base.clone());
        for (axis, v) in set {
            set_path(&mut doc, &axis.key, (*v).clone()).map_err(|e| format!("unknown key: {e}"))?;
        }
        if let Some(seed) = seed {
            let seed = i64::try_from(seed).map_err(|_| format!("seed {seed} is too large"))?;
            let key = KeyPath::parse("run.seed").expect("a key");
            set_path(&mut doc, &key, Value::Integer(seed))?;
        }
        let text = toml::to_string(&doc).map_err(|e| e.to_string())?;
        // Serde's message alone: line numbers of the generated text would mislead.
        if let Err(e) = toml::from_str::<Experiment>(&text) {
            let m = e.message().trim().to_string();
            return Err(if m.contains("unknown field") {
                format!("unknown key: {m}")
            } else {
                m
            });
        }
        Experiment::parse(&text, &self.experiment).map_err(|e| strip_lines(&chain(&e)))
    }

    /// sha256 of the experiment as swept (canonical TOML without `[sweep]`: comments and
    /// layout do not count), so a resumed sweep can tell it is the same experiment.
    pub fn base_sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        let text = toml::to_string(&self.base).unwrap_or_default();
        format!("{:x}", Sha256::digest(text.as_bytes()))
    }
}

/// `key = v, key = v` for messages.
fn describe(set: &[(&Axis, &Value)]) -> String {
    if set.is_empty() {
        return "(no swept keys)".into();
    }
    set.iter()
        .map(|(a, v)| format!("{} = {v}", a.key))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Leaves of the `[sweep]` table as dotted keys (`"agent.hunger" = [..]` and
/// `agent.hunger = [..]` / `[sweep.agent]` are the same key).
fn flatten(t: &toml::Table, prefix: &str, out: &mut Vec<(String, Value)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Table(sub) => flatten(sub, &key, out),
            v => out.push((key, v.clone())),
        }
    }
}

/// (1-based line, byte offset) of each key of the `[sweep]` table, keyed like [`flatten`].
fn sweep_lines(text: &str) -> std::collections::HashMap<String, (usize, usize)> {
    use toml::de::{DeTable, DeValue};
    fn walk(
        t: &DeTable<'_>,
        prefix: &str,
        text: &str,
        out: &mut std::collections::HashMap<String, (usize, usize)>,
    ) {
        for (k, v) in t.iter() {
            let key = if prefix.is_empty() {
                k.get_ref().to_string()
            } else {
                format!("{prefix}.{}", k.get_ref())
            };
            let at = k.span().start;
            out.insert(key.clone(), (line_of(text, at), at));
            if let DeValue::Table(sub) = v.get_ref() {
                walk(sub, &key, text, out);
            }
        }
    }
    let mut out = std::collections::HashMap::new();
    if let Ok(doc) = DeTable::parse(text) {
        for (k, v) in doc.get_ref().iter() {
            if k.get_ref().as_ref() == SWEEP_TABLE
                && let DeValue::Table(t) = v.get_ref()
            {
                walk(t, "", text, &mut out);
            }
        }
    }
    out
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Removes ` (line N)` / ` (line N, column C)` from a message about generated text.
fn strip_lines(msg: &str) -> String {
    fn mention(s: &str) -> Option<usize> {
        // s starts right after " (line "; returns the length through ')' if it matches.
        let digits = |t: &str| t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n = digits(s);
        if n == 0 {
            return None;
        }
        let mut rest = &s[n..];
        let mut used = n;
        if let Some(r) = rest.strip_prefix(", column ") {
            let m = digits(r);
            if m == 0 {
                return None;
            }
            used += 9 + m;
            rest = &r[m..];
        }
        rest.starts_with(')').then_some(used + 1)
    }
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find(" (line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 7..];
        match mention(after) {
            Some(len) => rest = &after[len..],
            None => {
                out.push_str(" (line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `KEY=V1,V2,...` (values are TOML, e.g. `0.5`, `true`, `[1.0, 2.0]`, `"a,b"`; anything
/// that is not TOML is a string, so `left,right` needs no quotes).
pub fn parse_set(item: &str) -> Result<(KeyPath, Vec<Value>), SweepError> {
    let Some((key, values)) = item.split_once('=') else {
        return Err(SweepError::grid(format!(
            "--set `{item}`: expected KEY=V1,V2,..."
        )));
    };
    let key = KeyPath::parse(key).map_err(|e| SweepError::grid(format!("--set `{item}`: {e}")))?;
    let items = split_top_level(values);
    if items.iter().all(|s| s.trim().is_empty()) {
        return Err(SweepError::grid(format!(
            "empty grid: --set `{item}` gives `{key}` no values"
        )));
    }
    let mut out = Vec::new();
    for s in items {
        let s = s.trim();
        if s.is_empty() {
            return Err(SweepError::grid(format!(
                "--set `{item}`: an empty value (two commas, or a comma at the end)"
            )));
        }
        out.push(
            s.parse::<Value>()
                .unwrap_or_else(|_| Value::String(s.into())),
        );
    }
    Ok((key, out))
}

/// Splits on commas outside brackets, braces and quotes.
fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// `--seeds`: `N` (N seeds from the file's `run.seed` on), or a list `a,b,c` whose items may
/// be inclusive ranges `a..b` (`7..7` is the one seed 7).
pub fn parse_seeds_cli(s: &str, first: u64) -> Result<Vec<u64>, SweepError> {
    let s = s.trim();
    let bad = || {
        SweepError::grid(format!(
            "--seeds `{s}`: expected N, or a list such as 1,2,5..9"
        ))
    };
    if !s.contains(',') && !s.contains("..") {
        let n: u64 = s.parse().map_err(|_| bad())?;
        return count_seeds(n, first).map_err(|e| SweepError::grid(format!("--seeds `{s}`: {e}")));
    }
    let mut out = Vec::new();
    for item in s.split(',') {
        let item = item.trim();
        if let Some((a, b)) = item.split_once("..") {
            let (a, b): (u64, u64) = (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            );
            if b < a || b - a >= MAX_RUNS as u64 {
                return Err(SweepError::grid(format!(
                    "--seeds `{s}`: `{item}` is not a range a..b with a <= b"
                )));
            }
            out.extend(a..=b);
        } else {
            out.push(item.parse().map_err(|_| bad())?);
        }
    }
    check_seeds(&out).map_err(|e| SweepError::grid(format!("--seeds `{s}`: {e}")))?;
    Ok(out)
}

/// `seeds` in `[sweep]`: a count or an array of seeds.
fn parse_seeds_toml(v: &Value, first: u64) -> Result<Vec<u64>, String> {
    let out = match v {
        Value::Integer(n) if *n >= 0 => return count_seeds(*n as u64, first),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Integer(n) if *n >= 0 => Ok(*n as u64),
                x => Err(format!("expected seeds >= 0, got {x}")),
            })
            .collect::<Result<Vec<u64>, String>>()?,
        v => return Err(format!("expected a count or an array of seeds, got {v}")),
    };
    check_seeds(&out)?;
    Ok(out)
}

fn count_seeds(n: u64, first: u64) -> Result<Vec<u64>, String> {
    if n == 0 {
        return Err("empty grid: zero seeds".into());
    }
    if n > MAX_RUNS as u64 {
        return Err(format!("more than {MAX_RUNS} seeds"));
    }
    let out: Vec<u64> = (0..n).map(|i| first + i).collect();
    check_seeds(&out)?;
    Ok(out)
}

fn check_seeds(seeds: &[u64]) -> Result<(), String> {
    if seeds.is_empty() {
        return Err("empty grid: no seeds".into());
    }
    for (i, s) in seeds.iter().enumerate() {
        if *s > i64::MAX as u64 {
            return Err(format!("seed {s} is larger than a TOML integer"));
        }
        if seeds[..i].contains(s) {
            return Err(format!("seed {s} is listed twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths() {
        let k = KeyPath::parse("events[0].at_s").unwrap();
        assert_eq!(k.text, "events[0].at_s");
        assert_eq!(k, KeyPath::parse("events.0.at_s").unwrap());
        assert_eq!(
            KeyPath::parse("agent.position[1]").unwrap().segments,
            vec![
                KeyPart::Key("agent".into()),
                KeyPart::Key("position".into()),
                KeyPart::Index(1)
            ]
        );
        for bad in ["", "a..b", "0.a", "a[x]", "a[0", "a b", "a[0]x"] {
            assert!(KeyPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn set_values_split_at_top_level_commas() {
        let (k, v) = parse_set("agent.position=[0.0, 1.0],[2, 3]").unwrap();
        assert_eq!(k.text, "agent.position");
        assert_eq!(v.len(), 2);
        assert!(matches!(&v[0], Value::Array(a) if a.len() == 2));
        let (_, v) = parse_set("events.0.side=left, right,\"a,b\"").unwrap();
        assert_eq!(
            v,
            vec![
                Value::String("left".into()),
                Value::String("right".into()),
                Value::String("a,b".into())
            ]
        );
        let (_, v) = parse_set("agent.hunger=0,0.50,1e-1").unwrap();
        assert_eq!(
            v,
            vec![Value::Integer(0), Value::Float(0.5), Value::Float(0.1)]
        );
        let e = parse_set("agent.hunger=").unwrap_err().to_string();
        assert!(
            e.contains("empty grid") && e.contains("agent.hunger"),
            "{e}"
        );
        assert!(parse_set("agent.hunger=1,,2").is_err());
        assert!(parse_set("agent.hunger").is_err());
    }

    #[test]
    fn seeds() {
        assert_eq!(parse_seeds_cli("3", 1).unwrap(), vec![1, 2, 3]);
        assert_eq!(parse_seeds_cli("1..3,7", 0).unwrap(), vec![1, 2, 3, 7]);
        assert_eq!(parse_seeds_cli("7..7", 0).unwrap(), vec![7]);
        assert!(
            parse_seeds_cli("0", 1)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(
            parse_seeds_cli("1,1", 1)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        assert!(parse_seeds_cli("3..1", 1).is_err());
        assert!(parse_seeds_cli("x", 1).is_err());
        assert_eq!(parse_seeds_toml(&Value::Integer(2), 5).unwrap(), vec![5, 6]);
    }

    #[test]
    fn sweep_table_is_blanked_line_for_line() {
        let text = "[run]\nduration_s = 1.0\n\n[sweep]\n\"agent.hunger\" = [\n  0.0,\n  1.0,\n]\nseeds = 3 # c\n\n[agent]\nhunger = 0.2\n";
        let out = without_sweep_table(text);
        assert_eq!(out.lines().count(), text.lines().count());
        assert_eq!(
            out,
            "[run]\nduration_s = 1.0\n\n\n\n\n\n\n\n\n[agent]\nhunger = 0.2\n"
        );
        let lines = sweep_lines(text);
        assert_eq!(lines["agent.hunger"].0, 5);
        assert_eq!(lines["seeds"].0, 9);
        let nested = "[sweep.agent]\nhunger = [0.0]\n[run]\nx = 1\n";
        assert_eq!(without_sweep_table(nested), "\n\n[run]\nx = 1\n");
        assert_eq!(sweep_lines(nested)["agent.hunger"].0, 2);
    }

    #[test]
    fn line_mentions_are_stripped() {
        assert_eq!(
            strip_lines("`agent.hunger` (line 14): expected 0..1 (line 3, column 2)"),
            "`agent.hunger`: expected 0..1"
        );
        assert_eq!(strip_lines("x (line of sight)"), "x (line of sight)");
        assert_eq!(strip_lines("x (line 3"), "x (line 3");
    }
}
