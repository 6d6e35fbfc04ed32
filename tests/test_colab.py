"""The Colab badge and setup cell: a no-op off Colab, the right pip install on Colab."""

import subprocess
import sys
import types

import course
import pytest
from packaging.requirements import Requirement

REPOSITORY = course.repository_url()


def setup_cell(nb):
    cell = nb.cells[1]
    assert cell.cell_type == "code" and cell.source.startswith("# Setup: on Google Colab")
    return cell


def run_cell(source, monkeypatch, on_colab):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(source, "<setup cell>", "exec"), {})
    return calls


def test_setup_cell_does_nothing_off_colab(committed_notebook, monkeypatch):
    _, nb = committed_notebook
    assert run_cell(setup_cell(nb).source, monkeypatch, on_colab=False) == []
    assert setup_cell(nb).outputs == []


def test_setup_cell_installs_the_course_package_on_colab(committed_notebook, monkeypatch):
    _, nb = committed_notebook
    calls = run_cell(setup_cell(nb).source, monkeypatch, on_colab=True)
    assert len(calls) == 1
    (command,), kwargs = calls[0]
    assert command[:5] == [sys.executable, "-m", "pip", "install", "--quiet"]
    requirement = Requirement(command[5])
    assert requirement.name == "dqn-helpers"
    assert requirement.url == f"git+{REPOSITORY}"
    assert kwargs == {"check": True}


def test_badge_opens_this_very_notebook_in_colab(committed_notebook):
    path, nb = committed_notebook
    relative = path.relative_to(course.ROOT).as_posix()
    slug = course.github_slug(REPOSITORY)
    link = f"(https://colab.research.google.com/github/{slug}/blob/main/{relative})"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("[![Open In Colab]")
    assert link in first.source


@pytest.mark.parametrize("bad", ["https://gitlab.com/a/b", "github.com/a/b", "https://github.com/a"])
def test_repository_url_must_be_a_github_repository(bad):
    with pytest.raises(SystemExit):
        course.github_slug(bad)
