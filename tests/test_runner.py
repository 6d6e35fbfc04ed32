"""A whole run through the CLI: its outputs, interruption, resume, wandb offline, clear errors."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from cli_runs import start_until_first_save

from dqn_helpers.__main__ import main
from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.tracking import resolve_mode

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--env", "CartPole-v0", "--steps", "600", "--device", "cpu"]


@pytest.fixture
def no_wandb_key(tmp_path, monkeypatch):
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))


def test_cli_writes_curve_policy_summary_video_and_an_offline_wandb_run(tmp_path, no_wandb_key, capsys):
    out = tmp_path / "run"
    assert main(["train", "--preset", "solved", *SMALL, "--out", str(out)]) == 0
    assert "greedy mean over 100 episodes" in capsys.readouterr().out
    for name in ("episodes.csv", "evals.csv", "curve.png", "policy.pt", "summary.json", "agent.mp4"):
        assert (out / name).stat().st_size > 0, name
    assert not (out / "run.pt").exists()  # the big resumable file goes once the run is done
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 600 and summary["final_episodes"] == 100
    # not solved in 600 steps: the live network is the kept one, and nothing was solved
    assert summary["live_final_mean"] == summary["final_mean"] and summary["seconds_to_solve"] is None
    assert summary["bytes_per_transition"] <= 86_400 / 20
    rows = list(csv.DictReader(open(out / "episodes.csv")))
    assert int(rows[-1]["step"]) <= 600 and sum(int(r["length"]) for r in rows) == int(rows[-1]["step"])
    assert list((out / "wandb").glob("offline-run-*"))  # auto → offline without a key, no prompt


def test_cli_slides_preset_runs_its_episodes(tmp_path, no_wandb_key):
    out = tmp_path / "slides"
    assert main(["train", "--preset", "slides", "--env", "CartPole-v0", "--episodes", "2", "--no-video",
                 "--set", "final_eval_episodes=5", "--wandb", "disabled", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert 43_200 <= summary["bytes_per_transition"] < 43_200 * 1.2  # one float screen per transition
    assert summary["final_episodes"] == 5  # the --set reached the run


def test_cli_reports_bad_settings_without_a_traceback(tmp_path, capsys):
    assert main(["train", "--preset", "solved", "--set", "memory_size=3", "--out", str(tmp_path)]) == 2
    assert "no setting" in capsys.readouterr().err
    assert main(["train", "--env", "CartPole-v9", "--out", str(tmp_path / "x"), "--wandb", "disabled"]) == 2
    assert "cannot show CartPole-v9: use CartPole-v0 or CartPole-v1" in capsys.readouterr().err


def test_online_tracking_without_a_key_is_an_error_not_a_prompt(no_wandb_key):
    assert resolve_mode("auto") == "offline"
    with pytest.raises(DQNHelpersError, match="wandb login"):
        resolve_mode("online")


def test_ctrl_c_on_the_cli_saves_and_the_same_command_resumes(tmp_path):
    out = tmp_path / "run"
    process, command = start_until_first_save(out)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 130, output
    assert "Run the same command" in output and (out / "run.pt").exists()
    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Resuming the run" in resumed.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 6000
    assert summary["steps_per_second"] > 0  # over both sessions' training time, not 0.0 (no speed bar: load varies)


def test_ctrl_c_during_a_periodic_save_finishes_the_save_then_stops(tmp_path, monkeypatch, capsys):
    import os

    from dqn_helpers import runner
    from dqn_helpers.checkpoint import load_run
    from dqn_helpers.presets import preset

    real_save, calls = runner.save_run, []

    def save_with_a_ctrl_c_in_the_middle(trainer, path):
        calls.append(trainer.step_count)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # lands while the checkpoint is being written
        real_save(trainer, path)

    monkeypatch.setattr(runner, "save_run", save_with_a_ctrl_c_in_the_middle)
    config = preset("solved", "CartPole-v0", total_steps=3_000, learning_starts=200, eval_every=0, device="cpu")
    result = runner.train_run(config.build(), tmp_path / "run", wandb_mode="disabled", progress=False,
                              checkpoint_every=500, video=False)
    assert not result.completed and calls == [500]
    assert "Interrupted at step 500" in capsys.readouterr().out
    load_run(tmp_path / "run" / "run.pt", resumed := config.build())
    assert resumed.step_count == 500


class _StopPressedIn:
    """An observer during whose ``on_start`` or ``on_end`` the user presses stop (a live plot drawing, say)."""

    def __init__(self, moment: str) -> None:
        self.moment = moment

    def _press(self, moment: str) -> None:
        if moment == self.moment:
            os.kill(os.getpid(), signal.SIGINT)

    def on_start(self, trainer) -> None:
        self._press("start")

    def on_episode(self, trainer, episode) -> None:
        pass

    def on_evaluation(self, trainer, evaluation) -> None:
        pass

    def on_end(self, trainer) -> None:
        self._press("end")


@pytest.fixture
def kernel_sigint():
    """SIGINT raises KeyboardInterrupt, as in a Jupyter kernel. Some xdist workers ignore SIGINT (SIG_IGN):
    there a stop outside the run's own handler would never arrive."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("moment", ["tracking", "start", "end"])
def test_a_stop_outside_the_training_loop_saves_the_run_and_ends_without_a_traceback(tmp_path, monkeypatch, capsys,
                                                                                      kernel_sigint, moment):
    """Stop pressed while W&B starts, while the progress bar and live plot appear, or while the plot draws its
    last frame: the run is saved, the notebook gets its one-line RunInterrupted, and the same cell resumes."""

    from dqn_helpers import runner
    from dqn_helpers.checkpoint import load_run
    from dqn_helpers.errors import RunInterrupted
    from dqn_helpers.presets import preset

    if moment == "tracking":
        def tracking_stopped(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGINT)  # Python raises KeyboardInterrupt at the next bytecode
            raise AssertionError("the signal did not arrive")

        monkeypatch.setattr(runner, "start_tracking", tracking_stopped)
    config = preset("solved", "CartPole-v0", total_steps=300, learning_starts=100, eval_every=0,
                    final_eval_episodes=2, device="cpu")
    with pytest.raises(RunInterrupted) as stopped:
        runner.train_run(config.build(), tmp_path / "run", wandb_mode="disabled", progress=False, video=False,
                         observers=[_StopPressedIn(moment)], stop_on_interrupt=True)
    trained = 300 if moment == "end" else 0
    assert stopped.value.step == trained
    assert not (tmp_path / "run" / "summary.json").exists()
    load_run(tmp_path / "run" / "run.pt", resumed := config.build())
    assert resumed.step_count == trained
    assert "Run the same command (or cell) again" in capsys.readouterr().out
    monkeypatch.undo()
    result = runner.train_run(config.build(), tmp_path / "run", wandb_mode="disabled", progress=False, video=False)
    assert result.completed and (tmp_path / "run" / "summary.json").exists()
