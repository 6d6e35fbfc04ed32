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
from dqn_helpers.i18n import _


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
            raise Mistake(_("env.step() was called before env.reset()."),
                          hint=_("start every episode with `observation, info = env.reset(seed=seed)`."))
        if self.ended is not None:
            raise Mistake(
                _("env.step() was called after the episode had ended ({ended}).").format(ended=self.ended),
                hint=_("leave the loop as soon as `terminated or truncated` is True (both end an "
                       "episode: the pole fell, or the time limit was reached)."),
            )
        if not self.env.action_space.contains(action):
            raise Mistake(_("env.step() was given {action!r} ({kind}), not an action.")
                          .format(action=action, kind=type(action).__name__),
                          hint=_("pass the policy's action straight on: env.step(policy(observation))."))
        self.actions.append(int(action))
        self.leans_right.append(bool(self.observation[2] > 0))
        result = self.env.step(action)
        self.observation = result[0]
        self.steps += 1
        terminated, truncated = result[2], result[3]
        if terminated or truncated:
            self.ended = _("{flag}=True at step {step}").format(
                flag="terminated" if terminated else "truncated", step=self.steps)
            self.lengths.append(self.steps)
        return result


class _WatchedPolicy:
    """Counts calls, and checks that each call gets the environment's latest observation."""

    def __init__(self, policy: Callable[[np.ndarray], int], env: _EpisodeRecorder) -> None:
        self.policy, self.env, self.calls = policy, env, 0

    def __call__(self, observation: Any = None, *extra: Any) -> int:
        self.calls += 1
        if self.env.ended == "never reset":
            raise Mistake(_("play_episode never used the environment it was given (it was never reset)."),
                          hint=_("reset and step the `env` argument: `observation, info = env.reset(seed=seed)`; "
                                 "do not make a new environment inside the function."))
        if extra or not isinstance(observation, np.ndarray) or observation.shape != (4,):
            shown = type(observation).__name__
            if isinstance(observation, tuple):
                shown = _("{kind} of length {length}").format(kind=shown, length=len(observation))
            if extra:
                shown = _("{what} and more arguments").format(what=shown)
            pair = isinstance(observation, tuple) and len(observation) == 2
            raise Mistake(
                _("the policy was called with {what}, not with the observation.").format(what=shown),
                hint=_("env.reset() returns a pair: `observation, info = env.reset(seed=seed)`; "
                       "then call `policy(observation)` with that observation alone.") if pair else
                _("call `policy(observation)` with the observation alone: the array of 4 numbers that "
                  "env.reset() and env.step() give."),
            )
        if self.env.observation is None or not np.array_equal(observation, self.env.observation):
            raise Mistake(
                _("the policy was given an old observation, not the latest one."),
                hint=_("after each step keep the new observation: "
                       "`observation, reward, terminated, truncated, info = env.step(action)`."),
            )
        return self.policy(observation)


def _as_steps(value: Any, given: str, expected: int) -> int:
    """The returned count, which must be a whole number of the type the lesson promises: an int."""
    if value is None:
        raise Mistake(_("play_episode returned None."), given=given, expected=_("the number of steps, e.g. 23"),
                      got=None, hint=_("end your function with `return steps` (a function without "
                                       "`return` gives back None)."))
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    counted = (isinstance(value, (float, np.floating)) or torch.is_tensor(value) and value.numel() == 1) \
        and float(value) == expected
    raise Mistake(
        _("play_episode should return the number of steps as an int."),
        given=given, expected=f"{expected} (int)", got=f"{value!r} ({type(value).__name__})"[:80],
        hint=_("your number is right but it is not an int: a sum of the rewards (1.0 per step) is a float. "
               "Count the steps instead (steps += 1 after each env.step), or return int(...).") if counted else
        _("count the steps in a variable (steps += 1 after each env.step) and return it."),
    )


@checker("play_episode", play_episode, "dqn_helpers.env.play_episode", delegates=(play_episode, run_episode))
def check_play_episode(student: Callable[..., int]) -> str:
    """Check lesson 01's episode loop against ``dqn_helpers.env.play_episode``."""
    probes = [
        ("CartPole-v0", _balancing_policy, 0, _("a balancing policy that lasts until v0's 200-step limit")),
        ("CartPole-v1", lambda observation: 0, 1, _("a policy that always pushes left")),
        ("CartPole-v1", _lean_policy, 2, _("a policy that pushes towards the lean")),
        ("CartPole-v1", _balancing_policy, 4, _("a balancing policy that lasts until v1's 500-step limit")),
        ("CartPole-v1", _lean_policy, 7, _("a policy that pushes towards the lean")),
    ]
    for env_id, policy, seed, description in probes:
        given = f"play_episode(gym.make({env_id!r}), <{description}>, seed={seed})"
        expected = play_episode(make_env(env_id, render_mode=None), policy, seed=seed)
        env = _EpisodeRecorder(make_env(env_id, render_mode=None))
        watched = _WatchedPolicy(policy, env)
        got = _as_steps(call(student, env, watched, seed=seed, given=given), given, expected)
        if env.ended == "never reset" and env.steps == 0:
            raise Mistake(_("play_episode never used the environment it was given."), given=given,
                          hint=_("reset and step the `env` argument: `observation, info = env.reset(seed=seed)`."))
        if watched.calls == 0:
            raise Mistake(_("the policy was never called."), given=given,
                          hint=_("choose each action with `action = policy(observation)`."))
        played = env.lengths[0] if env.lengths else env.steps
        if watched.calls != len(env.actions):
            raise Mistake(
                _("the policy was called {calls} times for {steps} steps.").format(
                    calls=watched.calls, steps=len(env.actions)),
                given=given,
                hint=_("call the policy once per step, on the latest observation, and pass its "
                       "action to env.step(action)."),
            )
        if not env.lengths:
            raise Mistake(_("the loop stopped before the episode ended."), given=given,
                          expected=_("{count} steps").format(count=expected),
                          got=_("stopped after {count} steps").format(count=env.steps),
                          hint=_("keep stepping until `terminated or truncated` is True; do not stop "
                                 "after a fixed number of steps."))
        if played != expected or len(env.lengths) > 1:
            raise Mistake(
                _("the episode did not unfold as with the reference loop."), given=given,
                expected=_("one episode of {count} steps").format(count=expected),
                got=_("episodes of {lengths} steps").format(lengths=env.lengths),
                hint=_("reset once, before the loop, with the seed you were given: env.reset(seed=seed).")
                if env.resets > 1 or len(env.lengths) > 1 else
                _("reset with the seed you were given: env.reset(seed=seed).") if env.seeds != [seed] else None,
            )
        if got in (expected - 1, expected + 1):
            raise Mistake(_("off by one: the episode lasted {expected} steps and you returned {got}.")
                          .format(expected=expected, got=got),
                          given=given, expected=expected, got=got,
                          hint=_("count every call to env.step, the last one included, and nothing else."))
        if got != expected:
            raise Mistake(_("the returned number is not the number of steps played."), given=given,
                          expected=expected, got=got)
    return _("all 5 episodes match the reference (both time limits, termination, seeding).")


def _as_mean(value: Any, given: str) -> float:
    if value is None:
        raise Mistake(_("random_baseline returned None."), given=given, expected=_("a float such as 22.4"),
                      got=None, hint=_("end your function with `return` and the mean."))
    if isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
        raise Mistake(_("random_baseline should return one number, the mean episode length."),
                      given=given, expected=_("a float such as 22.4"),
                      got=_("a {kind} of {count} values").format(kind=type(value).__name__, count=len(value)),
                      hint=_("return the mean of the episode lengths, e.g. np.mean(lengths)."))
    if isinstance(value, (bool, str, bytes)) or not hasattr(value, "__float__"):
        raise Mistake(_("random_baseline should return a number."), given=given,
                      expected=_("a float such as 22.4"), got=f"{value!r} ({type(value).__name__})")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Mistake(_("random_baseline should return a number."), given=given,
                      expected=_("a float such as 22.4"), got=repr(value)) from None


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
            raise Mistake(_("it ran {count} complete episodes instead of {n_episodes}.")
                          .format(count=len(lengths), n_episodes=n_episodes),
                          given=given, expected=_("{count} episodes").format(count=n_episodes), got=f"{len(lengths)}",
                          hint=_("loop `for episode in range(n_episodes)` and play each to its end."))
        if env.ended is None:
            raise Mistake(_("the last episode was left unfinished."), given=given,
                          hint=_("play every episode until `terminated or truncated`."))
        mean, total = float(np.mean(lengths)), float(np.sum(lengths))
        # a mean computed in float32 differs from the float64 one in the 7th or 8th digit: the same answer
        if not math.isclose(value, mean, rel_tol=FLOAT32_ROUNDING):
            if n_episodes > 1 and math.isclose(value, total):
                hint = _("you returned the total number of steps: divide by the number of episodes.")
            elif math.isclose(value, total // n_episodes) and not math.isclose(mean, total // n_episodes):
                hint = _("your value is the mean rounded down to a whole number: keep the fraction "
                         "(divide with /, or use np.mean).")
            elif math.isclose(value, total / (n_episodes + 1)) or (
                n_episodes > 1 and math.isclose(value, total / (n_episodes - 1))
            ):
                hint = _("divide the total by the number of episodes played, n_episodes.")
            elif any(math.isclose(value, f(lengths)) for f in (np.median, max, min, lambda x: x[-1])):
                hint = _("return the mean of the lengths (np.mean), not one of them or their median.")
            else:
                hint = None
            raise Mistake(_("the returned value is not the mean length of the episodes played."),
                          given=given, expected=mean, got=value, hint=hint)
        pushes_right = float(np.mean(env.actions))
        follows_lean = float(np.mean(np.equal(env.actions, env.leans_right)))
        if n_episodes > 10 and not (0.4 <= pushes_right <= 0.6 and 0.4 <= follows_lean <= 0.6):
            raise Mistake(
                _("the actions were not random: they depend on the observation or favour a side."),
                given=given, expected=_("about 50% right pushes, half of them towards the lean"),
                got=_("{right:.0%} right pushes, {lean:.0%} towards the lean").format(
                    right=pushes_right, lean=follows_lean),
                hint=_("use the random policy `lambda observation: env.action_space.sample()`."))
    return _("whole episodes, random actions, and the mean of their lengths.")
