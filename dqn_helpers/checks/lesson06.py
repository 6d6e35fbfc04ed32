"""Checkers for lesson 06 (training): the TD loss, and one episode of the slides' training loop.

``compute_loss`` is probed with small stand-in networks and with the real slides' networks on
real-sized screens, on the device the lesson trains on, for several batch sizes and discounts;
its inputs must come back unchanged. ``train_episode`` is run on real CartPole episodes, one
ending in a fall and one in a time-limit truncation, with instrumented ``select_action``,
memory and ``optimize_model``, and judged by its effects.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dqn_helpers.checks.core import (
    Mistake,
    Snapshot,
    StudentError,
    call,
    checker,
    diagnose,
    expect_unchanged,
)
from dqn_helpers.device import pick_device
from dqn_helpers.env import make_env
from dqn_helpers.i18n import _
from dqn_helpers.model import SlidesDQN
from dqn_helpers.replay import Transition
from dqn_helpers.screen import get_screen
from dqn_helpers.slides import slides_loss, train_episode


def _network(seed: int, screen: tuple[int, ...] = (3, 4, 5)) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(int(torch.tensor(screen).prod()), 2))


def _transitions(size: int, final: tuple[int, ...], screen: tuple[int, ...] = (3, 4, 5), seed: int = 11,
                 device: torch.device | str = "cpu") -> list[Transition]:
    """``size`` transitions with random screens; those at the indices in ``final`` end their episode."""
    generator = torch.Generator().manual_seed(seed)
    batch = []
    for i in range(size):
        state = torch.rand(1, *screen, generator=generator).to(device)
        next_state = None if i in final else torch.rand(1, *screen, generator=generator).to(device)
        batch.append(Transition(state, torch.tensor([[i % 2]], device=device), next_state,
                                torch.tensor([1.0 + i / 10], device=device)))
    return batch


def _variants(transitions, policy_net, target_net, gamma) -> list[tuple[Callable[[], Any], str]]:
    """Losses that typical mistakes produce, each with the hint that fixes it."""
    batch = Transition(*zip(*transitions, strict=True))
    mask = torch.tensor([s is not None for s in batch.next_state])
    states, actions, rewards = torch.cat(batch.state), torch.cat(batch.action), torch.cat(batch.reward)
    following = torch.cat([s for s in batch.next_state if s is not None])
    q_all = policy_net(states)
    q_taken = q_all.gather(1, actions)
    device = states.device

    def future(net: nn.Module, reduce: str) -> torch.Tensor:
        values = torch.zeros(len(transitions), device=device)
        q = net(following)
        picked = {"max": q.max(1).values, "min": q.min(1).values, "argmax": q.max(1).indices.float(),
                  "taken": q.gather(1, actions[mask.to(device)]).squeeze(1), "mean": q.mean(1)}[reduce]
        values[mask.to(device)] = picked
        return values

    def huber(targets: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        return F.smooth_l1_loss(q_taken, targets.unsqueeze(1), **kwargs)

    target = rewards + gamma * future(target_net, "max")

    def one_at_a_time() -> torch.Tensor:
        q = torch.cat([policy_net(t.state).gather(1, t.action) for t in transitions])
        return F.smooth_l1_loss(q, target.unsqueeze(1))

    return [
        (one_at_a_time,
         _("compute Q(s, a) in one forward pass over the whole batch, policy_net(torch.cat(batch.state)): in "
           "train() mode BatchNorm normalises over the batch, so one screen at a time gives other Q-values.")),
        (lambda: huber(rewards + gamma * future(policy_net, "max")),
         _("the next-state values come from the *target* network: target_net(non_final_next_states).")),
        (lambda: huber(rewards + gamma * future(target_net, "min")),
         _("the target takes the best next action: .max(1)[0] (or .max(1).values), not min.")),
        (lambda: huber(rewards + gamma * future(target_net, "argmax")),
         _("max(1) gives (values, indices): the target needs the values, .max(1)[0], not the indices .max(1)[1].")),
        (lambda: huber(rewards + gamma * future(target_net, "taken")),
         _("the target takes the best next action, max over a' of Q'(s', a'), not the action taken in s.")),
        (lambda: huber(rewards + gamma * future(target_net, "mean")),
         _("the target takes the max over a', not the mean.")),
        (lambda: huber(gamma * (rewards + future(target_net, "max"))),
         _("γ multiplies only the future: reward + gamma * next_state_values.")),
        *[(lambda g=g: huber(rewards + g * future(target_net, "max")),
           _("use the `gamma` you are given, not {g}.").format(g=g)) for g in (0.999, 0.99, 0.95, 0.9) if g != gamma],
        (lambda: huber(rewards + future(target_net, "max")),
         _("discount the future: reward + gamma * next_state_values.")),
        (lambda: F.mse_loss(q_taken, target.unsqueeze(1)),
         _("the slides use the Huber loss: nn.SmoothL1Loss() (F.smooth_l1_loss), not the squared error.")),
        (lambda: F.l1_loss(q_taken, target.unsqueeze(1)),
         _("the slides use the Huber loss, nn.SmoothL1Loss(): squared for small errors, linear for large ones.")),
        (lambda: huber(target, reduction="sum"), _("average over the batch (SmoothL1Loss's default), do not sum.")),
        (lambda: F.smooth_l1_loss(*torch.broadcast_tensors(q_taken, target.unsqueeze(0))),
         _("Q(s, a) has shape (B, 1) and the target (B,): compare them as criterion(state_action_values, "
           "expected_state_action_values.unsqueeze(1)); otherwise they broadcast to (B, B).")),
        (lambda: F.smooth_l1_loss(target.unsqueeze(1), q_taken),
         _("the loss compares Q(s, a) with the target: criterion(state_action_values, expected.unsqueeze(1)).")),
        (lambda: F.smooth_l1_loss(q_all.max(1, keepdim=True).values, target.unsqueeze(1)),
         _("Q(s, a) is the value of the action *taken*: policy_net(state_batch).gather(1, action_batch).")),
        (lambda: huber(rewards),
         _("non-final transitions need the future term: next_state_values[non_final_mask] = "
           "target_net(non_final_next_states).max(1)[0].")),
    ]


def _same_loss(a: Any, b: Any) -> bool:
    a, b = float(a), float(b)
    return abs(a - b) <= 1e-5 * max(1.0, abs(b))


def _probes(device: torch.device) -> list[tuple[list[Transition], nn.Module, nn.Module, float, str]]:
    probes = []
    for size, final, gamma, seed in ((6, (1, 4), 0.9, 11), (5, (0,), 0.5, 12), (7, (), 0.99, 13)):
        probes.append((_transitions(size, final, seed=seed), _network(0), _network(1), gamma,
                       _("{size} transitions of 3x4x5 screens, next_state None at {final}, "
                         "γ = {gamma}, small linear policy and target networks")
                       .format(size=size, final=list(final) or _("none"), gamma=gamma)))
    torch.manual_seed(5)
    # as in the lesson's training step: the policy in train() mode, the target in eval() mode. In train
    # mode BatchNorm normalises over the batch, so Q(s, a) depends on which screens share the forward
    # pass: the slides' loss takes them in one pass, and one transition at a time is another loss.
    policy_net = SlidesDQN(40, 90, 2).to(device).train()
    target_net = SlidesDQN(40, 90, 2).to(device).eval()
    probes.append((_transitions(4, (2,), screen=(3, 40, 90), seed=14, device=device), policy_net, target_net, 0.999,
                   _("4 transitions of 3x40x90 screens on {device}, next_state None at [2], γ = 0.999, "
                     "the slides' DQN (policy_net in train() mode, target_net in eval() mode)").format(device=device)))
    return probes


@checker("compute_loss", slides_loss, "dqn_helpers.slides.slides_loss")
def check_compute_loss(student: Callable[..., torch.Tensor]) -> str:
    """``compute_loss(transitions, policy_net, target_net, gamma)``: the slides' TD loss."""
    device = pick_device()
    for transitions, policy_net, target_net, gamma, given in _probes(device):
        reference_policy, reference_target = copy.deepcopy(policy_net), copy.deepcopy(target_net)
        with torch.no_grad():
            expected = slides_loss(transitions, reference_policy, reference_target, gamma).item()
        snapshots = [Snapshot("transitions", transitions), _Weights("policy_net", policy_net),
                     _Weights("target_net", target_net)]
        loss = call(student, transitions, policy_net, target_net, gamma, given=given)
        if any(p.grad is not None for p in list(policy_net.parameters()) + list(target_net.parameters())):
            raise Mistake(_("compute_loss already ran backward()."), given=given,
                          hint=_("only compute and return the loss: the training step calls zero_grad(), "
                                 "backward() and step() itself."))
        expect_unchanged(snapshots, given, "compute_loss")
        if not isinstance(loss, torch.Tensor):
            raise Mistake(_("compute_loss should return the loss as a tensor."), given=given,
                          expected=_("tensor(...) with grad_fn"), got=repr(loss)[:80],
                          hint=_("end with `return` and the loss.") if loss is None else
                          _("return criterion(...) itself, not loss.item() or a number: backward() needs the tensor."))
        if loss.numel() != 1:
            raise Mistake(_("compute_loss should return one number, the loss averaged over the batch."), given=given,
                          expected=_("a tensor with one element"),
                          got=_("a tensor of shape {shape}").format(shape=tuple(loss.shape)),
                          hint=_("use the default reduction: nn.SmoothL1Loss() averages over the batch."))
        if loss.grad_fn is None:
            raise Mistake(_("the loss carries no gradient, so the network cannot learn from it."), given=given,
                          hint=_("compute Q(s, a) outside `torch.no_grad()` and do not .detach() it."))
        if loss.device != transitions[0].state.device:
            raise Mistake(_("the loss is not on the batch's device."), given=given,
                          expected=str(transitions[0].state.device),
                          got=str(loss.device), hint=_("create new tensors with device=state_batch.device."))
        got = loss.item()
        if not _same_loss(got, expected):
            with torch.no_grad():
                hint = diagnose(got, _variants(transitions, reference_policy, reference_target, gamma), _same_loss)
            if hint is None and _batch_dependent(student, transitions, reference_policy, reference_target, gamma):
                hint = _("your loss is right when the networks treat each screen alone (eval() mode), and differs "
                         "with policy_net in train() mode, where BatchNorm normalises over the batch: compute "
                         "Q(s, a) in one forward pass over the whole batch, policy_net(torch.cat(batch.state)).")
            raise Mistake(_("wrong loss value."), given=given, expected=expected, got=got, hint=hint)
        try:
            loss.backward()
        except RuntimeError as error:
            raise StudentError(error, given, hint=_("return the loss as computed, without calling backward() "
                                                    "on it yourself.")) from None
        if any(p.grad is not None and p.grad.abs().sum() > 0 for p in target_net.parameters()):
            raise Mistake(_("gradients flow into the target network."), given=given,
                          hint=_("compute the next-state values under `torch.no_grad()` (or `.detach()` them): "
                                 "the target is a fixed number for this update."))
        if all(p.grad is None for p in policy_net.parameters()):
            raise Mistake(_("no gradient reached the policy network."), given=given,
                          hint=_("Q(s, a) must come from policy_net(state_batch), with gradients."))
        missed = [name for name, p in policy_net.named_parameters() if p.requires_grad and p.grad is None]
        if missed:  # the training step clamps every weight's gradient: a None there fails
            raise Mistake(_("the gradient does not reach every weight of the policy network."), given=given,
                          expected=_("a gradient for every weight"),
                          got=_("none for `{name}`").format(name=missed[0]),
                          hint=_("compute Q(s, a) with the whole network, without .detach() or torch.no_grad() "
                                 "on any part of it."))
    return _("Q(s, a) from the policy net, r + γ·max Q'(s') with 0 for final states, Huber loss; "
             "stand-in and slides' networks, batches of 4 to 7, on {device}.").format(device=device)


def _batch_dependent(student: Callable[..., torch.Tensor], transitions: list[Transition], policy_net: nn.Module,
                     target_net: nn.Module, gamma: float) -> bool:
    """True when the student's loss matches the reference with both networks in eval() mode (each screen
    alone), while it did not with the policy in train() mode: the batch's make-up is what differs."""
    if not policy_net.training or not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in policy_net.modules()):
        return False
    policy, target = copy.deepcopy(policy_net).eval(), copy.deepcopy(target_net).eval()
    try:
        with torch.no_grad():
            expected = slides_loss(transitions, copy.deepcopy(policy), copy.deepcopy(target), gamma).item()
        got = call(student, transitions, policy, target, gamma, given="the same batch, both networks in eval() mode")
        return _same_loss(float(got), expected)
    except Exception:  # noqa: BLE001 - no evidence either way
        return False


class _Weights(Snapshot):
    """A network's weights (not BatchNorm's running statistics, which a forward pass in train mode moves)."""

    @staticmethod
    def _save(value: Any) -> Any:
        return {k: v.detach().clone() for k, v in value.named_parameters()}

    def changed(self) -> str | None:
        now = self._save(self.value)
        for key, tensor in self._saved.items():
            if not torch.equal(now[key], tensor):
                return _("its weight `{key}` changed (was optimizer.step() or an in-place operation called?)").format(
                    key=key)
        return None


# --- one episode of the slides' training loop -------------------------------------------------


class _ScreenRecorder(gym.Wrapper):
    """Records the screen after every reset and step, and how each step ended."""

    def __init__(self, env: gym.Env, seed: int) -> None:
        super().__init__(env)
        self.seed, self.screens, self.ends, self.actions, self.resets = seed, [], [], [], 0
        self.ended: str | None = "never reset"

    def reset(self, **kwargs: Any):
        if self.resets:
            raise Mistake(_("env.reset() was called twice in one episode."),
                          hint=_("reset once, at the start of the episode, before the loop."))
        self.resets += 1
        kwargs.setdefault("seed", self.seed)
        result = self.env.reset(**kwargs)
        self.screens, self.ended = [get_screen(self.env)], None
        return result

    def step(self, action: Any):
        if self.ended == "never reset":
            raise Mistake(_("env.step() was called before env.reset()."),
                          hint=_("start the episode with env.reset()."))
        if self.ended is not None:
            raise Mistake(_("env.step() was called after the episode had ended ({ended}).").format(ended=self.ended),
                          hint=_("leave the loop when `terminated or truncated`."))
        if not self.env.action_space.contains(action):
            raise Mistake(_("env.step() was given {action!r}, not an action.").format(action=action),
                          hint=_("select_action returns a 1x1 tensor: step with its number, "
                                 "env.step(action.item())."))
        self.actions.append(int(action))
        result = self.env.step(action)
        terminated, truncated = result[2], result[3]
        self.screens.append(get_screen(self.env))
        self.ends.append((bool(terminated), bool(truncated)))
        if terminated or truncated:
            self.ended = _("{flag}=True at step {step}").format(
                flag="terminated" if terminated else "truncated", step=len(self.ends))
        return result

    def state(self, t: int) -> torch.Tensor:
        """The slides' state before step t: the difference of the screens after t and t - 1 steps."""
        return self.screens[t] - self.screens[max(t - 1, 0)]


class _Agent:
    """Instrumented select_action / memory / optimize_model for the loop under test."""

    def __init__(self, env: _ScreenRecorder, balance: bool) -> None:
        self.env, self.balance = env, balance
        self.policy_net: nn.Sequential | None = None
        self.states: list[Any] = []
        self.pushes: list[tuple] = []
        self.optimized_after: list[int] = []

    def select_action(self, state: Any = None, *extra: Any) -> torch.Tensor:
        t = len(self.states)
        self.states.append(state)
        if extra or not torch.is_tensor(state):
            problem = (_("select_action was given {kind} and more arguments, not the state.") if extra else
                       _("select_action was given {kind}, not the state."))
            raise Mistake(problem.format(kind=type(state).__name__),
                          hint=_("pass the state alone: action = select_action(state)."))
        if len(self.env.screens) != t + 1:
            raise Mistake(_("select_action was called {calls} times in the first {steps} steps.").format(
                              calls=t + 1, steps=len(self.env.screens) - 1),
                          hint=_("select one action per step, right before env.step()."))
        want = self.env.state(t)
        if tuple(state.shape) != tuple(want.shape) or not torch.allclose(state.cpu(), want, atol=1e-6):
            hint = diagnose(state.cpu(), [
                (lambda: self.env.screens[t],
                 _("the state is a difference of two screens: current_screen - last_screen.")),
                (lambda: self.env.screens[t] - self.env.screens[0],
                 _("move the screens along each step: last_screen = current_screen, "
                   "then current_screen = get_screen(env).")),
                (lambda: self.env.state(t - 1), _("after pushing, move to the next state: state = next_state.")),
                (lambda: -want, _("the state is current_screen - last_screen, in that order.")),
            ], lambda a, b: tuple(a.shape) == tuple(b.shape) and torch.allclose(a, b, atol=1e-6))
            raise Mistake(_("the state given to select_action at step {step} is not the slides' state.").format(
                              step=t + 1),
                          expected=_("current_screen - last_screen (zeros right after reset: both screens are "
                                     "the same)"),
                          got=_("a tensor of shape {shape} that differs").format(shape=tuple(state.shape)), hint=hint)
        angle, velocity = self.env.unwrapped.state[2], self.env.unwrapped.state[3]
        action = int(angle + 0.5 * velocity > 0) if self.balance else 0
        return torch.tensor([[action]], dtype=torch.long)

    def push(self, *args: Any) -> None:
        self.pushes.append(args)

    def __len__(self) -> int:
        return len(self.pushes)

    def sample(self, batch_size: int) -> list:
        raise Mistake(_("the loop should not sample the memory itself."),
                      hint=_("optimize_model() samples the batch."))

    def optimize_model(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise Mistake(_("optimize_model was called with {count} argument(s); the lesson's "
                            "optimize_model() takes none.").format(count=len(args) + len(kwargs)),
                          hint=_("call it as optimize_model(): it samples the memory and trains the networks "
                                 "it already knows."))
        self.optimized_after.append(len(self.env.ends))
        if self.policy_net is not None:  # an update changes the policy: a copy made too early shows
            _train_step(self.policy_net)
        if len(self.pushes) != len(self.env.ends):
            raise Mistake(_("optimize_model() was called at step {step} with "
                            "{pushed} transitions pushed.").format(step=len(self.env.ends), pushed=len(self.pushes)),
                          hint=_("push the step's transition first, then call optimize_model(), once per step."))


def _loop_network(seed: int) -> nn.Sequential:
    """A small network with BatchNorm, so its running statistics (buffers) differ from its weights."""
    torch.manual_seed(seed)
    network = nn.Sequential(nn.Flatten(), nn.Linear(60, 2), nn.BatchNorm1d(2))
    with torch.no_grad():
        network[-1].running_mean.uniform_(-1, 1)
        network[-1].running_var.uniform_(0.5, 2)
    return network


def _train_step(network: nn.Sequential) -> None:
    """What one update does to the policy, as far as a copy can tell: weights and running statistics move."""
    with torch.no_grad():
        network[-1].bias.add_(0.01)
        network[-1].running_mean.add_(0.01)


class _CopyCounter(nn.Sequential):
    """A target network that counts how often weights are loaded into it."""

    def __init__(self, seed: int) -> None:
        super().__init__(*_loop_network(seed))
        self.copies = 0

    def load_state_dict(self, *args: Any, **kwargs: Any):
        self.copies += 1
        return super().load_state_dict(*args, **kwargs)


def _check_pushes(agent: _Agent, env: _ScreenRecorder, given: str) -> None:
    steps = len(env.ends)
    if len(agent.pushes) != steps:
        raise Mistake(_("{pushed} transitions were pushed for {steps} steps.").format(
                          pushed=len(agent.pushes), steps=steps), given=given,
                      hint=_("push one transition per step: memory.push(state, action, next_state, reward)."))
    for t, args in enumerate(agent.pushes):
        where = _("{given}; the transition of step {step}").format(given=given, step=t + 1)
        if len(args) != 4:
            raise Mistake(_("memory.push got {count} values instead of 4.").format(count=len(args)), given=where,
                          hint=_("memory.push(state, action, next_state, reward), the order of Transition's "
                                 "fields."))
        state, action, next_state, reward = args
        terminated, truncated = env.ends[t]
        if not (torch.is_tensor(state) and tuple(state.shape) == tuple(env.state(t).shape)
                and torch.allclose(state.cpu(), env.state(t), atol=1e-6)):
            raise Mistake(_("the pushed state is not the state the action was chosen in."), given=where,
                          hint=_("push in Transition's order: memory.push(state, action, next_state, reward)."))
        if not (torch.is_tensor(action) and tuple(action.shape) == (1, 1) and not action.dtype.is_floating_point):
            raise Mistake(_("the pushed action should be select_action's 1x1 tensor."), given=where,
                          expected=_("tensor([[0]]) or tensor([[1]])"), got=repr(action)[:60],
                          hint=_("push `action` as select_action returned it: the loss does "
                                 "torch.cat(batch.action)."))
        if int(action.item()) != env.actions[t]:
            raise Mistake(_("the pushed action is not the one taken."), given=where, expected=env.actions[t],
                          got=int(action.item()))
        if terminated and next_state is not None:
            raise Mistake(_("when the pole falls (terminated), the next state must be None."), given=where,
                          hint=_("next_state = None if terminated else current_screen - last_screen."))
        if not terminated and next_state is None:
            raise Mistake(_("next_state is None after a time-limit truncation: None means the episode *terminated*.")
                          if truncated else
                          _("next_state is None after a normal step: None means the episode *terminated*."),
                          given=where,
                          hint=_("the slides' `None if done` also cuts the future at the time limit, where the pole "
                                 "was still up: write `None if terminated`.") if truncated else
                               _("next_state = None only when terminated."))
        if next_state is not None and not (torch.is_tensor(next_state) and tuple(next_state.shape) == tuple(
                env.state(t + 1).shape) and torch.allclose(next_state.cpu(), env.state(t + 1), atol=1e-6)):
            raise Mistake(_("the pushed next_state is not the next state."), given=where,
                          expected=_("current_screen - last_screen after the step"),
                          hint=_("after the step: last_screen = current_screen; current_screen = get_screen(env); "
                                 "next_state = current_screen - last_screen."))
        if not (torch.is_tensor(reward) and tuple(reward.shape) == (1,) and reward.dtype.is_floating_point
                and float(reward) == 1.0):
            raise Mistake(_("the pushed reward should be a float tensor of shape (1,)."), given=where,
                          expected="tensor([1.])", got=repr(reward)[:60],
                          hint=_("reward = torch.tensor([reward], device=device): the loss does "
                                 "torch.cat(batch.reward)."))


def _check_networks(policy_net: nn.Module, target_net: nn.Module, initial_policy: list[torch.Tensor],
                    initial_target: list[torch.Tensor], updates: int, given: str) -> None:
    """The effects a later episode relies on: the policy kept what it learnt and can still learn; the
    target stays in eval() mode and, if copied, holds its own copy of weights *and* running statistics."""
    trained = _loop_network(0)
    for _update in range(updates):
        _train_step(trained)
    policy_now = list(policy_net.state_dict().values())
    if not all(torch.equal(a, b) for a, b in zip(policy_now, trained.state_dict().values(), strict=True)):
        if all(torch.equal(a, b) for a, b in zip(policy_now, initial_target, strict=True)):
            raise Mistake(_("policy_net was overwritten with the target's weights: the copy went the wrong way."),
                          given=given, expected=_("target_net gets policy_net's weights"),
                          got=_("policy_net got target_net's weights"),
                          hint=_("target_net.load_state_dict(policy_net.state_dict()): the network whose method "
                                 "you call receives the weights."))
        raise Mistake(_("policy_net's weights changed outside optimize_model()."), given=given,
                      hint=_("only optimize_model() trains the policy; the loop itself leaves policy_net alone."))
    frozen = [name for name, p in policy_net.named_parameters() if not p.requires_grad]
    if frozen:
        raise Mistake(_("policy_net's weights no longer require gradients, so the next update's backward() fails."),
                      given=given, expected="requires_grad=True",
                      got=_("requires_grad=False for `{name}`").format(name=frozen[0]),
                      hint=_("the policy is the network that learns: do not freeze it (if anything, the target)."))
    if not policy_net.training:
        raise Mistake(_("policy_net was left in eval() mode: the slides train it in train() mode."), given=given,
                      hint=_("leave policy_net's mode alone in the loop; only target_net is in eval() mode."))
    if target_net.training:
        raise Mistake(_("target_net was switched to train() mode: its BatchNorm would then use each batch's "
                        "statistics."), given=given,
                      hint=_("leave target_net in eval() mode (load_state_dict keeps the mode)."))
    params = dict(policy_net.named_parameters())
    target_params = dict(target_net.named_parameters())
    if params.keys() == target_params.keys() and all(torch.equal(params[k], target_params[k]) for k in params):
        buffers, target_buffers = dict(policy_net.named_buffers()), dict(target_net.named_buffers())
        stale = [k for k in buffers if k in target_buffers and not torch.equal(buffers[k], target_buffers[k])]
        if stale:
            raise Mistake(_("target_net got the policy's weights but not its BatchNorm running statistics."),
                          given=given, expected=_("target_net's `{name}` equal to policy_net's").format(name=stale[0]),
                          got=_("the old value"),
                          hint=_("copy the whole state, buffers included: target_net.load_state_dict("
                                 "policy_net.state_dict()) (parameters() leaves out the running statistics)."))


def _expect_independent(policy_net: nn.Module, target_net: nn.Module, given: str) -> None:
    """After the copy, the next update of the policy must leave the target as it is."""
    storage = ({t.data_ptr() for t in policy_net.state_dict().values()}
               & {t.data_ptr() for t in target_net.state_dict().values()})
    before = [t.clone() for t in target_net.state_dict().values()]
    _train_step(policy_net)
    if storage or not all(torch.equal(a, b) for a, b in zip(target_net.state_dict().values(), before, strict=True)):
        raise Mistake(_("after the copy, target_net shares its memory with policy_net: the next update of the "
                        "policy moves the target too."),
                      given=_("{given}, then one more update of policy_net").format(given=given),
                      expected=_("target_net unchanged"), got=_("target_net changed with it"),
                      hint=_("copy the values: target_net.load_state_dict(policy_net.state_dict()) (assigning "
                             "`param.data = ...` or `target_net = policy_net` shares them)."))


@checker("train_episode", train_episode, "dqn_helpers.slides.train_episode")
def check_train_episode(student: Callable[..., int]) -> str:
    """``train_episode(env, policy_net, target_net, memory, select_action, optimize_model, i_episode,
    target_update)``: one episode of the slides' loop, judged by its effects."""
    probes = [(False, None, 0, 10, _("an agent that always pushes left (the pole falls)")),
              (True, 30, 7, 10, _("a balancing agent, episodes truncated at {steps} steps").format(steps=30)),
              (True, 12, 6, 3, _("a balancing agent, episodes truncated at {steps} steps").format(steps=12))]
    for balance, limit, i_episode, target_update, description in probes:
        env = _ScreenRecorder(make_env("CartPole-v1", max_episode_steps=limit or 500), seed=3 + i_episode)
        agent = _Agent(env, balance)
        policy_net, target_net = _loop_network(0), _CopyCounter(1)
        target_net.eval()
        agent.policy_net = policy_net
        initial_policy = [t.clone() for t in policy_net.state_dict().values()]
        initial_target = [t.clone() for t in target_net.state_dict().values()]
        given = _("train_episode(...) on CartPole, {description}, i_episode={i_episode}, "
                  "target_update={target_update}").format(description=description, i_episode=i_episode,
                                                          target_update=target_update)
        got = call(student, env, policy_net, target_net, agent, agent.select_action, agent.optimize_model,
                   i_episode, target_update, given=given)
        if env.ended == "never reset":
            raise Mistake(_("the episode was never started."), given=given, hint=_("begin with env.reset()."))
        if env.ended is None:
            raise Mistake(_("the loop stopped before the episode ended."), given=given,
                          expected=_("until terminated or truncated"),
                          got=_("stopped after {steps} steps").format(steps=len(env.ends)),
                          hint=_("leave the loop only when `terminated or truncated`."))
        steps = len(env.ends)
        if len(agent.states) != steps:
            raise Mistake(_("select_action was called {calls} times for {steps} steps.").format(
                              calls=len(agent.states), steps=steps), given=given,
                          hint=_("one action per step: action = select_action(state), then "
                                 "env.step(action.item())."))
        _check_pushes(agent, env, given)
        if len(agent.optimized_after) != steps:
            raise Mistake(_("optimize_model() was called {calls} times for {steps} steps.").format(
                              calls=len(agent.optimized_after), steps=steps),
                          given=given, hint=_("call optimize_model() once per step, after pushing the transition "
                                              "(it waits by itself until the memory holds a batch)."))
        _check_networks(policy_net, target_net, initial_policy, initial_target, len(agent.optimized_after), given)
        copied = all(torch.equal(a, b) for a, b in zip(policy_net.state_dict().values(),
                                                        target_net.state_dict().values(), strict=True))
        should = i_episode % target_update == 0
        if should and not copied and all(torch.equal(a, b) for a, b in zip(
                initial_policy, target_net.state_dict().values(), strict=True)):
            raise Mistake(_("the target network got the policy's weights from before the episode."), given=given,
                          hint=_("copy after the episode has ended (after the step loop), so the target gets "
                                 "what the policy learnt during the episode."))
        if should and not copied:
            raise Mistake(_("the target network was not updated after this episode."), given=given,
                          expected=_("a copy, since {i_episode} % {target_update} == 0").format(
                              i_episode=i_episode, target_update=target_update), got=_("no copy"),
                          hint=_("use the target_update you are given, not the slides' 10.") if i_episode % 10 else
                          _("after the episode: if i_episode % target_update == 0: "
                            "target_net.load_state_dict(policy_net.state_dict()) (into the target_net you are "
                            "given)."))
        if not should and (copied or target_net.copies):
            raise Mistake(_("the target network was updated off its schedule."), given=given,
                          expected=_("no copy, since {i_episode} % {target_update} != 0").format(
                              i_episode=i_episode, target_update=target_update), got=_("a copy"),
                          hint=_("copy only when i_episode % target_update == 0, using the target_update you are "
                                 "given."))
        if target_net.copies > 1:
            raise Mistake(_("the target network was copied {copies} times in one episode.").format(
                              copies=target_net.copies), given=given,
                          hint=_("copy once, after the episode has ended (outside the step loop)."))
        if should and copied:
            _expect_independent(policy_net, target_net, given)
        whole = isinstance(got, (int, np.integer)) and not isinstance(got, (bool, np.bool_))
        if not whole or got != steps:
            if not whole and isinstance(got, (float, np.floating)) and got == steps:
                hint = _("return the length as an int, t + 1, as the lesson's later cells expect.")
            elif whole and got == steps - 1:
                hint = _("the slides count t from 0: return t + 1.")
            else:
                hint = _("return the number of steps played, t + 1.")
            raise Mistake(_("train_episode should return the episode's length, an int."), given=given,
                          expected=steps, got=f"{got!r} ({type(got).__name__})"[:80], hint=hint)
    return _("one action, one step, one push and one update per step; None only when the pole falls; "
             "the target copied on schedule.")
