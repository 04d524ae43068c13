#!/usr/bin/env bash
# Closed-loop benchmark: the 139,255-neuron synthetic whole brain + the hexapod, 10 s,
# headless (`hexafly run`). The circuit map's groups are random neurons (seeded), written
# here as id files beside the map. Prints the run's real-time factor.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${HEXAFLY_PYTHON:-.venv/bin/python}
cargo build --release -p sim
HEX=target/release/hexafly
WB=target/bench-brain/wb
[ -f "$WB/Completeness_synth.csv" ] || "$HEX" connectome synth --out "$WB" --seed 1
"$PY" - "$WB" scripts/bench_closed_loop <<'PYEOF'
import sys, numpy as np
wb, out = sys.argv[1], sys.argv[2]
ids = np.loadtxt(f"{wb}/Completeness_synth.csv", delimiter=",", skiprows=1, usecols=0, dtype=np.int64)
pick = np.random.default_rng(7).choice(ids, 800, replace=False)
names = ["loom_left", "loom_right", "odor_left", "odor_right", "gf", "fwd", "turn_left", "turn_right"]
for i, n in enumerate(names):
    np.savetxt(f"{out}/{n}.txt", pick[i * 100:i * 100 + (100 if i < 4 else 20)], fmt="%d")
PYEOF
"$HEX" run scripts/bench_closed_loop/synth_loop.toml --out target/bench-closed-loop
