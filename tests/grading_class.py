"""A made-up class of submissions for one lesson, and the nbgrader course that grades it.

Each student is a notebook made from the lesson's release (what students get) or source (the
solution): complete, blank, a typical mistake in the first exercise, an answer that delegates to
the course's own implementation and "fixes" its checker cell, and the ways a submission goes wrong
(a hang, a crash, a flood of output, a corrupt file, another lesson's notebook, a deleted checker).
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import grading  # noqa: E402

# A typical mistake in each lesson's first exercise: (pattern in the solution, replacement, words of the feedback).
MISTAKES = {
    "01": (r"steps = 0", "steps = 1", "❌ play_episode"),
    "02": (r"return int\(", "return round(", "❌ get_cart_location"),
    "03": (r"return random\.sample\(self\.memory, batch_size\)", "return list(self.memory)[:batch_size]",
           "❌ ReplayMemory"),
    "04": (r"// stride \+ 1", "// stride", "❌ conv2d_size_out"),
    "05": (r"math\.exp\(-1\.0 \* step / decay\)", "math.exp(step / decay)", "ε must fall"),
    "06": (r"\.max\(1\)\[0\]", ".max(1)[1]", "❌ compute_loss"),
    "07": (r"\[stack\[1:\], frame\[None\]\]", "[frame[None], stack[:-1]]", "❌ push_frame"),
    "08": (r"target_net\(next_states\)\.gather", "online_net(next_states).gather", "❌ double_dqn_values"),
}
# An answer that hands an exercise to the course's implementation: (exercise, its cell's code).
DELEGATIONS = {
    "01": ("random_baseline",
           "def random_baseline(*args, **kwargs):\n    return dh.env.random_baseline(*args, **kwargs)"),
    "02": ("crop_window", "def crop_window(*args, **kwargs):\n    return dh.screen.cart_window(*args, **kwargs)"),
    "03": ("ReplayMemory", "class ReplayMemory(dh.replay.ReplayMemory):\n    pass"),
    "04": ("conv2d_size_out", "from dqn_helpers.model import conv2d_size_out as ready\n\n"
           "def conv2d_size_out(size, kernel_size=5, stride=2):\n    return ready(size, kernel_size, stride)"),
    "05": ("select_action", "def select_action(*args, **kwargs):\n    return dh.policy.select_action(*args, **kwargs)"),
    "06": ("train_episode", "def train_episode(*args, **kwargs):\n    return dh.slides.train_episode(*args, **kwargs)"),
    "07": ("push_frame", "def push_frame(stack, frame):\n    return dh.pixels.push_frame(stack, frame)"),
    "08": ("n_step_returns",
           "def n_step_returns(*args, **kwargs):\n    return dh.update.n_step_returns(*args, **kwargs)"),
}


def nbgrader(course: Path, *args: str) -> None:
    run = grading.nbgrader(course, *args)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]


def make_course(course: Path, number: str, cell_timeout_s: int = 120, language: str = "en") -> str:
    """``tools/grading.py init`` and ``nbgrader generate_assignment``, as the teaching guide says; the lesson's name."""
    (path,) = grading.init(course, [number], cell_timeout_s=cell_timeout_s, language=language)
    lesson = path.parent.name
    nbgrader(course, "generate_assignment", lesson, "--force")
    return lesson


def answers(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"].split("-answer-")[1]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def checks(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"].split("-check-")[1]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


def submit(course: Path, lesson: str, student: str, nb: nbformat.NotebookNode | None = None,
           text: str | None = None) -> None:
    folder = course / "submitted" / student / lesson
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lesson}.ipynb"
    if text is not None:
        path.write_text(text)
    else:
        nbformat.write(nb, path)


def lesson_class(course: Path, lesson: str) -> dict[str, float]:
    """Complete; blank; a typical mistake in the first exercise and, in the last, a function that never returns
    (a notebook of its own where the lesson has one exercise); a delegation with its checker cell edited.
    Returns the expected scores."""
    number = lesson[:2]
    source = nbformat.read(course / "source" / lesson / f"{lesson}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / lesson / f"{lesson}.ipynb", as_version=4)
    total = float(len(checks(source)))
    submit(course, lesson, "complete", source)
    submit(course, lesson, "blank", release)
    wrong = copy.deepcopy(source)
    first = next(iter(answers(wrong).values()))
    pattern, replacement, _ = MISTAKES[number]
    assert re.search(pattern, first.source), f"lesson {number}: the mistake's pattern is not in its first exercise"
    first.source = re.sub(pattern, replacement, first.source, count=1)
    hang_score = 0
    hanging = wrong if len(answers(wrong)) > 1 else copy.deepcopy(source)  # a loop that never ends, when called
    exercise = list(answers(hanging))[-1]
    answers(hanging)[exercise].source = f"def {exercise}(*args, **kwargs):\n    while True:\n        pass"
    if hanging is not wrong:
        submit(course, lesson, "hang", hanging)
        hang_score = total - 1
    submit(course, lesson, "mistake", wrong)
    delegating = copy.deepcopy(source)
    exercise, code = DELEGATIONS[number]
    answers(delegating)[exercise].source = code
    checks(delegating)[exercise].source = f"# {exercise} is fine, I checked it myself\npass"
    submit(course, lesson, "delegates", delegating)
    expected = {"complete": total, "blank": 0.0, "mistake": total - 1 - (hanging is wrong), "delegates": total - 1}
    return expected | ({"hang": hang_score} if hanging is not wrong else {})


def failing_class(course: Path, lesson: str, other_lesson: Path) -> None:
    """Submissions that go wrong: each must be graded, with a line saying why."""
    source = nbformat.read(course / "source" / lesson / f"{lesson}.ipynb", as_version=4)

    def with_first_answer(code: str) -> nbformat.NotebookNode:
        nb = copy.deepcopy(source)
        next(iter(answers(nb).values())).source = code
        return nb

    submit(course, lesson, "hang", with_first_answer("while True:\n    pass"))
    submit(course, lesson, "crash", with_first_answer("import os\nos._exit(1)"))
    submit(course, lesson, "memory_hog", with_first_answer("import numpy as np\nhog = np.ones(16 * 1024**3, np.uint8)"))
    submit(course, lesson, "patches_checker", with_first_answer(
        "import os\nos.environ['DQN_GRADING'] = '0'\nchecks.check_play_episode = lambda answer: answer\n"
        "dh.env.play_episode = lambda *args, **kwargs: 3\n\ndef play_episode(env, policy, seed=None):\n    return 3"))
    slow = copy.deepcopy(source)  # no cell past its limit, the whole notebook past its own
    slow.cells[1:1] = [nbformat.v4.new_code_cell("import time\ntime.sleep(25)") for _ in range(7)]
    submit(course, lesson, "slow", slow)
    flood = copy.deepcopy(source)
    cell = next(iter(answers(flood).values()))
    cell.source += "\n\nfor i in range(200_000):\n    print('debug', i)"
    submit(course, lesson, "flood", flood)
    submit(course, lesson, "corrupt", text=json.dumps(nbformat.writes(source))[:4000])
    submit(course, lesson, "other_lesson", nbformat.read(other_lesson, as_version=4))
    deleted = copy.deepcopy(source)
    for cell in checks(deleted).values():
        deleted.cells.remove(cell)
    submit(course, lesson, "deleted_checks", deleted)
    ran_nothing = copy.deepcopy(source)
    for cell in ran_nothing.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    submit(course, lesson, "ran_nothing", ran_nothing)


def grade(course: Path, number: str, *options: str) -> dict[str, tuple[float, float, str]]:
    """The teaching guide's command; the scores and notes it wrote to grades.csv."""
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "grading.py"), "grade", str(course), number, *options],
                         capture_output=True, text=True, timeout=3600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    import csv

    with (course / "grades.csv").open(newline="") as file:
        return {r["student"]: (float(r["score"]), float(r["max_score"]), r["note"]) for r in csv.DictReader(file)}


def feedback(course: Path, lesson: str, student: str) -> str:
    """The student's feedback page (nbgrader's HTML) and the grading note, as text."""
    folder = course / "feedback" / student / lesson
    parts = [p.read_text(errors="replace") for p in sorted(folder.glob("*.html"))]
    note = folder / "grading-note.txt"
    if note.exists():
        parts.append(note.read_text())
    return "\n".join(parts)


def grade_a_class(course: Path, number: str) -> None:
    """Grade ``lesson_class`` with the teaching guide's commands; check every grade and the feedback."""
    lesson = make_course(course, number)
    expected = lesson_class(course, lesson)
    grades = grade(course, number)
    assert {student: score for student, (score, _, _) in grades.items()} == expected
    assert "❌" not in feedback(course, lesson, "complete")
    assert MISTAKES[number][2] in feedback(course, lesson, "mistake")  # the feedback names the fault
    assert "did not finish within" in feedback(course, lesson, "hang" if "hang" in expected else "mistake")
    delegated = feedback(course, lesson, "delegates")
    assert "uses the course" in delegated and DELEGATIONS[number][0] in delegated
    assert "I checked it myself" not in delegated  # the edited checker cell was replaced by the release's
    assert "not implemented yet" in feedback(course, lesson, "blank")
