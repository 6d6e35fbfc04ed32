"""CartPole that observes pixels: the recipe's observation pipeline as gymnasium wrappers."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.wrappers import FrameStackObservation

from dqn_helpers.env import make_env, require_cartpole
from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.i18n import N_, _
from dqn_helpers.render import CartPoleDrawer
from dqn_helpers.screen import FRAME_SIZE, gray_frame

RENDERERS = ("fast", "gymnasium")


class PixelObservation(gym.ObservationWrapper):
    """Replace CartPole's state vector with a small grayscale picture of the scene.

    ``renderer="gymnasium"`` renders the 400x600 frame with pygame and shrinks it;
    ``renderer="fast"`` draws the same scene directly at the small size (see ``render.py``).
    Either way the agent sees pixels only; the state vector is used to *draw*, as pygame does.
    """

    def __init__(self, env: gym.Env, size: tuple[int, int] = FRAME_SIZE, renderer: str = "fast") -> None:
        super().__init__(env)
        require_cartpole(env, N_("the pixel pipeline"))
        if len(tuple(size)) != 2 or not all(isinstance(n, int | np.integer) and n >= 1 for n in size):
            raise DQNHelpersError(_("size must be (height, width), two positive integers, got {size!r}").format(
                size=size))
        if renderer not in RENDERERS:
            raise DQNHelpersError(_("renderer must be one of {renderers}, got {renderer!r}").format(
                renderers=RENDERERS, renderer=renderer))
        if renderer == "gymnasium" and env.render_mode != "rgb_array":
            raise DQNHelpersError(_("renderer='gymnasium' needs an env made with render_mode='rgb_array'"))
        self.size, self.renderer = tuple(size), renderer
        self._drawer = CartPoleDrawer(self.size) if renderer == "fast" else None
        self.observation_space = gym.spaces.Box(0, 255, self.size, dtype=np.uint8)

    def observation(self, observation: Any) -> np.ndarray:
        if self._drawer is None:
            return gray_frame(self.env.render(), self.size)
        cart_x, _, pole_angle, _ = self.env.unwrapped.state
        return self._drawer.draw(float(cart_x), float(pole_angle))


def make_pixel_env(
    env_id: str = "CartPole-v1", size: tuple[int, int] = FRAME_SIZE, stack: int = 4,
    renderer: str = "fast",
) -> gym.Env:
    """CartPole whose observations are the last ``stack`` frames, shape (stack, H, W), uint8.

    Made with ``render_mode="rgb_array"``, so ``env.render()`` still gives full frames for videos.
    """
    env = PixelObservation(make_env(env_id, render_mode="rgb_array"), size, renderer)
    return FrameStackObservation(env, stack, padding_type="reset")


def push_frame(stack: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """The next stacked observation: drop the oldest frame (first), add ``frame`` last.

    What ``FrameStackObservation`` does at every step (lesson 07's exercise). ``stack`` is left
    as it is: the replay memory may still hold it."""
    return np.concatenate([stack[1:], frame[None]], axis=0)
