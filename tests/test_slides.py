"""The slides' loop, kept as taught: its state, its memory bill, its target schedule."""

from __future__ import annotations

import torch

from dqn_helpers.checkpoint import load_run, save_run
from dqn_helpers.replay import Transition
from dqn_helpers.slides import SlidesConfig, make_slides_env, slides_loss


def test_slides_loop_stores_screen_differences_and_none_at_episode_ends():
    trainer = SlidesConfig(num_episodes=3, device="cpu").build()
    assert trainer.run()
    assert trainer.episode_count == 3
    memory = list(trainer.agent.memory.memory)
    assert len(memory) == trainer.step_count == sum(e.length for e in trainer.history.episodes)
    assert memory[0].state.shape == (1, 3, 40, 90) and memory[0].state.dtype == torch.float32
    assert sum(t.next_state is None for t in memory) == 3  # one per episode end
    # the next state is the next transition's state: one float32 3x40x90 screen (43,200 B) per
    # transition, plus the final screens and the small action and reward tensors
    assert 43_200 <= trainer.agent.memory.bytes_per_transition < 43_200 * 1.2
    assert len(trainer.history.losses) == max(0, trainer.step_count - 128 + 1)


def test_slides_target_is_copied_after_episode_0_then_every_10th():
    trainer = SlidesConfig(num_episodes=2, device="cpu").build()
    trainer.run(until_step=10_000)
    copied = {k: v.clone() for k, v in trainer.agent.target.state_dict().items()}
    online = trainer.agent.online.state_dict()
    # copied after episode 0, not after episode 1: the target lags the online network
    assert any(not torch.equal(copied[k], online[k]) for k in copied if "running" not in k)


def test_slides_run_resumes_to_the_same_result(tmp_path):
    config = SlidesConfig(num_episodes=8, device="cpu")
    reference = config.build()
    reference.run()
    trainer = config.build()
    trainer.run(until_step=150)
    save_run(trainer, tmp_path / "run.pt")
    torch.manual_seed(99)
    assert load_run(tmp_path / "run.pt", resumed := config.build()) == []
    resumed.run()
    assert [e.length for e in resumed.history.episodes] == [e.length for e in reference.history.episodes]
    assert resumed.history.losses == reference.history.losses
    assert all(torch.equal(a, b) for a, b in zip(resumed.agent.online.state_dict().values(),
                                                 reference.agent.online.state_dict().values(), strict=True))
    # the saved memory keeps the slides' sharing: a next state is the next transition's state
    memory = list(resumed.agent.memory.memory)
    assert any(a.next_state is b.state for a, b in zip(memory, memory[1:], strict=False))


def test_slides_loss_zeroes_the_future_of_final_transitions():
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(2, 2))
    with torch.no_grad():
        net[1].weight.zero_()
        net[1].bias.copy_(torch.tensor([1.0, 3.0]))  # Q = [1, 3] everywhere
    s = torch.zeros(1, 2)
    batch = [Transition(s, torch.tensor([[0]]), None, torch.tensor([1.0])),
             Transition(s, torch.tensor([[1]]), s, torch.tensor([1.0]))]
    # targets: 1 (final) and 1 + 0.5 * 3 = 2.5; Q(s,a): 1 and 3 -> errors 0 and 0.5 -> Huber (0 + 0.125) / 2
    assert torch.isclose(slides_loss(batch, net, net, 0.5), torch.tensor(0.0625))


def test_the_slides_env_declares_the_shape_of_its_observations():
    env = make_slides_env("CartPole-v0")
    observation, _ = env.reset(seed=0)
    assert env.observation_space.shape == tuple(observation.shape) == (1, 3, 40, 90)
    observation, *_ = env.step(0)
    assert tuple(observation.shape) == env.observation_space.shape
