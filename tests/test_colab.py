"""The Colab badge and setup cell: a no-op off Colab, the right pip install on Colab."""

import subprocess
import sys
import types

import course
import nbformat
import pytest
from conftest import NOTEBOOK_PATHS
from packaging.requirements import Requirement

REPOSITORY = course.repository_url()


def committed_notebooks():
    return [(path, nbformat.read(path, as_version=4)) for path in NOTEBOOK_PATHS[:1]]


def setup_cell(nb):
    cell = nb.cells[1]
    assert cell.cell_type == "code" and cell.source.startswith("# Setup: on Google Colab")
    return cell


def run_cell(source, monkeypatch, on_colab, returncode=0, stderr=""):
    calls = []

    def fake_run(*args, **kwargs):
        calls.append((args, kwargs))
        return subprocess.CompletedProcess(args[0], returncode, stdout="", stderr=stderr)

    monkeypatch.setattr(subprocess, "run", fake_run)
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
    assert kwargs == {"capture_output": True, "text": True}


def test_a_failed_install_explains_what_to_do_and_raises_nothing(monkeypatch, capsys):
    _, nb = next(iter(committed_notebooks()))
    run_cell(setup_cell(nb).source, monkeypatch, on_colab=True, returncode=1,
             stderr="ERROR: Command errored out\nfatal: repository not found")
    out = capsys.readouterr().out
    assert f"Could not install the course's package from {REPOSITORY}" in out
    assert "pip said: fatal: repository not found" in out
    assert "make fork REPO=" in out and "make it public" in out and "pip wheel" in out


def test_a_real_failing_pip_install_is_explained_not_raised(monkeypatch, capsys, tmp_path):
    _, nb = next(iter(committed_notebooks()))
    missing = (tmp_path / "no-such-repository").as_uri()
    source = setup_cell(nb).source.replace(f'COURSE_REPOSITORY = "{REPOSITORY}"', f'COURSE_REPOSITORY = "{missing}"')
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(compile(source, "<setup cell>", "exec"), {})  # a real pip, failing without any network
    out = capsys.readouterr().out
    assert f"Could not install the course's package from {missing}" in out and "pip said:" in out


def test_the_setup_cell_lets_pygame_draw_without_a_display(committed_notebook, monkeypatch):
    _, nb = committed_notebook
    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    run_cell(setup_cell(nb).source, monkeypatch, on_colab=False)
    import os

    assert os.environ["SDL_VIDEODRIVER"] == "dummy"


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
