"""Checkers for lesson 01 (gym basics): the episode loop and the random baseline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from dqn_helpers.checks.core import Mistake, call, checker, expect_equal
from dqn_helpers.env import play_episode, random_baseline


def _lean_policy(observation: np.ndarray) -> int:
    """Push towards the side the pole leans to: falls after a few dozen steps, seed-dependent."""
    return int(observation[2] > 0)


def _balancing_policy(observation: np.ndarray) -> int:
    """A hand-made controller that keeps the pole up until the time limit."""
    return int(observation[2] + 0.5 * observation[3] > 0)


class _EpisodeRecorder(gym.Wrapper):
    """Records episode lengths and actions, and stops a loop that steps past an episode's end."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.lengths: list[int] = []
        self.actions: list[int] = []
        self.leans_right: list[bool] = []
        self.observation: Any = None
        self.steps = 0
        self.ended: str | None = "never reset"

    def reset(self, **kwargs: Any):
        self.steps, self.ended = 0, None
        self.observation, info = self.env.reset(**kwargs)
        return self.observation, info

    def step(self, action: Any):
        if self.ended == "never reset":
            raise Mistake("env.step() was called before env.reset().",
                          hint="start every episode with `observation, info = env.reset(...)`.")
        if self.ended is not None:
            raise Mistake(
                f"env.step() was called after the episode had ended ({self.ended}).",
                hint="leave the loop as soon as `terminated or truncated` is True, and call "
                "env.reset() before stepping a new episode.",
            )
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


class _CountingPolicy:
    def __init__(self, policy: Callable[[np.ndarray], int]) -> None:
        self.policy, self.calls = policy, 0

    def __call__(self, observation: np.ndarray) -> int:
        self.calls += 1
        return self.policy(observation)


def _as_int(value: Any, given: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise Mistake(
            "play_episode should return the number of steps as an int.",
            given=given, expected="an int such as 23", got=f"{value!r} ({type(value).__name__})",
            hint="count the steps in a variable (steps += 1 after each env.step) and return it.",
        )
    return int(value)


@checker("play_episode", play_episode, "dqn_helpers.env.play_episode")
def check_play_episode(student: Callable[..., int]) -> str:
    """Check lesson 01's episode loop against ``dqn_helpers.env.play_episode``."""
    probes = [
        ("CartPole-v0", _balancing_policy, 0, "a balancing policy that survives to the time limit"),
        ("CartPole-v1", lambda observation: 0, 1, "a policy that always pushes left"),
        ("CartPole-v1", _lean_policy, 2, "a policy that pushes towards the lean"),
        ("CartPole-v1", _lean_policy, 7, "a policy that pushes towards the lean"),
    ]
    for env_id, policy, seed, description in probes:
        given = f"play_episode(gym.make({env_id!r}), <{description}>, seed={seed})"
        expected = play_episode(gym.make(env_id), policy, seed=seed)
        env = _EpisodeRecorder(gym.make(env_id))
        counting = _CountingPolicy(policy)
        got = _as_int(call(student, env, counting, seed=seed, given=given), given)
        if env.ended == "never reset":
            raise Mistake("the episode was never started.", given=given,
                          hint="begin with `observation, info = env.reset(seed=seed)`.")
        if counting.calls == 0:
            raise Mistake("the policy was never called.", given=given,
                          hint="choose each action with `action = policy(observation)`.")
        if counting.calls != env.steps:
            raise Mistake(
                f"the policy was called {counting.calls} times for {env.steps} steps.",
                given=given,
                hint="call the policy once per step, on the latest observation, and pass its "
                "action to env.step(action).",
            )
        if env.ended is None and env.steps > 0:
            raise Mistake("the loop stopped before the episode ended.", given=given,
                          expected=f"{expected} steps", got=f"stopped after {env.steps} steps",
                          hint="keep stepping until `terminated or truncated` is True.")
        if env.steps != expected:
            raise Mistake(
                "the episode did not unfold as with the reference loop.", given=given,
                expected=f"{expected} steps", got=f"{env.steps} steps",
                hint="reset with the seed you were given: env.reset(seed=seed).",
            )
        if got == expected - 1:
            raise Mistake("off by one: the episode lasted one step more than you returned.",
                          given=given, expected=expected, got=got,
                          hint="count every call to env.step, including the last one.")
        expect_equal(got, expected, "the returned step count is not the number of steps played.",
                     given=given, hint="return the number of env.step calls in this episode.")
    return "all 4 episodes match the reference (time limit, termination, seeding)."


@checker("random_baseline", random_baseline, "dqn_helpers.env.random_baseline")
def check_random_baseline(student: Callable[..., float]) -> str:
    """Check lesson 01's random baseline: n whole episodes, random actions, their mean length."""
    for n_episodes in (40, 7):
        given = f"random_baseline(gym.make('CartPole-v1'), n_episodes={n_episodes})"
        env = _EpisodeRecorder(gym.make("CartPole-v1"))
        env.action_space.seed(n_episodes)
        got = call(student, env, n_episodes, given=given)
        lengths = env.lengths
        if isinstance(got, (list, tuple, np.ndarray)):
            raise Mistake("random_baseline should return one number, the mean episode length.",
                          given=given, expected="a float such as 22.4",
                          got=f"a {type(got).__name__} of {len(got)} values",
                          hint="return the mean of the episode lengths, e.g. np.mean(lengths).")
        try:
            value = float(got)
        except (TypeError, ValueError):
            raise Mistake("random_baseline should return a number.", given=given,
                          expected="a float such as 22.4", got=repr(got)) from None
        if len(lengths) != n_episodes:
            raise Mistake(f"it ran {len(lengths)} complete episodes instead of {n_episodes}.",
                          given=given, expected=f"{n_episodes} episodes", got=f"{len(lengths)}",
                          hint="loop `for episode in range(n_episodes)` and play each to its end.")
        if env.ended is None:
            raise Mistake("the last episode was left unfinished.", given=given,
                          hint="play every episode until `terminated or truncated`.")
        mean, total = float(np.mean(lengths)), float(np.sum(lengths))
        if value == total and n_episodes > 1:
            raise Mistake("you returned the total number of steps, not the mean.", given=given,
                          expected=mean, got=value, hint="divide by the number of episodes.")
        if not np.isclose(value, mean):
            raise Mistake("the returned value is not the mean length of the episodes played.",
                          given=given, expected=f"{mean:.3f} (mean of {lengths[:5]}...)",
                          got=value, hint="collect each episode's length and return their mean.")
        pushes_right = float(np.mean(env.actions))
        follows_lean = float(np.mean(np.equal(env.actions, env.leans_right)))
        if n_episodes > 10 and not (0.4 <= pushes_right <= 0.6 and 0.4 <= follows_lean <= 0.6):
            raise Mistake(
                "the actions were not random: they depend on the observation or favour a side.",
                given=given, expected="about 50% right pushes, half of them towards the lean",
                got=f"{pushes_right:.0%} right pushes, {follows_lean:.0%} towards the lean",
                hint="use the random policy `lambda observation: env.action_space.sample()`.")
    return "whole episodes, random actions, and the mean of their lengths."
