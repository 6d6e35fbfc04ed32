"""ε schedules and ε-greedy action selection."""

import math
import random
from collections import Counter

import pytest
import torch
from torch import nn

from dqn_helpers.policy import ExponentialEpsilon, LinearEpsilon, greedy_action, select_action


def test_exponential_schedule_is_the_slides():
    eps = ExponentialEpsilon()
    assert eps(0) == pytest.approx(0.9)
    assert eps(200) == pytest.approx(0.05 + 0.85 / math.e)
    assert eps(10_000) == pytest.approx(0.05)


def test_linear_schedule_reaches_its_end_and_stays():
    eps = LinearEpsilon(1.0, 0.1, 1000)
    assert [eps(s) for s in (0, 500, 1000, 5000)] == pytest.approx([1.0, 0.55, 0.1, 0.1])


class Fixed(nn.Module):
    def __init__(self, values):
        super().__init__()
        self.values = torch.tensor([values])

    def forward(self, x):
        return self.values.expand(x.shape[0], -1)


def test_greedy_picks_the_argmax():
    assert greedy_action(Fixed([0.1, 0.7, -2.0]), torch.zeros(1, 1)) == 1


def test_select_action_explores_at_rate_epsilon():
    rng = random.Random(0)
    picks = Counter(select_action(Fixed([0.0, 1.0]), torch.zeros(1, 1), 0.4, 2, rng) for _ in range(5000))
    assert picks[0] / 5000 == pytest.approx(0.2, abs=0.02)  # half the random draws land on 0
