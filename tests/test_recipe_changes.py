"""Lesson 07's "what the recipe changes", with lesson 08's measured column: every row names variants
that exist, and its measured column is computed from the runs (so it follows the committed
results), including the once-solved comparison that ``benchmarks/once_solved.py`` writes (with ``goal.write_csv``)."""

from __future__ import annotations

import csv
import importlib
import sys
from pathlib import Path

from test_ablation import write_run

from dqn_helpers import ablation, recipe_changes

ROOT = Path(__file__).resolve().parents[1]


def test_every_row_names_existing_variants_and_every_variant_but_the_recipe_has_a_row():
    names = [name for change in recipe_changes.RECIPE_CHANGES for name in change.variants]
    assert len(names) == len(set(names))
    assert set(names) == {v.name for v in ablation.VARIANTS} - {"recipe"}


def test_the_measured_column_follows_the_runs(tmp_path):
    write_run(tmp_path, "recipe", 0, [(10000, 490.0, "480.0")], solved=10000)
    write_run(tmp_path, "1-step", 0, [(10000, 12.0, "")], solved=None, final=15.0)
    write_run(tmp_path, "rmsprop", 0, [(5000, 480.0, "476.0")], solved=5000)
    summaries = ablation.summarize(ablation.load_results(tmp_path))
    run = recipe_changes.OnceSolvedRun
    once = [run("", 0, 10000, 500.0, 500), run("", 1, 15000, 470.0, 9), run(recipe_changes.NO_DROP, 0, 10000, 120.0, 9)]
    table = recipe_changes.measured_markdown(summaries, once)
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines() if line.startswith("| ")}
    assert "1-step: **never** (0 of 1 seeds)" in rows["returns"]
    assert "rmsprop: **faster** (1 of 1 seeds, median 5,000 steps in 1.0 min)" in rows["optimiser"]
    assert "slides-input: not run" in rows["what the agent sees"]
    assert ("with the drop: live network ≥ 475 50k steps after the solve on **1 of 2** seeds (500.0, 470.0); "
            "without it: live network ≥ 475 50k steps after the solve on **0 of 1** seeds (120.0)"
            ) in rows["once solved"]
    assert "The recipe itself: solved on 1 of 1 seeds, median 10,000 steps" in table


def test_goal_csv_keeps_the_rows_of_other_settings(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    goal = importlib.import_module("goal")
    summary = {"env_id": "CartPole-v1", "seed": 0, "solved_at_step": 55000, "final_mean": 500.0,
               "live_final_mean": 480.0, "live_final_min": 200, "steps": 105000}
    path = tmp_path / "once.csv"
    goal.write_csv(path, [], [summary])
    goal.write_csv(path, [recipe_changes.NO_DROP], [summary | {"live_final_mean": 100.0}])
    goal.write_csv(path, [recipe_changes.NO_DROP], [summary | {"live_final_mean": 90.0}])  # a rerun replaces
    rows = list(csv.DictReader(open(path)))
    assert [(r["settings"], r["live_final_mean"]) for r in rows] == [("", "480.0"), (recipe_changes.NO_DROP, "90.0")]
    (tmp_path / recipe_changes.ONCE_SOLVED_FILE).write_text(path.read_text())
    assert [r.live_final_mean for r in recipe_changes.load_once_solved(tmp_path)] == [480.0, 90.0]
    sys.modules.pop("goal", None)


def test_the_committed_once_solved_runs_ran_50k_steps_past_their_solve():
    runs = recipe_changes.load_once_solved()
    assert {r.settings for r in runs} == {"", recipe_changes.NO_DROP}
    with open(ablation.results_dir() / recipe_changes.ONCE_SOLVED_FILE, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["solved_at_step"]:
                assert int(row["steps"]) == int(row["solved_at_step"]) + 50_000


def test_verdicts_group_every_variant_by_its_outcome(tmp_path):
    write_run(tmp_path, "recipe", 0, [(20000, 490.0, "480.0")], solved=20000)
    write_run(tmp_path, "1-step", 0, [(10000, 12.0, "")], solved=None, final=15.0)
    write_run(tmp_path, "memory-10k", 0, [(30000, 480.0, "476.0")], solved=30000)
    write_run(tmp_path, "no-double", 0, [(20000, 480.0, "476.0")], solved=20000)
    write_run(tmp_path, "batchnorm", 0, [(5000, 480.0, "476.0")], solved=5000)
    summaries = ablation.summarize(ablation.load_results(tmp_path))
    groups = [members for _, members in recipe_changes.verdicts(summaries)]
    assert groups == [["1-step (returns)"], ["memory-10k (replay)"], ["no-double (updates)"], ["batchnorm (network)"]]
    assert "* carry the recipe: with the slides' choice it solved on no seed, or on some only: 1-step (returns)" in (
        recipe_changes.measured_markdown(summaries, once_solved=[]))


def test_an_alternative_to_a_kept_choice_gets_its_own_line_not_a_verdict_about_the_slides(tmp_path):
    write_run(tmp_path, "recipe", 0, [(20000, 490.0, "480.0")], solved=20000)
    write_run(tmp_path, "linear-epsilon", 0, [(40000, 480.0, "476.0")], solved=40000)
    write_run(tmp_path, "batchnorm", 0, [(40000, 480.0, "476.0")], solved=40000)
    summaries = ablation.summarize(ablation.load_results(tmp_path))
    groups = dict(recipe_changes.verdicts(summaries))
    assert groups["slowed the recipe: with the slides' choice it solved, in more steps"] == ["batchnorm (network)"]
    assert groups[recipe_changes.ALTERNATIVES] == ["linear-epsilon (exploration): slower"]
    table = recipe_changes.measured_markdown(summaries, once_solved=[])
    assert "| exploration | linear-epsilon, tried instead: **slower** (1 of 1 seeds" in table
    assert not ablation.variant("linear-epsilon").puts_back and ablation.variant("batchnorm").puts_back


def test_the_ideas_hide_the_measurements_and_the_measurements_come_folded():
    ideas = recipe_changes.ideas_markdown()
    assert len(ideas.splitlines()) == 2 + len(recipe_changes.RECIPE_CHANGES)
    assert "seeds" not in ideas and "never" not in ideas
    folded = recipe_changes.measured().data
    assert folded.startswith("<details>") and folded.rstrip().endswith("</details>")
    assert "| returns | 1-step:" in folded  # the committed runs, read from the package's data


def test_every_setting_in_which_the_slides_and_the_recipe_differ_has_a_row():
    from dataclasses import fields

    from dqn_helpers.recipe import RecipeConfig

    names = {f.name for f in fields(RecipeConfig)}
    classified = set(recipe_changes.SLIDES_CHOICES) | set(recipe_changes.NOT_LEARNING)
    assert names == classified, f"say what the slides choose for {sorted(names - classified)} (SLIDES_CHOICES)"
    recipe = RecipeConfig()
    differ = {name for name, slides in recipe_changes.SLIDES_CHOICES.items() if getattr(recipe, name) != slides}
    covered = {name for change in recipe_changes.RECIPE_CHANGES for name in change.settings}
    assert differ <= covered, f"no row of the table of changes names {sorted(differ - covered)}"
    assert covered <= names, f"rows name settings that do not exist: {sorted(covered - names)}"
    assert {"learning_starts", "kernels", "strides", "hidden"} <= differ


def test_each_variant_that_puts_a_change_back_uses_the_slides_choice():
    for variant in ablation.VARIANTS:
        if variant.puts_back:
            for name, value in variant.settings.items():
                assert recipe_changes.SLIDES_CHOICES[name] == value, (variant.name, name, value)
