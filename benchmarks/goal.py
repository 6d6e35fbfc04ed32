"""Run the learning goal over seeds and write the results table.

    python benchmarks/goal.py --envs CartPole-v0 CartPole-v1 --seeds 0 1 2 --jobs 2

Each (env, seed) is one ``python -m dqn_helpers train --preset solved`` run in its own process
(``--jobs`` at a time, one torch thread each), writing to ``runs/goal/<env>-s<seed>/``. The table
goes to stdout and to ``benchmarks/results.md``. Goals: v0 mean ≥ 195 within 100k steps, v1 mean
≥ 475 within 300k steps, over 100 greedy episodes of the best evaluated network.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_all(envs: list[str], seeds: list[int], jobs: int, out: Path) -> list[dict]:
    pending = [(env, seed) for env in envs for seed in seeds]
    running: list[tuple[subprocess.Popen, Path]] = []
    while pending or running:
        while pending and len(running) < jobs:
            env, seed = pending.pop(0)
            run_dir = out / f"{env}-s{seed}"
            command = [sys.executable, "-m", "dqn_helpers", "train", "--preset", "solved", "--env", env,
                       "--seed", str(seed), "--out", str(run_dir), "--wandb", "disabled", "--threads", "1"]
            run_dir.mkdir(parents=True, exist_ok=True)
            log = open(run_dir / "train.log", "w")
            print("started:", " ".join(command[1:]), flush=True)
            running.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT), run_dir))
        time.sleep(5)
        for process, run_dir in list(running):
            if process.poll() is not None:
                running.remove((process, run_dir))
                print(f"finished {run_dir.name} (exit {process.returncode})", flush=True)
    return [json.loads(p.read_text()) for p in sorted(out.glob("*/summary.json"))]


def table(summaries: list[dict]) -> str:
    lines = ["| env | seed | steps to threshold | greedy mean, 100 episodes | min | wall-clock | steps/s | goal |",
             "|---|---|---|---|---|---|---|---|"]
    for s in summaries:
        budget = {"CartPole-v0": 100_000, "CartPole-v1": 300_000}.get(s["env_id"])
        met = s["final_mean"] >= s["threshold"] and s["solved_at_step"] is not None and s["solved_at_step"] <= budget
        solved = f"{s['solved_at_step']:,}" if s["solved_at_step"] else f"not within {s['steps']:,}"
        lines.append(f"| {s['env_id']} | {s['seed']} | {solved} | {s['final_mean']:.1f} | {s['final_min']} | "
                     f"{s['seconds_this_session'] / 60:.1f} min | {s['steps_per_second']:.0f} | "
                     f"{'met' if met else 'MISSED'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", nargs="+", default=["CartPole-v0", "CartPole-v1"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "goal")
    parser.add_argument("--report", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()
    text = table(run_all(args.envs, args.seeds, args.jobs, args.out))
    print(text)
    command = "python benchmarks/goal.py " + " ".join(sys.argv[1:])
    args.report.write_text(f"Measured with `{command.strip()}` on {time.strftime('%Y-%m-%d')}.\n\n{text}\n")


if __name__ == "__main__":
    main()
