"""The machinery every exercise checker shares.

A checker runs the student's code on concrete inputs and compares it with the reference
implementation. It never raises into the notebook: it prints one of

* ``⏳ ... not implemented yet`` when the exercise still raises ``NotImplementedError``,
* ``❌ ...`` with what is wrong (the input that showed it, expected vs got) and a hint,
* ``✅ ...`` when every probe passed,

and returns what the rest of the lesson should use: the student's code when it passed, the
reference implementation otherwise, so one unfinished exercise never blocks the next cells.
"""

from __future__ import annotations

import contextlib
import functools
import linecache
import random
import traceback
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import torch

T = TypeVar("T")

NOT_DONE = "⏳"
WRONG = "❌"
PASSED = "✅"


class Mistake(Exception):
    """A wrong answer found by a probe: what is wrong, on which input, and how to fix it."""

    def __init__(
        self,
        problem: str,
        *,
        given: str | None = None,
        expected: Any = None,
        got: Any = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem, self.given, self.expected, self.got, self.hint = (
            problem, given, expected, got, hint,
        )

    def report(self) -> str:
        lines = [self.problem]
        if self.given is not None:
            lines.append(f"   input:    {self.given}")
        if self.expected is not None or self.got is not None:
            lines.append(f"   expected: {self.expected}")
            lines.append(f"   got:      {self.got}")
        if self.hint:
            lines.append(f"   hint:     {self.hint}")
        return "\n".join(lines)


class StudentError(Exception):
    """The student's code raised an exception (other than NotImplementedError) on a probe."""

    def __init__(self, error: BaseException, given: str) -> None:
        super().__init__(str(error))
        self.error, self.given = error, given

    def report(self) -> str:
        kind = type(self.error).__name__
        lines = [f"your code raised {kind}: {self.error}"]
        location = _student_line(self.error)
        if location:
            lines.append(f"   at:       {location}")
        lines.append(f"   input:    {self.given}")
        return "\n".join(lines)


def _student_line(error: BaseException) -> str | None:
    """The last line of notebook code (not library code) the traceback went through."""
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        # IPython names cell code '<ipython-input-...>' or '/tmp/ipykernel_*/*.py'.
        if "ipykernel" in frame.filename or frame.filename.startswith("<ipython-input"):
            code = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
            return f"line {frame.lineno} of your cell: {code}"
    return None


def call(fn: Callable[..., T], *args: Any, given: str, **kwargs: Any) -> T:
    """Call student code; wrap anything it raises so the checker can report it clearly."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Mistake as mistake:  # raised by an instrumented input (e.g. a recording wrapper)
        if mistake.given is None:
            mistake.given = given
        raise
    except StudentError:
        raise
    except Exception as error:  # noqa: BLE001 - any crash in student code is reported, not raised
        raise StudentError(error, given) from error


@contextlib.contextmanager
def _rng_untouched():
    """Run a probe without disturbing the lesson's random streams (random, NumPy, torch)."""
    python, numpy, cpu = random.getstate(), np.random.get_state(), torch.get_rng_state()
    try:
        yield
    finally:
        random.setstate(python)
        np.random.set_state(numpy)
        torch.set_rng_state(cpu)


def checker(
    name: str, reference: T, reference_name: str
) -> Callable[[Callable[[T], str]], Callable[[Any], T]]:
    """Turn a probe ``probe(student) -> summary`` into a notebook-safe ``check_...(student)``.

    ``reference`` is what the lesson falls back on; ``reference_name`` is how it is imported.
    """

    def decorate(probe: Callable[[T], str]) -> Callable[[Any], T]:
        @functools.wraps(probe)
        def check(student: Any = None) -> T:
            fallback = (
                f"   (the rest of this lesson uses the reference `{reference_name}`, so you can go on)"
            )
            if student is None or not callable(student):
                print(f"{NOT_DONE} {name}: not defined yet. Run the exercise cell above first.")
                print(fallback)
                return reference
            try:
                with warnings.catch_warnings(), _rng_untouched():
                    # e.g. gymnasium's "CartPole-v0 is out of date": noise, not the student's doing
                    warnings.simplefilter("ignore", DeprecationWarning)
                    summary = probe(student)
            except NotImplementedError:
                print(f"{NOT_DONE} {name}: not implemented yet. Replace the "
                      "`raise NotImplementedError(...)` line with your code, then run this cell again.")
            except (Mistake, StudentError) as wrong:
                print(f"{WRONG} {name}: {wrong.report()}")
            except Exception as bug:  # noqa: BLE001 - a checker bug must not stop the lesson
                print(f"{WRONG} {name}: the checker itself failed ({type(bug).__name__}: {bug}). "
                      "Please report this; your code may be fine.")
            else:
                print(f"{PASSED} {name}: {summary}")
                print(f"   (the rest of this lesson uses your `{name}`)")
                return student
            print(fallback)
            return reference

        return check

    return decorate


def expect_equal(got: Any, expected: Any, problem: str, *, given: str, hint: str | None = None) -> None:
    """Raise a ``Mistake`` when ``got != expected``."""
    if got != expected:
        raise Mistake(problem, given=given, expected=expected, got=got, hint=hint)
