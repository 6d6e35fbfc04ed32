"""Checker for lesson 07 (the recipe): the next state of a stack of frames.

Probed on stacks of 4 and of 2 frames (the recipe's and the 2-frames variant's), on frames of two
sizes, with each frame filled with its own value so that every misplaced or lost frame shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dqn_helpers.checks.core import Mistake, Snapshot, call, checker, diagnose, expect_unchanged
from dqn_helpers.i18n import _
from dqn_helpers.pixels import push_frame


def _stack(frames: int, height: int, width: int) -> np.ndarray:
    """Frame i is filled with 10 * (i + 1) (one value per frame, so each is recognisable)."""
    return np.stack([np.full((height, width), 10 * (i + 1), dtype=np.uint8) for i in range(frames)])


def _which(result: np.ndarray, stack: np.ndarray, frame: np.ndarray) -> list[str]:
    """Each frame of ``result`` named as the input frame it equals ("t-3" … "new"), or "?"."""
    names = {f"t-{len(stack) - 1 - i}": stack[i] for i in range(len(stack))} | {"new": frame}
    shown = []
    for part in result:
        shown.append(next((name for name, value in names.items()
                           if np.shape(part) == np.shape(value) and np.array_equal(part, value)), "?"))
    return shown


@checker("push_frame", push_frame, "dqn_helpers.pixels.push_frame")
def check_push_frame(student: Callable[..., Any]) -> str:
    """``push_frame(stack, frame)``: drop the oldest frame, add the new one last, keep uint8."""
    for frames, height, width in ((4, 30, 90), (2, 30, 90), (4, 5, 7)):
        stack = _stack(frames, height, width)
        frame = np.full((height, width), 200, dtype=np.uint8)
        frame[0, 0] = 201  # not a constant frame: a broadcast or a fill would not reproduce it
        given = _("a stack of {frames} frames of {height}x{width} uint8 (oldest first), and a new frame").format(
            frames=frames, height=height, width=width)
        snapshots = [Snapshot("stack", stack), Snapshot("frame", frame)]
        got = call(student, stack, frame, given=given)
        expect_unchanged(snapshots, given, "push_frame")
        expected = push_frame(stack, frame)
        if got is None:
            raise Mistake(_("push_frame returned None."), given=given,
                          hint=_("end with `return` and the new stack."))
        if not isinstance(got, np.ndarray):
            raise Mistake(_("push_frame should return a NumPy array, got a {type_name}.").format(
                              type_name=type(got).__name__), given=given,
                          hint=_("the replay memory and the network expect an array: np.concatenate or np.stack "
                                 "give one."))
        if got.shape != expected.shape:
            hint = (_("keep the number of frames: drop the oldest one when you add the new one.")
                    if got.shape[:1] != expected.shape[:1] else _("each frame keeps its height and width."))
            raise Mistake(_("the new stack has the wrong shape."), given=given, expected=expected.shape,
                          got=got.shape, hint=hint)
        if got.dtype != np.uint8:
            raise Mistake(_("the frames changed type: {dtype} instead of uint8.").format(dtype=got.dtype),
                          given=given,
                          hint=_("keep the frames as uint8 (one byte a pixel): the replay memory stores them so."))
        if not np.array_equal(got, expected):
            hint = diagnose(got, [
                (lambda stack=stack, frame=frame: np.concatenate([frame[None], stack[:-1]]),
                 _("the new frame goes last: the stack is ordered from the oldest to the newest.")),
                (lambda stack=stack, frame=frame: np.concatenate([stack[:-1], frame[None]]),
                 _("drop the oldest frame (the first one), "
                   "not the newest.")),
                (lambda stack=stack, frame=frame: np.concatenate([stack[1:], frame[None]])[::-1],
                 _("keep the order: oldest first, the new "
                   "frame last.")),
            ], lambda a, b: np.shape(a) == np.shape(b) and np.array_equal(a, b))
            raise Mistake(_("the frames are not the expected ones, in the expected order."), given=given,
                          expected=" ".join(_which(expected, stack, frame)), got=" ".join(_which(got, stack, frame)),
                          hint=hint)
    return _("drops the oldest frame, adds the new one last, keeps uint8 and leaves its input as it was.")
