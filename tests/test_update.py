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


def test_n_step_returns_agree_with_what_the_frame_replay_samples():
    """Lesson 08's exercise and the recipe's replay compute the same n-step targets (frames stand for states)."""
    import numpy as np

    from dqn_helpers.replay import FrameReplay
    from dqn_helpers.update import n_step_returns

    rng = np.random.default_rng(0)
    episodes = [7, 3, 9, 5]  # lengths; every episode ends by termination but the last, cut by the stream's end
    rewards, terminated = [], []
    buffer = FrameReplay(200, (1, 1), stack=1, seed=0)
    frame = 0
    for index, length in enumerate(episodes):
        buffer.start(np.full((1, 1), frame, dtype=np.uint8))
        for step in range(length):
            frame += 1
            reward = float(rng.integers(1, 5))
            done = step == length - 1 and index < len(episodes) - 1
            buffer.add(0, reward, np.full((1, 1), frame, dtype=np.uint8), done)
            rewards.append(reward)
            terminated.append(done)
        frame += 1  # the next episode's first frame
    # the value of a state is its frame number: next_values[t] is the frame after step t
    frames_after = [int(buffer.frames[(slot + 1) % buffer.capacity, 0, 0])
                    for slot in np.flatnonzero(buffer.has_next)]
    for n in (1, 3, 5):
        expected = n_step_returns(rewards, terminated, [float(f) for f in frames_after], 0.9, n)
        slots, seen = np.flatnonzero(buffer.has_next), set()
        for _ in range(30):
            batch = buffer.sample(len(rewards), gamma=0.9, n_step=n)
            got = batch.rewards + np.where(batch.non_final, batch.discounts * batch.next_states[:, 0, 0, 0], 0.0)
            for i, f in enumerate(batch.states[:, 0, 0, 0].astype(int)):
                t = int(np.flatnonzero(buffer.frames[slots, 0, 0] == f)[0])
                assert got[i] == pytest.approx(expected[t], rel=1e-5), (n, t)
                seen.add(t)
        assert len(seen) == len(rewards)  # every step was compared
