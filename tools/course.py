"""Build the course's notebooks from the one source of each lesson.

Each lesson is written once, as a jupytext "percent" script in ``lessons/NN_name.py`` with its
exercise solutions between nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers.
From it come two notebooks:

* ``notebooks/NN_name.ipynb``            the student version (solutions replaced by a stub that
                                         raises ``NotImplementedError``), what Colab opens;
* ``notebooks/solutions/NN_name.ipynb``  the solution version;
* ``notebooks/ko/...``                    the same two in Korean: the same code cells (the setup
                                         cell adds one line that selects Korean), the markdown
                                         cells from ``lessons/ko/NN_name.md`` (``tools/translation.py``).

Both get a Colab badge and a Colab setup cell, generated from the repository address in
``pyproject.toml`` (``[project.urls] Repository``), and both are executed with the full budget
so the committed outputs are the ones the code produces.

    python tools/course.py build [NN ...]   regenerate and execute (all lessons, or those named)
    python tools/course.py prose [NN ...]   regenerate after a change to markdown cells only, keeping
                                            the committed outputs (refused if a code cell changed)
    python tools/course.py check            fail if a committed notebook differs from its source
    python tools/course.py times            each lesson's minutes by tools/lesson_plan.py's rule, into
                                            docs/teaching-guide.md
    python tools/course.py workcopy         copy the student notebooks into work/, the student's own
                                            copies (`make lab` does it; a copy is never overwritten)
    python tools/course.py fork OWNER/REPO  re-point badges and setup cells at a fork
"""

from __future__ import annotations

import argparse
import base64
import copy
import os
import platform
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import course_map
import grading
import jupytext
import lesson_plan
import nbformat
import tomllib
import translation
from nbclient import NotebookClient
from nbformat import NotebookNode
from nbgrader.preprocessors import ClearSolutions

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
NOTEBOOKS = ROOT / "notebooks"
VERSIONS = {"student": NOTEBOOKS, "solution": NOTEBOOKS / "solutions"}
TRANSLATIONS = ("ko",)  # the editions besides English; each lives in notebooks/<language>/
LANGUAGES = ("en",) + TRANSLATIONS
LANGUAGE_LINE = {  # the one line by which a translated edition's code differs: added to the setup cell
    "ko": 'os.environ["DQN_LANGUAGE"] = "ko"  # 한국어판: 검사 결과와 퀴즈를 한국어로 보여 줍니다',
}
GLOSSARY = "docs/glossary.ko.md"
QUICK_ENV_VAR = "DQN_QUICK"  # mirrors dqn_helpers.quick; the build must never run in quick mode
KEPT_CELL_METADATA = ("tags", "nbval_reason", "nbgrader")
MAP_NAME = "dqn-map.svg"  # the map of the algorithm, attached to each lesson's first cell
EXECUTION_TIMEOUT_S = 3 * 3600

STUB = (
    "# YOUR CODE HERE\n"
    'raise NotImplementedError("exercise not done yet: replace this line with your code '
    '(the hints above this cell help)")'
)

SETUP_MARK = "# Setup: on Google Colab, install this course's helper package"
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


def notebook_path(source: Path, version: str, language: str = "en") -> Path:
    folder = VERSIONS[version]
    if language != "en":
        folder = NOTEBOOKS / language / folder.relative_to(NOTEBOOKS)
    return folder / f"{source.stem}.ipynb"


def setup_cell(repository: str, language: str = "en") -> str:
    """The Colab setup cell; a translated edition's also selects its language, before anything runs."""
    cell = SETUP_CELL.format(repository=repository)
    if language == "en":
        return cell
    anchor = 'os.environ.setdefault("SDL_VIDEODRIVER", "dummy")'
    head, tail = cell.split(anchor, 1)
    first, rest = tail.split("\n", 1)
    return f"{head}{anchor}{first}\n{LANGUAGE_LINE[language]}\n{rest}"


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


def header(source: Path, plan: lesson_plan.Plan, repository: str, language: str = "en",
           titles: dict[str, str] | None = None) -> str:
    """The lines under a lesson's title: its time, its core sections, and the map.

    A translated edition states the English lesson's minutes (the same cells, run the same) with
    its own section titles (``titles``: each English title's translation)."""
    if language == "ko":
        return header_ko(source, plan, repository, titles or {})
    guide = f"{repository}/blob/main/docs/teaching-guide.md#how-long-a-lesson-takes"
    optional = plan.titles(optional=True)
    time = f"**Time:** about {plan.core_minutes} minutes on the core path"
    if optional:
        time += (f", plus about {plan.optional_minutes} minutes of optional deep dives "
                 f"(headings that start with *Deep dive*; skipping them loses nothing later)")
    lines = [time + f". [How this is estimated]({guide})", "",
             "**Core sections:** " + " · ".join(plan.titles(optional=False))]
    lines += ["", f"**Words:** [a Korean–English glossary]({repository}/blob/main/{GLOSSARY}) "
                  "(용어집) of the course's terms"]
    lines += ["", f"![The DQN algorithm and its data flow; lesson {source.stem[:2]}'s part is yellow]"
                  f"(attachment:{MAP_NAME})"]
    return "\n".join(lines)


def header_ko(source: Path, plan: lesson_plan.Plan, repository: str, titles: dict[str, str]) -> str:
    """The Korean edition's lines under the title (see ``header``)."""
    guide = f"{repository}/blob/main/docs/teaching-guide.md#how-long-a-lesson-takes"
    time = f"**시간:** 핵심 과정 약 {plan.core_minutes}분"
    if plan.titles(optional=True):
        time += (f", 선택 심화 약 {plan.optional_minutes}분 (제목이 *심화*로 시작하는 부분입니다. "
                 "건너뛰어도 뒤의 내용을 따라가는 데 지장이 없습니다)")
    core = " · ".join(titles.get(title, title) for title in plan.titles(optional=False))
    return "\n".join([
        time + f". [시간을 어떻게 어림했는지]({guide})", "",
        "**핵심 절:** " + core, "",
        f"**용어:** [한국어–영어 용어집]({repository}/blob/main/{GLOSSARY})", "",
        f"![DQN 알고리즘과 데이터 흐름. 노란색이 {int(source.stem[:2])}강에서 다루는 부분입니다]"
        f"(attachment:{MAP_NAME})"])


def with_outputs_of(nb: NotebookNode, executed: NotebookNode | None) -> NotebookNode:
    """A copy of ``nb`` whose code cells carry ``executed``'s outputs, where their sources match."""
    nb = copy.deepcopy(nb)
    if executed is None:
        return nb
    ran = [c for c in executed.cells if c.cell_type == "code"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    def sources(cells: list) -> list[str]:  # the setup cell names the repository, which a fork changes
        return [SETUP_MARK if c.source.startswith(SETUP_MARK) else c.source for c in cells]
    if sources(ran) == sources(code):
        for cell, old in zip(code, ran, strict=True):
            cell.outputs, cell.execution_count = old.outputs, old.execution_count
    return nb


def lesson_time(source: Path, executed: NotebookNode | None = None) -> lesson_plan.Plan:
    """The lesson's parts and minutes by ``lesson_plan``'s rule: its cells as the source has them
    (the generated badge and header left out), with the outputs of ``executed`` (default: the
    committed solution notebook)."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.cells.insert(1, nbformat.v4.new_code_cell(SETUP_CELL.format(repository=repository_url())))
    if executed is None and notebook_path(source, "solution").exists():
        executed = nbformat.read(notebook_path(source, "solution"), as_version=4)
    return lesson_plan.plan(with_outputs_of(nb, executed), source.stem)


def translate(nb: NotebookNode, source: Path, language: str) -> dict[str, str]:
    """Put the translation of each markdown cell of the lesson's source in place (code cells stay
    as they are); return each English section title's translation, for the header."""
    english = [part.title for part in lesson_plan.parts(nb)]
    for index, text in translation.translated(source, language).items():
        nb.cells[index].source = text
    return dict(zip(english, (part.title for part in lesson_plan.parts(nb)), strict=True))


def render(source: Path, version: str, repository: str | None = None,
           executed: NotebookNode | None = None, language: str = "en") -> NotebookNode:
    """The notebook for ``version`` ("student" or "solution") in ``language``, unexecuted.

    Its first cell states the lesson's time by ``lesson_plan``'s rule, from the outputs of
    ``executed`` (default: the committed English solution notebook) and the measured run times."""
    repository = repository or repository_url()
    nb = jupytext.read(source, fmt="py:percent")
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise SystemExit(f"{source}: the first cell must be the lesson's title (markdown)")
    titles = translate(nb, source, language) if language != "en" else None
    path = notebook_path(source, version, language).relative_to(ROOT).as_posix()
    badge = BADGE.format(slug=github_slug(repository), path=path)
    if version == "solution":
        student = notebook_path(source, "student", language).relative_to(ROOT).as_posix()
        badge += (f" &nbsp; *해답 버전: 연습 문제가 풀려 있습니다. 학생은 `{student}`를 엽니다.*" if language == "ko"
                  else f" &nbsp; *Solution version: the exercises are solved. Students open `{student}`.*")
    setup = nbformat.v4.new_code_cell(setup_cell(repository, language))
    nb.cells.insert(1, setup)
    plan = lesson_time(source, executed if language == "en" else None)
    title, _, rest = nb.cells[0].source.partition("\n")
    nb.cells[0].source = f"{badge}\n\n{title}\n\n{header(source, plan, repository, language, titles)}\n{rest}"
    svg = course_map.svg(source.stem[:2]).encode()
    nb.cells[0].attachments = {MAP_NAME: {"image/svg+xml": base64.b64encode(svg).decode()}}
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA}
    grading.mark_for_grading(nb, source.stem)  # exercise cells and checker cells, as nbgrader reads them
    if version == "student":
        nb = clear_solutions(nb)
    for index, cell in enumerate(nb.cells):
        cell.id = f"{source.stem[:2]}-{index:03d}" if language == "en" else f"{language}-{source.stem[:2]}-{index:03d}"
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def execute(nb: NotebookNode, workdir: Path) -> tuple[NotebookNode, list[float]]:
    """Run every cell with the full budget, as a student would, and keep the outputs.

    Returns the notebook and each code cell's run time in seconds (for the lesson's time)."""
    client = NotebookClient(
        nb, timeout=EXECUTION_TIMEOUT_S, kernel_name="python3", record_timing=True,
        resources={"metadata": {"path": str(workdir)}},
        on_cell_start=lambda cell, cell_index: print(f"  cell {cell_index}", end="\r", flush=True),
    )
    client.execute()
    seconds = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            timing = cell.metadata.pop("execution", {})
            start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
            seconds.append((parse_time(end) - parse_time(start)).total_seconds() if start and end else 0.0)
    return nb, seconds


def parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def write(nb: NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, path)


def comparable(nb: NotebookNode) -> list[tuple[str, str, dict, dict]]:
    """What generation decides (cells, their sources, tags and attachments); outputs are nbval's."""
    return [(cell.cell_type, cell.source, dict(cell.metadata), dict(cell.get("attachments", {})))
            for cell in nb.cells]


def select(names: list[str]) -> list[Path]:
    sources = lesson_sources()
    if not names:
        return sources
    chosen = [s for s in sources if any(s.stem.startswith(n) for n in names)]
    if len(chosen) < len(names):
        raise SystemExit(f"no lesson matches {names}; lessons: {[s.stem for s in sources]}")
    return chosen


def build(names: list[str], languages: tuple[str, ...] = LANGUAGES) -> None:
    if os.environ.pop(QUICK_ENV_VAR, None) is not None:
        print(f"note: ignoring {QUICK_ENV_VAR}: committed notebooks always show the full budget")
    for source in select(names):
        if "en" in languages:
            target = notebook_path(source, "solution")
            print(f"building {target.relative_to(ROOT)} ...", flush=True)
            executed, seconds = execute(render(source, "solution"), target.parent)
            lesson_plan.record_run_times(source.stem, seconds, machine_name())
            # The first cell states the lesson's time: render again, now from these outputs and times.
            solution = with_outputs_of(render(source, "solution", executed=executed), executed)
            solution.metadata = executed.metadata  # what execution recorded there (language info, widget state)
            write(solution, target)
            write_student(source)
        for language in (lang for lang in languages if lang != "en"):
            if translation_ready(source, language):
                build_translation(source, language)


def build_translation(source: Path, language: str) -> None:
    """A translated edition's solution notebook, executed (the package prints in its language),
    and its student notebook. Its header states the English lesson's measured time."""
    target = notebook_path(source, "solution", language)
    print(f"building {target.relative_to(ROOT)} ...", flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)  # the kernel runs there
    rendered = render(source, "solution", language=language)  # its header needs no outputs: rendered once
    executed, _ = execute(copy.deepcopy(rendered), target.parent)
    solution = with_outputs_of(rendered, executed)
    solution.metadata = executed.metadata
    write(solution, target)
    write_student(source, language=language)


def write_student(source: Path, repository: str | None = None, language: str = "en") -> None:
    """The student version is never executed: a student meets each question before its answer."""
    target = notebook_path(source, "student", language)
    write(render(source, "student", repository, language=language), target)
    print(f"wrote {target.relative_to(ROOT)} (no outputs)")


def machine_name() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs"


def prose(names: list[str]) -> int:
    """Regenerate notebooks whose code cells are unchanged, keeping their outputs: a prose fix (or a
    translation's) needs no re-run. Refused (nothing written) where a code cell's source or tags changed."""
    def code(nb: NotebookNode) -> list[tuple[str, dict]]:  # what running the cells depends on (not nbgrader's marks)
        return [(c.source, {k: v for k, v in c.metadata.items() if k != "nbgrader"}) for c in nb.cells
                if c.cell_type == "code"]
    updates = []
    for source, version, language in editions(select(names), translated_only=True):
        target = notebook_path(source, version, language)
        if not target.exists():
            print(f"{target.relative_to(ROOT)} does not exist yet: run `python tools/course.py build "
                  f"{source.stem[:2]}`. Nothing written.")
            return 1
        old, new = nbformat.read(target, as_version=4), render(source, version, language=language)
        if version == "student":
            updates.append((new, target))  # never executed: nothing to keep
            continue
        if code(old) != code(new):
            print(f"{target.relative_to(ROOT)}: a code cell changed; run `python tools/course.py build "
                  f"{source.stem[:2]}` instead. Nothing written.")
            return 1
        new = with_outputs_of(new, old)
        new.metadata = old.metadata  # what execution recorded there (language info, widget state)
        updates.append((new, target))
    for nb, target in updates:
        write(nb, target)
        print(f"updated the prose of {target.relative_to(ROOT)}")
    return 0


def executed_parts(nb: NotebookNode) -> list[str]:
    """What in ``nb`` comes from running it: outputs, execution counts, saved widget state."""
    found = []
    if any(c.get("outputs") for c in nb.cells if c.cell_type == "code"):
        found.append("outputs")
    if any(c.get("execution_count") for c in nb.cells if c.cell_type == "code"):
        found.append("execution counts")
    if "widgets" in nb.metadata:
        found.append("widget state")
    return found


def editions(sources: list[Path], translated_only: bool = False) -> list[tuple[Path, str, str]]:
    """(source, version, language) of every notebook generated from ``sources``; with
    ``translated_only``, a translated edition only where its translation is complete and current
    (the others are named, so that a new or changed lesson can be built in English first)."""
    return [(source, version, language) for source in sources for language in LANGUAGES
            if not translated_only or language == "en" or translation_ready(source, language) for version in VERSIONS]


def translation_ready(source: Path, language: str) -> bool:
    """Whether the lesson's translation is complete and current; if not, say so (its edition is skipped)."""
    if not translation.problems(source, language):
        return True
    print(f"note: the {language} edition of {source.stem} is skipped: its translation is incomplete or stale "
          f"(`python tools/translation.py status {source.stem[:2]}`)")
    return False


def check() -> int:
    """0 when every committed notebook matches what its source (and its translation) generates, else 1."""
    problems = []
    sources = lesson_sources()
    expected = {notebook_path(s, v, lang) for s, v, lang in editions(sources)}
    for folder in {path.parent for path in expected}:
        for orphan in sorted(set(folder.glob("*.ipynb")) - expected):
            problems.append(f"{orphan.relative_to(ROOT)} has no source in lessons/")
    untranslated = set()
    for source in sources:
        for language in TRANSLATIONS:
            found = translation.problems(source, language)
            problems += found
            untranslated |= {(source, language)} if found else set()
    for source, version, language in editions(sources):
        if (source, language) in untranslated:
            continue  # its translation's problems are listed above
        target = notebook_path(source, version, language)
        if not target.exists():
            problems.append(f"{target.relative_to(ROOT)} is missing")
            continue
        committed = nbformat.read(target, as_version=4)
        if comparable(committed) != comparable(render(source, version, language=language)):
            changed = source.relative_to(ROOT).as_posix()
            if language != "en":
                changed += f" or {translation.translation_path(source, language).relative_to(ROOT)}"
            problems.append(f"{target.relative_to(ROOT)} is stale: {changed} changed")
        if version == "student" and executed_parts(committed):
            problems.append(f"{target.relative_to(ROOT)} carries outputs ({', '.join(executed_parts(committed))}): "
                            "a student must meet each question before its answer")
    for problem in problems:
        print(problem)
    if problems:
        print("Regenerate with `make notebooks` (or `python tools/course.py build NN`); a translation's problems "
              "with `python tools/translation.py status NN`.")
    return 1 if problems else 0


GUIDE = ROOT / "docs" / "teaching-guide.md"
TIMES_START, TIMES_END = "<!-- times: generated by `python tools/course.py times` -->", "<!-- end times -->"
LAB_START, LAB_END = "<!-- lab plan: generated by `python tools/course.py times` -->", "<!-- end lab plan -->"
README_KO = ROOT / "README.ko.md"
LAB_KO_START = "<!-- lab plan: generated by `python tools/course.py times`, in Korean -->"
LAB_MINUTES = 180  # the slides' lab: one 3-hour session
LAB = {"before": ("01", "02", "03", "04"), "in": ("05", "06", "07"), "after": ("08",)}
LAB_OPENING, LAB_BREAK = 5, 10  # minutes: the map and the algorithm box; one break after the first lesson


def between(text: str, start: str, end: str) -> str:
    """The generated part of the teaching guide between two markers."""
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def guide_times(text: str) -> str:
    """The lesson-times table as the teaching guide holds it."""
    return between(text, TIMES_START, TIMES_END)


def guide_lab_plan(text: str) -> str:
    """The 3-hour lab plan as the teaching guide holds it."""
    return between(text, LAB_START, LAB_END)


def lesson_plans() -> dict[str, lesson_plan.Plan]:
    """Each lesson's plan by the rule, by lesson stem, in the course's order."""
    return {source.stem: lesson_time(source) for source in lesson_sources()}


def write_guide_times(plans: dict[str, lesson_plan.Plan] | None = None) -> None:
    """Put the current lesson-times table and the lab plan built from it into the teaching guide,
    and the lab plan in Korean into README.ko.md."""
    plans = plans or lesson_plans()
    text = GUIDE.read_text()
    for start, end, table in ((TIMES_START, TIMES_END, times_table(plans)),
                              (LAB_START, LAB_END, lab_plan(plans)[0])):
        before, rest = text.split(start, 1)
        text = f"{before}{start}\n{table}\n{end}{rest.split(end, 1)[1]}"
    GUIDE.write_text(text)
    text = README_KO.read_text()
    before, rest = text.split(LAB_KO_START, 1)
    README_KO.write_text(f"{before}{LAB_KO_START}\n{lab_plan(plans, 'ko')[0]}\n{LAB_END}{rest.split(LAB_END, 1)[1]}")


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


LAB_WORDS = {  # the lab plan's words, by language (the Korean one is README.ko.md's)
    "en": {"head": "| when | what |", "before": "| before the lab (homework) | core paths of {names} |",
           "minutes": "{stem} ({minutes} min)", "lab": "lab, {start}–{end}",
           "opening": "the instructor shows the map and the slides' algorithm box, and which part each lesson builds",
           "core": "{stem}, core path", "break": "break", "questions": "questions; the quiz answers",
           "after": "| after the lab (homework) | {names}, and any deep dive |"},
    "ko": {"head": "| 언제 | 무엇을 |", "before": "| 실습 전 (과제) | {names}의 핵심 과정 |",
           "minutes": "{stem} ({minutes}분)", "lab": "실습 {start}–{end}",
           "opening": "교수자가 지도와 슬라이드의 알고리즘 상자, 그리고 각 강의가 만드는 부분을 보여 줍니다",
           "core": "{stem} 핵심 과정", "break": "휴식", "questions": "질문, 퀴즈 답 맞추기",
           "after": "| 실습 후 (과제) | {names}, 그리고 원하는 심화 |"},
}


def lab_plan(plans: dict[str, lesson_plan.Plan] | None = None, language: str = "en") -> tuple[str, int]:
    """The 3-hour lab as a markdown table, from the lessons' core times, and the minute the last
    lesson ends (``LAB_MINUTES`` at most, or the plan does not fit)."""
    plans, words = plans or lesson_plans(), LAB_WORDS[language]
    stems = {stem[:2]: stem for stem in plans}
    def names(group: str) -> str:
        return ", ".join(words["minutes"].format(stem=stems[n], minutes=plans[stems[n]].core_minutes)
                         for n in LAB[group])
    def row(start: int, end: int, what: str) -> str:
        return f"| {words['lab'].format(start=_clock(start), end=_clock(end))} | {what} |"
    rows = [words["head"], "|---|---|", words["before"].format(names=names("before")),
            row(0, LAB_OPENING, words["opening"])]
    now = LAB_OPENING
    for index, number in enumerate(LAB["in"]):
        minutes = plans[stems[number]].core_minutes
        rows.append(row(now, now + minutes, words["core"].format(stem=stems[number])))
        now += minutes
        if index == 0:
            rows.append(row(now, now + LAB_BREAK, words["break"]))
            now += LAB_BREAK
    if now < LAB_MINUTES:
        rows.append(row(now, LAB_MINUTES, words["questions"]))
    rows.append(words["after"].format(names=names("after")))
    return "\n".join(rows), now


def times_table(plans: dict[str, lesson_plan.Plan] | None = None) -> str:
    """Each lesson's minutes by the rule, as the markdown table the teaching guide shows."""
    rows = ["| lesson | core path | optional deep dives | core sections |", "|---|---|---|---|"]
    core = optional = 0
    for stem, plan in (plans or lesson_plans()).items():
        core, optional = core + plan.core_minutes, optional + plan.optional_minutes
        rows.append(f"| {stem} | {plan.core_minutes} min | {plan.optional_minutes} min | "
                    + " · ".join(plan.titles(optional=False)) + " |")
    rows.append(f"| all lessons | {core} min ({core / 60:.1f} h) | {optional} min | |")
    return "\n".join(rows)


WORK = ROOT / "work"  # the student's own copies of the lessons; git ignores it


def working_copy(work: Path = WORK, language: str = "en") -> list[Path]:
    """Copy each student notebook of ``language``'s edition into ``work`` unless a copy is already
    there; return the new ones.

    The student works in these copies, so a course update (``git pull``) never meets their answers;
    a copy is never overwritten. Delete one to get a fresh copy of that lesson."""
    work.mkdir(parents=True, exist_ok=True)
    new = []
    for notebook in sorted(notebook_path(lesson_sources()[0], "student", language).parent.glob("*.ipynb")):
        copy_path = work / notebook.name
        if not copy_path.exists():
            shutil.copyfile(notebook, copy_path)
            new.append(copy_path)
    return new


def fork(slug: str) -> None:
    """Point pyproject's Repository, the badges and the setup cells at github.com/<slug>."""
    url = f"https://github.com/{slug}"
    github_slug(url)  # validates
    old_slug = github_slug(repository_url())
    for readme in (ROOT / "README.md", ROOT / "README.ko.md"):
        if readme.exists():
            readme.write_text(readme.read_text().replace(f"/github/{old_slug}/", f"/github/{slug}/")
                              .replace(f"github.com/{old_slug}", f"github.com/{slug}"))
    pyproject = ROOT / "pyproject.toml"
    text, count = re.subn(r'(?m)^Repository = ".*"$', f'Repository = "{url}"', pyproject.read_text())
    if count != 1:
        raise SystemExit("pyproject.toml has no `Repository = \"...\"` line under [project.urls]")
    pyproject.write_text(text)
    # Only the badge and the setup cell change, and neither has outputs off Colab: re-render
    # the sources and keep every committed output instead of re-executing hours of lessons.
    for source, language in {(s, lang) for s, _, lang in editions(lesson_sources(), translated_only=True)}:
        write_student(source, url, language)
        target = notebook_path(source, "solution", language)
        old = nbformat.read(target, as_version=4) if target.exists() else None
        fresh = with_outputs_of(render(source, "solution", url, executed=old if language == "en" else None,
                                       language=language), old)
        if old is not None:
            fresh.metadata = copy.deepcopy(old.metadata)  # e.g. the widgets' saved state
        write(fresh, target)
    print(f"Colab badges and setup cells now point at {url}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="regenerate and execute notebooks")
    build_parser.add_argument("lessons", nargs="*", help="lesson numbers, e.g. 01 03 (default: all)")
    build_parser.add_argument("--language", choices=LANGUAGES, action="append",
                              help="build only this edition (repeatable; default: every edition)")
    prose_parser = commands.add_parser("prose", help="regenerate after a markdown-only change, keeping outputs")
    prose_parser.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    commands.add_parser("check", help="fail if a committed notebook is stale")
    commands.add_parser("times", help="each lesson's minutes by the rule, written into docs/teaching-guide.md")
    workcopy_parser = commands.add_parser("workcopy", help="copy the student notebooks into work/ (never overwrites)")
    workcopy_parser.add_argument("--language", choices=LANGUAGES, default="en",
                                 help="the edition to copy (ko: into work/ko/)")
    fork_parser = commands.add_parser("fork", help="re-point Colab badges at OWNER/REPO")
    fork_parser.add_argument("slug", metavar="OWNER/REPO")
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.lessons, tuple(args.language or LANGUAGES))
    elif args.command == "prose":
        return prose(args.lessons)
    elif args.command == "check":
        return check()
    elif args.command == "workcopy":
        work = WORK if args.language == "en" else WORK / args.language
        new = working_copy(work, args.language)
        if args.language == "ko":
            folder = work.relative_to(ROOT)
            print(f"작업 폴더는 {folder}/ 입니다: 새 강의 {len(new)}개를 복사했습니다. 이미 있는 사본은 덮어쓰지 "
                  f"않습니다. 한 강의를 처음 상태로 받으려면 그 파일을 {folder}/에서 지우고 `make lab-ko`를 다시 "
                  "실행하세요.")
        else:
            print(f"Your working copy is {work.relative_to(ROOT)}/: {len(new)} new lesson(s) copied there; your own "
                  f"copies are never overwritten. For a fresh copy of a lesson, delete it from {WORK.name}/ and run "
                  "`make lab` again.")
    elif args.command == "times":
        plans = lesson_plans()
        write_guide_times(plans)
        print(times_table(plans))
    else:
        fork(args.slug)
    return 0


if __name__ == "__main__":
    sys.exit(main())
