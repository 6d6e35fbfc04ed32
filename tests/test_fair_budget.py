"""The fair-budget comparison reads what the real CLI writes: runs collected, loaded, described, plotted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib

from dqn_helpers import fair_budget

matplotlib.use("agg")
ROOT = Path(__file__).resolve().parents[1]


def train(out: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "dqn_helpers", "train", "--env", "CartPole-v0", "--no-video",
                           "--wandb", "disabled", "--device", "cpu", "--out", str(out), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def test_runs_from_the_cli_are_collected_loaded_described_and_plotted(tmp_path):
    train(tmp_path / "runs" / "slides-100k-s0", "--preset", "slides", "--episodes", "3",
          "--set", "final_eval_episodes=2")
    train(tmp_path / "runs" / "recipe-v0-100k-s0", "--steps", "300", "--set", "learning_starts=64",
          "--set", "eval_every=0", "--set", "final_eval_episodes=2")
    (tmp_path / "runs" / "slides-100k-s1").mkdir()  # a run that has not written anything yet is skipped
    copied = fair_budget.collect([0, 1], tmp_path, tmp_path / "data")
    assert sorted(p.name for p in copied) == ["recipe-s0-episodes.csv", "recipe-s0-summary.json",
                                              "slides-s0-episodes.csv", "slides-s0-summary.json"]
    runs = fair_budget.load_runs(tmp_path / "data")
    assert [(r.recipe, r.seed) for r in runs] == [("slides", 0), ("recipe", 0)]
    slides, recipe = runs
    assert len(slides.lengths) == 3 and slides.steps == sum(slides.lengths) == slides.ends[-1]
    assert recipe.steps == 300
    assert slides.line().startswith("the slides' recipe, seed 0: ") and "over 2 new greedy episodes" in slides.line()
    assert fair_budget.tally(runs) == [
        f"the slides' recipe: {int(slides.summary['solved_at_step'] is not None)} of 1 seeds solved, in runs of at "
        f"most {slides.steps:,} steps; greedy means of the kept networks: {slides.summary['final_mean']:.1f}",
        f"the course's recipe: {int(recipe.summary['solved_at_step'] is not None)} of 1 seeds solved, in runs of at "
        f"most 300 steps; greedy means of the kept networks: {recipe.summary['final_mean']:.1f}"]
    figure = fair_budget.plot_runs(runs, random_mean=22.0)
    assert len(figure.axes[0].lines) == 4  # two runs, the threshold, the random policy


def test_the_rolling_mean_covers_fewer_episodes_at_the_start():
    assert fair_budget.rolling_mean([2, 4, 6, 8], window=2).tolist() == [2.0, 3.0, 5.0, 7.0]
