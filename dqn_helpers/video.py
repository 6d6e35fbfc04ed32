"""Record episodes as MP4 files and show them inline in a notebook.

Frames come from ``env.render()`` in ``rgb_array`` mode, so no screen is involved. We write the
MP4 ourselves with imageio (its ffmpeg binary ships in the ``imageio-ffmpeg`` wheel) instead of
gymnasium's ``RecordVideo`` wrapper, which needs moviepy, and instead of wandb's
``monitor_gym``, which does not work with gymnasium 1.x.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import gymnasium as gym
import imageio.v2 as imageio
import numpy as np

from dqn_helpers.env import Episode, Policy, run_episode

DEFAULT_FPS = 50  # CartPole's physics step is 0.02 s, so 50 frames per second is real time.


def save_mp4(frames: Sequence[np.ndarray], path: str | Path, fps: int = DEFAULT_FPS) -> Path:
    """Write ``frames`` (each H x W x 3, uint8) to an H.264 MP4 that browsers can play."""
    if len(frames) == 0:
        raise ValueError("save_mp4 got no frames: record at least one frame first.")
    first = np.asarray(frames[0])
    if first.ndim != 3 or first.shape[2] != 3 or first.dtype != np.uint8:
        raise ValueError(
            f"save_mp4 expects RGB frames of shape (height, width, 3) and dtype uint8, got "
            f"shape {first.shape} and dtype {first.dtype}."
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # H.264 in yuv420p (the format browsers play) needs even sides; pad by one pixel if odd.
    pad = ((0, first.shape[0] % 2), (0, first.shape[1] % 2), (0, 0))
    with imageio.get_writer(
        path, format="FFMPEG", fps=fps, codec="libx264", macro_block_size=1,
        ffmpeg_log_level="error",
    ) as writer:
        for frame in frames:
            writer.append_data(np.pad(np.asarray(frame), pad, mode="edge"))
    return path


def record_video(
    env: gym.Env,
    policy: Policy,
    path: str | Path,
    seed: int | None = None,
    max_steps: int | None = None,
    fps: int = DEFAULT_FPS,
) -> Episode:
    """Play one episode with ``policy``, save it as an MP4 at ``path``, and return the episode."""
    episode = run_episode(env, policy, seed=seed, record=True, max_steps=max_steps)
    save_mp4(episode.frames, path, fps=fps)
    return episode


def show_video(path: str | Path, width: int = 480):
    """An inline player for the MP4 at ``path``; the video is embedded, so it works on Colab."""
    from IPython.display import Video

    return Video(str(path), embed=True, width=width, html_attributes="controls loop autoplay muted")
