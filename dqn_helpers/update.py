"""One Q-learning update: the TD target, the loss, the gradient step, the target network.

One *update* of the network; the whole training loop is ``loop.py`` (what Stable-Baselines3
calls ``learn()``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F


def td_targets(
    rewards: torch.Tensor,
    next_q_values: torch.Tensor,
    non_final_mask: torch.Tensor,
    discount: float | torch.Tensor,
) -> torch.Tensor:
    """r + discount · max_a Q'(s', a), with the future zeroed where the episode terminated.

    ``next_q_values`` are the target network's values for *every* next state, shape (B,);
    entries where ``non_final_mask`` is False are ignored (they may hold anything). ``discount``
    is γ for 1-step returns, or a tensor of per-sample discounts γ^n for n-step returns.
    """
    future = torch.where(non_final_mask, next_q_values, torch.zeros_like(next_q_values))
    return rewards + discount * future


def next_state_values(
    target_net: nn.Module, next_states: torch.Tensor, online_net: nn.Module | None = None
) -> torch.Tensor:
    """max_a Q'(s', a); with ``online_net`` (Double DQN) Q'(s', argmax_a Q(s', a)).

    Q' is the target network, Q the online (policy) network, as the lessons write them."""
    with torch.no_grad():
        target_q = target_net(next_states)
        if online_net is None:
            return target_q.max(dim=1).values
        best = online_net(next_states).argmax(dim=1, keepdim=True)
        return target_q.gather(1, best).squeeze(1)


def td_loss(q_taken: torch.Tensor, targets: torch.Tensor, kind: str = "huber") -> torch.Tensor:
    """Huber (the slides' ``SmoothL1Loss``) or squared error between Q(s, a) and the target."""
    if kind == "huber":
        return F.smooth_l1_loss(q_taken, targets)
    if kind == "mse":
        return F.mse_loss(q_taken, targets)
    raise ValueError(f"loss kind must be 'huber' or 'mse', got {kind!r}")


def gradient_step(
    network: nn.Module, optimizer: torch.optim.Optimizer, loss: torch.Tensor,
    clip_value: float | None = None, clip_norm: float | None = None,
) -> None:
    """Backpropagate ``loss`` and step, clipping each gradient entry (slides) or the norm."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if clip_value is not None:
        torch.nn.utils.clip_grad_value_(network.parameters(), clip_value)
    if clip_norm is not None:
        torch.nn.utils.clip_grad_norm_(network.parameters(), clip_norm)
    optimizer.step()


def update_target(target_net: nn.Module, online_net: nn.Module, tau: float = 1.0) -> None:
    """Copy the online weights into the target (tau = 1), or move them a fraction tau towards them."""
    if tau >= 1.0:
        target_net.load_state_dict(online_net.state_dict())
        return
    with torch.no_grad():
        for target, online in zip(target_net.parameters(), online_net.parameters(), strict=True):
            target.lerp_(online, tau)


def n_step_returns(rewards: Sequence[float], terminated: Sequence[bool], next_values: Sequence[float],
                   gamma: float, n: int) -> list[float]:
    """The n-step target of every step of a stream of experience (lesson 08's exercise).

    Step t's target sums the rewards of steps t, t+1, ... discounted by γ^k, for n steps, fewer
    where the episode terminates first (nothing after a termination counts, and the target
    stops there without bootstrapping) or where the stream ends; it then adds γ^m times the
    value of the state reached after those m steps, ``next_values[t + m - 1]``. ``FrameReplay``
    computes the same for a sampled batch.
    """
    targets = []
    for t in range(len(rewards)):
        total, discount = 0.0, 1.0
        for k in range(t, min(t + n, len(rewards))):
            total += discount * rewards[k]
            discount *= gamma
            if terminated[k]:
                break
        else:  # no termination within the window: bootstrap from the last state reached
            total += discount * next_values[k]
        targets.append(total)
    return targets
