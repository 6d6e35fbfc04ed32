"""Pick where the networks run: a CUDA GPU, Apple's MPS, or the CPU."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.i18n import _

CHOICES = ("auto", "cuda", "mps", "cpu")


def pick_device(preference: str = "auto") -> torch.device:
    """``auto`` takes CUDA if present, then MPS, then the CPU; a named device (``cuda:1``) must exist."""
    kind, _colon, index = str(preference).partition(":")
    if kind not in CHOICES or (index and (kind not in ("cuda", "mps") or not index.isdigit())):
        raise DQNHelpersError(_("device must be one of {choices} (or cuda:N), got {device!r}").format(
            choices=CHOICES, device=preference))
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if kind == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (kind == "cuda" and not cuda) or (kind == "mps" and not mps):
        raise DQNHelpersError(_("device {device!r} was asked for, but this machine has none; use 'auto'").format(
            device=preference))
    if kind == "cuda" and index and int(index) >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise DQNHelpersError(_("device {device!r}: this machine has {count} CUDA device(s), cuda:0 to "
                                "cuda:{last}").format(device=preference, count=count, last=count - 1))
    return torch.device(preference)


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch CPU threads, then restore the previous number.

    A tiny network (lesson 08's state-vector MLP) gains nothing from a second thread: each of its
    operations is too small to split, and keeping threads in step costs more than it saves, far
    more when other programs share the cores (15,000 steps took 12 s on one thread and 113 s on
    two, next to two other training runs on this project's 2-core machine).
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
