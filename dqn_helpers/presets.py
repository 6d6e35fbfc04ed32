"""The named training configurations: ``slides`` (as taught) and ``solved`` (what works).

``slides`` is the slides' tutorial exactly: difference of two 3x40x90 screens, the BatchNorm
CNN, RMSprop, batch 128, γ = 0.999, ε = 0.9 → 0.05 with decay 200, a 10,000-transition memory,
target copy every 10 episodes, 50 episodes. ``solved`` is the recipe found by experiment
(``benchmarks/EXPERIMENTS.md``) that meets the course's goals.
"""

from __future__ import annotations

import dataclasses

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.slides import SlidesConfig
from dqn_helpers.train import TrainConfig

PRESETS = ("slides", "solved")
# Step budgets of the goals: CartPole-v0 solved within 100k steps, v1 within 300k.
STEP_BUDGETS = {"CartPole-v0": 100_000, "CartPole-v1": 300_000}


def preset(name: str, env_id: str = "CartPole-v1", **overrides) -> TrainConfig | SlidesConfig:
    """The configuration called ``name`` for ``env_id``, with any field overridden."""
    if name == "solved":
        config = TrainConfig(env_id=env_id, total_steps=STEP_BUDGETS.get(env_id, 300_000))
    elif name == "slides":
        config = SlidesConfig(env_id=env_id)
    else:
        raise DQNHelpersError(f"unknown preset {name!r}; choose one of {PRESETS}")
    known = {f.name for f in dataclasses.fields(config)}
    unknown = set(overrides) - known
    if unknown:
        raise DQNHelpersError(f"preset {name!r} has no setting(s) {sorted(unknown)}; it has {sorted(known)}")
    return dataclasses.replace(config, **overrides)
