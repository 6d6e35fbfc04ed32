"""The slides' recipe at the recipe's budget: both on CartPole-v0, 100,000 environment steps, same seeds.

Lesson 06 runs the slides' loop for its 50 episodes, about a thousand steps; the recipe of lesson
07 gets up to 100,000 steps on CartPole-v0. To compare them fairly, both ran from the CLI with the
same budget and seeds (``benchmarks/slides_long.sh`` and ``benchmarks/recipe_v0.sh``, a few hours
for the slides' loop on a CPU). ``collect`` copies each run's ``episodes.csv`` and ``summary.json``
into ``dqn_helpers/data/fair_budget/``, which lesson 06 reads with ``load_runs`` (no training
there). Both are judged the same way: the length of their training episodes over environment
steps, and their kept network's greedy mean over 100 new episodes at the end.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from dqn_helpers.i18n import N_, _

RECIPES = {"slides": N_("the slides' recipe"), "recipe": N_("the course's recipe")}  # translated where shown
SOURCES = {"slides": "runs/slides-100k-s{seed}", "recipe": "runs/recipe-v0-100k-s{seed}"}
WINDOW = 20  # training episodes per point of the curve (the progress bar's last20)


def data_dir() -> Path:
    """Where the committed runs live: ``dqn_helpers/data/fair_budget``."""
    return Path(str(resources.files("dqn_helpers") / "data" / "fair_budget"))


@dataclass
class BudgetRun:
    recipe: str  # "slides" or "recipe"
    seed: int
    ends: list[int]  # the environment step at which each training episode ended
    lengths: list[int]  # each training episode's length (ε-greedy, as it trained)
    summary: dict | None  # the CLI's summary.json: None while the run is unfinished

    @property
    def steps(self) -> int:
        return self.summary["steps"] if self.summary else (self.ends[-1] if self.ends else 0)

    def line(self) -> str:
        """One line of what the run did, from its own files."""
        last = self.lengths[-100:]
        text = _("{recipe}, seed {seed}: {steps:,} steps, {episodes:,} training episodes, the last {last} of them "
                 "{mean:.1f} steps long on average (longest of the run {longest})").format(
            recipe=_(RECIPES[self.recipe]), seed=self.seed, steps=self.steps, episodes=len(self.lengths),
            last=len(last), mean=np.mean(last), longest=max(self.lengths))
        if self.summary is None:
            return text + _("; unfinished")
        solved = self.summary["solved_at_step"]
        outcome = (_("solved at step {step:,}").format(step=solved) if solved is not None else _("not solved"))
        return text + _("; its kept network over {episodes} new greedy episodes: mean {mean:.1f}; {outcome}").format(
            episodes=self.summary["final_episodes"], mean=self.summary["final_mean"], outcome=outcome)


def tally(runs: list[BudgetRun]) -> list[str]:
    """One line per recipe: how many of its finished seeds were solved, and each kept network's score."""
    lines = []
    for recipe, name in RECIPES.items():
        done = [r for r in runs if r.recipe == recipe and r.summary is not None]
        if not done:
            continue
        solved = sum(r.summary["solved_at_step"] is not None for r in done)
        scores = ", ".join(f"{r.summary['final_mean']:.1f}" for r in done)
        lines.append(_("{recipe}: {solved} of {seeds} seeds solved, in runs of at most {steps:,} steps; greedy means "
                       "of the kept networks: {scores}").format(recipe=_(name), solved=solved, seeds=len(done),
                                                                steps=max(r.steps for r in done), scores=scores))
    return lines


def collect(seeds: list[int], root: Path = Path("."), folder: Path | None = None) -> list[Path]:
    """Copy each run's ``episodes.csv`` (and ``summary.json`` once finished) into the data folder."""
    folder = folder or data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for recipe, source in SOURCES.items():
        for seed in seeds:
            run = root / source.format(seed=seed)
            for name in ("episodes.csv", "summary.json"):
                if (run / name).exists():
                    copied.append(Path(shutil.copyfile(run / name, folder / f"{recipe}-s{seed}-{name}")))
    return copied


def load_runs(folder: Path | None = None) -> list[BudgetRun]:
    """Every committed run, the slides' first, each recipe's seeds in order."""
    folder = folder or data_dir()
    runs = []
    for recipe in RECIPES:
        for episodes in sorted(folder.glob(f"{recipe}-s*-episodes.csv"), key=lambda p: int(p.name.split("-s")[1]
                                                                                           .split("-")[0])):
            seed = int(episodes.name.split("-s")[1].split("-")[0])
            with open(episodes, newline="") as handle:
                rows = list(csv.DictReader(handle))
            summary_file = folder / f"{recipe}-s{seed}-summary.json"
            summary = json.loads(summary_file.read_text()) if summary_file.exists() else None
            runs.append(BudgetRun(recipe, seed, [int(r["step"]) for r in rows], [int(r["length"]) for r in rows],
                                  summary))
    return runs


def rolling_mean(values: list[int], window: int = WINDOW) -> np.ndarray:
    """The mean of each episode and the ``window - 1`` before it (fewer at the start)."""
    sums = np.cumsum(np.asarray(values, dtype=float))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    previous = np.concatenate([np.zeros(window), sums])[:len(values)]
    return (sums - previous) / counts


def plot_runs(runs: list[BudgetRun], threshold: float = 195.0, random_mean: float | None = None):
    """Training episode length over environment steps, every run on the same axes."""
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(9, 4))
    colours = {"slides": "tab:red", "recipe": "tab:blue"}
    for recipe in RECIPES:
        for i, run in enumerate(r for r in runs if r.recipe == recipe):
            ax.plot(run.ends, rolling_mean(run.lengths), color=colours[recipe], lw=1.2, alpha=0.8,
                    label=f"{RECIPES[recipe]} (seeds {', '.join(str(r.seed) for r in runs if r.recipe == recipe)})"
                    if i == 0 else None)
    ax.axhline(threshold, ls=":", color="k", lw=0.8, label=f"solved: {threshold:g} (CartPole-v0)")
    if random_mean is not None:
        ax.axhline(random_mean, ls="--", color="grey", lw=0.8, label=f"random policy: {random_mean:.1f}")
    ax.set_xlabel("environment steps")
    ax.set_ylabel(f"training episode length\n(mean of the last {WINDOW})")
    ax.set_title("the same budget for both: 100,000 steps on CartPole-v0")
    ax.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    return figure


if __name__ == "__main__":  # python -m dqn_helpers.fair_budget 0 1 2: copy the runs from runs/
    import sys

    for path in collect([int(s) for s in sys.argv[1:]] or [0, 1, 2]):
        print(path)
