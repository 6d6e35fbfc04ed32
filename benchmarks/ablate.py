"""Lesson 08's ablation sweep: the recipe with one thing at a time put back to the slides' choice
(or, for a choice the recipe keeps, tried another way: see ``dqn_helpers.ablation``).

    python benchmarks/ablate.py --jobs 2

Every variant of ``dqn_helpers.ablation.VARIANTS`` (or those named with ``--variants``) on the
seeds 0, 1, 2, CartPole-v1, 100,000 steps at most, stopping at the confirmed solve (a 100-episode
greedy mean ≥ 475); then seeds 3 and 4 for each variant whose first three seeds disagree (some
solved, some not). Each run is ``python -m dqn_helpers train --preset solved ... --set ...`` in
``<out>/<variant>-s<seed>/``, ``--jobs`` at a time, seed by seed so that every variant gets its
first seed early; the slow variant (a batch of 128 every step: 16 times the recipe's update work)
runs after all the others and their extra seeds. Finished runs are skipped and interrupted ones
resume, so the sweep can span several sittings.

As each run finishes, its ``evals.csv`` is copied to ``dqn_helpers/data/ablation/<variant>-s<seed>.csv``
and its row added to ``summary.csv`` there (what lesson 08 reads); the summary table goes into
the ``ablation`` section of ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import shutil
import sys
import time
from pathlib import Path

from report import write_section
from sweep import ROOT, finished, run_queue

sys.path.insert(0, str(ROOT))
from dqn_helpers.ablation import (  # noqa: E402
    BUDGET,
    ENV_ID,
    EXTRA_SEEDS,
    SEEDS,
    SUMMARY_COLUMNS,
    SUMMARY_FILE,
    VARIANTS,
    load_results,
    markdown_table,
    set_arguments,
    summarize,
    variant,
)

RESULTS = ROOT / "dqn_helpers" / "data" / "ablation"


def command_for(name: str, seed: int, run_dir: Path, args: argparse.Namespace) -> list[str]:
    return [sys.executable, "-m", "dqn_helpers", "train", "--preset", "solved", "--env", ENV_ID, "--seed", str(seed),
            "--steps", str(args.steps), "--after-solved", "0", "--out", str(run_dir), "--wandb", "disabled",
            "--threads", str(args.threads), "--no-video", *set_arguments(variant(name))]


def collect(run_dir: Path, results: Path) -> None:
    """Copy a finished run's evaluations and summary row into ``results`` (the committed results)."""
    name, _, seed = run_dir.name.rpartition("-s")
    summary = json.loads((run_dir / "summary.json").read_text())
    results.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run_dir / "evals.csv", results / f"{name}-s{seed}.csv")
    path = results / SUMMARY_FILE
    rows = []
    if path.exists():
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
    rows = [row for row in rows if (row["variant"], row["seed"]) != (name, seed)]
    rows.append({"variant": name, "seed": seed, "solved_at_step": summary["solved_at_step"] or "",
                 "final_mean": summary["final_mean"], "final_min": summary["final_min"], "steps": summary["steps"],
                 "training_seconds": summary["training_seconds"]})
    order = {v.name: i for i, v in enumerate(VARIANTS)}
    rows.sort(key=lambda row: (order.get(row["variant"], len(order)), int(row["seed"])))
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, SUMMARY_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def queue_for(names: list[str], seeds: list[int], args: argparse.Namespace) -> list[tuple[Path, list[str]]]:
    """Seed-major: every variant's first seed, then every variant's second..."""
    return [(args.out / f"{name}-s{seed}", command_for(name, seed, args.out / f"{name}-s{seed}", args))
            for seed in seeds for name in names]


def split_variants(names: list[str], args: argparse.Namespace) -> list[str]:
    """The variants whose first seeds all finished and disagree: some solved within the budget, some not."""
    split = []
    for name in names:
        dirs = [args.out / f"{name}-s{seed}" for seed in args.seeds]
        if all(finished(d) for d in dirs):
            solved = {json.loads((d / "summary.json").read_text())["solved_at_step"] is not None for d in dirs}
            split += [name] if len(solved) > 1 else []
    return split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=[v.name for v in VARIANTS], choices=[v.name for v in VARIANTS])
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS))
    parser.add_argument("--extra-seeds", nargs="*", type=int, default=list(EXTRA_SEEDS),
                        help="run too for variants whose --seeds disagree")
    parser.add_argument("--steps", type=int, default=BUDGET, help="step budget per run (a smaller one for a trial)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per run")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "ablate")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the runs' CSVs are collected")
    parser.add_argument("--report", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--report-only", action="store_true",
                        help="write the table of the runs collected so far (marked partial), run nothing")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d")
    if args.report_only:
        report(args, f"Partial, {started}: the runs collected so far by `python benchmarks/ablate.py --jobs 2`, "
                     "which goes on in later sittings.")
        return
    for run_dir, _ in queue_for(args.variants, args.seeds + args.extra_seeds, args):
        if finished(run_dir) and not (args.results / f"{run_dir.name}.csv").exists():
            collect(run_dir, args.results)  # finished while the sweep was not watching
    def on_finish(run_dir: Path) -> None:
        collect(run_dir, args.results)

    fast = [name for name in args.variants if not variant(name).slow]
    slow = [name for name in args.variants if variant(name).slow]
    for names in (fast, slow):  # the slow variants after every other one's extra seeds
        run_queue(queue_for(names, args.seeds, args), args.jobs, on_finish)
        split = split_variants(names, args)
        if split and args.extra_seeds:
            print("the first seeds disagree for:", ", ".join(split), flush=True)
            run_queue(queue_for(split, args.extra_seeds, args), args.jobs, on_finish)
    command = ("python benchmarks/ablate.py " + shlex.join(sys.argv[1:])).strip()
    if set(args.variants) == {v.name for v in VARIANTS}:
        report(args, f"Measured with `{command}` (finished {started}).")
    else:  # a sitting that added or resumed some variants: the table holds every collected run
        report(args, f"Measured with `python benchmarks/ablate.py --jobs 2` over several sittings (it skips "
                     f"finished runs); the last sitting, `{command}`, finished {started}.")


def report(args: argparse.Namespace, heading: str) -> None:
    """The summary table of the collected runs, printed and written into the ``ablation`` section."""
    runs = load_results(args.results)
    expected = len(VARIANTS) * len(SEEDS)
    text = markdown_table(summarize(runs))
    print(text)
    write_section(args.report, "ablation", f"{heading} {len(runs)} runs ({expected} in the first three seeds of "
                                            f"every variant).\n\n{text}")


if __name__ == "__main__":
    main()
