"""CI's Colab leg: it fails when installing the course would move a package Colab preinstalls."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from conftest import ROOT

PINS = ROOT / ".ci" / "colab-runtime.txt"
spec = importlib.util.spec_from_file_location("colab_unchanged", ROOT / ".ci" / "colab_unchanged.py")
colab_unchanged = importlib.util.module_from_spec(spec)
spec.loader.exec_module(colab_unchanged)


def freeze(**changes: str) -> str:
    pinned = colab_unchanged.versions(PINS.read_text())
    lines = [f"{name}=={changes.get(name, version)}" for name, version in pinned.items() if changes.get(name) != ""]
    return "\n".join(lines + ["dqn-helpers @ git+file:///somewhere@abc", "tqdm==4.70.1"])


def run(tmp_path, before: str, after: str) -> subprocess.CompletedProcess:
    (tmp_path / "before.txt").write_text(before)
    (tmp_path / "after.txt").write_text(after)
    return subprocess.run([sys.executable, str(ROOT / ".ci" / "colab_unchanged.py"), str(PINS),
                           str(tmp_path / "before.txt"), str(tmp_path / "after.txt")], capture_output=True, text=True)


def test_the_pins_are_colabs_runtime_as_the_issue_lists_it():
    pinned = colab_unchanged.versions(PINS.read_text())
    assert pinned["torch"] == "2.11.0" and pinned["ipywidgets"] == "7.7.1" and pinned["ipykernel"] == "6.17.1"
    assert "August 2026" in PINS.read_text()


def test_an_install_that_adds_packages_but_moves_none_passes(tmp_path):
    result = run(tmp_path, freeze(), freeze())
    assert result.returncode == 0, result.stderr


def test_an_upgraded_downgraded_or_removed_preinstalled_package_fails_the_leg(tmp_path):
    result = run(tmp_path, freeze(), freeze(numpy="2.3.0", ipywidgets="8.1.9", pygame=""))
    assert result.returncode == 1
    assert "numpy: installing the course changed it from 2.1.3 to 2.3.0" in result.stderr
    assert "ipywidgets: installing the course changed it from 7.7.1 to 8.1.9" in result.stderr
    assert "pygame: installing the course changed it from 2.6.1 to nothing (removed)" in result.stderr
    assert "restart the runtime" in result.stderr


def test_ci_runs_the_colab_leg_after_the_readme_command():
    script = (ROOT / ".ci" / "run").read_text()
    assert script.index("make test") < script.index("bash .ci/colab")
    leg = (ROOT / ".ci" / "colab").read_text()
    assert "python3.13" in leg and "colab_unchanged.py" in leg and "--nbval" in leg and 'git+file://' in leg
