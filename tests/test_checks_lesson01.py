"""Lesson 01's checkers: specific feedback on typical mistakes, never an exception."""

import numpy as np
import pytest

from dqn_helpers import checks
from dqn_helpers.env import play_episode as reference_play_episode
from dqn_helpers.env import random_baseline as reference_random_baseline


def correct(env, policy, seed=None):
    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        steps += 1
        if terminated or truncated:
            return steps


def ignores_truncation(env, policy, seed=None):
    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        observation, _, terminated, _, _ = env.step(policy(observation))
        steps += 1
        if terminated:
            return steps


def off_by_one(env, policy, seed=None):
    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        if terminated or truncated:
            return steps
        steps += 1


def ignores_seed(env, policy, seed=None):
    return correct(env, policy, seed=None)


def ignores_policy(env, policy, seed=None):
    return correct(env, lambda observation: env.action_space.sample(), seed)


def never_resets(env, policy, seed=None):
    steps, done = 0, False
    while not done:
        _, _, terminated, truncated, _ = env.step(0)
        steps, done = steps + 1, terminated or truncated
    return steps


def returns_nothing(env, policy, seed=None):
    correct(env, policy, seed)


def crashes(env, policy, seed=None):
    observation = env.reset(seed=seed)
    return policy(observation)  # the 2-tuple from reset, not the observation


def unfinished(env, policy, seed=None):
    raise NotImplementedError("exercise not done yet")


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (ignores_truncation, "after the episode had ended (truncated=True at step 200)"),
        (off_by_one, "off by one"),
        (ignores_policy, "the policy was never called"),
        (never_resets, "called before env.reset()"),
        (returns_nothing, "play_episode returned None"),
        (crashes, "env.reset() returns a pair"),
    ],
)
def test_play_episode_mistakes_get_specific_feedback(capsys, student, message):
    returned = checks.check_play_episode(student)
    out = capsys.readouterr().out
    assert out.startswith("❌ play_episode") and message in out
    assert "input:" in out and "uses the reference" in out
    assert returned is reference_play_episode


def test_ignoring_the_seed_is_caught(capsys):
    checks.check_play_episode(ignores_seed)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "env.reset(seed=seed)" in out


def test_correct_play_episode_is_kept(capsys):
    assert checks.check_play_episode(correct) is correct
    assert capsys.readouterr().out.startswith("✅ play_episode")


@pytest.mark.parametrize("student", [unfinished, None])
def test_unfinished_exercise_is_not_an_error(capsys, student):
    assert checks.check_play_episode(student) is reference_play_episode
    out = capsys.readouterr().out
    assert out.startswith("⏳ play_episode: not")


def test_a_checker_bug_is_reported_not_raised(capsys, monkeypatch):
    import dqn_helpers.checks.lesson01 as lesson01

    monkeypatch.setattr(lesson01, "play_episode", None)  # the reference breaks
    assert checks.check_play_episode(correct) is not correct
    assert "the checker itself failed" in capsys.readouterr().out


def baseline(lengths_of):
    def student(env, n_episodes):
        lengths = [correct(env, lambda o: env.action_space.sample()) for _ in range(lengths_of(n_episodes))]
        return float(np.mean(lengths))
    return student


def returns_total(env, n_episodes):
    return float(np.sum([correct(env, lambda o: env.action_space.sample()) for _ in range(n_episodes)]))


def returns_list(env, n_episodes):
    return [correct(env, lambda o: env.action_space.sample()) for _ in range(n_episodes)]


def not_random(env, n_episodes):
    return float(np.mean([correct(env, lambda o: int(o[2] > 0)) for _ in range(n_episodes)]))


def returns_text(env, n_episodes):
    return "about 22"


@pytest.mark.parametrize(
    ("student", "message"),
    [
        (baseline(lambda n: n - 1), "complete episodes instead of"),
        (returns_total, "you returned the total number of steps"),
        (returns_list, "should return one number"),
        (not_random, "the actions were not random"),
        (returns_text, "should return a number"),
    ],
)
def test_random_baseline_mistakes_get_specific_feedback(capsys, student, message):
    assert checks.check_random_baseline(student) is reference_random_baseline
    out = capsys.readouterr().out
    assert out.startswith("❌ random_baseline") and message in out


def test_correct_random_baseline_is_kept(capsys):
    student = baseline(lambda n: n)
    assert checks.check_random_baseline(student) is student
    assert capsys.readouterr().out.startswith("✅ random_baseline")
