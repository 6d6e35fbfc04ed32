"""Checkers for lesson 02 (screen preprocessing): cart location, crop window, get_screen.

The probes vary what a student could hard-code or get right by accident: screen widths other
than 600 (gymnasium renders 400x600, "but sometimes larger such as 800x1200", as the slides
say), the cart at the centre and near both edges, and velocities and angles that differ from
its position. Hints come only from known mistakes that reproduce the student's result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from dqn_helpers.checks.core import Mistake, Snapshot, call, checker, diagnose, diagnose_every, expect_unchanged
from dqn_helpers.env import make_env
from dqn_helpers.i18n import _
from dqn_helpers.screen import cart_location, cart_window, get_screen, resize_screens, slides_resize, slides_screen


def _env_at(cart_x: float, pole_angle: float = 0.05, screen_width: int = 600):
    """A CartPole placed at ``cart_x`` m, drawn ``screen_width`` pixels wide (2:3 like gymnasium)."""
    env = make_env("CartPole-v1")
    bare = env.unwrapped
    bare.screen_width, bare.screen_height = screen_width, screen_width * 2 // 3
    env.reset(seed=0)
    bare.state = np.array([cart_x, 0.3, pole_angle, -0.2])
    return env


def _reference_location(env, screen_width: int) -> int:
    return cart_location(float(env.unwrapped.state[0]), screen_width, env.unwrapped.x_threshold)


def _location_variants(env, width: int) -> list[tuple[Callable[[], Any], str]]:
    x, velocity, angle, _angular_velocity = (float(v) for v in env.unwrapped.state)
    scale = width / 4.8
    return [
        (lambda: round(x * scale + width / 2),
         _("the slides cut the fraction off with int(...); round() moves the column one pixel right "
           "when the fraction is .5 or more.")),
        (lambda: int(x * (width // 4.8) + width / 2),
         _("the scale is a fraction of pixels per metre: screen_width / world_width with /, not //.")),
        (lambda: int(x * scale) + width // 2,
         _("add the half width before cutting the fraction: int(x * scale + screen_width / 2.0).")),
        (lambda: int(x * scale) + int(width / 2),
         _("add the half width before cutting the fraction: int(x * scale + screen_width / 2.0).")),
        (lambda: int(x * scale), _("the screen's middle is column screen_width / 2: add it (x = 0 m is the centre).")),
        (lambda: int(x * width / 2.4 + width / 2),
         _("the track spans 2 * x_threshold metres (from -2.4 m to +2.4 m): "
           "world_width = 2 * env.unwrapped.x_threshold.")),
        (lambda: int(x * 4.8 / width + width / 2), _("scale is pixels per metre: screen_width / world_width.")),
        (lambda: int(x * 600 / 4.8 + 300), _("use the screen_width you are given, not 600.")),
        (lambda: int(-x * scale + width / 2), _("a positive x is right of the centre: add x * scale.")),
        (lambda: int(x * scale - width / 2), _("add screen_width / 2, do not subtract it.")),
        (lambda: int(x * scale + width), _("the centre of the screen is screen_width / 2.")),
        (lambda: int(velocity * scale + width / 2), _("state[1] is the cart's velocity: the position is state[0].")),
        (lambda: int(angle * scale + width / 2), _("state[2] is the pole's angle: the cart's position is state[0].")),
    ]


def _location_cases() -> list[tuple[float, int]]:
    """Where truncation, rounding and other formulas part: odd and even widths from 400 to 1200, the
    centre, both edges, and positions whose exact column has a fraction of .7 (int() and round() differ)."""
    cases = [(0.0, 600), (1.2, 600), (-2.0, 600), (2.39, 600), (0.5, 1200), (-1.3, 400), (0.7, 500)]
    for width in (401, 457, 600, 733, 999, 1000, 1200):
        for column in (int(width * 0.8), int(width * 0.15), width // 2 + 3):
            cases.append((round((column + 0.7 - width / 2) * 4.8 / width, 12), width))
        cases += [(-2.39, width), (2.399, width), (0.0, width)]
    return cases


def _same_column(got: int, exact: float) -> bool:
    """The slides' int(): truncation of the exact column. Where the exact column is a whole number, a
    formula equal on paper may land a hair below it (49.999...) before int(): that is the same answer."""
    nearest = round(exact)
    if abs(exact - nearest) <= 1e-9 * max(1.0, abs(exact)):
        return got in (nearest - 1, nearest)
    return got == math.trunc(exact)


@checker("get_cart_location", _reference_location, "dqn_helpers.screen.cart_location",
         delegates=(_reference_location, cart_location))
def check_get_cart_location(student: Callable[..., int]) -> str:
    """``get_cart_location(env, screen_width)``: the cart's middle, in pixel columns."""
    results: list[tuple[int, list]] = []
    first_wrong: Mistake | None = None
    for cart_x, width in _location_cases():
        env = _env_at(cart_x, screen_width=width)
        given = _("get_cart_location(env, screen_width={width}) with the cart at x = {cart_x} m").format(
            width=width, cart_x=cart_x)
        before = Snapshot("env", env)
        got = call(student, env, width, given=given)
        expect_unchanged([before], given)
        expected = _reference_location(env, width)
        exact = cart_x * width / (2 * env.unwrapped.x_threshold) + width / 2
        if got is None:
            raise Mistake(_("get_cart_location returned None."), given=given, expected=expected, got=None,
                          hint=_("end with `return` and the column."))
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            if isinstance(got, (float, np.floating)) or (torch.is_tensor(got) and got.numel() == 1):
                hint = _("a column is a whole pixel: wrap the result in int(...), as the slides do.")
            else:
                hint = _("return one number, the column (an int).")
            raise Mistake(_("get_cart_location should return a whole pixel column (an int)."),
                          given=given, expected=expected, got=f"{got!r} ({type(got).__name__})", hint=hint)
        results.append((int(got), _location_variants(env, width)))
        if first_wrong is None and not _same_column(int(got), exact):
            first_wrong = Mistake(_("the cart's column is off."), given=given, expected=expected, got=int(got))
    if first_wrong is not None:
        first_wrong.hint = diagnose_every(results, lambda a, b: a == b)
        raise first_wrong
    return _("the cart's column is right at the centre, near both edges and where rounding differs from "
             "truncation, on screens 400 to 1200 pixels wide.")


def _columns(window: slice, width: int) -> range:
    return range(width)[window]


def _window_variants(column: int, width: int) -> list[tuple[Callable[[], Any], str]]:
    view = int(width * 0.6)

    def clamped(c: int, v: int, left: int, right: int) -> slice:
        if c < left:
            return slice(v)
        if c > right:
            return slice(-v, None)
        return slice(c - v // 2, c + v // 2)

    def cols(window: slice) -> range:
        return _columns(window, width)

    return [
        (lambda: cols(slice(column - view // 2, column + view // 2)),
         _("near an edge a centred window runs off the screen: clamp it, slice(view_width) at the left edge "
           "and slice(-view_width, None) at the right.")),
        (lambda: cols(slice(-view, None) if column < view // 2 else slice(view) if column > width - view // 2
                      else slice(column - view // 2, column + view // 2)),
         _("the clamps are swapped: near the left edge keep the first view_width columns, slice(view_width).")),
        (lambda: cols(clamped(column, view, view, width - view)),
         _("clamp only when the window would leave the screen: compare with view_width // 2, not view_width.")),
        (lambda: cols(slice(column - view, column + view)),
         _("view_width is the window's whole width: go view_width // 2 either side of the cart.")),
        (lambda: cols(slice(view) if column < view // 2 else slice(-view, None) if column > width - view // 2
                      else slice(column - view, column + view)),
         _("view_width is the window's whole width: go view_width // 2 either side of the cart.")),
        (lambda: cols(clamped(column, round(width * 0.6), round(width * 0.6) // 2, width - round(width * 0.6) // 2)),
         _("the slides cut the fraction off: view_width = int(screen_width * 0.6), not round().")),
        (lambda: cols(clamped(column, view, view // 2, width - view // 2) if view % 2 == 0 else
                      slice(view) if column < view // 2 else slice(-view, None) if column > width - view // 2
                      else slice(column - view // 2, column - view // 2 + view)),
         _("the slides' centred window is slice(cart_location - view_width // 2, cart_location + view_width // 2): "
           "for an odd view_width it is one column narrower than view_width.")),
        (lambda: cols(clamped(column, int(600 * 0.6), 180, 420)),
         _("use the screen_width you are given, not 600.")),
        *[(lambda f=f: cols(clamped(column, int(width * f), int(width * f) // 2, width - int(width * f) // 2)),
           _("the window is 60% of the screen wide: view_width = int(screen_width * 0.6)."))
          for f in (0.5, 0.4, 0.3, 0.8)],
        *[(lambda d=d: cols(clamped(column + d, view, view // 2, width - view // 2)),
           _("centre the window on cart_location itself: slice(cart_location - view_width // 2, "
             "cart_location + view_width // 2).")) for d in (-1, 1)],
    ]


def _describe_columns(r: range) -> str:
    if not len(r):
        return _("no columns")
    return _("columns {start}..{last} ({width} wide)").format(start=r.start, last=r.stop - 1, width=len(r))


@checker("crop_window", cart_window, "dqn_helpers.screen.cart_window")
def check_crop_window(student: Callable[..., slice]) -> str:
    """``crop_window(cart_location, screen_width)``: 60% of the width, centred, kept on screen."""
    cases = [(c, 600) for c in (0, 100, 179, 180, 300, 420, 421, 520, 599)]
    cases += [(100, 1200), (600, 1200), (1150, 1200), (200, 500), (480, 500), (40, 400)]
    for width in (401, 457, 733, 999):  # odd widths: 0.6 * width has a fraction, and view_width may be odd
        half = int(width * 0.6) // 2
        cases += [(c, width) for c in (0, half - 1, half, width // 2, width - half, width - half + 1, width - 1)]
    results: list[tuple[range, list]] = []
    first_wrong: Mistake | None = None
    for column, width in cases:
        given = f"crop_window(cart_location={column}, screen_width={width})"
        got = call(student, column, width, given=given)
        if not isinstance(got, slice):
            if isinstance(got, (tuple, list, range)):
                hint = _("return a slice object: slice(start, stop), not a tuple, list or range.")
            elif got is None:
                hint = _("end with `return` and the slice.")
            else:
                hint = _("return slice(start, stop), as the slides' slice_range.")
            raise Mistake(_("crop_window should return a slice of columns."), given=given,
                          expected=_("a slice such as slice(120, 480)"), got=repr(got)[:80], hint=hint)
        try:
            mine = _columns(got, width)
        except (TypeError, ValueError):
            raise Mistake(_("the slice's start and stop must be whole numbers (ints)."), given=given,
                          expected=_("a slice such as slice(120, 480)"), got=repr(got),
                          hint=_("use // for halves (view_width // 2) and int(...) for view_width.")) from None
        expected = _columns(cart_window(column, width), width)
        results.append((mine, _window_variants(column, width)))
        if first_wrong is None and mine != expected:
            first_wrong = Mistake(_("the window does not select the right columns."), given=given,
                                  expected=_describe_columns(expected), got=_describe_columns(mine))
    if first_wrong is not None:
        first_wrong.hint = diagnose_every(results, lambda a, b: a == b)
        raise first_wrong
    return _("60% of the width, centred on the cart, clamped at both edges, on several screen widths.")


def _pipeline(env, *, rows=(0.4, 0.8), window=True, scale=255.0, batch=True, shift=0, resize="pil",
              location=None, height=40) -> torch.Tensor:
    """The slides' get_screen with one thing changed, to recognise a student's result."""
    frame = env.render().transpose((2, 0, 1))
    _channels, h, w = frame.shape
    frame = frame[:, int(h * rows[0]):int(h * rows[1])]
    if window:
        column = location(env, w) if location else _reference_location(env, w)
        frame = frame[:, :, cart_window(column + shift, w)]
    screen = torch.from_numpy(np.ascontiguousarray(frame, dtype=np.float32) / scale)
    screen = slides_resize(screen, height) if resize == "pil" else resize_screens(screen.unsqueeze(0))[0]
    return screen.unsqueeze(0) if batch else screen


def _accepted(env) -> list[torch.Tensor]:
    """Correct answers: the slides' pipeline with torch's resize and, where the cart's exact column is a
    whole number (which a formula equal on paper may reach as 49.999...), the column one pixel left."""
    answers = [_pipeline(env, resize="torch")]
    width = env.render().shape[1]
    exact = float(env.unwrapped.state[0]) * width / (2 * env.unwrapped.x_threshold) + width / 2
    if abs(exact - round(exact)) <= 1e-9 * max(1.0, exact):
        answers.append(_pipeline(env, shift=-1))
    return answers


def _fixed_size(env) -> torch.Tensor:
    """get_screen written with the pixel numbers of a 400x600 render."""
    frame = env.render().transpose((2, 0, 1))[:, 160:320]
    column = cart_location(float(env.unwrapped.state[0]), 600)
    frame = frame[:, :, cart_window(column, 600)]
    return slides_resize(torch.from_numpy(np.ascontiguousarray(frame, dtype=np.float32) / 255)).unsqueeze(0)


def _screen_variants(env, got: torch.Tensor) -> list[tuple[Callable[[], Any], str]]:
    return [
        (lambda: _pipeline(env, scale=1.0), _("scale the pixels to [0, 1] before resizing: divide by 255.")),
        (lambda: _pipeline(env, height=got.shape[-2]), _("resize so the screen is 40 rows high: resize(screen), "
           "the slides' T.Resize(40).")),
        (lambda: _fixed_size(env), _("this render is 800x1200: read the height and width from the frame "
           "(`_, screen_height, screen_width = screen.shape`) instead of writing 400x600's numbers.")),
        (lambda: _pipeline(env, window=False),
         _("keep only the window of columns around the cart: screen[:, :, crop_window(...)].")),
        (lambda: _pipeline(env, rows=(0.0, 1.0)), _("keep only the band of rows 40%..80% of the height.")),
        *[(lambda r=r: _pipeline(env, rows=r), _("the band is rows int(h * 0.4) to int(h * 0.8)."))
          for r in ((0.4, 0.6), (0.2, 0.8), (0.6, 0.8), (0.4, 1.0), (0.2, 0.6))],
        (lambda: _pipeline(env, location=lambda e, w: int(e.unwrapped.state[0] * w / 4.8)),
         _("the window is centred on the wrong column: the cart is at x * scale + screen_width / 2.")),
        (lambda: _pipeline(env, location=lambda e, w: w // 2), _("centre the window on the cart's column, "
           "get_cart_location(env, screen_width), not on the middle of the screen.")),
        (lambda: _pipeline(env, location=lambda e, w: cart_location(float(e.unwrapped.state[0]), 600)),
         _("compute the cart's column for the width of the frame you rendered (screen.shape), not 600.")),
    ]


def _close(a: Any, b: torch.Tensor, tolerance: float = 1e-5) -> bool:
    return (torch.is_tensor(a) and tuple(a.shape) == tuple(b.shape)
            and float((a.detach().float() - b).abs().max()) <= tolerance)


@checker("get_screen", get_screen, "dqn_helpers.screen.get_screen", delegates=(get_screen, slides_screen))
def check_get_screen(student: Callable[..., torch.Tensor]) -> str:
    """``get_screen(env)``: the slides' (1, 3, 40, 90) float screen in [0, 1]."""
    cases = [(0.0, 0.05, 600), (-2.2, -0.1, 600), (2.2, 0.15, 600), (0.8, -0.02, 600), (1.0, 0.1, 1200)]
    for cart_x, angle, width in cases:
        env = _env_at(cart_x, angle, width)
        size = f"{width * 2 // 3}x{width}"
        given = _("get_screen(env) with the cart at x = {cart_x} m, pole at {angle} rad, a {size} render").format(
            cart_x=cart_x, angle=angle, size=size)
        expected = get_screen(env)
        before = Snapshot("env", env)
        got = call(student, env, given=given)
        expect_unchanged([before], given)
        if not isinstance(got, torch.Tensor):
            kind = type(got).__name__
            raise Mistake(_("get_screen should return a torch tensor."), given=given,
                          expected=_("a float32 tensor of shape (1, 3, 40, 90)"),
                          got=_("{kind} of shape {shape}").format(kind=kind, shape=got.shape)
                          if hasattr(got, "shape") else kind,
                          hint=_("None: did you forget `return`?") if got is None else
                          _("convert with torch.from_numpy(...) before resizing, and return "
                            "resize(screen).unsqueeze(0)."))
        shape, want = tuple(got.shape), tuple(expected.shape)
        if shape != want:
            hint = diagnose(got, _screen_variants(env, got), lambda a, b: tuple(a.shape) == tuple(b.shape))
            if hint is None and shape == want[1:]:
                hint = _("add the batch dimension in front: .unsqueeze(0).")
            elif hint is None and len(shape) == 4 and shape[-1] == 3:
                hint = _("channels must come first, as torch expects: frame.transpose((2, 0, 1)) before cropping.")
            elif hint is None and len(shape) == 4 and shape[:3] == want[:3]:
                hint = _("at 40 rows high, a width of {width} instead of 90 means the crop before resizing had "
                         "another shape than 160 rows x 360 columns (here {ratio:.2f} times wider than high, "
                         "instead of 2.25): check the band of rows and the window of columns.").format(
                    width=shape[3], ratio=shape[3] / 40)
            raise Mistake(_("the screen has the wrong shape."), given=given, expected=want, got=shape, hint=hint)
        if got.dtype != torch.float32:
            raise Mistake(_("the screen should hold float32 values (what the network's layers take)."), given=given,
                          expected="torch.float32", got=got.dtype,
                          hint=_("np.ascontiguousarray(screen, dtype=np.float32) / 255 before torch.from_numpy."))
        top = float(got.max())
        if not math.isfinite(top) or top > 1.0 + 1e-6:
            undivided = math.isfinite(top) and (_close(got / 255.0, expected, 1e-4)
                                                or any(_close(got / 255.0, alt, 1e-4) for alt in _accepted(env)))
            raise Mistake(_("values should be between 0 and 1."), given=given, expected="max <= 1",
                          got=f"max {top:.1f}", hint=_("divide the pixels by 255.") if undivided else None)
        if _close(got, expected) or any(_close(got, alt, 1e-4) for alt in _accepted(env)):
            continue
        difference = (got.detach() - expected).abs()
        _batch, channel, row, column = np.unravel_index(int(difference.argmax()), tuple(difference.shape))
        hint = diagnose(got, _screen_variants(env, got), _close)
        raise Mistake(
            _("the screen's shape is right but its pixels differ from the slides' pipeline."),
            given=given, expected=_("the reference screen"),
            got=_("largest difference {difference:.3f} at channel {channel}, row {row}, column {column}").format(
                difference=float(difference.max()), channel=channel, row=row, column=column),
            hint=hint)
    return _("same screens as the slides' pipeline, at the centre and both edges, on 400x600 and 800x1200 renders.")

