"""Shared fixtures: the repository's paths and its committed notebooks."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

NOTEBOOK_PATHS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks" / "solutions").glob("*.ipynb")
)


@pytest.fixture(params=NOTEBOOK_PATHS, ids=lambda p: p.relative_to(ROOT).as_posix())
def committed_notebook(request) -> tuple[Path, nbformat.NotebookNode]:
    return request.param, nbformat.read(request.param, as_version=4)
