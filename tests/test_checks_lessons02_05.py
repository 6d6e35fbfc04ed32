"""Checkers of lessons 02-05: each typical mistake gets its specific message."""

import math
import random
from collections import deque

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dqn_helpers import checks, screen
from dqn_helpers.model import SlidesDQN, conv2d_size_out
from dqn_helpers.replay import Transition


def run(check, student, capsys):
    returned = check(student)
    return returned, capsys.readouterr().out


# --- lesson 02 ---------------------------------------------------------------------------

def location(env, width):
    return int(env.unwrapped.state[0] * width / 4.8 + width / 2.0)


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (lambda env, w: int(env.unwrapped.state[0] * w / 4.8), "x = 0 m is the centre"),
        (lambda env, w: int(env.unwrapped.state[0] * w / 2.4 + w / 2.0), "world_width = 2 * env.unwrapped.x_threshold"),
        (lambda env, w: env.unwrapped.state[0] * w / 4.8 + w / 2.0, "wrap the result in int"),
        (lambda env, w: int(env.state[0] * w / 4.8 + w / 2.0), "raised AttributeError"),
    ],
)
def test_cart_location_mistakes(capsys, student, message):
    _, out = run(checks.check_get_cart_location, student, capsys)
    assert out.startswith("❌ get_cart_location") and message in out


def window(column, width, fraction=0.6, clamp=True):
    view = int(width * fraction)
    if clamp and column < view // 2:
        return slice(view)
    if clamp and column > width - view // 2:
        return slice(-view, None)
    return slice(column - view // 2, column + view // 2)


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (lambda c, w: window(c, w, clamp=False), "clamp it"),
        (lambda c, w: window(c, w, fraction=0.5), "0.6"),
        (lambda c, w: window(c + 1, w), "centre the window"),
        (lambda c, w: (c - 180, c + 180), "should return a slice"),
    ],
)
def test_crop_window_mistakes(capsys, student, message):
    _, out = run(checks.check_crop_window, student, capsys)
    assert out.startswith("❌ crop_window") and message in out


def screen_with(rows=(0.4, 0.8), resize_to=40, scale=255, batch=True, order=(2, 0, 1)):
    def get_screen(env):
        s = env.render().transpose(order)
        _, h, w = s.shape
        s = s[:, int(h * rows[0]):int(h * rows[1])]
        s = s[:, :, screen.cart_window(location(env, w), w)]
        s = torch.from_numpy(np.ascontiguousarray(s, dtype=np.float32) / scale)
        s = screen.slides_resize(s, resize_to)
        return s.unsqueeze(0) if batch else s
    return get_screen


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (screen_with(batch=False), "unsqueeze(0)"),
        (screen_with(resize_to=30), "40 rows high"),
        (screen_with(scale=1), "divide by 255"),
        (screen_with(rows=(0.42, 0.8)), "check the band of rows and the window"),
        (screen_with(rows=(0.4, 0.6)), "rows int(h * 0.4) to int(h * 0.8)"),
    ],
)
def test_get_screen_mistakes(capsys, student, message):
    _, out = run(checks.check_get_screen, student, capsys)
    assert out.startswith("❌ get_screen") and message in out


def test_correct_get_screen_passes(capsys):
    student = screen_with()
    returned, out = run(checks.check_get_screen, student, capsys)
    assert returned is student and out.startswith("✅")


# --- lesson 03 ---------------------------------------------------------------------------

def memory_class(store=Transition, maxlen=True, draw=random.sample):
    class Memory:
        def __init__(self, capacity):
            self.memory = deque([], maxlen=capacity if maxlen else None)

        def push(self, *args):
            self.memory.append(store(*args))

        def sample(self, batch_size):
            return list(draw(list(self.memory), batch_size))

        def __len__(self):
            return len(self.memory)
    return Memory


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (memory_class(maxlen=False), "does not respect its capacity"),
        (memory_class(store=lambda *args: tuple(args)), "should hold Transition"),
        (memory_class(draw=lambda population, k: random.choices(population, k=k)), "same transition twice"),
        (memory_class(draw=lambda population, k: population[:k]), "not random"),
    ],
)
def test_replay_memory_mistakes(capsys, student, message):
    _, out = run(checks.check_replay_memory, student, capsys)
    assert out.startswith("❌ ReplayMemory") and message in out


def test_correct_replay_memory_passes_and_rng_is_untouched(capsys):
    student = memory_class()
    random.seed(42)
    expected_next = random.random()
    random.seed(42)
    returned, out = run(checks.check_replay_memory, student, capsys)
    assert returned is student and out.startswith("✅")
    assert random.random() == expected_next  # the checker left the lesson's random stream alone


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (lambda transitions: list(zip(*transitions, strict=True)), "single Transition"),
        (lambda transitions: Transition(*transitions[:4]), "Transition(*transitions) puts whole transitions"),
    ],
)
def test_transpose_mistakes(capsys, student, message):
    _, out = run(checks.check_transpose_batch, student, capsys)
    assert out.startswith("❌ transpose_batch") and message in out


# --- lesson 04 ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("student", "message"),
    [
        (lambda size, kernel_size=5, stride=2: (size - kernel_size) // stride, "+ 1"),
        (lambda size, kernel_size=5, stride=2: (size - kernel_size) / stride + 1, "floor division"),
        (lambda size, kernel_size=5, stride=2: size - kernel_size + 1, "divide by the stride"),
    ],
)
def test_conv_size_mistakes(capsys, student, message):
    _, out = run(checks.check_conv2d_size_out, student, capsys)
    assert out.startswith("❌ conv2d_size_out") and message in out


def dqn_class(flat=None, bn=True, relu_after=True, channels=16):
    class Student(nn.Module):
        def __init__(self, h, w, outputs):
            super().__init__()
            self.conv1 = nn.Conv2d(3, channels, 5, 2)
            self.bn1 = nn.BatchNorm2d(channels) if bn else nn.Identity()
            self.conv2 = nn.Conv2d(channels, 32, 5, 2)
            self.bn2 = nn.BatchNorm2d(32) if bn else nn.Identity()
            self.conv3 = nn.Conv2d(32, 32, 5, 2)
            self.bn3 = nn.BatchNorm2d(32) if bn else nn.Identity()
            size = flat or conv2d_size_out(conv2d_size_out(conv2d_size_out(w))) * conv2d_size_out(
                conv2d_size_out(conv2d_size_out(h))) * 32
            self.head = nn.Linear(size, outputs)

        def forward(self, x):
            x = self.bn1(F.relu(self.conv1(x))) if not relu_after else F.relu(self.bn1(self.conv1(x)))
            x = F.relu(self.bn2(self.conv2(x)))
            x = F.relu(self.bn3(self.conv3(x)))
            return self.head(x.view(x.size(0), -1))
    return Student


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (dqn_class(flat=32 * 7 * 20), "the linear layer's input size does not match"),
        (dqn_class(channels=8), "layer 1 that forward runs is not the slides' layer 1"),
        (dqn_class(bn=False), "followed by its BatchNorm2d"),
        (dqn_class(relu_after=False), "apply BatchNorm before the ReLU"),
        (dqn_class(flat=512), "must follow the screen size"),
    ],
)
def test_dqn_mistakes(capsys, student, message):
    _, out = run(checks.check_dqn, student, capsys)
    assert out.startswith("❌ DQN") and message in out


def test_correct_dqn_passes(capsys):
    correct = dqn_class()
    returned, out = run(checks.check_dqn, correct, capsys)
    assert returned is correct and out.startswith("✅")


def test_the_reference_itself_is_not_the_students_answer(capsys):
    """A checker cell run again after a failed check sees the reference the lesson put in place: it says so."""
    returned, out = run(checks.check_dqn, SlidesDQN, capsys)
    assert returned is SlidesDQN and out.startswith("⏳ DQN: this is the course's own reference, not an answer")


# --- lesson 05 ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("student", "message"),
    [
        (lambda step, start=0.9, end=0.05, decay=200: start + (end - start) * math.exp(-step / decay),
         "start and end are swapped"),
        (lambda step, start=0.9, end=0.05, decay=200: end + (start - end) * math.exp(step / decay), "ε must fall"),
        (lambda step, start=0.9, end=0.05, decay=200: end + start * math.exp(-step / decay),
         "scale the decaying part by (start - end)"),
    ],
)
def test_epsilon_mistakes(capsys, student, message):
    _, out = run(checks.check_epsilon, student, capsys)
    assert out.startswith("❌ epsilon_by_step") and message in out


def selector(greedy=torch.argmax, explore_if=lambda draw, eps: draw < eps, random_pick=None):
    def select_action(network, state, epsilon, n_actions):
        if explore_if(random.random(), epsilon):
            return random_pick(n_actions) if random_pick else random.randrange(n_actions)
        with torch.no_grad():
            return int(greedy(network(state)[0]))
    return select_action


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (selector(greedy=torch.argmin), "not the argmin"),
        (selector(explore_if=lambda draw, eps: draw > eps), "with ε = 0 the action should always be the greedy one"),
        (selector(random_pick=lambda n: 0), "not ε-greedy"),
        (lambda network, state, epsilon, n_actions: network(state), "one action"),
    ],
)
def test_select_action_mistakes(capsys, student, message):
    _, out = run(checks.check_select_action, student, capsys)
    assert out.startswith("❌ select_action") and message in out


def test_correct_select_action_passes(capsys):
    student = selector()
    returned, out = run(checks.check_select_action, student, capsys)
    assert returned is student and out.startswith("✅")


@pytest.mark.parametrize(
    "check",
    [checks.check_get_cart_location, checks.check_crop_window, checks.check_get_screen, checks.check_replay_memory,
     checks.check_transpose_batch, checks.check_conv2d_size_out, checks.check_dqn, checks.check_epsilon,
     checks.check_select_action, checks.check_declare_networks, checks.check_compute_loss,
     checks.check_train_episode],
)
def test_every_checker_says_not_implemented_yet(capsys, check):
    def unfinished(*args, **kwargs):
        raise NotImplementedError("exercise not done yet")

    class Unfinished:
        def __init__(self, *args):
            raise NotImplementedError

    student = Unfinished if check in (checks.check_replay_memory, checks.check_dqn) else unfinished
    check(student)
    assert "not implemented yet" in capsys.readouterr().out
