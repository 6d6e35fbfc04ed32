"""Same seed and torch threads, same run: short CartPole-v0 runs of both recipes, pinned.

The fingerprints were taken before the engine was reshaped into one loop with two agents
(issue 10) and must still match after it: the episodes, the evaluations and the kept
network's weights, bit for bit. The recipe's buffer is smaller than the run, so the order of
"start the next episode in the buffer" and "sample a batch" after the ring wraps is pinned too.
A change that alters a recipe's numbers on purpose updates these hashes in the same commit:
issue 12 (channels-last convolutions on a CPU, the input scaled in place) changed the recipe's
arithmetic in the last bits, so its hashes were re-pinned; the slides' are the ones taken before
issue 10. When the recipe adopted the slides' ε schedule, its old schedule kept its old pins.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SHORT_RECIPE = ["--preset", "solved", "--steps", "1500", "--checkpoint-every", "700",
                "--set", "learning_starts=300", "--set", "buffer_size=1000", "--set", "target_update_every=100",
                "--set", "eval_every=500", "--set", "eval_episodes=3", "--set", "final_eval_episodes=3",
                "--set", "hidden=32"]
RUNS = {
    "solved": SHORT_RECIPE,
    # the recipe before it adopted the slides' ε (experiment e15): the same hashes as before, so the
    # adoption changed nothing but the schedule
    "solved-linear-eps": SHORT_RECIPE + ["--set", "eps_schedule=linear", "--set", "eps_start=1.0",
                                         "--set", "eps_end=0.02", "--set", "eps_decay_steps=800"],
    "slides": ["--preset", "slides", "--episodes", "8", "--set", "eval_every=100", "--set", "eval_episodes=2",
               "--set", "final_eval_episodes=2", "--set", "memory_size=300", "--set", "batch_size=32"],
}

PINNED = {
    "solved": {"episodes.csv": "8c77d9607c7ef14c", "evals.csv": "a3c296e3f2c26e77", "weights": "bbf7a78f3c17371f",
               "final_mean": 22.333333333333332},
    "solved-linear-eps": {"episodes.csv": "8f5d247995aaca00", "evals.csv": "a3c296e3f2c26e77",
                          "weights": "443f5bae5061a29e", "final_mean": 18.0},
    "slides": {"episodes.csv": "b6d6bf888acb81a4", "evals.csv": "b84b2014caef19e9", "weights": "4fd34b2c1bf0436e",
               "final_mean": 10.0},
}


def fingerprint(out: Path) -> dict[str, str | float]:
    """Hashes of the curves and of the kept network's weights, and the final greedy mean."""
    weights = torch.load(out / "policy.pt", map_location="cpu", weights_only=True)["state_dict"]
    digest = hashlib.sha256()
    for name, tensor in weights.items():
        digest.update(name.encode())
        digest.update(tensor.contiguous().numpy().tobytes())
    return {
        "episodes.csv": hashlib.sha256((out / "episodes.csv").read_bytes()).hexdigest()[:16],
        "evals.csv": hashlib.sha256((out / "evals.csv").read_bytes()).hexdigest()[:16],
        "weights": digest.hexdigest()[:16],
        "final_mean": json.loads((out / "summary.json").read_text())["final_mean"],
    }


def run_cli(name: str, out: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "dqn_helpers", "train", "--env", "CartPole-v0", "--seed", "3",
               "--threads", "1", "--device", "cpu", "--wandb", "disabled", "--no-video", "--out", str(out),
               *RUNS[name]]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_short_run_of_each_recipe_matches_its_pinned_fingerprint(name, tmp_path):
    done = run_cli(name, tmp_path / name)
    assert done.returncode == 0, done.stderr
    assert fingerprint(tmp_path / name) == PINNED[name]


if __name__ == "__main__":  # print the fingerprints to pin: python tests/test_fingerprint.py /tmp/fp
    for run_name in sorted(RUNS):
        target = Path(sys.argv[1]) / run_name
        result = run_cli(run_name, target)
        print(run_name, result.returncode, result.stderr[-500:] if result.returncode else "", fingerprint(target))
