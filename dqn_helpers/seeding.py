"""One call to seed every random number generator a lesson touches."""

from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and CUDA).

    Gymnasium environments are seeded separately, through ``env.reset(seed=...)`` and
    ``env.action_space.seed(...)``, because each environment owns its own generator.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
