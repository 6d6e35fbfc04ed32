"""The teaching guide's grading commands on a made-up class, lessons 01, 02, 03, 04: real nbgrader
(generate_assignment, autograde, generate_feedback), real kernels, the grades and feedback an
instructor gets. (Two files, so that the test runners share the lessons.)"""

from __future__ import annotations

import pytest
from grading_class import grade_a_class


@pytest.mark.slow
@pytest.mark.parametrize("number", "01 02 03 04".split())
def test_a_class_is_graded_as_its_answers_deserve(tmp_path, number):
    grade_a_class(tmp_path / "course", number)


@pytest.mark.slow
def test_a_korean_class_is_graded_the_same_with_feedback_in_korean(tmp_path):
    """``init --language ko`` hands out the Korean notebooks: the same points, feedback a Korean student reads."""
    import copy
    import re

    import nbformat
    from grading_class import MISTAKES, answers, checks, feedback, grade, make_course, submit

    course = tmp_path / "course"
    lesson = make_course(course, "03", language="ko")
    source = nbformat.read(course / "source" / lesson / f"{lesson}.ipynb", as_version=4)
    assert any('os.environ["DQN_LANGUAGE"] = "ko"' in c.source for c in source.cells if c.cell_type == "code")
    total = float(len(checks(source)))
    submit(course, lesson, "complete", source)
    release = nbformat.read(course / "release" / lesson / f"{lesson}.ipynb", as_version=4)
    submit(course, lesson, "blank", release)
    wrong = copy.deepcopy(source)
    pattern, replacement, _ = MISTAKES["03"]
    first = next(iter(answers(wrong).values()))
    first.source = re.sub(pattern, replacement, first.source, count=1)
    submit(course, lesson, "mistake", wrong)

    grades = grade(course, "03")
    assert {student: score for student, (score, _, _) in grades.items()} == {
        "complete": total, "blank": 0.0, "mistake": total - 1}
    mistake, blank = feedback(course, lesson, "mistake"), feedback(course, lesson, "blank")
    assert "❌ ReplayMemory" in mistake and "not implemented yet" not in blank
    for page in (mistake, blank):
        assert re.search("[가-힣]{2,}", page.split("❌", 1)[-1]), "the verdict is not in Korean"
    assert "아직 구현되지 않았습니다" in blank
