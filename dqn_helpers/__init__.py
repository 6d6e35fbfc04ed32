"""Reference implementation behind the "DQN from Pixels" course.

The lessons import from here, so a student stuck on one exercise can still run the rest.
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

from dqn_helpers import (
    checkpoint,
    model,
    pixels,
    plots,
    policy,
    presets,
    render,
    replay,
    runner,
    screen,
    slides,
    tracking,
    train,
    widgets,
)
from dqn_helpers.device import pick_device
from dqn_helpers.display import show_source
from dqn_helpers.env import (
    Episode,
    evaluate_policy,
    make_env,
    play_episode,
    random_baseline,
    random_policy,
    run_episode,
)
from dqn_helpers.errors import (
    DQNHelpersError,
    InvalidActionError,
    RenderModeError,
    UnknownEnvironmentError,
)
from dqn_helpers.plots import show_frame
from dqn_helpers.quick import QUICK_ENV_VAR, announce_mode, budget, is_quick
from dqn_helpers.quiz import Quiz
from dqn_helpers.seeding import seed_everything
from dqn_helpers.video import record_video, save_mp4, show_video

__version__ = "0.1.0"

__all__ = [
    "DQNHelpersError",
    "Episode",
    "InvalidActionError",
    "QUICK_ENV_VAR",
    "Quiz",
    "RenderModeError",
    "UnknownEnvironmentError",
    "announce_mode",
    "checkpoint",
    "presets",
    "runner",
    "slides",
    "tracking",
    "budget",
    "evaluate_policy",
    "is_quick",
    "make_env",
    "model",
    "pick_device",
    "pixels",
    "plots",
    "policy",
    "render",
    "replay",
    "screen",
    "show_source",
    "train",
    "widgets",
    "play_episode",
    "random_baseline",
    "random_policy",
    "record_video",
    "run_episode",
    "save_mp4",
    "seed_everything",
    "show_frame",
    "show_video",
]
