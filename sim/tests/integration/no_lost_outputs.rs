//! Nothing lost, nothing silently wrong: a run killed half way keeps a readable partial
//! timeline; a run that fails keeps its rows up to the failure and says so; plot and replay
//! (which read a run folder the same way) refuse a killed or cut-short folder; two sweeps
//! into one folder cannot both run; the arena's walls keep a noisy robot inside where an
//! open arena loses it; values the hostile runs found accepted without a word are errors
//! naming the file, key and line; printed times are exact multiples of the tick.
//!
//! The runs are the shipped real FlyWire escape circuit with 4 mV membrane noise
//! (assets/experiments/membrane_noise.toml), which escapes again and again: without walls it
//! leaves a 4 m arena within 60 s.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::common::{self, assets, stderr};
use sim::plot::data::RunData;
use sim::record::RunState;

fn hexafly(dir: &Path, args: &[&str]) -> Output {
    common::hexafly()
        .current_dir(dir)
        .env("HEXAFLY_CACHE", dir.join("cache"))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .args(args)
        .output()
        .unwrap()
}

/// The noisy escape experiment, `duration_s` long, in `dir/NAME.toml`, in a scene of
/// `scene` (TOML of the `[arena]` table), with `extra` appended.
fn noisy(dir: &Path, name: &str, duration_s: f64, arena: &str, extra: &str) -> PathBuf {
    let a = assets();
    let text = std::fs::read_to_string(a.join("experiments/membrane_noise.toml")).unwrap();
    let text = &text[..text.find("[sweep]").unwrap()];
    let text = text
        .replace("../", &format!("{}/", a.display()))
        .replace("duration_s = 1.5", &format!("duration_s = {duration_s}"))
        .replace("membrane_noise_mv = 0.0", "membrane_noise_mv = 4.0");
    let scene = dir.join(format!("{name}.scene.toml"));
    std::fs::write(&scene, format!("[arena]\n{arena}\n")).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!("{text}\n[scene]\nfile = \"{}\"\n{extra}", scene.display()),
    )
    .unwrap();
    path
}

fn rows(timeline: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(timeline).unwrap();
    let n = r.headers().unwrap().len();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            assert_eq!(
                x.len(),
                n,
                "a row of {} fields, the header has {n}",
                x.len()
            );
            x
        })
        .collect()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn walls_keep_a_noisy_robot_inside_an_open_arena_loses_it_and_the_failed_run_keeps_its_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let walled = noisy(d, "walled", 60.0, "half_size = 2.0", "");
    let open = noisy(d, "open", 60.0, "half_size = 2.0\nwalls = false", "");

    let o = hexafly(d, &["run", walled.to_str().unwrap(), "--out", "walled"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = summary(&d.join("walled"));
    assert_eq!(s["status"], "complete");
    let walled_rows = rows(&d.join("walled/timeline.csv"));
    assert_eq!(
        walled_rows.len() as u64,
        s["timeline_rows"].as_u64().unwrap()
    );
    let mut far = 0.0f64;
    for r in &walled_rows {
        let (x, y): (f64, f64) = (r[3].parse().unwrap(), r[4].parse().unwrap());
        far = far.max(x.abs()).max(y.abs());
        assert!(
            r[5].parse::<f64>().unwrap() > 0.0,
            "thorax below the ground: {r:?}"
        );
    }
    assert!(far <= 2.0, "the thorax reached {far} m in a 2 m arena");
    assert!(
        far > 1.5,
        "the robot never came near the wall ({far} m): no test of the walls"
    );
    // Time is counted in ticks: the last row is exactly the duration.
    assert_eq!(&walled_rows.last().unwrap()[0], "60.000000");

    // The control: no walls, and the same robot falls off the edge.
    let o = hexafly(d, &["run", open.to_str().unwrap(), "--out", "open"]);
    let err = stderr(&o);
    assert!(!o.status.success(), "an open arena kept the robot: {err}");
    assert!(
        err.contains("the run failed at t =") && err.contains("fell off the arena"),
        "{err}"
    );
    let s = summary(&d.join("open"));
    assert_eq!(s["status"], "failed");
    let at_s = s["failure"]["at_s"].as_f64().unwrap();
    assert!(at_s > 1.0 && at_s < 60.0, "failed at {at_s} s");
    assert!(
        s["failure"]["error"]
            .as_str()
            .unwrap()
            .contains("fell off the arena"),
        "{s}"
    );
    let open_rows = rows(&d.join("open/timeline.csv"));
    assert_eq!(open_rows.len() as u64, s["timeline_rows"].as_u64().unwrap());
    let last_t: f64 = open_rows.last().unwrap()[0].parse().unwrap();
    assert!(
        last_t <= at_s && last_t > at_s - 0.02,
        "rows end at {last_t} s, failure at {at_s} s"
    );
    assert_eq!(s["duration_s"].as_f64().unwrap(), at_s);
    // Until it left, it is the same run as the walled one (the walls touch nothing before).
    let n = open_rows.len() / 2;
    assert_eq!(open_rows[..n], walled_rows[..n]);
    assert!(
        d.join("open/spikes.parquet").exists(),
        "a failed run keeps its spikes"
    );
    // Plots draw a failed run with the failure written on it.
    let o = hexafly(d, &["plot", "open"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(said.contains("FAILED at t ="), "{said}");
}

#[test]
fn a_run_killed_half_way_keeps_a_readable_partial_timeline_that_readers_refuse() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let exp = noisy(d, "long", 600.0, "half_size = 2.0", "");
    let mut child = common::hexafly()
        .current_dir(d)
        .args(["run", exp.to_str().unwrap(), "--out", "killed"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let timeline = d.join("killed/timeline.csv");
    let t0 = Instant::now();
    // Rows reach the file every simulated second: wait for three seconds' worth.
    while std::fs::read_to_string(&timeline).map_or(0, |t| t.lines().count()) < 300 {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "no rows after 2 min"
        );
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!d.join("killed/summary.json").exists());

    // What it wrote is a valid timeline, up to the kill.
    let kept = rows(&timeline);
    assert!(kept.len() >= 299, "{} rows", kept.len());
    let t: Vec<f64> = kept.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(t.windows(2).all(|w| w[1] > w[0]), "times not increasing");
    match RunState::read(&d.join("killed")).unwrap() {
        RunState::Incomplete { last_t_s } => {
            assert_eq!(last_t_s, Some(*t.last().unwrap()));
        }
        other => panic!("a killed run read as {other:?}"),
    }
    // Readers refuse it, saying why: plot, and replay (RunData::read is how it reads).
    let o = hexafly(d, &["plot", "killed"]);
    let err = stderr(&o);
    assert!(
        !o.status.success() && err.contains("an incomplete run") && err.contains("killed"),
        "{err}"
    );
    assert!(
        !d.join("killed/plots").exists(),
        "plot wrote into a killed run"
    );
    let err = sim::error_chain(&RunData::read(&d.join("killed")).unwrap_err());
    assert!(err.contains("an incomplete run"), "{err}");
}

#[test]
fn plot_and_replay_refuse_a_timeline_cut_short_at_a_line_boundary() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let exp = noisy(d, "short", 1.5, "half_size = 2.0", "");
    let o = hexafly(d, &["run", exp.to_str().unwrap(), "--out", "run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let tl = d.join("run/timeline.csv");
    let text = std::fs::read_to_string(&tl).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&tl, lines[..lines.len() - 20].join("\n") + "\n").unwrap();
    let o = hexafly(d, &["plot", "run"]);
    let err = stderr(&o);
    assert!(
        !o.status.success() && err.contains("cut short or edited"),
        "{err}"
    );
    let err = sim::error_chain(&RunData::read(&d.join("run")).unwrap_err());
    assert!(err.contains("cut short or edited"), "{err}");
}

#[test]
fn two_sweeps_into_one_folder_one_refuses_and_no_run_is_done_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let exp = assets().join("experiments/membrane_noise.toml");
    let args = [
        "sweep",
        exp.to_str().unwrap(),
        "--out",
        "sw",
        "--seeds",
        "4",
        "--jobs",
        "1",
    ];
    let first = common::hexafly()
        .current_dir(d)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first holds the folder and has started running.
    let t0 = Instant::now();
    while !d
        .join("sw/runs")
        .read_dir()
        .is_ok_and(|mut r| r.next().is_some())
    {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the first sweep never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = hexafly(d, &args);
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let err = stderr(&second);
    assert!(
        !second.status.success() && err.contains("is in use"),
        "the second sweep did not refuse: {err}"
    );
    // Each of the 24 runs was done once, by the first: one folder each, no error left.
    let runs: Vec<PathBuf> = std::fs::read_dir(d.join("sw/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 24);
    for r in &runs {
        assert!(!r.join("error.txt").exists(), "{}", r.display());
        assert_eq!(summary(r)["status"], "complete");
    }
    let done = String::from_utf8_lossy(&first.stderr);
    assert!(done.contains("0 done, 24 to run"), "{done}");
    // Once it is over, the folder is free: a resume finds every run done.
    let again = hexafly(d, &args);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("24 done, 0 to run"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn values_once_accepted_without_a_word_are_errors_naming_file_key_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let cases: [(&str, &str, &str, &[&str]); 6] = [
        (
            "remove_food",
            "half_size = 2.0",
            "[[events]]\nkind = \"remove_food\"\nat_s = 0.5\nindex = 99\n",
            &[
                "`events[1].index` (line",
                "there are 0 food sources at 0.5 s",
                "got 99",
            ],
        ),
        (
            "far_food",
            "half_size = 2.0",
            "[[events]]\nkind = \"add_food\"\nat_s = 0.5\nposition = [50.0, 0.0]\n",
            &["`events[1].position` (line", "outside the arena"],
        ),
        (
            "loom_at_end",
            "half_size = 2.0",
            "[[events]]\nkind = \"loom\"\nat_s = 1.5\nside = \"left\"\n",
            &["`events[1].at_s` (line", "outside the run"],
        ),
        (
            "outside_start",
            "half_size = 2.0",
            "",
            &["`agent.position` (line", "outside the arena"],
        ),
        (
            "tiny_arena",
            "half_size = 0.025",
            "",
            &["does not fit in the arena", "arena.half_size"],
        ),
        (
            "too_fast",
            "half_size = 2.0",
            "[arbiter]\nmax_speed = 1e9\n",
            &[
                "`arbiter.max_speed` (line",
                "faster than this body's gait can walk",
            ],
        ),
    ];
    for (name, arena, extra, expected) in cases {
        let exp = noisy(d, name, 1.5, arena, extra);
        if name == "outside_start" {
            let text = std::fs::read_to_string(&exp)
                .unwrap()
                .replace("position = [0.0, 0.0]", "position = [3.0, 0.0]");
            std::fs::write(&exp, text).unwrap();
        }
        let o = hexafly(d, &["run", exp.to_str().unwrap(), "--out", name]);
        let err = stderr(&o);
        assert!(!o.status.success(), "{name} ran: {err}");
        assert!(err.contains(&exp.display().to_string()), "{name}: {err}");
        for e in expected {
            assert!(err.contains(e), "{name}: expected `{e}` in: {err}");
        }
        assert!(
            !d.join(name).join("timeline.csv").exists(),
            "{name}: checked only after the run started"
        );
    }
    // body run: faster than the gait can walk was quietly capped to 0.44 m/s.
    let o = hexafly(
        d,
        &[
            "body",
            "run",
            "--pattern",
            "walk",
            "--speed",
            "1e9",
            "--duration",
            "0.1",
            "--out",
            "b",
        ],
    );
    let err = stderr(&o);
    assert!(
        !o.status.success() && err.contains("--speed 1000000000 m/s is faster"),
        "{err}"
    );
    // Under a file-size limit the kernel's SIGXFSZ killed the run without a word; now the
    // write fails, the error names the file and the summary says the run failed.
    let exp = noisy(d, "limited", 60.0, "half_size = 2.0", "");
    let o = Command::new("sh")
        .current_dir(d)
        .arg("-c")
        .arg(format!(
            "ulimit -f 100 && exec {} run {} --out limited",
            env!("CARGO_BIN_EXE_hexafly"),
            exp.display()
        ))
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("limited/timeline.csv: File too large")
            || err.contains("limited/.spikes.parquet.part: File too large"),
        "{err}"
    );
    assert_eq!(summary(&d.join("limited"))["status"], "failed");
    // An output folder that cannot be made is an error before the network loads.
    std::fs::write(d.join("a-file"), "").unwrap();
    let exp = noisy(d, "fine", 1.5, "half_size = 2.0", "");
    let o = hexafly(d, &["run", exp.to_str().unwrap(), "--out", "a-file/run"]);
    let err = stderr(&o);
    assert!(
        !o.status.success() && err.contains("cannot create a-file/run"),
        "{err}"
    );
}
