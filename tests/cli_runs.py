"""A real CLI training run in a subprocess, for the tests that interrupt one."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_until_first_save(out: Path) -> tuple[subprocess.Popen, list[str]]:
    """Start a 6,000-step CartPole-v0 run saving every 1,000 steps; return once ``run.pt`` exists.

    The first periodic save proves the training loop is running. Returns the process and its
    command (running the command again resumes the run).
    """
    command = [sys.executable, "-m", "dqn_helpers", "train", "--env", "CartPole-v0", "--steps", "6000",
               "--checkpoint-every", "1000", "--device", "cpu", "--wandb", "disabled", "--no-video",
               "--out", str(out)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while not (out / "run.pt").exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    return process, command
