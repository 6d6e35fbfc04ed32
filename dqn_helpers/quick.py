"""Quick mode: the one switch the test suite flips to run every lesson at a tiny budget.

Set ``DQN_QUICK=1`` in the environment and every ``budget(full=..., quick=...)`` in the
lessons returns its ``quick`` value. Unset (the default, and always the case for a student on
Colab or in Jupyter), lessons run their full budget.
"""

from __future__ import annotations

import os
from typing import TypeVar

QUICK_ENV_VAR = "DQN_QUICK"
QUICK_BANNER = "Quick mode is ON (DQN_QUICK=1): tiny budgets for the test suite."

T = TypeVar("T")


def is_quick() -> bool:
    """True when the test suite asked for tiny budgets via ``DQN_QUICK``."""
    return os.environ.get(QUICK_ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def budget(full: T, quick: T) -> T:
    """The full budget for students; the quick one only when ``DQN_QUICK`` is set."""
    return quick if is_quick() else full


def announce_mode() -> None:
    """Print a banner when quick mode is on, so a shrunken run never passes for a real one."""
    if is_quick():
        print(QUICK_BANNER)
