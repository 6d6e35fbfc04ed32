"""The Korean edition: the English edition's code, Korean prose, and no translation left stale."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import course  # noqa: E402
import translation  # noqa: E402

SOURCES = course.lesson_sources()
HANGUL = re.compile(r"[\uac00-\ud7a3]")
EDITIONS = [(source, version) for source in SOURCES for version in course.VERSIONS]


def read(source: Path, version: str, language: str = "en") -> nbformat.NotebookNode:
    return nbformat.read(course.notebook_path(source, version, language), as_version=4)


def english_words(markdown: str) -> int:
    """English words a reader meets in a markdown cell: code, math, links' targets and HTML set aside."""
    text = re.sub(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|<[^>]+>", " ", markdown, flags=re.S)
    return len(re.findall(r"\b[A-Za-z]{2,}\b", text))


@pytest.mark.parametrize(("source", "version"), EDITIONS, ids=lambda x: getattr(x, "stem", x))
def test_the_korean_code_cells_are_the_english_ones_but_one_line_that_selects_korean(source, version):
    english, korean = read(source, version), read(source, version, "ko")
    english_code = [c.source for c in english.cells if c.cell_type == "code"]
    korean_code = [c.source for c in korean.cells if c.cell_type == "code"]
    assert len(korean_code) == len(english_code)
    differing = [(e, k) for e, k in zip(english_code, korean_code, strict=True) if e != k]
    assert len(differing) == 1, "only the setup cell may differ"
    english_setup, korean_setup = (cell.splitlines() for cell in differing[0])
    added = [line for line in korean_setup if line not in english_setup]
    assert added == [course.LANGUAGE_LINE["ko"]] and [line for line in korean_setup if line not in added] == \
        english_setup
    assert [c.cell_type for c in korean.cells] == [c.cell_type for c in english.cells]


@pytest.mark.parametrize(("source", "version"), EDITIONS, ids=lambda x: getattr(x, "stem", x))
def test_no_markdown_cell_of_a_korean_notebook_is_left_in_english(source, version):
    english, korean = read(source, version), read(source, version, "ko")
    for index, (en, ko) in enumerate(zip(english.cells, korean.cells, strict=True)):
        if en.cell_type != "markdown" or english_words(en.source) < 3:
            continue
        assert ko.source != en.source, f"cell {index} is the English text"
        hangul, words = len(HANGUL.findall(ko.source)), english_words(ko.source)
        assert hangul >= words, f"cell {index} reads as English ({hangul} Korean letters, {words} English words)"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_the_korean_solution_outputs_differ_from_the_english_only_where_the_package_speaks_korean(source):
    """Same code, same outputs, except a message the package printed in Korean (and the cells
    nbval is told to ignore: timings, speeds)."""
    english, korean = read(source, "solution"), read(source, "solution", "ko")
    for index, (en, ko) in enumerate(zip(english.cells, korean.cells, strict=True)):
        if en.cell_type != "code" or "nbval-ignore-output" in en.metadata.get("tags", []):
            continue
        for en_line, ko_line in zip(output_lines(en), output_lines(ko), strict=True):
            assert en_line == ko_line or HANGUL.search(ko_line), f"cell {index}: {en_line!r} vs {ko_line!r}"


def output_lines(cell: nbformat.NotebookNode) -> list[str]:
    """The lines a cell's outputs show, however the kernel split its stream into chunks."""
    text = ""
    for output in cell.outputs:
        if output.output_type == "stream":
            text += output.text
        else:
            text += "\n" + output.get("data", {}).get("text/plain", "") + "\n"
    return [line for line in text.splitlines() if line.strip()]


def copy_lesson(tmp_path: Path, monkeypatch) -> Path:
    """A copy of lesson 03 and its translation in a scratch lessons/ folder."""
    lessons = tmp_path / "lessons"
    (lessons / "ko").mkdir(parents=True)
    source = shutil.copy(ROOT / "lessons" / "03_replay_memory.py", lessons)
    shutil.copy(ROOT / "lessons" / "ko" / "03_replay_memory.md", lessons / "ko")
    monkeypatch.setattr(translation, "LESSONS", lessons)
    monkeypatch.setattr(translation, "ROOT", tmp_path)
    return Path(source)


def test_a_changed_english_cell_fails_the_check_until_its_translation_is_updated(tmp_path, monkeypatch):
    source = copy_lesson(tmp_path, monkeypatch)
    assert translation.problems(source) == []
    source.write_text(source.read_text().replace("# ## 2. Filling it with real experience",
                                                 "# ## 2. Filling it with real CartPole experience", 1))
    found = translation.problems(source)
    assert len(found) == 1 and "stale" in found[0], found
    assert "Filling it with real CartPole experience" in "\n".join(translation.status(source))
    cell = int(re.search(r"cell (\d+)", found[0]).group(1))
    translation.rehash(source, [cell])  # the translator updated the block
    assert translation.problems(source) == []


def test_a_new_english_cell_or_a_broken_translation_fails_the_check(tmp_path, monkeypatch):
    source = copy_lesson(tmp_path, monkeypatch)
    text = source.read_text()
    source.write_text(text.replace("# %% [markdown]\n", "# %% [markdown]\n# A new paragraph.\n\n# %%\nx = 1\n\n"
                                   "# %% [markdown]\n", 1))
    found = translation.problems(source)
    assert any("not translated" in p for p in found), found
    source.write_text(text)
    korean = translation.translation_path(source)
    blocks = translation.read_blocks(korean)
    blocks[1].text = re.sub(r"^#+ ", "", blocks[1].text, flags=re.M) or "번역"  # headings lost
    translation.write_blocks(korean, blocks)
    assert any("headings" in p for p in translation.problems(source)), translation.problems(source)


def test_course_check_lists_a_stale_translation(monkeypatch, capsys):
    monkeypatch.setattr(translation, "problems", lambda source, language="ko": [f"{source.stem}: stale"])
    assert course.check() == 1
    assert "01_gym_basics: stale" in capsys.readouterr().out


def test_every_korean_lesson_links_the_glossary_and_states_its_time():
    for source in SOURCES:
        first = read(source, "student", "ko").cells[0].source
        assert course.GLOSSARY in first and "**시간:**" in first and "**핵심 절:**" in first
    assert (ROOT / course.GLOSSARY).exists()
