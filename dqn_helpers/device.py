"""Pick where the networks run: a CUDA GPU, Apple's MPS, or the CPU."""

from __future__ import annotations

import torch

from dqn_helpers.errors import DQNHelpersError

CHOICES = ("auto", "cuda", "mps", "cpu")


def pick_device(preference: str = "auto") -> torch.device:
    """``auto`` takes CUDA if present, then MPS, then the CPU; a named device must exist."""
    if preference not in CHOICES:
        raise DQNHelpersError(f"device must be one of {CHOICES}, got {preference!r}")
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if preference == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (preference == "cuda" and not cuda) or (preference == "mps" and not mps):
        raise DQNHelpersError(f"device {preference!r} was asked for, but this machine has none; use 'auto'")
    return torch.device(preference)
