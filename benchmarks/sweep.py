"""Run many CLI training runs, a few at a time, each in its own process and folder.

A run whose folder holds ``summary.json`` is finished and not run again; an interrupted one
resumes from its ``run.pt`` (the CLI does that), so a sweep can be stopped and started again.
Stopping the sweep stops its runs too, each saved where it is: SIGTERM to the sweep is passed on
to them; Ctrl-C in its terminal reaches them directly, and the sweep waits for them to save.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def finished(run_dir: Path) -> bool:
    return (run_dir / "summary.json").exists()


def run_queue(queue: list[tuple[Path, list[str]]], jobs: int,
              on_finish: Callable[[Path], None] = lambda run_dir: None) -> None:
    """Run each (folder, command) not finished yet, ``jobs`` at a time, logging to ``<folder>/train.log``;
    ``on_finish(folder)`` is called as each one ends well."""
    pending = [(run_dir, command) for run_dir, command in queue if not finished(run_dir)]
    print(f"{len(queue) - len(pending)} of {len(queue)} runs already finished", flush=True)
    running: list[tuple[subprocess.Popen, Path]] = []

    def stop(signum: int, _frame: object) -> None:
        """SIGTERM to this process alone would leave the runs training: pass it on, and end the sweep."""
        for process, _ in running:
            process.terminate()
        wait_for(running)
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        _run_all(pending, running, jobs, on_finish)
    except KeyboardInterrupt:  # Ctrl-C in the terminal reached the runs too: let them save, no traceback
        wait_for(running, patience=60)
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def wait_for(running: list[tuple[subprocess.Popen, Path]], patience: float | None = None) -> None:
    """Wait for each run to save and exit; after ``patience`` seconds, ask one still training to stop."""
    for process, run_dir in running:
        try:
            process.wait(timeout=patience)
        except subprocess.TimeoutExpired:  # it did not hear the Ctrl-C (sent to the sweep alone)
            process.terminate()
            process.wait()
        print(f"stopped {run_dir.name} (exit {process.returncode}); the next call picks it up", flush=True)


def _run_all(pending: list[tuple[Path, list[str]]], running: list[tuple[subprocess.Popen, Path]], jobs: int,
             on_finish: Callable[[Path], None]) -> None:
    while pending or running:
        while pending and len(running) < jobs:
            run_dir, command = pending.pop(0)
            run_dir.mkdir(parents=True, exist_ok=True)
            with open(run_dir / "train.log", "a") as log:
                print("started:", " ".join(command[1:]), flush=True)
                running.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT), run_dir))
        time.sleep(2)
        for process, run_dir in list(running):
            if process.poll() is not None:
                running.remove((process, run_dir))
                print(f"finished {run_dir.name} (exit {process.returncode})", flush=True)
                if process.returncode == 0 and finished(run_dir):
                    on_finish(run_dir)
