"""The slides' get_screen pieces and the recipe's frames, on real rendered CartPole frames."""

import numpy as np
import pytest
import torch

import dqn_helpers as dh
from dqn_helpers import screen


def cartpole_at(x, angle=0.05):
    env = dh.env.make_env("CartPole-v1")
    env.reset(seed=0)
    env.unwrapped.state = np.array([x, 0.0, angle, 0.0])
    return env


@pytest.mark.parametrize(("x", "column"), [(0.0, 300), (-2.4, 0), (2.4, 600), (1.2, 450)])
def test_cart_location_maps_metres_to_columns(x, column):
    assert screen.cart_location(x, 600) == column


@pytest.mark.parametrize(
    ("column", "first", "last"), [(0, 0, 359), (100, 0, 359), (300, 120, 479), (500, 240, 599), (600, 240, 599)]
)
def test_cart_window_is_60_percent_wide_and_clamped(column, first, last):
    kept = range(600)[screen.cart_window(column, 600)]
    assert (kept.start, kept.stop - 1, len(kept)) == (first, last, 360)


def test_get_screen_gives_the_slides_40x90_tensor():
    env = cartpole_at(-1.0)
    state = screen.get_screen(env)
    assert state.shape == (1, 3, 40, 90) and state.dtype == torch.float32
    assert 0.0 <= float(state.min()) and float(state.max()) <= 1.0
    assert float(state.min()) < 0.1  # the black cart is in view


def test_centred_window_hides_the_cart_position():
    left, right = screen.get_screen(cartpole_at(-0.5)), screen.get_screen(cartpole_at(0.5))
    assert torch.equal(left, right)
    assert (screen.gray_frame(cartpole_at(-1.0).render()) != screen.gray_frame(cartpole_at(1.0).render())).any()


def test_batched_tensor_resize_agrees_with_pil():
    crop = torch.rand(3, 160, 360)
    pil = screen.slides_resize(crop)
    batched = screen.resize_screens(torch.stack([crop, crop]))
    assert batched.shape == (2, 3, 40, 90)
    assert (batched[0] - pil).abs().mean() < 0.02


def test_gray_frame_is_small_inverted_uint8():
    frame = cartpole_at(0.0).render()
    gray = screen.gray_frame(frame)
    assert gray.shape == screen.FRAME_SIZE and gray.dtype == np.uint8
    assert gray[0, 0] == 0  # white background becomes 0
    assert gray.max() == 255  # the black cart becomes bright


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((3, 400, 600), np.uint8), "shape (height, width, 3)"),
        (np.zeros((400, 600), np.uint8), "got shape (400, 600)"),
        (np.zeros((400, 600, 3), np.float32), "uint8"),
        (torch.zeros(400, 600, 3), "NumPy array"),
    ],
)
def test_bad_frames_get_an_error_naming_the_expected_shape(bad, message):
    for function in (screen.gray_frame, lambda f: screen.slides_screen(f, 0.0)):
        with pytest.raises(screen.FrameError, match="expected") as error:
            function(bad)
        assert message in str(error.value)


def test_resize_screens_wants_a_batch():
    with pytest.raises(screen.FrameError, match=r"\(N, C, H, W\)"):
        screen.resize_screens(torch.zeros(3, 40, 90))
