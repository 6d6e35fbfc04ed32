"""lesson 08's ablation: each variant's knob does what it says, runs resume exactly, the sweep script
collects its runs, and the committed results are whole and consistent."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from test_train import TINY, same_weights, weights

from dqn_helpers import ablation
from dqn_helpers.checkpoint import load_run, save_run
from dqn_helpers.model import StateDQN
from dqn_helpers.presets import preset
from dqn_helpers.recipe import RecipeConfig, make_epsilon

ROOT = Path(__file__).resolve().parents[1]


def test_every_variant_is_a_valid_preset_and_changes_what_it_names():
    base = preset("solved", ablation.ENV_ID)
    for v in ablation.VARIANTS:
        config = preset("solved", ablation.ENV_ID, **v.settings)  # settings are checked like --set ones
        changed = {k for k in v.settings if getattr(config, k) != getattr(base, k)}
        assert changed == set(v.settings), v.name
    assert ablation.variant("recipe").settings == {}
    with pytest.raises(KeyError, match="no variant"):
        ablation.variant("nope")


def test_the_slides_target_schedule_copies_after_episodes_0_10_20_and_never_by_steps():
    trainer = RecipeConfig(**TINY | dict(target_update_episodes=10, target_update_every=1)).build()
    copies = []
    original = trainer.agent.end_episode

    def watch(index):
        before = {k: v.clone() for k, v in trainer.agent.target.state_dict().items()}
        original(index)
        after = trainer.agent.target.state_dict()
        copies.append(index) if any(not torch.equal(before[k], after[k]) for k in before) else None

    trainer.agent.end_episode = watch
    trainer.run()
    learning_episodes = [i for i, e in enumerate(trainer.history.episodes) if e.step > TINY["learning_starts"]]
    assert copies and all(i % 10 == 0 for i in copies)
    assert set(copies) >= {i for i in learning_episodes[1:] if i % 10 == 0}
    # no copy by steps (target_update_every=1 would copy every step): the target lags the online network
    assert not same_weights(weights(trainer), {k: v.clone() for k, v in trainer.agent.target.state_dict().items()})


def test_the_recipe_explores_with_the_slides_schedule_and_the_variant_anneals_linearly():
    recipe = make_epsilon(preset("solved", ablation.ENV_ID))
    assert (recipe(0), recipe(200)) == (pytest.approx(0.9), pytest.approx(0.05 + 0.85 / math.e))
    linear = make_epsilon(preset("solved", ablation.ENV_ID, **ablation.variant("linear-epsilon").settings))
    assert [linear(s) for s in (0, 10_000, 20_000, 60_000)] == pytest.approx([1.0, 0.51, 0.02, 0.02])


def test_the_slides_epsilon_rmsprop_and_batchnorm_knobs():
    agent = RecipeConfig(**TINY | dict(eps_schedule="exponential", eps_start=0.9, eps_end=0.05, eps_decay_steps=200,
                                       optimizer="rmsprop", lr=0.01, batchnorm=True)).build().agent
    assert agent.epsilon(0) == pytest.approx(0.9)
    assert agent.epsilon(200) == pytest.approx(0.05 + 0.85 / math.e)
    assert isinstance(agent.optimizer, torch.optim.RMSprop) and agent.optimizer.defaults["lr"] == 0.01
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in agent.online.modules())
    assert agent.online.training and not agent.target.training  # acting in train mode, as the slides do
    assert agent.eval_batch == 1  # so evaluation plays one episode at a time


def test_the_slides_gradient_clamp_bounds_every_entry():
    trainer = RecipeConfig(**TINY | dict(grad_clip_norm=None, grad_clip_value=1e-4, lr=1.0, optimizer="rmsprop",
                                         total_steps=201)).build()
    trainer.run()  # one update at step 200
    grads = [p.grad for p in trainer.agent.online.parameters() if p.grad is not None]
    assert grads and max(float(g.abs().max()) for g in grads) <= 1e-4


@pytest.mark.parametrize("observation", ["screen_difference", "state"])
def test_other_observations_learn_and_resume_exactly(tmp_path, observation):
    tiny = TINY | dict(observation=observation, total_steps=500, eval_every=250)
    reference = RecipeConfig(**tiny).build()
    assert reference.run()
    agent = reference.agent
    if observation == "state":
        assert isinstance(agent.online, StateDQN) and agent.memory.frames.shape[1:] == (4,)
    else:
        assert agent.memory.frames.shape[1:] == (3, 40, 90) and agent.memory.frames.dtype.name == "float32"
    trainer = RecipeConfig(**tiny).build()
    trainer.run(until_step=260)
    save_run(trainer, tmp_path / "run.pt")
    assert load_run(tmp_path / "run.pt", resumed := RecipeConfig(**tiny).build()) == []
    assert resumed.run()
    assert [e.length for e in resumed.history.episodes] == [e.length for e in reference.history.episodes]
    assert same_weights(weights(resumed), weights(reference))


def write_run(folder: Path, name: str, seed: int, evals: list[tuple[int, float, str]], solved: int | None,
              final: float = 480.0) -> None:
    folder.mkdir(exist_ok=True)
    with open(folder / f"{name}-s{seed}.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", "mean", "min", "max", "confirmed_mean"])
        writer.writerows([step, mean, mean, mean, confirmed] for step, mean, confirmed in evals)
    path = folder / ablation.SUMMARY_FILE
    new = not path.exists()
    with open(path, "a", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(ablation.SUMMARY_COLUMNS)
        writer.writerow([name, seed, solved or "", final, 300, solved or 100_000, 60.0])


def test_curves_hold_the_threshold_after_a_solve_and_outcomes_compare_with_the_recipe(tmp_path):
    write_run(tmp_path, "recipe", 0, [(5000, 20.0, ""), (10000, 490.0, "480.0")], solved=10000)
    write_run(tmp_path, "recipe", 1, [(5000, 30.0, ""), (10000, 200.0, ""), (15000, 500.0, "499.0")], solved=15000)
    write_run(tmp_path, "1-step", 0, [(5000, 10.0, ""), (10000, 12.0, "")], solved=None, final=15.0)
    write_run(tmp_path, "1-step", 1, [(5000, 10.0, ""), (10000, 480.0, "476.0")], solved=10000)
    write_run(tmp_path, "no-double", 0, [(5000, 10.0, ""), (30000, 480.0, "476.0")], solved=30000)
    runs = ablation.load_results(tmp_path)
    first = runs[0]
    assert first.confirmed == 480.0 and first.evals == [(5000, 20.0), (10000, 490.0)]
    assert ablation.curve_on_grid(runs[1], [5000, 10000, 15000, 20000], 475.0) == [30.0, 200.0, 500.0, 500.0]
    assert ablation.curve_on_grid(runs[0], [4000, 5000, 20000], 475.0) == [0.0, 20.0, 490.0]
    summaries = ablation.summarize(runs)
    assert [s.variant.name for s in summaries] == ["recipe", "1-step", "no-double"]
    recipe = summaries[0]
    assert [ablation.outcome(s, recipe) for s in summaries[1:]] == ["sometimes", "slower"]
    assert summaries[0].row()[2:] == ["2 of 2", "12,500 (10,000–15,000)", "480.0 (480.0–480.0)"]
    assert "| 1-step | 1-step returns instead of 3-step | 1 of 2 | 10,000 (10,000–10,000) |" in (
        ablation.markdown_table(summaries))


def test_the_sweep_runs_each_variant_with_the_cli_and_collects_it(tmp_path):
    command = [sys.executable, str(ROOT / "benchmarks" / "ablate.py"), "--variants", "recipe", "1-step", "--seeds", "0",
               "--extra-seeds", "--steps", "300", "--out", str(tmp_path / "runs"), "--results", str(tmp_path / "data"),
               "--report", str(tmp_path / "results.md")]
    first = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert first.returncode == 0, first.stdout + first.stderr
    summary = json.loads((tmp_path / "runs" / "1-step-s0" / "summary.json").read_text())
    assert summary["steps"] == 300
    rows = list(csv.DictReader(open(tmp_path / "data" / ablation.SUMMARY_FILE)))
    assert [(r["variant"], r["seed"]) for r in rows] == [("recipe", "0"), ("1-step", "0")]
    assert (tmp_path / "data" / "1-step-s0.csv").exists()
    assert "<!-- ablation -->" in (tmp_path / "results.md").read_text()
    again = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert "2 of 2 runs already finished" in again.stdout


def test_the_committed_results_are_whole_and_agree_with_their_evaluations():
    runs = ablation.load_results()
    names = {v.name for v in ablation.VARIANTS}
    assert runs and {r.variant for r in runs} <= names
    assert any(r.variant == "recipe" for r in runs)
    for r in runs:
        assert r.steps <= ablation.BUDGET
        confirmed_steps = [step for step, _ in r.evals]
        if r.solved_at_step is not None:
            assert r.confirmed is not None and r.confirmed >= 475 and r.solved_at_step in confirmed_steps
            assert r.steps == r.solved_at_step  # the run stopped at its solve
        else:
            assert r.steps == ablation.BUDGET
