"""Checking a run's settings before it starts: every value against its field's type and range.

A typo in ``--set`` should cost a second, not a traceback 5,000 steps into a run. Types come
from the config dataclass's annotations; ranges from the ``RANGES`` each config declares next
to its fields. All problems are reported at once, one line each.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable
from typing import Any

from dqn_helpers.errors import DQNHelpersError

Rule = Callable[[Any], str | None]  # None when the value is fine, else what is wrong


class SettingsError(DQNHelpersError):
    """One or more settings have the wrong type or are out of range."""


def at_least(low: float) -> Rule:
    return lambda v: None if v >= low else f"must be at least {low:g}, got {v!r}"


def between(low: float, high: float, low_open: bool = False) -> Rule:
    def rule(v: Any) -> str | None:
        inside = (low < v if low_open else low <= v) and v <= high
        return None if inside else f"must be in {'(' if low_open else '['}{low:g}, {high:g}], got {v!r}"
    return rule


def one_of(*choices: str) -> Rule:
    return lambda v: None if v in choices else f"must be one of {choices}, got {v!r}"


def all_at_least(low: int) -> Rule:
    return lambda v: None if all(x >= low for x in v) else f"every entry must be at least {low}, got {v!r}"


POSITIVE = at_least(1)
NON_NEGATIVE = at_least(0)
POSITIVE_REAL = between(0, math.inf, low_open=True)
PROBABILITY = between(0, 1)


def _describe(kind: Any, example: Any = None) -> str:
    names = {int: "an integer", float: "a number", str: "a string", bool: "True or False", type(None): "None"}
    if typing.get_origin(kind) is tuple:
        size = len(typing.get_args(kind))
        shown = example if isinstance(example, tuple) and len(example) == size else tuple(range(1, size + 1))
        return f"a tuple of {size} integers, e.g. {shown}"
    return names.get(kind, getattr(kind, "__name__", str(kind)))


def _options(kind: Any) -> tuple[Any, ...]:
    return typing.get_args(kind) if typing.get_origin(kind) in (typing.Union, types.UnionType) else (kind,)


def coerce(kind: Any, value: Any, example: Any = None) -> tuple[Any, str | None]:
    """``value`` as the annotated ``kind`` (an int is a fine float, a list a fine tuple), or what is wrong;
    ``example`` (the setting's default) is what the message shows a tuple setting should look like."""
    for option in _options(kind):
        if option is type(None) and value is None:
            return None, None
        if option is bool and isinstance(value, bool):
            return value, None
        if option is int and isinstance(value, int) and not isinstance(value, bool):
            return value, None
        if option is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value), None
        if option is str and isinstance(value, str):
            return value, None
        if typing.get_origin(option) is tuple and isinstance(value, tuple | list):
            items = typing.get_args(option)
            if len(value) == len(items) and all(isinstance(x, int) and not isinstance(x, bool) for x in value):
                return tuple(value), None
    expected = " or ".join(_describe(option, example) for option in _options(kind))
    hint = " (write it without a decimal point or exponent, e.g. 100000 or 100_000)" if (
        isinstance(value, float) and value.is_integer() and int in _options(kind)) else ""
    return value, f"expected {expected}, got {value!r}{hint}"


def check_settings(config_class: type, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` coerced to the config's field types; ``SettingsError`` listing every problem."""
    fields = {f.name: f for f in dataclasses.fields(config_class)}
    hints = typing.get_type_hints(config_class)
    ranges: dict[str, Rule] = getattr(config_class, "RANGES", {})
    problems, checked = [], {}
    for name, value in values.items():
        if name not in fields:
            problems.append(f"{name}: no setting of that name here; the settings are {', '.join(sorted(fields))}")
            continue
        checked[name], problem = coerce(hints[name], value, fields[name].default)
        if problem is None and checked[name] is not None and name in ranges:
            problem = ranges[name](checked[name])
        if problem is not None:
            problems.append(f"{name}: {problem}")
    if problems:
        raise SettingsError("\n".join(problems))
    return checked
