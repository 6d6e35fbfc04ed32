"""A whole training run with its outputs: what the CLI and lessons 06-08 call.

``train_run(config.build(), out)`` resumes from ``<out>/run.pt`` when one exists, shows a tqdm
progress bar, saves the run when interrupted (Ctrl-C, or the notebook's stop button), writes
``episodes.csv`` / ``evals.csv`` as it goes, and when done:

* ``curve.png``: the learning curve;
* ``policy.pt``: the best evaluated network (small; ``checkpoint.load_policy`` reads it);
* ``summary.json``: the 100-episode greedy evaluation of that network and the run's numbers;
* ``agent.mp4``: one episode of the trained agent.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch

from dqn_helpers.checkpoint import load_run, save_policy, save_run
from dqn_helpers.errors import DQNHelpersError, RunInterrupted
from dqn_helpers.i18n import _
from dqn_helpers.interrupt import deferred_interrupt
from dqn_helpers.lock import folder_lock
from dqn_helpers.loop import FINAL_EVAL_SEED_OFFSET, VIDEO_SEED, Observer, Trainer
from dqn_helpers.observers import CsvLog, ProgressBar, WandbLog
from dqn_helpers.plots import plot_curve
from dqn_helpers.tracking import log_video, start_tracking
from dqn_helpers.video import save_mp4

RUN_FILE = "run.pt"
CHECKPOINT_EVERY = 50_000  # steps between saves of the resumable run (about 6 minutes on a 2-core CPU)
CHECKPOINT_MINUTES = 10.0  # ...and at least this often, however slow the machine


@dataclass
class RunResult:
    out_dir: Path
    completed: bool  # False when interrupted: call train_run again with the same out_dir to resume
    trainer: Trainer
    summary: dict[str, Any] | None = None


def train_run(
    trainer: Trainer,
    out_dir: str | Path,
    wandb_mode: str = "auto",
    progress: bool = True,
    resume: bool = True,
    checkpoint_every: int | None = CHECKPOINT_EVERY,
    video: bool = True,
    observers: Iterable[Observer] = (),
    overwrite: bool = True,
    stop_on_interrupt: bool | None = None,
) -> RunResult:
    """Train ``trainer`` (``config.build()``) into ``out_dir``, resuming a run saved there; write the outputs.

    ``observers`` follow the run as well as the progress bar, the CSV files and W&B (e.g. a
    ``plots.LiveCurve``). ``overwrite=False`` refuses a folder holding a finished run (the CLI's
    default); a notebook cell run again trains again. An interrupted run is saved; then, with
    ``stop_on_interrupt`` (default: when running in a Jupyter kernel), ``RunInterrupted`` is
    raised, so that "Run All" stops at this cell; otherwise the result says ``completed=False``.
    """
    if not str(out_dir).strip():  # Path("") is the current folder: the outputs would land among other files
        raise DQNHelpersError("--out is empty: name a folder for the run's outputs, e.g. --out runs/my-run")
    out_dir = check_out_dir(Path(out_dir).expanduser(), resume=resume, overwrite=overwrite)
    with folder_lock(out_dir):
        result = train_in_folder(trainer, out_dir, wandb_mode, progress, resume, checkpoint_every, video, observers)
    if not result.completed and (in_notebook() if stop_on_interrupt is None else stop_on_interrupt):
        raise RunInterrupted(out_dir, trainer.step_count)
    return result


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (JupyterLab, Colab), where a stopped run should stop "Run All"."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def train_in_folder(trainer: Trainer, out_dir: Path, wandb_mode: str, progress: bool, resume: bool,
                    checkpoint_every: int | None, video: bool, observers: Iterable[Observer]) -> RunResult:
    """``train_run`` once the folder is checked and locked."""
    run_file = out_dir / RUN_FILE
    resuming = resume and run_file.exists()
    if resuming:
        changed = load_run(run_file, trainer)
        print(_("Resuming the run saved in {file} at step {step:,}, with changed settings: {changes}.")
              .format(file=run_file, step=trainer.step_count, changes="; ".join(changed)) if changed else
              _("Resuming the run saved in {file} at step {step:,}.").format(file=run_file, step=trainer.step_count))
    try:
        tracker = start_tracking(wandb_mode, asdict(trainer.config), out_dir, name=out_dir.name, resuming=resuming)
    except KeyboardInterrupt:  # stopped while W&B starts (it can wait on the network): nothing trained yet
        return RunResult(out_dir, save_and_say_interrupted(trainer, run_file), trainer)
    started, steps_before = time.perf_counter(), trainer.step_count
    watchers = [ProgressBar(progress), CsvLog(out_dir), *([WandbLog(tracker)] if tracker else []), *observers]
    completed, stopped = train_observed(trainer, run_file, checkpoint_every, watchers)
    summary = None
    if completed:
        summary = write_outputs(trainer, out_dir, tracker, time.perf_counter() - started,
                                trainer.step_count - steps_before, video, progress, stopped)
    else:
        with deferred_interrupt(shield=True):
            finish_tracking(tracker, None, None)
    if summary is None:
        return RunResult(out_dir, False, trainer)
    for finished_with in (run_file, run_file.with_name(RUN_FILE + ".prev")):
        finished_with.unlink(missing_ok=True)  # done: the outputs hold what matters, the big run files go
    return RunResult(out_dir, True, trainer, summary)


def train_observed(trainer: Trainer, run_file: Path, checkpoint_every: int | None,
                   observers: list[Observer]) -> tuple[bool, bool]:
    """Train with ``observers`` attached: (completed, stop requested while the observers finished).

    A stop pressed while the progress bar and the live plot appear, or while the plot draws its
    last frame, is honoured once they are done: an interrupt outside the loop must not end in a
    traceback, and must not lose the run.
    """
    with deferred_interrupt(shield=True) as stopped_while_starting:
        trainer.attach(observers)
    try:
        if stopped_while_starting():
            completed = save_and_say_interrupted(trainer, run_file)
        else:
            completed = train_with_checkpoints(trainer, run_file, checkpoint_every)
    finally:
        with deferred_interrupt(shield=True) as stopped_while_ending:
            trainer.detach_all()
    return completed, stopped_while_ending()


def write_outputs(trainer: Trainer, out_dir: Path, tracker: Any, seconds: float, steps: int, video: bool,
                  progress: bool, stopped: bool) -> dict[str, Any] | None:
    """A trained run's outputs and its W&B summary; None (the trained run kept in run.pt) if stopped first."""
    run_file = out_dir / RUN_FILE
    live = {k: v.detach().clone() for k, v in trainer.agent.online.state_dict().items()}
    summary = None
    try:
        if stopped:
            raise KeyboardInterrupt
        summary = finish_run(trainer, out_dir, seconds, steps, video=video, progress=progress)
    except KeyboardInterrupt:  # trained but not yet evaluated: keep the training
        keep_trained_run(trainer, live, run_file)
        print("\n" + _("Interrupted while writing the outputs: the trained run is saved to {file}. "
                       "Run the same command (or cell) again to finish.").format(file=run_file))
    except (Exception, MemoryError) as error:  # a full disk, no memory left...: the training must not be lost
        saved = keep_trained_run(trainer, live, run_file)
        kept = (f"the trained run is saved to {run_file}: free what is missing and run the same command (or cell) "
                "again to finish" if saved else f"the last checkpoint in {run_file} (if any) is kept")
        tracker_error = DQNHelpersError(f"writing the outputs failed ({type(error).__name__}: {str(error)[:300]}); "
                                        f"{kept}")
        finish_tracking(tracker, None, None)
        raise tracker_error from error
    with deferred_interrupt(shield=True) as stopped_while_closing:  # the outputs are written: finish closing
        finish_tracking(tracker, summary, out_dir / "agent.mp4" if video else None)
    if summary is not None and stopped_while_closing():
        print("\n" + _("Stop requested after the run had finished: its outputs are complete in {folder}.")
              .format(folder=out_dir))
    return summary


def keep_trained_run(trainer: Trainer, live: dict[str, torch.Tensor] | None, run_file: Path) -> bool:
    """Save a trained run whose outputs could not be written, with the network as training left it (the final
    evaluation loads the kept one), so that the same command finishes it. False if even that save failed."""
    if live is not None:
        trainer.agent.online.load_state_dict(live)
    try:
        save_run(trainer, run_file)
    except (Exception, MemoryError):  # noqa: BLE001 - the caller reports the original failure
        return False
    return True


def finish_tracking(tracker: Any, summary: dict[str, Any] | None, video: Path | None) -> None:
    """Close the W&B run, with the summary and the agent's video when the run completed."""
    if tracker is None:
        return
    if summary is not None:
        tracker.summary.update(summary)
        if video is not None:
            log_video(tracker, video)
    tracker.finish()


def check_out_dir(out_dir: Path, resume: bool, overwrite: bool) -> Path:
    """Make sure the outputs can be written *before* training: a folder, writable, not a finished run."""
    if out_dir.exists() and not out_dir.is_dir():
        raise DQNHelpersError(f"--out {out_dir} is a file, not a folder: choose a folder for the run's outputs")
    try:
        if out_dir.is_symlink() and not out_dir.exists():
            raise DQNHelpersError(f"--out {out_dir} is a link to {os.readlink(out_dir)}, which does not exist: "
                                  "choose another --out, or make the folder it points to")
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-test-"):  # a name of its own: runs side by side
            pass
    except OSError as error:
        raise DQNHelpersError(f"cannot write to {out_dir}: {error.strerror or error}. Choose another --out") from None
    resumable = resume and (out_dir / RUN_FILE).exists()
    if (out_dir / "summary.json").exists() and not resumable and not overwrite:
        raise DQNHelpersError(f"{out_dir} holds a finished run (summary.json, policy.pt): use another --out, "
                              "or --overwrite to replace its outputs")
    return out_dir


def train_with_checkpoints(trainer: Trainer, run_file: Path, checkpoint_every: int | None,
                           checkpoint_minutes: float | None = CHECKPOINT_MINUTES) -> bool:
    """Train to the end, saving the run every ``checkpoint_every`` steps and every ``checkpoint_minutes``;
    False if interrupted (and saved)."""
    while not trainer.finished:
        until = trainer.step_count + checkpoint_every if checkpoint_every else None
        deadline = time.monotonic() + 60 * checkpoint_minutes if checkpoint_minutes else None
        interrupted = not trainer.run(until_step=until, deadline=deadline)
        if interrupted:
            return save_and_say_interrupted(trainer, run_file)
        if not trainer.finished:
            with deferred_interrupt(shield=True) as interrupt_requested:  # a Ctrl-C waits for the save
                save_run(trainer, run_file)
            if interrupt_requested():
                return say_interrupted(trainer, run_file)
    return True


def save_and_say_interrupted(trainer: Trainer, run_file: Path) -> bool:
    """Save a stopped run (a Ctrl-C during the save waits for it) and say how to resume; False, as not completed."""
    with deferred_interrupt(shield=True):
        save_run(trainer, run_file)
    return say_interrupted(trainer, run_file)


def say_interrupted(trainer: Trainer, run_file: Path) -> bool:
    print("\n" + _("Interrupted at step {step:,}: saved to {file}. Run the same command (or cell) again to resume.")
          .format(step=trainer.step_count, file=run_file))
    return False


def finish_run(trainer: Trainer, out_dir: Path, seconds: float, steps: int, video: bool = True,
               progress: bool = False) -> dict[str, Any]:
    """Write the curve, the kept policy, its and the live network's evaluations, a video; return the summary."""
    c = trainer.config
    write_curve(trainer, out_dir)
    save_policy(trainer, out_dir / "policy.pt")
    live, lengths = final_evaluations(trainer, progress)
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
        "live_final_mean": float(np.mean(live)),  # the network at the end of training, not the kept one
        "live_final_min": int(np.min(live)),
        "seconds_this_session": round(seconds, 1),
        "training_seconds": round(trainer.train_seconds, 1),  # all sessions of a resumed run
        "seconds_to_solve": None if trainer.solved_seconds is None else round(trainer.solved_seconds, 1),
        "steps_per_second": round(trainer.step_count / trainer.train_seconds, 1) if trainer.train_seconds > 0 else None,
        "bytes_per_transition": trainer.agent.memory.bytes_per_transition,
        "device": str(trainer.device),
        "torch": torch.__version__,
        "machine": platform.processor() or platform.machine(),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if video:
        save_mp4(agent_frames(trainer), out_dir / "agent.mp4")
    return summary


def final_evaluations(trainer: Trainer, progress: bool = False) -> tuple[list[int], list[int]]:
    """The episode lengths of the network as training left it, then of the kept (best evaluated)
    one, on the same fresh episodes; the kept network is left loaded. Kept at the last step (or
    none kept) means the same weights, so the same episodes: they are not played twice."""
    episodes = trainer.config.final_eval_episodes

    def shown(name: str) -> str | None:  # the progress bar's name, or no bar
        return name if progress else None

    live = trainer.evaluate(episodes, seed_offset=FINAL_EVAL_SEED_OFFSET,
                            progress=shown(_("final evaluation, live network")))
    kept_is_live = trainer.best_state is None or trainer.best_step == trainer.step_count
    trainer.load_best()
    kept = live if kept_is_live else trainer.evaluate(episodes, seed_offset=FINAL_EVAL_SEED_OFFSET,
                                                      progress=shown(_("final evaluation, kept network")))
    return live, kept


def agent_frames(trainer: Trainer, seed: int = VIDEO_SEED, max_steps: int = 500) -> list[np.ndarray]:
    """Full-size rendered frames of one greedy episode (the agent itself sees the small ones)."""
    env = trainer.eval_env
    observation, _ = env.reset(seed=seed)
    frames = [env.render()]
    for _ in range(max_steps):
        observation, _, terminated, truncated, _ = env.step(trainer.agent.greedy(observation))
        frames.append(env.render())
        if terminated or truncated:
            break
    return frames


def write_curve(trainer: Trainer, out_dir: Path) -> None:
    """``curve.png``: the learning curve (the CSV files are written as the run goes, by ``CsvLog``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    figure = plot_curve(trainer)
    figure.savefig(out_dir / "curve.png", dpi=100, bbox_inches="tight")
    plt.close(figure)
