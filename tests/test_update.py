"""The TD target, Double DQN, the losses and target updates."""

import pytest
import torch
from torch import nn

from dqn_helpers.update import gradient_step, next_state_values, td_loss, td_targets, update_target


def test_td_target_zeroes_the_future_only_where_terminated():
    rewards = torch.tensor([1.0, 1.0, 1.0])
    next_q = torch.tensor([10.0, float("nan"), 4.0])  # a final state's value may be anything
    mask = torch.tensor([True, False, True])
    assert torch.equal(td_targets(rewards, next_q, mask, 0.5), torch.tensor([6.0, 1.0, 3.0]))


def test_td_target_takes_per_sample_discounts():
    out = td_targets(torch.ones(2), torch.tensor([2.0, 2.0]), torch.tensor([True, True]), torch.tensor([0.5, 0.25]))
    assert torch.equal(out, torch.tensor([2.0, 1.5]))


class Table(nn.Module):
    def __init__(self, rows):
        super().__init__()
        self.rows = torch.tensor(rows)

    def forward(self, x):
        return self.rows[x.long().flatten()]


def test_double_dqn_evaluates_the_online_choice_with_the_target():
    target = Table([[1.0, 5.0], [3.0, 2.0]])
    online = Table([[9.0, 0.0], [0.0, 9.0]])
    states = torch.tensor([0, 1])
    assert torch.equal(next_state_values(target, states), torch.tensor([5.0, 3.0]))
    assert torch.equal(next_state_values(target, states, online), torch.tensor([1.0, 2.0]))


def test_losses():
    q, y = torch.tensor([0.0, 3.0]), torch.tensor([0.5, 0.0])
    assert td_loss(q, y, "mse").item() == pytest.approx((0.25 + 9) / 2)
    assert td_loss(q, y, "huber").item() == pytest.approx((0.125 + 2.5) / 2)
    with pytest.raises(ValueError, match="huber"):
        td_loss(q, y, "l1")


def test_target_updates_hard_and_soft():
    online, target = nn.Linear(2, 1), nn.Linear(2, 1)
    nn.init.constant_(online.weight, 1.0)
    nn.init.constant_(target.weight, 0.0)
    update_target(target, online, tau=0.25)
    assert torch.allclose(target.weight, torch.full_like(target.weight, 0.25))
    update_target(target, online)
    assert torch.equal(target.weight, online.weight)


def test_gradient_step_clips():
    net = nn.Linear(1, 1, bias=False)
    nn.init.constant_(net.weight, 0.0)
    optimizer = torch.optim.SGD(net.parameters(), lr=1.0)
    loss = (net(torch.tensor([[100.0]])) - 1000.0).pow(2).mean()
    gradient_step(net, optimizer, loss, clip_value=1.0)
    assert net.weight.item() == pytest.approx(1.0)  # the huge gradient was clamped to -1
