"""Grade a class's notebooks with nbgrader: the checker cells are nbgrader's test cells.

Every lesson notebook (student and solution) carries nbgrader's cell metadata, written by
``tools/course.py``: each exercise cell is a *solution* cell, each checker cell
(``name = checks.check_name(name)``) an *autograded test* cell worth ``POINTS`` point, locked.
In grading mode (``DQN_GRADING=1``, set by the course's ``nbgrader_config.py``) a checker that
does not pass raises, so nbgrader scores its cell zero and the checker's message is the
student's feedback; an answer that only calls the course's own implementation is not counted.

    python tools/grading.py init COURSE_DIR [NN ...]   an nbgrader course: config, kernel, source/
    python tools/grading.py grade COURSE_DIR NN        autograde submitted/*/NN_name, feedback, grades.csv

``init`` writes ``COURSE_DIR/nbgrader_config.py`` and ``COURSE_DIR/source/NN_name/NN_name.ipynb``
(the solution notebook, without outputs). From there the instructor uses nbgrader's own commands
(``nbgrader generate_assignment``, ``release_assignment``, ``collect``); ``grade`` runs
``nbgrader autograde``, ``generate_feedback`` and ``export`` and adds what nbgrader leaves to the
instructor: a notebook that cannot be read, or that belongs to another lesson, is set aside and
graded as blank with a line saying why; a submission nbgrader could not grade (its kernel died)
is graded zero with the same kind of line. The grades land in ``COURSE_DIR/grades.csv``,
written to a temporary file and renamed, so a crash never leaves half a gradebook.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[1]
POINTS = 1
"""Points per exercise (an instructor may change ``points`` in the source notebook's metadata)."""

CHECK_CELL = re.compile(r"^(\w+) = checks\.check_\w+\(\1\)\s*$", re.MULTILINE)
ANSWER_MARK = "### BEGIN SOLUTION"
STUB_MARK = "# YOUR CODE HERE"
KERNEL_NAME = "dqn-grading"
CELL_TIMEOUT_S = 300
"""nbgrader's limit on one cell: a cell that runs longer is interrupted, and grading goes on."""
MEMORY_LIMIT_GB = 6
"""The grading kernel's memory (address space beyond what PyTorch maps at import): a runaway answer fails
with MemoryError instead of taking the machine down."""
STUDENT_TIMEOUT_S = 1800
"""The most one student's whole notebook may take (``grade``); past it, that student is graded zero."""
OUTPUT_LINES = 200
"""nbgrader's limit on the lines a cell's output keeps: a flood of prints is cut."""
SCHEMA_VERSION = 3


def mark_for_grading(nb: NotebookNode, lesson: str) -> NotebookNode:
    """Give the exercise cells and the checker cells nbgrader's metadata (in place; returns ``nb``)."""
    answers: list[NotebookNode] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        check = CHECK_CELL.search(cell.source)
        if check:
            name = check.group(1)
            cell.metadata["nbgrader"] = _metadata(grade_id=f"{lesson}-check-{name}", grade=True, solution=False,
                                                  locked=True, points=POINTS)
            for k, answer in enumerate(answers):
                suffix = f"-{k + 1}" if len(answers) > 1 else ""
                answer.metadata["nbgrader"] = _metadata(grade_id=f"{lesson}-answer-{name}{suffix}", grade=False,
                                                        solution=True, locked=False)
            answers = []
        elif ANSWER_MARK in cell.source or STUB_MARK in cell.source:
            answers.append(cell)
    return nb


def _metadata(grade_id: str, grade: bool, solution: bool, locked: bool, points: int | None = None) -> dict:
    data = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        data["points"] = points
    return data


def grade_ids(nb: NotebookNode) -> set[str]:
    return {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


# --- the course directory -------------------------------------------------------------------

CONFIG = '''\
"""nbgrader's configuration for grading DQN from Pixels (written by `python tools/grading.py init`)."""
import os

c = get_config()  # noqa: F821 - nbgrader provides it
c.CourseDirectory.course_id = "dqn-from-pixels"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# The student version nbgrader generates is the one the course ships: the same stub in each exercise.
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
# Students who delete or edit a checker cell get it back from the release; missing ones are added.
c.OverwriteCells.add_missing_cells = True
# Every student's notebook runs in its own kernel: one cell may run {timeout} s, then it is interrupted
# and grading goes on; a cell keeps at most {lines} lines of output.
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.Execute.kernel_name = "{kernel}"
c.LimitOutput.max_lines = {lines}
c.LimitOutput.max_traceback = 20
# The kernel: checkers in grading mode, the lessons' experiments on their small test budgets (the grade
# depends on the checker cells only), and a memory limit (kernels/{kernel}/kernel.json).
os.environ["DQN_GRADING"] = "1"
os.environ["DQN_QUICK"] = "1"
os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["MPLBACKEND"] = "agg"
os.environ["WANDB_MODE"] = "disabled"
os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread per kernel: kernels never fight over the cores
os.environ.pop("WANDB_SERVICE", None)
here = os.path.dirname(os.path.abspath(__file__))
os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (here, os.environ.get("JUPYTER_PATH")) if p)
'''


def init(course_dir: Path, lessons: list[str] | None = None, cell_timeout_s: int = CELL_TIMEOUT_S,
         language: str = "en") -> list[Path]:
    """Write the nbgrader course: config, the grading kernel, and ``source/`` from the solution notebooks
    of the edition in ``language`` (the Korean one, ``ko``, releases Korean notebooks whose checkers
    give their feedback in Korean; its graded cells are the English ones, so the grades are the same)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import course

    course_dir.mkdir(parents=True, exist_ok=True)
    (course_dir / "nbgrader_config.py").write_text(CONFIG.format(stub=course.STUB, timeout=cell_timeout_s,
                                                                 lines=OUTPUT_LINES, kernel=KERNEL_NAME))
    kernel_dir = course_dir / "kernels" / KERNEL_NAME
    kernel_dir.mkdir(parents=True, exist_ok=True)
    (kernel_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "dqn_helpers.grading_kernel", str(MEMORY_LIMIT_GB), "-f", "{connection_file}"],
        "display_name": "Python 3 (DQN from Pixels, grading)", "language": "python",
    }, indent=1) + "\n")
    written = []
    for source in course.select(lessons or []):
        solution = nbformat.read(course.notebook_path(source, "solution", language), as_version=4)
        if not grade_ids(solution):
            continue  # a lesson without exercises has nothing to grade
        for cell in solution.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        target = course_dir / "source" / source.stem / f"{source.stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(solution, target)
        written.append(target)
    return written


# --- grading ---------------------------------------------------------------------------------


@dataclass
class Result:
    student: str
    score: float
    max_score: float
    note: str = ""


def nbgrader(course_dir: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nbgrader", *args]
    # nbgrader runs `alembic` (its database migrations) by name: the environment's scripts must be on PATH
    env = os.environ | {"PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    return subprocess.run(command, cwd=course_dir, capture_output=True, text=True, timeout=timeout, env=env)


def set_aside(path: Path, release: Path, why: str) -> str:
    """Keep the student's file beside, put the blank release in its place: graded, never lost."""
    kept = path.with_name(path.name + ".not-graded")
    if path.exists():
        path.replace(kept)
    shutil.copyfile(release, path)
    return f"{why}; the file is kept as {kept.name} and the notebook was graded as blank"


def screen_submissions(course_dir: Path, lesson: str) -> dict[str, str]:
    """Set aside notebooks nbgrader cannot grade as this lesson's; returns a note per student."""
    release = course_dir / "release" / lesson / f"{lesson}.ipynb"
    expected = grade_ids(nbformat.read(release, as_version=4))
    notes: dict[str, str] = {}
    for folder in sorted((course_dir / "submitted").glob(f"*/{lesson}")):
        student = folder.parent.name
        path = folder / f"{lesson}.ipynb"
        if not path.exists():
            others = sorted(p.name for p in folder.glob("*.ipynb"))
            notes[student] = set_aside(path, release, f"no {lesson}.ipynb in the submission"
                                       + (f" (found {', '.join(others)})" if others else ""))
            continue
        try:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        except Exception as error:  # noqa: BLE001 - any unreadable file: JSON, schema, encoding
            said = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            reason = said.split(": ", 1)[0][:100]  # the kind of damage, not the file's content
            notes[student] = set_aside(path, release, f"the notebook could not be read ({reason})")
            continue
        found = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}
        lessons_found = {g.split("-check-")[0] for g in found if "-check-" in g}
        if lessons_found and lesson not in lessons_found:
            notes[student] = set_aside(path, release, f"this is the notebook of lesson {sorted(lessons_found)[0]}, "
                                       f"not of {lesson}")
        elif not expected & found:
            notes[student] = "no checker cell of this lesson was found: they were restored from the release"
    return notes


def grade(course_dir: Path, lesson: str, student_timeout_s: float = STUDENT_TIMEOUT_S) -> list[Result]:
    """Autograde every submission of ``lesson``, write feedback and ``grades.csv``; returns the results."""
    course_dir = course_dir.resolve()
    lesson = resolve_lesson(course_dir, lesson)
    if not (course_dir / "release" / lesson).exists():
        raise SystemExit(f"no release of {lesson}: run `nbgrader generate_assignment {lesson}` in {course_dir} first")
    notes = screen_submissions(course_dir, lesson)
    students = sorted(p.parent.name for p in (course_dir / "submitted").glob(f"*/{lesson}"))
    for student in students:  # one process per student: a crash or a hang stays with that student
        try:
            run = nbgrader(course_dir, "autograde", lesson, "--student", student, "--force",
                           timeout=student_timeout_s)
            failed, log = run.returncode != 0, run.stderr
        except subprocess.TimeoutExpired:  # the kernel, orphaned, stops by itself (ipykernel watches its parent)
            failed, log = True, f"TotalTimeLimit {student_timeout_s:.0f} s"
        if failed or not (course_dir / "autograded" / student / lesson).exists():
            reason = _failure(log)
            notes[student] = (notes.get(student, "") + "; " if student in notes else "") + (
                f"the notebook could not be run to the end ({reason}): graded zero")
    nbgrader(course_dir, "generate_feedback", lesson, "--force")
    results = gradebook_results(course_dir, lesson, students, notes)
    write_notes(course_dir, lesson, results)
    write_grades(course_dir / "grades.csv", lesson, results)
    return results


def _failure(log: str) -> str:
    for pattern, said in (("DeadKernelError", "the kernel died"), ("Kernel died", "the kernel died"),
                          ("CellTimeoutError", "a cell ran past its time limit"), ("MemoryError", "out of memory"),
                          ("TotalTimeLimit", "the whole notebook ran past its time limit")):
        if pattern in log:
            return said
    lines = [line for line in log.splitlines() if "[AutogradeApp | ERROR]" in line]
    return lines[0].split("]", 1)[1].strip()[:160] if lines else "nbgrader failed"


def resolve_lesson(course_dir: Path, name: str) -> str:
    matches = sorted(p.name for p in (course_dir / "source").glob(f"{name}*") if p.is_dir())
    if len(matches) != 1:
        raise SystemExit(f"{name!r} names {len(matches)} lessons in {course_dir / 'source'}: {matches}")
    return matches[0]


def gradebook_results(course_dir: Path, lesson: str, students: list[str], notes: dict[str, str]) -> list[Result]:
    from nbgrader.api import Gradebook, MissingEntry

    results = []
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        max_score = gradebook.find_assignment(lesson).max_score
        for student in students:
            try:
                score = gradebook.find_submission(lesson, student).score
            except MissingEntry:
                score = 0.0
            if student in notes and "graded zero" in notes[student]:
                score = 0.0
            results.append(Result(student, float(score), float(max_score), notes.get(student, "")))
    return results


def write_notes(course_dir: Path, lesson: str, results: list[Result]) -> None:
    """One line per student beside nbgrader's feedback: why a submission was graded as it was."""
    for result in results:
        if result.note:
            folder = course_dir / "feedback" / result.student / lesson
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "grading-note.txt").write_text(f"{result.note}.\n")


def write_grades(path: Path, lesson: str, results: list[Result]) -> None:
    """Add or replace this lesson's rows in the gradebook CSV, atomically (temporary file, then rename)."""
    rows = []
    if path.exists():
        with path.open(newline="") as file:
            rows = [r for r in csv.DictReader(file) if r["lesson"] != lesson]
    rows += [{"lesson": lesson, "student": r.student, "score": f"{r.score:g}", "max_score": f"{r.max_score:g}",
              "note": r.note} for r in results]
    rows.sort(key=lambda r: (r["lesson"], r["student"]))
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".grades-", suffix=".csv", delete=False,
                                     newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["lesson", "student", "score", "max_score", "note"])
        writer.writeheader()
        writer.writerows(rows)
    os.replace(file.name, path)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "tools"))
    from course import LANGUAGES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    setup = commands.add_parser("init", help="write an nbgrader course directory for the lessons")
    setup.add_argument("course_dir", type=Path)
    setup.add_argument("lessons", nargs="*", help="lesson numbers (default: every lesson with exercises)")
    setup.add_argument("--language", choices=LANGUAGES, default="en",
                       help="the edition to hand out and grade (ko: the Korean notebooks; default en)")
    run = commands.add_parser("grade", help="autograde a lesson's submissions, write feedback and grades.csv")
    run.add_argument("course_dir", type=Path)
    run.add_argument("lesson", help="the lesson's number or folder name, e.g. 06")
    run.add_argument("--student-timeout", type=float, default=STUDENT_TIMEOUT_S, metavar="SECONDS",
                     help=f"the most one student's notebook may take in all (default {STUDENT_TIMEOUT_S} s)")
    args = parser.parse_args(argv)
    if args.command == "init":
        for path in init(args.course_dir, args.lessons, language=args.language):
            print(f"wrote {path}")
        return 0
    for result in grade(args.course_dir, args.lesson, args.student_timeout):
        note = f"  ({result.note})" if result.note else ""
        print(f"{result.student}: {result.score:g} / {result.max_score:g}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
