"""Checking a saved run field by field before any of it is used.

``torch.load(weights_only=True)`` keeps a file from running code, but a ``run.pt`` from elsewhere
(or damaged on disk) can still hold a tensor of the wrong shape or dtype, an index past the end
of an array, a missing field, a step counter of 10¹² or NaN weights. Loaded as it is, such a file
ends in an ``IndexError`` deep inside the replay memory, or trains on silently. Here the saved
state is compared with the state a freshly built run of the same settings has (its *template*):
same fields, same types, same dtypes and shapes (only the filled length of the replay memory and
of the history may differ), finite weights, counters and indices within range. The first problem
is named in one line, with the field's path.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from dqn_helpers.errors import DQNHelpersError

MAX_COUNT = 10**10
"""No counter of a real run comes near this (the longest budget is 10¹⁰ steps)."""

VARIABLE_LENGTH = ("agent.memory.", "history.")
"""Fields whose first dimension is how much was stored, not a fixed size."""

COUNTS = ("agent.memory.cursor", "agent.memory.written", "best.step")
"""Counters outside ``counters``: they index arrays or compare with the step count."""

MUST_BE_FINITE = ("agent.online.", "agent.target.", "best.state.", "agent.optimizer.state.", "env.physics",
                  "observation", "state_dict.")


class InvalidRunState(DQNHelpersError):
    """A saved run holds a field that this run cannot use."""


def validate(template: Any, saved: Any, path: str = "") -> None:
    """Raise ``InvalidRunState`` naming the first field of ``saved`` that does not fit ``template``."""
    where = path or "the run"
    if template is None:
        return  # a field that is empty in a fresh run (the best network, ...): checked by its owner
    if isinstance(template, dict):
        if not isinstance(saved, dict):
            raise InvalidRunState(f"{where}: expected a mapping, found {type(saved).__name__}")
        for key, value in template.items():
            if key not in saved:
                if _optional(path, key):
                    continue
                raise InvalidRunState(f"{_join(path, key)}: missing")
            if not path and key == "config":
                continue  # a saved config is compared setting by setting by the trainer (ConfigMismatch)
            validate(value, saved[key], _join(path, key))
        return
    if isinstance(template, torch.Tensor):
        _tensor(template, saved, where)
        return
    if isinstance(template, bool | int | float):
        _number(template, saved, path, where)
        return
    if isinstance(template, list | tuple):
        if not isinstance(saved, list | tuple):
            raise InvalidRunState(f"{where}: expected a sequence, found {type(saved).__name__}")
        if template and len(saved) and not path.startswith(VARIABLE_LENGTH) and len(saved) != len(template):
            raise InvalidRunState(f"{where}: expected {len(template)} entries, found {len(saved)}")
        for i, item in enumerate(saved[:len(template)] if template and not path.startswith(VARIABLE_LENGTH)
                                 else ()):
            validate(template[i], item, f"{where}[{i}]")
        return
    if isinstance(template, str) and not isinstance(saved, str):
        raise InvalidRunState(f"{where}: expected text, found {type(saved).__name__}")


def _number(template: bool | int | float, saved: Any, path: str, where: str) -> None:
    """A flag, a count or a quantity: of the template's kind; counters and durations within range."""
    if isinstance(template, bool):
        if not isinstance(saved, bool):
            raise InvalidRunState(f"{where}: expected True or False, found {saved!r}"[:200])
        return
    if isinstance(template, int):
        if isinstance(saved, bool) or not isinstance(saved, int):
            raise InvalidRunState(f"{where}: expected an integer, found {saved!r}"[:200])
        if (path.startswith("counters.") or path in COUNTS) and not 0 <= saved <= MAX_COUNT:
            raise InvalidRunState(f"{where}: {saved:,} is out of range (0 to {MAX_COUNT:,})")
        return
    if isinstance(template, float):
        if isinstance(saved, bool) or not isinstance(saved, int | float):
            raise InvalidRunState(f"{where}: expected a number, found {saved!r}"[:200])
        if path.startswith("counters.") and not (math.isfinite(saved) and saved >= 0):
            raise InvalidRunState(f"{where}: {saved!r} is not a duration")
        return


def _optional(path: str, key: str) -> bool:
    """Fields a run saved by an earlier version may lack (``.get`` covers them; a saved config is never
    walked here: the trainer compares it setting by setting)."""
    return path == "counters" and key == "solved_seconds"


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _tensor(template: torch.Tensor, saved: Any, where: str) -> None:
    if not isinstance(saved, torch.Tensor):
        raise InvalidRunState(f"{where}: expected a tensor, found {type(saved).__name__}")
    if saved.dtype != template.dtype:
        raise InvalidRunState(f"{where}: expected dtype {template.dtype}, found {saved.dtype}")
    variable = where.startswith(VARIABLE_LENGTH)
    if saved.dim() != template.dim() or (tuple(saved.shape[variable:]) != tuple(template.shape[variable:])):
        raise InvalidRunState(f"{where}: expected shape {_shape(template, variable)}, found {tuple(saved.shape)}")
    if where.startswith(MUST_BE_FINITE) and saved.is_floating_point() and not bool(torch.isfinite(saved).all()):
        raise InvalidRunState(f"{where}: holds NaN or infinite values")


def _shape(template: torch.Tensor, variable: bool) -> str:
    if not variable:
        return str(tuple(template.shape))
    return "(n" + "".join(f", {d}" for d in template.shape[1:]) + ")"


def validate_memory(saved: dict[str, Any], capacity: int, n_actions: int) -> None:
    """The replay memory's own invariants: equal lengths within capacity, indices and actions in range."""
    arrays = {k: v for k, v in saved.items() if isinstance(v, torch.Tensor)}
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise InvalidRunState(f"agent.memory: its arrays have different lengths {lengths}")
    filled = next(iter(lengths.values()), 0)
    if filled > capacity:
        raise InvalidRunState(f"agent.memory: holds {filled:,} transitions, more than its capacity {capacity:,}")
    cursor, written = saved.get("cursor"), saved.get("written")
    if isinstance(cursor, int) and not 0 <= cursor < max(capacity, 1):
        raise InvalidRunState(f"agent.memory.cursor: {cursor:,} is outside the memory (0 to {capacity - 1:,})")
    if isinstance(written, int) and written < filled:
        raise InvalidRunState(f"agent.memory.written: {written:,} is less than the {filled:,} transitions stored")
    actions = arrays.get("actions")
    if actions is not None and len(actions) and int(actions.max()) >= n_actions:
        raise InvalidRunState(f"agent.memory.actions: action {int(actions.max())} does not exist "
                              f"(0 to {n_actions - 1})")


def validate_optimizer(saved: dict[str, Any], parameters: list[torch.Tensor]) -> None:
    """Each parameter's optimiser state (Adam's averages, ...) has that parameter's shape and is finite."""
    state = saved.get("state", {}) if isinstance(saved, dict) else {}
    if not isinstance(state, dict):
        raise InvalidRunState("agent.optimizer.state: expected a mapping")
    for index, entry in state.items():
        if not isinstance(index, int) or not 0 <= index < len(parameters) or not isinstance(entry, dict):
            raise InvalidRunState(f"agent.optimizer.state.{index}: no such parameter")
        for name, value in entry.items():
            if name == "step" or not isinstance(value, torch.Tensor):
                continue
            if tuple(value.shape) != tuple(parameters[index].shape):
                raise InvalidRunState(f"agent.optimizer.state.{index}.{name}: expected shape "
                                      f"{tuple(parameters[index].shape)}, found {tuple(value.shape)}")
            if value.is_floating_point() and not bool(torch.isfinite(value).all()):
                raise InvalidRunState(f"agent.optimizer.state.{index}.{name}: holds NaN or infinite values")
