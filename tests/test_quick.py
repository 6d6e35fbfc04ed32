"""Quick mode: one switch shrinks budgets for tests, and never reaches what students run."""

import pytest

from dqn_helpers import quick


@pytest.mark.parametrize(("value", "expected"), [(None, 100), ("1", 3), ("true", 3), ("0", 100), ("", 100)])
def test_budget_follows_the_switch(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(quick.QUICK_ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(quick.QUICK_ENV_VAR, value)
    assert quick.budget(full=100, quick=3) == expected


def test_banner_only_in_quick_mode(monkeypatch, capsys):
    monkeypatch.delenv(quick.QUICK_ENV_VAR, raising=False)
    quick.announce_mode()
    assert capsys.readouterr().out == ""
    monkeypatch.setenv(quick.QUICK_ENV_VAR, "1")
    quick.announce_mode()
    assert quick.QUICK_BANNER in capsys.readouterr().out


def test_committed_notebooks_were_run_with_the_full_budget(committed_notebook):
    path, nb = committed_notebook
    outputs = str([cell.get("outputs", []) for cell in nb.cells])
    assert quick.QUICK_BANNER not in outputs, f"{path.name} was executed in quick mode"
    assert quick.QUICK_ENV_VAR + "=1" not in outputs
