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
    input_spikes: Optional[Union[str, "os.PathLike[str]"]] = None,
    rate_of: Iterable[str] = (),
    inhibitory_fraction: Optional[float] = None,
    sign_seed: int = 0,
    split_trials: Optional[bool] = None,
    format: Optional[str] = None,
) -> BrainRun:
    """Runs the brain alone. ``stimulate`` maps selectors to Poisson rates in Hz (one rate for
    all, as ``hexafly brain run --stimulate ... --rate``); ``silence`` lists selectors whose
    outgoing synapses are removed; ``annotations`` adds neuron tables (paths or dataset
    references) to select by; ``input_spikes`` is a ``neuron,t_ms`` table of input events;
    ``rate_of`` lists selections whose mean rate the summary reports; the rest are the
    options of ``hexafly brain run`` of the same names. The spikes are those of
    ``hexafly brain run`` with the same arguments, exactly."""
    import pandas as pd

    rate = None
    if stimulate:
        hz = set(float(r) for r in stimulate.values())
        if len(hz) != 1:
            raise ValueError(
                f"stimulate: one rate for every selector (as `brain run --rate`), got {sorted(hz)}"
            )
        rate = hz.pop()
    with tempfile.TemporaryDirectory(prefix="hexafly-brain-") as tmp:
        out = Path(tmp) / "spikes.csv"
        rates = Path(tmp) / "rates.csv"
        summary = json.loads(
            _brain_run(
                os.fspath(connectome),
                float(duration_ms),
                str(out),
                rates_out=str(rates),
                stimulate=list(stimulate or {}),
                rate=rate,
                silence=list(silence),
                seed=int(seed),
                trials=int(trials),
                record=record,
                noise_mv=None if noise_mv is None else float(noise_mv),
                threads=None if threads is None else int(threads),
                annotations=[os.fspath(a) for a in annotations],
                input_spikes=None if input_spikes is None else os.fspath(input_spikes),
                rate_of=list(rate_of),
                inhibitory_fraction=inhibitory_fraction,
                sign_seed=int(sign_seed),
                split_trials=split_trials,
                format=format,
            )
        )
        spikes = pd.read_csv(out)
        rate_table = pd.read_csv(rates)
    return BrainRun(spikes, rate_table, summary)
