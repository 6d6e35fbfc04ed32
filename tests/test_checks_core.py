"""The machinery every checker shares: what a student meets whatever their code does."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from dqn_helpers import checks
from dqn_helpers.checks import core
from dqn_helpers.env import make_env


def verdict(check, student, capsys):
    returned = check(student)
    return returned, capsys.readouterr().out


def test_code_that_never_finishes_is_stopped_with_a_message(capsys, monkeypatch):
    monkeypatch.setattr(core, "CALL_TIME_LIMIT_S", 1.0)

    def conv2d_size_out(size, kernel_size=5, stride=2):
        while True:
            try:
                pass
            except Exception:  # a student's catch-all must not swallow the time limit
                pass

    returned, out = verdict(checks.check_conv2d_size_out, conv2d_size_out, capsys)
    assert out.startswith("❌ conv2d_size_out: your code did not finish within 1 s")
    assert returned is not conv2d_size_out


def test_a_flood_of_prints_is_cut_and_the_verdict_stays_last(capsys):
    def conv2d_size_out(size, kernel_size=5, stride=2):
        for i in range(2_000):
            print("debug", i)
        return (size - kernel_size) // stride + 1

    _, out = verdict(checks.check_conv2d_size_out, conv2d_size_out, capsys)
    lines = out.splitlines()
    assert len(lines) < 20
    assert "more lines cut" in out and lines[-2].startswith("✅ conv2d_size_out")


def test_torch_not_implemented_error_is_the_students_fault_not_an_unfinished_exercise(capsys):
    class DQN(nn.Module):
        def __init__(self, h, w, outputs):
            super().__init__()
            self.head = nn.Linear(3 * h * w, outputs)

        def foward(self, x):
            return self.head(x.flatten(1))

    _, out = verdict(checks.check_dqn, DQN, capsys)
    assert out.startswith("❌ DQN: your code raised NotImplementedError")
    assert "not implemented yet" not in out and "`forward`" in out


def test_the_stub_of_one_method_is_named(capsys):
    class ReplayMemory:
        def __init__(self, capacity):
            self.memory = []

        def push(self, *args):
            self.memory.append(args)

        def sample(self, batch_size):
            raise NotImplementedError("exercise not done yet")

        def __len__(self):
            return len(self.memory)

    _, out = verdict(checks.check_replay_memory, ReplayMemory, capsys)
    assert out.startswith("⏳ ReplayMemory: not implemented yet (`sample` still raises")


def test_an_error_in_student_code_points_at_the_students_line(capsys):
    def crop_window(cart_location, screen_width):
        view_width = int(screen_width * 0.6)
        return slice(cart_location - view_width // 2, cart_location + view_widht // 2)  # noqa: F821

    _, out = verdict(checks.check_crop_window, crop_window, capsys)
    assert out.startswith("❌ crop_window: your code raised NameError")
    assert "view_widht // 2" in out and "`view_widht` is not defined" in out


@pytest.mark.parametrize("value", [None, "18", object(), float("nan"), np.float32(1.5), torch.tensor([1.0, 2.0]),
                                   [1, 2], {"a": 1}, torch.zeros(40, 90)])
@pytest.mark.parametrize(
    "check",
    [checks.check_play_episode, checks.check_random_baseline, checks.check_get_cart_location,
     checks.check_crop_window, checks.check_get_screen, checks.check_transpose_batch,
     checks.check_conv2d_size_out, checks.check_epsilon, checks.check_select_action, checks.check_compute_loss,
     checks.check_declare_networks, checks.check_train_episode],
    ids=lambda c: c.__name__,
)
def test_odd_return_values_get_a_wrong_verdict_never_a_crash(capsys, check, value):
    def student(*args, **kwargs):
        return value

    _, out = verdict(check, student, capsys)
    assert out.startswith("❌"), out
    assert "checker itself failed" not in out


def test_expected_and_got_are_printed_until_they_differ():
    assert core.format_pair(0.12345671, 0.12345679) == ("0.12345671", "0.12345679")
    assert core.format_pair(torch.tensor([0.5, 0.1234567]), torch.tensor([0.5, 0.1234568]))[0] != \
        core.format_pair(torch.tensor([0.5, 0.1234567]), torch.tensor([0.5, 0.1234568]))[1]
    assert core.format_pair((1, 3, 40, 90), (1, 3, 40, 94)) == ("(1, 3, 40, 90)", "(1, 3, 40, 94)")


def test_snapshots_name_what_changed():
    tensor = torch.zeros(3)
    snapshot = core.Snapshot("state", tensor)
    assert snapshot.changed() is None
    tensor.add_(1)
    assert "values changed" in snapshot.changed()

    env = make_env("CartPole-v1")
    env.reset(seed=0)
    snapshot = core.Snapshot("env", env)
    env.render()
    assert snapshot.changed() is None
    env.step(0)
    assert "stepped or reset" in snapshot.changed()

    network = nn.Linear(2, 2)
    snapshot = core.Snapshot("network", network)
    with torch.no_grad():
        network.weight.mul_(2)
    assert "`weight` changed" in snapshot.changed()


def test_a_hint_comes_only_from_a_known_mistake_that_reproduces_the_answer():
    variants = [(lambda: 17, "add one"), (lambda: 1 / 0, "never computed"), (lambda: 19, "subtract one")]
    assert core.diagnose(19, variants, lambda a, b: a == b) == "subtract one"
    assert core.diagnose(42, variants, lambda a, b: a == b) is None
