"""Checkers for lesson 05 (ε-greedy): the slides' schedule and select_action.

``select_action`` is probed with stand-in networks whose greedy action is known (the greedy
action is not always action 0 or the last one) and with the real slides' network on a real
screen, over 3 actions as well as 2, so an answer that ignores ``n_actions`` or the network's
input shape shows.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from dqn_helpers.checks.core import Mistake, Snapshot, call, checker, diagnose, expect_unchanged
from dqn_helpers.i18n import _
from dqn_helpers.model import SlidesDQN
from dqn_helpers.policy import ExponentialEpsilon, select_action


def _reference_epsilon(step: int, start: float = 0.9, end: float = 0.05, decay: float = 200) -> float:
    return ExponentialEpsilon(start, end, decay)(step)


def _epsilon_variants(step: int, start: float, end: float, decay: float) -> list[tuple[Callable[[], Any], str]]:
    return [
        (lambda: end + (start - end) * math.exp(step / decay),
         _("ε must fall: the exponent is negative, math.exp(-1. * step / decay).")),
        (lambda: start + (end - start) * math.exp(-step / decay),
         _("start and end are swapped: ε begins at `start` and falls towards `end`.")),
        (lambda: end + start * math.exp(-step / decay),
         _("scale the decaying part by (start - end), so ε begins exactly at `start`.")),
        (lambda: (start - end) * math.exp(-step / decay), _("add `end`: ε falls towards `end`, not towards 0.")),
        (lambda: end + (start - end) * math.exp(-step * decay),
         _("divide the step by decay: exp(-step / decay).")),
        (lambda: end + (start - end) * math.exp(-(step // decay)),
         _("step // decay rounds down: divide with / (or -1. * step / decay, as the slides).")),
        (lambda: 0.05 + 0.85 * math.exp(-step / 200), _("use the start, end and decay you are given.")),
        (lambda: max(end, start - (start - end) * step / decay),
         _("this is a linear schedule: the slides' decays exponentially, "
           "end + (start - end) * exp(-step / decay).")),
        (lambda: end + (start - end) * math.exp(-1.0 / decay),
         _("the exponent uses the step: exp(-step / decay).")),
    ]


def _as_number(value: Any, given: str, expected: float) -> float:
    if value is None:
        raise Mistake(_("epsilon_by_step returned None."), given=given, expected=expected, got=None,
                      hint=_("end with `return` and the value."))
    if torch.is_tensor(value):
        raise Mistake(_("epsilon_by_step should return a float, as the lesson's later cells expect."),
                      given=given, expected=f"{expected} (float)", got=f"{value!r}"[:80],
                      hint=_("compute with math.exp, which returns a float (torch.exp returns a tensor).")
                      if value.numel() == 1 else _("return one float, such as 0.37."))
    if isinstance(value, (bool, complex, str)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise Mistake(_("epsilon_by_step should return a number."), given=given, expected=expected,
                      got=f"{value!r} ({type(value).__name__})"[:80], hint=_("return one float, such as 0.37."))
    return float(value)


@checker("epsilon_by_step", _reference_epsilon, "dqn_helpers.policy.ExponentialEpsilon",
         delegates=(_reference_epsilon, ExponentialEpsilon))
def check_epsilon(student: Callable[..., float]) -> str:
    """``epsilon_by_step(step, start=0.9, end=0.05, decay=200)``: the slides' schedule."""
    settings = ((0.9, 0.05, 200), (1.0, 0.1, 1000), (0.5, 0.2, 30))
    steps = (0, 1, 100, 200, 1000, 5000)

    def same(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)

    for start, end, decay in settings:
        got: dict[int, float] = {}
        for step in steps:
            given = f"epsilon_by_step({step}, start={start}, end={end}, decay={decay})"
            got[step] = _as_number(call(student, step, start=start, end=end, decay=decay, given=given), given,
                                   _reference_epsilon(step, start, end, decay))
        wrong = [step for step in steps if not same(got[step], _reference_epsilon(step, start, end, decay))]
        if not wrong:
            continue
        # a known mistake must explain every step of this setting, not one point by chance
        variants = {step: _epsilon_variants(step, start, end, decay) for step in steps}
        hint = next((variants[0][k][1] for k in range(len(variants[0]))
                     if all(diagnose(got[step], [variants[step][k]], same) for step in steps)), None)
        step = wrong[0]
        raise Mistake(_("wrong ε."), given=f"epsilon_by_step({step}, start={start}, end={end}, decay={decay})",
                      expected=_reference_epsilon(step, start, end, decay), got=got[step], hint=hint)
    for step in (0, 300):
        given = _("epsilon_by_step({step}) (the slides' defaults: start=0.9, end=0.05, decay=200)").format(
            step=step)
        expected = _reference_epsilon(step)
        got = _as_number(call(student, step, given=given), given, expected)
        if not math.isclose(got, expected, rel_tol=1e-6):
            raise Mistake(_("wrong ε with the default settings."), given=given, expected=expected, got=got,
                          hint=_("keep the slides' defaults in the signature: start=0.9, end=0.05, decay=200."))
    return _("the slides' exponential schedule, from start down to end, for any start, end and decay.")


class _FixedQ(nn.Module):
    """A network that returns the same Q-values for every screen: its greedy action is known."""

    def __init__(self, values: list[float], state: torch.Tensor) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.tensor([values]))
        self.state = state

    def forward(self, x: Any) -> torch.Tensor:
        if not torch.is_tensor(x) or tuple(x.shape) != tuple(self.state.shape):
            shape = tuple(x.shape) if torch.is_tensor(x) else type(x).__name__
            raise Mistake(_("the network was given {shape} instead of the state {state_shape}.").format(
                              shape=shape, state_shape=tuple(self.state.shape)),
                          hint=_("pass the state to the network as it is: network(state); it already has "
                                 "its batch dimension."))
        return self.weight.expand(x.shape[0], -1)


def _as_action(value: Any, given: str, n_actions: int) -> int:
    if torch.is_tensor(value) and value.numel() == 1:
        if value.dtype.is_floating_point:
            raise Mistake(_("select_action returned a float tensor: a Q-value, not an action."), given=given,
                          expected=_("an action in 0..{last}").format(last=n_actions - 1), got=repr(value),
                          hint=_("max(1) gives (values, indices): the action is the index, q.max(1)[1] "
                                 "(or q.argmax(dim=1)), not q.max(1)[0]."))
        action = int(value.item())
    elif isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        action = int(value)
    else:
        hint = _("end with `return` and the action.") if value is None else (
            _("return one action, an int (or a one-element tensor such as tensor([[1]])), not the Q-values.")
            if torch.is_tensor(value) else _("return random.randrange(n_actions) or the greedy action as an int."))
        raise Mistake(_("select_action should return one action (an int, or a one-element tensor)."),
                      given=given, expected=_("an action in 0..{last}").format(last=n_actions - 1),
                      got=repr(value)[:60], hint=hint)
    if not 0 <= action < n_actions:
        raise Mistake(_("select_action returned action {action}, which does not exist.").format(action=action),
                      given=given, expected=_("an action in 0..{last}").format(last=n_actions - 1), got=action,
                      hint=_("random.randint(a, b) includes b: use random.randrange(n_actions).")
                      if action == n_actions else None)
    return action


def _draw(student: Callable[..., Any], network: nn.Module, state: torch.Tensor, epsilon: float, n_actions: int,
          times: int, given: str) -> Counter:
    return Counter(_as_action(call(student, network, state, epsilon, n_actions, given=given), given, n_actions)
                   for _draw_number in range(times))


@checker("select_action", select_action, "dqn_helpers.policy.select_action")
def check_select_action(student: Callable[..., int]) -> str:
    """``select_action(network, state, epsilon, n_actions)``: ε-greedy over ``n_actions``."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    state = torch.rand(1, 3, 40, 90)
    for values in ([0.2, 0.9, -0.1], [0.5, -0.3, 0.1], [-1.0, -2.0, -0.5]):
        greedy = int(np.argmax(values))
        network = _FixedQ(values, state)
        given = _("select_action(net, state, epsilon=0.0, n_actions=3), net's Q-values {values}").format(
            values=values)
        snapshots = [Snapshot("state", state), Snapshot("network", network)]
        picks = _draw(student, network, state, 0.0, 3, 50, given)
        expect_unchanged(snapshots, given)
        if picks != Counter({greedy: 50}):
            most = picks.most_common(1)[0][0]
            if len(picks) == 1 and most == int(np.argmin(values)):
                hint = _("the greedy action is the argmax of the Q-values (q.max(1)[1] or q.argmax(dim=1)), "
                         "not the argmin.")
            elif len(picks) > 1:
                hint = _("with ε = 0 your code still takes random actions: explore only when "
                         "random.random() < epsilon (are the two branches swapped?).")
            else:
                hint = _("the greedy action is the index of the largest Q-value: network(state).max(1)[1].")
            raise Mistake(_("with ε = 0 the action should always be the greedy one."), given=given,
                          expected=_("action {action} every time").format(action=greedy), got=dict(picks),
                          hint=hint)
    network = _FixedQ([0.2, 0.9, -0.1], state)
    n, greedy = 3000, 1
    rates: dict[float, dict[int, float]] = {}
    for epsilon in (1.0, 0.3):
        given = _("{calls} calls of select_action(net, state, epsilon={epsilon}, n_actions=3), greedy action 1"
                  ).format(calls=n, epsilon=epsilon)
        picks = _draw(student, network, state, epsilon, 3, n, given)
        rates[epsilon] = {a: picks.get(a, 0) / n for a in range(3)}

    def mix(random_share: Callable[[float, int], float], greedy_share: Callable[[float], float]):
        return {e: {a: random_share(e, a) + greedy_share(e) * (a == greedy) for a in range(3)} for e in rates}

    def near(got: dict[float, dict[int, float]], want: dict[float, dict[int, float]]) -> bool:
        return all(abs(got[e][a] - want[e][a]) <= 0.04 for e in got for a in range(3))

    # a random action is uniform over all 3 actions, the greedy one included
    expected = mix(lambda e, a: e / 3, lambda e: 1 - e)
    if not near(rates, expected):
        variants = [
            (mix(lambda e, a: (1 - e) / 3, lambda e: e),
             _("the branches are swapped: explore (random action) when random.random() < epsilon.")),
            (mix(lambda e, a: e / 2 * (a < 2), lambda e: 1 - e),
             _("a random action ranges over all n_actions actions: random.randrange(n_actions).")),
            (mix(lambda e, a: e / 2 * (a != greedy), lambda e: 1 - e),
             _("a random action may be any action, the greedy one too: random.randrange(n_actions).")),
            (mix(lambda e, a: 0.0, lambda e: 1.0),
             _("ε is ignored: explore with probability epsilon, `if random.random() < epsilon:`.")),
            (mix(lambda e, a: 1 / 3, lambda e: 0.0), _("ε is ignored: every action is random.")),
        ]
        hint = next((h for want, h in variants if near(rates, want)), None)
        epsilon = next(e for e in rates if not near({e: rates[e]}, {e: expected[e]}))
        raise Mistake(_("with ε = {epsilon} the actions are not ε-greedy.").format(epsilon=epsilon),
                      given=_("{calls} calls of select_action(net, state, epsilon={epsilon}, n_actions=3), "
                              "greedy action 1").format(calls=n, epsilon=epsilon),
                      expected={a: f"{p:.0%}" for a, p in expected[epsilon].items()},
                      got={a: f"{p:.0%}" for a, p in rates[epsilon].items()}, hint=hint)
    torch.manual_seed(3)
    slides_net = SlidesDQN(40, 90, 2).eval()
    screen = torch.rand(1, 3, 40, 90)
    with torch.no_grad():
        greedy = int(slides_net(screen).argmax(dim=1))
    given = _("select_action(the slides' DQN in eval() mode, a (1, 3, 40, 90) screen, epsilon=0.0, n_actions=2)")
    snapshots = [Snapshot("state", screen), Snapshot("network", slides_net)]
    picks = _draw(student, slides_net, screen, 0.0, 2, 5, given)
    expect_unchanged(snapshots, given)
    if picks != Counter({greedy: 5}):
        raise Mistake(_("on the slides' network the action is not the greedy one."), given=given,
                      expected=_("action {action} every time").format(action=greedy), got=dict(picks),
                      hint=diagnose(picks.most_common(1)[0][0],
                                    [(lambda: 1 - greedy, _("take the argmax, not the argmin."))],
                                    lambda a, b: a == b))
    return _("greedy when ε = 0 (stand-in and slides' networks), uniform when ε = 1, the right mix in between.")
