"""Submissions that go wrong are graded, not lost: a hang, a crash, a flood of output, a corrupt file,
another lesson's notebook, deleted checker cells, a notebook never run. Real nbgrader, real kernels."""

from __future__ import annotations

import pytest
from grading_class import ROOT, failing_class, feedback, grade, make_course


@pytest.mark.slow
def test_every_broken_submission_gets_a_grade_and_a_reason_and_the_rest_of_the_class_is_graded(tmp_path):
    course = tmp_path / "course"
    lesson = make_course(course, "01", cell_timeout_s=30)
    failing_class(course, lesson, other_lesson=ROOT / "notebooks" / "03_replay_memory.ipynb")
    grades = grade(course, "01", "--student-timeout", "120")
    assert set(grades) == {"hang", "crash", "memory_hog", "patches_checker", "slow", "flood", "corrupt", "other_lesson",
                           "deleted_checks", "ran_nothing"}
    assert all(maximum == 2 for _, maximum, _ in grades.values())
    # the first exercise hangs at the top of its cell: interrupted after 30 s, zero for it, the rest graded
    assert grades["hang"][0] <= 1 and "CellTimeoutError" in feedback(course, lesson, "hang")
    assert grades["crash"][0] == 0 and "the kernel died" in grades["crash"][2]
    assert grades["memory_hog"][0] <= 1 and "MemoryError" in feedback(course, lesson, "memory_hog")
    # switching the checker off from an answer cell changes nothing: the course's code is restored before each cell
    assert grades["patches_checker"][0] == 1 and "❌ play_episode" in feedback(course, lesson, "patches_checker")
    assert grades["slow"][0] == 0 and "ran past its time limit" in grades["slow"][2]
    assert grades["flood"][0] == 2  # its prints are cut, its answers are right
    assert grades["corrupt"][0] == 0 and "could not be read" in grades["corrupt"][2]
    assert (course / "submitted" / "corrupt" / lesson / f"{lesson}.ipynb.not-graded").exists()  # never lost
    assert grades["other_lesson"][0] == 0 and "03_replay_memory" in grades["other_lesson"][2]
    assert grades["deleted_checks"][0] == 2  # the checker cells come back from the release
    assert grades["ran_nothing"][0] == 2  # the grader runs the notebook itself
    for student in ("crash", "corrupt", "other_lesson"):
        assert feedback(course, lesson, student).strip(), f"{student} gets no feedback"
    assert (course / "grades.csv").read_text().startswith("lesson,student,score,max_score,note")
