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
