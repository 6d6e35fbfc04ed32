"""Reference implementation behind the "DQN from Pixels" course.

The lessons reach everything as ``dh.<module>.<name>`` (``import dqn_helpers as dh``): the
module is the file to open to read the code, e.g. ``dh.env.make_env`` is in ``env.py``. The
lessons import from here, so a student stuck on one exercise can still run the rest.

The training engine: a config (``recipe.RecipeConfig`` or ``slides.SlidesConfig``, usually from
``presets.preset``) builds a ``loop.Trainer`` whose agent (``recipe.RecipeAgent`` or
``slides.SlidesAgent``) acts and learns; ``runner.train_run`` trains it with observers
(``observers.py``), checkpoints (``checkpoint.py``) and writes the outputs.
"""

import os as _os
import sys as _sys

# gymnasium's CartPole renderer imports pygame, whose import prints a version banner.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
if _sys.platform.startswith("linux") and not (
    _os.environ.get("DISPLAY") or _os.environ.get("WAYLAND_DISPLAY")
):
    # No screen (Colab, servers, CI): rgb_array frames are drawn off-screen, and SDL's dummy
    # driver keeps pygame from looking for a display it cannot have.
    _os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from dqn_helpers import (  # noqa: E402 - after the environment variables above
    ablation,
    checkpoint,
    device,
    display,
    env,
    envstate,
    errors,
    fair_budget,
    i18n,
    interrupt,
    lock,
    loop,
    model,
    observers,
    overestimation,
    pixels,
    plots,
    policy,
    presets,
    quick,
    quiz,
    recipe,
    recipe_changes,
    render,
    replay,
    runner,
    screen,
    seeding,
    settings,
    slides,
    tracking,
    update,
    video,
    widgets,
)

__version__ = "0.1.0"

__all__ = [
    "ablation",
    "checkpoint",
    "device",
    "display",
    "env",
    "envstate",
    "errors",
    "fair_budget",
    "i18n",
    "interrupt",
    "lock",
    "loop",
    "model",
    "observers",
    "overestimation",
    "pixels",
    "plots",
    "policy",
    "presets",
    "quick",
    "quiz",
    "recipe",
    "recipe_changes",
    "render",
    "replay",
    "runner",
    "screen",
    "seeding",
    "settings",
    "slides",
    "tracking",
    "update",
    "video",
    "widgets",
]
