"""The package speaks Korean in the Korean notebooks: the same verdicts as in English, in Korean.

The Korean notebooks set ``DQN_LANGUAGE=ko`` in their setup cell; everything else in them is the
English code. So the checkers and the quizzes must give the same verdict in both languages, with
every line a student reads in Korean, and English must stay the default.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from test_checks_typical_answers import CHECKS
from typical_answers import ANSWERS, Answer

from dqn_helpers import i18n
from dqn_helpers.quiz import QUIZZES, Quiz

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import messages  # noqa: E402

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Lines a student reads that carry no prose to translate: code the student printed, a shape.
NO_PROSE = re.compile(r"^\s*(\||[\W\d_]*$)")


@pytest.fixture
def korean(monkeypatch):
    monkeypatch.setenv(i18n.LANGUAGE_ENV_VAR, "ko")


def untranslated_lines(text: str) -> list[str]:
    """Lines with English words and no Korean (code in backticks and quotes set aside)."""
    found = []
    for line in text.splitlines():
        prose = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "", line)
        if NO_PROSE.match(line) or HANGUL.search(line):
            continue
        if len(re.findall(r"[A-Za-z]{3,}", prose)) >= 3:
            found.append(line)
    return found


def test_english_is_the_default_and_an_unknown_language_falls_back_to_it(monkeypatch):
    message = "Answer each with `quiz.answer(number, \"letter\")`, e.g. `quiz.answer(1, \"a\")`."
    monkeypatch.delenv(i18n.LANGUAGE_ENV_VAR, raising=False)
    assert i18n._(message) == message
    monkeypatch.setenv(i18n.LANGUAGE_ENV_VAR, "xx")
    assert i18n._(message) == message
    monkeypatch.setenv(i18n.LANGUAGE_ENV_VAR, "ko")
    assert HANGUL.search(i18n._(message))


def test_every_message_is_translated_with_its_placeholders_and_the_compiled_catalogue_is_current():
    assert messages.problems("ko") == []


def test_the_catalogue_check_fails_on_a_stale_or_missing_translation(tmp_path, monkeypatch):
    """A message changed in the package without its translation fails `tools/messages.py check`."""
    catalogue = messages.read("ko")
    first = next(m for m in catalogue if m.id)
    first.string = first.string.replace("{", "(").replace("}", ")") + " {extra}"
    monkeypatch.setattr(messages, "po_path", lambda lang: tmp_path / "dqn_helpers.po")
    monkeypatch.setattr(messages, "mo_path", lambda lang: tmp_path / "dqn_helpers.mo")
    messages.write(catalogue, "ko")
    messages.compile_mo("ko")
    assert any("placeholders" in p for p in messages.problems("ko"))
    del catalogue[first.id]
    messages.write(catalogue, "ko")
    messages.compile_mo("ko")
    assert any("not in the catalogue" in p for p in messages.problems("ko"))


def test_no_function_that_translates_rebinds_the_underscore():
    """``_, h, w = shape`` in a function that calls ``_()`` makes ``_`` local: the call would fail."""
    offenders = []
    for path in (ROOT / "dqn_helpers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
                        for n in ast.walk(node))
            binds = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)
                        for n in ast.walk(node))
            if calls and binds:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("lesson", list(QUIZZES))
def test_every_quiz_reads_in_korean_and_gives_the_english_verdicts(capsys, monkeypatch, lesson):
    quiz = Quiz(lesson)
    assert untranslated_lines(quiz._repr_markdown_()) != []  # English by default
    monkeypatch.setenv(i18n.LANGUAGE_ENV_VAR, "ko")
    shown = quiz._repr_markdown_()
    assert HANGUL.search(shown) and untranslated_lines(shown) == [], untranslated_lines(shown)
    for number, question in enumerate(quiz.questions, start=1):
        for letter in [*question.choices, "?", "z"]:
            quiz.answer(number, letter)
            said = capsys.readouterr().out
            assert quiz.last_right == (letter == question.correct)
            assert HANGUL.search(said) and untranslated_lines(said) == [], said


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: f"{a.exercise}-{a.name}")
def test_a_typical_answer_gets_the_same_verdict_in_korean_with_a_korean_message(capsys, monkeypatch, korean,
                                                                               answer: Answer):
    monkeypatch.setattr("dqn_helpers.checks.core.CALL_TIME_LIMIT_S", 3.0)
    returned = CHECKS[answer.exercise](answer.code)
    out = capsys.readouterr().out
    assert out.startswith(f"{'✅' if answer.verdict is None else '❌'} {answer.exercise}"), out
    assert (returned is answer.code) == (answer.verdict is None)
    assert untranslated_lines(out) == [], out
