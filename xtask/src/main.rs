//! `cargo xtask test`: everything the test suite needs on a fresh machine, then the suite.
//!
//! 1. The Brian 2 reference simulator (the brain's cross-check tests): a Python venv in
//!    `.venv` with `scripts/requirements*.txt`, unless `$HEXAFLY_PYTHON` names one.
//! 2. The real datasets the tests read, installed by `hexafly fetch` into `target/test-data`
//!    (from the network, or offline from `$HEXAFLY_FETCH_FROM`, a folder of copies).
//! 3. `cargo test --workspace --exclude view --no-default-features` with `HEXAFLY_DATA` and
//!    `HEXAFLY_PYTHON` pointing at them;
//! 4. the Python package: the wheel built by maturin from `python/`, installed into the
//!    venv, `pytest python/tests` against the `hexafly` binary of the same build;
//! 5. the fresh-clone check: the committed tree cloned into `target/fresh-clone` (no
//!    `../shared` beside it), built, its data installed only by `hexafly fetch --for` each
//!    example (offline from `$HEXAFLY_FETCH_FROM` when set), then the default experiment and
//!    every example experiment run, each writing its run folder;
//! 6. the outputs check: every run folder of step 5 against `xtask/example-outputs.sha256`,
//!    the sha256 of each example's `timeline.csv` and `spikes.parquet` and of its
//!    `summary.json` without its wall-clock fields, as the last release wrote them: a
//!    change to the code that changes what any example computes fails here;
//! 7. the viewer's tests. `--core` stops after step 4.
//!
//! `cargo xtask outputs` runs steps 5 and 6 alone; `cargo xtask outputs --bless` writes the
//! file anew from this tree's outputs (for a change meant to change them, said in its
//! commit).
//!
//! Arguments after `--` go to both `cargo test` runs (e.g. `cargo xtask test -- --nocapture`).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The registry datasets the tests read (each a few MB; the whole brain is never needed).
const TEST_DATASETS: [&str; 11] = [
    "larva-winding2023",
    "flywire-783-annotations",
    "flywire-783-shiu-neurons",
    "flywire-783-descending-types",
    "flywire-783-escape",
    "flywire-783-olfaction",
    "flywire-783-steering-dn",
    "flywire-783-grooming",
    "flywire-783-optic-lobe-types",
    "manc-vnc",
    "fanc-motor",
];

const USAGE: &str = "usage: cargo xtask test [--core] [-- CARGO TEST ARGS...]
       cargo xtask outputs [--bless]
  test: sets up the Brian 2 venv (.venv) and the test data (target/test-data), then runs
  the test suite. --core: skip the viewer's tests (which build Bevy).
  outputs: runs every example in a fresh clone and compares its outputs with
  xtask/example-outputs.sha256 (--bless: writes that file from these outputs instead).
  HEXAFLY_FETCH_FROM=DIR installs the data offline from a folder of copies.";

/// The example outputs of the last release: `run/file sha256` per line.
const GOLDEN: &str = "xtask/example-outputs.sha256";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (ours, rest) = match args.iter().position(|a| a == "--") {
        Some(k) => (&args[..k], &args[k + 1..]),
        None => (&args[..], &[][..]),
    };
    let (task, flag) = match ours.first().map(String::as_str) {
        Some("test") => ("test", "--core"),
        Some("outputs") => ("outputs", "--bless"),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(bad) = ours[1..].iter().find(|a| *a != flag) {
        eprintln!("unknown argument `{bad}`\n{USAGE}");
        return ExitCode::from(2);
    }
    let flagged = ours[1..].iter().any(|a| a == flag);
    let done = if task == "test" {
        test(flagged, rest)
    } else {
        outputs(flagged)
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask outputs`: the fresh-clone runs and their outputs against [`GOLDEN`].
fn outputs(bless: bool) -> Result<(), String> {
    let root = workspace_root();
    let target = target_dir(&root);
    let runs = fresh_clone(&root, &target)?;
    compare_outputs(&root, &runs, bless)
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Hashes every run folder's outputs and compares them with [`GOLDEN`] (or writes it).
/// `summary.json` is hashed without the fields that differ from run to run by the clock
/// (`wall_s`, `real_time_factor`) and with the folder the clone sits in written `<clone>`,
/// so that the hash is the same on any machine and in any directory.
fn compare_outputs(root: &Path, runs: &Path, bless: bool) -> Result<(), String> {
    use sha2::{Digest, Sha256};
    let work = runs.parent().expect("runs/ sits in the fresh-clone folder");
    let prefix = work.display().to_string();
    let mut dirs: Vec<String> = std::fs::read_dir(runs)
        .map_err(|e| format!("{}: {e}", runs.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut lines = Vec::new();
    for d in &dirs {
        for file in ["timeline.csv", "spikes.parquet", "summary.json"] {
            let path = runs.join(d).join(file);
            let mut bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if file == "summary.json" {
                let text = String::from_utf8_lossy(&bytes).replace(&prefix, "<clone>");
                bytes = text
                    .lines()
                    .filter(|l| {
                        let key = l.trim_start();
                        !key.starts_with("\"wall_s\"") && !key.starts_with("\"real_time_factor\"")
                    })
                    .flat_map(|l| [l, "\n"])
                    .collect::<String>()
                    .into_bytes();
            }
            lines.push(format!("{d}/{file} {:x}", Sha256::digest(&bytes)));
        }
    }
    let golden = root.join(GOLDEN);
    let now = lines.join("\n") + "\n";
    if bless {
        std::fs::write(&golden, &now).map_err(|e| format!("{}: {e}", golden.display()))?;
        eprintln!(
            "xtask: outputs: wrote {} ({} files)",
            golden.display(),
            lines.len()
        );
        return Ok(());
    }
    let before =
        std::fs::read_to_string(&golden).map_err(|e| format!("{}: {e}", golden.display()))?;
    let before: std::collections::BTreeMap<&str, &str> =
        before.lines().filter_map(|l| l.split_once(' ')).collect();
    let mut differ = Vec::new();
    for l in &lines {
        let (file, hash) = l.split_once(' ').expect("written as `file hash`");
        match before.get(file) {
            Some(h) if *h == hash => {}
            Some(_) => differ.push(format!("{file} differs")),
            None => differ.push(format!("{file} is new")),
        }
    }
    let now_files: std::collections::BTreeSet<&str> =
        lines.iter().filter_map(|l| l.split(' ').next()).collect();
    differ.extend(
        before
            .keys()
            .filter(|f| !now_files.contains(*f))
            .map(|f| format!("{f} was not written")),
    );
    if differ.is_empty() {
        eprintln!(
            "xtask: outputs: all {} files as {GOLDEN} says (byte-identical; summaries but for \
             wall-clock fields)",
            lines.len()
        );
        Ok(())
    } else {
        Err(format!(
            "the example outputs are not those of {GOLDEN} (the run folders are in {}):\n  {}\n\
             a change meant to change them writes the file anew with `cargo xtask outputs \
             --bless` and says so in its commit",
            runs.display(),
            differ.join("\n  ")
        ))
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ sits in the workspace root")
        .to_path_buf()
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn run(what: &str, cmd: &mut Command) -> Result<(), String> {
    eprintln!("xtask: {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: failed ({status})"))
    }
}

fn test(core_only: bool, extra: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let python = python(&root)?;
    let target = target_dir(&root);
    let data = target.join("test-data");

    // The headless binary fetches the data: the same build the tests use.
    build_headless("building the headless hexafly", &root, &target)?;
    let source = match std::env::var_os("HEXAFLY_FETCH_FROM") {
        Some(dir) => format!("offline, from {}", PathBuf::from(dir).display()),
        None => "from the network".to_owned(),
    };
    // Offline (CI), every dataset must install. A few tables are made by a script of this
    // repository (from pandas pickles) when no copy of them is at hand: `hexafly fetch`
    // installs the inputs and names the script, which runs here with the venv's Python
    // before fetching again.
    let offline = std::env::var_os("HEXAFLY_FETCH_FROM").is_some();
    let fetch = |dataset: &str| -> Result<(), String> {
        eprintln!(
            "xtask: installing {dataset} into {} ({source})",
            data.display()
        );
        let out = Command::new(target.join("debug").join("hexafly"))
            .current_dir(&root)
            .args(["fetch", dataset, "--data-dir"])
            .arg(&data)
            .stdout(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot start hexafly: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        eprint!("{stderr}");
        if out.status.success() {
            Ok(())
        } else {
            Err(stderr)
        }
    };
    let mut missing = Vec::new();
    for dataset in TEST_DATASETS {
        let Err(stderr) = fetch(dataset) else {
            continue;
        };
        // The script's name from the command `hexafly fetch` prints; its argument is the
        // dataset's folder, which is known here.
        let script = stderr.lines().find_map(|l| {
            l.trim()
                .strip_prefix("python3 scripts/convert/")
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_owned)
        });
        let made = match script {
            Some(script) => run(
                &format!("making {dataset}'s tables with scripts/convert/{script}"),
                Command::new(&python)
                    .current_dir(&root)
                    .arg(format!("scripts/convert/{script}"))
                    .arg(data.join(dataset)),
            )
            .and_then(|()| fetch(dataset)),
            None => Err(stderr),
        };
        match made {
            Err(e) if offline => return Err(format!("installing {dataset}: {e}")),
            Err(_) => missing.push(dataset),
            Ok(()) => {}
        }
    }
    if !missing.is_empty() {
        eprintln!(
            "xtask: not installed: {} (see the errors above); the tests that read them will \
             fail. HEXAFLY_FETCH_FROM=DIR installs from a folder of copies instead.",
            missing.join(", ")
        );
    }

    // The tests install their own data where they test installing; an offline source meant
    // for the step above must not leak into them.
    let with_env = |cmd: &mut Command| {
        cmd.current_dir(&root)
            .env("HEXAFLY_DATA", &data)
            .env("HEXAFLY_PYTHON", &python)
            .env_remove("HEXAFLY_FETCH_FROM")
            .env_remove("HEXAFLY_REGISTRY");
    };
    let mut core = cargo();
    core.args([
        "test",
        "--workspace",
        "--exclude",
        "view",
        "--exclude",
        "xtask",
        "--no-default-features",
    ]);
    core.args(extra);
    with_env(&mut core);
    run("the test suite (core crates, no Bevy)", &mut core)?;
    python_package(&root, &python, &target, &with_env)?;
    if core_only {
        return Ok(());
    }
    let runs = fresh_clone(&root, &target)?;
    compare_outputs(&root, &runs, false)?;
    // The viewer: Bevy unoptimised (profile view-dev), a screenshot under Xvfb + software
    // Vulkan where they are installed (README, "The 3D viewer").
    let mut view = cargo();
    view.args([
        "test",
        "--profile",
        "view-dev",
        "-p",
        "view",
        "-p",
        "sim",
        "--lib",
        "--test",
        "viewer",
    ]);
    view.args(extra);
    with_env(&mut view);
    run("the viewer's tests", &mut view)
}

/// The Python package (`python/`): maturin builds the wheel (the dev profile, so the crates
/// the tests just built are reused), pip installs it into the venv, and its pytest suite runs
/// against the `hexafly` binary of the same build.
fn python_package(
    root: &Path,
    python: &Path,
    target: &Path,
    with_env: &dyn Fn(&mut Command),
) -> Result<(), String> {
    run(
        "installing maturin, pytest, gymnasium and matplotlib into the venv (PyPI)",
        pip_install(python, root).args(["-r", "python/requirements-test.txt"]),
    )?;
    let wheels = target.join("wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    run(
        "building the Python wheel (maturin)",
        Command::new(python)
            .current_dir(root)
            .args([
                "-m",
                "maturin",
                "build",
                "--profile",
                "dev",
                "--manifest-path",
            ])
            .arg(root.join("python/Cargo.toml"))
            .arg("--out")
            .arg(&wheels)
            .arg("--interpreter")
            .arg(python),
    )?;
    let wheel = std::fs::read_dir(&wheels)
        .map_err(|e| format!("{}: {e}", wheels.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or_else(|| format!("maturin left no wheel in {}", wheels.display()))?;
    run(
        "installing the wheel into the venv",
        pip_install(python, root)
            .args(["--force-reinstall", "--no-deps"])
            .arg(&wheel),
    )?;
    let mut pytest = Command::new(python);
    pytest.args(["-m", "pytest", "-q", "python/tests"]);
    with_env(&mut pytest);
    pytest.env("HEXAFLY_BIN", target.join("debug").join("hexafly"));
    run("the Python package's tests (pytest)", &mut pytest)
}

/// `python -m pip install --quiet` in `root`, the arguments to follow.
fn pip_install(python: &Path, root: &Path) -> Command {
    let mut c = Command::new(python);
    c.current_dir(root).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]);
    c
}

/// `cargo build` of the headless `hexafly` of the workspace at `root` into `target`.
fn build_headless(what: &str, root: &Path, target: &Path) -> Result<(), String> {
    run(
        what,
        cargo()
            .current_dir(root)
            .env("CARGO_TARGET_DIR", target)
            .args([
                "build",
                "-p",
                "sim",
                "--no-default-features",
                "--bin",
                "hexafly",
            ]),
    )
}

/// What a new user gets: the committed tree cloned where no `../shared` exists, its data
/// installed only by `hexafly fetch`, the default and every example experiment run; returns
/// the folder of their run folders.
fn fresh_clone(root: &Path, target: &Path) -> Result<PathBuf, String> {
    let work = target.join("fresh-clone");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let clone = work.join("hexafly");
    run(
        &format!("fresh clone: git clone into {}", clone.display()),
        Command::new("git")
            .args(["clone", "--quiet", "--no-hardlinks"])
            .arg(root)
            .arg(&clone),
    )?;
    if work.join("shared").exists() {
        return Err(format!("{} has a shared/ beside it", clone.display()));
    }
    // The same target folder: the clone's dependencies are the ones already built.
    build_headless("fresh clone: building the headless hexafly", &clone, target)?;
    let bin = target.join("debug").join("hexafly");
    let hexafly = |cwd: &Path| {
        let mut c = Command::new(&bin);
        c.current_dir(cwd)
            .env("HEXAFLY_DATA", work.join("data"))
            .env("HEXAFLY_CACHE", work.join("cache"))
            .env_remove("HEXAFLY_ASSETS")
            .env_remove("HEXAFLY_REGISTRY");
        c
    };
    let examples = clone.join("assets").join("experiments");
    let mut names: Vec<String> = std::fs::read_dir(&examples)
        .map_err(|e| format!("{}: {e}", examples.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && n != "default_whole_brain.toml")
        .collect();
    names.sort();
    let runs = work.join("runs");
    run(
        "fresh clone: `hexafly run` with no file, from an empty directory",
        hexafly(&work)
            .args(["run", "--out"])
            .arg(runs.join("no-file")),
    )?;
    for name in &names {
        let exp = examples.join(name);
        run(
            &format!("fresh clone: hexafly fetch --for {name}"),
            hexafly(&clone)
                .arg("fetch")
                .arg("--for")
                .arg(&exp)
                .stdout(std::process::Stdio::null()),
        )?;
        run(
            &format!("fresh clone: hexafly run {name}"),
            hexafly(&clone)
                .arg("run")
                .arg(&exp)
                .arg("--out")
                .arg(runs.join(name.trim_end_matches(".toml"))),
        )?;
    }
    let mut written = 0;
    for d in std::iter::once("no-file".to_owned())
        .chain(names.iter().map(|n| n.trim_end_matches(".toml").to_owned()))
    {
        let summary = runs.join(&d).join("summary.json");
        if !summary.is_file() {
            return Err(format!(
                "fresh clone: {} was not written",
                summary.display()
            ));
        }
        written += 1;
    }
    eprintln!(
        "xtask: fresh clone: {written} run folders written in {} (the default and {} examples)",
        runs.display(),
        names.len()
    );
    Ok(runs)
}

/// A Python with brian2 2.9.0, pandas and pyarrow: `$HEXAFLY_PYTHON`, else `.venv` (made and
/// filled here when it lacks them).
fn python(root: &Path) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("HEXAFLY_PYTHON") {
        return Ok(PathBuf::from(p));
    }
    let venv = root.join(".venv");
    let python = venv.join("bin").join("python");
    let ready = || {
        Command::new(&python)
            .args([
                "-c",
                "import brian2, pandas, pyarrow, sys; sys.exit(brian2.__version__ != '2.9.0')",
            ])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ready() {
        return Ok(python);
    }
    if !python.exists() {
        run(
            "making the Python venv .venv",
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
        )?;
    }
    run(
        "installing Brian 2 and the analysis packages into .venv (PyPI)",
        pip_install(&python, root).args([
            "-r",
            "scripts/requirements.txt",
            "-r",
            "scripts/requirements-analysis.txt",
        ]),
    )?;
    if !ready() {
        return Err(format!(
            "{} still lacks brian2 2.9.0, pandas or pyarrow after pip install",
            python.display()
        ));
    }
    Ok(python)
}
