"""The named training configurations: ``slides`` (as taught) and ``solved`` (what works).

``slides`` is the slides' tutorial exactly: difference of two 3x40x90 screens, the BatchNorm
CNN, RMSprop, batch 128, γ = 0.999, ε = 0.9 → 0.05 with decay 200, a 10,000-transition memory,
target copy every 10 episodes, 50 episodes. ``solved`` is the recipe found by experiment
(``benchmarks/EXPERIMENTS.md``) that meets the course's goals.
"""

from __future__ import annotations

import dataclasses

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.i18n import _
from dqn_helpers.recipe import STEP_BUDGETS, RecipeConfig
from dqn_helpers.settings import check_settings
from dqn_helpers.slides import SlidesConfig

PRESETS = ("slides", "solved")


def preset(name: str, env_id: str | None = None, **overrides) -> RecipeConfig | SlidesConfig:
    """The configuration called ``name`` for ``env_id`` (default: the preset's own), fields overridden.

    Every override is checked against its field's type and range (``settings.py``) before
    anything runs. Build the trainer with ``.build()``; ``runner.train_run`` trains it.
    """
    if env_id is not None:  # "" or "CartPole-v1 " is a typo, not a request for the default
        check_settings(RecipeConfig if name == "solved" else SlidesConfig, {"env_id": env_id})
    if name == "solved":
        env_id = env_id or RecipeConfig.env_id
        config = RecipeConfig(env_id=env_id, total_steps=STEP_BUDGETS.get(env_id, RecipeConfig.total_steps))
    elif name == "slides":
        config = SlidesConfig(env_id=env_id or SlidesConfig.env_id)
    else:
        raise DQNHelpersError(_("unknown preset {name!r}; choose one of {presets}").format(name=name, presets=PRESETS))
    return dataclasses.replace(config, **check_settings(type(config), overrides))
