"""The package's message catalogue (gettext, through Babel): what the Korean notebooks print.

Every message a student meets from the package is marked ``_("...")`` in ``dqn_helpers`` (or
``N_("...")`` for a constant translated where it is shown; see ``dqn_helpers/i18n.py``); the
quizzes' questions, choices and reasons are data, collected from
``dqn_helpers.quiz.QUIZZES``. The translations live in one standard ``.po`` file per language,
``dqn_helpers/locale/<lang>/LC_MESSAGES/dqn_helpers.po``, which any PO editor (Poedit, Lokalize,
a text editor) opens; the package reads the compiled ``.mo`` next to it.

    python tools/messages.py update    add new messages to the .po, mark changed ones fuzzy
                                       (Babel keeps the old English next to them)
    python tools/messages.py compile   write the .mo from the .po (fuzzy entries left out)
    python tools/messages.py check     fail on a message without a translation, a fuzzy one,
                                       or a .mo that is not the .po compiled

After editing a message in the package: ``update``, translate what it lists, ``compile``.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dqn_helpers"
sys.path.insert(0, str(ROOT))

from dqn_helpers.i18n import DOMAIN, LOCALE_DIR  # noqa: E402

TRANSLATED = ("ko",)
PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)[^{}]*\}")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def template() -> Catalog:
    """Every message the package can show, with where it comes from."""
    catalog = Catalog(domain=DOMAIN, project="dqn-from-pixels", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python")], keywords={"_": None, "N_": None}):
        catalog.add(message, locations=[(f"dqn_helpers/{filename}", lineno)], auto_comments=comments,
                    context=context)
    from dqn_helpers.quiz import QUIZZES
    for lesson, questions in QUIZZES.items():
        for number, question in enumerate(questions, start=1):
            where = [(f"quiz {lesson}, question {number}", None)]
            catalog.add(question.text, locations=where)
            for text, why in question.choices.values():
                catalog.add(text, locations=where)
                catalog.add(why, locations=where)
    return catalog


def read(lang: str) -> Catalog:
    with open(po_path(lang), "rb") as file:
        return read_po(file, locale=lang, domain=DOMAIN)


def write(catalog: Catalog, lang: str) -> None:
    po_path(lang).parent.mkdir(parents=True, exist_ok=True)
    with open(po_path(lang), "wb") as file:
        write_po(file, catalog, width=100, sort_output=False, include_previous=True, omit_header=False)


def update(lang: str) -> list[str]:
    """Bring the .po up to date with the package; return the messages that need a translator."""
    if po_path(lang).exists():
        catalog = read(lang)
        catalog.update(template(), update_header_comment=False)
        catalog.obsolete.clear()  # messages the package no longer has
    else:
        catalog = template()
        catalog.locale = lang
    write(catalog, lang)
    return [str(m.id) for m in catalog if m.id and (not m.string or m.fuzzy)]


def compiled(lang: str) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, read(lang), use_fuzzy=False)
    return buffer.getvalue()


def compile_mo(lang: str) -> None:
    mo_path(lang).write_bytes(compiled(lang))


def placeholders(text: str) -> set[str]:
    """The named ``{fields}`` of a message, which its translation must keep."""
    return set(PLACEHOLDER.findall(text))


def problems(lang: str) -> list[str]:
    """Why the language's messages are not complete and current; empty when they are."""
    if not po_path(lang).exists():
        return [f"{po_path(lang).relative_to(ROOT)} is missing: `python tools/messages.py update`"]
    catalog, found = read(lang), []
    wanted = template()
    for message in wanted:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None:
            found.append(f"not in the catalogue (run `update`): {message.id!r}")
        elif translated.fuzzy:
            found.append(f"fuzzy (the English changed; check the translation, then remove the fuzzy flag): "
                         f"{message.id!r}")
        elif not translated.string:
            found.append(f"not translated: {message.id!r}")
        elif placeholders(translated.string) != placeholders(message.id):
            found.append(f"placeholders {sorted(placeholders(translated.string))} in the translation of "
                         f"{message.id!r}, which has {sorted(placeholders(message.id))}")
    if not mo_path(lang).exists() or mo_path(lang).read_bytes() != compiled(lang):
        found.append(f"{mo_path(lang).relative_to(ROOT)} is not the .po compiled: `python tools/messages.py compile`")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["update", "compile", "check"])
    args = parser.parse_args(argv)
    status = 0
    for lang in TRANSLATED:
        if args.command == "update":
            todo = update(lang)
            print(f"{po_path(lang).relative_to(ROOT)}: {len(todo)} message(s) to translate")
        elif args.command == "compile":
            compile_mo(lang)
            print(f"wrote {mo_path(lang).relative_to(ROOT)}")
        else:
            found = problems(lang)
            print("\n".join(found) or f"{lang}: every message translated and compiled")
            status = status or (1 if found else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
