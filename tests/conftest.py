"""Shared fixtures: the repository's paths and its committed notebooks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

NOTEBOOK_PATHS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks" / "solutions").glob("*.ipynb")
)


@pytest.fixture(autouse=True)
def no_inherited_wandb_service():
    """A test that runs ``wandb.init`` in this process leaves ``WANDB_SERVICE`` (its wandb-core's address) in
    ``os.environ``; every process started later (a kernel, the CLI, a lesson runner) would then connect to this
    worker's wandb-core instead of starting its own, and a forked lesson runner's runs were lost through it. The
    worker keeps its own connection; the address is not handed on."""
    os.environ.pop("WANDB_SERVICE", None)
    yield
    os.environ.pop("WANDB_SERVICE", None)


@pytest.fixture(params=NOTEBOOK_PATHS, ids=lambda p: p.relative_to(ROOT).as_posix())
def committed_notebook(request) -> tuple[Path, nbformat.NotebookNode]:
    return request.param, nbformat.read(request.param, as_version=4)


def pytest_collection_modifyitems(items) -> None:
    """Student notebooks are committed without outputs, so that a student meets every question
    before its answer. nbval still runs each of them end to end, with every exercise unfinished,
    and fails on any error; it has no outputs there to compare. Solution notebooks keep their
    outputs, and nbval compares them. (A hook of this file sees every collected item, the
    notebooks under notebooks/ included, because `make test` names tests/ first.)"""
    students = ROOT / "notebooks"
    for item in items:
        options = getattr(item, "options", None)  # nbval's notebook cells carry their options
        if options is not None and Path(str(item.path)).parent == students:
            options["check"] = False
