"""Checkers for lesson 01 (gym basics): the episode loop and the random baseline."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from dqn_helpers.checks.core import Mistake, call, checker
from dqn_helpers.env import make_env, play_episode, random_baseline, run_episode


def _lean_policy(observation: np.ndarray) -> int:
    """Push towards the side the pole leans to: falls after a few dozen steps, seed-dependent."""
    return int(observation[2] > 0)


def _balancing_policy(observation: np.ndarray) -> int:
    """A hand-made controller that keeps the pole up until the time limit."""
    return int(observation[2] + 0.5 * observation[3] > 0)


class _EpisodeRecorder(gym.Wrapper):
    """Records episode lengths, actions and observations; stops a loop that steps past an end."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.lengths: list[int] = []
        self.actions: list[int] = []
        self.leans_right: list[bool] = []
        self.observation: Any = None
        self.steps = 0
        self.resets = 0
        self.seeds: list[Any] = []
        self.ended: str | None = "never reset"

    def reset(self, **kwargs: Any):
        self.steps, self.ended = 0, None
        self.resets += 1
        self.seeds.append(kwargs.get("seed"))
        self.observation, info = self.env.reset(**kwargs)
        return self.observation, info

    def step(self, action: Any):
        if self.ended == "never reset":
            raise Mistake("env.step() was called before env.reset().",
                          hint="start every episode with `observation, info = env.reset(seed=seed)`.")
        if self.ended is not None:
            raise Mistake(
                f"env.step() was called after the episode had ended ({self.ended}).",
                hint="leave the loop as soon as `terminated or truncated` is True (both end an "
                "episode: the pole fell, or the time limit was reached).",
            )
        if not self.env.action_space.contains(action):
            raise Mistake(f"env.step() was given {action!r} ({type(action).__name__}), not an action.",
                          hint="pass the policy's action straight on: env.step(policy(observation)).")
        self.actions.append(int(action))
        self.leans_right.append(bool(self.observation[2] > 0))
        result = self.env.step(action)
        self.observation = result[0]
        self.steps += 1
        _, _, terminated, truncated, _ = result
        if terminated or truncated:
            self.ended = f"{'terminated' if terminated else 'truncated'}=True at step {self.steps}"
            self.lengths.append(self.steps)
        return result


class _WatchedPolicy:
    """Counts calls, and checks that each call gets the environment's latest observation."""

    def __init__(self, policy: Callable[[np.ndarray], int], env: _EpisodeRecorder) -> None:
        self.policy, self.env, self.calls = policy, env, 0

    def __call__(self, observation: Any = None, *extra: Any) -> int:
        self.calls += 1
        if self.env.ended == "never reset":
            raise Mistake("play_episode never used the environment it was given (it was never reset).",
                          hint="reset and step the `env` argument: `observation, info = env.reset(seed=seed)`; "
                               "do not make a new environment inside the function.")
        if extra or not isinstance(observation, np.ndarray) or observation.shape != (4,):
            shown = f"{type(observation).__name__}" + (f" of length {len(observation)}"
                                                       if isinstance(observation, tuple) else "")
            pair = isinstance(observation, tuple) and len(observation) == 2
            raise Mistake(
                f"the policy was called with {shown}{' and more arguments' if extra else ''}, "
                "not with the observation.",
                hint="env.reset() returns a pair: `observation, info = env.reset(seed=seed)`; "
                "then call `policy(observation)` with that observation alone." if pair else
                "call `policy(observation)` with the observation alone: the array of 4 numbers that "
                "env.reset() and env.step() give.",
            )
        if self.env.observation is None or not np.array_equal(observation, self.env.observation):
            raise Mistake(
                "the policy was given an old observation, not the latest one.",
                hint="after each step keep the new observation: "
                "`observation, reward, terminated, truncated, info = env.step(action)`.",
            )
        return self.policy(observation)


def _as_steps(value: Any, given: str, expected: int) -> int:
    """The returned count, which must be a whole number of the type the lesson promises: an int."""
    if value is None:
        raise Mistake("play_episode returned None.", given=given, expected="the number of steps, e.g. 23",
                      got=None, hint="end your function with `return steps` (a function without "
                                     "`return` gives back None).")
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    counted = (isinstance(value, (float, np.floating)) or torch.is_tensor(value) and value.numel() == 1) \
        and float(value) == expected
    raise Mistake(
        "play_episode should return the number of steps as an int.",
        given=given, expected=f"{expected} (int)", got=f"{value!r} ({type(value).__name__})"[:80],
        hint="your number is right but it is not an int: a sum of the rewards (1.0 per step) is a float. "
             "Count the steps instead (steps += 1 after each env.step), or return int(...)." if counted else
             "count the steps in a variable (steps += 1 after each env.step) and return it.",
    )


@checker("play_episode", play_episode, "dqn_helpers.env.play_episode", delegates=(play_episode, run_episode))
def check_play_episode(student: Callable[..., int]) -> str:
    """Check lesson 01's episode loop against ``dqn_helpers.env.play_episode``."""
    probes = [
        ("CartPole-v0", _balancing_policy, 0, "a balancing policy that lasts until v0's 200-step limit"),
        ("CartPole-v1", lambda observation: 0, 1, "a policy that always pushes left"),
        ("CartPole-v1", _lean_policy, 2, "a policy that pushes towards the lean"),
        ("CartPole-v1", _balancing_policy, 4, "a balancing policy that lasts until v1's 500-step limit"),
        ("CartPole-v1", _lean_policy, 7, "a policy that pushes towards the lean"),
    ]
    for env_id, policy, seed, description in probes:
        given = f"play_episode(gym.make({env_id!r}), <{description}>, seed={seed})"
        expected = play_episode(make_env(env_id, render_mode=None), policy, seed=seed)
        env = _EpisodeRecorder(make_env(env_id, render_mode=None))
        watched = _WatchedPolicy(policy, env)
        got = _as_steps(call(student, env, watched, seed=seed, given=given), given, expected)
        if env.ended == "never reset" and env.steps == 0:
            raise Mistake("play_episode never used the environment it was given.", given=given,
                          hint="reset and step the `env` argument: `observation, info = env.reset(seed=seed)`.")
        if watched.calls == 0:
            raise Mistake("the policy was never called.", given=given,
                          hint="choose each action with `action = policy(observation)`.")
        played = env.lengths[0] if env.lengths else env.steps
        if watched.calls != len(env.actions):
            raise Mistake(
                f"the policy was called {watched.calls} times for {len(env.actions)} steps.",
                given=given,
                hint="call the policy once per step, on the latest observation, and pass its "
                "action to env.step(action).",
            )
        if not env.lengths:
            raise Mistake("the loop stopped before the episode ended.", given=given,
                          expected=f"{expected} steps", got=f"stopped after {env.steps} steps",
                          hint="keep stepping until `terminated or truncated` is True; do not stop "
                               "after a fixed number of steps.")
        if played != expected or len(env.lengths) > 1:
            raise Mistake(
                "the episode did not unfold as with the reference loop.", given=given,
                expected=f"one episode of {expected} steps", got=f"episodes of {env.lengths} steps",
                hint="reset once, before the loop, with the seed you were given: env.reset(seed=seed)."
                if env.resets > 1 or len(env.lengths) > 1 else
                "reset with the seed you were given: env.reset(seed=seed)." if env.seeds != [seed] else None,
            )
        if got in (expected - 1, expected + 1):
            raise Mistake(f"off by one: the episode lasted {expected} steps and you returned {got}.",
                          given=given, expected=expected, got=got,
                          hint="count every call to env.step, the last one included, and nothing else.")
        if got != expected:
            raise Mistake("the returned number is not the number of steps played.", given=given,
                          expected=expected, got=got)
    return "all 5 episodes match the reference (both time limits, termination, seeding)."


def _as_mean(value: Any, given: str) -> float:
    if value is None:
        raise Mistake("random_baseline returned None.", given=given, expected="a float such as 22.4",
                      got=None, hint="end your function with `return` and the mean.")
    if isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
        raise Mistake("random_baseline should return one number, the mean episode length.",
                      given=given, expected="a float such as 22.4",
                      got=f"a {type(value).__name__} of {len(value)} values",
                      hint="return the mean of the episode lengths, e.g. np.mean(lengths).")
    if isinstance(value, (bool, str, bytes)) or not hasattr(value, "__float__"):
        raise Mistake("random_baseline should return a number.", given=given,
                      expected="a float such as 22.4", got=f"{value!r} ({type(value).__name__})")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Mistake("random_baseline should return a number.", given=given,
                      expected="a float such as 22.4", got=repr(value)) from None


FLOAT32_ROUNDING = 1e-6
"""Relative tolerance for a mean: float32's rounding (about 6e-8 a step), far below any wrong formula's."""


@checker("random_baseline", random_baseline, "dqn_helpers.env.random_baseline")
def check_random_baseline(student: Callable[..., float]) -> str:
    """Check lesson 01's random baseline: n whole episodes, random actions, their mean length."""
    for env_id, n_episodes in (("CartPole-v1", 40), ("CartPole-v0", 7), ("CartPole-v1", 1)):
        given = f"random_baseline(gym.make({env_id!r}), n_episodes={n_episodes})"
        env = _EpisodeRecorder(make_env(env_id, render_mode=None))
        env.action_space.seed(n_episodes)
        value = _as_mean(call(student, env, n_episodes, given=given), given)
        lengths = env.lengths
        if len(lengths) != n_episodes:
            raise Mistake(f"it ran {len(lengths)} complete episodes instead of {n_episodes}.",
                          given=given, expected=f"{n_episodes} episodes", got=f"{len(lengths)}",
                          hint="loop `for episode in range(n_episodes)` and play each to its end.")
        if env.ended is None:
            raise Mistake("the last episode was left unfinished.", given=given,
                          hint="play every episode until `terminated or truncated`.")
        mean, total = float(np.mean(lengths)), float(np.sum(lengths))
        # a mean computed in float32 differs from the float64 one in the 7th or 8th digit: the same answer
        if not math.isclose(value, mean, rel_tol=FLOAT32_ROUNDING):
            if n_episodes > 1 and math.isclose(value, total):
                hint = "you returned the total number of steps: divide by the number of episodes."
            elif math.isclose(value, total // n_episodes) and not math.isclose(mean, total // n_episodes):
                hint = ("your value is the mean rounded down to a whole number: keep the fraction "
                        "(divide with /, or use np.mean).")
            elif math.isclose(value, total / (n_episodes + 1)) or (
                n_episodes > 1 and math.isclose(value, total / (n_episodes - 1))
            ):
                hint = "divide the total by the number of episodes played, n_episodes."
            elif any(math.isclose(value, f(lengths)) for f in (np.median, max, min, lambda x: x[-1])):
                hint = "return the mean of the lengths (np.mean), not one of them or their median."
            else:
                hint = None
            raise Mistake("the returned value is not the mean length of the episodes played.",
                          given=given, expected=mean, got=value, hint=hint)
        pushes_right = float(np.mean(env.actions))
        follows_lean = float(np.mean(np.equal(env.actions, env.leans_right)))
        if n_episodes > 10 and not (0.4 <= pushes_right <= 0.6 and 0.4 <= follows_lean <= 0.6):
            raise Mistake(
                "the actions were not random: they depend on the observation or favour a side.",
                given=given, expected="about 50% right pushes, half of them towards the lean",
                got=f"{pushes_right:.0%} right pushes, {follows_lean:.0%} towards the lean",
                hint="use the random policy `lambda observation: env.action_space.sample()`.")
    return "whole episodes, random actions, and the mean of their lengths."
