"""The Python package against the command line it wraps: the brain API gives exactly the
spikes of `hexafly brain run`; an experiment run from Python writes the files of `hexafly run`
byte for byte; bad input raises HexaflyError naming the key, selector or missing dataset;
Ctrl-C stops a long run cleanly; the Gymnasium environment passes Gymnasium's own checker and
is deterministic for a seed.

Run by `cargo xtask test` after it builds and installs the wheel; `HEXAFLY_BIN` names the
`hexafly` binary of the same build. The data are the escape circuit shipped in assets/ (no
download)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hexafly

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets"
ESCAPE_EDGES = ASSETS / "connectomes/flywire783_escape/escape_LC4_LPLC2_to_GF_edges.csv"
LOOM = ASSETS / "experiments/membrane_noise.toml"
BIN = os.environ.get("HEXAFLY_BIN", str(ROOT / "target/debug/hexafly"))


def hexafly_cli(*args, cwd=None):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_the_brain_api_gives_exactly_the_spikes_of_brain_run(tmp_path):
    ours = hexafly.brain.run(
        ESCAPE_EDGES,
        duration_ms=300,
        stimulate={"type=LC4": 150.0},
        seed=3,
        trials=2,
        silence=["type=LPLC2 & side=right"],
    )
    out = tmp_path / "cli.csv"
    p = hexafly_cli(
        "brain", "run", "--connectome", ESCAPE_EDGES, "--duration-ms", 300,
        "--stimulate", "type=LC4", "--rate", 150, "--seed", 3, "--trials", 2,
        "--silence", "type=LPLC2 & side=right", "--out", out,
    )
    assert p.returncode == 0, p.stderr
    cli = pd.read_csv(out)
    assert len(ours.spikes) > 100
    pd.testing.assert_frame_equal(ours.spikes, cli)
    assert set(ours.spikes.columns) == {"neuron", "t_ms", "trial"}
    assert ours.summary["trials"] == 2 and ours.summary["silenced"] > 0
    assert len(ours.rates) == ours.summary["neurons"]


def test_an_experiment_run_from_python_equals_hexafly_run_byte_for_byte(tmp_path):
    exp = hexafly.Experiment.load(LOOM)
    run = exp.run(out=tmp_path / "py")
    p = hexafly_cli("run", LOOM, "--out", tmp_path / "cli", "--threads", 1)
    assert p.returncode == 0, p.stderr
    for name in ("timeline.csv", "spikes.parquet"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    cli = json.loads((tmp_path / "cli/summary.json").read_text())
    for s in (run.summary, cli):  # the two wall-clock fields differ run to run
        del s["wall_s"], s["real_time_factor"]
    assert run.summary == cli
    assert run.status == "complete"
    assert list(run.timeline.columns[:3]) == ["t_s", "behaviour", "reason"]
    assert len(run.timeline) == run.summary["timeline_rows"]
    assert set(run.spikes.columns) == {"neuron", "t_ms", "step"}


def test_set_uses_the_key_paths_of_sweeps_and_runs_what_was_set(tmp_path):
    exp = hexafly.Experiment.load(LOOM).set("run.duration_s", 0.6).set("events[0].at_s", 0.2)
    run = exp.run()
    assert run.summary["duration_s"] == pytest.approx(0.6)
    assert run.summary["onsets"][0]["at_s"] == pytest.approx(0.2)
    assert run.timeline["t_s"].iloc[-1] == pytest.approx(0.6)
    # The same as a sweep point with those values.
    p = hexafly_cli(
        "sweep", LOOM, "--out", tmp_path / "sw", "--set", "run.duration_s=0.6",
        "--set", "events[0].at_s=0.2", "--set", "network.membrane_noise_mv=0.0", "--seeds", "1",
    )
    assert p.returncode == 0, p.stderr
    (folder,) = list((tmp_path / "sw/runs").iterdir())
    assert (folder / "timeline.csv").read_bytes() == (run.folder / "timeline.csv").read_bytes()


def test_bad_input_raises_a_clear_exception(tmp_path, monkeypatch):
    exp = hexafly.Experiment.load(LOOM)
    with pytest.raises(hexafly.HexaflyError, match="unknown key"):
        exp.set("agent.hungry", 0.5)
    with pytest.raises(hexafly.HexaflyError, match="agent.hunger"):
        exp.set("agent.hunger", 2.0)
    with pytest.raises(hexafly.HexaflyError, match=r"reports\.spikes\[0\]"):
        exp.set("reports.spikes", ["type=("])
    assert isinstance(hexafly.HexaflyError("x"), ValueError)
    # a failed set leaves the experiment as it was
    assert exp.run().summary["status"] == "complete"
    with pytest.raises(hexafly.HexaflyError, match="stimulate `type=NOPE` selects no neuron"):
        hexafly.brain.run(ESCAPE_EDGES, 100, stimulate={"type=NOPE": 100.0})
    # A dataset that is not installed names the command that installs it.
    monkeypatch.setenv("HEXAFLY_DATA", str(tmp_path / "empty-data"))
    needs_data = hexafly.Experiment.load(ASSETS / "experiments/looming_escape.toml")
    with pytest.raises(hexafly.HexaflyError, match="hexafly fetch --for"):
        needs_data.run(out=tmp_path / "m")


def test_ctrl_c_stops_a_long_run_cleanly(tmp_path):
    script = f"""
import hexafly, sys
exp = hexafly.Experiment.load({str(LOOM)!r}).set("run.duration_s", 600.0)
print("started", flush=True)
try:
    exp.run(out={str(tmp_path / 'long')!r})
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
"""
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "started"
    timeline = tmp_path / "long/timeline.csv"
    t0 = time.time()
    while not (timeline.exists() and timeline.stat().st_size > 20_000):
        assert time.time() - t0 < 120 and p.poll() is None
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    assert p.returncode == 3, out
    assert "interrupted" in out
    summary = json.loads((tmp_path / "long/summary.json").read_text())
    assert summary["status"] == "failed"
    assert "interrupted" in summary["failure"]["error"]
    assert 0 < summary["failure"]["at_s"] < 600
    run = hexafly.read_run(tmp_path / "long")
    assert len(run.timeline) == summary["timeline_rows"]


def test_the_gymnasium_environment_passes_the_checker_and_is_deterministic():
    gym = pytest.importorskip("gymnasium")
    from gymnasium.utils.env_checker import check_env

    for control in ("neurons", "motor"):
        env = gym.make("hexafly/Fly-v0", experiment=str(LOOM), control=control)
        check_env(env.unwrapped, skip_render_check=True)
        env.close()

    env = gym.make("hexafly/Fly-v0", experiment=str(LOOM), ticks_per_step=20)
    names = env.unwrapped.observation_names
    assert "odor_left" in names and "readout_escape" in names, names

    def episode(seed):
        obs, _ = env.reset(seed=seed)
        trace = [obs]
        for _ in range(40):
            obs, _, done, _, info = env.step(np.zeros(env.action_space.shape, np.float32))
            trace.append(obs)
            if done:
                break
        return np.array(trace), info

    a, info = episode(5)
    b, _ = episode(5)
    assert np.array_equal(a, b)
    # The loom of the experiment comes at 0.5 s: the escape readout is read from the wiring.
    assert info["time_s"] == pytest.approx(0.8)
    assert a[:, names.index("loom_angle_left")].max() > 0
    # Driving the giant fibre (the escape readout's neurons) from the policy makes it escape.
    env.reset(seed=5)
    hz = np.full(env.action_space.shape, 0.0, np.float32)
    hz[env.unwrapped.selections.index(next(s for s in env.unwrapped.selections if "DNp01" in s))] = 300.0
    behaviours = set()
    for _ in range(10):
        _, _, _, _, info = env.step(hz)
        behaviours.add(info["behaviour"])
    assert "escape" in behaviours, behaviours


def test_a_small_sweep_gives_its_tables_as_dataframes(tmp_path):
    # The file's own [sweep] is over membrane noise (6 values); `set` replaces that axis.
    s = hexafly.sweep(
        LOOM,
        tmp_path / "sw",
        set={"events[0].side": ["left", "right"], "network.membrane_noise_mv": [0.0, 4.0]},
        seeds=2,
    )
    assert len(s.runs) == 2 * 2 * 2
    sides = set(s.runs["events[0].side"])  # runs.csv names keys as error messages do
    assert sides == {"left", "right"}
    run = s.run(s.runs["run_id"].iloc[0])
    assert run.status == "complete"
    assert len(s.aggregate) > 0


def test_the_tour_example_runs_and_draws_its_figure(tmp_path):
    pytest.importorskip("matplotlib")
    p = subprocess.run(
        [sys.executable, str(ROOT / "python/examples/tour.py"), str(tmp_path)],
        capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "tour.png").stat().st_size > 10_000


def test_a_dataset_by_path_or_name_gives_its_neuron_table_and_selections():
    d = hexafly.Dataset.load(ESCAPE_EDGES)
    assert d.n_neurons == len(d.neurons) == 295
    assert list(d.neurons.columns[:2]) == ["root_id", "nt_type"]
    gf = d.select("type=DNp01")
    assert len(gf) == 2 and gf.dtype == np.uint64
    assert set(gf) == set(d.neurons.loc[d.neurons["type"] == "DNp01", "root_id"])
    left = d.select("type=LC4 & side=left")
    assert 0 < len(left) < len(d.select("type=LC4"))
    with pytest.raises(hexafly.HexaflyError, match="type=\\("):
        d.select("type=(")
    # By name, from the data directory the tests installed (HEXAFLY_DATA).
    if os.environ.get("HEXAFLY_DATA"):
        named = hexafly.Dataset.load("dataset:flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv")
        assert named.n_neurons == d.n_neurons


def test_sugar_drives_mn9_in_a_few_lines_and_silencing_the_grns_removes_it():
    # Shiu et al. (2024), Fig. 1, on the shipped mission network (its sugar -> MN9 link is
    # planted and labelled synthetic; on the whole brain the same lines run on
    # "flywire-783-shiu").
    net = ASSETS / "connectomes/flywire783_mission/mission.surrogate.toml"
    sugar = "class=gustatory & sub_class=sugar/water"
    on = hexafly.brain.run(net, 1000, stimulate={sugar: 100.0}, record="type=CB0701", seed=1)
    off = hexafly.brain.run(
        net, 1000, stimulate={sugar: 100.0}, silence=[sugar], record="type=CB0701", seed=1
    )
    mn9 = hexafly.Dataset.load(net).select("type=CB0701")
    rate = lambda b: b.rates.set_index("neuron").loc[mn9, "rate_hz"].mean()
    assert rate(on) > 10.0, rate(on)
    assert rate(off) == 0.0
    assert on.summary["neurons"] == 4953
