"""Checkers for lesson 03 (replay memory): ReplayMemory and the batch transposition.

The probes push transitions whose four fields are told apart (so a swapped field is named),
one with a ``None`` next state, read ``len`` below capacity as well as at it, sample fewer
transitions than the memory holds, and check that sampling leaves the memory as it was.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import torch

from dqn_helpers.checks.core import Mistake, Snapshot, StudentError, call, checker, expect_unchanged
from dqn_helpers.i18n import _
from dqn_helpers.replay import ReplayMemory, Transition

FIELDS = Transition._fields


def _transition(i: int, final: bool = False) -> tuple:
    """(state, action, next_state, reward) for transition #i; each field recognisable by its shape."""
    state = torch.full((1, 3, 2, 2), float(i))
    next_state = None if final else torch.full((1, 3, 2, 2), i + 0.5)
    return state, torch.tensor([[i % 2]]), next_state, torch.tensor([float(i) / 10])


def _is_transition(item: Any) -> bool:
    return isinstance(item, tuple) and getattr(item, "_fields", None) == FIELDS


def _field_holding(value: Any, pushed: tuple) -> str | None:
    for name, original in zip(FIELDS, pushed, strict=True):
        if value is original or (torch.is_tensor(value) and torch.is_tensor(original)
                                 and value.shape == original.shape and torch.equal(value, original)):
            return name
    return None


def _check_fields(item: Any, pushed: dict[int, tuple], given: str) -> int:
    """Which pushed transition ``item`` is; a Mistake naming a swapped or changed field."""
    for i, fields in pushed.items():
        # state, next_state and reward are unique to each pushed transition; actions repeat
        unique = ("state", "next_state", "reward")
        if any(_field_holding(value, fields) in unique for value in item if value is not None):
            for name, value, original in zip(FIELDS, item, fields, strict=True):
                if value is original or (original is None and value is None):
                    continue
                if torch.is_tensor(value) and torch.is_tensor(original) and value.shape == original.shape \
                        and torch.equal(value, original):
                    continue
                holds = _field_holding(value, fields)
                problem = (_("the stored transition's `{name}` is not what was pushed as {name}: it holds the "
                             "{holds}.").format(name=name, holds=holds) if holds else
                           _("the stored transition's `{name}` is not what was pushed as {name}.").format(name=name))
                raise Mistake(
                    problem, given=given,
                    hint=_("push is called as push(state, action, next_state, reward): keep that order, "
                           "Transition(*args) does."))
            return i
    raise Mistake(_("sample() returned a transition that was never pushed (or whose state was changed)."),
                  given=given, hint=_("store the pushed values as they are: self.memory.append(Transition(*args))."))


def _sample(memory: Any, k: int, pushed: dict[int, tuple], given: str) -> list[int]:
    """Sample ``k`` and return which pushed transitions came back, checking type and length."""
    length_before = call(len, memory, given=_("len(memory) {given}").format(given=given))
    batch = call(memory.sample, k, given=_("memory.sample({k}) {given}").format(k=k, given=given))
    if batch is None or not isinstance(batch, Sequence) or isinstance(batch, (str, bytes)):
        raise Mistake(_("sample({k}) should return a list of {k} transitions.").format(k=k), given=given,
                      expected=_("a list of {k} Transition").format(k=k), got=repr(batch)[:80],
                      hint=_("end with `return` and random.sample(self.memory, batch_size).")
                      if batch is None else _("return random.sample(self.memory, batch_size), a list."))
    if len(batch) != k:
        raise Mistake(_("sample({k}) should return {k} transitions.").format(k=k), given=given,
                      expected=k, got=len(batch), hint=_("draw exactly batch_size transitions: "
                                                         "random.sample(self.memory, batch_size)."))
    if len({id(t) for t in batch}) < k:
        raise Mistake(_("sample() returned the same transition twice in one batch."), given=given,
                      expected=_("{k} distinct transitions").format(k=k),
                      got=_("{count} distinct").format(count=len({id(t) for t in batch})),
                      hint=_("random.sample draws without replacement; random.choices draws with it."))
    if not all(_is_transition(t) for t in batch):
        raise Mistake(_("the memory should hold Transition namedtuples."), given=given,
                      expected="Transition(state=..., action=..., next_state=..., reward=...)",
                      got=type(batch[0]).__name__, hint=_("in push: self.memory.append(Transition(*args))."))
    if call(len, memory, given=_("len(memory) {given}").format(given=given)) != length_before:
        raise Mistake(_("sample() removed transitions from the memory."), given=given,
                      hint=_("sampling only looks: random.sample(self.memory, batch_size) leaves the memory "
                             "as it is."))
    return [_check_fields(t, pushed, given) for t in batch]


def _check_eviction(student: type, pushed: dict[int, tuple]) -> None:
    """A full memory drops its *oldest* transition: first with pushes alone, then with samples in between
    (a sample() that shuffles or sorts the memory in place makes the next push drop another one)."""
    memory = call(student, 5, given="ReplayMemory(capacity=5)")
    for i in range(100, 107):
        pushed[i] = _transition(i)
        call(memory.push, *pushed[i], given=f"memory.push(state, action, next_state, reward) #{i - 99}")
    for newest in range(106, 112):
        sampled = newest > 106
        if sampled:
            pushed[newest] = _transition(newest)
            call(memory.push, *pushed[newest], given=f"memory.push(state, action, next_state, reward) #{newest - 99}")
        given = (_("a new ReplayMemory(5): 7 pushes, then sample(5) and one more push, repeated") if sampled
                 else _("a new ReplayMemory(5): 7 pushes"))
        kept = sorted(_sample(memory, 5, pushed, _("in {given}").format(given=given)))
        if kept != list(range(newest - 4, newest + 1)):
            dropped = sorted(set(range(newest - 4, newest + 1)) - set(kept))
            raise Mistake(
                _("a full memory dropped another transition than the oldest."), given=given,
                expected=_("transitions #{first} to #{last}").format(first=newest - 103, last=newest - 99),
                got=_("transitions {kept} (#{dropped} dropped)").format(
                    kept=[k - 99 for k in kept], dropped=", #".join(str(k - 99) for k in dropped)),
                hint=_("sample() must leave the memory as it is, order included (shuffling or sorting it in place "
                       "makes the deque drop another transition next): return random.sample(self.memory, "
                       "batch_size), a new list.") if sampled else
                     _("when full, push drops the oldest transition: deque([], maxlen=capacity) with append()."))


@checker("ReplayMemory", ReplayMemory, "dqn_helpers.replay.ReplayMemory")
def check_replay_memory(student: type) -> str:
    """``ReplayMemory(capacity)`` with ``push(*args)``, ``sample(batch_size)`` and ``len()``."""
    memory = call(student, 5, given="ReplayMemory(capacity=5)")
    pushed: dict[int, tuple] = {}

    def push(i: int, final: bool = False) -> None:
        pushed[i] = _transition(i, final)
        try:
            call(memory.push, *pushed[i], given=f"memory.push(state, action, next_state, reward) #{i + 1}")
        except StudentError as error:
            if isinstance(error.error, TypeError) and "required positional argument" in str(error.error):
                error.hint = _("unpack the arguments into the Transition: Transition(*args).")
            raise

    push(0)
    push(1, final=True)
    given = _("ReplayMemory(5) after 2 pushes")
    size = call(len, memory, given=_("len(memory) in a {given}").format(given=given))
    if size != 2:
        raise Mistake(_("len(memory) should count the transitions stored so far."), given=given, expected=2,
                      got=size, hint=_("return len(self.memory), not the capacity."))
    kept = sorted(_sample(memory, 2, pushed, _("in a {given}").format(given=given)))
    if kept != [0, 1]:
        raise Mistake(_("sample(2) of a memory holding 2 transitions should return both."), given=given,
                      expected=_("transitions #1 and #2"),
                      got=_("transitions {numbers}").format(numbers=[k + 1 for k in kept]),
                      hint=_("draw without replacement: random.sample(self.memory, batch_size)."))
    other = call(student, 5, given=_("a second ReplayMemory(capacity=5)"))
    if call(len, other, given=_("len() of a second, new memory")) != 0:
        raise Mistake(_("a new memory already holds the first memory's transitions."),
                      given=_("two ReplayMemory(5) objects, 2 pushes into the first"),
                      expected="len(second) == 0", got=len(other),
                      hint=_("create the deque inside __init__ (self.memory = deque(...)), not as a class "
                             "attribute."))
    for i in range(2, 8):
        push(i)
    given = _("ReplayMemory(5) after 8 pushes")
    size = call(len, memory, given=_("len(memory) in a {given}").format(given=given))
    if size != 5:
        raise Mistake(_("the memory does not respect its capacity."), given=given, expected=5, got=size,
                      hint=_("keep the transitions in deque([], maxlen=capacity): it drops the oldest."))
    newest = sorted(_sample(memory, 5, pushed, _("in a {given}").format(given=given)))
    if newest != [3, 4, 5, 6, 7]:
        raise Mistake(_("the memory should keep the newest transitions and drop the oldest."), given=given,
                      expected=_("transitions #{first} to #{last}").format(first=4, last=8),
                      got=_("transitions {numbers}").format(numbers=[k + 1 for k in newest]),
                      hint=_("deque(maxlen=capacity) with append() does exactly that."))
    random.seed(0)
    draws = [_sample(memory, 3, pushed, _("in a {given}").format(given=given)) for _draw in range(30)]
    repeats = sum(len(set(d)) < 3 for d in draws)
    if repeats:
        raise Mistake(_("sample() returned the same transition twice in one batch."), given=given,
                      expected=_("3 distinct transitions per batch"),
                      got=_("repeats in {repeats} of 30 batches").format(repeats=repeats),
                      hint=_("random.sample draws without replacement; random.choices draws with it."))
    _check_eviction(student, pushed)
    seen = Counter(i for d in draws for i in d)
    if len({tuple(sorted(d)) for d in draws}) < 2 or len(seen) < 5:
        raise Mistake(_("sample() is not random over the whole memory."), given=given,
                      expected=_("every stored transition drawn now and then"),
                      got=_("only transitions {numbers} in 30 batches of 3").format(
                          numbers=sorted(k + 1 for k in seen)),
                      hint=_("draw uniformly from everything stored: random.sample(self.memory, batch_size)."))
    return _("push keeps the fields in order, len() below and at capacity, newest kept, distinct random batches.")


def _reference_transpose(transitions: list[Transition]) -> Transition:
    return Transition(*zip(*transitions, strict=True))


@checker("transpose_batch", _reference_transpose, "Transition(*zip(*transitions))", delegates=())
def check_transpose_batch(student: Callable[[list[Transition]], Any]) -> str:
    """``transpose_batch(transitions)``: a batch of Transitions -> one Transition of sequences."""
    for size, finals in ((4, (2,)), (3, ()), (6, (0, 5)), (1, ())):
        transitions = [Transition(*_transition(i, i in finals)) for i in range(size)]
        given = (_("transpose_batch([Transition(s0, a0, n0, r0), ...]) with {size} transition(s), next_state "
                   "None in #{finals}").format(size=size, finals=list(finals)) if finals else
                 _("transpose_batch([Transition(s0, a0, n0, r0), ...]) with {size} transition(s)").format(size=size))
        before = Snapshot("transitions", transitions)
        try:
            got = call(student, transitions, given=given)
        except StudentError as error:
            if isinstance(error.error, TypeError) and "positional argument" in str(error.error):
                error.hint = _("Transition(*transitions) passes whole transitions as fields; first regroup "
                               "the fields with zip(*transitions), then Transition(*zip(*transitions)).")
            elif finals and isinstance(error.error, TypeError):
                error.hint = _("next_state may be None (the episode ended): keep each field as a tuple of "
                               "the items themselves, do not concatenate them here.")
            raise
        expect_unchanged([before], given)
        if not _is_transition(got):
            raise Mistake(_("the result should be a single Transition whose fields are tuples."), given=given,
                          expected="Transition(state=(s0, s1, ...), action=(a0, ...), ...)",
                          got=_("{type} of {count} items").format(type=type(got).__name__, count=len(got))
                          if isinstance(got, (list, tuple)) else type(got).__name__,
                          hint=_("zip(*transitions) groups the fields; Transition(*...) names them again "
                                 "so that batch.state, batch.action... work."))
        for index, field in enumerate(FIELDS):
            mine = getattr(got, field)
            want = [t[index] for t in transitions]
            if torch.is_tensor(mine):
                raise Mistake(_("batch.{field} is one tensor; keep each field a tuple of the {size} items.")
                              .format(field=field, size=size), given=given,
                              hint=_("the next cell concatenates them with torch.cat, and a next_state can be "
                                     "None: Transition(*zip(*transitions)) keeps them as they are."))
            if not isinstance(mine, (tuple, list)) or len(mine) != size or any(
                a is not b for a, b in zip(mine, want, strict=True)
            ):
                holds = next((FIELDS[j] for j in range(4) if isinstance(mine, (tuple, list)) and len(mine) == size
                              and all(a is t[j] for a, t in zip(mine, transitions, strict=True))), None)
                if any(mine is t for t in transitions):
                    raise Mistake(_("batch.{field} is a whole transition, not the {field} of every transition.")
                                  .format(field=field), given=given,
                                  hint=_("Transition(*transitions) puts whole transitions in the fields: regroup "
                                         "the fields first with zip(*transitions), then "
                                         "Transition(*zip(*transitions))."))
                if holds:
                    got_text = _("the {holds} of every transition").format(holds=holds)
                elif hasattr(mine, "__len__"):
                    got_text = _("{type} of {count} items").format(type=type(mine).__name__, count=len(mine))
                else:
                    got_text = type(mine).__name__
                raise Mistake(_("batch.{field} does not hold the {field} of every transition, in order.")
                              .format(field=field), given=given,
                              expected=_("({field} of transition 0, 1, ..., {last})").format(field=field,
                                                                                            last=size - 1),
                              got=got_text,
                              hint=_("keep the fields in Transition's order: state, action, next_state, reward.")
                              if holds else None)
    return _("one Transition holding a tuple per field, in order, for batches of 1 to 6 with None next states.")
