"""Run the learning goal over seeds and write the results table.

    python benchmarks/goal.py --envs CartPole-v1 CartPole-v0 --seeds 0 1 2 3 4 5 6 7 8 9 --jobs 2

Each (env, seed) is one ``python -m dqn_helpers train --preset solved`` run in its own process
(``--jobs`` at a time, ``--threads`` torch threads each), writing to ``<out>/<env>-s<seed>/``.
A run that finished (its ``summary.json`` exists) is not run again and an interrupted one resumes
from its ``run.pt``, so the sweep can be stopped and started again. The table goes to stdout and
into its ``--section`` of ``--report`` (``benchmarks/results.md``).

Goals (issue 12): over 100 fresh greedy episodes, the kept network reaches the threshold (195 on
v0, 475 on v1) within 100k steps; the live network at the end of the run (solved, then
``--after-solved`` more steps) reaches it on at least 8 of 10 seeds.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import shlex
import statistics
import sys
import time
from pathlib import Path

from report import write_section
from sweep import ROOT, run_queue

GOAL_STEPS = 100_000  # goal 3: solved within this many steps, on CartPole-v0 and v1


def command_for(env: str, seed: int, run_dir: Path, args: argparse.Namespace) -> list[str]:
    command = [sys.executable, "-m", "dqn_helpers", "train", "--preset", "solved", "--env", env,
               "--seed", str(seed), "--out", str(run_dir), "--wandb", "disabled", "--threads", str(args.threads),
               "--no-video"]
    if args.after_solved is not None:
        command += ["--after-solved", str(args.after_solved)]
    for setting in args.set:
        command += ["--set", setting]
    return command


def run_all(envs: list[str], seeds: list[int], args: argparse.Namespace) -> list[dict]:
    """Run every (env, seed) not finished yet, ``args.jobs`` at a time; return all summaries."""
    pairs = [(env, seed) for env in envs for seed in seeds]
    run_queue([(args.out / f"{env}-s{seed}", command_for(env, seed, args.out / f"{env}-s{seed}", args))
               for env, seed in pairs], args.jobs)
    return [json.loads((args.out / f"{env}-s{seed}" / "summary.json").read_text()) for env, seed in pairs
            if (args.out / f"{env}-s{seed}" / "summary.json").exists()]


def row(s: dict) -> tuple[str, bool, bool]:
    """One table row, whether the kept network met goal 3 and whether the live one met goal 4."""
    solved_in_time = s["solved_at_step"] is not None and s["solved_at_step"] <= GOAL_STEPS
    kept_met = solved_in_time and s["final_mean"] >= s["threshold"]
    live_met = s["live_final_mean"] >= s["threshold"]
    solved = f"{s['solved_at_step']:,}" if s["solved_at_step"] else f"not within {s['steps']:,}"
    to_solve = f"{s['seconds_to_solve'] / 60:.1f} min" if s.get("seconds_to_solve") is not None else "—"
    text = (f"| {s['env_id']} | {s['seed']} | {solved} | {s['final_mean']:.1f} ({s['final_min']}) | "
            f"{s['live_final_mean']:.1f} ({s['live_final_min']}) | {s['steps']:,} | {to_solve} | "
            f"{s['steps_per_second']:.0f} | {'met' if kept_met else 'MISSED'} | {'met' if live_met else 'missed'} |")
    return text, kept_met, live_met


def median_over_seeds(values: list[float | None]) -> float:
    """The median over every seed, a seed that never solved (None) counting as slower than all that did
    (infinite): leaving it out would make a recipe that fails some seeds look faster."""
    return statistics.median([math.inf if value is None else value for value in values])


def table(summaries: list[dict]) -> str:
    lines = ["| env | seed | solved at step | kept network: mean (min) of 100 fresh episodes | live network at "
             "the end: mean (min) | steps run | wall-clock to solve | steps/s | goal 3 | goal 4 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    rows = [row(s) for s in summaries]
    lines += [text for text, _, _ in rows]
    lines.append("")
    for env in sorted({s["env_id"] for s in summaries}):
        mine = [(s, r) for s, r in zip(summaries, rows, strict=True) if s["env_id"] == env]
        steps = median_over_seeds([s["solved_at_step"] for s, _ in mine])
        unsolved = sum(s["solved_at_step"] is None for s, _ in mine)
        untimed = sum(s["solved_at_step"] is not None and s.get("seconds_to_solve") is None for s, _ in mine)
        if not math.isfinite(steps):
            median = "not solved."
        elif untimed:  # runs saved before the time to solve was recorded
            median = f"solved at step {steps:,.0f} (wall-clock to solve not recorded for {untimed} of them)."
        else:
            seconds = median_over_seeds([s.get("seconds_to_solve") for s, _ in mine])
            median = f"wall-clock to solve {seconds:.1f} s ({seconds / 60:.1f} min), solved at step {steps:,.0f}."
        lines.append(f"- {env}: goal 3 met on {sum(r[1] for _, r in mine)} of {len(mine)} seeds, the live "
                     f"network at the end ≥ threshold on {sum(r[2] for _, r in mine)} of {len(mine)}; median "
                     f"over the {len(mine)} seeds"
                     + (f" (the {unsolved} unsolved counted as never solved)" if unsolved else "") + f": {median}")
    return "\n".join(lines)


CSV_COLUMNS = ["settings", "env_id", "seed", "solved_at_step", "final_mean", "live_final_mean", "live_final_min",
               "steps"]


def write_csv(path: Path, settings: list[str], summaries: list[dict]) -> None:
    """The runs' summaries as rows of ``path``, labelled with the ``--set`` settings ("" for the recipe).

    Rows of other settings already in the file are kept, so the recipe and a variant of it share one
    file (lesson 08 reads ``dqn_helpers/data/ablation/once_solved.csv``)."""
    label = " ".join(settings)
    kept = []
    if path.exists():
        with open(path, newline="") as handle:
            kept = [row for row in csv.DictReader(handle) if row["settings"] != label]
    rows = kept + [{"settings": label, **{k: s[k] for k in CSV_COLUMNS[1:]}} for s in summaries]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", nargs="+", default=["CartPole-v1", "CartPole-v0"])
    parser.add_argument("--seeds", nargs="+", type=int, default=list(range(10)))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per run")
    parser.add_argument("--after-solved", type=int, default=None,
                        help="steps to train once solved (default: the CLI's, 50,000); 0 stops at the solve")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="passed on to every run: the recipe with one setting changed")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "goal")
    parser.add_argument("--report", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--section", default="goal: seeds", help="which table of --report to replace")
    parser.add_argument("--csv", type=Path, default=None,
                        help="also write the runs' summaries as rows of this CSV, labelled with the --set settings")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d")
    summaries = run_all(args.envs, args.seeds, args)
    if args.csv:
        write_csv(args.csv, args.set, summaries)
    text = table(summaries)
    print(text)
    command = "python benchmarks/goal.py " + shlex.join(sys.argv[1:])
    write_section(args.report, args.section, f"Measured with `{command.strip()}` (finished {started}).\n\n{text}")


if __name__ == "__main__":
    main()
