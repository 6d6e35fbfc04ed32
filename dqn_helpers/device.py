"""Pick where the networks run: a CUDA GPU, Apple's MPS, or the CPU."""

from __future__ import annotations

import torch

from dqn_helpers.errors import DQNHelpersError

CHOICES = ("auto", "cuda", "mps", "cpu")


def pick_device(preference: str = "auto") -> torch.device:
    """``auto`` takes CUDA if present, then MPS, then the CPU; a named device (``cuda:1``) must exist."""
    kind, _, index = str(preference).partition(":")
    if kind not in CHOICES or (index and (kind not in ("cuda", "mps") or not index.isdigit())):
        raise DQNHelpersError(f"device must be one of {CHOICES} (or cuda:N), got {preference!r}")
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if kind == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (kind == "cuda" and not cuda) or (kind == "mps" and not mps):
        raise DQNHelpersError(f"device {preference!r} was asked for, but this machine has none; use 'auto'")
    if kind == "cuda" and index and int(index) >= torch.cuda.device_count():
        raise DQNHelpersError(f"device {preference!r}: this machine has {torch.cuda.device_count()} CUDA device(s), "
                              f"cuda:0 to cuda:{torch.cuda.device_count() - 1}")
    return torch.device(preference)
