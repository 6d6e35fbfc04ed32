"""The recipe's trainer: deterministic on CPU, interruptible, resumable to the same result."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest
import torch

from dqn_helpers.checkpoint import load_policy, load_run, save_policy, save_run
from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.presets import preset
from dqn_helpers.train import TrainConfig, Trainer

# Small but real: learning starts early, target copies, n-step returns and evaluations all happen.
TINY = dict(env_id="CartPole-v1", total_steps=700, learning_starts=200, buffer_size=2_000,
            target_update_every=100, eval_every=300, eval_episodes=2, final_eval_episodes=2,
            eps_decay_steps=500, hidden=32, device="cpu")


def weights(trainer: Trainer) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in trainer.online.state_dict().items()}


def same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def finished_run(**overrides) -> Trainer:
    trainer = Trainer(TrainConfig(**(TINY | overrides)))
    assert trainer.run()
    return trainer


def test_same_seed_same_run_different_seed_different_run():
    first, second, other = finished_run(), finished_run(), finished_run(seed=1)
    assert [e.length for e in first.history.episodes] == [e.length for e in second.history.episodes]
    assert first.history.losses == second.history.losses
    assert same_weights(weights(first), weights(second))
    assert not same_weights(weights(first), weights(other))


def test_learning_actually_changes_the_network_and_copies_the_target():
    trainer = Trainer(TrainConfig(**TINY))
    before = weights(trainer)
    trainer.run()
    assert len(trainer.history.losses) == (700 - 200) // 4 + 1
    assert not same_weights(before, weights(trainer))
    assert [e.step for e in trainer.history.evals] == [300, 600]
    assert trainer.best_state is not None


def test_ctrl_c_saves_and_resume_gives_the_uninterrupted_result(tmp_path):
    reference = finished_run()

    trainer = Trainer(TrainConfig(**TINY))
    def interrupt_once(episode):  # noqa: E306 - a real SIGINT, as Ctrl-C or Jupyter's stop button sends
        if episode.step > 350 and not getattr(interrupt_once, "sent", False):
            interrupt_once.sent = True
            os.kill(os.getpid(), signal.SIGINT)

    completed = trainer.run(on_episode=interrupt_once)
    assert not completed and trainer.interrupted
    assert 350 < trainer.step_count < 700
    save_run(trainer, tmp_path / "run.pt")
    del trainer
    # anything may touch the global RNGs between the two sessions
    np.random.seed(123)
    torch.manual_seed(123)

    resumed = load_run(tmp_path / "run.pt")
    assert resumed.run()
    assert resumed.step_count == 700
    assert [e.length for e in resumed.history.episodes] == [e.length for e in reference.history.episodes]
    assert resumed.history.losses == reference.history.losses
    assert same_weights(weights(resumed), weights(reference))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_stops_once_a_100_episode_evaluation_confirms_the_threshold():
    trainer = finished_run(solve_threshold=5, total_steps=5_000, steps_after_solved=600)  # any policy lasts ≥ 8
    assert trainer.solved_at == 300
    assert trainer.step_count == 900  # 600 more steps, keeping the best
    assert all(e.confirmed_mean >= 5 for e in trainer.history.evals)
    assert trainer.best_eval == max(e.confirmed_mean for e in trainer.history.evals)


def test_threshold_defaults_to_the_environments():
    assert Trainer(TrainConfig(**(TINY | {"env_id": "CartPole-v0"}))).threshold == 195
    assert Trainer(TrainConfig(**TINY)).threshold == 475


def test_policy_file_is_small_and_reloads_the_best_network(tmp_path):
    trainer = finished_run()
    path = save_policy(trainer, tmp_path / "policy.pt")
    network, config = load_policy(path)
    assert config == trainer.config
    assert not network.training
    trainer.load_best()
    observation, _ = trainer.eval_env.reset(seed=3)
    x = torch.from_numpy(np.asarray(observation)).unsqueeze(0)
    assert torch.equal(network(x), trainer.online(x))


def test_missing_files_and_foreign_policies_get_clear_errors(tmp_path):
    with pytest.raises(DQNHelpersError, match="no run checkpoint"):
        load_run(tmp_path / "nothing.pt")
    with pytest.raises(DQNHelpersError, match="no policy file"):
        load_policy(tmp_path / "nothing.pt")


def test_presets_name_the_slides_and_the_recipe():
    solved = preset("solved", "CartPole-v0")
    assert (solved.total_steps, solved.n_step, solved.lr, solved.frame_stack) == (100_000, 3, 1e-3, 4)
    assert preset("solved", "CartPole-v1").total_steps == 300_000
    slides = preset("slides")
    assert (slides.batch_size, slides.gamma, slides.eps_decay, slides.target_update, slides.num_episodes) == (
        128, 0.999, 200, 10, 50)
    with pytest.raises(DQNHelpersError, match="unknown preset"):
        preset("magic")
    with pytest.raises(DQNHelpersError, match="no setting"):
        preset("solved", num_episodes=3)
