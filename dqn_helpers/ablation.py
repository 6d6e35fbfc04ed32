"""lesson 08's ablation: the recipe with one thing at a time put back to the slides' choice.

One variant goes the other way: where the recipe keeps the slides' choice (ε), it tries the
alternative the recipe first used (``puts_back=False``), so the lessons can show why it was dropped.

``VARIANTS`` names each variant and its settings (``--set`` overrides of the ``solved`` preset);
``benchmarks/ablate.py`` runs them over seeds and copies each run's ``evals.csv`` and summary
into ``data/ablation/``, which lesson 08 reads with ``load_results`` (no re-training there).
"""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from dqn_helpers.i18n import N_, _

ENV_ID = "CartPole-v1"
BUDGET = 100_000  # steps per run; a run also stops at its confirmed solve (``--after-solved 0``)
SEEDS = (0, 1, 2)
EXTRA_SEEDS = (3, 4)  # run too where the first seeds disagree (some solved, some not)
SUMMARY_FILE = "summary.csv"
SUMMARY_COLUMNS = ["variant", "seed", "solved_at_step", "final_mean", "final_min", "steps", "training_seconds"]


@dataclass(frozen=True)
class Variant:
    name: str  # a short name, used in file names
    change_english: str  # what the variant changes (puts back to the slides' choice, or tries instead), in words
    settings: dict[str, Any] = field(default_factory=dict)  # overrides of the ``solved`` preset
    slow: bool = False  # many times the recipe's compute per step: the sweep runs it last
    puts_back: bool = True  # False: an alternative to a slides' choice that the recipe keeps

    @property
    def change(self) -> str:
        """What the variant changes, in the language of the messages (lesson 08 prints it)."""
        return _(self.change_english)


VARIANTS: tuple[Variant, ...] = (
    Variant("recipe", N_("nothing: the recipe itself")),
    Variant("1-step", N_("1-step returns instead of 3-step"), {"n_step": 1}),
    Variant("no-double", N_("the plain max target instead of Double DQN"), {"double_dqn": False}),
    Variant("slides-input", N_("the slides' input: the difference of two centred 3x40x90 colour screens"),
            {"observation": "screen_difference"}),
    Variant("2-frames", N_("2 stacked frames instead of 4"), {"frame_stack": 2}),
    Variant("batchnorm", N_("BatchNorm after each convolution, acting in train mode"), {"batchnorm": True}),
    Variant("rmsprop", N_("RMSprop with torch's defaults (rate 0.01) instead of Adam at 1e-3"),
            {"optimizer": "rmsprop", "lr": 0.01}),
    Variant("gamma-0.999", N_("γ = 0.999 instead of 0.99"), {"gamma": 0.999}),
    Variant("linear-epsilon", N_("ε from 1.0 to 0.02 linearly over 20,000 steps instead of the slides' schedule"),
            {"eps_schedule": "linear", "eps_start": 1.0, "eps_end": 0.02, "eps_decay_steps": 20_000}, puts_back=False),
    Variant("target-10-episodes", N_("a target copy every 10 episodes instead of every 500 steps"),
            {"target_update_episodes": 10}),
    Variant("no-bootstrap-at-truncation", N_("no bootstrap (next state None) at the time limit"),
            {"bootstrap_truncation": False}),
    Variant("memory-10k", N_("a 10,000-transition memory instead of 100,000"), {"buffer_size": 10_000}),
    Variant("no-warm-up", N_("learning from the 128th transition, as the slides do, instead of after 5,000"),
            {"learning_starts": 128}),
    Variant("slides-network", N_("the slides' network size (kernels 5/5/5, strides 2/2/2, no hidden layer; "
            "no BatchNorm) instead of the recipe's (kernels 5/3/3, strides 2/2/1, a 256-unit hidden layer)"),
            {"kernels": (5, 5, 5), "strides": (2, 2, 2), "hidden": 0}),
    Variant("clip-gradient-values", N_("each gradient entry clamped to ±1 instead of the norm clipped at 10"),
            {"grad_clip_norm": None, "grad_clip_value": 1.0}),
    Variant("batch-128-every-step", N_("a batch of 128 every step instead of 32 every 4"),
            {"batch_size": 128, "train_every": 1}, slow=True),
)


def variant(name: str) -> Variant:
    """The variant called ``name``."""
    for v in VARIANTS:
        if v.name == name:
            return v
    raise KeyError(f"no variant {name!r}; the variants are {[v.name for v in VARIANTS]}")


def set_arguments(v: Variant) -> list[str]:
    """The CLI's ``--set KEY=VALUE`` arguments for a variant."""
    arguments = []
    for key, value in v.settings.items():
        arguments += ["--set", f"{key}={value}"]
    return arguments


def results_dir() -> Path:
    """Where the committed results live: ``dqn_helpers/data/ablation``."""
    return Path(str(resources.files("dqn_helpers") / "data" / "ablation"))


@dataclass
class AblationRun:
    variant: str
    seed: int
    solved_at_step: int | None
    final_mean: float  # the kept network over 100 fresh greedy episodes
    final_min: int
    steps: int
    training_seconds: float
    evals: list[tuple[int, float]]  # (step, 10-episode greedy mean), in step order
    confirmed: float | None = None  # the 100-episode mean that confirmed the solve (the selection)


def read_evals(path: Path) -> tuple[list[tuple[int, float]], float | None]:
    """The 10-episode means over steps, and the last 100-episode confirmation's mean (None if none)."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    confirmed = [float(row["confirmed_mean"]) for row in rows if row.get("confirmed_mean")]
    return [(int(row["step"]), float(row["mean"])) for row in rows], (confirmed[-1] if confirmed else None)


def load_results(folder: Path | None = None) -> list[AblationRun]:
    """Every committed run: its summary row and its evaluations over steps."""
    folder = folder or results_dir()
    with open(folder / SUMMARY_FILE, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [AblationRun(row["variant"], int(row["seed"]),
                        int(row["solved_at_step"]) if row["solved_at_step"] else None,
                        float(row["final_mean"]), int(row["final_min"]), int(row["steps"]),
                        float(row["training_seconds"]), *read_evals(folder / f"{row['variant']}-s{row['seed']}.csv"))
            for row in rows]


def curve_on_grid(run: AblationRun, grid: list[int], threshold: float) -> list[float]:
    """The run's 10-episode greedy mean at each grid step (the last evaluation at or before it).

    A run stops once a 100-episode evaluation confirms the solve; after that its curve holds
    the threshold, so seeds that solved early still count in a mean over seeds.
    """
    values, last = [], 0.0
    evals = iter(run.evals)
    pending = next(evals, None)
    for step in grid:
        while pending is not None and pending[0] <= step:
            last, pending = pending[1], next(evals, None)
        solved = run.solved_at_step is not None and step >= run.solved_at_step
        values.append(max(last, threshold) if solved else last)
    return values


@dataclass
class VariantSummary:
    variant: Variant
    runs: list[AblationRun]

    @property
    def solved(self) -> list[AblationRun]:
        return [r for r in self.runs if r.solved_at_step is not None]

    @property
    def median_steps(self) -> float | None:
        """The median step of the solved runs' confirmed solves (None when none solved)."""
        return statistics.median(r.solved_at_step for r in self.solved) if self.solved else None

    def row(self) -> list[str]:
        """Variant, seeds solved, steps to threshold (median and range), kept network's mean (median, range)."""
        steps = sorted(r.solved_at_step for r in self.solved)
        finals = sorted(r.final_mean for r in self.runs)
        to_solve = (f"{self.median_steps:,.0f} ({steps[0]:,}–{steps[-1]:,})" if steps else "—")
        solved = _("{solved} of {runs}").format(solved=len(self.solved), runs=len(self.runs))
        return [self.variant.name, self.variant.change, solved, to_solve,
                f"{statistics.median(finals):.1f} ({finals[0]:.1f}–{finals[-1]:.1f})"]


def outcome(summary: VariantSummary, recipe: VariantSummary) -> str:
    """One word for a variant against the recipe: solved on no seed ("never"), some ("sometimes"),
    or all, then "faster" / "as fast" / "slower" by the median steps to solve (±25% is "as fast")."""
    if not summary.solved:
        return "never"
    if len(summary.solved) < len(summary.runs):
        return "sometimes"
    mine = summary.median_steps
    theirs = recipe.median_steps if recipe.solved else float("inf")
    return "faster" if mine < 0.8 * theirs else "slower" if mine > 1.25 * theirs else "as fast"


def compare_predictions(predictions: dict[str, str], summaries: list[VariantSummary]) -> None:
    """Print each variant's prediction next to what the runs showed."""
    recipe = next(s for s in summaries if s.variant.name == "recipe")
    for s in summaries:
        if s.variant.name == "recipe":
            continue
        guess = str(predictions.get(s.variant.name, "?")).strip().lower()
        seen = outcome(s, recipe)
        mark = (_("(no prediction)") if guess in ("", "?") else _("✓ as predicted") if guess == seen
                else _("you said {guess!r}").format(guess=guess))
        solved, steps = s.row()[2:4]
        print(f"{s.variant.name:<28} {seen:<10} {mark}   " + _("[{solved} seeds solved, steps {steps}]").format(
            solved=solved, steps=steps))


def plot_curves(summaries: list[VariantSummary], threshold: float = 475.0, step: int = 5_000):
    """One panel per variant: its greedy score over steps, mean over seeds with the min–max band,
    against the recipe's mean (grey). A run that stopped at its solve holds the threshold after it."""
    import matplotlib.pyplot as plt

    budget = max(r.steps for s in summaries for r in s.runs)
    grid = list(range(step, budget + 1, step))
    recipe = next((s for s in summaries if s.variant.name == "recipe"), None)
    recipe_mean = None if recipe is None else np.array([curve_on_grid(r, grid, threshold) for r in recipe.runs]).mean(0)
    columns = 4
    rows = -(-len(summaries) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.8 * rows), sharex=True, sharey=True,
                                squeeze=False)
    for ax, s in zip(axes.flat, summaries, strict=False):
        curves = np.array([curve_on_grid(r, grid, threshold) for r in s.runs])
        if recipe_mean is not None and s is not recipe:
            ax.plot(grid, recipe_mean, color="grey", lw=1, label="recipe")
        ax.fill_between(grid, curves.min(0), curves.max(0), alpha=0.25)
        ax.plot(grid, curves.mean(0), lw=2, label=f"{s.variant.name} ({len(s.runs)} seeds)")
        ax.axhline(threshold, ls=":", color="k", lw=0.8)
        ax.set_title(s.variant.name, fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    for ax in axes.flat[len(summaries):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("environment steps")
    for ax in axes[:, 0]:
        ax.set_ylabel("greedy score (10 episodes)")
    figure.tight_layout()
    return figure


SUMMARY_HEADER = [N_("variant"), N_("what changes"), N_("seeds solved within budget"),
                  N_("steps to solve: median (range)"), N_("kept network, 100 fresh episodes: median (range)")]


def summarize(runs: list[AblationRun]) -> list[VariantSummary]:
    """The runs grouped by variant, in ``VARIANTS`` order (variants without runs left out)."""
    groups = [VariantSummary(v, sorted((r for r in runs if r.variant == v.name), key=lambda r: r.seed))
              for v in VARIANTS]
    return [g for g in groups if g.runs]


def markdown_table(summaries: list[VariantSummary]) -> str:
    lines = ["| " + " | ".join(_(h) for h in SUMMARY_HEADER) + " |", "|" + "---|" * len(SUMMARY_HEADER)]
    lines += ["| " + " | ".join(s.row()) + " |" for s in summaries]
    return "\n".join(lines)


def summary_table(summaries: list[VariantSummary]):
    """The summary as a table a notebook renders."""
    from IPython.display import Markdown

    return Markdown(markdown_table(summaries))
