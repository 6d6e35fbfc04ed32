"""Lesson 07's "what the recipe changes": each change from the slides to the recipe, the idea behind
it, and what lesson 08's ablation measured when that change alone was put back.

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
from dqn_helpers.i18n import N_, _

ONCE_SOLVED_FILE = "once_solved.csv"  # the recipe vs no rate drop, each 50,000 steps past its solve
NO_DROP = "lr_after_solved=0.001"  # the once-solved variant's settings label (Adam's rate stays at 1e-3)


@dataclass(frozen=True)
class RecipeChange:
    what: str
    slides: str
    recipe: str
    idea: str  # why the change was made: a hypothesis, which the measured column judges
    variants: tuple[str, ...]  # the ablation variants that put it back to the slides' choice (or try an alternative)
    settings: tuple[str, ...]  # the ``RecipeConfig`` fields this row covers (a test: every difference has a row)
    not_measured: str = ""  # why a row without variants is not ablated (the once-solved row has its own runs)


RECIPE_CHANGES: tuple[RecipeChange, ...] = (
    RecipeChange(N_("what the agent sees"), N_("difference of two 3x40x90 colour screens, cropped around the cart, "
                 "drawn by gymnasium's renderer"), N_("**4 stacked grayscale 30x90 frames of the whole track**, drawn "
                 "straight at 30x90 (the same scene as gymnasium's, lesson 02)"),
                 N_("a difference of blurry frames hides the pole's angle and the crop hides where the cart is; "
                 "stacked frames show position *and* motion. One change bundles four: the crop, colour, the "
                 "difference and the number of frames"), ("slides-input", "2-frames"),
                 ("observation", "frame_size", "frame_stack", "renderer")),
    RecipeChange(N_("network"), N_("conv + **BatchNorm**, acting with batch size 1 in train mode"),
                 N_("conv without BatchNorm"), N_("lesson 04's trap: in train mode an action depends on the statistics "
                 "of a single frame"), ("batchnorm",), ("batchnorm",)),
    RecipeChange(N_("network size"),
                 N_("3 convolutions 5x5, stride 2, a linear head: {slides_parameters:,} parameters"),
                 N_("kernels 5/3/3, strides 2/2/1, a **256-unit hidden layer**: {recipe_parameters:,} parameters"),
                 N_("more room to turn several frames of positions into motion and values"), ("slides-network",),
                 ("kernels", "strides", "hidden")),
    RecipeChange(N_("optimiser"), N_("RMSprop, lr 0.01 (its default)"), N_("**Adam, lr 1e-3**"),
                 N_("the default RMSprop step is far too large for a DQN"), ("rmsprop",),
                 ("optimizer", "lr", "adam_eps")),
    RecipeChange(N_("discount"), "γ = 0.999", "γ = 0.99",
                 N_("a horizon of ~100 steps is enough and the values stay small"),
                 ("gamma-0.999",), ("gamma",)),
    RecipeChange(N_("exploration"), N_("ε 0.9 → 0.05 within ~1,000 steps"), N_("the slides' schedule, **kept**"),
                 N_("none: the recipe first annealed ε linearly from 1.0 to 0.02 over 20,000 steps (explore until "
                 "the network knows something); its measured row tries that anneal instead"), ("linear-epsilon",),
                 ("eps_schedule", "eps_start", "eps_end", "eps_decay_steps")),
    RecipeChange(N_("replay"), N_("10,000 transitions, about one float32 3x40x90 screen each (lesson 03)"),
                 N_("**100,000** transitions, each uint8 frame stored once"),
                 N_("more history in less memory (lesson 03 prints both bills)"), ("memory-10k",), ("buffer_size",)),
    RecipeChange(N_("warm-up"), N_("learns from the 128th transition (as soon as the memory holds a batch)"),
                 N_("learns from step **5,000**"),
                 N_("the first batches come from many episodes, not from the first few"),
                 ("no-warm-up",), ("learning_starts",)),
    RecipeChange(N_("target network"), N_("copied every 10 episodes"), N_("copied every **500 steps**"),
                 N_("episodes get long as the agent learns: a schedule in steps stays steady"), ("target-10-episodes",),
                 ("target_update_every", "target_update_episodes", "tau")),
    RecipeChange(N_("returns"), "1-step", N_("**3-step** returns"),
                 N_("rewards reach back 3 steps per update, so the value of balancing spreads faster"), ("1-step",),
                 ("n_step",)),
    RecipeChange(N_("updates"), N_("batch 128 every step, each gradient entry clamped to ±1"),
                 N_("batch 32 every 4 steps, **Double DQN**, gradient norm clipped at 10"),
                 N_("a 16th of the update work per step; Double DQN curbs over-estimated values (lesson 08 measures "
                 "them)"), ("batch-128-every-step", "no-double", "clip-gradient-values"),
                 ("batch_size", "train_every", "double_dqn", "grad_clip_norm", "grad_clip_value", "loss")),
    RecipeChange(N_("time limit"), N_("`next_state = None` at the time limit too"),
                 N_("bootstrap through truncation: zero the future only when the pole **falls**"),
                 N_("the time limit is not a failure the agent could have avoided"), ("no-bootstrap-at-truncation",),
                 ("bootstrap_truncation",)),
    RecipeChange(N_("evaluation"), N_("no evaluation: the network at the end is the result"),
                 N_("a greedy evaluation every 5,000 steps; the **best evaluated network is kept**"),
                 N_("the network at the end may be worse than one seen earlier"), (), ("eval_every", "eval_episodes"),
                 not_measured=N_("not ablated: it chooses which network is reported, not how the agent learns; "
                 "lesson 08 scores the kept network on fresh episodes")),
    RecipeChange(N_("once solved"), N_("the same step size on"),
                 N_("Adam's rate drops from 1e-3 to **1e-4** once 100 greedy episodes confirm the solve"),
                 N_("at full rate the live network can *forget* how to balance after solving"), (),
                 ("lr_after_solved", "steps_after_solved")),
)

# The slides' choices as ``RecipeConfig`` values: what the table's "slides" column says, in the
# recipe's terms (the input's shape and renderer included), for the test that every field where
# the two differ has a row. Fields that set the budget or the measurement, not the learning:
NOT_LEARNING = ("env_id", "total_steps", "num_episodes", "seed", "final_eval_episodes", "solve_threshold", "device")
SLIDES_CHOICES: dict[str, object] = {
    "observation": "screen_difference", "frame_size": (40, 90), "frame_stack": 2, "renderer": "gymnasium",
    "hidden": 0, "channels": (16, 32, 32), "kernels": (5, 5, 5), "strides": (2, 2, 2), "batchnorm": True,
    "optimizer": "rmsprop", "lr": 0.01, "lr_after_solved": None, "adam_eps": 1e-8,
    "buffer_size": 10_000, "batch_size": 128, "learning_starts": 128, "train_every": 1, "gamma": 0.999, "n_step": 1,
    "loss": "huber", "grad_clip_norm": None, "grad_clip_value": 1.0, "double_dqn": False,
    "target_update_every": 500, "target_update_episodes": 10, "tau": 1.0, "bootstrap_truncation": False,
    "eps_schedule": "exponential", "eps_start": 0.9, "eps_end": 0.05, "eps_decay_steps": 200,
    "eval_every": 0, "eval_episodes": 10, "steps_after_solved": None,
}


def parameter_counts() -> dict[str, int]:
    """The slides' network and the recipe's, counted (for the network-size row)."""
    from dqn_helpers.model import SlidesDQN
    from dqn_helpers.recipe import RecipeConfig, build_network

    count = lambda net: sum(p.numel() for p in net.parameters())  # noqa: E731
    config = RecipeConfig()
    return {"slides_parameters": count(SlidesDQN(40, 90, 2)),
            "recipe_parameters": count(build_network(config, (config.frame_stack, *config.frame_size), 2))}


def _median_solve(summary: ablation.VariantSummary) -> str:
    """"median N steps in M min" over the solved runs ("" when none solved)."""
    if not summary.solved:
        return ""
    steps = summary.median_steps
    minutes = statistics.median(r.training_seconds for r in summary.solved) / 60
    return _("median {steps:,.0f} steps in {minutes:.1f} min").format(steps=steps, minutes=minutes)


def _measured(summary: ablation.VariantSummary, recipe: ablation.VariantSummary) -> str:
    word = ablation.outcome(summary, recipe)
    seeds = _("{solved} of {runs} seeds").format(solved=len(summary.solved), runs=len(summary.runs))
    when = f", {_median_solve(summary)}" if summary.solved else ""
    name = summary.variant.name + ("" if summary.variant.puts_back else _(", tried instead"))
    return f"{name}: **{word}** ({seeds}{when})"


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
            return _("{name}: not measured").format(name=name)
        held = sum(r.live_final_mean >= threshold for r in mine)
        scores = ", ".join(f"{r.live_final_mean:.1f}" for r in mine)
        return _("{name}: live network ≥ {threshold:g} 50k steps after the solve on {bold}{held} of {seeds}{bold} "
                 "seeds ({scores})").format(name=name, threshold=threshold, bold=bold, held=held, seeds=len(mine),
                                            scores=scores)

    return describe("", _("with the drop")) + "; " + describe(NO_DROP, _("without it"))


def ideas_markdown() -> str:
    """The changes and the idea behind each, without what was measured (to predict from)."""
    counts = parameter_counts()
    lines = [_("| | slides | recipe | the idea behind the change |"), "|---|---|---|---|"]
    lines += [f"| {_(c.what)} | {_(c.slides).format(**counts)} | {_(c.recipe).format(**counts)} | {_(c.idea)} |"
              for c in RECIPE_CHANGES]
    return "\n".join(lines)


VERDICT_GROUPS = (
    (("never", "sometimes"), N_("carry the recipe: with the slides' choice it solved on no seed, or on some only")),
    (("slower",), N_("slowed the recipe: with the slides' choice it solved, in more steps")),
    (("as fast",), N_("did not matter alone: as fast with the slides' choice")),
    (("faster",), N_("the slides' choice, alone, solved in fewer steps")),
)
ALTERNATIVES = N_("tried instead of a slides' choice that the recipe keeps")


def verdicts(summaries: list[ablation.VariantSummary]) -> list[tuple[str, list[str]]]:
    """Each verdict group's heading and its variants, as "variant (the table's row)"; the variants that
    try an alternative to a kept slides' choice come last, each with its own verdict."""
    by_name = {s.variant.name: s for s in summaries}
    recipe = by_name.get("recipe")
    if recipe is None:
        return []
    row_of = {name: _(change.what) for change in RECIPE_CHANGES for name in change.variants}
    words = {name: ablation.outcome(s, recipe) for name, s in by_name.items() if name != "recipe"}
    put_back = {name: word for name, word in words.items() if by_name[name].variant.puts_back}
    groups = [(_(heading), [f"{name} ({row_of.get(name, '?')})" for name, word in put_back.items() if word in group])
              for group, heading in VERDICT_GROUPS]
    alternatives = [f"{name} ({row_of.get(name, '?')}): {word}" for name, word in words.items() if name not in put_back]
    return groups + ([(_(ALTERNATIVES), alternatives)] if alternatives else [])


def measured_markdown(summaries: list[ablation.VariantSummary] | None = None,
                      once_solved: list[OnceSolvedRun] | None = None) -> str:
    """What putting each change back alone measured, then the variants grouped by that verdict."""
    summaries = ablation.summarize(ablation.load_results()) if summaries is None else summaries
    once_solved = load_once_solved() if once_solved is None else once_solved
    by_name = {s.variant.name: s for s in summaries}
    recipe = by_name.get("recipe")
    lines = [_("| | put back alone to the slides' choice (or, where the recipe kept it, tried instead) |"), "|---|---|"]
    for change in RECIPE_CHANGES:
        if change.not_measured:
            measured = _(change.not_measured)
        elif not change.variants:
            measured = _once_solved_measured(once_solved)
        else:
            measured = "; ".join(_measured(by_name[name], recipe) if name in by_name and recipe
                                 else _("{name}: not run").format(name=name)
                                 for name in change.variants)
        lines.append(f"| {_(change.what)} | {measured} |")
    if recipe is not None:
        lines += ["", _("The recipe itself: solved on {solved} of {runs} seeds, {median} (two runs sharing two CPU "
                        "cores). CartPole-v1, at most {budget:,} steps per run; **faster**, **as fast**, **slower** "
                        "compare the median steps to solve with the recipe's (within ±25% is as fast).").format(
                      solved=len(recipe.solved), runs=len(recipe.runs), median=_median_solve(recipe),
                      budget=ablation.BUDGET)]
    groups = verdicts(summaries)
    lines += [""] if groups else []
    lines += [f"* {heading}: " + (", ".join(members) if members else _("none")) for heading, members in groups]
    return "\n".join(lines)


def ideas():
    """The ideas table, as Markdown a notebook renders."""
    from IPython.display import Markdown

    return Markdown(ideas_markdown())


def measured(summaries: list[ablation.VariantSummary] | None = None, once_solved: list[OnceSolvedRun] | None = None):
    """The measurements, folded, so a student can predict before opening them."""
    from IPython.display import Markdown

    summary = _("<b>Measured by the ablation</b> (open after predicting)")
    table = measured_markdown(summaries, once_solved)
    return Markdown(f"<details><summary>{summary}</summary>\n\n{table}\n\n</details>")
