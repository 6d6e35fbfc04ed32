"""What follows a run as it happens: a progress bar, CSV files, Weights & Biases.

Each is a ``loop.Observer``: the trainer calls it at every episode's end and every evaluation
(as CleanRL logs at the event itself), so no caller has to poll the history for what is new.
``plots.LiveCurve`` is one more, for notebooks.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from dqn_helpers.i18n import _
from dqn_helpers.loop import EpisodeLog, EvalLog, Observer, Trainer

EPISODE_COLUMNS = ["step", "episode", "length", "epsilon"]
EVAL_COLUMNS = ["step", "mean", "min", "max", "confirmed_mean"]


class ProgressBar(Observer):
    """A tqdm bar over the budget, with the recent episode lengths, ε and the last evaluation.

    It counts steps; a run whose episode budget ends it first (the slides' 50 episodes) counts
    episodes, so that the bar's total and time to go are the real ones."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled, self.bar, self.by_episode = enabled, None, False

    def done(self, trainer: Trainer) -> int:
        return len(trainer.history.episodes) if self.by_episode else trainer.step_count

    def on_start(self, trainer: Trainer) -> None:
        c = trainer.config
        self.by_episode = c.episodes_bind(trainer.env.spec.max_episode_steps if trainer.env.spec else None)
        total = c.num_episodes if self.by_episode else c.total_steps
        self.bar = tqdm(total=total, initial=self.done(trainer), unit=_("episode") if self.by_episode else _("step"),
                        disable=not self.enabled, desc=_("{env} seed {seed}").format(env=c.env_id, seed=c.seed),
                        smoothing=0.05)

    def on_episode(self, trainer: Trainer, episode: EpisodeLog) -> None:
        self.bar.update(self.done(trainer) - self.bar.n)
        if self.by_episode:
            self.bar.set_description(_("{env} seed {seed}, {steps:,} steps").format(
                env=trainer.config.env_id, seed=trainer.config.seed, steps=trainer.step_count), refresh=False)
        recent = [e.length for e in trainer.history.episodes[-20:]]
        postfix = {"last20": f"{np.mean(recent):.0f}", "eps": f"{episode.epsilon:.2f}"}
        if trainer.history.evals:
            postfix["eval"] = f"{trainer.history.evals[-1].mean:.0f}"
        self.bar.set_postfix(postfix, refresh=False)

    def on_end(self, trainer: Trainer) -> None:
        self.bar.update(self.done(trainer) - self.bar.n)
        if trainer.finished:  # solved early or at the budget: a complete bar, not a red one
            self.bar.total = self.bar.n
            self.bar.refresh()
        self.bar.close()


class CsvLog(Observer):
    """``episodes.csv`` and ``evals.csv``, a row per event, flushed so ``tail -f`` shows progress.

    At the start (also of a resumed run) both files are rewritten from the trainer's history, so
    rows written after the last checkpoint of an interrupted run are not repeated.
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self.files: dict[str, Any] = {}

    def _open(self, name: str, columns: list[str], rows: list[list]) -> None:
        handle = open(self.out_dir / name, "w", newline="")  # noqa: SIM115 - closed in on_end
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
        handle.flush()
        self.files[name] = (handle, writer)

    def _append(self, name: str, row: list) -> None:
        if name not in self.files:
            return  # writing it failed before: the run goes on without it
        handle, writer = self.files[name]
        try:
            writer.writerow(row)
            handle.flush()
        except OSError as error:  # a full disk must not end the run in the middle of a step
            del self.files[name]
            try:
                handle.close()
            except OSError:
                pass  # what it could not write is lost; on_end writes the file again, whole
            print("\n" + _("{file} could not be written ({reason}); training goes on, and the file is written again "
                           "from the run's history when the run resumes or ends.")
                  .format(file=self.out_dir / name, reason=error.strerror or error), file=sys.stderr)

    def on_start(self, trainer: Trainer) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._open("episodes.csv", EPISODE_COLUMNS, [episode_row(e) for e in trainer.history.episodes])
        self._open("evals.csv", EVAL_COLUMNS, [eval_row(e) for e in trainer.history.evals])

    def on_episode(self, trainer: Trainer, episode: EpisodeLog) -> None:
        self._append("episodes.csv", episode_row(episode))

    def on_evaluation(self, trainer: Trainer, evaluation: EvalLog) -> None:
        self._append("evals.csv", eval_row(evaluation))

    def on_end(self, trainer: Trainer) -> None:
        for handle, _writer in self.files.values():
            handle.close()
        if len(self.files) < 2:  # a write failed on the way: try once more, whole, from the history
            try:
                self.on_start(trainer)
                for handle, _writer in self.files.values():
                    handle.close()
            except OSError:
                pass  # still no room: the history is in run.pt, and the next session writes the files
        self.files.clear()


def episode_row(episode: EpisodeLog) -> list:
    return [episode.step, episode.episode, episode.length, f"{episode.epsilon:.4f}"]


def eval_row(evaluation: EvalLog) -> list:
    return [evaluation.step, evaluation.mean, evaluation.min, evaluation.max, evaluation.confirmed_mean]


class WandbLog(Observer):
    """Each episode and evaluation logged to a wandb run at its environment step."""

    def __init__(self, run: Any) -> None:
        self.run = run

    def on_episode(self, trainer: Trainer, episode: EpisodeLog) -> None:
        self.run.log({"episode/length": episode.length, "episode/epsilon": episode.epsilon}, step=episode.step)

    def on_evaluation(self, trainer: Trainer, evaluation: EvalLog) -> None:
        logged = {"eval/mean": evaluation.mean, "eval/min": evaluation.min, "eval/max": evaluation.max}
        if evaluation.confirmed_mean is not None:
            logged["eval/confirmed_mean"] = evaluation.confirmed_mean
        self.run.log(logged, step=evaluation.step)
