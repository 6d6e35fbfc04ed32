"""Checker for lesson 06 (training): the TD target with the non-final mask, and the loss."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from dqn_helpers.checks.core import Mistake, call, checker
from dqn_helpers.replay import Transition
from dqn_helpers.slides import slides_loss

GAMMA = 0.9


def _network(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 5, 2))


def _transitions(final: tuple[int, ...]) -> list[Transition]:
    """Six transitions with tiny 3x4x5 'screens'; those at the indices in ``final`` end their episode."""
    generator = torch.Generator().manual_seed(11)
    batch = []
    for i in range(6):
        state = torch.rand(1, 3, 4, 5, generator=generator)
        next_state = None if i in final else torch.rand(1, 3, 4, 5, generator=generator)
        batch.append(Transition(state, torch.tensor([[i % 2]]), next_state, torch.tensor([1.0 + i / 10])))
    return batch


def _variants(transitions, policy_net, target_net, gamma) -> dict[str, tuple[float, str]]:
    """Losses that typical mistakes produce, each with the hint that fixes it."""
    batch = Transition(*zip(*transitions, strict=True))
    mask = torch.tensor([s is not None for s in batch.next_state])
    states, actions, rewards = torch.cat(batch.state), torch.cat(batch.action), torch.cat(batch.reward)
    following = torch.cat([s for s in batch.next_state if s is not None])
    q_all = policy_net(states)
    q_taken = q_all.gather(1, actions)

    def future(net: nn.Module, reduce: str) -> torch.Tensor:
        values = torch.zeros(len(transitions))
        with torch.no_grad():
            q = net(following)
            values[mask] = q.max(1).values if reduce == "max" else q.min(1).values
        return values

    def huber(targets: torch.Tensor) -> float:
        return F.smooth_l1_loss(q_taken, targets.unsqueeze(1)).item()

    target = rewards + gamma * future(target_net, "max")
    return {
        "policy_next": (huber(rewards + gamma * future(policy_net, "max")),
                        "the next-state values come from the *target* network: target_net(non_final_next_states)."),
        "min": (huber(rewards + gamma * future(target_net, "min")),
                "the target takes the best next action: .max(1)[0] (or .max(1).values), not min."),
        "gamma_outside": (huber(gamma * (rewards + future(target_net, "max"))),
                          "γ multiplies only the future: reward + GAMMA * next_state_values."),
        "mse": (F.mse_loss(q_taken, target.unsqueeze(1)).item(),
                "the slides use the Huber loss: nn.SmoothL1Loss() (F.smooth_l1_loss), not the squared error."),
        "broadcast": (F.smooth_l1_loss(*torch.broadcast_tensors(q_taken, target.unsqueeze(0))).item(),
                      "Q(s, a) has shape (B, 1) and the target (B,): compare them as "
                      "criterion(state_action_values, expected_state_action_values.unsqueeze(1)); "
                      "otherwise they broadcast to (B, B)."),
        "no_gather": (F.smooth_l1_loss(q_all.max(1, keepdim=True).values, target.unsqueeze(1)).item(),
                      "Q(s, a) is the value of the action *taken*: policy_net(state_batch).gather(1, action_batch)."),
        "no_mask": (huber(rewards),
                    "non-final transitions need the future term: next_state_values[non_final_mask] = "
                    "target_net(non_final_next_states).max(1)[0]."),
    }


@checker("compute_loss", slides_loss, "dqn_helpers.slides.slides_loss")
def check_compute_loss(student: Callable[..., torch.Tensor]) -> str:
    """``compute_loss(transitions, policy_net, target_net, gamma)``: the slides' TD loss."""
    for final in ((1, 4), (0,), ()):
        transitions = _transitions(final)
        policy_net, target_net = _network(0), _network(1)
        given = (f"6 transitions, next_state None at {list(final) or 'none'}, γ = {GAMMA}, "
                 "small linear policy and target networks")
        loss = call(student, transitions, policy_net, target_net, GAMMA, given=given)
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
            raise Mistake("compute_loss should return the loss as a one-element tensor.", given=given,
                          expected="tensor(...) with grad_fn", got=repr(loss)[:80],
                          hint="return criterion(...) itself, not loss.item() or a list.")
        if loss.grad_fn is None:
            raise Mistake("the loss carries no gradient, so the network cannot learn from it.", given=given,
                          hint="compute Q(s, a) outside `torch.no_grad()` and do not .detach() it or call .item().")
        with torch.no_grad():
            expected = slides_loss(transitions, policy_net, target_net, GAMMA).item()
        got = loss.item()
        if abs(got - expected) > 1e-5 * max(1.0, abs(expected)):
            with torch.no_grad():
                variants = _variants(transitions, policy_net, target_net, GAMMA)
            hint = next((h for value, h in variants.values() if abs(value - got) <= 1e-5 * max(1.0, abs(value))),
                        "target = reward + GAMMA * next_state_values, where next_state_values is "
                        "max_a target_net(s', a) for non-final s' and 0 for final ones.")
            raise Mistake("wrong loss value.", given=given, expected=round(expected, 6), got=round(got, 6),
                          hint=hint)
        loss.backward()
        if any(p.grad is not None and p.grad.abs().sum() > 0 for p in target_net.parameters()):
            raise Mistake("gradients flow into the target network.", given=given,
                          hint="compute the next-state values under `torch.no_grad()` (or `.detach()` them): "
                               "the target is a fixed number for this update.")
        if all(p.grad is None for p in policy_net.parameters()):
            raise Mistake("no gradient reached the policy network.", given=given,
                          hint="Q(s, a) must come from policy_net(state_batch), with gradients.")
    return "Q(s, a) from the policy net, r + γ·max Q_target(s') with 0 for final states, Huber loss."
