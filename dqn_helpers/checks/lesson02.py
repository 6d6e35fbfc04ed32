"""Checkers for lesson 02 (screen preprocessing): cart location, crop window, get_screen."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from dqn_helpers.checks.core import Mistake, call, checker
from dqn_helpers.env import make_env
from dqn_helpers.screen import cart_location, cart_window, get_screen

SCREEN_WIDTH = 600


def _env_at(cart_x: float, pole_angle: float = 0.05):
    env = make_env("CartPole-v1")
    env.reset(seed=0)
    env.unwrapped.state = np.array([cart_x, 0.0, pole_angle, 0.0])
    return env


def _reference_location(env, screen_width: int) -> int:
    return cart_location(float(env.unwrapped.state[0]), screen_width, env.unwrapped.x_threshold)


@checker("get_cart_location", _reference_location, "dqn_helpers.screen.cart_location")
def check_get_cart_location(student: Callable[..., int]) -> str:
    """``get_cart_location(env, screen_width)``: the cart's middle, in pixel columns."""
    cases = [(0.0, 600), (1.2, 600), (-2.0, 600), (2.39, 600), (0.5, 1200)]
    for cart_x, width in cases:
        env = _env_at(cart_x)
        given = f"get_cart_location(env, screen_width={width}) with the cart at x = {cart_x} m"
        got = call(student, env, width, given=given)
        expected = _reference_location(env, width)
        if not isinstance(got, (int, np.integer)):
            raise Mistake("get_cart_location should return a whole pixel column (an int).",
                          given=given, expected=expected, got=f"{got!r} ({type(got).__name__})",
                          hint="wrap the result in int(...), as the slides do.")
        if got == expected:
            continue
        scale = width / 4.8
        if got == int(cart_x * scale):
            hint = "the screen's middle is column screen_width / 2: add it (x = 0 is the centre)."
        elif abs(got - expected) > width / 4:
            hint = ("scale = screen_width / world_width, with world_width = 2 * env.unwrapped.x_threshold "
                    "(the track runs from -2.4 m to +2.4 m).")
        else:
            hint = "column = int(x * scale + screen_width / 2.0)."
        raise Mistake("the cart's column is off.", given=given, expected=expected, got=int(got), hint=hint)
    return "the cart's column is right at the centre, both edges, and on a 1200-pixel-wide screen."


def _columns(window: slice, width: int) -> range:
    return range(width)[window]


@checker("crop_window", cart_window, "dqn_helpers.screen.cart_window")
def check_crop_window(student: Callable[..., slice]) -> str:
    """``crop_window(cart_location, screen_width)``: 60% of the width, centred, kept on screen."""
    for column in (0, 100, 179, 180, 300, 420, 421, 520, 599):
        given = f"crop_window(cart_location={column}, screen_width={SCREEN_WIDTH})"
        got = call(student, column, SCREEN_WIDTH, given=given)
        if not isinstance(got, slice):
            raise Mistake("crop_window should return a slice of columns.", given=given,
                          expected="a slice such as slice(120, 480)", got=repr(got),
                          hint="return slice(start, stop), as the slides' slice_range.")
        expected = _columns(cart_window(column, SCREEN_WIDTH), SCREEN_WIDTH)
        mine = _columns(got, SCREEN_WIDTH)
        describe = lambda r: f"columns {r.start}..{r.stop - 1} ({len(r)} wide)" if len(r) else "no columns"  # noqa: E731
        if mine == expected:
            continue
        if len(mine) != len(expected):
            hint = ("the window is view_width = int(screen_width * 0.6) columns wide; near an edge, "
                    "clamp it (slice(view_width) or slice(-view_width, None)) instead of cutting it.")
        else:
            hint = "centre the window: slice(cart_location - view_width // 2, cart_location + view_width // 2)."
        raise Mistake("the window does not select the right columns.", given=given,
                      expected=describe(expected), got=describe(mine), hint=hint)
    return "60% of the width, centred on the cart, clamped at both edges."


@checker("get_screen", get_screen, "dqn_helpers.screen.get_screen")
def check_get_screen(student: Callable[..., torch.Tensor]) -> str:
    """``get_screen(env)``: the slides' (1, 3, 40, 90) float screen in [0, 1]."""
    for cart_x, angle in ((0.0, 0.05), (-2.2, -0.1), (2.2, 0.15), (0.8, -0.02)):
        env = _env_at(cart_x, angle)
        given = f"get_screen(env) with the cart at x = {cart_x} m, pole at {angle} rad"
        expected = get_screen(env)
        got = call(student, env, given=given)
        if not isinstance(got, torch.Tensor):
            raise Mistake("get_screen should return a torch tensor.", given=given,
                          expected="a float tensor of shape (1, 3, 40, 90)", got=type(got).__name__,
                          hint="end with resize(screen).unsqueeze(0), as in the slides.")
        if tuple(got.shape) != tuple(expected.shape):
            shape, want = tuple(got.shape), tuple(expected.shape)
            if len(shape) == 3:
                hint = "add the batch dimension: .unsqueeze(0)."
            elif len(shape) == 4 and shape[-1] == 3:
                hint = "the channels must come first: frame.transpose((2, 0, 1)) before cropping."
            elif len(shape) == 4 and shape[2] != 40:
                hint = "resize so the height is 40: T.Resize(40, interpolation=T.InterpolationMode.BICUBIC)."
            else:
                hint = ("crop rows 40%..80% of the height and a window 60% of the width before "
                        "resizing to height 40 (which makes the width 90).")
            raise Mistake("the screen has the wrong shape.", given=given, expected=want, got=shape, hint=hint)
        if got.dtype != torch.float32:
            raise Mistake("the screen should hold float32 values.", given=given,
                          expected="torch.float32", got=got.dtype,
                          hint="np.ascontiguousarray(screen, dtype=np.float32) / 255 before torch.from_numpy.")
        if float(got.max()) > 1.0 + 1e-6:
            raise Mistake("values should be between 0 and 1.", given=given, expected="max <= 1",
                          got=f"max {float(got.max()):.1f}", hint="divide the pixels by 255.")
        difference = (got - expected).abs()
        if float(difference.max()) > 1e-5:
            _, channel, row, column = np.unravel_index(int(difference.argmax()), tuple(difference.shape))
            raise Mistake(
                "the screen's shape is right but its pixels differ from the slides' pipeline.",
                given=given, expected="the reference screen",
                got=f"largest difference {float(difference.max()):.3f} at channel {channel}, row {row}, "
                    f"column {column}",
                hint="check the order: transpose, crop rows 40%..80%, crop the window around the cart, "
                     "scale to [0, 1], then the bicubic resize.")
    return "same screens as the slides' pipeline, at the centre and at both edges of the track."
