"""Lesson 06's Weights & Biases section: the slides' calls, with real wandb in offline mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from dqn_helpers.slides import SlidesConfig, slides_loss, train_episode, train_with_wandb
from dqn_helpers.tracking import read_offline_history


@pytest.fixture
def no_wandb_key(tmp_path, monkeypatch):
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc: "auto" must go offline, never prompt
    monkeypatch.setenv("WANDB_SILENT", "true")


def test_the_slides_loop_logs_episodes_losses_evaluations_and_a_video_offline(tmp_path, no_wandb_key):
    config = SlidesConfig(device="cpu", batch_size=16, eval_episodes=2)
    run_dir = train_with_wandb(train_episode, slides_loss, n_episodes=4, out_dir=tmp_path / "runs", config=config,
                               eval_every=2, video_steps=15)
    assert run_dir.name.startswith("offline-run-")
    rows = read_offline_history(run_dir)
    episodes = [row for row in rows if "episode_length" in row]
    assert [row["episode"] for row in episodes] == [0, 1, 2, 3]
    assert all(row["episode_length"] == row["episode_return"] >= 8 for row in episodes)
    assert all(0.05 < row["epsilon"] <= 0.9 for row in episodes)
    assert any(row.get("loss", 0) > 0 for row in episodes)  # learning starts once 16 transitions are stored
    assert len([row for row in rows if "eval_mean_length" in row]) == 2
    video = next(row for row in rows if "agent/path" in row)  # nested keys read back as "agent/..."
    assert video["agent/_type"] == "video-file"
    assert (run_dir / "files" / video["agent/path"]).stat().st_size > 1000


def test_reading_a_directory_without_a_run_says_so(tmp_path):
    from dqn_helpers.errors import DQNHelpersError

    with pytest.raises(DQNHelpersError, match="offline wandb run directory"):
        read_offline_history(tmp_path)


def test_reading_waits_until_wandb_has_finished_writing_the_run(tmp_path, no_wandb_key):
    import shutil
    import threading

    import wandb

    run = wandb.init(project="p", dir=str(tmp_path), mode="offline", settings=wandb.Settings(console="off"))
    for i in range(3):
        wandb.log({"episode_length": 10 + i})
    run_dir = Path(run.dir).parent
    run.finish()
    finished = next(run_dir.glob("run-*.wandb"))
    complete = finished.read_bytes()
    copy = tmp_path / "copy" / "offline-run-copy"
    copy.mkdir(parents=True)
    (copy / finished.name).write_bytes(complete[: len(complete) // 2])  # wandb still writing
    threading.Timer(0.5, lambda: shutil.copy(finished, copy / finished.name)).start()
    rows = read_offline_history(copy, wait_s=20)
    assert [row["episode_length"] for row in rows] == [10, 11, 12]


def test_reading_waits_until_wandb_has_created_the_run_file(tmp_path, no_wandb_key):
    """Seen in CI on a loaded machine: run.finish() returned before run-<id>.wandb existed."""
    import shutil
    import threading

    import wandb

    run = wandb.init(project="p", dir=str(tmp_path), mode="offline", settings=wandb.Settings(console="off"))
    wandb.log({"episode_length": 7})
    run_dir = Path(run.dir).parent
    run.finish()
    finished = next(run_dir.glob("run-*.wandb"))
    copy = tmp_path / "copy" / "offline-run-late"
    copy.mkdir(parents=True)
    threading.Timer(0.5, lambda: shutil.copy(finished, copy / finished.name)).start()
    assert [row["episode_length"] for row in read_offline_history(copy, wait_s=20)] == [7]
