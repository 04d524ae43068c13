"""Steps per second of hexafly/Fly-v0, and the cost of crossing into Python per control tick.

    python python/examples/bench_env.py EXPERIMENT.toml [SECONDS]

Runs SECONDS simulated (default 2) with one control tick per env step, then with 100 ticks
per step (the same loop, crossing into Python 100 times less often), zero actions, seed 1;
prints both rates, simulated seconds per wall second, and the overhead per crossing. Compare
with `hexafly run EXPERIMENT.toml --threads 1`, whose summary's real_time_factor is the loop
without Python.
"""

import sys
import time

import gymnasium as gym
import numpy as np

import hexafly  # noqa: F401  (registers hexafly/Fly-v0)

exp = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
rows = []
for ticks in (1, 100):
    env = gym.make("hexafly/Fly-v0", experiment=exp, ticks_per_step=ticks)
    env.reset(seed=1)
    dt = env.unwrapped._loop.dt()
    steps = max(1, int(round(seconds / dt / ticks)))
    zero = np.zeros(env.action_space.shape, np.float32)
    t0 = time.perf_counter()
    for _ in range(steps):
        env.step(zero)
    wall = time.perf_counter() - t0
    rows.append((ticks, steps / wall, steps * ticks * dt / wall, wall / (steps * ticks)))
    env.close()
for ticks, sps, rtf, per_tick in rows:
    print(f"ticks/step {ticks:3d}: {sps:9.1f} steps/s, {rtf:6.2f}x real time, {per_tick * 1e6:8.1f} us per tick")
print(f"crossing into Python and back: {(rows[0][3] - rows[1][3]) * 1e6:.1f} us per step")
