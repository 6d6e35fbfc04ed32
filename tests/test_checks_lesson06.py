"""Lesson 06's checker: the TD loss, with a specific message for each typical mistake."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from dqn_helpers import checks
from dqn_helpers.replay import Transition
from dqn_helpers.slides import slides_loss


def make_loss(*, next_net="target", reduce="max", gamma_outside=False, kind="huber", unsqueeze=True,
              detach=True, gather=True, future=True, item=False):
    """The slides' loss, with one typical mistake switched on."""

    def compute_loss(transitions, policy_net, target_net, gamma):
        batch = Transition(*zip(*transitions, strict=True))
        states, actions, rewards = torch.cat(batch.state), torch.cat(batch.action), torch.cat(batch.reward)
        # on the batch's device, as the slides write it: the checker runs on a GPU where there is one
        mask = torch.tensor([s is not None for s in batch.next_state], device=states.device)
        q = policy_net(states)
        q_taken = q.gather(1, actions) if gather else q.max(1, keepdim=True).values
        next_values = torch.zeros(len(transitions), device=states.device)
        if future and mask.any():
            net = target_net if next_net == "target" else policy_net
            out = net(torch.cat([s for s in batch.next_state if s is not None]))
            best = out.max(1).values if reduce == "max" else out.min(1).values
            next_values[mask] = best.detach() if detach else best
        target = gamma * (rewards + next_values) if gamma_outside else rewards + gamma * next_values
        target = target.unsqueeze(1) if unsqueeze else target
        loss = F.smooth_l1_loss(q_taken, target) if kind == "huber" else F.mse_loss(q_taken, target)
        return loss.item() if item else loss

    return compute_loss


def test_a_right_answer_passes_and_is_kept(capsys):
    student = make_loss()
    assert checks.check_compute_loss(student) is student
    assert capsys.readouterr().out.startswith("✅ compute_loss")


def test_an_unfinished_exercise_is_not_implemented_yet(capsys):
    def compute_loss(transitions, policy_net, target_net, gamma):
        raise NotImplementedError("write the loss")

    assert checks.check_compute_loss(compute_loss) is slides_loss
    assert "not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        ({"next_net": "policy"}, "*target* network"),
        ({"reduce": "min"}, "not min"),
        ({"gamma_outside": True}, "γ multiplies only the future"),
        ({"kind": "mse"}, "Huber"),
        ({"unsqueeze": False}, "broadcast to (B, B)"),
        ({"gather": False}, "action *taken*"),
        ({"future": False}, "need the future term"),
        ({"detach": False}, "gradients flow into the target network"),
        ({"item": True}, "not loss.item()"),
    ],
)
def test_typical_mistakes_get_specific_hints(capsys, mistake, message):
    assert checks.check_compute_loss(make_loss(**mistake)) is slides_loss
    out = capsys.readouterr().out
    assert out.startswith("❌ compute_loss") and message in out, out
