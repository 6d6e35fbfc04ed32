"""Checkers for lesson 05 (ε-greedy): the slides' schedule and select_action."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from dqn_helpers.checks.core import Mistake, call, checker
from dqn_helpers.policy import ExponentialEpsilon, select_action


def _reference_epsilon(step: int, start: float = 0.9, end: float = 0.05, decay: float = 200) -> float:
    return ExponentialEpsilon(start, end, decay)(step)


@checker("epsilon_by_step", _reference_epsilon, "dqn_helpers.policy.ExponentialEpsilon")
def check_epsilon(student: Callable[..., float]) -> str:
    """``epsilon_by_step(step, start=0.9, end=0.05, decay=200)``: the slides' schedule."""
    for start, end, decay in ((0.9, 0.05, 200), (1.0, 0.1, 1000)):
        for step in (0, 1, 100, 200, 1000, 5000):
            given = f"epsilon_by_step({step}, start={start}, end={end}, decay={decay})"
            got = call(student, step, start=start, end=end, decay=decay, given=given)
            expected = _reference_epsilon(step, start, end, decay)
            try:
                ok = math.isclose(float(got), expected, rel_tol=1e-6, abs_tol=1e-9)
            except (TypeError, ValueError):
                raise Mistake("epsilon_by_step should return a number.", given=given,
                              expected=round(expected, 4), got=repr(got)) from None
            if ok:
                continue
            late = float(call(student, 100_000, start=start, end=end, decay=decay, given=given))
            if step == 0 and math.isclose(float(got), end, abs_tol=1e-6):
                hint = "ε must start at `start` and fall towards `end`: check the sign inside exp(-step / decay)."
            elif late > start or not math.isfinite(late):
                hint = "ε grows instead of decaying: use exp(-1.0 * step / decay)."
            else:
                hint = "end + (start - end) * math.exp(-1.0 * step / decay)"
            raise Mistake("wrong ε.", given=given, expected=round(expected, 4), got=round(float(got), 4),
                          hint=hint)
    return "the slides' exponential schedule, from start down to end."


class _FixedQ(nn.Module):
    """A network that always returns the same Q-values: its greedy action is known."""

    def __init__(self, values: list[float]) -> None:
        super().__init__()
        self.values = torch.tensor([values])
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.values.expand(x.shape[0], -1)


def _as_action(value: object, given: str) -> int:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return int(value.item())
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    raise Mistake("select_action should return one action (an int, or a one-element tensor).",
                  given=given, expected="0, 1 or 2", got=repr(value)[:60],
                  hint="return random.randrange(n_actions) or the greedy action as an int.")


@checker("select_action", select_action, "dqn_helpers.policy.select_action")
def check_select_action(student: Callable[..., int]) -> str:
    """``select_action(network, state, epsilon, n_actions)``: ε-greedy over ``n_actions``."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    values, greedy = [0.2, 0.9, -0.1], 1
    state = torch.zeros(1, 3, 40, 90)
    network = _FixedQ(values)
    given = f"select_action(net, state, epsilon=0.0, n_actions=3), net's Q-values {values}"
    picks = Counter(_as_action(call(student, network, state, 0.0, 3, given=given), given) for _ in range(100))
    if picks != Counter({greedy: 100}):
        most = picks.most_common(1)[0][0]
        hint = ("the greedy action is the argmax of the Q-values (q.max(1)[1] or q.argmax(dim=1)), not the argmin."
                if most == int(np.argmin(values)) else "with ε = 0, always take the greedy action.")
        raise Mistake("with ε = 0 the action should always be the greedy one.", given=given,
                      expected=f"action {greedy} every time", got=dict(picks), hint=hint)
    n = 4000
    for epsilon in (1.0, 0.3):
        given = f"{n} calls of select_action(net, state, epsilon={epsilon}, n_actions=3)"
        picks = Counter(_as_action(call(student, network, state, epsilon, 3, given=given), given) for _ in range(n))
        rate = {a: picks.get(a, 0) / n for a in range(3)}
        # a random action is uniform over all 3 actions, the greedy one included
        expected = {a: epsilon / 3 + (1 - epsilon) * (a == greedy) for a in range(3)}
        off = max(abs(rate[a] - expected[a]) for a in range(3))
        if off > 0.035:
            if epsilon == 1.0 and picks.get(greedy, 0) == 0:
                hint = "a random action may be any action, the greedy one too: random.randrange(n_actions)."
            elif rate[greedy] < expected[greedy]:
                hint = "explore when random.random() < ε (a random draw below ε), exploit otherwise."
            else:
                hint = "explore with probability ε: `if random.random() < epsilon:` pick random.randrange(n_actions)."
            raise Mistake(f"with ε = {epsilon} the actions are not ε-greedy.", given=given,
                          expected={a: f"{p:.0%}" for a, p in expected.items()},
                          got={a: f"{p:.0%}" for a, p in rate.items()}, hint=hint)
    return "greedy when ε = 0, uniform when ε = 1, and the right mix in between."
