"""The machinery every exercise checker shares.

A checker runs the student's code on concrete inputs and compares it with the reference
implementation. It never raises into the notebook: it prints one of

* ``⏳ ... not implemented yet`` when the exercise still raises its ``NotImplementedError`` stub,
* ``❌ ...`` with what is wrong (the input that showed it, expected vs got) and, when a known
  mistake reproduces the student's result exactly, the hint that fixes that mistake,
* ``✅ ...`` when every probe passed,

and returns what the rest of the lesson should use: the student's code when it passed, the
reference implementation otherwise, so one unfinished exercise never blocks the next cells.

What makes a verdict trustworthy, and where it lives here:

* ``call`` runs student code with a time limit, reports what it raised as *the student's* error
  with the line of their cell, and tells the exercise's own stub apart from a
  ``NotImplementedError`` raised by a library (a ``forward`` misspelt ``foward``, say);
* ``Snapshot`` records an input (environment, tensor, network, any object) before the student
  sees it, so a checker can say which input the student's code changed;
* ``diagnose`` picks a hint only from evidence: the first known mistake whose result equals the
  student's; when none does, the report gives input, expected and got and no guessed cause;
* ``format_pair`` prints expected and got with as many digits as it takes for them to differ;
* the student's prints are collected while the checker runs and cut to a few lines, so the
  verdict stays on screen.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import linecache
import math
import os
import random
import signal
import sys
import sysconfig
import threading
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import numpy as np
import torch

from dqn_helpers.checks.delegation import delegated_to, describe
from dqn_helpers.i18n import _

T = TypeVar("T")

NOT_DONE = "⏳"
WRONG = "❌"
PASSED = "✅"

CALL_TIME_LIMIT_S = 20.0
"""How long one call of student code may run before the checker gives up on it."""

PRINTS_SHOWN = 8
"""How many lines of the student's own prints a checker shows above its verdict."""


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
            lines.append(_("   input:    {given}").format(given=self.given))
        if self.expected is not None or self.got is not None:
            expected, got = format_pair(self.expected, self.got)
            lines.append(_("   expected: {expected}").format(expected=expected))
            lines.append(_("   got:      {got}").format(got=got))
        if self.hint:
            lines.append(_("   hint:     {hint}").format(hint=self.hint))
        return "\n".join(lines)


class NotDone(Exception):
    """The exercise (or one part of it) still raises its ``NotImplementedError`` stub."""

    def __init__(self, part: str | None) -> None:
        super().__init__(part or "")
        self.part = part


class StudentError(Exception):
    """The student's code raised an exception (other than its own stub) on a probe."""

    def __init__(self, error: BaseException, given: str, hint: str | None = None) -> None:
        super().__init__(str(error))
        self.error, self.given = error, given
        self.hint = hint or explain(error)

    def report(self) -> str:
        kind = type(self.error).__name__
        message = str(self.error).strip().splitlines()
        first = message[0] if message else ""
        lines = [_("your code raised {kind}: {message}").format(kind=kind, message=first)[:300]]
        location = student_line(self.error)
        if location:
            lines.append(_("   at:       {location}").format(location=location))
        lines.append(_("   input:    {given}").format(given=self.given))
        if self.hint:
            lines.append(_("   hint:     {hint}").format(hint=self.hint))
        return "\n".join(lines)


class TimeLimit(BaseException):
    """Student code ran longer than its time limit (a BaseException: a student's bare
    ``except Exception`` must not swallow it)."""


# --- where a frame comes from ----------------------------------------------------------------

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY_DIRS = tuple(
    {os.path.abspath(p) for key in ("stdlib", "platstdlib", "purelib", "platlib")
     if (p := sysconfig.get_paths().get(key))} | {_PACKAGE_DIR}
)


def is_library_file(filename: str) -> bool:
    """True for files of Python, of installed packages and of ``dqn_helpers``: not the student's."""
    if filename.startswith("<frozen") or "site-packages" in filename or "dist-packages" in filename:
        return True
    if filename.startswith("<"):  # "<ipython-input-...>", "<string>": cell code
        return False
    path = os.path.abspath(filename)
    return any(path == d or path.startswith(d + os.sep) for d in _LIBRARY_DIRS)


def _frames(error: BaseException) -> list[traceback.FrameSummary]:
    return list(traceback.extract_tb(error.__traceback__))


def student_line(error: BaseException) -> str | None:
    """The last line of the student's code (not library code) the traceback went through."""
    for frame in reversed(_frames(error)):
        if is_library_file(frame.filename):
            continue
        code = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
        if "ipykernel" in frame.filename or frame.filename.startswith("<ipython-input"):
            return _("line {line} of your cell: {code}").format(line=frame.lineno, code=code)
        return _("line {line} of {file}: {code}").format(line=frame.lineno, file=os.path.basename(frame.filename),
                                                         code=code)
    return None


def _raised_by_student(error: BaseException) -> bool:
    frames = _frames(error)
    return bool(frames) and not is_library_file(frames[-1].filename)


def explain(error: BaseException) -> str | None:
    """A hint for errors that first-time students meet often, read from the error itself."""
    text = str(error)
    if isinstance(error, NotImplementedError) and "forward" in text:
        return _("your network has no method called `forward` (check its spelling and indentation: "
                 "`def forward(self, x):` inside the class).")
    if isinstance(error, ValueError) and "values to unpack" in text:
        return _("gymnasium's env.step(action) returns 5 values (observation, reward, terminated, "
                 "truncated, info) and env.reset() returns 2 (observation, info).")
    if isinstance(error, AttributeError) and "Module.__init__() call" in text:
        return _("call `super().__init__()` first thing in your network's __init__.")
    if isinstance(error, AttributeError) and any(f"'{a}'" in text for a in ("state", "x_threshold")):
        return _("gymnasium's wrappers do not pass the physics through: read it from the bare "
                 "environment, env.unwrapped.state and env.unwrapped.x_threshold.")
    if isinstance(error, NameError):
        name = getattr(error, "name", None) or text
        return _("`{name}` is not defined where your function runs: use the function's arguments "
                 "(or define it in your cell).").format(name=name)
    if isinstance(error, RuntimeError) and "backward through the graph a second time" in text:
        return _("do not call loss.backward() yourself here: return the loss, and the training step "
                 "calls backward() once.")
    if isinstance(error, RuntimeError) and "shapes cannot be multiplied" in text:
        return _("the linear layer's input size does not match the number of values you flatten: "
                 "compute it from the convolutions' output sizes, not by hand.")
    if isinstance(error, RuntimeError) and "same device" in text:
        return _("a tensor you created lives on another device than the batch: create it with "
                 "device=<an input tensor>.device.")
    if isinstance(error, RuntimeError) and "Expected 3D (unbatched) or 4D (batched) input" in text:
        return _("the network takes a batch of screens (B, C, H, W): torch.cat joins (1, C, H, W) states along "
                 "the batch axis, while torch.stack or unsqueeze would add a fifth dimension.")
    if isinstance(error, IndexError) and "shape of the mask" in text:
        return _("a boolean mask and the tensor it indexes need the same length, one entry per transition: "
                 "size new tensors with len(transitions), not a fixed number.")
    if isinstance(error, RuntimeError) and "Index tensor must have the same number of dimensions" in text:
        return _("gather needs its index as a column, (B, 1): argmax(dim=1, keepdim=True), or .unsqueeze(1) on "
                 "a (B,) tensor of actions.")
    if isinstance(error, RecursionError):
        return _("your function calls itself without end: did a name in it shadow the function?")
    return None


# --- running student code ------------------------------------------------------------------


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise ``TimeLimit`` in this thread after ``seconds`` (where the OS has SIGALRM)."""
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if not usable:
        yield
        return

    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        raise TimeLimit()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call(fn: Callable[..., T], *args: Any, given: str, time_limit: float | None = None,
         **kwargs: Any) -> T:
    """Call student code; turn whatever it raises into a report about the student's code."""
    time_limit = CALL_TIME_LIMIT_S if time_limit is None else time_limit
    try:
        with _time_limit(time_limit):
            return fn(*args, **kwargs)
    except TimeLimit:
        raise Mistake(_("your code did not finish within {seconds:.0f} s.").format(seconds=time_limit), given=given,
                      hint=_("look for a loop that never ends (a `while` whose condition never "
                             "becomes False, or a missing `break`).")) from None
    except NotImplementedError as error:
        if _raised_by_student(error):
            raise NotDone(_frames(error)[-1].name) from None
        raise StudentError(error, given) from error
    except Mistake as mistake:  # raised by an instrumented input (e.g. a recording wrapper)
        if mistake.given is None:
            mistake.given = given
        raise
    except (StudentError, NotDone):
        raise
    except Exception as error:  # noqa: BLE001 - any crash in student code is reported, not raised
        raise StudentError(error, given) from error


@contextlib.contextmanager
def _rng_untouched() -> Iterator[None]:
    """Run a probe without disturbing the lesson's random streams (random, NumPy, torch)."""
    python, numpy, cpu = random.getstate(), np.random.get_state(), torch.get_rng_state()
    try:
        yield
    finally:
        random.setstate(python)
        np.random.set_state(numpy)
        torch.set_rng_state(cpu)


class _CappedPrints(io.TextIOBase):
    """Keeps the first few lines the student's code prints, and counts the rest."""

    def __init__(self, keep: int = PRINTS_SHOWN) -> None:
        self.keep, self.kept, self.more, self._line = keep, [], 0, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._line += text
        *lines, self._line = self._line.split("\n")
        for line in lines:
            self._add(line)
        return len(text)

    def _add(self, line: str) -> None:
        if len(self.kept) < self.keep:
            self.kept.append(line[:200])
        else:
            self.more += 1

    def summary(self) -> str | None:
        if self._line:
            self._add(self._line)
            self._line = ""
        if not self.kept:
            return None
        lines = [_("   (your code printed:)")] + [f"   | {line}" for line in self.kept]
        if self.more:
            lines.append(_("   | ... {count:,} more lines cut").format(count=self.more))
        return "\n".join(lines)


def checker(
    name: str, reference: T, reference_name: str, delegates: Iterable[Any] | None = None,
) -> Callable[[Callable[[T], str]], Callable[[Any], T]]:
    """Turn a probe ``probe(student) -> summary`` into a notebook-safe ``check_...(student)``.

    ``reference`` is what the lesson falls back on; ``reference_name`` is how it is imported.
    ``delegates`` are the course's implementations an answer must not hand the exercise to
    (default: ``reference``); an answer that calls one is not counted, whatever it returns.
    """
    handed_to = tuple(delegates) if delegates is not None else (reference,)

    def decorate(probe: Callable[[T], str]) -> Callable[[Any], T]:
        @functools.wraps(probe)
        def check(student: Any = None) -> T:
            # words (translated when the lesson's module marked them), or code
            shown = _(reference_name) if " " in reference_name else f"`{reference_name}`"
            fallback = _("   (the rest of this lesson uses the reference {shown}, so you can go on)").format(
                shown=shown)
            if student is None or not callable(student):
                return _not_counted(student, reference, _("⏳ {name}: not defined yet. Run the exercise "
                                                          "cell above first.").format(name=name), fallback)
            if student is reference:  # the fallback a failed check put in place, checked again
                return _not_counted(student, reference, _("⏳ {name}: this is the course's own reference, "
                                    "not an answer. If a failed check put it here, run your exercise cell again, "
                                    "then this cell.").format(name=name), fallback)
            used = delegated_to(student, handed_to)
            if used is not None:
                return _not_counted(student, reference, _("❌ {name}: your answer uses the course's own "
                                    "`{reference}`, so the exercise is not done yet. Write the steps "
                                    "yourself (the hints above the exercise cell help).").format(
                                        name=name, reference=describe(used)), fallback)
            prints = _CappedPrints()
            verdict: str
            passed = False
            try:
                with warnings.catch_warnings(), _rng_untouched(), contextlib.redirect_stdout(prints):
                    # e.g. gymnasium's "CartPole-v0 is out of date": noise, not the student's doing
                    warnings.simplefilter("ignore")
                    summary = probe(student)
            except NotDone as unfinished:
                part = (_(" (`{part}` still raises NotImplementedError)").format(part=unfinished.part)
                        if unfinished.part and unfinished.part != name else "")
                verdict = _("⏳ {name}: not implemented yet{part}. Replace the "
                            "`raise NotImplementedError(...)` line with your code, then run this cell again.").format(
                                name=name, part=part)
            except (Mistake, StudentError) as wrong:
                verdict = f"{WRONG} {name}: {wrong.report()}"
            except Exception as bug:  # noqa: BLE001 - never raise into the notebook
                if student_line(bug):  # the failure went through the student's code
                    report = StudentError(bug, _("one of the checker probes")).report()
                    verdict = f"{WRONG} {name}: {report}"
                else:
                    verdict = _("❌ {name}: the checker itself failed ({kind}: {error}). "
                                "Please report this; your code may be fine.").format(
                                    name=name, kind=type(bug).__name__, error=bug)
            else:
                passed = True
                verdict = f"{PASSED} {name}: {summary}\n" + _("   (the rest of this lesson uses your `{name}`)").format(
                    name=name)
            shown = prints.summary()
            if shown:
                print(shown)
            if passed:
                print(verdict)
                return student
            return _not_counted(student, reference, verdict, fallback)

        return check

    return decorate


GRADING_ENV_VAR = "DQN_GRADING"
"""Set to 1 by the grading tool (``tools/grading.py``): a check that does not pass raises ``NotCounted``."""


def grading() -> bool:
    return os.environ.get(GRADING_ENV_VAR, "") == "1"


class NotCounted(AssertionError):
    """Raised by a checker in grading mode, so that nbgrader's test cell fails and scores no points.

    The checker's message is already printed above it: it is the student's feedback. Jupyter shows
    only this one line, not a traceback.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"■ {self}"]


def _not_counted(student: Any, reference: T, verdict: str, fallback: str) -> T:
    """Print the verdict and hand back the reference; in grading mode, also fail the checker's cell.

    In grading mode the cell ``name = check_name(name)`` raises instead of assigning, so the
    reference is put in the notebook's namespace here, in place of the student's object: the
    later exercises are graded on their own, not on this one's mistake.
    """
    print(verdict)
    if not grading():
        print(fallback)
        return reference
    namespace = sys._getframe(2).f_globals  # the notebook cell that called check_...()
    for key, value in list(namespace.items()):
        if value is student and student is not None and not key.startswith("_"):
            namespace[key] = reference
    # every verdict starts "<symbol> <name>:", in every language
    raise NotCounted(_("{name}: not counted (the message above says why)").format(
        name=verdict.split(":", 1)[0][2:].strip()))


# --- comparing and reporting ----------------------------------------------------------------


def _numbers(value: Any) -> list[float] | None:
    """The numbers in ``value`` (a number, a tensor, an array or a flat list of numbers), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return [float(value)]
    if isinstance(value, torch.Tensor) and value.numel() <= 12:
        return [float(v) for v in value.detach().cpu().flatten().tolist()]
    if isinstance(value, np.ndarray) and value.size <= 12 and value.dtype.kind in "iuf":
        return [float(v) for v in value.flatten().tolist()]
    if isinstance(value, (list, tuple)) and 0 < len(value) <= 12 and all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in value
    ):
        return [float(v) for v in value]
    return None


def _show(numbers: list[float], digits: int, like: Any) -> str:
    text = [f"{v:.{digits}g}" if math.isfinite(v) else str(v) for v in numbers]
    if isinstance(like, (list, tuple)) or len(numbers) > 1:
        return "[" + ", ".join(text) + "]"
    return text[0]


def format_pair(expected: Any, got: Any) -> tuple[str, str]:
    """``expected`` and ``got`` as text, with enough significant digits that they differ."""
    e, g = _numbers(expected), _numbers(got)
    if e is None or g is None or str(expected) != str(got):
        return str(expected), str(got)
    for digits in range(4, 18):
        shown = _show(e, digits, expected), _show(g, digits, got)
        if shown[0] != shown[1] or e == g:
            return shown
    return shown


def diagnose(got: Any, variants: Iterable[tuple[Callable[[], Any], str]],
             same: Callable[[Any, Any], bool]) -> str | None:
    """The hint of the first known mistake whose result is ``got``; None when none matches.

    Each variant is ``(compute, hint)``: ``compute()`` reproduces one typical mistake on the
    probe's input. A variant that cannot be computed on this input is skipped.
    """
    for compute, hint in variants:
        try:
            value = compute()
        except Exception:  # noqa: BLE001, S112 - a mistake that does not apply to this input
            continue
        try:
            if same(got, value):
                return hint
        except Exception:  # noqa: BLE001, S112
            continue
    return None


def diagnose_every(results: list[tuple[Any, list[tuple[Callable[[], Any], str]]]],
                   same: Callable[[Any, Any], bool]) -> str | None:
    """The hint of a known mistake that reproduces the student's result on *every* probe; None if none does.

    ``results`` pairs each probe's result with that probe's variants. One probe can match a mistake by
    chance (two formulas agree on one input); a hint is shown only when the mistake explains them all.
    """
    if not results:
        return None
    hints = list(dict.fromkeys(hint for _compute, hint in results[0][1]))
    for hint in hints:
        if all(diagnose(got, [v for v in variants if v[1] == hint], same) for got, variants in results):
            return hint
    return None


def close(a: Any, b: Any, tolerance: float = 1e-6) -> bool:
    """Numbers, arrays or tensors equal within a relative tolerance (shapes must match)."""
    try:
        x = torch.as_tensor(np.asarray(a.detach().cpu() if torch.is_tensor(a) else a, dtype=np.float64))
        y = torch.as_tensor(np.asarray(b.detach().cpu() if torch.is_tensor(b) else b, dtype=np.float64))
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(torch.allclose(x, y, rtol=tolerance, atol=tolerance))


# --- what the student's code must leave alone ----------------------------------------------


def _env_state(env: Any) -> dict[str, Any]:
    bare = env.unwrapped
    state = {
        "physics": None if getattr(bare, "state", None) is None else np.array(bare.state, dtype=float).copy(),
        "steps": getattr(bare, "steps_beyond_terminated", None),
        "rng": copy.deepcopy(bare.np_random.bit_generator.state) if getattr(bare, "_np_random", None) else None,
    }
    layer = env
    while hasattr(layer, "env"):
        if hasattr(layer, "_elapsed_steps"):
            state["elapsed"] = layer._elapsed_steps
        layer = layer.env
    return state


class Snapshot:
    """An input as it was before the student's code ran, to name it if the code changed it."""

    def __init__(self, name: str, value: Any) -> None:
        self.name, self.value = name, value
        self._saved = self._save(value)

    @staticmethod
    def _save(value: Any) -> Any:
        if isinstance(value, torch.nn.Module):
            return {k: v.detach().clone() for k, v in value.state_dict().items()}
        if isinstance(value, torch.Tensor):
            return value.detach().clone()
        if hasattr(value, "unwrapped") and hasattr(value, "step"):
            return _env_state(value)
        return copy.deepcopy(value)

    def changed(self) -> str | None:
        """How the input differs from the snapshot, in words, or None when it is unchanged."""
        now, before = self._save(self.value), self._saved
        if isinstance(self.value, torch.nn.Module):
            for key, tensor in before.items():
                if key in now and not torch.equal(now[key], tensor):
                    return _("its `{key}` changed").format(key=key)
            return None
        if isinstance(self.value, torch.Tensor):
            if now.shape != before.shape:
                return _("its shape changed from {before} to {after}").format(before=tuple(before.shape),
                                                                              after=tuple(now.shape))
            return None if torch.equal(now, before) else _("its values changed (an in-place operation?)")
        if isinstance(before, dict) and "physics" in before:
            if before.get("elapsed") != now.get("elapsed") or not _same(before["physics"], now["physics"]):
                return _("the environment was stepped or reset")
            return None
        try:
            return None if _same(now, before) else _("it was modified")
        except Exception:  # noqa: BLE001 - objects that cannot be compared are left alone
            return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a is None and b is None or (a is not None and b is not None and np.array_equal(a, b))
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def expect_unchanged(snapshots: Iterable[Snapshot], given: str, what: str | None = None) -> None:
    """Raise a ``Mistake`` naming the first input that the student's code changed.

    ``what`` is the code that ran (default: the student's code): a function's name, or words, which
    are translated when the lesson's module marked them.
    """
    what = _("your code") if what is None else _(what)
    for snapshot in snapshots:
        change = snapshot.changed()
        if change:
            raise Mistake(_("{what} changed its input `{name}`: {change}.").format(
                              what=what, name=snapshot.name, change=change), given=given,
                          hint=_("work on `{name}` without modifying it (no in-place operations, "
                                 "no stepping or resetting it, no training); the caller still needs it as it was.")
                          .format(name=snapshot.name))
