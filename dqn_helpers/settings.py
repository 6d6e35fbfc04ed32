"""Checking a run's settings before it starts: every value against its field's type and range.

A typo in ``--set`` should cost a second, not a traceback 5,000 steps into a run. Types come
from the config dataclass's annotations; ranges from the ``RANGES`` each config declares next
to its fields. All problems are reported at once, one line each.
"""

from __future__ import annotations

import dataclasses
import math
import os
import types
import typing
from collections.abc import Callable
from typing import Any

from dqn_helpers.errors import DQNHelpersError
from dqn_helpers.i18n import _, alternatives

Rule = Callable[[Any], str | None]  # None when the value is fine, else what is wrong


class SettingsError(DQNHelpersError):
    """One or more settings have the wrong type or are out of range."""


def at_least(low: float) -> Rule:
    return lambda v: None if v >= low else _("must be at least {low}, got {value!r}").format(low=f"{low:g}", value=v)


def _number(v: float) -> str:
    return f"{v:,}" if isinstance(v, int) else f"{v:g}"


def between(low: float, high: float, low_open: bool = False) -> Rule:
    def rule(v: Any) -> str | None:
        if (low < v if low_open else low <= v) and v <= high:
            return None
        if v > high:
            return _("must be at most {high}, got {value!r}").format(high=_number(high), value=v)
        if low_open and v == low or v < low:
            problem = _("must be greater than {low}, got {value!r}") if low_open else _(
                "must be at least {low}, got {value!r}")
            return problem.format(low=_number(low), value=v)
        interval = f"{'(' if low_open else '['}{_number(low)}, {_number(high)}]"
        return _("must be in {interval}, got {value!r}").format(interval=interval, value=v)
    return rule


def one_of(*choices: str) -> Rule:
    return lambda v: None if v in choices else _("must be one of {choices}, got {value!r}").format(
        choices=choices, value=v)


def all_at_least(low: int) -> Rule:
    return lambda v: None if all(x >= low for x in v) else _(
        "every entry must be at least {low}, got {value!r}").format(low=low, value=v)


def all_between(low: int, high: int) -> Rule:
    return lambda v: None if all(low <= x <= high for x in v) else _(
        "every entry must be in [{low}, {high}], got {value!r}").format(low=low, high=high, value=v)


def all_at_most(high: int) -> Rule:
    return lambda v: None if all(x <= high for x in v) else _(
        "every entry must be at most {high:,}, got {value!r}").format(high=high, value=v)


def both(*rules: Rule) -> Rule:
    """Every rule holds: the first problem found, or None."""
    return lambda v: next((problem for rule in rules if (problem := rule(v)) is not None), None)


POSITIVE = at_least(1)
NON_NEGATIVE = at_least(0)
POSITIVE_REAL = between(0, math.inf, low_open=True)
PROBABILITY = between(0, 1)

# Upper bounds: far beyond any sensible run, low enough that nothing huge is allocated or looped over.
# A setting past them is a typo (an extra zero, 1e999), caught in a second instead of an hour in.
STEPS = between(1, 10**10)
EPISODES = between(1, 10**8)
EVAL_EPISODES = between(1, 100_000)
LEARNING_RATE = between(0, 10, low_open=True)
FINITE_POSITIVE = between(0, 1e9, low_open=True)
SEED = between(0, 2**32 - 1)  # NumPy's and gymnasium's seeds
ENV_IDS = ("CartPole-v0", "CartPole-v1")
def _env_id(v: str) -> str | None:
    shown = v if v and v.strip() == v else repr(v)  # quotes show an empty name or a stray space
    return None if v in ENV_IDS else _(
        "the course's pixel pipelines cannot show {name}: use CartPole-v0 or CartPole-v1, exactly so written").format(
        name=shown)


ENV_ID: Rule = _env_id


def memory_available() -> int | None:
    """Bytes of physical memory on this machine (None where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(bytes_needed: float, what: str, setting: str) -> None:
    """Refuse, before anything is allocated, a setting whose storage would not fit in memory.

    ``what`` names the storage in the message: mark it ``N_("...")`` so that it is translated here.
    """
    available = memory_available()
    if available is not None and bytes_needed > 0.8 * available:
        raise SettingsError(_("{setting}: {what} would need {needed:,.1f} GiB when full, and this machine has "
                              "{available:,.1f} GiB of memory; choose a smaller value").format(
            setting=setting, what=_(what), needed=bytes_needed / 2**30, available=available / 2**30))


def _describe(kind: Any, example: Any = None) -> str:
    names = {int: _("an integer"), float: _("a number"), str: _("a string"), bool: _("True or False"),
             type(None): "None"}
    if typing.get_origin(kind) is tuple:
        size = len(typing.get_args(kind))
        shown = example if isinstance(example, tuple) and len(example) == size else tuple(range(1, size + 1))
        return _("a tuple of {size} integers, e.g. {example}").format(size=size, example=shown)
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
    expected = alternatives(_describe(option, example) for option in _options(kind))
    if isinstance(value, float) and value.is_integer() and int in _options(kind):
        problem = _("expected {expected}, got {value!r} (write it without a decimal point or exponent, e.g. 100000 "
                    "or 100_000)")
    else:
        problem = _("expected {expected}, got {value!r}")
    return value, problem.format(expected=expected, value=value)


def check_settings(config_class: type, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` coerced to the config's field types; ``SettingsError`` listing every problem."""
    fields = {f.name: f for f in dataclasses.fields(config_class)}
    hints = typing.get_type_hints(config_class)
    ranges: dict[str, Rule] = getattr(config_class, "RANGES", {})
    problems, checked = [], {}
    for name, value in values.items():
        if name not in fields:
            problems.append(f"{name}: " + _("no setting of that name here; the settings are {settings}").format(
                settings=", ".join(sorted(fields))))
            continue
        checked[name], problem = coerce(hints[name], value, fields[name].default)
        if problem is None and checked[name] is not None and name in ranges:
            problem = ranges[name](checked[name])
        if problem is not None:
            problems.append(f"{name}: {problem}")
    if problems:
        raise SettingsError("\n".join(problems))
    return checked
