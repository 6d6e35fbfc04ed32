"""A lab a student can finish: every lesson states its time and core sections, its core path fits
the budget by the written rule, the map opens it, and the student version ships unexecuted."""

import base64
import copy
import html
import json
import re

import course
import course_map
import lesson_plan
import nbformat
import pytest

SOURCES = course.lesson_sources()


def solution(source):
    return nbformat.read(course.notebook_path(source, "solution"), as_version=4)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_the_core_path_fits_the_budget_by_the_rule(source):
    plan = course.lesson_time(source)
    assert plan.core_minutes <= lesson_plan.CORE_BUDGET_MINUTES, (
        f"{source.stem}: the core path takes {plan.core_minutes} min by the rule: mark deep dives "
        f"(a heading starting 'Deep dive') or split the lesson; by part: "
        + "; ".join(f"{p.title[:40]} {p.minutes:.0f}" for p in plan.parts if not p.optional))


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_every_code_cell_has_a_measured_run_time(source):
    """The rule counts the cells' run time: the build measures it, with the full budget."""
    code_cells = [c for c in solution(source).cells if c.cell_type == "code"]
    assert len(lesson_plan.run_times(source.stem)) == len(code_cells), (
        f"lessons/run_times.json has no current timing for {source.stem}: `python tools/course.py build "
        f"{source.stem[:2]}`")


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
@pytest.mark.parametrize("version", list(course.VERSIONS))
def test_every_lesson_opens_with_its_time_core_sections_and_the_map(source, version):
    nb = nbformat.read(course.notebook_path(source, version), as_version=4)
    first = nb.cells[0]
    plan = course.lesson_time(source)
    assert f"**Time:** about {plan.core_minutes} minutes on the core path" in first.source
    assert "**Core sections:** " + " · ".join(plan.titles(optional=False)) in first.source
    assert f"(attachment:{course.MAP_NAME})" in first.source
    svg = base64.b64decode(first.attachments[course.MAP_NAME]["image/svg+xml"]).decode()
    assert svg == course_map.svg(source.stem[:2])
    assert f"lesson {source.stem[:2]}'s part is yellow" in html.unescape(svg)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_every_lesson_has_a_yellow_part_on_the_map(source):
    lesson = source.stem[:2]
    marked = [line for line, lessons in course_map.ALGORITHM if lesson in lessons]
    marked += [label for label, lessons, *_ in course_map.NODES.values() if lesson in lessons]
    assert marked, f"lesson {lesson} highlights nothing on the map"
    assert course_map.svg(lesson).count("#ffd966") == len(marked)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_the_student_version_carries_no_outputs(source):
    """A prediction is made before its answer exists on screen: nothing executed is committed."""
    nb = nbformat.read(course.notebook_path(source, "student"), as_version=4)
    assert course.executed_parts(nb) == []


def test_an_executed_student_notebook_fails_the_check(tmp_path, monkeypatch):
    source = SOURCES[0]
    nb = nbformat.read(course.notebook_path(source, "student"), as_version=4)
    spoiled = copy.deepcopy(nb)
    code = next(c for c in spoiled.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="the answer\n")]
    code.execution_count = 1
    assert course.executed_parts(spoiled) == ["outputs", "execution counts"]
    assert course.executed_parts(nb) == []


def test_deep_dives_are_optional_until_the_next_heading_of_their_level():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Lesson\n\ntext"),
        nbformat.v4.new_markdown_cell("## 1. Core\n\nwords\n\n### Deep dive: timing\n\nmore words"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("#### detail inside the dive"),
        nbformat.v4.new_markdown_cell("### Back to the core\n\nwords"),
        nbformat.v4.new_markdown_cell("## Deep dive: engine\n\n### its part\n\n## Recap\n\nwords"),
    ])
    found = {p.title: p.optional for p in lesson_plan.parts(nb)}
    assert found == {"(above the title)": False, "Lesson": False, "1. Core": False, "Deep dive: timing": True,
                     "detail inside the dive": True, "Back to the core": False, "Deep dive: engine": True,
                     "its part": True, "Recap": False}
    timing = next(p for p in lesson_plan.parts(nb) if p.title == "Deep dive: timing")
    assert timing.code_cells == [2] and "more words" in timing.prose[0]


def test_the_rule_counts_reading_exercises_predictions_quizzes_and_run_time():
    words = " ".join(["word"] * lesson_plan.WORDS_PER_MINUTE)
    assert lesson_plan.prose_minutes(words) == pytest.approx(1)
    assert lesson_plan.prose_minutes(words + "\n<details><summary>Hint 1</summary>\n\n" + words + "\n</details>") == \
        pytest.approx(1), "an exercise's hints are in its own minutes"
    assert lesson_plan.prose_minutes("**Predict first.** What?") == pytest.approx(
        lesson_plan.MINUTES_PER_PREDICTION + 3 / lesson_plan.WORDS_PER_MINUTE), "the prompt's words are read too"
    exercise = nbformat.v4.new_code_cell(
        "def f(x):\n    ### BEGIN SOLUTION\n    y = x\n    return y\n    ### END SOLUTION")
    assert lesson_plan.code_cell_minutes(exercise, 0) == pytest.approx(
        lesson_plan.MINUTES_PER_EXERCISE + 2 * lesson_plan.MINUTES_PER_SOLUTION_LINE)
    quiz = nbformat.v4.new_code_cell('quiz.answer(1, "?")\nquiz.answer(2, "?")')
    assert lesson_plan.code_cell_minutes(quiz, 0) == pytest.approx(2 * lesson_plan.MINUTES_PER_QUIZ_QUESTION)
    slow = nbformat.v4.new_code_cell("train()")
    assert lesson_plan.code_cell_minutes(slow, 120) == pytest.approx(
        lesson_plan.RUN_TIME_FACTOR * 2 + 1 / lesson_plan.CODE_LINES_PER_MINUTE)


def test_the_teaching_guide_shows_the_current_lesson_times_and_the_readme_links_it():
    assert course.guide_times(course.GUIDE.read_text()) == course.times_table(), (
        "the lesson times changed: run `python tools/course.py times`")
    assert "docs/teaching-guide.md" in (course.ROOT / "README.md").read_text()


def test_the_three_hour_lab_plan_fits_and_is_current():
    plan, ends = course.lab_plan()
    assert ends <= course.LAB_MINUTES, f"the lab's lessons end at minute {ends}, after the 3 hours"
    assert course.guide_lab_plan(course.GUIDE.read_text()) == plan, (
        "the lab plan changed: run `python tools/course.py times`")
    planned = [n for group in course.LAB.values() for n in group]
    assert sorted(planned) == sorted(s.stem[:2] for s in course.lesson_sources()), "every lesson has its place"


PROGRESS = re.compile(r"\d+%\|")  # a tqdm bar with a total: "36%|###6      | 36/100 [00:02<00:03]"
LONG_CELL_S = 10


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_every_long_cell_shows_progress(source):
    """A cell that runs longer than about 10 s on a laptop CPU shows a progress bar with a total."""
    nb = solution(source)
    code = [c for c in nb.cells if c.cell_type == "code"]
    silent = []
    for cell, seconds in zip(code, lesson_plan.run_times(source.stem), strict=True):
        if seconds * lesson_plan.RUN_TIME_FACTOR > LONG_CELL_S:
            shown = json.dumps(cell.get("outputs", []))
            if not PROGRESS.search(shown):
                silent.append(f"{seconds:.0f} s: {cell.source.splitlines()[0][:70]}")
    assert not silent, f"{source.stem}: long cells without a progress bar: {silent}"
