"""How long a lesson takes a first-time student, by one written rule, and which parts are core.

A lesson's parts are its headings. A heading whose text starts with ``Deep dive`` (at any level,
e.g. ``### Deep dive: how the slides wrote it``) begins an **optional** part; it ends at the
next heading of the same or a higher level. Everything else is the **core path**.

The rule (the teaching guide, ``docs/teaching-guide.md``, explains each number):

* prose is read at ``WORDS_PER_MINUTE`` (a student reading English as a second language), hints
  folded inside an exercise excepted: the exercise's own minutes cover them;
* code is read at ``CODE_LINES_PER_MINUTE`` lines, both the code cells and the source that
  ``show_source`` prints; other printed text at ``OUTPUT_LINES_PER_MINUTE``; each figure takes
  ``MINUTES_PER_FIGURE``;
* each exercise takes ``MINUTES_PER_EXERCISE`` (read the problem, run the checker, fix once) plus
  ``MINUTES_PER_SOLUTION_LINE`` per line of its reference solution (think, write, open a hint);
  each "Predict first" ``MINUTES_PER_PREDICTION``; each quiz question ``MINUTES_PER_QUIZ_QUESTION``;
* the cells run for their measured time in the full-budget build of the solution notebook on the
  course's 2-core CPU, times ``RUN_TIME_FACTOR`` for a slower laptop or Colab's CPU.

``tools/course.py build`` measures the run times into ``lessons/run_times.json``; the generated
notebooks state the result at the top of each lesson, and ``tests/test_lesson_plan.py`` holds every
lesson's core path to ``CORE_BUDGET_MINUTES``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

WORDS_PER_MINUTE = 100
CODE_LINES_PER_MINUTE = 8
OUTPUT_LINES_PER_MINUTE = 15
MINUTES_PER_FIGURE = 0.5
MINUTES_PER_EXERCISE = 5
MINUTES_PER_SOLUTION_LINE = 1
MINUTES_PER_PREDICTION = 2
MINUTES_PER_QUIZ_QUESTION = 1
RUN_TIME_FACTOR = 1.5
CORE_BUDGET_MINUTES = 60

RUN_TIMES = Path(__file__).resolve().parents[1] / "lessons" / "run_times.json"
HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)
DEEP_DIVE = re.compile(r"^deep dive\b", re.I)
HINT = re.compile(r"<details><summary>Hint.*?</details>", re.S)
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
SOLUTION_MARK = "### BEGIN SOLUTION"
STUB_MARK = "raise NotImplementedError("


def is_exercise(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and (SOLUTION_MARK in cell.source or STUB_MARK in cell.source)


@dataclass
class Part:
    """A heading of the lesson and what stands under it, up to the next heading: whole code
    cells (by index) and pieces of markdown cells (a cell may hold several headings)."""

    title: str
    level: int
    optional: bool
    code_cells: list[int] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    minutes: float = 0.0


def parts(nb: NotebookNode) -> list[Part]:
    """The lesson's headings in order, each marked core or optional (a ``Deep dive`` or inside one)."""
    found = [Part("(above the title)", 1, False)]
    open_dives: list[int] = []  # levels of the deep dives we are inside
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            found[-1].code_cells.append(index)
            continue
        text, start = cell.source, 0
        for heading in HEADING.finditer(text):
            found[-1].prose.append(text[start:heading.start()])
            level, title = len(heading.group(1)), heading.group(2).strip()
            while open_dives and level <= open_dives[-1]:
                open_dives.pop()
            if DEEP_DIVE.match(title):
                open_dives.append(level)
            found.append(Part(title, level, bool(open_dives)))
            start = heading.end()
        found[-1].prose.append(text[start:])
    return found


def text_lines(output: NotebookNode) -> tuple[int, int, int]:
    """(code lines, other text lines, figures) a student reads in one output."""
    if output.output_type == "stream":
        return 0, len(output.text.replace("\r", "\n").strip().splitlines()), 0
    data = output.get("data", {})
    if "image/png" in data or "image/jpeg" in data or "image/svg+xml" in data:
        return 0, 0, 1
    if "text/html" in data and "<video" in data["text/html"]:
        return 0, 0, 1
    if "text/latex" in data and "text/html" in data and "highlight" in data["text/html"]:
        return len(data.get("text/plain", "").splitlines()), 0, 0  # show_source's code
    if "application/vnd.jupyter.widget-view+json" in data:
        return 0, 0, 1  # a slider with its picture, or a progress bar
    for kind in ("text/markdown", "text/plain"):
        if kind in data:
            return 0, len(data[kind].strip().splitlines()), 0
    return 0, 0, 0


def prose_minutes(text: str) -> float:
    """Minutes to read a piece of markdown by the rule (hints excepted) and answer its predictions."""
    text = HINT.sub("", text)
    return len(WORD.findall(text)) / WORDS_PER_MINUTE + MINUTES_PER_PREDICTION * text.count("**Predict first")


def solution_lines(cell: NotebookNode) -> int:
    """Lines of code in a cell's reference solution(s)."""
    blocks = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return sum(1 for line in lines if line and not line.startswith("#"))


def code_cell_minutes(cell: NotebookNode, run_seconds: float) -> float:
    """The minutes one code cell takes by the rule (``run_seconds``: its measured run time)."""
    minutes = RUN_TIME_FACTOR * run_seconds / 60
    if is_exercise(cell):
        return minutes + MINUTES_PER_EXERCISE + MINUTES_PER_SOLUTION_LINE * solution_lines(cell)
    if cell.source.startswith("# Setup: on Google Colab"):
        return minutes  # the generated install cell: run, not studied
    quiz_questions = len(re.findall(r"quiz\.answer\(\d+", cell.source))
    if quiz_questions:
        return minutes + MINUTES_PER_QUIZ_QUESTION * quiz_questions
    code = len([line for line in cell.source.splitlines() if line.strip()])
    other, figures = 0, 0
    for output in cell.get("outputs", []):
        shown_code, text, figure = text_lines(output)
        code, other, figures = code + shown_code, other + text, figures + figure
    return (minutes + code / CODE_LINES_PER_MINUTE + other / OUTPUT_LINES_PER_MINUTE
            + figures * MINUTES_PER_FIGURE)


def run_times(stem: str) -> list[float]:
    """The measured seconds of each code cell of lesson ``stem`` (in order), or [] if never measured."""
    if not RUN_TIMES.exists():
        return []
    return json.loads(RUN_TIMES.read_text()).get(stem, {}).get("code_cell_seconds", [])


def record_run_times(stem: str, seconds: list[float], machine: str) -> None:
    """Keep one lesson's measured code-cell run times (the others' stay as they were)."""
    table = json.loads(RUN_TIMES.read_text()) if RUN_TIMES.exists() else {}
    table[stem] = {"machine": machine, "code_cell_seconds": [round(s, 1) for s in seconds]}
    RUN_TIMES.write_text(json.dumps(dict(sorted(table.items())), indent=1) + "\n")


@dataclass
class Plan:
    """A lesson's parts with their minutes, the core path's total and the optional total."""

    parts: list[Part]

    @property
    def core_minutes(self) -> int:
        return math.ceil(sum(p.minutes for p in self.parts if not p.optional))

    @property
    def optional_minutes(self) -> int:
        return math.ceil(sum(p.minutes for p in self.parts if p.optional))

    def titles(self, optional: bool) -> list[str]:
        return [p.title for p in self.parts if p.optional == optional and p.level == 2]


def plan(executed: NotebookNode, stem: str) -> Plan:
    """The plan of a lesson from its executed solution notebook and its measured run times."""
    measured = run_times(stem)
    code_indices = [i for i, c in enumerate(executed.cells) if c.cell_type == "code"]
    seconds = dict(zip(code_indices, measured, strict=False))  # [] when never measured
    lesson_parts = parts(executed)
    for part in lesson_parts:
        part.minutes = sum(prose_minutes(text) for text in part.prose) + sum(
            code_cell_minutes(executed.cells[i], seconds.get(i, 0.0)) for i in part.code_cells)
    return Plan(lesson_parts)
