#!/usr/bin/env python3
"""Run the Shiu et al. 2024 whole-brain LIF model in Brian 2 on a connectome file and write
its spikes, for comparison with `hexafly brain run` on the same file and input.

The network is built exactly as in philshiu/Drosophila_brain_model (model.py): one
NeuronGroup with the published equations (method 'linear', refractory 'rfc'), Synapses
`g += w` with w = signed count x 0.275 mV and a 1.8 ms delay. Input is given as explicit
spike trains (`neuron,t_ms`): a SpikeGeneratorGroup whose synapses add 250 x 0.275 mV to v,
and the driven neurons get rfc = 0, as the Poisson-driven neurons of the paper.

Connectome formats read here (the same files hexafly reads):
  * the larval Data S1 zip (Winding et al. 2023): all-all_connectivity_matrix.csv inside the
    zip, ROW = presynaptic; signs from --inhibitory-fraction/--sign-seed (the seeded rule of
    controller::brain::signs, reproduced below);
  * an edge CSV `pre,post,weight` (signed counts), or the FlyWire layout
    `pre_root_id,post_root_id,syn_count,...[,pre_nt_type]` (GABA/glutamate inhibit).

With --noise-mv SIGMA the neurons get membrane noise, Brian's usual
`dv/dt = ... + sigma*sqrt(2/t_mbr)*xi` (stationary sd of v = SIGMA), integrated with
method 'euler' (the stochastic term rules out 'linear'); seeded by --seed. Its spikes then
agree with hexafly's in distribution only (different random numbers), which the tests check.

Output: `neuron,t_ms` sorted by time then neuron, times written on the 0.1 ms grid.
With --device cpp_standalone the script also prints a JSON line with the simulation time
(compilation excluded) and the peak memory of the simulation process.
"""
import argparse
import csv
import gzip
import io
import json
import os
import sys
import time
import zipfile

import numpy as np

M64 = (1 << 64) - 1


def splitmix64(x):
    """Vigna's splitmix64 finaliser; identical to controller::brain::signs::splitmix64."""
    z = (x + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def seeded_inhibitory(neuron_id, fraction, seed):
    return float(splitmix64((neuron_id ^ seed) & M64)) < fraction * 18446744073709551616.0


def open_text(path):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, newline="", encoding="utf-8")


def load_larva_zip(path):
    """(pre ids, post ids, counts) from the dense all-all matrix inside the Data S1 zip."""
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist()
                    if n.endswith("all-all_connectivity_matrix.csv") and "__MACOSX" not in n)
        with z.open(name) as f:
            lines = io.TextIOWrapper(f, encoding="utf-8")
            header = next(lines).rstrip("\r\n").split(",")
            col_ids = np.array([int(float(x)) for x in header[1:]], dtype=np.int64)
            pre, post, cnt = [], [], []
            for line in lines:
                fields = line.rstrip("\r\n").split(",")
                if len(fields) < 2:
                    continue
                row_id = int(float(fields[0]))
                values = np.array(fields[1:], dtype=np.float64)
                nz = np.nonzero(values)[0]
                pre.append(np.full(len(nz), row_id, dtype=np.int64))
                post.append(col_ids[nz])
                cnt.append(np.rint(values[nz]).astype(np.int64))
    return np.concatenate(pre), np.concatenate(post), np.concatenate(cnt)


INHIBITORY_NT = {"gaba", "gabaergic", "glut", "glu", "glutamate", "glutamatergic"}


def load_plain_edges_fast(path):
    """`pre,post,weight` with pandas (whole-brain benchmark files); None without pandas."""
    try:
        import pandas as pd
    except ImportError:
        return None
    df = pd.read_csv(path, dtype={"pre": np.int64, "post": np.int64, "weight": np.int64})
    df = df.groupby(["pre", "post"], sort=False, as_index=False)["weight"].sum()
    df = df[df["weight"] != 0]
    return df["pre"].to_numpy(), df["post"].to_numpy(), df["weight"].to_numpy()


def load_edge_csv(path):
    """(pre ids, post ids, signed counts) from an edge CSV; repeated pairs are summed."""
    with open_text(path) as f:
        first = f.readline().strip()
    if first == "pre,post,weight":
        fast = load_plain_edges_fast(path)
        if fast is not None:
            return fast
    with open_text(path) as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader)]
        layouts = [("pre", "post", "weight", True), ("pre_root_id", "post_root_id", "syn_count", False),
                   ("pre", "post", "syn_count", False), ("pre_root_id", "post_root_id", "weight", False)]
        for a, b, c, signed in layouts:
            if a in header and b in header and c in header:
                ia, ib, ic = header.index(a), header.index(b), header.index(c)
                break
        else:
            sys.exit(f"{path}: unknown edge layout {header}")
        nt = next((header.index(n) for n in ("nt_type", "pre_nt_type", "pre_nt") if n in header), None)
        acc = {}
        for row in reader:
            if not row:
                continue
            count = int(float(row[ic]))
            if not signed and nt is not None and row[nt].strip().lower() in INHIBITORY_NT:
                count = -count
            key = (int(row[ia]), int(row[ib]))
            acc[key] = acc.get(key, 0) + count
    keys = [k for k, v in acc.items() if v != 0]
    pre = np.array([k[0] for k in keys], dtype=np.int64)
    post = np.array([k[1] for k in keys], dtype=np.int64)
    cnt = np.array([acc[k] for k in keys], dtype=np.int64)
    return pre, post, cnt


def read_input(path):
    ids, times = [], []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        if [h.strip() for h in next(reader)] != ["neuron", "t_ms"]:
            sys.exit(f"{path}: expected header neuron,t_ms")
        for row in reader:
            if row:
                ids.append(int(row[0]))
                times.append(int(round(float(row[1]) * 10)))  # steps of 0.1 ms
    return np.array(ids, dtype=np.int64), np.array(times, dtype=np.int64)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connectome", required=True)
    ap.add_argument("--input-spikes", required=True)
    ap.add_argument("--duration-ms", type=float, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--inhibitory-fraction", type=float)
    ap.add_argument("--sign-seed", type=int, default=0)
    ap.add_argument("--device", default="runtime", choices=["runtime", "cpp_standalone"])
    ap.add_argument("--target", default="numpy", help="runtime code generation target (numpy or cython)")
    ap.add_argument("--build-dir", default=None, help="cpp_standalone project directory")
    ap.add_argument("--noise-mv", type=float, default=None, help="membrane noise sd (mV)")
    ap.add_argument("--seed", type=int, default=0, help="Brian's random seed (noise)")
    args = ap.parse_args()

    t0 = time.time()
    if args.connectome.endswith(".zip"):
        pre, post, cnt = load_larva_zip(args.connectome)
    else:
        pre, post, cnt = load_edge_csv(args.connectome)
    if args.inhibitory_fraction is not None:
        ids = np.unique(pre)
        inh = np.array([seeded_inhibitory(int(i), args.inhibitory_fraction, args.sign_seed) for i in ids])
        cnt = np.abs(cnt) * np.where(inh[np.searchsorted(ids, pre)], -1, 1)
    in_ids, in_steps = read_input(args.input_spikes)
    all_ids = np.unique(np.concatenate([pre, post, in_ids]))
    # Synapses in the order hexafly's CSR walks them (by pre, then post); the order only
    # changes how float additions to g round.
    order = np.lexsort((post, pre))
    pre_i = np.searchsorted(all_ids, pre[order])
    post_i = np.searchsorted(all_ids, post[order])
    cnt = cnt[order]
    load_s = time.time() - t0

    import brian2 as b2
    from brian2 import ms, mV, second, NeuronGroup, Synapses, SpikeGeneratorGroup, SpikeMonitor, Network

    if args.device == "cpp_standalone":
        b2.set_device("cpp_standalone", build_on_run=False)
    else:
        b2.prefs.codegen.target = args.target
    b2.defaultclock.dt = 0.1 * ms
    b2.seed(args.seed)

    # Parameters and equations exactly as in Shiu et al. model.py (default_params).
    params = {
        "v_0": -52 * mV, "v_rst": -52 * mV, "v_th": -45 * mV, "t_mbr": 0.02 * second,
        "tau": 5 * ms, "t_rfc": 2.2 * ms, "t_dly": 1.8 * ms, "w_syn": 0.275 * mV, "f_poi": 250,
    }
    eqs = """
    dv/dt = (v_0 - v + g) / t_mbr : volt (unless refractory)
    dg/dt = -g / tau               : volt (unless refractory)
    rfc                            : second
    """
    method = "linear"
    if args.noise_mv is not None:
        params["sigma"] = args.noise_mv * mV
        eqs = eqs.replace("(v_0 - v + g) / t_mbr :", "(v_0 - v + g) / t_mbr + sigma * sqrt(2 / t_mbr) * xi :")
        method = "euler"
    neu = NeuronGroup(len(all_ids), model=eqs, method=method, threshold="v > v_th",
                      reset="v = v_rst; g = 0 * mV", refractory="rfc", name="default_neurons",
                      namespace=params)
    neu.v = params["v_0"]
    neu.g = 0 * mV
    rfc_values = np.full(len(all_ids), 2.2e-3)
    in_idx = np.searchsorted(all_ids, in_ids)
    driven = np.unique(in_idx)
    rfc_values[driven] = 0.0  # no refractory period for driven neurons, as in the paper
    neu.rfc = rfc_values * second
    syn = Synapses(neu, neu, "w : volt", on_pre="g += w", delay=params["t_dly"], name="default_synapses")
    syn.connect(i=pre_i, j=post_i)
    syn.w = cnt * params["w_syn"]
    mon = SpikeMonitor(neu)
    net = Network(neu, syn, mon)
    if len(driven) > 0:  # (an empty input file: noise alone drives the network)
        gen_idx = np.searchsorted(driven, in_idx)
        gen = SpikeGeneratorGroup(len(driven), gen_idx, in_steps * 0.1 * ms)
        inp = Synapses(gen, neu, "w : volt", on_pre="v += w")
        inp.connect(i=np.arange(len(driven)), j=driven)
        inp.w = params["w_syn"] * params["f_poi"]
        net.add(gen, inp)
    net.run(args.duration_ms * ms)

    report = {"neurons": int(len(all_ids)), "edges": int(len(pre_i)), "load_s": load_s}
    if args.device == "cpp_standalone":
        t1 = time.time()
        b2.device.build(directory=args.build_dir or "brian2_standalone", run=False)
        report["build_s"] = time.time() - t1
        # Peak RSS of the simulation binary alone (not of the compiler run before it).
        rss_path = os.path.join(os.path.abspath(b2.device.project_dir), "peak_rss_kb.txt")
        b2.prefs.devices.cpp_standalone.run_cmd_unix = ["/usr/bin/time", "-f", "%M", "-o", rss_path, "./main"]
        t2 = time.time()
        b2.device.run(with_output=False)
        report["process_s"] = time.time() - t2
        with open(rss_path) as f:
            report["peak_rss_mb"] = int(f.read().split()[-1]) / 1024
        report["simulate_s"] = b2.device._last_run_time
    steps = np.rint(np.asarray(mon.t / (0.1 * ms))).astype(np.int64)
    neurons = all_ids[np.asarray(mon.i)]
    order = np.lexsort((neurons, steps))
    with open(args.out, "w") as f:
        f.write("neuron,t_ms\n")
        for s, n in zip(steps[order], neurons[order]):
            f.write(f"{n},{s // 10}.{s % 10}\n")
    report["spikes"] = int(len(steps))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
