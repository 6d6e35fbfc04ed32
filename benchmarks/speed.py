"""The slides' loop and the recipe's loop, side by side in one process: env steps/s and memory.

    python benchmarks/speed.py

Both loops do everything a training step does (render, preprocess, act, store, learn). Each
is timed after its warm-up (the slides learn from the 128th step on; the recipe from step
5,000), so the figures are steady-state training speeds on this machine, same torch threads.
Then the cost of one 100-episode confirmation (the evaluation a run does when its short one
reaches the threshold): the shipped CartPole-v1 network plays the confirmation's 100 seeded
episodes side by side, as training does, then one at a time; both must give the same lengths.
Last, the arithmetic: the network FLOPs each loop does per env step (counted by torch's
``FlopCounterMode`` over steps that follow the timed ones: forward and backward passes, acting
included), what rate of arithmetic each loop's speed amounts to, and this machine's rate on one
large matrix product. The FLOP ratio is the speed ratio the recipe would reach if it did its
arithmetic exactly as efficiently as the slides' loop does theirs (why goal 1 is hard on a CPU).
The tables go to stdout and into the ``speed: cpu`` section of ``benchmarks/results.md``; with
``--set`` (a candidate, not the recipe) to stdout only, unless ``--report`` names a file.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import torch
from report import write_section
from torch.utils.flop_counter import FlopCounterMode

from dqn_helpers.__main__ import parse_sets
from dqn_helpers.checkpoint import SHIPPED_POLICY, load_policy
from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.evaluation import greedy_lengths
from dqn_helpers.loop import CONFIRM_SEED_OFFSET, EVAL_BATCH, Trainer
from dqn_helpers.presets import preset

ROOT = Path(__file__).resolve().parents[1]


def steps_per_second(trainer: Trainer, warmup: int, measured: int) -> float:
    trainer.run(until_step=warmup)
    start = time.perf_counter()
    trainer.run(until_step=warmup + measured)
    return (trainer.step_count - warmup) / (time.perf_counter() - start)


def flops_per_step(trainer: Trainer, steps: int) -> float:
    """Network FLOPs per env step over the next ``steps`` steps (convolutions and matrix products,
    forward and backward; multiply and add count as two)."""
    start = trainer.step_count
    with FlopCounterMode(display=False) as counter:
        trainer.run(until_step=start + steps)
    return counter.get_total_flops() / (trainer.step_count - start)


def matmul_gflops(n: int = 2048, repeats: int = 5) -> float:
    """The CPU's best float32 rate on one n x n matrix product, in GFLOP/s: about the most a layer gets."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def processor() -> str:
    """The CPU's model name, as the OS reports it (timings only compare on the same machine)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def confirmation_seconds(device: str, episodes: int = 100) -> tuple[float, float, int]:
    """Seconds for the shipped network's ``episodes``-episode confirmation side by side and one episode at
    a time, and the environment steps it took (the same episodes both ways, or this raises)."""
    network, config = load_policy(SHIPPED_POLICY)
    trainer = preset("solved", config.env_id, device=device).build()
    trainer.agent.online.load_state_dict(network.state_dict())
    seeds = [CONFIRM_SEED_OFFSET + i for i in range(episodes)]
    timings, results = [], []
    for n_envs in (min(EVAL_BATCH, episodes), 1):
        envs = [config.make_env() for _ in range(n_envs)]
        start = time.perf_counter()
        results.append(greedy_lengths(envs, trainer.agent.greedy_batch, seeds))
        timings.append(time.perf_counter() - start)
    if results[0] != results[1]:
        raise RuntimeError("side by side and one at a time played different episodes")
    return timings[0], timings[1], sum(results[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slides-steps", type=int, default=1_000)
    parser.add_argument("--recipe-steps", type=int, default=10_000)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--report", type=Path, default=None,
                        help="the markdown file to write the tables into (default: benchmarks/results.md, "
                             "or none with --set)")
    parser.add_argument("--section", default="speed: cpu")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="time the recipe with this setting changed (a candidate; see EXPERIMENTS.md)")
    args = parser.parse_args()
    try:  # a bad --set is refused before a minute of timing, in one line
        recipe_config = preset("solved", "CartPole-v0",
                               **{"eval_every": 0, "device": args.device} | parse_sets(args.set))
    except DQNHelpersError as error:
        parser.error(str(error))
    slides = preset("slides", "CartPole-v0", num_episodes=10**9, device=args.device).build()
    slides_sps = steps_per_second(slides, warmup=200, measured=args.slides_steps)
    recipe = recipe_config.build()
    recipe_sps = steps_per_second(recipe, warmup=recipe_config.learning_starts, measured=args.recipe_steps)
    slides_bytes = slides.agent.memory.bytes_per_transition
    recipe_bytes = recipe.agent.memory.bytes_per_transition
    slides_flops, recipe_flops = flops_per_step(slides, 40), flops_per_step(recipe, 400)
    lines = [
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {recipe.device}, "
        f"{processor()} ({os.cpu_count()} cores)",
        "",
        "| loop | env steps/s (learning) | bytes per stored transition |",
        "|---|---|---|",
        f"| slides (difference of 3x40x90 float screens, BatchNorm CNN, batch 128 every step) | "
        f"{slides_sps:.1f} | {slides_bytes:,.0f} |",
        f"| recipe (4 stacked uint8 30x90 frames, batch {recipe_config.batch_size} every "
        f"{recipe_config.train_every} steps){' with ' + ', '.join(args.set) if args.set else ''} | "
        f"{recipe_sps:.1f} | {recipe_bytes:,.0f} |",
        f"| ratio | **{recipe_sps / slides_sps:.1f}x faster** | **{slides_bytes / recipe_bytes:.1f}x smaller** |",
        "",
        f"Memory in total: the slides' 10,000 transitions {10_000 * slides_bytes / 1e6:,.0f} MB, the recipe's "
        f"100,000 {100_000 * recipe_bytes / 1e6:,.0f} MB.",
    ]
    side_by_side, one_by_one, steps = confirmation_seconds(args.device)
    lines += [
        "",
        f"A 100-episode confirmation on CartPole-v1 (the shipped network, {steps:,} greedy steps):",
        "",
        "| evaluation | seconds | env steps/s |",
        "|---|---|---|",
        f"| side by side ({EVAL_BATCH} episodes, one forward pass per step for all) | {side_by_side:.1f} | "
        f"{steps / side_by_side:,.0f} |",
        f"| one episode at a time | {one_by_one:.1f} | {steps / one_by_one:,.0f} |",
        f"| ratio | **{one_by_one / side_by_side:.1f}x faster** | |",
    ]
    slides_rate, recipe_rate = slides_flops * slides_sps / 1e9, recipe_flops * recipe_sps / 1e9
    less_arithmetic = slides_flops / recipe_flops  # the speed ratio at the slides' rate of arithmetic
    lines += [
        "",
        "The arithmetic: network FLOPs per env step (forward and backward passes, acting included), and the",
        f"rate each loop's speed amounts to; this machine's CPU does {matmul_gflops():.0f} GFLOP/s on one "
        "2048x2048 float32 matrix product:",
        "",
        "| loop | MFLOP per env step | GFLOP/s while training |",
        "|---|---|---|",
        f"| slides | {slides_flops / 1e6:,.0f} | {slides_rate:.1f} |",
        f"| recipe | {recipe_flops / 1e6:,.0f} | {recipe_rate:.1f} |",
        f"| ratio | **{less_arithmetic:.1f}x less arithmetic** | "
        f"recipe at {recipe_rate / slides_rate:.2f}x the slides' rate |",
        "",
        f"If the recipe computed at the slides' rate and nothing else took time, it would run "
        f"{less_arithmetic:.1f}x faster; 20x asks for {20 / less_arithmetic:.2f}x the "
        f"slides' rate ({20 / less_arithmetic * slides_rate:.0f} GFLOP/s), all else included.",
    ]
    text = "\n".join(lines)
    print(text)
    command = "python benchmarks/speed.py " + shlex.join(sys.argv[1:])
    report = args.report or (None if args.set else ROOT / "benchmarks" / "results.md")
    if report is None:  # a candidate's timing does not replace the recipe's table
        return
    write_section(report, args.section, f"Measured with `{command.strip()}` on {time.strftime('%Y-%m-%d')}.\n\n"
                  f"{text}")


if __name__ == "__main__":
    main()
