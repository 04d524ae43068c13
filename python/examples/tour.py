"""A tour of hexafly from Python: one experiment, a small sweep, the Gymnasium environment,
and a figure of all three.

    python python/examples/tour.py [OUT_DIR]

Runs on the real FlyWire v783 looming-escape circuit shipped with hexafly (no download):
a loom from the left at 0.5 s, the giant fibre (DNp01) and the escape it commands.
"""

import sys
from pathlib import Path

import gymnasium as gym
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import hexafly

ROOT = Path(__file__).resolve().parents[2]
LOOM = ROOT / "assets/experiments/membrane_noise.toml"
out = Path(sys.argv[1] if len(sys.argv) > 1 else "hexafly-tour")
out.mkdir(parents=True, exist_ok=True)

# 1. One experiment: the timeline and spikes come back as pandas.
run = hexafly.Experiment.load(LOOM).set("network.membrane_noise_mv", 2.0).run(out / "run")
print(run, run.summary["latency"][0])

# 2. A small sweep: membrane noise x 3 seeds; its tables come back as pandas.
sweep = hexafly.sweep(LOOM, out / "sweep", set={"network.membrane_noise_mv": [0.0, 4.0]}, seeds=3)
print(sweep.aggregate.head())

# 3. The environment: optogenetics from a policy, here a fixed 200 Hz on the giant fibre
#    from 0.2 s, before the loom.
env = gym.make("hexafly/Fly-v0", experiment=str(LOOM), ticks_per_step=10)
obs, info = env.reset(seed=1)
names = env.unwrapped.observation_names
trace = []
while True:
    drive = np.zeros(env.action_space.shape, np.float32)
    if info["time_s"] >= 0.2:
        drive[:] = 200.0
    obs, reward, done, truncated, info = env.step(drive)
    trace.append((info["time_s"], obs[names.index("readout_escape")], info["behaviour"]))
    if done or truncated:
        break

fig, ax = plt.subplots(1, 3, figsize=(13, 3.6))
t = run.timeline
ax[0].plot(t["t_s"], t["z_m"] * 1000)
ax[0].axvline(0.5, color="k", ls=":", label="loom")
ax[0].set(xlabel="time (s)", ylabel="thorax height (mm)", title="one run: the escape jump")
ax[0].legend()
a = sweep.aggregate
rows = a[a["figure"].str.contains("bouts") & a["figure"].str.contains("escape")]
noise = rows["network.membrane_noise_mv"].astype(str)
ax[1].bar(noise, rows["mean"], yerr=rows["sd"].fillna(0.0), capsize=4)
ax[1].set(title="sweep: escape bouts (mean, sd; 3 seeds)", xlabel="membrane noise (mV)")
ts, ro, _ = zip(*trace)
ax[2].plot(ts, ro)
ax[2].set(xlabel="time (s)", ylabel="escape readout", title="gym: DNp01 driven from 0.2 s")
fig.suptitle(f"hexafly {hexafly.__version__}: {run.summary['wiring_note'][:80]}", fontsize=8)
fig.tight_layout()
fig.savefig(out / "tour.png", dpi=120)
print("wrote", out / "tour.png")
