"""Greedy evaluation side by side: the same episodes, seeds and lengths as one episode at a time."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from dqn_helpers.checkpoint import SHIPPED_POLICY, load_policy
from dqn_helpers.evaluation import greedy_lengths
from dqn_helpers.loop import CONFIRM_SEED_OFFSET
from dqn_helpers.recipe import RecipeConfig


def one_by_one(env, choose, seeds):
    """The plain loop: one episode, one observation, one forward pass at a time."""
    lengths = []
    for seed in seeds:
        observation, _ = env.reset(seed=seed)
        length, done = 0, False
        while not done:
            observation, _, terminated, truncated, _ = env.step(int(choose([observation])[0]))
            length, done = length + 1, terminated or truncated
        lengths.append(length)
    return lengths


def network_policy(network):
    def choose(observations):
        with torch.no_grad():
            return network(torch.from_numpy(np.stack(observations))).argmax(dim=1).tolist()
    return choose


@pytest.mark.parametrize("n_envs", [1, 4, 12])
def test_the_shipped_network_plays_the_same_episodes_side_by_side(n_envs):
    """Episodes of very different lengths (some 500): a finished env takes the next pending seed."""
    network, config = load_policy(SHIPPED_POLICY)
    seeds = [CONFIRM_SEED_OFFSET + i for i in range(12)]
    expected = one_by_one(config.make_env(), network_policy(network), seeds)
    batched = greedy_lengths([config.make_env() for _ in range(n_envs)], network_policy(network), seeds)
    assert batched == expected
    assert max(expected) == 500  # the comparison covers long, truncated episodes


def test_an_untrained_network_fails_the_same_episodes_side_by_side():
    config = RecipeConfig(env_id="CartPole-v0", hidden=32, device="cpu", seed=5)
    trainer = config.build()
    seeds = list(range(100, 130))
    expected = one_by_one(config.make_env(), lambda observations: [trainer.agent.greedy(observations[0])], seeds)
    assert trainer.evaluate(30, seed_offset=100) == expected
    assert len(trainer.eval_envs) == 30
    assert len(set(expected)) > 1  # different seeds, different episodes


def test_side_by_side_costs_far_less_per_step_than_one_by_one():
    """Timed on the same machine in the same test, alternately, twice each, comparing the faster
    of each: a burst of load from a neighbouring test slows one timing, not both of a kind. The
    time is this process's CPU time on one torch thread: a neighbour that takes the cores (CI runs
    two tests at once on two cores) delays both ways alike, without changing the work each does."""
    network, config = load_policy(SHIPPED_POLICY)
    trainer = config.build()
    trainer.agent.online.load_state_dict(network.state_dict())
    seeds = [CONFIRM_SEED_OFFSET + i for i in range(10)]
    side_by_side, one_at_a_time = [], []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for _ in range(2):
            start = time.process_time()
            lengths = trainer.evaluate(100, seed_offset=CONFIRM_SEED_OFFSET)
            side_by_side.append((time.process_time() - start) / sum(lengths))
            assert sum(lengths) > 40_000  # a solved network: mostly 500-step episodes
            start = time.process_time()
            alone = one_by_one(trainer.eval_env, lambda observations: [trainer.agent.greedy(observations[0])], seeds)
            one_at_a_time.append((time.process_time() - start) / sum(alone))
    finally:
        torch.set_num_threads(threads)
    assert min(one_at_a_time) > 1.5 * min(side_by_side), (
        f"{min(side_by_side) * 1e6:.0f} µs per step side by side, {min(one_at_a_time) * 1e6:.0f} µs one by one")


def test_no_episodes_no_lengths_and_fewer_episodes_than_envs():
    network, config = load_policy(SHIPPED_POLICY)
    envs = [config.make_env() for _ in range(5)]
    assert greedy_lengths(envs, network_policy(network), []) == []
    assert len(greedy_lengths(envs, network_policy(network), [7, 8])) == 2


def test_the_shipped_network_balances_on_gymnasiums_own_frames():
    """Trained on the fast renderer's frames, it must also balance seeing pygame's (shrunk) frames."""
    from dataclasses import replace

    network, config = load_policy(SHIPPED_POLICY)
    pygame_config = replace(config, renderer="gymnasium")
    seeds = [7_000 + i for i in range(30)]
    lengths = greedy_lengths([pygame_config.make_env() for _ in range(30)], network_policy(network), seeds)
    assert sum(lengths) / len(lengths) >= 475, lengths
