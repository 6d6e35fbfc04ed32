"""Run many CLI training runs, a few at a time, each in its own process and folder.

A run whose folder holds ``summary.json`` is finished and not run again; an interrupted one
resumes from its ``run.pt`` (the CLI does that), so a sweep can be stopped and started again.
Stopping the sweep stops its runs too, each saved where it is. Each run has its own process
group, so a signal meant for the sweep's group (Ctrl-C in its terminal, `timeout`, `kill -TERM
-PGID`) reaches the sweep alone, which passes it on to each run exactly once: a run that got it
twice would take the second as "stop now" and skip its save.
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
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        _run_all(pending, running, jobs, on_finish)
    except KeyboardInterrupt:  # Ctrl-C: pass it on, let the runs save, no traceback
        stop_all(running, signal.SIGINT)
        raise SystemExit(130) from None
    except SystemExit:  # SIGTERM
        stop_all(running, signal.SIGTERM)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, _frame: object) -> None:
    """Only raise: waiting on the runs inside a handler can deadlock with ``Popen.poll`` (same lock)."""
    raise SystemExit(128 + signum)


def stop_all(running: list[tuple[subprocess.Popen, Path]], signum: int) -> None:
    """Send each run ``signum`` once and wait for it to save and exit."""
    for process, _ in running:
        process.send_signal(signum)
    for process, run_dir in running:
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
                running.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                                 start_new_session=True), run_dir))
        time.sleep(2)
        for process, run_dir in list(running):
            if process.poll() is not None:
                running.remove((process, run_dir))
                print(f"finished {run_dir.name} (exit {process.returncode})", flush=True)
                if process.returncode == 0 and finished(run_dir):
                    on_finish(run_dir)
