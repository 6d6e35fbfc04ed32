"""The README's promises: two commands, and a Colab badge per lesson that opens it."""

import re
import subprocess

import course

README = (course.ROOT / "README.md").read_text()


def test_readme_gives_the_two_commands_and_make_knows_them():
    assert "make lab " in README and "make test " in README
    for target in ["lab", "test", "notebooks", "fork"]:
        dry_run = subprocess.run(["make", "-n", target, "REPO=a/b"], cwd=course.ROOT,
                                 capture_output=True, text=True)
        assert dry_run.returncode == 0, dry_run.stderr


def test_ci_runs_the_readme_test_command():
    assert re.search(r"^time make test$", (course.ROOT / ".ci" / "run").read_text(), re.M)


def test_every_lesson_has_a_colab_badge_for_its_student_notebook():
    slug = course.github_slug(course.repository_url())
    for source in course.lesson_sources():
        link = f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{source.stem}.ipynb"
        assert link in README, f"README has no Colab badge for {source.stem}"
    for linked in re.findall(r"colab\.research\.google\.com/github/[^/]+/[^/]+/blob/main/([^)]+)\)", README):
        assert (course.ROOT / linked).exists(), f"README links a missing notebook: {linked}"


def test_the_readme_is_a_front_door():
    """The two commands and the lesson table come before any long prose; the whole README stays short."""
    lines = README.splitlines()
    assert len(README.split()) < 1200, f"the README has {len(README.split())} words"
    assert next(i for i, line in enumerate(lines) if line.startswith("make lab")) < 20
    assert next(i for i, line in enumerate(lines) if line.startswith("| # | lesson")) < 45


DOCS = [course.ROOT / "README.md", course.ROOT / "README.ko.md", *sorted((course.ROOT / "docs").glob("*.md")),
        course.ROOT / "benchmarks" / "results.md"]


def test_every_relative_link_in_the_readme_and_the_docs_leads_to_a_file():
    for document in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", document.read_text()):
            if "://" in target:
                continue
            assert (document.parent / target).exists(), f"{document.name} links a missing file: {target}"


def test_the_moved_sections_are_reachable_from_the_readme():
    for moved in ["docs/setup.md", "docs/cli.md", "docs/authoring.md", "docs/architecture.md", "docs/grading.md",
                  "docs/teaching-guide.md", "benchmarks/results.md"]:
        assert f"]({moved})" in README, f"the README does not link {moved}"


def test_the_korean_readme_gives_the_commands_the_lab_plan_and_a_badge_per_korean_lesson():
    korean = (course.ROOT / "README.ko.md").read_text()
    assert "make lab-ko " in korean and "make test " in korean and "](README.md)" in korean
    assert "](README.ko.md)" in README
    for source in course.lesson_sources():
        path = course.notebook_path(source, "student", "ko").relative_to(course.ROOT).as_posix()
        assert course.BADGE.format(slug=course.github_slug(course.repository_url()), path=path) in korean
        assert (course.ROOT / path).exists()
    plan = korean.split(course.LAB_KO_START, 1)[1].split(course.LAB_END, 1)[0].strip()
    assert plan == course.lab_plan(language="ko")[0], "run `python tools/course.py times`"
