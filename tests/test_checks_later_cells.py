"""Every answer a checker accepts works in the rest of its lesson.

For each lesson, ``later_cells.py`` runs the lesson's solution source in quick mode; at each
checker cell it puts every accepted answer of the catalogue (``typical_answers.py``) in place of
the solution and runs the lesson's later cells that use it. A correct answer that breaks a later
cell, or hands it another type than the reference does, is a checker bug (or a lesson bug).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typical_answers import ANSWERS

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))
REPORT = re.compile(r'\{"exercise": .*\}')

# Types a later cell may meet besides the reference's, with the reason it copes with them.
ALSO_ACCEPTED = {
    # the slides return the action as a 1x1 tensor; the lesson says the checker accepts it, and its
    # later cell reads the action with int(...)
    ("select_action", "Tensor"),
}


def exercises_of(lesson: Path) -> list[str]:
    return re.findall(r"^(\w+) = checks\.check_\w+\(\1\)\s*$", lesson.read_text(), re.MULTILINE)


@pytest.mark.parametrize("lesson", [p for p in LESSONS if exercises_of(p)], ids=lambda p: p.stem)
def test_accepted_answers_run_the_lessons_later_cells(lesson: Path, tmp_path: Path) -> None:
    # wandb as a student meets it (the lesson's cells choose its mode): no WANDB_* settings of this machine
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")} | {
        "DQN_QUICK": "1", "MPLBACKEND": "agg", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "later_cells.py"), str(lesson)], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=900)
    reports = [json.loads(m) for m in REPORT.findall(run.stdout)]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    exercises = exercises_of(lesson)
    expected = sorted((a.exercise, a.name) for a in ANSWERS if a.exercise in exercises and a.verdict is None)
    got = sorted((r["exercise"], r["answer"]) for r in reports if r["answer"] != "<reference>")
    assert got == expected, "the runner skipped accepted answers"
    reference = {r["exercise"]: set(r["types"]) for r in reports if r["answer"] == "<reference>"}
    for report in reports:
        if report["answer"] == "<reference>":
            continue
        name = f"{report['exercise']}: {report['answer']}"
        assert report["ok"], f"{name} passes its checker, then breaks a later cell: {report.get('error')}"
        others = {t for t in report["types"] if t not in reference[report["exercise"]]
                  and (report["exercise"], t) not in ALSO_ACCEPTED}
        assert not others, (f"{name} hands the later cells {sorted(others)}, where the reference hands "
                            f"{sorted(reference[report['exercise']])}")
