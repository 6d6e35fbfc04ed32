"""One source per lesson: generated notebooks are fresh, stripped, and re-pointable to a fork."""

import re
import shutil
import subprocess
import sys

import course
import jupytext
import nbformat
import pytest

SOURCES = course.lesson_sources()


def copy_repo(tmp_path):
    for name in ["pyproject.toml", "README.md", "lessons", "notebooks", "tools"]:
        src = course.ROOT / name
        if src.is_dir():  # not what running the notebooks left there (runs, videos, wandb's links)
            shutil.copytree(src, tmp_path / name, symlinks=True,
                            ignore=shutil.ignore_patterns("runs", "videos", "wandb", ".ipynb_checkpoints"))
        else:
            shutil.copy(src, tmp_path / name)
    return tmp_path


def run_tool(repo, *args):
    return subprocess.run([sys.executable, str(repo / "tools" / "course.py"), *args],
                          capture_output=True, text=True)


def test_every_lesson_has_both_notebooks_and_they_are_fresh(capsys):
    assert SOURCES, "no lesson sources found"
    assert course.check() == 0, capsys.readouterr().out


def test_a_changed_source_makes_the_check_fail(tmp_path):
    repo = copy_repo(tmp_path)
    lesson = repo / "lessons" / SOURCES[0].name
    lesson.write_text(lesson.read_text().replace("# %% [markdown]", "# %% [markdown]\n# Edited.", 1))
    result = run_tool(repo, "check")
    assert result.returncode == 1
    assert f"notebooks/{SOURCES[0].stem}.ipynb is stale" in result.stdout
    assert "make notebooks" in result.stdout


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_student_version_has_stubs_where_the_solution_has_code(source):
    student = nbformat.read(course.notebook_path(source, "student"), as_version=4)
    solution = nbformat.read(course.notebook_path(source, "solution"), as_version=4)
    exercises = [i for i, c in enumerate(solution.cells) if "### BEGIN SOLUTION" in c.source]
    assert exercises, f"{source.name} has no exercise"
    for index in exercises:
        stripped = student.cells[index].source
        assert "### BEGIN SOLUTION" not in stripped and "raise NotImplementedError(" in stripped
        before = next(c for c in reversed(student.cells[:index]) if c.cell_type == "markdown")
        assert before.source.count("<details>") >= 2, "every exercise has tiered hints, folded, right above it"
        following = student.cells[index + 1:]
        next_code = next(c for c in following if c.cell_type == "code")
        assert "checks.check_" in next_code.source, "every exercise is followed by its checker"
    all_student_code = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in all_student_code and "END SOLUTION" not in all_student_code


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_every_output_that_nbval_ignores_says_why(source):
    for version in course.VERSIONS:
        nb = nbformat.read(course.notebook_path(source, version), as_version=4)
        for cell in nb.cells:
            tags = cell.metadata.get("tags", [])
            if any(tag.startswith("nbval-") for tag in tags):
                assert cell.metadata.get("nbval_reason"), f"{source.name}: {cell.source[:60]!r}"
            assert "NBVAL_" not in cell.source, "use tags with a nbval_reason, not comments"


def test_fork_repoints_badges_and_setup_cells_and_keeps_outputs(tmp_path):
    repo = copy_repo(tmp_path)
    result = run_tool(repo, "fork", "someone/my-course")
    assert result.returncode == 0, result.stderr
    assert 'Repository = "https://github.com/someone/my-course"' in (repo / "pyproject.toml").read_text()
    assert run_tool(repo, "check").returncode == 0
    readme = (repo / "README.md").read_text()
    assert "colab.research.google.com/github/someone/my-course/blob/main/notebooks/" in readme
    assert course.github_slug(course.repository_url()) not in readme
    for source in SOURCES:
        for version in course.VERSIONS:
            relative = course.notebook_path(source, version).relative_to(course.ROOT)
            old = nbformat.read(course.ROOT / relative, as_version=4)
            new = nbformat.read(repo / relative, as_version=4)
            badge = f"colab.research.google.com/github/someone/my-course/blob/main/{relative.as_posix()}"
            assert badge in new.cells[0].source
            assert 'COURSE_REPOSITORY = "https://github.com/someone/my-course"' in new.cells[1].source
            assert [c.get("outputs") for c in new.cells[2:]] == [c.get("outputs") for c in old.cells[2:]]


def test_fork_refuses_a_malformed_name(tmp_path):
    repo = copy_repo(tmp_path)
    result = run_tool(repo, "fork", "not a repo")
    assert result.returncode != 0 and "github.com" in result.stderr


SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
FOLDED = re.compile(r"<details>.*?</details>", re.S)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def distinctive_lines(solution: str) -> set[str]:
    """The lines of a solution (and their right-hand sides) long enough to give the answer away."""
    found = set()
    for line in solution.splitlines():
        code = line.split("  #")[0].strip()
        if not code or code.startswith("#"):
            continue
        candidates = [code, re.sub(r"^return\s+", "", code)]
        assignment = re.match(r"^[\w.\[\], ]+?\s*=\s*(?!=)(.+)$", code)
        if assignment:
            candidates.append(assignment.group(1))
        # a bare list of names (`return policy_net, target_net, optimizer`) is the interface, not the answer
        found |= {squashed for c in candidates
                  if len(squashed := _squash(c)) >= 16 and not re.fullmatch(r"[\w.,]+", squashed)}
    return found


def visible_before(cells: list) -> str:
    """What a student sees in these cells without opening a hint: no solutions, no folded text."""
    text = []
    for cell in cells:
        source = SOLUTION_BLOCK.sub("", cell.source)
        text.append(FOLDED.sub("", source) if cell.cell_type == "markdown" else source)
    return _squash("\n".join(text))


def leaks(nb) -> list[tuple[int, str]]:
    found = []
    for index, cell in enumerate(nb.cells):
        for block in SOLUTION_BLOCK.findall(cell.source):
            above = visible_before(nb.cells[:index])
            found += [(index, line) for line in sorted(distinctive_lines(block)) if line in above]
    return found


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_no_answer_is_visible_above_its_exercise(source):
    nb = jupytext.read(source, fmt="py:percent")
    assert leaks(nb) == [], "a solution line stands unfolded above its exercise: move it after the checker"


def test_a_leaked_answer_is_found_and_a_folded_one_is_not():
    nb = jupytext.read(SOURCES[0], fmt="py:percent")
    index = next(i for i, c in enumerate(nb.cells) if "### BEGIN SOLUTION" in c.source)
    line = sorted(distinctive_lines(SOLUTION_BLOCK.findall(nb.cells[index].source)[0]))[0]
    folded = nbformat.v4.new_markdown_cell(f"<details><summary>hint</summary>\n\n`{line}`\n</details>")
    nb.cells.insert(index, folded)
    assert leaks(nb) == []
    nb.cells.insert(index, nbformat.v4.new_markdown_cell(f"The answer is `{line}`."))
    assert line in [leaked for _, leaked in leaks(nb)]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_every_lesson_teaches_the_theory_asks_for_predictions_and_ends_with_a_quiz(source):
    text = source.read_text()
    assert "### Key equation" in text and "$$" in text, "a key-equations box with LaTeX"
    assert "**Predict first" in text, "a predict-first prompt before an experiment"
    assert "<details><summary>" in text.split("**Predict first", 1)[1], "its answer, folded, after the prompt"
    assert f'dh.quiz.Quiz("{source.stem[:2]}")' in text and 'quiz.answer(1, "?")' in text, "an end-of-lesson quiz"


MAKERS = re.compile(r"torch\.(zeros|ones|empty|full|arange|rand|randn)\(")


def device_less_calls(code: str) -> list[str]:
    """Calls that make a new tensor without saying on which device (nested brackets allowed)."""
    found = []
    for match in MAKERS.finditer(code):
        depth, end = 1, match.end()
        while end < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            end += 1
        call = code[match.start():end]
        if "device=" not in call:
            found.append(call)
    return found


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.stem)
def test_tensors_made_in_solutions_and_hints_name_their_device(source):
    """On Colab's GPU a batch lives on cuda: a tensor made without device= would be on the CPU."""
    nb = jupytext.read(source, fmt="py:percent")
    for cell in nb.cells:
        code = "\n".join(SOLUTION_BLOCK.findall(cell.source))
        if cell.cell_type == "markdown":
            code += "\n".join(re.findall(r"<details>.*?</details>", cell.source, re.S))
        assert device_less_calls(code) == [], source.name


def test_a_device_less_tensor_is_caught():
    assert device_less_calls("next_state_values = torch.zeros(len(transitions))")
    assert not device_less_calls("torch.zeros(len(transitions), device=state_batch.device)")


@pytest.mark.parametrize("source", course.lesson_sources(), ids=lambda p: p.stem)
def test_lessons_reach_the_package_one_way_dh_module_name(source):
    """``dh.<module>.<name>``: the module is the file a student opens to read the code."""
    import dqn_helpers

    text = source.read_text()
    modules = {name for name in dir(dqn_helpers) if isinstance(getattr(dqn_helpers, name), type(dqn_helpers))}
    flat = sorted({name for name in re.findall(r"\bdh\.(\w+)", text) if name not in modules})
    assert not flat, f"reach these through their module, dh.<module>.<name>: {flat}"
    other_imports = [line for line in re.findall(r"^\s*(?:from dqn_helpers\S* import .*|import dqn_helpers.*)$",
                                                 text, re.M)
                     if line.strip() not in ("import dqn_helpers as dh", "from dqn_helpers import checks")]
    assert not other_imports, f"import only `dqn_helpers as dh` (and the checkers): {other_imports}"


def test_prose_keeps_the_outputs_and_refuses_a_code_change(tmp_path, monkeypatch):
    """`course.py prose` rewrites markdown without re-running; a changed code cell needs a real build."""
    lessons, notebooks = tmp_path / "lessons", tmp_path / "notebooks"
    lessons.mkdir()
    source = lessons / "01_demo.py"
    source.write_text("# %% [markdown]\n# # Demo\n# old words\n\n# %%\nprint(1 + 1)\n")
    monkeypatch.setattr(course, "repository_url", lambda: "https://github.com/owner/repo")
    monkeypatch.setattr(course, "ROOT", tmp_path)
    monkeypatch.setattr(course, "LESSONS", lessons)
    monkeypatch.setattr(course, "VERSIONS", {"student": notebooks, "solution": notebooks / "solutions"})
    for version in course.VERSIONS:  # the student's outputs stand for a copy executed by mistake
        nb = course.render(source, version)
        code = next(c for c in nb.cells if c.cell_type == "code" and "1 + 1" in c.source)
        code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
        nb.metadata["language_info"]["version"] = "3.11.7"
        course.write(nb, course.notebook_path(source, version))
    source.write_text(source.read_text().replace("old words", "new words"))
    assert course.prose(["01"]) == 0
    for version in course.VERSIONS:
        assert "new words" in nbformat.read(course.notebook_path(source, version), as_version=4).cells[0].source
    solution = nbformat.read(course.notebook_path(source, "solution"), as_version=4)
    assert next(c for c in solution.cells if "1 + 1" in c.source).outputs[0]["text"] == "2\n"
    assert solution.metadata["language_info"]["version"] == "3.11.7"
    student = nbformat.read(course.notebook_path(source, "student"), as_version=4)
    assert course.executed_parts(student) == [], "the student version is written unexecuted"
    source.write_text(source.read_text().replace("1 + 1", "1 + 2"))
    assert course.prose(["01"]) == 1
    assert "1 + 1" in nbformat.read(course.notebook_path(source, "student"), as_version=4).cells[2].source
