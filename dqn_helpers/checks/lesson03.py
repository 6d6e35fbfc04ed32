"""Checkers for lesson 03 (replay memory): ReplayMemory and the batch transposition."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import torch

from dqn_helpers.checks.core import Mistake, call, checker
from dqn_helpers.replay import ReplayMemory, Transition


def _transition(i: int) -> tuple:
    state = torch.full((1, 3, 2, 2), float(i))
    return state, torch.tensor([[i % 2]]), state + 1, torch.tensor([1.0])


@checker("ReplayMemory", ReplayMemory, "dqn_helpers.replay.ReplayMemory")
def check_replay_memory(student: type) -> str:
    """``ReplayMemory(capacity)`` with ``push(*args)``, ``sample(batch_size)`` and ``len()``."""
    memory = call(student, 3, given="ReplayMemory(capacity=3)")
    for i in range(5):
        call(memory.push, *_transition(i), given=f"memory.push(state, action, next_state, reward) #{i + 1}")
    given = "ReplayMemory(3), then 5 pushes"
    size = call(len, memory, given=f"len(memory) after {given}")
    if size != 3:
        raise Mistake("the memory does not respect its capacity.", given=given, expected=3, got=size,
                      hint="keep the transitions in deque([], maxlen=capacity): it drops the oldest.")
    batch = call(memory.sample, 3, given=f"memory.sample(3) after {given}")
    if not isinstance(batch, list) or len(batch) != 3:
        raise Mistake("sample(3) should return a list of 3 transitions.", given=given,
                      expected="a list of 3 Transition", got=repr(batch)[:80],
                      hint="return random.sample(self.memory, batch_size).")
    if not all(isinstance(t, Transition) for t in batch):
        raise Mistake("the memory should hold Transition namedtuples.", given=given,
                      expected="Transition(state=..., action=..., next_state=..., reward=...)",
                      got=type(batch[0]).__name__, hint="in push: self.memory.append(Transition(*args)).")
    random.seed(0)
    duplicates = sum(len({id(t) for t in memory.sample(3)}) < 3 for _ in range(20))
    if duplicates:
        raise Mistake("sample() returned the same transition twice in one batch.", given=given,
                      expected="3 distinct transitions per batch",
                      got=f"repeats in {duplicates} of 20 batches",
                      hint="random.sample draws without replacement; random.choices draws with it.")
    kept = sorted(int(t.state.flatten()[0]) for t in batch)
    if kept != [2, 3, 4]:
        raise Mistake("the memory should keep the newest transitions and drop the oldest.",
                      given=given, expected="transitions #3, #4, #5", got=f"transitions {[k + 1 for k in kept]}",
                      hint="deque(maxlen=capacity) with append() does exactly that.")
    firsts = {int(memory.sample(1)[0].state.flatten()[0]) for _ in range(40)}
    if len(firsts) < 2:
        raise Mistake("sample() is not random: it keeps returning the same transitions.", given=given,
                      expected="different transitions from call to call", got=f"always {sorted(firsts)}",
                      hint="use random.sample(self.memory, batch_size).")
    return "capacity, newest kept, distinct random batches, and len()."


def _reference_transpose(transitions: list[Transition]) -> Transition:
    return Transition(*zip(*transitions, strict=True))


@checker("transpose_batch", _reference_transpose, "Transition(*zip(*transitions))")
def check_transpose_batch(student: Callable[[list[Transition]], Any]) -> str:
    """``transpose_batch(transitions)``: a batch of Transitions -> one Transition of tuples."""
    transitions = [Transition(*_transition(i)) for i in range(4)]
    given = "transpose_batch([Transition(s0, a0, n0, r0), ..., Transition(s3, a3, n3, r3)])"
    got = call(student, transitions, given=given)
    if not isinstance(got, Transition):
        raise Mistake("the result should be a single Transition whose fields are tuples.", given=given,
                      expected="Transition(state=(s0, s1, s2, s3), action=(a0, ...), ...)",
                      got=type(got).__name__,
                      hint="zip(*transitions) groups the fields; Transition(*...) names them again.")
    expected = _reference_transpose(transitions)
    for field in Transition._fields:
        mine, want = getattr(got, field), getattr(expected, field)
        if len(mine) != len(want) or any(a is not b for a, b in zip(mine, want, strict=False)):
            raise Mistake(f"batch.{field} does not hold the {field} of every transition, in order.",
                          given=given, expected=f"({field} of transition 0, 1, 2, 3)",
                          got=f"{len(mine)} items" if len(mine) != len(want) else "other items",
                          hint="Transition(*zip(*transitions)).")
    return "one Transition holding a tuple per field, in order."
