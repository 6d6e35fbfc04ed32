"""A whole training run with its outputs: what the CLI and lesson 06 call.

``train_run`` resumes from ``<out>/run.pt`` when one exists, shows a tqdm progress bar, saves
the run when interrupted (Ctrl-C, or the notebook's stop button), and when done writes:

* ``episodes.csv`` / ``evals.csv`` and ``curve.png``: the learning curve;
* ``policy.pt``: the best evaluated network (small; ``checkpoint.load_policy`` reads it);
* ``summary.json``: the 100-episode greedy evaluation of that network and the run's numbers;
* ``agent.mp4``: one episode of the trained agent.
"""

from __future__ import annotations

import csv
import json
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from tqdm.auto import tqdm

from dqn_helpers.checkpoint import load_run, save_policy, save_run
from dqn_helpers.plots import plot_curve
from dqn_helpers.slides import SlidesConfig, SlidesTrainer
from dqn_helpers.tracking import log_video, start_tracking
from dqn_helpers.train import CONFIRM_SEED_OFFSET, EpisodeLog, TrainConfig, Trainer, deferred_interrupt
from dqn_helpers.video import save_mp4

RUN_FILE = "run.pt"


@dataclass
class RunResult:
    out_dir: Path
    completed: bool  # False when interrupted: call train_run again with the same out_dir to resume
    trainer: Trainer
    summary: dict[str, Any] | None = None


def train_run(
    config: TrainConfig | SlidesConfig | Trainer,
    out_dir: str | Path,
    wandb_mode: str = "auto",
    progress: bool = True,
    resume: bool = True,
    checkpoint_every: int | None = 50_000,
    video: bool = True,
    on_episode: Callable[[Trainer, EpisodeLog], None] | None = None,
) -> RunResult:
    """Train ``config`` into ``out_dir`` (resuming a run saved there), then write the outputs.

    ``config`` may also be a ready ``Trainer`` (lesson 06 plugs the student's loss into one).
    """
    out_dir = Path(out_dir)
    run_file = out_dir / RUN_FILE
    if isinstance(config, Trainer):
        trainer, config = config, config.config
    elif resume and run_file.exists():
        trainer = load_run(run_file, device=config.device)
        if trainer.config != config:
            raise ValueError(f"{run_file} holds a run with another config; use another --out or delete it")
        print(f"Resuming the run saved in {run_file} at step {trainer.step_count:,}.")
    else:
        trainer = make_trainer(config)
    tracker = start_tracking(wandb_mode, asdict(config), out_dir, name=out_dir.name)
    started, steps_before = time.perf_counter(), trainer.step_count
    bar = tqdm(total=budget_steps(config), initial=trainer.step_count, unit="step", disable=not progress,
               desc=f"{config.env_id} seed {config.seed}", smoothing=0.05)
    logged = len(trainer.history.evals)

    def episode_done(episode: EpisodeLog) -> None:
        nonlocal logged
        bar.update(trainer.step_count - bar.n)
        recent = [e.length for e in trainer.history.episodes[-20:]]
        postfix = {"last20": f"{np.mean(recent):.0f}", "eps": f"{episode.epsilon:.2f}"}
        if trainer.history.evals:
            postfix["eval"] = f"{trainer.history.evals[-1].mean:.0f}"
        bar.set_postfix(postfix, refresh=False)
        if tracker is not None:  # evaluations first: wandb's steps must only increase
            for ev in trainer.history.evals[logged:]:
                tracker.log({"eval/mean": ev.mean, "eval/min": ev.min, "eval/max": ev.max}, step=ev.step)
            logged = len(trainer.history.evals)
            tracker.log({"episode/length": episode.length, "episode/epsilon": episode.epsilon},
                        step=episode.step)
        if on_episode is not None:
            on_episode(trainer, episode)

    try:
        while not trainer.finished:
            until = trainer.step_count + checkpoint_every if checkpoint_every else None
            interrupted = not trainer.run(until_step=until, on_episode=episode_done)
            if interrupted or not trainer.finished:
                with deferred_interrupt() as interrupt_requested:  # a Ctrl-C waits for the save to finish
                    save_run(trainer, run_file)
                interrupted = interrupted or interrupt_requested()
            if interrupted:
                if tracker is not None:
                    tracker.finish()
                print(f"\nInterrupted at step {trainer.step_count:,}: saved to {run_file}. "
                      "Run the same command (or cell) again to resume.")
                return RunResult(out_dir, False, trainer)
        bar.update(trainer.step_count - bar.n)
        bar.total = bar.n  # finished (solved early or at the budget): a complete bar, not a red one
        bar.refresh()
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    try:
        summary = finish_run(trainer, out_dir, seconds, trainer.step_count - steps_before, video=video)
    except KeyboardInterrupt:  # trained but not yet evaluated: keep the training
        save_run(trainer, run_file)
        print(f"\nInterrupted while writing the outputs: the trained run is saved to {run_file}. "
              "Run the same command (or cell) again to finish.")
        return RunResult(out_dir, False, trainer)
    if tracker is not None:
        tracker.summary.update(summary)
        if video:
            log_video(tracker, out_dir / "agent.mp4")
        tracker.finish()
    run_file.unlink(missing_ok=True)  # done: the outputs hold what matters, the big run file goes
    return RunResult(out_dir, True, trainer, summary)


def budget_steps(config: TrainConfig | SlidesConfig) -> int | None:
    """The progress bar's total: the step budget (the slides count episodes, so: unknown)."""
    return None if isinstance(config, SlidesConfig) else config.total_steps


def make_trainer(config: TrainConfig | SlidesConfig) -> Trainer:
    """The recipe's ``Trainer``, or the slides' loop for a ``SlidesConfig``."""
    return SlidesTrainer(config) if isinstance(config, SlidesConfig) else Trainer(config)


def finish_run(trainer: Trainer, out_dir: Path, seconds: float, steps: int, video: bool = True) -> dict[str, Any]:
    """Write the curve, the best policy, its 100-episode evaluation and a video; return the summary."""
    c = trainer.config
    write_curves(trainer, out_dir)
    save_policy(trainer, out_dir / "policy.pt")
    trainer.load_best()
    lengths = trainer.evaluate(c.final_eval_episodes, seed_offset=CONFIRM_SEED_OFFSET + 500_000)
    summary = {
        "env_id": c.env_id,
        "seed": c.seed,
        "threshold": trainer.threshold,
        "steps": trainer.step_count,
        "solved_at_step": trainer.solved_at,
        "best_step": trainer.best_step,
        "final_mean": float(np.mean(lengths)),
        "final_min": int(np.min(lengths)),
        "final_episodes": len(lengths),
        "seconds_this_session": round(seconds, 1),
        "steps_per_second": round(steps / seconds, 1) if seconds > 0 else None,
        "bytes_per_transition": trainer.memory.bytes_per_transition,
        "device": str(trainer.device),
        "torch": torch.__version__,
        "machine": platform.processor() or platform.machine(),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if video:
        save_mp4(agent_frames(trainer), out_dir / "agent.mp4")
    return summary


def agent_frames(trainer: Trainer, seed: int = 7, max_steps: int = 500) -> list[np.ndarray]:
    """Full-size rendered frames of one greedy episode (the agent itself sees the small ones)."""
    env = trainer.eval_env
    observation, _ = env.reset(seed=CONFIRM_SEED_OFFSET + 900_000 + seed)
    frames = [env.render()]
    for _ in range(max_steps):
        observation, _, terminated, truncated, _ = env.step(trainer.greedy(observation))
        frames.append(env.render())
        if terminated or truncated:
            break
    return frames


def write_curves(trainer: Trainer, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "episodes.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["step", "episode", "length", "epsilon"])
        writer.writerows([e.step, e.episode, e.length, f"{e.epsilon:.4f}"] for e in trainer.history.episodes)
    with open(out_dir / "evals.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["step", "mean", "min", "max", "confirmed_mean"])
        writer.writerows([e.step, e.mean, e.min, e.max, e.confirmed_mean] for e in trainer.history.evals)
    figure = plot_curve(trainer)
    figure.savefig(out_dir / "curve.png", dpi=100, bbox_inches="tight")
    plt.close(figure)
