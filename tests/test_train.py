"""The recipe's trainer: deterministic on CPU, interruptible, resumable to the same result, saved safely."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest
import torch

from dqn_helpers.checkpoint import CheckpointError, load_policy, load_run, save_policy, save_run
from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.loop import ConfigMismatch, Observer, Trainer
from dqn_helpers.presets import preset
from dqn_helpers.recipe import RecipeConfig

# Small but real: learning starts early, target copies, n-step returns and evaluations all happen.
TINY = dict(env_id="CartPole-v1", total_steps=700, learning_starts=200, buffer_size=2_000,
            target_update_every=100, eval_every=300, eval_episodes=2, final_eval_episodes=2,
            eps_decay_steps=500, hidden=32, device="cpu")


def weights(trainer: Trainer) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in trainer.agent.online.state_dict().items()}


def same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class InterruptOnce(Observer):
    """Sends a real SIGINT (as Ctrl-C or Jupyter's stop button does) once past a step."""

    def __init__(self, after_step: int) -> None:
        self.after_step, self.sent = after_step, False

    def on_episode(self, trainer, episode) -> None:
        if episode.step > self.after_step and not self.sent:
            self.sent = True
            os.kill(os.getpid(), signal.SIGINT)


def finished_run(**overrides) -> Trainer:
    trainer = RecipeConfig(**(TINY | overrides)).build()
    assert trainer.run()
    return trainer


def test_same_seed_same_run_different_seed_different_run():
    first, second, other = finished_run(), finished_run(), finished_run(seed=1)
    assert [e.length for e in first.history.episodes] == [e.length for e in second.history.episodes]
    assert first.history.losses == second.history.losses
    assert same_weights(weights(first), weights(second))
    assert not same_weights(weights(first), weights(other))


def test_learning_actually_changes_the_network_and_copies_the_target():
    trainer = RecipeConfig(**TINY).build()
    before = weights(trainer)
    trainer.run()
    assert len(trainer.history.losses) == (700 - 200) // 4 + 1
    assert not same_weights(before, weights(trainer))
    assert [e.step for e in trainer.history.evals] == [300, 600]
    assert trainer.best_state is not None


def test_ctrl_c_saves_and_resume_gives_the_uninterrupted_result(tmp_path):
    handler_before = signal.getsignal(signal.SIGINT)  # pytest's, or SIG_IGN in some xdist workers
    reference = finished_run()

    trainer = RecipeConfig(**TINY).build()
    trainer.attach([InterruptOnce(after_step=350)])
    completed = trainer.run()
    assert not completed and trainer.interrupted
    assert 350 < trainer.step_count < 700
    save_run(trainer, tmp_path / "run.pt")
    del trainer
    # anything may touch the global RNGs between the two sessions
    np.random.seed(123)
    torch.manual_seed(123)

    assert load_run(tmp_path / "run.pt", resumed := RecipeConfig(**TINY).build()) == []
    assert resumed.run()
    assert resumed.step_count == 700
    assert [e.length for e in resumed.history.episodes] == [e.length for e in reference.history.episodes]
    assert resumed.history.losses == reference.history.losses
    assert same_weights(weights(resumed), weights(reference))
    assert signal.getsignal(signal.SIGINT) == handler_before  # the handler is restored


def test_stops_once_a_100_episode_evaluation_confirms_the_threshold():
    trainer = finished_run(solve_threshold=5, total_steps=5_000, steps_after_solved=600)  # any policy lasts ≥ 8
    assert trainer.solved_at == 300
    assert trainer.step_count == 900  # 600 more steps, keeping the best
    assert all(e.confirmed_mean >= 5 for e in trainer.history.evals)
    assert trainer.best_eval == max(e.confirmed_mean for e in trainer.history.evals)


def test_threshold_defaults_to_the_environments():
    assert RecipeConfig(**(TINY | {"env_id": "CartPole-v0"})).build().threshold == 195
    assert RecipeConfig(**TINY).build().threshold == 475


def test_policy_file_is_small_and_reloads_the_best_network(tmp_path):
    trainer = finished_run()
    path = save_policy(trainer, tmp_path / "policy.pt")
    network, config = load_policy(path)
    assert config == trainer.config
    assert not network.training
    trainer.load_best()
    observation, _ = trainer.eval_env.reset(seed=3)
    x = torch.from_numpy(np.asarray(observation)).unsqueeze(0)
    assert torch.equal(network(x), trainer.agent.online(x))


def test_missing_files_and_foreign_policies_get_clear_errors(tmp_path):
    with pytest.raises(DQNHelpersError, match="no run checkpoint"):
        load_run(tmp_path / "nothing.pt", RecipeConfig(**TINY).build())
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
        preset("solved", memory_size=3)


def test_a_run_file_holds_tensors_and_plain_values_and_only_the_filled_replay(tmp_path):
    trainer = RecipeConfig(**(TINY | {"buffer_size": 100_000, "total_steps": 1_000})).build()
    trainer.run()
    path = save_run(trainer, tmp_path / "run.pt")
    assert path.stat().st_size < 5e6  # 1,000 frames of 30x90 and a small network, not 100,000 frames
    payload = torch.load(path, weights_only=True)  # no pickled objects inside
    assert payload["trainer"]["agent"]["memory"]["frames"].shape == (1_000 + trainer.episode_count + 1, 30, 90)


def test_a_crafted_run_file_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran.txt"
    crafted = tmp_path / "run.pt"
    torch.save({"format": "dqn_helpers run v2", "trainer": Payload(str(marker))}, crafted)
    with pytest.raises(CheckpointError, match="Nothing was loaded or run"):
        load_run(crafted, RecipeConfig(**TINY).build())
    assert not marker.exists()


class Payload:
    """What a malicious pickle does: run code when loaded."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("content", [b"", b"\x80\x02garbage that is no checkpoint", b"PK\x03\x04" + bytes(100)])
def test_empty_garbage_or_cut_short_files_get_a_clear_error(tmp_path, content):
    path = tmp_path / "run.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="corrupt"):
        load_run(path, RecipeConfig(**TINY).build())
    with pytest.raises(CheckpointError, match="corrupt"):
        load_policy(path)


def test_a_cut_short_run_file_gets_a_clear_error(tmp_path):
    trainer = RecipeConfig(**TINY).build()
    trainer.run(until_step=250)
    full = save_run(trainer, tmp_path / "run.pt").read_bytes()
    (tmp_path / "run.pt").write_bytes(full[: len(full) // 2])
    with pytest.raises(CheckpointError, match="cut short or corrupt"):
        load_run(tmp_path / "run.pt", RecipeConfig(**TINY).build())


def test_resuming_with_other_settings_names_them(tmp_path):
    trainer = RecipeConfig(**TINY).build()
    trainer.run(until_step=250)
    save_run(trainer, tmp_path / "run.pt")
    with pytest.raises(ConfigMismatch, match=r"lr: 0\.001 → 0\.0005; n_step: 3 → 1"):
        load_run(tmp_path / "run.pt", RecipeConfig(**(TINY | {"lr": 5e-4, "n_step": 1})).build())


def test_a_run_saved_before_a_setting_existed_resumes_when_that_setting_is_left_at_its_default(tmp_path):
    trainer = RecipeConfig(**TINY).build()
    trainer.run(until_step=250)
    save_run(trainer, tmp_path / "run.pt")
    state = torch.load(tmp_path / "run.pt", weights_only=True)
    del state["trainer"]["config"]["grad_clip_value"]  # as a run saved before that knob was added
    torch.save(state, tmp_path / "run.pt")
    assert load_run(tmp_path / "run.pt", resumed := RecipeConfig(**TINY).build()) == []
    assert resumed.run() and resumed.step_count == TINY["total_steps"]
    with pytest.raises(ConfigMismatch, match=r"grad_clip_value: None → 1\.0"):
        load_run(tmp_path / "run.pt", RecipeConfig(**(TINY | {"grad_clip_value": 1.0})).build())


def test_a_slides_run_file_does_not_resume_a_recipe_run(tmp_path):
    from dqn_helpers.slides import SlidesConfig

    slides = SlidesConfig(num_episodes=1, device="cpu").build()
    slides.run()
    save_run(slides, tmp_path / "run.pt")
    with pytest.raises(ConfigMismatch, match="memory_size"):
        load_run(tmp_path / "run.pt", RecipeConfig(**TINY).build())


def test_once_solved_the_recipe_learns_at_the_lower_rate_and_a_resumed_run_keeps_it(tmp_path):
    """A threshold of 1 is met at the first evaluation: the rate drops then, and run.pt keeps it."""
    trainer = RecipeConfig(**(TINY | {"solve_threshold": 1.0, "steps_after_solved": None})).build()
    lr = lambda t: {group["lr"] for group in t.agent.optimizer.param_groups}  # noqa: E731
    trainer.run(until_step=TINY["eval_every"] - 1)
    assert trainer.solved_at is None and lr(trainer) == {1e-3}
    trainer.run(until_step=TINY["eval_every"])
    assert trainer.solved_at == TINY["eval_every"] and lr(trainer) == {1e-4}
    assert trainer.solved_seconds is not None and 0 < trainer.solved_seconds <= trainer.train_seconds
    save_run(trainer, tmp_path / "run.pt")
    resumed = RecipeConfig(**(TINY | {"solve_threshold": 1.0, "steps_after_solved": None})).build()
    load_run(tmp_path / "run.pt", resumed)
    assert lr(resumed) == {1e-4} and resumed.solved_seconds == trainer.solved_seconds


def test_without_lr_after_solved_the_rate_stays():
    trainer = RecipeConfig(**(TINY | {"solve_threshold": 1.0, "lr_after_solved": None})).build()
    trainer.run(until_step=TINY["eval_every"])
    assert trainer.solved_at is not None
    assert {group["lr"] for group in trainer.agent.optimizer.param_groups} == {1e-3}
