"""The fast renderer draws the same scene as gymnasium's pygame renderer + shrinking."""

import numpy as np
import pytest

import dqn_helpers as dh
from dqn_helpers.render import CartPoleDrawer
from dqn_helpers.screen import gray_frame


@pytest.mark.parametrize("size", [(30, 90), (40, 120)])
def test_drawer_matches_gymnasium_frames(size):
    env = dh.env.make_env("CartPole-v1")
    env.reset(seed=0)
    drawer = CartPoleDrawer(size)
    rng = np.random.default_rng(1)
    gaps = []
    for _ in range(60):
        x, angle = rng.uniform(-2.3, 2.3), rng.uniform(-0.21, 0.21)
        env.unwrapped.state = np.array([x, 0.0, angle, 0.0])
        reference = gray_frame(env.render(), size).astype(int)
        drawn = drawer.draw(x, angle)
        assert drawn.shape == size and drawn.dtype == np.uint8
        gaps.append(np.abs(reference - drawn.astype(int)).mean())
    assert np.mean(gaps) < 1.0 and np.max(gaps) < 2.0  # gray levels, of 255


def test_drawer_follows_the_cart_and_the_pole():
    drawer = CartPoleDrawer((30, 90))
    left, right = drawer.draw(-1.5, 0.0), drawer.draw(1.5, 0.0)
    assert np.argmax(left.sum(axis=0)) < 45 < np.argmax(right.sum(axis=0))
    upright, leaning = drawer.draw(0.0, 0.0), drawer.draw(0.0, 0.2)
    assert not np.array_equal(upright[:10], leaning[:10])


def test_cart_off_screen_draws_only_the_track():
    image = CartPoleDrawer((30, 90)).draw(3.5, 0.0)
    assert image.shape == (30, 90)
    assert (image == image[:, :1]).all()  # every column is the same: background and track
