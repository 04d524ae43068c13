//! Fuzzing the experiment file parser: every experiment file shipped in assets/ and the
//! committed corpus (sim/tests/fuzz/experiment_corpus/, hostile inputs found by hand) are
//! mutated at random (lines dropped, doubled and swapped, numbers replaced by extremes,
//! bytes flipped, junk inserted, the text cut short) and parsed the three ways a user's file
//! is read: as an experiment, as a run of a file carrying a `[sweep]`, and as a sweep. Any
//! outcome is fine except a panic or an error that does not name the file. The run is
//! bounded (a fixed number of cases from a fixed seed: the same cases every time, a few
//! seconds); proptest shrinks a failure to a small text and stores its seed under
//! sim/proptest-regressions/, to commit with the fix.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use sim::experiment::Experiment;
use sim::sweep::spec::SweepSpec;

fn corpus() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        root.join("../assets/experiments"),
        root.join("tests/fuzz/experiment_corpus"),
    ] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        entries.sort();
        for p in entries {
            let text = std::fs::read_to_string(&p).unwrap();
            files.push((p, text));
        }
    }
    assert!(files.len() >= 15, "corpus of {} files", files.len());
    files
}

/// One change to a file's text.
#[derive(Debug, Clone)]
enum Mutation {
    DropLine(usize),
    DoubleLine(usize),
    SwapLines(usize, usize),
    /// Replace the n-th number with an extreme.
    Number(usize, &'static str),
    FlipByte(usize, u8),
    Insert(usize, &'static str),
    CutAt(usize),
}

const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1e309",
    "-0.0",
    "nan",
    "inf",
    "18446744073709551615",
    "9223372036854775807",
    "-9223372036854775808",
    "1e-320",
    "0.1",
    "99",
    "[]",
    "\"\"",
    "{}",
];

const JUNK: &[&str] = &[
    "[[events]]\nkind = \"loom\"\n",
    "[[events]]\nkind = \"remove_food\"\nat_s = 0.0\nindex = 7\n",
    "[sweep]\n\"run.duration_s\" = [0.0]\n",
    "[sweep]\nseeds = [1, 1]\n",
    "position = [1, 2, 3]\n",
    "neurons = \"type=(\"\n",
    "\"a.b.c\" = 1\n",
    "[scene]\nfile = \"/nonexistent.toml\"\n",
    "x = \"\u{0}\u{ffff}\"\n",
    "[run]\n",
    "=",
    "[",
    "\"",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropLine),
        any::<usize>().prop_map(Mutation::DoubleLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), prop::sample::select(EXTREMES)).prop_map(|(i, x)| Mutation::Number(i, x)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
        (any::<usize>(), prop::sample::select(JUNK)).prop_map(|(i, j)| Mutation::Insert(i, j)),
        any::<usize>().prop_map(Mutation::CutAt),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let n = lines.len().max(1);
    match *m {
        Mutation::DropLine(i) if !lines.is_empty() => {
            lines.remove(i % n);
        }
        Mutation::DoubleLine(i) if !lines.is_empty() => {
            let l = lines[i % n].clone();
            lines.insert(i % n, l);
        }
        Mutation::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
        Mutation::Number(i, x) => {
            let numbers: Vec<(usize, usize, usize)> = lines
                .iter()
                .enumerate()
                .flat_map(|(li, l)| {
                    let b = l.as_bytes();
                    let mut spans = Vec::new();
                    let mut s = 0;
                    while s < b.len() {
                        if b[s].is_ascii_digit() {
                            let e = (s..b.len())
                                .find(|&k| !(b[k].is_ascii_digit() || b[k] == b'.'))
                                .unwrap_or(b.len());
                            spans.push((li, s, e));
                            s = e;
                        } else {
                            s += 1;
                        }
                    }
                    spans
                })
                .collect();
            if let Some(&(li, s, e)) = numbers.get(i % numbers.len().max(1)) {
                lines[li].replace_range(s..e, x);
            }
        }
        Mutation::Insert(i, j) => lines.insert(i % (lines.len() + 1), j.to_owned()),
        _ => {}
    }
    let mut out = lines.join("\n");
    match *m {
        Mutation::FlipByte(i, b) if !out.is_empty() => {
            let mut bytes = out.into_bytes();
            let k = i % bytes.len();
            bytes[k] = b;
            out = String::from_utf8_lossy(&bytes).into_owned();
        }
        Mutation::CutAt(i) if !out.is_empty() => {
            let mut k = i % out.len();
            while !out.is_char_boundary(k) {
                k -= 1;
            }
            out.truncate(k);
        }
        _ => {}
    }
    out
}

/// Parses `text` as `path` the three ways; returns the errors (the test checks them).
fn parse_all(text: &str, path: &Path) -> Vec<String> {
    let mut errors = Vec::new();
    if let Err(e) = Experiment::parse(text, path) {
        errors.push(sim::error_chain(&e));
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    if let Err(e) = Experiment::load(file.path()) {
        let msg = sim::error_chain(&e);
        assert!(
            msg.contains(&file.path().display().to_string()),
            "Experiment::load's error names no file: {msg}"
        );
    }
    if let Err(e) = SweepSpec::parse(text, path, &[], None) {
        errors.push(sim::error_chain(&e));
    }
    errors
}

#[test]
fn mutated_experiment_files_never_panic_and_every_error_names_the_file() {
    let files = corpus();
    let config = Config {
        cases: 5000,
        // The same cases on every run (CI time is bounded and reproducible).
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &[7; 32],
        ),
    );
    let n = files.len();
    let result = runner.run(
        &(0..n, prop::collection::vec(mutation(), 1..5)),
        |(i, muts)| {
            let (path, text) = &files[i];
            let mut t = text.clone();
            for m in &muts {
                t = apply(&t, m);
            }
            let name = path.display().to_string();
            let errors = std::panic::catch_unwind(|| parse_all(&t, path))
                .map_err(|_| TestCaseError::fail(format!("panicked on:\n{t}")))?;
            for e in errors {
                prop_assert!(e.contains(&name), "error names no file: {e}\non:\n{t}");
                prop_assert!(
                    e.lines().all(|l| l.chars().count() < 2000),
                    "an error line of more than 2000 characters: {e}"
                );
            }
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn the_hostile_corpus_files_are_errors_naming_each_key_and_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/experiment_corpus");
    let path = root.join("hostile_events.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let err = sim::error_chain(&Experiment::parse(&text, &path).unwrap_err());
    // `position = [0, 0, 0]` is a TOML error of its own, found before the ranges.
    assert!(err.contains("line 10") && err.contains("position"), "{err}");
    let text = text.replace("position = [0.0, 0.0, 0.0]", "position = [0.0, 0.0]");
    let err = sim::error_chain(&Experiment::parse(&text, &path).unwrap_err());
    for expected in [
        "`run.seed` (line 4)",
        "`network.membrane_noise_mv` (line 8)",
        "expected 0 to 20 mV",
        "`events[0].at_s` (line 15)",
        "outside the run",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
}
