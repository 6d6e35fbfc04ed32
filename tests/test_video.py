"""Videos: a real MP4 written by ffmpeg, read back, and embedded for the notebook."""

import imageio.v2 as imageio
import numpy as np
import pytest

import dqn_helpers as dh


def test_record_video_writes_a_playable_mp4(tmp_path):
    env = dh.env.make_env("CartPole-v1")
    path = tmp_path / "videos" / "episode.mp4"
    episode = dh.video.record_video(env, lambda observation: 1, path, seed=0)
    with imageio.get_reader(path, format="FFMPEG") as reader:
        frames = [frame for frame in reader]
    assert len(frames) == episode.length + 1
    assert frames[0].shape == (400, 600, 3)
    # the first decoded frame looks like the first rendered one (lossy codec: compare loosely)
    difference = np.abs(frames[0].astype(int) - episode.frames[0].astype(int)).mean()
    assert difference < 3


def test_odd_sized_frames_are_padded(tmp_path):
    frames = [np.full((21, 33, 3), 200, dtype=np.uint8)] * 3
    path = dh.video.save_mp4(frames, tmp_path / "odd.mp4", fps=10)
    with imageio.get_reader(path, format="FFMPEG") as reader:
        assert reader.get_data(0).shape == (22, 34, 3)


@pytest.mark.parametrize(
    ("frames", "message"),
    [([], "no frames"), ([np.zeros((4, 4), np.uint8)], "shape"), ([np.zeros((4, 4, 3))], "uint8")],
)
def test_save_mp4_refuses_bad_frames(tmp_path, frames, message):
    with pytest.raises(ValueError, match=message):
        dh.video.save_mp4(frames, tmp_path / "bad.mp4")


def test_show_video_embeds_the_file(tmp_path):
    path = dh.video.save_mp4([np.zeros((8, 8, 3), np.uint8)] * 2, tmp_path / "tiny.mp4")
    html = dh.video.show_video(path)._repr_html_()
    assert "data:video/mp4;base64," in html and "controls" in html
