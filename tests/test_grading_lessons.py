"""The teaching guide's grading commands on a made-up class, for every lesson with exercises: real
nbgrader (generate_assignment, autograde, generate_feedback), real kernels, the grades and feedback
an instructor gets."""

from __future__ import annotations

import pytest
from grading_class import DELEGATIONS, MISTAKES, feedback, grade, lesson_class, make_course


@pytest.mark.slow
@pytest.mark.parametrize("number", sorted(MISTAKES))
def test_a_class_is_graded_as_its_answers_deserve(tmp_path, number):
    course = tmp_path / "course"
    lesson = make_course(course, number)
    expected = lesson_class(course, lesson)
    grades = grade(course, number)
    assert {student: score for student, (score, _, _) in grades.items()} == expected
    assert "❌" not in feedback(course, lesson, "complete")
    assert MISTAKES[number][2] in feedback(course, lesson, "mistake")  # the feedback names the fault
    delegated = feedback(course, lesson, "delegates")
    assert "uses the course" in delegated and DELEGATIONS[number][0] in delegated
    assert "I checked it myself" not in delegated  # the edited checker cell was replaced by the release's
    assert "not implemented yet" in feedback(course, lesson, "blank")
