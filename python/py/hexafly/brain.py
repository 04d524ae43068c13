"""The brain alone, as ``hexafly brain run``: the leaky integrate-and-fire model of Shiu et al.
(2024) on any connectome, driven by Poisson input and silencing, spikes and rates as pandas."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Dict, Iterable, Optional, Union

from ._native import brain_run as _brain_run


class BrainRun:
    """What one protocol gave: ``spikes`` (``neuron``, ``t_ms``, and ``trial`` with several
    trials), ``rates`` (``neuron``, ``rate_hz``, every neuron) and the ``summary`` dict."""

    def __init__(self, spikes, rates, summary: dict):
        self.spikes = spikes
        self.rates = rates
        self.summary = summary

    def __repr__(self) -> str:
        return f"BrainRun({len(self.spikes)} spikes, {self.summary.get('neurons')} neurons)"


def run(
    connectome: Union[str, "os.PathLike[str]"],
    duration_ms: float,
    stimulate: Optional[Dict[str, float]] = None,
    silence: Iterable[str] = (),
    seed: int = 0,
    trials: int = 1,
    record: Optional[str] = None,
    noise_mv: Optional[float] = None,
    threads: Optional[int] = None,
    annotations: Iterable[str] = (),
    extra: Iterable[str] = (),
) -> BrainRun:
    """Runs the brain alone. ``stimulate`` maps selectors to Poisson rates in Hz (one rate for
    all, as ``hexafly brain run --stimulate ... --rate``); ``silence`` lists selectors whose
    outgoing synapses are removed; ``annotations`` adds neuron tables (paths or dataset
    references) to select by; ``extra`` passes further ``brain run`` options. The
    spikes are those of ``hexafly brain run`` with the same arguments, exactly."""
    import pandas as pd

    with tempfile.TemporaryDirectory(prefix="hexafly-brain-") as tmp:
        out = Path(tmp) / "spikes.csv"
        rates = Path(tmp) / "rates.csv"
        args = [
            "--connectome", os.fspath(connectome),
            "--duration-ms", repr(float(duration_ms)),
            "--out", str(out),
            "--rates-out", str(rates),
            "--seed", str(int(seed)),
            "--trials", str(int(trials)),
        ]
        if stimulate:
            hz = set(float(r) for r in stimulate.values())
            if len(hz) != 1:
                raise ValueError(
                    f"stimulate: one rate for every selector (as `brain run --rate`), got {sorted(hz)}"
                )
            for sel in stimulate:
                args += ["--stimulate", sel]
            args += ["--rate", repr(hz.pop())]
        for sel in silence:
            args += ["--silence", sel]
        if record is not None:
            args += ["--record", record]
        if noise_mv is not None:
            args += ["--noise-mv", repr(float(noise_mv))]
        for a in annotations:
            args += ["--annotations", os.fspath(a)]
        if threads is not None:
            args += ["--threads", str(int(threads))]
        args += list(extra)
        summary = json.loads(_brain_run(args))
        spikes = pd.read_csv(out)
        rate_table = pd.read_csv(rates)
    return BrainRun(spikes, rate_table, summary)
