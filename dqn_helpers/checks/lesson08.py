"""Checkers for lesson 08: the Double DQN target and n-step returns.

``double_dqn_values`` is probed with stand-in networks whose Q-values are a known table, chosen
so that every typical mistake (the plain max, the roles swapped, the online network's own value,
argmin) gives a different number in every row, and then with two real recipe networks on real
frames. ``n_step_returns`` is probed on streams of several episodes, with n = 1, 3 and 5, so that
a sum running past an episode's end, a bootstrap after a termination, an off-by-one discount
and a missing stream end each show.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from dqn_helpers.checks.core import Mistake, Snapshot, call, checker, close, diagnose, expect_unchanged
from dqn_helpers.i18n import _
from dqn_helpers.model import PixelDQN
from dqn_helpers.pixels import make_pixel_env
from dqn_helpers.update import n_step_returns, next_state_values


def _reference_double(online_net: nn.Module, target_net: nn.Module, next_states: torch.Tensor) -> torch.Tensor:
    return next_state_values(target_net, next_states, online_net)


class _TableQ(nn.Module):
    """A network whose Q-values for the state numbered i (pixel [0, 0, 0] = i) are row i of a table."""

    def __init__(self, table: list[list[float]]) -> None:
        super().__init__()
        self.table = torch.tensor(table)
        self.scale = nn.Parameter(torch.ones(()))  # so a gradient can reach it

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not torch.is_tensor(x) or x.dim() != 4:
            got = tuple(x.shape) if torch.is_tensor(x) else type(x).__name__
            raise Mistake(_("a network was given {got} instead of the batch of next states (B, 4, 30, 90).").format(
                              got=got),
                          hint=_("pass next_states to each network as it is: online_net(next_states), "
                                 "target_net(next_states)."))
        return self.table[x[:, 0, 0, 0].long()] * self.scale


ONLINE = [[1.0, 5.0, 2.0], [4.0, 0.0, 3.0], [0.0, 1.0, 9.0], [7.0, 2.0, 6.0], [2.0, 3.0, 1.0]]
TARGET = [[3.0, 1.0, 8.0], [2.0, 6.0, 5.0], [4.0, 0.0, 2.0], [1.0, 9.0, 3.0], [5.0, 2.0, 7.0]]


def _double_variants(online: nn.Module, target: nn.Module, states: torch.Tensor) -> list[tuple[Callable, str]]:
    with torch.no_grad():
        q_online, q_target = online(states), target(states)
    pick = q_online.argmax(1, keepdim=True)
    return [
        (lambda: q_target.max(1).values,
         _("this is the plain DQN target, max_a Q'(s', a): let the ONLINE network pick the action "
           "(argmax of online_net(next_states)) and the target network evaluate it.")),
        (lambda: q_online.gather(1, q_target.argmax(1, keepdim=True)).squeeze(1),
         _("the roles are swapped: the online network picks (argmax), the target network evaluates (gather).")),
        (lambda: q_online.max(1).values,
         _("these are the online network's own values: evaluate its chosen action with the TARGET network, "
           "target_net(next_states).gather(1, best).")),
        (lambda: q_target.gather(1, q_online.argmin(1, keepdim=True)).squeeze(1),
         _("the online network picks its BEST action: argmax, not argmin.")),
        (lambda: pick.squeeze(1).to(q_target.dtype),
         _("these are the chosen actions: return the target network's Q-values for them.")),
        (lambda: q_target.gather(0, pick.expand(-1, q_target.shape[1]))[:, 0],
         _("gather along dim 1 (the actions), one column per row: target_q.gather(1, best).")),
    ]


def _double_probes() -> list[tuple[nn.Module, nn.Module, torch.Tensor, str]]:
    states = torch.zeros(len(ONLINE), 4, 30, 90, dtype=torch.uint8)
    states[:, 0, 0, 0] = torch.arange(len(ONLINE), dtype=torch.uint8)
    probes = [(_TableQ(ONLINE), _TableQ(TARGET), states,
               _("stand-in networks, 5 next states, 3 actions: online Q {online}, target Q {target}").format(
                   online=ONLINE, target=TARGET))]
    env = make_pixel_env("CartPole-v1")
    observation, _info = env.reset(seed=7)
    frames = [observation]
    for step in range(5):
        observation, *_rest = env.step(step % 2)
        frames.append(observation)
    env.close()
    torch.manual_seed(11)
    online, target = PixelDQN(4, 30, 90, 2), PixelDQN(4, 30, 90, 2)
    probes.append((online, target, torch.from_numpy(np.stack(frames)),
                   _("two recipe networks (PixelDQN, different weights), 6 real next states (6, 4, 30, 90) uint8")))
    return probes


@checker("double_dqn_values", _reference_double, "dqn_helpers.update.next_state_values",
         delegates=(_reference_double, next_state_values))
def check_double_dqn_values(student: Callable[..., torch.Tensor]) -> str:
    """``double_dqn_values(online_net, target_net, next_states)``: Q'(s', argmax_a Q(s', a))."""
    for online, target, states, given in _double_probes():
        expected = _reference_double(online, target, states)
        snapshots = [Snapshot("online_net", online), Snapshot("target_net", target), Snapshot("next_states", states)]
        got = call(student, online, target, states, given=given)
        expect_unchanged(snapshots, given, "double_dqn_values")
        if not torch.is_tensor(got):
            raise Mistake(_("double_dqn_values should return a tensor of values, one per next state."),
                          given=given, expected=_("a tensor of shape {shape}").format(shape=tuple(expected.shape)),
                          got=repr(got)[:80],
                          hint=_("end with `return` and the values.") if got is None else
                          _("return the tensor itself (not .tolist() or .item())."))
        if not got.dtype.is_floating_point:
            raise Mistake(_("double_dqn_values returned whole numbers: actions, not their values."), given=given,
                          expected=expected, got=got,
                          hint=_("after choosing the actions with argmax, look up their values in the target "
                                 "network's Q-values: target_q.gather(1, best).squeeze(1)."))
        if tuple(got.shape) != tuple(expected.shape):
            hint = (_("gather(1, best) keeps a column per row, (B, 1): finish with .squeeze(1).")
                    if tuple(got.shape) == (len(expected), 1) else None)
            raise Mistake(_("wrong shape: one value per next state."), given=given,
                          expected=_("shape {shape}").format(shape=tuple(expected.shape)),
                          got=_("shape {shape}").format(shape=tuple(got.shape)), hint=hint)
        if got.requires_grad:
            raise Mistake(_("the values carry gradients, so the loss would push on the target too."), given=given,
                          hint=_("compute them inside `with torch.no_grad():` (or .detach() the result): the "
                                 "target is a fixed number for this update."))
        if not close(got, expected, 1e-5):
            hint = diagnose(got, _double_variants(online, target, states), lambda a, b: close(a, b, 1e-5))
            raise Mistake(_("wrong values."), given=given, expected=expected, got=got, hint=hint)
    return _("the online network picks the action, the target network gives its value, without gradients; "
             "stand-in and real recipe networks.")


# --- n-step returns --------------------------------------------------------------------------

def _returns_variant(rewards: Sequence[float], terminated: Sequence[bool], values: Sequence[float], gamma: float,
                     n: int, *, cut: bool = True, bootstrap_after_end: bool = False, reward_power: int = 0,
                     boot_power: str = "m", boot_from_first: bool = False,
                     end_is_terminal: bool = False, skip_terminal_reward: bool = False) -> list[float]:
    """``n_step_returns`` with one typical mistake switched on."""
    out = []
    for t in range(len(rewards)):
        total, m, ended = 0.0, 0, False
        for k in range(t, min(t + n, len(rewards))):
            if skip_terminal_reward and terminated[k]:
                m, ended = m + 1, True
                break
            total += gamma ** (m + reward_power) * rewards[k]
            m += 1
            if cut and terminated[k]:
                ended = True
                break
        stream_cut = end_is_terminal and t + n > len(rewards) and not ended
        if (bootstrap_after_end or not ended) and not stream_cut:
            power = {"m": m, "one": 1, "n": n, "m-1": m - 1}[boot_power]
            total += gamma ** power * values[t if boot_from_first else t + m - 1]
        out.append(total)
    return out


def _returns_variants(rewards, terminated, values, gamma, n) -> list[tuple[Callable, str]]:  # noqa: ANN001
    def v(hint: str, **mistake: Any) -> tuple[Callable, str]:
        return (lambda: _returns_variant(rewards, terminated, values, gamma, n, **mistake), hint)

    return [
        v(_("the sum runs past the end of an episode: stop adding rewards at a step whose terminated is True "
            "(the next reward belongs to the next episode)."), cut=False),
        v(_("after a termination there is no next state: do not add γ^m · next_values there."),
          bootstrap_after_end=True),
        v(_("the first reward is not discounted: step t+k's reward gets γ^k (γ^0 = 1 for the first)."),
          reward_power=1),
        v(_("the bootstrap's discount is γ^m, one γ per reward summed, not a single γ."), boot_power="one"),
        v(_("where the stream ends before n steps, only m < n rewards are summed: the bootstrap gets γ^m, not γ^n."),
          boot_power="n"),
        v(_("off by one: after m rewards the bootstrap gets γ^m (γ^1 for a 1-step return), not γ^(m-1)."),
          boot_power="m-1"),
        v(_("bootstrap from the state reached after the m steps, next_values[t + m - 1], not next_values[t]."),
          boot_from_first=True),
        v(_("the end of the stream is not the end of an episode: sum the steps that remain there, then bootstrap "
            "from next_values[-1]."), end_is_terminal=True),
        v(_("the step that terminates is still rewarded: add its reward, then stop (check terminated after "
            "adding)."), skip_terminal_reward=True),
        (lambda: _returns_variant(rewards, terminated, values, gamma, 1),
         _("n is ignored: sum up to n rewards, not one.")),
    ]


STREAMS = [
    # (rewards, terminated, next_values, gamma, n)
    ([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
     [False, False, True, False, False, False, False, True, False, False],
     [10.0, 9.0, 7.0, 12.0, 11.0, 8.0, 6.0, 5.0, 13.0, 4.0], 0.9, 3),
    ([0.5, -1.0, 2.0, 0.0, 1.5, 3.0, -0.5], [False, True, False, False, False, True, False],
     [2.0, 1.0, 4.0, -3.0, 5.0, 6.0, 7.0], 0.8, 5),
    ([1.0, 2.0, 3.0, 4.0], [False, False, False, False], [10.0, 20.0, 30.0, 40.0], 0.5, 1),
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [False, False, False, False, True, False],
     [3.0, 1.0, 4.0, 1.0, 5.0, 9.0], 0.99, 3),
]


def _as_returns(value: Any, given: str, expected: list[float]) -> list[float]:
    if torch.is_tensor(value):
        value = value.detach().cpu().tolist()
    elif isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not all(
            isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) for x in value):
        raise Mistake(_("n_step_returns should return a list of numbers, one per step."), given=given,
                      expected=expected, got=repr(value)[:80],
                      hint=_("end with `return` and the list.") if value is None else
                      _("append one float per step t to a list and return the list."))
    if len(value) != len(expected):
        raise Mistake(_("n_step_returns returned {count} values for a stream of {steps} steps.").format(
                          count=len(value), steps=len(expected)),
                      given=given, expected=_("{count} values").format(count=len(expected)),
                      got=_("{count} values").format(count=len(value)),
                      hint=_("every step t gets a target, the last ones too (with fewer rewards summed)."))
    return [float(x) for x in value]


@checker("n_step_returns", n_step_returns, "dqn_helpers.update.n_step_returns")
def check_n_step_returns(student: Callable[..., list[float]]) -> str:
    """``n_step_returns(rewards, terminated, next_values, gamma, n)``: the n-step target of every step."""
    for rewards, terminated, values, gamma, n in STREAMS:
        given = (f"n_step_returns(rewards={rewards}, terminated={terminated}, next_values={values}, "
                 f"gamma={gamma}, n={n})")
        inputs = [list(rewards), list(terminated), list(values)]
        snapshots = [Snapshot(name, x) for name, x in zip(("rewards", "terminated", "next_values"), inputs,
                                                           strict=True)]
        expected = n_step_returns(rewards, terminated, values, gamma, n)
        got = _as_returns(call(student, *inputs, gamma, n, given=given), given, expected)
        expect_unchanged(snapshots, given, "n_step_returns")
        wrong = [t for t in range(len(expected)) if not math.isclose(got[t], expected[t], rel_tol=1e-6,
                                                                      abs_tol=1e-9)]
        if wrong:
            hint = diagnose(got, _returns_variants(rewards, terminated, values, gamma, n),
                            lambda a, b: close(a, b, 1e-6))
            t = wrong[0]
            more = _(" (and at {count} more steps)").format(count=len(wrong) - 1) if len(wrong) > 1 else ""
            raise Mistake(_("wrong target at step t = {t}{more}.").format(t=t, more=more), given=given,
                          expected=[round(x, 4) for x in expected], got=[round(x, 4) for x in got], hint=hint)
    return _("n rewards discounted γ^0..γ^(m-1), cut at terminations (no bootstrap there), γ^m · next_values "
             "otherwise, fewer steps at the stream's end; n = 1, 3, 5.")
