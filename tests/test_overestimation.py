"""lesson 08's over-estimation measurement: predicted Q(s, a) against the discounted return really collected."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dqn_helpers.overestimation import HORIZON, discounted_returns, predicted_and_actual, track_values
from dqn_helpers.recipe import RecipeConfig


def test_discounted_returns_count_backwards_from_the_end():
    assert discounted_returns([1.0, 1.0, 1.0], 0.5).tolist() == [1.75, 1.5, 1.0]
    assert discounted_returns([], 0.9).tolist() == []


def test_a_network_predicting_a_constant_is_compared_with_the_returns_its_policy_gets():
    agent = RecipeConfig(observation="state", hidden=8, device="cpu").build().agent
    with torch.no_grad():  # Q(s, ·) = (3, 7) for every state: always push right, predicted value 7
        for layer in agent.online.layers[:-1]:
            for p in layer.parameters():
                p.zero_()
        agent.online.layers[-1].weight.zero_()
        agent.online.layers[-1].bias.copy_(torch.tensor([3.0, 7.0]))
    predicted, actual = predicted_and_actual(agent, "CartPole-v1", 0.99, range(3))
    assert predicted == pytest.approx(7.0)
    # always pushing right drops the pole within a few dozen steps: every return is a short geometric sum
    assert 0 < actual < discounted_returns([1.0] * 60, 0.99)[0]
    assert HORIZON == 500


def test_tracking_trains_and_measures_at_each_checkpoint_and_refuses_pixels():
    config = RecipeConfig(observation="state", total_steps=600, learning_starts=100, eval_every=0, hidden=16,
                          steps_after_solved=None, device="cpu")
    checks = track_values(config, every=200, episodes=2, progress=False)
    assert [c.step for c in checks] == [200, 400, 600]
    assert all(np.isfinite(c.predicted) and c.actual > 0 for c in checks)
    with pytest.raises(ValueError, match="state"):
        track_values(RecipeConfig(device="cpu"), every=100)


def test_torch_threads_sets_and_restores_the_number_even_after_an_error():
    from dqn_helpers.device import torch_threads

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), torch_threads(1):
        assert torch.get_num_threads() == 1
        raise RuntimeError("inside")
    assert torch.get_num_threads() == before
