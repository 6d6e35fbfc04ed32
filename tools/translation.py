"""The Korean edition's prose: one Korean source per lesson, checked against the English one.

Each lesson's markdown cells are translated in ``lessons/ko/NN_name.md``, one block per English
markdown cell, in the English order. A block starts with a marker that names the English cell it
translates by a short hash of that cell's text::

    <!-- cell 3 · en 5d41402abc4b -->
    ## 1. 환경 만들기
    ...

Code cells are not in the file: the Korean notebooks take them from the English source, so both
editions run the same code. When an English markdown cell changes, its hash changes, and
``python tools/course.py check`` fails until the Korean block is updated and its marker carries
the new hash (``python tools/translation.py status NN`` shows which cells, with their English
text; ``python tools/translation.py rehash NN CELL`` writes the new hash once the block is
updated). A translation never drifts silently.

    python tools/translation.py skeleton NN   write lessons/ko/NN_name.md with the English text to
                                              translate (for a new lesson; refuses to overwrite)
    python tools/translation.py status [NN]   the cells whose translation is missing or stale
    python tools/translation.py rehash NN CELL...   mark those cells' translations as up to date
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
LANGUAGES = {"ko": "한국어"}
MARKER = re.compile(r"^<!-- cell (\d+) · en ([0-9a-f]{12}) -->\n", re.M)
HEADING = re.compile(r"^(#{1,6})\s", re.M)
HASH_LENGTH = 12


def english_hash(text: str) -> str:
    """A short fingerprint of an English markdown cell: what a translation says it translates."""
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def translation_path(source: Path, language: str = "ko") -> Path:
    return LESSONS / language / f"{source.stem}.md"


def english_cells(source: Path) -> list[tuple[int, str]]:
    """(index in the lesson, text) of each markdown cell of the English source."""
    nb = jupytext.read(source, fmt="py:percent")
    return [(index, cell.source) for index, cell in enumerate(nb.cells) if cell.cell_type == "markdown"]


@dataclass
class Block:
    """One translated cell as the Korean source holds it."""

    cell: int  # the English cell's index in the lesson
    en_hash: str  # the hash of the English text it was translated from
    text: str


def read_blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = list(MARKER.finditer(text))
    blocks = []
    for marker, after in zip(found, found[1:] + [None], strict=True):
        body = text[marker.end(): after.start() if after else len(text)]
        blocks.append(Block(int(marker.group(1)), marker.group(2), body.strip("\n")))
    return blocks


def write_blocks(path: Path, blocks: list[Block]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(f"<!-- cell {b.cell} · en {b.en_hash} -->\n{b.text}" for b in blocks) + "\n",
                    encoding="utf-8")


def headings(text: str) -> list[int]:
    """The levels of a cell's headings: a translation keeps the lesson's structure."""
    return [len(m.group(1)) for m in HEADING.finditer(text)]


def problems(source: Path, language: str = "ko") -> list[str]:
    """Every reason the lesson's translation cannot be used as it is; empty when it is complete."""
    path = translation_path(source, language)
    if not path.exists():
        return [f"{path.relative_to(ROOT)} is missing: `python tools/translation.py skeleton {source.stem[:2]}`"]
    blocks = {block.cell: block for block in read_blocks(path)}
    found = []
    cells = english_cells(source)
    for index, english in cells:
        block = blocks.get(index)
        where = f"{path.relative_to(ROOT)}, cell {index} ({english.splitlines()[0][:60]!r})"
        if block is None or not block.text.strip():
            found.append(f"{where}: not translated")
        elif block.en_hash != english_hash(english):
            found.append(f"{where}: stale, the English cell changed since it was translated "
                         f"(`python tools/translation.py status {source.stem[:2]}` shows it)")
        elif block.text.strip() == english.strip() and re.search(r"[A-Za-z]{3}", english):
            found.append(f"{where}: still the English text")
        elif headings(block.text) != headings(english):
            found.append(f"{where}: its headings {headings(block.text)} differ from the English "
                         f"{headings(english)} (levels of each #-heading, in order)")
    extra = sorted(set(blocks) - {index for index, _ in cells})
    if extra:
        found.append(f"{path.relative_to(ROOT)}: blocks for cells {extra}, which are not markdown cells of "
                     f"{source.name} (a cell was removed or moved: delete or move those blocks)")
    return found


def translated(source: Path, language: str = "ko") -> dict[int, str]:
    """Each markdown cell's translation by its index in the lesson; raises if any is missing or stale."""
    found = problems(source, language)
    if found:
        raise SystemExit("\n".join(found))
    return {block.cell: block.text for block in read_blocks(translation_path(source, language))}


def skeleton(source: Path, language: str = "ko") -> Path:
    """A new Korean source with the English text in each block, to be translated in place."""
    path = translation_path(source, language)
    if path.exists():
        raise SystemExit(f"{path.relative_to(ROOT)} exists; `status` shows what needs translating")
    write_blocks(path, [Block(index, english_hash(text), text) for index, text in english_cells(source)])
    return path


def status(source: Path, language: str = "ko") -> list[str]:
    """The problems with the current English text of each cell concerned, for the translator."""
    lines = []
    english = dict(english_cells(source))
    for problem in problems(source, language):
        lines.append(problem)
        match = re.search(r", cell (\d+) ", problem)
        if match and int(match.group(1)) in english:
            lines += ["    " + line for line in english[int(match.group(1))].splitlines()] + [""]
    return lines


def rehash(source: Path, cells: list[int], language: str = "ko") -> None:
    """Record that the blocks of ``cells`` now translate the current English text."""
    path = translation_path(source, language)
    english = dict(english_cells(source))
    blocks = read_blocks(path)
    for block in blocks:
        if block.cell in cells:
            block.en_hash = english_hash(english[block.cell])
    write_blocks(path, blocks)


def select(names: list[str]) -> list[Path]:
    sources = sorted(LESSONS.glob("[0-9][0-9]_*.py"))
    return [s for s in sources if not names or any(s.stem.startswith(n) for n in names)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("skeleton").add_argument("lesson")
    commands.add_parser("status").add_argument("lessons", nargs="*")
    rehash_parser = commands.add_parser("rehash")
    rehash_parser.add_argument("lesson")
    rehash_parser.add_argument("cells", nargs="+", type=int)
    args = parser.parse_args(argv)
    if args.command == "skeleton":
        print(skeleton(select([args.lesson])[0]).relative_to(ROOT))
    elif args.command == "rehash":
        rehash(select([args.lesson])[0], args.cells)
    else:
        lines = [line for source in select(args.lessons) for line in status(source)]
        print("\n".join(lines) or "every translation is complete and up to date")
        return 1 if lines else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
