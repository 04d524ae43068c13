"""hexafly from Python: a six-legged robot whose brain is a real fruit-fly connectome.

Experiments::

    import hexafly
    exp = hexafly.Experiment.load("assets/experiments/loom_escape.toml")
    exp.set("network.membrane_noise_mv", 2.0)     # the key paths of sweeps
    run = exp.run()                               # a temporary run folder, or out="DIR"
    run.timeline, run.spikes, run.summary         # pandas, pandas, dict

The brain alone (the model of Shiu et al. 2024, as `hexafly brain run`)::

    b = hexafly.brain.run("dataset:flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv",
                          duration_ms=500, stimulate={"type=LC4": 150.0}, seed=1)
    b.spikes, b.rates

The closed loop as a Gymnasium environment (``pip install hexafly[gym]``)::

    import gymnasium as gym
    env = gym.make("hexafly/Fly-v0", experiment="assets/experiments/loom_escape.toml")

Errors are :class:`HexaflyError` (a ``ValueError``) naming the file, line and key.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Optional, Union

from . import brain
from ._native import HexaflyError, version
from ._native import Experiment as _NativeExperiment

__all__ = ["Experiment", "Run", "Dataset", "HexaflyError", "brain", "version", "read_run"]
__version__ = version()

PathLike = Union[str, "os.PathLike[str]"]


class Run:
    """A run folder, read back: ``timeline`` and ``spikes`` as pandas DataFrames, ``summary``
    as a dict. A folder of a run that did not end (killed) is refused; a failed run reads,
    with ``summary["status"] == "failed"`` and ``summary["failure"]`` saying why."""

    def __init__(self, folder: PathLike, _keep: Any = None):
        self.folder = Path(folder)
        self._keep = _keep  # a temporary folder lives as long as its Run
        summary = self.folder / "summary.json"
        if not summary.exists():
            raise HexaflyError(
                f"{self.folder}: an incomplete run (no summary.json: killed, or still running)"
            )
        self.summary: dict = json.loads(summary.read_text())
        self._timeline = None
        self._spikes = None

    @property
    def status(self) -> str:
        return self.summary["status"]

    @property
    def timeline(self):
        """``timeline.csv``: one row per recorded tick."""
        if self._timeline is None:
            import pandas as pd

            t = pd.read_csv(self.folder / "timeline.csv")
            if len(t) != self.summary["timeline_rows"]:
                raise HexaflyError(
                    f"{self.folder / 'timeline.csv'}: {len(t)} rows, the summary says "
                    f"{self.summary['timeline_rows']}: cut short or edited"
                )
            self._timeline = t
        return self._timeline

    @property
    def spikes(self):
        """``spikes.parquet``: ``neuron`` (dataset id), ``t_ms``, ``step``."""
        if self._spikes is None:
            import pandas as pd

            self._spikes = pd.read_parquet(self.folder / "spikes.parquet")
        return self._spikes

    def __repr__(self) -> str:
        return f"Run({str(self.folder)!r}, status={self.status!r})"


class Dataset:
    """A connectome loaded by name (``flywire-783-escape``), ``dataset:NAME/PATH`` reference or
    path, from the data directory (``hexafly fetch`` installs it), as the command line loads it.
    ``neurons`` is its neuron table (``root_id``, ``nt_type``, every annotation column);
    ``select`` takes the one selector grammar (``type=DNa02 & side=left``)."""

    def __init__(self, native):
        self._native = native
        self._neurons = None

    @staticmethod
    def load(name_or_path: PathLike, annotations=()) -> "Dataset":
        from ._native import Dataset as _NativeDataset

        return Dataset(
            _NativeDataset.load(os.fspath(name_or_path), [os.fspath(a) for a in annotations])
        )

    @property
    def path(self) -> Path:
        return Path(self._native.path)

    @property
    def n_neurons(self) -> int:
        return self._native.n_neurons

    @property
    def n_edges(self) -> int:
        return self._native.n_edges

    @property
    def neurons(self):
        """The neuron table as a pandas DataFrame (``root_id`` as uint64)."""
        if self._neurons is None:
            import pandas as pd

            cols = dict(self._native.neuron_columns())
            df = pd.DataFrame(cols)
            df["root_id"] = df["root_id"].astype("uint64")
            self._neurons = df
        return self._neurons

    def select(self, selector: str):
        """The ids (a numpy uint64 array, in table order) of the neurons ``selector`` picks."""
        import numpy as np

        return np.array(self._native.select(selector), dtype=np.uint64)

    def __repr__(self) -> str:
        return f"Dataset({str(self.path)!r}, {self.n_neurons} neurons, {self.n_edges} pairs)"


def read_run(folder: PathLike) -> Run:
    """Reads a run folder written by ``hexafly run``, a sweep or :meth:`Experiment.run`."""
    return Run(folder)


class Experiment:
    """An experiment file, with keys set in code by the key paths of sweeps."""

    def __init__(self, native: _NativeExperiment):
        self._native = native

    @staticmethod
    def load(path: PathLike) -> "Experiment":
        """Reads and checks an experiment file (the files ``hexafly run`` takes)."""
        return Experiment(_NativeExperiment.load(os.fspath(path)))

    @property
    def path(self) -> Path:
        return Path(self._native.path)

    def set(self, key_path: str, value: Any) -> "Experiment":
        """Sets one key (``agent.hunger``, ``events[0].at_s``, ``run.seed``); checked at once.
        Returns the experiment, so calls chain."""
        self._native.set(key_path, value)
        return self

    def run(self, out: Optional[PathLike] = None, threads: int = 1) -> Run:
        """Runs it (headless) into ``out``, or a temporary folder kept as long as the
        returned :class:`Run`. The files are those of ``hexafly run``, byte for byte. Ctrl-C
        stops the run: :class:`KeyboardInterrupt`, and the folder's summary says ``failed``."""
        keep = None
        if out is None:
            keep = tempfile.TemporaryDirectory(prefix="hexafly-run-")
            out = Path(keep.name) / "run"
        self._native.run(os.fspath(out), threads)
        return Run(out, keep)

    def __repr__(self) -> str:
        return f"Experiment.load({str(self.path)!r})"


def _register_env() -> None:
    try:
        import gymnasium
    except ImportError:  # gymnasium is optional: pip install hexafly[gym]
        return
    if "hexafly/Fly-v0" not in gymnasium.registry:
        gymnasium.register(id="hexafly/Fly-v0", entry_point="hexafly.env:FlyEnv")


_register_env()


class Sweep:
    """A sweep folder, read back: ``runs`` (one row per finished run: parameters, seed and the
    figures of its summary), ``aggregate`` (per grid point and figure: n, mean, sd, 95% CI)
    as pandas DataFrames, and each run as a :class:`Run` (``run(run_id)``)."""

    def __init__(self, folder: PathLike):
        import pandas as pd

        self.folder = Path(folder)
        if not (self.folder / "sweep.json").exists():
            raise HexaflyError(f"{self.folder}: no sweep.json (`hexafly sweep --out` writes one)")
        self.runs = pd.read_csv(self.folder / "runs.csv")
        self.aggregate = pd.read_csv(self.folder / "aggregate.csv")

    def run(self, run_id: str) -> Run:
        return Run(self.folder / "runs" / run_id)

    def __repr__(self) -> str:
        return f"Sweep({str(self.folder)!r}, {len(self.runs)} runs)"


def sweep(
    experiment: PathLike,
    out: PathLike,
    set: Optional[dict] = None,
    seeds: Union[int, str, None] = None,
    jobs: Optional[int] = None,
) -> Sweep:
    """Runs ``hexafly sweep``: ``experiment`` over a grid of ``set`` (key path -> list of
    values) times ``seeds`` (a count, or ``"1,2,5..9"``), into ``out``; resumes a folder it
    finds half done. Returns the folder's tables."""
    from ._native import sweep_run

    sets = []
    for key, values in (set or {}).items():
        if not isinstance(values, (list, tuple)):
            values = [values]
        sets.append(f"{key}=" + ",".join(_literal(v) for v in values))
    sweep_run(
        os.fspath(experiment),
        os.fspath(out),
        set=sets,
        seeds=None if seeds is None else str(seeds),
        jobs=None if jobs is None else int(jobs),
    )
    return Sweep(out)


def _literal(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_literal(x) for x in v) + "]"
    return repr(float(v)) if isinstance(v, float) else str(v)


__all__ += ["Sweep", "sweep"]
