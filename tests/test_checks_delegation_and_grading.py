"""An answer that hands the exercise to the course's own code is not counted, and in grading mode
(``DQN_GRADING=1``, what the grading tool sets) a checker cell that does not pass fails, so that
nbgrader scores it zero, while the lesson goes on with the reference."""

from __future__ import annotations

import textwrap

import pytest

from dqn_helpers import checks
from dqn_helpers.checks.core import NotCounted

# Each answer is a student's cell: it runs in a notebook-like namespace where `dh` is the package.
DELEGATING = {
    "play_episode": [
        "def play_episode(env, policy, seed=None):\n    return dh.env.play_episode(env, policy, seed)",
        "from dqn_helpers.env import play_episode as ready\n"
        "def play_episode(env, policy, seed=None):\n    return ready(env, policy, seed)",
        "def play_episode(env, policy, seed=None):\n    return len(dh.env.run_episode(env, policy, seed=seed).rewards)",
        "play_episode = dh.env.play_episode",
    ],
    "random_baseline": [
        "def random_baseline(env, n_episodes, seed=None):\n"
        "    import dqn_helpers.env as course\n    return course.random_baseline(env, n_episodes, seed)",
    ],
    "replay_memory": [
        "class ReplayMemory(dh.replay.ReplayMemory):\n    pass",
        "class ReplayMemory:\n    def __init__(self, capacity):\n"
        "        self.inner = dh.replay.ReplayMemory(capacity)\n"
        "    def push(self, *args):\n        self.inner.push(*args)\n"
        "    def sample(self, batch_size):\n        return self.inner.sample(batch_size)\n"
        "    def __len__(self):\n        return len(self.inner)",
    ],
    "dqn": [
        "import torch.nn as nn\nclass DQN(nn.Module):\n    def __init__(self, h, w, outputs):\n"
        "        super().__init__()\n"
        "        self.net = dh.model.SlidesDQN(h, w, outputs)\n    def forward(self, x):\n        return self.net(x)",
    ],
    "train_episode": [
        "def train_episode(*args, **kwargs):\n    return dh.slides.train_episode(*args, **kwargs)",
    ],
    "n_step_returns": [
        "def n_step_returns(*args, **kwargs):\n    helper = lambda: dh.update.n_step_returns(*args, **kwargs)\n"
        "    return helper()",
    ],
}
NAMES = {"replay_memory": "ReplayMemory", "dqn": "DQN"}


def cell_namespace() -> dict:
    import dqn_helpers as dh

    return {"dh": dh, "checks": checks, "__name__": "__main__"}


def run_cells(namespace: dict, *sources: str) -> None:
    for source in sources:
        exec(compile(textwrap.dedent(source), "<ipython-input-1>", "exec"), namespace)  # noqa: S102


@pytest.mark.parametrize(("exercise", "answer"), [(e, a) for e, answers in DELEGATING.items() for a in answers])
def test_an_answer_that_calls_the_reference_is_not_counted(exercise, answer, capsys):
    name = NAMES.get(exercise, exercise)
    namespace = cell_namespace()
    run_cells(namespace, answer)
    student = namespace[name]
    run_cells(namespace, f"{name} = checks.check_{exercise}({name})")
    out = capsys.readouterr().out
    assert "✅" not in out, out
    assert ("uses the course's own" in out or "the course's own reference, not an answer" in out), out
    reference = getattr(checks, f"check_{exercise}")(None)  # what the lesson falls back on
    assert namespace[name] is reference and (student is reference or namespace[name] is not student)


def test_an_answer_that_uses_another_exercises_reference_is_counted(capsys):
    """The baseline may call the lesson's episode loop, the course's or the student's: that is the lesson's plan."""
    namespace = cell_namespace()
    run_cells(namespace, """
        def random_baseline(env, n_episodes, seed=None):
            policy = dh.env.random_policy(env, seed)
            total = 0
            for episode in range(n_episodes):
                total += dh.env.play_episode(env, policy, None if seed is None else seed + episode)
            return total / n_episodes
        """, "random_baseline = checks.check_random_baseline(random_baseline)")
    out = capsys.readouterr().out
    assert "uses the course's own" not in out


def test_in_grading_mode_a_wrong_answer_fails_its_cell_and_the_reference_takes_its_place(monkeypatch, capsys):
    monkeypatch.setenv("DQN_GRADING", "1")
    namespace = cell_namespace()
    run_cells(namespace, "def play_episode(env, policy, seed=None):\n    return 3")
    wrong = namespace["play_episode"]
    with pytest.raises(NotCounted) as failed:
        run_cells(namespace, "play_episode = checks.check_play_episode(play_episode)")
    out = capsys.readouterr().out
    assert out.startswith("❌ play_episode") and "not counted" in str(failed.value)
    assert failed.value._render_traceback_() == [f"■ {failed.value}"]  # one line in the notebook, no traceback
    assert namespace["play_episode"] is not wrong and namespace["play_episode"] is checks.lesson01.play_episode


@pytest.mark.parametrize("answer", [
    "def play_episode(env, policy, seed=None):\n    raise NotImplementedError('exercise not done yet')",
    "play_episode = dh.env.play_episode",
])
def test_in_grading_mode_an_unfinished_or_delegating_answer_fails_its_cell(monkeypatch, capsys, answer):
    monkeypatch.setenv("DQN_GRADING", "1")
    namespace = cell_namespace()
    run_cells(namespace, answer)
    with pytest.raises(NotCounted):
        run_cells(namespace, "play_episode = checks.check_play_episode(play_episode)")


def test_in_grading_mode_a_correct_answer_passes_its_cell(monkeypatch, capsys):
    monkeypatch.setenv("DQN_GRADING", "1")
    namespace = cell_namespace()
    run_cells(namespace, """
        def play_episode(env, policy, seed=None):
            observation, info = env.reset(seed=seed)
            length, done = 0, False
            while not done:
                observation, reward, terminated, truncated, info = env.step(policy(observation))
                length += 1
                done = terminated or truncated
            return length
        """)
    mine = namespace["play_episode"]
    run_cells(namespace, "play_episode = checks.check_play_episode(play_episode)")
    assert capsys.readouterr().out.startswith("✅") and namespace["play_episode"] is mine
