"""The last row of lesson 08's table of changes: the live network 50,000 steps after the solve,
with and without the lower rate.

    python benchmarks/once_solved.py --seeds 0 1 2 3 4 --jobs 2

The recipe drops Adam's rate to 1e-4 once the solve is confirmed; the variant keeps it at 1e-3
(``--set lr_after_solved=0.001``). The recipe's runs are those of the ten-seed sweep
(``runs/goal``, run here where missing); the variant's go to ``runs/no-lr-drop``. Until the solve
the two runs of a seed are the same run, step for step. Both sides are written to
``dqn_helpers/data/ablation/once_solved.csv`` (lesson 08 reads it) and the variant's table to the
``once solved: no drop`` section of ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from goal import run_all, table, write_csv
from report import write_section
from sweep import ROOT

from dqn_helpers.recipe_changes import NO_DROP

ENV_ID = "CartPole-v1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--recipe-out", type=Path, default=ROOT / "runs" / "goal")
    parser.add_argument("--variant-out", type=Path, default=ROOT / "runs" / "no-lr-drop")
    parser.add_argument("--csv", type=Path, default=ROOT / "dqn_helpers" / "data" / "ablation" / "once_solved.csv")
    parser.add_argument("--report", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d")
    common = dict(jobs=args.jobs, threads=1, after_solved=None)
    recipe = run_all([ENV_ID], args.seeds, argparse.Namespace(out=args.recipe_out, set=[], **common))
    variant = run_all([ENV_ID], args.seeds, argparse.Namespace(out=args.variant_out, set=[NO_DROP], **common))
    write_csv(args.csv, [], recipe)
    write_csv(args.csv, [NO_DROP], variant)
    text = table(variant)
    print(text)
    command = "python benchmarks/once_solved.py " + shlex.join(sys.argv[1:])
    write_section(args.report, "once solved: no drop",
                  f"Measured with `{command.strip()}` (finished {started}); the variant's runs:\n\n{text}")


if __name__ == "__main__":
    main()
