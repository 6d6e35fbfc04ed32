"""Every typical answer in ``typical_answers.py`` gets the verdict a student should meet.

Correct answers, however they are written, pass and are kept; each wrong answer gets ❌ with
the message that names its actual fault; no answer makes a checker fail or raise.
"""

from __future__ import annotations

import pytest
from typical_answers import ANSWERS, Answer

from dqn_helpers import checks

CHECKS = {
    "play_episode": checks.check_play_episode,
    "random_baseline": checks.check_random_baseline,
    "get_cart_location": checks.check_get_cart_location,
    "crop_window": checks.check_crop_window,
    "get_screen": checks.check_get_screen,
    "ReplayMemory": checks.check_replay_memory,
    "transpose_batch": checks.check_transpose_batch,
    "conv2d_size_out": checks.check_conv2d_size_out,
    "DQN": checks.check_dqn,
    "declare_networks": checks.check_declare_networks,
    "epsilon_by_step": checks.check_epsilon,
    "select_action": checks.check_select_action,
    "compute_loss": checks.check_compute_loss,
    "train_episode": checks.check_train_episode,
    "push_frame": checks.check_push_frame,
    "double_dqn_values": checks.check_double_dqn_values,
    "n_step_returns": checks.check_n_step_returns,
}


def test_every_exercise_has_correct_answers_and_at_least_five_typical_mistakes():
    for exercise in CHECKS:
        verdicts = [a.verdict for a in ANSWERS if a.exercise == exercise]
        assert None in verdicts, f"{exercise}: no correct answer in the catalogue"
        assert sum(v is not None for v in verdicts) >= 5, f"{exercise}: fewer than 5 typical mistakes"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.exercise}-{a.name}")
def test_typical_answer_gets_the_right_verdict(capsys, monkeypatch, answer: Answer):
    monkeypatch.setattr("dqn_helpers.checks.core.CALL_TIME_LIMIT_S", 3.0)
    returned = CHECKS[answer.exercise](answer.code)
    out = capsys.readouterr().out
    assert "checker itself failed" not in out and "Traceback" not in out, out
    if answer.verdict is None:
        assert out.startswith(f"✅ {answer.exercise}"), out
        assert returned is answer.code
    else:
        assert out.startswith(f"❌ {answer.exercise}"), out
        assert answer.verdict in out, out
        assert returned is not answer.code
