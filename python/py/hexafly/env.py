"""``hexafly/Fly-v0``: the closed loop as a Gymnasium environment.

One step is ``ticks_per_step`` control ticks of the experiment (brain window -> readouts ->
arbiter -> body). The observation is the body's senses, its internal state (hunger, dust,
arousal) and each descending-neuron readout's value (``observation_names``). The action is
either

- ``control="neurons"`` (default): a Poisson rate in Hz for each of ``selections`` (default:
  each readout's descending neurons), applied from the next brain window: optogenetics from a
  policy, the connectome still the controller;
- ``control="motor"``: ``[speed m/s, turn rad/s]`` of a walk that drives the body in place of
  the arbiter's choice; the brain runs and is observed.

The reward is the hunger removed by feeding in the step (the experiment's own goal); an
episode ends with the experiment's duration. The same seed gives the same episode.
"""

from __future__ import annotations

import os
from typing import Optional, Sequence, Union

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from . import Experiment
from ._native import Loop


class FlyEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(
        self,
        experiment: Union[str, "os.PathLike[str]", Experiment],
        control: str = "neurons",
        selections: Optional[Sequence[str]] = None,
        max_rate_hz: float = 300.0,
        ticks_per_step: int = 10,
        max_speed: float = 0.15,
        max_turn: float = 2.0,
        threads: int = 1,
    ):
        if not isinstance(experiment, Experiment):
            experiment = Experiment.load(experiment)
        if control not in ("neurons", "motor"):
            raise ValueError(f"control={control!r}: expected 'neurons' or 'motor'")
        if ticks_per_step < 1:
            raise ValueError(f"ticks_per_step={ticks_per_step}: expected >= 1")
        self.experiment = experiment
        self.control = control
        self.ticks_per_step = int(ticks_per_step)
        self._loop = Loop(experiment._native, threads)
        self.observation_names = list(self._loop.observation_names())
        self.observation_space = spaces.Box(
            -np.inf, np.inf, shape=(len(self.observation_names),), dtype=np.float32
        )
        if control == "neurons":
            self.selections = list(selections) if selections else list(self._loop.readout_selectors())
            self.action_space = spaces.Box(
                0.0, float(max_rate_hz), shape=(len(self.selections),), dtype=np.float32
            )
        else:
            self.selections = []
            self.action_space = spaces.Box(
                np.array([-max_speed, -max_turn], dtype=np.float32),
                np.array([max_speed, max_turn], dtype=np.float32),
                dtype=np.float32,
            )
        self._started = False

    def _obs(self) -> np.ndarray:
        return np.asarray(self._loop.observation(), dtype=np.float32)

    def _info(self) -> dict:
        return {"time_s": self._loop.time_s(), "behaviour": self._loop.behaviour()}

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        super().reset(seed=seed)
        if seed is None:
            seed = int(self.np_random.integers(0, 2**63 - 1))
        self._loop.reset(int(seed))
        if self.control == "neurons":
            for sel in self.selections:  # every selector checked at the start
                self._loop.activate(sel, 0.0)
        self._started = True
        return self._obs(), self._info()

    def step(self, action):
        if not self._started:
            raise RuntimeError("call reset() first")
        a = np.asarray(action, dtype=np.float64).reshape(self.action_space.shape)
        a = np.clip(a, self.action_space.low, self.action_space.high)
        if self.control == "neurons":
            for sel, hz in zip(self.selections, a):
                self._loop.activate(sel, float(hz))
        else:
            self._loop.command("walk", float(a[0]), float(a[1]))
        hunger = self._loop.observation()[self.observation_names.index("hunger")]
        done = self._loop.step(self.ticks_per_step)
        obs = self._obs()
        reward = float(max(0.0, hunger - obs[self.observation_names.index("hunger")]))
        return obs, reward, bool(done), False, self._info()
