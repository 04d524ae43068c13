//! The 3D viewer, end to end, through the `hexafly` binary built with the `viewer` feature:
//! a screenshot under X (Xvfb with Mesa's software Vulkan in CI) that shows the robot and
//! the scene; the same trajectory with and without the viewer; the replay of a run folder;
//! and the no-display path (headless run folder, plots, offscreen frame).
//!
//! Run with `cargo test --profile view-dev -p sim --features viewer --test viewer`.
//! Without a display and without `xvfb-run` the windowed tests skip with a message, unless
//! HEXAFLY_REQUIRE_VIEWER=1 (CI) makes that a failure.
#![cfg(feature = "viewer")]

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hexafly");

fn loom_experiment() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/experiments/loom_escape.toml")
}

/// `hexafly ARGS` in a window: on the display if there is one, else under `xvfb-run`.
fn windowed(args: &[&str]) -> Option<std::process::Output> {
    let has_display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
    let mut cmd = if has_display {
        Command::new(BIN)
    } else if Command::new("xvfb-run").arg("--help").output().is_ok() {
        let mut c = Command::new("xvfb-run");
        c.args(["-a", "-s", "-screen 0 1280x720x24", BIN]);
        c
    } else {
        let msg = "no display and no xvfb-run: the windowed viewer tests cannot run \
                   (apt install xvfb xauth mesa-vulkan-drivers)";
        assert!(
            std::env::var_os("HEXAFLY_REQUIRE_VIEWER").is_none(),
            "HEXAFLY_REQUIRE_VIEWER is set but {msg}"
        );
        eprintln!("skipped: {msg}");
        return None;
    };
    let out = cmd.args(args).output().expect("run hexafly");
    assert!(
        out.status.success(),
        "hexafly {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out)
}

fn rgb(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("png size")];
    let info = reader.next_frame(&mut buf).expect("png data");
    let channels = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, px)
}

fn luminance(p: [u8; 3]) -> f32 {
    (0.2126 * p[0] as f32 + 0.7152 * p[1] as f32 + 0.0722 * p[2] as f32) / 255.0
}

/// Not blank and not one colour, and the robot (dark chitin on light sand) where the
/// camera looks: the middle of the picture.
fn assert_shows_robot_and_scene(path: &Path) {
    let (w, h, px) = rgb(path);
    assert!(w >= 640 && h >= 360, "{}: {w}x{h}", path.display());
    let mut colours: Vec<[u8; 3]> = px
        .iter()
        .map(|p| [p[0] >> 3, p[1] >> 3, p[2] >> 3])
        .collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 200,
        "{}: only {} colours",
        path.display(),
        colours.len()
    );
    // The camera looks at the thorax: the middle box holds the robot's dark pixels.
    let (x0, x1, y0, y1) = (w * 2 / 5, w * 3 / 5, h * 2 / 5, h * 3 / 5);
    let mut dark = 0;
    let mut total = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            total += 1;
            if luminance(px[(y * w + x) as usize]) < 0.2 {
                dark += 1;
            }
        }
    }
    // And the scene around it is lit ground and sky, not dark.
    let mut light = 0;
    let mut ring = 0;
    for y in (h / 5..h * 4 / 5).step_by(4) {
        for x in (w * 3 / 10..w * 7 / 10).step_by(4) {
            if (x0..x1).contains(&x) && (y0..y1).contains(&y) {
                continue;
            }
            ring += 1;
            if luminance(px[(y * w + x) as usize]) > 0.35 {
                light += 1;
            }
        }
    }
    let (fd, fl) = (dark as f64 / total as f64, light as f64 / ring as f64);
    assert!(
        fd > 0.03,
        "{}: robot pixels in the middle: {:.1}%",
        path.display(),
        100.0 * fd
    );
    assert!(
        fl > 0.5,
        "{}: lit scene around it: {:.1}%",
        path.display(),
        100.0 * fl
    );
}

fn rows(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_viewer_shows_the_robot_and_adds_no_behaviour() {
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("shot.png");
    let viewed = dir.path().join("viewed");
    let exp = loom_experiment();
    let Some(_) = windowed(&[
        "view",
        exp.to_str().unwrap(),
        "--screenshot",
        shot.to_str().unwrap(),
        "--frames",
        "30",
        "--out",
        viewed.to_str().unwrap(),
    ]) else {
        return;
    };
    assert_shows_robot_and_scene(&shot);

    // The same experiment and seed headless: the viewer's run is a prefix of it, row for
    // row (it stops when the window closes).
    let headless = dir.path().join("headless");
    let o = Command::new(BIN)
        .args([
            "run",
            exp.to_str().unwrap(),
            "--out",
            headless.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (v, h) = (
        rows(&viewed.join("timeline.csv")),
        rows(&headless.join("timeline.csv")),
    );
    assert!(v.len() > 5, "the viewer's run advanced: {} rows", v.len());
    // A run cut short may end on a switch row the full run writes in the same place; all
    // rows but the viewer's last must match exactly.
    let n = v.len() - 1;
    assert_eq!(
        v[..n],
        h[..n],
        "timeline with the viewer differs from headless"
    );
}

#[test]
fn a_recorded_run_replays_from_its_typed_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let o = Command::new(BIN)
        .args(["run", loom_experiment().to_str().unwrap(), "--out"])
        .arg(&run)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shot = dir.path().join("replay.png");
    let Some(_) = windowed(&[
        "view",
        "--replay",
        run.to_str().unwrap(),
        "--screenshot",
        shot.to_str().unwrap(),
        "--frames",
        "30",
    ]) else {
        return;
    };
    assert_shows_robot_and_scene(&shot);

    // A timeline whose column was renamed is an error naming the file and the column, not
    // a replay of blank values.
    let timeline = run.join("timeline.csv");
    let text = std::fs::read_to_string(&timeline).unwrap();
    std::fs::write(&timeline, text.replacen("yaw_rad", "yaw", 1)).unwrap();
    let o = Command::new(BIN)
        .args(["view", "--replay", run.to_str().unwrap()])
        .args([
            "--screenshot",
            dir.path().join("never.png").to_str().unwrap(),
        ])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("timeline.csv") && err.contains("yaw_rad"),
        "{err}"
    );
}

#[test]
fn without_a_display_it_runs_headless_with_plots_and_an_offscreen_frame() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = Command::new(BIN)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .args([
            "view",
            loom_experiment().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--frames",
            "20",
            // What a server renders with (software): the light mode's own ground shader.
            "--light",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("no display"), "says so in one line: {err}");
    for f in [
        "timeline.csv",
        "summary.json",
        "spikes.parquet",
        "plots/ethogram.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing; stderr: {err}");
    }
    let frame = out.join("view.png");
    if frame.is_file() {
        assert_shows_robot_and_scene(&frame);
    } else {
        // Offscreen rendering needs a Vulkan (or GL) adapter; lavapipe gives one anywhere.
        assert!(
            std::env::var_os("HEXAFLY_REQUIRE_VIEWER").is_none(),
            "no offscreen frame: {err}"
        );
        eprintln!("skipped the offscreen frame check: {err}");
    }
}

#[test]
fn without_a_vulkan_driver_the_run_folder_is_written_and_the_frame_skipped_with_a_note() {
    // No display, no usable Vulkan driver, no XDG_RUNTIME_DIR, no --out: a server.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = Command::new(BIN)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("XDG_RUNTIME_DIR")
        .env("VK_ICD_FILENAMES", dir.path().join("no-such-driver.json"))
        .env("HEXAFLY_DATA", &data)
        .env("HEXAFLY_CACHE", dir.path().join("cache"))
        .current_dir(dir.path())
        .args(["view", loom_experiment().to_str().unwrap(), "--light"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "exit {:?}: {err}", o.status.code());
    assert!(
        err.contains("no offscreen frame (no Vulkan driver"),
        "says why there is no frame: {err}"
    );
    assert!(!err.contains("XDG_RUNTIME_DIR"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // The run folder went to the data directory, not the current one.
    let runs: Vec<_> = std::fs::read_dir(data.join("runs"))
        .expect("a runs folder in the data directory")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(runs[0].join("summary.json").is_file() && runs[0].join("plots/ethogram.png").is_file());
    let mut here: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    here.sort();
    assert_eq!(
        here,
        ["cache", "data"],
        "nothing written into the current directory"
    );
}

/// The keys and the selector panel reach the simulation: under Xvfb, xdotool presses D
/// (dust), types `silence type=DNp01` into the panel, presses L (a loom from the left) and
/// Q (quit). The run folder shows the dust, and the user's loom reaches no giant-fibre
/// spike, while the experiment's own loom at 1 s, before the silencing, did (the control).
#[test]
fn keys_and_the_selector_panel_reach_the_simulation() {
    let tools = ["xvfb-run", "xdotool"];
    if let Some(t) = tools.iter().find(|t| {
        Command::new("sh")
            .args(["-c", &format!("command -v {t}")])
            .output()
            .map_or(true, |o| !o.status.success())
    }) {
        let msg = format!("{t} is not installed (apt install xvfb xdotool)");
        assert!(
            std::env::var_os("HEXAFLY_REQUIRE_VIEWER").is_none(),
            "HEXAFLY_REQUIRE_VIEWER is set but {msg}"
        );
        eprintln!("skipped: {msg}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("long.toml");
    let assets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets");
    let text = std::fs::read_to_string(loom_experiment())
        .unwrap()
        .replace("duration_s = 3.0", "duration_s = 120.0")
        .replace("\"../", &format!("\"{}/", assets.display()));
    std::fs::write(&exp, text).unwrap();
    let out = dir.path().join("run");
    // Wait for the window, then type into it; keys go to the focused window.
    let script = format!(
        r#"set -u
"{BIN}" view "{exp}" --out "{out}" --light > "{log}" 2>&1 &
pid=$!
for i in $(seq 120); do w=$(xdotool search --name hexafly 2>/dev/null | head -1); [ -n "$w" ] && break; sleep 0.5; done
[ -n "$w" ] || {{ echo "no window"; cat "{log}"; exit 1; }}
# Past the experiment's own loom at 1 s (the control) before anything is silenced.
sleep 8
xdotool windowfocus --sync "$w"
# The window must have handled its focus before the first key that counts (a D was lost
# once in CI with the other viewer tests loading both cores): wait, then a key that does
# nothing outside the panel (Escape), then D.
sleep 2
xdotool key --window "$w" Escape; sleep 1
xdotool key --window "$w" d; sleep 1
xdotool key --window "$w" Tab; sleep 0.5
xdotool type --window "$w" --delay 30 "silence type=DNp01"; sleep 0.5
xdotool key --window "$w" Return; sleep 1
xdotool key --window "$w" Tab; sleep 0.5
xdotool key --window "$w" l; sleep 3
xdotool key --window "$w" q
wait $pid || {{ echo "viewer failed"; cat "{log}"; exit 1; }}
"#,
        exp = exp.display(),
        out = out.display(),
        log = dir.path().join("view.log").display(),
    );
    let o = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x720x24", "bash", "-c", &script])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let latency = summary["latency"].as_array().expect("latency");
    assert_eq!(
        latency.len(),
        2,
        "the experiment's loom and the user's: {latency:?}"
    );
    assert!(
        latency[0]["first_trigger_spike_s"].is_number(),
        "control: {latency:?}"
    );
    assert!(
        latency[1]["first_trigger_spike_s"].is_null(),
        "DNp01 silenced from the panel, yet the user's loom reached it: {latency:?}"
    );
    let timeline = rows(&out.join("timeline.csv"));
    let col = timeline[0].split(',').position(|c| c == "dust").unwrap();
    let dust = timeline[1..]
        .iter()
        .map(|r| r.split(',').nth(col).unwrap().parse::<f64>().unwrap())
        .fold(0.0, f64::max);
    assert!(dust >= 0.49, "D added dust: max {dust}");
}
