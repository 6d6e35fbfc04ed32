"""Greedy evaluation of many episodes side by side: one forward pass per step for all of them.

A 100-episode evaluation played one episode at a time costs 100 x 500 forward passes of a
batch of one on CartPole-v1; played side by side it costs about 500 passes of a batch of up to
100, and the network's cost per observation falls with the batch. Episode ``i`` is still its
own environment reset with ``seeds[i]``, so the episodes (and their lengths) are exactly those
of a one-by-one evaluation: ``tests/test_evaluation.py`` compares the two.

gymnasium's vector environments reset a finished sub-environment by themselves, with a seed
of their choosing; an evaluation wants each episode's seed named, so this keeps a plain list of
environments and starts the next pending episode on whichever one finishes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
from tqdm.auto import tqdm

from dqn_helpers.i18n import _

ChooseActions = Callable[[list[Any]], Sequence[int]]


class EvaluationStopped(Exception):  # noqa: N818 - a request, not an error
    """An evaluation was asked to stop (Ctrl-C, SIGTERM): its episodes so far are dropped."""


def greedy_lengths(envs: Sequence[gym.Env], choose_actions: ChooseActions, seeds: Sequence[int],
                   progress: str | None = None, stop: Callable[[], bool] | None = None) -> list[int]:
    """The length of episode ``i`` (reset with ``seeds[i]``) for every seed, ``len(envs)`` at a time.

    ``choose_actions`` gets the observations of all running episodes in one list and returns
    one action for each, in order. ``progress``: a progress bar over the episodes, with this name.
    ``stop`` is asked before every step: when it says True, ``EvaluationStopped`` is raised, so a
    long evaluation never keeps a Ctrl-C waiting.
    """
    with tqdm(total=len(seeds), desc=progress, unit=_("episode"), disable=progress is None, leave=False) as bar:
        return _play(envs, choose_actions, seeds, bar, stop)


def _play(envs: Sequence[gym.Env], choose_actions: ChooseActions, seeds: Sequence[int], bar: tqdm,
          stop: Callable[[], bool] | None = None) -> list[int]:
    lengths = [0] * len(seeds)
    pending = iter(range(len(seeds)))
    running: dict[int, tuple[gym.Env, Any]] = {}
    for env, episode in zip(envs, pending, strict=False):  # stops when envs run out, leaving the rest pending
        running[episode] = (env, env.reset(seed=seeds[episode])[0])
    while running:
        if stop is not None and stop():
            raise EvaluationStopped
        episodes = list(running)
        actions = choose_actions([running[episode][1] for episode in episodes])
        for episode, action in zip(episodes, actions, strict=True):
            env = running[episode][0]
            observation, _, terminated, truncated, _ = env.step(int(action))
            lengths[episode] += 1
            running[episode] = (env, observation)
            if terminated or truncated:
                bar.update()
                del running[episode]
                follower = next(pending, None)
                if follower is not None:
                    running[follower] = (env, env.reset(seed=seeds[follower])[0])
    return lengths
