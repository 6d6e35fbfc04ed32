"""Build the course's notebooks from the one source of each lesson.

Each lesson is written once, as a jupytext "percent" script in ``lessons/NN_name.py`` with its
exercise solutions between nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers.
From it come two notebooks:

* ``notebooks/NN_name.ipynb``            the student version (solutions replaced by a stub that
                                         raises ``NotImplementedError``), what Colab opens;
* ``notebooks/solutions/NN_name.ipynb``  the solution version.

Both get a Colab badge and a Colab setup cell, generated from the repository address in
``pyproject.toml`` (``[project.urls] Repository``), and both are executed with the full budget
so the committed outputs are the ones the code produces.

    python tools/course.py build [NN ...]   regenerate and execute (all lessons, or those named)
    python tools/course.py prose [NN ...]   regenerate after a change to markdown cells only, keeping
                                            the committed outputs (refused if a code cell changed)
    python tools/course.py check            fail if a committed notebook differs from its source
    python tools/course.py fork OWNER/REPO  re-point badges and setup cells at a fork
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import tomllib
from nbclient import NotebookClient
from nbformat import NotebookNode
from nbgrader.preprocessors import ClearSolutions

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
NOTEBOOKS = ROOT / "notebooks"
VERSIONS = {"student": NOTEBOOKS, "solution": NOTEBOOKS / "solutions"}
QUICK_ENV_VAR = "DQN_QUICK"  # mirrors dqn_helpers.quick; the build must never run in quick mode
KEPT_CELL_METADATA = ("tags", "nbval_reason")
EXECUTION_TIMEOUT_S = 3 * 3600

STUB = (
    "# YOUR CODE HERE\n"
    'raise NotImplementedError("exercise not done yet: replace this line with your code '
    '(the hints above this cell help)")'
)

SETUP_CELL = '''\
# Setup: on Google Colab, install this course's helper package; anywhere else, do nothing.
import os
import sys

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # pygame draws CartPole off-screen: no display needed
COURSE_REPOSITORY = "{repository}"  # set by `make fork`, see the README
if "google.colab" in sys.modules:
    import subprocess

    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", f"dqn-helpers @ git+{{COURSE_REPOSITORY}}"],
        capture_output=True, text=True,
    )
    if pip.returncode != 0:
        said = (pip.stderr or pip.stdout or "").strip().splitlines()
        print(f"Could not install the course's package from {{COURSE_REPOSITORY}}")
        print(f"  pip said: {{said[-1] if said else 'nothing'}}")
        print("  If that repository is private, renamed or not pushed yet: make it public on GitHub, or point")
        print("  the notebooks at your own copy with `make fork REPO=you/your-fork`, push, and open them from there.")
        print("  Or install without GitHub: upload a wheel (`pip wheel . -w dist` in the repository) or the")
        print("  repository's zip with Colab's Files pane, run `!pip install /content/<that file>`, then go on.")'''

BADGE = (
    "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
    "(https://colab.research.google.com/github/{slug}/blob/main/{path})"
)


def repository_url() -> str:
    """The course repository's address: the one place it is kept is pyproject.toml."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["urls"]["Repository"]


def github_slug(url: str) -> str:
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?/?", url)
    if not match:
        raise SystemExit(f"Repository URL {url!r} is not of the form https://github.com/OWNER/REPO")
    return match.group(1)


def lesson_sources() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]_*.py"))


def notebook_path(source: Path, version: str) -> Path:
    return VERSIONS[version] / f"{source.stem}.ipynb"


def clear_solutions(nb: NotebookNode) -> NotebookNode:
    """nbgrader's own stripping, outside nbgrader's database and grading workflow."""
    preprocessor = ClearSolutions(
        code_stub={"python": STUB},
        begin_solution_delimeter="### BEGIN SOLUTION",
        end_solution_delimeter="### END SOLUTION",
        enforce_metadata=False,
    )
    nb, _ = preprocessor.preprocess(nb, {})
    return nb


def render(source: Path, version: str, repository: str | None = None) -> NotebookNode:
    """The notebook for ``version`` ("student" or "solution"), unexecuted."""
    repository = repository or repository_url()
    nb = jupytext.read(source, fmt="py:percent")
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise SystemExit(f"{source}: the first cell must be the lesson's title (markdown)")
    path = notebook_path(source, version).relative_to(ROOT).as_posix()
    badge = BADGE.format(slug=github_slug(repository), path=path)
    if version == "solution":
        student = notebook_path(source, "student").relative_to(ROOT).as_posix()
        badge += f" &nbsp; *Solution version: the exercises are solved. Students open `{student}`.*"
    nb.cells[0].source = f"{badge}\n\n{nb.cells[0].source}"
    setup = nbformat.v4.new_code_cell(SETUP_CELL.format(repository=repository))
    nb.cells.insert(1, setup)
    if version == "student":
        nb = clear_solutions(nb)
    for index, cell in enumerate(nb.cells):
        cell.id = f"{source.stem[:2]}-{index:03d}"
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA}
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def execute(nb: NotebookNode, workdir: Path) -> NotebookNode:
    """Run every cell with the full budget, as a student would, and keep the outputs."""
    client = NotebookClient(
        nb, timeout=EXECUTION_TIMEOUT_S, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
        on_cell_start=lambda cell, cell_index: print(f"  cell {cell_index}", end="\r", flush=True),
    )
    client.execute()
    return nb


def write(nb: NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, path)


def comparable(nb: NotebookNode) -> list[tuple[str, str, dict]]:
    """What generation decides (cells, their sources and tags); outputs are nbval's to check."""
    return [(cell.cell_type, cell.source, dict(cell.metadata)) for cell in nb.cells]


def select(names: list[str]) -> list[Path]:
    sources = lesson_sources()
    if not names:
        return sources
    chosen = [s for s in sources if any(s.stem.startswith(n) for n in names)]
    if len(chosen) < len(names):
        raise SystemExit(f"no lesson matches {names}; lessons: {[s.stem for s in sources]}")
    return chosen


def build(names: list[str]) -> None:
    if os.environ.pop(QUICK_ENV_VAR, None) is not None:
        print(f"note: ignoring {QUICK_ENV_VAR}: committed notebooks always show the full budget")
    for source in select(names):
        for version in VERSIONS:
            target = notebook_path(source, version)
            print(f"building {target.relative_to(ROOT)} ...", flush=True)
            write(execute(render(source, version), target.parent), target)


def prose(names: list[str]) -> int:
    """Regenerate notebooks whose code cells are unchanged, keeping their outputs: a prose fix
    needs no re-run. Refused (nothing written) where a code cell's source or tags changed."""
    code = lambda nb: [(c.source, dict(c.metadata)) for c in nb.cells if c.cell_type == "code"]  # noqa: E731
    updates = []
    for source in select(names):
        for version in VERSIONS:
            target = notebook_path(source, version)
            old, new = nbformat.read(target, as_version=4), render(source, version)
            if code(old) != code(new):
                print(f"{target.relative_to(ROOT)}: a code cell changed; run `python tools/course.py build "
                      f"{source.stem[:2]}` instead. Nothing written.")
                return 1
            new.metadata = old.metadata  # what execution recorded there (language info, widget state)
            executed = iter([c for c in old.cells if c.cell_type == "code"])
            for cell in new.cells:
                if cell.cell_type == "code":
                    previous = next(executed)
                    cell.outputs, cell.execution_count = previous.outputs, previous.execution_count
            updates.append((new, target))
    for nb, target in updates:
        write(nb, target)
        print(f"updated the prose of {target.relative_to(ROOT)}")
    return 0


def check() -> int:
    """0 when every committed notebook matches what its source generates, else 1."""
    problems = []
    sources = lesson_sources()
    expected = {notebook_path(s, v) for s in sources for v in VERSIONS}
    for folder in VERSIONS.values():
        for orphan in sorted(set(folder.glob("*.ipynb")) - expected):
            problems.append(f"{orphan.relative_to(ROOT)} has no source in lessons/")
    for source in sources:
        for version in VERSIONS:
            target = notebook_path(source, version)
            if not target.exists():
                problems.append(f"{target.relative_to(ROOT)} is missing")
            elif comparable(nbformat.read(target, as_version=4)) != comparable(render(source, version)):
                problems.append(f"{target.relative_to(ROOT)} is stale: {source.relative_to(ROOT)} changed")
    for problem in problems:
        print(problem)
    if problems:
        print("Regenerate with `make notebooks` (or `python tools/course.py build NN`).")
    return 1 if problems else 0


def fork(slug: str) -> None:
    """Point pyproject's Repository, the badges and the setup cells at github.com/<slug>."""
    url = f"https://github.com/{slug}"
    github_slug(url)  # validates
    old_slug = github_slug(repository_url())
    readme = ROOT / "README.md"
    readme.write_text(readme.read_text().replace(f"/github/{old_slug}/", f"/github/{slug}/")
                      .replace(f"github.com/{old_slug}", f"github.com/{slug}"))
    pyproject = ROOT / "pyproject.toml"
    text, count = re.subn(r'(?m)^Repository = ".*"$', f'Repository = "{url}"', pyproject.read_text())
    if count != 1:
        raise SystemExit("pyproject.toml has no `Repository = \"...\"` line under [project.urls]")
    pyproject.write_text(text)
    # Only the badge and the setup cell change, and neither has outputs off Colab: re-render
    # the sources and keep every committed output instead of re-executing hours of lessons.
    for source in lesson_sources():
        for version in VERSIONS:
            target = notebook_path(source, version)
            fresh = render(source, version, url)
            if target.exists():
                old = nbformat.read(target, as_version=4)
                if len(old.cells) == len(fresh.cells):
                    fresh.metadata = copy.deepcopy(old.metadata)  # e.g. the widgets' saved state
                    for new_cell, old_cell in zip(fresh.cells, old.cells, strict=True):
                        if new_cell.cell_type == "code" == old_cell.cell_type:
                            new_cell.outputs = copy.deepcopy(old_cell.outputs)
                            new_cell.execution_count = old_cell.execution_count
            write(fresh, target)
    print(f"Colab badges and setup cells now point at {url}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="regenerate and execute notebooks")
    build_parser.add_argument("lessons", nargs="*", help="lesson numbers, e.g. 01 03 (default: all)")
    prose_parser = commands.add_parser("prose", help="regenerate after a markdown-only change, keeping outputs")
    prose_parser.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    commands.add_parser("check", help="fail if a committed notebook is stale")
    fork_parser = commands.add_parser("fork", help="re-point Colab badges at OWNER/REPO")
    fork_parser.add_argument("slug", metavar="OWNER/REPO")
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.lessons)
    elif args.command == "prose":
        return prose(args.lessons)
    elif args.command == "check":
        return check()
    else:
        fork(args.slug)
    return 0


if __name__ == "__main__":
    sys.exit(main())
