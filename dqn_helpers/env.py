"""Making CartPole with gymnasium, and running a policy in it for whole episodes.

The slides use the old ``gym`` package (``done`` from a 4-tuple ``step``, ``render(mode=...)``).
Everything here is gymnasium's API: ``reset`` returns ``(observation, info)``, ``step`` returns
``(observation, reward, terminated, truncated, info)`` and the render mode is fixed at ``make``.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
from tqdm.auto import tqdm

from dqn_helpers.errors import InvalidActionError, RenderModeError, UnknownEnvironmentError
from dqn_helpers.i18n import _, alternatives

Policy = Callable[[Any], Any]
"""A policy maps an observation to an action (for CartPole: 0 = push left, 1 = push right)."""

RENDER_MODES = (None, "rgb_array", "human")


def make_env(
    env_id: str = "CartPole-v1", render_mode: str | None = "rgb_array", **kwargs: Any
) -> gym.Env:
    """``gym.make`` with clear errors for a mistyped id or render mode.

    ``render_mode="rgb_array"`` (the default) draws each frame off-screen into a NumPy array,
    so no display, X server or ``xvfb`` is needed: this works on Colab and on servers as is.
    """
    if render_mode not in RENDER_MODES:
        raise RenderModeError(
            _("render_mode={render_mode!r} is not one of {modes}: use 'rgb_array' to get frames as arrays (no "
              "screen needed), 'human' to open a window, or None for no frames.").format(
                render_mode=render_mode, modes=RENDER_MODES)
        )
    try:
        with warnings.catch_warnings():
            # The course uses CartPole-v0 on purpose (the slides' environment).
            warnings.filterwarnings("ignore", message=".*is out of date", category=DeprecationWarning)
            return gym.make(env_id, render_mode=render_mode, **kwargs)
    except gym.error.UnregisteredEnv as error:
        known = sorted(name for name in gym.registry if "/" not in name)  # skip jax variants
        close = difflib.get_close_matches(env_id, known, n=3, cutoff=0.6)
        sentences = [_("Unknown environment id {env_id!r}.").format(env_id=env_id)]
        if close:
            sentences.append(_("Did you mean {candidates}?").format(candidates=alternatives(repr(c) for c in close)))
        sentences.append(_("This course uses 'CartPole-v0' (episodes end at 200 steps) and 'CartPole-v1' (500 steps)."))
        raise UnknownEnvironmentError(" ".join(sentences)) from error


def require_cartpole(env: gym.Env, pipeline: str) -> None:
    """Refuse an environment the course's pixel pipelines cannot draw (they draw CartPole only).

    ``pipeline`` names the caller in the message: mark it ``N_("...")`` so that it is translated here.
    """
    from gymnasium.envs.classic_control.cartpole import CartPoleEnv

    if not isinstance(env.unwrapped, CartPoleEnv):
        name = env.spec.id if env.spec is not None else type(env.unwrapped).__name__
        raise UnknownEnvironmentError(
            _("{pipeline} draws CartPole's cart and pole only, so it cannot show {name}: the agent would see a "
              "picture of nothing. Use CartPole-v0 or CartPole-v1.").format(pipeline=_(pipeline), name=name)
        )


@dataclass
class Episode:
    """What happened in one episode."""

    length: int
    total_reward: float
    terminated: bool
    truncated: bool
    frames: list[np.ndarray] = field(default_factory=list, repr=False)


def check_action(env: gym.Env, action: Any) -> None:
    """Raise ``InvalidActionError`` naming the action and the valid ones, if ``action`` is bad."""
    if env.action_space.contains(action):
        return
    sentences = [_("The policy returned {action!r} (type {kind}), which is not in the action space {space}.").format(
        action=action, kind=type(action).__name__, space=env.action_space)]
    elements = action.numel() if callable(getattr(action, "numel", None)) else getattr(action, "size", 1)
    value = action.item() if hasattr(action, "item") and elements == 1 else action
    if isinstance(env.action_space, gym.spaces.Discrete):
        start, n = int(env.action_space.start), int(env.action_space.n)
        if env.spec is not None and env.spec.id.startswith("CartPole"):
            valid = _("Valid actions are the integers {first}..{last} (0 = push the cart left, 1 = push it right).")
        else:
            valid = _("Valid actions are the integers {first}..{last}.")
        sentences.append(valid.format(first=start, last=start + n - 1))
    if isinstance(value, float) and value.is_integer():
        sentences.append(_("Actions are integers: return int({value:g}), e.g. `int(action)`.").format(value=value))
    elif hasattr(action, "item") and getattr(action, "ndim", None) is not None:
        sentences.append(_("If it is a one-element tensor or array, return `action.item()` instead."))
    raise InvalidActionError(" ".join(sentences))


def run_episode(
    env: gym.Env,
    policy: Policy,
    seed: int | None = None,
    record: bool = False,
    max_steps: int | None = None,
) -> Episode:
    """Play one episode with ``policy``; with ``record=True`` keep every rendered frame.

    The episode ends when the pole falls or the cart leaves the track (``terminated``), when
    the time limit is reached (``truncated``), or after ``max_steps`` steps if given.
    """
    if record and env.render_mode != "rgb_array":
        raise RenderModeError(
            _("record=True needs frames, but this environment was made with render_mode={render_mode!r}. Make it "
              "with render_mode='rgb_array'.").format(render_mode=env.render_mode)
        )
    observation, _info = env.reset(seed=seed)
    frames = [env.render()] if record else []
    length, total_reward = 0, 0.0
    terminated = truncated = False
    while not (terminated or truncated):
        if max_steps is not None and length >= max_steps:
            break
        action = policy(observation)
        check_action(env, action)
        observation, reward, terminated, truncated, _info = env.step(action)
        length += 1
        total_reward += float(reward)
        if record:
            frames.append(env.render())
    return Episode(length, total_reward, bool(terminated), bool(truncated), frames)


def play_episode(env: gym.Env, policy: Policy, seed: int | None = None) -> int:
    """Reference answer to lesson 01's first exercise: the number of steps one episode lasts."""
    return run_episode(env, policy, seed=seed).length


def random_policy(env: gym.Env, seed: int | None = None) -> Policy:
    """A policy that ignores the observation and samples uniformly from the action space."""
    if seed is not None:
        env.action_space.seed(seed)
    return lambda observation: env.action_space.sample()


def evaluate_policy(
    env: gym.Env, policy: Policy, n_episodes: int, seed: int | None = None, progress: bool = False
) -> list[float]:
    """Total reward of each of ``n_episodes`` episodes; episode ``i`` is seeded ``seed + i``
    (``progress``: show a progress bar over the episodes)."""
    if n_episodes < 1:
        raise ValueError(_("n_episodes must be at least 1, got {n_episodes}.").format(n_episodes=n_episodes))
    episodes = tqdm(range(n_episodes), unit=_("episode"), desc=_("greedy episodes"), disable=not progress,
                    leave=False)
    return [run_episode(env, policy, seed=None if seed is None else seed + i).total_reward for i in episodes]


def random_baseline(env: gym.Env, n_episodes: int, seed: int | None = None) -> float:
    """Reference answer to lesson 01's second exercise: a random policy's mean episode length.

    In CartPole every step earns reward 1, so total reward and episode length are the same.
    """
    return float(np.mean(evaluate_policy(env, random_policy(env, seed), n_episodes, seed)))
