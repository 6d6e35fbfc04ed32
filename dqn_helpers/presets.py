"""The named training configurations: ``slides`` (as taught) and ``solved`` (what works).

``slides`` is the slides' tutorial exactly: difference of two 3x40x90 screens, the BatchNorm
CNN, RMSprop, batch 128, γ = 0.999, ε = 0.9 → 0.05 with decay 200, a 10,000-transition memory,
target copy every 10 episodes, 50 episodes. ``solved`` is the recipe found by experiment
(``benchmarks/EXPERIMENTS.md``) that meets the course's goals.
"""

from __future__ import annotations

import dataclasses

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.recipe import STEP_BUDGETS, RecipeConfig
from dqn_helpers.slides import SlidesConfig

PRESETS = ("slides", "solved")


def preset(name: str, env_id: str = "CartPole-v1", **overrides) -> RecipeConfig | SlidesConfig:
    """The configuration called ``name`` for ``env_id``, with any field overridden.

    Build its trainer with ``.build()``; ``runner.train_run`` trains it and writes the outputs.
    """
    if name == "solved":
        config = RecipeConfig(env_id=env_id, total_steps=STEP_BUDGETS.get(env_id, RecipeConfig.total_steps))
    elif name == "slides":
        config = SlidesConfig(env_id=env_id)
    else:
        raise DQNHelpersError(f"unknown preset {name!r}; choose one of {PRESETS}")
    known = {f.name for f in dataclasses.fields(config)}
    unknown = set(overrides) - known
    if unknown:
        raise DQNHelpersError(f"preset {name!r} has no setting(s) {sorted(unknown)}; it has {sorted(known)}")
    return dataclasses.replace(config, **overrides)
