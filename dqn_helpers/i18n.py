"""The language of the package's messages: English by default, Korean in the Korean notebooks.

Messages a student meets (quiz questions and feedback, checker verdicts) go through ``_`` (the
standard library's ``gettext``). Their translations live in a standard message catalogue,
``dqn_helpers/locale/ko/LC_MESSAGES/dqn_helpers.po``, compiled to the ``.mo`` file next to it
(``python tools/messages.py compile``; a test fails when the two disagree). The Korean
notebooks' setup cell sets ``DQN_LANGUAGE=ko`` before anything else runs, so a student does
nothing to get Korean; every other cell is the English edition's, character for character.
The language is read at each message, so it can change in a running kernel.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LANGUAGE_ENV_VAR = "DQN_LANGUAGE"
DOMAIN = "dqn_helpers"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ko")  # English is the source language: it needs no catalogue


def language() -> str:
    """The language of the messages now: ``DQN_LANGUAGE`` when it names a known one, else English."""
    chosen = os.environ.get(LANGUAGE_ENV_VAR, "").strip().lower()
    return chosen if chosen in LANGUAGES else "en"


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` in the current language (itself where no translation exists)."""
    if not message:
        return message
    return _catalogue(language()).gettext(message)


def alternatives(items: Iterable[str]) -> str:
    """``a or b or c`` in the current language (names, values or short phrases)."""
    text = None
    for item in items:
        text = item if text is None else _("{either} or {other}").format(either=text, other=item)
    return text or ""


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark now, translate where shown"
    """Mark ``message`` for the catalogue without translating it here (a constant read at import)."""
    return message
