"""End-of-lesson quizzes: every wrong choice is answered with a reason, never a traceback."""

from __future__ import annotations

import pytest

import dqn_helpers as dh
from dqn_helpers.quiz import QUIZZES


@pytest.mark.parametrize("lesson", sorted(QUIZZES))
def test_each_lesson_has_three_to_five_questions_with_a_reason_for_every_choice(lesson):
    questions = QUIZZES[lesson]
    assert 3 <= len(questions) <= 5
    for question in questions:
        assert question.correct in question.choices and len(question.choices) >= 3
        assert all(text and len(why) > 15 for text, why in question.choices.values())


def test_right_and_wrong_answers_get_feedback(capsys):
    quiz = dh.quiz.Quiz("03")
    right, wrong = QUIZZES["03"][0].correct, next(c for c in QUIZZES["03"][0].choices if c != QUIZZES["03"][0].correct)
    assert quiz.answer(1, right) is None and quiz.last_right
    assert capsys.readouterr().out.startswith("✅ question 1:")
    quiz.answer(1, wrong.upper())
    assert not quiz.last_right
    out = capsys.readouterr().out
    assert out.startswith(f"❌ question 1: not {wrong})") and QUIZZES["03"][0].choices[wrong][1] in out


@pytest.mark.parametrize(("number", "choice", "message"), [
    (1, "?", "⏳ question 1: replace"), (9, "a", "does not exist"), ("one", "a", "does not exist"),
    (1, "z", "is not one of the choices"), (1, 3, "is not one of the choices"), (1, None, "⏳"),
])
def test_unanswered_or_impossible_answers_are_explained(capsys, number, choice, message):
    quiz = dh.quiz.Quiz("01")
    quiz.answer(number, choice)
    assert not quiz.last_right and message in capsys.readouterr().out


def test_the_questions_render_as_markdown():
    text = dh.quiz.Quiz(4)._repr_markdown_()
    assert "**1.**" in text and "- **a)**" in text and 'quiz.answer(' in text
    assert "No quiz" in dh.quiz.Quiz("99")._repr_markdown_()


def test_no_letter_is_a_better_guess_than_the_others():
    from collections import Counter
    counts = Counter(q.correct for questions in QUIZZES.values() for q in questions)
    assert max(counts.values()) - min(counts.values()) <= 1, counts
    for lesson, questions in QUIZZES.items():
        assert len({q.correct for q in questions}) > 1, f"lesson {lesson}: every answer has the same letter"


def test_balancing_moves_letters_not_reasons():
    from dqn_helpers.quiz import Question, balanced
    written = {"99": [Question("q1", {"a": ("A", "why A"), "b": ("B", "why B"), "c": ("C", "why C")}, "b")] * 3}
    moved = balanced(written)["99"]
    assert [q.correct for q in moved] == ["a", "b", "c"]
    for question in moved:
        assert question.choices[question.correct] == ("B", "why B")
        assert sorted(question.choices.values()) == [("A", "why A"), ("B", "why B"), ("C", "why C")]
