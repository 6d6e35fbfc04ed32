"""Lesson 06's "what made it work": each change from the slides to the recipe, the idea behind it,
and what lesson 07's ablation measured when that change alone was put back.

The table is printed from the committed results (``data/ablation/``), so its numbers cannot drift
from the runs: ``benchmarks/ablate.py`` re-makes the ablation, and ``benchmarks/once_solved.py``
the once-solved comparison, which the ablation cannot measure because its runs stop at the solve.
"""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass
from pathlib import Path

from dqn_helpers import ablation

ONCE_SOLVED_FILE = "once_solved.csv"  # the recipe vs no rate drop, each 50,000 steps past its solve
NO_DROP = "lr_after_solved=0.001"  # the once-solved variant's settings label (Adam's rate stays at 1e-3)


@dataclass(frozen=True)
class RecipeChange:
    what: str
    slides: str
    recipe: str
    idea: str  # why the change was made: a hypothesis, which the measured column judges
    variants: tuple[str, ...]  # the ablation variants that put it back to the slides' choice (or try an alternative)


RECIPE_CHANGES: tuple[RecipeChange, ...] = (
    RecipeChange("what the agent sees", "difference of two 3x40x90 colour screens, cropped around the cart",
                 "**4 stacked grayscale 30x90 frames of the whole track**",
                 "a difference of blurry frames hides the pole's angle and the crop hides where the cart is; "
                 "stacked frames show position *and* motion", ("slides-input", "2-frames")),
    RecipeChange("network", "conv + **BatchNorm**, acting with batch size 1 in train mode",
                 "conv without BatchNorm", "lesson 04's trap: in train mode an action depends on the statistics "
                 "of a single frame", ("batchnorm",)),
    RecipeChange("optimiser", "RMSprop, lr 0.01 (its default)", "**Adam, lr 1e-3**",
                 "the default RMSprop step is far too large for a DQN", ("rmsprop",)),
    RecipeChange("discount", "γ = 0.999", "γ = 0.99", "a horizon of ~100 steps is enough and the values stay small",
                 ("gamma-0.999",)),
    RecipeChange("exploration", "ε 0.9 → 0.05 within ~1,000 steps", "the slides' schedule, **kept**",
                 "none: the recipe first annealed ε linearly from 1.0 to 0.02 over 20,000 steps (explore until "
                 "the network knows something); its measured row tries that anneal instead", ("linear-epsilon",)),
    RecipeChange("replay", "10,000 transitions, about one float32 3x40x90 screen each (lesson 03)",
                 "**100,000** transitions, each uint8 frame stored once",
                 "more history in less memory (lesson 03 prints both bills)", ("memory-10k",)),
    RecipeChange("target network", "copied every 10 episodes", "copied every **500 steps**",
                 "episodes get long as the agent learns: a schedule in steps stays steady", ("target-10-episodes",)),
    RecipeChange("returns", "1-step", "**3-step** returns",
                 "rewards reach back 3 steps per update, so the value of balancing spreads faster", ("1-step",)),
    RecipeChange("updates", "batch 128 every step, each gradient entry clamped to ±1",
                 "batch 32 every 4 steps, **Double DQN**, gradient norm clipped at 10",
                 "a 16th of the update work per step; Double DQN curbs over-estimated values (lesson 07 measures "
                 "them)", ("batch-128-every-step", "no-double", "clip-gradient-values")),
    RecipeChange("time limit", "`next_state = None` at the time limit too",
                 "bootstrap through truncation: zero the future only when the pole **falls**",
                 "the time limit is not a failure the agent could have avoided", ("no-bootstrap-at-truncation",)),
    RecipeChange("once solved", "the same step size on",
                 "Adam's rate drops from 1e-3 to **1e-4** once 100 greedy episodes confirm the solve",
                 "at full rate the live network can *forget* how to balance after solving", ()),
)


def _median_solve(summary: ablation.VariantSummary) -> str:
    """"median N steps in M min" over the solved runs ("" when none solved)."""
    if not summary.solved:
        return ""
    steps = summary.median_steps
    minutes = statistics.median(r.training_seconds for r in summary.solved) / 60
    return f"median {steps:,.0f} steps in {minutes:.1f} min"


def _measured(summary: ablation.VariantSummary, recipe: ablation.VariantSummary) -> str:
    word = ablation.outcome(summary, recipe)
    when = f", {_median_solve(summary)}" if summary.solved else ""
    name = summary.variant.name + ("" if summary.variant.puts_back else ", tried instead")
    return f"{name}: **{word}** ({len(summary.solved)} of {len(summary.runs)} seeds{when})"


@dataclass
class OnceSolvedRun:
    settings: str  # "" for the recipe, ``NO_DROP`` for the variant
    seed: int
    solved_at_step: int | None
    live_final_mean: float  # the network as training left it, 50,000 steps past the solve, 100 fresh episodes
    live_final_min: int


def load_once_solved(folder: Path | None = None) -> list[OnceSolvedRun]:
    """The committed once-solved comparison (empty if the file is not there)."""
    path = (folder or ablation.results_dir()) / ONCE_SOLVED_FILE
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return [OnceSolvedRun(row["settings"], int(row["seed"]), int(row["solved_at_step"]) if row["solved_at_step"]
                              else None, float(row["live_final_mean"]), int(row["live_final_min"]))
                for row in csv.DictReader(handle)]


def _once_solved_measured(runs: list[OnceSolvedRun], threshold: float = 475.0, bold: str = "**") -> str:
    def describe(label: str, name: str) -> str:
        mine = sorted((r for r in runs if r.settings == label and r.solved_at_step is not None), key=lambda r: r.seed)
        if not mine:
            return f"{name}: not measured"
        held = sum(r.live_final_mean >= threshold for r in mine)
        scores = ", ".join(f"{r.live_final_mean:.1f}" for r in mine)
        return (f"{name}: live network ≥ {threshold:g} 50k steps after the solve on {bold}{held} of {len(mine)}{bold} "
                f"seeds ({scores})")

    return describe("", "with the drop") + "; " + describe(NO_DROP, "without it")


def ideas_markdown() -> str:
    """The changes and the idea behind each, without what was measured (to predict from)."""
    lines = ["| | slides | recipe | the idea behind the change |", "|---|---|---|---|"]
    lines += [f"| {c.what} | {c.slides} | {c.recipe} | {c.idea} |" for c in RECIPE_CHANGES]
    return "\n".join(lines)


VERDICT_GROUPS = (
    (("never", "sometimes"), "carry the recipe: with the slides' choice it solved on no seed, or on some only"),
    (("slower",), "slowed the recipe: with the slides' choice it solved, in more steps"),
    (("as fast",), "did not matter alone: as fast with the slides' choice"),
    (("faster",), "the slides' choice, alone, solved in fewer steps"),
)
ALTERNATIVES = "tried instead of a slides' choice that the recipe keeps"


def verdicts(summaries: list[ablation.VariantSummary]) -> list[tuple[str, list[str]]]:
    """Each verdict group's heading and its variants, as "variant (the table's row)"; the variants that
    try an alternative to a kept slides' choice come last, each with its own verdict."""
    by_name = {s.variant.name: s for s in summaries}
    recipe = by_name.get("recipe")
    if recipe is None:
        return []
    row_of = {name: change.what for change in RECIPE_CHANGES for name in change.variants}
    words = {name: ablation.outcome(s, recipe) for name, s in by_name.items() if name != "recipe"}
    put_back = {name: word for name, word in words.items() if by_name[name].variant.puts_back}
    groups = [(heading, [f"{name} ({row_of.get(name, '?')})" for name, word in put_back.items() if word in group])
              for group, heading in VERDICT_GROUPS]
    alternatives = [f"{name} ({row_of.get(name, '?')}): {word}" for name, word in words.items() if name not in put_back]
    return groups + ([(ALTERNATIVES, alternatives)] if alternatives else [])


def measured_markdown(summaries: list[ablation.VariantSummary] | None = None,
                      once_solved: list[OnceSolvedRun] | None = None) -> str:
    """What putting each change back alone measured, then the variants grouped by that verdict."""
    summaries = ablation.summarize(ablation.load_results()) if summaries is None else summaries
    once_solved = load_once_solved() if once_solved is None else once_solved
    by_name = {s.variant.name: s for s in summaries}
    recipe = by_name.get("recipe")
    lines = ["| | put back alone to the slides' choice (or, where the recipe kept it, tried instead) |", "|---|---|"]
    for change in RECIPE_CHANGES:
        if not change.variants:
            measured = _once_solved_measured(once_solved)
        else:
            measured = "; ".join(_measured(by_name[name], recipe) if name in by_name and recipe else f"{name}: not run"
                                 for name in change.variants)
        lines.append(f"| {change.what} | {measured} |")
    if recipe is not None:
        lines += ["", f"The recipe itself: solved on {len(recipe.solved)} of {len(recipe.runs)} seeds, "
                  f"{_median_solve(recipe)} (two runs sharing two CPU cores). "
                  f"CartPole-v1, at most {ablation.BUDGET:,} steps per run; "
                  "**faster**, **as fast**, **slower** compare the median steps to solve with the recipe's "
                  "(within ±25% is as fast)."]
    groups = verdicts(summaries)
    lines += [""] if groups else []
    lines += [f"* {heading}: " + (", ".join(members) if members else "none") for heading, members in groups]
    return "\n".join(lines)


def ideas():
    """The ideas table, as Markdown a notebook renders."""
    from IPython.display import Markdown

    return Markdown(ideas_markdown())


def measured(summaries: list[ablation.VariantSummary] | None = None, once_solved: list[OnceSolvedRun] | None = None):
    """The measurements, folded, so a student can predict before opening them."""
    from IPython.display import Markdown

    return Markdown("<details><summary><b>Measured in lesson 07</b> (open after predicting)</summary>\n\n"
                    f"{measured_markdown(summaries, once_solved)}\n\n</details>")
