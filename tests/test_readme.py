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
