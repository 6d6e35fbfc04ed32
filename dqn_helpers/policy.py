"""Exploration: ε schedules and ε-greedy action selection."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn


@dataclass(frozen=True)
class ExponentialEpsilon:
    """The slides' schedule: ε = end + (start - end) · exp(-step / decay)."""

    start: float = 0.9
    end: float = 0.05
    decay: float = 200

    def __call__(self, step: int) -> float:
        return self.end + (self.start - self.end) * math.exp(-1.0 * step / self.decay)


@dataclass(frozen=True)
class LinearEpsilon:
    """The algorithm box's schedule: ε falls linearly from start to end over ``steps``, then stays."""

    start: float = 1.0
    end: float = 0.1
    steps: int = 10_000

    def __call__(self, step: int) -> float:
        fraction = min(max(step, 0) / self.steps, 1.0)
        return self.start + fraction * (self.end - self.start)


def greedy_action(network: nn.Module, state: torch.Tensor) -> int:
    """The action with the largest Q-value for one state (a batch of one)."""
    with torch.no_grad():
        return int(network(state).argmax(dim=1).item())


def as_batch(observation: Any, device: torch.device | str) -> torch.Tensor:
    """One observation (an array such as ``make_pixel_env`` returns) as a batch of one on ``device``."""
    return torch.from_numpy(np.asarray(observation)).unsqueeze(0).to(device)


def greedy_policy(network: nn.Module) -> Callable[[Any], int]:
    """A policy for ``make_pixel_env`` observations: the action with the highest Q-value."""
    device = next(network.parameters()).device
    return lambda observation: greedy_action(network, as_batch(observation, device))


def select_action(
    network: nn.Module, state: torch.Tensor, epsilon: float, n_actions: int,
    rng: random.Random | None = None,
) -> int:
    """ε-greedy: a uniformly random action with probability ε, else the greedy one.

    The random draw comes first, so no forward pass is spent on steps that explore.
    """
    rng = rng or random
    if rng.random() < epsilon:
        return rng.randrange(n_actions)
    return greedy_action(network, state)
